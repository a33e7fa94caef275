/*-------------------------------------------------------------------------
 *
 * organization.h
 *		Find the organization a fixture or an export names.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_ORGANIZATION_H
#define SENTRY_FIXTURES_ORGANIZATION_H

#include "catalog.h"

/*
 * The organization of table (sentry_organization) named wanted: by slug,
 * then by name; 0 when there is none.  A name several organizations share,
 * none by slug, is an error.  Uses SPI.
 */
extern int64 organization_find(const CatalogTable *table, const char *wanted);

#endif							/* SENTRY_FIXTURES_ORGANIZATION_H */
