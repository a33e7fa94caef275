/*-------------------------------------------------------------------------
 *
 * reconcile_cascade.c
 *		Delete rows together with everything that depends on them, found
 *		from the foreign keys in the catalog.
 *
 * Sentry's foreign keys have no ON DELETE action (Django emulates cascades
 * in Python), so deleting a project means finding its dependants first.
 * They are found from the catalog, by this rule, applied until nothing
 * more joins:
 *
 * - a row that refers to a row being deleted through a NOT NULL reference
 *	 is deleted too: it cannot exist without it;
 * - a row that refers to it through a nullable reference, and whose table
 *	 has no NOT NULL reference at all, is deleted too (a group, an event);
 * - a row that refers to it through a nullable reference but belongs to
 *	 something else through a NOT NULL reference (a release owned by the
 *	 organization, with a legacy project_id) is kept, and the reference is
 *	 set to NULL.
 *
 * References are the foreign keys in pg_constraint, and the ones Sentry
 * keeps without a constraint (Django's db_constraint=False: an event's
 * project_id, a release's project_id).  Those are recognised by their
 * name: an integer column outside any foreign key, named like the
 * single-column foreign keys of its schema that all refer to one table's
 * column.  Such an implied reference is followed only into the root
 * table (project_id into sentry_project), where its meaning is certain;
 * elsewhere a NOT NULL one only makes its row owned, which can keep rows
 * but never delete one.
 *
 * A reference is a "deleting edge" when the first two cases apply to it,
 * a "nulling edge" otherwise.  Tables reachable from the root table by
 * deleting edges are "targets"; each needs a single-column integer
 * primary key, which identifies its rows.
 *
 * The work is set-based: each target table's rows to delete are kept in
 * memory as arrays of (root id, row id), and each edge is one statement
 * over the arrays of all roots together (a JOIN against unnest()), run
 * once per batch of new parent rows.  Tables are visited parents first,
 * so without cycles in the graph every edge runs once; a cycle (or a
 * self-reference) is followed round again until it yields no new row.
 * Then nulling edges are applied and the rows deleted, children first,
 * with one statement per table.
 *
 * Sentry keeps writing while an apply runs.  The roots are locked first
 * and every row is locked as it is collected (FOR UPDATE), so a row that
 * a concurrent session adds under one of them waits for the apply and
 * then fails its own foreign key check, instead of slipping in between
 * the collection and the delete and failing the apply at commit.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "reconcile_cascade.h"
#include "spiutil.h"

/* A table the references lead to from the root table */
typedef struct CascadeTable
{
	Oid			relid;
	char	   *name;			/* schema-qualified and quoted */
	char	   *key_column;		/* its single-column integer primary key,
								 * unquoted; NULL when it has none */
	bool		target;			/* can rows of it be deleted? */
	bool		placed;			/* already in the visiting order? */
	/* rows to delete: row keys[i] goes with root roots[i] */
	int			nrows;
	int			capacity;
	int64	   *roots;
	int64	   *keys;
	HTAB	   *keys_seen;
} CascadeTable;

/* One single- or multi-column reference from child to parent */
typedef struct CascadeEdge
{
	char	   *conname;		/* the foreign key; NULL for an implied
								 * reference, which check_graph() always
								 * accepts: it has one column, into the
								 * root's primary key */
	CascadeTable *child;
	CascadeTable *parent;
	int			ncolumns;
	char	   *column;			/* referencing column (the first), unquoted */
	char	   *ref_column;		/* referenced column (the first), unquoted */
	bool		deletes;		/* deleting edge, else nulling edge */
	int			consumed;		/* parent rows already followed */
} CascadeEdge;

/* What went with one root so far */
typedef struct RootTally
{
	int64		root_id;		/* hash key */
	int64		dependent_rows;
	int			dependent_tables;
	int64		nulled_refs;
	int			last_table;		/* 1 + index of the last table counted */
} RootTally;

/* The graph of references reachable from the root table */
typedef struct CascadeGraph
{
	CascadeTable *root;
	List	   *tables;			/* every CascadeTable reached */
	List	   *edges;			/* every CascadeEdge between them */
	List	   *order;			/* target tables, parents first */
	MemoryContext scratch;		/* reset after each statement */
} CascadeGraph;

