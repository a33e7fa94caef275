/*-------------------------------------------------------------------------
 *
 * constant_time.c
 *		Checks, under valgrind's memcheck, that password.c compares secret
 *		digests in constant time (t/064_constant_time.pl runs it).
 *
 * The method is the one of "ctgrind": memcheck reports a conditional
 * jump, or a memory address, that depends on undefined bytes.  Marking a
 * secret undefined before a call therefore makes memcheck report every
 * branch and table lookup the secret steers, which is what timing can
 * reveal; a comparison that reads every byte whatever it finds gets no
 * report.  The result of a comparison must be defined again before it is
 * looked at, since deciding on it is the point.
 *
 * password.c is included, not linked, to reach its static functions, with
 * its CRYPTO_memcmp() calls routed through comparison_seen(), which records
 * them.  The first check is a control: memcmp(), which stops at the first
 * difference, must be caught, or the method would prove nothing.  Each
 * check prints "ok - ..." or "not ok - ..."; the exit status is 1 when one
 * failed.
 *
 *-------------------------------------------------------------------------
 */
#define CRYPTO_memcmp comparison_seen
#include "../password.c"
#undef CRYPTO_memcmp

/* hidden by the #define while <openssl/crypto.h> was read */
extern int	CRYPTO_memcmp(const void *in_a, const void *in_b, size_t len);

#include <stdio.h>

#include <valgrind/memcheck.h>

#include "pg_shim.h"

static int	failures = 0;

/* The calls password.c made to CRYPTO_memcmp(), and the last one's length */
static int	comparisons = 0;
static size_t compared_len = 0;

/*
 * password.c's CRYPTO_memcmp(): count the call, then compare the bytes
 * marked secret (undefined), so that memcheck sees the comparison itself
 */
int
comparison_seen(const void *a, const void *b, size_t len)
{
	int			result;

	comparisons++;
	compared_len = len;
	VALGRIND_MAKE_MEM_UNDEFINED(a, len);
	VALGRIND_MAKE_MEM_UNDEFINED(b, len);
	result = CRYPTO_memcmp(a, b, len);
	VALGRIND_MAKE_MEM_DEFINED(a, len);
	VALGRIND_MAKE_MEM_DEFINED(b, len);
	return result;
}

/* Stand-in for the server's conversion: the harness's "server" is UTF-8 */
char *
pg_server_to_any(const char *s, int len, int encoding)
{
	return unconstify(char *, s);
}

/* Print a check's outcome and count a failure */
static void
report(bool ok, const char *what)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", what);
	if (!ok)
		failures++;
}

/*
 * Did what ran since errors_before was read make memcheck report nothing
 * (quiet) or something (!quiet)?
 */
static bool
memcheck_was(bool quiet, unsigned errors_before)
{
	unsigned	errors_after = VALGRIND_COUNT_ERRORS;

	return quiet ? errors_after == errors_before : errors_after > errors_before;
}

/* Two digests equal but for byte differ_at (none when negative) */
static void
make_digests(unsigned char *a, unsigned char *b, int differ_at)
{
	for (int i = 0; i < PBKDF2_DIGEST_BYTES; i++)
		a[i] = b[i] = (unsigned char) (i * 37 + 11);
	if (differ_at >= 0)
		b[differ_at] ^= 0x5a;
}

/* The control: memcmp() over secret digests is reported */
static void
check_control(void)
{
	unsigned char a[PBKDF2_DIGEST_BYTES];
	unsigned char b[PBKDF2_DIGEST_BYTES];
	unsigned	errors = VALGRIND_COUNT_ERRORS;
	volatile int result;

	make_digests(a, b, PBKDF2_DIGEST_BYTES - 1);
	VALGRIND_MAKE_MEM_UNDEFINED(a, sizeof(a));
	VALGRIND_MAKE_MEM_UNDEFINED(b, sizeof(b));
	result = memcmp(a, b, sizeof(a));
	VALGRIND_MAKE_MEM_DEFINED((void *) &result, sizeof(result));
	report(memcheck_was(false, errors) && result != 0,
		   "control: memcheck reports memcmp() over secret digests");
}

