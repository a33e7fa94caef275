/*-------------------------------------------------------------------------
 *
 * users.c
 *		The fixture's users besides the admin, and with prune the members
 *		it does not name.
 *
 * The entries of users go through admin.c's code together, each with its
 * own superuser flag, role (member when absent) and teams.  Users are matched by email,
 * ignoring case.  Pruning removes the organization memberships of users
 * the fixture does not name, never the users themselves; invitations
 * (memberships without a user) are left alone.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"

#include "reconcile_cascade.h"
#include "reconcile_int.h"
#include "spiutil.h"

/* Sentry's role for a member the fixture gives none */
#define DEFAULT_USER_ROLE "member"

/*
 * A membership's control-silo mapping row (companions.c): its reference
 * is nullable and has no constraint, so cascade.c would only clear it.
 */
static const MappingRef member_mapping_ref =
{"sentry_organizationmembermapping", "organizationmember_id", "sentry_organizationmember", "id"};

/*
 * The UserSpec of a fixture entry; teams, filled per fixture team, is
 * the caller's.
 */
static void
user_spec_of(const Fixture *fixture, const FixtureUser *user, UserSpec *spec, bool *teams)
{
	int			k;

	memset(teams, 0, Max(fixture->nteams, 1) * sizeof(bool));
	for (k = 0; k < user->nteams; k++)
		teams[user->team_indexes[k]] = true;
	spec->email = user->email.value;
	spec->username = user->username.value;
	spec->name = user->name.value;
	spec->password = user->password.value;
	spec->password_hash = user->password_hash.value;
	spec->superuser = user->superuser;
	spec->role = user->role.value ? user->role.value : DEFAULT_USER_ROLE;
	spec->teams = teams;
}

/*
 * reconcile_users: see reconcile_int.h.  All of them go through each step
 * together (admin.c).
 */
void
reconcile_users(ReconcileState *state)
{
	Fixture    *fixture = state->fixture;
	UserSpec   *specs = palloc(Max(fixture->nusers, 1) * sizeof(UserSpec));

	for (int i = 0; i < fixture->nusers; i++)
		user_spec_of(fixture, &fixture->users[i], &specs[i],
					 palloc(Max(fixture->nteams, 1) * sizeof(bool)));
	reconcile_user_specs(state, specs, fixture->nusers);
}

/*
 * prune_members: see reconcile_int.h.  The memberships go with their team
 * memberships (cascade.c) and mapping rows; one delete row each, named by
 * the email.
 */
void
prune_members(ReconcileState *state)
{
	const CatalogTable *members = catalog_require_table(state->catalog, "sentry_organizationmember");
	const CatalogTable *users = catalog_require_table(state->catalog, "auth_user");
	Fixture    *fixture = state->fixture;
	char	  **emails = palloc((fixture->nusers + 1) * sizeof(char *));
	int			nemails = 0;
	Oid			argtypes[2] = {INT8OID, TEXTARRAYOID};
	Datum		args[2];
	int64	   *ids;
	char	  **names;
	CascadeCount *counts;
	CascadeCount *mappings;
	uint64		n;
	uint64		i;

	if (fixture->admin.present)
		emails[nemails++] = fixture->admin.email.value;
	for (i = 0; i < (uint64) fixture->nusers; i++)
		emails[nemails++] = fixture->users[i].email.value;
	args[0] = Int64GetDatum(state->organization_id);
	args[1] = text_array_datum(emails, nemails);

	n = spi_select(psprintf("SELECT m.id, u.email FROM %s AS m JOIN %s AS u ON u.id = m.user_id"
							" WHERE m.organization_id = $1 AND pg_catalog.upper(u.email)"
							" <> ALL (SELECT pg_catalog.upper(e) FROM pg_catalog.unnest($2) AS e)"
							" ORDER BY m.id",
							members->qualified_name, users->qualified_name),
				   2, argtypes, args);
	if (n == 0)
		return;

	ids = palloc(n * sizeof(int64));
	names = palloc(n * sizeof(char *));
	counts = palloc0(n * sizeof(CascadeCount));
	mappings = palloc0(n * sizeof(CascadeCount));
	for (i = 0; i < n; i++)
	{
		ids[i] = spi_get_int64(i, 1);
		names[i] = spi_get_text(i, 2);
	}
	/* first, while the memberships they go through still exist */
	delete_mapping_rows(state, &member_mapping_ref, ids, (int) n, mappings);
	cascade_delete(state->catalog->schema, "sentry_organizationmember", ids, (int) n, counts);
	for (i = 0; i < n; i++)
		report_row(&state->report, REPORT_DELETE, "member", names[i], ids[i],
				   psprintf("not in the fixture; the user stays; " INT64_FORMAT
							" dependent rows in %d tables deleted",
							counts[i].dependent_rows + mappings[i].dependent_rows,
							counts[i].dependent_tables + mappings[i].dependent_tables));
}
