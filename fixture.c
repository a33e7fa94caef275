/*-------------------------------------------------------------------------
 *
 * fixture.c
 *		Read fixture YAML into the plain structures of fixture.h.
 *
 * The parser walks libyaml's event stream directly: no document tree is
 * built, so an alias is never expanded and memory stays proportional to
 * the values kept.  Each event is copied into palloc'd memory at once;
 * libyaml's own (malloc'd) state lives only inside fixture_parse(), whose
 * PG_FINALLY frees it whatever happens.
 *
 * Problems are collected, not raised: every node that does not fit the
 * format is reported with its path, line and column, skipped, and reading
 * goes on.  Only a YAML syntax error or a limit stops the reading (what
 * follows a syntax error cannot be known); the problems found before it
 * are kept.
 *
 * Paths name a node the way a reader would: "teams[1].projects.api.dsn"
 * for the map shape of projects, "teams[0].projects[2].name" for the list
 * shape.  Indexes count from 0.  The root's path is "".
 *
 * The text is read as UTF-8, which is what a Sentry database holds; in a
 * database of another encoding a non-ASCII fixture is reported as invalid
 * UTF-8 rather than stored garbled.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <yaml.h>

#include "lib/stringinfo.h"

#include "fixture.h"

/* One libyaml event, copied into palloc'd memory */
typedef struct FixtureEvent
{
	yaml_event_type_t type;
	char	   *value;			/* scalar text, else NULL */
	size_t		length;
	bool		plain;			/* plain scalar, where "~" and "null" mean null */
	bool		anchored;
	bool		tagged;			/* has an explicit tag */
	int			line;			/* 1-based */
	int			col;			/* 1-based */
} FixtureEvent;

typedef struct FixtureParser
{
	yaml_parser_t yaml;
	yaml_event_t event;			/* libyaml's current event, freed at once */
	const char *text;			/* to place reader (encoding) errors */
	size_t		len;
	Fixture    *fixture;
	int			depth;			/* open maps and lists */
	bool		skipping;		/* inside skip_node(): scalars not copied */
	int			teams_allocated;	/* room in the arrays of entries */
	int			projects_allocated;
	int			keys_allocated; /* of key_project */
	int			users_allocated;
	int			tokens_allocated;
	int			list_team;		/* the team whose projects list is read */
	int			key_project;	/* the project whose keys list is read */
	bool		dsn_seen;		/* the project being read has a dsn key */
	bool		keys_seen;		/* ... or a keys key */
} FixtureParser;

/*
 * The keys a map may have.  read_value is called for each key present,
 * with the key's index in keys; required is a bit mask over that index.
 */
typedef void (*FixtureValueReader) (FixtureParser *parser, int item, int key,
									FixtureEvent *value, const char *path);

typedef struct FixtureMapSpec
{
	const char *const *keys;	/* NULL-terminated */
	uint32		required;
	FixtureValueReader read_value;
} FixtureMapSpec;

static void read_map(FixtureParser *parser, const FixtureMapSpec *spec,
					 int item, FixtureEvent *start, const char *path);

/*
 * Number of characters in UTF-8 text (libyaml has checked the encoding).
 */
static int
utf8_length(const char *s)
{
	int			n = 0;

	for (; *s; s++)
		n += ((*s & 0xC0) != 0x80);
	return n;
}

/*
 * Text for a message or a path, cut to at most maxchars characters, so
 * that a huge key cannot make a huge message.
 */
static char *
clip_text(const char *s, int maxchars)
{
	const char *p = s;
	int			n = 0;

	for (; *p; p++)
	{
		if ((*p & 0xC0) != 0x80 && n++ == maxchars)
			return psprintf("%.*s...", (int) (p - s), s);
	}
	return pstrdup(s);
}

/*
 * Can text be quoted in a message and a path?  Only when it is made of
 * ASCII letters, digits, '_' and '-', as the keys of the format are: a
 * key written where no key belongs may be anything, "password:s3cret" in
 * a flow map for one, and is then named by its place alone.
 */
static bool
is_quotable_word(const char *s)
{
	return s[0] != '\0' &&
		strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == strlen(s);
}

/* The path of a map's key: "key" at the root, else "path.key" */
static char *
key_path(const char *path, const char *key)
{
	char	   *clipped = clip_text(key, FIXTURE_MAX_PROJECT_NAME);

	return path[0] == '\0' ? clipped : psprintf("%s.%s", path, clipped);
}

/*
 * fixture_add_problem: see fixture.h.
 */
void
fixture_add_problem(Fixture *fixture, const char *path, int line, int col,
					const char *fmt,...)
{
	FixtureProblem *problem;
	StringInfoData message;

	if (list_length(fixture->problems) > FIXTURE_MAX_PROBLEMS)
		return;

	initStringInfo(&message);
	if (list_length(fixture->problems) == FIXTURE_MAX_PROBLEMS)
	{
		appendStringInfo(&message, "too many problems; stopped after the first %d",
						 FIXTURE_MAX_PROBLEMS);
		fixture->truncated = true;
	}
	else
	{
		for (;;)
		{
			va_list		args;
			int			needed;

			va_start(args, fmt);
			needed = appendStringInfoVA(&message, fmt, args);
			va_end(args);
			if (needed == 0)
				break;
			enlargeStringInfo(&message, needed);
		}
	}

	problem = palloc(sizeof(FixtureProblem));
	problem->path = pstrdup(path);
	problem->line = line;
	problem->col = col;
	problem->message = message.data;
	fixture->problems = lappend(fixture->problems, problem);
}

/* A problem at an event */
#define event_problem(parser, path, ev, ...) \
	fixture_add_problem((parser)->fixture, (path), (ev)->line, (ev)->col, __VA_ARGS__)

