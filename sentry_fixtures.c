/*-------------------------------------------------------------------------
 *
 * sentry_fixtures.c
 *		Module entry: settings and the SQL-callable functions.
 *
 * Each SQL function here is a thin shell: it unpacks its arguments, calls
 * the module that does the work (fixture.c, validate.c, reconcile.c,
 * export.c, bootstrap.c, dsn.c, password.c, catalog.c, levels.c,
 * urlprefix.c) and turns the result into rows.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "bootstrap.h"
#include "catalog.h"
#include "dsn.h"
#include "export.h"
#include "password.h"
#include "pg_compat.h"
#include "reconcile.h"
#include "sentry_fixtures.h"
#include "spiutil.h"
#include "urlprefix.h"
#include "validate.h"

PG_MODULE_MAGIC;

char	   *sentry_fixtures_url_prefix = NULL;
char	   *sentry_fixtures_organization = NULL;
char	   *sentry_fixtures_schema = NULL;
char	   *sentry_fixtures_schema_dump = NULL;
int			sentry_fixtures_password_iterations = 1000000;
int			sentry_fixtures_default_alert = DEFAULT_ALERT_BOTH;

static const struct config_enum_entry default_alert_options[] = {
	{"both", DEFAULT_ALERT_BOTH, false},
	{"workflow", DEFAULT_ALERT_WORKFLOW, false},
	{"rule", DEFAULT_ALERT_RULE, false},
	{"none", DEFAULT_ALERT_NONE, false},
	{NULL, 0, false}
};

PG_FUNCTION_INFO_V1(sentry_fixtures_validate);
PG_FUNCTION_INFO_V1(sentry_dsn_parse);
PG_FUNCTION_INFO_V1(sentry_fixtures_apply);
PG_FUNCTION_INFO_V1(sentry_fixtures_plan);
PG_FUNCTION_INFO_V1(sentry_schema_bootstrap);
PG_FUNCTION_INFO_V1(sentry_password_hash);
PG_FUNCTION_INFO_V1(sentry_fixtures_export);
PG_FUNCTION_INFO_V1(sentry_fixtures_info);

/*
 * Set up a materialized set-returning call whose rows have ncolumns
 * columns.  The descriptor is the caller's (the SQL declaration's OUT
 * parameters); a declaration with other columns, such as a hand-made
 * CREATE FUNCTION over this library, would have rows written past it.
 */
static void
materialize_result(FunctionCallInfo fcinfo, int ncolumns)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	if (rsinfo->setDesc->natts != ncolumns)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("incorrect number of output arguments"),
				 errdetail("The function returns rows of %d columns, but is declared with %d.",
						   ncolumns, rsinfo->setDesc->natts)));
}

/*
 * Module load: define the settings and reserve their prefix.
 */
