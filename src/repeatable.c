/*-------------------------------------------------------------------------
 *
 * repeatable.c
 *	  Repeatable migrations: migrate_define_repeatable() and
 *	  migrate_load_repeatables(), and their part in apply, deploy, rollback
 *	  and revert.
 *
 * A repeatable migration is one body per set and name (a view, a function,
 * a procedure) that is run again, after the set's versioned migrations and
 * in name order, whenever its content differs from that of its last run in
 * the schema.  Each run is kept in migrate_repeatable_runs with the body it
 * ran, so that rolling a run back runs the body of the run before it again
 * (or, for the first run, the repeatable's down if it has one, and nothing
 * otherwise).  Rollback takes back the newest runs first, repeatable runs
 * among versioned migrations: a run counts as newer than every versioned
 * migration applied when it ran (its after_version), and one step is one
 * run.
 *
 * A repeatable's body must be safe to run again and again: only statements
 * that replace or drop-if-exists what they make, and those that change no
 * structure (comments, grants, DO blocks, queries) are accepted; a CREATE
 * TABLE and the like belong in a versioned migration.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
#include "catalog.h"
#include "lint.h"
#include "lock.h"
#include "repeatable.h"
#include "runner.h"
#include "scope.h"
#include "statements.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "tcop/utility.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(migrate_define_repeatable);
PG_FUNCTION_INFO_V1(migrate_load_repeatables);

/* One repeatable to store: what the caller gave */
typedef struct RepeatableRequest
{
	char	   *name;
	char	   *body;
	char	   *down;			/* NULL for none */
	char	   *file;			/* where it came from, NULL if not a file */
	ArrayType  *assured;		/* the safety_assured argument, or NULL */
} RepeatableRequest;

static void check_repeatable_statement(const RepeatableRequest *req,
									   const MigrateStatement *stmt);
static void check_request(const RepeatableRequest *req);
static void file_context(void *arg);
static const char *store_request(const RepeatableRequest *req, bool report);
static bool same_text(const char *a, const char *b);
static void check_arrays(FunctionCallInfo fcinfo, RepeatableRequest **requests, int *count);
static char *text_element(Datum *elems, bool *nulls, int n, int i);

/*
 * Returns how messages name a migration: "migration 20261121093000
 * "add_email"" or "repeatable migration "active_users"".
 */
char *
repeatable_label(const Migration *m)
{
	if (m->repeatable)
		return psprintf("repeatable migration \"%s\"", m->name);
	return psprintf("migration " INT64_FORMAT " \"%s\"", m->version, m->name);
}

/*
 * Refuses a statement that cannot run again and again, naming it, with a
 * hint that says what to write instead.
 */
static void
check_repeatable_statement(const RepeatableRequest *req, const MigrateStatement *stmt)
{
	Node	   *node = stmt->parsetree;
	const char *hint = NULL;
	bool		repeatable;

	switch (nodeTag(node))
	{
		case T_ViewStmt:
			repeatable = ((ViewStmt *) node)->replace;
			hint = "Write CREATE OR REPLACE VIEW.";
			break;
		case T_CreateFunctionStmt:
			repeatable = ((CreateFunctionStmt *) node)->replace;
			hint = "Write CREATE OR REPLACE FUNCTION (or PROCEDURE).";
			break;
		case T_CreateTrigStmt:
			repeatable = ((CreateTrigStmt *) node)->replace;
			hint = "Write CREATE OR REPLACE TRIGGER.";
			break;
		case T_RuleStmt:
			repeatable = ((RuleStmt *) node)->replace;
			hint = "Write CREATE OR REPLACE RULE.";
			break;
		case T_DefineStmt:
			repeatable = ((DefineStmt *) node)->replace;
			hint = "Write CREATE OR REPLACE AGGREGATE.";
			break;
		case T_DropStmt:
			repeatable = ((DropStmt *) node)->missing_ok;
			hint = "Write DROP ... IF EXISTS.";
			break;
		case T_CommentStmt:
		case T_GrantStmt:
		case T_AlterOwnerStmt:
		case T_AlterFunctionStmt:
		case T_DoStmt:
		case T_SelectStmt:
		case T_RefreshMatViewStmt:
		case T_VariableSetStmt:
			repeatable = true;
			break;
		default:
			repeatable = false;
			break;
	}
	if (repeatable)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
			 errmsg("repeatable migration \"%s\" holds a statement that cannot run again",
					req->name),
			 errdetail("Statement %d, on line %d, is %s.", stmt->number, stmt->line,
					   GetCommandTagName(CreateCommandTag(node))),
			 hint != NULL ? errhint("%s", hint) :
			 errhint("A repeatable migration is run again whenever it changes, so it may only replace views, functions, procedures, triggers and rules, drop what exists, and grant or comment; this statement belongs in a versioned migration (migrate_define()).")));
}

