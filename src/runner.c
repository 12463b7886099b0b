/*-------------------------------------------------------------------------
 *
 * runner.c
 *	  Runs one migration body, statement by statement, as the calling role.
 *
 * Each statement is executed alone through SPI, under migrate.lock_timeout
 * and migrate.statement_timeout, inside an error context that names the
 * migration, the statement and its line; the original SQLSTATE is kept.
 * The runner also records the run in the catalog and prints the Ecto-style
 * progress lines.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
#include "catalog.h"
#include "lock.h"
#include "runner.h"
#include "repeatable.h"
#include "scope.h"
#include "statements.h"

#include <math.h>

#include "access/xact.h"
#include "access/xlog.h"
#include "common/pg_prng.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "tcop/dest.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

/* What the error context callback needs to name the failing place */
typedef struct RunnerContext
{
	const Migration *migration;
	MigrateDirection direction;
	const MigrateStatement *statement;	/* NULL outside a statement */
} RunnerContext;

/* A migration and direction to try, for runner_try_work() */
typedef struct RunnerTry
{
	const Migration *migration;
	MigrateDirection direction;
} RunnerTry;

/* The statement timeout in force around one migration statement */
typedef struct StatementTimeout
{
	bool		armed;			/* we armed STATEMENT_TIMEOUT */
	bool		outer_active;	/* the caller's own timeout was running */
	TimestampTz outer_finish;	/* and when it was due */
} StatementTimeout;

static void runner_error_callback(void *arg);
static void runner_set_timeouts(void);
static void statement_timeout_begin(StatementTimeout *st);
static void statement_timeout_end(StatementTimeout *st);
static void runner_execute_body(const Migration *m, MigrateDirection direction,
								const RunnerHooks *hooks);
static void runner_try_work(void *arg);
static bool runner_try(const Migration *m, MigrateDirection direction, int retries);
static void runner_wait_before_retry(const Migration *m, MigrateDirection direction,
									 int retry);
static void runner_execute_with_retries(const Migration *m, MigrateDirection direction);
static List *foreign_key_parents(List *relations, List *elements);
static bool statement_may_wait(Node *parsetree);
static bool body_may_wait(const Migration *m, MigrateDirection direction);

/* Set while a migration body runs, to refuse recursive migrator calls */
static bool runner_active = false;

/* The statement of a body that runs or last ran, for the retry notice */
static const MigrateStatement *runner_statement = NULL;

/* When that statement started */
static TimestampTz runner_statement_started = 0;

/*
 * Refuses a call of the SQL-callable function (or procedure) named function,
 * which writes, on a standby server: at once, rather than with the error of
 * the first internal statement that writes.
 */
void
runner_check_primary(const char *function)
{
	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot call %s() on a standby server", function),
				 errdetail("The server is in recovery: it only replays what its primary writes."),
				 errhint("Run migrations on the primary server; they reach the standby through replication.")));
}

/*
 * Refuses a call of the SQL-callable function (or procedure) named function
 * where it must not run: on a standby server when it writes (writes), and
 * from inside a migration body, in this backend or in a deploy's
 * background worker, where it would act on a catalog and a migration lock
 * that the running migration holds.
 */
void
runner_check_entry(const char *function, bool writes)
{
	if (writes)
		runner_check_primary(function);
	if (runner_active)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot call %s() from inside a migration", function),
				 errdetail("A migration's statements cannot define, remove, resolve, apply or roll back migrations: the call that runs it holds the migration lock and has already read the catalog."),
				 errhint("Call %s() before or after the migration, as a statement of its own.", function)));
}

/*
 * Marks the start of a migrator call (apply, rollback, baseline, deploy,
 * revert, verify) after the checks of runner_check_entry(), so that a
 * migration body cannot call another.  The caller must call runner_leave()
 * on every way out.
 */
void
runner_enter(const char *function, bool writes)
{
	runner_check_entry(function, writes);
	runner_active = true;
}

/*
 * Marks this process as a deploy's background worker, which runs a
 * statement of a migration for the whole of its life: every entry point but
 * migrate_backfill() then refuses to run in it.
 */
void
runner_mark_worker(void)
{
	runner_active = true;
}

/*
 * Adds the error context line that names a migration and, when not NULL,
 * its statement: "statement 2 (line 3) of migration 5 "name" (up)".
 */