/*
 * Line and column (1-based, in characters) of a byte offset, for libyaml's
 * reader errors, which carry only an offset.
 */
static void
offset_position(const char *text, size_t len, size_t offset, int *line, int *col)
{
	size_t		i;

	*line = 1;
	*col = 1;
	for (i = 0; i < offset && i < len; i++)
	{
		if (text[i] == '\n')
		{
			(*line)++;
			*col = 1;
		}
		else if ((text[i] & 0xC0) != 0x80)
			(*col)++;
	}
}

/*
 * Record libyaml's error as a problem and stop reading.
 */
static void
report_yaml_error(FixtureParser *parser, const char *path)
{
	yaml_parser_t *yaml = &parser->yaml;
	int			line;
	int			col;

	if (yaml->error == YAML_MEMORY_ERROR)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory while parsing the fixture")));

	if (yaml->error == YAML_READER_ERROR)
	{
		offset_position(parser->text, parser->len, yaml->problem_offset, &line, &col);
		/* the value is the bad byte, or the character it decoded to */
		if (yaml->problem_value != -1 && strstr(yaml->problem, "octet") != NULL)
			fixture_add_problem(parser->fixture, path, line, col,
								"invalid YAML: %s (byte 0x%02x)",
								yaml->problem, yaml->problem_value & 0xFF);
		else if (yaml->problem_value != -1)
			fixture_add_problem(parser->fixture, path, line, col,
								"invalid YAML: %s (U+%04X)",
								yaml->problem, yaml->problem_value);
		else
			fixture_add_problem(parser->fixture, path, line, col,
								"invalid YAML: %s", yaml->problem);
	}
	else if (yaml->context != NULL)
		fixture_add_problem(parser->fixture, path,
							(int) yaml->problem_mark.line + 1,
							(int) yaml->problem_mark.column + 1,
							"invalid YAML: %s (%s at line %d, column %d)",
							yaml->problem ? yaml->problem : "syntax error",
							yaml->context,
							(int) yaml->context_mark.line + 1,
							(int) yaml->context_mark.column + 1);
	else
		fixture_add_problem(parser->fixture, path,
							(int) yaml->problem_mark.line + 1,
							(int) yaml->problem_mark.column + 1,
							"invalid YAML: %s",
							yaml->problem ? yaml->problem : "syntax error");
	parser->fixture->truncated = true;
}

/*
 * Copy the anchor and tag out of libyaml's event; only node events have them.
 */
static void
copy_node_properties(const yaml_event_t *event, FixtureEvent *ev)
{
	const yaml_char_t *anchor = NULL;
	const yaml_char_t *tag = NULL;

	switch (event->type)
	{
		case YAML_SCALAR_EVENT:
			anchor = event->data.scalar.anchor;
			tag = event->data.scalar.tag;
			break;
		case YAML_SEQUENCE_START_EVENT:
			anchor = event->data.sequence_start.anchor;
			tag = event->data.sequence_start.tag;
			break;
		case YAML_MAPPING_START_EVENT:
			anchor = event->data.mapping_start.anchor;
			tag = event->data.mapping_start.tag;
			break;
		default:
			break;
	}
	ev->anchored = (anchor != NULL);
	ev->tagged = (tag != NULL);
}

/*
 * Read the next event into ev.  Returns false when reading must stop: a
 * YAML error, a limit, or too many problems (each already reported).
 * path names where the reader is, for a syntax error's problem.
 */
static bool
next_event(FixtureParser *parser, const char *path, FixtureEvent *ev)
{
	yaml_event_t *event = &parser->event;

	if (parser->fixture->truncated)
		return false;
	if (!yaml_parser_parse(&parser->yaml, event))
	{
		report_yaml_error(parser, path);
		return false;
	}

	memset(ev, 0, sizeof(FixtureEvent));
	ev->type = event->type;
	ev->line = (int) event->start_mark.line + 1;
	ev->col = (int) event->start_mark.column + 1;
	copy_node_properties(event, ev);
	if (event->type == YAML_SCALAR_EVENT && !parser->skipping)
	{
		ev->value = pnstrdup((const char *) event->data.scalar.value,
							 event->data.scalar.length);
		ev->length = event->data.scalar.length;
		ev->plain = (event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE);
	}
	yaml_event_delete(event);

	if (ev->type == YAML_SEQUENCE_START_EVENT || ev->type == YAML_MAPPING_START_EVENT)
	{
		if (++parser->depth > FIXTURE_MAX_DEPTH)
		{
			event_problem(parser, path, ev,
						  "nesting is deeper than %d levels", FIXTURE_MAX_DEPTH);
			parser->fixture->truncated = true;
			return false;
		}
	}
	else if (ev->type == YAML_SEQUENCE_END_EVENT || ev->type == YAML_MAPPING_END_EVENT)
		parser->depth--;
	return true;
}

/*
 * Report what no node of a fixture may have: anchors, aliases, tags.
 * Returns false for an alias, which has nothing to read.  Their text is
 * never quoted: "password: !Summer2024" makes a tag of a password, and a
 * DSN or a password hash can start with '!', '&' or '*' as well.
 */
static bool
check_node(FixtureParser *parser, const FixtureEvent *ev, const char *path)
{
	if (ev->type == YAML_ALIAS_EVENT)
	{
		event_problem(parser, path, ev, "aliases are not allowed");
		return false;
	}
	if (ev->anchored)
		event_problem(parser, path, ev, "anchors are not allowed");
	if (ev->tagged)
		event_problem(parser, path, ev, "tags are not allowed");
	return true;
}

/*
 * Consume the rest of a node whose first event is start (which the caller
 * has checked).  Anchors, aliases and tags inside are still reported, at
 * the skipped node's path: they are refused wherever they stand.
 */
