/*-------------------------------------------------------------------------
 *
 * apply.c
 *	  migrate_apply(), migrate_rollback() and migrate_baseline(): moving the
 *	  database between versions inside the caller's transaction; and
 *	  migrate_plan(), which shows what migrate_apply() would run.
 *
 * Each call takes the migration lock for its transaction, makes sure its
 * snapshot is not stale, selects the migrations to run, validates all of
 * them before running any, and then runs them in order.  Everything happens
 * in the caller's transaction, so a failure leaves nothing behind.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(migrate_apply);
PG_FUNCTION_INFO_V1(migrate_rollback);
PG_FUNCTION_INFO_V1(migrate_baseline);
PG_FUNCTION_INFO_V1(migrate_plan);

static List *select_applied(bool has_target, int64 target, bool has_limit,
							int64 limit);
static List *select_pending(bool has_target, int64 target, bool has_steps,
							int32 steps, List **changed, int *pending_total);
static void check_no_changed_migrations(List *changed);
static void check_transactional(const Migration *m, MigrateDirection direction);
static void check_rollback(const Migration *m);
static void warn_out_of_order(const Migration *m, bool has_max, int64 max_applied);
static void run_migrations(FunctionCallInfo fcinfo, List *migrations,
						   MigrateDirection direction);

/*
 * Reads the steps argument, refusing a negative count.
 */
int32
migrate_get_steps(FunctionCallInfo fcinfo, int argno, bool *has_steps)
{
	int32		steps;

	*has_steps = !PG_ARGISNULL(argno);
	if (!*has_steps)
		return 0;
	steps = PG_GETARG_INT32(argno);
	if (steps < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("steps must not be negative, not %d", steps)));
	return steps;
}

/*
 * Returns the applied migrations, newest first, that migrate_rollback()
 * selects: those at or above target, or at most limit of them.
 */
static List *
select_applied(bool has_target, int64 target, bool has_limit, int64 limit)
{
	Datum		values[2];
	char		nulls[2] = {' ', ' '};
	List	   *result = NIL;
	uint64		i;

	values[0] = Int64GetDatum(target);
	nulls[0] = has_target ? ' ' : 'n';
	values[1] = Int64GetDatum(limit);
	nulls[1] = has_limit ? ' ' : 'n';
	catalog_exec(Q_APPLIED_FOR_ROLLBACK, values, nulls, false, 0);
	for (i = 0; i < SPI_processed; i++)
	{
		Migration  *m = catalog_read_migration(SPI_tuptable->vals[i],
											   SPI_tuptable->tupdesc);

		if (m->name == NULL)
			m->name = "(unknown)";
		result = lappend(result, m);
	}
	SPI_freetuptable(SPI_tuptable);
	return result;
}

/*
 * Returns the pending migrations that migrate_apply() selects (those up to
 * target, at most steps of them), sets *changed to the applied ones whose
 * definition changed since, and *pending_total to the number of pending
 * migrations, selected or not.  One pass over the catalog finds all three.
 */
static List *
select_pending(bool has_target, int64 target, bool has_steps, int32 steps,
			   List **changed, int *pending_total)
{
	List	   *pending = NIL;
	uint64		i;

	*changed = NIL;
	*pending_total = 0;
	catalog_exec(Q_APPLY_CANDIDATES, NULL, NULL, false, 0);
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	tupdesc = SPI_tuptable->tupdesc;
		bool		isnull;
		int64		version = catalog_getint64(tuple, tupdesc, 1, &isnull);

		(void) SPI_getbinval(tuple, tupdesc, 7, &isnull);
		if (!isnull)
		{
			*changed = lappend(*changed, catalog_read_migration(tuple, tupdesc));
			continue;
		}
		(*pending_total)++;
		if ((!has_target || version <= target) &&
			(!has_steps || list_length(pending) < steps))
			pending = lappend(pending, catalog_read_migration(tuple, tupdesc));
	}
	SPI_freetuptable(SPI_tuptable);
	return pending;
}

/*
 * Refuses to go on while an applied migration's definition differs from
 * what was applied: the database no longer matches its definitions.
 */
static void
check_no_changed_migrations(List *changed)
{
	Migration  *first;

	if (changed == NIL)
		return;
	first = (Migration *) linitial(changed);
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("migration " INT64_FORMAT " \"%s\" was changed after it was applied",
					first->version, first->name),
			 list_length(changed) > 1 ?
			 errdetail("%d applied migrations differ from their definitions; migrate_status() shows them as changed.",
					   list_length(changed)) :
			 errdetail("Its definition no longer matches the checksum recorded when it was applied."),
			 errhint("Define it again with the content that was applied, and put the new change in a new migration.")));
}

