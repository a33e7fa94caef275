--
-- sentry_schema_bootstrap(): every way a dump is refused, each with the
-- dump line and first words of the statement at fault
--
SET sentry_fixtures.schema = 'bootstrap_errors';

-- No dump given, and no sentry_fixtures.schema_dump either
SELECT * FROM sentry_schema_bootstrap();

-- A custom- or directory-format archive
SELECT * FROM sentry_schema_bootstrap('PGDMP' || repeat('x', 20));

-- Text that is not a dump at all
SELECT * FROM sentry_schema_bootstrap(E'organization: acme\nteams:\n  - slug: backend\n');
SELECT * FROM sentry_schema_bootstrap(E'--\n-- only comments\n--\n');
SELECT * FROM sentry_schema_bootstrap('');

-- psql commands other than \restrict and \unrestrict
SELECT * FROM sentry_schema_bootstrap(E'\\restrict abc\nSET lock_timeout = 0;\n\\connect sentry\nCREATE SCHEMA bootstrap_errors;\n');
SELECT * FROM sentry_schema_bootstrap(E'SET lock_timeout = 0;\n\\i other.sql\n');

-- A backslash outside quotes, in the middle of a statement
SELECT * FROM sentry_schema_bootstrap(E'CREATE SCHEMA bootstrap_errors;\nCREATE TABLE bootstrap_errors.t (\n  id integer \\gexec\n);\n');

-- CREATE DATABASE, and transaction commands other than BEGIN and COMMIT
SELECT * FROM sentry_schema_bootstrap(E'SET lock_timeout = 0;\nCREATE DATABASE sentry WITH TEMPLATE = template0;\n');
SELECT * FROM sentry_schema_bootstrap(E'BEGIN;\nCREATE SCHEMA bootstrap_errors;\nROLLBACK;\n');
SELECT * FROM sentry_schema_bootstrap(E'BEGIN;\nSAVEPOINT before_schema;\n');

-- A setting this server does not have (from a newer pg_dump); one that no
-- PostgreSQL major has, so that the output is the same on all of them.  The
-- detail names the server's major: t/022_bootstrap_newer_dump.pl shows it,
-- and a real newer dump's transaction_timeout, on each major.
\set VERBOSITY terse
SELECT * FROM sentry_schema_bootstrap(E'SET statement_timeout = 0;\nSET no_such_timeout = 0;\n');
\set VERBOSITY default
SELECT * FROM sentry_schema_bootstrap($dump$SELECT pg_catalog.set_config('no_such_timeout', '0', false);$dump$);

-- Dumps that end too early: inside a quoted string, a quoted identifier,
-- a dollar quote, a comment, a statement, the data of a COPY
SELECT * FROM sentry_schema_bootstrap(E'CREATE SCHEMA bootstrap_errors;\nCOMMENT ON SCHEMA bootstrap_errors IS \'cut\nhere');
SELECT * FROM sentry_schema_bootstrap(E'CREATE SCHEMA bootstrap_errors;\nCREATE TABLE bootstrap_errors."cut');
SELECT * FROM sentry_schema_bootstrap($dump$CREATE SCHEMA bootstrap_errors;
CREATE FUNCTION bootstrap_errors.f() RETURNS integer
    LANGUAGE sql
    AS $body$
SELECT 1;$dump$);
SELECT * FROM sentry_schema_bootstrap(E'CREATE SCHEMA bootstrap_errors;\n/* cut /* nested */\nhere');
SELECT * FROM sentry_schema_bootstrap(E'CREATE SCHEMA bootstrap_errors;\nCREATE TABLE bootstrap_errors.t (\n    id integer\n)');
SELECT * FROM sentry_schema_bootstrap(E'CREATE SCHEMA bootstrap_errors;\nCREATE TABLE bootstrap_errors.t (id integer);\nCOPY bootstrap_errors.t (id) FROM stdin;\n1\n2\n');
SELECT * FROM sentry_schema_bootstrap(E'CREATE SCHEMA bootstrap_errors;\nCREATE TABLE bootstrap_errors.t (id integer);\nCOPY bootstrap_errors.t (id) FROM stdin; 1\n\\.\n');

-- An error in a statement keeps its own SQLSTATE and message, and names
-- the statement's line, counted across strings, dollar quotes and COPY
-- data
\set VERBOSITY sqlstate
SELECT * FROM sentry_schema_bootstrap(E'CREATE SCHEMA bootstrap_errors;\nCREATE TABLE bootstrap_errors.t (id no_such_type);\n');
\set VERBOSITY default
SELECT * FROM sentry_schema_bootstrap($dump$
CREATE SCHEMA bootstrap_errors;
CREATE TABLE bootstrap_errors.t (id integer, body text);
COMMENT ON TABLE bootstrap_errors.t IS 'two
lines';
CREATE FUNCTION bootstrap_errors.f() RETURNS integer LANGUAGE sql AS $$
SELECT 1
$$;
COPY bootstrap_errors.t (id, body) FROM stdin;
1	one
2	two
\.
INSERT INTO bootstrap_errors.t (id, body) VALUES (3, 'three'), (4, 'four'), (5, 'five'), ('six', 'six');
$dump$);

-- A bad row in a COPY block: the dump line of the statement and of the
-- row, never the row's content (COPY's own context would quote it, and a
-- dump's rows hold secret keys and password hashes)
SELECT * FROM sentry_schema_bootstrap($dump$
CREATE SCHEMA bootstrap_errors;
CREATE TABLE bootstrap_errors.t (id integer, body text);
COPY bootstrap_errors.t (id, body) FROM stdin;
1	one
two	2
\.
$dump$);
SELECT * FROM sentry_schema_bootstrap($dump$
CREATE SCHEMA bootstrap_errors;
CREATE TABLE bootstrap_errors.sentry_projectkey (id integer, public_key varchar(32), secret_key varchar(32));
COPY bootstrap_errors.sentry_projectkey (id, public_key, secret_key) FROM stdin;
1	0123456789abcdef0123456789abcdef	fedcba9876543210fedcba9876543210
2	1123456789abcdef0123456789abcdef	fedcba9876543210fedcba9876543210SECRET
\.
$dump$);
SELECT * FROM sentry_schema_bootstrap($dump$
CREATE SCHEMA bootstrap_errors;
CREATE TABLE bootstrap_errors.sentry_projectkey (id integer, public_key varchar(32), secret_key varchar(32));
COPY bootstrap_errors.sentry_projectkey (id, public_key, secret_key) FROM stdin;
1	0123456789abcdef0123456789abcdef	fedcba9876543210fedcba9876543210
2	1123456789abcdef0123456789abcdef
3	2123456789abcdef0123456789abcdef	fedcba9876543210fedcba987654SECRET
\.
$dump$);
SELECT * FROM sentry_schema_bootstrap($dump$
CREATE SCHEMA bootstrap_errors;
CREATE TABLE bootstrap_errors.sentry_projectkey (id integer, secret_key varchar(32));
COPY bootstrap_errors.sentry_projectkey (id, secret_key) FROM stdin;
1	fedcba9876543210fedcba9876543210	SECRETfedcba9876543210fedcba98765432
\.
$dump$);

-- None of the failed loads left anything behind
SELECT count(*) AS schemas FROM pg_namespace WHERE nspname = 'bootstrap_errors';

RESET sentry_fixtures.schema;
