/*-------------------------------------------------------------------------
 *
 * reconcile_keys.c
 *		Project keys: the fixture's public keys are the project's keys, so
 *		every DSN stays the same across rebuilds.
 *
 * For each key of each project the fixture manages (its dsn, then the
 * entries of its keys list):
 *	- a key with the fixture's public key exists (on any project): it moves
 *	  to this project, takes the fixture's secret key (when the DSN has one)
 *	  and is made active, or, for an entry of keys, takes the entry's
 *	  label, status and rate limit;
 *	- else, for the project's dsn only ("the project's first key", as in
 *	  release 0.1), the project's first key (lowest id) not claimed that
 *	  way takes the fixture's public and secret key;
 *	- else a key is created, with a random secret when the DSN has none.
 * Keys of the project the fixture does not list stay (reconcile_prune.c
 * deletes them when pruning).  Secrets appear in report details as their
 * first four characters only.  Every fixture key then has its mapping row
 * (reconcile_mapping.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"

#include "reconcile_int.h"
#include "reconcile_mapping.h"
#include "reconcile_util.h"
#include "spiutil.h"

/* A key as it is */
typedef struct ExistingKey
{
	int64		id;
	int64		project_id;
	char	   *public_key;
	char	   *secret_key;
	int64		status;
	char	   *label;
	char	   *rate_limit_count;	/* as text; NULL when unset */
	char	   *rate_limit_window;
	bool		claimed;		/* taken by a fixture entry */
} ExistingKey;

/* A fixture key of a managed project, and the existing key it takes */
typedef struct WantedKey
{
	const FixtureProject *project;
	const FixtureKey *key;
	ExistingKey *chosen;		/* NULL: a new key */
} WantedKey;

/* ProjectKeyStatus.ACTIVE and INACTIVE */
#define KEY_STATUS_ACTIVE 0
#define KEY_STATUS_INACTIVE 1

/* The label Sentry gives a project's first key (ProjectKey.label default) */
#define KEY_DEFAULT_LABEL "Default"

/*
 * The keys of the projects the fixture manages, in fixture order.
 */
static WantedKey *
wanted_keys(ReconcileState *state, int *nwanted)
{
	Fixture    *fixture = state->fixture;
	WantedKey  *wanted = palloc(Max(fixture->nkeys, 1) * sizeof(WantedKey));
	int			n = 0;
	int			i;
	int			k;

	for (i = 0; i < fixture->nprojects; i++)
	{
		if (state->projects[i].skipped)
			continue;
		for (k = 0; k < fixture->projects[i].nkeys; k++)
		{
			wanted[n].project = &fixture->projects[i];
			wanted[n].key = &fixture->projects[i].keys[k];
			wanted[n].chosen = NULL;
			n++;
		}
	}
	*nwanted = n;
	return wanted;
}

/*
 * Read, in one statement, the keys with a fixture public key and
 * the keys of the projects the fixture manages.
 */
static ExistingKey *
load_keys(const CatalogTable *table, const WantedKey *wanted, int nwanted, int *nkeys)
{
	char	  **public_keys = palloc(Max(nwanted, 1) * sizeof(char *));
	int64	   *project_ids = palloc(Max(nwanted, 1) * sizeof(int64));
	Oid			argtypes[2] = {TEXTARRAYOID, INT8ARRAYOID};
	Datum		args[2];
	ExistingKey *keys;
	uint64		nrows;
	uint64		i;
	int			j;

	for (j = 0; j < nwanted; j++)
	{
		public_keys[j] = (char *) wanted[j].key->parsed.public_key;
		project_ids[j] = wanted[j].project->parsed.project_id;
	}
	args[0] = text_array_datum(public_keys, nwanted);
	args[1] = int8_array_datum(project_ids, nwanted);

	nrows = spi_select(psprintf("SELECT id, project_id, public_key, secret_key, status, label,"
								" rate_limit_count::text, rate_limit_window::text FROM %s"
								" WHERE public_key IN (SELECT pg_catalog.unnest($1))"
								" OR project_id IN (SELECT pg_catalog.unnest($2))",
								table->qualified_name),
					   2, argtypes, args);
	keys = palloc(Max(nrows, 1) * sizeof(ExistingKey));
	for (i = 0; i < nrows; i++)
	{
		keys[i].id = spi_get_int64(i, 1);
		keys[i].project_id = spi_get_int64(i, 2);
		keys[i].public_key = spi_get_text(i, 3);
		keys[i].secret_key = spi_get_text(i, 4);
		keys[i].status = spi_get_int64(i, 5);
		keys[i].label = spi_get_text(i, 6);
		keys[i].rate_limit_count = spi_get_text(i, 7);
		keys[i].rate_limit_window = spi_get_text(i, 8);
		keys[i].claimed = false;
	}
	SPI_freetuptable(SPI_tuptable);
	*nkeys = (int) nrows;
	return keys;
}

