/*-------------------------------------------------------------------------
 *
 * reconcile_delete.c
 *		Delete rows of Sentry's as Sentry's own deletion does, with one
 *		report row each.
 *
 * Rule 1 (a project replaced by the fixture's id) and the prune (projects,
 * keys, teams and memberships the fixture no longer names) delete the same
 * way: first what the catalog does not tie to the rows, while the rows it
 * goes through still exist (the control-silo mapping rows,
 * reconcile_mapping.c, and a project's own default alert chain,
 * reconcile_newprojects.c), then the rows with what depends on them
 * (reconcile_cascade.c).  Each report row says how much went with its row.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "reconcile_cascade.h"
#include "reconcile_int.h"
#include "reconcile_mapping.h"
#include "reconcile_util.h"

/*
 * reconcile_delete: see reconcile_int.h.
 */
void
reconcile_delete(ReconcileState *state, const char *table, const char *kind,
				 const int64 *ids, char *const *names, char *const *details, int n,
				 bool with_nulled)
{
	CascadeCount *counts;
	CascadeCount *mappings;
	const char *fallback;

	if (n == 0)
		return;
	counts = palloc0(n * sizeof(CascadeCount));
	mappings = palloc0(n * sizeof(CascadeCount));

	delete_mapping_rows(state, table, ids, n, mappings);
	if (strcmp(table, "sentry_project") == 0)
		delete_new_project_rows(state, ids, n, mappings);
	fallback = cascade_delete(state->catalog, table, ids, n, counts);

	for (int i = 0; i < n; i++)
		report_row(&state->report, REPORT_DELETE, kind, names[i], ids[i],
				   psprintf("%s; %s", details[i],
							detail_cascade(&counts[i], &mappings[i], fallback, with_nulled)));
}
