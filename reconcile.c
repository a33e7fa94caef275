/*-------------------------------------------------------------------------
 *
 * reconcile.c
 *		Make a Sentry database match a validated fixture.
 *
 * One apply runs in the caller's transaction under an advisory lock, so
 * concurrent applies queue instead of racing.  It reads the catalog and
 * the migration levels once, then runs the steps in order, each in a
 * file of its own (reconcile_int.h lists them): organization and teams,
 * projects, keys, admin and users, tokens, and last the prune of what the
 * fixture does not list.  A dry run does the same work inside an
 * internal subtransaction that is rolled back: the report rows, kept in
 * the caller's tuplestore, are exactly those of a real run.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "reconcile.h"
#include "reconcile_int.h"
#include "reconcile_util.h"
#include "sentry_fixtures.h"
#include "spiutil.h"

/* Advisory lock key shared by every apply ("sentryfx" in ASCII) */
#define RECONCILE_LOCK_KEY INT64CONST(0x73656e7472796678)

/*
 * Queue behind any other apply in progress; released at transaction end.
 */
static void
take_apply_lock(void)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		args[1] = {Int64GetDatum(RECONCILE_LOCK_KEY)};

	spi_select("SELECT pg_catalog.pg_advisory_xact_lock($1)", 1, argtypes, args);
}

/*
 * Every table written gets its id sequence moved past its highest id.
 * Not in a dry run: setval() would outlive the rollback.
 */
static void
fix_sequences(ReconcileState *state)
{
	ListCell   *lc;

	foreach(lc, state->inserted_tables)
		table_fix_sequence((const CatalogTable *) lfirst(lc));
}

/*
 * The reconciler's steps, in the order their rows depend on each other.
 */
static void
reconcile_steps(ReconcileState *state)
{
	reconcile_step(state, reconcile_organization);
	reconcile_step(state, reconcile_teams);
	reconcile_projects(state);
	reconcile_step(state, reconcile_project_keys);
	if (state->fixture->admin.present)
		reconcile_step(state, reconcile_admin);
	reconcile_step(state, reconcile_users);
	reconcile_step(state, reconcile_tokens);
	if (state->fixture->prune)
		reconcile_step(state, reconcile_prune);
	if (!state->dry_run)
		reconcile_step(state, fix_sequences);
}

/*
 * Apply a valid fixture; see reconcile.h.
 */
void
reconcile_apply(Fixture *fixture, bool dry_run, Tuplestorestate *store, TupleDesc desc)
{
	ReconcileState state;
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;

	memset(&state, 0, sizeof(state));
	state.fixture = fixture;
	state.dry_run = dry_run;
	state.context = oldcontext;
	report_init(&state.report, store, desc);

	take_apply_lock();
	state.catalog = catalog_load(sentry_fixtures_schema);

	if (!dry_run)
		reconcile_steps(&state);
	else
	{
		/* errors propagate: the caller's transaction aborts, subxact with it */
		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(oldcontext);

		reconcile_steps(&state);

		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
	}

	report_summary(&state.report, dry_run);
}
