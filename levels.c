/*-------------------------------------------------------------------------
 *
 * levels.c
 *		Migration levels of the Sentry apps, and what Sentry does at each.
 *
 * One statement reads, per app, the highest migration django_migrations
 * records as applied; a squashed migration ("0001_squashed_0114_...")
 * counts as the last one it replaces.  Two tables of data then say what
 * that means:
 *	- known_apps: the range of levels this release was checked against,
 *	  oldest and newest per app.  A database outside it still works, with
 *	  the nearest known behaviour and a NOTICE saying so;
 *	- behaviours: each behaviour of Sentry that changed over time, with the
 *	  first migration of its app where Sentry does it and the source file
 *	  and commit it follows (docs/compatibility.md lists the same).
 * An app the database does not record (a 24.x Sentry has no
 * workflow_engine) has none of its behaviours.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "levels.h"
#include "spiutil.h"

/* The range of levels per app that this release knows */
typedef struct KnownApp
{
	const char *app;
	int			oldest;
	const char *oldest_migration;
	int			newest;
	const char *newest_migration;
} KnownApp;

/*
 * Oldest: the squashed migration current Sentry starts from (a database
 * older than it cannot be upgraded by current Sentry without the older
 * releases in between).  Newest: the schema the tests run on
 * (sentry-current-full.sql, getsentry/sentry dd7752b2, 2026-06-23).
 */
static const KnownApp known_apps[] = {
	{"sentry", 904, "0001_squashed_0904_onboarding_task_project_id_idx",
	1118, "1118_add_group_derived_data"},
	{"workflow_engine", 65, "0001_squashed_0065_add_status_to_detector_and_workflow",
	114, "0001_squashed_0114_sanitize_dynamic_form_field_choices"},
};

static const BehaviourSpec behaviours[] = {
	{BEHAVIOUR_LEGACY_RULE, "legacy_rule", "sentry",
		904, "0001_squashed_0904_onboarding_task_project_id_idx",
		"src/sentry/receivers/rules.py (create_default_rules)",
	"dd7752b2b8d927c1fdb09412eb880074be968e2c"},
	{BEHAVIOUR_DEFAULT_DETECTORS, "default_detectors", "workflow_engine",
		94, "0094_backfill_issue_stream_detector_workflows",
		"src/sentry/workflow_engine/receivers/project_detectors.py, "
		"src/sentry/workflow_engine/defaults/detectors.py (ensure_default_detectors)",
	"32141ebf8983bbb9c41c2679705ab73f68f8e44b"},
	{BEHAVIOUR_DEFAULT_WORKFLOW, "default_workflow", "workflow_engine",
		94, "0094_backfill_issue_stream_detector_workflows",
		"src/sentry/workflow_engine/defaults/workflows.py (create_priority_workflow, "
		"connect_workflows_to_issue_stream)",
	"1f5b8ffe4f164c667d16c6063a3bb6cacd63e931"},
	{BEHAVIOUR_ORG_SLUG_RESERVATION, "org_slug_reservation", "sentry",
		904, "0001_squashed_0904_onboarding_task_project_id_idx",
		"src/sentry/services/organization/provisioning.py (OrganizationSlugReservation, PRIMARY)",
	"02d343331835fe802212b01d97915cb86b6a3738"},
	/* PR #98398 (Aug 2025) is younger than 0904; its migration is not pinned */
	{BEHAVIOUR_ORG_MEMBER_PROJECT_CREATION_OFF, "org_member_project_creation_off", "sentry",
		904, "0001_squashed_0904_onboarding_task_project_id_idx",
		"src/sentry/receivers/organization.py (flags.disable_member_project_creation)",
	"463e472c3055398511337ccc4dcbb980a14bee50"},
};

StaticAssertDecl(lengthof(behaviours) == BEHAVIOUR_COUNT,
				 "one row per SentryBehaviour");

/*
 * The highest applied migration per app: the number a name starts with,
 * or, for a squash, the number of the last migration it replaces.
 */
