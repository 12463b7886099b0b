/*-------------------------------------------------------------------------
 *
 * plan.c
 *	  What a call runs, and whether it may: one place that selects the
 *	  migrations of apply, rollback, deploy, revert and verify, and finds
 *	  every reason to refuse them before anything runs.
 *
 * A plan is data: the migrations selected, in the order they would run, and
 * the refusals, each as the error it raises (SQLSTATE, message, detail,
 * hint), in the order they are found: the state of the whole catalog first
 * (a migration that failed part-way, applied migrations that changed), then
 * each migration in turn (missing, changed, irreversible, cannot run in a
 * transaction block, defined by a role without the applier's privileges),
 * then the safety findings that migrate.safety enforces.  The functions that
 * run migrations raise the first refusal; migrate_plan() shows every one as
 * a WARNING, so that what it says and what apply does cannot differ.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
#include "compat.h"
#include "catalog.h"
#include "lint.h"
#include "lock.h"
#include "plan.h"
#include "repeatable.h"
#include "scope.h"
#include "statements.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "storage/lock.h"
#include "utils/array.h"

#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"

static void refuse(List **list, int sqlerrcode, const char *detail, const char *hint,
				   const char *fmt,...) pg_attribute_printf(5, 6);
static bool is_up(PlanPurpose purpose);
static bool in_transaction(PlanPurpose purpose);
static void check_failed(MigrationPlan *plan);
static List *select_pending(MigrationPlan *plan, bool has_target, int64 target,
							bool has_steps, int32 steps);
static void check_changed(MigrationPlan *plan, List *changed);
static List *select_applied(bool has_target, int64 target, bool has_limit,
							int64 limit);
static Migration *select_verify_one(MigrationPlan *plan, int64 version);
static void check_rollback(MigrationPlan *plan, const Migration *m);
static void check_transactional(MigrationPlan *plan, const Migration *m);
static List *add_due_repeatables(MigrationPlan *plan, bool has_steps, int32 steps);
static void check_repeatable_safety(MigrationPlan *plan);
static void check_definer(MigrationPlan *plan, const Migration *m);
static bool holds_migration_lock(void);
static void check_safety(MigrationPlan *plan);
static void raise_refusal(int elevel, const PlanRefusal *r, const char *prefix);
static void plan_report_empty(const MigrationPlan *plan);

/*
 * Adds a refusal to a list: the error, with its detail and hint (NULL for
 * none), that a call raises for it.
 */
static void
refuse(List **list, int sqlerrcode, const char *detail, const char *hint,
	   const char *fmt,...)
{
	PlanRefusal *r = palloc0(sizeof(PlanRefusal));
	StringInfoData buf;

	initStringInfo(&buf);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	r->sqlerrcode = sqlerrcode;
	r->message = buf.data;
	r->detail = detail ? pstrdup(detail) : NULL;
	r->hint = hint ? pstrdup(hint) : NULL;
	*list = lappend(*list, r);
}

/*
 * Returns whether a plan selects pending migrations to run up (or to
 * verify), rather than applied ones to run down.
 */
static bool
is_up(PlanPurpose purpose)
{
	return purpose != PLAN_ROLLBACK && purpose != PLAN_REVERT;
}

/*
 * Returns whether the migrations of a plan run in the caller's transaction.
 */
static bool
in_transaction(PlanPurpose purpose)
{
	return purpose == PLAN_APPLY || purpose == PLAN_ROLLBACK;
}

/*
 * Reads the steps argument, refusing a negative count.
 */
int32
plan_get_steps(FunctionCallInfo fcinfo, int argno, bool *has_steps)
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
 * Refuses everything while a migration failed part-way (or its deploy was
 * interrupted): the database is in a state that only a person can judge.
 */
