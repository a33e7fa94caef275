--
-- The fixture's structure: both project shapes (mixed in one file) and
-- every structural problem, with its path, line and column.
--
SET sentry_fixtures.url_prefix = 'https://sentry.example.com';

-- map shape (name -> DSN), list shape ({name, platform, dsn}), mixed: valid
SELECT * FROM sentry_fixtures_validate($$
organization: Practo
admin:
  email: admin@example.com
  password: s3cret
teams:
  - name: Backend
    projects:
      api: https://0123456789abcdef0123456789abcdef:456789abcdef0123456789abcdef0123@sentry.example.com/23
  - name: Web
    projects:
      - name: storefront
        platform: javascript
        dsn: https://89abcdef0123456789abcdef01234567@sentry.example.com/35
      - name: checkout
        dsn: https://99abcdef0123456789abcdef01234567@sentry.example.com/36
$$);

-- flow style is YAML too; a team without projects is fine
SELECT * FROM sentry_fixtures_validate($${teams: [{name: Ops}, {name: Data, projects: {etl: "https://a9abcdef0123456789abcdef01234567@sentry.example.com/40"}}]}$$);

-- an empty fixture, or one with no keys, or only comments
SELECT * FROM sentry_fixtures_validate('');
SELECT * FROM sentry_fixtures_validate('{}');
SELECT * FROM sentry_fixtures_validate(E'# nothing\n');

-- wrong node kinds
SELECT * FROM sentry_fixtures_validate('- teams');
SELECT * FROM sentry_fixtures_validate('just text');
SELECT * FROM sentry_fixtures_validate($$
teams:
  name: Backend
$$);
SELECT * FROM sentry_fixtures_validate($$
organization: [a, b]
url_prefix: {x: 1}
admin: admin@example.com
teams:
  - Backend
  - [Web]
  - name: {first: Back}
    projects: api
  - name: Web
    projects:
      - api
      - name: [x]
        dsn: {}
  - name: Data
    projects:
      etl: [https://x]
$$);

-- unknown keys name the keys allowed there
SELECT * FROM sentry_fixtures_validate($$
organisation: Practo
admin: {email: admin@example.com, is_superuser: true}
teams:
  - name: Backend
    slug: backend
    projects:
      - name: api
        dsn: https://0123456789abcdef0123456789abcdef@sentry.example.com/23
        team: Backend
$$);

-- missing required keys, at the map that lacks them
SELECT * FROM sentry_fixtures_validate($$
admin:
  username: root
teams:
  - projects:
      - platform: python
$$);

-- empty values and empty names
SELECT * FROM sentry_fixtures_validate($$
organization:
url_prefix: ""
admin:
  email: ~
  username: null
teams:
  - name: ''
    projects:
      "": https://0123456789abcdef0123456789abcdef@sentry.example.com/23
      api:
  - name: Web
    projects:
      - name:
        platform: ""
        dsn: https://1123456789abcdef0123456789abcdef@sentry.example.com/24
$$);

-- duplicate keys in a map
SELECT * FROM sentry_fixtures_validate($$
teams:
  - name: Backend
    name: Frontend
admin:
  email: a@example.com
  email: b@example.com
teams: []
$$);

-- keys must be strings
SELECT * FROM sentry_fixtures_validate($$
[teams]: 1
? {a: 1}
: 2
$$);

-- anchors, aliases and tags are refused
SELECT * FROM sentry_fixtures_validate($$
admin: &admin
  email: admin@example.com
teams:
  - name: &n Backend
    projects:
      api: !!str https://0123456789abcdef0123456789abcdef@sentry.example.com/23
  - *admin
  - name: *n
  - !!python/object:os.system {name: x}
$$);

-- one document only
SELECT * FROM sentry_fixtures_validate(E'teams: []\n---\nteams: []\n');

-- YAML syntax errors stop the reading; problems found before are kept
SELECT * FROM sentry_fixtures_validate($$
oops: 1
teams:
  - name: Backend
   projects: {}
$$);
SELECT * FROM sentry_fixtures_validate(E'teams: [\n  {name: "Backend}\n');
SELECT * FROM sentry_fixtures_validate(E'teams:\n\t- name: x\n');
SELECT * FROM sentry_fixtures_validate(E'teams: [{name: x}]\nteams: *nowhere\n');

-- limits: nesting depth and string lengths (Sentry's column sizes)
SELECT * FROM sentry_fixtures_validate('teams: ' || repeat('[', 40) || repeat(']', 40));
SELECT path, line, col, message FROM sentry_fixtures_validate(
  'organization: ' || repeat('o', 65) || E'\n' ||
  E'admin:\n' ||
  '  username: ' || repeat('u', 129) || E'\n' ||
  '  email: ' || repeat('e', 70) || E'@example.com\n' ||
  '  password_hash: ' || repeat('h', 129) || E'\n' ||
  E'teams:\n' ||
  '  - name: ' || repeat('t', 65) || E'\n' ||
  E'    projects:\n' ||
  '      - name: ' || repeat('p', 201) || E'\n' ||
  '        platform: ' || repeat('x', 65) || E'\n' ||
  '        dsn: https://' || repeat('d', 2041) || E'\n');
-- the limits are in characters, not bytes
SELECT * FROM sentry_fixtures_validate(
  E'teams:\n  - name: ' || repeat('é', 64) || E'\n');
SELECT * FROM sentry_fixtures_validate(
  E'teams:\n  - name: ' || repeat('é', 65) || E'\n');
-- (invalid UTF-8 cannot be stored in this UTF-8 database: t/010_corpus.pl
-- feeds it through a SQL_ASCII one)
