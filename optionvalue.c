/*-------------------------------------------------------------------------
 *
 * optionvalue.c
 *		Decode a string stored in Sentry's sentry_option.value.
 *
 * Sentry 9 stores an option's value as base64 of a Python pickle.  For a
 * string that is a handful of opcodes, which is all this reads:
 *	- optionally PROTO (0x80 <version>), and FRAME (0x95 <8 bytes>) in
 *	  protocol 4 and later;
 *	- one string: BINUNICODE 'X' (4-byte little-endian length, UTF-8),
 *	  SHORT_BINUNICODE 0x8c (1-byte length), SHORT_BINSTRING 'U' (1-byte
 *	  length) or BINSTRING 'T' (4-byte length), or in protocol 0 UNICODE
 *	  'V' (raw-unicode-escape text up to a newline) or STRING 'S' (a
 *	  quoted Python 2 literal up to a newline);
 *	- optionally a memo store: BINPUT 'q' <1 byte>, LONG_BINPUT 'r'
 *	  <4 bytes>, PUT 'p' <digits> newline, MEMOIZE 0x94;
 *	- STOP '.', and nothing after it.
 * Nothing is ever executed: any other opcode is refused.
 *
 * Later Sentry stores JSON text; the value must then be a JSON string (or
 * null, meaning unset).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/base64.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"

#include "optionvalue.h"

/* A cursor over bytes being decoded */
typedef struct ByteReader
{
	const unsigned char *p;
	const unsigned char *end;
} ByteReader;

/* Value of a hexadecimal digit, or -1 */
static int
hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Read ndigits hex digits as a code point; false when they are not there.
 */
static bool
read_hex(ByteReader *r, int ndigits, pg_wchar *code)
{
	int			i;

	if (r->end - r->p < ndigits)
		return false;
	*code = 0;
	for (i = 0; i < ndigits; i++)
	{
		int			v = hex_value(r->p[i]);

		if (v < 0)
			return false;
		*code = (*code << 4) | v;
	}
	r->p += ndigits;
	return true;
}

