--
-- Rules across fixture entries, each with its exact message, and the
-- README's example fixture.
--
SET sentry_fixtures.url_prefix = 'https://sentry.example.com';
-- the source tree is pg_regress's working directory (\getenv is PostgreSQL 15's)
\set abs_srcdir `pwd`

-- the README's example is valid
SELECT * FROM sentry_fixtures_validate(pg_read_file(:'abs_srcdir' || '/example.yml'));

-- a broken copy of it: a DSN on another port, a public key used twice, a
-- bad platform and a bad email
SELECT * FROM sentry_fixtures_validate(
  replace(replace(replace(replace(pg_read_file(:'abs_srcdir' || '/example.yml'),
    'sentry.example.com/35', 'sentry.example.com:8443/35'),
    'https://1123456789abcdef', 'https://0123456789abcdef'),
    'javascript', 'JavaScript'),
    'admin@example.com', 'admin.example.com'));

-- DSNs must match the url prefix: scheme, host (any case), port, path
SELECT * FROM sentry_fixtures_validate($$
teams:
  - name: Backend
    projects:
      a: http://0123456789abcdef0123456789abcd01@sentry.example.com/1
      b: https://0123456789abcdef0123456789abcd02@sentry.other.com/2
      c: https://0123456789abcdef0123456789abcd03@SENTRY.Example.COM/3
      d: https://0123456789abcdef0123456789abcd04@sentry.example.com:443/4
      e: https://0123456789abcdef0123456789abcd05@sentry.example.com:8443/5
      f: https://0123456789abcdef0123456789abcd06@sentry.example.com/sentry/6
      g: https://0123456789abcdef0123456789abcd07@sentry.example.com/7/
$$);
SET sentry_fixtures.url_prefix = 'http://sentry.example.com:9000/sentry/';
SELECT * FROM sentry_fixtures_validate($$
teams:
  - name: Backend
    projects:
      a: http://0123456789abcdef0123456789abcd01@sentry.example.com:9000/sentry/1
      b: http://0123456789abcdef0123456789abcd02@sentry.example.com:9000/2
      c: http://0123456789abcdef0123456789abcd03@sentry.example.com:9000/sentry/x/3
      d: http://0123456789abcdef0123456789abcd04@sentry.example.com/sentry/4
$$);
SET sentry_fixtures.url_prefix = 'https://sentry.example.com';

-- malformed DSNs are reported where they stand, never showing a key
SELECT * FROM sentry_fixtures_validate($$
teams:
  - name: Backend
    projects:
      a: https://0123456789ABCDEF0123456789ABCDEF@sentry.example.com/1
      b: https://0123456789abcdef0123456789abcd02:SECRETSECRETSECRETSECRETSECRET12@sentry.example.com/2
      c: https://0123456789abcdef0123456789abcd03@sentry.example.com/0
      d: https://0123456789abcdef0123456789abcd04@sentry.example.com/4/extra
      e: 12345
$$);

-- the same project name twice, in one team or in two
SELECT * FROM sentry_fixtures_validate($$
teams:
  - name: Backend
    projects:
      api: https://0123456789abcdef0123456789abcd01@sentry.example.com/1
      api: https://0123456789abcdef0123456789abcd02@sentry.example.com/2
  - name: Web
    projects:
      - name: api
        dsn: https://0123456789abcdef0123456789abcd03@sentry.example.com/3
$$);

-- the same project id twice, the same public key twice
SELECT * FROM sentry_fixtures_validate($$
teams:
  - name: Backend
    projects:
      api: https://0123456789abcdef0123456789abcd01@sentry.example.com/1
      worker: https://0123456789abcdef0123456789abcd02@sentry.example.com/1
      cron: https://0123456789abcdef0123456789abcd01:456789abcdef0123456789abcdef0123@sentry.example.com/3
$$);

-- two team names, or two project names, with the same slug
SELECT * FROM sentry_fixtures_validate($$
teams:
  - name: Back End
    projects:
      API Server: https://0123456789abcdef0123456789abcd01@sentry.example.com/1
      api-server: https://0123456789abcdef0123456789abcd02@sentry.example.com/2
      api.server: https://0123456789abcdef0123456789abcd03@sentry.example.com/3
      apiserver: https://0123456789abcdef0123456789abcd04@sentry.example.com/4
  - name: back-end
  - name: " Back  End "
  - name: Back End
  - name: Café
  - name: cafe
  - name: "日本"
  - name: "--"
$$);

