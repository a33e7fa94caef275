/*-------------------------------------------------------------------------
 *
 * password.h
 *		Django's pbkdf2_sha256 password hashes.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_PASSWORD_H
#define SENTRY_FIXTURES_PASSWORD_H

/*
 * The most PBKDF2 iterations made or verified: 100 million, about 100 times
 * Django's own count, a minute or two of CPU.
 */
#define PASSWORD_MAX_ITERATIONS 100000000

/* pbkdf2_sha256$<iterations>$<salt>$<base64 digest>, salt from pg_strong_random */
extern char *password_hash(const char *password, int iterations);

/* Does encoded (a Django hash) verify against password?  Constant time. */
extern bool password_verify(const char *password, const char *encoded);

/* Are two hashes the same (constant time)? */
extern bool password_hashes_equal(const char *stored, const char *wanted);

/*
 * Why encoded is not a well-formed pbkdf2_sha256 hash as Django writes
 * one, or NULL when it is.  The hash is never quoted.
 */
extern const char *password_hash_problem(const char *encoded);
#endif							/* SENTRY_FIXTURES_PASSWORD_H */
