--
-- 09_srf_declarations: a set-returning function checks that the columns
-- it is declared with are the columns of the rows it returns, and refuses
-- another declaration with an error instead of writing past the caller's
-- row; shown for sentry_dsn_parse, sentry_fixtures_info and
-- sentry_fixtures_validate (the others build their rows the same way,
-- through materialize_result()).
--
CREATE FUNCTION dsn_parse_declared_short(dsn text, OUT scheme text, OUT public_key text)
RETURNS SETOF record AS '$libdir/sentry_fixtures', 'sentry_dsn_parse' LANGUAGE C STRICT;
SELECT * FROM dsn_parse_declared_short('https://0123456789abcdef0123456789abcdef@sentry.example.com/2');

CREATE FUNCTION info_declared_long(OUT key text, OUT value text, OUT extra text)
RETURNS SETOF record AS '$libdir/sentry_fixtures', 'sentry_fixtures_info' LANGUAGE C;
SELECT * FROM info_declared_long();

CREATE FUNCTION validate_declared_short(fixture text, OUT path text, OUT line int)
RETURNS SETOF record AS '$libdir/sentry_fixtures', 'sentry_fixtures_validate' LANGUAGE C STRICT;
SELECT * FROM validate_declared_short('organization: x');

-- the extension's own declarations match
SELECT scheme, project_id FROM sentry_dsn_parse('https://0123456789abcdef0123456789abcdef@sentry.example.com/2');

DROP FUNCTION dsn_parse_declared_short(text);
DROP FUNCTION info_declared_long();
DROP FUNCTION validate_declared_short(text);