/* The keys, indexed by public key and by project */
typedef struct KeyIndex
{
	ExistingKey **by_public_key;	/* sorted by public key (NULLs left out) */
	int			npublic;
	ExistingKey **by_project;	/* sorted by project id, then id */
	int			nkeys;
} KeyIndex;

/* qsort/bsearch: key pointers by public key */
static int
key_public_cmp(const void *a, const void *b)
{
	return strcmp((*(ExistingKey *const *) a)->public_key,
				  (*(ExistingKey *const *) b)->public_key);
}

/* qsort: key pointers by project id, then id */
static int
key_project_cmp(const void *a, const void *b)
{
	const ExistingKey *x = *(ExistingKey *const *) a;
	const ExistingKey *y = *(ExistingKey *const *) b;

	if (x->project_id != y->project_id)
		return (x->project_id > y->project_id) - (x->project_id < y->project_id);
	return (x->id > y->id) - (x->id < y->id);
}

/*
 * Index keys[] both ways.
 */
static void
index_keys(ExistingKey *keys, int nkeys, KeyIndex *index)
{
	int			i;

	index->by_public_key = palloc(Max(nkeys, 1) * sizeof(ExistingKey *));
	index->by_project = palloc(Max(nkeys, 1) * sizeof(ExistingKey *));
	index->npublic = 0;
	index->nkeys = nkeys;
	for (i = 0; i < nkeys; i++)
	{
		if (keys[i].public_key != NULL)
			index->by_public_key[index->npublic++] = &keys[i];
		index->by_project[i] = &keys[i];
	}
	qsort(index->by_public_key, index->npublic, sizeof(ExistingKey *), key_public_cmp);
	qsort(index->by_project, nkeys, sizeof(ExistingKey *), key_project_cmp);
}

/* The key with that public key, or NULL */
static ExistingKey *
find_key_by_public_key(const KeyIndex *index, const char *public_key)
{
	ExistingKey probe;
	ExistingKey *probe_ptr = &probe;
	ExistingKey **found;

	probe.public_key = (char *) public_key;
	found = bsearch(&probe_ptr, index->by_public_key, index->npublic,
					sizeof(ExistingKey *), key_public_cmp);
	return found ? *found : NULL;
}

/* The project's unclaimed key with the lowest id, or NULL */
static ExistingKey *
find_free_key_of_project(const KeyIndex *index, int64 project_id)
{
	int			lo = 0;
	int			hi = index->nkeys;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (index->by_project[mid]->project_id < project_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < index->nkeys && index->by_project[lo]->project_id == project_id; lo++)
		if (!index->by_project[lo]->claimed)
			return index->by_project[lo];
	return NULL;
}

/*
 * What a key is to hold: the fixture's public key, project, secret (the
 * key's own when the DSN has none), and, for an entry of keys, the entry's
 * label, status and rate limit; a dsn leaves label and rate limit alone
 * and makes the key active.  existing is NULL for a new key.
 */
typedef struct KeyValues
{
	const char *secret;
	const char *status;
	const char *label;
	const char *rate_limit_count;
	const char *rate_limit_window;
} KeyValues;

static KeyValues
key_values(const FixtureKey *fk, const ExistingKey *existing)
{
	KeyValues	v;

	v.secret = fk->parsed.secret_key[0] != '\0' ? fk->parsed.secret_key
		: existing ? existing->secret_key : random_hex_key();
	v.status = (fk->listed && !fk->active) ? CppAsString2(KEY_STATUS_INACTIVE)
		: CppAsString2(KEY_STATUS_ACTIVE);
	if (fk->listed)
	{
		v.label = fk->label.value ? fk->label.value
			: existing ? existing->label : KEY_DEFAULT_LABEL;
		v.rate_limit_count = fk->rate_limited ? psprintf("%d", fk->rate_limit_count) : NULL;
		v.rate_limit_window = fk->rate_limited ? psprintf("%d", fk->rate_limit_window) : NULL;
	}
	else
	{
		v.label = existing ? existing->label : KEY_DEFAULT_LABEL;
		v.rate_limit_count = existing ? existing->rate_limit_count : NULL;
		v.rate_limit_window = existing ? existing->rate_limit_window : NULL;
	}
	return v;
}

/* "count/window" of a rate limit, or "(none)" */
static const char *
rate_limit_text(const char *count, const char *window)
{
	return count == NULL && window == NULL ? "(none)"
		: psprintf("%s/%ss", count ? count : "(none)", window ? window : "(none)");
}

