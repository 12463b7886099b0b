/*-------------------------------------------------------------------------
 *
 * deploy.c
 *	  CALL migrate_deploy() and CALL migrate_revert(): one transaction per
 *	  migration, and the statements that cannot run in a transaction block;
 *	  migrate_resolve(), a person's repair of a migration that failed
 *	  part-way.
 *
 * The procedures are non-atomic: they commit after each migration, so a
 * failure keeps the migrations before it.  They commit before waiting for
 * the migration lock, and hold it (and the deploy marker, see lock.c) for
 * the session until they return, on error too.
 *
 * A transactional migration runs in a subtransaction of its own
 * transaction: if it fails, the subtransaction is rolled back, the failure
 * is recorded in migrate_history and committed, and the error raised again.
 *
 * A non-transactional migration runs statement by statement, each at top
 * level in a background worker (worker.c), with no transaction of ours
 * open around it beyond an empty one.  Its migrate_progress row is
 * committed before its first statement and after each, so that a failure,
 * a cancel or a crash leaves a record that migrate_status() shows as
 * failed; apply and deploy then refuse to go on until migrate_resolve().
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
#include "catalog.h"
#include "scope.h"
#include "lock.h"
#include "plan.h"
#include "runner.h"
#include "statements.h"

#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

PG_FUNCTION_INFO_V1(migrate_deploy);
PG_FUNCTION_INFO_V1(migrate_revert);
PG_FUNCTION_INFO_V1(migrate_resolve);

/* One migration to run, for the subtransaction that runs it */
typedef struct DeployRun
{
	const Migration *migration;
	MigrateDirection direction;
	const char *role;
	TimestampTz started;
	TimestampTz finished;
} DeployRun;

/* One statement for a worker, and where it stands for error messages */
typedef struct DeployStatement
{
	const Migration *migration;
	MigrateDirection direction;
	const MigrateStatement *statement;
	const char *sql;
	int			lock_timeout_ms;
} DeployStatement;

static void deploy_commit(void);
static void deploy_transactional_work(void *arg);
static void deploy_transactional(const Migration *m, MigrateDirection direction,
								 const char *role);
static void deploy_statement_context(void *arg);
static void deploy_statement_work(void *arg);
static Datum deploy_statement_relations(Node *parsetree);
static bool statement_is_concurrent(Node *parsetree);
static List *invalid_leftovers(Node *parsetree);
static ErrorData *drop_invalid_leftovers(const Migration *m, MigrateDirection direction,
										 const MigrateStatement *stmt, List *leftovers);
static ErrorData *run_in_worker(const Migration *m, MigrateDirection direction,
						  const MigrateStatement *stmt, const char *sql);
static void deploy_top_level(const Migration *m, MigrateDirection direction,
							 const char *role);
static int	deploy_scope(MigrateDirection direction, bool has_target, int64 target,
						 bool has_steps, int32 steps, int position, int total);
static void deploy_tenant_context(void *arg);
static void deploy(MigrateDirection direction, bool has_target, int64 target,
				   bool has_steps, int32 steps, const char *set, List *schemas);
static void deploy_schemas(MigrateDirection direction, bool has_target, int64 target,
						   bool has_steps, int32 steps, const char *set, List *schemas);

/*
 * Refuses a call of a procedure that commits (migrate_deploy,
 * migrate_revert, migrate_backfill) in an atomic context: inside BEGIN ...
 * COMMIT, a function, a transactional migration, or a query string of
 * several statements.
 */
