--
-- sentry_dsn_parse(): the parts of a DSN, and a clear error for each way
-- a DSN can be malformed.  No message ever shows a key.
--
\set pk 0123456789abcdef0123456789abcdef
\set sk 456789abcdef0123456789abcdef0123

-- both keys, default https port
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || ':' || :'sk' || '@sentry.example.com/23');
-- no secret key (modern SDK DSNs), http default port
SELECT * FROM sentry_dsn_parse('http://' || :'pk' || '@sentry.example.com/23');
-- explicit ports, including the scheme's default written out
SELECT port FROM sentry_dsn_parse('https://' || :'pk' || '@sentry.example.com:9000/1');
SELECT port FROM sentry_dsn_parse('https://' || :'pk' || '@sentry.example.com:443/1');
SELECT port FROM sentry_dsn_parse('http://' || :'pk' || '@127.0.0.1:65535/1');
-- path prefixes
SELECT path, project_id FROM sentry_dsn_parse('https://' || :'pk' || '@example.com/sentry/7');
SELECT path, project_id FROM sentry_dsn_parse('https://' || :'pk' || '@example.com/a/b-c/7');
-- the largest project id
SELECT project_id FROM sentry_dsn_parse('https://' || :'pk' || '@example.com/9223372036854775807');
-- host case is kept as written
SELECT host FROM sentry_dsn_parse('https://' || :'pk' || '@Sentry.Example.COM/1');

-- scheme
SELECT * FROM sentry_dsn_parse('ftp://' || :'pk' || '@sentry.example.com/23');
SELECT * FROM sentry_dsn_parse('HTTPS://' || :'pk' || '@sentry.example.com/23');
SELECT * FROM sentry_dsn_parse(:'pk' || '@sentry.example.com/23');
SELECT * FROM sentry_dsn_parse('');
-- keys
SELECT * FROM sentry_dsn_parse('https://sentry.example.com/23');
SELECT * FROM sentry_dsn_parse('https://@sentry.example.com/23');
SELECT * FROM sentry_dsn_parse('https://0123456789ABCDEF0123456789ABCDEF@sentry.example.com/23');
SELECT * FROM sentry_dsn_parse('https://0123456789abcdef0123456789abcde@sentry.example.com/23');
SELECT * FROM sentry_dsn_parse('https://0123456789abcdef0123456789abcdef0@sentry.example.com/23');
SELECT * FROM sentry_dsn_parse('https://0123456789abcdefg123456789abcdef@sentry.example.com/23');
-- a bad secret key: the message does not show it
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || ':456789ABCDEF0123456789ABCDEF0123@sentry.example.com/23');
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || ':@sentry.example.com/23');
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || ':' || :'sk' || ':' || :'sk' || '@sentry.example.com/23');
-- host and port
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || '@/23');
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || '@:9000/23');
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || '@sentry.example.com:/23');
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || '@sentry.example.com:0/23');
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || '@sentry.example.com:65536/23');
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || '@sentry.example.com:99999999999/23');
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || '@sentry.example.com:https/23');
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || '@sentry%2eexample.com/23');
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || '@[::1]/23');
-- project ids
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || '@sentry.example.com');
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || '@sentry.example.com/');
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || '@sentry.example.com/0');
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || '@sentry.example.com/-1');
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || '@sentry.example.com/+1');
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || '@sentry.example.com/abc');
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || '@sentry.example.com/1.5');
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || '@sentry.example.com/9223372036854775808');
-- trailing garbage; a trailing slash too, which the Sentry SDKs refuse
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || '@sentry.example.com/23/');
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || '@sentry.example.com/a/b-c/7/');
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || '@sentry.example.com/23/x');
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || '@sentry.example.com/23//');
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || '@sentry.example.com/23?x=1');
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || '@sentry.example.com/23#top');
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || '@sentry.example.com/23 ');
SELECT * FROM sentry_dsn_parse(E'https://' || :'pk' || E'@sentry.example.com/23\n');
-- path prefixes
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || '@sentry.example.com//23');
SELECT * FROM sentry_dsn_parse('https://' || :'pk' || '@sentry.example.com/a//b/23');
