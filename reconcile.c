/*-------------------------------------------------------------------------
 *
 * reconcile.c
 *		Placeholder until the module is written.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "reconcile.h"

void
reconcile_apply(Fixture *fixture, bool dry_run, Tuplestorestate *store, TupleDesc desc)
{
	elog(ERROR, "reconcile_apply is not implemented");
}
