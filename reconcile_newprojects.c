/*-------------------------------------------------------------------------
 *
 * reconcile_newprojects.c
 *		What a new project gets besides its row, as Sentry gives it.
 *
 * Sentry's receivers of a project's creation write more than the project:
 * Sentry 9 a default rule and five saved searches; a Django Sentry the
 * project option sentry:option-epoch and, by migration level (levels.c),
 * the legacy default rule, the default detectors ("error" and
 * "issue_stream") and the default alert as a workflow: its when-condition
 * group with the two high-priority conditions, an action-filter group with
 * the e-mail action, the links between them, the link to the issue-stream
 * detector, and, where Sentry wrote rule and workflow both, the
 * AlertRuleWorkflow row between them.  The workflow has one of two shapes,
 * by level: built by workflows.py (PART_FROM_DEFAULTS), or, before that,
 * converted from the rule by IssueAlertMigrator (PART_FROM_RULE: the
 * rule's frequency, an action-filter group of logic "all", the translated
 * e-mail action, links to the error detector too, and the AlertRuleDetector
 * row between rule and error detector).  Entries that differ between the
 * shapes come in pairs, one per shape, with the same handle.
 *
 * All of it is the table new_project_rows: one entry per row a new project
 * gets, the parts it belongs to, and its values, which may name the new
 * project ($project), its organization ($organization), a value that
 * changed between releases, as a table of level values in levels.c gives
 * it at the database's levels ($option_epoch, $rule_email_action_data,
 * $default_email_action_config, $default_email_action_data), or the id
 * of another entry's row of the same project (@handle).  Ids come from
 * each table's sequence up front, so every table is one INSERT over all
 * new projects, whatever their number.  sentry_fixtures.default_alert chooses
 * which of rule and workflow a Django Sentry's new project gets.  Where
 * the level shares one default workflow per organization (levels.c), the
 * workflow's own rows (the entries of the workflow part alone) are written
 * once, unless the organization has that workflow already, and each new
 * project only gets its links to it.
 *
 * A project deleted (rule 1, prune) takes along what its creation added
 * that the cascade from the project does not reach: its default workflow
 * (a workflow whose detectors are all the project's), that workflow's
 * condition groups and the actions only those groups use (the
 * AlertRuleWorkflow rows of its rules, whose rule_id has no foreign key,
 * go with its mapping rows, reconcile_mapping.c; its AlertRuleDetector
 * rows go with its error detector, by the cascade).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "reconcile_cascade.h"
#include "reconcile_int.h"
#include "reconcile_util.h"
#include "sentry_fixtures.h"
#include "spiutil.h"

/* The parts of what a new project gets; an entry needs all of its parts */
#define PART_SENTRY9		(1 << 0)	/* a Sentry 9 database */
#define PART_MODERN			(1 << 1)	/* a Django Sentry */
#define PART_RULE			(1 << 2)	/* the legacy default rule */
#define PART_DETECTORS		(1 << 3)	/* the default detectors */
#define PART_WORKFLOW		(1 << 4)	/* the default alert as a workflow */
#define PART_FROM_DEFAULTS	(1 << 5)	/* the workflow as workflows.py builds it */
#define PART_FROM_RULE		(1 << 6)	/* the workflow as IssueAlertMigrator
										 * converts the rule */
/* the parts that only select entries (generation, shape), no table of their own */
#define PART_SELECTORS		(PART_SENTRY9 | PART_MODERN | PART_FROM_DEFAULTS | PART_FROM_RULE)

#define NEW_ROW_COLUMNS 4

typedef struct NewProjectRow
{
	int			parts;
	const char *handle;			/* what other entries call its id, or NULL */
	const char *table;
	const char *columns[NEW_ROW_COLUMNS];	/* besides id; NULL ends */
	const char *values[NEW_ROW_COLUMNS];
} NewProjectRow;

/*
 * Sentry 9's default alert rule stores its data as base64 of a zlib
 * compressed pickle of {"match": "all", "conditions": [FirstSeenEvent],
 * "actions": [NotifyEvent]}; these are the bytes Sentry 9.0 itself wrote.
 */
