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
 * Validation and the reconciler slugify every name of a fixture, 20,000 at
 * 10,000 projects: an ASCII name skips the decomposition (it is its own
 * NFKD), and the slug is built in a buffer of its final size.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/unicode_norm.h"
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
	bool		ascii = true;
	int			n = 0;

	while (*p)
	{
		ascii &= (*p < 0x80);
		chars[n++] = utf8_to_unicode(p);
		p += pg_utf_mblen(p);
	}
	chars[n] = 0;
	return ascii ? chars : unicode_normalize(UNICODE_NFKD, chars);
}

/*
 * sentry_slugify: see slug.h.
 */
char *
sentry_slugify(const char *name, int maxlen)
{
	pg_wchar   *chars = decomposed(name);
	char	   *slug;
	bool		pending_dash = false;
	int			nchars = 0;
	int			len = 0;
	int			start = 0;
	int			i;

	/* each character gives at most one of the slug's: a dash or itself */
	while (chars[nchars] != 0)
		nchars++;
	slug = palloc(nchars + 1);

	for (i = 0; i < nchars; i++)
	{
		pg_wchar	c = chars[i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c == '-' || is_python_space(c))
			pending_dash = true;
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
		{
			if (pending_dash)
				slug[len++] = '-';
			pending_dash = false;
			slug[len++] = (char) c;
		}
	}

	/* strip '-' and '_' from both ends */
	while (len > 0 && (slug[len - 1] == '-' || slug[len - 1] == '_'))
		len--;
	while (start < len && (slug[start] == '-' || slug[start] == '_'))
		start++;

	len = Min(len - start, maxlen);
	memmove(slug, slug + start, len);
	slug[len] = '\0';
	pfree(chars);
	return slug;
}
