/*-------------------------------------------------------------------------
 *
 * admin.c
 *		Users the fixture wants: found by email, given the fixture's
 *		password, superuser flag, organization role and teams.  The admin
 *		is the user who is a superuser owner of every fixture team; the
 *		entries of users (users.c) go through the same code.
 *
 * The password is written as Django stores it (password.c).  A stored
 * hash that already verifies against the fixture's password is left
 * alone, so a second apply writes nothing; the password itself never
 * reaches a message or a report row.
 *
 * Current Sentry keeps copies of the user's email beside it (auth_user's
 * email_unique, the membership's user_email), mirrors each membership
 * into a mapping row (companions.c) and gives a superuser the "Super
 * Admin" user role; columns and tables a generation lacks are left out.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/formatting.h"

#include "password.h"
#include "reconcile_int.h"
#include "sentry_fixtures.h"
#include "spiutil.h"

/* A user row as it is */
typedef struct ExistingUser
{
	int64		id;
	char	   *username;
	char	   *password;
	bool		is_superuser;
	bool		is_staff;
	bool		is_active;
	char	   *name;			/* NULL when the table has no name column */
	char	   *email;			/* as stored: it may differ in case */
	char	   *email_unique;	/* NULL also where the column does not exist */
} ExistingUser;

/*
 * The user role a self-hosted superuser holds, and its permissions
 * (settings.SENTRY_USER_PERMISSIONS) for when the role is missing
 */
#define SUPER_ADMIN_ROLE "Super Admin"
#define SUPER_ADMIN_PERMISSIONS "{broadcasts.admin,users.admin,options.admin}"

/*
 * A column for a select list, or NULL where the table lacks it.
 */
static const char *
column_or_null(const CatalogTable *table, const char *column)
{
	return catalog_find_column(table, column) != NULL ? quote_identifier(column) : "NULL";
}

/*
 * The email as current Sentry stores it in auth_user.email_unique.
 */
static char *
email_unique_of(const char *email)
{
	return str_tolower(email, strlen(email), DEFAULT_COLLATION_OID);
}

/* The column behind Sentry's User.name */
static const char *
user_name_column(const CatalogTable *table)
{
	return catalog_find_column(table, "first_name") ? "first_name" : "name";
}

/*
 * The user with that email (case-insensitive, as Sentry looks users up),
 * or false when there is none.
 */
static bool
load_user(const CatalogTable *table, const char *email, ExistingUser *user)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1] = {CStringGetTextDatum(email)};
	uint64		n;

	n = spi_select(psprintf("SELECT id, username, password, is_superuser, is_staff, is_active, %s,"
							" email, %s"
							" FROM %s WHERE pg_catalog.upper(email) = pg_catalog.upper($1)"
							" ORDER BY id",
							column_or_null(table, user_name_column(table)),
							column_or_null(table, "email_unique"), table->qualified_name),
				   1, argtypes, args);
	if (n > 1)
		ereport(ERROR,
				(errcode(ERRCODE_CARDINALITY_VIOLATION),
				 errmsg("email \"%s\" belongs to " UINT64_FORMAT " users", email, n),
				 errhint("Give the fixture's user an email that only one Sentry user has.")));
	if (n == 0)
		return false;

	user->id = spi_get_int64(0, 1);
	user->username = spi_get_text(0, 2);
	user->password = spi_get_text(0, 3);
	user->is_superuser = spi_get_bool(0, 4);
	user->is_staff = spi_get_bool(0, 5);
	user->is_active = spi_get_bool(0, 6);
	user->name = spi_get_text(0, 7);
	user->email = spi_get_text(0, 8);
	user->email_unique = spi_get_text(0, 9);
	return true;
}

/*
 * The password hash to store, or NULL when the stored one already
 * matches the fixture (or the fixture gives no password).
 */
static char *
wanted_password(const UserSpec *spec, const char *stored)
{
	if (spec->password_hash != NULL)
		return stored != NULL && password_hashes_equal(stored, spec->password_hash)
			? NULL : pstrdup(spec->password_hash);
	if (spec->password != NULL)
		return stored != NULL && password_verify(spec->password, stored)
			? NULL : password_hash(spec->password, sentry_fixtures_password_iterations);
	return NULL;
}

