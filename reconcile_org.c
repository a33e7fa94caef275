/*-------------------------------------------------------------------------
 *
 * reconcile_org.c
 *		The organization and its teams: found by slug or name, created
 *		when missing, team slugs kept as Sentry derives them from the name.
 *
 * The first two steps of an apply: every later step needs the
 * organization's id and the id of each fixture team (state->team_ids).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"

#include "organization.h"
#include "reconcile_int.h"
#include "reconcile_mapping.h"
#include "reconcile_util.h"
#include "sentry_fixtures.h"
#include "spiutil.h"

/* Bits of Organization.flags a new organization gets, by behaviour */
static const struct
{
	SentryBehaviour behaviour;
	int			bit;
}			new_organization_flag_bits[] = {
	/* receivers/organization.py: disable_member_project_creation */
	{BEHAVIOUR_ORG_MEMBER_PROJECT_CREATION_OFF, 256},
};

/*
 * Organization.flags of a new organization: allow_joinleave (its
 * bitfield default, as in Sentry 9), and the bits its level adds.
 */
static char *
new_organization_flags(ReconcileState *state)
{
	int			flags = 1;

	for (int i = 0; i < (int) lengthof(new_organization_flag_bits); i++)
		if (state->catalog->levels != NULL &&
			levels_behaviour_on(state->catalog->levels, new_organization_flag_bits[i].behaviour))
			flags |= new_organization_flag_bits[i].bit;
	return psprintf("%d", flags);
}

/*
 * Find the organization by slug, then by name; create it when missing.
 */
void
reconcile_organization(ReconcileState *state)
{
	const CatalogTable *table = catalog_require_table(state->catalog, "sentry_organization");
	const char *wanted = state->fixture->organization.value
		? state->fixture->organization.value : sentry_fixtures_organization;

	state->organization_id = organization_find(table, wanted);
	if (state->organization_id != 0)
		report_unchanged(&state->report);
	else
	{
		static const char *const columns[] = {"id", "name", "slug", "flags"};
		RowBatch   *batch = row_batch_create(table, lengthof(columns), columns);
		char	   *slug = reconcile_slug(state, wanted);

		/* a name unlike any other can still slugify to a slug in use */
		if (spi_select(psprintf("SELECT name FROM %s WHERE slug = $1", table->qualified_name),
					   1, (Oid[]) {TEXTOID}, (Datum[]) {CStringGetTextDatum(slug)}) > 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("slug \"%s\" of the new organization \"%s\" is taken by organization \"%s\"",
							slug, wanted, spi_get_text(0, 1)),
					 errhint("Name the organization by its slug or its name in Sentry.")));

		state->organization_id = reconcile_new_ids(state, table, 1)[0];
		row_batch_add(batch, (const char *[]) {
			int64_text(state->organization_id), wanted, slug, new_organization_flags(state)
		});
		reconcile_insert(state, batch);
		reserve_organization_slug(state, state->organization_id, slug);
		report_row(&state->report, REPORT_CREATE, "organization", wanted,
				   state->organization_id, psprintf("slug: %s", slug));
	}
	reconcile_companions(state, "sentry_organization", &state->organization_id, 1);
}

/* A team of the organization as it is */
typedef struct ExistingTeam
{
	int64		id;
	char	   *name;
	char	   *slug;
} ExistingTeam;

/* qsort: teams by name, then id */
static int
team_name_cmp(const void *a, const void *b)
{
	const ExistingTeam *x = a;
	const ExistingTeam *y = b;
	int			c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return (x->id > y->id) - (x->id < y->id);
}

/*
 * The team of that name with the lowest id, or NULL.
 */
