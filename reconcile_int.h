/*-------------------------------------------------------------------------
 *
 * reconcile_int.h
 *		State shared by the parts of the reconciler, and its steps.
 *
 * The reconciler is layered, and no file calls one above it:
 *	- reconcile.c, the driver: lock, catalog, the steps in order, dry run;
 *	- the steps: reconcile_org.c (organization, teams),
 *	  reconcile_projects.c, reconcile_newprojects.c (what a new project
 *	  gets: rule, detectors, workflow, by level), reconcile_keys.c,
 *	  reconcile_users.c (admin and users), reconcile_tokens.c,
 *	  reconcile_prune.c;
 *	- what steps share: reconcile_delete.c (deleting as Sentry does, with
 *	  the report rows), reconcile_mapping.c (control-silo mapping rows),
 *	  reconcile_cascade.c (deleting rows with their dependants);
 *	- the leaf, reconcile_util.c: new ids, inserts, slugs, report details.
 * Each step reads the current state in a few set-returning queries,
 * decides in memory and writes through tablewrite.c, one statement per
 * table and action.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_RECONCILE_INT_H
#define SENTRY_FIXTURES_RECONCILE_INT_H

#include "nodes/pg_list.h"

#include "catalog.h"
#include "fixture.h"
#include "report.h"

/* What became of one fixture project */
typedef struct ProjectOutcome
{
	bool		skipped;		/* rule 5: nothing is done for it */
	bool		created;		/* rules 1 and 3: a new row with the DSN's id */
} ProjectOutcome;

/* Ids a dry run has predicted for a table so far */
typedef struct PredictedIds
{
	const CatalogTable *table;
	int			used;
} PredictedIds;

typedef struct ReconcileState
{
	Fixture    *fixture;
	SentryCatalog *catalog;
	Report		report;
	bool		dry_run;
	MemoryContext context;		/* for what outlives a step */

	int64		organization_id;
	int64	   *team_ids;		/* per fixture team */
	ProjectOutcome *projects;	/* per fixture project */

	List	   *inserted_tables;	/* CatalogTable *, for the sequence fix */
	List	   *predicted;		/* PredictedIds *, in a dry run */
	char	   *region_name;	/* of mapping rows, read once (reconcile_mapping.c) */
} ReconcileState;

/* reconcile_org.c: the organization, then its teams */
extern void reconcile_organization(ReconcileState *state);
extern void reconcile_teams(ReconcileState *state);

/* reconcile_projects.c: the five project rules, project teams, new projects' rows */
extern void reconcile_projects(ReconcileState *state);

/* reconcile_newprojects.c: what a new project gets besides its row */
extern void reconcile_new_project_rows(ReconcileState *state);

/*
 * Before projects are deleted: delete what their creation added that the
 * cascade from the project misses (its own default workflow chain),
 * adding it to counts (one per project id, in the order of project_ids).
 */
struct CascadeCount;
extern void delete_new_project_rows(ReconcileState *state, const int64 *project_ids, int n,
									struct CascadeCount *counts);

/*
 * reconcile_delete.c: delete the n rows of table with these ids as
 * Sentry's own deletion does (their mapping rows and, for projects, the
 * default alert chain first, then the rows with their dependants); one
 * report row each, of kind, named names[i], whose detail is details[i],
 * then what went with the row (with the references set to NULL when
 * with_nulled).
 */
extern void reconcile_delete(ReconcileState *state, const char *table, const char *kind,
							 const int64 *ids, char *const *names, char *const *details,
							 int n, bool with_nulled);

/* reconcile_keys.c: each project's key, by public key */
extern void reconcile_project_keys(ReconcileState *state);

/* reconcile_users.c: the admin, then the fixture's users */
extern void reconcile_admin(ReconcileState *state);
extern void reconcile_users(ReconcileState *state);

/* reconcile_tokens.c: the fixture's user auth tokens, after the users */
extern void reconcile_tokens(ReconcileState *state);

/* reconcile_prune.c: delete what the fixture does not name */
extern void reconcile_prune(ReconcileState *state);

#endif							/* SENTRY_FIXTURES_RECONCILE_INT_H */