/*
 * The references the rule sees, and the tables they reach from the root
 * table $1, following them from referenced to referencing table (UNION
 * stops at cycles).
 *
 * fk: the foreign keys (not their clones on partitions).
 * implied: the references Sentry keeps without a foreign key (an event's
 *   project_id, a release's legacy project_id): integer columns outside
 *   any foreign key, named like the single-column foreign keys of their
 *   schema when all of those refer to the same column of one table.
 * ref: both, for ownership.
 * followed: every foreign key, and the implied references into the root
 *   table's primary key.  Implied references elsewhere are not followed
 *   (a name alone is not trusted to lead from one table's rows to
 *   another's), but a NOT NULL one still makes its row owned.
 */
#define REFERENCES_CTE \
	"WITH RECURSIVE fk AS (" \
	"  SELECT c.conname, c.conrelid, c.confrelid, c.conkey, c.confkey" \
	"  FROM pg_catalog.pg_constraint AS c" \
	"  WHERE c.contype = 'f' AND c.conparentid = 0" \
	"), named AS (" \
	"  SELECT t.relnamespace AS nsp, a.attname," \
	"         pg_catalog.min(fk.confrelid) AS confrelid," \
	"         pg_catalog.min(fk.confkey[1]) AS confnum" \
	"  FROM fk" \
	"  JOIN pg_catalog.pg_class AS t ON t.oid = fk.conrelid" \
	"  JOIN pg_catalog.pg_attribute AS a" \
	"    ON a.attrelid = fk.conrelid AND a.attnum = fk.conkey[1]" \
	"  WHERE pg_catalog.cardinality(fk.conkey) = 1" \
	"  GROUP BY t.relnamespace, a.attname" \
	"  HAVING pg_catalog.count(DISTINCT fk.confrelid) = 1" \
	"     AND pg_catalog.count(DISTINCT fk.confkey[1]) = 1" \
	"), implied AS (" \
	"  SELECT a.attrelid AS conrelid, n.confrelid," \
	"         ARRAY[a.attnum] AS conkey, ARRAY[n.confnum] AS confkey" \
	"  FROM named AS n" \
	"  JOIN pg_catalog.pg_class AS t" \
	"    ON t.relnamespace = n.nsp AND t.relkind IN ('r', 'p') AND NOT t.relispartition" \
	"  JOIN pg_catalog.pg_attribute AS a" \
	"    ON a.attrelid = t.oid AND a.attname = n.attname" \
	"   AND a.attnum > 0 AND NOT a.attisdropped" \
	"  WHERE a.atttypid IN ('pg_catalog.int2'::pg_catalog.regtype," \
	"                       'pg_catalog.int4'::pg_catalog.regtype," \
	"                       'pg_catalog.int8'::pg_catalog.regtype)" \
	"    AND NOT EXISTS (SELECT FROM fk" \
	"                    WHERE fk.conrelid = a.attrelid AND a.attnum = ANY (fk.conkey))" \
	"), ref AS (" \
	"  SELECT conrelid, conkey FROM fk" \
	"  UNION ALL" \
	"  SELECT conrelid, conkey FROM implied" \
	"), followed AS (" \
	"  SELECT * FROM fk" \
	"  UNION ALL" \
	"  SELECT NULL, im.conrelid, im.confrelid, im.conkey, im.confkey FROM implied AS im" \
	"  WHERE im.confrelid = $1 AND EXISTS (" \
	"    SELECT FROM pg_catalog.pg_index AS i" \
	"    WHERE i.indrelid = $1 AND i.indisprimary AND i.indnkeyatts = 1" \
	"      AND i.indkey[0] = im.confkey[1])" \
	"), reach(relid) AS (" \
	"  SELECT $1::pg_catalog.oid" \
	"  UNION" \
	"  SELECT f.conrelid FROM followed AS f JOIN reach ON f.confrelid = reach.relid" \
	") "