static void
check_failed(MigrationPlan *plan)
{
	Datum		value = (Datum) 0;
	HeapTuple	tuple;
	TupleDesc	tupdesc;
	int64		version;
	char	   *name;
	char	   *direction;
	char	   *error;
	int			completed;
	int			statements;
	bool		isnull;

	catalog_exec(Q_PROGRESS_STOPPED, &value, "n", true, 1);
	if (SPI_processed == 0)
	{
		SPI_freetuptable(SPI_tuptable);
		return;
	}
	tuple = SPI_tuptable->vals[0];
	tupdesc = SPI_tuptable->tupdesc;
	version = catalog_getint64(tuple, tupdesc, 1, &isnull);
	name = catalog_getvalue(tuple, tupdesc, 2);
	direction = catalog_getvalue(tuple, tupdesc, 3);
	completed = DatumGetInt32(SPI_getbinval(tuple, tupdesc, 4, &isnull));
	statements = DatumGetInt32(SPI_getbinval(tuple, tupdesc, 5, &isnull));
	error = catalog_getvalue(tuple, tupdesc, 6);
	SPI_freetuptable(SPI_tuptable);

	refuse(&plan->refusals, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
		   psprintf("%d of the %d statements of its %s body completed; %s",
					completed, statements, direction,
					error ? error : "the session that ran it stopped before it finished."),
		   psprintf("See migrate_status() for the INVALID indexes it left.  Repair the database, then record the outcome with migrate_resolve(" INT64_FORMAT ", 'applied') or migrate_resolve(" INT64_FORMAT ", 'pending').",
					version, version),
		   "migration " INT64_FORMAT " \"%s\" failed part-way and must be resolved first",
		   version, name ? name : "(unknown)");
}

/*
 * Returns the pending migrations that the plan selects (those up to
 * target, at most steps of them), refuses the applied ones whose definition
 * changed since (apply and deploy only), and counts the pending ones,
 * selected or not.  One pass over the catalog finds all three.
 */
static List *
select_pending(MigrationPlan *plan, bool has_target, int64 target, bool has_steps, int32 steps)
{
	List	   *pending = NIL;
	List	   *changed = NIL;
	int			version_column;
	int			applied_column;
	uint64		i;

	catalog_exec(Q_APPLY_CANDIDATES, NULL, NULL, false, 0);
	version_column = catalog_column(SPI_tuptable->tupdesc, "version");
	applied_column = catalog_column(SPI_tuptable->tupdesc, "applied_checksum");
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	tupdesc = SPI_tuptable->tupdesc;
		bool		isnull;
		int64		version = catalog_getint64(tuple, tupdesc, version_column, &isnull);

		(void) SPI_getbinval(tuple, tupdesc, applied_column, &isnull);
		if (!isnull)
		{
			changed = lappend(changed, catalog_read_migration(tuple, tupdesc));
			continue;
		}
		plan->pending_total++;
		if ((!has_target || version <= target) &&
			(!has_steps || list_length(pending) < steps))
			pending = lappend(pending, catalog_read_migration(tuple, tupdesc));
	}
	SPI_freetuptable(SPI_tuptable);
	if (plan->purpose != PLAN_VERIFY)
		check_changed(plan, changed);
	return pending;
}

/*
 * Refuses to go on while an applied migration's definition differs from
 * what was applied: the database no longer matches its definitions.
 */
static void
check_changed(MigrationPlan *plan, List *changed)
{
	Migration  *first;

	if (changed == NIL)
		return;
	first = (Migration *) linitial(changed);
	refuse(&plan->refusals, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
		   list_length(changed) > 1 ?
		   psprintf("%d applied migrations differ from their definitions; migrate_status() shows them as changed.",
					list_length(changed)) :
		   "Its definition no longer matches the checksum recorded when it was applied.",
		   "Define it again with the content that was applied, and put the new change in a new migration.",
		   "migration " INT64_FORMAT " \"%s\" was changed after it was applied",
		   first->version, first->name);
}

/*
 * Returns the applied migrations, newest first, that rollback and revert
 * select: those at or above target, or at most limit of them.
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
 * Returns the migration migrate_verify(version) names, with
 * plan->applied_one set when it is applied, or NULL when it is applied but
 * its definition is gone (refused).  An unknown version is an error.
 */
