/*-------------------------------------------------------------------------
 *
 * ondelete.h
 *		What Sentry's own deletion does to a row that refers to a deleted
 *		one: one table per Sentry generation, generated from Sentry's source
 *		facts into ondelete_data.c by tools/gen-ondelete.pl.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SENTRY_FIXTURES_ONDELETE_H
#define SENTRY_FIXTURES_ONDELETE_H

/* Django's on_delete actions */
typedef enum OnDelete
{
	ON_DELETE_CASCADE,			/* the referring row is deleted too */
	ON_DELETE_SET_NULL,			/* the reference is set to NULL */
	ON_DELETE_PROTECT,			/* the delete is refused */
	ON_DELETE_DO_NOTHING		/* the row is left as it is */
} OnDelete;

/*
 * One reference of a Sentry table to another.  The cascade reads table,
 * column, target and on_delete; constraint and kind record where the row
 * comes from in Sentry's models, for whoever checks the generated table
 * against them (docs/compatibility.md).
 */
typedef struct SentryRelation
{
	const char *table;			/* the referring table */
	const char *column;			/* its referring column */
	const char *target;			/* the referred-to table */
	OnDelete	on_delete;
	bool		constraint;		/* a real FOREIGN KEY in Sentry's schema */
	const char *kind;			/* the Django field, or "deletion task: Model" */
} SentryRelation;

/* Sorted by table, then column (ondelete_data.c) */
extern const SentryRelation ondelete_sentry9[];
extern const int ondelete_sentry9_count;
extern const SentryRelation ondelete_current[];
extern const int ondelete_current_count;

#endif							/* SENTRY_FIXTURES_ONDELETE_H */
