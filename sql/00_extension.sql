--
-- The extension installs, its settings exist and its functions are not public
--
CREATE EXTENSION sentry_fixtures;

SELECT name, setting, context FROM pg_settings
WHERE name LIKE 'sentry_fixtures.%' ORDER BY name;

SELECT p.proname, has_function_privilege('public', p.oid, 'EXECUTE') AS public_can_execute
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'sentry_fixtures'
ORDER BY p.proname;

-- For the tests that count the rows a transaction writes
-- (pg_stat_xact_user_tables): the backend's pending table statistics are
-- sent first, so that only the next transaction's are counted.
-- pg_stat_force_next_flush() is PostgreSQL 15's; before it a backend sends
-- them when it goes idle, at most every 500 ms.
CREATE FUNCTION regress_flush_stats() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('server_version_num')::int >= 150000 THEN
    PERFORM pg_stat_force_next_flush();
  ELSE
    PERFORM pg_sleep(0.6);
  END IF;
END
$$;

-- what the extension detects: no Sentry here yet
SELECT key, value FROM sentry_fixtures_info();