void
deploy_check_call(FunctionCallInfo fcinfo, const char *name)
{
	if (fcinfo->context != NULL && IsA(fcinfo->context, CallContext) &&
		!castNode(CallContext, fcinfo->context)->atomic)
		return;
	if (strcmp(name, "migrate_backfill") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("%s cannot run inside a transaction block", name),
				 errdetail("It commits after each batch, which is impossible inside BEGIN ... COMMIT, a function, or a query string of several statements."),
				 errhint("Run CALL %s(...) as a statement of its own, or as a statement of a migration applied with CALL migrate_deploy().", name)));
	ereport(ERROR,
			(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
			 errmsg("%s cannot run inside a transaction block", name),
			 errdetail("It commits after each migration, which is impossible inside BEGIN ... COMMIT, a function, or a query string of several statements."),
			 errhint("Run CALL %s() as a statement of its own.  To run the migrations in one transaction, use SELECT %s() instead.",
					 name, strcmp(name, "migrate_deploy") == 0 ? "migrate_apply" : "migrate_rollback")));
}

/*
 * Commits the work so far and starts a new transaction that holds no
 * snapshot, not even of the catalog.
 */
static void
deploy_commit(void)
{
	SPI_commit();
	InvalidateCatalogSnapshot();
}

/*
 * Runs a transactional migration and records it, for subxact_run().
 */
static void
deploy_transactional_work(void *arg)
{
	DeployRun  *run = (DeployRun *) arg;

	catalog_bump_epoch();
	runner_run_migration(run->migration, run->direction, run->role,
						 &run->started, &run->finished);
}

/*
 * Runs a transactional migration in a subtransaction and commits it; on
 * failure records the failure in migrate_history, commits that, and raises
 * the error again.
 */
static void
deploy_transactional(const Migration *m, MigrateDirection direction, const char *role)
{
	DeployRun	run;
	ErrorData  *error;

	run.migration = m;
	run.direction = direction;
	run.role = role;
	run.started = GetCurrentTimestamp();
	error = subxact_run(deploy_transactional_work, &run);
	if (error != NULL)
	{
		catalog_record_failure(m, direction, run.started, role, error->message);
		deploy_commit();
		ReThrowError(error);
	}
	deploy_commit();
}

/*
 * Error context of a statement run by a worker: names the migration and
 * the statement, as the runner does for the others.
 */
static void
deploy_statement_context(void *arg)
{
	DeployStatement *ds = (DeployStatement *) arg;

	runner_statement_errcontext(ds->migration, ds->direction, ds->statement);
}

/*
 * Runs one statement in a worker, under an error context naming it, for
 * subxact_run().
 */
static void
deploy_statement_work(void *arg)
{
	DeployStatement *ds = (DeployStatement *) arg;
	ErrorContextCallback callback;

	callback.callback = deploy_statement_context;
	callback.arg = ds;
	callback.previous = error_context_stack;
	error_context_stack = &callback;
	/* the worker takes on this session's settings, a tenant's schema too */
	scope_apply_search_path();
	worker_run_statement(ds->sql, ds->lock_timeout_ms);
	migrate_lock_check_held(ds->migration, ds->direction);
	error_context_stack = callback.previous;
}

/*
 * Returns the tables a statement acts on, as an oid[] Datum: where a failed
 * index build would leave an INVALID index (an index named by the
 * statement counts as its table).
 */
static Datum
deploy_statement_relations(Node *parsetree)
{
	List	   *relations = statements_relations(parsetree);
	Datum	   *oids;
	int			n = 0;
	ListCell   *lc;

	if (IsA(parsetree, ReindexStmt) && ((ReindexStmt *) parsetree)->relation != NULL)
		relations = lappend(relations, ((ReindexStmt *) parsetree)->relation);
	oids = palloc(sizeof(Datum) * Max(list_length(relations), 1));
	foreach(lc, relations)
	{
		Oid			relid = RangeVarGetRelid(lfirst_node(RangeVar, lc), NoLock, true);

		if (OidIsValid(relid) && get_rel_relkind(relid) == RELKIND_INDEX)
			relid = IndexGetRelation(relid, true);
		if (OidIsValid(relid))
			oids[n++] = ObjectIdGetDatum(relid);
	}
	return PointerGetDatum(construct_array(oids, n, OIDOID, sizeof(Oid), true, TYPALIGN_INT));
}