/*
 * Queue the update that makes key match the fixture key, and report it;
 * report nothing when it already matches.  A DSN without a secret leaves
 * the key's secret as it is, none (NULL or empty) included: that alone is
 * no change.  A key written for another reason that has no secret gets
 * one, as ProjectKey.save() gives it.
 */
static void
update_key(ReconcileState *state, RowBatch *updates, const WantedKey *w)
{
	const Dsn  *dsn = &w->key->parsed;
	const ExistingKey *key = w->chosen;
	KeyValues	v = key_values(w->key, key);
	StringInfoData detail;

	detail_init(&detail);
	if (!same_text(key->public_key, dsn->public_key))
		detail_change(&detail, "public_key", key->public_key, dsn->public_key);
	if (key->project_id != dsn->project_id)
		detail_change(&detail, "project_id", int64_text(key->project_id),
					  int64_text(dsn->project_id));
	if (v.secret != NULL && v.secret[0] != '\0' && !same_text(key->secret_key, v.secret))
		detail_change(&detail, "secret_key", report_secret_prefix(key->secret_key),
					  report_secret_prefix(v.secret));
	if (strcmp(int64_text(key->status), v.status) != 0)
		detail_change(&detail, "status", int64_text(key->status), v.status);
	if (!same_text(key->label, v.label))
		detail_change(&detail, "label", key->label ? key->label : "(none)", v.label);
	if (!same_text(key->rate_limit_count, v.rate_limit_count) ||
		!same_text(key->rate_limit_window, v.rate_limit_window))
		detail_change(&detail, "rate_limit",
					  rate_limit_text(key->rate_limit_count, key->rate_limit_window),
					  rate_limit_text(v.rate_limit_count, v.rate_limit_window));

	if (detail.len == 0)
	{
		report_unchanged(&state->report);
		return;
	}
	if (v.secret == NULL || v.secret[0] == '\0')
	{
		/* a plan cannot know a generated secret: reported as such */
		v.secret = random_hex_key();
		detail_change(&detail, "secret_key", report_secret_prefix(key->secret_key), "(generated)");
	}
	row_batch_add(updates, (const char *[]) {
		int64_text(key->id), int64_text(dsn->project_id), dsn->public_key, v.secret,
			v.status, v.label, v.rate_limit_count, v.rate_limit_window
	});
	report_row(&state->report, REPORT_UPDATE, "project_key", w->project->name.value,
			   key->id, detail.data);
}

/*
 * Queue a new key for the fixture key, and report it.  A generated secret
 * is reported as such: a plan cannot know it.
 */
static void
insert_key(ReconcileState *state, RowBatch *inserts, const WantedKey *w, int64 id)
{
	const Dsn  *dsn = &w->key->parsed;
	KeyValues	v = key_values(w->key, NULL);
	StringInfoData detail;

	initStringInfo(&detail);
	appendStringInfo(&detail, "public_key: %s, secret_key: %s", dsn->public_key,
					 dsn->secret_key[0] != '\0' ? report_secret_prefix(v.secret) : "(generated)");
	if (w->key->listed)
		appendStringInfo(&detail, ", label: %s, status: %s, rate_limit: %s", v.label, v.status,
						 rate_limit_text(v.rate_limit_count, v.rate_limit_window));
	row_batch_add(inserts, (const char *[]) {
		int64_text(id), int64_text(dsn->project_id), dsn->public_key, v.secret,
			v.status, v.label, v.rate_limit_count, v.rate_limit_window
	});
	report_row(&state->report, REPORT_CREATE, "project_key", w->project->name.value, id,
			   detail.data);
}

/* A secret key the fixture asks for, and the key that is to hold it */
typedef struct WantedSecret
{
	const char *secret;
	const FixtureProject *project;
	int64		key_id;			/* the chosen existing key, or 0 for a new one */
} WantedSecret;

/* qsort: wanted secrets by secret */
static int
wanted_secret_cmp(const void *a, const void *b)
{
	return strcmp(((const WantedSecret *) a)->secret, ((const WantedSecret *) b)->secret);
}

/*
 * Refuse, before anything is written, a fixture secret key that another
 * project key holds or that two fixture projects share: the unique index
 * on secret_key would refuse it too, but its error shows the key's value,
 * and secrets are never formatted into a message.
 */