void
runner_statement_errcontext(const Migration *m, MigrateDirection direction,
							const MigrateStatement *stmt)
{
	if (stmt != NULL)
		errcontext("statement %d (line %d) of %s (%s)%s",
				   stmt->number, stmt->line, repeatable_label(m),
				   direction_name(direction), scope_describe());
	else
		errcontext("%s (%s)%s", repeatable_label(m), direction_name(direction),
				   scope_describe());
}

/*
 * Marks the end of a migrator call.
 */
void
runner_leave(void)
{
	runner_active = false;
}

/*
 * Error context callback: names the migration and, inside a statement, the
 * statement's number and line.  An exhausted lock table (out of shared
 * memory) gets a hint that fits migrations.
 */
static void
runner_error_callback(void *arg)
{
	RunnerContext *rc = (RunnerContext *) arg;
	const Migration *m = rc->migration;

	runner_statement_errcontext(m, rc->direction, rc->statement);

	if (geterrcode() == ERRCODE_OUT_OF_MEMORY)
		errhint(rc->direction == MIGRATE_UP ?
				"If the lock table is full, raise max_locks_per_transaction, apply fewer migrations per call with the steps argument, or use CALL migrate_deploy(), which commits after each migration." :
				"If the lock table is full, raise max_locks_per_transaction, roll back fewer migrations per call with the steps argument, or use CALL migrate_revert(), which commits after each migration.");
}

/*
 * Sets lock_timeout and statement_timeout from the migrate.* settings at the
 * current GUC nesting level, so that they are undone when it is closed.
 */
static void
runner_set_timeouts(void)
{
	char		value[32];

	snprintf(value, sizeof(value), "%d", migrate_lock_timeout);
	(void) set_config_option("lock_timeout", value, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	snprintf(value, sizeof(value), "%d", migrate_statement_timeout);
	(void) set_config_option("statement_timeout", value, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
}

/*
 * Arms the statement timeout for one migration statement.  Setting
 * statement_timeout does not affect a statement already running (the
 * caller's SELECT), so the timer is armed here; a caller's own earlier
 * deadline is kept if it comes first and restored afterwards.
 */
static void
statement_timeout_begin(StatementTimeout *st)
{
	TimestampTz finish;

	st->armed = false;
	if (migrate_statement_timeout <= 0)
		return;
	st->outer_active = get_timeout_active(STATEMENT_TIMEOUT);
	st->outer_finish = st->outer_active ? get_timeout_finish_time(STATEMENT_TIMEOUT) : 0;
	finish = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), migrate_statement_timeout);
	if (st->outer_active && st->outer_finish <= finish)
		return;
	enable_timeout_at(STATEMENT_TIMEOUT, finish);
	st->armed = true;
}

/*
 * Disarms the statement timeout armed by statement_timeout_begin(), giving
 * the caller's own deadline back.
 */
static void
statement_timeout_end(StatementTimeout *st)
{
	if (!st->armed)
		return;
	if (st->outer_active)
		enable_timeout_at(STATEMENT_TIMEOUT, st->outer_finish);
	else
		disable_timeout(STATEMENT_TIMEOUT, false);
	st->armed = false;
}

/*
 * Executes the statements of a migration's up or down body in order,
 * discarding any rows they return.  hooks, if not NULL, is called after each
 * statement.
 */
