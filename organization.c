/*-------------------------------------------------------------------------
 *
 * organization.c
 *		Find the organization a fixture or an export names.
 *
 * Both the reconciler and fixture_export() look the organization up the
 * same way (slug first, then name), so the lookup lives here, below both,
 * with a public header.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"

#include "organization.h"
#include "spiutil.h"

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
