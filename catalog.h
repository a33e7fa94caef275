/*-------------------------------------------------------------------------
 *
 * catalog.h
 *		What the target Sentry schema looks like, read once per call.
 *
 * The reconciler writes only columns that exist, fills NOT NULL columns
 * that have no database default from a table of Sentry's own defaults,
 * tells Sentry generations apart by the tables they have, and reads a
 * Django Sentry's migration levels (levels.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_CATALOG_H
#define SENTRY_FIXTURES_CATALOG_H

#include "levels.h"

typedef enum SentryGeneration
{
	SENTRY_GENERATION_9,		/* South migrations, serial ids, pickled options */
	SENTRY_GENERATION_MODERN	/* Django migrations, identity ids, JSON options */
} SentryGeneration;

typedef struct CatalogColumn
{
	char	   *name;
	char	   *type_name;		/* format_type_be(): no typmod */
	bool		not_null;
	bool		has_default;	/* DEFAULT or identity */
} CatalogColumn;

typedef struct CatalogTable
{
	char	   *name;
	char	   *qualified_name; /* quoted schema.table, ready for SQL */
	int			ncolumns;
	CatalogColumn *columns;
	char	   *id_sequence;	/* quoted sequence behind id, or NULL */
	bool		id_always_identity; /* GENERATED ALWAYS AS IDENTITY */
	SentryGeneration generation;	/* of the schema, for defaults.c */
} CatalogTable;

typedef struct SentryCatalog
{
	char	   *schema;
	SentryGeneration generation;
	const char *generation_source;	/* the table it was told by */
	MigrationLevels *levels;	/* of a Django Sentry; NULL for Sentry 9 */
	int			ntables;
	CatalogTable *tables;		/* sorted by name */
} SentryCatalog;

/*
 * Read the tables of schema (one statement) and, for a Django Sentry, its
 * migration levels (one more); errors if it holds no Sentry
 */
extern SentryCatalog *catalog_load(const char *schema);

/* The same, but NULL when the schema holds no Sentry */
extern SentryCatalog *catalog_read(const char *schema);

/* A table, or NULL when the schema does not have it */
extern CatalogTable *catalog_find_table(const SentryCatalog *catalog, const char *name);

/* A table that must exist: errors naming it when it does not */
extern CatalogTable *catalog_require_table(const SentryCatalog *catalog, const char *name);

/* A column of a table, or NULL */
extern CatalogColumn *catalog_find_column(const CatalogTable *table, const char *name);

/* What tells one generation's Sentry apart, as data */
typedef struct GenerationTraits
{
	const char *name;			/* human-readable, for sentry_fixtures_info() */
	bool		slug_strips_cut_dashes; /* slugify_instance() strips '-' after
										 * cutting the slug to length */
} GenerationTraits;

extern const GenerationTraits *catalog_generation_traits(SentryGeneration generation);

/* Human-readable name of a generation */
extern const char *catalog_generation_name(SentryGeneration generation);

#endif							/* SENTRY_FIXTURES_CATALOG_H */
