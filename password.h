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

extern bool password_hashes_equal(const char *stored, const char *wanted);

/* Is encoded a well-formed pbkdf2_sha256 hash? */
#endif							/* SENTRY_FIXTURES_PASSWORD_H */
