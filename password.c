/*-------------------------------------------------------------------------
 *
 * password.c
 *		Django's pbkdf2_sha256 password hashes, made and checked with OpenSSL.
 *
 * Sentry stores auth_user.password the way Django's PBKDF2PasswordHasher
 * does:
 *
 *		pbkdf2_sha256$<iterations>$<salt>$<base64 of the 32-byte digest>
 *
 * where the digest is PBKDF2-HMAC-SHA256 of the UTF-8 password with the
 * salt.  New salts are 22 characters of [A-Za-z0-9] (128 bits, as Django
 * makes them) from pg_strong_random.  The validator's check of a
 * fixture's hash is the same parser as the one that reads a stored hash.
 * Iteration counts of a derivation are bounded by PASSWORD_MAX_ITERATIONS,
 * and a derivation can be interrupted.  Passwords and digests are wiped
 * from memory once used, and never go into a message.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#include <openssl/core_names.h>
#endif

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"

#include "password.h"

#define PBKDF2_ALGORITHM "pbkdf2_sha256"
#define PBKDF2_DIGEST_BYTES 32
/* base64 of 32 bytes: 43 characters and one '=' */
#define PBKDF2_DIGEST_B64_LEN 44
#define SALT_CHARS 22
/* Iterations between two looks at pending interrupts: milliseconds each */
#define PBKDF2_SLICE_ITERATIONS 4096

static const char salt_alphabet[] =
"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/* The parts of an encoded hash; salt points into a copy */
typedef struct ParsedHash
{
	int			iterations;
	char	   *salt;
	unsigned char digest[PBKDF2_DIGEST_BYTES];
} ParsedHash;

/*
 * A new salt: SALT_CHARS characters drawn uniformly from salt_alphabet.
 * Bytes at or above the largest multiple of the alphabet size are thrown
 * away, so that no character is more likely than another.
 */
static char *
make_salt(void)
{
	const int	alphabet_len = sizeof(salt_alphabet) - 1;
	const int	limit = 256 - 256 % alphabet_len;
	char	   *salt = palloc(SALT_CHARS + 1);
	int			filled = 0;

	while (filled < SALT_CHARS)
	{
		unsigned char random_bytes[SALT_CHARS * 2];

		if (!pg_strong_random(random_bytes, sizeof(random_bytes)))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate a random password salt")));
		for (int i = 0; i < (int) sizeof(random_bytes) && filled < SALT_CHARS; i++)
		{
			if (random_bytes[i] < limit)
				salt[filled++] = salt_alphabet[random_bytes[i] % alphabet_len];
		}
		explicit_bzero(random_bytes, sizeof(random_bytes));
	}
	salt[SALT_CHARS] = '\0';
	return salt;
}

/* Refuse an iteration count outside 1..PASSWORD_MAX_ITERATIONS */
static void
check_iterations(int iterations)
{
	if (iterations <= 0 || iterations > PASSWORD_MAX_ITERATIONS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("password hash iterations must be between 1 and %d",
						PASSWORD_MAX_ITERATIONS),
				 errdetail("The iteration count given was %d.", iterations)));
}

/*
 * HMAC-SHA256 keyed once with the password, run many times: OpenSSL 3's
 * EVP_MAC, or HMAC_CTX before it (deprecated in 3, and the only way in
 * 1.1, which PostgreSQL 13's Debian release ships).  The state is
 * OpenSSL's malloc'd memory, freed with hmac_free().
 */
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
typedef EVP_MAC_CTX HmacState;

