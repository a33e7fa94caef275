/*-------------------------------------------------------------------------
 *
 * reconcile_mapping.h
 *		Current Sentry's control-silo mapping rows, kept in step with the
 *		rows they mirror.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_RECONCILE_MAPPING_H
#define SENTRY_FIXTURES_RECONCILE_MAPPING_H

#include "reconcile_cascade.h"
#include "reconcile_int.h"

/*
 * Write the mapping rows of the source table's rows ids (sentry_organization,
 * sentry_organizationmember, sentry_projectkey) as Sentry's outbox would
 * leave them.  A schema without mapping tables has none.
 */
extern void reconcile_companions(ReconcileState *state, const char *source_name,
								 const int64 *ids, int nids);

/* A new organization's primary slug reservation, where the level has one */
extern void reserve_organization_slug(ReconcileState *state, int64 organization_id,
									  const char *slug);

/*
 * Delete the mapping rows that go with the rows ids of table root, before
 * those rows are deleted, adding them to counts (nids entries, in the
 * order of ids).
 */
extern void delete_mapping_rows(ReconcileState *state, const char *root,
								const int64 *ids, int nids, CascadeCount *counts);

#endif							/* SENTRY_FIXTURES_RECONCILE_MAPPING_H */
