/*-------------------------------------------------------------------------
 *
 * reconcile_cascade.c
 *		Delete rows as Sentry's own deletion does: what refers to them is
 *		deleted, set to NULL, refused or left, as Sentry's models say.
 *
 * Sentry's foreign keys have no ON DELETE action: Django's deletion
 * collector and Sentry's deletion tasks apply each model field's
 * on_delete in Python.  What they do is data here (ondelete.h, generated
 * from Sentry's migrations and deletion tasks, one table per generation):
 * for each reference into a row being deleted,
 *
 * - CASCADE: the referring row is deleted too, and so on down;
 * - SET_NULL: the reference is set to NULL;
 * - PROTECT: the delete is refused, naming the table, column and rows;
 * - DO_NOTHING: the row is left; when the reference is a real foreign key
 *	 the commit would fail, so that is refused the same way.
 *
 * References are the generation's relations whose table and column exist
 * (plain columns too: an event's project_id), and the foreign keys in the
 * catalog.  Only Sentry's tables are followed and written: tables of the
 * schema that the generation's table knows, or whose name starts with one
 * of Sentry's apps' prefixes (sentry_app_prefixes[]).  A foreign key into
 * a doomed row from any other table stops the apply with an error naming
 * it (the commit would fail anyway); a look-alike column without a
 * constraint is not a reference at all.  A foreign key of a Sentry table
 * that the generation's table does not list (a newer or older Sentry) is
 * handled by the fallback, NOT NULL deleted, nullable set to NULL, and
 * named in a NOTICE and in the caller's report detail.
 *
 * Nothing is kept in memory per row.  The rows of a table that go are a
 * query, "doomed(T)": the roots (unnest($1)) for the root table, else the
 * rows of T that refer through a CASCADE reference to doomed rows of the
 * table above, joined down from the roots (a self-reference adds a
 * recursive step).  Each action is one statement over such a join, whose
 * result is one row per root (the counts); the executor's joins and the
 * RETURNING tuplestore spill to disk beyond work_mem, so a project with
 * millions of rows costs no memory here per row (PostgreSQL's own queue
 * of deferred foreign-key checks grows as for any DELETE of those rows).
 *
 * Order: tables are visited children first, so that when a table's rows
 * go, the tables above it (which its doomed() query joins) are still
 * whole.  Before anything is written, the roots and then every table that
 * something refers to are locked, parents first (FOR UPDATE): a
 * concurrent insert of a row referring to one of them waits on its
 * foreign-key check and fails once the rows are gone, instead of slipping
 * in between and failing the apply at commit.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "ondelete.h"
#include "reconcile_cascade.h"
#include "spiutil.h"

/*
 * Sentry's tables besides those its on_delete table names: Django names a
 * model's table <app label>_<model>, and these are the app labels of
 * Sentry 9 and of current Sentry (with their plugins').
 */
static const char *const sentry_app_prefixes[] = {
	"sentry_", "workflow_engine_", "notifications_", "hybridcloud_",
	"monitors_", "uptime_", "explore_", "feedback_", "replays_", "flags_",
	"insights_", "preprod_", "tempest_", "social_auth_", "nodestore_",
	"tagstore_", "jira_ac_", "hipchat_ac_", "auth_", "django_", "south_",
};

/* A table the references lead to */
typedef struct CascadeNode
{
	char	   *qualified;		/* quoted schema.table: the node's key */
	char	   *name;			/* unquoted table name */
	bool		target;			/* do rows of it go? */
	bool		placed;			/* already in the visiting order? */
	bool		referenced;		/* does some reference lead into it? */
} CascadeNode;

/* A reference from child to parent */
typedef struct CascadeEdge
{
	CascadeNode *child;
	CascadeNode *parent;
	char	   *column;			/* the child's referring column, unquoted */
	char	   *ref_column;		/* the parent's column it refers to */
	OnDelete	on_delete;
	bool		foreign;		/* from a table that is not Sentry's */
	const char *conname;		/* the foreign key, NULL for none */
	int			ncolumns;		/* of the foreign key */
} CascadeEdge;