static void
runner_execute_body(const Migration *m, MigrateDirection direction,
					const RunnerHooks *hooks)
{
	const char *body = direction == MIGRATE_UP ? m->up : m->down;
	MigrateBody *parsed = statements_parse_body(body, m->version, direction);
	MemoryContext stmtcontext;
	MemoryContext oldcontext;
	RunnerContext rc;
	ErrorContextCallback callback;
	SPIExecuteOptions options;
	ListCell   *lc;

	stmtcontext = AllocSetContextCreate(CurrentMemoryContext, "migrate statement",
										ALLOCSET_DEFAULT_SIZES);
	memset(&options, 0, sizeof(options));
	options.read_only = false;
	options.dest = None_Receiver;

	rc.migration = m;
	rc.direction = direction;
	rc.statement = NULL;
	callback.callback = runner_error_callback;
	callback.arg = &rc;
	callback.previous = error_context_stack;
	error_context_stack = &callback;

	foreach(lc, parsed->statements)
	{
		MigrateStatement *stmt = (MigrateStatement *) lfirst(lc);
		StatementTimeout timeout;
		char	   *sql;
		int			ret;

		rc.statement = stmt;
		runner_statement = stmt;
		runner_statement_started = GetCurrentTimestamp();
		oldcontext = MemoryContextSwitchTo(stmtcontext);
		sql = statements_slice(body, stmt);
		MemoryContextSwitchTo(oldcontext);

		statement_timeout_begin(&timeout);
		PG_TRY();
		{
			ret = SPI_execute_extended(sql, &options);
		}
		PG_FINALLY();
		{
			/* also on error: a caller that catches it keeps its own deadline */
			statement_timeout_end(&timeout);
		}
		PG_END_TRY();
		if (ret < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not execute statement: %s", SPI_result_code_string(ret))));
		MemoryContextReset(stmtcontext);
		if (hooks != NULL)
			hooks->after_statement(stmt, hooks->arg);
	}

	error_context_stack = callback.previous;
	MemoryContextDelete(stmtcontext);
}

/*
 * Executes a migration's up or down body under the migrate.* timeouts as
 * the calling role; records nothing and prints nothing.  hooks, if not
 * NULL, is called after each statement.  Errors keep their SQLSTATE and
 * name the migration and statement.
 *
 * The body runs at a GUC nesting level of its own that is rolled back
 * afterwards, so that its SET commands (statement_timeout, search_path,
 * ...) end with it, as those of a function with a SET clause do; a tenant's
 * migration starts there with search_path set to the tenant's schema.  And it
 * runs as a security-definer function body would, so that it cannot change
 * role (SET ROLE, RESET ROLE, SET SESSION AUTHORIZATION, set_config('role',
 * ...)): the definer was checked against the calling role, and the body
 * must never run with more privileges than that role's.
 */
void
runner_execute(const Migration *m, MigrateDirection direction,
			   const RunnerHooks *hooks)
{
	Oid			userid;
	int			sec_context;
	int			nestlevel;

	GetUserIdAndSecContext(&userid, &sec_context);
	nestlevel = NewGUCNestLevel();
	runner_set_timeouts();
	scope_apply_search_path();
	SetUserIdAndSecContext(userid, sec_context | SECURITY_LOCAL_USERID_CHANGE);
	PG_TRY();
	{
		runner_execute_body(m, direction, hooks);
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(userid, sec_context);
	}
	PG_END_TRY();
	AtEOXact_GUC(false, nestlevel);
}

/*
 * The body of one try of a migration, for subxact_run().
 */
static void
runner_try_work(void *arg)
{
	RunnerTry  *attempt = (RunnerTry *) arg;

	runner_execute(attempt->migration, attempt->direction, NULL);
}

/*
 * Runs a migration's body once inside a subtransaction, after retries
 * earlier tries.  Returns true when it ran; on a lock timeout with retries
 * left, rolls the subtransaction back and returns false; any other error is
 * raised again, the subtransaction rolled back.
 */
static bool
runner_try(const Migration *m, MigrateDirection direction, int retries)
{
	RunnerTry	attempt;
	ErrorData  *error;

	attempt.migration = m;
	attempt.direction = direction;
	error = subxact_run(runner_try_work, &attempt);
	if (error == NULL)
		return true;
	if (error->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE ||
		retries >= migrate_lock_retries)
		ReThrowError(error);
	FreeErrorData(error);
	return false;
}

/*
 * Returns the pause before retry number retry (1, 2, ...) of something that
 * waited too long for a lock: exponential backoff (200 ms, 400 ms, 800 ms,
 * ... up to 10 s) with +/- 50% jitter, so that retrying sessions do not
 * march in step.
 */
long
runner_backoff_ms(int retry)
{
	double		base = Min(200.0 * pow(2.0, retry - 1), 10000.0);

	return (long) (base * (0.5 + pg_prng_double(&pg_global_prng_state)));
}

/*
 * Sleeps for ms milliseconds, interruptibly, holding no catalog snapshot.
 * A sleep longer than WaitLatch() takes at once (about 24 days) is slept in
 * parts.
 */
void
runner_sleep(long ms)
{
	TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), ms);

	InvalidateCatalogSnapshot();
	for (;;)
	{
		long		remaining = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), deadline);

		if (remaining <= 0)
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 Min(remaining, (long) PG_INT32_MAX), PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * After a lock timeout, says which statement waited and who holds locks on
 * what it needed, then sleeps before the next try: exponential backoff
 * (200 ms, 400 ms, 800 ms, ... up to 10 s) with +/- 50% jitter, so that
 * retrying migrators do not march in step.  Interruptible.
 */
