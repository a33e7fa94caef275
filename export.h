/*-------------------------------------------------------------------------
 *
 * export.h
 *		Write an existing Sentry organization out as a fixture.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_EXPORT_H
#define SENTRY_FIXTURES_EXPORT_H

/*
 * The organization named by sentry_fixtures.organization as fixture YAML
 * (list shape), in the current memory context.  Without include_secrets,
 * DSNs carry public keys only and password hashes are left out, which a
 * comment line before the document says.  Uses SPI; the caller must be
 * connected.
 */
extern char *fixture_export(bool include_secrets);

#endif							/* SENTRY_FIXTURES_EXPORT_H */
