--
-- Export, prune and users on the test schema, in a schema of their own:
-- the export's text, its round trip, what prune deletes, users' roles and
-- teams
--
-- the source tree is pg_regress's working directory (\getenv is PostgreSQL 15's)
\set abs_srcdir `pwd`
\set ECHO none
\set schema_file :abs_srcdir '/t/sentry9_test_schema.sql'
SET client_min_messages = warning;
CREATE SCHEMA adopt;
SET search_path = adopt, public;
\i :schema_file
RESET client_min_messages;
\set ECHO all

SET sentry_fixtures.schema = adopt;
SET sentry_fixtures.url_prefix = 'https://sentry.example.com';
SET sentry_fixtures.password_iterations = 1000;

CREATE TABLE fixtures (name text PRIMARY KEY, body text NOT NULL);

-- report rows in a stable order
CREATE FUNCTION report(fixture_name text, dry_run boolean DEFAULT false)
RETURNS TABLE (action text, kind text, name text, id bigint, detail text)
LANGUAGE sql AS $$
  SELECT r.* FROM fixtures f, sentry_fixtures_apply(f.body, dry_run) AS r
  WHERE f.name = fixture_name ORDER BY r.kind, r.name, r.action, r.id
$$;

-- rows written in the current transaction
CREATE VIEW writes AS
  SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) AS rows
  FROM pg_stat_xact_user_tables
  WHERE schemaname = 'adopt' AND relname <> 'fixtures';

CREATE VIEW members AS
  SELECT u.email, u.username, u.first_name, u.is_superuser, u.is_staff, m.role,
         (SELECT string_agg(t.name, ',' ORDER BY t.name) FROM sentry_organizationmember_teams mt
          JOIN sentry_team t ON t.id = mt.team_id
          WHERE mt.organizationmember_id = m.id AND mt.is_active) AS teams
  FROM sentry_organizationmember m JOIN auth_user u ON u.id = m.user_id;

INSERT INTO fixtures VALUES ('start', $$
admin:
  email: admin@example.com
  password_hash: pbkdf2_sha256$1000$salt$8kP2jHLGZqAR4dTNrjIzGaYrfrHNMsbpdWSGSfz3MIc=
teams:
  - name: "Robert'); DROP TABLE sentry_project; --"
    projects:
      - name: "null"
        platform: python
        dsn: https://11111111111111111111111111111111:22222222222222222222222222222222@sentry.example.com/20
      - name: "a: b # c"
        dsn: https://33333333333333333333333333333333:44444444444444444444444444444444@sentry.example.com/21
  - name: Web
    projects:
      - name: "🚀 rocket"
        platform: javascript
        dsn: https://55555555555555555555555555555555:66666666666666666666666666666666@sentry.example.com/22
      - name: shop
        dsn: https://77777777777777777777777777777777:88888888888888888888888888888888@sentry.example.com/23
  - name: Old
users:
  - email: alice@example.com
    name: Alice
    role: admin
    teams: [Web, Old]
  - email: bob@example.com
    username: bob
    superuser: true
$$);

-- unaligned: psql 13 and 14 count an emoji one column wide, later ones two
\pset format unaligned
SELECT * FROM report('start');
\pset format aligned
SELECT * FROM members ORDER BY email;

-- the export: list shape, quoted where a reader would misread, stable
SELECT sentry_fixtures_export();
SELECT sentry_fixtures_export(include_secrets => false);

-- applying the export changes nothing (earlier writes flushed from the
-- transaction statistics first)
SELECT regress_flush_stats();
BEGIN;
SELECT count(*) FROM sentry_fixtures_apply(sentry_fixtures_export());
SELECT rows FROM writes;
COMMIT;

-- prune: plan shows what goes, with dependent counts, and apply does it
INSERT INTO sentry_projectkey (project_id, public_key, secret_key, date_added, roles, label, status, data)
VALUES (22, '99999999999999999999999999999999', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', now(), 1, 'Extra', 0, '{}');
INSERT INTO fixtures VALUES ('pruned', $$
prune: true
admin:
  email: admin@example.com
  password_hash: pbkdf2_sha256$1000$salt$8kP2jHLGZqAR4dTNrjIzGaYrfrHNMsbpdWSGSfz3MIc=
teams:
  - name: Web
    projects:
      - name: "🚀 rocket"
        platform: javascript
        dsn: https://55555555555555555555555555555555:66666666666666666666666666666666@sentry.example.com/22
users:
  - email: ALICE@example.com
    role: member
    teams: [Web]
$$);

\pset format unaligned
SELECT * FROM report('pruned', dry_run => true);
SELECT * FROM report('pruned');
SELECT id, name, slug FROM sentry_project ORDER BY id;
\pset format aligned
SELECT name FROM sentry_team ORDER BY name;
SELECT * FROM members ORDER BY email;
SELECT email FROM auth_user ORDER BY email;

-- without the key, prune => true does the same: nothing is left to do
SELECT regress_flush_stats();
BEGIN;
SELECT count(*) FROM fixtures, sentry_fixtures_apply(replace(body, 'prune: true', ''), prune => true)
WHERE fixtures.name = 'pruned';
SELECT rows FROM writes;
COMMIT;

-- a user's email that two Sentry users have (auth_user.email is not
-- unique) cannot say which one is meant
INSERT INTO auth_user (password, username, first_name, email, is_staff, is_active, is_superuser,
    date_joined, is_managed, is_password_expired)
SELECT '!', 'carol' || n, '', 'Carol@example.com', false, true, false, now(), false, false
FROM generate_series(1, 2) AS n;
SELECT count(*) FROM sentry_fixtures_apply(replace(
  (SELECT body FROM fixtures WHERE name = 'pruned'),
  'users:', E'users:\n  - email: carol@example.com'));

RESET search_path;
