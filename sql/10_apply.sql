--
-- sentry_fixtures_apply() on the test schema: organization, teams, the five
-- project rules, project teams, keys, the admin, the report, dry run,
-- idempotency, invalid fixtures and hostile names
--
-- the source tree is pg_regress's working directory (\getenv is PostgreSQL 15's)
\set abs_srcdir `pwd`
\set ECHO none
\set schema_file :abs_srcdir '/t/sentry9_test_schema.sql'
SET client_min_messages = warning;
\o /dev/null
\i :schema_file
\o
RESET client_min_messages;
\set ECHO all

SET sentry_fixtures.url_prefix = 'https://sentry.example.com';
SET sentry_fixtures.password_iterations = 1000;

CREATE TABLE fixtures (name text PRIMARY KEY, body text NOT NULL);

-- report rows in a stable order
CREATE FUNCTION apply_report(fixture_name text, dry_run boolean DEFAULT false)
RETURNS TABLE (action text, kind text, name text, id bigint, detail text)
LANGUAGE sql AS $$
  SELECT r.action, r.kind, r.name, r.id, r.detail
  FROM fixtures f, sentry_fixtures_apply(f.body, dry_run) AS r
  WHERE f.name = fixture_name
  ORDER BY r.kind, r.name, r.action, r.id
$$;

-- rows written in the current transaction
CREATE VIEW writes AS
  SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) AS rows
  FROM pg_stat_xact_user_tables
  WHERE schemaname = 'public' AND relname <> 'fixtures';

-- the state of the projects the tests look at
CREATE VIEW project_state AS
  SELECT p.id, p.name, p.slug, p.platform,
         (SELECT string_agg(t.name, ',' ORDER BY t.name) FROM sentry_projectteam pt
          JOIN sentry_team t ON t.id = pt.team_id WHERE pt.project_id = p.id) AS teams,
         (SELECT string_agg(k.public_key || ':' || k.status, ',' ORDER BY k.id)
          FROM sentry_projectkey k WHERE k.project_id = p.id) AS keys
  FROM sentry_project p;

INSERT INTO fixtures VALUES ('first', $$
organization: sentry
admin:
  email: admin@example.com
  password: s3cret
teams:
  - name: Backend
    projects:
      api: https://0123456789abcdef0123456789abcdef:fedcba9876543210fedcba9876543210@sentry.example.com/23
  - name: Web
    projects:
      - name: storefront
        platform: javascript
        dsn: https://89abcdef0123456789abcdef01234567:0000000000000000000000000000000a@sentry.example.com/35
$$);

-- the first apply creates everything; both project shapes at once
SELECT * FROM apply_report('first');
SELECT * FROM project_state WHERE id IN (23, 35) ORDER BY id;
SELECT secret_key, label, roles, data FROM sentry_projectkey WHERE project_id = 23;
SELECT project_id, label FROM sentry_rule WHERE project_id IN (23, 35) ORDER BY project_id;
SELECT project_id, name, query, is_default FROM sentry_savedsearch
WHERE project_id = 23 ORDER BY id;

SELECT u.username, u.email, u.is_superuser, u.is_staff, u.is_active,
       u.password ~ '^pbkdf2_sha256\$1000\$[A-Za-z0-9]+\$[A-Za-z0-9+/]+=*$' AS django_hash,
       m.role, m.has_global_access,
       (SELECT count(*) FROM sentry_organizationmember_teams mt
        WHERE mt.organizationmember_id = m.id AND mt.is_active) AS teams,
       (SELECT is_verified FROM sentry_useremail e WHERE e.user_id = u.id) AS verified
FROM auth_user u JOIN sentry_organizationmember m ON m.user_id = u.id
WHERE u.email = 'admin@example.com';

-- a second apply returns no rows and writes no row
SELECT regress_flush_stats();
BEGIN;
SELECT * FROM apply_report('first');
SELECT rows FROM writes;
COMMIT;

-- sequences moved past the explicit ids: Sentry's own next insert works
INSERT INTO sentry_project (name, slug, public, date_added, status, organization_id, flags)
VALUES ('plain', 'plain', false, now(), 0, 1, 0) RETURNING id > 35 AS after_fixture_ids;
DELETE FROM sentry_project WHERE name = 'plain';

--
-- the five project rules, key moves and a team slug update
--
INSERT INTO sentry_project (id, name, slug, public, date_added, status, organization_id, platform) VALUES
  (50, 'legacy', 'legacy', false, now(), 0, 1, NULL),
  (70, 'old-name', 'old-name', false, now(), 0, 1, 'python'),
  (80, 'x', 'x', false, now(), 0, 1, NULL),
  (81, 'y', 'y', false, now(), 0, 1, NULL),
  (90, 'keyed', 'keyed', false, now(), 0, 1, NULL);
INSERT INTO sentry_projectkey (id, project_id, public_key, secret_key, roles, status, data, label) VALUES
  (900, 90, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 1, 0, '{}', 'first'),
  (901, 90, 'cccccccccccccccccccccccccccccccc', 'dddddddddddddddddddddddddddddddd', 1, 0, '{}', 'second'),
  (902, 81, '11111111111111111111111111111111', '22222222222222222222222222222222', 1, 1, '{}', 'to move');
UPDATE sentry_team SET slug = 'backend-old' WHERE name = 'Backend';

