/*-------------------------------------------------------------------------
 *
 * reconcile_mapping.c
 *		Rows that current Sentry keeps beside an organization, a member or
 *		a project key: its control-silo mapping rows, written and deleted.
 *
 * Current Sentry splits its tables into a "control" and a "region" silo
 * and mirrors some region rows into control-side mapping tables through
 * outboxes (sentry_organizationmapping, sentry_organizationmembermapping,
 * sentry_projectkeymapping).  Organization lists, member lookups and DSN
 * resolution read the mapping rows, so whatever the reconciler creates
 * or changes must have its mapping row in step, as the outbox would have
 * left it.  Which tables mirror which, and how each mapping column
 * follows from its source row, is data (companion_specs); a schema that
 * lacks a mapping table (Sentry 9) simply has no companions.
 *
 * For a set of source rows, one statement reads each source row's wanted
 * mapping values next to its current mapping row; then one insert and
 * one update write what is missing or different.
 *
 * Mapping rows go when their source row does.  Nothing in the catalog
 * ties them to it (their reference has no constraint), so which mapping
 * rows a deleted row takes along is data too (mapping_refs): one
 * statement per reference, before the source rows are deleted.  The
 * workflow engine's AlertRuleWorkflow rows refer to rules the same way,
 * and go the same way.
 *
 * A new organization's slug reservation, another control-silo row, is
 * written here too.
 *
 * All of the reconciler's knowledge of mapping rows is in this file.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "reconcile_mapping.h"
#include "reconcile_util.h"
#include "spiutil.h"

#define COMPANION_MAX_COLUMNS 14

/*
 * A mapping table that mirrors a source table: the mapping row whose key
 * column holds a source row's id gets, in each column, the value of an SQL
 * expression over the source row "s"; $2 in an expression is the region
 * (cell) name.
 */
typedef struct CompanionSpec
{
	const char *source;
	const char *table;
	const char *key;
	const char *columns[COMPANION_MAX_COLUMNS];
	const char *expressions[COMPANION_MAX_COLUMNS];
} CompanionSpec;

static const CompanionSpec companion_specs[] = {
	/*
	 * RpcOrganizationMappingUpdate.from_orm(organization): the flags by
	 * their bit in Organization.flags (allow_joinleave 1 ... codecov_access
	 * 128, not mirrored, ... disable_member_invite 1024)
	 */
	{"sentry_organization", "sentry_organizationmapping", "organization_id",
		{"slug", "name", "status", "region_name", "allow_joinleave", "enhanced_privacy",
			"disable_shared_issues", "early_adopter", "require_2fa",
			"disable_new_visibility_features", "require_email_verification",
		"disable_member_project_creation", "prevent_superuser_access", "disable_member_invite"},
		{"s.slug", "s.name", "s.status", "$2", "(s.flags & 1) <> 0", "(s.flags & 2) <> 0",
			"(s.flags & 4) <> 0", "(s.flags & 8) <> 0", "(s.flags & 16) <> 0",
			"(s.flags & 32) <> 0", "(s.flags & 64) <> 0",
	"(s.flags & 256) <> 0", "(s.flags & 512) <> 0", "(s.flags & 1024) <> 0"}},
	/* RpcOrganizationMemberMappingUpdate.from_orm(member) */
	{"sentry_organizationmember", "sentry_organizationmembermapping", "organizationmember_id",
		{"organization_id", "user_id", "role", "email", "invite_status", "inviter_id"},
	{"s.organization_id", "s.user_id", "s.role", "s.email", "s.invite_status", "s.inviter_id"}},
	/* ProjectKey's outbox: the key's public key in its cell */
	{"sentry_projectkey", "sentry_projectkeymapping", "project_key_id",
		{"public_key", "cell_name"},
	{"s.public_key", "$2"}},
};

/*
 * Where existing mapping rows say this Sentry's region lives; the first
 * that has a row wins.  A single-server install names its region
 * settings.SENTRY_MONOLITH_REGION.
 */
static const struct
{
	const char *table;
	const char *column;
}			region_sources[] = {
	{"sentry_organizationmapping", "region_name"},
	{"sentry_projectkeymapping", "cell_name"},
};

#define MONOLITH_REGION "--monolith--"

/*
 * The region name, read once per apply: it is kept in state->context, as
 * the step that reads it first is not the last to use it.
 */