/*
 * Error context of a repeatable that came from a file: names the file.
 */
static void
file_context(void *arg)
{
	const RepeatableRequest *req = (const RepeatableRequest *) arg;

	errcontext("repeatable migration \"%s\" from file %s", req->name, req->file);
}

/*
 * Checks what the caller gave for one repeatable: a name and a body, a body
 * that parses, passes migrate_define()'s checks and can run again, and a
 * down that parses and passes them.
 */
static void
check_request(const RepeatableRequest *req)
{
	ErrorContextCallback callback;
	MigrateBody *parsed;
	ListCell   *lc;

	callback.callback = file_context;
	callback.arg = (void *) req;
	callback.previous = error_context_stack;
	if (req->file != NULL)
		error_context_stack = &callback;

	if (req->name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("repeatable migration name must not be empty")));
	parsed = statements_parse_repeatable(req->body, req->name, MIGRATE_UP);
	if (parsed->statements == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("body of repeatable migration \"%s\" is empty", req->name)));
	foreach(lc, parsed->statements)
		check_repeatable_statement(req, (MigrateStatement *) lfirst(lc));
	if (req->down != NULL)
	{
		parsed = statements_parse_repeatable(req->down, req->name, MIGRATE_DOWN);
		if (parsed->top_level_statement > 0)
			ereport(ERROR,
					(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
					 errmsg("down of repeatable migration \"%s\" cannot run inside a transaction block",
							req->name),
					 errdetail("Statement %d of it is %s.", parsed->top_level_statement,
							   parsed->top_level_tag)));
	}

	if (req->file != NULL)
		error_context_stack = callback.previous;
}

/*
 * Returns whether two texts, either of which may be NULL, are the same.
 */
static bool
same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/*
 * Stores one checked repeatable in the current set and returns what that
 * did: "new", "replaced" or "unchanged" (an identical definition by another
 * role records that role as its definer, as migrate_define() does).  With
 * report, a replacement says so in a NOTICE.  SPI is connected and the
 * migration lock held.
 */
static const char *
store_request(const RepeatableRequest *req, bool report)
{
	char	   *role = GetUserNameFromId(GetUserId(), false);
	NameData	definer;
	Datum		assured = safety_rules_array(safety_assured_rules(req->assured, req->body,
																   req->down));
	char	   *assured_text = safety_array_text(assured);
	const char *action = "new";
	Datum		values[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};

	values[0] = CStringGetTextDatum(req->name);
	catalog_exec(Q_REPEATABLE_ROW, values, " ", false, 1);
	if (SPI_processed == 1)
	{
		HeapTuple	row = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		stored_definer = SPI_getbinval(row, desc, 4, &isnull);
		bool		same = same_text(catalog_getvalue(row, desc, 1), req->body) &&
			same_text(catalog_getvalue(row, desc, 2), req->down) &&
			same_text(catalog_getvalue(row, desc, 3), assured_text);

		if (same && strcmp(NameStr(*DatumGetName(stored_definer)), role) == 0)
			return "unchanged";
		action = same ? "unchanged" : "replaced";
	}
	if (report && strcmp(action, "replaced") == 0)
		ereport(NOTICE,
				(errmsg("repeatable migration \"%s\"%s redefined", req->name, scope_describe()),
				 errdetail("It runs again, with its new body, after the versioned migrations of the next apply or deploy.")));

	namestrcpy(&definer, role);
	values[0] = CStringGetTextDatum(req->name);
	values[1] = CStringGetTextDatum(req->body);
	values[2] = req->down != NULL ? CStringGetTextDatum(req->down) : (Datum) 0;
	nulls[2] = req->down != NULL ? ' ' : 'n';
	values[3] = NameGetDatum(&definer);
	values[4] = assured;
	catalog_bump_epoch();
	catalog_exec(Q_UPSERT_REPEATABLE, values, nulls, false, 0);
	return action;
}