/* "false" or "true" */
static const char *
bool_text(bool value)
{
	return value ? "true" : "false";
}

/* Append "field: old -> new" to a detail when a flag changes */
static void
detail_flag(StringInfo detail, const char *field, bool old_value, bool new_value)
{
	if (old_value != new_value)
		detail_change(detail, field, bool_text(old_value), bool_text(new_value));
}

/*
 * Create the user or bring its row in line; returns its id, and its email
 * as stored in *email.  A superuser is staff too; a user who is not keeps
 * whatever staff flag it has.
 */
static int64
reconcile_user(ReconcileState *state, const CatalogTable *table, const UserSpec *spec,
			   char **email)
{
	const char *columns[] = {"id", "username", "email", "password", "is_superuser",
	"is_staff", "is_active", "email_unique", "first_name", "name"};
	const char *username = spec->username ? spec->username : spec->email;
	const char *superuser = bool_text(spec->superuser);
	bool		has_email_unique = catalog_find_column(table, "email_unique") != NULL;
	char	   *email_unique;
	RowBatch   *batch = row_batch_create(table, lengthof(columns), columns);
	ExistingUser user;
	char	   *password;
	const char *name;
	bool		staff;
	StringInfoData detail;

	if (!load_user(table, spec->email, &user))
	{
		int64		id = reconcile_new_ids(state, table, 1)[0];

		*email = pstrdup(spec->email);
		password = wanted_password(spec, NULL);
		name = spec->name ? spec->name : "";
		row_batch_add(batch, (const char *[]) {
			int64_text(id), username, spec->email,
			/* Django's unusable password when the fixture gives none */
				password ? password : psprintf("!%s", random_hex_key()),
				superuser, superuser, "true", email_unique_of(spec->email), name, name
		});
		reconcile_insert(state, batch);
		report_row(&state->report, REPORT_CREATE, "user", spec->email, id,
				   psprintf("username: %s%s", username, spec->superuser ? ", superuser" : ""));
		return id;
	}

	*email = user.email;
	email_unique = email_unique_of(user.email);
	initStringInfo(&detail);
	if (spec->username != NULL && strcmp(user.username, spec->username) != 0)
		detail_change(&detail, "username", user.username, spec->username);
	else
		username = user.username;
	name = user.name;
	if (spec->name != NULL && user.name != NULL && strcmp(user.name, spec->name) != 0)
	{
		detail_change(&detail, "name", user.name, spec->name);
		name = spec->name;
	}
	staff = spec->superuser || user.is_staff;
	detail_flag(&detail, "is_superuser", user.is_superuser, spec->superuser);
	detail_flag(&detail, "is_staff", user.is_staff, staff);
	detail_flag(&detail, "is_active", user.is_active, true);
	if (has_email_unique &&
		(user.email_unique == NULL || strcmp(user.email_unique, email_unique) != 0))
		detail_change(&detail, "email_unique", user.email_unique, email_unique);
	password = wanted_password(spec, user.password);
	if (password != NULL)
		appendStringInfo(&detail, "%spassword changed", detail.len > 0 ? ", " : "");

	if (detail.len == 0)
		report_unchanged(&state->report);
	else
	{
		const char *update_columns[] = {"id", "username", "is_superuser", "is_staff",
		"is_active", "email_unique", "first_name", "name"};
		RowBatch   *updates = row_batch_create(table, name ? lengthof(update_columns) : 6,
											   update_columns);

		row_batch_add(updates, (const char *[]) {
			int64_text(user.id), username, superuser, bool_text(staff), "true",
				email_unique, name, name
		});
		row_batch_update(updates);
		if (password != NULL)
		{
			RowBatch   *pw = row_batch_create(table, 2, (const char *[]) {"id", "password"});

			row_batch_add(pw, (const char *[]) {int64_text(user.id), password});
			row_batch_update(pw);
		}
		report_row(&state->report, REPORT_UPDATE, "user", spec->email, user.id,
				   detail.data);
	}
	return user.id;
}

/*
 * The user's verified sentry_useremail row, and its sentry_email row
 * where Sentry has that table.
 */