/*
 * Returns whether a statement is a CONCURRENTLY operation (on an index, or
 * DETACH PARTITION), which blocks no reads or writes while it waits: it
 * runs without lock_timeout, as it has to wait for every older
 * transaction.
 */
static bool
statement_is_concurrent(Node *parsetree)
{
	const char *top_level = statements_top_level_description(parsetree);

	return top_level != NULL && strstr(top_level, "CONCURRENTLY") != NULL;
}

/*
 * Returns the INVALID indexes (qualified names) that an earlier, failed
 * attempt of a statement left and that it would trip on: the index a
 * CREATE INDEX CONCURRENTLY names, and the "_ccnew" copies a REINDEX
 * CONCURRENTLY of an index makes.
 */
static List *
invalid_leftovers(Node *parsetree)
{
	List	   *result = NIL;
	List	   *candidates = NIL;
	Oid			namespace = InvalidOid;
	ListCell   *lc;

	if (IsA(parsetree, IndexStmt) && ((IndexStmt *) parsetree)->concurrent &&
		((IndexStmt *) parsetree)->idxname != NULL)
	{
		IndexStmt  *stmt = (IndexStmt *) parsetree;
		Oid			relid = RangeVarGetRelid(stmt->relation, NoLock, true);

		if (!OidIsValid(relid))
			return NIL;
		namespace = get_rel_namespace(relid);
		candidates = list_make1(stmt->idxname);
	}
	else if (IsA(parsetree, ReindexStmt) &&
			 ((ReindexStmt *) parsetree)->kind == REINDEX_OBJECT_INDEX)
	{
		Oid			indexid = RangeVarGetRelid(((ReindexStmt *) parsetree)->relation,
											   NoLock, true);
		int			i;

		if (!OidIsValid(indexid))
			return NIL;
		namespace = get_rel_namespace(indexid);
		candidates = lappend(candidates, psprintf("%s_ccnew", get_rel_name(indexid)));
		for (i = 1; i < 10; i++)
			candidates = lappend(candidates, psprintf("%s_ccnew%d", get_rel_name(indexid), i));
	}
	foreach(lc, candidates)
	{
		Oid			indexid = get_relname_relid((char *) lfirst(lc), namespace);
		HeapTuple	tuple;

		if (!OidIsValid(indexid))
			continue;
		tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexid));
		if (!HeapTupleIsValid(tuple))
			continue;
		if (!((Form_pg_index) GETSTRUCT(tuple))->indisvalid)
			result = lappend(result,
							 quote_qualified_identifier(get_namespace_name(namespace),
														(char *) lfirst(lc)));
		ReleaseSysCache(tuple);
	}
	return result;
}

/*
 * Runs one statement of a migration in a worker; returns its error, or NULL
 * if it completed.  The caller has committed and holds no snapshot.
 */
static ErrorData *
run_in_worker(const Migration *m, MigrateDirection direction,
			  const MigrateStatement *stmt, const char *sql)
{
	DeployStatement ds;

	ds.migration = m;
	ds.direction = direction;
	ds.statement = stmt;
	ds.sql = sql;
	ds.lock_timeout_ms = statement_is_concurrent(stmt->parsetree) ? 0 : migrate_lock_timeout;
	return subxact_run(deploy_statement_work, &ds);
}

/*
 * Drops, each with DROP INDEX CONCURRENTLY in a worker, the INVALID indexes
 * an earlier failed attempt of a statement left, so that it can run again.
 * Returns the error of a drop that failed, or NULL.
 */
