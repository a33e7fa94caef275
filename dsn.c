/*-------------------------------------------------------------------------
 *
 * dsn.c
 *		Placeholder until the module is written.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "dsn.h"

const char *
dsn_parse(const char *text, Dsn *out)
{
	elog(ERROR, "dsn_parse is not implemented");
}

const char *
url_prefix_parse(const char *text, UrlPrefix *out)
{
	elog(ERROR, "url_prefix_parse is not implemented");
}

const char *
dsn_check_url_prefix(const Dsn *dsn, const UrlPrefix *prefix)
{
	elog(ERROR, "dsn_check_url_prefix is not implemented");
}
