/*-------------------------------------------------------------------------
 *
 * levels.h
 *		Which Sentry made the database: migration levels and behaviours.
 *
 * A Django Sentry records each migration it applied in django_migrations;
 * the highest applied per app (sentry, workflow_engine, ...) says which
 * release made the database.  What a new project gets changed between
 * releases, so each such behaviour is a row of data tied to the first
 * migration of the app where Sentry does it (levels.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_LEVELS_H
#define SENTRY_FIXTURES_LEVELS_H

/* A behaviour of Sentry that depends on the migration level */
typedef enum SentryBehaviour
{
	BEHAVIOUR_LEGACY_RULE,		/* a new project's default sentry_rule */
	BEHAVIOUR_DEFAULT_DETECTORS,	/* its error and issue-stream detectors */
	BEHAVIOUR_DEFAULT_WORKFLOW, /* its default alert as a workflow */
	BEHAVIOUR_ORG_SLUG_RESERVATION, /* a new organization's primary slug
									 * reservation */
	BEHAVIOUR_ORG_MEMBER_PROJECT_CREATION_OFF,	/* a new organization's flag
												 * disable_member_project_creation */
	BEHAVIOUR_ORG_DEFAULT_WORKFLOW, /* one default workflow per
									 * organization, shared by its projects */
	BEHAVIOUR_WORKFLOW_FROM_RULE,	/* the default workflow converted from the
									 * rule by IssueAlertMigrator */
	BEHAVIOUR_COUNT
} SentryBehaviour;

/*
 * One behaviour as data: where Sentry starts doing it, and the source.
 * The first migration is the newest of its app when the commit that
 * started the behaviour was merged (docs/compatibility.md gives the dated
 * migrations each is read from).
 */
typedef struct BehaviourSpec
{
	SentryBehaviour behaviour;
	const char *name;
	const char *app;
	int			first_level;	/* number of the first migration doing it */
	const char *first_migration;
	const char *source;			/* Sentry source file(s) it follows */
	const char *commit;			/* getsentry/sentry commit read */
	int			last_level;		/* of the last migration doing it, or 0:
								 * every newer one does */
	const char *last_migration;
} BehaviourSpec;

/* The level of one app as the database records it */
typedef struct AppLevel
{
	char	   *app;
	int			level;			/* as read */
	int			effective;		/* clamped into the known range */
	char	   *migration;		/* name of the highest applied */
} AppLevel;

/*
 * A value Sentry gives a new row that changed between releases, from the
 * first migration of its app where Sentry gives it on.
 */
typedef struct LevelValue
{
	const char *app;
	int			first_level;
	const char *first_migration;
	const char *value;
	const char *source;			/* Sentry source file it follows */
	const char *commit;			/* getsentry/sentry commit or pull request */
} LevelValue;

/* How many named tables of level values levels.c holds */
#define LEVEL_VALUE_COUNT 4

typedef struct MigrationLevels
{
	const char *source;			/* where the levels came from */
	int			napps;
	AppLevel   *apps;
	bool		on[BEHAVIOUR_COUNT];
	/* per table of levels.c's level_value_tables, the row that holds */
	const LevelValue *values[LEVEL_VALUE_COUNT];
} MigrationLevels;

/*
 * Read the levels from the django_migrations table (quoted qualified
 * name), or, when it is NULL, assume the newest known levels.  One
 * statement; a NOTICE for each known app outside the known range.
 */
extern MigrationLevels *levels_read(const char *django_migrations);

/* Whether Sentry at these levels does the behaviour */
extern bool levels_behaviour_on(const MigrationLevels *levels, SentryBehaviour behaviour);

/* The behaviour table, for sentry_fixtures_info() */
extern const BehaviourSpec *levels_behaviours(int *nbehaviours);

/*
 * The value that the named table of level values (option_epoch,
 * rule_email_action_data, default_email_action_config,
 * default_email_action_data; see levels.c) gives at these levels, as text
 */
extern const char *levels_value(const MigrationLevels *levels, const char *name);

/* The name of the i-th table of level values and its row at these levels */
extern const LevelValue *levels_value_row(const MigrationLevels *levels, int i,
										  const char **name);

#endif							/* SENTRY_FIXTURES_LEVELS_H */
