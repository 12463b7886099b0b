/*-------------------------------------------------------------------------
 *
 * define.c
 *	  migrate_define() and migrate_remove(): storing and deleting migration
 *	  definitions, and the steps of a definition that migrate_load() shares.
 *
 * A definition is checked completely before it is stored: a positive
 * version, a name, an up body that parses and holds at least one statement,
 * no transaction control, no psql meta-commands, and a transactional flag
 * that agrees with the statements.  Redefining an applied migration is
 * refused unless the new content is what was applied.
 *
 * A definition that comes from a file (migrate_load()) names the file and
 * the line in it in every error and notice about it, after what the error
 * says of the body.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
#include "catalog.h"
#include "scope.h"
#include "define.h"
#include "lint.h"
#include "lint_rules.h"
#include "lock.h"
#include "runner.h"
#include "statements.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "parser/parser.h"
#include "utils/array.h"
#include "utils/builtins.h"

/* A finding that define_store() shows, and where it is in the file */
typedef struct DefineReport
{
	MigrateDirection direction;
	int			line;			/* in the body */
} DefineReport;

PG_FUNCTION_INFO_V1(migrate_define);
PG_FUNCTION_INFO_V1(migrate_remove);

static void define_check_arguments(FunctionCallInfo fcinfo, int64 *version);
static bool define_transactional(DefinePlan *plan);
static Datum define_result_row(FunctionCallInfo fcinfo, MemoryContext resultcontext);
static bool define_same_with_derived_down(const Migration *existing, bool existing_derived,
										  const char *name, const char *up,
										  bool down_omitted);
static bool define_same_text(const char *stored, const char *given);
static void define_place_callback(void *arg);
static void define_report_replaced(const DefinePlan *plan);
static void define_place_push(DefinePlan *plan, ErrorContextCallback *callback);
static void define_place_pop(DefinePlan *plan, ErrorContextCallback *callback);
static void define_capture_position(void *arg);
static int	define_failure_line(const char *body, int64 version,
								MigrateDirection direction);
static MigrateBody *define_parse(DefinePlan *plan, const char *body,
								 MigrateDirection direction);
static List *define_reports(DefinePlan *plan);

/*
 * Returns whether a string holds nothing but white space.
 */
bool
define_string_is_blank(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char) *s))
			return false;
	return true;
}

/*
 * Returns whether a definition without a down matches an existing one whose
 * down was derived (or could not be): the down derived now may differ only
 * because the catalog changed since, for instance once the migration was
 * applied, so re-running the same migrate_define() call stays a no-op.
 */
static bool
define_same_with_derived_down(const Migration *existing, bool existing_derived,
							  const char *name, const char *up, bool down_omitted)
{
	return down_omitted &&
		(existing_derived || existing->down == NULL) &&
		strcmp(existing->name, name) == 0 &&
		strcmp(existing->up, up) == 0;
}

/*
 * Error context callback of a definition that comes from a file: names the
 * file and the line in it.  While define_store() shows findings, each
 * report in turn gives the line; otherwise the place the plan points at.
 */
static void
define_place_callback(void *arg)
{
	DefinePlace *place = (DefinePlace *) arg;
	const DefineRequest *req = place->req;
	MigrateDirection direction = place->direction;
	int			body_line = place->body_line;
	int			section;
	const char *file;

	if (place->next_report < list_length(place->reports))
	{
		DefineReport *report = list_nth(place->reports, place->next_report++);

		direction = report->direction;
		body_line = report->line;
	}
	section = direction == MIGRATE_UP ? req->up_line : req->down_line;
	file = direction == MIGRATE_DOWN && req->down_file != NULL ? req->down_file : req->file;
	if (section <= 0)
		errcontext("file %s", file);
	else
		errcontext("file %s, line %d", file, section + Max(body_line, 1) - 1);
}

/*
 * Pushes the callback that names the file, when the definition comes from
 * one.
 */