#define SENTRY9_DEFAULT_RULE_DATA \
	"eJxlj80OAiEMhO99ETgRd/0/GqNHLzzAhgCrJAiEosm+vXRl48FbZzr9JuUmdSCZjsG44mJABqkH" \
	"7tMauEmbunKmWts6oA0lTyK/vEXxOxCjy1gGtDYM9l0z4kqGrPpC8rwkK2YHqFAypZeqPVUdqOoI" \
	"97+SlhMhFjdOjX6bxYw+6cbtVl/wUxX9IE0/Ke9p7AHFBx5HTWU="

/* receivers/rules.py: DEFAULT_RULE_LABEL and DEFAULT_RULE_DATA */
#define DEFAULT_ALERT_LABEL "Send a notification for high priority issues"
#define MODERN_DEFAULT_RULE_DATA \
	"{\"action_match\":\"any\",\"conditions\":[" \
	"{\"id\":\"sentry.rules.conditions.high_priority_issue.NewHighPriorityIssueCondition\"}," \
	"{\"id\":\"sentry.rules.conditions.high_priority_issue.ExistingHighPriorityIssueCondition\"}]," \
	"\"actions\":[{\"id\":\"sentry.mail.actions.NotifyEmailAction\"," \
	"\"targetType\":\"IssueOwners\",\"targetIdentifier\":null," \
	"\"fallthroughType\":\"ActiveMembers\"}]}"

#define SAVED_SEARCH(name, query, is_default) \
	{PART_SENTRY9, NULL, "sentry_savedsearch", {"project_id", "name", "query", "is_default"}, \
	{"$project", name, query, is_default}}

/*
 * In the order of the foreign keys between them; entries of one table that
 * are written together are adjacent and have the same columns.
 */