/* A single foreign key into a table of the schema, from the catalog */
typedef struct ForeignKey
{
	char	   *qualified;		/* the referring table, quoted */
	char	   *table;
	char	   *column;
	char	   *target;
	char	   *ref_column;
	char	   *conname;
	int			ncolumns;
	bool		not_null;
	bool		in_schema;		/* the referring table is in the schema */
} ForeignKey;

/* What went with one root so far */
typedef struct RootTally
{
	int64		root_id;		/* hash key */
	CascadeCount count;
	int			last_table;		/* 1 + number of the last table counted */
} RootTally;

typedef struct CascadeGraph
{
	const SentryCatalog *catalog;
	const SentryRelation *relations;
	int			nrelations;
	ForeignKey *fks;
	int			nfks;
	CascadeNode *root;
	List	   *nodes;			/* every CascadeNode */
	List	   *edges;			/* every CascadeEdge into a target */
	List	   *order;			/* target nodes, children first */
	Datum		ids;			/* the roots, int8[]: $1 of every statement */
	HTAB	   *tallies;
	StringInfoData fallback;	/* "table.column (rule)" of each fallback */
	MemoryContext scratch;		/* reset after each statement */
} CascadeGraph;

/*
 * Every single-column foreign key into a table of schema $1 (not the
 * clones on partitions), from whatever schema.
 */
static const char *const foreign_keys_query =
"SELECT pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(c.relname),"
"       c.relname::text, a.attname::text, p.relname::text, pa.attname::text,"
"       con.conname::text, pg_catalog.cardinality(con.conkey), a.attnotnull,"
"       cn.nspname = $1"
"  FROM pg_catalog.pg_constraint AS con"
"  JOIN pg_catalog.pg_class AS p ON p.oid = con.confrelid"
"  JOIN pg_catalog.pg_namespace AS pn ON pn.oid = p.relnamespace"
"  JOIN pg_catalog.pg_class AS c ON c.oid = con.conrelid"
"  JOIN pg_catalog.pg_namespace AS cn ON cn.oid = c.relnamespace"
"  JOIN pg_catalog.pg_attribute AS a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]"
"  JOIN pg_catalog.pg_attribute AS pa ON pa.attrelid = con.confrelid AND pa.attnum = con.confkey[1]"
" WHERE con.contype = 'f' AND con.conparentid = 0 AND pn.nspname = $1"
" ORDER BY 1, 3, 6";

/*
 * The generation's relations (ondelete.h).
 */
static void
choose_relations(CascadeGraph *graph)
{
	if (graph->catalog->generation == SENTRY_GENERATION_9)
	{
		graph->relations = ondelete_sentry9;
		graph->nrelations = ondelete_sentry9_count;
	}
	else
	{
		graph->relations = ondelete_current;
		graph->nrelations = ondelete_current_count;
	}
}

/*
 * The relation of table.column, or NULL when the generation's table does
 * not list it.
 */
static const SentryRelation *
find_relation(const CascadeGraph *graph, const char *table, const char *column)
{
	for (int i = 0; i < graph->nrelations; i++)
		if (strcmp(graph->relations[i].table, table) == 0 &&
			strcmp(graph->relations[i].column, column) == 0)
			return &graph->relations[i];
	return NULL;
}

/*
 * Is table (of the schema) one of Sentry's?  Known to the generation's
 * table, or named with one of Sentry's app prefixes.
 */
static bool
is_sentry_table(const CascadeGraph *graph, const char *table)
{
	if (catalog_find_table(graph->catalog, table) == NULL)
		return false;
	for (int i = 0; i < graph->nrelations; i++)
		if (strcmp(graph->relations[i].table, table) == 0 ||
			strcmp(graph->relations[i].target, table) == 0)
			return true;
	for (int i = 0; i < (int) lengthof(sentry_app_prefixes); i++)
		if (strncmp(table, sentry_app_prefixes[i], strlen(sentry_app_prefixes[i])) == 0)
			return true;
	return false;
}

