/*-------------------------------------------------------------------------
 *
 * dumplex.h
 *		Split a plain-format pg_dump into statements, psql meta-commands
 *		and COPY data blocks, the way psql reads a script.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_DUMPLEX_H
#define SENTRY_FIXTURES_DUMPLEX_H

typedef enum DumpItemKind
{
	DUMP_END,					/* only whitespace and comments were left */
	DUMP_STATEMENT,				/* one SQL statement with its semicolon */
	DUMP_META_COMMAND,			/* a psql backslash command, one line */
	DUMP_COPY_DATA				/* the rows after COPY ... FROM stdin */
} DumpItemKind;

/*
 * One piece of the dump.  text points into the dump itself (nothing is
 * copied).  The lexer fills in text and line as soon as it knows where an
 * item starts, so that an error raised while scanning the rest of it can
 * name the item.
 */
typedef struct DumpItem
{
	DumpItemKind kind;
	const char *text;			/* first byte; NULL when there is no item */
	size_t		len;			/* bytes; COPY data excludes the \. line */
	int			line;			/* 1-based line of the first byte */
} DumpItem;

typedef struct DumpLexer
{
	const char *pos;			/* next byte to read */
	const char *end;			/* one past the dump's last byte */
	int			line;			/* line that pos is on */
} DumpLexer;

extern void dumplex_init(DumpLexer *lexer, const char *dump, size_t len);

/*
 * The next statement or meta-command, or DUMP_END.  standard_strings is the
 * current value of standard_conforming_strings: with it off, backslashes
 * escape quotes in ordinary string literals too.
 */
extern void dumplex_next(DumpLexer *lexer, bool standard_strings,
						 DumpItem *item);

/*
 * Where the first statement starts (its line in lexer->line), skipping
 * whitespace, comments and meta-command lines; NULL if there is none.
 */
extern const char *dumplex_first_token(DumpLexer *lexer);

/*
 * The data block that follows the COPY ... FROM stdin statement just
 * returned by dumplex_next, up to (not including) its "\." line.
 */
extern void dumplex_copy_data(DumpLexer *lexer, DumpItem *data);

#endif							/* SENTRY_FIXTURES_DUMPLEX_H */
