/*-------------------------------------------------------------------------
 *
 * validate.c
 *		Rules across fixture entries, and the whole read of a fixture.
 *
 * fixture.c checks each node on its own; what needs more than one node is
 * here: DSNs against the url prefix, names and keys that must be unique in
 * the whole fixture (Sentry's slugs and keys are unique per organization
 * or installation), a project's keys against its id, and the shape of
 * values Sentry will store.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "utils/formatting.h"

#include "dsn.h"
#include "password.h"
#include "slug.h"
#include "validate.h"

/* One value taking part in a uniqueness rule */
typedef struct DuplicateItem
{
	const char *key;			/* what must be unique */
	const char *shown;			/* what the message quotes */
	const FixtureValue *where;
	int			order;			/* position in the fixture */
} DuplicateItem;

/* An item for a uniqueness rule (see DuplicateItem) */
static DuplicateItem
duplicate_item(const char *key, const char *shown, const FixtureValue *where,
			   int order)
{
	DuplicateItem item;

	item.key = key;
	item.shown = shown;
	item.where = where;
	item.order = order;
	return item;
}

/* qsort: items by key, then by their place in the fixture */
static int
compare_duplicate_items(const void *a, const void *b)
{
	const DuplicateItem *x = (const DuplicateItem *) a;
	const DuplicateItem *y = (const DuplicateItem *) b;
	int			c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return (x->order > y->order) - (x->order < y->order);
}

/*
 * Report each item whose key an earlier item already has, at the later
 * one.  With by_slug, keys are slugs of names, and an item whose name
 * equals the first one's is left to the check on names.
 */
static void
report_duplicates(Fixture *fixture, DuplicateItem *items, int n,
				  const char *what, bool by_slug)
{
	int			i;
	int			j;

	qsort(items, n, sizeof(DuplicateItem), compare_duplicate_items);
	for (i = 0; i < n; i = j)
	{
		const DuplicateItem *first = &items[i];

		for (j = i + 1; j < n && strcmp(items[j].key, first->key) == 0; j++)
		{
			const DuplicateItem *later = &items[j];

			if (!by_slug)
				fixture_add_problem(fixture, later->where->path,
									later->where->line, later->where->col,
									"duplicate %s \"%s\"; first at line %d, column %d",
									what, later->shown,
									first->where->line, first->where->col);
			else if (strcmp(later->shown, first->shown) != 0)
				fixture_add_problem(fixture, later->where->path,
									later->where->line, later->where->col,
									"%s \"%s\" has the same slug \"%s\" as \"%s\" at line %d, column %d",
									what, later->shown, later->key, first->shown,
									first->where->line, first->where->col);
		}
	}
}

/* Is the slug all digits?  (Python's str.isdecimal() on an ASCII slug) */
static bool
slug_is_numeric(const char *slug)
{
	for (; *slug; slug++)
		if (*slug < '0' || *slug > '9')
			return false;
	return true;
}

/*
 * Add a name and its slug to the two uniqueness checks on names.  A name
 * whose slug is empty is a problem of its own: Sentry would make up a
 * random slug, which a fixture could never match again.  So is an
 * all-digit slug: current Sentry refuses those and appends a random
 * suffix instead.
 */
static void
add_name(Fixture *fixture, const FixtureValue *name, const char *what,
		 DuplicateItem *names, int *nnames, DuplicateItem *slugs, int *nslugs)
{
	char	   *slug;

	if (name->value == NULL)
		return;
	names[*nnames] = duplicate_item(name->value, name->value, name, *nnames);
	(*nnames)++;

	slug = sentry_slugify(name->value, SENTRY_SLUG_MAX_LENGTH);
	if (slug[0] == '\0')
	{
		fixture_add_problem(fixture, name->path, name->line, name->col,
							"%s \"%s\" has no ASCII letter or digit to make a slug from",
							what, name->value);
		return;
	}
	if (slug_is_numeric(slug))
		fixture_add_problem(fixture, name->path, name->line, name->col,
							"%s \"%s\" has the all-digit slug \"%s\", which current Sentry does not allow",
							what, name->value, slug);
	slugs[*nslugs] = duplicate_item(slug, name->value, name, *nslugs);
	(*nslugs)++;
}

