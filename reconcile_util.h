/*-------------------------------------------------------------------------
 *
 * reconcile_util.h
 *		The reconciler's leaf helpers (reconcile_util.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_RECONCILE_UTIL_H
#define SENTRY_FIXTURES_RECONCILE_UTIL_H

#include "lib/stringinfo.h"

#include "reconcile_cascade.h"
#include "reconcile_int.h"
#include "tablewrite.h"

/* Run a step in a scratch memory context deleted after it */
typedef void (*ReconcileStep) (ReconcileState *state);
extern void reconcile_step(ReconcileState *state, ReconcileStep step);

/* Ids for n new rows of a table (predicted in a dry run) */
extern int64 *reconcile_new_ids(ReconcileState *state, const CatalogTable *table, int n);

/* Insert a batch and remember the table for the sequence fix */
extern void reconcile_insert(ReconcileState *state, RowBatch *batch);

/* An empty detail, allocated by its first change */
extern void detail_init(StringInfo detail);

/* Append "field: old -> new" to a detail */
extern void detail_change(StringInfo detail, const char *field,
						  const char *old_value, const char *new_value);

/*
 * What went with a deleted row, for its report detail: "N dependent rows
 * in M tables deleted", then ", K references set to NULL" when with_nulled,
 * then the references the cascade's fallback handled, if any
 */
extern char *detail_cascade(const CascadeCount *cascade, const CascadeCount *mapping,
							const char *fallback, bool with_nulled);

/* The slug this generation's Sentry gives a name */
extern char *reconcile_slug(const ReconcileState *state, const char *name);

/* Text equality where NULL equals only NULL */
extern bool same_text(const char *a, const char *b);

/* 32 lowercase hex characters from pg_strong_random() */
extern char *random_hex_key(void);

#endif							/* SENTRY_FIXTURES_RECONCILE_UTIL_H */
