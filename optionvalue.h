/*-------------------------------------------------------------------------
 *
 * optionvalue.h
 *		Decode a string stored in Sentry's sentry_option.value.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_OPTIONVALUE_H
#define SENTRY_FIXTURES_OPTIONVALUE_H

/*
 * Decode stored, an option value holding a string: base64 of a Python
 * pickle of the string (Sentry 9), or JSON text (later Sentry).  On success
 * sets *out (palloc'd UTF-8; NULL for a JSON null) and returns NULL; else
 * returns a palloc'd message (lowercase, no period).
 */
extern const char *sentry_option_decode_string(const char *stored, char **out);

#endif							/* SENTRY_FIXTURES_OPTIONVALUE_H */