/*
 * What two emails must share to find the same Sentry user: the email in
 * upper case, as the database's upper() makes it in its default collation
 * (Unicode case too, "Ädmin" and "ädmin" alike), which is how the apply
 * looks users up.
 */
static char *
email_key(const char *email)
{
	return str_toupper(email, strlen(email), DEFAULT_COLLATION_OID);
}

/*
 * Team names and project names: unique, and unique as slugs.
 */
static void
check_names(Fixture *fixture)
{
	int			most = Max(fixture->nteams, fixture->nprojects);
	DuplicateItem *names = palloc(Max(most, 1) * sizeof(DuplicateItem));
	DuplicateItem *slugs = palloc(Max(most, 1) * sizeof(DuplicateItem));
	int			nnames = 0;
	int			nslugs = 0;
	int			i;

	for (i = 0; i < fixture->nteams; i++)
		add_name(fixture, &fixture->teams[i].name, "team name",
				 names, &nnames, slugs, &nslugs);
	report_duplicates(fixture, names, nnames, "team name", false);
	report_duplicates(fixture, slugs, nslugs, "team name", true);

	nnames = nslugs = 0;
	for (i = 0; i < fixture->nprojects; i++)
		add_name(fixture, &fixture->projects[i].name, "project name",
				 names, &nnames, slugs, &nslugs);
	report_duplicates(fixture, names, nnames, "project name", false);
	report_duplicates(fixture, slugs, nslugs, "project name", true);
}

/*
 * Project ids: one project each; public keys: one key each, in the whole
 * fixture.  Only well-formed DSNs take part.
 */
static void
check_keys(Fixture *fixture)
{
	DuplicateItem *ids = palloc(Max(fixture->nprojects, 1) * sizeof(DuplicateItem));
	DuplicateItem *keys = palloc(Max(fixture->nkeys, 1) * sizeof(DuplicateItem));
	int			nids = 0;
	int			nkeys = 0;
	int			i;
	int			k;

	for (i = 0; i < fixture->nprojects; i++)
	{
		FixtureProject *project = &fixture->projects[i];
		char	   *id;

		if (project->dsn_valid)
		{
			id = psprintf(INT64_FORMAT, project->parsed.project_id);
			ids[nids] = duplicate_item(id, id, &project->keys[0].dsn, nids);
			nids++;
		}
		for (k = 0; k < project->nkeys; k++)
		{
			FixtureKey *key = &project->keys[k];

			if (!key->dsn_valid)
				continue;
			keys[nkeys] = duplicate_item(key->parsed.public_key, key->parsed.public_key,
										 &key->dsn, nkeys);
			nkeys++;
		}
	}
	report_duplicates(fixture, ids, nids, "project id", false);
	report_duplicates(fixture, keys, nkeys, "public key", false);
}

/*
 * Each project's keys: the project id of every DSN is the project's (its
 * first key's), and labels differ.
 */
static void
check_project_keys(Fixture *fixture, FixtureProject *project)
{
	const FixtureKey *first = &project->keys[0];
	DuplicateItem *labels = palloc(Max(project->nkeys, 1) * sizeof(DuplicateItem));
	int			nlabels = 0;
	int			k;

	for (k = 0; k < project->nkeys; k++)
	{
		const FixtureKey *key = &project->keys[k];

		if (key->label.value != NULL)
		{
			labels[nlabels] = duplicate_item(key->label.value, key->label.value,
											 &key->label, nlabels);
			nlabels++;
		}
		if (k > 0 && key->dsn_valid && first->dsn_valid &&
			key->parsed.project_id != first->parsed.project_id)
			fixture_add_problem(fixture, key->dsn.path, key->dsn.line, key->dsn.col,
								"DSN has project id " INT64_FORMAT ", but the project's id is "
								INT64_FORMAT " (from the DSN at line %d, column %d)",
								key->parsed.project_id, first->parsed.project_id,
								first->dsn.line, first->dsn.col);
	}
	report_duplicates(fixture, labels, nlabels, "key label", false);
}

