/* sentry_fixtures--0.2.sql */

-- The objects of version 0.2, for CREATE EXTENSION sentry_fixtures.  A
-- database made at 0.1 reaches the same objects through
-- sentry_fixtures--0.1--0.2.sql: any function added or changed here goes
-- into that script too (t/016_upgrade.pl fails when the two disagree).
-- sentry_fixtures--0.1.sql stays as released.

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION sentry_fixtures" to load this file. \quit

-- Every function but sentry_schema_bootstrap() runs with a fixed
-- search_path, so that functions, operators, types and tables in a schema
-- earlier in the caller's search_path cannot change what the extension
-- reads or writes.  sentry_schema_bootstrap() runs a dump as psql would, in
-- the caller's search_path (pg_dump's own output sets it to ''); its own
-- queries name everything with its schema.

--
-- sentry_fixtures_validate()
--
CREATE FUNCTION sentry_fixtures_validate(fixture text,
    OUT path text, OUT line int, OUT col int, OUT message text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sentry_fixtures_validate'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

REVOKE ALL ON FUNCTION sentry_fixtures_validate(text) FROM PUBLIC;

--
-- sentry_dsn_parse()
--
CREATE FUNCTION sentry_dsn_parse(dsn text,
    OUT scheme text, OUT public_key text, OUT secret_key text,
    OUT host text, OUT port int, OUT path text, OUT project_id bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sentry_dsn_parse'
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

REVOKE ALL ON FUNCTION sentry_dsn_parse(text) FROM PUBLIC;

--
-- sentry_fixtures_apply()
--
CREATE FUNCTION sentry_fixtures_apply(fixture text, dry_run boolean DEFAULT false,
    prune boolean DEFAULT false,
    OUT action text, OUT kind text, OUT name text, OUT id bigint, OUT detail text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sentry_fixtures_apply'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

REVOKE ALL ON FUNCTION sentry_fixtures_apply(text, boolean, boolean) FROM PUBLIC;

--
-- sentry_fixtures_plan(): what sentry_fixtures_apply() would do
--
CREATE FUNCTION sentry_fixtures_plan(fixture text,
    OUT action text, OUT kind text, OUT name text, OUT id bigint, OUT detail text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sentry_fixtures_plan'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

REVOKE ALL ON FUNCTION sentry_fixtures_plan(text) FROM PUBLIC;

--
-- sentry_schema_bootstrap()
--
CREATE FUNCTION sentry_schema_bootstrap(dump text DEFAULT NULL,
    no_owner boolean DEFAULT false, no_privileges boolean DEFAULT false,
    OUT loaded boolean, OUT statements int, OUT tables int, OUT rows bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sentry_schema_bootstrap'
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE;

REVOKE ALL ON FUNCTION sentry_schema_bootstrap(text, boolean, boolean) FROM PUBLIC;

--
-- sentry_password_hash(): a Django password hash for a fixture's password_hash
--
CREATE FUNCTION sentry_password_hash(password text, iterations int DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'sentry_password_hash'
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

REVOKE ALL ON FUNCTION sentry_password_hash(text, int) FROM PUBLIC;

--
-- sentry_fixtures_export(): the organization as a fixture
--
CREATE FUNCTION sentry_fixtures_export(include_secrets boolean DEFAULT true)
RETURNS text
AS 'MODULE_PATHNAME', 'sentry_fixtures_export'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

REVOKE ALL ON FUNCTION sentry_fixtures_export(boolean) FROM PUBLIC;

--
-- sentry_fixtures_info(): what the extension detects in this database
--
CREATE FUNCTION sentry_fixtures_info(OUT key text, OUT value text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sentry_fixtures_info'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

REVOKE ALL ON FUNCTION sentry_fixtures_info() FROM PUBLIC;