/*
 * Read the foreign keys into the schema's tables.
 */
static void
load_foreign_keys(CascadeGraph *graph)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1] = {CStringGetTextDatum(graph->catalog->schema)};
	uint64		n = spi_run(foreign_keys_query, 1, argtypes, args, NULL, false, SPI_OK_SELECT);

	graph->fks = palloc0(Max(n, 1) * sizeof(ForeignKey));
	graph->nfks = (int) n;
	for (uint64 i = 0; i < n; i++)
	{
		ForeignKey *fk = &graph->fks[i];

		fk->qualified = spi_get_text(i, 1);
		fk->table = spi_get_text(i, 2);
		fk->column = spi_get_text(i, 3);
		fk->target = spi_get_text(i, 4);
		fk->ref_column = spi_get_text(i, 5);
		fk->conname = spi_get_text(i, 6);
		fk->ncolumns = (int) spi_get_int64(i, 7);
		fk->not_null = spi_get_bool(i, 8);
		fk->in_schema = spi_get_bool(i, 9);
	}
	SPI_freetuptable(SPI_tuptable);
}

/*
 * Does table.column of the schema have a foreign key?
 */
static bool
has_foreign_key(const CascadeGraph *graph, const char *table, const char *column)
{
	for (int i = 0; i < graph->nfks; i++)
		if (graph->fks[i].in_schema && strcmp(graph->fks[i].table, table) == 0 &&
			strcmp(graph->fks[i].column, column) == 0)
			return true;
	return false;
}

/*
 * The node of the table called qualified, made on first use.
 */
static CascadeNode *
node_for(CascadeGraph *graph, const char *qualified, const char *name)
{
	ListCell   *lc;
	CascadeNode *node;

	foreach(lc, graph->nodes)
	{
		node = (CascadeNode *) lfirst(lc);
		if (strcmp(node->qualified, qualified) == 0)
			return node;
	}
	node = palloc0(sizeof(CascadeNode));
	node->qualified = pstrdup(qualified);
	node->name = pstrdup(name);
	graph->nodes = lappend(graph->nodes, node);
	return node;
}

/*
 * Add the reference child.column -> parent.ref_column; a CASCADE one makes
 * the child a target, returned for the caller to visit (else NULL).
 */
static CascadeNode *
add_edge(CascadeGraph *graph, CascadeNode *child, CascadeNode *parent, const char *column,
		 const char *ref_column, OnDelete on_delete, const ForeignKey *fk)
{
	CascadeEdge *edge = palloc0(sizeof(CascadeEdge));

	edge->child = child;
	edge->parent = parent;
	edge->column = pstrdup(column);
	edge->ref_column = pstrdup(ref_column);
	edge->on_delete = on_delete;
	edge->conname = fk ? fk->conname : NULL;
	edge->ncolumns = fk ? fk->ncolumns : 1;
	graph->edges = lappend(graph->edges, edge);
	parent->referenced = true;
	if (on_delete == ON_DELETE_CASCADE && !child->target)
	{
		child->target = true;
		return child;
	}
	return NULL;
}

/*
 * Note a reference the fallback handles, for the NOTICE and the detail.
 */
static void
note_fallback(CascadeGraph *graph, const CascadeEdge *edge)
{
	appendStringInfo(&graph->fallback, "%s%s.%s (%s)",
					 graph->fallback.len > 0 ? ", " : "", edge->child->name, edge->column,
					 edge->on_delete == ON_DELETE_CASCADE ? "deleted" : "set to NULL");
}

/*
 * Add every reference into target, appending to *visit the tables that
 * become targets: foreign keys first (by the relations when they list
 * them, else the fallback; from tables not Sentry's, refused if used),
 * then the relations without a foreign key whose columns exist.
 */
