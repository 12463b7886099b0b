/*-------------------------------------------------------------------------
 *
 * apply.c
 *	  migrate_apply(), migrate_rollback() and migrate_baseline(): moving the
 *	  database between versions inside the caller's transaction; and
 *	  migrate_plan(), which shows what migrate_apply() would run.
 *
 * Each call takes the migration lock for its transaction, makes sure its
 * snapshot is not stale, builds its plan (plan.c: the migrations to run,
 * and every reason to refuse), raises the first refusal, and then runs
 * them in order.  Everything happens in the caller's transaction, so a
 * failure leaves nothing behind.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
#include "catalog.h"
#include "scope.h"
#include "lock.h"
#include "plan.h"
#include "runner.h"

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(migrate_apply);
PG_FUNCTION_INFO_V1(migrate_rollback);
PG_FUNCTION_INFO_V1(migrate_baseline);
PG_FUNCTION_INFO_V1(migrate_baseline_versions);
PG_FUNCTION_INFO_V1(migrate_plan);

static void warn_out_of_order(const Migration *m, bool has_max, int64 max_applied);
static int32 baseline_mark(const char *caller, CatalogQuery query, Datum selection,
						   bool versions);
static void baseline_check_defined(Datum versions);
static void run_migrations(FunctionCallInfo fcinfo, List *migrations,
						   MigrateDirection direction);

/*
 * Warns, as Ecto does, when a migration older than the newest applied one
 * is about to be applied.
 */
static void
warn_out_of_order(const Migration *m, bool has_max, int64 max_applied)
{
	if (!has_max || m->version > max_applied)
		return;
	ereport(WARNING,
			(errmsg("migration " INT64_FORMAT " \"%s\" is older than the newest applied migration " INT64_FORMAT,
					m->version, m->name, max_applied),
			 errdetail("It is applied out of order; a later migrate_rollback() reverts migration " INT64_FORMAT " before it.",
					   max_applied),
			 errhint("If that matters, roll it back and define it again with a version above " INT64_FORMAT ".",
					 max_applied)));
}

/*
 * Runs the migrations of an enforced plan in order and returns one row per
 * migration through the materialized result set.
 */
static void
run_migrations(FunctionCallInfo fcinfo, List *migrations, MigrateDirection direction)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *role = GetUserNameFromId(GetUserId(), false);
	bool		has_max = false;
	int64		max_applied = 0;
	ListCell   *lc;

	if (migrations == NIL)
		return;
	if (direction == MIGRATE_UP)
	{
		catalog_exec(Q_MAX_APPLIED, NULL, NULL, false, 1);
		max_applied = catalog_getint64(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
									   1, &has_max);
		has_max = !has_max;
		SPI_freetuptable(SPI_tuptable);
	}

	catalog_bump_epoch();
	foreach(lc, migrations)
	{
		Migration  *m = (Migration *) lfirst(lc);
		TimestampTz started;
		TimestampTz finished;
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		if (direction == MIGRATE_UP && !m->repeatable)
			warn_out_of_order(m, has_max, max_applied);
		runner_run_migration(m, direction, role, &started, &finished);

		/* a repeatable has no version */
		values[0] = Int64GetDatum(m->version);
		nulls[0] = m->repeatable;
		values[1] = CStringGetTextDatum(m->name);
		values[2] = catalog_interval(started, finished);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/*
 * migrate_apply(target, steps): applies pending migrations in version order
 * (those up to target, at most steps of them) atomically in the caller's
 * transaction, and returns one row per migration applied.
 */
Datum
migrate_apply(PG_FUNCTION_ARGS)
{
	bool		has_target = !PG_ARGISNULL(0);
	int64		target = has_target ? PG_GETARG_INT64(0) : 0;
	bool		has_steps;
	int32		steps = plan_get_steps(fcinfo, 1, &has_steps);

	scope_from_args(fcinfo, 2, 3);
	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	catalog_open();
	scope_require_known_set();
	runner_enter("migrate_apply", true);
	PG_TRY();
	{
		MigrationPlan *plan;

		migrate_lock_acquire(false);
		catalog_check_snapshot();
		plan = plan_build(PLAN_APPLY, has_target, target, has_steps, steps);
		plan_enforce(plan);
		run_migrations(fcinfo, plan->migrations, MIGRATE_UP);
	}
	PG_FINALLY();
	{
		runner_leave();
	}
	PG_END_TRY();
	SPI_finish();
	return (Datum) 0;
}

/*
 * migrate_rollback(steps, target): runs the down bodies of the newest
 * applied migrations (the steps newest, or with target every one at or above
 * it) atomically, newest first, and returns one row per migration.
 */
Datum
migrate_rollback(PG_FUNCTION_ARGS)
{
	bool		has_steps;
	int32		steps = plan_get_steps(fcinfo, 0, &has_steps);
	bool		has_target = !PG_ARGISNULL(1);
	int64		target = has_target ? PG_GETARG_INT64(1) : 0;

	if (!has_steps && !has_target)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("migrate_rollback needs steps or target"),
				 errhint("Pass steps => 1 to roll back the newest migration, or target => 0 to roll back all.")));

	scope_from_args(fcinfo, 2, 3);
	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	catalog_open();
	scope_require_known_set();
	runner_enter("migrate_rollback", true);
	PG_TRY();
	{
		MigrationPlan *plan;

		migrate_lock_acquire(false);
		catalog_check_snapshot();
		plan = plan_build(PLAN_ROLLBACK, has_target, target, has_steps, steps);
		plan_enforce(plan);
		run_migrations(fcinfo, plan->migrations, MIGRATE_DOWN);
	}
	PG_FINALLY();
	{
		runner_leave();
	}
	PG_END_TRY();
	SPI_finish();
	return (Datum) 0;
}