/*
 * migrate_define_repeatable(name, body, down, safety_assured, set): stores
 * a repeatable migration of a set, to be run after the set's versioned
 * migrations whenever its content changes.  Returns what it did: new,
 * replaced or unchanged.
 */
Datum
migrate_define_repeatable(PG_FUNCTION_ARGS)
{
	RepeatableRequest req;
	const char *action;

	runner_check_entry("migrate_define_repeatable", true);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a repeatable migration needs a name and a body")));
	memset(&req, 0, sizeof(req));
	req.name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	req.body = text_to_cstring(PG_GETARG_TEXT_PP(1));
	req.down = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	req.assured = PG_ARGISNULL(3) ? NULL : PG_GETARG_ARRAYTYPE_P(3);
	scope_from_args(fcinfo, 4, -1);
	check_request(&req);

	SPI_connect();
	catalog_open();
	migrate_lock_acquire(false);
	catalog_check_snapshot();
	action = store_request(&req, true);
	SPI_finish();
	PG_RETURN_TEXT_P(cstring_to_text(action));
}

/*
 * Returns element i of a deconstructed text[] as a C string, NULL for a
 * NULL element or one past the end.
 */
static char *
text_element(Datum *elems, bool *nulls, int n, int i)
{
	if (i >= n || nulls[i])
		return NULL;
	return TextDatumGetCString(elems[i]);
}

/*
 * Reads the arrays of migrate_load_repeatables() into requests: names and
 * bodies of the same length, downs and files (when given) too; no NULL name
 * or body, no name twice.  Every check comes before anything is stored.
 */
static void
check_arrays(FunctionCallInfo fcinfo, RepeatableRequest **requests, int *count)
{
	Datum	   *elems[4];
	bool	   *nulls[4];
	int			n[4] = {0, 0, 0, 0};
	int			i;
	int			j;
	RepeatableRequest *result;

	for (i = 0; i < 4; i++)
	{
		if (PG_ARGISNULL(i))
		{
			if (i < 2)
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("names and bodies must not be null")));
			elems[i] = NULL;
			nulls[i] = NULL;
			continue;
		}
		deconstruct_array(PG_GETARG_ARRAYTYPE_P(i), TEXTOID, -1, false, TYPALIGN_INT,
						  &elems[i], &nulls[i], &n[i]);
		if (n[i] != n[0])
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("the arrays of migrate_load_repeatables() must have the same length"),
					 errdetail("names has %d elements, %s has %d.", n[0],
							   i == 1 ? "bodies" : i == 2 ? "downs" : "files", n[i])));
	}

	result = palloc0(sizeof(RepeatableRequest) * Max(n[0], 1));
	for (i = 0; i < n[0]; i++)
	{
		result[i].name = text_element(elems[0], nulls[0], n[0], i);
		result[i].body = text_element(elems[1], nulls[1], n[1], i);
		result[i].down = elems[2] ? text_element(elems[2], nulls[2], n[2], i) : NULL;
		result[i].file = elems[3] ? text_element(elems[3], nulls[3], n[3], i) : NULL;
		if (result[i].name == NULL || result[i].body == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("repeatable migration %d of %d has no %s", i + 1, n[0],
							result[i].name == NULL ? "name" : "body")));
		for (j = 0; j < i; j++)
			if (strcmp(result[j].name, result[i].name) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_OBJECT),
						 errmsg("repeatable migration \"%s\" is given twice", result[i].name),
						 result[i].file != NULL && result[j].file != NULL ?
						 errdetail("Files %s and %s both hold it; nothing was loaded.",
								   result[j].file, result[i].file) :
						 errdetail("Elements %d and %d of names are the same; nothing was loaded.",
								   j + 1, i + 1)));
		check_request(&result[i]);
	}
	*requests = result;
	*count = n[0];
}

/*
 * migrate_load_repeatables(names, bodies, downs, files, prune, set): stores
 * a set's repeatable migrations in one call (element i of each array
 * describes repeatable i) and returns what it did per name: new, replaced,
 * unchanged, and with prune removed (the set's repeatables that the arrays
 * do not hold); without prune those are named in a WARNING and kept.
 */
