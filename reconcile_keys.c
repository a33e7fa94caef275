/*-------------------------------------------------------------------------
 *
 * reconcile_keys.c
 *		Project keys: the fixture's public key is the project's key, so
 *		every DSN stays the same across rebuilds.
 *
 * For each project the fixture manages:
 *	- a key with the fixture's public key exists (on any project): it moves
 *	  to this project, takes the fixture's secret key (when the DSN has one)
 *	  and is made active;
 *	- else the project's first key (lowest id) not claimed that way takes
 *	  the fixture's public and secret key;
 *	- else a key is created, with a random secret when the DSN has none.
 * Secrets appear in report details as their first four characters only.
 * Every key of a fixture project then has its mapping row (reconcile_mapping.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "reconcile_mapping.h"
#include "reconcile_util.h"
#include "utils/builtins.h"

#include "reconcile_int.h"
#include "spiutil.h"

/* A key as it is */
typedef struct ExistingKey
{
	int64		id;
	int64		project_id;
	char	   *public_key;
	char	   *secret_key;
	int64		status;
	bool		claimed;		/* taken by a fixture entry */
} ExistingKey;

/* Status of an active key (ProjectKeyStatus.ACTIVE) */
#define KEY_STATUS_ACTIVE 0

/*
 * Read, in one statement, the keys with a fixture public key and
 * the keys of the projects the fixture manages.
 */
