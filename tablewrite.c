/*-------------------------------------------------------------------------
 *
 * tablewrite.c
 *		Set-based writes to Sentry's tables.
 *
 * The cost of an apply should be a constant number of statements plus the
 * rows themselves, whatever the size of the fixture.  Every write goes
 * through here as one statement per table and action: the batch's columns
 * travel as text[] parameters and are unnested and cast to the column
 * types on the server.  Values are never pasted into SQL text; table and
 * column names come from the catalog and are quoted.
 *
 * Arrays of ids or names are matched with IN (SELECT unnest($n)), here and
 * in the reconciler's reads, never with = ANY ($n): for = ANY over a
 * 10,000-element array the planner estimates the selectivity of each
 * element, which took 150 ms for one statement, longer than running it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/memutils.h"

#include "defaults.h"
#include "spiutil.h"
#include "tablewrite.h"

/*
 * An empty batch.  Column names are not copied: callers pass literals.
 */
RowBatch *
row_batch_create(const CatalogTable *table, int ncolumns, const char *const *columns)
{
	RowBatch   *batch = palloc0(sizeof(RowBatch));
	int			i;

	batch->table = table;
	batch->ncolumns = ncolumns;
	batch->columns = palloc(ncolumns * sizeof(char *));
	batch->values = palloc(ncolumns * sizeof(char **));
	for (i = 0; i < ncolumns; i++)
	{
		batch->columns[i] = columns[i];
		batch->values[i] = NULL;
	}
	return batch;
}

/*
 * Append a row, growing the column arrays by doubling.  The values are
 * referenced, not copied.
 */
void
row_batch_add(RowBatch *batch, const char *const *values)
{
	int			i;

	if (batch->nrows == batch->capacity)
	{
		batch->capacity = batch->capacity == 0 ? 16 : batch->capacity * 2;
		for (i = 0; i < batch->ncolumns; i++)
			batch->values[i] = batch->values[i] == NULL
				? palloc(batch->capacity * sizeof(char *))
				: repalloc(batch->values[i], batch->capacity * sizeof(char *));
	}
	for (i = 0; i < batch->ncolumns; i++)
		batch->values[i][batch->nrows] = (char *) values[i];
	batch->nrows++;
}

/*
 * One column of the batch as a text[].  Built in scratch and copied out:
 * the per-element text values it is built from would otherwise stay as
 * long as the array, doubling the memory of a 50,000-row batch.
 */
static Datum
column_array(const RowBatch *batch, int column)
{
	MemoryContext scratch = AllocSetContextCreate(CurrentMemoryContext,
												  "sentry_fixtures column array",
												  ALLOCSET_DEFAULT_SIZES);
	MemoryContext oldcontext = MemoryContextSwitchTo(scratch);
	Datum		array = text_array_datum(batch->values[column], batch->nrows);

	MemoryContextSwitchTo(oldcontext);
	array = datumCopy(array, false, -1);
	MemoryContextDelete(scratch);
	return array;
}

/*
 * Run sql with the batch's columns (those in used[]) as $1..$n text[]
 * parameters, and check it touched every row.
 */
static void
execute_batch(const RowBatch *batch, const char *sql, const bool *used,
			  int expected_result)
{
	Oid		   *argtypes = palloc(batch->ncolumns * sizeof(Oid));
	Datum	   *args = palloc(batch->ncolumns * sizeof(Datum));
	int			nargs = 0;
	int			i;

	for (i = 0; i < batch->ncolumns; i++)
	{
		if (!used[i])
			continue;
		argtypes[nargs] = TEXTARRAYOID;
		args[nargs] = column_array(batch, i);
		nargs++;
	}

	spi_run(sql, nargs, argtypes, args, NULL, false, expected_result);
	if (SPI_processed != (uint64) batch->nrows)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("table \"%s\" changed while the fixture was applied",
						batch->table->name),
				 errdetail("Expected to write %d rows, wrote " UINT64_FORMAT ".",
						   batch->nrows, SPI_processed),
				 errhint("Run the apply again.")));
}

/*
 * Which batch columns the table has; the others are silently left out,
 * which is how one batch serves several Sentry generations.
 */
static bool *
columns_in_table(const RowBatch *batch, CatalogColumn **catalog_columns)
{
	bool	   *used = palloc(batch->ncolumns * sizeof(bool));
	int			i;

	for (i = 0; i < batch->ncolumns; i++)
	{
		catalog_columns[i] = catalog_find_column(batch->table, batch->columns[i]);
		used[i] = catalog_columns[i] != NULL;
	}
	return used;
}