static void
define_place_push(DefinePlan *plan, ErrorContextCallback *callback)
{
	if (plan->req.file == NULL)
		return;
	callback->callback = define_place_callback;
	callback->arg = &plan->place;
	callback->previous = error_context_stack;
	error_context_stack = callback;
}

/*
 * Pops what define_place_push() pushed.
 */
static void
define_place_pop(DefinePlan *plan, ErrorContextCallback *callback)
{
	if (plan->req.file != NULL)
		error_context_stack = callback->previous;
}

/*
 * Error context callback of define_failure_line(): keeps the position of
 * the parser's error, in characters from the start of the body.
 */
static void
define_capture_position(void *arg)
{
	*(int *) arg = geterrposition();
}

/*
 * Returns the line of a body where checking it failed, or 0 if it cannot
 * be told: where the parser stops, or else (the body parses) the first
 * statement that fails the checks on its own.  Called only after
 * statements_parse_body() failed on the body, to place the error in a file;
 * it parses the body again and catches its errors, which only allocate
 * memory.
 */
static int
define_failure_line(const char *body, int64 version, MigrateDirection direction)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ErrorContextCallback *saved = error_context_stack;
	ErrorContextCallback callback;
	volatile int cursor = 0;
	volatile bool parses = true;
	MigrateBody *parsed;
	ListCell   *lc;

	callback.callback = define_capture_position;
	callback.arg = (void *) &cursor;
	callback.previous = NULL;
	PG_TRY();
	{
		error_context_stack = &callback;
		(void) raw_parser(body, RAW_PARSE_DEFAULT);
		error_context_stack = saved;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcontext);
		FlushErrorState();
		parses = false;
	}
	PG_END_TRY();

	if (!parses && cursor <= 0)
		return 0;				/* a parser error without a position */
	if (cursor > 0)
	{
		int			len = strlen(body);
		int			offset = 0;
		int			line = 1;
		int			i;

		for (i = 1; i < cursor && offset < len; i++)
			offset += pg_mblen(body + offset);
		for (i = 0; i < offset && i < len; i++)
			if (body[i] == '\n')
				line++;
		return line;
	}

	parsed = statements_parse_sql(body);
	foreach(lc, parsed->statements)
	{
		MigrateStatement *stmt = (MigrateStatement *) lfirst(lc);
		volatile bool failed = false;

		PG_TRY();
		{
			error_context_stack = NULL;
			(void) statements_parse_body(statements_slice(body, stmt), version, direction);
			error_context_stack = saved;
		}
		PG_CATCH();
		{
			MemoryContextSwitchTo(oldcontext);
			FlushErrorState();
			failed = true;
		}
		PG_END_TRY();
		if (failed)
			return stmt->line;
	}
	return 0;
}

/*
 * Parses and checks a body as statements_parse_body() does.  For a
 * definition from a file, an error also names the file and the line in it,
 * after the context the error has of its own and before that of the
 * caller.
 */
static MigrateBody *
define_parse(DefinePlan *plan, const char *body, MigrateDirection direction)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ErrorContextCallback *saved = error_context_stack;
	MigrateBody *volatile parsed = NULL;

	if (plan->req.file == NULL)
		return statements_parse_body(body, plan->req.version, direction);

	PG_TRY();
	{
		/* only the parser's own context for now */
		error_context_stack = NULL;
		parsed = statements_parse_body(body, plan->req.version, direction);
		error_context_stack = saved;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		FlushErrorState();
		plan->place.direction = direction;
		plan->place.body_line = define_failure_line(body, plan->req.version, direction);
		/* again with the callbacks of the file and of the caller */
		ThrowErrorData(edata);
	}
	PG_END_TRY();
	return parsed;
}

/*
 * Checks the scalar arguments of migrate_define(): version, name and up must
 * be given, the version positive and the name not blank.
 */