static void
runner_wait_before_retry(const Migration *m, MigrateDirection direction, int retry)
{
	const MigrateStatement *stmt = runner_statement;
	char	   *blockers = stmt ? migrate_lock_blockers(statements_relations(stmt->parsetree),
												 runner_statement_started) : NULL;
	long		delay = runner_backoff_ms(retry);

	ereport(NOTICE,
			(errmsg("migration " INT64_FORMAT " \"%s\" (%s) waited longer than migrate.lock_timeout for a lock; retry %d of %d in %ld ms",
					m->version, m->name, direction_name(direction),
					retry, migrate_lock_retries, delay),
			 stmt == NULL ? 0 :
			 blockers != NULL ?
			 errdetail("Statement %d (line %d) waited; blocking: %s.", stmt->number, stmt->line, blockers) :
			 errdetail("Statement %d (line %d) waited.", stmt->number, stmt->line)));

	runner_sleep(delay);
}

/*
 * Returns the foreign key parents a list of column definitions and table
 * constraints (or ALTER TABLE subcommands) refers to, added to relations.
 */
static List *
foreign_key_parents(List *relations, List *elements)
{
	ListCell   *lc;

	foreach(lc, elements)
	{
		Node	   *node = (Node *) lfirst(lc);
		List	   *constraints = NIL;
		ListCell   *c;

		if (IsA(node, AlterTableCmd))
			node = ((AlterTableCmd *) node)->def;
		if (node == NULL)
			continue;
		if (IsA(node, ColumnDef))
			constraints = ((ColumnDef *) node)->constraints;
		else if (IsA(node, Constraint))
			constraints = list_make1(node);
		else if (IsA(node, PartitionCmd))
			relations = lappend(relations, ((PartitionCmd *) node)->name);
		foreach(c, constraints)
		{
			Constraint *con = lfirst_node(Constraint, c);

			if (con->contype == CONSTR_FOREIGN)
				relations = lappend(relations, con->pktable);
		}
	}
	return relations;
}

/*
 * Returns whether a statement may wait for a lock that another session
 * holds.  Only CREATE TABLE, CREATE INDEX, ALTER TABLE and the creation of
 * sequences, functions and types are known well enough to say no: when every
 * relation they lock was created earlier in this transaction (or is already
 * locked ACCESS EXCLUSIVE by it), as when a new database is migrated from
 * scratch.  A DROP of tables, indexes, views or sequences says no here when
 * body_may_wait() may take its locks at once.
 */
static bool
statement_may_wait(Node *parsetree)
{
	List	   *relations;

	switch (nodeTag(parsetree))
	{
		case T_CreateStmt:
			relations = list_copy(((CreateStmt *) parsetree)->inhRelations);
			relations = foreign_key_parents(relations, ((CreateStmt *) parsetree)->tableElts);
			break;
		case T_IndexStmt:
			relations = list_make1(((IndexStmt *) parsetree)->relation);
			break;
		case T_AlterTableStmt:
			relations = list_make1(((AlterTableStmt *) parsetree)->relation);
			relations = foreign_key_parents(relations, ((AlterTableStmt *) parsetree)->cmds);
			break;
		case T_CreateSeqStmt:
		case T_CreateFunctionStmt:
		case T_CreateEnumStmt:
		case T_CreateDomainStmt:
		case T_CompositeTypeStmt:
			return false;
		case T_DropStmt:
			/* its locks are taken at once, if they can be, by body_may_wait() */
			return !migrate_lock_drop_is_known((DropStmt *) parsetree);
		default:
			return true;
	}
	return migrate_lock_may_wait(relations);
}

/*
 * Returns whether a migration body may wait for a lock another session
 * holds, so that a lock timeout is worth a retry.  When nothing else in it
 * may wait, the relation locks of its DROP statements (a down's DROP TABLE)
 * are taken at once where no other session stands in the way: a rollback
 * of thousands of migrations then needs no subtransaction per migration,
 * whose commits would cost in proportion to everything dropped so far.
 */
