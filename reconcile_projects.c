/*-------------------------------------------------------------------------
 *
 * reconcile_projects.c
 *		Projects by the fixture's name and the DSN's project id.
 *
 * Within the organization, for each fixture project:
 *	1. no project has the id, one has the name: delete it (with what
 *	   depends on it, reconcile_cascade.c) and create the project with the id;
 *	2. one has the id, none the name: update it in place;
 *	3. neither: create the project with the id;
 *	4. both, the same project: update it;
 *	5. both, different projects: skip the entry with a WARNING.
 * A project whose id another fixture entry names is never taken by name,
 * so renames and id swaps within one fixture do not delete anything.
 * Afterwards each project belongs to exactly its fixture team, and a new
 * project gets what Sentry gives a new project (reconcile_newprojects.c).
 *
 * A deleted project takes along what Sentry's own deletion would, by each
 * reference's on_delete (reconcile_cascade.c); and the control-silo mapping
 * rows of its keys, which nothing in the catalog ties to the keys
 * (reconcile_mapping.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "reconcile_int.h"
#include "reconcile_util.h"
#include "spiutil.h"

/* A project as it is */
typedef struct ExistingProject
{
	int64		id;
	char	   *name;
	char	   *slug;
	char	   *platform;
	int64		organization_id;
	bool		claimed_by_id;	/* some fixture entry names its id */
} ExistingProject;

/* The projects a fixture touches, indexed two ways */
typedef struct ProjectIndex
{
	ExistingProject *by_id;		/* sorted by id */
	ExistingProject **by_name;	/* of the organization, sorted by name, id */
	int			nprojects;
	int			nnamed;
} ProjectIndex;

/* qsort/bsearch: projects by id */
static int
project_id_cmp(const void *a, const void *b)
{
	int64		x = ((const ExistingProject *) a)->id;
	int64		y = ((const ExistingProject *) b)->id;

	return (x > y) - (x < y);
}

/* qsort: project pointers by name, then id */
static int
project_name_cmp(const void *a, const void *b)
{
	const ExistingProject *x = *(ExistingProject *const *) a;
	const ExistingProject *y = *(ExistingProject *const *) b;
	int			c = strcmp(x->name, y->name);

	return c != 0 ? c : (x->id > y->id) - (x->id < y->id);
}

/*
 * The project with that id, or NULL.
 */
static ExistingProject *
find_project_by_id(const ProjectIndex *index, int64 id)
{
	ExistingProject key = {0};

	key.id = id;
	return bsearch(&key, index->by_id, index->nprojects,
				   sizeof(ExistingProject), project_id_cmp);
}

/*
 * The organization's project of that name with the lowest id that no
 * fixture entry claims by id, or NULL.
 */