static void
skip_node(FixtureParser *parser, const char *path, const FixtureEvent *start)
{
	int			open;
	FixtureEvent ev;

	if (start->type != YAML_SEQUENCE_START_EVENT &&
		start->type != YAML_MAPPING_START_EVENT)
		return;
	parser->skipping = true;
	for (open = 1; open > 0 && next_event(parser, path, &ev);)
	{
		if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT)
			open++;
		else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT)
			open--;
		if (ev.type == YAML_SCALAR_EVENT || ev.type == YAML_ALIAS_EVENT ||
			ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT)
			check_node(parser, &ev, path);
	}
	parser->skipping = false;
}

/* Is this scalar YAML's null: empty, "~" or "null" written plain? */
static bool
is_null_scalar(const FixtureEvent *ev)
{
	return ev->plain &&
		(ev->length == 0 || strcmp(ev->value, "~") == 0 ||
		 strcmp(ev->value, "null") == 0 || strcmp(ev->value, "Null") == 0 ||
		 strcmp(ev->value, "NULL") == 0);
}

/* What a node is, for "expected ..., found ..." */
static const char *
node_kind(const FixtureEvent *ev)
{
	switch (ev->type)
	{
		case YAML_SEQUENCE_START_EVENT:
			return "a list";
		case YAML_MAPPING_START_EVENT:
			return "a map";
		case YAML_ALIAS_EVENT:
			return "an alias";
		case YAML_SCALAR_EVENT:
			return is_null_scalar(ev) ? "nothing" : "a string";
		default:
			return "the end of the document";
	}
}

/*
 * Is ev a node of the wanted type?  If not, report it, consume it, and
 * return false.  wanted describes it, as in "a list of teams".
 */
static bool
expect_node(FixtureParser *parser, FixtureEvent *ev, const char *path,
			yaml_event_type_t type, const char *wanted)
{
	if (!check_node(parser, ev, path))
		return false;
	if (ev->type == type)
		return true;
	event_problem(parser, path, ev, "expected %s, found %s", wanted, node_kind(ev));
	skip_node(parser, path, ev);
	return false;
}

/*
 * Read a string value that must not be empty nor longer than maxchars.
 * what names it in messages ("team name").  Leaves out untouched on a
 * problem.
 */
static void
read_string(FixtureParser *parser, FixtureEvent *ev, const char *path,
			const char *what, int maxchars, FixtureValue *out)
{
	if (!expect_node(parser, ev, path, YAML_SCALAR_EVENT, "a string"))
		return;
	if (is_null_scalar(ev) || ev->length == 0)
	{
		event_problem(parser, path, ev, "%s must not be empty", what);
		return;
	}
	/* a "\0" escape would cut the C string short without a word */
	if (memchr(ev->value, '\0', ev->length) != NULL)
	{
		event_problem(parser, path, ev, "%s must not contain NUL characters", what);
		return;
	}
	if (utf8_length(ev->value) > maxchars)
	{
		event_problem(parser, path, ev, "%s is longer than %d characters",
					  what, maxchars);
		return;
	}
	out->value = ev->value;
	out->path = pstrdup(path);
	out->line = ev->line;
	out->col = ev->col;
}

/*
 * Read a boolean: true or false, written plain (YAML 1.2's core schema).
 */
static void
read_bool(FixtureParser *parser, FixtureEvent *ev, const char *path, bool *out)
{
	if (!expect_node(parser, ev, path, YAML_SCALAR_EVENT, "true or false"))
		return;
	if (ev->plain && (strcmp(ev->value, "true") == 0 || strcmp(ev->value, "True") == 0 ||
					  strcmp(ev->value, "TRUE") == 0))
		*out = true;
	else if (ev->plain && (strcmp(ev->value, "false") == 0 || strcmp(ev->value, "False") == 0 ||
						   strcmp(ev->value, "FALSE") == 0))
		*out = false;
	else if (is_quotable_word(ev->value))
		event_problem(parser, path, ev, "expected true or false, found \"%s\"",
					  clip_text(ev->value, 64));
	else
		event_problem(parser, path, ev, "expected true or false");
}

/*
 * Read a whole number from min to max, written plain.  what names it in
 * messages ("rate limit window").
 */
static void
read_int(FixtureParser *parser, FixtureEvent *ev, const char *path,
		 const char *what, int min, int max, int *out)
{
	char	   *end;
	long		value;

	if (!expect_node(parser, ev, path, YAML_SCALAR_EVENT, "a whole number"))
		return;
	errno = 0;
	value = strtol(ev->value, &end, 10);
	if (!ev->plain)
	{
		event_problem(parser, path, ev, "%s must be a whole number written without quotes",
					  what);
		return;
	}
	if (ev->length == 0 || *end != '\0' || strspn(ev->value, "-0123456789") != ev->length)
	{
		event_problem(parser, path, ev, "%s must be a whole number, found \"%s\"",
					  what, clip_text(ev->value, 64));
		return;
	}
	if (errno == ERANGE || value < min || value > max)
	{
		event_problem(parser, path, ev, "%s must be between %d and %d, found %s",
					  what, min, max, clip_text(ev->value, 64));
		return;
	}
	*out = (int) value;
}

/* The keys of spec, comma-separated, for "allowed keys: ..." */
static char *
allowed_keys(const FixtureMapSpec *spec)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; spec->keys[i] != NULL; i++)
		appendStringInfo(&buf, "%s%s", i > 0 ? ", " : "", spec->keys[i]);
	return buf.data;
}

/* Index of key in spec, or -1 */
static int
find_key(const FixtureMapSpec *spec, const char *key)
{
	int			i;

	for (i = 0; spec->keys[i] != NULL; i++)
	{
		if (strcmp(spec->keys[i], key) == 0)
			return i;
	}
	return -1;
}

/*
 * Read the next map key.  Returns false at the map's end or when reading
 * stops; a key that is not a plain string is reported, and its value
 * skipped, before looking at the next one.
 */
