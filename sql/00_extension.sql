--
-- The extension installs, its settings exist and its functions are not public
--
CREATE EXTENSION sentry_fixtures;

SELECT name, setting, context FROM pg_settings
WHERE name LIKE 'sentry_fixtures.%' ORDER BY name;

-- the prefix is reserved: a misspelt setting is refused
SET sentry_fixtures.no_such_setting = 'x';

SELECT p.proname, has_function_privilege('public', p.oid, 'EXECUTE') AS public_can_execute
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'sentry_fixtures'
ORDER BY p.proname;

-- what the extension detects: no Sentry here yet
SELECT key, value FROM sentry_fixtures_info();