/* A context keyed with the password, or NULL */
static HmacState *
hmac_new(const char *password, size_t password_len)
{
	EVP_MAC    *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM	params[2];

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	EVP_MAC_free(mac);			/* the context holds its own reference */
	if (ctx != NULL &&
		EVP_MAC_init(ctx, (const unsigned char *) password, password_len, params) != 1)
	{
		EVP_MAC_CTX_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

/* out = HMAC(password, first || second); false on failure */
static bool
hmac(HmacState *ctx, const unsigned char *first, size_t first_len,
	 const unsigned char *second, size_t second_len,
	 unsigned char out[PBKDF2_DIGEST_BYTES])
{
	size_t		out_len;

	return EVP_MAC_init(ctx, NULL, 0, NULL) == 1 &&
		EVP_MAC_update(ctx, first, first_len) == 1 &&
		(second_len == 0 || EVP_MAC_update(ctx, second, second_len) == 1) &&
		EVP_MAC_final(ctx, out, &out_len, PBKDF2_DIGEST_BYTES) == 1 &&
		out_len == PBKDF2_DIGEST_BYTES;
}

#define hmac_free(ctx) EVP_MAC_CTX_free(ctx)
#else
typedef HMAC_CTX HmacState;

/* A context keyed with the password, or NULL */
static HmacState *
hmac_new(const char *password, size_t password_len)
{
	HMAC_CTX   *ctx = HMAC_CTX_new();

	if (ctx != NULL &&
		HMAC_Init_ex(ctx, password, (int) password_len, EVP_sha256(), NULL) != 1)
	{
		HMAC_CTX_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

/* out = HMAC(password, first || second); false on failure */
static bool
hmac(HmacState *ctx, const unsigned char *first, size_t first_len,
	 const unsigned char *second, size_t second_len,
	 unsigned char out[PBKDF2_DIGEST_BYTES])
{
	unsigned int out_len;

	/* a NULL key and digest keep the key of hmac_new() */
	return HMAC_Init_ex(ctx, NULL, 0, NULL, NULL) == 1 &&
		HMAC_Update(ctx, first, first_len) == 1 &&
		(second_len == 0 || HMAC_Update(ctx, second, second_len) == 1) &&
		HMAC_Final(ctx, out, &out_len) == 1 &&
		out_len == PBKDF2_DIGEST_BYTES;
}

#define hmac_free(ctx) HMAC_CTX_free(ctx)
#endif

/*
 * PBKDF2-HMAC-SHA256(password, salt, iterations) into digest, as RFC 8018
 * defines it for one block (a 32-byte key is one SHA-256 block):
 * U1 = HMAC(P, S || INT(1)), Ui = HMAC(P, Ui-1), digest = U1 ^ ... ^ Uc.
 *
 * It is computed here rather than by PKCS5_PBKDF2_HMAC, which cannot be
 * stopped, so that statement_timeout, a cancel or a terminate stops a long
 * one: every PBKDF2_SLICE_ITERATIONS iterations, pending interrupts are
 * served.  OpenSSL's state is freed before an interrupt can raise an error
 * (and made again if none does), so no error leaves it behind.
 */
static bool
pbkdf2_compute(const char *password, size_t password_len, const char *salt,
			   int iterations, unsigned char digest[PBKDF2_DIGEST_BYTES])
{
	static const unsigned char first_block[4] = {0, 0, 0, 1};
	HmacState  *ctx = hmac_new(password, password_len);
	unsigned char u[PBKDF2_DIGEST_BYTES];
	bool		ok;

	ok = ctx != NULL &&
		hmac(ctx, (const unsigned char *) salt, strlen(salt), first_block,
			 sizeof(first_block), u);
	memcpy(digest, u, PBKDF2_DIGEST_BYTES);
	for (int i = 1; ok && i < iterations; i++)
	{
		if (i % PBKDF2_SLICE_ITERATIONS == 0 && INTERRUPTS_PENDING_CONDITION())
		{
			hmac_free(ctx);
			CHECK_FOR_INTERRUPTS();
			if ((ctx = hmac_new(password, password_len)) == NULL)
				break;
		}
		ok = hmac(ctx, u, sizeof(u), NULL, 0, u);
		for (int b = 0; b < PBKDF2_DIGEST_BYTES; b++)
			digest[b] ^= u[b];
	}
	hmac_free(ctx);
	explicit_bzero(u, sizeof(u));
	return ok && ctx != NULL;
}

/*
 * PBKDF2-HMAC-SHA256 of password into digest.  The password is hashed as
 * UTF-8, whatever the server encoding, so that Django computes the same
 * digest.
 */
static void
pbkdf2_digest(const char *password, const char *salt, int iterations,
			  unsigned char digest[PBKDF2_DIGEST_BYTES])
{
	int			password_len = strlen(password);
	char	   *utf8_password = pg_server_to_any(password, password_len, PG_UTF8);
	bool		ok;

	if (utf8_password != password)
		password_len = strlen(utf8_password);
	ok = pbkdf2_compute(utf8_password, password_len, salt, iterations, digest);
	if (utf8_password != password)
	{
		explicit_bzero(utf8_password, password_len);
		pfree(utf8_password);
	}
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not compute a PBKDF2 password hash")));
}

/*
 * Are the len bytes at a and b the same?  The time this takes does not
 * depend on their contents: CRYPTO_memcmp reads every byte whatever it
 * finds, so timing a comparison tells nothing of how much of a secret was
 * guessed right.
 */
static bool
secrets_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

/*
 * Make a Django pbkdf2_sha256 hash of password with a new random salt.
 */
char *
password_hash(const char *password, int iterations)
{
	char	   *salt;
	unsigned char digest[PBKDF2_DIGEST_BYTES];
	char		digest_b64[PBKDF2_DIGEST_B64_LEN + 1];
	StringInfoData encoded;

	check_iterations(iterations);
	salt = make_salt();
	pbkdf2_digest(password, salt, iterations, digest);
	EVP_EncodeBlock((unsigned char *) digest_b64, digest, PBKDF2_DIGEST_BYTES);

	initStringInfo(&encoded);
	appendStringInfo(&encoded, "%s$%d$%s$%s",
					 PBKDF2_ALGORITHM, iterations, salt, digest_b64);
	pfree(salt);
	explicit_bzero(digest, sizeof(digest));
	explicit_bzero(digest_b64, sizeof(digest_b64));
	return encoded.data;
}

/*
 * An iteration count as Django writes it: decimal digits without sign or
 * leading zero, from 1 to max.  Returns 0 for anything else.
 */
static int
parse_iterations(const char *text, int max)
{
	int64		value = 0;

	if (text[0] < '1' || text[0] > '9')
		return 0;
	for (const char *p = text; *p != '\0'; p++)
	{
		if (*p < '0' || *p > '9')
			return 0;
		value = value * 10 + (*p - '0');
		if (value > max)
			return 0;
	}
	return (int) value;
}

/*
 * Decode digest_b64 into digest.  False unless it is the canonical base64
 * of exactly PBKDF2_DIGEST_BYTES bytes: the right length, and bytes whose
 * encoding gives it back unchanged.  Django compares encoded digests, so
 * a hash in any other spelling verifies no password there, nor here.
 */
static bool
decode_digest(const char *digest_b64, unsigned char digest[PBKDF2_DIGEST_BYTES])
{
	unsigned char decoded[PBKDF2_DIGEST_BYTES + 3];
	char		reencoded[PBKDF2_DIGEST_B64_LEN + 1];
	bool		valid;

	if (strlen(digest_b64) != PBKDF2_DIGEST_B64_LEN)
		return false;
	/* EVP_DecodeBlock counts the padding as decoded zero bytes */
	if (EVP_DecodeBlock(decoded, (const unsigned char *) digest_b64,
						PBKDF2_DIGEST_B64_LEN) != PBKDF2_DIGEST_BYTES + 1)
		return false;
	EVP_EncodeBlock((unsigned char *) reencoded, decoded, PBKDF2_DIGEST_BYTES);
	valid = CRYPTO_memcmp(reencoded, digest_b64, PBKDF2_DIGEST_B64_LEN) == 0;
	memcpy(digest, decoded, PBKDF2_DIGEST_BYTES);
	explicit_bzero(decoded, sizeof(decoded));
	explicit_bzero(reencoded, sizeof(reencoded));
	return valid;
}

/*
 * Split encoded into its four '$'-separated parts, in a copy; NULL parts
 * where it has fewer.  A salt cannot hold '$': it would add a part, which
 * stays in the digest.
 */
static void
split_hash(const char *encoded, char *parts[4])
{
	char	   *rest = pstrdup(encoded);

	for (int i = 0; i < 4; i++)
	{
		char	   *dollar = rest != NULL && i < 3 ? strchr(rest, '$') : NULL;

		parts[i] = rest;
		if (dollar != NULL)
			*dollar = '\0';
		rest = dollar != NULL ? dollar + 1 : NULL;
	}
}

/*
 * Why encoded is not a well-formed pbkdf2_sha256 hash, or NULL when it is
 * one: the algorithm, iterations a positive integer (of at most max), a
 * salt that is not empty and the canonical base64 of a 32-byte digest
 * (Django compares encoded hashes, so any other spelling verifies no
 * password).  parsed gets the parts read.
 */
static const char *
hash_problem(const char *encoded, int max, ParsedHash *parsed)
{
	char	   *parts[4];

	split_hash(encoded, parts);
	if (strcmp(parts[0], PBKDF2_ALGORITHM) != 0 || parts[1] == NULL)
		return "it must start with \"" PBKDF2_ALGORITHM "$\"";
	parsed->iterations = parts[2] != NULL ? parse_iterations(parts[1], max) : 0;
	if (parsed->iterations == 0)
		return "iterations must be a positive integer";
	if (parts[3] == NULL)
		return "hash is missing";
	if (parts[2][0] == '\0')
		return "salt must not be empty";
	parsed->salt = parts[2];
	if (strchr(parts[3], '$') != NULL || !decode_digest(parts[3], parsed->digest))
		return "hash must be base64 of 32 bytes, as Django writes it";
	return NULL;
}

/*
 * password_hash_problem: see password.h.  A fixture may give any count of
 * iterations a Django hash can have.
 */
const char *
password_hash_problem(const char *encoded)
{
	ParsedHash	parsed;
	const char *problem = hash_problem(encoded, PG_INT32_MAX, &parsed);

	explicit_bzero(parsed.digest, sizeof(parsed.digest));
	return problem;
}

/*
 * Split a stored hash into its parts.  False when it is not well-formed,
 * or has more than PASSWORD_MAX_ITERATIONS: such a hash is never verified
 * (that would take minutes of CPU on each apply), it is replaced.
 */
static bool
parse_hash(const char *encoded, ParsedHash *parsed)
{
	return hash_problem(encoded, PASSWORD_MAX_ITERATIONS, parsed) == NULL;
}

/*
 * Does the parsed hash verify against password?  The digests are compared
 * in constant time.
 */
static bool
parsed_hash_verifies(const char *password, const ParsedHash *parsed)
{
	unsigned char digest[PBKDF2_DIGEST_BYTES];
	bool		matches;

	pbkdf2_digest(password, parsed->salt, parsed->iterations, digest);
	matches = secrets_equal(digest, parsed->digest, PBKDF2_DIGEST_BYTES);
	explicit_bzero(digest, sizeof(digest));
	return matches;
}

/*
 * Does encoded verify against password?  A malformed hash never does.
 */
bool
password_verify(const char *password, const char *encoded)
{
	ParsedHash	parsed;
	bool		matches;

	if (!parse_hash(encoded, &parsed))
		return false;
	matches = parsed_hash_verifies(password, &parsed);
	explicit_bzero(parsed.digest, sizeof(parsed.digest));
	return matches;
}

/*
 * Are two encoded hashes the same text?  An encoded hash is as good as a
 * password to whoever can crack it offline, so the texts are compared in
 * constant time; only their lengths, which the format fixes, are not.
 */
bool
password_hashes_equal(const char *stored, const char *wanted)
{
	size_t		len = strlen(wanted);

	return strlen(stored) == len && secrets_equal(stored, wanted, len);
}
