/*-------------------------------------------------------------------------
 *
 * defaults.h
 *		The value Sentry's own code gives a column it does not leave to the
 *		database.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_DEFAULTS_H
#define SENTRY_FIXTURES_DEFAULTS_H

#include "catalog.h"

/*
 * An SQL expression for table.column of a Sentry generation when a new row
 * does not name it, or NULL when sentry_fixtures knows none.
 */
extern const char *sentry_column_default(SentryGeneration generation,
										 const char *table, const char *column);

#endif							/* SENTRY_FIXTURES_DEFAULTS_H */
