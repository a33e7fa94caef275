--
-- The fixture keys of adopt and converge: prune and users, and the problems
-- validation finds in them, each with its line and column
--
SET sentry_fixtures.url_prefix = 'https://sentry.example.com';

-- a valid fixture with prune and users has no problems
SELECT * FROM sentry_fixtures_validate($$
prune: true
admin:
  email: admin@example.com
teams:
  - name: Backend
  - name: Web
users:
  - email: alice@example.com
    username: alice
    name: Alice Liddell
    password: secret
    superuser: false
    role: admin
    teams: [Backend, Web]
  - email: bob@example.com
    password_hash: pbkdf2_sha256$1000$salt$8kP2jHLGZqAR4dTNrjIzGaYrfrHNMsbpdWSGSfz3MIc=
$$);

-- prune must be a boolean
SELECT * FROM sentry_fixtures_validate($$
prune: yes please
$$);
SELECT * FROM sentry_fixtures_validate($$
prune: "true"
$$);

-- unknown roles, unknown teams, duplicate emails (ignoring case), the admin
-- listed again, and the values of one entry
SELECT * FROM sentry_fixtures_validate($$
admin:
  email: Admin@Example.com
teams:
  - name: Backend
users:
  - email: alice@example.com
    role: superhero
    teams: [Backend, Frontend]
  - email: ALICE@example.com
  - email: admin@example.com
  - email: not-an-address
    password: a
    password_hash: b
  - email: dora@example.com
    superuser: maybe
    teams: Backend
  - username: nobody
  - just a string
$$);

-- users must be a list
SELECT * FROM sentry_fixtures_validate($$
users:
  alice: alice@example.com
$$);
