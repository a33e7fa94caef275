/*-------------------------------------------------------------------------
 *
 * dumplex.c
 *		Split a plain-format pg_dump into statements, psql meta-commands
 *		and COPY data blocks.
 *
 * A statement ends at a semicolon outside quotes, comments, parentheses
 * and SQL-standard function bodies (BEGIN ATOMIC ... END), as psql decides
 * it.  The lexer knows only enough SQL to find that semicolon: string
 * literals (with '', and backslash escapes in E'' strings and, while
 * standard_conforming_strings is off, in plain ones), quoted
 * identifiers, dollar-quoted strings with tags, -- comments and nested
 * block comments.  Everything else is left to PostgreSQL's own parser.
 *
 * The lexer works on the dump in place and in one pass: each byte is
 * looked at a bounded number of times, whatever the dump's size.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "dumplex.h"

/* Characters that may start an SQL identifier (any non-ASCII byte may) */
static inline bool
is_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		c >= 0x80;
}

/* Characters that may follow inside a dollar-quote tag */
static inline bool
is_tag_char(unsigned char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* Characters that may follow inside an identifier or a number */
static inline bool
is_ident_char(unsigned char c)
{
	return is_tag_char(c) || c == '$';
}

/* Whitespace between tokens, as the SQL scanner has it (newlines apart) */
static inline bool
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Does the word at word (len bytes) equal keyword, ignoring ASCII case? */
static inline bool
word_is(const char *word, size_t len, const char *keyword)
{
	return strlen(keyword) == len && pg_strncasecmp(word, keyword, len) == 0;
}

/*
 * The dump ended before a construct that started at line was closed: the
 * usual sign of a truncated file.
 */
static void
report_unclosed(const char *construct, int line)
{
	ereport(ERROR,
			(errcode(ERRCODE_SYNTAX_ERROR),
			 errmsg("dump ends inside %s", construct),
			 errdetail("It starts at line %d and is never closed.", line),
			 errhint("The dump is probably truncated.")));
}

/*
 * dumplex_init: see dumplex.h.
 */
void
dumplex_init(DumpLexer *lexer, const char *dump, size_t len)
{
	lexer->pos = dump;
	lexer->end = dump + len;
	lexer->line = 1;
}

/* Skip a -- comment, up to (not past) the end of its line */
static void
skip_line_comment(DumpLexer *lexer)
{
	const char *newline = memchr(lexer->pos, '\n', lexer->end - lexer->pos);

	lexer->pos = newline != NULL ? newline : lexer->end;
}

/* Skip a block comment, which may nest; pos is on its opening slash */
static void
skip_block_comment(DumpLexer *lexer)
{
	int			start_line = lexer->line;
	int			depth = 0;

	while (lexer->pos < lexer->end)
	{
		const char *p = lexer->pos;
		bool		has_next = p + 1 < lexer->end;

		if (p[0] == '/' && has_next && p[1] == '*')
		{
			depth++;
			lexer->pos += 2;
		}
		else if (p[0] == '*' && has_next && p[1] == '/')
		{
			lexer->pos += 2;
			if (--depth == 0)
				return;
		}
		else
		{
			if (p[0] == '\n')
				lexer->line++;
			lexer->pos++;
		}
	}
	report_unclosed("a comment", start_line);
}

/*
 * Skip a string literal or quoted identifier; pos is on the opening quote.
 * A doubled quote stands for itself; with backslash_escapes, a backslash
 * escapes the next character.
 */
static void
skip_quoted(DumpLexer *lexer, char quote, bool backslash_escapes,
			const char *construct)
{
	int			start_line = lexer->line;

	lexer->pos++;
	while (lexer->pos < lexer->end)
	{
		char		c = *lexer->pos;
		bool		has_next = lexer->pos + 1 < lexer->end;

		if (c == quote)
		{
			if (has_next && lexer->pos[1] == quote)
			{
				lexer->pos += 2;
				continue;
			}
			lexer->pos++;
			return;
		}
		if (c == '\\' && backslash_escapes && has_next)
		{
			lexer->pos++;
			c = *lexer->pos;
		}
		if (c == '\n')
			lexer->line++;
		lexer->pos++;
	}
	report_unclosed(construct, start_line);
}

/*
 * Length of the dollar-quote tag ($$ or $name$) that starts at pos, or 0
 * when the dollar sign at pos does not open a dollar-quoted string.
 */
static size_t
dollar_tag_length(const DumpLexer *lexer)
{
	const char *p = lexer->pos + 1;

	if (p < lexer->end && *p != '$')
	{
		if (!is_ident_start((unsigned char) *p))
			return 0;
		while (p < lexer->end && is_tag_char((unsigned char) *p))
			p++;
	}
	if (p >= lexer->end || *p != '$')
		return 0;
	return p + 1 - lexer->pos;
}

/* Skip a dollar-quoted string whose tag (tag_len bytes) starts at pos */
static void
skip_dollar_quoted(DumpLexer *lexer, size_t tag_len)
{
	const char *tag = lexer->pos;
	int			start_line = lexer->line;

	lexer->pos += tag_len;
	while (lexer->pos < lexer->end)
	{
		if (*lexer->pos == '$' &&
			(size_t) (lexer->end - lexer->pos) >= tag_len &&
			memcmp(lexer->pos, tag, tag_len) == 0)
		{
			lexer->pos += tag_len;
			return;
		}
		if (*lexer->pos == '\n')
			lexer->line++;
		lexer->pos++;
	}
	report_unclosed("a dollar-quoted string", start_line);
}

/*
 * Skip what psql ignores between statements: whitespace, comments and
 * empty statements (lone semicolons).
 */
static void
skip_blank(DumpLexer *lexer)
{
	while (lexer->pos < lexer->end)
	{
		unsigned char c = *lexer->pos;
		bool		has_next = lexer->pos + 1 < lexer->end;

		if (c == '\n')
		{
			lexer->line++;
			lexer->pos++;
		}
		else if (is_space(c) || c == ';')
			lexer->pos++;
		else if (c == '-' && has_next && lexer->pos[1] == '-')
			skip_line_comment(lexer);
		else if (c == '/' && has_next && lexer->pos[1] == '*')
			skip_block_comment(lexer);
		else
			break;
	}
}

/* A psql meta-command: the backslash at pos up to the end of its line */
static void
scan_meta_command(DumpLexer *lexer, DumpItem *item)
{
	skip_line_comment(lexer);	/* same rule: up to the newline */
	item->kind = DUMP_META_COMMAND;
	item->len = lexer->pos - item->text;
	if (lexer->pos < lexer->end)
	{
		lexer->pos++;
		lexer->line++;
	}
}

/*
 * Scan a word (identifier, keyword or number) at pos.  E'...' strings are
 * recognised here, since their prefix looks like a one-letter word.
 * Returns the word's length.
 */
static size_t
scan_word(DumpLexer *lexer)
{
	const char *word = lexer->pos;
	size_t		len;

	while (lexer->pos < lexer->end &&
		   (is_ident_char((unsigned char) *lexer->pos) || *lexer->pos == '.'))
	{
		/* a dot continues a number (1.5), never an identifier (a.b) */
		if (*lexer->pos == '.' && !(word[0] >= '0' && word[0] <= '9'))
			break;
		lexer->pos++;
	}
	len = lexer->pos - word;
	if (len == 1 && (word[0] == 'E' || word[0] == 'e') &&
		lexer->pos < lexer->end && *lexer->pos == '\'')
		skip_quoted(lexer, '\'', true, "a quoted string");
	return len;
}

/*
 * Scan one statement, from its first token (at pos) to its semicolon.
 *
 * atomic_depth follows SQL-standard function bodies of CREATE statements:
 * BEGIN ATOMIC opens one, and inside it CASE opens and END closes a level;
 * semicolons inside do not end the statement.  Only words outside
 * parentheses count.
 */
static void
scan_statement(DumpLexer *lexer, bool standard_strings, DumpItem *item)
{
	int			paren_depth = 0;
	int			atomic_depth = 0;
	bool		after_begin = false;
	bool		is_create = false;

	item->kind = DUMP_STATEMENT;
	while (lexer->pos < lexer->end)
	{
		unsigned char c = *lexer->pos;
		bool		has_next = lexer->pos + 1 < lexer->end;
		size_t		tag_len;

		if (c == '\n')
		{
			lexer->line++;
			lexer->pos++;
		}
		else if (c == '-' && has_next && lexer->pos[1] == '-')
			skip_line_comment(lexer);
		else if (c == '/' && has_next && lexer->pos[1] == '*')
			skip_block_comment(lexer);
		else if (c == '\'')
			skip_quoted(lexer, '\'', !standard_strings, "a quoted string");
		else if (c == '"')
			skip_quoted(lexer, '"', false, "a quoted identifier");
		else if (c == '$' && (tag_len = dollar_tag_length(lexer)) > 0)
			skip_dollar_quoted(lexer, tag_len);
		else if (is_ident_char(c))
		{
			const char *word = lexer->pos;
			size_t		len = scan_word(lexer);

			if (word == item->text)
				is_create = word_is(word, len, "create");
			if (paren_depth > 0 || !is_create)
				continue;
			if (atomic_depth > 0)
			{
				if (word_is(word, len, "case"))
					atomic_depth++;
				else if (word_is(word, len, "end"))
					atomic_depth--;
			}
			else if (after_begin && word_is(word, len, "atomic"))
				atomic_depth = 1;
			after_begin = word_is(word, len, "begin");
		}
		else if (c == '\\')
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("psql command inside a statement"),
					 errdetail("Line %d has a backslash outside quotes, which starts a psql command before the statement's semicolon.",
							   lexer->line)));
		else
		{
			lexer->pos++;
			if (c == '(')
				paren_depth++;
			else if (c == ')' && paren_depth > 0)
				paren_depth--;
			else if (c == ';' && paren_depth == 0 && atomic_depth == 0)
			{
				item->len = lexer->pos - item->text;
				return;
			}
		}
	}
	ereport(ERROR,
			(errcode(ERRCODE_SYNTAX_ERROR),
			 errmsg("dump ends inside a statement"),
			 errdetail("The statement that starts at line %d has no terminating semicolon.",
					   item->line),
			 errhint("The dump is probably truncated.")));
}

