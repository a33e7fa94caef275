/*-------------------------------------------------------------------------
 *
 * cascade.h
 *		Delete rows together with everything that depends on them, found
 *		from the foreign keys in the catalog.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_CASCADE_H
#define SENTRY_FIXTURES_CASCADE_H

/* What went with one deleted root row */
typedef struct CascadeCount
{
	int64		root_id;
	int64		dependent_rows; /* rows deleted besides the root itself */
	int			dependent_tables;	/* tables those rows were in */
	int64		nulled_refs;	/* nullable references set to NULL */
} CascadeCount;

/*
 * Delete the rows of schema.table whose id is in ids[0..nids-1], and their
 * dependants by the rule in cascade.c, with a constant number of
 * statements per table reached (not per row).  counts (nids entries,
 * caller-allocated) receives, per root in the order given, what went with
 * it.  Uses SPI; the caller must be connected.
 */
extern void cascade_delete(const char *schema, const char *table,
						   const int64 *ids, int nids, CascadeCount *counts);

#endif							/* SENTRY_FIXTURES_CASCADE_H */