static void
add_edges_into(CascadeGraph *graph, CascadeNode *target, List **visit)
{
	CascadeNode *next;

	for (int i = 0; i < graph->nfks; i++)
	{
		const ForeignKey *fk = &graph->fks[i];
		CascadeNode *child;
		const SentryRelation *relation;

		if (strcmp(fk->target, target->name) != 0)
			continue;
		child = node_for(graph, fk->qualified, fk->table);
		if (!fk->in_schema || !is_sentry_table(graph, fk->table))
		{
			add_edge(graph, child, target, fk->column, fk->ref_column, ON_DELETE_DO_NOTHING, fk);
			((CascadeEdge *) llast(graph->edges))->foreign = true;
			continue;
		}
		relation = find_relation(graph, fk->table, fk->column);
		next = add_edge(graph, child, target, fk->column, fk->ref_column,
						relation ? relation->on_delete :
						fk->not_null ? ON_DELETE_CASCADE : ON_DELETE_SET_NULL, fk);
		if (relation == NULL)
			note_fallback(graph, llast(graph->edges));
		if (next)
			*visit = lappend(*visit, next);
	}

	for (int i = 0; i < graph->nrelations; i++)
	{
		const SentryRelation *relation = &graph->relations[i];
		const CatalogTable *table;

		if (strcmp(relation->target, target->name) != 0)
			continue;
		table = catalog_find_table(graph->catalog, relation->table);
		if (table == NULL || catalog_find_column(table, relation->column) == NULL ||
			has_foreign_key(graph, relation->table, relation->column))
			continue;
		next = add_edge(graph, node_for(graph, table->qualified_name, table->name), target,
						relation->column, "id", relation->on_delete, NULL);
		if (next)
			*visit = lappend(*visit, next);
	}
}

/*
 * Find every reference reachable from the root table through CASCADE
 * references, and refuse the foreign keys that cannot be followed.
 */
static void
build_graph(CascadeGraph *graph, const char *table)
{
	const CatalogTable *root = catalog_require_table(graph->catalog, table);
	List	   *visit;
	ListCell   *lc;

	graph->root = node_for(graph, root->qualified_name, root->name);
	graph->root->target = true;
	visit = list_make1(graph->root);
	for (int i = 0; i < list_length(visit); i++)
		add_edges_into(graph, (CascadeNode *) list_nth(visit, i), &visit);

	foreach(lc, graph->edges)
	{
		CascadeEdge *edge = (CascadeEdge *) lfirst(lc);

		if (edge->ncolumns != 1)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot cascade a delete through foreign key %s of table %s",
							quote_identifier(edge->conname), edge->child->qualified),
					 errdetail("The foreign key has %d columns; only single-column foreign keys are followed.",
							   edge->ncolumns)));
	}
}

/*
 * Can target go next: is every target that refers to it (other than
 * itself) placed already?  With strict, only CASCADE references count;
 * else the others too, so that their checks and updates see the rows
 * that stay.
 */
static bool
children_placed(const CascadeGraph *graph, const CascadeNode *target, bool strict)
{
	ListCell   *lc;

	foreach(lc, graph->edges)
	{
		CascadeEdge *edge = (CascadeEdge *) lfirst(lc);

		if (edge->parent == target && edge->child != target && edge->child->target &&
			!edge->child->placed && (!strict || edge->on_delete == ON_DELETE_CASCADE))
			return false;
	}
	return true;
}

/*
 * Order the targets children first.  A cycle of CASCADE references
 * through several tables cannot be joined down and is refused.
 */
static void
order_targets(CascadeGraph *graph)
{
	for (;;)
	{
		CascadeNode *next = NULL;
		bool		pending = false;
		ListCell   *lc;

		for (int pass = 0; pass < 2 && next == NULL; pass++)
			foreach(lc, graph->nodes)
			{
				CascadeNode *node = (CascadeNode *) lfirst(lc);

				if (!node->target || node->placed)
					continue;
				pending = true;
				if (children_placed(graph, node, pass == 1))
				{
					next = node;
					break;
				}
			}
		if (!pending)
			return;
		if (next == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot cascade a delete from table %s around a cycle of references",
							graph->root->qualified)));
		next->placed = true;
		graph->order = lappend(graph->order, next);
	}
}

