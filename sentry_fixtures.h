/*-------------------------------------------------------------------------
 *
 * sentry_fixtures.h
 *		Settings shared by the modules of sentry_fixtures.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_H
#define SENTRY_FIXTURES_H

/* GUC variables, defined in sentry_fixtures.c */
extern char *sentry_fixtures_url_prefix;
extern char *sentry_fixtures_organization;
extern char *sentry_fixtures_schema;
extern char *sentry_fixtures_schema_dump;
extern int	sentry_fixtures_password_iterations;

/* Largest fixture text accepted, in bytes */
#define SENTRY_FIXTURES_MAX_FIXTURE_BYTES (64 * 1024 * 1024)

#endif							/* SENTRY_FIXTURES_H */
