/*-------------------------------------------------------------------------
 *
 * migrate.h
 *	  What every source file of the migrate extension shares: the settings
 *	  and the types of a migration, its bodies and their statements.
 *
 * Each subsystem has a header of its own: catalog.h (the extension's
 * tables: catalog.c, checksum.c), lock.h (the advisory locks: lock.c),
 * statements.h (splitting, checking and reversing bodies: statements.c,
 * reverse.c), lint.h (the safety lint and its enforcement: lint.c,
 * lint_table.c, lint_trust.c, lint_catalog.c, safety.c; its rule ids in
 * lint_rules.h), runner.h (running bodies: runner.c, subxact.c, worker.c,
 * deploy.c's checks) and plan.h (what a call runs, and whether it may:
 * plan.c) and define.h (defining migrations: define.c, shared with
 * load.c).  settings.c defines the settings; define.c, load.c, apply.c,
 * deploy.c, status.c, verify.c and backfill.c hold the SQL-callable
 * functions; drop_guard.c the event trigger that guards DROP EXTENSION.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_H
#define MIGRATE_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"

/* settings.c */
extern int	migrate_lock_wait_timeout;
extern int	migrate_lock_timeout;
extern int	migrate_statement_timeout;
extern int	migrate_lock_retries;
extern int	migrate_safety;
extern int	migrate_progress;
extern bool migrate_allow_drop;
extern bool migrate_progress_shown(bool varies);

/* Values of migrate.safety */
typedef enum MigrateSafety
{
	SAFETY_OFF,
	SAFETY_WARN,
	SAFETY_ERROR
} MigrateSafety;

/* Values of migrate.progress */
typedef enum MigrateProgress
{
	PROGRESS_OFF,
	PROGRESS_STABLE,
	PROGRESS_ON
} MigrateProgress;

/* Which body of a migration runs */
typedef enum MigrateDirection
{
	MIGRATE_UP,
	MIGRATE_DOWN
} MigrateDirection;

/* One statement of a migration body, as split by the server's parser */
typedef struct MigrateStatement
{
	int			number;			/* 1-based position in the body */
	int			offset;			/* byte offset of its first token */
	int			length;			/* bytes from the first token to its end */
	int			line;			/* 1-based line of its first token */
	Node	   *parsetree;		/* raw parse tree */
} MigrateStatement;

/* A parsed and checked body */
typedef struct MigrateBody
{
	List	   *statements;		/* of MigrateStatement * */
	int			top_level_statement;	/* first statement that cannot run in
										 * a transaction block, or 0 */
	const char *top_level_tag;	/* its command tag */
} MigrateBody;

/* A migration as read from the catalog, copied out of SPI memory */
typedef struct Migration
{
	int64		version;
	char	   *name;
	char	   *up;				/* NULL when not defined (missing) */
	char	   *down;			/* NULL when irreversible or missing */
	bool		transactional;
	bool		defined;		/* a definition exists */
	char	   *checksum;		/* checksum of the definition */
	char	   *applied_checksum;	/* checksum as applied, NULL if pending */
	char	   *defined_by;
	/* for a repeatable migration (see repeatable.c): */
	bool		repeatable;		/* version is 0, name is the repeatable's */
	char	   *assured;		/* its accepted rules, as text[] text */
	int64		run_id;			/* rollback: the run taken back */
	int64		after_version;	/* rollback: that run's after_version */
	char	   *previous_body;	/* due to run: the body its last run here
								 * ran, or NULL when it never ran here */
} Migration;

/*
 * Returns "up" or "down".
 */
static inline const char *
direction_name(MigrateDirection direction)
{
	return direction == MIGRATE_UP ? "up" : "down";
}

#endif							/* MIGRATE_H */