INSERT INTO fixtures VALUES ('rules', $$
organization: sentry
teams:
  - name: Backend
    projects:
      legacy: https://00000000000000000000000000000050@sentry.example.com/60
      new-name: https://00000000000000000000000000000070@sentry.example.com/70
      api: https://0123456789abcdef0123456789abcdef:fedcba9876543210fedcba9876543210@sentry.example.com/23
  - name: Web
    projects:
      - name: storefront
        platform: node
        dsn: https://89abcdef0123456789abcdef01234567:0000000000000000000000000000000b@sentry.example.com/35
      - name: y
        dsn: https://00000000000000000000000000000080@sentry.example.com/80
      - name: keyed
        dsn: https://eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee:ffffffffffffffffffffffffffffffff@sentry.example.com/90
      - name: mover
        dsn: https://11111111111111111111111111111111@sentry.example.com/91
$$);

-- the plan: the rows of the real run, and no change
CREATE TABLE before_plan AS SELECT * FROM project_state;
CREATE TABLE planned AS SELECT * FROM apply_report('rules', dry_run => true);
SELECT count(*) AS changed_by_plan FROM
  ((SELECT * FROM project_state EXCEPT SELECT * FROM before_plan)
   UNION ALL (SELECT * FROM before_plan EXCEPT SELECT * FROM project_state)) AS d;
SELECT last_value FROM sentry_project_id_seq;

-- the real run
CREATE TABLE applied AS SELECT * FROM apply_report('rules');
SELECT * FROM applied;
SELECT count(*) AS plan_differs FROM
  ((SELECT * FROM planned EXCEPT ALL SELECT * FROM applied)
   UNION ALL (SELECT * FROM applied EXCEPT ALL SELECT * FROM planned)) AS d;
SELECT last_value FROM sentry_project_id_seq;
SELECT * FROM project_state WHERE id >= 23 ORDER BY id;
SELECT id, project_id, public_key, secret_key, status FROM sentry_projectkey
WHERE id >= 900 ORDER BY id;
SELECT name, slug FROM sentry_team ORDER BY id;
SELECT * FROM sentry_fixtures_plan((SELECT body FROM fixtures WHERE name = 'rules'));

--
-- a slug another team has is an error naming both
--
INSERT INTO sentry_team (slug, name, date_added, status, organization_id)
VALUES ('ops-team', 'Ops (legacy)', now(), 0, 1);
SELECT * FROM sentry_fixtures_apply($$
teams:
  - name: Ops Team
    projects: {}
$$);

--
-- the admin: an existing user is made superuser, its password set
--
INSERT INTO auth_user (password, username, first_name, email, is_staff, is_active, is_superuser,
                       date_joined, is_managed, is_password_expired)
VALUES ('!', 'someone', '', 'Boss@Example.com', false, false, false, now(), false, false);
INSERT INTO fixtures VALUES ('boss', $$
admin:
  username: boss
  email: boss@example.com
  password: hunter2
teams:
  - name: Backend
    projects: {}
$$);
SELECT * FROM apply_report('boss');
SELECT username, is_superuser, is_staff, is_active, password LIKE 'pbkdf2_sha256$1000$%' AS hashed
FROM auth_user WHERE email = 'Boss@Example.com';
-- the stored hash verifies: nothing to do
SELECT * FROM apply_report('boss');

-- password_hash is stored as given
SELECT * FROM sentry_fixtures_apply($$
admin:
  email: boss@example.com
  password_hash: pbkdf2_sha256$1000$abcdefgh$Ta3KxOumEHpvU0JqH8qhRNSQ+V3nw39Ew1gG6AK30E0=
teams: []
$$);
SELECT password FROM auth_user WHERE email = 'Boss@Example.com';

-- a stored hash with more iterations than are ever verified (100 million)
-- is replaced at once, not verified for minutes of CPU
UPDATE auth_user
SET password = 'pbkdf2_sha256$150000000$abcdefgh$Ta3KxOumEHpvU0JqH8qhRNSQ+V3nw39Ew1gG6AK30E0='
WHERE email = 'Boss@Example.com';
SET statement_timeout = '10s';
SELECT * FROM apply_report('boss');
RESET statement_timeout;
SELECT password LIKE 'pbkdf2_sha256$1000$%' AS replaced FROM auth_user WHERE email = 'Boss@Example.com';

--
-- invalid fixtures: one error that counts the problems, nothing changed
--
CREATE TABLE before_invalid AS SELECT * FROM project_state;
SELECT * FROM sentry_fixtures_apply($$
teams:
  - name: Backend
    projects:
      api: https://0123456789ABCDEF0123456789abcdef@sentry.example.com/23
      other: not a dsn
$$);
SELECT count(*) AS changed_by_invalid FROM
  ((SELECT * FROM project_state EXCEPT SELECT * FROM before_invalid)
   UNION ALL (SELECT * FROM before_invalid EXCEPT SELECT * FROM project_state)) AS d;

--
-- hostile names are data
--
INSERT INTO fixtures VALUES ('hostile', $$
teams:
  - name: "Robert'); DROP TABLE sentry_project; --"
    projects:
      "a \\ b \"quoted\" ; --": https://abababababababababababababababab@sentry.example.com/200
      "🚀 rocket": https://cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd@sentry.example.com/201
$$);
-- unaligned: psql 13 and 14 count an emoji one column wide, later ones two
\pset format unaligned
SELECT action, kind, name, id FROM apply_report('hostile');
SELECT * FROM project_state WHERE id IN (200, 201) ORDER BY id;
\pset format aligned
SELECT name, slug FROM sentry_team WHERE name LIKE 'Robert%';
