/*-------------------------------------------------------------------------
 *
 * slug.h
 *		Sentry's slug for a team or project name.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_SLUG_H
#define SENTRY_FIXTURES_SLUG_H

/* Sentry's team and project slug columns hold this many characters */
#define SENTRY_SLUG_MAX_LENGTH 50

/*
 * The slug Sentry derives from a UTF-8 name, cut to maxlen characters; ""
 * when the name has no letter or digit that survives (Sentry then picks a
 * random slug, which a fixture cannot predict).  palloc'd.
 */
extern char *sentry_slugify(const char *name, int maxlen);

#endif							/* SENTRY_FIXTURES_SLUG_H */