static void
reconcile_user_emails(ReconcileState *state, int64 user_id, const char *email)
{
	const CatalogTable *useremail = catalog_require_table(state->catalog, "sentry_useremail");
	const CatalogTable *email_table = catalog_find_table(state->catalog, "sentry_email");
	Oid			argtypes[2] = {INT8OID, TEXTOID};
	Datum		args[2] = {Int64GetDatum(user_id), CStringGetTextDatum(email)};
	uint64		n;

	n = spi_select(psprintf("SELECT id, is_verified FROM %s WHERE user_id = $1"
							" AND pg_catalog.upper(email) = pg_catalog.upper($2)",
							useremail->qualified_name), 2, argtypes, args);
	if (n == 0)
	{
		RowBatch   *batch = row_batch_create(useremail, 4, (const char *[]) {
			"id", "user_id", "email", "is_verified"
		});
		int64		id = reconcile_new_ids(state, useremail, 1)[0];

		row_batch_add(batch, (const char *[]) {int64_text(id), int64_text(user_id), email, "true"});
		reconcile_insert(state, batch);
	}
	else if (!spi_get_bool(0, 2))
	{
		RowBatch   *batch = row_batch_create(useremail, 2, (const char *[]) {"id", "is_verified"});

		row_batch_add(batch, (const char *[]) {int64_text(spi_get_int64(0, 1)), "true"});
		row_batch_update(batch);
	}

	if (email_table != NULL)
	{
		n = spi_select(psprintf("SELECT 1 FROM %s WHERE pg_catalog.upper(email::pg_catalog.text)"
								" = pg_catalog.upper($1)", email_table->qualified_name),
					   1, argtypes + 1, args + 1);
		if (n == 0)
		{
			RowBatch   *batch = row_batch_create(email_table, 2, (const char *[]) {"id", "email"});
			int64		id = reconcile_new_ids(state, email_table, 1)[0];

			row_batch_add(batch, (const char *[]) {int64_text(id), email});
			reconcile_insert(state, batch);
		}
	}
}

/*
 * The user as a member of the organization with the fixture's role (and,
 * in current Sentry, the copy of the user's stored email and active flag
 * that the user's outbox would write); returns the membership id, whose
 * mapping row follows it.  A new member has global access, as Sentry
 * gives it; a superuser always has it.
 */
static int64
reconcile_membership(ReconcileState *state, int64 user_id, const UserSpec *spec,
					 const char *stored_email)
{
	const CatalogTable *table = catalog_require_table(state->catalog, "sentry_organizationmember");
	const char *email = spec->email;
	bool		has_user_email = catalog_find_column(table, "user_email") != NULL;
	bool		has_user_is_active = catalog_find_column(table, "user_is_active") != NULL;
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		args[2] = {Int64GetDatum(state->organization_id), Int64GetDatum(user_id)};
	uint64		n;
	int64		id;

	n = spi_select(psprintf("SELECT id, role, has_global_access, %s, %s FROM %s"
							" WHERE organization_id = $1 AND user_id = $2 ORDER BY id",
							column_or_null(table, "user_email"),
							column_or_null(table, "user_is_active"),
							table->qualified_name), 2, argtypes, args);
	if (n == 0)
	{
		RowBatch   *batch = row_batch_create(table, 7, (const char *[]) {
			"id", "organization_id", "user_id", "role", "has_global_access",
				"user_email", "user_is_active"
		});

		id = reconcile_new_ids(state, table, 1)[0];
		row_batch_add(batch, (const char *[]) {
			int64_text(id), int64_text(state->organization_id), int64_text(user_id),
				spec->role, "true", stored_email, "true"
		});
		reconcile_insert(state, batch);
		report_row(&state->report, REPORT_CREATE, "member", email, id,
				   psprintf("role: %s", spec->role));
	}
	else
	{
		char	   *role = spi_get_text(0, 2);
		bool		global = spi_get_bool(0, 3);
		bool		wanted_global = global || spec->superuser;
		char	   *user_email = spi_get_text(0, 4);
		bool		user_is_active = spi_get_bool(0, 5);
		StringInfoData detail;

		id = spi_get_int64(0, 1);
		initStringInfo(&detail);
		if (role == NULL || strcmp(role, spec->role) != 0)
			detail_change(&detail, "role", role, spec->role);
		detail_flag(&detail, "has_global_access", global, wanted_global);
		if (has_user_email && (user_email == NULL || strcmp(user_email, stored_email) != 0))
			detail_change(&detail, "user_email", user_email, stored_email);
		if (has_user_is_active)
			detail_flag(&detail, "user_is_active", user_is_active, true);
		if (detail.len == 0)
			report_unchanged(&state->report);
		else
		{
			RowBatch   *batch = row_batch_create(table, 5, (const char *[]) {
				"id", "role", "has_global_access", "user_email", "user_is_active"
			});

			row_batch_add(batch, (const char *[]) {
				int64_text(id), spec->role, bool_text(wanted_global), stored_email, "true"
			});
			row_batch_update(batch);
			report_row(&state->report, REPORT_UPDATE, "member", email, id, detail.data);
		}
	}
	reconcile_companions(state, "sentry_organizationmember", &id, 1);
	return id;
}

