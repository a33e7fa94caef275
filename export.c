/*-------------------------------------------------------------------------
 *
 * export.c
 *		Write an existing Sentry organization out as a fixture.
 *
 * The organization named by sentry_fixtures.organization, its teams and
 * projects (in the list shape) and its active members, read in a few
 * queries and written with libyaml's emitter, so the text is valid YAML
 * whatever the names hold.  Teams, projects and users come out sorted by
 * name in the "C" collation, so the same database always gives the same
 * text, and applying the text changes nothing.
 *
 * Each project's DSN is built from the url prefix (found as validation
 * finds it), the project id and the project's first active key; a project
 * with more than one key gets a keys list instead, every key with its
 * label, status and rate limit, so that applying the text changes none of
 * them.  Without
 * secrets, DSNs carry the public key only and password hashes are left
 * out; a comment before the document says so (libyaml cannot emit
 * comments).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <yaml.h>

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "catalog.h"
#include "export.h"
#include "organization.h"
#include "password.h"
#include "sentry_fixtures.h"
#include "spiutil.h"
#include "urlprefix.h"

/* The comment that heads an export without secrets */
#define EXPORT_NO_SECRETS_COMMENT \
	"# Secrets left out: each DSN has its public key only, and users have no password_hash.\n"

typedef struct ExportTeam
{
	int64		id;
	char	   *name;
} ExportTeam;

/* A key of a project that has several */
typedef struct ExportKey
{
	int64		project_id;
	char	   *label;			/* NULL when unset */
	char	   *public_key;
	char	   *secret_key;		/* NULL when left out */
	bool		active;
	char	   *rate_limit_count;	/* NULL unless both are set */
	char	   *rate_limit_window;
} ExportKey;

typedef struct ExportProject
{
	int64		id;
	int64		team_id;
	char	   *name;
	char	   *platform;		/* NULL when unset */
	char	   *public_key;
	char	   *secret_key;		/* NULL when left out */
	ExportKey  *keys;			/* when it has more than one key, by id */
	int			nkeys;
} ExportProject;

typedef struct ExportUser
{
	char	   *email;
	char	   *username;		/* NULL when it is the email */
	char	   *name;			/* NULL when empty */
	char	   *password_hash;	/* NULL when left out */
	bool		superuser;
	char	   *role;
	int			nteams;
	char	  **teams;
} ExportUser;

/* What an export writes, read from the database */
typedef struct ExportData
{
	char	   *organization;
	char	   *url_prefix;		/* normalised: scheme://host[:port][/path] */
	ExportTeam *teams;			/* sorted by name, id */
	int			nteams;
	ExportProject *projects;	/* sorted like their teams, then by name, id */
	int			nprojects;
	ExportUser *users;			/* sorted by email */
	int			nusers;
	ExportKey  *keys;			/* of projects with several, by project id, id */
	int			nkeys;
} ExportData;

/*
 * The url prefix without a trailing slash, with its port only when it is
 * not the scheme's default; an error when none is set.
 */
static char *
export_url_prefix(void)
{
	Fixture		none;
	UrlPrefixSource source;
	UrlPrefix	prefix;
	char	   *text;
	const char *problem;
	bool		default_port;

	memset(&none, 0, sizeof(none));
	text = url_prefix_lookup(&none, &source);
	if (none.problems != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s", ((FixtureProblem *) linitial(none.problems))->message)));
	if (text == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no url prefix is set"),
				 errhint("SET sentry_fixtures.url_prefix, or set Sentry's option system.url-prefix.")));
	if ((problem = url_prefix_parse(text, &prefix)) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("url prefix from %s is malformed: %s",
						url_prefix_source_name(source), problem)));

	default_port = (strcmp(prefix.scheme, "http") == 0 && prefix.port == 80) ||
		(strcmp(prefix.scheme, "https") == 0 && prefix.port == 443);
	return default_port
		? psprintf("%s://%s%s", prefix.scheme, prefix.host, prefix.path)
		: psprintf("%s://%s:%d%s", prefix.scheme, prefix.host, prefix.port, prefix.path);
}

