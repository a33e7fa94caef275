/*-------------------------------------------------------------------------
 *
 * reconcile_prune.c
 *		Delete what the fixture no longer names, so the database converges
 *		on the fixture.
 *
 * Runs after the rest of the apply, when every fixture entry has its row:
 *	- projects of the organization whose id and name no fixture project
 *	  has, except Sentry's own internal project (slug "internal") unless
 *	  the fixture names it;
 *	- keys of the managed projects that the fixture does not list;
 *	- teams of the organization the fixture does not name, but for those
 *	  that hold a project that stays unmanaged (the internal project);
 *	- memberships of users the fixture does not name.
 * Each is deleted as Sentry deletes it, with what depends on it and its
 * mapping rows (reconcile_delete.c), and is one delete row saying how much
 * went with it.  The queries here see the apply's own writes
 * (spi_select).  A project kept by its name only is the other half of a
 * skipped entry (rule 5): it stays.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"

#include "reconcile_int.h"
#include "reconcile_util.h"
#include "spiutil.h"

/* The project Sentry creates for its own events */
#define SENTRY_INTERNAL_PROJECT_SLUG "internal"

/*
 * Delete the rows of table whose ids the last query returned in column 1,
 * named by column 2, as Sentry does (reconcile_delete); one report row
 * each, whose detail starts with column 3 when it is not NULL.
 */
static void
delete_selected(ReconcileState *state, const char *table, const char *kind,
				uint64 n)
{
	int64	   *ids = palloc(Max(n, 1) * sizeof(int64));
	char	  **names = palloc(Max(n, 1) * sizeof(char *));
	char	  **details = palloc(Max(n, 1) * sizeof(char *));

	for (uint64 i = 0; i < n; i++)
	{
		char	   *what = spi_get_text(i, 3);

		ids[i] = spi_get_int64(i, 1);
		names[i] = spi_get_text(i, 2);
		details[i] = what ? psprintf("%s; not in the fixture", what) : "not in the fixture";
	}
	reconcile_delete(state, table, kind, ids, names, details, (int) n, true);
}

/*
 * Projects of the organization that no fixture entry names by id or name.
 */
static void
prune_projects(ReconcileState *state)
{
	const CatalogTable *table = catalog_require_table(state->catalog, "sentry_project");
	Fixture    *fixture = state->fixture;
	int64	   *ids = palloc(Max(fixture->nprojects, 1) * sizeof(int64));
	char	  **names = palloc(Max(fixture->nprojects, 1) * sizeof(char *));
	Oid			argtypes[4] = {INT8OID, INT8ARRAYOID, TEXTARRAYOID, TEXTOID};
	Datum		args[4];
	int			i;

	for (i = 0; i < fixture->nprojects; i++)
	{
		ids[i] = fixture->projects[i].parsed.project_id;
		names[i] = fixture->projects[i].name.value;
	}
	args[0] = Int64GetDatum(state->organization_id);
	args[1] = int8_array_datum(ids, fixture->nprojects);
	args[2] = text_array_datum(names, fixture->nprojects);
	args[3] = CStringGetTextDatum(SENTRY_INTERNAL_PROJECT_SLUG);

	delete_selected(state, "sentry_project", "project",
					spi_select(psprintf("SELECT p.id, p.name, NULL FROM %s AS p WHERE p.organization_id = $1"
										" AND NOT EXISTS (SELECT FROM pg_catalog.unnest($2) AS f(id) WHERE f.id = p.id)"
										" AND NOT EXISTS (SELECT FROM pg_catalog.unnest($3) AS f(name) WHERE f.name = p.name)"
										" AND p.slug IS DISTINCT FROM $4 ORDER BY p.id",
										table->qualified_name), 4, argtypes, args));
}

/*
 * Keys of the managed projects other than the ones the fixture gives.
 */
