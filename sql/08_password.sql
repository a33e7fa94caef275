--
-- sentry_password_hash(): Django pbkdf2_sha256 hashes for fixtures
--
-- The salt is random, so the hashes are shown by their shape only.

-- iterations from the argument
SELECT sentry_password_hash('correct horse', 1000)
       ~ '^pbkdf2_sha256\$1000\$[A-Za-z0-9]{22}\$[A-Za-z0-9+/]{43}=$' AS django_shape;

-- iterations from sentry_fixtures.password_iterations when not given
SET sentry_fixtures.password_iterations = 1234;
SELECT split_part(sentry_password_hash('correct horse'), '$', 2) AS iterations;
SELECT split_part(sentry_password_hash('correct horse', NULL), '$', 2) AS iterations;
RESET sentry_fixtures.password_iterations;

-- the argument overrides the setting, and may be below its minimum
SET sentry_fixtures.password_iterations = 5000;
SELECT split_part(sentry_password_hash('correct horse', 1), '$', 2) AS iterations;
RESET sentry_fixtures.password_iterations;

-- two hashes of one password differ in salt and digest
SELECT count(DISTINCT split_part(h, '$', 3)) AS salts,
       count(DISTINCT split_part(h, '$', 4)) AS digests
FROM (SELECT sentry_password_hash('same password', 1000) AS h
      FROM generate_series(1, 2)) AS two;

-- empty and non-ASCII passwords hash too
SELECT sentry_password_hash('', 1000) ~ '^pbkdf2_sha256\$1000\$' AS empty_password,
       sentry_password_hash('mot de passe ünïcødé 🔑', 1000) ~ '^pbkdf2_sha256\$1000\$' AS unicode_password;

-- a NULL password gives NULL
SELECT sentry_password_hash(NULL, 1000) IS NULL AS null_password;

-- malformed iteration counts are refused, and counts above 100 million
SELECT sentry_password_hash('correct horse', 0);
SELECT sentry_password_hash('correct horse', -5);
SELECT sentry_password_hash('correct horse', 100000001);
SELECT sentry_password_hash('correct horse', 2147483647);

-- the setting keeps its own bounds
SET sentry_fixtures.password_iterations = 0;
SET sentry_fixtures.password_iterations = 100000001;
SELECT max_val FROM pg_settings WHERE name = 'sentry_fixtures.password_iterations';

-- not callable by PUBLIC
SELECT has_function_privilege('public', 'sentry_password_hash(text, int)', 'EXECUTE')
       AS public_can_execute;
