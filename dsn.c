/*-------------------------------------------------------------------------
 *
 * dsn.c
 *		Parse Sentry DSNs and url prefixes, and check that a DSN belongs
 *		under a url prefix.
 *
 * A DSN is <scheme>://<public>[:<secret>]@<host>[:<port>][/<path>]/<id>.
 * Sentry builds it from its system.url-prefix option (scheme, host, port,
 * path) and a project key, so a DSN that disagrees with the url prefix
 * names a server that the database does not serve.
 *
 * The parsers return a message rather than raising an error, because the
 * fixture validator collects every problem.  A message may quote the host
 * or the path, never a key: the secret key is a secret, and the public key
 * is only quoted by the duplicate check, which compares well-formed keys.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "dsn.h"

/* The parts of "<scheme>://<authority><rest>" shared by DSNs and prefixes */
typedef struct UrlParts
{
	char	   *scheme;
	const char *authority;		/* start of the text after "://" */
	const char *rest;			/* first '/' after the authority, or end */
} UrlParts;

/*
 * Split off the scheme, which must be http or https, and find where the
 * authority ends.  Whitespace, control characters, queries and fragments
 * are refused here once for the whole text.
 */
static const char *
split_url(const char *text, UrlParts *parts)
{
	const char *p;

	/* defined even on failure, for the static analyzers' sake */
	parts->scheme = "";
	parts->authority = parts->rest = text;

	for (p = text; *p; p++)
	{
		if ((unsigned char) *p <= ' ' || *p == 0x7f)
			return pstrdup("whitespace and control characters are not allowed");
		if (*p == '?' || *p == '#')
			return pstrdup("a query or a fragment is not allowed");
	}

	if (strncmp(text, "https://", 8) == 0)
	{
		parts->scheme = "https";
		parts->authority = text + 8;
	}
	else if (strncmp(text, "http://", 7) == 0)
	{
		parts->scheme = "http";
		parts->authority = text + 7;
	}
	else
		return pstrdup("scheme must be \"http\" or \"https\", as in \"https://\"");

	parts->rest = strchr(parts->authority, '/');
	if (parts->rest == NULL)
		parts->rest = parts->authority + strlen(parts->authority);
	return NULL;
}

/*
 * Parse "<host>[:<port>]" between start and end.  The host is a DNS name or
 * an IPv4 address: letters, digits, '.', '-' and '_'.
 */
static const char *
parse_host_port(const char *start, const char *end, const char *scheme,
				char **host, int *port)
{
	const char *colon = memchr(start, ':', end - start);
	const char *host_end = colon ? colon : end;
	const char *p;

	if (host_end == start)
		return pstrdup("host is missing");
	for (p = start; p < host_end; p++)
	{
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
			!(*p >= '0' && *p <= '9') && *p != '.' && *p != '-' && *p != '_')
			return pstrdup("host may contain only letters, digits, \".\", \"-\" and \"_\"");
	}
	*host = pnstrdup(start, host_end - start);

	if (colon == NULL)
	{
		*port = strcmp(scheme, "https") == 0 ? 443 : 80;
		return NULL;
	}

	*port = 0;
	for (p = colon + 1; p < end; p++)
	{
		if (!(*p >= '0' && *p <= '9') || *port > 65535)
			return pstrdup("port must be a number from 1 to 65535");
		*port = *port * 10 + (*p - '0');
	}
	if (p == colon + 1 || *port < 1 || *port > 65535)
		return pstrdup("port must be a number from 1 to 65535");
	return NULL;
}

/*
 * Check a path prefix ("" or "/a/b"): no empty segments, and nothing but
 * the characters Sentry's url prefixes use.
 */
static const char *
check_path(const char *path)
{
	const char *p;

	for (p = path; *p; p++)
	{
		if (*p == '/' && (p[1] == '/' || p[1] == '\0'))
			return pstrdup("path has an empty segment");
		if (*p == '@' || *p == '\\' || *p == '"' || *p == '<' || *p == '>')
			return psprintf("path must not contain \"%c\"", *p);
	}
	return NULL;
}

/* Exactly SENTRY_KEY_LENGTH lowercase hexadecimal digits? */
static bool
is_sentry_key(const char *start, const char *end)
{
	const char *p;

	if (end - start != SENTRY_KEY_LENGTH)
		return false;
	for (p = start; p < end; p++)
	{
		if (!(*p >= '0' && *p <= '9') && !(*p >= 'a' && *p <= 'f'))
			return false;
	}
	return true;
}

/*
 * Parse "<public>[:<secret>]" between start and end.
 */
