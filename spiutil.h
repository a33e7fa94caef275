/*-------------------------------------------------------------------------
 *
 * spiutil.h
 *		The one path for running SQL, and helpers for reading SPI results.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_SPIUTIL_H
#define SENTRY_FIXTURES_SPIUTIL_H

#include "executor/spi.h"

/* SPI_connect() and SPI_finish(), whose failure is a bug of ours */
extern void spi_connect(void);
extern void spi_finish(void);

/*
 * Every statement goes through spi_exec(): $n parameters (nulls as for
 * SPI_execute_with_args, NULL for none), the caller's memory context
 * restored; it returns SPI's result code.  spi_run() also checks that the
 * code is expected and returns SPI_processed.
 */
extern int	spi_exec(const char *sql, int nargs, Oid *argtypes, Datum *args,
					 const char *nulls, bool read_only);
extern uint64 spi_run(const char *sql, int nargs, Oid *argtypes, Datum *args,
					  const char *nulls, bool read_only, int expected);

/* Run a query that reads, seeing this call's writes; returns SPI_processed */
extern uint64 spi_select(const char *sql, int nargs, Oid *argtypes, Datum *args);

/* Column col (1-based) of row of SPI_tuptable, copied; NULL for SQL NULL */
extern char *spi_get_text(uint64 row, int col);
extern int64 spi_get_int64(uint64 row, int col);	/* NULL reads as 0 */
extern bool spi_get_bool(uint64 row, int col);	/* NULL reads as false */
extern char **spi_get_text_array(uint64 row, int col, int *n);	/* NULL: *n = 0 */

/* An int8[] or text[] datum of n values (a NULL string is SQL NULL) */
extern Datum int8_array_datum(const int64 *values, int n);
extern Datum text_array_datum(char *const *values, int n);

#endif							/* SENTRY_FIXTURES_SPIUTIL_H */
