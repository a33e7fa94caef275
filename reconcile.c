/*-------------------------------------------------------------------------
 *
 * reconcile.c
 *		Make a Sentry database match a validated fixture.
 *
 * One apply runs in the caller's transaction under an advisory lock, so
 * concurrent applies queue instead of racing.  It reads the catalog once,
 * then the organization and its teams here, and hands projects, keys and
 * the admin to their own files.  A dry run does the same work inside an
 * internal subtransaction that is rolled back: the report rows, kept in
 * the caller's tuplestore, are exactly those of a real run.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "reconcile.h"
#include "reconcile_int.h"
#include "sentry_fixtures.h"
#include "slug.h"
#include "spiutil.h"

/* Advisory lock key shared by every apply ("sentryfx" in ASCII) */
#define RECONCILE_LOCK_KEY INT64CONST(0x73656e7472796678)

/*
 * Queue behind any other apply in progress; released at transaction end.
 */
static void
take_apply_lock(void)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		args[1] = {Int64GetDatum(RECONCILE_LOCK_KEY)};

	spi_select("SELECT pg_catalog.pg_advisory_xact_lock($1)", 1, argtypes, args);
}

/*
 * 32 lowercase hex characters, the shape of Sentry's keys.
 */
char *
random_hex_key(void)
{
	uint8		bytes[SENTRY_KEY_LENGTH / 2];
	char	   *key = palloc(SENTRY_KEY_LENGTH + 1);

	if (!pg_strong_random(bytes, sizeof(bytes)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a random key")));
	hex_encode((const char *) bytes, sizeof(bytes), key);
	key[SENTRY_KEY_LENGTH] = '\0';
	return key;
}

/*
 * Sentry's slug for a name: Django's slugify cut to the slug length; current
 * Sentry's slugify_instance() also strips a '-' the cut left at the end.
 */
char *
reconcile_slug(const ReconcileState *state, const char *name)
{
	char	   *slug = sentry_slugify(name, SENTRY_SLUG_MAX_LENGTH);
	size_t		len = strlen(slug);

	if (catalog_generation_traits(state->catalog->generation)->slug_strips_cut_dashes)
		while (len > 0 && slug[len - 1] == '-')
			slug[--len] = '\0';
	return slug;
}

/*
 * An empty report detail that allocates nothing until a change is added:
 * most objects are unchanged, and a StringInfo each would be 10 MB of
 * garbage at 10,000 projects.
 */
void
detail_init(StringInfo detail)
{
	memset(detail, 0, sizeof(StringInfoData));
}

/*
 * Append "field: old -> new" (", "-separated) to a report detail.
 */
void
detail_change(StringInfo detail, const char *field,
			  const char *old_value, const char *new_value)
{
	if (detail->data == NULL)
		initStringInfo(detail);
	appendStringInfo(detail, "%s%s: %s -> %s", detail->len > 0 ? ", " : "",
					 field, old_value ? old_value : "(none)",
					 new_value ? new_value : "(none)");
}

/*
 * Ids for new rows.  A dry run predicts them, as nextval() does not roll
 * back and the real run must report the same ids; the sequence does not
 * move then, so later predictions for the same table skip those made.
 */
int64 *
reconcile_new_ids(ReconcileState *state, const CatalogTable *table, int n)
{
	PredictedIds *predicted = NULL;
	ListCell   *lc;
	int64	   *ids;

	if (!state->dry_run || n == 0)
		return table_allocate_ids(table, n, state->dry_run);

	foreach(lc, state->predicted)
		if (((PredictedIds *) lfirst(lc))->table == table)
			predicted = lfirst(lc);
	if (predicted == NULL)
	{
		/* the predictions outlive the step that makes the first one */
		MemoryContext oldcontext = MemoryContextSwitchTo(state->context);

		predicted = palloc0(sizeof(PredictedIds));
		predicted->table = table;
		state->predicted = lappend(state->predicted, predicted);
		MemoryContextSwitchTo(oldcontext);
	}
	ids = table_allocate_ids(table, predicted->used + n, true);
	ids += predicted->used;
	predicted->used += n;
	return ids;
}

/*
 * Insert a batch and remember its table: every table written gets its id
 * sequence moved past its highest id at the end.
 */
void
reconcile_insert(ReconcileState *state, RowBatch *batch)
{
	MemoryContext oldcontext;

	if (batch->nrows == 0)
		return;
	row_batch_insert(batch);
	oldcontext = MemoryContextSwitchTo(state->context);
	state->inserted_tables = list_append_unique_ptr(state->inserted_tables,
													(void *) batch->table);
	MemoryContextSwitchTo(oldcontext);
}

/*
 * Run one step of the apply in a scratch memory context, deleted after
 * it: the rows, arrays and report details a step builds are dead once
 * written, and kept until the end they came to over 100 MB at 10,000
 * projects.  What later steps read lives in state->context.
 */
void
reconcile_step(ReconcileState *state, ReconcileStep step)
{
	MemoryContext scratch = AllocSetContextCreate(state->context,
												  "sentry_fixtures step",
												  ALLOCSET_DEFAULT_SIZES);
	MemoryContext oldcontext = MemoryContextSwitchTo(scratch);

	step(state);
	MemoryContextSwitchTo(oldcontext);
	MemoryContextDelete(scratch);
}

/*
 * The organization named wanted: by slug, then by name; 0 when there is
 * none.  A name that several organizations share, none by slug, is an
 * error.
 */
int64
organization_find(const CatalogTable *table, const char *wanted)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1] = {CStringGetTextDatum(wanted)};
	char	   *sql;
	uint64		n;

	sql = psprintf("SELECT id, slug = $1 FROM %s WHERE slug = $1 OR name = $1"
				   " ORDER BY slug = $1 DESC, id", table->qualified_name);
	n = spi_select(sql, 1, argtypes, args);

	if (n > 1 && !spi_get_bool(0, 2))
		ereport(ERROR,
				(errcode(ERRCODE_CARDINALITY_VIOLATION),
				 errmsg("organization name \"%s\" is ambiguous", wanted),
				 errdetail("No organization has the slug \"%s\", and " UINT64_FORMAT
						   " organizations have that name.", wanted, n),
				 errhint("Name the organization by its slug.")));
	return n > 0 ? spi_get_int64(0, 1) : 0;
}

