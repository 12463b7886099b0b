/*-------------------------------------------------------------------------
 *
 * settings.c
 *	  The module's entry point and its settings (GUCs).
 *
 * migrate.lock_wait_timeout bounds the wait for another migrator's lock;
 * migrate.lock_timeout and migrate.statement_timeout apply to each statement
 * of a migration while it runs, and migrate.lock_retries says how often a
 * migration that timed out waiting for a lock is tried again.
 *
 * migrate.safety says what apply does with unsafe migrations, and
 * migrate.progress which progress NOTICEs are raised: all, only those whose
 * text is the same on every run (for a test's expected output), or none.
 *
 * migrate.allow_drop lets DROP EXTENSION migrate drop a catalog that records
 * applied migrations or history (see drop_guard.c).
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"

#include "fmgr.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* Milliseconds to wait for another migrator's lock; 0 waits forever */
int			migrate_lock_wait_timeout = 0;

/* lock_timeout for each migration statement, in milliseconds; 0 = none */
int			migrate_lock_timeout = 5000;

/* statement_timeout for each migration statement, in milliseconds; 0 = none */
int			migrate_statement_timeout = 0;

/* How often a migration that hit lock_timeout is tried again */
int			migrate_lock_retries = 3;

/* Whether apply refuses (error), warns about (warn) or ignores (off) unsafe migrations */
int			migrate_safety = SAFETY_ERROR;

static const struct config_enum_entry safety_options[] = {
	{"off", SAFETY_OFF, false},
	{"warn", SAFETY_WARN, false},
	{"error", SAFETY_ERROR, false},
	{NULL, 0, false}
};

/* Which progress NOTICEs are raised: all (on), the stable ones, or none */
int			migrate_progress = PROGRESS_ON;

/* Whether DROP EXTENSION migrate may drop a catalog that records applied migrations or history */
bool		migrate_allow_drop = false;

static const struct config_enum_entry progress_options[] = {
	{"off", PROGRESS_OFF, false},
	{"stable", PROGRESS_STABLE, false},
	{"on", PROGRESS_ON, false},
	{"false", PROGRESS_OFF, true},
	{"true", PROGRESS_ON, true},
	{"no", PROGRESS_OFF, true},
	{"yes", PROGRESS_ON, true},
	{"0", PROGRESS_OFF, true},
	{"1", PROGRESS_ON, true},
	{NULL, 0, false}
};

/*
 * Returns whether a progress NOTICE is to be raised: one that follows a
 * migration or a backfill through its run ("== Running", "== Migrated",
 * the index build's and the backfill's progress).  migrate.progress = off
 * raises none; stable only those whose text is the same on every run of
 * the same work, so not one that varies (a duration, a rate, a process ID,
 * or a line raised every few seconds, whose very presence depends on time).
 */
bool
migrate_progress_shown(bool varies)
{
	if (migrate_progress == PROGRESS_OFF)
		return false;
	return migrate_progress == PROGRESS_ON || !varies;
}

/*
 * Defines the settings when the library is loaded and reserves the
 * "migrate." prefix so that a misspelt setting is an error.
 */
void
_PG_init(void)
{
	DefineCustomIntVariable("migrate.lock_wait_timeout",
							"Maximum time to wait for another session's migration lock.",
							"Zero waits forever.",
							&migrate_lock_wait_timeout,
							0, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("migrate.lock_timeout",
							"lock_timeout applied to each statement of a migration.",
							"Zero disables the limit.",
							&migrate_lock_timeout,
							5000, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("migrate.statement_timeout",
							"statement_timeout applied to each statement of a migration.",
							"Zero disables the limit.",
							&migrate_statement_timeout,
							0, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("migrate.lock_retries",
							"How often a migration that waited longer than migrate.lock_timeout is tried again.",
							"Each retry waits longer, with some randomness.  Zero fails at the first lock timeout.",
							&migrate_lock_retries,
							3, 0, 100,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomEnumVariable("migrate.safety",
							 "What migrate_apply() does with a migration whose up has an unassured error-level safety finding.",
							 "error refuses it before anything runs, warn applies it with a WARNING, off ignores findings.",
							 &migrate_safety,
							 SAFETY_ERROR, safety_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomEnumVariable("migrate.progress",
							 "Which progress NOTICEs migrations, deploys and backfills raise.",
							 "on raises all of them, stable leaves out timings and the lines whose text or presence varies from run to run (for a test's expected output), off raises none.",
							 &migrate_progress,
							 PROGRESS_ON, progress_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("migrate.allow_drop",
							 "Allows dropping the extension while its catalog records applied migrations or history.",
							 "When off, DROP EXTENSION migrate (or a DROP SCHEMA ... CASCADE or DROP OWNED that would drop it) is refused while migrate_applied or migrate_history holds rows.",
							 &migrate_allow_drop,
							 false,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	MarkGUCPrefixReserved("migrate");
}
