/*-------------------------------------------------------------------------
 *
 * bootstrap.c
 *		Load a plain-format pg_dump of Sentry's schema into an empty schema.
 *
 * The dump is split by dumplex.c and run statement by statement in the
 * caller's transaction, so that a failure leaves nothing behind.  Most
 * statements go through SPI (spi_exec), which plans them once and caches
 * nothing.  COPY ... FROM stdin, which SPI refuses, feeds its data block
 * to PostgreSQL's own COPY code through an in-memory data source.
 *
 * The dump changes settings (search_path, client_min_messages, ...) as it
 * goes; the whole load runs inside a GUC nest level that is unwound at the
 * end, so none of them outlives the call.
 *
 * Every error raised while a statement runs carries an error context line
 * naming the statement's line in the dump and its first words; within a
 * COPY's rows, the row's line too, but never the row's content.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_type.h"
#include "commands/copy.h"
#include "common/keywords.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_node.h"
#include "parser/parse_relation.h"
#include "parser/parser.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"

#include "bootstrap.h"
#include "dumplex.h"
#include "pg_compat.h"
#include "sentry_fixtures.h"
#include "spiutil.h"


/* How much of a statement an error context shows */
#define CONTEXT_TEXT_BYTES 60
/* ... and how far back it looks for a space to cut the text at */
#define CONTEXT_WORD_BYTES 20

/* What to do with one statement of the dump */
typedef enum StatementAction
{
	RUN_STATEMENT,				/* through SPI */
	SKIP_STATEMENT,				/* no_owner, no_privileges, BEGIN, COMMIT, ... */
	COPY_FROM_DUMP				/* COPY ... FROM stdin: rows follow in the dump */
} StatementAction;

/* Where the load is, for the error context */
typedef struct LoadPosition
{
	DumpItem	item;			/* the statement or meta-command at hand */
	bool		copying;		/* COPY is reading its rows */
} LoadPosition;

/*
 * The COPY data block being read by copy_data_source(), and the dump line
 * of the row it handed out last
 */
static const char *copy_data_start = NULL;
static const char *copy_data_pos = NULL;
static const char *copy_data_end = NULL;
static int	copy_row_line = 0;

static const char *const convert_hint =
"A custom-, directory- or tar-format dump must first be turned into a plain SQL script with \"pg_restore -f - DUMP\".";

/*
 * The statement's first line, shortened at a word boundary, with "..." when
 * there is more: enough to find it in the dump.
 */
static char *
statement_head(const char *text, size_t len)
{
	const char *newline = memchr(text, '\n', len);
	size_t		head_len = newline != NULL ? (size_t) (newline - text) : len;
	bool		more = head_len < len;
	StringInfoData buf;

	while (head_len > 0 && isspace((unsigned char) text[head_len - 1]))
		head_len--;
	if (head_len > CONTEXT_TEXT_BYTES)
	{
		size_t		clipped = pg_mbcliplen(text, (int) head_len, CONTEXT_TEXT_BYTES);
		size_t		cut = clipped;

		while (cut + CONTEXT_WORD_BYTES > clipped && cut > 0 && text[cut] != ' ')
			cut--;
		head_len = text[cut] == ' ' ? cut : clipped;
		more = true;
	}

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, text, (int) head_len);
	if (more)
		appendStringInfoString(&buf, " ...");
	return buf.data;
}

/*
 * Error context callback: which statement of the dump was running, and
 * for COPY the dump line of the row at hand (COPY's own context, which
 * quotes the row, is left out: see copy_data_source()).
 */
static void
load_position_context(void *arg)
{
	const LoadPosition *position = (const LoadPosition *) arg;
	const DumpItem *item = &position->item;

	if (item->text == NULL)
		return;
	if (position->copying)
		errcontext("dump line %d: %s (row at line %d)", item->line,
				   statement_head(item->text, item->len), copy_row_line);
	else
		errcontext("dump line %d: %s", item->line,
				   statement_head(item->text, item->len));
}