/*
 * Find the organization by slug, then by name; create it when missing.
 */
static void
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
		static const char *const columns[] = {"id", "name", "slug"};
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
			int64_text(state->organization_id), wanted, slug
		});
		reconcile_insert(state, batch);
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

/* qsort/bsearch: teams by name, then id */
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
static void
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

/*
 * Every table written gets its id sequence moved past its highest id.
 * Not in a dry run: setval() would outlive the rollback.
 */
static void
fix_sequences(ReconcileState *state)
{
	ListCell   *lc;

	foreach(lc, state->inserted_tables)
		table_fix_sequence((const CatalogTable *) lfirst(lc));
}

/*
 * The reconciler's steps, in the order their rows depend on each other.
 */
static void
reconcile_steps(ReconcileState *state)
{
	reconcile_step(state, reconcile_organization);
	reconcile_step(state, reconcile_teams);
	reconcile_projects(state);
	reconcile_step(state, reconcile_project_keys);
	if (state->fixture->admin.present)
		reconcile_step(state, reconcile_admin);
	reconcile_step(state, reconcile_users);
	if (state->fixture->prune)
		reconcile_step(state, reconcile_prune);
	if (!state->dry_run)
		reconcile_step(state, fix_sequences);
}

/*
 * Apply a valid fixture; see reconcile.h.
 */
void
reconcile_apply(Fixture *fixture, bool dry_run, Tuplestorestate *store, TupleDesc desc)
{
	ReconcileState state;
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;

	memset(&state, 0, sizeof(state));
	state.fixture = fixture;
	state.dry_run = dry_run;
	state.context = oldcontext;
	report_init(&state.report, store, desc);

	take_apply_lock();
	state.catalog = catalog_load(sentry_fixtures_schema);

	if (!dry_run)
		reconcile_steps(&state);
	else
	{
		/* errors propagate: the caller's transaction aborts, subxact with it */
		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(oldcontext);

		reconcile_steps(&state);

		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
	}

	report_summary(&state.report, dry_run);
}