static bool
next_key(FixtureParser *parser, const char *path, FixtureEvent *key)
{
	FixtureEvent value;

	while (next_event(parser, path, key) && key->type != YAML_MAPPING_END_EVENT)
	{
		if (check_node(parser, key, path) && key->type == YAML_SCALAR_EVENT)
			return true;
		if (key->type != YAML_ALIAS_EVENT)
		{
			event_problem(parser, path, key, "map keys must be strings, found %s",
						  node_kind(key));
			skip_node(parser, path, key);
		}
		if (!next_event(parser, path, &value))
			return false;
		if (check_node(parser, &value, path))
			skip_node(parser, path, &value);
	}
	return false;
}

/*
 * Read a map of fixed keys, whose start event the caller has checked:
 * report unknown, duplicate and missing keys, and hand each value to
 * spec->read_value.
 */
static void
read_map(FixtureParser *parser, const FixtureMapSpec *spec, int item,
		 FixtureEvent *start, const char *path)
{
	FixtureEvent key;
	FixtureEvent value;
	FixtureEvent seen[32];
	uint32		present = 0;
	int			i;

	while (next_key(parser, path, &key))
	{
		int			index = find_key(spec, key.value);
		bool		quotable = index >= 0 || is_quotable_word(key.value);
		char	   *path_of_key = quotable ? key_path(path, key.value) : pstrdup(path);

		if (!next_event(parser, path_of_key, &value))
			return;
		if (index >= 0 && !(present & (1U << index)))
		{
			present |= 1U << index;
			seen[index] = key;
			spec->read_value(parser, item, index, &value, path_of_key);
			continue;
		}
		if (index < 0 && quotable)
			event_problem(parser, path_of_key, &key,
						  "unknown key \"%s\"; allowed keys: %s",
						  clip_text(key.value, 64), allowed_keys(spec));
		else if (index < 0)
			event_problem(parser, path_of_key, &key,
						  "unknown key; allowed keys: %s", allowed_keys(spec));
		else
			event_problem(parser, path_of_key, &key,
						  "duplicate key \"%s\"; first at line %d, column %d",
						  key.value, seen[index].line, seen[index].col);
		if (check_node(parser, &value, path_of_key))
			skip_node(parser, path_of_key, &value);
	}

	if (parser->fixture->truncated)
		return;
	for (i = 0; spec->keys[i] != NULL; i++)
	{
		if ((spec->required & (1U << i)) && !(present & (1U << i)))
			event_problem(parser, path, start, "missing required key \"%s\"",
						  spec->keys[i]);
	}
}

/*
 * A kind of list of maps: the spec of its items, a function that adds an
 * empty entry for an item (its index, or -1 past the limit: reading
 * stops) and one that checks the entry once read (NULL for none).
 */
typedef int (*FixtureEntryAdder) (FixtureParser *parser, FixtureEvent *ev, const char *path);
typedef void (*FixtureEntryCheck) (FixtureParser *parser, int index, FixtureEvent *ev,
								   const char *path);

typedef struct FixtureListSpec
{
	const FixtureMapSpec *item;
	FixtureEntryAdder add;
	FixtureEntryCheck check;
} FixtureListSpec;

/*
 * The items of a list of maps, up to its end; an item that is not a map is
 * a problem, and skipped.  Returns how many items were read.
 */
static int
read_map_items(FixtureParser *parser, const FixtureListSpec *spec, const char *path)
{
	FixtureEvent ev;
	int			i;

	for (i = 0; next_event(parser, path, &ev) && ev.type != YAML_SEQUENCE_END_EVENT; i++)
	{
		char	   *item_path = psprintf("%s[%d]", path, i);
		int			index;

		if (!check_node(parser, &ev, item_path))
			continue;
		if (ev.type != YAML_MAPPING_START_EVENT)
		{
			event_problem(parser, item_path, &ev, "expected a map with keys %s, found %s",
						  allowed_keys(spec->item), node_kind(&ev));
			skip_node(parser, item_path, &ev);
			continue;
		}
		if ((index = spec->add(parser, &ev, item_path)) < 0)
			break;
		read_map(parser, spec->item, index, &ev, item_path);
		if (spec->check != NULL)
			spec->check(parser, index, &ev, item_path);
	}
	return i;
}

/*
 * Is there room for one more of the count entries of a kind the fixture
 * may hold at most max of?  Past the limit the problem is reported (once:
 * reading stops).
 */
static bool
below_limit(FixtureParser *parser, FixtureEvent *ev, const char *path,
			int count, int max, const char *what)
{
	if (count < max)
		return true;
	event_problem(parser, path, ev, "fixture has more than %d %s", max, what);
	parser->fixture->truncated = true;
	return false;
}

/*
 * The array of n entries of size bytes, with room for *allocated, or a
 * larger copy when it is full: room for entry n.
 */
static void *
grow_entries(void *array, int n, int *allocated, size_t size)
{
	if (n < *allocated)
		return array;
	*allocated = Max(8, *allocated * 2);
	return array ? repalloc(array, *allocated * size) : palloc(*allocated * size);
}

/*
 * Add an empty team, growing the array as needed.  Returns its index, or
 * -1 past the limit (reported once; reading stops).
 */
static int
add_team(FixtureParser *parser, FixtureEvent *ev, const char *path)
{
	Fixture    *fixture = parser->fixture;
	FixtureTeam *team;

	if (!below_limit(parser, ev, path, fixture->nteams, FIXTURE_MAX_TEAMS, "teams"))
		return -1;
	fixture->teams = grow_entries(fixture->teams, fixture->nteams,
								  &parser->teams_allocated, sizeof(FixtureTeam));
	team = &fixture->teams[fixture->nteams];
	memset(team, 0, sizeof(FixtureTeam));
	team->path = pstrdup(path);
	team->line = ev->line;
	team->col = ev->col;
	return fixture->nteams++;
}

