/*-------------------------------------------------------------------------
 *
 * reconcile_tokens.c
 *		User auth tokens: the fixture's tokens stored as current Sentry
 *		stores the ones it issues, so a client can use them from the first
 *		boot.
 *
 * Sentry's ApiToken (src/sentry/models/apitoken.py) keeps the token, its
 * SHA-256 in hex (hashed_token, which authentication looks a token up by),
 * its last four characters, the type prefix "sntryu_" (token_type) and
 * the scopes (scope_list, and the deprecated bitfield scopes); a user auth
 * token has no refresh token and no expiry.  Each fixture token is matched
 * by name among its user's tokens (the lowest id when several share it):
 * it is updated when any of those differ, else created.  Tokens the
 * fixture does not name are left alone.  Report rows name the token and
 * its user; a token, its hash or its last characters never appear in them
 * nor in a message.  Runs after the users, who all exist by then (in a dry
 * run too, inside its subtransaction).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/evp.h>

#include "catalog/pg_type.h"
#include "utils/builtins.h"

#include "reconcile_int.h"
#include "reconcile_util.h"
#include "spiutil.h"
#include "validate.h"

/* What a fixture token is to be stored as */
typedef struct WantedToken
{
	const FixtureToken *fixture;
	int64		user_id;
	char	   *hashed;			/* SHA-256 of the token, lowercase hex */
	char	   *last_characters;
	char	   *scope_list;		/* text[] literal, sorted, without repeats */
	char	   *scope_text;		/* the scopes for the report */
	char	   *scope_bits;		/* the bitfield, as text */
	int64		existing_id;	/* 0: no token of that name */
	bool		same;			/* the existing token already matches */
} WantedToken;

/*
 * SHA-256 of text in lowercase hex, as Python's
 * hashlib.sha256(token.encode()).hexdigest().
 */
static char *
sha256_hex(const char *text)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	char	   *hex;

	if (!EVP_Digest(text, strlen(text), digest, &len, EVP_sha256(), NULL))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not compute a SHA-256 digest")));
	hex = palloc(len * 2 + 1);
	hex_encode((const char *) digest, len, hex);
	hex[len * 2] = '\0';
	return hex;
}

/* qsort: scope strings */
static int
scope_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/*
 * The scopes of a token sorted without repeats, as a text[] literal, as
 * report text and as Sentry's bitfield.
 */
static void
token_scopes(const FixtureToken *token, WantedToken *wanted)
{
	char	  **sorted = palloc(Max(token->nscopes, 1) * sizeof(char *));
	StringInfoData list;
	StringInfoData text;
	int64		bits = 0;
	int			i;

	for (i = 0; i < token->nscopes; i++)
		sorted[i] = token->scopes[i].value;
	qsort(sorted, token->nscopes, sizeof(char *), scope_cmp);
	initStringInfo(&list);
	initStringInfo(&text);
	appendStringInfoChar(&list, '{');
	for (i = 0; i < token->nscopes; i++)
	{
		if (i > 0 && strcmp(sorted[i - 1], sorted[i]) == 0)
			continue;
		appendStringInfo(&list, "%s\"%s\"", list.len > 1 ? "," : "", sorted[i]);
		appendStringInfo(&text, "%s%s", text.len > 0 ? " " : "", sorted[i]);
		bits |= INT64CONST(1) << api_scope_bit(sorted[i]);
	}
	appendStringInfoChar(&list, '}');
	wanted->scope_list = list.data;
	wanted->scope_text = text.data;
	wanted->scope_bits = int64_text(bits);
}

/*
 * Each token's user id, by email as Sentry compares them; the users step
 * has created every user of the fixture.
 */