static void
prune_project_keys(ReconcileState *state)
{
	const CatalogTable *table = catalog_require_table(state->catalog, "sentry_projectkey");
	const CatalogTable *projects = catalog_require_table(state->catalog, "sentry_project");
	Fixture    *fixture = state->fixture;
	int64	   *ids = palloc(Max(fixture->nprojects, 1) * sizeof(int64));
	char	  **public_keys = palloc(Max(fixture->nkeys, 1) * sizeof(char *));
	int			nids = 0;
	int			nkeys = 0;
	Oid			argtypes[2] = {INT8ARRAYOID, TEXTARRAYOID};
	Datum		args[2];
	int			i;
	int			k;

	for (i = 0; i < fixture->nprojects; i++)
	{
		if (state->projects[i].skipped)
			continue;
		ids[nids++] = fixture->projects[i].parsed.project_id;
		for (k = 0; k < fixture->projects[i].nkeys; k++)
			public_keys[nkeys++] = fixture->projects[i].keys[k].parsed.public_key;
	}
	args[0] = int8_array_datum(ids, nids);
	args[1] = text_array_datum(public_keys, nkeys);

	delete_selected(state, "sentry_projectkey", "project_key",
					spi_select(psprintf("SELECT k.id, p.name, 'public_key: ' || coalesce(k.public_key, '(none)')"
										" FROM %s AS k JOIN %s AS p ON p.id = k.project_id"
										" JOIN pg_catalog.unnest($1::pg_catalog.int8[]) AS f(project_id)"
										" ON f.project_id = k.project_id"
										" WHERE NOT EXISTS (SELECT FROM pg_catalog.unnest($2::pg_catalog.text[]) AS w(public_key)"
										" WHERE w.public_key = k.public_key) ORDER BY k.id",
										table->qualified_name, projects->qualified_name),
							   2, argtypes, args));
}

/*
 * Teams of the organization the fixture does not name, except those that
 * still hold a project the fixture does not manage (Sentry's internal
 * project, the other half of a skipped entry): that project keeps its team.
 */
static void
prune_teams(ReconcileState *state)
{
	const CatalogTable *table = catalog_require_table(state->catalog, "sentry_team");
	const CatalogTable *projectteams = catalog_require_table(state->catalog, "sentry_projectteam");
	Fixture    *fixture = state->fixture;
	int64	   *managed = palloc(Max(fixture->nprojects, 1) * sizeof(int64));
	int			nmanaged = 0;
	Oid			argtypes[3] = {INT8OID, INT8ARRAYOID, INT8ARRAYOID};
	Datum		args[3];
	int			i;

	for (i = 0; i < fixture->nprojects; i++)
		if (!state->projects[i].skipped)
			managed[nmanaged++] = fixture->projects[i].parsed.project_id;
	args[0] = Int64GetDatum(state->organization_id);
	args[1] = int8_array_datum(state->team_ids, fixture->nteams);
	args[2] = int8_array_datum(managed, nmanaged);

	delete_selected(state, "sentry_team", "team",
					spi_select(psprintf("SELECT t.id, t.name, NULL FROM %s AS t"
										" WHERE t.organization_id = $1"
										" AND NOT EXISTS (SELECT FROM pg_catalog.unnest($2) AS f(id) WHERE f.id = t.id)"
										" AND NOT EXISTS (SELECT FROM %s AS pt WHERE pt.team_id = t.id"
										" AND NOT EXISTS (SELECT FROM pg_catalog.unnest($3) AS m(id)"
										" WHERE m.id = pt.project_id)) ORDER BY t.id",
										table->qualified_name, projectteams->qualified_name),
							   3, argtypes, args));
}

/* The role of an organization's owners (roles.get_top_dog()) */
#define OWNER_ROLE "owner"

/* Owners named in the refusal; more are counted */
#define MAX_OWNERS_SHOWN 10

/*
 * Refuse, before a membership is deleted, a prune that would leave the
 * organization without an owner, as Sentry refuses to remove its only
 * remaining owner: an organization nobody owns can only be repaired by
 * hand.  An owner is an owner membership of an active user (Sentry's
 * _is_only_owner()).  The last query returned the memberships to delete,
 * with the email in column 2 and whether it is an owner in column 3; an
 * organization that has no owner before the prune is not refused.
 */