/*
 * The name that finds the organization again: its name, unless another
 * organization has that name or that slug; then its slug.
 */
static char *
export_organization(const SentryCatalog *catalog, int64 *organization_id)
{
	const CatalogTable *table = catalog_require_table(catalog, "sentry_organization");
	Oid			argtypes[1] = {INT8OID};
	Datum		args[1];

	*organization_id = organization_find(table, sentry_fixtures_organization);
	if (*organization_id == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("organization \"%s\" does not exist", sentry_fixtures_organization),
				 errhint("SET sentry_fixtures.organization to the slug of the organization to export.")));

	args[0] = Int64GetDatum(*organization_id);
	spi_select(psprintf("SELECT CASE WHEN EXISTS (SELECT 1 FROM %s AS o"
						" WHERE o.id <> me.id AND (o.name = me.name OR o.slug = me.name))"
						" THEN me.slug ELSE me.name END FROM %s AS me WHERE me.id = $1",
						table->qualified_name, table->qualified_name),
			   1, argtypes, args);
	return spi_get_text(0, 1);
}

/*
 * The organization's teams, by name.
 */
static void
load_export_teams(const SentryCatalog *catalog, int64 organization_id, ExportData *data)
{
	const CatalogTable *teams = catalog_require_table(catalog, "sentry_team");
	Oid			argtypes[1] = {INT8OID};
	Datum		args[1] = {Int64GetDatum(organization_id)};
	uint64		n;
	uint64		i;

	n = spi_select(psprintf("SELECT id, name FROM %s WHERE organization_id = $1"
							" ORDER BY name COLLATE \"C\", id", teams->qualified_name),
				   1, argtypes, args);
	data->teams = palloc(Max(n, 1) * sizeof(ExportTeam));
	data->nteams = (int) n;
	for (i = 0; i < n; i++)
	{
		data->teams[i].id = spi_get_int64(i, 1);
		data->teams[i].name = spi_get_text(i, 2);
	}
}

/*
 * The organization's projects with their first team and first active key
 * (any key when none is active: applying makes it active), ordered as
 * they are written.  A project without a team or a usable key cannot be
 * written as a fixture entry: it is left out with a WARNING.
 */
static void
load_export_projects(const SentryCatalog *catalog, int64 organization_id,
					 bool include_secrets, ExportData *data)
{
	const CatalogTable *projects = catalog_require_table(catalog, "sentry_project");
	const CatalogTable *projectteams = catalog_require_table(catalog, "sentry_projectteam");
	const CatalogTable *teams = catalog_require_table(catalog, "sentry_team");
	const CatalogTable *keys = catalog_require_table(catalog, "sentry_projectkey");
	Oid			argtypes[1] = {INT8OID};
	Datum		args[1] = {Int64GetDatum(organization_id)};
	uint64		n;
	uint64		i;

	n = spi_select(psprintf("SELECT p.id, p.name, p.platform, t.id, t.name, k.public_key,"
							" CASE WHEN k.secret_key ~ '^[0-9a-f]{32}$' THEN k.secret_key END"
							" FROM %s AS p"
							" LEFT JOIN LATERAL (SELECT t.id, t.name FROM %s AS pt JOIN %s AS t"
							"   ON t.id = pt.team_id AND t.organization_id = p.organization_id"
							"   WHERE pt.project_id = p.id ORDER BY t.id LIMIT 1) AS t ON true"
							" LEFT JOIN LATERAL (SELECT k.public_key, k.secret_key FROM %s AS k"
							"   WHERE k.project_id = p.id AND k.public_key ~ '^[0-9a-f]{32}$'"
							"   ORDER BY k.status <> 0, k.id LIMIT 1) AS k ON true"
							" WHERE p.organization_id = $1"
							" ORDER BY t.name COLLATE \"C\", t.id, p.name COLLATE \"C\", p.id",
							projects->qualified_name, projectteams->qualified_name,
							teams->qualified_name, keys->qualified_name),
				   1, argtypes, args);

	data->projects = palloc(Max(n, 1) * sizeof(ExportProject));
	data->nprojects = 0;
	for (i = 0; i < n; i++)
	{
		ExportProject *p = &data->projects[data->nprojects];

		p->id = spi_get_int64(i, 1);
		p->name = spi_get_text(i, 2);
		p->platform = spi_get_text(i, 3);
		p->team_id = spi_get_int64(i, 4);
		p->public_key = spi_get_text(i, 6);
		p->secret_key = include_secrets ? spi_get_text(i, 7) : NULL;
		if (p->team_id == 0 || p->public_key == NULL)
		{
			ereport(WARNING,
					(errcode(ERRCODE_WARNING),
					 errmsg("project \"%s\" (id " INT64_FORMAT ") left out of the export",
							p->name, p->id),
					 errdetail("A fixture project needs a team and a key; this project has no %s.",
							   p->team_id == 0 ? "team" : "key with a well-formed public key")));
			continue;
		}
		data->nprojects++;
	}
}

