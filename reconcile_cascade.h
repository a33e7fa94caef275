/*-------------------------------------------------------------------------
 *
 * reconcile_cascade.h
 *		Delete rows together with everything that depends on them, found
 *		from the foreign keys in the catalog.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_RECONCILE_CASCADE_H
#define SENTRY_FIXTURES_RECONCILE_CASCADE_H

/* What went with one deleted root row */
typedef struct CascadeCount
{
	int64		root_id;
	int64		dependent_rows; /* rows deleted besides the root itself */
	int			dependent_tables;	/* tables those rows were in */
	int64		nulled_refs;	/* nullable references set to NULL */
} CascadeCount;

/*
 * Delete the rows of schema.table whose primary key is in ids[0..nids-1],
 * and their dependants by the rule in reconcile_cascade.c: a row referring to a
 * deleted row through a NOT NULL reference is deleted; through a nullable
 * one, it is deleted when its table has no NOT NULL reference, else kept
 * with that reference set to NULL.  References are the foreign keys, plus
 * the integer columns without one named like the foreign keys into
 * schema.table (sentry_message.project_id, sentry_release.project_id);
 * see reconcile_cascade.c.
 *
 * The statements run are a constant number per table and foreign key
 * reached, whatever nids and the number of rows: two catalog reads, one
 * SELECT per foreign key followed (more only around a cycle), one UPDATE
 * per nullable reference to clear, one DELETE per table.  They run in the
 * caller's transaction; deferred foreign keys are satisfied at commit,
 * immediate ones too (children are deleted first) unless they form a
 * cycle.
 *
 * counts (nids entries, caller-allocated) receives, in the order of ids,
 * what went with each root.  A dependant reachable from several roots is
 * counted once, for the root that reached it first; an id given twice
 * gets the same counts twice; an id with no row gets zeros.
 *
 * Errors (nothing is written before they are raised): no such table; a
 * table rows would be deleted from has no single-column integer primary
 * key; a foreign key into such a table has several columns or does not
 * refer to its primary key.
 *
 * Uses SPI; the caller must be connected.
 */
extern void cascade_delete(const char *schema, const char *table,
						   const int64 *ids, int nids, CascadeCount *counts);

#endif							/* SENTRY_FIXTURES_RECONCILE_CASCADE_H */