static ErrorData *
drop_invalid_leftovers(const Migration *m, MigrateDirection direction,
					   const MigrateStatement *stmt, List *leftovers)
{
	ListCell   *lc;

	foreach(lc, leftovers)
	{
		ErrorData  *error;

		ereport(NOTICE,
				(errmsg("dropping INVALID index %s, left by an earlier attempt of statement %d of migration " INT64_FORMAT,
						(char *) lfirst(lc), stmt->number, m->version)));
		error = run_in_worker(m, direction, stmt,
							  psprintf("DROP INDEX CONCURRENTLY IF EXISTS %s", (char *) lfirst(lc)));
		if (error != NULL)
			return error;
	}
	return NULL;
}

/*
 * Runs a non-transactional migration: each statement at top level in a
 * background worker, with its progress committed before the first statement
 * and after each.  On failure the progress row keeps the error and the
 * history records the failure, both committed, and the error is raised
 * again: migrate_status() then shows the migration as failed.  When no
 * worker could even start for its first statement, nothing ran: it stays
 * pending.
 */
static void
deploy_top_level(const Migration *m, MigrateDirection direction, const char *role)
{
	const char *body = direction == MIGRATE_UP ? m->up : m->down;
	MigrateBody *parsed = statements_parse_body(body, m->version, direction);
	TimestampTz started = GetCurrentTimestamp();
	TimestampTz finished;
	Datum		values[5];
	int			completed = 0;
	ListCell   *lc;

	if (migrate_progress_shown(false))
		ereport(NOTICE,
				(errmsg("== Running " INT64_FORMAT " %s (%s)",
						m->version, m->name, direction_name(direction))));
	values[0] = Int64GetDatum(m->version);
	values[1] = CStringGetTextDatum(direction_name(direction));
	values[2] = Int32GetDatum(list_length(parsed->statements));
	values[3] = TimestampTzGetDatum(started);
	values[4] = Int32GetDatum(MyProcPid);
	catalog_bump_epoch();
	catalog_exec(Q_PROGRESS_START, values, "     ", false, 0);
	deploy_commit();

	foreach(lc, parsed->statements)
	{
		MigrateStatement *stmt = (MigrateStatement *) lfirst(lc);
		char	   *sql = statements_slice(body, stmt);
		List	   *leftovers;
		ErrorData  *error;

		/* names resolve in the tenant's schema (until the next commit) */
		scope_apply_search_path();
		leftovers = invalid_leftovers(stmt->parsetree);

		values[0] = Int64GetDatum(m->version);
		values[1] = deploy_statement_relations(stmt->parsetree);
		catalog_exec(Q_PROGRESS_RELATIONS, values, "  ", false, 0);
		deploy_commit();

		error = drop_invalid_leftovers(m, direction, stmt, leftovers);
		if (error == NULL)
			error = run_in_worker(m, direction, stmt, sql);
		if (error != NULL)
		{
			values[0] = Int64GetDatum(m->version);
			values[1] = CStringGetTextDatum(psprintf("statement %d (line %d) failed: %s",
													 stmt->number, stmt->line, error->message));
			if (completed == 0 && error->sqlerrcode == ERRCODE_CONFIGURATION_LIMIT_EXCEEDED)
			{
				/* no worker could start: nothing ran, it is still pending */
				catalog_bump_epoch();
				catalog_exec(Q_PROGRESS_DELETE, values, " ", false, 0);
			}
			else
				catalog_exec(Q_PROGRESS_FAILED, values, "  ", false, 0);
			catalog_record_failure(m, direction, started, role, error->message);
			deploy_commit();
			ReThrowError(error);
		}

		values[0] = Int64GetDatum(m->version);
		values[1] = Int32GetDatum(++completed);
		catalog_exec(Q_PROGRESS_COMPLETED, values, "  ", false, 0);
		deploy_commit();
	}

	finished = GetCurrentTimestamp();
	values[0] = Int64GetDatum(m->version);
	catalog_bump_epoch();
	catalog_exec(Q_PROGRESS_DELETE, values, " ", false, 0);
	catalog_record_run(m, direction, started, finished, role);
	deploy_commit();
	if (migrate_progress_shown(true))
		ereport(NOTICE,
				(errmsg("== Migrated " INT64_FORMAT " in %.3fs",
						m->version, (double) (finished - started) / USECS_PER_SEC)));
	else if (migrate_progress_shown(false))
		ereport(NOTICE,
				(errmsg("== Migrated " INT64_FORMAT, m->version)));
}

