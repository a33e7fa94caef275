/*-------------------------------------------------------------------------
 *
 * reconcile_users.c
 *		Users the fixture wants: found by email, given the fixture's
 *		password, superuser flag, organization role and teams.  The admin
 *		is the user who is a superuser owner of every fixture team; the
 *		entries of users go through the same code, each with its own
 *		superuser flag, role (member when absent) and teams.
 *
 * The password is written as Django stores it (password.c).  A stored
 * hash that already verifies against the fixture's password is left
 * alone, so a second apply writes nothing; the password itself never
 * reaches a message or a report row.
 *
 * Current Sentry keeps copies of the user's email beside it (auth_user's
 * email_unique, the membership's user_email), mirrors each membership
 * into a mapping row (reconcile_mapping.c) and gives a superuser the "Super
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
#include "reconcile_mapping.h"
#include "reconcile_util.h"
#include "sentry_fixtures.h"
#include "spiutil.h"

/*
 * A user the fixture wants in the organization: the admin (a superuser
 * owner of every team) or an entry of users.
 */
typedef struct UserSpec
{
	const char *email;
	const char *username;		/* NULL: kept; the email for a new user */
	const char *name;			/* NULL: kept */
	const char *password;		/* secret */
	const char *password_hash;
	bool		superuser;		/* also staff; else not a superuser */
	const char *role;			/* organization role */
	const int  *team_indexes;	/* the fixture teams it is a member of:
								 * ascending, each once */
	int			nteams;
} UserSpec;

/* Sentry's role for a member the fixture gives none */
#define DEFAULT_USER_ROLE "member"

/* A user row as it is; id 0 when there is none */
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
 * A user the fixture wants, and what the apply found and made of it.  The
 * users of one call go through each step together: one statement per
 * table and action, whatever their number.
 */
typedef struct UserWork
{
	const UserSpec *spec;
	int64		user_id;
	char	   *stored_email;	/* the user's email as stored */
	int64		member_id;
} UserWork;

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

/* The fixture users' emails, as an array */
static Datum
email_array(const UserWork *work, int n)
{
	char	  **emails = palloc(Max(n, 1) * sizeof(char *));

	for (int i = 0; i < n; i++)
		emails[i] = unconstify(char *, work[i].spec->email);
	return text_array_datum(emails, n);
}

/* The ids of the fixture users' Sentry users, as an array */
static Datum
user_id_array(const UserWork *work, int n)
{
	int64	   *ids = palloc(Max(n, 1) * sizeof(int64));

	for (int i = 0; i < n; i++)
		ids[i] = work[i].user_id;
	return int8_array_datum(ids, n);
}

/*
 * The users with the fixture users' emails (case-insensitive, as Sentry
 * looks users up), in one statement: found[i] is work[i]'s, id 0 when
 * there is none.  An email more than one user has, or two emails of the
 * fixture that find the same user, are errors.
 */
