/*-------------------------------------------------------------------------
 *
 * defaults.c
 *		Sentry's own defaults for the columns it fills in Python.
 *
 * Sentry's models give most fields a default in Python, not in the
 * database, so a raw INSERT must supply them.  This table is the one
 * place that knows those values; a new Sentry column with a database
 * default needs no entry, and a NOT NULL column with neither is a clear
 * error raised by tablewrite.c.  Values are SQL expressions.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "defaults.h"

typedef struct ColumnDefault
{
	const char *table;			/* NULL: any table */
	const char *column;
	const char *expression;
} ColumnDefault;

static const ColumnDefault column_defaults[] = {
	/* every model with a date_added field defaults it to timezone.now */
	{NULL, "date_added", "pg_catalog.now()"},

	{"auth_user", "first_name", "''"},
	{"auth_user", "name", "''"},
	{"auth_user", "is_staff", "false"},
	{"auth_user", "is_superuser", "false"},
	{"auth_user", "is_active", "true"},
	{"auth_user", "is_managed", "false"},
	{"auth_user", "is_password_expired", "false"},
	{"auth_user", "date_joined", "pg_catalog.now()"},
	{"auth_user", "last_password_change", "pg_catalog.now()"},
	{"auth_user", "flags", "0"},

	{"sentry_useremail", "validation_hash",
	"pg_catalog.md5(pg_catalog.gen_random_uuid()::text)"},
	{"sentry_useremail", "date_hash_added", "pg_catalog.now()"},
	{"sentry_useremail", "is_verified", "false"},

	{"sentry_organization", "status", "0"},
	{"sentry_organization", "flags", "1"},	/* allow_joinleave */
	{"sentry_organization", "default_role", "'member'"},

	{"sentry_organizationmember", "type", "50"},
	{"sentry_organizationmember", "has_global_access", "true"},
	{"sentry_organizationmember", "flags", "0"},
	{"sentry_organizationmember", "role", "'member'"},

	{"sentry_organizationmember_teams", "is_active", "true"},

	{"sentry_team", "status", "0"},

	{"sentry_project", "public", "false"},
	{"sentry_project", "status", "0"},
	{"sentry_project", "flags", "0"},

	{"sentry_projectkey", "roles", "1"},
	{"sentry_projectkey", "status", "0"},
	{"sentry_projectkey", "data", "'{}'"},

	{"sentry_rule", "status", "0"},

	{"sentry_savedsearch", "is_default", "false"},
};

/*
 * The expression for table.column, or NULL.  A table-specific entry wins
 * over one for any table.
 */
const char *
sentry_column_default(const char *table, const char *column)
{
	const char *any_table = NULL;
	int			i;

	for (i = 0; i < (int) lengthof(column_defaults); i++)
	{
		const ColumnDefault *entry = &column_defaults[i];

		if (strcmp(entry->column, column) != 0)
			continue;
		if (entry->table == NULL)
			any_table = entry->expression;
		else if (strcmp(entry->table, table) == 0)
			return entry->expression;
	}
	return any_table;
}
