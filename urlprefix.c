/*-------------------------------------------------------------------------
 *
 * urlprefix.c
 *		Find the url prefix that a fixture's DSNs must match.
 *
 * Sentry builds every DSN from its system.url-prefix option, so the DSNs of
 * a fixture must agree with it.  The fixture may say what it is, the
 * setting sentry_fixtures.url_prefix may, and otherwise Sentry's own option
 * row is read (when the sentry_option table exists at all: validating a
 * fixture must work before Sentry's schema is there).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"

#include "optionvalue.h"
#include "sentry_fixtures.h"
#include "spiutil.h"
#include "urlprefix.h"

/* The option's key in sentry_option */
#define URL_PREFIX_OPTION_KEY "system.url-prefix"

/*
 * Does <schema>.sentry_option exist?
 */
static bool
option_table_exists(const char *schema)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1] = {CStringGetTextDatum(schema)};

	return spi_run("SELECT 1 FROM pg_catalog.pg_class c"
							   " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
							   " WHERE n.nspname = $1 AND c.relname = 'sentry_option'"
							   " AND c.relkind IN ('r', 'p', 'v', 'm', 'f')",
				   1, argtypes, args, NULL, true, SPI_OK_SELECT) > 0;
}

/*
 * The stored text of the system.url-prefix option, or NULL when there is
 * no such row.  The value column is text in Sentry 9 and text or jsonb
 * later: ::text reads all of them.  SPI_getvalue() pallocs the result in
 * the caller's context, which outlives the tuple table.
 */
static char *
stored_option_value(const char *schema)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1] = {CStringGetTextDatum(URL_PREFIX_OPTION_KEY)};
	char	   *query;

	query = psprintf("SELECT value::text FROM %s.sentry_option WHERE key = $1",
					 quote_identifier(schema));
	if (spi_run(query, 1, argtypes, args, NULL, true, SPI_OK_SELECT) == 0)
		return NULL;

	return spi_get_text(0, 1);
}

/*
 * url_prefix_lookup: see urlprefix.h.
 */
char *
url_prefix_lookup(Fixture *fixture, UrlPrefixSource *source)
{
	const char *schema = sentry_fixtures_schema;
	char	   *stored;
	char	   *decoded;
	const char *problem;

	*source = URL_PREFIX_NONE;
	if (fixture->url_prefix.value != NULL)
	{
		*source = URL_PREFIX_FIXTURE;
		return pstrdup(fixture->url_prefix.value);
	}
	if (sentry_fixtures_url_prefix != NULL && sentry_fixtures_url_prefix[0] != '\0')
	{
		*source = URL_PREFIX_GUC;
		return pstrdup(sentry_fixtures_url_prefix);
	}
	if (!option_table_exists(schema))
		return NULL;
	stored = stored_option_value(schema);
	if (stored == NULL)
		return NULL;

	*source = URL_PREFIX_OPTION;
	problem = sentry_option_decode_string(stored, &decoded);
	if (problem != NULL)
	{
		fixture_add_problem(fixture, "url_prefix", 0, 0,
							"%s in %s.sentry_option cannot be read: %s",
							url_prefix_source_name(URL_PREFIX_OPTION),
							quote_identifier(schema), problem);
		return NULL;
	}
	/* Sentry stores an unset option as an empty string or JSON null */
	if (decoded == NULL || decoded[0] == '\0')
	{
		*source = URL_PREFIX_NONE;
		return NULL;
	}
	return decoded;
}

/*
 * url_prefix_source_name: see urlprefix.h.
 */
const char *
url_prefix_source_name(UrlPrefixSource source)
{
	switch (source)
	{
		case URL_PREFIX_FIXTURE:
			return "the fixture's url_prefix";
		case URL_PREFIX_GUC:
			return "the setting sentry_fixtures.url_prefix";
		case URL_PREFIX_OPTION:
			return "Sentry's option system.url-prefix";
		case URL_PREFIX_NONE:
			break;
	}
	return "nowhere";
}