/*
 * The keys of the organization's projects that have more than one key
 * with a well-formed public key, by project and id; each project gets its
 * slice of them.
 */
static void
load_export_keys(const SentryCatalog *catalog, int64 organization_id,
				 bool include_secrets, ExportData *data)
{
	const CatalogTable *projects = catalog_require_table(catalog, "sentry_project");
	const CatalogTable *keys = catalog_require_table(catalog, "sentry_projectkey");
	Oid			argtypes[1] = {INT8OID};
	Datum		args[1] = {Int64GetDatum(organization_id)};
	uint64		n;
	uint64		i;
	int			j;
	int			k = 0;

	n = spi_select(psprintf("SELECT k.project_id, k.label, k.public_key,"
							" CASE WHEN k.secret_key ~ '^[0-9a-f]{32}$' THEN k.secret_key END,"
							" k.status = 0, CASE WHEN k.rate_limit_window IS NOT NULL"
							" THEN k.rate_limit_count::text END,"
							" CASE WHEN k.rate_limit_count IS NOT NULL THEN k.rate_limit_window::text END"
							" FROM (SELECT k.*, pg_catalog.count(*) OVER (PARTITION BY k.project_id) AS n"
							"   FROM %s AS k JOIN %s AS p ON p.id = k.project_id"
							"   WHERE p.organization_id = $1 AND k.public_key ~ '^[0-9a-f]{32}$') AS k"
							" WHERE k.n > 1 ORDER BY k.project_id, k.id",
							keys->qualified_name, projects->qualified_name),
				   1, argtypes, args);
	data->keys = palloc(Max(n, 1) * sizeof(ExportKey));
	data->nkeys = (int) n;
	for (i = 0; i < n; i++)
	{
		ExportKey  *key = &data->keys[i];

		key->project_id = spi_get_int64(i, 1);
		key->label = spi_get_text(i, 2);
		key->public_key = spi_get_text(i, 3);
		key->secret_key = include_secrets ? spi_get_text(i, 4) : NULL;
		key->active = spi_get_bool(i, 5);
		key->rate_limit_count = spi_get_text(i, 6);
		key->rate_limit_window = spi_get_text(i, 7);
	}

	/* projects are in team order, keys in id order: match by a search */
	for (j = 0; j < data->nprojects; j++)
	{
		ExportProject *p = &data->projects[j];
		int			lo = 0;
		int			hi = data->nkeys;

		while (lo < hi)
		{
			int			mid = (lo + hi) / 2;

			if (data->keys[mid].project_id < p->id)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (k = lo; k < data->nkeys && data->keys[k].project_id == p->id; k++)
			;
		p->keys = &data->keys[lo];
		p->nkeys = k - lo;
	}
}

/*
 * The organization's active users with their role and active teams, by
 * email.  Invitations (members without a user) are not users yet.
 */
static void
load_export_users(const SentryCatalog *catalog, int64 organization_id,
				  bool include_secrets, ExportData *data)
{
	const CatalogTable *users = catalog_require_table(catalog, "auth_user");
	const CatalogTable *members = catalog_require_table(catalog, "sentry_organizationmember");
	const CatalogTable *memberteams = catalog_require_table(catalog,
															"sentry_organizationmember_teams");
	const CatalogTable *teams = catalog_require_table(catalog, "sentry_team");
	const char *name_column = catalog_find_column(users, "first_name") ? "u.first_name"
		: catalog_find_column(users, "name") ? "u.name" : "NULL";
	Oid			argtypes[1] = {INT8OID};
	Datum		args[1] = {Int64GetDatum(organization_id)};
	uint64		n;
	uint64		i;

	n = spi_select(psprintf("SELECT u.email, NULLIF(u.username, u.email), NULLIF(%s, ''),"
							" u.password, u.is_superuser, m.role,"
							" ARRAY(SELECT t.name FROM %s AS mt JOIN %s AS t ON t.id = mt.team_id"
							"   WHERE mt.organizationmember_id = m.id AND mt.is_active"
							"   AND t.organization_id = m.organization_id"
							"   ORDER BY t.name COLLATE \"C\", t.id)"
							" FROM %s AS m JOIN %s AS u ON u.id = m.user_id"
							" WHERE m.organization_id = $1 AND u.is_active"
							" ORDER BY pg_catalog.lower(u.email) COLLATE \"C\", u.id",
							name_column, memberteams->qualified_name, teams->qualified_name,
							members->qualified_name, users->qualified_name),
				   1, argtypes, args);

	data->users = palloc(Max(n, 1) * sizeof(ExportUser));
	data->nusers = (int) n;
	for (i = 0; i < n; i++)
	{
		ExportUser *u = &data->users[i];
		char	   *password = spi_get_text(i, 4);

		u->email = spi_get_text(i, 1);
		u->username = spi_get_text(i, 2);
		u->name = spi_get_text(i, 3);
		u->password_hash = include_secrets && password != NULL &&
			password_hash_problem(password) == NULL ? password : NULL;
		u->superuser = spi_get_bool(i, 5);
		u->role = spi_get_text(i, 6);
		u->teams = spi_get_text_array(i, 7, &u->nteams);
	}
}

/* libyaml's output handler: append to a StringInfo */
static int
append_output(void *data, unsigned char *buffer, size_t size)
{
	appendBinaryStringInfo((StringInfo) data, (const char *) buffer, (int) size);
	return 1;
}

/* Hand one event to the emitter, which takes it over */
static void
emit(yaml_emitter_t *emitter, yaml_event_t *event, int initialized)
{
	if (!initialized || !yaml_emitter_emit(emitter, event))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not write the fixture: %s",
						emitter->problem ? emitter->problem : "out of memory")));
}

