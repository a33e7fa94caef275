/*-------------------------------------------------------------------------
 *
 * defaults.c
 *		Sentry's own defaults for the columns it fills in Python.
 *
 * Sentry's models give most fields a default in Python, not in the
 * database, so a raw INSERT must supply them.  This table is the one
 * place that knows those values; a new Sentry column with a database
 * default needs no entry, and a NOT NULL column with neither is a clear
 * error raised by tablewrite.c.  Values are SQL expressions.  An entry
 * for a nullable column is used too: Sentry's code reads some of them
 * (a member's invite_status) as if they could not be NULL.
 *
 * Where Sentry generations disagree, an entry names its generation; an
 * entry for a table or column a generation lacks is never reached.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "defaults.h"

/* An entry for every generation */
#define ANY_GENERATION (-1)

typedef struct ColumnDefault
{
	int			generation;		/* a SentryGeneration or ANY_GENERATION */
	const char *table;			/* NULL: any table */
	const char *column;
	const char *expression;
} ColumnDefault;

static const ColumnDefault column_defaults[] = {
	/* every model with a date_added field defaults it to timezone.now */
	{ANY_GENERATION, NULL, "date_added", "pg_catalog.now()"},
	/* and date_updated (UserRole, UserRoleUser) likewise */
	{ANY_GENERATION, NULL, "date_updated", "pg_catalog.now()"},

	{ANY_GENERATION, "auth_user", "first_name", "''"},
	{ANY_GENERATION, "auth_user", "name", "''"},
	{ANY_GENERATION, "auth_user", "is_staff", "false"},
	{ANY_GENERATION, "auth_user", "is_superuser", "false"},
	{ANY_GENERATION, "auth_user", "is_active", "true"},
	{ANY_GENERATION, "auth_user", "is_managed", "false"},
	{ANY_GENERATION, "auth_user", "is_password_expired", "false"},
	{ANY_GENERATION, "auth_user", "date_joined", "pg_catalog.now()"},
	/* set_password() stamps it */
	{ANY_GENERATION, "auth_user", "last_password_change", "pg_catalog.now()"},
	/* User.flags: bitfield_default 0 */
	{ANY_GENERATION, "auth_user", "flags", "0"},

	{ANY_GENERATION, "sentry_useremail", "validation_hash",
	"pg_catalog.md5(pg_catalog.gen_random_uuid()::text)"},
	{ANY_GENERATION, "sentry_useremail", "date_hash_added", "pg_catalog.now()"},
	{ANY_GENERATION, "sentry_useremail", "is_verified", "false"},

	{ANY_GENERATION, "sentry_organization", "status", "0"},
	/* Organization.flags: allow_joinleave (bitfield_default 1) */
	{ANY_GENERATION, "sentry_organization", "flags", "1"},
	{ANY_GENERATION, "sentry_organization", "default_role", "'member'"},

	/* OrganizationMapping: upserted with these by the mapping service */
	{SENTRY_GENERATION_MODERN, "sentry_organizationmapping", "date_created", "pg_catalog.now()"},
	{SENTRY_GENERATION_MODERN, "sentry_organizationmapping", "verified", "false"},
	{SENTRY_GENERATION_MODERN, "sentry_organizationmapping", "idempotency_key", "''"},

	{ANY_GENERATION, "sentry_organizationmember", "type", "50"},
	{ANY_GENERATION, "sentry_organizationmember", "has_global_access", "true"},
	{ANY_GENERATION, "sentry_organizationmember", "flags", "0"},
	{ANY_GENERATION, "sentry_organizationmember", "role", "'member'"},
	/* InviteStatus.APPROVED; member lists filter on it */
	{SENTRY_GENERATION_MODERN, "sentry_organizationmember", "invite_status", "0"},

	{ANY_GENERATION, "sentry_organizationmember_teams", "is_active", "true"},

	{ANY_GENERATION, "sentry_team", "status", "0"},

	{ANY_GENERATION, "sentry_project", "public", "false"},
	{ANY_GENERATION, "sentry_project", "status", "0"},
	{SENTRY_GENERATION_9, "sentry_project", "flags", "0"},
	/* Project.flags: bitfield_default 10 in current Sentry */
	{SENTRY_GENERATION_MODERN, "sentry_project", "flags", "10"},

	/* ProjectKey.roles: ["store"]; ProjectKeyStatus.ACTIVE */
	{ANY_GENERATION, "sentry_projectkey", "roles", "1"},
	{ANY_GENERATION, "sentry_projectkey", "status", "0"},
	{SENTRY_GENERATION_9, "sentry_projectkey", "data", "'{}'"},

	/*
	 * get_default_loader_data() (loader/dynamic_sdk_options.py): the
	 * project's sentry:default_loader_options, whose default from epoch 10
	 * on (projectoptions/defaults.py) is this
	 */
	{SENTRY_GENERATION_MODERN, "sentry_projectkey", "data",
	"'{\"dynamicSdkLoaderOptions\":{\"hasPerformance\":true,\"hasReplay\":true}}'"},

	{ANY_GENERATION, "sentry_rule", "status", "0"},

	{ANY_GENERATION, "sentry_savedsearch", "is_default", "false"},
};

/*
 * The expression for table.column, or NULL.  A table-specific entry wins
 * over one for any table.
 */
const char *
sentry_column_default(SentryGeneration generation, const char *table, const char *column)
{
	const char *any_table = NULL;
	int			i;

	for (i = 0; i < (int) lengthof(column_defaults); i++)
	{
		const ColumnDefault *entry = &column_defaults[i];

		if (strcmp(entry->column, column) != 0)
			continue;
		if (entry->generation != ANY_GENERATION && entry->generation != (int) generation)
			continue;
		if (entry->table == NULL)
			any_table = entry->expression;
		else if (strcmp(entry->table, table) == 0)
			return entry->expression;
	}
	return any_table;
}
