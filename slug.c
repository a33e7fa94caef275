/*-------------------------------------------------------------------------
 *
 * slug.c
 *		Slugs of team, project and organization names.
 *
 * The rule is the fixture format's, applied the same way by validation
 * (two names with one slug are a problem) and by the reconciler (which
 * always sets the slug from the name): lowercase ASCII letters, digits,
 * '_' and '-' stay; any other character, multibyte ones included, becomes
 * one '-'.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"

#include "slug.h"

/*
 * Slugify name, keeping at most maxlen characters.
 */
char *
sentry_slugify(const char *name, int maxlen)
{
	int			len = strlen(name);
	char	   *slug = palloc(Min(len, maxlen) + 1);
	int			out = 0;
	int			i = 0;

	while (i < len && out < maxlen)
	{
		unsigned char c = (unsigned char) name[i];

		if (c >= 'A' && c <= 'Z')
			slug[out++] = c - 'A' + 'a';
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')
			slug[out++] = c;
		else
			slug[out++] = '-';
		i += pg_mblen(name + i);
	}
	slug[out] = '\0';
	return slug;
}