/*
 * Would a reader take this plain scalar for something else than a string
 * (null, a boolean, a number)?  Such values are written quoted.
 */
static bool
needs_quotes(const char *value)
{
	static const char *const words[] = {
		"y", "n", "yes", "no", "on", "off", "true", "false", "null", NULL
	};
	int			i;

	if (value[0] == '\0' || strchr("0123456789+-.~", value[0]) != NULL)
		return true;
	for (i = 0; words[i] != NULL; i++)
		if (pg_strcasecmp(value, words[i]) == 0)
			return true;
	return false;
}

/* A string, quoted when it would read as something else */
static void
emit_scalar(yaml_emitter_t *emitter, const char *value)
{
	yaml_event_t event;

	emit(emitter, &event,
		 yaml_scalar_event_initialize(&event, NULL, NULL, (yaml_char_t *) value,
									  (int) strlen(value), 1, 1,
									  needs_quotes(value) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
									  : YAML_ANY_SCALAR_STYLE));
}

/* key: value, the value written plain (a boolean, a number) */
static void
emit_plain_pair(yaml_emitter_t *emitter, const char *key, const char *value)
{
	yaml_event_t event;

	emit_scalar(emitter, key);
	emit(emitter, &event,
		 yaml_scalar_event_initialize(&event, NULL, NULL, (yaml_char_t *) value,
									  (int) strlen(value), 1, 1, YAML_PLAIN_SCALAR_STYLE));
}