/*
 * Parse each DSN, and check it against the url prefix when that is known;
 * a project's id and first key come from its first DSN.
 */
static void
check_dsns(Fixture *fixture, const UrlPrefix *prefix)
{
	int			i;
	int			k;

	for (i = 0; i < fixture->nprojects; i++)
	{
		FixtureProject *project = &fixture->projects[i];

		for (k = 0; k < project->nkeys; k++)
		{
			FixtureKey *key = &project->keys[k];
			const FixtureValue *dsn = &key->dsn;
			const char *problem;

			if (dsn->value == NULL)
				continue;
			problem = dsn_parse(dsn->value, &key->parsed);
			if (problem != NULL)
			{
				fixture_add_problem(fixture, dsn->path, dsn->line, dsn->col,
									"invalid DSN: %s", problem);
				continue;
			}
			key->dsn_valid = true;
			if (prefix != NULL &&
				(problem = dsn_check_url_prefix(&key->parsed, prefix)) != NULL)
				fixture_add_problem(fixture, dsn->path, dsn->line, dsn->col, "%s", problem);
		}
		if (project->nkeys > 0 && project->keys[0].dsn_valid)
		{
			project->dsn_valid = true;
			project->parsed = project->keys[0].parsed;
		}
		if (project->nkeys > 0)
			check_project_keys(fixture, project);
	}
}

/*
 * Platforms are identifiers such as "python" or "javascript-react".
 */
static void
check_platforms(Fixture *fixture)
{
	int			i;

	for (i = 0; i < fixture->nprojects; i++)
	{
		const FixtureValue *platform = &fixture->projects[i].platform;

		if (platform->value != NULL &&
			strspn(platform->value, "abcdefghijklmnopqrstuvwxyz0123456789-_") !=
			strlen(platform->value))
			fixture_add_problem(fixture, platform->path, platform->line, platform->col,
								"platform must contain only lowercase letters, digits, \"-\" and \"_\"");
	}
}

/*
 * Does text look like an email address: one '@', something before it, a
 * domain after it (dotless ones such as "localhost" too, as self-hosted
 * Sentry admins use them) with no empty label, and no whitespace or
 * control characters?
 */
static bool
looks_like_email(const char *text)
{
	const char *at = strchr(text, '@');
	const char *domain;
	const char *p;

	for (p = text; *p; p++)
	{
		if ((unsigned char) *p <= ' ' || *p == 0x7f)
			return false;
	}
	if (at == NULL || at == text || strchr(at + 1, '@') != NULL)
		return false;
	domain = at + 1;
	return domain[0] != '\0' && domain[0] != '.' && p[-1] != '.' &&
		strstr(domain, "..") == NULL;
}

/*
 * An email that looks like an address and a well-formed password hash, of
 * the admin or a user; either may be absent.
 */
static void
check_email_and_hash(Fixture *fixture, const FixtureValue *email, const FixtureValue *hash)
{
	const char *problem;

	if (email->value != NULL && !looks_like_email(email->value))
		fixture_add_problem(fixture, email->path, email->line, email->col,
							"email \"%s\" does not look like an address", email->value);
	if (hash->value != NULL && (problem = password_hash_problem(hash->value)) != NULL)
		fixture_add_problem(fixture, hash->path, hash->line, hash->col,
							"password_hash is not of the form pbkdf2_sha256$<iterations>$<salt>$<hash>: %s",
							problem);
}

/*
 * The admin's email and password hash.
 */