/* Append a code point as UTF-8; false when it is not a valid one */
static bool
append_code_point(StringInfo buf, pg_wchar code)
{
	unsigned char utf8[8];

	if (code == 0 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
		return false;
	unicode_to_utf8(code, utf8);
	appendBinaryStringInfo(buf, (char *) utf8, pg_utf_mblen(utf8));
	return true;
}

/* Read an n-byte little-endian length */
static bool
read_length(ByteReader *r, int nbytes, uint32 *length)
{
	int			i;

	if (r->end - r->p < nbytes)
		return false;
	*length = 0;
	for (i = nbytes - 1; i >= 0; i--)
		*length = (*length << 8) | r->p[i];
	r->p += nbytes;
	return true;
}

/*
 * The bytes of a counted string (BINUNICODE and friends).
 */
static const char *
read_counted(ByteReader *r, int length_bytes, StringInfo out)
{
	uint32		length;

	if (!read_length(r, length_bytes, &length) || length > (uint32) (r->end - r->p))
		return "pickle ends inside a string";
	appendBinaryStringInfo(out, (const char *) r->p, (int) length);
	r->p += length;
	return NULL;
}

/*
 * Protocol 0 UNICODE: raw-unicode-escape up to a newline.  Only \uXXXX and
 * \UXXXXXXXX are escapes; any other byte is a Latin-1 character.
 */
static const char *
read_raw_unicode_line(ByteReader *r, StringInfo out)
{
	while (r->p < r->end && *r->p != '\n')
	{
		pg_wchar	code = *r->p++;

		if (code == '\\' && r->p < r->end && (*r->p == 'u' || *r->p == 'U'))
		{
			int			ndigits = (*r->p == 'u') ? 4 : 8;

			r->p++;
			if (!read_hex(r, ndigits, &code))
				return "pickle has a malformed \\u escape";
		}
		if (!append_code_point(out, code))
			return "pickle string has an invalid character";
	}
	if (r->p == r->end)
		return "pickle ends inside a string";
	r->p++;
	return NULL;
}

/*
 * Protocol 0 STRING: a quoted Python 2 literal up to a newline, with the
 * escapes repr() writes.
 */
static const char *
read_quoted_line(ByteReader *r, StringInfo out)
{
	unsigned char quote;

	if (r->p >= r->end || (*r->p != '\'' && *r->p != '"'))
		return "pickle string is not quoted";
	quote = *r->p++;
	while (r->p < r->end && *r->p != quote)
	{
		unsigned char c = *r->p++;
		pg_wchar	code;

		if (c == '\n')
			return "pickle ends inside a string";
		if (c != '\\')
		{
			appendStringInfoChar(out, (char) c);
			continue;
		}
		if (r->p >= r->end)
			return "pickle ends inside a string";
		c = *r->p++;
		if (c == 'n')
			appendStringInfoChar(out, '\n');
		else if (c == 't')
			appendStringInfoChar(out, '\t');
		else if (c == 'r')
			appendStringInfoChar(out, '\r');
		else if (c == '\\' || c == '\'' || c == '"')
			appendStringInfoChar(out, (char) c);
		else if (c == 'x' && read_hex(r, 2, &code) && code != 0)
			appendStringInfoChar(out, (char) code);
		else
			return "pickle string has an unknown escape";
	}
	if (r->end - r->p < 2 || r->p[1] != '\n')
		return "pickle string is not quoted";
	r->p += 2;
	return NULL;
}

/* Skip an optional memo store after the string */
static const char *
skip_memo(ByteReader *r)
{
	if (r->p >= r->end)
		return NULL;
	switch (*r->p)
	{
		case 'q':
			r->p += 2;
			break;
		case 'r':
			r->p += 5;
			break;
		case 0x94:
			r->p += 1;
			break;
		case 'p':
			while (r->p < r->end && *r->p != '\n')
				r->p++;
			r->p++;
			break;
	}
	return r->p > r->end ? "pickle ends inside a memo opcode" : NULL;
}

/*
 * A pickled string: see the header comment.
 */
static const char *
unpickle_string(ByteReader *r, StringInfo out)
{
	const char *problem;
	unsigned char opcode;

	if (r->end - r->p >= 2 && r->p[0] == 0x80)
	{
		if (r->p[1] < 2 || r->p[1] > 5)
			return psprintf("pickle protocol %d is not supported", r->p[1]);
		r->p += 2;
	}
	if (r->p < r->end && *r->p == 0x95)
	{
		if (r->end - r->p < 9)
			return "pickle ends inside a frame opcode";
		r->p += 9;
	}
	if (r->p >= r->end)
		return "pickle is empty";

	opcode = *r->p++;
	switch (opcode)
	{
		case 'X':
		case 'T':
			problem = read_counted(r, 4, out);
			break;
		case 'U':
		case 0x8c:
			problem = read_counted(r, 1, out);
			break;
		case 'V':
			problem = read_raw_unicode_line(r, out);
			break;
		case 'S':
			problem = read_quoted_line(r, out);
			break;
		default:
			return "pickle does not hold a string";
	}
	if (problem == NULL)
		problem = skip_memo(r);
	if (problem != NULL)
		return problem;
	if (r->p >= r->end)
		return "pickle has no STOP opcode";
	if (*r->p != '.' || r->end - r->p != 1)
		return "pickle holds more than a string";
	return NULL;
}

/*
 * A JSON string, or null (the caller has checked that it starts with a
 * quote or is "null").
 */
static const char *
decode_json_string(ByteReader *r, StringInfo out, bool *is_null)
{
	*is_null = false;
	if (r->end - r->p == 4 && memcmp(r->p, "null", 4) == 0)
	{
		*is_null = true;
		r->p += 4;
		return NULL;
	}

	r->p++;						/* the opening quote */
	while (r->p < r->end && *r->p != '"')
	{
		unsigned char c = *r->p++;
		pg_wchar	code;

		if (c < 0x20)
			return "JSON string has a control character";
		if (c != '\\')
		{
			appendStringInfoChar(out, (char) c);
			continue;
		}
		if (r->p >= r->end)
			break;
		c = *r->p++;
		switch (c)
		{
			case '"':
			case '\\':
			case '/':
				appendStringInfoChar(out, (char) c);
				break;
			case 'b':
				appendStringInfoChar(out, '\b');
				break;
			case 'f':
				appendStringInfoChar(out, '\f');
				break;
			case 'n':
				appendStringInfoChar(out, '\n');
				break;
			case 'r':
				appendStringInfoChar(out, '\r');
				break;
			case 't':
				appendStringInfoChar(out, '\t');
				break;
			case 'u':
				if (!read_hex(r, 4, &code))
					return "JSON string has a malformed \\u escape";
				if (code >= 0xD800 && code <= 0xDBFF)
				{
					pg_wchar	low;

					if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u')
						return "JSON string has an unpaired surrogate";
					r->p += 2;
					if (!read_hex(r, 4, &low) || low < 0xDC00 || low > 0xDFFF)
						return "JSON string has an unpaired surrogate";
					code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
				}
				if (!append_code_point(out, code))
					return "JSON string has an invalid character";
				break;
			default:
				return "JSON string has an unknown escape";
		}
	}
	if (r->p >= r->end)
		return "JSON string is not terminated";
	r->p++;
	return NULL;
}

/* Skip leading JSON whitespace */
static void
skip_json_space(ByteReader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' ||
							 *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

/*
 * sentry_option_decode_string: see optionvalue.h.
 */
const char *
sentry_option_decode_string(const char *stored, char **out)
{
	ByteReader	r;
	StringInfoData buf;
	const char *problem;
	bool		is_null = false;

	initStringInfo(&buf);
	r.p = (const unsigned char *) stored;
	r.end = r.p + strlen(stored);
	skip_json_space(&r);
	while (r.end > r.p && (r.end[-1] == ' ' || r.end[-1] == '\t' ||
						   r.end[-1] == '\n' || r.end[-1] == '\r'))
		r.end--;

	/* base64 never starts with a quote, and no pickle encodes to "null" */
	if (r.p < r.end && (*r.p == '"' || (r.end - r.p == 4 && memcmp(r.p, "null", 4) == 0)))
	{
		problem = decode_json_string(&r, &buf, &is_null);
		if (problem == NULL && r.p != r.end)
			problem = "value is not a JSON string";
	}
	else
	{
		int			stored_len = r.end - r.p;
		char	   *pickle = palloc(pg_b64_dec_len(stored_len) + 1);
		int			pickle_len;

		/* void *: the destination's type differs between PostgreSQL versions */
		pickle_len = pg_b64_decode((const char *) r.p, stored_len,
								   (void *) pickle, pg_b64_dec_len(stored_len));
		if (stored_len == 0 || pickle_len < 0)
			return "value is neither a JSON string nor base64 of a pickled string";
		r.p = (const unsigned char *) pickle;
		r.end = r.p + pickle_len;
		problem = unpickle_string(&r, &buf);
	}
	if (problem != NULL)
		return problem;

	if (memchr(buf.data, '\0', buf.len) != NULL ||
		!pg_verify_mbstr(PG_UTF8, buf.data, buf.len, true))
		return "value is not valid UTF-8 text";
	*out = is_null ? NULL : buf.data;
	return NULL;
}
