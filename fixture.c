/*-------------------------------------------------------------------------
 *
 * fixture.c
 *		Placeholder until the module is written.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fixture.h"

Fixture *
fixture_parse(const char *text, size_t len)
{
	elog(ERROR, "fixture_parse is not implemented");
}

void
fixture_add_problem(Fixture *fixture, const char *path, int line, int col, const char *fmt,...)
{
	elog(ERROR, "fixture_add_problem is not implemented");
}
