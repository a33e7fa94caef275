/*-------------------------------------------------------------------------
 *
 * fuzz_parsers.c
 *		libFuzzer harness: every input goes through fixture_parse(),
 *		dsn_parse() and url_prefix_parse(), outside the server.
 *
 * A clean ERROR is a valid outcome (the harness catches it as the server
 * would end the statement); crashes, sanitizer reports, leaks across
 * inputs and hangs are findings.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "dsn.h"
#include "fixture.h"
#include "pg_shim.h"

/* Run one parser on text; an ERROR ends it as it would end a statement */
static void
run_catching(void (*parse) (const char *), const char *text)
{
	sigjmp_buf	jump;

	if (sigsetjmp(jump, 0) == 0)
	{
		PG_exception_stack = &jump;
		parse(text);
	}
	PG_exception_stack = NULL;
}

static void
parse_fixture(const char *text)
{
	(void) fixture_parse(text, strlen(text));
}

static void
parse_dsn(const char *text)
{
	Dsn			dsn;
	UrlPrefix	prefix;

	if (dsn_parse(text, &dsn) == NULL && url_prefix_parse("https://sentry.example.com", &prefix) == NULL)
		(void) dsn_check_url_prefix(&dsn, &prefix);
	(void) url_prefix_parse(text, &prefix);
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *text = malloc(size + 1);

	/* the server hands the parsers a NUL-terminated text datum */
	memcpy(text, data, size);
	text[size] = '\0';
	run_catching(parse_fixture, text);
	run_catching(parse_dsn, text);
	shim_reset();
	free(text);
	return 0;
}
