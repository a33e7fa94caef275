--
-- Settings under the extension's prefix that it does not define are
-- refused from PostgreSQL 15 on (MarkGUCPrefixReserved); 13 and 14 only
-- warn about those that exist when the library loads, and take new ones
-- (00_extension_prefix_1.out).
--
LOAD '$libdir/sentry_fixtures';

-- the prefix is reserved: a misspelt setting is refused
SET sentry_fixtures.no_such_setting = 'x';