static const NewProjectRow new_project_rows[] = {
	{PART_SENTRY9 | PART_RULE, NULL, "sentry_rule", {"project_id", "label", "data"},
	{"$project", "Send a notification for new issues", SENTRY9_DEFAULT_RULE_DATA}},
	SAVED_SEARCH("Unresolved Issues", "is:unresolved", "true"),
	SAVED_SEARCH("Needs Triage", "is:unresolved is:unassigned", "false"),
	SAVED_SEARCH("Assigned To Me", "is:unresolved assigned:me", "false"),
	SAVED_SEARCH("My Bookmarks", "is:unresolved bookmarks:me", "false"),
	SAVED_SEARCH("New Today", "is:unresolved age:-24h", "false"),

	/* receivers/core.py freeze_option_epoch_for_project: LATEST_EPOCH */
	{PART_MODERN, NULL, "sentry_projectoptions", {"project_id", "key", "value"},
	{"$project", "sentry:option-epoch", "$option_epoch"}},
	{PART_MODERN | PART_RULE, "rule", "sentry_rule", {"project_id", "label", "data", "source"},
	{"$project", DEFAULT_ALERT_LABEL, MODERN_DEFAULT_RULE_DATA, "0"}},

	/* workflow_engine/defaults/detectors.py ensure_default_detectors */
	{PART_MODERN | PART_DETECTORS, "error_detector", "workflow_engine_detector",
	{"project_id", "type", "name", "config"}, {"$project", "error", "Error Monitor", "{}"}},
	{PART_MODERN | PART_DETECTORS, "issue_stream_detector", "workflow_engine_detector",
	{"project_id", "type", "name", "config"}, {"$project", "issue_stream", "Issue Stream", "{}"}},

	/*
	 * workflow_engine/defaults/workflows.py create_priority_workflow, or
	 * migration_helpers/issue_alert_migration.py IssueAlertMigrator on the
	 * rule (action_match any: when group any-short; no filter_match: the
	 * action filter's logic is Rule.DEFAULT_FILTER_MATCH "all"; no
	 * frequency in the rule's data: Workflow.DEFAULT_FREQUENCY 30)
	 */
	{PART_MODERN | PART_WORKFLOW, "when_group", "workflow_engine_dataconditiongroup",
	{"logic_type", "organization_id"}, {"any-short", "$organization"}},
	{PART_MODERN | PART_WORKFLOW | PART_FROM_DEFAULTS, "action_filter",
		"workflow_engine_dataconditiongroup",
	{"logic_type", "organization_id"}, {"any-short", "$organization"}},
	{PART_MODERN | PART_WORKFLOW | PART_FROM_RULE, "action_filter",
		"workflow_engine_dataconditiongroup",
	{"logic_type", "organization_id"}, {"all", "$organization"}},
	{PART_MODERN | PART_WORKFLOW, NULL, "workflow_engine_datacondition",
		{"type", "comparison", "condition_result", "condition_group_id"},
	{"new_high_priority_issue", "true", "true", "@when_group"}},
	{PART_MODERN | PART_WORKFLOW, NULL, "workflow_engine_datacondition",
		{"type", "comparison", "condition_result", "condition_group_id"},
	{"existing_high_priority_issue", "true", "true", "@when_group"}},
	{PART_MODERN | PART_WORKFLOW | PART_FROM_DEFAULTS, "workflow", "workflow_engine_workflow",
		{"organization_id", "name", "config", "when_condition_group_id"},
	{"$organization", DEFAULT_ALERT_LABEL, "{\"frequency\": 0}", "@when_group"}},
	{PART_MODERN | PART_WORKFLOW | PART_FROM_RULE, "workflow", "workflow_engine_workflow",
		{"organization_id", "name", "config", "when_condition_group_id"},
	{"$organization", DEFAULT_ALERT_LABEL, "{\"frequency\": 30}", "@when_group"}},
	{PART_MODERN | PART_WORKFLOW | PART_FROM_DEFAULTS, "action", "workflow_engine_action",
		{"type", "config", "data"},
	{"email", "$default_email_action_config", "$default_email_action_data"}},
	/* EmailActionTranslator: action_config (4: ActionTarget.ISSUE_OWNERS), EmailDataBlob */
	{PART_MODERN | PART_WORKFLOW | PART_FROM_RULE, "action", "workflow_engine_action",
		{"type", "config", "data"},
		{"email", "{\"target_type\": 4, \"target_display\": null, \"target_identifier\": null}",
	"$rule_email_action_data"}},
	{PART_MODERN | PART_WORKFLOW, NULL, "workflow_engine_dataconditiongroupaction",
	{"action_id", "condition_group_id"}, {"@action", "@action_filter"}},
	{PART_MODERN | PART_WORKFLOW, NULL, "workflow_engine_workflowdataconditiongroup",
	{"workflow_id", "condition_group_id"}, {"@workflow", "@action_filter"}},
	/* IssueAlertMigrator: the error detector's DetectorWorkflow */
	{PART_MODERN | PART_DETECTORS | PART_WORKFLOW | PART_FROM_RULE, NULL,
		"workflow_engine_detectorworkflow",
	{"detector_id", "workflow_id"}, {"@error_detector", "@workflow"}},
	/* connect_workflows_to_issue_stream; the migrator's issue-stream link */
	{PART_MODERN | PART_DETECTORS | PART_WORKFLOW, NULL, "workflow_engine_detectorworkflow",
	{"detector_id", "workflow_id"}, {"@issue_stream_detector", "@workflow"}},
	/* receivers/rules.py, while Sentry dual-wrote rule and workflow */
	{PART_MODERN | PART_RULE | PART_WORKFLOW, NULL, "workflow_engine_alertruleworkflow",
	{"rule_id", "workflow_id"}, {"@rule", "@workflow"}},
	/* IssueAlertMigrator._create_detector_lookup */
	{PART_MODERN | PART_RULE | PART_DETECTORS | PART_WORKFLOW | PART_FROM_RULE, NULL,
		"workflow_engine_alertruledetector",
	{"rule_id", "detector_id"}, {"@rule", "@error_detector"}},
};

/* What one apply writes for its new projects */
typedef struct NewRowsPlan
{
	int			nnew;			/* new projects */
	char	  **project_ids;	/* per new project, as text */
	char	   *organization_id;
	const MigrationLevels *levels;	/* NULL on Sentry 9 */
	bool		shared;			/* one default workflow per organization */
	bool		active[lengthof(new_project_rows)];
	int64	   *ids[lengthof(new_project_rows)];	/* per entry, per copy */
} NewRowsPlan;