/*
 * Add an empty project of team, as add_team does.
 */
static int
add_project(FixtureParser *parser, int team, FixtureEvent *ev, const char *path)
{
	Fixture    *fixture = parser->fixture;
	FixtureProject *project;

	if (!below_limit(parser, ev, path, fixture->nprojects, FIXTURE_MAX_PROJECTS, "projects"))
		return -1;
	fixture->projects = grow_entries(fixture->projects, fixture->nprojects,
									 &parser->projects_allocated, sizeof(FixtureProject));
	project = &fixture->projects[fixture->nprojects];
	memset(project, 0, sizeof(FixtureProject));
	project->team_index = team;
	project->path = pstrdup(path);
	project->line = ev->line;
	project->col = ev->col;
	return fixture->nprojects++;
}

/* Keys of a project key's rate_limit */
enum
{
	RATE_LIMIT_COUNT, RATE_LIMIT_WINDOW
};
static const char *const rate_limit_keys[] = {"count", "window", NULL};

/* One value of a key's rate_limit map, into the key being read */
static void
read_rate_limit_value(FixtureParser *parser, int item, int key,
					  FixtureEvent *value, const char *path)
{
	FixtureKey *fk = &parser->fixture->projects[parser->key_project].keys[item];

	if (key == RATE_LIMIT_COUNT)
		read_int(parser, value, path, "rate limit count", 0, PG_INT32_MAX,
				 &fk->rate_limit_count);
	else
		read_int(parser, value, path, "rate limit window", 1,
				 FIXTURE_MAX_RATE_LIMIT_WINDOW, &fk->rate_limit_window);
}

static const FixtureMapSpec rate_limit_spec = {
	rate_limit_keys,
	(1U << RATE_LIMIT_COUNT) | (1U << RATE_LIMIT_WINDOW),
	read_rate_limit_value
};

/* Keys of an entry of a project's keys */
enum
{
	KEY_LABEL, KEY_DSN, KEY_ACTIVE, KEY_RATE_LIMIT
};
static const char *const key_keys[] = {"label", "dsn", "active", "rate_limit", NULL};

/* One value of an entry of a project's keys list */
static void
read_key_value(FixtureParser *parser, int item, int key,
			   FixtureEvent *value, const char *path)
{
	FixtureKey *fk = &parser->fixture->projects[parser->key_project].keys[item];

	switch (key)
	{
		case KEY_LABEL:
			read_string(parser, value, path, "key label", FIXTURE_MAX_KEY_LABEL, &fk->label);
			break;
		case KEY_DSN:
			read_string(parser, value, path, "DSN", FIXTURE_MAX_URL, &fk->dsn);
			break;
		case KEY_ACTIVE:
			read_bool(parser, value, path, &fk->active);
			break;
		case KEY_RATE_LIMIT:
			if (!expect_node(parser, value, path, YAML_MAPPING_START_EVENT,
							 "a map with keys count, window"))
				break;
			fk->rate_limited = true;
			read_map(parser, &rate_limit_spec, item, value, path);
			break;
	}
}

static const FixtureMapSpec key_spec = {
	key_keys,
	1U << KEY_DSN,
	read_key_value
};

/*
 * Add an empty listed key to the project whose keys list is read, growing
 * its array.  Returns its index, or -1 past the limit (reported once;
 * reading stops).
 */
static int
add_key(FixtureParser *parser, FixtureEvent *ev, const char *path)
{
	Fixture    *fixture = parser->fixture;
	FixtureProject *project = &fixture->projects[parser->key_project];
	FixtureKey *fk;

	if (!below_limit(parser, ev, path, fixture->nkeys, FIXTURE_MAX_KEYS, "project keys"))
		return -1;
	project->keys = grow_entries(project->keys, project->nkeys, &parser->keys_allocated,
								 sizeof(FixtureKey));
	fk = &project->keys[project->nkeys];
	memset(fk, 0, sizeof(FixtureKey));
	fk->listed = true;
	fk->active = true;
	fk->path = pstrdup(path);
	fk->line = ev->line;
	fk->col = ev->col;
	fixture->nkeys++;
	return project->nkeys++;
}

/*
 * A project's keys list: - {label: ..., dsn: ..., active: ..., rate_limit: ...}
 */
static void
read_key_list(FixtureParser *parser, int project, FixtureEvent *start, const char *path)
{
	static const FixtureListSpec key_list = {&key_spec, add_key, NULL};

	parser->keys_seen = true;
	if (!expect_node(parser, start, path, YAML_SEQUENCE_START_EVENT, "a list of keys"))
		return;
	parser->key_project = project;
	parser->keys_allocated = 0;
	if (read_map_items(parser, &key_list, path) == 0 && !parser->fixture->truncated)
		event_problem(parser, path, start, "a project's keys list must not be empty");
}

/*
 * Put the project's dsn, when it has one, first among its keys; a project
 * needs a dsn or a keys list with at least one entry.
 */
static void
finish_project_keys(FixtureParser *parser, int project, FixtureEvent *start,
					const char *path)
{
	FixtureProject *fp = &parser->fixture->projects[project];
	FixtureKey *keys;

	if (parser->fixture->truncated)
		return;
	if (fp->dsn.value == NULL)
	{
		if (!parser->dsn_seen && !parser->keys_seen)
			event_problem(parser, path, start,
						  "missing required key \"dsn\" (or \"keys\", a list of keys)");
		return;
	}
	keys = palloc((fp->nkeys + 1) * sizeof(FixtureKey));
	memset(&keys[0], 0, sizeof(FixtureKey));
	keys[0].dsn = fp->dsn;
	keys[0].active = true;
	keys[0].path = fp->dsn.path;
	keys[0].line = fp->dsn.line;
	keys[0].col = fp->dsn.col;
	if (fp->nkeys > 0)
		memcpy(&keys[1], fp->keys, fp->nkeys * sizeof(FixtureKey));
	fp->keys = keys;
	fp->nkeys++;
	parser->fixture->nkeys++;
}

