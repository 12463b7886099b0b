/*-------------------------------------------------------------------------
 *
 * status.c
 *	  migrate_status(): the read-only view of every known migration.  It
 *	  takes no lock and runs nothing.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
#include "catalog.h"
#include "scope.h"
#include "lint.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(migrate_status);
PG_FUNCTION_INFO_V1(migrate_status_schemas);

/* The unassured rules of a pending migration, linted now */
typedef struct FreshUnassured
{
	int64		version;
	Datum		rules;			/* text[] */
} FreshUnassured;

/* A schema's position in the list given (from 1), by name */
typedef struct SchemaPosition
{
	char		schema[NAMEDATALEN];
	int			position;
} SchemaPosition;

/* A row of migrate_status_schemas(), with what orders it */
typedef struct SchemaStatusRow
{
	int			position;		/* of its schema in the list given */
	bool		repeatable;		/* no version: after the versioned ones */
	int64		version;
	char	   *name;
	HeapTuple	tuple;
} SchemaStatusRow;

static int	rule_compare(const ListCell *a, const ListCell *b);
static Datum unassured_now(const Migration *m, const char *assured);
static List *fresh_unassured(void);
static Migration *find_definition(SPITupleTable *defs, uint64 ndefs, int64 version,
								  char **assured);
static void copy_result_rows(FunctionCallInfo fcinfo, SPITupleTable *rows,
							 uint64 count, List *fresh);
static HTAB *schema_positions(List *schemas);
static SchemaStatusRow *order_schema_rows(SPITupleTable *rows, uint64 count,
										  List *schemas);
static int	schema_row_compare(const void *a, const void *b);

/*
 * Orders rule ids (String nodes) bytewise.
 */
static int
rule_compare(const ListCell *a, const ListCell *b)
{
	return strcmp(strVal(lfirst(a)), strVal(lfirst(b)));
}

/*
 * Returns the rules of the error-level findings of a migration's up that it
 * does not accept (assured: its safety_assured as text), as the catalog
 * judges it now in the current scope (see safety_relint()), as a sorted
 * text[] without duplicates.
 */
