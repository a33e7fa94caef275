/*-------------------------------------------------------------------------
 *
 * urlprefix.h
 *		Where the url prefix comes from: the fixture, the GUC, or Sentry's
 *		own system.url-prefix option.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_URLPREFIX_H
#define SENTRY_FIXTURES_URLPREFIX_H

#include "fixture.h"

typedef enum UrlPrefixSource
{
	URL_PREFIX_NONE,
	URL_PREFIX_FIXTURE,
	URL_PREFIX_GUC,
	URL_PREFIX_OPTION
} UrlPrefixSource;

/*
 * Find the url prefix text for a fixture, in order: its url_prefix key, the
 * GUC sentry_fixtures.url_prefix, the system.url-prefix row of
 * <schema>.sentry_option (pickled in Sentry 9, JSON later).  Returns NULL
 * with *source URL_PREFIX_NONE when none is set.  An option value that
 * cannot be decoded is added to fixture->problems (path url_prefix); then
 * the result is NULL with *source URL_PREFIX_OPTION.  Uses SPI; the caller
 * must be connected.
 */
extern char *url_prefix_lookup(Fixture *fixture, UrlPrefixSource *source);

/*
 * Where a url prefix came from, as a phrase for messages and
 * sentry_fixtures_info(), e.g. "the setting sentry_fixtures.url_prefix"
 */
extern const char *url_prefix_source_name(UrlPrefixSource source);

#endif							/* SENTRY_FIXTURES_URLPREFIX_H */