/*
 * Deploys (or reverts) in the current scope: commits, waits for the deploy
 * marker and the migration lock without a snapshot, selects and validates
 * the migrations as apply or rollback would, and runs them one transaction
 * each (or, for a non-transactional one, one statement at a time).  With a
 * tenant schema, first says which one it is at (position of total) when
 * it has work there.  Returns how many migrations ran.  Always releases the
 * locks.
 */
static int
deploy_scope(MigrateDirection direction, bool has_target, int64 target,
			 bool has_steps, int32 steps, int position, int total)
{
	char	   *role = GetUserNameFromId(GetUserId(), false);
	int			ran = 0;
	int			where[2] = {position, total};
	ErrorContextCallback callback;

	callback.callback = deploy_tenant_context;
	callback.arg = where;
	callback.previous = error_context_stack;
	if (total > 0)
		error_context_stack = &callback;
	PG_TRY();
	{
		MigrationPlan *plan;
		ListCell   *lc;

		deploy_commit();
		migrate_lock_acquire_deploy();
		plan = plan_build(direction == MIGRATE_UP ? PLAN_DEPLOY : PLAN_REVERT,
						  has_target, target, has_steps, steps);
		plan->quiet = total > 0;
		plan_enforce(plan);
		deploy_commit();

		if (total > 0 && plan->migrations != NIL && migrate_progress_shown(false))
			ereport(NOTICE,
					(errmsg("== tenant %d of %d: %s (%d migration%s)", position, total,
							migrate_scope.schema, list_length(plan->migrations),
							list_length(plan->migrations) == 1 ? "" : "s")));
		foreach(lc, plan->migrations)
		{
			Migration  *m = (Migration *) lfirst(lc);

			/* what a migration's run allocates goes when it is done */
			SPI_connect_ext(SPI_OPT_NONATOMIC);
			if (m->transactional)
				deploy_transactional(m, direction, role);
			else
				deploy_top_level(m, direction, role);
			SPI_finish();
			ran++;
		}
	}
	PG_FINALLY();
	{
		migrate_lock_release_deploy();
	}
	PG_END_TRY();
	if (total > 0)
		error_context_stack = callback.previous;
	return ran;
}

/*
 * Error context of a deploy over many schemas: which tenant it was at.
 */
static void
deploy_tenant_context(void *arg)
{
	int		   *where = (int *) arg;

	errcontext("tenant %d of %d: %s; the schemas before it are done, and running the deploy again goes on from here",
			   where[0], where[1], migrate_scope.schema);
}

/*
 * The body of both procedures: deploys (or reverts) the set in each of the
 * schemas given, in order, or with none (schemas NIL) under the session's
 * own search_path.  A failure stops the run there, with the work done in
 * the schemas before it (and the migrations before it in its own schema)
 * committed, so that running it again goes on from there.
 */
static void
deploy(MigrateDirection direction, bool has_target, int64 target,
	   bool has_steps, int32 steps, const char *set, List *schemas)
{
	const char *caller = direction == MIGRATE_UP ? "migrate_deploy" : "migrate_revert";

	SPI_connect_ext(SPI_OPT_NONATOMIC);
	catalog_open();
	scope_require_known_set();
	runner_enter(caller, true);
	PG_TRY();
	{
		if (schemas == NIL)
			(void) deploy_scope(direction, has_target, target, has_steps, steps, 0, 0);
		else
			deploy_schemas(direction, has_target, target, has_steps, steps, set, schemas);
	}
	PG_FINALLY();
	{
		runner_leave();
	}
	PG_END_TRY();
	SPI_finish();
}