/*
 * Whether the entry is one of the default workflow's own rows: of the
 * workflow part alone (the rows linking it to a detector or a rule are the
 * project's).
 */
static bool
workflow_own_row(const NewProjectRow *entry)
{
	return (entry->parts & ~PART_SELECTORS) == PART_WORKFLOW;
}

/*
 * How many copies of an entry's row the apply writes: one per new
 * project, or one for the organization when the workflow is shared.
 */
static int
entry_copies(const NewRowsPlan *plan, int e)
{
	return plan->shared && workflow_own_row(&new_project_rows[e]) ? 1 : plan->nnew;
}

/*
 * The parts this database's Sentry gives a new project, as the
 * generation, the migration levels and sentry_fixtures.default_alert say.
 */
static int
parts_on(const SentryCatalog *catalog)
{
	bool		rule_wanted = sentry_fixtures_default_alert == DEFAULT_ALERT_BOTH ||
		sentry_fixtures_default_alert == DEFAULT_ALERT_RULE;
	bool		workflow_wanted = sentry_fixtures_default_alert == DEFAULT_ALERT_BOTH ||
		sentry_fixtures_default_alert == DEFAULT_ALERT_WORKFLOW;
	int			parts;

	if (catalog->generation == SENTRY_GENERATION_9)
		return PART_SENTRY9 | (rule_wanted ? PART_RULE : 0);

	parts = PART_MODERN;
	if (rule_wanted && levels_behaviour_on(catalog->levels, BEHAVIOUR_LEGACY_RULE))
		parts |= PART_RULE;
	if (levels_behaviour_on(catalog->levels, BEHAVIOUR_DEFAULT_DETECTORS))
		parts |= PART_DETECTORS;
	if (workflow_wanted && levels_behaviour_on(catalog->levels, BEHAVIOUR_DEFAULT_WORKFLOW))
		parts |= PART_WORKFLOW;
	parts |= levels_behaviour_on(catalog->levels, BEHAVIOUR_WORKFLOW_FROM_RULE) ?
		PART_FROM_RULE : PART_FROM_DEFAULTS;
	return parts;
}

/*
 * Which entries are written: all their parts on, and their table there.
 * A part whose own table is missing is off as a whole, so that no chain
 * is written half.
 */
static void
choose_entries(const SentryCatalog *catalog, NewRowsPlan *plan)
{
	int			parts = parts_on(catalog);
	int			i;

	for (i = 0; i < (int) lengthof(new_project_rows); i++)
	{
		const NewProjectRow *entry = &new_project_rows[i];
		int			own = entry->parts & ~PART_SELECTORS;

		if (catalog_find_table(catalog, entry->table) == NULL && (own & (own - 1)) == 0)
			parts &= ~own;
	}
	for (i = 0; i < (int) lengthof(new_project_rows); i++)
		plan->active[i] = (new_project_rows[i].parts & parts) == new_project_rows[i].parts &&
			catalog_find_table(catalog, new_project_rows[i].table) != NULL;
}

/*
 * The entry a handle names: the active one where entries of both shapes
 * have it, else the first
 */
static int
find_handle(const NewRowsPlan *plan, const char *handle)
{
	int			found = -1;
	int			i;

	for (i = 0; i < (int) lengthof(new_project_rows); i++)
		if (new_project_rows[i].handle != NULL && strcmp(new_project_rows[i].handle, handle) == 0 &&
			(found < 0 || plan->active[i]))
		{
			found = i;
			if (plan->active[i])
				break;
		}
	if (found < 0)
		elog(ERROR, "no new project row is called \"%s\"", handle);
	return found;
}

/* The end of the group of adjacent entries of the same table as first */
static int
group_end(int first)
{
	int			end = first + 1;

	while (end < (int) lengthof(new_project_rows) &&
		   strcmp(new_project_rows[end].table, new_project_rows[first].table) == 0)
		end++;
	return end;
}