/*
 * Refuses a migration that cannot run inside the caller's transaction.
 */
static void
check_transactional(const Migration *m, MigrateDirection direction)
{
	MigrateDirection culprit_direction = direction;
	MigrateBody *culprit;

	if (m->transactional)
		return;

	/* name the statement that made it non-transactional, in either body */
	culprit = statements_parse_body(direction == MIGRATE_UP ? m->up : m->down,
									m->version, direction);
	if (culprit->top_level_statement == 0)
	{
		MigrateDirection other = direction == MIGRATE_UP ? MIGRATE_DOWN : MIGRATE_UP;
		const char *other_body = other == MIGRATE_UP ? m->up : m->down;

		if (other_body != NULL)
		{
			culprit = statements_parse_body(other_body, m->version, other);
			culprit_direction = other;
		}
	}

	ereport(ERROR,
			(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
			 errmsg("migration " INT64_FORMAT " \"%s\" cannot run inside a transaction block",
					m->version, m->name),
			 culprit->top_level_statement > 0 ?
			 errdetail("Statement %d of its %s body is %s.", culprit->top_level_statement,
					   direction_name(culprit_direction), culprit->top_level_tag) :
			 errdetail("It was defined with transactional => false."),
			 direction == MIGRATE_UP ?
			 errhint("Run it with CALL migrate_deploy(), which runs such migrations outside a transaction block.") :
			 errhint("Roll it back with CALL migrate_revert(), which runs such migrations outside a transaction block.")));
}

/*
 * Refuses to roll back a migration whose definition is gone or changed, or
 * that has no down body.
 */
static void
check_rollback(const Migration *m)
{
	if (!m->defined)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("migration " INT64_FORMAT " \"%s\" cannot be rolled back because its definition is missing",
						m->version, m->name),
				 errhint("Define it again with the content that was applied.")));
	if (strcmp(m->checksum, m->applied_checksum) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("migration " INT64_FORMAT " \"%s\" was changed after it was applied",
						m->version, m->name),
				 errdetail("Its down body may not undo what was applied."),
				 errhint("Define it again with the content that was applied.")));
	if (m->down == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("migration " INT64_FORMAT " \"%s\" is irreversible", m->version, m->name),
				 errdetail("It has no down body."),
				 errhint("Write the reverse change as a new migration and apply it.")));
}

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
 * Selects the pending migrations that migrate_apply() or migrate_deploy()
 * runs (those up to target, at most steps of them) and validates every one
 * before anything runs: no applied migration changed, none failed part-way,
 * each defined by a role with the applier's privileges, and safe under
 * migrate.safety; in_transaction (apply) also refuses those that cannot run
 * in a transaction block.  Says so in a NOTICE when there is nothing to do.
 * Must be called holding the migration lock.
 */
List *
migrate_select_up(bool has_target, int64 target, bool has_steps, int32 steps,
				  bool in_transaction)
{
	List	   *migrations = NIL;
	List	   *changed = NIL;
	int			pending_total = 0;
	int64		epoch;
	ListCell   *lc;

	/*
	 * A catalog marked clean has nothing pending, so no failed up either:
	 * the no-op call stays one query.
	 */
	if (!catalog_known_clean(&epoch))
	{
		deploy_check_no_failed(false);
		migrations = select_pending(has_target, target, has_steps, steps,
									&changed, &pending_total);
		if (pending_total == 0 && changed == NIL)
			catalog_remember_clean(epoch);
	}

	check_no_changed_migrations(changed);
	foreach(lc, migrations)
	{
		Migration  *m = (Migration *) lfirst(lc);

		if (in_transaction)
			check_transactional(m, MIGRATE_UP);
		runner_check_definer(m);
	}
	safety_check_pending(migrations, false);

	if (migrations == NIL && pending_total == 0)
		ereport(NOTICE, (errmsg("migrations already up")));
	else if (migrations == NIL)
		ereport(NOTICE,
				(errmsg("no pending migration within the given target and steps"),
				 errdetail_plural("%d migration is pending beyond them.",
								  "%d migrations are pending beyond them.",
								  pending_total, pending_total)));
	return migrations;
}

/*
 * Selects the applied migrations, newest first, that migrate_rollback() or
 * migrate_revert() runs down (those at or above target, or the steps newest)
 * and validates every one before anything runs; in_transaction (rollback)
 * also refuses those that cannot run in a transaction block.  Says so in a
 * NOTICE when there is nothing to do.  Must be called holding the migration
 * lock.
 */