void
_PG_init(void)
{
	DefineCustomStringVariable("sentry_fixtures.url_prefix",
							   "Sentry's system.url-prefix, which every DSN must match.",
							   "Used when the fixture has no url_prefix key; "
							   "when empty, Sentry's own sentry_option row is read.",
							   &sentry_fixtures_url_prefix,
							   "",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomStringVariable("sentry_fixtures.organization",
							   "Slug or name of the organization the fixture's teams and projects belong to.",
							   "Used when the fixture has no organization key.",
							   &sentry_fixtures_organization,
							   "sentry",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomStringVariable("sentry_fixtures.schema",
							   "Schema that holds Sentry's tables.",
							   NULL,
							   &sentry_fixtures_schema,
							   "public",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomStringVariable("sentry_fixtures.schema_dump",
							   "Server-side path of the pg_dump that sentry_schema_bootstrap() loads when given no dump.",
							   NULL,
							   &sentry_fixtures_schema_dump,
							   "",
							   PGC_SUSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("sentry_fixtures.password_iterations",
							"PBKDF2 iterations for admin password hashes the extension writes.",
							NULL,
							&sentry_fixtures_password_iterations,
							1000000,
							1000,
							PASSWORD_MAX_ITERATIONS,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomEnumVariable("sentry_fixtures.default_alert",
							 "Which default alert a new project gets: both, workflow, rule or none.",
							 "both writes what the database's Sentry release writes (the legacy rule, "
							 "the workflow and the link between them where that release wrote both); "
							 "workflow and rule write only that part, none neither.",
							 &sentry_fixtures_default_alert,
							 DEFAULT_ALERT_BOTH,
							 default_alert_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	MarkGUCPrefixReserved("sentry_fixtures");
}

/*
 * A text argument as a NUL-terminated string, refusing oversized fixtures
 * before any parsing starts.
 */
static char *
fixture_argument(text *fixture, size_t *len)
{
	*len = VARSIZE_ANY_EXHDR(fixture);
	if (*len > SENTRY_FIXTURES_MAX_FIXTURE_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("fixture is too large"),
				 errdetail("The fixture has %zu bytes; at most %d are accepted.",
						   *len, SENTRY_FIXTURES_MAX_FIXTURE_BYTES)));
	return text_to_cstring(fixture);
}

/*
 * sentry_fixtures_validate(fixture text): one row per problem.
 */
Datum
sentry_fixtures_validate(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	size_t		len;
	char	   *source = fixture_argument(PG_GETARG_TEXT_PP(0), &len);
	Fixture    *fixture;
	ListCell   *lc;

	materialize_result(fcinfo, 4);

	spi_connect();
	fixture = fixture_read(source, len);

	foreach(lc, fixture->problems)
	{
		FixtureProblem *problem = (FixtureProblem *) lfirst(lc);
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = CStringGetTextDatum(problem->path);
		values[1] = Int32GetDatum(problem->line);
		values[2] = Int32GetDatum(problem->col);
		values[3] = CStringGetTextDatum(problem->message);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}

	spi_finish();
	return (Datum) 0;
}

/*
 * sentry_dsn_parse(dsn text): the parts of one DSN, or an error.
 */
Datum
sentry_dsn_parse(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *source = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Dsn			dsn;
	const char *problem;
	Datum		values[7];
	bool		nulls[7] = {false, false, false, false, false, false, false};

	materialize_result(fcinfo, 7);

	problem = dsn_parse(source, &dsn);
	if (problem != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid DSN: %s", problem)));

	values[0] = CStringGetTextDatum(dsn.scheme);
	values[1] = CStringGetTextDatum(dsn.public_key);
	if (dsn.secret_key[0] != '\0')
		values[2] = CStringGetTextDatum(dsn.secret_key);
	else
		nulls[2] = true;
	values[3] = CStringGetTextDatum(dsn.host);
	values[4] = Int32GetDatum(dsn.port);
	values[5] = CStringGetTextDatum(dsn.path);
	values[6] = Int64GetDatum(dsn.project_id);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);

	return (Datum) 0;
}

/*
 * Settings under which PostgreSQL would log the extension's own statements
 * with the values they carry: their plans hold the secret keys and
 * password hashes (a custom plan has its parameters folded in as
 * constants: "Index Cond: (secret_key = ANY ('{...}'))"), and PostgreSQL
 * 16's auto_explain logs the parameters themselves.  Each function that
 * runs statements over secrets turns them off for its own statements (the
 * caller's statement is logged as the settings say).  log_parameter_max_length
 * and its _on_error variant are not here: they apply to the caller's bind
 * parameters only, which are captured before the function runs.
 */
static const char *const statement_logging_settings[] = {
	"auto_explain.log_nested_statements",
	"debug_print_parse",
	"debug_print_rewritten",
	"debug_print_plan",
	NULL
};

/*
 * Turn statement_logging_settings off until the returned GUC nest level is
 * popped (by AtEOXact_GUC, or by the abort of an error).  auto_explain's
 * setting is superuser-only: it is set with superuser context whoever
 * calls, as turning logging off gives nothing away; where auto_explain is
 * not loaded it is a placeholder, as SET would make it.
 */
static int
keep_statements_out_of_logs(void)
{
	int			nest_level = NewGUCNestLevel();

	for (int i = 0; statement_logging_settings[i] != NULL; i++)
		(void) set_config_option(statement_logging_settings[i], "off",
								 PGC_SUSET, PGC_S_SESSION, GUC_ACTION_SAVE,
								 true, ERROR, false);
	return nest_level;
}

/*
 * Raise the one error that an invalid fixture gives: the count in the
 * message, each problem with its place in the detail.
 */
static void
report_fixture_problems(const Fixture *fixture)
{
	StringInfoData detail;
	ListCell   *lc;
	int			count = list_length(fixture->problems);

	initStringInfo(&detail);
	foreach(lc, fixture->problems)
	{
		FixtureProblem *problem = (FixtureProblem *) lfirst(lc);

		if (detail.len > 0)
			appendStringInfoChar(&detail, '\n');
		appendStringInfo(&detail, "line %d, column %d: %s: %s",
						 problem->line, problem->col,
						 problem->path, problem->message);
	}

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg_plural("fixture has %d problem",
						   "fixture has %d problems",
						   count, count),
			 errdetail_internal("%s", detail.data),
			 errhint("Run sentry_fixtures_validate() on the fixture to get the problems as rows.")));
}

/*
 * Refuse a transaction whose snapshot was taken before the call: an apply
 * waits for the applies ahead of it on the advisory lock, and a REPEATABLE
 * READ or SERIALIZABLE snapshot from before the wait would not see what
 * they committed, so its writes would fail on unique or serialization
 * errors, or plan against rows that are gone.  The lock cannot come before
 * the snapshot: the statement calling the function has taken it already.
 */
static void
refuse_snapshot_isolation(const char *function)
{
	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
				 errmsg("%s() cannot run in a %s transaction", function,
						IsolationIsSerializable() ? "SERIALIZABLE" : "REPEATABLE READ"),
				 errdetail("The transaction's snapshot was taken before the apply lock, "
						   "so it would not see what the applies ahead of it commit."),
				 errhint("Run it in a READ COMMITTED transaction (the default).")));
}

/*
 * The common body of apply and plan.
 */
static Datum
apply_fixture(FunctionCallInfo fcinfo, const char *function, text *fixture_text,
			  bool dry_run, bool prune)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	size_t		len;
	char	   *source;
	Fixture    *fixture;
	int			nest_level;

	refuse_snapshot_isolation(function);
	source = fixture_argument(fixture_text, &len);
	materialize_result(fcinfo, 5);

	nest_level = keep_statements_out_of_logs();
	spi_connect();

	fixture = fixture_read(source, len);
	if (fixture->problems != NIL)
		report_fixture_problems(fixture);
	/* the argument prunes as the fixture's prune: true does */
	fixture->prune |= prune;

	reconcile_apply(fixture, dry_run, rsinfo->setResult, rsinfo->setDesc);

	spi_finish();
	AtEOXact_GUC(true, nest_level);
	return (Datum) 0;
}