/*
 * Refuse what is not a plain SQL script before anything runs: pg_dump
 * archives, and text whose first statement does not start with an SQL
 * keyword.
 */
static void
reject_non_script(const char *dump, size_t len)
{
	DumpLexer	lexer;
	const char *token;
	size_t		word_len = 0;
	char	   *word;

	if (len >= 5 && memcmp(dump, "PGDMP", 5) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("dump is a pg_dump archive, not a plain SQL script"),
				 errdetail("It starts with \"PGDMP\", the mark of pg_dump's custom and directory formats."),
				 errhint("%s", convert_hint)));

	pg_verify_mbstr(GetDatabaseEncoding(), dump, (int) len, false);

	dumplex_init(&lexer, dump, len);
	token = dumplex_first_token(&lexer);
	if (token == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("text is not a plain-format pg_dump"),
				 errdetail("It contains no SQL statement."),
				 errhint("%s", convert_hint)));

	/* Keywords are short: a longer word needs no more reading */
	while (token + word_len < lexer.end && word_len < NAMEDATALEN &&
		   (isalpha((unsigned char) token[word_len]) || token[word_len] == '_'))
		word_len++;
	if (word_len == 0 && *token == '(')
		return;
	word = pnstrdup(token, word_len > 0 ? word_len : (size_t) pg_mblen(token));
	if (word_len == 0 || ScanKeywordLookup(word, &ScanKeywords) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("text is not a plain-format pg_dump"),
				 errdetail("Line %d starts with \"%s\", which is not an SQL command.",
						   lexer.line, word),
				 errhint("%s", convert_hint)));
}

/*
 * Number of tables in schema (0 when the schema does not exist).
 */
static int
count_tables(const char *schema)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1];

	values[0] = CStringGetTextDatum(schema);
	if (spi_run("SELECT pg_catalog.count(*)::pg_catalog.int4"
				" FROM pg_catalog.pg_class c"
				" JOIN pg_catalog.pg_namespace n"
				" ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
				" WHERE n.nspname OPERATOR(pg_catalog.=) $1::pg_catalog.name"
				" AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::pg_catalog.\"char\"[])",
				1, argtypes, values, NULL, false, SPI_OK_SELECT) != 1)
		elog(ERROR, "could not count the tables of schema \"%s\"", schema);
	return (int) spi_get_int64(0, 1);
}

/*
 * A psql meta-command of the dump: \restrict and \unrestrict, which guard
 * psql sessions against a malicious server, mean nothing here; any other
 * cannot be honoured.
 */
static void
check_meta_command(const DumpItem *item)
{
	size_t		name_len = 0;
	const char *name = item->text + 1;
	bool		is_connect;

	while (name_len < item->len - 1 && !isspace((unsigned char) name[name_len]))
		name_len++;
	if ((name_len == 8 && strncmp(name, "restrict", 8) == 0) ||
		(name_len == 10 && strncmp(name, "unrestrict", 10) == 0))
		return;

	is_connect = (name_len == 7 && strncmp(name, "connect", 7) == 0) ||
		(name_len == 1 && name[0] == 'c');
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("dump contains psql command \"\\%.*s\"", (int) name_len, name),
			 errdetail("Only \\restrict and \\unrestrict lines can be skipped; other psql commands have no meaning inside the server."),
			 is_connect ? errhint("Load a dump of one database made by pg_dump without --create.") : 0));
}

/*
 * A SET of a setting this server does not have (written by a newer
 * pg_dump) is an error of its own, rather than one statement quietly
 * dropped.
 */
static void
check_setting_exists(const VariableSetStmt *stmt)
{
	if (stmt->name == NULL || stmt->kind == VAR_SET_MULTI)
		return;
	if (GetConfigOption(stmt->name, true, false) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("dump sets unrecognized configuration parameter \"%s\"",
						stmt->name),
				 errdetail("PostgreSQL %s does not have this setting; the dump was probably made by a newer pg_dump.",
						   PG_MAJORVERSION),
				 errhint("Make the dump with a pg_dump no newer than this server.")));
}