static void
define_check_arguments(FunctionCallInfo fcinfo, int64 *version)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("migration version must not be null")));
	*version = PG_GETARG_INT64(0);
	if (*version <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("migration version must be positive, not " INT64_FORMAT, *version),
				 errhint("Use a timestamp such as 20261121093000 as the version.")));
	if (PG_ARGISNULL(1) || define_string_is_blank(text_to_cstring(PG_GETARG_TEXT_PP(1))))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("name of migration " INT64_FORMAT " must not be empty", *version)));
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("up body of migration " INT64_FORMAT " must not be null", *version)));
}

/*
 * Decides whether the migration runs in a transaction: detected from the
 * statements when not given, and an error when given as true while a
 * statement cannot run inside a transaction block.
 */
static bool
define_transactional(DefinePlan *plan)
{
	MigrateBody *up = plan->up_body;
	MigrateBody *down = plan->down_body;
	MigrateBody *culprit = up->top_level_statement ? up :
		(down && down->top_level_statement ? down : NULL);

	if (!plan->req.transactional_given)
		return culprit == NULL;
	if (plan->req.transactional && culprit != NULL)
	{
		MigrateStatement *stmt = list_nth(culprit->statements,
										  culprit->top_level_statement - 1);

		plan->place.direction = culprit == up ? MIGRATE_UP : MIGRATE_DOWN;
		plan->place.body_line = stmt->line;
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("migration " INT64_FORMAT " cannot be transactional", plan->req.version),
				 errdetail("Statement %d of its %s body is %s, which cannot run inside a transaction block.",
						   culprit->top_level_statement, culprit == up ? "up" : "down",
						   culprit->top_level_tag),
				 errhint("Pass transactional => false, or leave it NULL to detect it.")));
	}
	return plan->req.transactional;
}

/*
 * Builds migrate_define()'s result, the stored row, from the single row of
 * the last SPI query, in the caller's memory context.  The row type keeps
 * the place of a dropped column (1.1 made the checksum a generated column),
 * which the query does not return, so columns are matched by name.
 */
static Datum
define_result_row(FunctionCallInfo fcinfo, MemoryContext resultcontext)
{
	TupleDesc	resultdesc;
	MemoryContext oldcontext;
	Datum	   *values;
	bool	   *nulls;
	HeapTuple	result;
	Datum		datum;
	int			i;

	if (SPI_processed != 1)
		elog(ERROR, "expected one migration row, found " UINT64_FORMAT, SPI_processed);

	oldcontext = MemoryContextSwitchTo(resultcontext);
	if (get_call_result_type(fcinfo, NULL, &resultdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "migrate_define must return a composite type");
	resultdesc = BlessTupleDesc(resultdesc);
	values = palloc(sizeof(Datum) * resultdesc->natts);
	nulls = palloc(sizeof(bool) * resultdesc->natts);
	for (i = 0; i < resultdesc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(resultdesc, i);
		int			column;

		values[i] = (Datum) 0;
		nulls[i] = true;
		if (attr->attisdropped)
			continue;
		column = SPI_fnumber(SPI_tuptable->tupdesc, NameStr(attr->attname));
		if (column <= 0)
			elog(ERROR, "migrate_migrations does not match the function's result type");
		values[i] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
								  column, &nulls[i]);
	}
	result = heap_form_tuple(resultdesc, values, nulls);
	/* flattens out-of-line values, so it must allocate in resultcontext */
	datum = HeapTupleGetDatum(result);
	MemoryContextSwitchTo(oldcontext);
	return datum;
}

/*
 * Starts the definition of a migration: a plan holding a copy of the
 * request, to which each step adds what it finds.
 */
DefinePlan *
define_begin(const DefineRequest *req)
{
	DefinePlan *plan = palloc0(sizeof(DefinePlan));

	plan->req = *req;
	plan->definer = GetUserNameFromId(GetUserId(), false);
	plan->place.req = &plan->req;
	plan->place.direction = MIGRATE_UP;
	return plan;
}