/* Every reached table with its single-column integer primary key */
static const char *const tables_query =
REFERENCES_CTE
"SELECT r.relid, n.nspname, t.relname,"
"  (SELECT a.attname FROM pg_catalog.pg_index AS i"
"   JOIN pg_catalog.pg_attribute AS a"
"     ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
"   WHERE i.indrelid = r.relid AND i.indisprimary AND i.indnkeyatts = 1"
"     AND a.atttypid IN ('pg_catalog.int2'::pg_catalog.regtype,"
"                        'pg_catalog.int4'::pg_catalog.regtype,"
"                        'pg_catalog.int8'::pg_catalog.regtype))"
" FROM reach AS r"
" JOIN pg_catalog.pg_class AS t ON t.oid = r.relid"
" JOIN pg_catalog.pg_namespace AS n ON n.oid = t.relnamespace"
" ORDER BY r.relid";

/*
 * Every followed reference into a reached table (conname NULL when
 * implied): whether all its columns are NOT NULL, and whether its table is
 * owned through some NOT NULL reference.
 */
static const char *const edges_query =
REFERENCES_CTE
"SELECT f.conname, f.conrelid, f.confrelid,"
"  pg_catalog.cardinality(f.conkey),"
"  (SELECT a.attname FROM pg_catalog.pg_attribute AS a"
"   WHERE a.attrelid = f.conrelid AND a.attnum = f.conkey[1]),"
"  (SELECT a.attname FROM pg_catalog.pg_attribute AS a"
"   WHERE a.attrelid = f.confrelid AND a.attnum = f.confkey[1]),"
"  NOT EXISTS (SELECT FROM pg_catalog.pg_attribute AS a"
"              WHERE a.attrelid = f.conrelid AND a.attnum = ANY (f.conkey)"
"                AND NOT a.attnotnull),"
"  EXISTS (SELECT FROM ref AS own"
"          WHERE own.conrelid = f.conrelid"
"            AND NOT EXISTS (SELECT FROM pg_catalog.pg_attribute AS a"
"                            WHERE a.attrelid = own.conrelid"
"                              AND a.attnum = ANY (own.conkey)"
"                              AND NOT a.attnotnull))"
" FROM followed AS f"
" WHERE f.confrelid IN (SELECT relid FROM reach)"
" ORDER BY f.conrelid, f.conname, 5";

/*
 * The oid of schema.table, or an error when there is no such table.
 */
static Oid
root_relid(const char *schema, const char *table)
{
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		args[2];
	bool		isnull;
	Oid			relid;

	args[0] = CStringGetTextDatum(schema);
	args[1] = CStringGetTextDatum(table);
	spi_run("SELECT c.oid FROM pg_catalog.pg_class AS c"
							   " JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace"
							   " WHERE n.nspname = $1 AND c.relname = $2"
							   "   AND c.relkind IN ('r', 'p')",
							   2, argtypes, args,
			NULL, false, SPI_OK_SELECT);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table %s does not exist",
						quote_qualified_identifier(schema, table))));
	relid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0],
										   SPI_tuptable->tupdesc, 1, &isnull));
	SPI_freetuptable(SPI_tuptable);
	return relid;
}

/*
 * Run one of the catalog queries for the graph rooted at relid.
 */
static void
run_graph_query(const char *query, Oid relid)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1] = {ObjectIdGetDatum(relid)};

	spi_run(query, 1, argtypes, args,
			NULL, false, SPI_OK_SELECT);
}

/*
 * The reached table with this oid.  The catalog queries see the same
 * tables, so it is always there.
 */
static CascadeTable *
find_table(const CascadeGraph *graph, Oid relid)
{
	ListCell   *lc;

	foreach(lc, graph->tables)
	{
		CascadeTable *table = (CascadeTable *) lfirst(lc);

		if (table->relid == relid)
			return table;
	}
	elog(ERROR, "table %u is missing from the foreign-key graph", relid);
	return NULL;				/* keep compiler quiet */
}

/*
 * Read the reached tables and the references between them.
 */