static void
check_secret_keys(const CatalogTable *table, const WantedKey *keys, int nkeys)
{
	WantedSecret *wanted = palloc(Max(nkeys, 1) * sizeof(WantedSecret));
	char	  **secrets = palloc(Max(nkeys, 1) * sizeof(char *));
	int			n = 0;
	Oid			argtypes[1] = {TEXTARRAYOID};
	Datum		args[1];
	uint64		nrows;
	uint64		row;
	int			i;

	for (i = 0; i < nkeys; i++)
	{
		if (keys[i].key->parsed.secret_key[0] == '\0')
			continue;
		wanted[n].secret = keys[i].key->parsed.secret_key;
		wanted[n].project = keys[i].project;
		wanted[n].key_id = keys[i].chosen != NULL ? keys[i].chosen->id : 0;
		secrets[n] = (char *) keys[i].key->parsed.secret_key;
		n++;
	}
	if (n == 0)
		return;
	qsort(wanted, n, sizeof(WantedSecret), wanted_secret_cmp);
	for (i = 1; i < n; i++)
	{
		const FixtureProject *a = wanted[i - 1].project;
		const FixtureProject *b = wanted[i].project;

		if (strcmp(wanted[i - 1].secret, wanted[i].secret) != 0)
			continue;
		if (a == b)
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("two keys of project \"%s\" have the same secret key", a->name.value),
					 errdetail("Each project key needs a secret key of its own.")));
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("projects \"%s\" and \"%s\" have the same secret key",
						a->name.value, b->name.value),
				 errdetail("Each project key needs a secret key of its own.")));
	}

	args[0] = text_array_datum(secrets, n);
	nrows = spi_select(psprintf("SELECT k.id, k.project_id, k.secret_key FROM %s AS k"
								" JOIN pg_catalog.unnest($1) AS w(secret_key)"
								" ON w.secret_key = k.secret_key", table->qualified_name),
					   1, argtypes, args);
	for (row = 0; row < nrows; row++)
	{
		WantedSecret probe = {0};
		WantedSecret *match;

		probe.secret = spi_get_text(row, 3);
		match = bsearch(&probe, wanted, n, sizeof(WantedSecret), wanted_secret_cmp);
		if (match != NULL && match->key_id != spi_get_int64(row, 1))
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("secret key of project \"%s\" is already used by project key %lld of project %lld",
							match->project->name.value,
							(long long) spi_get_int64(row, 1),
							(long long) spi_get_int64(row, 2)),
					 errdetail("Each project key needs a secret key of its own.")));
	}
}

/*
 * Keys of every project the fixture manages.
 */
void
reconcile_project_keys(ReconcileState *state)
{
	static const char *const columns[] = {"id", "project_id", "public_key", "secret_key",
	"status", "label", "rate_limit_count", "rate_limit_window"};
	const CatalogTable *table = catalog_require_table(state->catalog, "sentry_projectkey");
	RowBatch   *updates = row_batch_create(table, lengthof(columns), columns);
	RowBatch   *inserts = row_batch_create(table, lengthof(columns), columns);
	WantedKey  *wanted;
	int			nwanted;
	ExistingKey *keys;
	int			nkeys;
	KeyIndex	index;
	int			nnew = 0;
	int64	   *new_ids;
	int64	   *key_ids;
	int			i;

	wanted = wanted_keys(state, &nwanted);
	keys = load_keys(table, wanted, nwanted, &nkeys);
	index_keys(keys, nkeys, &index);

	/* public keys claim first, so "the first key" never steals one */
	for (i = 0; i < nwanted; i++)
	{
		wanted[i].chosen = find_key_by_public_key(&index, wanted[i].key->parsed.public_key);
		if (wanted[i].chosen != NULL)
			wanted[i].chosen->claimed = true;
	}
	for (i = 0; i < nwanted; i++)
	{
		if (wanted[i].chosen == NULL && !wanted[i].key->listed)
			wanted[i].chosen = find_free_key_of_project(&index,
														wanted[i].project->parsed.project_id);
		if (wanted[i].chosen != NULL)
			wanted[i].chosen->claimed = true;
		else
			nnew++;
	}

	check_secret_keys(table, wanted, nwanted);

	new_ids = reconcile_new_ids(state, table, nnew);
	key_ids = palloc(Max(nwanted, 1) * sizeof(int64));
	nnew = 0;
	for (i = 0; i < nwanted; i++)
	{
		if (wanted[i].chosen != NULL)
		{
			update_key(state, updates, &wanted[i]);
			key_ids[i] = wanted[i].chosen->id;
		}
		else
		{
			insert_key(state, inserts, &wanted[i], new_ids[nnew]);
			key_ids[i] = new_ids[nnew++];
		}
	}

	row_batch_update(updates);
	reconcile_insert(state, inserts);
	reconcile_companions(state, "sentry_projectkey", key_ids, nwanted);
}