/*
 * sentry_fixtures_apply(fixture text, dry_run boolean, prune boolean)
 */
Datum
sentry_fixtures_apply(PG_FUNCTION_ARGS)
{
	return apply_fixture(fcinfo, "sentry_fixtures_apply", PG_GETARG_TEXT_PP(0),
						 PG_GETARG_BOOL(1), PG_GETARG_BOOL(2));
}

/*
 * sentry_fixtures_plan(fixture text): a dry run
 */
Datum
sentry_fixtures_plan(PG_FUNCTION_ARGS)
{
	return apply_fixture(fcinfo, "sentry_fixtures_plan", PG_GETARG_TEXT_PP(0), true, false);
}

/*
 * The dump named by sentry_fixtures.schema_dump, read whole.
 */
static char *
read_configured_dump(size_t *len)
{
	FILE	   *file;
	StringInfoData buf;
	char		chunk[65536];
	size_t		n;

	if (sentry_fixtures_schema_dump == NULL || sentry_fixtures_schema_dump[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no schema dump given"),
				 errhint("Pass the dump text, for example sentry_schema_bootstrap(pg_read_file('/path/sentry.sql')), "
						 "or set sentry_fixtures.schema_dump to the dump's path on the server.")));

	file = AllocateFile(sentry_fixtures_schema_dump, PG_BINARY_R);
	if (file == NULL)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open file \"%s\" for reading: %m",
						sentry_fixtures_schema_dump)));

	initStringInfo(&buf);
	while ((n = fread(chunk, 1, sizeof(chunk), file)) > 0)
		appendBinaryStringInfo(&buf, chunk, (int) n);
	if (ferror(file))
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not read file \"%s\": %m",
						sentry_fixtures_schema_dump)));
	FreeFile(file);

	*len = buf.len;
	return buf.data;
}

/*
 * sentry_schema_bootstrap(dump text, no_owner boolean, no_privileges boolean)
 */
Datum
sentry_schema_bootstrap(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	BootstrapOptions options;
	BootstrapResult result;
	char	   *dump;
	size_t		len;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};
	int			nest_level;

	options.no_owner = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	options.no_privileges = !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);

	materialize_result(fcinfo, 4);

	if (PG_ARGISNULL(0))
		dump = read_configured_dump(&len);
	else
	{
		text	   *arg = PG_GETARG_TEXT_PP(0);

		dump = VARDATA_ANY(arg);
		len = VARSIZE_ANY_EXHDR(arg);
	}

	nest_level = keep_statements_out_of_logs();
	result = bootstrap_load(dump, len, &options);
	AtEOXact_GUC(true, nest_level);

	values[0] = BoolGetDatum(result.loaded);
	values[1] = Int32GetDatum(result.statements);
	values[2] = Int32GetDatum(result.tables);
	values[3] = Int64GetDatum(result.rows);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);

	return (Datum) 0;
}

/*
 * sentry_password_hash(password text, iterations int): a Django hash to put
 * in a fixture's password_hash instead of a plain password.  NULL
 * iterations: sentry_fixtures.password_iterations.
 */