static const char *
parse_keys(const char *start, const char *end, Dsn *out)
{
	const char *colon = memchr(start, ':', end - start);
	const char *public_end = colon ? colon : end;

	if (!is_sentry_key(start, public_end))
		return psprintf("public key must be %d lowercase hexadecimal characters",
						SENTRY_KEY_LENGTH);
	memcpy(out->public_key, start, SENTRY_KEY_LENGTH);
	out->public_key[SENTRY_KEY_LENGTH] = '\0';

	out->secret_key[0] = '\0';
	if (colon != NULL)
	{
		if (!is_sentry_key(colon + 1, end))
			return psprintf("secret key must be %d lowercase hexadecimal characters",
							SENTRY_KEY_LENGTH);
		memcpy(out->secret_key, colon + 1, SENTRY_KEY_LENGTH);
		out->secret_key[SENTRY_KEY_LENGTH] = '\0';
	}
	return NULL;
}

/*
 * Parse the project id, a positive bigint written in decimal digits.
 */
static const char *
parse_project_id(const char *start, const char *end, int64 *id)
{
	const char *p;

	if (start == end)
		return pstrdup("project id is missing");
	*id = 0;
	for (p = start; p < end; p++)
	{
		if (!(*p >= '0' && *p <= '9'))
			return pstrdup("project id must be a positive integer");
		if (*id > (PG_INT64_MAX - (*p - '0')) / 10)
			return pstrdup("project id is out of range for type bigint");
		*id = *id * 10 + (*p - '0');
	}
	if (*id == 0)
		return pstrdup("project id must be a positive integer");
	return NULL;
}

/*
 * dsn_parse: see dsn.h.
 */
const char *
dsn_parse(const char *text, Dsn *out)
{
	UrlParts	parts;
	const char *problem;
	const char *at;
	const char *end;
	const char *last_slash;

	if ((problem = split_url(text, &parts)) != NULL)
		return problem;
	out->scheme = parts.scheme;

	at = memchr(parts.authority, '@', parts.rest - parts.authority);
	if (at == NULL)
		return pstrdup("public key is missing: expected <scheme>://<public_key>[:<secret_key>]@<host>/<project_id>");
	if ((problem = parse_keys(parts.authority, at, out)) != NULL)
		return problem;
	if ((problem = parse_host_port(at + 1, parts.rest, parts.scheme,
								   &out->host, &out->port)) != NULL)
		return problem;

	/*
	 * The project id is the last segment, and ends the DSN: the Sentry SDKs
	 * read the id after the last '/', and refuse a DSN that ends with one.
	 */
	end = parts.rest + strlen(parts.rest);
	if (end - parts.rest <= 1)
		return pstrdup("project id is missing");
	if (end[-1] == '/')
		return pstrdup("DSN must end with the project id, without a \"/\" after it");
	for (last_slash = end - 1; *last_slash != '/'; last_slash--)
		;
	if ((problem = parse_project_id(last_slash + 1, end, &out->project_id)) != NULL)
		return problem;

	out->path = pnstrdup(parts.rest, last_slash - parts.rest);
	return check_path(out->path);
}

/*
 * url_prefix_parse: see dsn.h.
 */
const char *
url_prefix_parse(const char *text, UrlPrefix *out)
{
	UrlParts	parts;
	const char *problem;
	size_t		pathlen;

	if ((problem = split_url(text, &parts)) != NULL)
		return problem;
	out->scheme = parts.scheme;

	if (memchr(parts.authority, '@', parts.rest - parts.authority) != NULL)
		return pstrdup("a user name or keys are not allowed");
	if ((problem = parse_host_port(parts.authority, parts.rest, parts.scheme,
								   &out->host, &out->port)) != NULL)
		return problem;

	/* one trailing slash is allowed: "https://host/" is "https://host" */
	pathlen = strlen(parts.rest);
	if (pathlen > 0 && parts.rest[pathlen - 1] == '/')
		pathlen--;
	out->path = pnstrdup(parts.rest, pathlen);
	return check_path(out->path);
}

/*
 * dsn_check_url_prefix: see dsn.h.  The host compares case-insensitively,
 * as DNS names do.
 */
const char *
dsn_check_url_prefix(const Dsn *dsn, const UrlPrefix *prefix)
{
	if (strcmp(dsn->scheme, prefix->scheme) != 0)
		return psprintf("DSN scheme \"%s\" does not match the url prefix scheme \"%s\"",
						dsn->scheme, prefix->scheme);
	if (pg_strcasecmp(dsn->host, prefix->host) != 0)
		return psprintf("DSN host \"%s\" does not match the url prefix host \"%s\"",
						dsn->host, prefix->host);
	if (dsn->port != prefix->port)
		return psprintf("DSN port %d does not match the url prefix port %d",
						dsn->port, prefix->port);
	if (strcmp(dsn->path, prefix->path) != 0)
		return psprintf("DSN path \"%s\" does not match the url prefix path \"%s\"",
						dsn->path, prefix->path);
	return NULL;
}