static Migration *
select_verify_one(MigrationPlan *plan, int64 version)
{
	Datum		values[1];
	Migration  *m = NULL;
	bool		applied;

	values[0] = Int64GetDatum(version);
	catalog_exec(Q_DEFINITION, values, " ", true, 1);
	if (SPI_processed == 1)
		m = catalog_read_migration(SPI_tuptable->vals[0], SPI_tuptable->tupdesc);
	SPI_freetuptable(SPI_tuptable);
	if (m != NULL)
	{
		plan->applied_one = m->applied_checksum != NULL;
		return m;
	}

	catalog_exec(Q_APPLIED_CHECKSUM, values, " ", true, 1);
	applied = SPI_processed == 1;
	SPI_freetuptable(SPI_tuptable);
	if (!applied)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("migration " INT64_FORMAT " does not exist", version)));
	plan->applied_one = true;
	refuse(&plan->refusals, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
		   NULL, "Define it again with the content that was applied.",
		   "migration " INT64_FORMAT " cannot be verified because its definition is missing",
		   version);
	return NULL;
}

/*
 * Refuses to run the down of an applied migration whose definition is gone
 * or changed; rollback and revert also refuse one without a down body.
 */
static void
check_rollback(MigrationPlan *plan, const Migration *m)
{
	if (!m->defined)
		refuse(&plan->refusals, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
			   NULL, "Define it again with the content that was applied.",
			   "migration " INT64_FORMAT " \"%s\" cannot be rolled back because its definition is missing",
			   m->version, m->name);
	else if (strcmp(m->checksum, m->applied_checksum) != 0)
		refuse(&plan->refusals, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
			   "Its down body may not undo what was applied.",
			   "Define it again with the content that was applied.",
			   "migration " INT64_FORMAT " \"%s\" was changed after it was applied",
			   m->version, m->name);
	else if (m->down == NULL && plan->purpose != PLAN_VERIFY)
		refuse(&plan->refusals, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
			   "It has no down body.", "Write the reverse change as a new migration and apply it.",
			   "migration " INT64_FORMAT " \"%s\" is irreversible", m->version, m->name);
}

/*
 * Refuses a migration that cannot run inside the caller's transaction,
 * naming the statement that makes it so, in either body.
 */
static void
check_transactional(MigrationPlan *plan, const Migration *m)
{
	MigrateDirection direction = plan->direction;
	MigrateDirection culprit_direction = direction;
	MigrateBody *culprit;
	const char *body = direction == MIGRATE_UP ? m->up : m->down;

	if (m->transactional || body == NULL)
		return;

	culprit = statements_parse_body(body, m->version, direction);
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

	refuse(&plan->refusals, ERRCODE_ACTIVE_SQL_TRANSACTION,
		   culprit->top_level_statement > 0 ?
		   psprintf("Statement %d of its %s body is %s.", culprit->top_level_statement,
					direction_name(culprit_direction), culprit->top_level_tag) :
		   "It was defined with transactional => false.",
		   direction == MIGRATE_UP ?
		   "Run it with CALL migrate_deploy(), which runs such migrations outside a transaction block." :
		   "Roll it back with CALL migrate_revert(), which runs such migrations outside a transaction block.",
		   "migration " INT64_FORMAT " \"%s\" cannot run inside a transaction block",
		   m->version, m->name);
}

/*
 * Refuses a migration whose definer lacks the privileges of the role that
 * would run it: a less privileged role must not plant SQL for a more
 * privileged one to run.  The definer may be the applier, a role with the
 * applier's privileges, or a superuser.
 */