static void
resolve_users(ReconcileState *state, WantedToken *wanted, int n)
{
	const CatalogTable *users = catalog_require_table(state->catalog, "auth_user");
	char	  **emails = palloc(Max(n, 1) * sizeof(char *));
	Oid			argtypes[1] = {TEXTARRAYOID};
	Datum		args[1];
	uint64		nrows;
	uint64		row;
	int			i;

	for (i = 0; i < n; i++)
		emails[i] = wanted[i].fixture->user.value;
	args[0] = text_array_datum(emails, n);
	nrows = spi_select(psprintf("SELECT f.n, (SELECT u.id FROM %s AS u"
								" WHERE pg_catalog.upper(u.email) = pg_catalog.upper(f.email)"
								" ORDER BY u.id LIMIT 1)"
								" FROM pg_catalog.unnest($1) WITH ORDINALITY AS f(email, n)",
								users->qualified_name),
					   1, argtypes, args);
	for (row = 0; row < nrows; row++)
		wanted[spi_get_int64(row, 1) - 1].user_id = spi_get_int64(row, 2);
}

/*
 * The token of each user with each name, and whether it already matches.
 */
static void
find_existing(const CatalogTable *table, WantedToken *wanted, int n)
{
	int64	   *user_ids = palloc(Max(n, 1) * sizeof(int64));
	char	  **names = palloc(Max(n, 1) * sizeof(char *));
	Oid			argtypes[2] = {INT8ARRAYOID, TEXTARRAYOID};
	Datum		args[2];
	uint64		nrows;
	uint64		row;
	int			i;

	for (i = 0; i < n; i++)
	{
		user_ids[i] = wanted[i].user_id;
		names[i] = wanted[i].fixture->name.value;
	}
	args[0] = int8_array_datum(user_ids, n);
	args[1] = text_array_datum(names, n);
	nrows = spi_select(psprintf("SELECT DISTINCT ON (f.n) f.n, t.id, t.hashed_token, t.token_last_characters,"
								" t.token_type, pg_catalog.array_to_string(t.scope_list, ' '), t.scopes::text,"
								" t.expires_at IS NULL AND t.refresh_token IS NULL"
								" FROM unnest($1::pg_catalog.int8[], $2::pg_catalog.text[]) WITH ORDINALITY"
								" AS f(user_id, name, n)"
								" JOIN %s AS t ON t.user_id = f.user_id AND t.name = f.name"
								" ORDER BY f.n, t.id", table->qualified_name),
					   2, argtypes, args);
	for (row = 0; row < nrows; row++)
	{
		WantedToken *w = &wanted[spi_get_int64(row, 1) - 1];
		char	   *hashed = spi_get_text(row, 3);
		char	   *last = spi_get_text(row, 4);
		char	   *type = spi_get_text(row, 5);
		char	   *scopes = spi_get_text(row, 6);
		char	   *bits = spi_get_text(row, 7);

		w->existing_id = spi_get_int64(row, 2);
		w->same = hashed != NULL && strcmp(hashed, w->hashed) == 0 &&
			last != NULL && strcmp(last, w->last_characters) == 0 &&
			type != NULL && strcmp(type, SENTRY_USER_TOKEN_PREFIX) == 0 &&
			scopes != NULL && strcmp(scopes, w->scope_text) == 0 &&
			bits != NULL && strcmp(bits, w->scope_bits) == 0 &&
			spi_get_bool(row, 8);
	}
}

/*
 * Refuse a fixture token that another token row holds: the unique indexes
 * would refuse it too, but their message shows the token.
 */