static const char *const levels_query =
"SELECT DISTINCT ON (app) app::text, level, name::text"
"  FROM (SELECT app, name, pg_catalog.substring(name, '^(?:[0-9]+_squashed_)?([0-9]+)')::int AS level"
"          FROM %s) AS m"
" WHERE level IS NOT NULL"
" ORDER BY app, level DESC, name";

/* The known range of an app, or NULL */
static const KnownApp *
find_known_app(const char *app)
{
	int			i;

	for (i = 0; i < (int) lengthof(known_apps); i++)
		if (strcmp(known_apps[i].app, app) == 0)
			return &known_apps[i];
	return NULL;
}

/* The level read for an app, or NULL when the database records none */
static const AppLevel *
find_app_level(const MigrationLevels *levels, const char *app)
{
	int			i;

	for (i = 0; i < levels->napps; i++)
		if (strcmp(levels->apps[i].app, app) == 0)
			return &levels->apps[i];
	return NULL;
}

/*
 * Clamp a level into its app's known range, with a NOTICE when it is
 * outside: behaviours are those of the nearest level this release knows.
 */
static void
clamp_level(AppLevel *app)
{
	const KnownApp *known = find_known_app(app->app);

	app->effective = app->level;
	if (known == NULL)
		return;
	if (app->level < known->oldest)
		app->effective = known->oldest;
	else if (app->level > known->newest)
		app->effective = known->newest;
	else
		return;

	ereport(NOTICE,
			(errmsg("Sentry app \"%s\" is at migration %s, %s than the %s level sentry_fixtures knows",
					app->app, app->migration,
					app->level < known->oldest ? "older" : "newer",
					app->level < known->oldest ? "oldest" : "newest"),
			 errdetail("Rows are written as Sentry writes them at migration %s.",
					   app->level < known->oldest ? known->oldest_migration
					   : known->newest_migration)));
}

/*
 * Levels as django_migrations records them; see levels.h.
 */
MigrationLevels *
levels_read(const char *django_migrations)
{
	MigrationLevels *levels = palloc0(sizeof(MigrationLevels));
	int			i;

	if (django_migrations == NULL)
	{
		/* no table to tell by: the newest Sentry this release knows */
		levels->source = "no django_migrations table: newest known levels";
		levels->napps = lengthof(known_apps);
		levels->apps = palloc0(levels->napps * sizeof(AppLevel));
		for (i = 0; i < levels->napps; i++)
		{
			levels->apps[i].app = pstrdup(known_apps[i].app);
			levels->apps[i].level = known_apps[i].newest;
			levels->apps[i].effective = known_apps[i].newest;
			levels->apps[i].migration = pstrdup(known_apps[i].newest_migration);
		}
	}
	else
	{
		uint64		n = spi_select(psprintf(levels_query, django_migrations), 0, NULL, NULL);

		levels->source = "django_migrations";
		levels->napps = (int) n;
		levels->apps = palloc0(Max(n, 1) * sizeof(AppLevel));
		for (i = 0; i < (int) n; i++)
		{
			levels->apps[i].app = spi_get_text(i, 1);
			levels->apps[i].level = (int) spi_get_int64(i, 2);
			levels->apps[i].migration = spi_get_text(i, 3);
		}
		SPI_freetuptable(SPI_tuptable);
		for (i = 0; i < levels->napps; i++)
			clamp_level(&levels->apps[i]);
	}

	for (i = 0; i < (int) lengthof(behaviours); i++)
	{
		const AppLevel *app = find_app_level(levels, behaviours[i].app);

		levels->on[behaviours[i].behaviour] =
			app != NULL && app->effective >= behaviours[i].first_level;
	}
	return levels;
}

/*
 * Whether Sentry at these levels does the behaviour.
 */
bool
levels_behaviour_on(const MigrationLevels *levels, SentryBehaviour behaviour)
{
	Assert(behaviour >= 0 && behaviour < BEHAVIOUR_COUNT);
	return levels->on[behaviour];
}

/*
 * The behaviour table.
 */
const BehaviourSpec *
levels_behaviours(int *nbehaviours)
{
	*nbehaviours = lengthof(behaviours);
	return behaviours;
}