static ExistingProject *
find_project_by_name(const ProjectIndex *index, const char *name)
{
	int			lo = 0;
	int			hi = index->nnamed;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (strcmp(index->by_name[mid]->name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < index->nnamed && strcmp(index->by_name[lo]->name, name) == 0; lo++)
		if (!index->by_name[lo]->claimed_by_id)
			return index->by_name[lo];
	return NULL;
}

/*
 * Read, in one statement, every project the fixture names by id and every
 * project of the organization it names by name (arrays through unnest,
 * see tablewrite.c).
 */
static void
load_projects(ReconcileState *state, const CatalogTable *table, ProjectIndex *index)
{
	Fixture    *fixture = state->fixture;
	int64	   *ids = palloc(Max(fixture->nprojects, 1) * sizeof(int64));
	char	  **names = palloc(Max(fixture->nprojects, 1) * sizeof(char *));
	Oid			argtypes[3] = {INT8ARRAYOID, INT8OID, TEXTARRAYOID};
	Datum		args[3];
	uint64		n;
	uint64		i;
	int			j;

	for (j = 0; j < fixture->nprojects; j++)
	{
		ids[j] = fixture->projects[j].parsed.project_id;
		names[j] = fixture->projects[j].name.value;
	}
	args[0] = int8_array_datum(ids, fixture->nprojects);
	args[1] = Int64GetDatum(state->organization_id);
	args[2] = text_array_datum(names, fixture->nprojects);

	n = spi_select(psprintf("SELECT id, name, slug, platform, organization_id FROM %s"
							" WHERE id IN (SELECT pg_catalog.unnest($1)) OR (organization_id = $2"
							" AND name IN (SELECT pg_catalog.unnest($3)))",
							table->qualified_name), 3, argtypes, args);

	index->by_id = palloc(Max(n, 1) * sizeof(ExistingProject));
	index->nprojects = (int) n;
	for (i = 0; i < n; i++)
	{
		ExistingProject *p = &index->by_id[i];

		p->id = spi_get_int64(i, 1);
		p->name = spi_get_text(i, 2);
		p->slug = spi_get_text(i, 3);
		p->platform = spi_get_text(i, 4);
		p->organization_id = spi_get_int64(i, 5);
		p->claimed_by_id = false;
	}
	SPI_freetuptable(SPI_tuptable);
	qsort(index->by_id, n, sizeof(ExistingProject), project_id_cmp);

	for (j = 0; j < fixture->nprojects; j++)
	{
		ExistingProject *p = find_project_by_id(index, ids[j]);

		if (p != NULL)
			p->claimed_by_id = true;
	}

	index->by_name = palloc(Max(n, 1) * sizeof(ExistingProject *));
	index->nnamed = 0;
	for (i = 0; i < n; i++)
		if (index->by_id[i].organization_id == state->organization_id)
			index->by_name[index->nnamed++] = &index->by_id[i];
	qsort(index->by_name, index->nnamed, sizeof(ExistingProject *), project_name_cmp);
}

/*
 * Rule 1's deletes: the projects, with what depends on them, one report
 * row each saying how much went with it.
 */
static void
delete_projects(ReconcileState *state, ExistingProject **doomed, const char **wanted_ids,
				int ndoomed)
{
	int64	   *ids = palloc(Max(ndoomed, 1) * sizeof(int64));
	char	  **names = palloc(Max(ndoomed, 1) * sizeof(char *));
	char	  **details = palloc(Max(ndoomed, 1) * sizeof(char *));

	for (int i = 0; i < ndoomed; i++)
	{
		ids[i] = doomed[i]->id;
		names[i] = doomed[i]->name;
		details[i] = psprintf("replaced by project id %s", wanted_ids[i]);
	}
	reconcile_delete(state, "sentry_project", "project", ids, names, details, ndoomed, true);
}

/*
 * The update of a kept project, or NULL when it already matches.
 */
static char *
project_changes(ReconcileState *state, const FixtureProject *fp,
				const ExistingProject *p, const char *slug)
{
	StringInfoData detail;

	detail_init(&detail);
	if (strcmp(p->name, fp->name.value) != 0)
		detail_change(&detail, "name", p->name, fp->name.value);
	if (p->slug == NULL || strcmp(p->slug, slug) != 0)
		detail_change(&detail, "slug", p->slug, slug);
	if (fp->platform.value != NULL &&
		(p->platform == NULL || strcmp(p->platform, fp->platform.value) != 0))
		detail_change(&detail, "platform", p->platform, fp->platform.value);
	if (p->organization_id != state->organization_id)
		detail_change(&detail, "organization_id", int64_text(p->organization_id),
					  int64_text(state->organization_id));
	return detail.len > 0 ? detail.data : NULL;
}

/*
 * Rule 5: both the id and the name exist, as different projects.
 */
static void
skip_project(ReconcileState *state, const FixtureProject *fp,
			 const ExistingProject *by_id, const ExistingProject *by_name)
{
	char	   *detail = psprintf("id " INT64_FORMAT " is project \"%s\", name \"%s\" is project id "
								  INT64_FORMAT, by_id->id, by_id->name, by_name->name, by_name->id);

	ereport(WARNING,
			(errcode(ERRCODE_WARNING),
			 errmsg("project \"%s\" skipped: %s", fp->name.value, detail),
			 errhint("Rename or delete one of the two projects in Sentry, or change the fixture.")));
	report_row(&state->report, REPORT_SKIP, "project", fp->name.value, fp->parsed.project_id,
			   detail);
}

/*
 * Decide each project by the five rules, then write: deletes, updates,
 * inserts, each as one statement.
 */
static void
reconcile_project_rows(ReconcileState *state)
{
	static const char *const columns[] = {"id", "name", "slug", "platform", "organization_id"};
	const CatalogTable *table = catalog_require_table(state->catalog, "sentry_project");
	Fixture    *fixture = state->fixture;
	RowBatch   *inserts = row_batch_create(table, lengthof(columns), columns);
	RowBatch   *updates = row_batch_create(table, lengthof(columns), columns);
	ExistingProject **doomed = palloc(Max(fixture->nprojects, 1) * sizeof(ExistingProject *));
	const char **doomed_for = palloc(Max(fixture->nprojects, 1) * sizeof(char *));
	char	   *organization_id = int64_text(state->organization_id);
	ProjectIndex index;
	int			ndoomed = 0;
	int			i;

	load_projects(state, table, &index);

	for (i = 0; i < fixture->nprojects; i++)
	{
		FixtureProject *fp = &fixture->projects[i];
		ExistingProject *by_id = find_project_by_id(&index, fp->parsed.project_id);
		ExistingProject *by_name = find_project_by_name(&index, fp->name.value);
		char	   *id = int64_text(fp->parsed.project_id);
		char	   *slug = reconcile_slug(state, fp->name.value);
		const char *row[5] = {id, fp->name.value, slug, fp->platform.value, organization_id};

		if (by_id != NULL && by_name != NULL && by_id != by_name)
		{
			state->projects[i].skipped = true;
			skip_project(state, fp, by_id, by_name);
		}
		else if (by_id == NULL)
		{
			/* rules 1 and 3 */
			if (by_name != NULL)
			{
				doomed_for[ndoomed] = id;
				doomed[ndoomed++] = by_name;
			}
			state->projects[i].created = true;
			row_batch_add(inserts, row);
			report_row(&state->report, REPORT_CREATE, "project", fp->name.value,
					   fp->parsed.project_id, psprintf("slug: %s", slug));
		}
		else
		{
			/* rules 2 and 4: keep the platform when the fixture has none */
			char	   *detail = project_changes(state, fp, by_id, slug);

			if (detail == NULL)
				report_unchanged(&state->report);
			else
			{
				if (fp->platform.value == NULL)
					row[3] = by_id->platform;
				row_batch_add(updates, row);
				report_row(&state->report, REPORT_UPDATE, "project", fp->name.value,
						   by_id->id, detail);
			}
		}
	}

	delete_projects(state, doomed, doomed_for, ndoomed);
	row_batch_update(updates);
	reconcile_insert(state, inserts);
}

/* A project-team link as it is */
typedef struct ExistingProjectTeam
{
	int64		id;
	int64		project_id;
	int64		team_id;
	char	   *team_name;
} ExistingProjectTeam;

/* qsort: links by project id */
static int
projectteam_cmp(const void *a, const void *b)
{
	int64		x = ((const ExistingProjectTeam *) a)->project_id;
	int64		y = ((const ExistingProjectTeam *) b)->project_id;

	return (x > y) - (x < y);
}

/*
 * The team links of the kept projects, sorted by project id.
 */
static ExistingProjectTeam *
load_project_teams(ReconcileState *state, const CatalogTable *table, int *nlinks)
{
	Fixture    *fixture = state->fixture;
	const CatalogTable *teams = catalog_require_table(state->catalog, "sentry_team");
	int64	   *ids = palloc(Max(fixture->nprojects, 1) * sizeof(int64));
	int			nids = 0;
	Oid			argtypes[1] = {INT8ARRAYOID};
	Datum		args[1];
	ExistingProjectTeam *links;
	uint64		n;
	uint64		i;
	int			j;

	for (j = 0; j < fixture->nprojects; j++)
		if (!state->projects[j].skipped && !state->projects[j].created)
			ids[nids++] = fixture->projects[j].parsed.project_id;
	args[0] = int8_array_datum(ids, nids);

	n = spi_select(psprintf("SELECT pt.id, pt.project_id, pt.team_id, t.name FROM %s AS pt"
							" LEFT JOIN %s AS t ON t.id = pt.team_id"
							" WHERE pt.project_id IN (SELECT pg_catalog.unnest($1))",
							table->qualified_name, teams->qualified_name),
				   1, argtypes, args);
	links = palloc(Max(n, 1) * sizeof(ExistingProjectTeam));
	for (i = 0; i < n; i++)
	{
		links[i].id = spi_get_int64(i, 1);
		links[i].project_id = spi_get_int64(i, 2);
		links[i].team_id = spi_get_int64(i, 3);
		links[i].team_name = spi_get_text(i, 4);
	}
	SPI_freetuptable(SPI_tuptable);
	qsort(links, n, sizeof(ExistingProjectTeam), projectteam_cmp);
	*nlinks = (int) n;
	return links;
}

/*
 * The first link of a project in the sorted array, or nlinks.
 */
static int
first_link(const ExistingProjectTeam *links, int nlinks, int64 project_id)
{
	int			lo = 0;
	int			hi = nlinks;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (links[mid].project_id < project_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Each project's teams become exactly its fixture team.
 */
static void
reconcile_project_teams(ReconcileState *state)
{
	static const char *const columns[] = {"id", "project_id", "team_id"};
	const CatalogTable *table = catalog_require_table(state->catalog, "sentry_projectteam");
	Fixture    *fixture = state->fixture;
	RowBatch   *inserts = row_batch_create(table, lengthof(columns), columns);
	int64	   *stale = NULL;
	int			nstale = 0;
	int			nnew = 0;
	int64	   *new_ids;
	ExistingProjectTeam *links;
	int			nlinks;
	bool	   *wanted;
	int			i;

	links = load_project_teams(state, table, &nlinks);
	stale = palloc(Max(nlinks, 1) * sizeof(int64));
	wanted = palloc0(Max(fixture->nprojects, 1) * sizeof(bool));

	/* first pass: which links go, which projects need their link */
	for (i = 0; i < fixture->nprojects; i++)
	{
		FixtureProject *fp = &fixture->projects[i];
		int64		team_id = state->team_ids[fp->team_index];
		bool		linked = false;
		int			k;

		if (state->projects[i].skipped)
			continue;
		for (k = first_link(links, nlinks, fp->parsed.project_id);
			 k < nlinks && links[k].project_id == fp->parsed.project_id; k++)
		{
			if (links[k].team_id == team_id && !linked)
				linked = true;
			else
			{
				stale[nstale++] = links[k].id;
				report_row(&state->report, REPORT_DELETE, "project_team", fp->name.value,
						   links[k].id, psprintf("team: %s", links[k].team_name
												 ? links[k].team_name
												 : int64_text(links[k].team_id)));
			}
		}
		if (linked)
			report_unchanged(&state->report);
		else
		{
			wanted[i] = true;
			nnew++;
		}
	}

	new_ids = reconcile_new_ids(state, table, nnew);
	nnew = 0;
	for (i = 0; i < fixture->nprojects; i++)
	{
		FixtureProject *fp = &fixture->projects[i];
		int64		team_id = state->team_ids[fp->team_index];

		if (!wanted[i])
			continue;
		row_batch_add(inserts, (const char *[]) {
			int64_text(new_ids[nnew]), int64_text(fp->parsed.project_id), int64_text(team_id)
		});
		report_row(&state->report, REPORT_CREATE, "project_team", fp->name.value,
				   new_ids[nnew], psprintf("team: %s", fixture->teams[fp->team_index].name.value));
		nnew++;
	}

	table_delete_ids(table, stale, nstale);
	reconcile_insert(state, inserts);
}

/*
 * Projects, their teams, and what new projects get.
 */
void
reconcile_projects(ReconcileState *state)
{
	state->projects = MemoryContextAllocZero(state->context,
											 Max(state->fixture->nprojects, 1) *
											 sizeof(ProjectOutcome));
	reconcile_step(state, reconcile_project_rows);
	reconcile_step(state, reconcile_project_teams);
	reconcile_step(state, reconcile_new_project_rows);
}
