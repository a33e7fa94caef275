/*-------------------------------------------------------------------------
 *
 * pg_compat.h
 *		What differs between the PostgreSQL majors sentry_fixtures builds
 *		on (13 to 18), in one place.
 *
 * The code is written against the newest API; for an older server each
 * difference is bridged here with a PG_VERSION_NUM guard, so no .c file
 * carries version conditionals.  PostgreSQL 14 has no Debian release to
 * test on: every shim below is for something that arrived in 14, 15 or 16,
 * and 13 and 15 bracket it (t/pg_matrix.sh builds and tests 13, 15, 17 and
 * 18).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_PG_COMPAT_H
#define SENTRY_FIXTURES_PG_COMPAT_H

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/tuplestore.h"

#if PG_VERSION_NUM < 140000
#include "commands/copy.h"

/* 14 renamed COPY FROM's state and gave BeginCopyFrom a WHERE clause */
typedef CopyState CopyFromState;
#define BeginCopyFrom(pstate, rel, where, filename, is_program, cb, attnames, options) \
	BeginCopyFrom(pstate, rel, filename, is_program, cb, attnames, options)

/* 14 gave raw_parser a mode; 13 always parses a statement list */
#define RAW_PARSE_DEFAULT 0
#define raw_parser(str, mode) raw_parser(str)
#endif

#if PG_VERSION_NUM < 150000
/* 15 renamed EmitWarningsOnPlaceholders and made it refuse new ones */
#define MarkGUCPrefixReserved(prefix) EmitWarningsOnPlaceholders(prefix)

/*
 * 15's InitMaterializedSRF with no flags: the call must accept a
 * materialized set; the result is a tuplestore in the per-query context
 * with the tuple descriptor the caller expects.
 */
static inline void
InitMaterializedSRF(FunctionCallInfo fcinfo, bits32 flags)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext oldcontext;
	TupleDesc	tupdesc;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("materialize mode required, but it is not allowed in this context")));

	oldcontext = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = tuplestore_begin_heap(rsinfo->allowedModes & SFRM_Materialize_Random,
											  false, work_mem);
	rsinfo->setDesc = CreateTupleDescCopy(tupdesc);
	MemoryContextSwitchTo(oldcontext);
}
#endif

#if PG_VERSION_NUM < 160000
/* fmgr.h declares it from 16 on */
extern void _PG_init(void);
#endif

#endif							/* SENTRY_FIXTURES_PG_COMPAT_H */
