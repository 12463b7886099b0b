/*-------------------------------------------------------------------------
 *
 * repeatable.h
 *	  Repeatable migrations: bodies run again whenever they change.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_REPEATABLE_H
#define MIGRATE_REPEATABLE_H

#include "migrate.h"

/* repeatable.c */
extern List *repeatable_select_due(void);
extern List *repeatable_select_runs(bool has_target, int64 target);
extern List *repeatable_merge_rollback(List *versioned, List *runs, bool has_limit,
									   int64 limit);
extern void repeatable_record_run(const Migration *m, MigrateDirection direction,
								  TimestampTz started, TimestampTz finished,
								  const char *role);
extern void repeatable_record_failure(const Migration *m, MigrateDirection direction,
									  TimestampTz started, const char *role,
									  const char *error);
extern char *repeatable_label(const Migration *m);

#endif							/* MIGRATE_REPEATABLE_H */
