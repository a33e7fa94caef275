/*-------------------------------------------------------------------------
 *
 * pg_shim.h
 *		Outside-the-server stand-ins for palloc and ereport (pg_shim.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_PG_SHIM_H
#define SENTRY_FIXTURES_PG_SHIM_H

/* Free every allocation made since the last call */
extern void shim_reset(void);

#endif							/* SENTRY_FIXTURES_PG_SHIM_H */