/*
 * Marks the pending migrations that query (Q_BASELINE or
 * Q_BASELINE_VERSIONS, given selection as $1) selects applied without
 * running them, and returns how many.  With versions, a version that is not
 * defined is refused first.
 */
static int32
baseline_mark(const char *caller, CatalogQuery query, Datum selection,
			  bool versions)
{
	int32		count = 0;
	NameData	role;
	Datum		values[2];

	namestrcpy(&role, GetUserNameFromId(GetUserId(), false));
	SPI_connect();
	catalog_open();
	scope_require_known_set();
	runner_enter(caller, true);
	PG_TRY();
	{
		migrate_lock_acquire(false);
		catalog_check_snapshot();
		values[0] = selection;
		values[1] = NameGetDatum(&role);
		if (versions)
			baseline_check_defined(selection);
		catalog_bump_epoch();
		catalog_exec(query, values, "  ", false, 0);
		count = (int32) SPI_processed;
	}
	PG_FINALLY();
	{
		runner_leave();
	}
	PG_END_TRY();
	SPI_finish();
	return count;
}

/*
 * Refuses a list of versions to mark applied that holds NULL or a version
 * that is not defined.  SPI is connected.
 */
static void
baseline_check_defined(Datum versions)
{
	bool		isnull;
	int64		version;

	catalog_exec(Q_BASELINE_UNDEFINED, &versions, " ", true, 1);
	if (SPI_processed == 0)
		return;
	version = catalog_getint64(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("versions must not hold null")));
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("migration " INT64_FORMAT " does not exist", version),
			 errhint("Define it first, with migrate_define() or migrate_load(); nothing was marked applied.")));
}

/*
 * migrate_baseline(version): marks every pending migration up to version
 * applied without running it, for adopting an existing database, and
 * returns how many were marked.
 */
Datum
migrate_baseline(PG_FUNCTION_ARGS)
{
	int64		version;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("migration version must not be null")));
	version = PG_GETARG_INT64(0);
	if (version <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("migration version must be positive, not " INT64_FORMAT, version)));
	scope_from_args(fcinfo, 1, 2);
	PG_RETURN_INT32(baseline_mark("migrate_baseline", Q_BASELINE,
								  Int64GetDatum(version), false));
}

/*
 * migrate_baseline_versions(versions): marks exactly the given migrations applied
 * without running them (those already applied stay as they are), as when
 * another tool applied them, and returns how many were marked.
 */
Datum
migrate_baseline_versions(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("versions must not be null")));
	scope_from_args(fcinfo, 1, 2);
	PG_RETURN_INT32(baseline_mark("migrate_baseline_versions", Q_BASELINE_VERSIONS,
								  PG_GETARG_DATUM(0), true));
}

/*
 * migrate_plan(target, steps): the migrations that migrate_apply() with the
 * same arguments would run now, in order, with a WARNING for anything that
 * would make it refuse.  Runs nothing and takes no lock.
 */
Datum
migrate_plan(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool		has_target = !PG_ARGISNULL(0);
	int64		target = has_target ? PG_GETARG_INT64(0) : 0;
	bool		has_steps;
	int32		steps = plan_get_steps(fcinfo, 1, &has_steps);
	MigrationPlan *plan;
	ListCell   *lc;

	scope_from_args(fcinfo, 2, 3);
	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	catalog_open();
	scope_require_known_set();
	plan = plan_build(PLAN_APPLY, has_target, target, has_steps, steps);
	plan_warn(plan);
	foreach(lc, plan->migrations)
	{
		Migration  *m = (Migration *) lfirst(lc);
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = Int64GetDatum(m->version);
		nulls[0] = m->repeatable;
		values[1] = CStringGetTextDatum(m->name);
		values[2] = BoolGetDatum(m->transactional);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}