/*
 * Ids for every active entry's rows: one call per table, copy-major
 * within each table.
 */
static void
allocate_ids(ReconcileState *state, NewRowsPlan *plan)
{
	int			first = 0;

	while (first < (int) lengthof(new_project_rows))
	{
		int			end = group_end(first);
		int			nactive = 0;
		int			e;
		int			next = 0;
		int64	   *ids;

		/* the entries of one table are all the workflow's own or none */
		int			copies = entry_copies(plan, first);

		for (e = first; e < end; e++)
			nactive += plan->active[e] ? 1 : 0;
		if (nactive > 0)
		{
			ids = reconcile_new_ids(state, catalog_require_table(state->catalog,
																 new_project_rows[first].table),
									copies * nactive);
			for (e = first; e < end; e++)
				if (plan->active[e])
					plan->ids[e] = palloc(Max(copies, 1) * sizeof(int64));
			for (int k = 0; k < copies; k++)
				for (e = first; e < end; e++)
					if (plan->active[e])
						plan->ids[e][k] = ids[next++];
		}
		first = end;
	}
}

/* One value of an entry's row for new project k */
static const char *
entry_value(const NewRowsPlan *plan, const char *value, int k)
{
	if (strcmp(value, "$project") == 0)
		return plan->project_ids[k];
	if (strcmp(value, "$organization") == 0)
		return plan->organization_id;
	if (value[0] == '$')
		return levels_value(plan->levels, value + 1);
	if (value[0] == '@')
	{
		int			e = find_handle(plan, value + 1);

		return int64_text(plan->ids[e][plan->shared && workflow_own_row(&new_project_rows[e]) ? 0 : k]);
	}
	return value;
}

/*
 * One INSERT of the active entries from first to end (one table) for
 * every copy: every new project, or the organization.
 */
static void
insert_group(ReconcileState *state, const NewRowsPlan *plan, int first, int end)
{
	const NewProjectRow *model = NULL;
	const char *columns[1 + NEW_ROW_COLUMNS] = {"id"};
	int			ncolumns = 1;
	RowBatch   *batch;
	int			e;

	for (e = first; e < end && model == NULL; e++)
		if (plan->active[e])
			model = &new_project_rows[e];
	if (model == NULL)
		return;
	while (ncolumns - 1 < NEW_ROW_COLUMNS && model->columns[ncolumns - 1] != NULL)
	{
		columns[ncolumns] = model->columns[ncolumns - 1];
		ncolumns++;
	}
	batch = row_batch_create(catalog_require_table(state->catalog, model->table),
							 ncolumns, columns);

	for (int k = 0; k < entry_copies(plan, first); k++)
		for (e = first; e < end; e++)
		{
			const char *values[1 + NEW_ROW_COLUMNS];
			int			c;

			if (!plan->active[e])
				continue;
			values[0] = int64_text(plan->ids[e][k]);
			for (c = 1; c < ncolumns; c++)
				values[c] = entry_value(plan, new_project_rows[e].values[c - 1], k);
			row_batch_add(batch, values);
		}
	reconcile_insert(state, batch);
}

/* The value of one of an entry's columns */
static const char *
entry_column_value(const NewProjectRow *entry, const char *column)
{
	int			c;

	for (c = 0; c < NEW_ROW_COLUMNS && entry->columns[c] != NULL; c++)
		if (strcmp(entry->columns[c], column) == 0)
			return entry->values[c];
	elog(ERROR, "new project row of %s has no column \"%s\"", entry->table, column);
	return NULL;				/* keep compiler quiet */
}

/*
 * The organization's default workflow, found as create_priority_workflow(org)
 * finds it (get_or_create by organization, name and config)
 */
static const char *const organization_workflow_query =
"SELECT w.id FROM %s AS w"
" WHERE w.organization_id = $1 AND w.name = $2 AND w.config = $3::pg_catalog.jsonb"
" ORDER BY w.id LIMIT 1";

/*
 * One default workflow for the organization: its own rows are written
 * once, or, when the organization has it already, not at all, and the
 * projects' links point to the one it has.
 */
