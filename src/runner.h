/*-------------------------------------------------------------------------
 *
 * runner.h
 *	  Running migration bodies: in the caller's backend, in a
 *	  subtransaction, or statement by statement in a background worker.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_RUNNER_H
#define MIGRATE_RUNNER_H

#include "migrate.h"

/* runner.c */

/* Called by runner_execute() after each statement of a body has run */
typedef struct RunnerHooks
{
	void		(*after_statement) (const MigrateStatement *stmt, void *arg);
	void	   *arg;
} RunnerHooks;

extern long runner_backoff_ms(int retry);
extern void runner_sleep(long ms);
extern void runner_statement_errcontext(const Migration *m, MigrateDirection direction,
										const MigrateStatement *stmt);
extern void runner_run_migration(const Migration *m, MigrateDirection direction,
								 const char *role, TimestampTz *started,
								 TimestampTz *finished);
extern void runner_execute(const Migration *m, MigrateDirection direction,
						   const RunnerHooks *hooks);
extern void runner_check_primary(const char *function);
extern void runner_check_entry(const char *function, bool writes);
extern void runner_enter(const char *function, bool writes);
extern void runner_mark_worker(void);
extern void runner_leave(void);

/* subxact.c */
extern ErrorData *subxact_run(void (*work) (void *arg), void *arg);
extern ErrorData *subxact_probe(void (*work) (void *arg), void *arg);

/* worker.c */
extern void worker_run_statement(const char *sql, int lock_timeout_ms);

/* deploy.c */
extern void deploy_check_call(FunctionCallInfo fcinfo, const char *name);

#endif							/* MIGRATE_RUNNER_H */
