/*-------------------------------------------------------------------------
 *
 * validate.h
 *		Rules across fixture entries, and the whole read of a fixture.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_VALIDATE_H
#define SENTRY_FIXTURES_VALIDATE_H

#include "fixture.h"
#include "urlprefix.h"

/*
 * Check DSNs against the url prefix (NULL when none was found, which is
 * itself a problem) and the rules across entries: duplicates, slugs,
 * platform, email, password hash.  Fills FixtureProject.parsed.
 */
extern void fixture_validate(Fixture *fixture, const char *url_prefix,
							 UrlPrefixSource source);

/* The prefix of the user auth tokens current Sentry issues (AuthTokenType.USER) */
#define SENTRY_USER_TOKEN_PREFIX "sntryu_"

/* The bit of a user auth token scope in Sentry's scopes bitfield, or -1 */
extern int	api_scope_bit(const char *scope);

/*
 * Parse, find the url prefix, validate.  Needs an SPI connection (the url
 * prefix may come from sentry_option).  Problems are in fixture->problems,
 * sorted by line and column (those without a place, line 0, first).
 */
extern Fixture *fixture_read(const char *text, size_t len);

#endif							/* SENTRY_FIXTURES_VALIDATE_H */
