--
-- sentry_schema_bootstrap(): no_owner, no_privileges, a second call, and
-- the session's settings after a load
--
SET sentry_fixtures.schema = 'bootstrap_options';

-- Owners and privileges name a role that does not exist here
\set owned_dump 'SELECT $dump$\\restrict abc\nBEGIN;\nSET lock_timeout = 0;\nCREATE SCHEMA bootstrap_options;\nCREATE TABLE bootstrap_options.t (id integer);\nALTER TABLE bootstrap_options.t OWNER TO regress_bootstrap_nobody;\nCREATE FUNCTION bootstrap_options.f() RETURNS integer LANGUAGE sql AS $$SELECT 1$$;\nALTER FUNCTION bootstrap_options.f() OWNER TO regress_bootstrap_nobody;\nSET SESSION AUTHORIZATION regress_bootstrap_nobody;\nINSERT INTO bootstrap_options.t VALUES (1);\nRESET SESSION AUTHORIZATION;\nREVOKE ALL ON TABLE bootstrap_options.t FROM PUBLIC;\nGRANT SELECT ON TABLE bootstrap_options.t TO regress_bootstrap_nobody;\nALTER DEFAULT PRIVILEGES IN SCHEMA bootstrap_options GRANT SELECT ON TABLES TO regress_bootstrap_nobody;\nCOMMIT;\n\\unrestrict abc\n$dump$ AS dump'
:owned_dump \gset
SELECT * FROM sentry_schema_bootstrap(:'dump');
SELECT * FROM sentry_schema_bootstrap(:'dump', no_privileges => true);
-- no_owner alone: owners skipped, and so are grants to roles not here
SELECT * FROM sentry_schema_bootstrap(:'dump', no_owner => true);
SELECT c.relname, pg_get_userbyid(c.relowner) = current_user AS owned_by_caller,
       (SELECT count(*) FROM aclexplode(c.relacl) a WHERE a.grantee <> c.relowner) AS grants_to_others
FROM pg_class c WHERE c.relnamespace = 'bootstrap_options'::regnamespace ORDER BY c.relname;
SET client_min_messages = warning;
DROP SCHEMA bootstrap_options CASCADE;
RESET client_min_messages;
SELECT * FROM sentry_schema_bootstrap(:'dump', no_owner => true, no_privileges => true);
SELECT c.relname, pg_get_userbyid(c.relowner) = current_user AS owned_by_caller, c.relacl IS NULL AS default_privileges
FROM pg_class c WHERE c.relnamespace = 'bootstrap_options'::regnamespace ORDER BY c.relname;
SELECT * FROM bootstrap_options.t;

-- A second call loads nothing and changes nothing
SELECT * FROM sentry_schema_bootstrap(:'dump', no_owner => true, no_privileges => true);
SELECT * FROM bootstrap_options.t;

-- Settings the dump changes are the session's own again afterwards: after
-- a load, after a failed load, and inside a transaction that set them
SET client_min_messages = warning;
DROP SCHEMA bootstrap_options CASCADE;
RESET client_min_messages;
\set settings_dump 'SELECT $dump$SET client_min_messages = warning;\nSET check_function_bodies = false;\nSET standard_conforming_strings = off;\nSET escape_string_warning = off;\nSELECT pg_catalog.set_config(\'search_path\', \'\', false);\nSET search_path = pg_catalog;\nSET LOCAL statement_timeout = \'1h\';\nCREATE SCHEMA bootstrap_options;\nCREATE TABLE bootstrap_options.t (id integer);\n$dump$ AS dump'
:settings_dump \gset
SELECT current_setting('search_path') AS search_path,
       current_setting('client_min_messages') AS client_min_messages,
       current_setting('check_function_bodies') AS check_function_bodies,
       current_setting('standard_conforming_strings') AS standard_conforming_strings,
       current_setting('statement_timeout') AS statement_timeout
\gset before_
SELECT * FROM sentry_schema_bootstrap(:'dump' || E'INSERT INTO bootstrap_options.t VALUES (\'x\');\n');
SELECT current_setting('search_path') = :'before_search_path' AS search_path,
       current_setting('client_min_messages') = :'before_client_min_messages' AS client_min_messages,
       current_setting('check_function_bodies') = :'before_check_function_bodies' AS check_function_bodies,
       current_setting('standard_conforming_strings') = :'before_standard_conforming_strings' AS standard_conforming_strings,
       current_setting('statement_timeout') = :'before_statement_timeout' AS statement_timeout;
SELECT * FROM sentry_schema_bootstrap(:'dump');
SELECT current_setting('search_path') = :'before_search_path' AS search_path,
       current_setting('client_min_messages') = :'before_client_min_messages' AS client_min_messages,
       current_setting('check_function_bodies') = :'before_check_function_bodies' AS check_function_bodies,
       current_setting('standard_conforming_strings') = :'before_standard_conforming_strings' AS standard_conforming_strings,
       current_setting('statement_timeout') = :'before_statement_timeout' AS statement_timeout;

SET client_min_messages = warning;
DROP SCHEMA bootstrap_options CASCADE;
RESET client_min_messages;
BEGIN;
SET LOCAL search_path = bootstrap_elsewhere, public;
SELECT * FROM sentry_schema_bootstrap(:'dump');
SHOW search_path;
ROLLBACK;
SHOW search_path;

RESET sentry_fixtures.schema;
