/*-------------------------------------------------------------------------
 *
 * fixture.h
 *		The parsed fixture: plain C structures that the reconciler consumes.
 *
 * Every value remembers where it stood in the YAML text, so that a
 * problem found by any later stage can name its line and column.
 * The parser never touches the database; the reconciler never sees YAML.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_FIXTURE_H
#define SENTRY_FIXTURES_FIXTURE_H

#include "nodes/pg_list.h"

#include "dsn.h"

/* A scalar from the fixture; value is NULL when the key was absent */
typedef struct FixtureValue
{
	char	   *value;
	char	   *path;			/* e.g. teams[0].name; NULL when absent */
	int			line;			/* 1-based; 0 when absent */
	int			col;			/* 1-based; 0 when absent */
} FixtureValue;

/* One problem found in a fixture: where it is and what is wrong */
typedef struct FixtureProblem
{
	char	   *path;			/* e.g. teams[1].projects.api.dsn */
	int			line;
	int			col;
	char	   *message;
} FixtureProblem;

typedef struct FixtureAdmin
{
	bool		present;
	FixtureValue username;		/* absent: the email for a new user */
	FixtureValue email;
	FixtureValue password;		/* secret: never formatted into a message */
	FixtureValue password_hash; /* pbkdf2_sha256$<iter>$<salt>$<hash> */
	char	   *path;
	int			line;
	int			col;
} FixtureAdmin;

/* An entry of users: a member of the organization */
typedef struct FixtureUser
{
	FixtureValue email;
	FixtureValue username;		/* absent: the email for a new user */
	FixtureValue name;
	FixtureValue password;		/* secret: never formatted into a message */
	FixtureValue password_hash;
	FixtureValue role;			/* absent: member */
	bool		superuser;
	FixtureValue *teams;		/* team names */
	int			nteams;
	int		   *team_indexes;	/* into Fixture.teams, filled by
								 * fixture_validate(); -1 when unknown */
	char	   *path;			/* users[i] */
	int			line;
	int			col;
} FixtureUser;

/*
 * An entry of tokens: a user auth token that a client (Terraform,
 * sentry-cli) will send, matched by name per user.
 */
typedef struct FixtureToken
{
	FixtureValue name;
	FixtureValue user;			/* email of the admin or of an entry of users */
	FixtureValue token;			/* secret: never formatted into a message */
	FixtureValue *scopes;
	int			nscopes;
	char	   *path;			/* tokens[i] */
	int			line;
	int			col;
} FixtureToken;

typedef struct FixtureTeam
{
	FixtureValue name;
	char	   *path;			/* teams[i] */
	int			line;
	int			col;
} FixtureTeam;

/*
 * A key of a project: its dsn (the project's first key, as in release 0.1)
 * or an entry of its keys list, which also says the key's label, status and
 * rate limit.
 */
typedef struct FixtureKey
{
	FixtureValue dsn;
	FixtureValue label;			/* value NULL when absent */
	bool		listed;			/* an entry of keys: */
	bool		active;			/* default true */
	bool		rate_limited;	/* rate_limit given */
	int			rate_limit_count;
	int			rate_limit_window;	/* seconds */
	char	   *path;			/* ...projects[j].keys[k], or the dsn's */
	int			line;
	int			col;

	/* filled by fixture_validate() when the DSN is well formed */
	bool		dsn_valid;
	Dsn			parsed;
} FixtureKey;

typedef struct FixtureProject
{
	FixtureValue name;
	FixtureValue platform;		/* value NULL when absent */
	FixtureValue dsn;			/* the DSN text as written; NULL with keys only */
	int			team_index;		/* index into Fixture.teams */
	char	   *path;			/* teams[i].projects.<name> or [j] */
	int			line;
	int			col;

	/*
	 * The project's keys: the dsn first when there is one, then the keys
	 * list.  keys[0] is the project's first key; its DSN gives the
	 * project's id.
	 */
	FixtureKey *keys;
	int			nkeys;

	/* filled by fixture_validate(): keys[0]'s DSN, when well formed */
	bool		dsn_valid;
	Dsn			parsed;
} FixtureProject;

typedef struct Fixture
{
	FixtureValue organization;	/* value NULL: use the GUC */
	FixtureValue url_prefix;	/* value NULL: use the GUC or sentry_option */
	FixtureAdmin admin;
	bool		prune;			/* delete what the fixture does not name */

	FixtureTeam *teams;
	int			nteams;

	/* every project of every team, in fixture order */
	FixtureProject *projects;
	int			nprojects;

	FixtureUser *users;
	int			nusers;

	int			nkeys;			/* keys of every project */

	FixtureToken *tokens;
	int			ntokens;

	List	   *problems;		/* of FixtureProblem *; see fixture_read() */
	bool		truncated;		/* parsing stopped early (YAML error, limit) */
} Fixture;

/* Limits that keep a hostile fixture from costing much memory or time */
#define FIXTURE_MAX_DEPTH 32
#define FIXTURE_MAX_PROBLEMS 1000
#define FIXTURE_MAX_TEAMS 10000
#define FIXTURE_MAX_PROJECTS 100000
#define FIXTURE_MAX_USERS 10000
#define FIXTURE_MAX_KEYS 100000
#define FIXTURE_MAX_TOKENS 1000
#define FIXTURE_MAX_SCOPES 64

/* Longest values, in characters: what Sentry's columns hold */
#define FIXTURE_MAX_ORGANIZATION 64
#define FIXTURE_MAX_TEAM_NAME 64
#define FIXTURE_MAX_PROJECT_NAME 200
#define FIXTURE_MAX_PLATFORM 64
#define FIXTURE_MAX_EMAIL 75
#define FIXTURE_MAX_USERNAME 128
#define FIXTURE_MAX_USER_NAME 200
#define FIXTURE_MAX_ROLE 32
#define FIXTURE_MAX_PASSWORD_HASH 128
#define FIXTURE_MAX_PASSWORD 4096
#define FIXTURE_MAX_URL 2048
#define FIXTURE_MAX_KEY_LABEL 64
#define FIXTURE_MAX_TOKEN_NAME 255
#define FIXTURE_MAX_TOKEN 71
#define FIXTURE_MAX_SCOPE 32

/* Rate limit windows Sentry's API accepts (RateLimitSerializer), seconds */
#define FIXTURE_MAX_RATE_LIMIT_WINDOW 86400

/* fixture.c: YAML text to Fixture; structural problems go to problems */
extern Fixture *fixture_parse(const char *text, size_t len);

/*
 * fixture.c: append a problem.  Past FIXTURE_MAX_PROBLEMS, one last problem
 * says so, later ones are dropped and the fixture is marked truncated.
 */
extern void fixture_add_problem(Fixture *fixture, const char *path,
								int line, int col, const char *fmt,...)
			pg_attribute_printf(5, 6);

#endif							/* SENTRY_FIXTURES_FIXTURE_H */
