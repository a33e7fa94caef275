/*-------------------------------------------------------------------------
 *
 * reconcile_int.h
 *		State shared by the parts of the reconciler.
 *
 * reconcile.c drives one apply: organization and teams, then projects.c
 * (the five project rules, project teams, what a new project gets),
 * projectkeys.c and admin.c.  Each part reads the current state in a few
 * set-returning queries, decides in memory and writes through
 * tablewrite.c, one statement per table and action.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_RECONCILE_INT_H
#define SENTRY_FIXTURES_RECONCILE_INT_H

#include "lib/stringinfo.h"
#include "nodes/pg_list.h"

#include "reconcile_cascade.h"
#include "catalog.h"
#include "fixture.h"
#include "report.h"
#include "tablewrite.h"

/* What became of one fixture project */
typedef struct ProjectOutcome
{
	bool		skipped;		/* rule 5: nothing is done for it */
	bool		created;		/* rules 1 and 3: a new row with the DSN's id */
} ProjectOutcome;

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
	const bool *teams;			/* per fixture team: a member of it? */
} UserSpec;

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
	char	   *region_name;	/* of mapping rows, read once (companions.c) */
} ReconcileState;

/* reconcile.c: run a step in a scratch memory context deleted after it */
typedef void (*ReconcileStep) (ReconcileState *state);
extern void reconcile_step(ReconcileState *state, ReconcileStep step);

/*
 * Control-silo mapping rows that nothing in the catalog ties to their
 * source: table.column holds the id of a via row whose via_column is the
 * id of the row deleted (the root).
 */
typedef struct MappingRef
{
	const char *table;
	const char *column;
	const char *via;
	const char *via_column;
} MappingRef;

/* projects.c */
extern void reconcile_projects(ReconcileState *state);

/* projects.c: the mapping rows of a project's keys, and of one key */
extern const MappingRef project_mapping_ref;
extern const MappingRef key_mapping_ref;

/* projects.c: delete them before their roots go, counted per root */
extern void delete_mapping_rows(ReconcileState *state, const MappingRef *ref,
								const int64 *ids, int nids, CascadeCount *counts);

/* projectkeys.c */
extern void reconcile_project_keys(ReconcileState *state);

/* companions.c: mapping rows of the source table's rows ids */
extern void reconcile_companions(ReconcileState *state, const char *source_name,
								 const int64 *ids, int nids);

/* admin.c: the admin, and any user the fixture wants */
extern void reconcile_admin(ReconcileState *state);
extern void reconcile_user_specs(ReconcileState *state, const UserSpec *specs, int n);

/* users.c: the fixture's users; with prune, members it does not name */
extern void reconcile_users(ReconcileState *state);
extern void prune_members(ReconcileState *state);

/* prune.c: delete what the fixture does not name */
extern void reconcile_prune(ReconcileState *state);

/* reconcile.c: the organization by slug, then name; 0 when missing */
extern int64 organization_find(const CatalogTable *table, const char *wanted);

/* reconcile.c: ids for n new rows of a table (predicted in a dry run) */
extern int64 *reconcile_new_ids(ReconcileState *state, const CatalogTable *table, int n);

/* reconcile.c: insert a batch and remember the table for the sequence fix */
extern void reconcile_insert(ReconcileState *state, RowBatch *batch);

/* reconcile.c: an empty detail, allocated by its first change */
extern void detail_init(StringInfo detail);

/* reconcile.c: append "field: old -> new" to a detail */
extern void detail_change(StringInfo detail, const char *field,
						  const char *old_value, const char *new_value);

/* reconcile.c: the slug this generation's Sentry gives a name */
extern char *reconcile_slug(const ReconcileState *state, const char *name);

/* reconcile.c: 32 lowercase hex characters from pg_strong_random() */
extern char *random_hex_key(void);

#endif							/* SENTRY_FIXTURES_RECONCILE_INT_H */