-- platform
SELECT * FROM sentry_fixtures_validate($$
teams:
  - name: Backend
    projects:
      - name: a
        platform: python-django
        dsn: https://0123456789abcdef0123456789abcd01@sentry.example.com/1
      - name: b
        platform: Python
        dsn: https://0123456789abcdef0123456789abcd02@sentry.example.com/2
      - name: c
        platform: node.js
        dsn: https://0123456789abcdef0123456789abcd03@sentry.example.com/3
      - name: d
        platform: java_spring
        dsn: https://0123456789abcdef0123456789abcd04@sentry.example.com/4
$$);

-- admin email
SELECT e.email, v.path, v.message
FROM unnest(ARRAY['root@localhost.localdomain', 'a.b+c@example.co.uk',
  'root', '@example.com', 'root@', 'root@localhost', 'a@b@example.com', 'root@example..com',
  'root@example.', 'root@.example.com', 'ro ot@example.com']) WITH ORDINALITY AS e(email, n)
LEFT JOIN LATERAL sentry_fixtures_validate(format(E'admin:\n  email: "%s"\n', e.email)) AS v ON true
ORDER BY e.n;

-- password and password_hash exclude each other
SELECT * FROM sentry_fixtures_validate($$
admin:
  email: admin@example.com
  password: s3cret
  password_hash: pbkdf2_sha256$1000000$c2FsdA$4Jb3d2Y4pR1Bc2Y0Y3k5c1hIbFpQbk5XVjJwM2J4Yz0=
$$);

-- password_hash: well-formed Django pbkdf2_sha256 hashes only; a digest
-- in another spelling than Django's base64 (a padding bit set) would verify
-- no password there
SELECT h.n, v.path, v.message
FROM unnest(ARRAY[
  'pbkdf2_sha256$1000000$c2FsdA$4Jb3d2Y4pR1Bc2Y0Y3k5c1hIbFpQbk5XVjJwM2J4Yz0=',
  'pbkdf2_sha1$1000000$salt$4Jb3d2Y4pR1Bc2Y0Y3k5c1hIbFpQbk5XVjJwM2J4Yz0=',
  'pbkdf2_sha256$$salt$4Jb3d2Y4pR1Bc2Y0Y3k5c1hIbFpQbk5XVjJwM2J4Yz0=',
  'pbkdf2_sha256$0$salt$4Jb3d2Y4pR1Bc2Y0Y3k5c1hIbFpQbk5XVjJwM2J4Yz0=',
  'pbkdf2_sha256$99999999999$salt$4Jb3d2Y4pR1Bc2Y0Y3k5c1hIbFpQbk5XVjJwM2J4Yz0=',
  'pbkdf2_sha256$12a$salt$4Jb3d2Y4pR1Bc2Y0Y3k5c1hIbFpQbk5XVjJwM2J4Yz0=',
  'pbkdf2_sha256$1000$$4Jb3d2Y4pR1Bc2Y0Y3k5c1hIbFpQbk5XVjJwM2J4Yz0=',
  'pbkdf2_sha256$1000$salt',
  'pbkdf2_sha256$1000$salt$',
  'pbkdf2_sha256$1000$salt$notbase64!',
  'pbkdf2_sha256$1000$salt$c2hvcnQ=',
  'pbkdf2_sha256$1000$salt$4Jb3d2Y4pR1Bc2Y0Y3k5c1hIbFpQbk5XVjJwM2J4Yz1=',
  'pbkdf2_sha256$1000$salt$4Jb3d2Y4pR1Bc2Y0Y3k5c1hIbFpQbk5XVjJwM2J4Yz0=$x']) WITH ORDINALITY AS h(hash, n)
LEFT JOIN LATERAL sentry_fixtures_validate(
  format(E'admin:\n  email: a@example.com\n  password_hash: "%s"\n', h.hash)) AS v ON true
ORDER BY h.n;
