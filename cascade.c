/*-------------------------------------------------------------------------
 *
 * cascade.c
 *		Placeholder until the module is written.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "cascade.h"

void
cascade_delete(const char *schema, const char *table, const int64 *ids, int nids, CascadeCount *counts)
{
	elog(ERROR, "cascade_delete is not implemented");
}