static void
share_workflow(ReconcileState *state, NewRowsPlan *plan)
{
	int			workflow = find_handle(plan, "workflow");
	const NewProjectRow *entry = &new_project_rows[workflow];
	Oid			argtypes[3] = {INT8OID, TEXTOID, TEXTOID};
	Datum		args[3];
	bool		found;
	int			i;

	if (!plan->active[workflow])
		return;
	plan->shared = true;
	args[0] = Int64GetDatum(state->organization_id);
	args[1] = CStringGetTextDatum(entry_column_value(entry, "name"));
	args[2] = CStringGetTextDatum(entry_column_value(entry, "config"));
	found = spi_select(psprintf(organization_workflow_query,
								catalog_require_table(state->catalog, entry->table)->qualified_name),
					   3, argtypes, args) > 0;
	if (found)
	{
		plan->ids[workflow] = palloc(sizeof(int64));
		plan->ids[workflow][0] = spi_get_int64(0, 1);
	}
	SPI_freetuptable(SPI_tuptable);
	if (!found)
		return;
	for (i = 0; i < (int) lengthof(new_project_rows); i++)
		if (workflow_own_row(&new_project_rows[i]))
			plan->active[i] = false;
}

/*
 * What the new projects get besides their rows: one insert per table over
 * all of them.
 */
void
reconcile_new_project_rows(ReconcileState *state)
{
	Fixture    *fixture = state->fixture;
	NewRowsPlan *plan = palloc0(sizeof(NewRowsPlan));
	MemoryContext scratch;
	MemoryContext oldcontext;
	int			first = 0;
	int			i;

	plan->project_ids = palloc(Max(fixture->nprojects, 1) * sizeof(char *));
	for (i = 0; i < fixture->nprojects; i++)
		if (state->projects[i].created)
			plan->project_ids[plan->nnew++] = int64_text(fixture->projects[i].parsed.project_id);
	if (plan->nnew == 0)
		return;
	plan->organization_id = int64_text(state->organization_id);
	plan->levels = state->catalog->levels;
	choose_entries(state->catalog, plan);
	if (state->catalog->levels != NULL &&
		levels_behaviour_on(state->catalog->levels, BEHAVIOUR_ORG_DEFAULT_WORKFLOW))
		share_workflow(state, plan);
	allocate_ids(state, plan);

	scratch = AllocSetContextCreate(CurrentMemoryContext, "sentry_fixtures new project rows",
									ALLOCSET_DEFAULT_SIZES);
	oldcontext = MemoryContextSwitchTo(scratch);
	while (first < (int) lengthof(new_project_rows))
	{
		int			end = group_end(first);

		insert_group(state, plan, first, end);
		MemoryContextReset(scratch);
		first = end;
	}
	MemoryContextSwitchTo(oldcontext);
	MemoryContextDelete(scratch);
}

/* The workflow-engine tables a project's default alert is made of */
static const char *const alert_tables[] = {
	"workflow_engine_detector", "workflow_engine_detectorworkflow", "workflow_engine_workflow",
	"workflow_engine_workflowdataconditiongroup", "workflow_engine_dataconditiongroupaction",
	"workflow_engine_dataconditiongroup", "workflow_engine_action",
};

/*
 * The alert rows that only the doomed projects use, as (kind, id, ord):
 * kind 1 a workflow whose every detector is one of theirs, 2 the
 * condition groups of those workflows, 3 the actions only those groups
 * use; ord the 1-based position in $1 of the project it is counted for.
 */
