/*-------------------------------------------------------------------------
 *
 * reconcile.h
 *		Make a Sentry database match a validated fixture.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_RECONCILE_H
#define SENTRY_FIXTURES_RECONCILE_H

#include "access/tupdesc.h"
#include "utils/tuplestore.h"

#include "fixture.h"

/*
 * Apply a fixture without problems.  Report rows (action, kind, name, id,
 * detail) go to store.  With fixture->prune, what it does not name goes.
 * With dry_run, the work is rolled back and only the report remains.  Uses
 * SPI; the caller must be connected.
 */
extern void reconcile_apply(Fixture *fixture, bool dry_run,
							Tuplestorestate *store, TupleDesc desc);

#endif							/* SENTRY_FIXTURES_RECONCILE_H */