/* Keys of one project in the list shape */
enum
{
	PROJECT_NAME, PROJECT_PLATFORM, PROJECT_DSN, PROJECT_KEYS
};
static const char *const project_keys[] = {"name", "platform", "dsn", "keys", NULL};

/* One value of a project of the list shape */
static void
read_project_value(FixtureParser *parser, int item, int key,
				   FixtureEvent *value, const char *path)
{
	FixtureProject *project = &parser->fixture->projects[item];

	switch (key)
	{
		case PROJECT_NAME:
			read_string(parser, value, path, "project name",
						FIXTURE_MAX_PROJECT_NAME, &project->name);
			break;
		case PROJECT_PLATFORM:
			read_string(parser, value, path, "platform",
						FIXTURE_MAX_PLATFORM, &project->platform);
			break;
		case PROJECT_DSN:
			parser->dsn_seen = true;
			read_string(parser, value, path, "DSN", FIXTURE_MAX_URL, &project->dsn);
			break;
		case PROJECT_KEYS:
			read_key_list(parser, item, value, path);
			break;
	}
}

static const FixtureMapSpec project_spec = {
	project_keys,
	1U << PROJECT_NAME,
	read_project_value
};

/*
 * Add an empty project of the team whose projects list is read; none of
 * its keys has been seen yet.
 */
static int
add_listed_project(FixtureParser *parser, FixtureEvent *ev, const char *path)
{
	parser->dsn_seen = parser->keys_seen = false;
	return add_project(parser, parser->list_team, ev, path);
}

/*
 * Projects in the list shape: - {name: api, platform: python, dsn: ...}
 */
static void
read_project_list(FixtureParser *parser, int team, const char *path)
{
	static const FixtureListSpec project_list = {
		&project_spec, add_listed_project, finish_project_keys
	};

	parser->list_team = team;
	read_map_items(parser, &project_list, path);
}

/*
 * Projects in the map shape: project name -> DSN.  A repeated name is left
 * to fixture_validate(), which reports every project name used twice,
 * across teams as well.
 */
static void
read_project_map(FixtureParser *parser, int team, const char *path)
{
	FixtureEvent key;
	FixtureEvent value;

	while (next_key(parser, path, &key))
	{
		char	   *project_path = key_path(path, key.value);
		char	   *dsn_path = psprintf("%s.dsn", project_path);
		int			project;

		if (!next_event(parser, dsn_path, &value))
			return;
		if ((project = add_project(parser, team, &key, project_path)) < 0)
			return;
		read_string(parser, &key, project_path, "project name",
					FIXTURE_MAX_PROJECT_NAME,
					&parser->fixture->projects[project].name);
		read_string(parser, &value, dsn_path, "DSN", FIXTURE_MAX_URL,
					&parser->fixture->projects[project].dsn);
		if (parser->fixture->projects[project].dsn.value != NULL)
			finish_project_keys(parser, project, &key, project_path);
	}
}

/* Keys of a team */
enum
{
	TEAM_NAME, TEAM_PROJECTS
};
static const char *const team_keys[] = {"name", "projects", NULL};

/* One value of a team */
static void
read_team_value(FixtureParser *parser, int item, int key,
				FixtureEvent *value, const char *path)
{
	if (key == TEAM_NAME)
	{
		read_string(parser, value, path, "team name", FIXTURE_MAX_TEAM_NAME,
					&parser->fixture->teams[item].name);
		return;
	}

	if (!check_node(parser, value, path))
		return;
	if (value->type == YAML_MAPPING_START_EVENT)
		read_project_map(parser, item, path);
	else if (value->type == YAML_SEQUENCE_START_EVENT)
		read_project_list(parser, item, path);
	else
		event_problem(parser, path, value,
					  "expected a map of project names to DSNs or a list of projects, found %s",
					  node_kind(value));
}

static const FixtureMapSpec team_spec = {
	team_keys,
	1U << TEAM_NAME,
	read_team_value
};

/*
 * teams: the organization's teams, each with its projects.
 */
static void
read_teams(FixtureParser *parser, FixtureEvent *start, const char *path)
{
	static const FixtureListSpec team_list = {&team_spec, add_team, NULL};

	if (expect_node(parser, start, path, YAML_SEQUENCE_START_EVENT, "a list of teams"))
		read_map_items(parser, &team_list, path);
}

/* Keys of admin */
enum
{
	ADMIN_USERNAME, ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_PASSWORD_HASH
};
static const char *const admin_keys[] = {"username", "email", "password", "password_hash", NULL};

/* One value of admin */
static void
read_admin_value(FixtureParser *parser, int item, int key,
				 FixtureEvent *value, const char *path)
{
	FixtureAdmin *admin = &parser->fixture->admin;

	switch (key)
	{
		case ADMIN_USERNAME:
			read_string(parser, value, path, "username", FIXTURE_MAX_USERNAME,
						&admin->username);
			break;
		case ADMIN_EMAIL:
			read_string(parser, value, path, "email", FIXTURE_MAX_EMAIL,
						&admin->email);
			break;
		case ADMIN_PASSWORD:
			read_string(parser, value, path, "password", FIXTURE_MAX_PASSWORD,
						&admin->password);
			break;
		case ADMIN_PASSWORD_HASH:
			read_string(parser, value, path, "password_hash",
						FIXTURE_MAX_PASSWORD_HASH, &admin->password_hash);
			break;
	}
}