/*
 * Parses and checks the bodies, derives the down when none is given,
 * decides whether the migration is transactional, and lints it: everything
 * that depends on the definition alone.  Raises the errors of an invalid
 * definition; reads no row of the catalog.
 */
void
define_analyse(DefinePlan *plan)
{
	const DefineRequest *req = &plan->req;
	ErrorContextCallback callback;

	define_place_push(plan, &callback);
	plan->place.direction = MIGRATE_UP;
	plan->place.body_line = 0;
	plan->up_body = define_parse(plan, req->up, MIGRATE_UP);
	if (plan->up_body->statements == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("up body of migration " INT64_FORMAT " is empty", req->version),
				 errdetail("It holds no SQL statement, only white space or comments.")));
	plan->down = req->down ? pstrdup(req->down) : NULL;
	if (plan->down == NULL)
	{
		/* derive it, as Ecto's change does; NULL if irreversible */
		plan->down = reverse_derive_down(req->up, req->version, plan->up_body);
		plan->down_derived = plan->down != NULL;
	}
	if (plan->down != NULL)
		plan->down_body = define_parse(plan, plan->down, MIGRATE_DOWN);
	plan->transactional = define_transactional(plan);
	plan->checksum = checksum_definition(req->name, req->up, plan->down);
	plan->assured = safety_assured_rules(req->safety_assured, req->up, plan->down);
	plan->assured_array = safety_rules_array(plan->assured);
	plan->up_findings = lint_body(req->up, plan->up_body, plan->transactional, NULL, NULL);
	if (plan->down_body != NULL)
		plan->down_findings = lint_body(plan->down, plan->down_body, plan->transactional,
										req->up, plan->up_body);
	plan->analysed = true;
	define_place_pop(plan, &callback);
}

/*
 * Takes a row of Q_DEFINITION_ANY or Q_ALL_DEFINITIONS_ANY as the stored
 * definition of the migration, with the checksum it was applied with (in
 * any schema of its set).
 */
void
define_set_stored(DefinePlan *plan, HeapTuple tuple, TupleDesc tupdesc)
{
	bool		isnull;

	plan->existing = catalog_read_migration(tuple, tupdesc);
	plan->existing_derived = catalog_getbool(tuple, tupdesc,
											 catalog_column(tupdesc, "down_derived"),
											 &isnull);
	plan->existing_assured = catalog_getvalue(tuple, tupdesc,
											  catalog_column(tupdesc, "safety_assured"));
	plan->applied_checksum = plan->existing->applied_checksum;
}

/*
 * Reads the stored definition of the migration, if any, and the checksum
 * with which it was applied, if it was.  SPI is connected and the
 * migration lock held.
 */
void
define_read_stored(DefinePlan *plan)
{
	Datum		values[1];

	values[0] = Int64GetDatum(plan->req.version);
	catalog_exec(Q_DEFINITION_ANY, values, " ", false, 1);
	if (SPI_processed == 1)
	{
		define_set_stored(plan, SPI_tuptable->vals[0], SPI_tuptable->tupdesc);
		return;
	}
	/* applied once, and its definition removed since */
	catalog_exec(Q_APPLIED_CHECKSUM_ANY, values, " ", false, 1);
	if (SPI_processed == 1)
		plan->applied_checksum = catalog_getvalue(SPI_tuptable->vals[0],
												  SPI_tuptable->tupdesc, 1);
}

/*
 * Returns whether two texts, either of which may be NULL, are the same.
 */
static bool
define_same_text(const char *stored, const char *given)
{
	if (stored == NULL || given == NULL)
		return stored == given;
	return strcmp(stored, given) == 0;
}

/*
 * Returns whether the stored row already is what defining the migration
 * would leave, telling it without analysing the bodies: the same name, up
 * and down (or no down given, and the stored one derived), a transactional
 * flag that is given and the same, or not given and stored as true (so no
 * statement stopped it), the same accepted rules and the same definer.
 * False means "not known": the full definition decides.  Called after
 * define_read_stored().
 */