static void
check_owner_stays(ReconcileState *state, const CatalogTable *members,
				  const CatalogTable *users, Datum emails, uint64 ndeleted)
{
	Oid			argtypes[3] = {INT8OID, TEXTARRAYOID, TEXTOID};
	Datum		args[3] = {Int64GetDatum(state->organization_id), emails,
	CStringGetTextDatum(OWNER_ROLE)};
	StringInfoData owners;
	uint64		nowners = 0;

	initStringInfo(&owners);
	for (uint64 i = 0; i < ndeleted; i++)
		if (spi_get_bool(i, 3))
		{
			if (nowners < MAX_OWNERS_SHOWN)
				appendStringInfo(&owners, "%s%s", nowners > 0 ? ", " : "", spi_get_text(i, 2));
			nowners++;
		}
	if (nowners == 0)
		return;
	if (nowners > MAX_OWNERS_SHOWN)
		appendStringInfo(&owners, " and " UINT64_FORMAT " more", nowners - MAX_OWNERS_SHOWN);

	/* the owners the fixture names, which stay */
	if (spi_select(psprintf("SELECT FROM %s AS m JOIN %s AS u ON u.id = m.user_id"
							" WHERE m.organization_id = $1 AND m.role = $3 AND u.is_active"
							" AND EXISTS (SELECT FROM pg_catalog.unnest($2) AS f(email)"
							" WHERE pg_catalog.upper(f.email) = pg_catalog.upper(u.email)) LIMIT 1",
							members->qualified_name, users->qualified_name),
				   3, argtypes, args) > 0)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION),
			 errmsg("prune would leave the organization without an owner"),
			 errdetail_plural("Prune would remove the membership of its only owner, %s, whom the fixture does not name.",
							  "Prune would remove the memberships of all its owners, whom the fixture does not name: %s.",
							  (unsigned long) nowners, owners.data),
			 errhint("Name an owner to keep under admin: or under users: with role: owner.")));
}

/*
 * Memberships of users the fixture does not name; the users stay, and
 * invitations (memberships without a user) are left alone.  The
 * memberships go with their team memberships (reconcile_cascade.c) and
 * mapping rows; one delete row each, named by the email.  The
 * organization keeps an owner (check_owner_stays).
 */
static void
prune_members(ReconcileState *state)
{
	const CatalogTable *members = catalog_require_table(state->catalog, "sentry_organizationmember");
	const CatalogTable *users = catalog_require_table(state->catalog, "auth_user");
	Fixture    *fixture = state->fixture;
	char	  **emails = palloc((fixture->nusers + 1) * sizeof(char *));
	int			nemails = 0;
	Oid			argtypes[3] = {INT8OID, TEXTARRAYOID, TEXTOID};
	Datum		args[3];
	int64	   *ids;
	char	  **names;
	char	  **details;
	uint64		n;
	uint64		i;

	if (fixture->admin.present)
		emails[nemails++] = fixture->admin.email.value;
	for (i = 0; i < (uint64) fixture->nusers; i++)
		emails[nemails++] = fixture->users[i].email.value;
	args[0] = Int64GetDatum(state->organization_id);
	args[1] = text_array_datum(emails, nemails);
	args[2] = CStringGetTextDatum(OWNER_ROLE);

	n = spi_select(psprintf("SELECT m.id, u.email, m.role IS NOT DISTINCT FROM $3 AND u.is_active"
							" FROM %s AS m JOIN %s AS u ON u.id = m.user_id"
							" WHERE m.organization_id = $1 AND NOT EXISTS (SELECT FROM pg_catalog.unnest($2) AS f(email)"
							" WHERE pg_catalog.upper(f.email) = pg_catalog.upper(u.email))"
							" ORDER BY m.id",
							members->qualified_name, users->qualified_name),
				   3, argtypes, args);
	if (n == 0)
		return;

	ids = palloc(n * sizeof(int64));
	names = palloc(n * sizeof(char *));
	details = palloc(n * sizeof(char *));
	for (i = 0; i < n; i++)
	{
		ids[i] = spi_get_int64(i, 1);
		names[i] = spi_get_text(i, 2);
		details[i] = "not in the fixture; the user stays";
	}
	check_owner_stays(state, members, users, args[1], n);
	reconcile_delete(state, "sentry_organizationmember", "member", ids, names, details,
					 (int) n, false);
}

/*
 * reconcile_prune: see reconcile_int.h.
 */
void
reconcile_prune(ReconcileState *state)
{
	prune_projects(state);
	prune_project_keys(state);
	prune_teams(state);
	prune_members(state);
}
