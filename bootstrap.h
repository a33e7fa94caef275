/*-------------------------------------------------------------------------
 *
 * bootstrap.h
 *		Load a plain-format pg_dump of Sentry's schema into an empty schema.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_BOOTSTRAP_H
#define SENTRY_FIXTURES_BOOTSTRAP_H

typedef struct BootstrapOptions
{
	bool		no_owner;		/* skip ALTER ... OWNER TO, SET SESSION AUTHORIZATION */
	bool		no_privileges;	/* skip GRANT and REVOKE */
} BootstrapOptions;

typedef struct BootstrapResult
{
	bool		loaded;			/* false: the schema already had tables */
	int			statements;		/* statements executed */
	int			tables;			/* tables in the schema afterwards */
	int64		rows;			/* rows loaded by COPY and INSERT */
} BootstrapResult;

/*
 * Load dump (len bytes, not necessarily NUL-terminated) unless the schema
 * named by sentry_fixtures.schema already has a table.  Runs in the
 * caller's transaction; settings the dump changes are restored afterwards.
 */
extern BootstrapResult bootstrap_load(const char *dump, size_t len,
									  const BootstrapOptions *options);

#endif							/* SENTRY_FIXTURES_BOOTSTRAP_H */