/*
 * The id of the Super Admin user role, created as Sentry creates it when
 * it is missing.
 */
static int64
super_admin_role_id(ReconcileState *state, const CatalogTable *roles)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1] = {CStringGetTextDatum(SUPER_ADMIN_ROLE)};
	RowBatch   *batch;
	int64		id;

	if (spi_select(psprintf("SELECT id FROM %s WHERE name = $1 ORDER BY id LIMIT 1",
							roles->qualified_name), 1, argtypes, args) > 0)
		return spi_get_int64(0, 1);

	batch = row_batch_create(roles, 3, (const char *[]) {"id", "name", "permissions"});
	id = reconcile_new_ids(state, roles, 1)[0];
	row_batch_add(batch, (const char *[]) {int64_text(id), SUPER_ADMIN_ROLE, SUPER_ADMIN_PERMISSIONS});
	reconcile_insert(state, batch);
	return id;
}

/*
 * Where Sentry has user roles, a superuser holds Super Admin and a user
 * who is not loses it, as it loses is_superuser: the role alone would
 * still open Sentry's admin pages.
 */
static void
reconcile_user_roles(ReconcileState *state, int64 user_id, const UserSpec *spec)
{
	const CatalogTable *roles = catalog_find_table(state->catalog, "sentry_userrole");
	const CatalogTable *holders = catalog_find_table(state->catalog, "sentry_userrole_users");
	Oid			argtypes[2] = {INT8OID, TEXTOID};
	Datum		args[2] = {Int64GetDatum(user_id), CStringGetTextDatum(SUPER_ADMIN_ROLE)};
	RowBatch   *batch;
	int64		role_id;
	int64		holder_id;

	if (roles == NULL || holders == NULL)
		return;

	if (!spec->superuser)
	{
		if (spi_select(psprintf("SELECT h.id FROM %s AS h JOIN %s AS r ON r.id = h.role_id"
								" WHERE h.user_id = $1 AND r.name = $2 ORDER BY h.id LIMIT 1",
								holders->qualified_name, roles->qualified_name),
					   2, argtypes, args) == 0)
			return;
		holder_id = spi_get_int64(0, 1);
		table_delete_ids(holders, &holder_id, 1);
		report_row(&state->report, REPORT_DELETE, "user_role",
				   psprintf("%s/%s", spec->email, SUPER_ADMIN_ROLE), holder_id,
				   "not a superuser");
		return;
	}

	role_id = super_admin_role_id(state, roles);
	argtypes[1] = INT8OID;
	args[1] = Int64GetDatum(role_id);
	if (spi_select(psprintf("SELECT 1 FROM %s WHERE user_id = $1 AND role_id = $2",
							holders->qualified_name), 2, argtypes, args) > 0)
		return;

	batch = row_batch_create(holders, 3, (const char *[]) {"id", "role_id", "user_id"});
	row_batch_add(batch, (const char *[]) {
		int64_text(reconcile_new_ids(state, holders, 1)[0]), int64_text(role_id),
			int64_text(user_id)
	});
	reconcile_insert(state, batch);
}

/*
 * The user's memberships of the fixture's teams follow spec->teams: an
 * active membership of each team it names, none of the others.
 * Memberships of teams the fixture does not name are left alone.
 */