static void
check_token_owners(const CatalogTable *table, WantedToken *wanted, int n)
{
	char	  **hashes = palloc(Max(n, 1) * sizeof(char *));
	char	  **tokens = palloc(Max(n, 1) * sizeof(char *));
	int64	   *ids = palloc(Max(n, 1) * sizeof(int64));
	Oid			argtypes[3] = {TEXTARRAYOID, TEXTARRAYOID, INT8ARRAYOID};
	Datum		args[3];
	uint64		nrows;
	int			i;

	for (i = 0; i < n; i++)
	{
		hashes[i] = wanted[i].hashed;
		tokens[i] = wanted[i].fixture->token.value;
		ids[i] = wanted[i].existing_id;
	}
	args[0] = text_array_datum(hashes, n);
	args[1] = text_array_datum(tokens, n);
	args[2] = int8_array_datum(ids, n);
	nrows = spi_select(psprintf("SELECT f.n, t.id, t.user_id FROM unnest($1::pg_catalog.text[],"
								" $2::pg_catalog.text[], $3::pg_catalog.int8[]) WITH ORDINALITY"
								" AS f(hashed, token, id, n)"
								" JOIN %s AS t ON (t.hashed_token = f.hashed OR t.token = f.token)"
								" AND t.id <> f.id ORDER BY f.n LIMIT 1", table->qualified_name),
					   3, argtypes, args);
	if (nrows > 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("token \"%s\" is already held by API token %lld of user %lld",
						wanted[spi_get_int64(0, 1) - 1].fixture->name.value,
						(long long) spi_get_int64(0, 2), (long long) spi_get_int64(0, 3)),
				 errdetail("Each token needs a value of its own.")));
}

/*
 * The fixture's tokens.
 */
void
reconcile_tokens(ReconcileState *state)
{
	static const char *const columns[] = {"id", "user_id", "name", "token", "hashed_token",
		"token_type", "token_last_characters", "scope_list", "scopes", "expires_at",
	"refresh_token"};
	Fixture    *fixture = state->fixture;
	const CatalogTable *table;
	RowBatch   *updates;
	RowBatch   *inserts;
	WantedToken *wanted;
	int64	   *new_ids;
	int			nnew = 0;
	int			i;

	if (fixture->ntokens == 0)
		return;
	table = catalog_require_table(state->catalog, "sentry_apitoken");
	if (catalog_find_column(table, "hashed_token") == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("this Sentry stores no hashed API tokens"),
				 errdetail("Table \"%s\" has no column \"hashed_token\": tokens need a Sentry that issues \"%s\" tokens.",
						   table->name, SENTRY_USER_TOKEN_PREFIX)));

	updates = row_batch_create(table, lengthof(columns), columns);
	inserts = row_batch_create(table, lengthof(columns), columns);
	wanted = palloc0(fixture->ntokens * sizeof(WantedToken));

	for (i = 0; i < fixture->ntokens; i++)
	{
		const char *token = fixture->tokens[i].token.value;

		wanted[i].fixture = &fixture->tokens[i];
		wanted[i].hashed = sha256_hex(token);
		wanted[i].last_characters = pstrdup(token + strlen(token) - 4);
		token_scopes(&fixture->tokens[i], &wanted[i]);
	}
	resolve_users(state, wanted, fixture->ntokens);
	find_existing(table, wanted, fixture->ntokens);
	check_token_owners(table, wanted, fixture->ntokens);

	for (i = 0; i < fixture->ntokens; i++)
		nnew += wanted[i].existing_id == 0;
	new_ids = reconcile_new_ids(state, table, nnew);
	nnew = 0;
	for (i = 0; i < fixture->ntokens; i++)
	{
		WantedToken *w = &wanted[i];
		const char *detail = psprintf("user: %s, scopes: %s", w->fixture->user.value, w->scope_text);
		int64		id = w->existing_id ? w->existing_id : new_ids[nnew++];

		if (w->same)
		{
			report_unchanged(&state->report);
			continue;
		}
		row_batch_add(w->existing_id ? updates : inserts, (const char *[]) {
			int64_text(id), int64_text(w->user_id), w->fixture->name.value,
				w->fixture->token.value, w->hashed, SENTRY_USER_TOKEN_PREFIX,
				w->last_characters, w->scope_list, w->scope_bits, NULL, NULL
		});
		report_row(&state->report, w->existing_id ? REPORT_UPDATE : REPORT_CREATE, "api_token",
				   w->fixture->name.value, id,
				   w->existing_id ? psprintf("%s; token or scopes changed", detail) : detail);
	}
	row_batch_update(updates);
	reconcile_insert(state, inserts);
}
