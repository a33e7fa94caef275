/*-------------------------------------------------------------------------
 *
 * reconcile_cascade.h
 *		Delete rows as Sentry's own deletion does: what refers to them is
 *		deleted, set to NULL, refused or left, as Sentry's models say.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_RECONCILE_CASCADE_H
#define SENTRY_FIXTURES_RECONCILE_CASCADE_H

#include "catalog.h"

/* What went with one deleted root row */
typedef struct CascadeCount
{
	int64		dependent_rows; /* rows deleted besides the root itself */
	int			dependent_tables;	/* tables those rows were in */
	int64		nulled_refs;	/* references set to NULL (SET_NULL) */
} CascadeCount;

/*
 * Delete the rows of table (of catalog's schema) whose id is in
 * ids[0..nids-1], with what refers to them, by Sentry's own rule for each
 * reference (ondelete.h, per generation): CASCADE deletes the referring
 * row, SET_NULL sets the reference to NULL, PROTECT refuses the delete,
 * DO_NOTHING leaves the row.  Only Sentry's tables are followed or
 * written; a foreign key into a doomed row from any other table is an
 * error naming it.  A foreign key of a Sentry table that the generation's
 * table does not list is handled by the fallback (NOT NULL: deleted;
 * nullable: set to NULL), with a NOTICE naming it.
 *
 * Rows are never held in memory: each statement joins the doomed rows of
 * the tables above it (a constant number of statements per reference,
 * whatever nids and the number of rows).  They run in the caller's
 * transaction, children before parents; the roots and every table
 * something refers to are locked first (FOR UPDATE), so no row can join
 * the cascade half way.
 *
 * counts (nids entries, caller-allocated, zeroed) receives, in the order
 * of ids, what went with each root; a row reachable from several roots
 * counts once.  Returns NULL, or the text naming the references the
 * fallback handled, for the caller's report detail.
 *
 * Uses SPI; the caller must be connected.
 */
extern const char *cascade_delete(const SentryCatalog *catalog, const char *table,
								  const int64 *ids, int nids, CascadeCount *counts);

#endif							/* SENTRY_FIXTURES_RECONCILE_CASCADE_H */
