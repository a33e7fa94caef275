/*-------------------------------------------------------------------------
 *
 * report.c
 *		The rows and the summary an apply returns.
 *
 * Rows go straight into the caller's tuplestore, which lives outside any
 * subtransaction, so a dry run keeps its report after its work is rolled
 * back.  Details never hold a password or a whole secret key.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"

#include "report.h"

static const char *const action_names[] = {"create", "update", "delete", "skip"};

/*
 * Start an empty report writing into store.
 */
void
report_init(Report *report, Tuplestorestate *store, TupleDesc desc)
{
	memset(report, 0, sizeof(Report));
	report->store = store;
	report->desc = desc;
}

/*
 * Add a row (action, kind, name, id, detail).
 */
void
report_row(Report *report, ReportAction action, const char *kind,
		   const char *name, int64 id, const char *detail)
{
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};

	values[0] = CStringGetTextDatum(action_names[action]);
	values[1] = CStringGetTextDatum(kind);
	values[2] = CStringGetTextDatum(name);
	if (id != 0)
		values[3] = Int64GetDatum(id);
	else
		nulls[3] = true;
	if (detail != NULL)
		values[4] = CStringGetTextDatum(detail);
	else
		nulls[4] = true;

	tuplestore_putvalues(report->store, report->desc, values, nulls);
	report->counts[action]++;
}

/*
 * Count an object that needed no change.
 */
void
report_unchanged(Report *report)
{
	report->unchanged++;
}

/*
 * The NOTICE that sums the run up.
 */
void
report_summary(const Report *report, bool dry_run)
{
	ereport(NOTICE,
			(errcode(ERRCODE_SUCCESSFUL_COMPLETION),
			 errmsg("%s: " INT64_FORMAT " created, " INT64_FORMAT " updated, "
					INT64_FORMAT " deleted, " INT64_FORMAT " skipped, "
					INT64_FORMAT " unchanged",
					dry_run ? "sentry_fixtures plan" : "sentry_fixtures applied",
					report->counts[REPORT_CREATE], report->counts[REPORT_UPDATE],
					report->counts[REPORT_DELETE], report->counts[REPORT_SKIP],
					report->unchanged)));
}

/*
 * "abcd..." for a secret, "(none)" for none: enough to tell keys apart.
 */
char *
report_secret_prefix(const char *secret)
{
	if (secret == NULL || secret[0] == '\0')
		return pstrdup("(none)");
	return psprintf("%.4s...", secret);
}
