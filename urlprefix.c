/*-------------------------------------------------------------------------
 *
 * urlprefix.c
 *		Placeholder until the module is written.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "urlprefix.h"

char *
url_prefix_lookup(const Fixture *fixture, UrlPrefixSource *source)
{
	elog(ERROR, "url_prefix_lookup is not implemented");
}

const char *
url_prefix_source_name(UrlPrefixSource source)
{
	elog(ERROR, "url_prefix_source_name is not implemented");
}