/* The migrations a deploy over many schemas runs before it plans again */
#define DEPLOY_FIRST_REPLAN 16

/*
 * Deploys (or reverts) the set in each schema of a list, in order, and
 * sums up at the end: how many schemas had work, and how many were already
 * where they should be.
 */
static void
deploy_schemas(MigrateDirection direction, bool has_target, int64 target,
			   bool has_steps, int32 steps, const char *set, List *schemas)
{
	int			total = list_length(schemas);
	int			position = 0;
	int			changed = 0;
	int			migrations = 0;
	int			replan_at = DEPLOY_FIRST_REPLAN;
	ListCell   *lc;

	foreach(lc, schemas)
	{
		int			ran;

		scope_set(set, (const char *) lfirst(lc));

		/*
		 * What a tenant's deploy allocates (its plan, the results of its
		 * catalog queries) goes when it is done: a deploy over thousands of
		 * schemas runs in the memory of one.
		 */
		SPI_connect_ext(SPI_OPT_NONATOMIC);
		ran = deploy_scope(direction, has_target, target, has_steps, steps,
						   ++position, total);
		SPI_finish();
		migrations += ran;
		changed += ran > 0 ? 1 : 0;

		/*
		 * The internal queries were planned when the set's catalog rows were
		 * few, and a plan that scans a small table whole scans it whole
		 * forever.  Planning them again each time the rows this call added
		 * double keeps their lookups indexed as the tables grow, for a
		 * handful of plannings over thousands of schemas.  The session's
		 * other plans are left alone.
		 */
		if (migrations >= replan_at)
		{
			catalog_forget_plans();
			replan_at = migrations * 2;
		}
	}
	if (migrate_progress_shown(false))
		ereport(NOTICE,
				(errmsg("== %d schema%s: %d %s (%d migration%s), %d %s",
						total, total == 1 ? "" : "s", changed,
						direction == MIGRATE_UP ? "migrated" : "reverted",
						migrations, migrations == 1 ? "" : "s", total - changed,
						direction == MIGRATE_UP ? "up to date" : "with nothing to revert")));
}

/*
 * CALL migrate_deploy(target, steps): applies pending migrations in version
 * order (those up to target, at most steps of them), committing after
 * each; runs non-transactional ones statement by statement at top level.
 */
Datum
migrate_deploy(PG_FUNCTION_ARGS)
{
	bool		has_target = !PG_ARGISNULL(0);
	int64		target = has_target ? PG_GETARG_INT64(0) : 0;
	bool		has_steps;
	int32		steps = plan_get_steps(fcinfo, 1, &has_steps);
	const char *set = scope_arg_set(fcinfo, 2);
	List	   *schemas;

	runner_check_entry("migrate_deploy", true);
	deploy_check_call(fcinfo, "migrate_deploy");
	schemas = scope_schemas_argument(fcinfo, 3);
	scope_set(set, schemas != NIL ? (const char *) linitial(schemas) : "");
	deploy(MIGRATE_UP, has_target, target, has_steps, steps, set, schemas);
	PG_RETURN_VOID();
}

/*
 * CALL migrate_revert(steps, target): runs the down bodies of the newest
 * applied migrations (the steps newest, or every one at or above target),
 * newest first, committing after each.
 */
Datum
migrate_revert(PG_FUNCTION_ARGS)
{
	bool		has_steps;
	int32		steps = plan_get_steps(fcinfo, 0, &has_steps);
	bool		has_target = !PG_ARGISNULL(1);
	int64		target = has_target ? PG_GETARG_INT64(1) : 0;
	const char *set;
	List	   *schemas;

	runner_check_entry("migrate_revert", true);
	deploy_check_call(fcinfo, "migrate_revert");
	if (!has_steps && !has_target)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("migrate_revert needs steps or target"),
				 errhint("Pass steps => 1 to revert the newest migration, or target => 0 to revert all.")));
	set = scope_arg_set(fcinfo, 2);
	schemas = scope_schemas_argument(fcinfo, 3);
	scope_set(set, schemas != NIL ? (const char *) linitial(schemas) : "");
	deploy(MIGRATE_DOWN, has_target, target, has_steps, steps, set, schemas);
	PG_RETURN_VOID();
}

