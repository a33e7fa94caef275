/*-------------------------------------------------------------------------
 *
 * validate.c
 *		Placeholder until the module is written.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "validate.h"

void
fixture_validate(Fixture *fixture, const char *url_prefix, UrlPrefixSource source)
{
	elog(ERROR, "fixture_validate is not implemented");
}

Fixture *
fixture_read(const char *text, size_t len)
{
	elog(ERROR, "fixture_read is not implemented");
}
