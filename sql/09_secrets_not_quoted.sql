--
-- Text that may be a secret is never quoted in a problem, in the rows of
-- sentry_fixtures_validate() nor in the DETAIL of an apply (which reaches
-- the server log): the text of a tag, an anchor or an alias, whichever
-- value it stands on (a password that starts with '!' is a tag, a DSN or
-- a password hash can start with '!', '&' or '*'), and keys or booleans
-- that are not plain words.  Each query ends with whether any secret
-- shows anywhere in the problems.
--
SET sentry_fixtures.url_prefix = 'https://sentry.example.com';

CREATE TEMPORARY TABLE leak_cases (n int, fixture text);
INSERT INTO leak_cases VALUES
  (1, 'admin: {email: a@b.cd, password: !Summer2024pass }'),
  (1, 'admin: {email: a@b.cd, password: !Summer2024pass}'),
  (2, E'admin:\n  email: a@b.cd\n  password: !<!Summer2024pass> x\n'),
  (3, E'admin:\n  email: a@b.cd\n  password_hash: !Summer2024pass$1000$salt$hash\n'),
  (4, E'admin:\n  email: a@b.cd\n  password: &Summer2024pass x\n'),
  (5, E'admin:\n  email: a@b.cd\n  password: *Summer2024pass\n'),
  (6, E'teams:\n  - name: Backend\n    projects:\n      api: !Summer2024pass:0123456789abcdef0123456789abcdef@sentry.example.com/1\n'),
  (7, E'teams:\n  - name: Backend\n    projects:\n      - {name: api, dsn: !https://0123456789abcdef0123456789abcdef:Summer2024pass@x/1 }\n'),
  (8, 'admin: {email: a@b.cd, password:Summer2024pass}'),
  (9, E'prune: Summer2024pass!\n'),
  (10, E'admin:\n  email: a@b.cd\n  ? !Summer2024pass\n  : x\n');

SELECT c.n, v.path, v.line, v.col, v.message
FROM leak_cases c, LATERAL sentry_fixtures_validate(c.fixture) v
ORDER BY c.n, v.line, v.col;

SELECT count(*) AS problems_quoting_a_secret
FROM leak_cases c, LATERAL sentry_fixtures_validate(c.fixture) v
WHERE v.message LIKE '%Summer2024%' OR v.path LIKE '%Summer2024%';

-- the apply's error carries the same problems in its DETAIL
SELECT * FROM sentry_fixtures_apply('admin: {email: a@b.cd, password: !Summer2024pass }');
SELECT * FROM sentry_fixtures_apply('admin: {email: a@b.cd, password:Summer2024pass}');
