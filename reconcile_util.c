/*-------------------------------------------------------------------------
 *
 * reconcile_util.c
 *		The reconciler's leaf helpers: new ids, inserts, slugs, report
 *		details, random keys, text comparison and the scratch context of
 *		a step.
 *
 * Every step module (reconcile_org.c, reconcile_projects.c,
 * reconcile_newprojects.c, reconcile_keys.c, reconcile_tokens.c,
 * reconcile_users.c, reconcile_prune.c) and what they share
 * (reconcile_delete.c, reconcile_mapping.c) use these; they call nothing
 * of the reconciler above them, only the table writer, the catalog and
 * the slug code, so the call graph between the reconciler's files has no
 * cycle (t/layering.sh checks it).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/memutils.h"

#include "reconcile_int.h"
#include "reconcile_util.h"
#include "slug.h"

/*
 * 32 lowercase hex characters, the shape of Sentry's keys.
 */
char *
random_hex_key(void)
{
	uint8		bytes[SENTRY_KEY_LENGTH / 2];
	char	   *key = palloc(SENTRY_KEY_LENGTH + 1);

	if (!pg_strong_random(bytes, sizeof(bytes)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a random key")));
	hex_encode((const char *) bytes, sizeof(bytes), key);
	key[SENTRY_KEY_LENGTH] = '\0';
	return key;
}

/*
 * Sentry's slug for a name: Django's slugify cut to the slug length; current
 * Sentry's slugify_instance() also strips a '-' the cut left at the end.
 */
char *
reconcile_slug(const ReconcileState *state, const char *name)
{
	char	   *slug = sentry_slugify(name, SENTRY_SLUG_MAX_LENGTH);
	size_t		len = strlen(slug);

	if (catalog_generation_traits(state->catalog->generation)->slug_strips_cut_dashes)
		while (len > 0 && slug[len - 1] == '-')
			slug[--len] = '\0';
	return slug;
}

/*
 * An empty report detail that allocates nothing until a change is added:
 * most objects are unchanged, and a StringInfo each would be 10 MB of
 * garbage at 10,000 projects.
 */
void
detail_init(StringInfo detail)
{
	memset(detail, 0, sizeof(StringInfoData));
}

/*
 * detail_cascade: see reconcile_util.h.
 */
char *
detail_cascade(const CascadeCount *cascade, const CascadeCount *mapping,
			   const char *fallback, bool with_nulled)
{
	StringInfoData detail;

	initStringInfo(&detail);
	appendStringInfo(&detail, INT64_FORMAT " dependent rows in %d tables deleted",
					 cascade->dependent_rows + mapping->dependent_rows,
					 cascade->dependent_tables + mapping->dependent_tables);
	if (with_nulled)
		appendStringInfo(&detail, ", " INT64_FORMAT " references set to NULL",
						 cascade->nulled_refs);
	if (fallback != NULL)
		appendStringInfo(&detail, "; not in Sentry's on_delete table, by the fallback: %s",
						 fallback);
	return detail.data;
}

/*
 * Append "field: old -> new" (", "-separated) to a report detail.
 */
void
detail_change(StringInfo detail, const char *field,
			  const char *old_value, const char *new_value)
{
	if (detail->data == NULL)
		initStringInfo(detail);
	appendStringInfo(detail, "%s%s: %s -> %s", detail->len > 0 ? ", " : "",
					 field, old_value ? old_value : "(none)",
					 new_value ? new_value : "(none)");
}

/*
 * Ids for new rows.  A dry run predicts them, as nextval() does not roll
 * back and the real run must report the same ids; the sequence does not
 * move then, so later predictions for the same table skip those made.
 */
int64 *
reconcile_new_ids(ReconcileState *state, const CatalogTable *table, int n)
{
	PredictedIds *predicted = NULL;
	ListCell   *lc;
	int64	   *ids;

	if (!state->dry_run || n == 0)
		return table_allocate_ids(table, n, state->dry_run);

	foreach(lc, state->predicted)
		if (((PredictedIds *) lfirst(lc))->table == table)
			predicted = lfirst(lc);
	if (predicted == NULL)
	{
		/* the predictions outlive the step that makes the first one */
		MemoryContext oldcontext = MemoryContextSwitchTo(state->context);

		predicted = palloc0(sizeof(PredictedIds));
		predicted->table = table;
		state->predicted = lappend(state->predicted, predicted);
		MemoryContextSwitchTo(oldcontext);
	}
	ids = table_allocate_ids(table, predicted->used + n, true);
	ids += predicted->used;
	predicted->used += n;
	return ids;
}

/*
 * Insert a batch and remember its table: every table written gets its id
 * sequence moved past its highest id at the end.
 */
void
reconcile_insert(ReconcileState *state, RowBatch *batch)
{
	MemoryContext oldcontext;

	if (batch->nrows == 0)
		return;
	row_batch_insert(batch);
	oldcontext = MemoryContextSwitchTo(state->context);
	state->inserted_tables = list_append_unique_ptr(state->inserted_tables,
													(void *) batch->table);
	MemoryContextSwitchTo(oldcontext);
}

/*
 * Run one step of the apply in a scratch memory context, deleted after
 * it: the rows, arrays and report details a step builds are dead once
 * written, and kept until the end they came to over 100 MB at 10,000
 * projects.  What later steps read lives in state->context.
 */
void
reconcile_step(ReconcileState *state, ReconcileStep step)
{
	MemoryContext scratch = AllocSetContextCreate(state->context,
												  "sentry_fixtures step",
												  ALLOCSET_DEFAULT_SIZES);
	MemoryContext oldcontext = MemoryContextSwitchTo(scratch);

	step(state);
	MemoryContextSwitchTo(oldcontext);
	MemoryContextDelete(scratch);
}

/*
 * same_text: see reconcile_util.h.
 */
bool
same_text(const char *a, const char *b)
{
	return (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;
}