static void append_doomed(StringInfo sql, const CascadeGraph *graph, const CascadeNode *node,
						  const char *column);

/*
 * The doomed rows of node without its self-references: the roots, or the
 * rows referring through CASCADE to doomed rows of the tables above; as
 * (root, key), key being column.
 */
static void
append_doomed_base(StringInfo sql, const CascadeGraph *graph, const CascadeNode *node,
				   const char *column)
{
	bool		first = true;
	ListCell   *lc;

	if (node == graph->root)
	{
		appendStringInfo(sql, "SELECT r.id AS root, t.%s AS key FROM %s AS t"
						 " JOIN pg_catalog.unnest($1::pg_catalog.int8[]) AS r(id) ON t.id = r.id",
						 quote_identifier(column), node->qualified);
		return;
	}
	foreach(lc, graph->edges)
	{
		CascadeEdge *edge = (CascadeEdge *) lfirst(lc);

		if (edge->child != node || edge->parent == node || edge->on_delete != ON_DELETE_CASCADE)
			continue;
		if (!first)
			appendStringInfoString(sql, " UNION ALL ");
		first = false;
		appendStringInfo(sql, "SELECT p.root, t.%s AS key FROM %s AS t JOIN (",
						 quote_identifier(column), node->qualified);
		append_doomed(sql, graph, edge->parent, edge->ref_column);
		appendStringInfo(sql, ") AS p ON t.%s = p.key", quote_identifier(edge->column));
	}
}

/*
 * The doomed rows of node, as a query of (root, key), key being column; a
 * self-reference (a notification message's parent) adds a recursive
 * step over the rows' ids.
 */
static void
append_doomed(StringInfo sql, const CascadeGraph *graph, const CascadeNode *node,
			  const char *column)
{
	bool		first = true;
	ListCell   *lc;

	foreach(lc, graph->edges)
	{
		CascadeEdge *edge = (CascadeEdge *) lfirst(lc);

		if (edge->child != node || edge->parent != node || edge->on_delete != ON_DELETE_CASCADE)
			continue;
		if (first)
		{
			appendStringInfo(sql, "SELECT d.root, t.%s AS key FROM %s AS t JOIN ("
							 "WITH RECURSIVE d(root, id) AS (",
							 quote_identifier(column), node->qualified);
			append_doomed_base(sql, graph, node, "id");
			appendStringInfo(sql, " UNION SELECT d.root, t.id FROM %s AS t JOIN d ON ",
							 node->qualified);
		}
		else
			appendStringInfoString(sql, " OR ");
		first = false;
		appendStringInfo(sql, "t.%s = d.id", quote_identifier(edge->column));
	}
	if (first)
		append_doomed_base(sql, graph, node, column);
	else
		appendStringInfoString(sql, ") SELECT root, id FROM d) AS d ON t.id = d.id");
}

/*
 * The doomed rows of edge's parent that edge's column refers to, as the
 * text of a query of (root, key).
 */
static char *
doomed_parents(const CascadeGraph *graph, const CascadeEdge *edge)
{
	StringInfoData sql;

	initStringInfo(&sql);
	append_doomed(&sql, graph, edge->parent, edge->ref_column);
	return sql.data;
}

/*
 * Run a statement that takes the roots as $1 and returns (root, count)
 * rows, and add the counts to each root's tally: to dependent_rows (and
 * the table numbered table_number) or to nulled_refs.
 */