static void
reconcile_team_memberships(ReconcileState *state, int64 member_id, const UserSpec *spec)
{
	const CatalogTable *table = catalog_require_table(state->catalog,
													  "sentry_organizationmember_teams");
	Fixture    *fixture = state->fixture;
	RowBatch   *inserts = row_batch_create(table, 4, (const char *[]) {
		"id", "organizationmember_id", "team_id", "is_active"
	});
	RowBatch   *updates = row_batch_create(table, 2, (const char *[]) {"id", "is_active"});
	Oid			argtypes[1] = {INT8OID};
	Datum		args[1] = {Int64GetDatum(member_id)};
	int64	   *existing_team;
	int64	   *existing_id;
	bool	   *existing_active;
	int			nexisting;
	int			nnew = 0;
	int64	   *new_ids;
	int64	   *stale;
	int			nstale = 0;
	int			i;
	int			k;

	nexisting = (int) spi_select(psprintf("SELECT id, team_id, is_active FROM %s"
										  " WHERE organizationmember_id = $1",
										  table->qualified_name), 1, argtypes, args);
	existing_id = palloc(Max(nexisting, 1) * sizeof(int64));
	existing_team = palloc(Max(nexisting, 1) * sizeof(int64));
	existing_active = palloc(Max(nexisting, 1) * sizeof(bool));
	for (k = 0; k < nexisting; k++)
	{
		existing_id[k] = spi_get_int64(k, 1);
		existing_team[k] = spi_get_int64(k, 2);
		existing_active[k] = spi_get_bool(k, 3);
	}
	stale = palloc(Max(nexisting, 1) * sizeof(int64));

	for (i = 0; i < fixture->nteams; i++)
	{
		for (k = 0; k < nexisting && existing_team[k] != state->team_ids[i]; k++)
			;
		if (k == nexisting && spec->teams[i])
			nnew++;
	}
	new_ids = reconcile_new_ids(state, table, nnew);
	nnew = 0;

	for (i = 0; i < fixture->nteams; i++)
	{
		const char *name = psprintf("%s/%s", spec->email, fixture->teams[i].name.value);

		for (k = 0; k < nexisting && existing_team[k] != state->team_ids[i]; k++)
			;
		if (!spec->teams[i])
		{
			if (k < nexisting)
			{
				stale[nstale++] = existing_id[k];
				report_row(&state->report, REPORT_DELETE, "team_member", name, existing_id[k],
						   NULL);
			}
		}
		else if (k == nexisting)
		{
			row_batch_add(inserts, (const char *[]) {
				int64_text(new_ids[nnew]), int64_text(member_id),
					int64_text(state->team_ids[i]), "true"
			});
			report_row(&state->report, REPORT_CREATE, "team_member", name, new_ids[nnew], NULL);
			nnew++;
		}
		else if (!existing_active[k])
		{
			row_batch_add(updates, (const char *[]) {int64_text(existing_id[k]), "true"});
			report_row(&state->report, REPORT_UPDATE, "team_member", name, existing_id[k],
					   "is_active: false -> true");
		}
		else
			report_unchanged(&state->report);
	}

	table_delete_ids(table, stale, nstale);
	row_batch_update(updates);
	reconcile_insert(state, inserts);
}

/*
 * A user, its emails and its memberships.
 */
void
reconcile_user_spec(ReconcileState *state, const UserSpec *spec)
{
	const CatalogTable *users = catalog_require_table(state->catalog, "auth_user");
	char	   *stored_email;
	int64		user_id = reconcile_user(state, users, spec, &stored_email);
	int64		member_id;

	reconcile_user_emails(state, user_id, spec->email);
	reconcile_user_roles(state, user_id, spec);
	member_id = reconcile_membership(state, user_id, spec, stored_email);
	reconcile_team_memberships(state, member_id, spec);
}

/*
 * The admin: a superuser owner of every fixture team.
 */
void
reconcile_admin(ReconcileState *state)
{
	const FixtureAdmin *admin = &state->fixture->admin;
	bool	   *every_team = palloc(Max(state->fixture->nteams, 1) * sizeof(bool));
	UserSpec	spec;
	int			i;

	for (i = 0; i < state->fixture->nteams; i++)
		every_team[i] = true;
	spec.email = admin->email.value;
	spec.username = admin->username.value;
	spec.name = NULL;
	spec.password = admin->password.value;
	spec.password_hash = admin->password_hash.value;
	spec.superuser = true;
	spec.role = "owner";
	spec.teams = every_team;
	reconcile_user_spec(state, &spec);
}