/* Does this ALTER TABLE only change the owner? */
static bool
only_changes_owner(const AlterTableStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->cmds)
	{
		if (((AlterTableCmd *) lfirst(lc))->subtype != AT_ChangeOwner)
			return false;
	}
	return stmt->cmds != NIL;
}

/*
 * Does a GRANT or REVOKE (alone or in ALTER DEFAULT PRIVILEGES) name only roles this server does not have?  With
 * no_owner the dump's roles are taken to be another server's, so such a
 * statement (pg_dump writes "REVOKE ALL ON SCHEMA public FROM <owner>")
 * has no one here to apply to.
 */
static bool
grants_only_missing_roles(GrantStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->grantees)
	{
		RoleSpec   *role = (RoleSpec *) lfirst(lc);

		if (role->roletype != ROLESPEC_CSTRING ||
			OidIsValid(get_role_oid(role->rolename, true)))
			return false;
	}
	return stmt->grantees != NIL;
}

/*
 * What to do with a parsed statement, and the errors for statements that
 * make no sense inside one function call.
 */
static StatementAction
statement_action(Node *stmt, const BootstrapOptions *options)
{
	switch (nodeTag(stmt))
	{
		case T_TransactionStmt:
			switch (((TransactionStmt *) stmt)->kind)
			{
				case TRANS_STMT_BEGIN:
				case TRANS_STMT_START:
				case TRANS_STMT_COMMIT:
					/* the load is already one transaction */
					return SKIP_STATEMENT;
				default:
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("dump contains a transaction command other than BEGIN or COMMIT"),
							 errdetail("The dump is loaded in one transaction; only BEGIN and COMMIT can be skipped.")));
			}
			break;
		case T_CreatedbStmt:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("dump creates a database"),
					 errdetail("sentry_schema_bootstrap() loads into the current database."),
					 errhint("Make the dump without pg_dump's --create option.")));
			break;
		case T_VariableSetStmt:
			{
				VariableSetStmt *set = (VariableSetStmt *) stmt;

				if (set->name != NULL &&
					strcmp(set->name, "session_authorization") == 0 &&
					options->no_owner)
					return SKIP_STATEMENT;

				/*
				 * The dump's bytes are already text in the server encoding,
				 * so its client_encoding describes nothing here.
				 */
				if (set->name != NULL && strcmp(set->name, "client_encoding") == 0)
					return SKIP_STATEMENT;
				check_setting_exists(set);
			}
			break;
		case T_AlterOwnerStmt:
			if (options->no_owner)
				return SKIP_STATEMENT;
			break;
		case T_AlterTableStmt:
			if (options->no_owner && only_changes_owner((AlterTableStmt *) stmt))
				return SKIP_STATEMENT;
			break;
		case T_GrantStmt:
			if (options->no_privileges ||
				(options->no_owner && grants_only_missing_roles((GrantStmt *) stmt)))
				return SKIP_STATEMENT;
			break;
		case T_AlterDefaultPrivilegesStmt:
			if (options->no_privileges ||
				(options->no_owner &&
				 grants_only_missing_roles(((AlterDefaultPrivilegesStmt *) stmt)->action)))
				return SKIP_STATEMENT;
			break;
		case T_CopyStmt:
			{
				CopyStmt   *copy = (CopyStmt *) stmt;

				if (copy->is_from && copy->filename == NULL && !copy->is_program)
					return COPY_FROM_DUMP;
			}
			break;
		default:
			break;
	}
	return RUN_STATEMENT;
}