/*
 * migrate_resolve(version, state): records that a person repaired a
 * migration that failed part-way.  'applied': it counts as applied now
 * (for a failed down: still applied); 'pending': as not applied (for a
 * failed down: no longer applied).  Writes a history row with direction
 * resolve.
 */
Datum
migrate_resolve(PG_FUNCTION_ARGS)
{
	int64		version;
	char	   *state;
	bool		applied;
	char	   *role = GetUserNameFromId(GetUserId(), false);
	NameData	rolename;
	char	   *name;
	char	   *direction;
	char	   *checksum;
	Datum		values[8];
	char		nulls[8];

	runner_check_entry("migrate_resolve", true);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("migrate_resolve needs a version and a state")));
	version = PG_GETARG_INT64(0);
	state = text_to_cstring(PG_GETARG_TEXT_PP(1));
	if (strcmp(state, "applied") != 0 && strcmp(state, "pending") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("state must be 'applied' or 'pending', not '%s'", state)));
	applied = strcmp(state, "applied") == 0;
	namestrcpy(&rolename, role);
	scope_from_args(fcinfo, 2, 3);

	SPI_connect();
	catalog_open();
	scope_require_known_set();
	migrate_lock_acquire(false);
	catalog_check_snapshot();

	values[0] = Int64GetDatum(version);
	catalog_exec(Q_PROGRESS_STOPPED, values, " ", false, 1);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("migration " INT64_FORMAT " has not failed", version),
				 errhint("migrate_resolve() records the repair of a migration that migrate_status() shows as failed.")));
	name = catalog_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	direction = catalog_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
	checksum = catalog_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 8);

	catalog_bump_epoch();
	if (strcmp(direction, "up") == 0 && applied)
	{
		if (checksum == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("migration " INT64_FORMAT " cannot be marked applied because its definition is missing",
							version),
					 errhint("Define it again, then resolve it.")));
		values[0] = Int64GetDatum(version);
		values[1] = CStringGetTextDatum(checksum);
		values[2] = TimestampTzGetDatum(GetCurrentTimestamp());
		values[3] = NameGetDatum(&rolename);
		values[4] = catalog_interval(0, 0);
		catalog_exec(Q_INSERT_APPLIED, values, "     ", false, 0);
	}
	else if (strcmp(direction, "down") == 0 && !applied)
	{
		values[0] = Int64GetDatum(version);
		catalog_exec(Q_DELETE_APPLIED, values, " ", false, 0);
	}
	values[0] = Int64GetDatum(version);
	catalog_exec(Q_PROGRESS_DELETE, values, " ", false, 0);

	memset(nulls, ' ', sizeof(nulls));
	values[0] = Int64GetDatum(version);
	values[1] = name ? CStringGetTextDatum(name) : (Datum) 0;
	nulls[1] = name ? ' ' : 'n';
	values[2] = CStringGetTextDatum("resolve");
	values[3] = TimestampTzGetDatum(GetCurrentTimestamp());
	values[4] = catalog_interval(0, 0);
	values[5] = NameGetDatum(&rolename);
	values[6] = BoolGetDatum(true);
	values[7] = (Datum) 0;
	nulls[7] = 'n';
	catalog_exec(Q_INSERT_HISTORY, values, nulls, false, 0);
	SPI_finish();
	ereport(NOTICE,
			(errmsg("migration " INT64_FORMAT " is now %s", version, state)));
	PG_RETURN_VOID();
}
