/*-------------------------------------------------------------------------
 *
 * slug.c
 *		Sentry's slug for a team or project name.
 *
 * Sentry names a new team or project's slug with slugify_instance(), which
 * applies Django's slugify() and cuts the result to the column's length.
 * Django's slugify, which this follows:
 *	- decomposes the text (NFKD) and drops what is not ASCII, so "Café"
 *	  becomes "cafe";
 *	- lowercases, and drops every character that is not a letter, digit,
 *	  '_', '-' or whitespace ("api.v2" becomes "apiv2");
 *	- turns each run of whitespace and '-' into one '-';
 *	- strips '-' and '_' from both ends (Django 3.0 and later; older ones
 *	  stripped whitespace only, which gives the same slug for every name
 *	  that does not start or end with '-' or '_').
 * Sentry then cuts the slug to 50 characters, which can leave a '-' at the
 * end; so does this.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/unicode_norm.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"

#include "slug.h"

/* Is c whitespace for Python's \s on an ASCII string? */
static bool
is_python_space(pg_wchar c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

/*
 * The code points of UTF-8 text, decomposed (NFKD), zero-terminated.
 */
static pg_wchar *
decomposed(const char *name)
{
	int			len = strlen(name);
	pg_wchar   *chars = palloc((len + 1) * sizeof(pg_wchar));
	const unsigned char *p = (const unsigned char *) name;
	int			n = 0;

	while (*p)
	{
		chars[n++] = utf8_to_unicode(p);
		p += pg_utf_mblen(p);
	}
	chars[n] = 0;
	return unicode_normalize(UNICODE_NFKD, chars);
}

/*
 * sentry_slugify: see slug.h.
 */
char *
sentry_slugify(const char *name, int maxlen)
{
	pg_wchar   *chars = decomposed(name);
	StringInfoData slug;
	bool		pending_dash = false;
	int			start = 0;
	int			i;

	initStringInfo(&slug);
	for (i = 0; chars[i] != 0; i++)
	{
		pg_wchar	c = chars[i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c == '-' || is_python_space(c))
			pending_dash = true;
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
		{
			if (pending_dash)
				appendStringInfoChar(&slug, '-');
			pending_dash = false;
			appendStringInfoChar(&slug, (char) c);
		}
	}

	/* strip '-' and '_' from both ends */
	while (slug.len > 0 && (slug.data[slug.len - 1] == '-' || slug.data[slug.len - 1] == '_'))
		slug.data[--slug.len] = '\0';
	while (start < slug.len && (slug.data[start] == '-' || slug.data[start] == '_'))
		start++;

	return pnstrdup(slug.data + start, Min(slug.len - start, maxlen));
}