/*
 * dumplex_next: see dumplex.h.
 */
void
dumplex_next(DumpLexer *lexer, bool standard_strings, DumpItem *item)
{
	/* No item yet: an unclosed comment ahead belongs to none */
	item->kind = DUMP_END;
	item->text = NULL;
	item->len = 0;
	skip_blank(lexer);
	item->line = lexer->line;
	if (lexer->pos >= lexer->end)
		return;

	/* Until the item's end is known, errors show it up to the dump's end */
	item->text = lexer->pos;
	item->len = lexer->end - lexer->pos;
	if (*lexer->pos == '\\')
		scan_meta_command(lexer, item);
	else
		scan_statement(lexer, standard_strings, item);
}

/*
 * dumplex_first_token: see dumplex.h.
 */
const char *
dumplex_first_token(DumpLexer *lexer)
{
	for (;;)
	{
		skip_blank(lexer);
		if (lexer->pos >= lexer->end)
			return NULL;
		if (*lexer->pos != '\\')
			return lexer->pos;
		skip_line_comment(lexer);	/* a meta-command line */
	}
}

/*
 * dumplex_copy_data: see dumplex.h.
 */
void
dumplex_copy_data(DumpLexer *lexer, DumpItem *data)
{
	/* The rows start on the line after the COPY statement */
	while (lexer->pos < lexer->end && is_space((unsigned char) *lexer->pos))
		lexer->pos++;
	if (lexer->pos < lexer->end)
	{
		if (*lexer->pos != '\n')
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("unexpected text after COPY FROM stdin"),
					 errdetail("Line %d goes on after the statement's semicolon; the rows must start on the next line.",
							   lexer->line)));
		lexer->pos++;
		lexer->line++;
	}

	data->kind = DUMP_COPY_DATA;
	data->text = lexer->pos;
	data->line = lexer->line;
	while (lexer->pos < lexer->end)
	{
		const char *line = lexer->pos;
		const char *newline = memchr(line, '\n', lexer->end - line);
		const char *line_end = newline != NULL ? newline : lexer->end;

		if (line_end > line && line_end[-1] == '\r')
			line_end--;
		lexer->pos = newline != NULL ? newline + 1 : lexer->end;
		if (newline != NULL)
			lexer->line++;
		if (line_end - line == 2 && line[0] == '\\' && line[1] == '.')
		{
			data->len = line - data->text;
			return;
		}
	}
	ereport(ERROR,
			(errcode(ERRCODE_SYNTAX_ERROR),
			 errmsg("dump ends inside the data of a COPY statement"),
			 errdetail("No line \"\\.\" ends the rows that start at line %d.",
					   data->line),
			 errhint("The dump is probably truncated.")));
}
