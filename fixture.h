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
	FixtureValue username;		/* defaults to the email when absent */
	FixtureValue email;
	FixtureValue password;		/* secret: never formatted into a message */
	FixtureValue password_hash; /* pbkdf2_sha256$<iter>$<salt>$<hash> */
	char	   *path;
	int			line;
	int			col;
} FixtureAdmin;

typedef struct FixtureTeam
{
	FixtureValue name;
	char	   *path;			/* teams[i] */
	int			line;
	int			col;
} FixtureTeam;

typedef struct FixtureProject
{
	FixtureValue name;
	FixtureValue platform;		/* value NULL when absent */
	FixtureValue dsn;			/* the DSN text as written */
	int			team_index;		/* index into Fixture.teams */
	char	   *path;			/* teams[i].projects.<name> or [j] */
	int			line;
	int			col;

	/* filled by fixture_validate() when the DSN is well formed */
	bool		dsn_valid;
	Dsn			parsed;
} FixtureProject;

typedef struct Fixture
{
	FixtureValue organization;	/* value NULL: use the GUC */
	FixtureValue url_prefix;	/* value NULL: use the GUC or sentry_option */
	FixtureAdmin admin;

	FixtureTeam *teams;
	int			nteams;

	/* every project of every team, in fixture order */
	FixtureProject *projects;
	int			nprojects;

	List	   *problems;		/* of FixtureProblem *, in document order */
} Fixture;

/* fixture.c: YAML text to Fixture; structural problems go to problems */
extern Fixture *fixture_parse(const char *text, size_t len);

/* fixture.c: append a problem */
extern void fixture_add_problem(Fixture *fixture, const char *path,
								int line, int col, const char *fmt,...)
			pg_attribute_printf(5, 6);

#endif							/* SENTRY_FIXTURES_FIXTURE_H */