static void
load_graph(CascadeGraph *graph, Oid root)
{
	SPITupleTable *tuptable;
	bool		isnull;

	run_graph_query(tables_query, root);
	tuptable = SPI_tuptable;
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = tuptable->vals[i];
		CascadeTable *table = palloc0(sizeof(CascadeTable));

		table->relid = DatumGetObjectId(SPI_getbinval(tuple, tuptable->tupdesc, 1, &isnull));
		table->name = pstrdup(quote_qualified_identifier(SPI_getvalue(tuple, tuptable->tupdesc, 2),
														 SPI_getvalue(tuple, tuptable->tupdesc, 3)));
		table->key_column = SPI_getvalue(tuple, tuptable->tupdesc, 4);
		graph->tables = lappend(graph->tables, table);
		if (table->relid == root)
			graph->root = table;
	}
	SPI_freetuptable(tuptable);
	if (graph->root == NULL)
		elog(ERROR, "cascade graph lacks its root table %u", root);

	run_graph_query(edges_query, root);
	tuptable = SPI_tuptable;
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = tuptable->vals[i];
		TupleDesc	tupdesc = tuptable->tupdesc;
		CascadeEdge *edge = palloc0(sizeof(CascadeEdge));
		bool		not_null;
		bool		child_owned;

		edge->conname = SPI_getvalue(tuple, tupdesc, 1);
		edge->child = find_table(graph, DatumGetObjectId(SPI_getbinval(tuple, tupdesc, 2, &isnull)));
		edge->parent = find_table(graph, DatumGetObjectId(SPI_getbinval(tuple, tupdesc, 3, &isnull)));
		edge->ncolumns = DatumGetInt32(SPI_getbinval(tuple, tupdesc, 4, &isnull));
		edge->column = SPI_getvalue(tuple, tupdesc, 5);
		edge->ref_column = SPI_getvalue(tuple, tupdesc, 6);
		not_null = DatumGetBool(SPI_getbinval(tuple, tupdesc, 7, &isnull));
		child_owned = DatumGetBool(SPI_getbinval(tuple, tupdesc, 8, &isnull));
		edge->deletes = not_null || !child_owned;
		graph->edges = lappend(graph->edges, edge);
	}
	SPI_freetuptable(tuptable);
}

/*
 * Mark the target tables: the root, and every table a deleting edge leads
 * to from a target.
 */
static void
mark_targets(CascadeGraph *graph)
{
	bool		changed = true;

	graph->root->target = true;
	while (changed)
	{
		ListCell   *lc;

		changed = false;
		foreach(lc, graph->edges)
		{
			CascadeEdge *edge = (CascadeEdge *) lfirst(lc);

			if (edge->deletes && edge->parent->target && !edge->child->target)
			{
				edge->child->target = true;
				changed = true;
			}
		}
	}
}

/*
 * Refuse, before anything is read or written, a graph whose rows cannot
 * be followed: a target table without a key to name its rows by, or a
 * foreign key into a target that has several columns or does not refer
 * to the target's key.
 */
static void
check_graph(const CascadeGraph *graph)
{
	ListCell   *lc;

	foreach(lc, graph->tables)
	{
		CascadeTable *table = (CascadeTable *) lfirst(lc);

		if (table->target && table->key_column == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot cascade a delete into table %s", table->name),
					 errdetail("The table has no single-column integer primary key to identify its rows by.")));
	}

	foreach(lc, graph->edges)
	{
		CascadeEdge *edge = (CascadeEdge *) lfirst(lc);

		if (!edge->parent->target)
			continue;
		if (edge->ncolumns != 1)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot cascade a delete through foreign key %s of table %s",
							quote_identifier(edge->conname), edge->child->name),
					 errdetail("The foreign key has %d columns; only single-column foreign keys are followed.",
							   edge->ncolumns)));
		if (strcmp(edge->ref_column, edge->parent->key_column) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot cascade a delete through foreign key %s of table %s",
							quote_identifier(edge->conname), edge->child->name),
					 errdetail("It refers to column %s of table %s, which is not that table's primary key.",
							   quote_identifier(edge->ref_column), edge->parent->name)));
	}
}

/*
 * Can table be visited now, all the tables whose deleting edges lead to it
 * (other than itself) having been visited?
 */
static bool
parents_placed(const CascadeGraph *graph, const CascadeTable *table)
{
	ListCell   *lc;

	foreach(lc, graph->edges)
	{
		CascadeEdge *edge = (CascadeEdge *) lfirst(lc);

		if (edge->deletes && edge->child == table && edge->parent != table &&
			edge->parent->target && !edge->parent->placed)
			return false;
	}
	return true;
}