static void
run_counted(CascadeGraph *graph, const char *sql, int table_number, bool nulled)
{
	Oid			argtypes[1] = {INT8ARRAYOID};
	Datum		args[1] = {graph->ids};
	uint64		n = spi_run(sql, 1, argtypes, args, NULL, false, SPI_OK_SELECT);

	for (uint64 i = 0; i < n; i++)
	{
		int64		root = spi_get_int64(i, 1);
		int64		count = spi_get_int64(i, 2);
		RootTally  *tally = hash_search(graph->tallies, &root, HASH_FIND, NULL);

		if (tally == NULL)
			elog(ERROR, "cascade row has unknown root " INT64_FORMAT, root);
		if (nulled)
			tally->count.nulled_refs += count;
		else
		{
			tally->count.dependent_rows += count;
			if (tally->last_table != table_number)
			{
				tally->count.dependent_tables++;
				tally->last_table = table_number;
			}
		}
	}
	SPI_freetuptable(SPI_tuptable);
}

/*
 * Run a statement that takes the roots as $1 and returns one count.
 */
static int64
run_count(CascadeGraph *graph, const char *sql)
{
	Oid			argtypes[1] = {INT8ARRAYOID};
	Datum		args[1] = {graph->ids};
	int64		count;

	spi_run(sql, 1, argtypes, args, NULL, false, SPI_OK_SELECT);
	count = spi_get_int64(0, 1);
	SPI_freetuptable(SPI_tuptable);
	return count;
}

/*
 * How many rows of edge's child refer to doomed rows of its parent.
 */
static int64
count_referring(CascadeGraph *graph, const CascadeEdge *edge)
{
	return run_count(graph, psprintf("SELECT pg_catalog.count(*) FROM %s AS t"
									 " WHERE EXISTS (SELECT FROM (%s) AS p WHERE p.key = t.%s)",
									 edge->child->qualified, doomed_parents(graph, edge),
									 quote_identifier(edge->column)));
}

/*
 * Refuse, before anything is written, a delete that a table not
 * Sentry's refers to through a foreign key: the extension never writes
 * it, and the commit would fail on it.
 */
static void
check_foreign(CascadeGraph *graph)
{
	ListCell   *lc;

	foreach(lc, graph->edges)
	{
		CascadeEdge *edge = (CascadeEdge *) lfirst(lc);
		int64		n;

		if (!edge->foreign)
			continue;
		n = count_referring(graph, edge);
		MemoryContextReset(graph->scratch);
		if (n > 0)
			ereport(ERROR,
					(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
					 errmsg("cannot delete rows of table %s: table %s, which is not Sentry's, refers to them",
							edge->parent->qualified, edge->child->qualified),
					 errdetail("Foreign key %s of table %s refers to " INT64_FORMAT " of the rows to delete; only Sentry's tables are written.",
							   quote_identifier(edge->conname), edge->child->qualified, n),
					 errhint("Delete those rows of %s, or drop its foreign key, before the apply.",
							 edge->child->qualified)));
	}
}

/*
 * Refuse the delete when rows that stay refer to doomed rows of target
 * through a PROTECT reference, or through a DO_NOTHING one that is a
 * real foreign key (the commit would fail on it).
 */
static void
check_protected(CascadeGraph *graph, const CascadeNode *target)
{
	ListCell   *lc;

	foreach(lc, graph->edges)
	{
		CascadeEdge *edge = (CascadeEdge *) lfirst(lc);
		int64		n;

		if (edge->parent != target || edge->foreign ||
			!(edge->on_delete == ON_DELETE_PROTECT ||
			  (edge->on_delete == ON_DELETE_DO_NOTHING && edge->conname != NULL)))
			continue;
		n = count_referring(graph, edge);
		MemoryContextReset(graph->scratch);
		if (n > 0)
			ereport(ERROR,
					(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
					 errmsg("cannot delete rows of table %s: " INT64_FORMAT " rows of table %s refer to them through column %s",
							target->qualified, n, edge->child->qualified,
							quote_identifier(edge->column)),
					 edge->on_delete == ON_DELETE_PROTECT ?
					 errdetail("Sentry's model protects that reference (on_delete=PROTECT): Sentry refuses this delete too.") :
					 errdetail("Sentry's model leaves that reference as it is (on_delete=DO_NOTHING), and foreign key %s would fail.",
							   quote_identifier(edge->conname)),
					 errhint("Delete or change those rows of %s first.", edge->child->qualified)));
	}
}

