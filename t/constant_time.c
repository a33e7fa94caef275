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
 * password.c is included, not linked, to reach its static functions.  The
 * first check is a control: memcmp(), which stops at the first difference,
 * must be caught, or the method would prove nothing.  Each check prints
 * "ok - ..." or "not ok - ..."; the exit status is 1 when one failed.
 *
 *-------------------------------------------------------------------------
 */
#include "../password.c"

#include <stdio.h>

#include <valgrind/memcheck.h>

#include "pg_shim.h"

static int	failures = 0;

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

/* digests_match() over secret digests, equal or differing anywhere */
static void
check_digests_match(void)
{
	const int	differ_at[] = {-1, 0, PBKDF2_DIGEST_BYTES / 2, PBKDF2_DIGEST_BYTES - 1};

	for (int i = 0; i < (int) lengthof(differ_at); i++)
	{
		unsigned char a[PBKDF2_DIGEST_BYTES];
		unsigned char b[PBKDF2_DIGEST_BYTES];
		unsigned	errors = VALGRIND_COUNT_ERRORS;
		bool		match;
		char		what[128];

		make_digests(a, b, differ_at[i]);
		VALGRIND_MAKE_MEM_UNDEFINED(a, sizeof(a));
		VALGRIND_MAKE_MEM_UNDEFINED(b, sizeof(b));
		match = digests_match(a, b);
		VALGRIND_MAKE_MEM_DEFINED(&match, sizeof(match));
		snprintf(what, sizeof(what),
				 "digests_match(), digests differing at byte %d: constant time, %s",
				 differ_at[i], differ_at[i] < 0 ? "equal" : "different");
		report(memcheck_was(true, errors) && match == (differ_at[i] < 0), what);
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
		verifies = parsed_hash_verifies(passwords[i], &parsed);
		VALGRIND_MAKE_MEM_DEFINED(&verifies, sizeof(verifies));
		snprintf(what, sizeof(what),
				 "password verification against a secret digest: constant time, %s",
				 i == 0 ? "right password accepted" : "wrong password refused");
		report(memcheck_was(true, errors) && verifies == (i == 0), what);
	}
}

/*
 * parsed_hashes_equal() with both digests secret: the same hash, and
 * hashes that differ only in the digest.
 */
static void
check_hashes_equal(void)
{
	char	   *encoded = password_hash("correct horse", 1000);
	char	   *other = pstrdup(encoded);

	/* the digest's first character, changed within base64's alphabet */
	char	   *digest = strrchr(other, '$') + 1;

	digest[0] = digest[0] == 'A' ? 'B' : 'A';
	for (int i = 0; i < 2; i++)
	{
		ParsedHash	a;
		ParsedHash	b;
		unsigned	errors;
		bool		equal;

		if (!parse_hash(encoded, &a) || !parse_hash(i == 0 ? encoded : other, &b))
			elog(ERROR, "a hash made for the check does not parse");
		errors = VALGRIND_COUNT_ERRORS;
		VALGRIND_MAKE_MEM_UNDEFINED(a.digest, sizeof(a.digest));
		VALGRIND_MAKE_MEM_UNDEFINED(b.digest, sizeof(b.digest));
		equal = parsed_hashes_equal(&a, &b);
		VALGRIND_MAKE_MEM_DEFINED(&equal, sizeof(equal));
		report(memcheck_was(true, errors) && equal == (i == 0),
			   i == 0 ? "hash comparison with secret digests: constant time, same hash"
			   : "hash comparison with secret digests: constant time, other digest");
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
	check_digests_match();
	check_verify();
	check_hashes_equal();
	shim_reset();
	return failures == 0 ? 0 : 1;
}