/* key: value */
static void
emit_pair(yaml_emitter_t *emitter, const char *key, const char *value)
{
	emit_scalar(emitter, key);
	emit_scalar(emitter, value);
}

/* The start and end of a block mapping, and of a block sequence */
static void
emit_mapping_start(yaml_emitter_t *emitter)
{
	yaml_event_t event;

	emit(emitter, &event,
		 yaml_mapping_start_event_initialize(&event, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE));
}

static void
emit_mapping_end(yaml_emitter_t *emitter)
{
	yaml_event_t event;

	emit(emitter, &event, yaml_mapping_end_event_initialize(&event));
}

static void
emit_sequence_start(yaml_emitter_t *emitter)
{
	yaml_event_t event;

	emit(emitter, &event,
		 yaml_sequence_start_event_initialize(&event, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE));
}

static void
emit_sequence_end(yaml_emitter_t *emitter)
{
	yaml_event_t event;

	emit(emitter, &event, yaml_sequence_end_event_initialize(&event));
}

/* A DSN of the project with this public key and, unless NULL, secret key */
static char *
export_dsn(const ExportData *data, int64 project_id, const char *public_key,
		   const char *secret_key)
{
	char	   *scheme_end = strstr(data->url_prefix, "://");
	int			scheme_len = (int) (scheme_end - data->url_prefix);

	return psprintf("%.*s://%s%s%s@%s/" INT64_FORMAT, scheme_len, data->url_prefix,
					public_key, secret_key ? ":" : "", secret_key ? secret_key : "",
					scheme_end + 3, project_id);
}

/* keys: label, dsn, active when false, rate_limit when set */
static void
emit_keys(yaml_emitter_t *emitter, const ExportData *data, const ExportProject *p)
{
	int			k;

	emit_scalar(emitter, "keys");
	emit_sequence_start(emitter);
	for (k = 0; k < p->nkeys; k++)
	{
		const ExportKey *key = &p->keys[k];

		emit_mapping_start(emitter);
		if (key->label != NULL)
			emit_pair(emitter, "label", key->label);
		emit_pair(emitter, "dsn", export_dsn(data, p->id, key->public_key, key->secret_key));
		if (!key->active)
			emit_plain_pair(emitter, "active", "false");
		if (key->rate_limit_count != NULL)
		{
			emit_scalar(emitter, "rate_limit");
			emit_mapping_start(emitter);
			emit_plain_pair(emitter, "count", key->rate_limit_count);
			emit_plain_pair(emitter, "window", key->rate_limit_window);
			emit_mapping_end(emitter);
		}
		emit_mapping_end(emitter);
	}
	emit_sequence_end(emitter);
}

/* One project: name, platform, and its dsn or its keys */
static void
emit_project(yaml_emitter_t *emitter, const ExportData *data, const ExportProject *p)
{
	emit_mapping_start(emitter);
	emit_pair(emitter, "name", p->name);
	if (p->platform != NULL)
		emit_pair(emitter, "platform", p->platform);
	if (p->nkeys > 1)
		emit_keys(emitter, data, p);
	else
		emit_pair(emitter, "dsn", export_dsn(data, p->id, p->public_key, p->secret_key));
	emit_mapping_end(emitter);
}

/*
 * teams: each team with its projects, which follow in the same order.
 */
static void
emit_teams(yaml_emitter_t *emitter, const ExportData *data)
{
	int			next = 0;
	int			i;

	emit_scalar(emitter, "teams");
	emit_sequence_start(emitter);
	for (i = 0; i < data->nteams; i++)
	{
		const ExportTeam *team = &data->teams[i];

		emit_mapping_start(emitter);
		emit_pair(emitter, "name", team->name);
		if (next < data->nprojects && data->projects[next].team_id == team->id)
		{
			emit_scalar(emitter, "projects");
			emit_sequence_start(emitter);
			for (; next < data->nprojects && data->projects[next].team_id == team->id; next++)
				emit_project(emitter, data, &data->projects[next]);
			emit_sequence_end(emitter);
		}
		emit_mapping_end(emitter);
	}
	emit_sequence_end(emitter);
}