static ExistingUser *
load_users(const CatalogTable *table, const UserWork *work, int n)
{
	ExistingUser *found = palloc0(Max(n, 1) * sizeof(ExistingUser));
	Oid			argtypes[1] = {TEXTARRAYOID};
	Datum		args[1] = {email_array(work, n)};
	uint64		nrows;

	nrows = spi_select(psprintf("SELECT e.i, u.id, u.username, u.password, u.is_superuser,"
								" u.is_staff, u.is_active, u.%s, u.email, %s"
								" FROM pg_catalog.unnest($1) WITH ORDINALITY AS e(email, i)"
								" JOIN %s AS u ON pg_catalog.upper(u.email) = pg_catalog.upper(e.email)"
								" ORDER BY e.i, u.id",
								catalog_find_column(table, user_name_column(table)) != NULL
								? quote_identifier(user_name_column(table)) : "email",
								catalog_find_column(table, "email_unique") != NULL
								? "u.email_unique" : "NULL",
								table->qualified_name),
					   1, argtypes, args);
	for (uint64 row = 0; row < nrows; row++)
	{
		int			i = (int) spi_get_int64(row, 1) - 1;
		ExistingUser *user = &found[i];
		uint64		same = 1;

		/* rows come ordered by email: the rest of this one's follow */
		while (row + same < nrows && spi_get_int64(row + same, 1) - 1 == i)
			same++;
		if (same > 1)
			ereport(ERROR,
					(errcode(ERRCODE_CARDINALITY_VIOLATION),
					 errmsg("email \"%s\" belongs to " UINT64_FORMAT " users",
							work[i].spec->email, same),
					 errhint("Give the fixture's user an email that only one Sentry user has.")));
		user->id = spi_get_int64(row, 2);
		user->username = spi_get_text(row, 3);
		user->password = spi_get_text(row, 4);
		user->is_superuser = spi_get_bool(row, 5);
		user->is_staff = spi_get_bool(row, 6);
		user->is_active = spi_get_bool(row, 7);
		user->name = catalog_find_column(table, user_name_column(table)) != NULL
			? spi_get_text(row, 8) : NULL;
		user->email = spi_get_text(row, 9);
		user->email_unique = spi_get_text(row, 10);
	}
	for (int i = 0; i < n; i++)
		for (int k = 0; k < i; k++)
			if (found[i].id != 0 && found[i].id == found[k].id)
				ereport(ERROR,
						(errcode(ERRCODE_CARDINALITY_VIOLATION),
						 errmsg("emails \"%s\" and \"%s\" belong to the same user",
								work[k].spec->email, work[i].spec->email),
						 errhint("Give each user of the fixture only once.")));
	return found;
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
 * Create each user or bring its row in line, setting work[i].user_id and
 * .stored_email.  A superuser is staff too; a user who is not keeps
 * whatever staff flag it has.
 */
static void
reconcile_user_rows(ReconcileState *state, UserWork *work, int n)
{
	const CatalogTable *table = catalog_require_table(state->catalog, "auth_user");
	const char *columns[] = {"id", "username", "email", "password", "is_superuser",
	"is_staff", "is_active", "email_unique", "first_name", "name"};
	const char *update_columns[] = {"id", "username", "is_superuser", "is_staff",
	"is_active", "email_unique", "first_name", "name"};
	bool		has_name = catalog_find_column(table, user_name_column(table)) != NULL;
	bool		has_email_unique = catalog_find_column(table, "email_unique") != NULL;
	RowBatch   *inserts = row_batch_create(table, lengthof(columns), columns);
	RowBatch   *updates = row_batch_create(table, has_name ? lengthof(update_columns) : 6,
										   update_columns);
	RowBatch   *passwords = row_batch_create(table, 2, (const char *[]) {"id", "password"});
	ExistingUser *found = load_users(table, work, n);
	int			nnew = 0;
	int64	   *new_ids;

	for (int i = 0; i < n; i++)
		nnew += found[i].id == 0;
	new_ids = reconcile_new_ids(state, table, nnew);
	nnew = 0;

	for (int i = 0; i < n; i++)
	{
		const UserSpec *spec = work[i].spec;
		ExistingUser *user = &found[i];
		const char *username = spec->username ? spec->username : spec->email;
		const char *superuser = bool_text(spec->superuser);
		char	   *password;
		char	   *email_unique;
		const char *name;
		bool		staff;
		StringInfoData detail;

		if (user->id == 0)
		{
			work[i].user_id = new_ids[nnew++];
			work[i].stored_email = pstrdup(spec->email);
			password = wanted_password(spec, NULL);
			name = spec->name ? spec->name : "";
			row_batch_add(inserts, (const char *[]) {
				int64_text(work[i].user_id), username, spec->email,
				/* Django's unusable password when the fixture gives none */
					password ? password : psprintf("!%s", random_hex_key()),
					superuser, superuser, "true", email_unique_of(spec->email), name, name
			});
			report_row(&state->report, REPORT_CREATE, "user", spec->email, work[i].user_id,
					   psprintf("username: %s%s", username, spec->superuser ? ", superuser" : ""));
			continue;
		}

		work[i].user_id = user->id;
		work[i].stored_email = user->email;
		email_unique = email_unique_of(user->email);
		initStringInfo(&detail);
		if (spec->username != NULL && strcmp(user->username, spec->username) != 0)
			detail_change(&detail, "username", user->username, spec->username);
		else
			username = user->username;
		name = user->name;
		if (spec->name != NULL && user->name != NULL && strcmp(user->name, spec->name) != 0)
		{
			detail_change(&detail, "name", user->name, spec->name);
			name = spec->name;
		}
		staff = spec->superuser || user->is_staff;
		detail_flag(&detail, "is_superuser", user->is_superuser, spec->superuser);
		detail_flag(&detail, "is_staff", user->is_staff, staff);
		detail_flag(&detail, "is_active", user->is_active, true);
		if (has_email_unique &&
			(user->email_unique == NULL || strcmp(user->email_unique, email_unique) != 0))
			detail_change(&detail, "email_unique", user->email_unique, email_unique);
		password = wanted_password(spec, user->password);
		if (password != NULL)
		{
			appendStringInfo(&detail, "%spassword changed", detail.len > 0 ? ", " : "");
			row_batch_add(passwords, (const char *[]) {int64_text(user->id), password});
		}

		if (detail.len == 0)
			report_unchanged(&state->report);
		else
		{
			row_batch_add(updates, (const char *[]) {
				int64_text(user->id), username, superuser, bool_text(staff), "true",
					email_unique, name, name
			});
			report_row(&state->report, REPORT_UPDATE, "user", spec->email, user->id,
					   detail.data);
		}
	}
	reconcile_insert(state, inserts);
	row_batch_update(updates);
	row_batch_update(passwords);
}

/*
 * Each user's verified sentry_useremail row, and its sentry_email row
 * where Sentry has that table.
 */
static void
reconcile_user_emails(ReconcileState *state, const UserWork *work, int n)
{
	const CatalogTable *useremail = catalog_require_table(state->catalog, "sentry_useremail");
	const CatalogTable *email_table = catalog_find_table(state->catalog, "sentry_email");
	RowBatch   *inserts = row_batch_create(useremail, 4, (const char *[]) {
		"id", "user_id", "email", "is_verified"
	});
	RowBatch   *updates = row_batch_create(useremail, 2, (const char *[]) {"id", "is_verified"});
	Oid			argtypes[2] = {INT8ARRAYOID, TEXTARRAYOID};
	Datum		args[2] = {user_id_array(work, n), email_array(work, n)};
	int64	   *row_id = palloc0(Max(n, 1) * sizeof(int64));
	bool	   *verified = palloc0(Max(n, 1) * sizeof(bool));
	bool	   *has_email = palloc0(Max(n, 1) * sizeof(bool));
	int			nnew = 0;
	int64	   *new_ids;
	uint64		nrows;

	/* the first matching row of each user, as one at a time would take */
	nrows = spi_select(psprintf("SELECT DISTINCT ON (e.i) e.i, ue.id, ue.is_verified"
								" FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2))"
								" WITH ORDINALITY AS e(user_id, email, i)"
								" JOIN %s AS ue ON ue.user_id = e.user_id"
								" AND pg_catalog.upper(ue.email) = pg_catalog.upper(e.email)"
								" ORDER BY e.i, ue.id",
								useremail->qualified_name), 2, argtypes, args);
	for (uint64 row = 0; row < nrows; row++)
	{
		int			i = (int) spi_get_int64(row, 1) - 1;

		row_id[i] = spi_get_int64(row, 2);
		verified[i] = spi_get_bool(row, 3);
	}
	for (int i = 0; i < n; i++)
		nnew += row_id[i] == 0;
	new_ids = reconcile_new_ids(state, useremail, nnew);
	nnew = 0;
	for (int i = 0; i < n; i++)
	{
		if (row_id[i] == 0)
			row_batch_add(inserts, (const char *[]) {
				int64_text(new_ids[nnew++]), int64_text(work[i].user_id), work[i].spec->email, "true"
			});
		else if (!verified[i])
			row_batch_add(updates, (const char *[]) {int64_text(row_id[i]), "true"});
	}
	reconcile_insert(state, inserts);
	row_batch_update(updates);

	if (email_table == NULL)
		return;
	nrows = spi_select(psprintf("SELECT e.i FROM pg_catalog.unnest($1) WITH ORDINALITY AS e(email, i)"
								" WHERE EXISTS (SELECT FROM %s AS m WHERE pg_catalog.upper(m.email::pg_catalog.text)"
								" = pg_catalog.upper(e.email))",
								email_table->qualified_name), 1, argtypes + 1, args + 1);
	for (uint64 row = 0; row < nrows; row++)
		has_email[spi_get_int64(row, 1) - 1] = true;
	inserts = row_batch_create(email_table, 2, (const char *[]) {"id", "email"});
	nnew = 0;
	for (int i = 0; i < n; i++)
		nnew += !has_email[i];
	new_ids = reconcile_new_ids(state, email_table, nnew);
	nnew = 0;
	for (int i = 0; i < n; i++)
		if (!has_email[i])
			row_batch_add(inserts, (const char *[]) {int64_text(new_ids[nnew++]), work[i].spec->email});
	reconcile_insert(state, inserts);
}

/*
 * Each user as a member of the organization with the fixture's role (and,
 * in current Sentry, the copy of the user's stored email and active flag
 * that the user's outbox would write), setting work[i].member_id; the
 * memberships' mapping rows follow them.  A new member has global access,
 * as Sentry gives it; a superuser always has it.
 */
static void
reconcile_memberships(ReconcileState *state, UserWork *work, int n)
{
	const CatalogTable *table = catalog_require_table(state->catalog, "sentry_organizationmember");
	bool		has_user_email = catalog_find_column(table, "user_email") != NULL;
	bool		has_user_is_active = catalog_find_column(table, "user_is_active") != NULL;
	RowBatch   *inserts = row_batch_create(table, 7, (const char *[]) {
		"id", "organization_id", "user_id", "role", "has_global_access",
			"user_email", "user_is_active"
	});
	RowBatch   *updates = row_batch_create(table, 5, (const char *[]) {
		"id", "role", "has_global_access", "user_email", "user_is_active"
	});
	Oid			argtypes[2] = {INT8OID, INT8ARRAYOID};
	Datum		args[2] = {Int64GetDatum(state->organization_id), user_id_array(work, n)};
	int64	   *member_ids = palloc(Max(n, 1) * sizeof(int64));
	char	  **role = palloc0(Max(n, 1) * sizeof(char *));
	bool	   *global = palloc0(Max(n, 1) * sizeof(bool));
	char	  **user_email = palloc0(Max(n, 1) * sizeof(char *));
	bool	   *user_is_active = palloc0(Max(n, 1) * sizeof(bool));
	int			nnew = 0;
	int64	   *new_ids;
	uint64		nrows;

	for (int i = 0; i < n; i++)
		work[i].member_id = 0;
	/* each user's first membership, as one at a time would take */
	nrows = spi_select(psprintf("SELECT DISTINCT ON (u.i) u.i, m.id, m.role, m.has_global_access, %s, %s"
								" FROM pg_catalog.unnest($2) WITH ORDINALITY AS u(user_id, i)"
								" JOIN %s AS m ON m.user_id = u.user_id"
								" WHERE m.organization_id = $1 ORDER BY u.i, m.id",
								has_user_email ? "m.user_email" : "NULL",
								has_user_is_active ? "m.user_is_active" : "NULL",
								table->qualified_name), 2, argtypes, args);
	for (uint64 row = 0; row < nrows; row++)
	{
		int			i = (int) spi_get_int64(row, 1) - 1;

		work[i].member_id = spi_get_int64(row, 2);
		role[i] = spi_get_text(row, 3);
		global[i] = spi_get_bool(row, 4);
		user_email[i] = spi_get_text(row, 5);
		user_is_active[i] = spi_get_bool(row, 6);
	}
	for (int i = 0; i < n; i++)
		nnew += work[i].member_id == 0;
	new_ids = reconcile_new_ids(state, table, nnew);
	nnew = 0;

	for (int i = 0; i < n; i++)
	{
		const UserSpec *spec = work[i].spec;
		bool		wanted_global = global[i] || spec->superuser;
		StringInfoData detail;

		if (work[i].member_id == 0)
		{
			work[i].member_id = new_ids[nnew++];
			row_batch_add(inserts, (const char *[]) {
				int64_text(work[i].member_id), int64_text(state->organization_id),
					int64_text(work[i].user_id), spec->role, "true", work[i].stored_email, "true"
			});
			report_row(&state->report, REPORT_CREATE, "member", spec->email, work[i].member_id,
					   psprintf("role: %s", spec->role));
		}
		else
		{
			initStringInfo(&detail);
			if (role[i] == NULL || strcmp(role[i], spec->role) != 0)
				detail_change(&detail, "role", role[i], spec->role);
			detail_flag(&detail, "has_global_access", global[i], wanted_global);
			if (has_user_email &&
				(user_email[i] == NULL || strcmp(user_email[i], work[i].stored_email) != 0))
				detail_change(&detail, "user_email", user_email[i], work[i].stored_email);
			if (has_user_is_active)
				detail_flag(&detail, "user_is_active", user_is_active[i], true);
			if (detail.len == 0)
				report_unchanged(&state->report);
			else
			{
				row_batch_add(updates, (const char *[]) {
					int64_text(work[i].member_id), spec->role, bool_text(wanted_global),
						work[i].stored_email, "true"
				});
				report_row(&state->report, REPORT_UPDATE, "member", spec->email,
						   work[i].member_id, detail.data);
			}
		}
		member_ids[i] = work[i].member_id;
	}
	reconcile_insert(state, inserts);
	row_batch_update(updates);
	reconcile_companions(state, "sentry_organizationmember", member_ids, n);
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
reconcile_user_roles(ReconcileState *state, const UserWork *work, int n)
{
	const CatalogTable *roles = catalog_find_table(state->catalog, "sentry_userrole");
	const CatalogTable *holders = catalog_find_table(state->catalog, "sentry_userrole_users");
	Oid			argtypes[2] = {INT8ARRAYOID, TEXTOID};
	Datum		args[2] = {user_id_array(work, n), CStringGetTextDatum(SUPER_ADMIN_ROLE)};
	int64	   *holder_id = palloc0(Max(n, 1) * sizeof(int64));
	int64	   *stale = palloc(Max(n, 1) * sizeof(int64));
	int			nstale = 0;
	int			nnew = 0;
	int64		role_id;
	RowBatch   *inserts;
	int64	   *new_ids;
	uint64		nrows;

	if (roles == NULL || holders == NULL)
		return;

	/* each user's first Super Admin holding, as one at a time would take */
	nrows = spi_select(psprintf("SELECT DISTINCT ON (u.i) u.i, h.id"
								" FROM pg_catalog.unnest($1) WITH ORDINALITY AS u(user_id, i)"
								" JOIN %s AS h ON h.user_id = u.user_id"
								" JOIN %s AS r ON r.id = h.role_id"
								" WHERE r.name = $2 ORDER BY u.i, h.id",
								holders->qualified_name, roles->qualified_name),
					   2, argtypes, args);
	for (uint64 row = 0; row < nrows; row++)
		holder_id[spi_get_int64(row, 1) - 1] = spi_get_int64(row, 2);

	for (int i = 0; i < n; i++)
	{
		if (!work[i].spec->superuser && holder_id[i] != 0)
		{
			stale[nstale++] = holder_id[i];
			report_row(&state->report, REPORT_DELETE, "user_role",
					   psprintf("%s/%s", work[i].spec->email, SUPER_ADMIN_ROLE), holder_id[i],
					   "not a superuser");
		}
		else if (work[i].spec->superuser && holder_id[i] == 0)
			nnew++;
	}
	table_delete_ids(holders, stale, nstale);
	if (nnew == 0)
		return;

	role_id = super_admin_role_id(state, roles);
	new_ids = reconcile_new_ids(state, holders, nnew);
	inserts = row_batch_create(holders, 3, (const char *[]) {"id", "role_id", "user_id"});
	nnew = 0;
	for (int i = 0; i < n; i++)
		if (work[i].spec->superuser && holder_id[i] == 0)
			row_batch_add(inserts, (const char *[]) {
				int64_text(new_ids[nnew++]), int64_text(role_id), int64_text(work[i].user_id)
			});
	reconcile_insert(state, inserts);
}

/* A team membership that needs a write: work[user] and fixture team team */
typedef struct TeamMembershipChange
{
	int			user;
	int			team;
	int64		id;				/* the membership; 0 when there is none */
	bool		wanted;			/* asked for (create or activate), else delete */
} TeamMembershipChange;

/*
 * Each user's memberships of the fixture's teams follow spec->team_indexes:
 * an active membership of each team it names, none of the others.
 * Memberships of teams the fixture does not name are left alone.
 *
 * The work is over the memberships asked for and those that exist, never
 * over every user and every fixture team: one query joins the asked-for
 * (user, team) pairs with the existing memberships of the users and the
 * fixture's teams and returns only the pairs that need a write, in user
 * then fixture-team order; the rest are unchanged.
 */
static void
reconcile_team_memberships(ReconcileState *state, const UserWork *work, int n)
{
	const CatalogTable *table = catalog_require_table(state->catalog,
													  "sentry_organizationmember_teams");
	Fixture    *fixture = state->fixture;
	RowBatch   *inserts = row_batch_create(table, 4, (const char *[]) {
		"id", "organizationmember_id", "team_id", "is_active"
	});
	RowBatch   *updates = row_batch_create(table, 2, (const char *[]) {"id", "is_active"});
	int64	   *member_ids = palloc(Max(n, 1) * sizeof(int64));
	int			nwanted = 0;
	int64	   *wanted_user;
	int64	   *wanted_team;
	Oid			argtypes[4] = {INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID};
	Datum		args[4];
	TeamMembershipChange *changes;
	int64	   *stale;
	int			nstale = 0;
	int			nnew = 0;
	int64	   *new_ids;
	uint64		nrows;

	for (int i = 0; i < n; i++)
	{
		member_ids[i] = work[i].member_id;
		nwanted += work[i].spec->nteams;
	}
	/* the asked-for pairs, as 1-based ordinals of work[] and fixture teams */
	wanted_user = palloc(Max(nwanted, 1) * sizeof(int64));
	wanted_team = palloc(Max(nwanted, 1) * sizeof(int64));
	nwanted = 0;
	for (int i = 0; i < n; i++)
		for (int k = 0; k < work[i].spec->nteams; k++)
		{
			wanted_user[nwanted] = i + 1;
			wanted_team[nwanted] = work[i].spec->team_indexes[k] + 1;
			nwanted++;
		}
	args[0] = int8_array_datum(member_ids, n);
	args[1] = int8_array_datum(state->team_ids, fixture->nteams);
	args[2] = int8_array_datum(wanted_user, nwanted);
	args[3] = int8_array_datum(wanted_team, nwanted);

	/* per pair: user, team, the membership (NULL: none), asked for? */
	nrows = spi_select(psprintf("SELECT coalesce(w.i, e.i), coalesce(w.t, e.t), e.id, w.i IS NOT NULL"
								" FROM ROWS FROM (pg_catalog.unnest($3), pg_catalog.unnest($4)) AS w(i, t)"
								" FULL JOIN (SELECT m.i, t.t, mt.id, mt.is_active"
								" FROM pg_catalog.unnest($1) WITH ORDINALITY AS m(member_id, i)"
								" JOIN %s AS mt ON mt.organizationmember_id = m.member_id"
								" JOIN pg_catalog.unnest($2) WITH ORDINALITY AS t(team_id, t)"
								" ON t.team_id = mt.team_id) AS e ON e.i = w.i AND e.t = w.t"
								" WHERE w.i IS NULL OR e.id IS NULL OR NOT e.is_active"
								" ORDER BY 1, 2",
								table->qualified_name), 4, argtypes, args);
	changes = palloc(Max(nrows, 1) * sizeof(TeamMembershipChange));
	for (uint64 row = 0; row < nrows; row++)
	{
		changes[row].user = (int) spi_get_int64(row, 1) - 1;
		changes[row].team = (int) spi_get_int64(row, 2) - 1;
		changes[row].id = spi_get_int64(row, 3);
		changes[row].wanted = spi_get_bool(row, 4);
		nnew += changes[row].wanted && changes[row].id == 0;
		nwanted -= changes[row].wanted;
	}
	SPI_freetuptable(SPI_tuptable);
	stale = palloc(Max(nrows, 1) * sizeof(int64));
	new_ids = reconcile_new_ids(state, table, nnew);
	nnew = 0;

	for (uint64 row = 0; row < nrows; row++)
	{
		const TeamMembershipChange *change = &changes[row];
		const UserWork *user = &work[change->user];
		const char *name = psprintf("%s/%s", user->spec->email,
									fixture->teams[change->team].name.value);

		if (!change->wanted)
		{
			stale[nstale++] = change->id;
			report_row(&state->report, REPORT_DELETE, "team_member", name, change->id, NULL);
		}
		else if (change->id == 0)
		{
			row_batch_add(inserts, (const char *[]) {
				int64_text(new_ids[nnew]), int64_text(user->member_id),
					int64_text(state->team_ids[change->team]), "true"
			});
			report_row(&state->report, REPORT_CREATE, "team_member", name, new_ids[nnew], NULL);
			nnew++;
		}
		else
		{
			row_batch_add(updates, (const char *[]) {int64_text(change->id), "true"});
			report_row(&state->report, REPORT_UPDATE, "team_member", name, change->id,
					   "is_active: false -> true");
		}
	}
	/* the asked-for memberships that needed no write */
	for (int i = 0; i < nwanted; i++)
		report_unchanged(&state->report);

	table_delete_ids(table, stale, nstale);
	row_batch_update(updates);
	reconcile_insert(state, inserts);
}

/*
 * Users, their emails and their memberships: each step over all of them.
 */
static void
reconcile_user_specs(ReconcileState *state, const UserSpec *specs, int n)
{
	UserWork   *work = palloc0(Max(n, 1) * sizeof(UserWork));

	if (n == 0)
		return;
	for (int i = 0; i < n; i++)
		work[i].spec = &specs[i];
	reconcile_user_rows(state, work, n);
	reconcile_user_emails(state, work, n);
	reconcile_user_roles(state, work, n);
	reconcile_memberships(state, work, n);
	reconcile_team_memberships(state, work, n);
}

/*
 * The admin: a superuser owner of every fixture team.
 */
void
reconcile_admin(ReconcileState *state)
{
	const FixtureAdmin *admin = &state->fixture->admin;
	int		   *every_team = palloc(Max(state->fixture->nteams, 1) * sizeof(int));
	UserSpec	spec;

	for (int t = 0; t < state->fixture->nteams; t++)
		every_team[t] = t;
	spec.email = admin->email.value;
	spec.username = admin->username.value;
	spec.name = NULL;
	spec.password = admin->password.value;
	spec.password_hash = admin->password_hash.value;
	spec.superuser = true;
	spec.role = "owner";
	spec.team_indexes = every_team;
	spec.nteams = state->fixture->nteams;
	reconcile_user_specs(state, &spec, 1);
}

/* qsort: team indexes, ascending */
static int
team_index_cmp(const void *a, const void *b)
{
	return (*(const int *) a > *(const int *) b) - (*(const int *) a < *(const int *) b);
}

/*
 * The UserSpec of a fixture entry; a team the entry names twice counts
 * once.
 */
static void
user_spec_of(const FixtureUser *user, UserSpec *spec)
{
	int		   *teams = palloc(Max(user->nteams, 1) * sizeof(int));
	int			nteams = 0;

	memcpy(teams, user->team_indexes, user->nteams * sizeof(int));
	qsort(teams, user->nteams, sizeof(int), team_index_cmp);
	for (int k = 0; k < user->nteams; k++)
		if (nteams == 0 || teams[nteams - 1] != teams[k])
			teams[nteams++] = teams[k];
	spec->email = user->email.value;
	spec->username = user->username.value;
	spec->name = user->name.value;
	spec->password = user->password.value;
	spec->password_hash = user->password_hash.value;
	spec->superuser = user->superuser;
	spec->role = user->role.value ? user->role.value : DEFAULT_USER_ROLE;
	spec->team_indexes = teams;
	spec->nteams = nteams;
}

/*
 * reconcile_users: see reconcile_int.h.  All of them go through each step
 * together.
 */
void
reconcile_users(ReconcileState *state)
{
	Fixture    *fixture = state->fixture;
	UserSpec   *specs = palloc(Max(fixture->nusers, 1) * sizeof(UserSpec));

	for (int i = 0; i < fixture->nusers; i++)
		user_spec_of(&fixture->users[i], &specs[i]);
	reconcile_user_specs(state, specs, fixture->nusers);
}