static void
check_definer(MigrationPlan *plan, const Migration *m)
{
	Oid			applier = GetUserId();
	Oid			definer = m->defined_by ? get_role_oid(m->defined_by, true) : InvalidOid;
	char	   *applier_name = GetUserNameFromId(applier, false);
	char	   *detail = psprintf("Its SQL would run with the privileges of role \"%s\".",
								  applier_name);
	char	   *hint = psprintf("Review the migration's body, then define it again as role \"%s\" with %s.",
								applier_name,
								m->repeatable ? "migrate_define_repeatable()" : "migrate_define()");

	if (OidIsValid(definer) &&
		(definer == applier || superuser_arg(definer) ||
		 has_privs_of_role(definer, applier)))
		return;

	if (OidIsValid(definer))
		refuse(&plan->refusals, ERRCODE_INSUFFICIENT_PRIVILEGE, detail, hint,
			   "%s was defined by role \"%s\", which lacks the privileges of role \"%s\"",
			   repeatable_label(m), m->defined_by, applier_name);
	else
		refuse(&plan->refusals, ERRCODE_INSUFFICIENT_PRIVILEGE, detail, hint,
			   "%s was defined by role \"%s\", which no longer exists",
			   repeatable_label(m), m->defined_by ? m->defined_by : "?");
}

/*
 * Returns whether this backend holds the migration lock: the calls that run
 * migrations do, migrate_plan() does not.
 */
static bool
holds_migration_lock(void)
{
	LOCKTAG		tag;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, scope_lock_key(), MIGRATE_LOCK_KEY_LOW,
						 MIGRATE_LOCK_SUBID_MIGRATION);
	return migrate_lock_held_by_me(&tag, ExclusiveLock);
}

/*
 * Applies migrate.safety to the migrations selected to run up, with the
 * findings of the catalog as it is now: each selected migration is linted
 * again (under the settings its bodies SET), since what was safe, or not
 * there, when it was defined may differ now.  Each unassured error-level
 * finding of an up is a refusal under error, and a WARNING before it runs
 * under warn; off ignores them.  A call that runs migrations (it holds the
 * migration lock) with no tenant schema also stores the fresh findings, for
 * migrate_status().
 */
static void
check_safety(MigrationPlan *plan)
{
	/*
	 * The stored findings are those of the set under the caller's own
	 * search_path: a tenant's deploy judges each schema afresh and keeps
	 * nothing, as its catalog differs from the next tenant's.
	 */
	bool		store = holds_migration_lock() && !RecoveryInProgress() && !XactReadOnly &&
		migrate_scope.schema[0] == '\0';
	List	   *versions = NIL;
	List	   *findings = NIL;
	ListCell   *lc = list_head(plan->migrations);
	Datum	   *elems;
	int			n = 0;
	SPITupleTable *rows;
	uint64		count;
	uint64		i;

	if ((migrate_safety == SAFETY_OFF && !store) || plan->migrations == NIL)
		return;

	elems = palloc(sizeof(Datum) * list_length(plan->migrations));
	catalog_exec(Q_PENDING_ASSURED, NULL, NULL, true, 0);
	/* kept aside: the lint's catalog questions may run queries of their own */
	rows = SPI_tuptable;
	count = SPI_processed;
	for (i = 0; i < count && lc != NULL; i++)
	{
		bool		isnull;
		int64		version = catalog_getint64(rows->vals[i], rows->tupdesc, 1, &isnull);
		char	   *assured = catalog_getvalue(rows->vals[i], rows->tupdesc, 2);
		Migration  *m;
		List	   *up_findings;
		List	   *down_findings = NIL;
		ListCell   *fc;

		/* both lists are in version order: skip migrations not selected */
		while (lc != NULL && ((Migration *) lfirst(lc))->version < version)
			lc = lnext(plan->migrations, lc);
		if (lc == NULL || ((Migration *) lfirst(lc))->version != version)
			continue;
		m = (Migration *) lfirst(lc);

		safety_relint(m, &up_findings, store ? &down_findings : NULL);
		if (store)
		{
			int64	   *v = palloc(sizeof(int64));

			*v = version;
			versions = lappend(versions, v);
			elems[n++] = Int64GetDatum(version);
			findings = lappend(findings, list_make2(up_findings, down_findings));
		}
		if (migrate_safety == SAFETY_OFF)
			continue;
		foreach(fc, safety_unassured(up_findings, assured))
		{
			LintFinding *f = (LintFinding *) lfirst(fc);

			refuse(migrate_safety == SAFETY_ERROR ? &plan->refusals : &plan->unsafe,
				   ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
				   psprintf("Rule %s, statement %d (line %d) of its up body.",
							f->rule, f->statement, f->line),
				   psprintf("%s%sIf it is safe here, accept the rule: define the migration again with safety_assured => '{%s}', or add the line \"-- %s %s\" to its up.",
							f->hint ? f->hint : "", f->hint ? "  " : "", f->rule,
							SAFETY_ASSURED_DIRECTIVE, f->rule),
				   "migration " INT64_FORMAT " \"%s\" is unsafe: %s",
				   m->version, m->name, f->message);
		}
	}
	if (store && n > 0)
		safety_refresh_findings(PointerGetDatum(construct_array(elems, n, INT8OID, 8,
																FLOAT8PASSBYVAL,
																TYPALIGN_DOUBLE)),
								versions, findings);
}