bool
define_same_as_stored(DefinePlan *plan)
{
	const DefineRequest *req = &plan->req;
	const Migration *existing = plan->existing;
	List	   *assured;

	if (existing == NULL)
		return false;
	if (req->transactional_given ?
		existing->transactional != req->transactional : !existing->transactional)
		return false;
	if (strcmp(existing->defined_by, plan->definer) != 0)
		return false;
	if (req->down != NULL ?
		!define_same_text(existing->name, req->name) ||
		!define_same_text(existing->up, req->up) ||
		!define_same_text(existing->down, req->down) :
		!define_same_with_derived_down(existing, plan->existing_derived,
									   req->name, req->up, true))
		return false;
	assured = safety_assured_rules(req->safety_assured, req->up, req->down);
	if (strcmp(plan->existing_assured,
			   assured == NIL ? "{}" : safety_array_text(safety_rules_array(assured))) != 0)
		return false;
	plan->action = DEFINE_UNCHANGED;
	plan->bookkeeping = false;
	return true;
}

/*
 * Decides what storing the analysed definition does: nothing but
 * bookkeeping for identical content, a new row, or a pending row replaced.
 * Raises an error, naming the file when there is one, when the migration is
 * applied with other content.  Called after define_analyse() and
 * define_read_stored().
 */
void
define_decide(DefinePlan *plan)
{
	const DefineRequest *req = &plan->req;
	const Migration *existing = plan->existing;
	ErrorContextCallback callback;

	Assert(plan->analysed);
	if (existing != NULL && existing->transactional == plan->transactional &&
		(strcmp(existing->checksum, plan->checksum) == 0 ||
		 define_same_with_derived_down(existing, plan->existing_derived,
									   req->name, req->up, req->down == NULL)))
	{
		/*
		 * Identical content: at most the definer and the accepted rules
		 * change; the findings stored when it was defined stay.
		 */
		plan->action = DEFINE_UNCHANGED;
		plan->bookkeeping = strcmp(existing->defined_by, plan->definer) != 0 ||
			strcmp(plan->existing_assured, safety_array_text(plan->assured_array)) != 0;
		return;
	}

	define_place_push(plan, &callback);
	plan->place.direction = MIGRATE_UP;
	plan->place.body_line = 0;
	if (plan->applied_checksum != NULL &&
		(strcmp(plan->applied_checksum, plan->checksum) != 0 ||
		 (existing != NULL && existing->transactional != plan->transactional)))
	{
		if (req->file != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("migration " INT64_FORMAT " is already applied and cannot be redefined", req->version),
					 errdetail("The definition in file %s differs from the one that was applied.",
							   req->file),
					 errhint("Restore the file as it was applied, and define the change as a new migration with a higher version.")));
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("migration " INT64_FORMAT " is already applied and cannot be redefined", req->version),
				 errdetail("The new definition differs from the one that was applied."),
				 errhint("Define the change as a new migration with a higher version.")));
	}
	define_place_pop(plan, &callback);
	plan->action = existing != NULL ? DEFINE_REPLACED : DEFINE_NEW;
	plan->bookkeeping = false;
}

/*
 * Returns, for a definition from a file, the findings define_store() is
 * about to show, in the order safety_record_findings() shows them: the
 * unassured ones of the up, then of the down, when migrate.safety is not
 * off and their message level is one that is sent or logged.
 */
