/*-------------------------------------------------------------------------
 *
 * password.c
 *		Placeholder until the module is written.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "password.h"

char *
password_hash(const char *password, int iterations)
{
	elog(ERROR, "password_hash is not implemented");
}

bool
password_verify(const char *password, const char *encoded)
{
	elog(ERROR, "password_verify is not implemented");
}

bool
password_hash_is_valid(const char *encoded)
{
	elog(ERROR, "password_hash_is_valid is not implemented");
}
