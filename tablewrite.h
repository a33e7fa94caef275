/*-------------------------------------------------------------------------
 *
 * tablewrite.h
 *		Set-based writes: one statement per table and action, over arrays.
 *
 * A RowBatch collects rows as text; row_batch_insert() and
 * row_batch_update() turn the whole batch into one statement that
 * unnests its columns.  Columns the target table lacks are left out, so
 * the same batch serves every Sentry generation, and NOT NULL columns
 * nobody gave are filled from Sentry's own defaults (defaults.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_TABLEWRITE_H
#define SENTRY_FIXTURES_TABLEWRITE_H

#include "catalog.h"

typedef struct RowBatch
{
	const CatalogTable *table;
	int			ncolumns;
	const char **columns;
	int			nrows;
	int			capacity;
	char	 ***values;			/* values[column][row]; NULL is SQL NULL */
} RowBatch;

/* An empty batch for table with these columns (the first is id for updates) */
extern RowBatch *row_batch_create(const CatalogTable *table, int ncolumns,
								  const char *const *columns);

/*
 * Append one row; values has ncolumns entries.  The strings are not copied
 * (a batch of 50,000 rows would hold each twice): they must live as long
 * as the batch.
 */
extern void row_batch_add(RowBatch *batch, const char *const *values);

/* INSERT every row; columns Sentry fills itself come from defaults.c */
extern void row_batch_insert(RowBatch *batch);

/* UPDATE rows by id (the batch's first column) */
extern void row_batch_update(RowBatch *batch);

/* DELETE the rows of table whose id is in ids */
extern void table_delete_ids(const CatalogTable *table, const int64 *ids, int nids);

/*
 * Ids for n new rows of table: nextval() of its id sequence; with
 * predict_only, the values nextval() would give, without calling it (a dry
 * run must not move sequences, which do not roll back).
 */
extern int64 *table_allocate_ids(const CatalogTable *table, int n, bool predict_only);

/* Move table's id sequence past its highest id */
extern void table_fix_sequence(const CatalogTable *table);

/* int64 as text, in the caller's memory context */
extern char *int64_text(int64 value);

#endif							/* SENTRY_FIXTURES_TABLEWRITE_H */
