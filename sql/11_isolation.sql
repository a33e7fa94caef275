--
-- An apply or a plan refuses REPEATABLE READ and SERIALIZABLE
-- transactions up front, before reading the fixture: their snapshot is
-- older than the apply lock they would wait for.  READ COMMITTED, the
-- default, goes on (here to the fixture's problem).
--
SET sentry_fixtures.url_prefix = 'https://sentry.example.com';

BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT * FROM sentry_fixtures_apply('teams: []');
ROLLBACK;
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT * FROM sentry_fixtures_apply('teams: []', dry_run => true);
ROLLBACK;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT * FROM sentry_fixtures_plan('teams: []');
ROLLBACK;
SET default_transaction_isolation = 'serializable';
SELECT * FROM sentry_fixtures_plan('teams: []');
RESET default_transaction_isolation;

BEGIN ISOLATION LEVEL READ COMMITTED;
SELECT * FROM sentry_fixtures_apply('teams: [oops]');
ROLLBACK;
