--
-- sentry_schema_bootstrap(): the dump lexer, on hand-written dumps
--
-- Each file of these tests loads into a schema of its own.
SET sentry_fixtures.schema = 'bootstrap_lexer';

-- Strings, identifiers and comments holding ";" and "--", E'' strings,
-- strings without standard_conforming_strings, dollar quotes with tags,
-- nested comments, \restrict lines (a SQL-standard function body is in
-- 05_bootstrap_lexer_atomic)
SELECT * FROM sentry_schema_bootstrap($dump$
\restrict k3yFromANewerPgDump
--
-- a hand-written dump, headed like a real one
--

SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);

/* a block comment /* with a nested one; */ still a comment; */
CREATE SCHEMA bootstrap_lexer;
CREATE TABLE bootstrap_lexer.note (
    id integer PRIMARY KEY,
    body text,
    "odd;name--" text
);
INSERT INTO bootstrap_lexer.note VALUES (1, 'semicolon; inside', 'dash -- inside');
INSERT INTO bootstrap_lexer.note VALUES (2, 'it''s quoted; -- not a comment', NULL);
INSERT INTO bootstrap_lexer.note VALUES (3, E'escaped \' quote; and \\ backslash', NULL);
INSERT INTO bootstrap_lexer.note VALUES (4, $$dollar; quoted 'text'$$, $tag$ with $$ inside; $tag$);
INSERT INTO bootstrap_lexer.note VALUES (5, 'line one;
-- line two, not a comment', 'x'); -- a comment after the statement
SET escape_string_warning = off;
SET standard_conforming_strings = off;
INSERT INTO bootstrap_lexer.note VALUES (6, 'backslash \' quote; without standard strings', NULL);
SET standard_conforming_strings = on;
INSERT INTO bootstrap_lexer.note VALUES (7, 'standard \', 'strings again');

CREATE FUNCTION bootstrap_lexer.touch(n integer) RETURNS integer
    LANGUAGE plpgsql
    AS $fn$
BEGIN
    -- a comment; inside the body
    RETURN n + 1;
END;
$fn$;

\unrestrict k3yFromANewerPgDump
$dump$);

SELECT id, to_json(body) AS body, to_json("odd;name--") AS odd FROM bootstrap_lexer.note ORDER BY id;
SELECT bootstrap_lexer.touch(1);

-- COPY blocks: escaped tabs, newlines and backslashes, \N, characters
-- the lexer must not read as SQL, an empty block, a block at the very end
SET client_min_messages = warning;
DROP SCHEMA bootstrap_lexer CASCADE;
RESET client_min_messages;
SELECT * FROM sentry_schema_bootstrap($dump$
CREATE SCHEMA bootstrap_lexer;
CREATE TABLE bootstrap_lexer.item (id integer, label text, note text);
CREATE TABLE bootstrap_lexer.empty (id integer);

COPY bootstrap_lexer.item (id, label, note) FROM stdin;
1	tab\there	new\nline
2	back\\slash	\N
3	semi;colon -- dash /* star	'quote' $$ "double"
4	\\.	not the end
\.

COPY bootstrap_lexer.empty (id) FROM stdin;
\.

INSERT INTO bootstrap_lexer.item VALUES (5, 'after the blocks', NULL);
COPY bootstrap_lexer.item (id, label) FROM stdin;
6	last
\.
$dump$);

SELECT id, to_json(label) AS label, to_json(note) AS note, note IS NULL AS note_is_null
FROM bootstrap_lexer.item ORDER BY id;
SELECT count(*) AS empty_rows FROM bootstrap_lexer.empty;

SET client_min_messages = warning;
DROP SCHEMA bootstrap_lexer CASCADE;
RESET client_min_messages;
RESET sentry_fixtures.schema;