static const char *const own_alert_rows_query =
"WITH doomed AS (SELECT r.project_id, r.ord"
"                  FROM pg_catalog.unnest($1::pg_catalog.int8[]) WITH ORDINALITY AS r(project_id, ord)),"
" own AS (SELECT dw.workflow_id, pg_catalog.min(doomed.ord) AS ord"
"           FROM %2$s AS dw JOIN %1$s AS d ON d.id = dw.detector_id"
"           JOIN doomed ON doomed.project_id = d.project_id"
"          GROUP BY dw.workflow_id"
"         HAVING NOT EXISTS (SELECT 1 FROM %2$s AS o JOIN %1$s AS od ON od.id = o.detector_id"
"                             WHERE o.workflow_id = dw.workflow_id AND NOT EXISTS"
"                                   (SELECT 1 FROM doomed AS q WHERE q.project_id = od.project_id))),"
" groups AS (SELECT w.when_condition_group_id AS id, own.ord"
"              FROM %3$s AS w JOIN own ON own.workflow_id = w.id"
"             WHERE w.when_condition_group_id IS NOT NULL"
"            UNION"
"            SELECT g.condition_group_id, own.ord"
"              FROM %4$s AS g JOIN own ON own.workflow_id = g.workflow_id),"
" actions AS (SELECT a.action_id AS id, pg_catalog.min(groups.ord) AS ord"
"               FROM %5$s AS a JOIN groups ON groups.id = a.condition_group_id"
"              GROUP BY a.action_id"
"             HAVING NOT EXISTS (SELECT 1 FROM %5$s AS o WHERE o.action_id = a.action_id"
"                                   AND NOT EXISTS (SELECT 1 FROM groups AS g2"
"                                                    WHERE g2.id = o.condition_group_id)))"
" SELECT 1, workflow_id, ord FROM own"
" UNION ALL SELECT 2, id, ord FROM groups"
" UNION ALL SELECT 3, id, ord FROM actions"
" ORDER BY 1, 2";

/* Tables deleted from in order of kind: workflows before their groups */
static const char *const own_alert_kinds[] = {
	"workflow_engine_workflow", "workflow_engine_dataconditiongroup", "workflow_engine_action",
};

/*
 * Delete the roots of one kind with their dependants and add what went
 * to the counts of the project each is counted for.
 */
static void
delete_own_alert_kind(ReconcileState *state, const char *table, const int64 *ids,
					  const int *ords, int n, CascadeCount *counts)
{
	CascadeCount *gone;
	int			i;

	if (n == 0)
		return;
	gone = palloc0(n * sizeof(CascadeCount));
	cascade_delete(state->catalog, table, ids, n, gone);
	for (i = 0; i < n; i++)
	{
		CascadeCount *count = &counts[ords[i] - 1];

		count->dependent_rows += 1 + gone[i].dependent_rows;
		count->dependent_tables += 1 + gone[i].dependent_tables;
		count->nulled_refs += gone[i].nulled_refs;
	}
}

/*
 * delete_new_project_rows: see reconcile_int.h.
 */
void
delete_new_project_rows(ReconcileState *state, const int64 *project_ids, int n,
						CascadeCount *counts)
{
	const char *names[lengthof(alert_tables)];
	Oid			argtypes[1] = {INT8ARRAYOID};
	Datum		args[1];
	int64	   *ids;
	int		   *ords;
	int		   *kinds;
	int			nrows;
	int			row = 0;
	int			i;

	if (n == 0)
		return;
	for (i = 0; i < (int) lengthof(alert_tables); i++)
	{
		const CatalogTable *table = catalog_find_table(state->catalog, alert_tables[i]);

		if (table == NULL)
			return;
		names[i] = table->qualified_name;
	}

	args[0] = int8_array_datum(project_ids, n);
	nrows = (int) spi_select(psprintf(own_alert_rows_query, names[0], names[1], names[2],
									  names[3], names[4]), 1, argtypes, args);
	ids = palloc(Max(nrows, 1) * sizeof(int64));
	ords = palloc(Max(nrows, 1) * sizeof(int));
	kinds = palloc(Max(nrows, 1) * sizeof(int));
	for (i = 0; i < nrows; i++)
	{
		kinds[i] = (int) spi_get_int64(i, 1);
		ids[i] = spi_get_int64(i, 2);
		ords[i] = (int) spi_get_int64(i, 3);
	}
	SPI_freetuptable(SPI_tuptable);

	/* the rows come sorted by kind */
	for (i = 0; i < (int) lengthof(own_alert_kinds); i++)
	{
		int			start = row;

		while (row < nrows && kinds[row] == i + 1)
			row++;
		delete_own_alert_kind(state, own_alert_kinds[i], ids + start, ords + start,
							  row - start, counts);
	}
}