/*
 * users: email, username and name when they say something, the password
 * hash when secrets are included, superuser when true, role, teams.
 */
static void
emit_users(yaml_emitter_t *emitter, const ExportData *data)
{
	int			i;
	int			k;

	emit_scalar(emitter, "users");
	emit_sequence_start(emitter);
	for (i = 0; i < data->nusers; i++)
	{
		const ExportUser *u = &data->users[i];

		emit_mapping_start(emitter);
		emit_pair(emitter, "email", u->email);
		if (u->username != NULL)
			emit_pair(emitter, "username", u->username);
		if (u->name != NULL)
			emit_pair(emitter, "name", u->name);
		if (u->password_hash != NULL)
			emit_pair(emitter, "password_hash", u->password_hash);
		if (u->superuser)
			emit_plain_pair(emitter, "superuser", "true");
		emit_pair(emitter, "role", u->role);
		if (u->nteams > 0)
		{
			emit_scalar(emitter, "teams");
			emit_sequence_start(emitter);
			for (k = 0; k < u->nteams; k++)
				emit_scalar(emitter, u->teams[k]);
			emit_sequence_end(emitter);
		}
		emit_mapping_end(emitter);
	}
	emit_sequence_end(emitter);
}

/*
 * The whole document, as a stream of one YAML document.
 */
static void
emit_document(yaml_emitter_t *emitter, const ExportData *data)
{
	yaml_event_t event;

	emit(emitter, &event, yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING));
	emit(emitter, &event, yaml_document_start_event_initialize(&event, NULL, NULL, NULL, 1));
	emit_mapping_start(emitter);
	emit_pair(emitter, "organization", data->organization);
	emit_pair(emitter, "url_prefix", data->url_prefix);
	emit_teams(emitter, data);
	if (data->nusers > 0)
		emit_users(emitter, data);
	emit_mapping_end(emitter);
	emit(emitter, &event, yaml_document_end_event_initialize(&event, 1));
	emit(emitter, &event, yaml_stream_end_event_initialize(&event));
}

/*
 * Write data as YAML; libyaml's malloc'd state is freed whatever happens.
 */
static void
write_fixture(const ExportData *data, StringInfo out)
{
	yaml_emitter_t emitter;

	if (!yaml_emitter_initialize(&emitter))
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory while writing the fixture")));
	PG_TRY();
	{
		yaml_emitter_set_output(&emitter, append_output, out);
		yaml_emitter_set_unicode(&emitter, 1);
		yaml_emitter_set_width(&emitter, -1);
		yaml_emitter_set_indent(&emitter, 2);
		emit_document(&emitter, data);
		if (!yaml_emitter_flush(&emitter))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not write the fixture")));
	}
	PG_FINALLY();
	{
		yaml_emitter_delete(&emitter);
	}
	PG_END_TRY();
}

/*
 * fixture_export: see export.h.
 */
char *
fixture_export(bool include_secrets)
{
	SentryCatalog *catalog = catalog_load(sentry_fixtures_schema);
	ExportData	data;
	int64		organization_id;
	StringInfoData out;

	memset(&data, 0, sizeof(data));
	data.url_prefix = export_url_prefix();
	data.organization = export_organization(catalog, &organization_id);
	load_export_teams(catalog, organization_id, &data);
	load_export_projects(catalog, organization_id, include_secrets, &data);
	load_export_keys(catalog, organization_id, include_secrets, &data);
	load_export_users(catalog, organization_id, include_secrets, &data);

	initStringInfo(&out);
	if (!include_secrets)
		appendStringInfoString(&out, EXPORT_NO_SECRETS_COMMENT);
	write_fixture(&data, &out);
	return out.data;
}