Datum
sentry_password_hash(PG_FUNCTION_ARGS)
{
	int			iterations = sentry_fixtures_password_iterations;
	char	   *password;
	char	   *encoded;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (!PG_ARGISNULL(1))
		iterations = PG_GETARG_INT32(1);

	password = text_to_cstring(PG_GETARG_TEXT_PP(0));
	encoded = password_hash(password, iterations);
	explicit_bzero(password, strlen(password));
	PG_RETURN_TEXT_P(cstring_to_text(encoded));
}

/*
 * sentry_fixtures_export(include_secrets boolean): the organization as a
 * fixture
 */
Datum
sentry_fixtures_export(PG_FUNCTION_ARGS)
{
	MemoryContext caller = CurrentMemoryContext;
	char	   *yaml;
	text	   *result;
	int			nest_level = keep_statements_out_of_logs();

	spi_connect();
	yaml = fixture_export(PG_GETARG_BOOL(0));
	/* copy out before SPI_finish frees the procedure's memory */
	MemoryContextSwitchTo(caller);
	result = cstring_to_text(yaml);
	spi_finish();
	AtEOXact_GUC(true, nest_level);
	PG_RETURN_TEXT_P(result);
}

/* One key/value row of sentry_fixtures_info() */
static void
put_info(ReturnSetInfo *rsinfo, const char *key, const char *value)
{
	Datum		values[2];
	bool		nulls[2] = {false, value == NULL};

	values[0] = CStringGetTextDatum(key);
	values[1] = value ? CStringGetTextDatum(value) : (Datum) 0;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * The migration level of each app and which behaviours are on, as
 * "level.<app>" and "behaviour.<name>" rows, and each value that changed
 * between releases (the sentry:option-epoch a new project gets, the
 * config and data of its default e-mail action, ...) with the migration it
 * holds from, as "behaviour.<table>".
 */
static void
put_levels(ReturnSetInfo *rsinfo, const MigrationLevels *levels)
{
	const BehaviourSpec *specs;
	int			nspecs;
	int			i;

	put_info(rsinfo, "levels_source", levels->source);
	for (i = 0; i < levels->napps; i++)
		put_info(rsinfo, psprintf("level.%s", levels->apps[i].app),
				 levels->apps[i].migration);
	specs = levels_behaviours(&nspecs);
	for (i = 0; i < nspecs; i++)
		put_info(rsinfo, psprintf("behaviour.%s", specs[i].name),
				 psprintf("%s (%s %s%s%s)", levels_behaviour_on(levels, specs[i].behaviour) ? "on" : "off",
						  specs[i].app, specs[i].first_migration,
						  specs[i].last_migration ? " to " : "",
						  specs[i].last_migration ? specs[i].last_migration : ""));
	for (i = 0; i < LEVEL_VALUE_COUNT; i++)
	{
		const char *name;
		const LevelValue *row = levels_value_row(levels, i, &name);

		put_info(rsinfo, psprintf("behaviour.%s", name),
				 psprintf("%s (%s %s)", row->value, row->app, row->first_migration));
	}
	put_info(rsinfo, "default_alert",
			 GetConfigOption("sentry_fixtures.default_alert", false, false));
}

/*
 * sentry_fixtures_info(): what the extension detects in this database, the
 * way an apply would (no fixture: the url prefix comes from the setting or
 * Sentry's option), for users debugging a setup.
 */
Datum
sentry_fixtures_info(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Fixture    *empty = palloc0(sizeof(Fixture));
	SentryCatalog *catalog;
	UrlPrefixSource source;
	char	   *prefix;

	materialize_result(fcinfo, 2);

	spi_connect();

	catalog = catalog_read(sentry_fixtures_schema);
	put_info(rsinfo, "schema", sentry_fixtures_schema);
	if (catalog == NULL)
	{
		put_info(rsinfo, "generation", NULL);
		put_info(rsinfo, "generation_source",
				 psprintf("no table %s.sentry_project", sentry_fixtures_schema));
	}
	else
	{
		put_info(rsinfo, "generation", catalog_generation_name(catalog->generation));
		put_info(rsinfo, "generation_source", catalog->generation_source);
		if (catalog->levels != NULL)
			put_levels(rsinfo, catalog->levels);
	}

	prefix = url_prefix_lookup(empty, &source);
	if (empty->problems != NIL)
		prefix = ((FixtureProblem *) linitial(empty->problems))->message;
	put_info(rsinfo, "url_prefix", prefix);
	put_info(rsinfo, "url_prefix_source", url_prefix_source_name(source));
	put_info(rsinfo, "password_iterations",
			 psprintf("%d", sentry_fixtures_password_iterations));

	spi_finish();
	return (Datum) 0;
}