/*
 * Lock the doomed rows of target (FOR UPDATE), through each reference
 * that makes them doomed; see the file header.
 */
static void
lock_rows(CascadeGraph *graph, const CascadeNode *target)
{
	ListCell   *lc;

	if (target == graph->root)
	{
		run_count(graph, psprintf("SELECT pg_catalog.count(*) FROM (SELECT FROM %s AS t"
								  " JOIN pg_catalog.unnest($1::pg_catalog.int8[]) AS r(id) ON t.id = r.id"
								  " ORDER BY t.id FOR UPDATE OF t) AS l",
								  target->qualified));
		MemoryContextReset(graph->scratch);
		return;
	}
	foreach(lc, graph->edges)
	{
		CascadeEdge *edge = (CascadeEdge *) lfirst(lc);

		if (edge->child != target || edge->on_delete != ON_DELETE_CASCADE)
			continue;
		run_count(graph, psprintf("SELECT pg_catalog.count(*) FROM (SELECT FROM %s AS t"
								  " JOIN (%s) AS p ON t.%s = p.key FOR UPDATE OF t) AS l",
								  target->qualified, doomed_parents(graph, edge),
								  quote_identifier(edge->column)));
		MemoryContextReset(graph->scratch);
	}
}

/*
 * Set to NULL the SET_NULL references into target's doomed rows.
 */
static void
null_references(CascadeGraph *graph, const CascadeNode *target)
{
	ListCell   *lc;

	foreach(lc, graph->edges)
	{
		CascadeEdge *edge = (CascadeEdge *) lfirst(lc);

		if (edge->parent != target || edge->foreign || edge->on_delete != ON_DELETE_SET_NULL)
			continue;
		run_counted(graph, psprintf("WITH nulled AS (UPDATE %s AS t SET %s = NULL FROM (%s) AS p"
									" WHERE t.%s = p.key RETURNING p.root)"
									" SELECT root, pg_catalog.count(*) FROM nulled GROUP BY root",
									edge->child->qualified, quote_identifier(edge->column),
									doomed_parents(graph, edge), quote_identifier(edge->column)),
					0, true);
		MemoryContextReset(graph->scratch);
	}
}

/*
 * Delete the doomed rows of target: through each CASCADE reference out of
 * it, or, for a table that refers to itself, by id in one statement.
 */
static void
delete_rows(CascadeGraph *graph, const CascadeNode *target, int table_number)
{
	bool		self = false;
	ListCell   *lc;

	foreach(lc, graph->edges)
	{
		CascadeEdge *edge = (CascadeEdge *) lfirst(lc);

		if (edge->child == target && edge->parent == target &&
			edge->on_delete == ON_DELETE_CASCADE)
			self = true;
	}
	if (self)
	{
		StringInfoData doomed;

		initStringInfo(&doomed);
		append_doomed(&doomed, graph, target, "id");
		run_counted(graph, psprintf("WITH gone AS (DELETE FROM %s AS t USING (%s) AS p"
									" WHERE t.id = p.key RETURNING p.root)"
									" SELECT root, pg_catalog.count(*) FROM gone GROUP BY root",
									target->qualified, doomed.data),
					table_number, false);
		MemoryContextReset(graph->scratch);
		return;
	}
	foreach(lc, graph->edges)
	{
		CascadeEdge *edge = (CascadeEdge *) lfirst(lc);

		if (edge->child != target || edge->on_delete != ON_DELETE_CASCADE)
			continue;
		run_counted(graph, psprintf("WITH gone AS (DELETE FROM %s AS t USING (%s) AS p"
									" WHERE t.%s = p.key RETURNING p.root)"
									" SELECT root, pg_catalog.count(*) FROM gone GROUP BY root",
									target->qualified, doomed_parents(graph, edge),
									quote_identifier(edge->column)),
					table_number, false);
		MemoryContextReset(graph->scratch);
	}
}