static const FixtureMapSpec admin_spec = {
	admin_keys,
	1U << ADMIN_EMAIL,
	read_admin_value
};

/*
 * admin: who must exist as a superuser.  An absent username stays absent:
 * the reconciler gives a new user the email, as Sentry's createuser does,
 * and leaves an existing user's username alone.
 */
static void
read_admin(FixtureParser *parser, FixtureEvent *start, const char *path)
{
	FixtureAdmin *admin = &parser->fixture->admin;

	if (!expect_node(parser, start, path, YAML_MAPPING_START_EVENT, "a map"))
		return;
	admin->present = true;
	admin->path = pstrdup(path);
	admin->line = start->line;
	admin->col = start->col;
	read_map(parser, &admin_spec, 0, start, path);

	if (admin->password.value != NULL && admin->password_hash.value != NULL)
		fixture_add_problem(parser->fixture, path, admin->line, admin->col,
							"give either password or password_hash, not both");
}

/* Keys of an entry of users */
enum
{
	USER_EMAIL, USER_USERNAME, USER_NAME, USER_PASSWORD, USER_PASSWORD_HASH,
	USER_SUPERUSER, USER_ROLE, USER_TEAMS
};
static const char *const user_keys[] = {"email", "username", "name", "password",
"password_hash", "superuser", "role", "teams", NULL};

/*
 * A list of strings (a user's team names, a token's scopes), each checked
 * as read_string() does; at most max entries.
 */
static void
read_string_list(FixtureParser *parser, FixtureEvent *start, const char *path,
				 const char *what, int maxchars, int max, FixtureValue **values, int *n)
{
	FixtureEvent ev;
	int			allocated = 0;
	int			i;

	if (!expect_node(parser, start, path, YAML_SEQUENCE_START_EVENT,
					 psprintf("a list of %ss", what)))
		return;
	for (i = 0; next_event(parser, path, &ev) && ev.type != YAML_SEQUENCE_END_EVENT; i++)
	{
		char	   *item_path = psprintf("%s[%d]", path, i);

		if (*n >= max)
		{
			event_problem(parser, item_path, &ev, "more than %d %ss", max, what);
			if (check_node(parser, &ev, item_path))
				skip_node(parser, item_path, &ev);
			continue;
		}
		if (*n == allocated)
		{
			allocated = Max(8, allocated * 2);
			*values = *values
				? repalloc(*values, allocated * sizeof(FixtureValue))
				: palloc(allocated * sizeof(FixtureValue));
		}
		memset(&(*values)[*n], 0, sizeof(FixtureValue));
		read_string(parser, &ev, item_path, what, maxchars, &(*values)[*n]);
		if ((*values)[*n].value != NULL)
			(*n)++;
	}
}

/* One value of an entry of users */
static void
read_user_value(FixtureParser *parser, int item, int key,
				FixtureEvent *value, const char *path)
{
	FixtureUser *user = &parser->fixture->users[item];

	switch (key)
	{
		case USER_EMAIL:
			read_string(parser, value, path, "email", FIXTURE_MAX_EMAIL, &user->email);
			break;
		case USER_USERNAME:
			read_string(parser, value, path, "username", FIXTURE_MAX_USERNAME,
						&user->username);
			break;
		case USER_NAME:
			read_string(parser, value, path, "name", FIXTURE_MAX_USER_NAME, &user->name);
			break;
		case USER_PASSWORD:
			read_string(parser, value, path, "password", FIXTURE_MAX_PASSWORD,
						&user->password);
			break;
		case USER_PASSWORD_HASH:
			read_string(parser, value, path, "password_hash",
						FIXTURE_MAX_PASSWORD_HASH, &user->password_hash);
			break;
		case USER_SUPERUSER:
			read_bool(parser, value, path, &user->superuser);
			break;
		case USER_ROLE:
			read_string(parser, value, path, "role", FIXTURE_MAX_ROLE, &user->role);
			break;
		case USER_TEAMS:
			read_string_list(parser, value, path, "team name", FIXTURE_MAX_TEAM_NAME,
							 FIXTURE_MAX_TEAMS, &user->teams, &user->nteams);
			break;
	}
}

static const FixtureMapSpec user_spec = {
	user_keys,
	1U << USER_EMAIL,
	read_user_value
};

/*
 * Add an empty user.  Returns its index, or -1 past the limit (reported
 * once; reading stops).
 */
static int
add_user(FixtureParser *parser, FixtureEvent *ev, const char *path)
{
	Fixture    *fixture = parser->fixture;
	FixtureUser *user;

	if (!below_limit(parser, ev, path, fixture->nusers, FIXTURE_MAX_USERS, "users"))
		return -1;
	fixture->users = grow_entries(fixture->users, fixture->nusers, &parser->users_allocated,
								  sizeof(FixtureUser));
	user = &fixture->users[fixture->nusers];
	memset(user, 0, sizeof(FixtureUser));
	user->path = pstrdup(path);
	user->line = ev->line;
	user->col = ev->col;
	return fixture->nusers++;
}

/* A user gives a password or its hash, not both */
static void
check_user_password(FixtureParser *parser, int index, FixtureEvent *ev, const char *path)
{
	const FixtureUser *user = &parser->fixture->users[index];

	if (user->password.value != NULL && user->password_hash.value != NULL)
		fixture_add_problem(parser->fixture, path, user->line, user->col,
							"give either password or password_hash, not both");
}

/*
 * users: members of the organization besides the admin.
 */
static void
read_users(FixtureParser *parser, FixtureEvent *start, const char *path)
{
	static const FixtureListSpec user_list = {&user_spec, add_user, check_user_password};

	if (expect_node(parser, start, path, YAML_SEQUENCE_START_EVENT, "a list of users"))
		read_map_items(parser, &user_list, path);
}

