/*-------------------------------------------------------------------------
 *
 * dsn.h
 *		Sentry DSNs and url prefixes.
 *
 * A DSN is <scheme>://<public>[:<secret>]@<host>[:<port>][/<path>]/<id>.
 * The secret key is a secret: it is copied and compared, never formatted
 * into a message.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_DSN_H
#define SENTRY_FIXTURES_DSN_H

#define SENTRY_KEY_LENGTH 32

typedef struct Dsn
{
	char	   *scheme;			/* "http" or "https" */
	char		public_key[SENTRY_KEY_LENGTH + 1];
	char		secret_key[SENTRY_KEY_LENGTH + 1];	/* "" when absent */
	char	   *host;			/* as written */
	int			port;			/* explicit, or the scheme's default */
	char	   *path;			/* "" or "/prefix" without trailing slash */
	int64		project_id;
} Dsn;

typedef struct UrlPrefix
{
	char	   *scheme;
	char	   *host;
	int			port;			/* explicit, or the scheme's default */
	char	   *path;			/* "" or "/prefix" without trailing slash */
} UrlPrefix;

/*
 * Parse text; on success fill *out and return NULL, else return a palloc'd
 * message (lowercase, no period) that never contains the secret key.
 */
extern const char *dsn_parse(const char *text, Dsn *out);
extern const char *url_prefix_parse(const char *text, UrlPrefix *out);

/* NULL when the DSN belongs under the prefix, else a palloc'd message */
extern const char *dsn_check_url_prefix(const Dsn *dsn, const UrlPrefix *prefix);

#endif							/* SENTRY_FIXTURES_DSN_H */