static void
check_admin(Fixture *fixture)
{
	if (fixture->admin.present)
		check_email_and_hash(fixture, &fixture->admin.email, &fixture->admin.password_hash);
}

/* The organization roles of Sentry 9 and later */
static const char *const user_roles[] = {"member", "admin", "manager", "owner", NULL};

/* qsort/bsearch: team pointers by name */
static int
team_name_ptr_cmp(const void *a, const void *b)
{
	return strcmp((*(FixtureTeam *const *) a)->name.value,
				  (*(FixtureTeam *const *) b)->name.value);
}

/*
 * Each user's team names, resolved to the fixture's teams; an unknown one
 * is a problem at its place.
 */
static void
resolve_user_teams(Fixture *fixture, FixtureUser *user, FixtureTeam **sorted, int nsorted)
{
	int			k;

	user->team_indexes = palloc(Max(user->nteams, 1) * sizeof(int));
	for (k = 0; k < user->nteams; k++)
	{
		FixtureTeam probe;
		FixtureTeam *probe_ptr = &probe;
		FixtureTeam **found;

		probe.name = user->teams[k];
		found = bsearch(&probe_ptr, sorted, nsorted, sizeof(FixtureTeam *), team_name_ptr_cmp);
		user->team_indexes[k] = found ? (int) (*found - fixture->teams) : -1;
		if (found == NULL)
			fixture_add_problem(fixture, user->teams[k].path, user->teams[k].line,
								user->teams[k].col,
								"unknown team \"%s\"; a user's teams must be teams of the fixture",
								user->teams[k].value);
	}
}

/*
 * One user's own values: email, role, password hash.
 */
static void
check_user(Fixture *fixture, const FixtureUser *user)
{
	int			r;

	check_email_and_hash(fixture, &user->email, &user->password_hash);
	if (user->role.value == NULL)
		return;
	for (r = 0; user_roles[r] != NULL && strcmp(user_roles[r], user->role.value) != 0; r++)
		;
	if (user_roles[r] == NULL)
		fixture_add_problem(fixture, user->role.path, user->role.line, user->role.col,
							"unknown role \"%s\"; roles are member, admin, manager and owner",
							user->role.value);
}

/*
 * users: each entry's values and teams, emails unique (as the database
 * compares them, see email_key()), and the admin not listed again.
 */
static void
check_users(Fixture *fixture)
{
	FixtureTeam **sorted = palloc(Max(fixture->nteams, 1) * sizeof(FixtureTeam *));
	DuplicateItem *emails = palloc(Max(fixture->nusers, 1) * sizeof(DuplicateItem));
	const FixtureValue *admin = &fixture->admin.email;
	char	   *admin_key = admin->value ? email_key(admin->value) : NULL;
	int			nsorted = 0;
	int			nemails = 0;
	int			i;

	for (i = 0; i < fixture->nteams; i++)
		if (fixture->teams[i].name.value != NULL)
			sorted[nsorted++] = &fixture->teams[i];
	qsort(sorted, nsorted, sizeof(FixtureTeam *), team_name_ptr_cmp);

	for (i = 0; i < fixture->nusers; i++)
	{
		FixtureUser *user = &fixture->users[i];
		const FixtureValue *email = &user->email;

		check_user(fixture, user);
		resolve_user_teams(fixture, user, sorted, nsorted);
		if (email->value == NULL)
			continue;
		if (admin_key != NULL && strcmp(admin_key, email_key(email->value)) == 0)
			fixture_add_problem(fixture, email->path, email->line, email->col,
								"\"%s\" is the admin (line %d, column %d); the admin is not listed again under users",
								email->value, admin->line, admin->col);
		emails[nemails] = duplicate_item(email_key(email->value), email->value, email, nemails);
		nemails++;
	}
	report_duplicates(fixture, emails, nemails, "email", false);
}

/*
 * The scopes of a user auth token, in the order of the bits of Sentry's
 * deprecated scopes bitfield (HasApiScopes.ScopesDict in
 * src/sentry/models/apiscopes.py).
 */