static List *
define_reports(DefinePlan *plan)
{
	List	   *reports = NIL;
	int			pass;

	if (migrate_safety == SAFETY_OFF)
		return NIL;
	for (pass = 0; pass < 2; pass++)
	{
		ListCell   *lc;

		foreach(lc, pass == 0 ? plan->up_findings : plan->down_findings)
		{
			LintFinding *f = (LintFinding *) lfirst(lc);
			bool		assured = false;
			ListCell   *rc;

			foreach(rc, plan->assured)
				if (strcmp((char *) lfirst(rc), f->rule) == 0)
					assured = true;
			if (!assured &&
				message_level_is_interesting(strcmp(f->severity, LINT_ERROR) == 0 ?
											 WARNING : NOTICE))
			{
				DefineReport *report = palloc(sizeof(DefineReport));

				report->direction = pass == 0 ? MIGRATE_UP : MIGRATE_DOWN;
				report->line = f->line;
				reports = lappend(reports, report);
			}
		}
	}
	return reports;
}

/*
 * Writes what define_decide() decided: the new or replaced row and its
 * findings (shown as they are stored), or for identical content the
 * definer and the accepted rules when they changed.  SPI is connected and
 * the migration lock held.
 */
void
define_store(DefinePlan *plan)
{
	const DefineRequest *req = &plan->req;
	Datum		values[9];
	char		nulls[9];
	NameData	definer_name;
	ErrorContextCallback callback;

	namestrcpy(&definer_name, plan->definer);
	if (plan->action == DEFINE_UNCHANGED)
	{
		if (!plan->bookkeeping)
			return;
		values[0] = Int64GetDatum(req->version);
		values[1] = NameGetDatum(&definer_name);
		values[2] = plan->assured_array;
		catalog_bump_epoch();
		catalog_exec(Q_SET_DEFINER, values, "   ", false, 0);
		return;
	}

	memset(nulls, ' ', sizeof(nulls));
	values[0] = Int64GetDatum(req->version);
	values[1] = CStringGetTextDatum(req->name);
	values[2] = CStringGetTextDatum(req->up);
	values[3] = plan->down ? CStringGetTextDatum(plan->down) : (Datum) 0;
	nulls[3] = plan->down ? ' ' : 'n';
	values[4] = BoolGetDatum(plan->down_derived);
	values[5] = BoolGetDatum(plan->transactional);
	values[6] = NameGetDatum(&definer_name);
	values[7] = plan->assured_array;
	catalog_bump_epoch();
	catalog_exec(Q_UPSERT_DEFINITION, values, nulls, false, 0);
	SPI_freetuptable(SPI_tuptable);

	define_place_push(plan, &callback);
	if (req->file != NULL)
	{
		plan->place.reports = define_reports(plan);
		plan->place.next_report = 0;
	}
	safety_record_findings(req->version, plan->up_findings, plan->down_findings,
						   plan->assured);
	plan->place.reports = NIL;
	define_place_pop(plan, &callback);
}

/*
 * Deletes the definition of a migration and its findings; the caller has
 * checked that it is not applied.
 */
void
define_delete(int64 version)
{
	Datum		values[1];

	values[0] = Int64GetDatum(version);
	catalog_bump_epoch();
	catalog_exec(Q_DELETE_DEFINITION, values, " ", false, 0);
	catalog_exec(Q_DELETE_FINDINGS, values, " ", false, 0);
}

/*
 * Says, for a stored definition that define_decide() decided to replace,
 * what the new one changes: its name, up, down or transactional mode, so
 * that a definition is never replaced without a word.  An applied
 * migration's row is replaced only by the definition that was applied,
 * after someone changed the row directly: that says it is restored.
 * Called before define_store(), whose findings follow.
 */
