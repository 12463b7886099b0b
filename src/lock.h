/*-------------------------------------------------------------------------
 *
 * lock.h
 *	  The advisory locks that serialise migrators.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_LOCK_H
#define MIGRATE_LOCK_H

#include "migrate.h"

#include "nodes/parsenodes.h"

/*
 * The migration lock is the advisory lock pg_advisory_lock(1835624306)
 * takes: its key fits in the low 32 bits, shown as objid in pg_locks.
 */
#define MIGRATE_LOCK_KEY_LOW 1835624306

/*
 * The sub-ids (objsubid in pg_locks) of migrate's advisory locks.  The
 * migration lock and the deploy marker have the key above as objid; a
 * backfill's locks have it as classid, and as objid the backfill's id or a
 * hash of its arguments.
 */
#define MIGRATE_LOCK_SUBID_MIGRATION	1	/* the migration lock */
#define MIGRATE_LOCK_SUBID_DEPLOY		3	/* a running deploy */
#define MIGRATE_LOCK_SUBID_BACKFILL		4	/* a running backfill, by id */
#define MIGRATE_LOCK_SUBID_BACKFILL_START	5	/* a backfill starting, by
												 * its arguments */

/* lock.c */
extern void migrate_lock_acquire(bool session_lock);
extern void migrate_lock_acquire_deploy(void);
extern void migrate_lock_release_deploy(void);
extern int	migrate_lock_holder_pid(void);
extern char *migrate_lock_blockers(List *relations, TimestampTz since);
extern bool migrate_lock_may_wait(List *relations);
extern bool migrate_lock_drop_is_known(const DropStmt *stmt);
extern bool migrate_lock_drop_at_once(const DropStmt *stmt);
extern void migrate_lock_check_held(const Migration *m, MigrateDirection direction);

#endif							/* MIGRATE_LOCK_H */
