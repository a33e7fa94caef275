--
-- sentry_schema_bootstrap(): a SQL-standard function body (BEGIN ATOMIC
-- ... END, pg_dump 14 and later) is one statement, its inner semicolons
-- included.  PostgreSQL 13 has no such bodies: there the statement reaches
-- the server whole and its syntax error names the statement's line
-- (05_bootstrap_lexer_atomic_1.out).
--
SET sentry_fixtures.schema = 'bootstrap_lexer_atomic';

SELECT * FROM sentry_schema_bootstrap($dump$
SELECT pg_catalog.set_config('search_path', '', false);
CREATE SCHEMA bootstrap_lexer_atomic;

CREATE FUNCTION bootstrap_lexer_atomic.twice(n integer) RETURNS integer
    LANGUAGE sql
    BEGIN ATOMIC
     SELECT CASE WHEN n > 0 THEN n * 2 ELSE 0 END;
    END;
$dump$);

SELECT bootstrap_lexer_atomic.twice(21);

SET client_min_messages = warning;
DROP SCHEMA IF EXISTS bootstrap_lexer_atomic CASCADE;
RESET client_min_messages;
RESET sentry_fixtures.schema;