/*
 * Builds the plan of a call: selects its migrations (pending ones up to
 * target, at most steps of them, for apply, deploy and verify; for rollback
 * and revert the applied ones at or above target, or the steps newest) and
 * finds every refusal.  Reads the catalog only: a caller that runs the
 * plan marks the catalog clean when the plan says so (see
 * catalog_remember_clean()), and must hold the migration lock.
 */
MigrationPlan *
plan_build(PlanPurpose purpose, bool has_target, int64 target, bool has_steps,
		   int32 steps)
{
	MigrationPlan *plan = palloc0(sizeof(MigrationPlan));
	ListCell   *lc;

	plan->purpose = purpose;
	plan->direction = is_up(purpose) ? MIGRATE_UP : MIGRATE_DOWN;

	if (purpose == PLAN_VERIFY)
	{
		Migration  *m = has_target ? select_verify_one(plan, target) : NULL;

		if (plan->applied_one)
		{
			if (m != NULL)
			{
				check_rollback(plan, m);
				plan->migrations = list_make1(m);
			}
		}
		else
		{
			plan->migrations = select_pending(plan, has_target, target, false, 0);
			/* every pending one: the repeatables that would run after them */
			if (!has_target)
				plan->migrations = add_due_repeatables(plan, false, 0);
		}
	}
	else if (is_up(purpose))
	{
		/*
		 * A catalog marked clean has nothing pending, so no failed up
		 * either: the no-op call stays one query.
		 */
		if (catalog_known_clean(&plan->epoch))
			return plan;
		check_failed(plan);
		plan->migrations = select_pending(plan, has_target, target, has_steps, steps);
		plan->migrations = add_due_repeatables(plan, has_steps, steps);
		plan->clean = plan->pending_total == 0 && plan->refusals == NIL &&
			plan->repeatables_due == 0;
	}
	else
	{
		check_failed(plan);
		plan->migrations =
			repeatable_merge_rollback(select_applied(has_target, target, !has_target, steps),
									  repeatable_select_runs(has_target, target),
									  !has_target, steps);
	}

	foreach(lc, plan->migrations)
	{
		Migration  *m = (Migration *) lfirst(lc);

		if (!is_up(purpose) && !m->repeatable)
			check_rollback(plan, m);
		if (in_transaction(purpose))
			check_transactional(plan, m);
		check_definer(plan, m);
	}
	if (purpose == PLAN_APPLY || purpose == PLAN_DEPLOY)
	{
		check_safety(plan);
		check_repeatable_safety(plan);
	}
	return plan;
}

/*
 * Appends to the plan's migrations the repeatables that are due in the
 * current set and schema (changed since their last run there, or never
 * run), in name order: only when the call runs every pending versioned
 * migration, since they run after those, and within steps.
 */
static List *
add_due_repeatables(MigrationPlan *plan, bool has_steps, int32 steps)
{
	List	   *due = repeatable_select_due();
	List	   *migrations = plan->migrations;

	plan->repeatables_due = list_length(due);
	if (list_length(migrations) < plan->pending_total)
		return migrations;
	if (has_steps && list_length(migrations) + list_length(due) > steps)
		due = list_truncate(due, Max(steps - list_length(migrations), 0));
	return list_concat(migrations, due);
}

