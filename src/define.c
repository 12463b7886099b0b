/*-------------------------------------------------------------------------
 *
 * define.c
 *	  migrate_define() and migrate_remove(): storing and deleting migration
 *	  definitions.
 *
 * A definition is checked completely before it is stored: a positive
 * version, a name, an up body that parses and holds at least one statement,
 * no transaction control, no psql meta-commands, and a transactional flag
 * that agrees with the statements.  Redefining an applied migration is
 * refused unless the new content is what was applied.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
#include "catalog.h"
#include "lint.h"
#include "lock.h"
#include "runner.h"
#include "statements.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(migrate_define);
PG_FUNCTION_INFO_V1(migrate_remove);

static void define_check_arguments(FunctionCallInfo fcinfo, int64 *version);
static bool define_transactional(int64 version, MigrateBody *up, MigrateBody *down,
								 bool transactional_given, bool transactional);
static Datum define_result_row(FunctionCallInfo fcinfo, MemoryContext resultcontext);
static bool string_is_blank(const char *s);
static bool define_same_with_derived_down(const Migration *existing, bool existing_derived,
										  const char *name, const char *up,
										  bool down_omitted);

/*
 * Returns whether a string holds nothing but white space.
 */
static bool
string_is_blank(const char *s)
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
	if (PG_ARGISNULL(1) || string_is_blank(text_to_cstring(PG_GETARG_TEXT_PP(1))))
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
define_transactional(int64 version, MigrateBody *up, MigrateBody *down,
					 bool transactional_given, bool transactional)
{
	MigrateBody *culprit = up->top_level_statement ? up :
		(down && down->top_level_statement ? down : NULL);

	if (!transactional_given)
		return culprit == NULL;
	if (transactional && culprit != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("migration " INT64_FORMAT " cannot be transactional", version),
				 errdetail("Statement %d of its %s body is %s, which cannot run inside a transaction block.",
						   culprit->top_level_statement, culprit == up ? "up" : "down",
						   culprit->top_level_tag),
				 errhint("Pass transactional => false, or leave it NULL to detect it.")));
	return transactional;
}

/*
 * Builds migrate_define()'s result, the stored row, from the single row of
 * the last SPI query, in the caller's memory context.
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

	if (SPI_processed != 1)
		elog(ERROR, "expected one migration row, found " UINT64_FORMAT, SPI_processed);

	oldcontext = MemoryContextSwitchTo(resultcontext);
	if (get_call_result_type(fcinfo, NULL, &resultdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "migrate_define must return a composite type");
	resultdesc = BlessTupleDesc(resultdesc);
	if (resultdesc->natts != SPI_tuptable->tupdesc->natts)
		elog(ERROR, "migrate_migrations does not match the function's result type");
	values = palloc(sizeof(Datum) * resultdesc->natts);
	nulls = palloc(sizeof(bool) * resultdesc->natts);
	heap_deform_tuple(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, values, nulls);
	result = heap_form_tuple(resultdesc, values, nulls);
	/* flattens out-of-line values, so it must allocate in resultcontext */
	datum = HeapTupleGetDatum(result);
	MemoryContextSwitchTo(oldcontext);
	return datum;
}

/*
 * migrate_define(version, name, up, down, transactional, safety_assured):
 * stores a migration with its safety findings and returns the stored row.  Identical content is a no-op (the
 * caller becomes the definer if another role defined it); different content
 * replaces a pending definition and is refused for an applied one.
 */
