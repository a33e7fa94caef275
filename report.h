/*-------------------------------------------------------------------------
 *
 * report.h
 *		What an apply changed: one row per object, and a summary.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_REPORT_H
#define SENTRY_FIXTURES_REPORT_H

#include "access/tupdesc.h"
#include "utils/tuplestore.h"

typedef enum ReportAction
{
	REPORT_CREATE,
	REPORT_UPDATE,
	REPORT_DELETE,
	REPORT_SKIP
} ReportAction;

typedef struct Report
{
	Tuplestorestate *store;
	TupleDesc	desc;
	int64		counts[REPORT_SKIP + 1];
	int64		unchanged;
} Report;

extern void report_init(Report *report, Tuplestorestate *store, TupleDesc desc);

/* One row; id 0 means none.  detail may be NULL.  Never pass a secret. */
extern void report_row(Report *report, ReportAction action, const char *kind,
					   const char *name, int64 id, const char *detail);

/* An object that already matched the fixture */
extern void report_unchanged(Report *report);

/* The closing NOTICE with the counts */
extern void report_summary(const Report *report, bool dry_run);

/* A secret shown as its first 4 characters, for details */
extern char *report_secret_prefix(const char *secret);

#endif							/* SENTRY_FIXTURES_REPORT_H */
