/*-------------------------------------------------------------------------
 *
 * slug.h
 *		Slugs of team, project and organization names.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_SLUG_H
#define SENTRY_FIXTURES_SLUG_H

/* Longest slug written (Sentry 9's slug columns are varchar(50)) */
#define SENTRY_SLUG_MAX_LENGTH 50

/*
 * The slug of a name: lowercase, every character outside [a-z0-9_-]
 * becomes '-', at most maxlen characters.  palloc'd.
 */
extern char *sentry_slugify(const char *name, int maxlen);

#endif							/* SENTRY_FIXTURES_SLUG_H */