List *
migrate_select_down(bool has_target, int64 target, int32 steps, bool in_transaction)
{
	List	   *migrations;
	ListCell   *lc;

	deploy_check_no_failed(false);
	migrations = select_applied(has_target, target, !has_target, steps);
	foreach(lc, migrations)
	{
		Migration  *m = (Migration *) lfirst(lc);

		check_rollback(m);
		if (in_transaction)
			check_transactional(m, MIGRATE_DOWN);
		runner_check_definer(m);
	}
	if (migrations == NIL)
		ereport(NOTICE, (errmsg("migrations already down")));
	return migrations;
}

/*
 * Runs the validated migrations in order and returns one row per migration
 * through the materialized result set.
 */
static void
run_migrations(FunctionCallInfo fcinfo, List *migrations, MigrateDirection direction)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *role = GetUserNameFromId(GetUserId(), false);
	bool		has_max = false;
	int64		max_applied = 0;
	ListCell   *lc;

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

		if (direction == MIGRATE_UP)
			warn_out_of_order(m, has_max, max_applied);
		runner_run_migration(m, direction, role, &started, &finished);

		values[0] = Int64GetDatum(m->version);
		values[1] = CStringGetTextDatum(m->name);
		values[2] = runner_interval(started, finished);
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
	int32		steps = migrate_get_steps(fcinfo, 1, &has_steps);

	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	catalog_open();
	runner_enter("migrate_apply", true);
	PG_TRY();
	{
		List	   *migrations;

		migrate_lock_acquire(false);
		catalog_check_snapshot();
		migrations = migrate_select_up(has_target, target, has_steps, steps, true);
		if (migrations != NIL)
			run_migrations(fcinfo, migrations, MIGRATE_UP);
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
	int32		steps = migrate_get_steps(fcinfo, 0, &has_steps);
	bool		has_target = !PG_ARGISNULL(1);
	int64		target = has_target ? PG_GETARG_INT64(1) : 0;

	if (!has_steps && !has_target)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("migrate_rollback needs steps or target"),
				 errhint("Pass steps => 1 to roll back the newest migration, or target => 0 to roll back all.")));

	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	catalog_open();
	runner_enter("migrate_rollback", true);
	PG_TRY();
	{
		List	   *migrations;

		migrate_lock_acquire(false);
		catalog_check_snapshot();
		migrations = migrate_select_down(has_target, target, steps, true);
		if (migrations != NIL)
			run_migrations(fcinfo, migrations, MIGRATE_DOWN);
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
 * migrate_baseline(version): marks every pending migration up to version
 * applied without running it, for adopting an existing database, and
 * returns how many were marked.
 */
Datum
migrate_baseline(PG_FUNCTION_ARGS)
{
	int64		version;
	int32		count = 0;
	NameData	role;
	Datum		values[2];

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("migration version must not be null")));
	version = PG_GETARG_INT64(0);
	if (version <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("migration version must be positive, not " INT64_FORMAT, version)));
	namestrcpy(&role, GetUserNameFromId(GetUserId(), false));

	SPI_connect();
	catalog_open();
	runner_enter("migrate_baseline", true);
	PG_TRY();
	{
		migrate_lock_acquire(false);
		catalog_check_snapshot();
		values[0] = Int64GetDatum(version);
		values[1] = NameGetDatum(&role);
		catalog_bump_epoch();
		catalog_exec(Q_BASELINE, values, "  ", false, 0);
		count = (int32) SPI_processed;
	}
	PG_FINALLY();
	{
		runner_leave();
	}
	PG_END_TRY();
	SPI_finish();
	PG_RETURN_INT32(count);
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
	int32		steps = migrate_get_steps(fcinfo, 1, &has_steps);
	List	   *migrations;
	List	   *changed;
	int			pending_total;
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	catalog_open();
	deploy_check_no_failed(true);
	migrations = select_pending(has_target, target, has_steps, steps,
								&changed, &pending_total);
	if (changed != NIL)
		ereport(WARNING,
				(errmsg("migrate_apply() would refuse to run: migration " INT64_FORMAT " \"%s\" was changed after it was applied",
						((Migration *) linitial(changed))->version,
						((Migration *) linitial(changed))->name)));
	safety_check_pending(migrations, true);
	foreach(lc, migrations)
	{
		Migration  *m = (Migration *) lfirst(lc);
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		if (!m->transactional)
			ereport(WARNING,
					(errmsg("migrate_apply() would refuse migration " INT64_FORMAT " \"%s\", which cannot run inside a transaction block",
							m->version, m->name),
					 errhint("Run it with CALL migrate_deploy().")));
		values[0] = Int64GetDatum(m->version);
		values[1] = CStringGetTextDatum(m->name);
		values[2] = BoolGetDatum(m->transactional);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}