static ExistingKey *
load_keys(ReconcileState *state, const CatalogTable *table, int *nkeys)
{
	Fixture    *fixture = state->fixture;
	char	  **public_keys = palloc(Max(fixture->nprojects, 1) * sizeof(char *));
	int64	   *project_ids = palloc(Max(fixture->nprojects, 1) * sizeof(int64));
	int			n = 0;
	Oid			argtypes[2] = {TEXTARRAYOID, INT8ARRAYOID};
	Datum		args[2];
	ExistingKey *keys;
	uint64		nrows;
	uint64		i;
	int			j;

	for (j = 0; j < fixture->nprojects; j++)
	{
		if (state->projects[j].skipped)
			continue;
		public_keys[n] = fixture->projects[j].parsed.public_key;
		project_ids[n] = fixture->projects[j].parsed.project_id;
		n++;
	}
	args[0] = text_array_datum(public_keys, n);
	args[1] = int8_array_datum(project_ids, n);

	nrows = spi_select(psprintf("SELECT id, project_id, public_key, secret_key, status FROM %s"
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
 * Queue the update that makes key match the fixture project, and report
 * it; report nothing when it already matches.  A DSN without a secret
 * leaves the key's secret as it is, none (NULL or empty) included: that
 * alone is no change.  A key written for another reason that has no
 * secret gets one, as ProjectKey.save() gives it.
 */
static void
update_key(ReconcileState *state, RowBatch *updates, const FixtureProject *fp,
		   const ExistingKey *key)
{
	const Dsn  *dsn = &fp->parsed;
	const char *secret = dsn->secret_key[0] != '\0' ? dsn->secret_key : key->secret_key;
	StringInfoData detail;

	detail_init(&detail);
	if (key->public_key == NULL || strcmp(key->public_key, dsn->public_key) != 0)
		detail_change(&detail, "public_key", key->public_key, dsn->public_key);
	if (key->project_id != dsn->project_id)
		detail_change(&detail, "project_id", int64_text(key->project_id),
					  int64_text(dsn->project_id));
	if (secret != NULL && secret[0] != '\0' &&
		(key->secret_key == NULL || strcmp(key->secret_key, secret) != 0))
		detail_change(&detail, "secret_key", report_secret_prefix(key->secret_key),
					  report_secret_prefix(secret));
	if (key->status != KEY_STATUS_ACTIVE)
		detail_change(&detail, "status", int64_text(key->status), "0");

	if (detail.len == 0)
	{
		report_unchanged(&state->report);
		return;
	}
	if (secret == NULL || secret[0] == '\0')
	{
		/* a plan cannot know a generated secret: reported as such */
		secret = random_hex_key();
		detail_change(&detail, "secret_key", report_secret_prefix(key->secret_key), "(generated)");
	}
	row_batch_add(updates, (const char *[]) {
		int64_text(key->id), int64_text(dsn->project_id), dsn->public_key, secret, "0"
	});
	report_row(&state->report, REPORT_UPDATE, "project_key", fp->name.value, key->id, detail.data);
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
check_secret_keys(ReconcileState *state, const CatalogTable *table, ExistingKey **chosen)
{
	Fixture    *fixture = state->fixture;
	WantedSecret *wanted = palloc(Max(fixture->nprojects, 1) * sizeof(WantedSecret));
	char	  **secrets = palloc(Max(fixture->nprojects, 1) * sizeof(char *));
	int			n = 0;
	Oid			argtypes[1] = {TEXTARRAYOID};
	Datum		args[1];
	uint64		nrows;
	uint64		row;
	int			i;

	for (i = 0; i < fixture->nprojects; i++)
	{
		if (state->projects[i].skipped || fixture->projects[i].parsed.secret_key[0] == '\0')
			continue;
		wanted[n].secret = fixture->projects[i].parsed.secret_key;
		wanted[n].project = &fixture->projects[i];
		wanted[n].key_id = chosen[i] != NULL ? chosen[i]->id : 0;
		secrets[n] = fixture->projects[i].parsed.secret_key;
		n++;
	}
	if (n == 0)
		return;
	qsort(wanted, n, sizeof(WantedSecret), wanted_secret_cmp);
	for (i = 1; i < n; i++)
		if (strcmp(wanted[i - 1].secret, wanted[i].secret) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("projects \"%s\" and \"%s\" have the same secret key",
							wanted[i - 1].project->name.value, wanted[i].project->name.value),
					 errdetail("Each project key needs a secret key of its own.")));

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
	static const char *const update_columns[] = {"id", "project_id", "public_key", "secret_key", "status"};
	static const char *const insert_columns[] = {"id", "project_id", "public_key", "secret_key", "label"};
	const CatalogTable *table = catalog_require_table(state->catalog, "sentry_projectkey");
	Fixture    *fixture = state->fixture;
	RowBatch   *updates = row_batch_create(table, lengthof(update_columns), update_columns);
	RowBatch   *inserts = row_batch_create(table, lengthof(insert_columns), insert_columns);
	ExistingKey **chosen = palloc0(Max(fixture->nprojects, 1) * sizeof(ExistingKey *));
	ExistingKey *keys;
	int			nkeys;
	KeyIndex	index;
	int			nnew = 0;
	int64	   *new_ids;
	int64	   *key_ids = palloc(Max(fixture->nprojects, 1) * sizeof(int64));
	int			nkey_ids = 0;
	int			i;

	keys = load_keys(state, table, &nkeys);
	index_keys(keys, nkeys, &index);

	/* public keys claim first, so "the first key" never steals one */
	for (i = 0; i < fixture->nprojects; i++)
	{
		if (state->projects[i].skipped)
			continue;
		chosen[i] = find_key_by_public_key(&index, fixture->projects[i].parsed.public_key);
		if (chosen[i] != NULL)
			chosen[i]->claimed = true;
	}
	for (i = 0; i < fixture->nprojects; i++)
	{
		if (state->projects[i].skipped || chosen[i] != NULL)
			continue;
		chosen[i] = find_free_key_of_project(&index, fixture->projects[i].parsed.project_id);
		if (chosen[i] != NULL)
			chosen[i]->claimed = true;
		else
			nnew++;
	}

	check_secret_keys(state, table, chosen);

	new_ids = reconcile_new_ids(state, table, nnew);
	nnew = 0;
	for (i = 0; i < fixture->nprojects; i++)
	{
		FixtureProject *fp = &fixture->projects[i];
		const Dsn  *dsn = &fp->parsed;
		char	   *secret;

		if (state->projects[i].skipped)
			continue;
		if (chosen[i] != NULL)
		{
			update_key(state, updates, fp, chosen[i]);
			key_ids[nkey_ids++] = chosen[i]->id;
			continue;
		}
		key_ids[nkey_ids++] = new_ids[nnew];
		/* a generated secret is reported as such: a plan cannot know it */
		secret = dsn->secret_key[0] != '\0' ? pstrdup(dsn->secret_key) : random_hex_key();
		row_batch_add(inserts, (const char *[]) {
			int64_text(new_ids[nnew]), int64_text(dsn->project_id), dsn->public_key,
				secret, "Default"
		});
		report_row(&state->report, REPORT_CREATE, "project_key", fp->name.value, new_ids[nnew],
				   psprintf("public_key: %s, secret_key: %s", dsn->public_key,
							dsn->secret_key[0] != '\0' ? report_secret_prefix(secret)
							: "(generated)"));
		nnew++;
	}

	row_batch_update(updates);
	reconcile_insert(state, inserts);
	reconcile_companions(state, "sentry_projectkey", key_ids, nkey_ids);
}