/*
 * Applies migrate.safety to the repeatables selected to run, as
 * check_safety() does to versioned migrations: each body linted against
 * the catalog as it is now, its unassured error-level findings refused
 * (error) or let through with a WARNING (warn).
 */
static void
check_repeatable_safety(MigrationPlan *plan)
{
	ListCell   *lc;

	if (migrate_safety == SAFETY_OFF)
		return;
	foreach(lc, plan->migrations)
	{
		Migration  *m = (Migration *) lfirst(lc);
		List	   *up_findings;
		ListCell   *fc;

		if (!m->repeatable)
			continue;
		safety_relint(m, &up_findings, NULL);
		foreach(fc, safety_unassured(up_findings, m->assured))
		{
			LintFinding *f = (LintFinding *) lfirst(fc);

			refuse(migrate_safety == SAFETY_ERROR ? &plan->refusals : &plan->unsafe,
				   ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
				   psprintf("Rule %s, statement %d (line %d) of its body.",
							f->rule, f->statement, f->line),
				   psprintf("%s%sIf it is safe here, accept the rule: define it again with safety_assured => '{%s}', or add the line \"-- %s %s\" to its body.",
							f->hint ? f->hint : "", f->hint ? "  " : "", f->rule,
							SAFETY_ASSURED_DIRECTIVE, f->rule),
				   "repeatable migration \"%s\" is unsafe: %s", m->name, f->message);
		}
	}
}

/*
 * Raises a refusal at elevel, its message after prefix.
 */
static void
raise_refusal(int elevel, const PlanRefusal *r, const char *prefix)
{
	ereport(elevel,
			(errcode(r->sqlerrcode),
			 errmsg_internal("%s%s", prefix, r->message),
			 r->detail ? errdetail_internal("%s", r->detail) : 0,
			 r->hint ? errhint("%s", r->hint) : 0));
}

/*
 * Acts on a plan before its migrations run: raises its first refusal, if
 * any; says, in a WARNING each, which unsafe migrations migrate.safety =
 * warn lets run; marks the catalog clean when nothing is pending; and says
 * so in a NOTICE when nothing runs.
 */
void
plan_enforce(const MigrationPlan *plan)
{
	ListCell   *lc;

	if (plan->refusals != NIL)
		raise_refusal(ERROR, (PlanRefusal *) linitial(plan->refusals), "");
	foreach(lc, plan->unsafe)
		raise_refusal(WARNING, (PlanRefusal *) lfirst(lc), "");
	if (plan->clean)
		catalog_remember_clean(plan->epoch);
	plan_report_empty(plan);
}

/*
 * Shows every refusal of a plan as a WARNING, for migrate_plan(): what
 * migrate_apply() would refuse, and why.
 */
void
plan_warn(const MigrationPlan *plan)
{
	ListCell   *lc;

	foreach(lc, plan->refusals)
		raise_refusal(WARNING, (PlanRefusal *) lfirst(lc),
					  "migrate_apply() would refuse to run: ");
}

/*
 * Says in a NOTICE why a plan with no migration runs nothing.
 */
static void
plan_report_empty(const MigrationPlan *plan)
{
	if (plan->migrations != NIL || plan->quiet)
		return;
	if (plan->purpose == PLAN_VERIFY)
		ereport(NOTICE,
				(errmsg("no pending migration to verify"),
				 errhint("Pass the version of an applied migration to verify its down and up.")));
	else if (!is_up(plan->purpose))
		ereport(NOTICE, (errmsg("migrations already down")));
	else if (plan->pending_total == 0)
		ereport(NOTICE, (errmsg("migrations already up")));
	else
		ereport(NOTICE,
				(errmsg("no pending migration within the given target and steps"),
				 errdetail_plural("%d migration is pending beyond them.",
								  "%d migrations are pending beyond them.",
								  plan->pending_total, plan->pending_total)));
}