/* Keys of an entry of tokens */
enum
{
	TOKEN_NAME, TOKEN_USER, TOKEN_SCOPES, TOKEN_TOKEN
};
static const char *const token_keys[] = {"name", "user", "scopes", "token", NULL};

/* One value of an entry of tokens */
static void
read_token_value(FixtureParser *parser, int item, int key,
				 FixtureEvent *value, const char *path)
{
	FixtureToken *token = &parser->fixture->tokens[item];

	switch (key)
	{
		case TOKEN_NAME:
			read_string(parser, value, path, "token name", FIXTURE_MAX_TOKEN_NAME, &token->name);
			break;
		case TOKEN_USER:
			read_string(parser, value, path, "user", FIXTURE_MAX_EMAIL, &token->user);
			break;
		case TOKEN_SCOPES:
			read_string_list(parser, value, path, "scope", FIXTURE_MAX_SCOPE,
							 FIXTURE_MAX_SCOPES, &token->scopes, &token->nscopes);
			break;
		case TOKEN_TOKEN:
			/* a secret: its length is checked, never quoted */
			read_string(parser, value, path, "token", FIXTURE_MAX_TOKEN, &token->token);
			break;
	}
}

static const FixtureMapSpec token_spec = {
	token_keys,
	(1U << TOKEN_NAME) | (1U << TOKEN_USER) | (1U << TOKEN_SCOPES) | (1U << TOKEN_TOKEN),
	read_token_value
};

/*
 * Add an empty token.  Returns its index, or -1 past the limit (reported
 * once; reading stops).
 */
static int
add_token(FixtureParser *parser, FixtureEvent *ev, const char *path)
{
	Fixture    *fixture = parser->fixture;
	FixtureToken *token;

	if (!below_limit(parser, ev, path, fixture->ntokens, FIXTURE_MAX_TOKENS, "tokens"))
		return -1;
	fixture->tokens = grow_entries(fixture->tokens, fixture->ntokens, &parser->tokens_allocated,
								   sizeof(FixtureToken));
	token = &fixture->tokens[fixture->ntokens];
	memset(token, 0, sizeof(FixtureToken));
	token->path = pstrdup(path);
	token->line = ev->line;
	token->col = ev->col;
	return fixture->ntokens++;
}

/*
 * tokens: user auth tokens to declare.
 */
static void
read_tokens(FixtureParser *parser, FixtureEvent *start, const char *path)
{
	static const FixtureListSpec token_list = {&token_spec, add_token, NULL};

	if (expect_node(parser, start, path, YAML_SEQUENCE_START_EVENT, "a list of tokens"))
		read_map_items(parser, &token_list, path);
}

/* Keys of the root */
enum
{
	ROOT_ORGANIZATION, ROOT_URL_PREFIX, ROOT_ADMIN, ROOT_TEAMS, ROOT_PRUNE, ROOT_USERS,
	ROOT_TOKENS
};
static const char *const root_keys[] = {"organization", "url_prefix", "admin", "teams",
"prune", "users", "tokens", NULL};

/* One value of the root map: a section of the fixture */
static void
read_root_value(FixtureParser *parser, int item, int key,
				FixtureEvent *value, const char *path)
{
	Fixture    *fixture = parser->fixture;

	switch (key)
	{
		case ROOT_ORGANIZATION:
			read_string(parser, value, path, "organization",
						FIXTURE_MAX_ORGANIZATION, &fixture->organization);
			break;
		case ROOT_URL_PREFIX:
			read_string(parser, value, path, "url_prefix", FIXTURE_MAX_URL,
						&fixture->url_prefix);
			break;
		case ROOT_ADMIN:
			read_admin(parser, value, path);
			break;
		case ROOT_TEAMS:
			read_teams(parser, value, path);
			break;
		case ROOT_PRUNE:
			read_bool(parser, value, path, &fixture->prune);
			break;
		case ROOT_USERS:
			read_users(parser, value, path);
			break;
		case ROOT_TOKENS:
			read_tokens(parser, value, path);
			break;
	}
}

static const FixtureMapSpec root_spec = {
	root_keys,
	0,
	read_root_value
};

/*
 * The stream: exactly one document, whose root is the fixture map.
 */
static void
read_stream(FixtureParser *parser)
{
	FixtureEvent ev;

	if (!next_event(parser, "", &ev) || !next_event(parser, "", &ev))
		return;
	if (ev.type == YAML_STREAM_END_EVENT)
	{
		event_problem(parser, "", &ev, "fixture is empty");
		return;
	}
	/* document start, then the root node */
	if (!next_event(parser, "", &ev))
		return;
	if (expect_node(parser, &ev, "", YAML_MAPPING_START_EVENT, "a map"))
		read_map(parser, &root_spec, 0, &ev, "");

	/* document end, then the stream's end */
	if (!next_event(parser, "", &ev) || !next_event(parser, "", &ev))
		return;
	if (ev.type != YAML_STREAM_END_EVENT)
		event_problem(parser, "", &ev, "fixture must be a single YAML document");
}

/*
 * fixture_parse: see fixture.h.
 */
Fixture *
fixture_parse(const char *text, size_t len)
{
	FixtureParser parser;

	memset(&parser, 0, sizeof(parser));
	parser.text = text;
	parser.len = len;
	parser.fixture = palloc0(sizeof(Fixture));

	if (!yaml_parser_initialize(&parser.yaml))
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory while parsing the fixture")));
	PG_TRY();
	{
		yaml_parser_set_encoding(&parser.yaml, YAML_UTF8_ENCODING);
		yaml_parser_set_input_string(&parser.yaml, (const unsigned char *) text, len);
		read_stream(&parser);
	}
	PG_FINALLY();
	{
		yaml_event_delete(&parser.event);
		yaml_parser_delete(&parser.yaml);
	}
	PG_END_TRY();

	return parser.fixture;
}
