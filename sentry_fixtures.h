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
extern int	sentry_fixtures_default_alert;

/* sentry_fixtures.default_alert: which default alert a new project gets */
typedef enum DefaultAlert
{
	DEFAULT_ALERT_BOTH,			/* what the level writes: rule, workflow, link */
	DEFAULT_ALERT_WORKFLOW,		/* the workflow only */
	DEFAULT_ALERT_RULE,			/* the legacy rule only */
	DEFAULT_ALERT_NONE			/* neither */
} DefaultAlert;

/* Largest fixture text accepted, in bytes */
#define SENTRY_FIXTURES_MAX_FIXTURE_BYTES (64 * 1024 * 1024)

#endif							/* SENTRY_FIXTURES_H */