/*
 * Order the target tables parents first.  When a cycle leaves no table
 * ready, the first unplaced one goes next: the closure follows the cycle
 * round again until nothing more joins.
 */
static void
order_targets(CascadeGraph *graph)
{
	for (;;)
	{
		CascadeTable *next = NULL;
		ListCell   *lc;

		foreach(lc, graph->tables)
		{
			CascadeTable *table = (CascadeTable *) lfirst(lc);

			if (!table->target || table->placed)
				continue;
			if (next == NULL)
				next = table;
			if (parents_placed(graph, table))
			{
				next = table;
				break;
			}
		}
		if (next == NULL)
			break;
		next->placed = true;
		graph->order = lappend(graph->order, next);
	}
}

/*
 * Add a row to table's rows to delete, on behalf of root, unless it is
 * there already (reached from another root or by another path).  Called
 * in the graph's long-lived memory context.
 */
static void
add_row(CascadeTable *table, int64 root, int64 key)
{
	bool		found;

	if (table->keys_seen == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(int64);
		ctl.entrysize = sizeof(int64);
		ctl.hcxt = CurrentMemoryContext;
		table->keys_seen = hash_create("cascade rows", 256, &ctl,
									   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		table->capacity = 256;
		table->roots = palloc(table->capacity * sizeof(int64));
		table->keys = palloc(table->capacity * sizeof(int64));
	}

	hash_search(table->keys_seen, &key, HASH_ENTER, &found);
	if (found)
		return;
	if (table->nrows == table->capacity)
	{
		table->capacity *= 2;
		table->roots = repalloc_huge(table->roots, table->capacity * sizeof(int64));
		table->keys = repalloc_huge(table->keys, table->capacity * sizeof(int64));
	}
	table->roots[table->nrows] = root;
	table->keys[table->nrows] = key;
	table->nrows++;
}

/*
 * values[0..n-1] as an int8[] datum.
 */
static Datum
int8_array(const int64 *values, int n)
{
	Datum	   *elems = palloc(Max(n, 1) * sizeof(Datum));

	for (int i = 0; i < n; i++)
		elems[i] = Int64GetDatum(values[i]);
	return PointerGetDatum(construct_array(elems, n, INT8OID, sizeof(int64),
										   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * Follow a deleting edge from the parent rows not followed yet: the child
 * rows that refer to them join the child's rows, with the same root.  They
 * are locked as they are found (see lock_roots()).
 */
static void
follow_edge(CascadeGraph *graph, CascadeEdge *edge)
{
	CascadeTable *parent = edge->parent;
	int			from = edge->consumed;
	int			to = parent->nrows;
	MemoryContext outer = MemoryContextSwitchTo(graph->scratch);
	Oid			argtypes[2] = {INT8ARRAYOID, INT8ARRAYOID};
	Datum		args[2];
	char	   *query;

	args[0] = int8_array(parent->roots + from, to - from);
	args[1] = int8_array(parent->keys + from, to - from);
	query = psprintf("SELECT r.root, c.%s::pg_catalog.int8 FROM %s AS c"
					 " JOIN ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2)) AS r(root, key)"
					 " ON c.%s = r.key"
					 " FOR UPDATE OF c",
					 quote_identifier(edge->child->key_column),
					 edge->child->name,
					 quote_identifier(edge->column));
	spi_run(query, 2, argtypes, args,
			NULL, false, SPI_OK_SELECT);
	edge->consumed = to;

	MemoryContextSwitchTo(outer);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		bool		isnull;
		int64		root = DatumGetInt64(SPI_getbinval(tuple, SPI_tuptable->tupdesc, 1, &isnull));
		int64		key = DatumGetInt64(SPI_getbinval(tuple, SPI_tuptable->tupdesc, 2, &isnull));

		add_row(edge->child, root, key);
	}
	SPI_freetuptable(SPI_tuptable);
	MemoryContextReset(graph->scratch);
}

/*
 * Run a statement over the collected rows of table: query_format takes
 * the table's name as %1$s and its key column as %2$s, and the statement
 * the keys as int8[] in $1.  Its SPI result code must be expected_rc.
 */
static void
run_over_rows(CascadeGraph *graph, CascadeTable *table, const char *query_format,
			  int expected_rc)
{
	MemoryContext outer = MemoryContextSwitchTo(graph->scratch);
	Oid			argtypes[1] = {INT8ARRAYOID};
	Datum		args[1];

	args[0] = int8_array(table->keys, table->nrows);
	spi_run(psprintf(query_format, table->name,
										quote_identifier(table->key_column)),
							   1, argtypes, args,
			NULL, false, expected_rc);
	SPI_freetuptable(SPI_tuptable);
	MemoryContextSwitchTo(outer);
	MemoryContextReset(graph->scratch);
}

/*
 * Lock the root rows to delete, in key order.  A session that inserts a
 * row referring to one takes a share lock on it for its foreign key
 * check, so from here on no new dependant can appear: such an insert
 * waits, and fails on the foreign key once the root is gone.  Every row
 * collected below is locked the same way, so no dependant of a dependant
 * can appear either, and the delete that ends the cascade never runs into
 * a row it did not see.  References without a constraint take no lock:
 * an event written for a project at the moment it is deleted can outlive
 * it, as it can in Sentry itself.
 */
static void
lock_roots(CascadeGraph *graph)
{
	run_over_rows(graph, graph->root,
				  "SELECT FROM %1$s AS t JOIN pg_catalog.unnest($1) AS r(key) ON t.%2$s = r.key"
				  " ORDER BY t.%2$s FOR UPDATE OF t",
				  SPI_OK_SELECT);
}

/*
 * Collect the rows to delete: follow every deleting edge, in the visiting
 * order, from the parent rows it has not followed yet, until a round adds
 * nothing.  Without cycles the second round runs no statement.
 */
static void
collect_rows(CascadeGraph *graph)
{
	bool		followed = true;

	while (followed)
	{
		ListCell   *lt;

		followed = false;
		foreach(lt, graph->order)
		{
			CascadeTable *table = (CascadeTable *) lfirst(lt);
			ListCell   *le;

			foreach(le, graph->edges)
			{
				CascadeEdge *edge = (CascadeEdge *) lfirst(le);

				if (edge->deletes && edge->child == table &&
					edge->consumed < edge->parent->nrows)
				{
					follow_edge(graph, edge);
					followed = true;
				}
			}
		}
	}
}

/*
 * The tally of root, which was entered when the roots were seeded.
 */
static RootTally *
tally_of(HTAB *tallies, int64 root)
{
	RootTally  *tally = hash_search(tallies, &root, HASH_FIND, NULL);

	if (tally == NULL)
		elog(ERROR, "cascade row has unknown root " INT64_FORMAT, root);
	return tally;
}

/*
 * Apply a nulling edge: the child rows that refer to rows being deleted,
 * and are not being deleted themselves, keep their row with the reference
 * set to NULL.  The count goes to each root's tally.
 */
static void
null_references(CascadeGraph *graph, CascadeEdge *edge, HTAB *tallies)
{
	CascadeTable *parent = edge->parent;
	CascadeTable *child = edge->child;
	MemoryContext outer = MemoryContextSwitchTo(graph->scratch);
	Oid			argtypes[3] = {INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID};
	Datum		args[3];
	char	   *query;

	args[0] = int8_array(parent->roots, parent->nrows);
	args[1] = int8_array(parent->keys, parent->nrows);
	args[2] = int8_array(child->keys, child->nrows);
	query = psprintf("WITH nulled AS ("
					 " UPDATE %s AS c SET %s = NULL"
					 " FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2)) AS r(root, key)"
					 " WHERE c.%s = r.key%s%s%s"
					 " RETURNING r.root)"
					 " SELECT root, pg_catalog.count(*) FROM nulled GROUP BY root",
					 child->name,
					 quote_identifier(edge->column),
					 quote_identifier(edge->column),
					 child->target ? " AND NOT EXISTS (SELECT FROM pg_catalog.unnest($3) AS d(key) WHERE d.key = c." : "",
					 child->target ? quote_identifier(child->key_column) : "",
					 child->target ? ")" : "");
	spi_run(query, child->target ? 3 : 2, argtypes, args,
			NULL, false, SPI_OK_SELECT);

	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		bool		isnull;
		int64		root = DatumGetInt64(SPI_getbinval(tuple, SPI_tuptable->tupdesc, 1, &isnull));

		tally_of(tallies, root)->nulled_refs +=
			DatumGetInt64(SPI_getbinval(tuple, SPI_tuptable->tupdesc, 2, &isnull));
	}
	SPI_freetuptable(SPI_tuptable);
	MemoryContextSwitchTo(outer);
	MemoryContextReset(graph->scratch);
}

/*
 * Delete the collected rows of table, in one statement.
 */
static void
delete_rows(CascadeGraph *graph, CascadeTable *table)
{
	run_over_rows(graph, table, "DELETE FROM %1$s AS t USING pg_catalog.unnest($1) AS r(key)"
				  " WHERE t.%2$s = r.key", SPI_OK_DELETE);
}

/*
 * Count the collected rows of every target, other than the roots
 * themselves, in the tally of the root they go with.
 */
static void
tally_rows(const CascadeGraph *graph, HTAB *tallies)
{
	int			table_number = 0;
	ListCell   *lc;

	foreach(lc, graph->order)
	{
		CascadeTable *table = (CascadeTable *) lfirst(lc);

		table_number++;
		for (int i = 0; i < table->nrows; i++)
		{
			RootTally  *tally;

			if (table == graph->root && table->keys[i] == table->roots[i])
				continue;
			tally = tally_of(tallies, table->roots[i]);
			tally->dependent_rows++;
			if (tally->last_table != table_number)
			{
				tally->dependent_tables++;
				tally->last_table = table_number;
			}
		}
	}
}

/*
 * Delete the rows of schema.table whose id is in ids, with their
 * dependants; see reconcile_cascade.h.
 */
void
cascade_delete(const char *schema, const char *table, const int64 *ids, int nids,
			   CascadeCount *counts)
{
	MemoryContext cascade_context;
	MemoryContext outer;
	CascadeGraph graph = {0};
	HTAB	   *tallies;
	HASHCTL		ctl;
	ListCell   *lc;

	if (nids <= 0)
		return;

	cascade_context = AllocSetContextCreate(CurrentMemoryContext, "cascade_delete",
											ALLOCSET_DEFAULT_SIZES);
	outer = MemoryContextSwitchTo(cascade_context);
	graph.scratch = AllocSetContextCreate(cascade_context, "cascade_delete statement",
										  ALLOCSET_DEFAULT_SIZES);

	load_graph(&graph, root_relid(schema, table));
	mark_targets(&graph);
	check_graph(&graph);
	order_targets(&graph);

	ctl.keysize = sizeof(int64);
	ctl.entrysize = sizeof(RootTally);
	ctl.hcxt = cascade_context;
	tallies = hash_create("cascade roots", nids, &ctl,
						  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	for (int i = 0; i < nids; i++)
	{
		bool		found;
		RootTally  *tally = hash_search(tallies, &ids[i], HASH_ENTER, &found);

		if (!found)
		{
			tally->dependent_rows = 0;
			tally->dependent_tables = 0;
			tally->nulled_refs = 0;
			tally->last_table = 0;
		}
		add_row(graph.root, ids[i], ids[i]);
	}

	lock_roots(&graph);
	collect_rows(&graph);
	tally_rows(&graph, tallies);

	foreach(lc, graph.edges)
	{
		CascadeEdge *edge = (CascadeEdge *) lfirst(lc);

		if (!edge->deletes && edge->parent->target && edge->parent->nrows > 0)
			null_references(&graph, edge, tallies);
	}
	/* children first, for foreign keys that are not deferred */
	for (int i = list_length(graph.order) - 1; i >= 0; i--)
	{
		CascadeTable *target = (CascadeTable *) list_nth(graph.order, i);

		if (target->nrows > 0)
			delete_rows(&graph, target);
	}

	for (int i = 0; i < nids; i++)
	{
		RootTally  *tally = tally_of(tallies, ids[i]);

		counts[i].root_id = ids[i];
		counts[i].dependent_rows = tally->dependent_rows;
		counts[i].dependent_tables = tally->dependent_tables;
		counts[i].nulled_refs = tally->nulled_refs;
	}

	MemoryContextSwitchTo(outer);
	MemoryContextDelete(cascade_context);
}