/* secrets_equal() over secret digests, equal or differing anywhere */
static void
check_secrets_equal(void)
{
	const int	differ_at[] = {-1, 0, PBKDF2_DIGEST_BYTES / 2, PBKDF2_DIGEST_BYTES - 1};

	for (int i = 0; i < (int) lengthof(differ_at); i++)
	{
		unsigned char a[PBKDF2_DIGEST_BYTES];
		unsigned char b[PBKDF2_DIGEST_BYTES];
		unsigned	errors = VALGRIND_COUNT_ERRORS;
		bool		equal;
		char		what[128];

		make_digests(a, b, differ_at[i]);
		VALGRIND_MAKE_MEM_UNDEFINED(a, sizeof(a));
		VALGRIND_MAKE_MEM_UNDEFINED(b, sizeof(b));
		equal = secrets_equal(a, b, PBKDF2_DIGEST_BYTES);
		VALGRIND_MAKE_MEM_DEFINED(&equal, sizeof(equal));
		if (differ_at[i] < 0)
			snprintf(what, sizeof(what), "secrets_equal(), equal digests: constant time, equal");
		else
			snprintf(what, sizeof(what),
					 "secrets_equal(), digests differing at byte %d: constant time, different",
					 differ_at[i]);
		report(memcheck_was(true, errors) && equal == (differ_at[i] < 0), what);
	}
}

/*
 * parsed_hash_verifies() with the stored digest secret: right and wrong
 * passwords take the same path.
 */
static void
check_verify(void)
{
	char	   *encoded = password_hash("correct horse", 1000);
	const char *passwords[] = {"correct horse", "correct horsf", "x"};

	for (int i = 0; i < (int) lengthof(passwords); i++)
	{
		ParsedHash	parsed;
		unsigned	errors;
		bool		verifies;
		char		what[128];

		if (!parse_hash(encoded, &parsed))
			elog(ERROR, "password_hash() made a hash parse_hash() refuses");
		errors = VALGRIND_COUNT_ERRORS;
		VALGRIND_MAKE_MEM_UNDEFINED(parsed.digest, sizeof(parsed.digest));
		comparisons = 0;
		verifies = parsed_hash_verifies(passwords[i], &parsed);
		VALGRIND_MAKE_MEM_DEFINED(&verifies, sizeof(verifies));
		snprintf(what, sizeof(what),
				 "password verification against a secret digest: constant time, %s",
				 i == 0 ? "right password accepted" : "wrong password refused");
		report(memcheck_was(true, errors) && verifies == (i == 0) &&
			   comparisons == 1 && compared_len == PBKDF2_DIGEST_BYTES, what);
	}
}

/*
 * password_hashes_equal() on the same hash, and on hashes that differ in
 * the first or the last character of the digest: one comparison of the
 * whole text, in constant time.
 */
static void
check_hashes_equal(void)
{
	char	   *encoded = password_hash("correct horse", 1000);
	const char *cases[] = {"same hash", "first digest character", "last digest character"};

	for (int i = 0; i < (int) lengthof(cases); i++)
	{
		char	   *other = pstrdup(encoded);
		char	   *change = i == 1 ? strrchr(other, '$') + 1 : other + strlen(other) - 2;
		unsigned	errors = VALGRIND_COUNT_ERRORS;
		bool		equal;
		char		what[128];

		/* a change within base64's alphabet, before the padding */
		if (i > 0)
			*change = *change == 'A' ? 'B' : 'A';
		comparisons = 0;
		equal = password_hashes_equal(encoded, other);
		VALGRIND_MAKE_MEM_DEFINED(&equal, sizeof(equal));
		snprintf(what, sizeof(what),
				 "hash comparison, %s: one constant-time comparison of the whole text",
				 cases[i]);
		report(memcheck_was(true, errors) && equal == (i == 0) &&
			   comparisons == 1 && compared_len == strlen(encoded), what);
	}
}

int
main(void)
{
	if (!RUNNING_ON_VALGRIND)
	{
		fprintf(stderr, "constant_time: run me under valgrind --tool=memcheck\n");
		return 2;
	}
	check_control();
	check_secrets_equal();
	check_verify();
	check_hashes_equal();
	shim_reset();
	return failures == 0 ? 0 : 1;
}
