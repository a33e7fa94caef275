/*-------------------------------------------------------------------------
 *
 * pg_shim.c
 *		The smallest stand-in for PostgreSQL's memory, error and list calls
 *		that the fixture and DSN parsers need, so that a libFuzzer harness
 *		can run them outside the server.
 *
 * Every allocation is malloc'd with a header that links it into one list,
 * freed at once by shim_reset() after each input, as a memory context
 * reset would.  ereport(ERROR) and PG_RE_THROW() jump to the innermost
 * PG_exception_stack, which the harness sets around each call.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <stdarg.h>

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "utils/memutils.h"

#include "pg_shim.h"

/* An allocation: its header, then the caller's bytes */
typedef struct ShimChunk
{
	struct ShimChunk *prev;
	struct ShimChunk *next;
	size_t		size;
	max_align_t data[FLEXIBLE_ARRAY_MEMBER];
} ShimChunk;

static ShimChunk *chunks;
static int	error_level;

sigjmp_buf *PG_exception_stack = NULL;
ErrorContextCallback *error_context_stack = NULL;

/* Refuse what palloc() refuses, then allocate and link the chunk */
static void *
shim_alloc(size_t size, bool zero)
{
	ShimChunk  *chunk;

	if (!AllocSizeIsValid(size))
		elog(ERROR, "invalid memory alloc request size %zu", size);
	chunk = zero ? calloc(1, offsetof(ShimChunk, data) + size)
		: malloc(offsetof(ShimChunk, data) + size);
	if (chunk == NULL)
		abort();
	chunk->size = size;
	chunk->prev = NULL;
	chunk->next = chunks;
	if (chunks)
		chunks->prev = chunk;
	chunks = chunk;
	return chunk->data;
}

/* Unlink a chunk from the list */
static ShimChunk *
shim_unlink(void *pointer)
{
	ShimChunk  *chunk = (ShimChunk *) ((char *) pointer - offsetof(ShimChunk, data));

	if (chunk->prev)
		chunk->prev->next = chunk->next;
	else
		chunks = chunk->next;
	if (chunk->next)
		chunk->next->prev = chunk->prev;
	return chunk;
}

/* Free everything allocated since the last reset */
void
shim_reset(void)
{
	while (chunks)
	{
		ShimChunk  *next = chunks->next;

		free(chunks);
		chunks = next;
	}
}

void *
palloc(Size size)
{
	return shim_alloc(size, false);
}

void *
palloc0(Size size)
{
	return shim_alloc(size, true);
}

void *
repalloc(void *pointer, Size size)
{
	ShimChunk  *old = shim_unlink(pointer);
	void	   *copy = shim_alloc(size, false);

	memcpy(copy, old->data, Min(old->size, size));
	free(old);
	return copy;
}

void
pfree(void *pointer)
{
	free(shim_unlink(pointer));
}

char *
pstrdup(const char *in)
{
	return pnstrdup(in, strlen(in));
}

char *
pnstrdup(const char *in, Size len)
{
	char	   *out;

	len = strnlen(in, len);
	out = palloc(len + 1);
	memcpy(out, in, len);
	out[len] = '\0';
	return out;
}

char *
psprintf(const char *fmt,...)
{
	va_list		args;
	int			len;
	char	   *out;

	va_start(args, fmt);
	len = vsnprintf(NULL, 0, fmt, args);
	va_end(args);
	out = palloc(len + 1);
	va_start(args, fmt);
	vsnprintf(out, len + 1, fmt, args);
	va_end(args);
	return out;
}

int
pg_strcasecmp(const char *s1, const char *s2)
{
	return strcasecmp(s1, s2);
}

void
initStringInfo(StringInfo str)
{
	str->maxlen = 1024;
	str->data = palloc(str->maxlen);
	str->len = 0;
	str->data[0] = '\0';
	str->cursor = 0;
}

void
enlargeStringInfo(StringInfo str, int needed)
{
	int			newlen = str->maxlen;

	if (needed < 0 || (Size) needed >= MaxAllocSize - (Size) str->len)
		elog(ERROR, "string buffer too large");
	needed += str->len + 1;
	while (needed > newlen)
		newlen *= 2;
	if (newlen > str->maxlen)
	{
		str->data = repalloc(str->data, newlen);
		str->maxlen = newlen;
	}
}

/* As PostgreSQL's: 0 when it fitted, else the space it needs */
int
appendStringInfoVA(StringInfo str, const char *fmt, va_list args)
{
	int			avail = str->maxlen - str->len;
	int			n = vsnprintf(str->data + str->len, avail, fmt, args);

	if (n < avail)
	{
		str->len += n;
		return 0;
	}
	str->data[str->len] = '\0';
	return n + 1;
}

void
appendStringInfo(StringInfo str, const char *fmt,...)
{
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(str, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(str, needed);
	}
}

List *
lappend(List *list, void *datum)
{
	if (list == NIL)
	{
		list = palloc(offsetof(List, initial_elements));
		list->type = T_List;
		list->length = 0;
		list->max_length = 4;
		list->elements = palloc(list->max_length * sizeof(ListCell));
	}
	if (list->length == list->max_length)
	{
		list->max_length *= 2;
		list->elements = repalloc(list->elements, list->max_length * sizeof(ListCell));
	}
	list->elements[list->length++].ptr_value = datum;
	return list;
}

bool
errstart_cold(int elevel, const char *domain)
{
	error_level = elevel;
	return true;
}

bool
errstart(int elevel, const char *domain)
{
	return errstart_cold(elevel, domain);
}

int
errcode(int sqlerrcode)
{
	return 0;
}

/*
 * Format a message, so that its arguments are read as the server would
 * read them, and drop it: errmsg() and its kin all come here.
 */
static void
format_and_drop(const char *fmt, va_list args)
{
	char		buf[256];

	vsnprintf(buf, sizeof(buf), fmt, args);
}

int
errmsg(const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	format_and_drop(fmt, args);
	va_end(args);
	return 0;
}

int
errdetail(const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	format_and_drop(fmt, args);
	va_end(args);
	return 0;
}

int
errhint(const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	format_and_drop(fmt, args);
	va_end(args);
	return 0;
}

int
errmsg_internal(const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	format_and_drop(fmt, args);
	va_end(args);
	return 0;
}

void
errfinish(const char *filename, int lineno, const char *funcname)
{
	if (error_level >= ERROR)
		pg_re_throw();
}

void
pg_re_throw(void)
{
	if (PG_exception_stack == NULL)
		abort();
	siglongjmp(*PG_exception_stack, 1);
}

/*
 * CHECK_FOR_INTERRUPTS() of password.c's sliced PBKDF2: outside a server
 * no interrupt is ever pending.
 */
volatile sig_atomic_t InterruptPending = false;

void
ProcessInterrupts(void)
{
}