static const char *const api_scopes[] = {
	"project:read", "project:write", "project:admin", "project:releases",
	"team:read", "team:write", "team:admin",
	"event:read", "event:write", "event:admin",
	"org:read", "org:write", "org:admin",
	"member:read", "member:write", "member:admin",
	"org:integrations", "alerts:read", "alerts:write", "member:invite", NULL
};

/*
 * api_scope_bit: see validate.h.
 */
int
api_scope_bit(const char *scope)
{
	int			i;

	for (i = 0; api_scopes[i] != NULL; i++)
		if (strcmp(api_scopes[i], scope) == 0)
			return i;
	return -1;
}

/* Is token "sntryu_" and 64 lowercase hex digits? */
static bool
is_user_token(const char *token)
{
	size_t		prefix = strlen(SENTRY_USER_TOKEN_PREFIX);

	return strncmp(token, SENTRY_USER_TOKEN_PREFIX, prefix) == 0 &&
		strlen(token) == prefix + 64 &&
		strspn(token + prefix, "0123456789abcdef") == 64;
}

/* Is email the admin's or a user's (compared as email_key() does)? */
static bool
is_fixture_user(const Fixture *fixture, const char *email)
{
	char	   *key = email_key(email);
	int			i;

	if (fixture->admin.email.value != NULL && strcmp(email_key(fixture->admin.email.value), key) == 0)
		return true;
	for (i = 0; i < fixture->nusers; i++)
		if (fixture->users[i].email.value != NULL &&
			strcmp(email_key(fixture->users[i].email.value), key) == 0)
			return true;
	return false;
}

/*
 * tokens: a user of the fixture each, known scopes, the token in the form
 * current Sentry issues, names unique per user and tokens unique.  A
 * token is never quoted.
 */
static void
check_tokens(Fixture *fixture)
{
	DuplicateItem *names = palloc(Max(fixture->ntokens, 1) * sizeof(DuplicateItem));
	DuplicateItem *values = palloc(Max(fixture->ntokens, 1) * sizeof(DuplicateItem));
	int			nnames = 0;
	int			nvalues = 0;
	int			i;
	int			k;

	for (i = 0; i < fixture->ntokens; i++)
	{
		FixtureToken *token = &fixture->tokens[i];

		if (token->user.value != NULL && !is_fixture_user(fixture, token->user.value))
			fixture_add_problem(fixture, token->user.path, token->user.line, token->user.col,
								"unknown user \"%s\"; a token's user must be the admin or one of users",
								token->user.value);
		for (k = 0; k < token->nscopes; k++)
			if (api_scope_bit(token->scopes[k].value) < 0)
				fixture_add_problem(fixture, token->scopes[k].path, token->scopes[k].line,
									token->scopes[k].col,
									"unknown scope \"%s\"; Sentry's scopes are project:, team:, event:, "
									"org:, member: read, write and admin, project:releases, "
									"org:integrations, member:invite, alerts:read and alerts:write",
									token->scopes[k].value);
		if (token->token.value != NULL)
		{
			if (!is_user_token(token->token.value))
				fixture_add_problem(fixture, token->token.path, token->token.line, token->token.col,
									"token must be \"" SENTRY_USER_TOKEN_PREFIX "\" and 64 lowercase hex digits, as Sentry issues user auth tokens");
			values[nvalues] = duplicate_item(token->token.value, "(not shown)", &token->token, nvalues);
			nvalues++;
		}
		if (token->name.value != NULL && token->user.value != NULL)
		{
			names[nnames] = duplicate_item(psprintf("%s\n%s", email_key(token->user.value),
													token->name.value),
										   token->name.value, &token->name, nnames);
			nnames++;
		}
	}
	report_duplicates(fixture, names, nnames, "token name", false);
	report_duplicates(fixture, values, nvalues, "token", false);
}