/*
 * Delete the roots themselves.
 */
static void
delete_roots(CascadeGraph *graph)
{
	Oid			argtypes[1] = {INT8ARRAYOID};
	Datum		args[1] = {graph->ids};

	spi_run(psprintf("DELETE FROM %s AS t USING pg_catalog.unnest($1) AS r(id) WHERE t.id = r.id",
					 graph->root->qualified),
			1, argtypes, args, NULL, false, SPI_OK_DELETE);
	MemoryContextReset(graph->scratch);
}

/*
 * A tally for every root, all zero.
 */
static void
seed_tallies(CascadeGraph *graph, const int64 *ids, int nids, MemoryContext context)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(int64);
	ctl.entrysize = sizeof(RootTally);
	ctl.hcxt = context;
	graph->tallies = hash_create("cascade roots", nids, &ctl,
								 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	for (int i = 0; i < nids; i++)
	{
		bool		found;
		RootTally  *tally = hash_search(graph->tallies, &ids[i], HASH_ENTER, &found);

		if (!found)
		{
			memset(&tally->count, 0, sizeof(CascadeCount));
			tally->last_table = 0;
		}
	}
}

/*
 * Delete the rows of table whose id is in ids, as Sentry would; see
 * reconcile_cascade.h.
 */
const char *
cascade_delete(const SentryCatalog *catalog, const char *table, const int64 *ids, int nids,
			   CascadeCount *counts)
{
	MemoryContext cascade_context;
	MemoryContext outer = CurrentMemoryContext;
	CascadeGraph graph = {0};
	const char *fallback = NULL;
	int			table_number = 0;
	ListCell   *lc;

	if (nids <= 0)
		return NULL;

	cascade_context = AllocSetContextCreate(CurrentMemoryContext, "cascade_delete",
											ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(cascade_context);
	graph.scratch = AllocSetContextCreate(cascade_context, "cascade_delete statement",
										  ALLOCSET_DEFAULT_SIZES);
	graph.catalog = catalog;
	initStringInfo(&graph.fallback);
	choose_relations(&graph);
	load_foreign_keys(&graph);
	build_graph(&graph, table);
	order_targets(&graph);
	graph.ids = int8_array_datum(ids, nids);
	seed_tallies(&graph, ids, nids, cascade_context);

	if (graph.fallback.len > 0)
		ereport(NOTICE,
				(errcode(ERRCODE_WARNING),
				 errmsg("references into %s that Sentry's on_delete table does not list were handled by the fallback",
						graph.root->qualified),
				 errdetail("The references and what the fallback did: %s.", graph.fallback.data),
				 errhint("This Sentry release has models the extension does not know; please report them.")));

	MemoryContextSwitchTo(graph.scratch);
	check_foreign(&graph);
	for (int i = list_length(graph.order) - 1; i >= 0; i--)
	{
		CascadeNode *target = (CascadeNode *) list_nth(graph.order, i);

		if (target->referenced || target == graph.root)
			lock_rows(&graph, target);
	}
	foreach(lc, graph.order)
	{
		CascadeNode *target = (CascadeNode *) lfirst(lc);

		table_number++;
		null_references(&graph, target);
		check_protected(&graph, target);
		if (target != graph.root)
			delete_rows(&graph, target, table_number);
	}
	delete_roots(&graph);
	MemoryContextSwitchTo(cascade_context);

	for (int i = 0; i < nids; i++)
	{
		RootTally  *tally = hash_search(graph.tallies, &ids[i], HASH_FIND, NULL);

		counts[i] = tally->count;
	}
	if (graph.fallback.len > 0)
		fallback = MemoryContextStrdup(outer, graph.fallback.data);

	MemoryContextSwitchTo(outer);
	MemoryContextDelete(cascade_context);
	return fallback;
}