Datum
migrate_define(PG_FUNCTION_ARGS)
{
	MemoryContext resultcontext = CurrentMemoryContext;
	int64		version;
	char	   *name;
	char	   *up;
	char	   *down;
	MigrateBody *up_body;
	MigrateBody *down_body = NULL;
	bool		down_derived = false;
	bool		existing_derived = false;
	bool		transactional;
	char	   *checksum;
	char	   *definer;
	NameData	definer_name;
	Migration  *existing = NULL;
	char	   *applied_checksum = NULL;
	List	   *assured;
	Datum		assured_array;
	char	   *existing_assured = NULL;
	List	   *up_findings;
	List	   *down_findings = NIL;
	Datum		values[9];
	char		nulls[9];
	Datum		result;

	runner_check_entry("migrate_define", true);
	define_check_arguments(fcinfo, &version);
	name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	up = text_to_cstring(PG_GETARG_TEXT_PP(2));
	down = PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));

	up_body = statements_parse_body(up, version, MIGRATE_UP);
	if (up_body->statements == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("up body of migration " INT64_FORMAT " is empty", version),
				 errdetail("It holds no SQL statement, only white space or comments.")));
	if (down == NULL)
	{
		/* derive it, as Ecto's change does; NULL if irreversible */
		down = reverse_derive_down(up, version, up_body);
		down_derived = down != NULL;
	}
	if (down != NULL)
		down_body = statements_parse_body(down, version, MIGRATE_DOWN);
	transactional = define_transactional(version, up_body, down_body,
										 !PG_ARGISNULL(4),
										 PG_ARGISNULL(4) ? true : PG_GETARG_BOOL(4));
	checksum = checksum_definition(name, up, down);
	assured = safety_assured_rules(PG_ARGISNULL(5) ? NULL : PG_GETARG_ARRAYTYPE_P(5), up, down);
	assured_array = safety_rules_array(assured);
	up_findings = lint_body(up, up_body, transactional, NULL, NULL);
	if (down_body != NULL)
		down_findings = lint_body(down, down_body, transactional, up, up_body);
	definer = GetUserNameFromId(GetUserId(), false);
	namestrcpy(&definer_name, definer);

	SPI_connect();
	catalog_open();
	migrate_lock_acquire(false);
	catalog_check_snapshot();

	values[0] = Int64GetDatum(version);
	catalog_exec(Q_DEFINITION, values, " ", false, 1);
	if (SPI_processed == 1)
	{
		bool		isnull;

		existing = catalog_read_migration(SPI_tuptable->vals[0], SPI_tuptable->tupdesc);
		existing_derived = catalog_getbool(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
										   9, &isnull);
		existing_assured = catalog_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 10);
	}
	catalog_exec(Q_APPLIED_CHECKSUM, values, " ", false, 1);
	if (SPI_processed == 1)
		applied_checksum = catalog_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

	if (existing != NULL && existing->transactional == transactional &&
		(strcmp(existing->checksum, checksum) == 0 ||
		 define_same_with_derived_down(existing, existing_derived, name, up,
									   PG_ARGISNULL(3))))
	{
		/*
		 * Identical content: at most the definer and the accepted rules
		 * change; the findings stored when it was defined stay.
		 */
		values[1] = NameGetDatum(&definer_name);
		values[2] = assured_array;
		if (strcmp(existing->defined_by, definer) != 0 ||
			strcmp(existing_assured, safety_array_text(assured_array)) != 0)
		{
			catalog_bump_epoch();
			catalog_exec(Q_SET_DEFINER, values, "   ", false, 0);
		}
		else
			catalog_exec(Q_DEFINITION_ROW, values, " ", false, 0);
		result = define_result_row(fcinfo, resultcontext);
		SPI_finish();
		PG_RETURN_DATUM(result);
	}

	if (applied_checksum != NULL &&
		(strcmp(applied_checksum, checksum) != 0 ||
		 (existing != NULL && existing->transactional != transactional)))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("migration " INT64_FORMAT " is already applied and cannot be redefined", version),
				 errdetail("The new definition differs from the one that was applied."),
				 errhint("Define the change as a new migration with a higher version.")));

	memset(nulls, ' ', sizeof(nulls));
	values[0] = Int64GetDatum(version);
	values[1] = CStringGetTextDatum(name);
	values[2] = CStringGetTextDatum(up);
	values[3] = down ? CStringGetTextDatum(down) : (Datum) 0;
	nulls[3] = down ? ' ' : 'n';
	values[4] = BoolGetDatum(down_derived);
	values[5] = BoolGetDatum(transactional);
	values[6] = CStringGetTextDatum(checksum);
	values[7] = NameGetDatum(&definer_name);
	values[8] = assured_array;
	catalog_bump_epoch();
	catalog_exec(Q_UPSERT_DEFINITION, values, nulls, false, 0);
	result = define_result_row(fcinfo, resultcontext);
	SPI_freetuptable(SPI_tuptable);
	safety_record_findings(version, up_findings, down_findings, assured);
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

	SPI_connect();
	catalog_open();
	migrate_lock_acquire(false);
	catalog_check_snapshot();

	values[0] = Int64GetDatum(version);
	catalog_exec(Q_DEFINITION, values, " ", false, 1);
	defined = SPI_processed == 1;
	catalog_exec(Q_APPLIED_CHECKSUM, values, " ", false, 1);
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

	catalog_bump_epoch();
	catalog_exec(Q_DELETE_DEFINITION, values, " ", false, 0);
	catalog_exec(Q_DELETE_FINDINGS, values, " ", false, 0);
	SPI_finish();
	PG_RETURN_VOID();
}