static const char *
region_name(ReconcileState *state)
{
	StringInfoData sql;
	int			i;

	if (state->region_name != NULL)
		return state->region_name;

	initStringInfo(&sql);
	appendStringInfoString(&sql, "SELECT COALESCE(");
	for (i = 0; i < (int) lengthof(region_sources); i++)
	{
		const CatalogTable *table = catalog_find_table(state->catalog, region_sources[i].table);

		if (table == NULL || catalog_find_column(table, region_sources[i].column) == NULL)
			continue;
		appendStringInfo(&sql, "(SELECT %s::pg_catalog.text FROM %s ORDER BY id LIMIT 1), ",
						 quote_identifier(region_sources[i].column), table->qualified_name);
	}
	appendStringInfoString(&sql, "$1)");

	spi_select(sql.data, 1, (Oid[]) {TEXTOID},
			   (Datum[]) {CStringGetTextDatum(MONOLITH_REGION)});
	state->region_name = MemoryContextStrdup(state->context, spi_get_text(0, 1));
	return state->region_name;
}

/*
 * Bring the mapping rows of one spec in line for the source ids.
 */
static void
sync_companion(ReconcileState *state, const CompanionSpec *spec,
			   const CatalogTable *source, const CatalogTable *table,
			   const int64 *ids, int nids)
{
	const char *columns[COMPANION_MAX_COLUMNS + 2];
	int			ncolumns = 0;
	StringInfoData wanted;
	StringInfoData current;
	RowBatch   *inserts;
	RowBatch   *updates;
	int64	   *new_ids;
	uint64		nrows;
	uint64		i;
	int			k;

	/* id and key first, then the mirrored columns this schema has */
	columns[0] = "id";
	columns[1] = spec->key;
	initStringInfo(&wanted);
	initStringInfo(&current);
	for (k = 0; k < COMPANION_MAX_COLUMNS && spec->columns[k] != NULL; k++)
	{
		if (catalog_find_column(table, spec->columns[k]) == NULL)
			continue;
		columns[2 + ncolumns] = spec->columns[k];
		appendStringInfo(&wanted, ", (%s)::pg_catalog.text", spec->expressions[k]);
		appendStringInfo(&current, ", c.%s::pg_catalog.text", quote_identifier(spec->columns[k]));
		ncolumns++;
	}

	/* one row per source id: its first mapping row, if any */
	nrows = spi_select(psprintf("SELECT DISTINCT ON (s.id) s.id, c.id%s%s FROM %s AS s"
										" JOIN pg_catalog.unnest($1) AS r(id) ON r.id = s.id"
										" LEFT JOIN %s AS c ON c.%s = s.id"
										" ORDER BY s.id, c.id",
										wanted.data, current.data, source->qualified_name,
										table->qualified_name, quote_identifier(spec->key)),
							   2, (Oid[]) {INT8ARRAYOID, TEXTOID},
							   (Datum[]) {int8_array_datum(ids, nids),
							   CStringGetTextDatum(region_name(state))});

	/* decide from the result before the id allocation replaces it */
	inserts = row_batch_create(table, 2 + ncolumns, columns);
	updates = row_batch_create(table, 2 + ncolumns, columns);
	for (i = 0; i < nrows; i++)
	{
		const char *values[COMPANION_MAX_COLUMNS + 2];
		char	   *mapping_id = spi_get_text(i, 2);
		bool		differs = false;

		values[0] = mapping_id;
		values[1] = spi_get_text(i, 1);
		for (k = 0; k < ncolumns; k++)
		{
			values[2 + k] = spi_get_text(i, 3 + k);
			if (!same_text(values[2 + k], spi_get_text(i, 3 + ncolumns + k)))
				differs = true;
		}
		if (mapping_id == NULL)
			row_batch_add(inserts, values);
		else if (differs)
			row_batch_add(updates, values);
	}

	/* the new rows' ids */
	new_ids = reconcile_new_ids(state, table, inserts->nrows);
	for (k = 0; k < inserts->nrows; k++)
		inserts->values[0][k] = int64_text(new_ids[k]);

	row_batch_update(updates);
	reconcile_insert(state, inserts);
}

/*
 * Bring the mapping rows of the source table's rows ids[0..nids-1] in
 * line with them: create the missing ones, update the ones that differ.
 */
void
reconcile_companions(ReconcileState *state, const char *source_name,
					 const int64 *ids, int nids)
{
	int			i;

	if (nids == 0)
		return;
	for (i = 0; i < (int) lengthof(companion_specs); i++)
	{
		const CompanionSpec *spec = &companion_specs[i];
		const CatalogTable *source;
		const CatalogTable *table;

		if (strcmp(spec->source, source_name) != 0)
			continue;
		source = catalog_find_table(state->catalog, spec->source);
		table = catalog_find_table(state->catalog, spec->table);
		if (source == NULL || table == NULL)
			continue;
		sync_companion(state, spec, source, table, ids, nids);
	}
}