/*
 * COPY's data source callback: hand out the current block of rows, one
 * row at a time, so that the row COPY is at is the one handed out last,
 * whose dump line is counted here.
 *
 * COPY's own error context quotes up to 100 bytes of the row or the value
 * at fault, and a dump's rows hold secrets (sentry_projectkey's keys, the
 * password hashes of auth_user): it is taken off the error context stack
 * while COPY reads from here (CopyFrom() pushed it, and puts the stack
 * back as it was when it returns), and load_position_context() names the
 * row by its dump line instead.
 */
static int
copy_data_source(void *outbuf, int minread, int maxread)
{
	size_t		n = Min((size_t) maxread, (size_t) (copy_data_end - copy_data_pos));
	const char *newline;

	if (error_context_stack != NULL &&
		error_context_stack->callback == CopyFromErrorCallback)
		error_context_stack = error_context_stack->previous;

	if (n == 0)
		return 0;
	if (copy_data_pos == copy_data_start || copy_data_pos[-1] == '\n')
		copy_row_line++;
	newline = memchr(copy_data_pos, '\n', n);
	if (newline != NULL)
		n = newline - copy_data_pos + 1;
	memcpy(outbuf, copy_data_pos, n);
	copy_data_pos += n;
	return (int) n;
}

/*
 * COPY's options with ENCODING set to the server's: the rows are part of
 * the dump text, which is already in the server encoding, whatever the
 * session's client_encoding.
 */
static List *
copy_options_in_server_encoding(List *options)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		if (strcmp(((DefElem *) lfirst(lc))->defname, "encoding") == 0)
			return options;
	}
	return lappend(list_copy(options),
				   makeDefElem("encoding",
							   (Node *) makeString(pstrdup(GetDatabaseEncodingName())),
							   -1));
}

/*
 * Run COPY ... FROM stdin on the data block that follows it in the dump,
 * with the checks COPY itself makes: read-only transactions, INSERT
 * privilege, row-level security.  Returns the number of rows.
 */
static uint64
copy_from_dump(DumpLexer *lexer, const char *sql, CopyStmt *stmt,
			   LoadPosition *position)
{
	DumpItem	data;
	ParseState *pstate;
	Relation	rel;
	AclResult	aclresult;
	CopyFromState cstate;
	uint64		rows;

	dumplex_copy_data(lexer, &data);

	if (stmt->whereClause != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("COPY FROM stdin with WHERE is not supported in a dump")));
	PreventCommandIfReadOnly("COPY FROM");

	pstate = make_parsestate(NULL);
	pstate->p_sourcetext = sql;
	rel = table_openrv(stmt->relation, RowExclusiveLock);

	aclresult = pg_class_aclcheck(RelationGetRelid(rel), GetUserId(), ACL_INSERT);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, get_relkind_objtype(rel->rd_rel->relkind),
					   RelationGetRelationName(rel));
	if (check_enable_rls(RelationGetRelid(rel), InvalidOid, false) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("COPY FROM not supported with row-level security"),
				 errhint("Use INSERT statements instead.")));

	/* CopyFrom finds the target as range table entry 1 */
	addRangeTableEntryForRelation(pstate, rel, RowExclusiveLock, NULL,
								  false, false);

	copy_data_start = copy_data_pos = data.text;
	copy_data_end = data.text + data.len;
	copy_row_line = data.line - 1;
	position->copying = true;
	cstate = BeginCopyFrom(pstate, rel, NULL, NULL, false, copy_data_source,
						   stmt->attlist,
						   copy_options_in_server_encoding(stmt->options));
	rows = CopyFrom(cstate);
	EndCopyFrom(cstate);
	copy_data_start = copy_data_pos = copy_data_end = NULL;
	position->copying = false;

	table_close(rel, NoLock);
	free_parsestate(pstate);
	return rows;
}

/*
 * Run one statement through SPI; returns the rows it inserted.
 */
