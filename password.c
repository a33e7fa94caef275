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
 * makes them) from pg_strong_random.  Passwords and digests are wiped
 * from memory once used, and never go into a message.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"

#include "password.h"

#define PBKDF2_ALGORITHM "pbkdf2_sha256"
#define PBKDF2_DIGEST_BYTES 32
/* base64 of 32 bytes: 43 characters and one '=' */
#define PBKDF2_DIGEST_B64_LEN 44
#define SALT_CHARS 22

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

/*
 * PBKDF2-HMAC-SHA256(password, salt, iterations) into digest.  The
 * password is hashed as UTF-8, whatever the server encoding, so that
 * Django computes the same digest.
 */
static void
pbkdf2_digest(const char *password, const char *salt, int iterations,
			  unsigned char digest[PBKDF2_DIGEST_BYTES])
{
	int			password_len = strlen(password);
	char	   *utf8_password = pg_server_to_any(password, password_len, PG_UTF8);
	int			ok;

	if (utf8_password != password)
		password_len = strlen(utf8_password);
	ok = PKCS5_PBKDF2_HMAC(utf8_password, password_len,
						   (const unsigned char *) salt, strlen(salt),
						   iterations, EVP_sha256(),
						   PBKDF2_DIGEST_BYTES, digest);
	if (utf8_password != password)
	{
		explicit_bzero(utf8_password, password_len);
		pfree(utf8_password);
	}
	if (ok != 1)
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

	if (iterations <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("password hash iterations must be positive"),
				 errdetail("The iteration count given was %d.", iterations)));

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
 * leading zero, from 1 to INT_MAX.  Returns 0 for anything else.
 */
static int
parse_iterations(const char *text)
{
	int64		value = 0;

	if (text[0] < '1' || text[0] > '9')
		return 0;
	for (const char *p = text; *p != '\0'; p++)
	{
		if (*p < '0' || *p > '9')
			return 0;
		value = value * 10 + (*p - '0');
		if (value > INT_MAX)
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
 * Split encoded into its parts.  False when it is not a well-formed
 * pbkdf2_sha256 hash: wrong algorithm, iterations not a positive integer,
 * an empty salt, or a digest that is not base64 of 32 bytes.  A salt
 * cannot hold '$': it would add a part.
 */
static bool
parse_hash(const char *encoded, ParsedHash *parsed)
{
	char	   *copy = pstrdup(encoded);
	char	   *parts[4];
	char	   *rest = copy;

	for (int i = 0; i < 3; i++)
	{
		char	   *dollar = strchr(rest, '$');

		if (dollar == NULL)
			return false;
		*dollar = '\0';
		parts[i] = rest;
		rest = dollar + 1;
	}
	parts[3] = rest;

	if (strcmp(parts[0], PBKDF2_ALGORITHM) != 0 ||
		strchr(parts[3], '$') != NULL || parts[2][0] == '\0')
		return false;
	parsed->iterations = parse_iterations(parts[1]);
	parsed->salt = parts[2];
	return parsed->iterations > 0 && decode_digest(parts[3], parsed->digest);
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