/* Is name one of the batch's columns? */
static bool
batch_has_column(const RowBatch *batch, const char *name)
{
	int			i;

	for (i = 0; i < batch->ncolumns; i++)
		if (strcmp(batch->columns[i], name) == 0)
			return true;
	return false;
}

/*
 * The unnest() side shared by inserts and updates: "$1::text[], $2::text[]"
 * in unnest and the matching column names in alias, for the used columns.
 */
static void
append_unnest_columns(const RowBatch *batch, const bool *used,
					  StringInfo alias, StringInfo unnest)
{
	int			nargs = 0;
	int			i;

	for (i = 0; i < batch->ncolumns; i++)
	{
		if (!used[i])
			continue;
		nargs++;
		appendStringInfo(alias, "%s%s", nargs > 1 ? ", " : "",
						 quote_identifier(batch->columns[i]));
		appendStringInfo(unnest, "%s$%d::pg_catalog.text[]", nargs > 1 ? ", " : "", nargs);
	}
}

/*
 * INSERT INTO t (given..., defaulted...) SELECT u.c::type..., expr...
 * FROM unnest($1::text[], ...) AS u(c...).
 */
void
row_batch_insert(RowBatch *batch)
{
	const CatalogTable *table = batch->table;
	CatalogColumn **catalog_columns;
	bool	   *used;
	StringInfoData target;
	StringInfoData select;
	StringInfoData alias;
	StringInfoData unnest;
	StringInfoData sql;
	int			i;

	if (batch->nrows == 0)
		return;

	catalog_columns = palloc(batch->ncolumns * sizeof(CatalogColumn *));
	used = columns_in_table(batch, catalog_columns);

	initStringInfo(&target);
	initStringInfo(&select);
	initStringInfo(&alias);
	initStringInfo(&unnest);
	append_unnest_columns(batch, used, &alias, &unnest);
	for (i = 0; i < batch->ncolumns; i++)
	{
		const char *column;

		if (!used[i])
			continue;
		column = quote_identifier(batch->columns[i]);
		appendStringInfo(&target, "%s%s", target.len > 0 ? ", " : "", column);
		appendStringInfo(&select, "%su.%s::%s", select.len > 0 ? ", " : "",
						 column, catalog_columns[i]->type_name);
	}

	/* the columns Sentry's code fills, and the ones nobody can */
	for (i = 0; i < table->ncolumns; i++)
	{
		const CatalogColumn *column = &table->columns[i];
		const char *expression;

		if (column->has_default || batch_has_column(batch, column->name))
			continue;
		expression = sentry_column_default(table->generation, table->name, column->name);
		if (expression == NULL)
		{
			if (!column->not_null)
				continue;
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("column \"%s\" of table \"%s\" is NOT NULL without a default",
							column->name, table->name),
					 errdetail("sentry_fixtures does not know what value Sentry gives this column."),
					 errhint("This Sentry version is newer than sentry_fixtures knows; "
							 "please report the column with your Sentry version.")));
		}
		appendStringInfo(&target, ", %s", quote_identifier(column->name));
		appendStringInfo(&select, ", %s", expression);
	}

	initStringInfo(&sql);
	appendStringInfo(&sql, "INSERT INTO %s (%s)%s SELECT %s FROM unnest(%s) AS u(%s)",
					 table->qualified_name, target.data,
					 table->id_always_identity ? " OVERRIDING SYSTEM VALUE" : "",
					 select.data, unnest.data, alias.data);
	execute_batch(batch, sql.data, used, SPI_OK_INSERT);
}

/*
 * UPDATE t SET c = u.c::type... FROM unnest(...) AS u(id, c...)
 * WHERE t.id = u.id::bigint.
 */