/*
 * The url prefix, parsed; NULL when there is none or it is malformed
 * (either is reported).
 */
static UrlPrefix *
check_url_prefix(Fixture *fixture, const char *url_prefix, UrlPrefixSource source)
{
	UrlPrefix  *prefix = palloc(sizeof(UrlPrefix));
	const char *problem;
	int			line = 0;
	int			col = 0;

	if (url_prefix == NULL)
	{
		/* an undecodable option value has been reported by the lookup */
		if (source == URL_PREFIX_NONE)
			fixture_add_problem(fixture, "url_prefix", 0, 0,
								"no url prefix is set; set the fixture's url_prefix key, "
								"SET sentry_fixtures.url_prefix, "
								"or Sentry's option system.url-prefix");
		return NULL;
	}

	problem = url_prefix_parse(url_prefix, prefix);
	if (problem == NULL)
		return prefix;

	if (source == URL_PREFIX_FIXTURE)
	{
		line = fixture->url_prefix.line;
		col = fixture->url_prefix.col;
	}
	/* text with an '@' may hold keys, which are never quoted */
	if (strchr(url_prefix, '@') != NULL)
		fixture_add_problem(fixture, "url_prefix", line, col,
							"url prefix from %s is malformed: %s",
							url_prefix_source_name(source), problem);
	else
		fixture_add_problem(fixture, "url_prefix", line, col,
							"url prefix \"%s\" from %s is malformed: %s",
							url_prefix, url_prefix_source_name(source), problem);
	return NULL;
}

/*
 * fixture_validate: see validate.h.
 */
void
fixture_validate(Fixture *fixture, const char *url_prefix, UrlPrefixSource source)
{
	UrlPrefix  *prefix = check_url_prefix(fixture, url_prefix, source);

	check_dsns(fixture, prefix);
	check_keys(fixture);
	check_names(fixture);
	check_platforms(fixture);
	check_admin(fixture);
	check_users(fixture);
	check_tokens(fixture);
}

/* A problem and its place in the list, for a stable sort */
typedef struct OrderedProblem
{
	FixtureProblem *problem;
	int			order;
} OrderedProblem;

/* qsort: problems by line, column, then by the order they were found */
static int
compare_problems(const void *a, const void *b)
{
	const OrderedProblem *x = (const OrderedProblem *) a;
	const OrderedProblem *y = (const OrderedProblem *) b;

	if (x->problem->line != y->problem->line)
		return (x->problem->line > y->problem->line) ? 1 : -1;
	if (x->problem->col != y->problem->col)
		return (x->problem->col > y->problem->col) ? 1 : -1;
	return (x->order > y->order) - (x->order < y->order);
}

/*
 * Put problems in document order, those without a place (line 0) first;
 * problems at one place keep the order they were found in.
 */
static List *
sort_problems(List *problems)
{
	int			n = list_length(problems);
	OrderedProblem *items = palloc(Max(n, 1) * sizeof(OrderedProblem));
	List	   *sorted = NIL;
	ListCell   *lc;
	int			i = 0;

	foreach(lc, problems)
	{
		items[i].problem = lfirst(lc);
		items[i].order = i;
		i++;
	}
	qsort(items, n, sizeof(OrderedProblem), compare_problems);
	for (i = 0; i < n; i++)
		sorted = lappend(sorted, items[i].problem);
	return sorted;
}

/*
 * fixture_read: see validate.h.  A fixture whose reading stopped early (a
 * YAML error, a limit) is not validated further: its entries are
 * incomplete, and the rules across them would only add noise.
 */
Fixture *
fixture_read(const char *text, size_t len)
{
	Fixture    *fixture = fixture_parse(text, len);

	if (!fixture->truncated)
	{
		UrlPrefixSource source;
		char	   *url_prefix = url_prefix_lookup(fixture, &source);

		fixture_validate(fixture, url_prefix, source);
	}
	fixture->problems = sort_problems(fixture->problems);
	return fixture;
}