static bool
body_may_wait(const Migration *m, MigrateDirection direction)
{
	const char *body = direction == MIGRATE_UP ? m->up : m->down;
	MigrateBody *parsed = statements_parse_body(body, m->version, direction);
	bool		may_wait = false;
	int			nestlevel;
	ListCell   *lc;

	/* names resolve as the body's will: in the tenant's schema */
	nestlevel = NewGUCNestLevel();
	scope_apply_search_path();
	foreach(lc, parsed->statements)
		if (statement_may_wait(((MigrateStatement *) lfirst(lc))->parsetree))
			may_wait = true;
	foreach(lc, parsed->statements)
	{
		Node	   *parsetree = ((MigrateStatement *) lfirst(lc))->parsetree;

		if (may_wait)
			break;
		if (IsA(parsetree, DropStmt))
			may_wait = !migrate_lock_drop_at_once((DropStmt *) parsetree);
	}
	AtEOXact_GUC(false, nestlevel);
	return may_wait;
}

/*
 * Executes a migration's body; with migrate.lock_retries set, inside a
 * subtransaction that is rolled back and tried again when a statement waits
 * longer than migrate.lock_timeout for a lock, instead of failing the whole
 * call at once.  A waiting migration thus never blocks other sessions
 * longer than the timeout at a time.
 */
static void
runner_execute_with_retries(const Migration *m, MigrateDirection direction)
{
	int			retries = 0;

	/*
	 * A subtransaction per migration costs time in proportion to everything
	 * the transaction has created and locked so far, so a call that applies
	 * thousands of migrations to a new database would slow down
	 * quadratically: use one only where a lock wait can happen.
	 */
	if (migrate_lock_retries <= 0 || migrate_lock_timeout <= 0 ||
		!body_may_wait(m, direction))
	{
		runner_execute(m, direction, NULL);
		return;
	}
	while (!runner_try(m, direction, retries))
	{
		retries++;
		runner_wait_before_retry(m, direction, retries);
	}
}

/*
 * Runs one migration in the given direction as the calling role: prints the
 * "== Running" line, executes the body under the migrate.* timeouts, records
 * the run in the catalog and prints the "== Migrated" line, both as
 * migrate.progress says.  Errors keep their SQLSTATE and name the migration
 * and statement.  Returns the start and end times.
 */
void
runner_run_migration(const Migration *m, MigrateDirection direction,
					 const char *role, TimestampTz *started, TimestampTz *finished)
{
	MemoryContext runcontext;
	MemoryContext oldcontext;
	RunnerContext rc;
	ErrorContextCallback callback;
	TimestampTz start;
	TimestampTz end;

	if (migrate_progress_shown(false))
		ereport(NOTICE,
				(m->repeatable ?
				 errmsg("== Running repeatable %s (%s)", m->name, direction_name(direction)) :
				 errmsg("== Running " INT64_FORMAT " %s (%s)",
						m->version, m->name, direction_name(direction))));

	runcontext = AllocSetContextCreate(CurrentMemoryContext, "migrate run",
									   ALLOCSET_DEFAULT_SIZES);
	oldcontext = MemoryContextSwitchTo(runcontext);

	start = GetCurrentTimestamp();
	/* a repeatable's first run has nothing to roll back to without a down */
	if ((direction == MIGRATE_UP ? m->up : m->down) != NULL)
		runner_execute_with_retries(m, direction);
	end = GetCurrentTimestamp();
	migrate_lock_check_held(m, direction);

	rc.migration = m;
	rc.direction = direction;
	rc.statement = NULL;
	callback.callback = runner_error_callback;
	callback.arg = &rc;
	callback.previous = error_context_stack;
	error_context_stack = &callback;
	catalog_record_run(m, direction, start, end, role);
	error_context_stack = callback.previous;

	MemoryContextSwitchTo(oldcontext);
	MemoryContextDelete(runcontext);

	if (m->repeatable && migrate_progress_shown(true))
		ereport(NOTICE,
				(errmsg("== Migrated repeatable %s in %.3fs",
						m->name, (double) (end - start) / USECS_PER_SEC)));
	else if (m->repeatable && migrate_progress_shown(false))
		ereport(NOTICE,
				(errmsg("== Migrated repeatable %s", m->name)));
	else if (migrate_progress_shown(true))
		ereport(NOTICE,
				(errmsg("== Migrated " INT64_FORMAT " in %.3fs",
						m->version, (double) (end - start) / USECS_PER_SEC)));
	else if (migrate_progress_shown(false))
		ereport(NOTICE,
				(errmsg("== Migrated " INT64_FORMAT, m->version)));
	*started = start;
	*finished = end;
}