void
row_batch_update(RowBatch *batch)
{
	CatalogColumn **catalog_columns;
	bool	   *used;
	StringInfoData set;
	StringInfoData alias;
	StringInfoData unnest;
	StringInfoData sql;
	int			i;

	if (batch->nrows == 0)
		return;
	Assert(strcmp(batch->columns[0], "id") == 0);

	catalog_columns = palloc(batch->ncolumns * sizeof(CatalogColumn *));
	used = columns_in_table(batch, catalog_columns);

	initStringInfo(&set);
	initStringInfo(&alias);
	initStringInfo(&unnest);
	append_unnest_columns(batch, used, &alias, &unnest);
	for (i = 1; i < batch->ncolumns; i++)
	{
		const char *column;

		if (!used[i])
			continue;
		column = quote_identifier(batch->columns[i]);
		appendStringInfo(&set, "%s%s = u.%s::%s", set.len > 0 ? ", " : "",
						 column, column, catalog_columns[i]->type_name);
	}
	if (set.len == 0)
		return;

	initStringInfo(&sql);
	appendStringInfo(&sql, "UPDATE %s AS t SET %s FROM unnest(%s) AS u(%s) "
					 "WHERE t.id = u.id::pg_catalog.int8",
					 batch->table->qualified_name, set.data, unnest.data, alias.data);
	execute_batch(batch, sql.data, used, SPI_OK_UPDATE);
}

/*
 * DELETE FROM t WHERE id IN (SELECT unnest($1)).
 */
void
table_delete_ids(const CatalogTable *table, const int64 *ids, int nids)
{
	char	   *sql;
	Oid			argtypes[1] = {INT8ARRAYOID};
	Datum		args[1];

	if (nids == 0)
		return;
	sql = psprintf("DELETE FROM %s WHERE id IN (SELECT pg_catalog.unnest($1))",
				   table->qualified_name);
	args[0] = int8_array_datum(ids, nids);
	spi_run(sql, 1, argtypes, args, NULL, false, SPI_OK_DELETE);
}

/*
 * The id sequence of a table we insert into, or an error.
 */
static const char *
id_sequence(const CatalogTable *table)
{
	if (table->id_sequence == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" has no sequence behind its id column", table->name),
				 errdetail("sentry_fixtures takes new ids from the id column's serial sequence or identity.")));
	return table->id_sequence;
}

/*
 * n ids from the table's sequence, or (predict_only) what nextval() would
 * give from the sequence's current state.
 */
int64 *
table_allocate_ids(const CatalogTable *table, int n, bool predict_only)
{
	int64	   *ids = palloc(Max(n, 1) * sizeof(int64));
	const char *sequence;
	Oid			argtypes[2] = {TEXTOID, INT4OID};
	Datum		args[2];
	char	   *sql;
	int			i;

	if (n == 0)
		return ids;
	sequence = id_sequence(table);

	args[0] = CStringGetTextDatum(sequence);
	args[1] = Int32GetDatum(n);
	if (predict_only)
		sql = psprintf("SELECT CASE WHEN s.is_called THEN s.last_value + q.seqincrement * g"
					   " ELSE s.last_value + q.seqincrement * (g - 1) END"
					   " FROM %s AS s, pg_catalog.pg_sequence AS q,"
					   " pg_catalog.generate_series(1, $2) AS g"
					   " WHERE q.seqrelid = $1::pg_catalog.regclass ORDER BY g",
					   sequence);
	else
		sql = pstrdup("SELECT pg_catalog.nextval($1::pg_catalog.regclass)"
					  " FROM pg_catalog.generate_series(1, $2) AS g ORDER BY g");

	if (spi_run(sql, 2, argtypes, args, NULL, predict_only, SPI_OK_SELECT) != (uint64) n)
		elog(ERROR, "could not allocate ids from %s", sequence);

	for (i = 0; i < n; i++)
		ids[i] = spi_get_int64(i, 1);
	SPI_freetuptable(SPI_tuptable);
	return ids;
}

/*
 * setval() the id sequence to the highest id when it lags behind it, so
 * that Sentry's next insert does not collide with an id we wrote.
 */
void
table_fix_sequence(const CatalogTable *table)
{
	const char *sequence = id_sequence(table);
	char	   *sql;
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];

	sql = psprintf("SELECT pg_catalog.setval($1::pg_catalog.regclass, m.id)"
				   " FROM (SELECT pg_catalog.max(id) AS id FROM %s) AS m, %s AS s"
				   " WHERE m.id > s.last_value OR (m.id = s.last_value AND NOT s.is_called)",
				   table->qualified_name, sequence);
	args[0] = CStringGetTextDatum(sequence);
	spi_run(sql, 1, argtypes, args, NULL, false, SPI_OK_SELECT);
}

/*
 * Decimal text of an int64.
 */
char *
int64_text(int64 value)
{
	return psprintf(INT64_FORMAT, value);
}