static uint64
run_with_spi(const char *sql)
{
	int			ret = spi_exec(sql, 0, NULL, NULL, NULL, false);
	uint64		rows = 0;

	if (ret < 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("dump statement cannot run inside sentry_schema_bootstrap(): %s",
						SPI_result_code_string(ret))));
	if (ret == SPI_OK_INSERT || ret == SPI_OK_INSERT_RETURNING)
		rows = SPI_processed;
	SPI_freetuptable(SPI_tuptable);
	return rows;
}

/*
 * Parse one statement of the dump and run, copy or skip it.
 */
static void
load_statement(DumpLexer *lexer, LoadPosition *position,
			   const BootstrapOptions *options, BootstrapResult *result)
{
	char	   *sql = pnstrdup(position->item.text, position->item.len);
	List	   *parsetree;
	Node	   *stmt;

	parsetree = raw_parser(sql, RAW_PARSE_DEFAULT);
	if (list_length(parsetree) != 1)
		elog(ERROR, "dump statement parsed into %d statements",
			 list_length(parsetree));
	stmt = linitial_node(RawStmt, parsetree)->stmt;

	switch (statement_action(stmt, options))
	{
		case SKIP_STATEMENT:
			return;
		case COPY_FROM_DUMP:
			result->rows += copy_from_dump(lexer, sql, (CopyStmt *) stmt,
										   position);
			break;
		case RUN_STATEMENT:
			result->rows += run_with_spi(sql);
			break;
	}
	result->statements++;
}

/*
 * Run the whole dump, one item at a time, each in a scratch memory
 * context.
 */
static void
load_dump(const char *dump, size_t len, const BootstrapOptions *options,
		  BootstrapResult *result)
{
	DumpLexer	lexer;
	LoadPosition position = {{DUMP_END, NULL, 0, 0}, false};
	ErrorContextCallback errcallback;
	MemoryContext scratch;
	MemoryContext oldcontext;

	scratch = AllocSetContextCreate(CurrentMemoryContext,
									"sentry_schema_bootstrap statement",
									ALLOCSET_DEFAULT_SIZES);
	errcallback.callback = load_position_context;
	errcallback.arg = &position;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;

	dumplex_init(&lexer, dump, len);
	oldcontext = CurrentMemoryContext;
	for (;;)
	{
		/* what one statement allocated is dead once it has run */
		MemoryContextReset(scratch);
		MemoryContextSwitchTo(scratch);
		CHECK_FOR_INTERRUPTS();

		/* The previous statement may have changed the string syntax */
		dumplex_next(&lexer, standard_conforming_strings, &position.item);
		if (position.item.kind == DUMP_END)
			break;
		if (position.item.kind == DUMP_META_COMMAND)
			check_meta_command(&position.item);
		else
			load_statement(&lexer, &position, options, result);
	}
	MemoryContextSwitchTo(oldcontext);

	error_context_stack = errcallback.previous;
	MemoryContextDelete(scratch);
}

/*
 * bootstrap_load: see bootstrap.h.
 */
BootstrapResult
bootstrap_load(const char *dump, size_t len, const BootstrapOptions *options)
{
	BootstrapResult result = {false, 0, 0, 0};
	const char *schema = pstrdup(sentry_fixtures_schema);
	int			nest_level;

	reject_non_script(dump, len);

	spi_connect();

	result.tables = count_tables(schema);
	if (result.tables > 0)
	{
		ereport(NOTICE,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg_plural("schema \"%s\" already has %d table; the dump was not loaded",
							   "schema \"%s\" already has %d tables; the dump was not loaded",
							   result.tables, schema, result.tables)));
		spi_finish();
		return result;
	}

	/*
	 * Unwind the nest level as an abort would: that restores every setting
	 * the dump changed, even those changed by a plain SET, which a commit of
	 * the level would hand on to the session.
	 */
	nest_level = NewGUCNestLevel();
	load_dump(dump, len, options, &result);
	AtEOXact_GUC(false, nest_level);

	result.loaded = true;
	result.tables = count_tables(schema);
	spi_finish();
	return result;
}