static Datum
unassured_now(const Migration *m, const char *assured)
{
	List	   *up_findings;
	List	   *rules = NIL;
	Datum	   *elems;
	int			n = 0;
	ListCell   *lc;

	safety_relint(m, &up_findings, NULL);
	foreach(lc, safety_unassured(up_findings, assured))
	{
		const char *rule = ((LintFinding *) lfirst(lc))->rule;

		if (!list_member(rules, makeString((char *) rule)))
			rules = lappend(rules, makeString((char *) rule));
	}
	list_sort(rules, rule_compare);
	elems = palloc(sizeof(Datum) * Max(list_length(rules), 1));
	foreach(lc, rules)
		elems[n++] = CStringGetTextDatum(strVal(lfirst(lc)));
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * Returns, for each pending migration in version order, the rules of the
 * error-level findings of its up that it does not accept, as the catalog
 * judges it now (see safety_relint()): what apply would refuse it for.
 */
static List *
fresh_unassured(void)
{
	List	   *result = NIL;
	SPITupleTable *rows;
	uint64		count;
	uint64		i;

	catalog_exec(Q_ALL_DEFINITIONS, NULL, NULL, true, 0);
	rows = SPI_tuptable;
	count = SPI_processed;
	for (i = 0; i < count; i++)
	{
		Migration  *m = catalog_read_migration(rows->vals[i], rows->tupdesc);
		FreshUnassured *fresh;

		if (m->applied_checksum != NULL)
			continue;
		fresh = palloc(sizeof(FreshUnassured));
		fresh->version = m->version;
		fresh->rules = unassured_now(m,
									 catalog_getvalue(rows->vals[i], rows->tupdesc,
													  catalog_column(rows->tupdesc,
																	 "safety_assured")));
		result = lappend(result, fresh);
	}
	return result;
}

/*
 * Copies the status rows into the function's materialized result set, the
 * unassured rules of each pending migration replaced by the fresh ones
 * (both lists are in version order).
 */
static void
copy_result_rows(FunctionCallInfo fcinfo, SPITupleTable *rows, uint64 count, List *fresh)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			natts = rsinfo->setDesc->natts;
	Datum	   *values = palloc(sizeof(Datum) * natts);
	bool	   *nulls = palloc(sizeof(bool) * natts);
	int			unassured = catalog_column(rows->tupdesc, "unassured") - 1;
	ListCell   *lc = list_head(fresh);
	uint64		i;

	for (i = 0; i < count; i++)
	{
		heap_deform_tuple(rows->vals[i], rows->tupdesc, values, nulls);
		/* a repeatable (no version) keeps its row as it is */
		while (lc != NULL && !nulls[0] &&
			   ((FreshUnassured *) lfirst(lc))->version < DatumGetInt64(values[0]))
			lc = lnext(fresh, lc);
		if (lc != NULL && !nulls[0] && !nulls[unassured] &&
			((FreshUnassured *) lfirst(lc))->version == DatumGetInt64(values[0]))
			values[unassured] = ((FreshUnassured *) lfirst(lc))->rules;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/*
 * migrate_status(): every known version in order, with its state (applied,
 * pending, changed, missing, running or failed), when it was applied,
 * whether it runs in a transaction and whether it has a down body.  The rows
 * are those of the extension's internal view migrate_status_rows, read as
 * the extension owner (see catalog.c), with the unassured rules of pending
 * migrations as the catalog judges them now.
 */
Datum
migrate_status(PG_FUNCTION_ARGS)
{
	SPITupleTable *rows;
	uint64		count;
	List	   *fresh;

	scope_from_args(fcinfo, 0, 1);
	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	catalog_open();
	scope_require_known_set();
	catalog_exec(Q_STATUS, NULL, NULL, true, 0);
	rows = SPI_tuptable;
	count = SPI_processed;
	fresh = fresh_unassured();
	copy_result_rows(fcinfo, rows, count, fresh);
	SPI_finish();
	return (Datum) 0;
}

/*
 * Returns the definition of version among the set's definitions (rows of
 * Q_ALL_DEFINITIONS_ANY), with its accepted rules in *assured; NULL if it
 * has none.
 */
static Migration *
find_definition(SPITupleTable *defs, uint64 ndefs, int64 version, char **assured)
{
	uint64		i;

	for (i = 0; i < ndefs; i++)
	{
		bool		isnull;

		if (catalog_getint64(defs->vals[i], defs->tupdesc,
							 catalog_column(defs->tupdesc, "version"), &isnull) != version)
			continue;
		*assured = catalog_getvalue(defs->vals[i], defs->tupdesc,
									catalog_column(defs->tupdesc, "safety_assured"));
		return catalog_read_migration(defs->vals[i], defs->tupdesc);
	}
	return NULL;
}

/*
 * migrate_status_schemas(set, schemas): migrate_status() of a set in each
 * schema given, in one query, each row with its schema first, the schemas
 * in the order given: where a fleet of tenants stands.  The unassured
 * rules of a pending migration are judged now in its schema.
 */
Datum
migrate_status_schemas(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const char *set = scope_arg_set(fcinfo, 0);
	SPITupleTable *rows;
	SPITupleTable *defs;
	uint64		count;
	uint64		ndefs;
	uint64		i;
	Datum		values[9];
	bool		nulls[9];
	List	   *schemas;
	SchemaStatusRow *ordered;

	/* every schema checked (it exists, no NULL, none twice) first */
	schemas = scope_schemas_argument(fcinfo, 1);
	scope_set(set, "");
	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	catalog_open();
	scope_require_known_set();
	catalog_exec(Q_ALL_DEFINITIONS_ANY, NULL, NULL, true, 0);
	defs = SPI_tuptable;
	ndefs = SPI_processed;
	values[0] = PG_GETARG_DATUM(1);
	catalog_exec(Q_STATUS_SCHEMAS, values, " ", true, 0);
	rows = SPI_tuptable;
	count = SPI_processed;
	ordered = order_schema_rows(rows, count, schemas);
	for (i = 0; i < count; i++)
	{
		heap_deform_tuple(ordered[i].tuple, rows->tupdesc, values, nulls);
		/* a pending versioned migration: its unassured rules, judged now */
		if (!nulls[1] && !nulls[7] &&
			strcmp(TextDatumGetCString(values[3]), "pending") == 0)
		{
			char	   *assured = NULL;
			Migration  *m = find_definition(defs, ndefs, DatumGetInt64(values[1]),
											&assured);

			if (m != NULL)
			{
				scope_set(set, TextDatumGetCString(values[0]));
				values[7] = unassured_now(m, assured);
			}
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	scope_set(set, "");
	SPI_finish();
	return (Datum) 0;
}

/*
 * Returns a hash table of SchemaPosition: where each schema of a list
 * stands in it.
 */
static HTAB *
schema_positions(List *schemas)
{
	HASHCTL		ctl;
	HTAB	   *positions;
	ListCell   *lc;

	ctl.keysize = NAMEDATALEN;
	ctl.entrysize = sizeof(SchemaPosition);
	ctl.hcxt = CurrentMemoryContext;
	positions = hash_create("migrate schema positions", list_length(schemas), &ctl,
							HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	foreach(lc, schemas)
	{
		SchemaPosition *entry = (SchemaPosition *) hash_search(positions, lfirst(lc),
															   HASH_ENTER, NULL);

		entry->position = foreach_current_index(lc) + 1;
	}
	return positions;
}

/*
 * Returns the rows of Q_STATUS_SCHEMAS in the order migrate_status_schemas()
 * gives them: by the schema's place in the list given, then versions in
 * order, then the repeatables by name (bytewise).  Sorting here keeps the
 * query free of a join on the list, whose size a prepared plan cannot know.
 */
static SchemaStatusRow *
order_schema_rows(SPITupleTable *rows, uint64 count, List *schemas)
{
	HTAB	   *positions = schema_positions(schemas);
	SchemaStatusRow *ordered = palloc(sizeof(SchemaStatusRow) * Max(count, 1));
	uint64		i;

	for (i = 0; i < count; i++)
	{
		bool		isnull;
		char	   *schema = catalog_getvalue(rows->vals[i], rows->tupdesc, 1);
		SchemaPosition *entry = (SchemaPosition *) hash_search(positions, schema,
															   HASH_FIND, NULL);

		ordered[i].position = entry != NULL ? entry->position : 0;
		ordered[i].version = catalog_getint64(rows->vals[i], rows->tupdesc, 2, &isnull);
		ordered[i].repeatable = isnull;
		ordered[i].name = catalog_getvalue(rows->vals[i], rows->tupdesc, 3);
		ordered[i].tuple = rows->vals[i];
	}
	qsort(ordered, count, sizeof(SchemaStatusRow), schema_row_compare);
	hash_destroy(positions);
	return ordered;
}

/*
 * Orders SchemaStatusRows: see order_schema_rows().
 */
static int
schema_row_compare(const void *a, const void *b)
{
	const SchemaStatusRow *ra = (const SchemaStatusRow *) a;
	const SchemaStatusRow *rb = (const SchemaStatusRow *) b;

	if (ra->position != rb->position)
		return ra->position < rb->position ? -1 : 1;
	if (ra->repeatable != rb->repeatable)
		return ra->repeatable ? 1 : -1;
	if (!ra->repeatable && ra->version != rb->version)
		return ra->version < rb->version ? -1 : 1;
	return strcmp(ra->name ? ra->name : "", rb->name ? rb->name : "");
}