Datum
migrate_load_repeatables(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	RepeatableRequest *requests;
	int			count;
	bool		prune = !PG_ARGISNULL(4) && PG_GETARG_BOOL(4);
	List	   *stored = NIL;
	ListCell   *lc;
	uint64		i;
	int			k;

	runner_check_entry("migrate_load_repeatables", true);
	scope_from_args(fcinfo, 5, -1);
	check_arrays(fcinfo, &requests, &count);
	InitMaterializedSRF(fcinfo, 0);

	SPI_connect();
	catalog_open();
	migrate_lock_acquire(false);
	catalog_check_snapshot();

	catalog_exec(Q_REPEATABLE_NAMES, NULL, NULL, false, 0);
	for (i = 0; i < SPI_processed; i++)
		stored = lappend(stored, catalog_getvalue(SPI_tuptable->vals[i],
												  SPI_tuptable->tupdesc, 1));
	for (k = 0; k < count; k++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};

		values[0] = CStringGetTextDatum(requests[k].name);
		values[1] = CStringGetTextDatum(store_request(&requests[k], false));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	foreach(lc, stored)
	{
		char	   *name = (char *) lfirst(lc);
		bool		given = false;
		Datum		values[2];
		bool		nulls[2] = {false, false};

		for (k = 0; k < count && !given; k++)
			given = strcmp(requests[k].name, name) == 0;
		if (given)
			continue;
		if (!prune)
		{
			ereport(WARNING,
					(errmsg("repeatable migration \"%s\" is defined but not in the set loaded", name),
					 errhint("Load with prune => true (pg_migrate load --prune) to remove it; its runs stay in effect until rolled back.")));
			continue;
		}
		values[0] = CStringGetTextDatum(name);
		catalog_bump_epoch();
		catalog_exec(Q_DELETE_REPEATABLE, values, " ", false, 0);
		values[1] = CStringGetTextDatum("removed");
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}

/*
 * Returns the repeatables of the current set whose content differs from
 * that of their last run in the current schema (or that never ran there),
 * in name order, as migrations to run up.  SPI is connected.
 */
List *
repeatable_select_due(void)
{
	List	   *result = NIL;
	uint64		i;

	catalog_exec(Q_REPEATABLES_DUE, NULL, NULL, false, 0);
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		Migration  *m = palloc0(sizeof(Migration));
		bool		isnull;
		Datum		definer;

		m->repeatable = true;
		m->name = catalog_getvalue(row, desc, 1);
		m->up = catalog_getvalue(row, desc, 2);
		m->down = catalog_getvalue(row, desc, 3);
		m->checksum = catalog_getvalue(row, desc, 4);
		definer = SPI_getbinval(row, desc, 5, &isnull);
		m->defined_by = isnull ? NULL : pstrdup(NameStr(*DatumGetName(definer)));
		m->assured = catalog_getvalue(row, desc, 6);
		m->previous_body = catalog_getvalue(row, desc, 7);
		m->transactional = true;
		m->defined = true;
		result = lappend(result, m);
	}
	SPI_freetuptable(SPI_tuptable);
	return result;
}

/*
 * Returns the runs of repeatables in the current schema that rollback may
 * take back (those at or above target, if given), newest first, each as a
 * migration to run down: its up is the body the run ran, its down the body
 * that rolling it back runs (the previous run's, else the repeatable's
 * down, else NULL: nothing), its definer the role that ran that body.
 * SPI is connected.
 */
List *
repeatable_select_runs(bool has_target, int64 target)
{
	List	   *result = NIL;
	Datum		value = Int64GetDatum(target);
	uint64		i;

	catalog_exec(Q_REPEATABLE_RUNS, &value, has_target ? " " : "n", false, 0);
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		Migration  *m = palloc0(sizeof(Migration));
		char	   *previous = catalog_getvalue(row, desc, 7);
		bool		isnull;
		Datum		runner;

		m->repeatable = true;
		m->run_id = catalog_getint64(row, desc, 1, &isnull);
		m->name = catalog_getvalue(row, desc, 2);
		m->up = catalog_getvalue(row, desc, 3);
		m->down = previous != NULL ? previous : catalog_getvalue(row, desc, 4);
		m->after_version = catalog_getint64(row, desc, 5, &isnull);
		runner = SPI_getbinval(row, desc, previous != NULL ? 8 : 6, &isnull);
		m->defined_by = isnull ? NULL : pstrdup(NameStr(*DatumGetName(runner)));
		m->transactional = true;
		m->defined = true;
		result = lappend(result, m);
	}
	SPI_freetuptable(SPI_tuptable);
	return result;
}

