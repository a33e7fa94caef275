/*-------------------------------------------------------------------------
 *
 * catalog.c
 *		Read what the target Sentry schema looks like.
 *
 * One statement per call reads every column of every table in the schema.
 * Everything the reconciler writes is built from this: the columns that
 * exist, which of them are NOT NULL without a default, and which sequence
 * stands behind each id.  Sentry generations differ only in data here;
 * a Django Sentry's migration levels are read right after (levels.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"

#include "catalog.h"
#include "spiutil.h"

static const char *const catalog_query =
"SELECT c.relname::text, a.attname::text,"
"       pg_catalog.format_type(a.atttypid, NULL),"
"       a.attnotnull, a.atthasdef OR a.attidentity <> '',"
"       a.attidentity = 'a',"
"       CASE WHEN a.attname = 'id' THEN pg_catalog.pg_get_serial_sequence("
"            pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname), 'id') END"
"  FROM pg_catalog.pg_class c"
"  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
"  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
" WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')"
" ORDER BY c.relname, a.attnum";

/*
 * Sentry 9 and older migrated with South, later ones with Django's own
 * migrations; a schema with neither table is taken for a current one.
 * Every table learns the generation, so that defaults.c can tell them
 * apart from a CatalogTable alone.
 */
static void
detect_generation(SentryCatalog *catalog)
{
	int			i;

	if (catalog_find_table(catalog, "south_migrationhistory") != NULL)
	{
		catalog->generation = SENTRY_GENERATION_9;
		catalog->generation_source = "south_migrationhistory";
	}
	else
	{
		catalog->generation = SENTRY_GENERATION_MODERN;
		catalog->generation_source =
			catalog_find_table(catalog, "django_migrations") != NULL
			? "django_migrations" : "no migration table";
	}
	for (i = 0; i < catalog->ntables; i++)
		catalog->tables[i].generation = catalog->generation;
}

/*
 * A Django Sentry's migration levels, from django_migrations when the
 * schema has it.
 */
static void
read_levels(SentryCatalog *catalog)
{
	const CatalogTable *migrations = catalog_find_table(catalog, "django_migrations");

	if (catalog->generation == SENTRY_GENERATION_9)
		return;
	catalog->levels = levels_read(migrations ? migrations->qualified_name : NULL);
}

/*
 * Read the schema's tables and columns, or NULL when it has no
 * sentry_project table.  The result lives in the caller's memory context
 * (SPI_execute's rows are copied out).
 */
SentryCatalog *
catalog_read(const char *schema)
{
	SentryCatalog *catalog = palloc0(sizeof(SentryCatalog));
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	uint64		nrows;
	uint64		i;
	int			table_cap = 0;

	args[0] = CStringGetTextDatum(schema);
	nrows = spi_select(catalog_query, 1, argtypes, args);
	catalog->schema = pstrdup(schema);

	for (i = 0; i < nrows; i++)
	{
		char	   *relname = spi_get_text(i, 1);
		CatalogTable *table;
		CatalogColumn *column;
		char	   *sequence;

		if (catalog->ntables == 0 ||
			strcmp(catalog->tables[catalog->ntables - 1].name, relname) != 0)
		{
			if (catalog->ntables == table_cap)
			{
				table_cap = table_cap == 0 ? 64 : table_cap * 2;
				catalog->tables = catalog->tables == NULL
					? palloc(table_cap * sizeof(CatalogTable))
					: repalloc(catalog->tables, table_cap * sizeof(CatalogTable));
			}
			table = &catalog->tables[catalog->ntables++];
			memset(table, 0, sizeof(CatalogTable));
			table->name = relname;
			table->qualified_name = quote_qualified_identifier(schema, relname);
		}
		table = &catalog->tables[catalog->ntables - 1];

		/* columns of one table arrive together; grow its array by doubling */
		if ((table->ncolumns & (table->ncolumns - 1)) == 0)
			table->columns = table->ncolumns == 0
				? palloc(sizeof(CatalogColumn))
				: repalloc(table->columns, 2 * table->ncolumns * sizeof(CatalogColumn));
		column = &table->columns[table->ncolumns++];
		column->name = spi_get_text(i, 2);
		column->type_name = spi_get_text(i, 3);
		column->not_null = spi_get_bool(i, 4);
		column->has_default = spi_get_bool(i, 5);

		sequence = spi_get_text(i, 7);
		if (sequence != NULL)
		{
			table->id_sequence = sequence;
			table->id_always_identity = spi_get_bool(i, 6);
		}
	}

	if (catalog_find_table(catalog, "sentry_project") == NULL)
		return NULL;
	detect_generation(catalog);
	read_levels(catalog);
	return catalog;
}

/*
 * Read the schema's tables and columns; a schema without Sentry is an
 * error that says how to point the extension at one.
 */
SentryCatalog *
catalog_load(const char *schema)
{
	SentryCatalog *catalog = catalog_read(schema);

	if (catalog == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("schema \"%s\" holds no Sentry database", schema),
				 errdetail("Table \"%s.sentry_project\" does not exist.", schema),
				 errhint("Set sentry_fixtures.schema to the schema of Sentry's tables, "
						 "or load Sentry's schema with sentry_schema_bootstrap().")));

	return catalog;
}

/* bsearch comparator: a table name against a CatalogTable */
static int
table_name_cmp(const void *key, const void *elem)
{
	return strcmp((const char *) key, ((const CatalogTable *) elem)->name);
}

/*
 * A table by name, or NULL.  The catalog query sorts by relname, which is
 * byte order under the "C"-like name comparison of type name.
 */
CatalogTable *
catalog_find_table(const SentryCatalog *catalog, const char *name)
{
	if (catalog->ntables == 0)
		return NULL;
	return bsearch(name, catalog->tables, catalog->ntables,
				   sizeof(CatalogTable), table_name_cmp);
}

/*
 * A table the reconciler cannot do without.
 */
CatalogTable *
catalog_require_table(const SentryCatalog *catalog, const char *name)
{
	CatalogTable *table = catalog_find_table(catalog, name);

	if (table == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table \"%s\" does not exist", name),
				 errdetail("Schema \"%s\" (sentry_fixtures.schema) has no such table, and sentry_fixtures needs it.",
						   catalog->schema)));
	return table;
}

/*
 * A column by name, or NULL.  Tables have a few dozen columns at most.
 */
CatalogColumn *
catalog_find_column(const CatalogTable *table, const char *name)
{
	int			i;

	for (i = 0; i < table->ncolumns; i++)
		if (strcmp(table->columns[i].name, name) == 0)
			return &table->columns[i];
	return NULL;
}

/* Indexed by SentryGeneration */
static const GenerationTraits generation_traits[] = {
	[SENTRY_GENERATION_9] = {"sentry 9", false},
	[SENTRY_GENERATION_MODERN] = {"modern", true},
};

/*
 * The traits of a generation.
 */
const GenerationTraits *
catalog_generation_traits(SentryGeneration generation)
{
	if ((int) generation < 0 || (int) generation >= (int) lengthof(generation_traits))
		elog(ERROR, "unknown Sentry generation %d", (int) generation);
	return &generation_traits[generation];
}

/*
 * For sentry_fixtures_info() and messages.
 */
const char *
catalog_generation_name(SentryGeneration generation)
{
	return catalog_generation_traits(generation)->name;
}
