/*-------------------------------------------------------------------------
 *
 * bootstrap.c
 *		Placeholder until the module is written.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "bootstrap.h"

BootstrapResult
bootstrap_load(const char *dump, size_t len, const BootstrapOptions *options)
{
	elog(ERROR, "bootstrap_load is not implemented");
}