/*
 * A new organization's primary slug reservation (reservation_type 0), as
 * organization provisioning writes it; created by no user.  A schema
 * without the table, or a level before it, has none.
 */
void
reserve_organization_slug(ReconcileState *state, int64 organization_id, const char *slug)
{
	static const char *const columns[] = {
		"id", "slug", "organization_id", "region_name", "reservation_type"
	};
	const CatalogTable *table = catalog_find_table(state->catalog,
												   "sentry_organizationslugreservation");
	RowBatch   *batch;

	if (table == NULL || state->catalog->levels == NULL ||
		!levels_behaviour_on(state->catalog->levels, BEHAVIOUR_ORG_SLUG_RESERVATION))
		return;
	batch = row_batch_create(table, lengthof(columns), columns);
	row_batch_add(batch, (const char *[]) {
		int64_text(reconcile_new_ids(state, table, 1)[0]), slug,
		int64_text(organization_id), region_name(state), "0"
	});
	reconcile_insert(state, batch);
}

/*
 * Mapping rows that go when a row of root goes: those of table whose
 * column holds the id of a via row whose via_column is the root's id.
 */
typedef struct MappingRef
{
	const char *root;
	const char *table;
	const char *column;
	const char *via;
	const char *via_column;
} MappingRef;

static const MappingRef mapping_refs[] = {
	/* a project's keys' rows */
	{"sentry_project", "sentry_projectkeymapping", "project_key_id", "sentry_projectkey", "project_id"},
	/* a key's row */
	{"sentry_projectkey", "sentry_projectkeymapping", "project_key_id", "sentry_projectkey", "id"},
	/* a membership's row */
	{"sentry_organizationmember", "sentry_organizationmembermapping", "organizationmember_id",
	"sentry_organizationmember", "id"},
	/* the AlertRuleWorkflow rows of a project's rules: rule_id has no constraint */
	{"sentry_project", "workflow_engine_alertruleworkflow", "rule_id", "sentry_rule", "project_id"},
};

/*
 * Delete the mapping rows that ref reaches from the roots ids, in one
 * statement, and add them to each root's counts.  A schema that lacks
 * ref's tables or columns has none.
 */
static void
delete_mapping_ref(ReconcileState *state, const MappingRef *ref,
				   const int64 *ids, int nids, CascadeCount *counts)
{
	const CatalogTable *table = catalog_find_table(state->catalog, ref->table);
	const CatalogTable *via = catalog_find_table(state->catalog, ref->via);
	Oid			argtypes[1] = {INT8ARRAYOID};
	Datum		args[1];
	uint64		n;
	uint64		i;

	if (table == NULL || via == NULL || catalog_find_column(table, ref->column) == NULL ||
		catalog_find_column(via, ref->via_column) == NULL)
		return;
	args[0] = int8_array_datum(ids, nids);

	/* rows deleted per position of ids: an id given twice counts twice */
	n = spi_select(psprintf("WITH gone AS (DELETE FROM %s AS t USING %s AS v,"
							" pg_catalog.unnest($1) AS r(id)"
							" WHERE t.%s = v.id AND v.%s = r.id RETURNING v.%s AS root)"
							" SELECT r.ord, pg_catalog.count(*)"
							" FROM pg_catalog.unnest($1) WITH ORDINALITY AS r(id, ord)"
							" JOIN gone ON gone.root = r.id GROUP BY r.ord",
							table->qualified_name, via->qualified_name,
							quote_identifier(ref->column), quote_identifier(ref->via_column),
							quote_identifier(ref->via_column)),
				   1, argtypes, args);
	for (i = 0; i < n; i++)
	{
		CascadeCount *count = &counts[spi_get_int64(i, 1) - 1];

		count->dependent_rows += spi_get_int64(i, 2);
		count->dependent_tables++;
	}
}

/*
 * delete_mapping_rows: see reconcile_mapping.h.
 */
void
delete_mapping_rows(ReconcileState *state, const char *root,
					const int64 *ids, int nids, CascadeCount *counts)
{
	for (int i = 0; i < (int) lengthof(mapping_refs); i++)
		if (strcmp(mapping_refs[i].root, root) == 0)
			delete_mapping_ref(state, &mapping_refs[i], ids, nids, counts);
}