/*
 * Merges the applied versioned migrations (newest version first) and the
 * repeatable runs (newest first) into the order rollback takes them back:
 * a run before every versioned migration at or below its after_version.
 * With has_limit, keeps the limit first ones.
 */
List *
repeatable_merge_rollback(List *versioned, List *runs, bool has_limit, int64 limit)
{
	List	   *result = NIL;
	ListCell   *v = list_head(versioned);
	ListCell   *r = list_head(runs);

	while ((v != NULL || r != NULL) && (!has_limit || list_length(result) < limit))
	{
		Migration  *next;

		if (v == NULL ||
			(r != NULL &&
			 ((Migration *) lfirst(r))->after_version >= ((Migration *) lfirst(v))->version))
		{
			next = (Migration *) lfirst(r);
			r = lnext(runs, r);
		}
		else
		{
			next = (Migration *) lfirst(v);
			v = lnext(versioned, v);
		}
		result = lappend(result, next);
	}
	return result;
}

/*
 * Records a successful run of a repeatable: up adds a run (with the body it
 * ran), down takes the run back; either way a history row with direction
 * repeat or unrepeat and the body that ran.
 */
void
repeatable_record_run(const Migration *m, MigrateDirection direction,
					  TimestampTz started, TimestampTz finished, const char *role)
{
	Datum		duration = catalog_interval(started, finished);
	NameData	rolename;
	Datum		values[8];
	char		nulls[8];

	namestrcpy(&rolename, role);
	memset(nulls, ' ', sizeof(nulls));
	if (direction == MIGRATE_UP)
	{
		values[0] = CStringGetTextDatum(m->name);
		values[1] = CStringGetTextDatum(m->up);
		values[2] = m->down != NULL ? CStringGetTextDatum(m->down) : (Datum) 0;
		nulls[2] = m->down != NULL ? ' ' : 'n';
		values[3] = CStringGetTextDatum(m->checksum);
		values[4] = TimestampTzGetDatum(started);
		values[5] = NameGetDatum(&rolename);
		values[6] = duration;
		catalog_exec(Q_INSERT_REPEATABLE_RUN, values, nulls, false, 0);
	}
	else
	{
		values[0] = Int64GetDatum(m->run_id);
		catalog_exec(Q_DELETE_REPEATABLE_RUN, values, " ", false, 0);
	}

	memset(nulls, ' ', sizeof(nulls));
	values[0] = CStringGetTextDatum(m->name);
	values[1] = CStringGetTextDatum(direction == MIGRATE_UP ? "repeat" : "unrepeat");
	values[2] = TimestampTzGetDatum(started);
	values[3] = duration;
	values[4] = NameGetDatum(&rolename);
	values[5] = BoolGetDatum(true);
	values[6] = (Datum) 0;
	nulls[6] = 'n';
	if (direction == MIGRATE_UP || m->down != NULL)
		values[7] = CStringGetTextDatum(direction == MIGRATE_UP ? m->up : m->down);
	else
		nulls[7] = 'n';
	catalog_exec(Q_INSERT_REPEATABLE_HISTORY, values, nulls, false, 0);
}

/*
 * Records a failed run of a repeatable in migrate_history, with its error
 * and the body that failed.
 */
void
repeatable_record_failure(const Migration *m, MigrateDirection direction,
						  TimestampTz started, const char *role, const char *error)
{
	NameData	rolename;
	Datum		values[8];
	char		nulls[8];
	const char *body = direction == MIGRATE_UP ? m->up : m->down;

	namestrcpy(&rolename, role);
	memset(nulls, ' ', sizeof(nulls));
	values[0] = CStringGetTextDatum(m->name);
	values[1] = CStringGetTextDatum(direction == MIGRATE_UP ? "repeat" : "unrepeat");
	values[2] = TimestampTzGetDatum(started);
	values[3] = catalog_interval(started, GetCurrentTimestamp());
	values[4] = NameGetDatum(&rolename);
	values[5] = BoolGetDatum(false);
	values[6] = CStringGetTextDatum(error ? error : "unknown error");
	values[7] = body != NULL ? CStringGetTextDatum(body) : (Datum) 0;
	nulls[7] = body != NULL ? ' ' : 'n';
	catalog_exec(Q_INSERT_REPEATABLE_HISTORY, values, nulls, false, 0);
}