static void
define_report_replaced(const DefinePlan *plan)
{
	const Migration *existing = plan->existing;
	StringInfoData changed;
	int			count = 0;
	const char *parts[4];
	int			i;

	if (plan->action != DEFINE_REPLACED)
		return;
	if (!define_same_text(existing->name, plan->req.name))
		parts[count++] = "name";
	if (!define_same_text(existing->up, plan->req.up))
		parts[count++] = "up";
	if (!define_same_text(existing->down, plan->down))
		parts[count++] = "down";
	if (existing->transactional != plan->transactional)
		parts[count++] = "transactional mode";
	if (count == 0)
		return;

	initStringInfo(&changed);
	for (i = 0; i < count; i++)
		appendStringInfo(&changed, "%s%s",
						 i == 0 ? "" : (i == count - 1 ? " and " : ", "), parts[i]);
	if (plan->applied_checksum != NULL)
		ereport(NOTICE,
				(errmsg("definition of applied migration " INT64_FORMAT " \"%s\" restored to the one that was applied",
						plan->req.version, plan->req.name),
				 errdetail("The stored definition had a different %s, written without migrate_define().",
						   changed.data)));
	else if (!define_same_text(existing->name, plan->req.name))
		ereport(NOTICE,
				(errmsg("pending migration " INT64_FORMAT " redefined with a different %s",
						plan->req.version, changed.data),
				 errdetail("Its name was \"%s\"; the previous definition is replaced.",
						   existing->name)));
	else
		ereport(NOTICE,
				(errmsg("pending migration " INT64_FORMAT " redefined with a different %s",
						plan->req.version, changed.data),
				 errdetail("The previous definition of \"%s\" is replaced.",
						   existing->name)));
}

/*
 * migrate_define(version, name, up, down, transactional, safety_assured,
 * set): stores a migration of a set with its safety findings and returns the stored row.
 * Identical content is a no-op (the caller becomes the definer if another
 * role defined it); different content replaces a pending definition and is
 * refused for an applied one.
 */
Datum
migrate_define(PG_FUNCTION_ARGS)
{
	MemoryContext resultcontext = CurrentMemoryContext;
	DefineRequest req;
	DefinePlan *plan;
	Datum		values[1];
	Datum		result;

	runner_check_entry("migrate_define", true);
	memset(&req, 0, sizeof(req));
	define_check_arguments(fcinfo, &req.version);
	req.name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	req.up = text_to_cstring(PG_GETARG_TEXT_PP(2));
	req.down = PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));
	req.transactional_given = !PG_ARGISNULL(4);
	req.transactional = PG_ARGISNULL(4) ? true : PG_GETARG_BOOL(4);
	req.safety_assured = PG_ARGISNULL(5) ? NULL : PG_GETARG_ARRAYTYPE_P(5);
	scope_from_args(fcinfo, 6, -1);

	plan = define_begin(&req);
	define_analyse(plan);

	SPI_connect();
	catalog_open();
	migrate_lock_acquire(false);
	catalog_check_snapshot();

	define_read_stored(plan);
	define_decide(plan);
	define_report_replaced(plan);
	define_store(plan);

	values[0] = Int64GetDatum(req.version);
	catalog_exec(Q_DEFINITION_ROW, values, " ", false, 0);
	result = define_result_row(fcinfo, resultcontext);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

/*
 * migrate_remove(version): deletes the definition of a migration that is
 * not applied.
 */
Datum
migrate_remove(PG_FUNCTION_ARGS)
{
	int64		version;
	Datum		values[1];
	bool		defined;
	bool		applied;

	runner_check_entry("migrate_remove", true);
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("migration version must not be null")));
	version = PG_GETARG_INT64(0);
	scope_from_args(fcinfo, 1, -1);

	SPI_connect();
	catalog_open();
	migrate_lock_acquire(false);
	catalog_check_snapshot();

	values[0] = Int64GetDatum(version);
	catalog_exec(Q_DEFINITION_ANY, values, " ", false, 1);
	defined = SPI_processed == 1;
	catalog_exec(Q_APPLIED_CHECKSUM_ANY, values, " ", false, 1);
	applied = SPI_processed == 1;

	if (!defined)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("migration " INT64_FORMAT " does not exist", version)));
	if (applied)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("migration " INT64_FORMAT " is applied and cannot be removed", version),
				 errhint("Roll it back first with migrate_rollback().")));

	define_delete(version);
	SPI_finish();
	PG_RETURN_VOID();
}