static ExistingTeam *
find_team_by_name(ExistingTeam *teams, int nteams, const char *name)
{
	int			lo = 0;
	int			hi = nteams;

	/* lower bound: the first team whose name is not below name */
	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (strcmp(teams[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < nteams && strcmp(teams[lo].name, name) == 0 ? &teams[lo] : NULL;
}

/*
 * The other team of the organization holding slug, or NULL.  Linear, but
 * only reached when a slug is about to change or a team is created.
 */
static ExistingTeam *
find_team_by_slug(ExistingTeam *teams, int nteams, const char *slug,
				  const ExistingTeam *except)
{
	int			i;

	for (i = 0; i < nteams; i++)
		if (&teams[i] != except && strcmp(teams[i].slug, slug) == 0)
			return &teams[i];
	return NULL;
}

/*
 * Refuse a slug another team of the organization already has.
 */
static void
check_team_slug_free(ExistingTeam *teams, int nteams, const char *name,
					 const char *slug, const ExistingTeam *self)
{
	ExistingTeam *holder = find_team_by_slug(teams, nteams, slug, self);

	if (holder != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("team \"%s\" would get slug \"%s\", which team \"%s\" (id " INT64_FORMAT ") has",
						name, slug, holder->name, holder->id),
				 errhint("Rename one of the two teams.")));
}

/*
 * Read the organization's teams, sorted by name.
 */
static ExistingTeam *
load_teams(ReconcileState *state, const CatalogTable *table, int *nteams)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		args[1] = {Int64GetDatum(state->organization_id)};
	ExistingTeam *teams;
	uint64		n;
	uint64		i;

	n = spi_select(psprintf("SELECT id, name, slug FROM %s WHERE organization_id = $1",
							table->qualified_name), 1, argtypes, args);
	teams = palloc(Max(n, 1) * sizeof(ExistingTeam));
	for (i = 0; i < n; i++)
	{
		teams[i].id = spi_get_int64(i, 1);
		teams[i].name = spi_get_text(i, 2);
		teams[i].slug = spi_get_text(i, 3);
	}
	SPI_freetuptable(SPI_tuptable);
	qsort(teams, n, sizeof(ExistingTeam), team_name_cmp);
	*nteams = (int) n;
	return teams;
}

/*
 * Teams by name within the organization: created when missing, slug set
 * from the name.
 */
void
reconcile_teams(ReconcileState *state)
{
	static const char *const insert_columns[] = {"id", "name", "slug", "organization_id"};
	static const char *const update_columns[] = {"id", "slug"};
	const CatalogTable *table = catalog_require_table(state->catalog, "sentry_team");
	Fixture    *fixture = state->fixture;
	RowBatch   *inserts = row_batch_create(table, lengthof(insert_columns), insert_columns);
	RowBatch   *updates = row_batch_create(table, lengthof(update_columns), update_columns);
	char	   *organization_id = int64_text(state->organization_id);
	ExistingTeam *teams;
	int			nteams;
	int			nnew = 0;
	int64	   *new_ids;
	int			i;

	teams = load_teams(state, table, &nteams);
	state->team_ids = MemoryContextAllocZero(state->context,
											 Max(fixture->nteams, 1) * sizeof(int64));

	for (i = 0; i < fixture->nteams; i++)
		if (find_team_by_name(teams, nteams, fixture->teams[i].name.value) == NULL)
			nnew++;
	new_ids = reconcile_new_ids(state, table, nnew);
	nnew = 0;

	for (i = 0; i < fixture->nteams; i++)
	{
		const char *name = fixture->teams[i].name.value;
		char	   *slug = reconcile_slug(state, name);
		ExistingTeam *team = find_team_by_name(teams, nteams, name);

		if (team == NULL)
		{
			check_team_slug_free(teams, nteams, name, slug, NULL);
			state->team_ids[i] = new_ids[nnew++];
			row_batch_add(inserts, (const char *[]) {
				int64_text(state->team_ids[i]), name, slug, organization_id
			});
			report_row(&state->report, REPORT_CREATE, "team", name,
					   state->team_ids[i], psprintf("slug: %s", slug));
		}
		else if (strcmp(team->slug, slug) != 0)
		{
			StringInfoData detail;

			check_team_slug_free(teams, nteams, name, slug, team);
			state->team_ids[i] = team->id;
			row_batch_add(updates, (const char *[]) {int64_text(team->id), slug});
			initStringInfo(&detail);
			detail_change(&detail, "slug", team->slug, slug);
			report_row(&state->report, REPORT_UPDATE, "team", name, team->id, detail.data);
		}
		else
		{
			state->team_ids[i] = team->id;
			report_unchanged(&state->report);
		}
	}

	row_batch_update(updates);
	reconcile_insert(state, inserts);
}
