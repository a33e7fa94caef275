/*-------------------------------------------------------------------------
 *
 * spiutil.c
 *		Small helpers for running queries and reading SPI results.
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
 * Run a query that reads and return the number of rows.  Not read_only to
 * SPI: that would reuse the calling statement's snapshot, which does not
 * see what this apply has already written (a key deleted with its
 * project would still be found) nor, after waiting for the apply lock,
 * what the apply before it committed.  SPI returns in its procedure memory
 * context; going back to the caller's lets the reconciler free what each
 * step allocates.
 */
uint64
spi_select(const char *sql, int nargs, Oid *argtypes, Datum *args)
{
	MemoryContext caller = CurrentMemoryContext;
	int			ret = SPI_execute_with_args(sql, nargs, argtypes, args, NULL, false, 0);

	MemoryContextSwitchTo(caller);

	if (ret != SPI_OK_SELECT)
		elog(ERROR, "query failed: %s: %s", SPI_result_code_string(ret), sql);
	return SPI_processed;
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
