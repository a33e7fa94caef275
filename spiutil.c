/*-------------------------------------------------------------------------
 *
 * spiutil.c
 *		The one path for running SQL, and helpers for reading SPI results.
 *
 * Values read are copied into the caller's memory context, so they
 * outlive the SPI tuple table they came from.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "spiutil.h"

/*
 * Connect to SPI, for an SQL entry point; any failure is a bug of ours.
 */
void
spi_connect(void)
{
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
}

/*
 * Disconnect from SPI (its procedure memory goes with it: copy out first).
 */
void
spi_finish(void)
{
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
}

/*
 * The one way the extension runs SQL: SPI_execute_with_args with $n
 * parameters, returning SPI's result code.  SPI leaves its procedure
 * memory context current; going back to the caller's lets each step's
 * scratch context (and the cascade's) free what was allocated after the
 * call, instead of everything piling up until SPI_finish().
 */
int
spi_exec(const char *sql, int nargs, Oid *argtypes, Datum *args,
		 const char *nulls, bool read_only)
{
	MemoryContext caller = CurrentMemoryContext;
	int			ret = SPI_execute_with_args(sql, nargs, argtypes, args, nulls,
											read_only, 0);

	MemoryContextSwitchTo(caller);
	return ret;
}

/*
 * spi_exec(), whose result code must be expected; returns SPI_processed.
 * Any other code is a bug of ours (errors in the statement itself are
 * raised by SPI), reported with one wording.
 */
uint64
spi_run(const char *sql, int nargs, Oid *argtypes, Datum *args,
		const char *nulls, bool read_only, int expected)
{
	int			ret = spi_exec(sql, nargs, argtypes, args, nulls, read_only);

	if (ret != expected)
		elog(ERROR, "SPI returned %s instead of %s for: %s",
			 SPI_result_code_string(ret), SPI_result_code_string(expected), sql);
	return SPI_processed;
}

/*
 * Run a query that reads and return the number of rows.  Not read_only to
 * SPI: that would reuse the calling statement's snapshot, which does not
 * see what this apply has already written (a key deleted with its
 * project would still be found) nor, after waiting for the apply lock,
 * what the apply before it committed.
 */
uint64
spi_select(const char *sql, int nargs, Oid *argtypes, Datum *args)
{
	return spi_run(sql, nargs, argtypes, args, NULL, false, SPI_OK_SELECT);
}

/* The datum at row, col of the last result */
static Datum
spi_get_datum(uint64 row, int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, isnull);
}

/*
 * A text column (any type, through its output function).
 */
char *
spi_get_text(uint64 row, int col)
{
	return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);
}

/*
 * An int2/int4/int8 column.
 */
int64
spi_get_int64(uint64 row, int col)
{
	bool		isnull;
	Datum		d = spi_get_datum(row, col, &isnull);

	if (isnull)
		return 0;
	switch (SPI_gettypeid(SPI_tuptable->tupdesc, col))
	{
		case INT2OID:
			return DatumGetInt16(d);
		case INT4OID:
			return DatumGetInt32(d);
		case INT8OID:
			return DatumGetInt64(d);
	}
	elog(ERROR, "column %d is not an integer", col);
	return 0;					/* keep compiler quiet */
}

/*
 * A boolean column.
 */
bool
spi_get_bool(uint64 row, int col)
{
	bool		isnull;
	Datum		d = spi_get_datum(row, col, &isnull);

	return !isnull && DatumGetBool(d);
}

/*
 * A text[] column, as *n C strings; NULL (and *n = 0) for SQL NULL.
 */
char	  **
spi_get_text_array(uint64 row, int col, int *n)
{
	bool		isnull;
	Datum		d = spi_get_datum(row, col, &isnull);
	Datum	   *elems;
	bool	   *nulls;
	char	  **values;
	int			i;

	*n = 0;
	if (isnull)
		return NULL;
	deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, n);
	values = palloc(Max(*n, 1) * sizeof(char *));
	for (i = 0; i < *n; i++)
		values[i] = TextDatumGetCString(elems[i]);
	return values;
}

/*
 * int8[] of n values.
 */
Datum
int8_array_datum(const int64 *values, int n)
{
	Datum	   *elems = palloc(Max(n, 1) * sizeof(Datum));
	int			i;

	for (i = 0; i < n; i++)
		elems[i] = Int64GetDatum(values[i]);
	return PointerGetDatum(construct_array(elems, n, INT8OID, 8,
										   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * text[] of n values; NULL strings become SQL NULLs.
 */
Datum
text_array_datum(char *const *values, int n)
{
	Datum	   *elems = palloc(Max(n, 1) * sizeof(Datum));
	bool	   *nulls = palloc(Max(n, 1) * sizeof(bool));
	int			dims[1] = {n};
	int			lbs[1] = {1};
	int			i;

	for (i = 0; i < n; i++)
	{
		nulls[i] = values[i] == NULL;
		elems[i] = nulls[i] ? (Datum) 0 : CStringGetTextDatum(values[i]);
	}
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs,
											  TEXTOID, -1, false, TYPALIGN_INT));
}
