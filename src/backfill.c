/*-------------------------------------------------------------------------
 *
 * backfill.c
 *	  CALL migrate_backfill(): a batched data migration that updates a table
 *	  in key order, one committed batch at a time.
 *
 * The table is walked by keyset pagination over its primary key (or a
 * unique index on NOT NULL columns), in the order of that index and with
 * the operators of its operator families, whatever the key's type,
 * collation or operator class: each batch updates the next batch_size rows
 * after the last key done that match where_clause, and commits together
 * with its progress row in migrate_backfills.  Row locks are thus held for
 * one batch only, and a backfill that is interrupted (an error, a cancel, a
 * crash) resumes after its last committed batch when it is called again
 * with the same arguments, updating every row exactly once.  A batch that
 * hits a lock timeout, a serialization failure or a deadlock is rolled back
 * and tried again.
 *
 * The SET and WHERE fragments come from a trusted operator, but each is
 * parsed on its own first, so that it cannot break out of its place.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
#include "compat.h"
#include "catalog.h"
#include "lock.h"
#include "runner.h"
#include "statements.h"

#include "access/genam.h"
#include "access/relation.h"
#include "access/stratnum.h"
#include "access/xact.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_index.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "parser/parser.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(migrate_backfill);

/* How often progress is reported */
#define BACKFILL_PROGRESS_MS	5000

/* The longest pause between batches, in microseconds: one day */
#define BACKFILL_MAX_PAUSE		USECS_PER_DAY

/*
 * A column of the key, compared as the key's index orders it: with the
 * operators of the index's operator family, each written qualified, under
 * the index's collation, in the direction of the index.
 */
typedef struct BackfillKey
{
	char	   *name;			/* quoted */
	char	   *cast;			/* "::type" when the index compares another
								 * type than the column's, else "" */
	char	   *collate;		/* " COLLATE name" when the index's collation
								 * is not the column's, else "" */
	char	   *before;			/* OPERATOR(schema.op): sorts in index order */
	char	   *equal;			/* OPERATOR(schema.op): the same key */
	char	   *after;			/* OPERATOR(schema.op): later in index order */
} BackfillKey;

/* A backfill being run */
typedef struct Backfill
{
	Oid			relid;
	char	   *relation;		/* qualified and quoted */
	char	   *set_clause;
	char	   *where_clause;	/* NULL: every row */
	int32		batch_size;
	int64		pause_ms;
	int			nkeys;
	BackfillKey *keys;
	Oid		   *key_typids;		/* the types of their columns */
	bool		row_compare;	/* every column has the same "after"
								 * operator: a row comparison selects the
								 * keys after the last one */
	char	   *first_sql;		/* the batch query before any key is done */
	char	   *next_sql;		/* the batch query after a key */
	int64		id;				/* its row in migrate_backfills */
	Datum	   *last_key;		/* text Datums of the last key done, or NULL */
	int64		rows_done;
	int64		batches;
	int64		batch_rows;		/* rows the last batch updated */
	int64		batch_selected; /* rows the last batch selected */
	double		estimated_rows; /* rows of the table, from its statistics */
	TimestampTz started;
	int64		rows_at_start;
} Backfill;

static void backfill_check_arguments(FunctionCallInfo fcinfo);
static bool backfill_index_usable(Relation rel, Oid indexid);
static char *backfill_operator(Oid opfamily, Oid type, StrategyNumber strategy);
static char *backfill_collation(Oid collation);
static void backfill_find_key(Backfill *bf);
static void backfill_parse_work(void *arg);
static void backfill_check_fragment(const char *fragment, bool is_set);
static char *backfill_key_expr(const Backfill *bf, int i, const char *qualifier);
static char *backfill_key_param(const Backfill *bf, int i);
static char *backfill_key_list(const Backfill *bf, const char *qualifier);
static char *backfill_key_order(const Backfill *bf, const char *qualifier,
								bool backward);
static char *backfill_where(const Backfill *bf);
static char *backfill_selection(const Backfill *bf, bool after_key);
static char *backfill_batch_query(const Backfill *bf, bool after_key);
static void backfill_build_queries(Backfill *bf);
static int	backfill_key_settings(void);
static Datum *backfill_key_values(const Backfill *bf);
static void backfill_lock(const Backfill *bf);
static void backfill_lock_arguments(const Backfill *bf);
static void backfill_start(Backfill *bf, const char *role);
static void backfill_batch_work(void *arg);
static bool backfill_batch(Backfill *bf);
static void backfill_report(Backfill *bf, TimestampTz *last_report, bool final);

/*
 * Refuses missing or senseless arguments.
 */
static void
backfill_check_arguments(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("migrate_backfill needs a relation and a SET clause")));
	if (!PG_ARGISNULL(3) && PG_GETARG_INT32(3) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("batch_size must be positive, not %d", PG_GETARG_INT32(3))));
	if (!PG_ARGISNULL(4))
	{
		Interval   *pause = PG_GETARG_INTERVAL_P(4);

		if (pause->month != 0 || pause->day < 0 || pause->time < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("pause must be a non-negative interval of days, hours, minutes and seconds")));
		/* each part on its own first: their sum cannot overflow then */
		if (pause->day > BACKFILL_MAX_PAUSE / USECS_PER_DAY ||
			pause->time > BACKFILL_MAX_PAUSE ||
			pause->day * USECS_PER_DAY + pause->time > BACKFILL_MAX_PAUSE)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("pause must not be longer than 1 day"),
					 errdetail("migrate_backfill pauses this long after every batch."),
					 errhint("To hold a backfill back for longer, cancel it and call it again later: it resumes after its last batch.")));
	}
}

/*
 * Says whether an index of the table can be the key the table is walked
 * by: a valid, immediate, unique btree index without expressions or
 * predicate, whose columns are all NOT NULL.
 */
static bool
backfill_index_usable(Relation rel, Oid indexid)
{
	Relation	index = index_open(indexid, AccessShareLock);
	Form_pg_index form = index->rd_index;
	bool		usable;
	int			i;

	usable = index->rd_rel->relam == BTREE_AM_OID &&
		form->indisunique && form->indisvalid && form->indimmediate &&
		heap_attisnull(index->rd_indextuple, Anum_pg_index_indexprs, NULL) &&
		heap_attisnull(index->rd_indextuple, Anum_pg_index_indpred, NULL);
	for (i = 0; usable && i < IndexRelationGetNumberOfKeyAttributes(index); i++)
		usable = form->indkey.values[i] > 0 &&
			TupleDescAttr(RelationGetDescr(rel), form->indkey.values[i] - 1)->attnotnull;
	index_close(index, AccessShareLock);
	return usable;
}

/*
 * Returns the operator of a btree operator family for a strategy on a
 * type, as OPERATOR(schema.name): qualified, so that no search_path can
 * make it another one.
 */
static char *
backfill_operator(Oid opfamily, Oid type, StrategyNumber strategy)
{
	Oid			opno = get_opfamily_member(opfamily, type, type, strategy);
	HeapTuple	tuple;
	Form_pg_operator oper;
	char	   *result;

	if (!OidIsValid(opno))
		elog(ERROR, "missing operator %d(%u,%u) in operator family %u",
			 strategy, type, type, opfamily);
	tuple = SearchSysCache1(OPEROID, ObjectIdGetDatum(opno));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for operator %u", opno);
	oper = (Form_pg_operator) GETSTRUCT(tuple);
	result = psprintf("OPERATOR(%s.%s)",
					  quote_identifier(get_namespace_name(oper->oprnamespace)),
					  NameStr(oper->oprname));
	ReleaseSysCache(tuple);
	return result;
}

/*
 * Returns the qualified and quoted name of a collation.
 */
static char *
backfill_collation(Oid collation)
{
	HeapTuple	tuple = SearchSysCache1(COLLOID, ObjectIdGetDatum(collation));
	Form_pg_collation form;
	char	   *result;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for collation %u", collation);
	form = (Form_pg_collation) GETSTRUCT(tuple);
	result = quote_qualified_identifier(get_namespace_name(form->collnamespace),
										NameStr(form->collname));
	ReleaseSysCache(tuple);
	return result;
}

/*
 * Finds the key to walk the table by: its primary key, or else the first
 * usable unique index (see backfill_index_usable).  An error when the
 * relation is not there, is not a table, or has no such key.  Each column
 * of the key is to be compared as the index orders it, whatever the
 * column's type and collation would resolve plain < and > to.
 */
static void
backfill_find_key(Backfill *bf)
{
	Relation	rel = try_relation_open(bf->relid, AccessShareLock);
	Relation	index;
	Oid			keyindex;
	List	   *indexes;
	ListCell   *lc;
	int			i;

	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", bf->relid)));
	if (rel->rd_rel->relkind != RELKIND_RELATION &&
		rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table", RelationGetRelationName(rel)),
				 errdetail_relkind_not_supported(rel->rd_rel->relkind)));
	bf->relation = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
											  RelationGetRelationName(rel));
	bf->estimated_rows = rel->rd_rel->reltuples;

	keyindex = migrate_primary_key_index(rel);
	if (OidIsValid(keyindex) && !backfill_index_usable(rel, keyindex))
		keyindex = InvalidOid;
	indexes = RelationGetIndexList(rel);
	foreach(lc, indexes)
	{
		if (OidIsValid(keyindex))
			break;
		if (backfill_index_usable(rel, lfirst_oid(lc)))
			keyindex = lfirst_oid(lc);
	}
	if (!OidIsValid(keyindex))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table %s has no primary key or unique index on NOT NULL columns", bf->relation),
				 errdetail("migrate_backfill walks the table in the order of such a key, one batch after the other."),
				 errhint("Add a primary key (or a unique index on NOT NULL columns) first, concurrently on a busy table.")));

	index = index_open(keyindex, AccessShareLock);
	bf->nkeys = IndexRelationGetNumberOfKeyAttributes(index);
	bf->keys = palloc(sizeof(BackfillKey) * bf->nkeys);
	bf->key_typids = palloc(sizeof(Oid) * bf->nkeys);
	bf->row_compare = true;
	for (i = 0; i < bf->nkeys; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(RelationGetDescr(rel),
											   index->rd_index->indkey.values[i] - 1);
		BackfillKey *key = &bf->keys[i];
		Oid			opfamily = index->rd_opfamily[i];
		Oid			opcintype = index->rd_opcintype[i];
		Oid			collation = index->rd_indcollation[i];
		bool		descending = (index->rd_indoption[i] & INDOPTION_DESC) != 0;

		key->name = pstrdup(quote_identifier(NameStr(attr->attname)));
		bf->key_typids[i] = attr->atttypid;

		/*
		 * The column is cast to the type the operator class compares (a
		 * relabeling, which the index still serves), so that the qualified
		 * operator resolves to the operator family's own; a polymorphic
		 * operator class takes the column's type as it is.
		 */
		if (opcintype == attr->atttypid || IsPolymorphicType(opcintype) ||
			opcintype == RECORDOID)
			key->cast = "";
		else
			key->cast = psprintf("::%s", format_type_be_qualified(opcintype));
		if (!OidIsValid(collation) || collation == attr->attcollation)
			key->collate = "";
		else
			key->collate = psprintf(" COLLATE %s", backfill_collation(collation));
		key->before = backfill_operator(opfamily, opcintype,
										descending ? BTGreaterStrategyNumber : BTLessStrategyNumber);
		key->equal = backfill_operator(opfamily, opcintype, BTEqualStrategyNumber);
		key->after = backfill_operator(opfamily, opcintype,
									   descending ? BTLessStrategyNumber : BTGreaterStrategyNumber);
		if (strcmp(key->after, bf->keys[0].after) != 0)
			bf->row_compare = false;
	}
	index_close(index, AccessShareLock);
	relation_close(rel, AccessShareLock);
}

/*
 * Parses the SQL built around a fragment, for subxact_run(): a syntax error
 * is caught, not shown with a position in SQL the user never wrote.
 */
static void
backfill_parse_work(void *arg)
{
	List	  **raw = (List **) arg;

	*raw = raw_parser((const char *) linitial(*raw), RAW_PARSE_DEFAULT);
}

/*
 * Checks that a fragment is what its place takes, and nothing more: a SET
 * list (is_set) or a WHERE condition, parsed on its own, that opens and
 * closes its own parentheses and holds no semicolon, so that it cannot
 * reach out of its place in the batch query.
 */
static void
backfill_check_fragment(const char *fragment, bool is_set)
{
	const char *what = is_set ? "set_clause" : "where_clause";
	char	   *sql = is_set ? psprintf("UPDATE t SET\n%s\n", fragment) :
		psprintf("SELECT WHERE (\n%s\n)", fragment);
	List	   *raw = list_make1(sql);
	ErrorData  *error;
	Node	   *stmt;
	bool		ok;

	if (!statements_fragment_balanced(fragment))
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("%s of migrate_backfill must stand on its own", what),
				 errdetail("It holds a semicolon, or a parenthesis it does not open or close itself."),
				 errhint("Pass only %s; run other statements separately.",
						 is_set ? "the column = value assignments" : "the condition")));
	error = subxact_run(backfill_parse_work, &raw);
	if (error != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("%s of migrate_backfill is not valid: %s", what, error->message)));
	ok = list_length(raw) == 1;
	if (ok)
	{
		stmt = linitial_node(RawStmt, raw)->stmt;
		if (is_set)
		{
			UpdateStmt *update = (UpdateStmt *) stmt;

			ok = IsA(stmt, UpdateStmt) && update->whereClause == NULL &&
				update->fromClause == NIL && !migrate_update_has_returning(update) &&
				update->withClause == NULL;
		}
		else
			ok = IsA(stmt, SelectStmt);
	}
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("%s of migrate_backfill must be %s alone", what,
						is_set ? "a list of column = value assignments" : "one condition"),
				 errdetail("It holds a clause of its own."),
				 errhint("Pass only %s; run other statements separately.",
						 is_set ? "the column = value assignments" : "the condition")));
}

/*
 * Returns the expression that compares key column i as the key's index
 * does, its column qualified with qualifier when not NULL.
 */
static char *
backfill_key_expr(const Backfill *bf, int i, const char *qualifier)
{
	const BackfillKey *key = &bf->keys[i];

	return psprintf("%s%s%s%s%s", qualifier ? qualifier : "", qualifier ? "." : "",
					key->name, key->cast, key->collate);
}

/*
 * Returns the parameter that holds key column i of the last key done,
 * compared as the key's index does.
 */
static char *
backfill_key_param(const Backfill *bf, int i)
{
	return psprintf("$%d%s", i + 1, bf->keys[i].cast);
}

/*
 * Returns the key columns as a comma-separated list, each qualified with
 * qualifier when not NULL.
 */
static char *
backfill_key_list(const Backfill *bf, const char *qualifier)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < bf->nkeys; i++)
		appendStringInfo(&buf, "%s%s%s%s", i > 0 ? ", " : "",
						 qualifier ? qualifier : "", qualifier ? "." : "",
						 bf->keys[i].name);
	return buf.data;
}

/*
 * Returns the ORDER BY list of the key in its index's order (backward: the
 * other way round), each column sorted by its operator family's operator.
 */
static char *
backfill_key_order(const Backfill *bf, const char *qualifier, bool backward)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < bf->nkeys; i++)
		appendStringInfo(&buf, "%s%s USING %s", i > 0 ? ", " : "",
						 backfill_key_expr(bf, i, qualifier),
						 backward ? bf->keys[i].after : bf->keys[i].before);
	return buf.data;
}

/*
 * Returns the condition of the WHERE fragment: the fragment as it is (never
 * used as a format), in parentheses on lines of their own, so that a line
 * comment in it ends with it; true without a fragment.
 */
static char *
backfill_where(const Backfill *bf)
{
	StringInfoData where;

	initStringInfo(&where);
	if (bf->where_clause != NULL)
	{
		appendStringInfoString(&where, "(\n");
		appendStringInfoString(&where, bf->where_clause);
		appendStringInfoString(&where, "\n)");
	}
	else
		appendStringInfoString(&where, "true");
	return where.data;
}

/*
 * Returns the query that selects the keys of the next batch: the next
 * batch_size keys in the index's order (after the last key done, in the
 * parameters, with after_key) of the rows that match the WHERE fragment.
 *
 * After a key of one column, or of columns that all have the same "after"
 * operator, a row comparison selects the later keys: an index scan starts
 * right after the last key.  A row comparison takes one operator name for
 * all its columns, so a key whose columns differ there (an integer and a
 * citext, say) is selected in parts instead, one for each column: the
 * columns before it equal to the last key's and it after.  Each part has
 * an ORDER BY and LIMIT of its own, so that it is an index scan that starts
 * where it should and stops after batch_size keys (the planner would read
 * every part to its end and sort it all otherwise), and the first
 * batch_size keys of all the parts are taken.
 */
static char *
backfill_selection(const Backfill *bf, bool after_key)
{
	char	   *keys = backfill_key_list(bf, NULL);
	char	   *where = backfill_where(bf);
	char	   *order = psprintf(" ORDER BY %s LIMIT %d",
								 backfill_key_order(bf, NULL, false), bf->batch_size);
	StringInfoData sql;
	int			i;
	int			j;

	initStringInfo(&sql);
	if (!after_key || bf->row_compare)
	{
		appendStringInfo(&sql, "SELECT %s FROM %s WHERE ", keys, bf->relation);
		if (after_key && bf->nkeys == 1)
			appendStringInfo(&sql, "%s %s %s AND ", backfill_key_expr(bf, 0, NULL),
							 bf->keys[0].after, backfill_key_param(bf, 0));
		else if (after_key)
		{
			appendStringInfoString(&sql, "ROW(");
			for (i = 0; i < bf->nkeys; i++)
				appendStringInfo(&sql, "%s%s", i > 0 ? ", " : "",
								 backfill_key_expr(bf, i, NULL));
			appendStringInfo(&sql, ") %s ROW(", bf->keys[0].after);
			for (i = 0; i < bf->nkeys; i++)
				appendStringInfo(&sql, "%s%s", i > 0 ? ", " : "",
								 backfill_key_param(bf, i));
			appendStringInfoString(&sql, ") AND ");
		}
		appendStringInfoString(&sql, where);
	}
	else
	{
		appendStringInfo(&sql, "SELECT %s FROM (", keys);
		for (j = 0; j < bf->nkeys; j++)
		{
			appendStringInfo(&sql, "%s(SELECT %s FROM %s WHERE ",
							 j > 0 ? " UNION ALL " : "", keys, bf->relation);
			for (i = 0; i <= j; i++)
				appendStringInfo(&sql, "%s %s %s AND ", backfill_key_expr(bf, i, NULL),
								 i < j ? bf->keys[i].equal : bf->keys[i].after,
								 backfill_key_param(bf, i));
			appendStringInfoString(&sql, where);
			appendStringInfo(&sql, "%s)", order);
		}
		appendStringInfoString(&sql, ") AS migrate_after");
	}
	appendStringInfoString(&sql, order);
	return sql.data;
}

/*
 * Returns a batch query (after_key: the one that takes the last key done as
 * parameters).  It selects the keys of the batch (backfill_selection),
 * updates those rows (checking the WHERE fragment again on the rows it
 * locks: a row changed or deleted meanwhile is left alone), and returns how
 * many rows it updated, how many keys it selected and the last of them in
 * key order.  The fragments are appended as they are, never used as a
 * format, each on lines of its own so that a line comment in one ends with
 * it.  Every comparison of key columns uses the operators of the key's
 * index (see backfill_find_key).
 */
static char *
backfill_batch_query(const Backfill *bf, bool after_key)
{
	StringInfoData sql;
	int			i;

	initStringInfo(&sql);
	appendStringInfo(&sql, "WITH migrate_batch AS MATERIALIZED (%s),",
					 backfill_selection(bf, after_key));
	appendStringInfo(&sql, " migrate_updated AS (UPDATE %s SET\n", bf->relation);
	appendStringInfoString(&sql, bf->set_clause);
	/* one key column: = ANY of an array, which an index scan serves */
	if (bf->nkeys == 1)
		appendStringInfo(&sql, "\n WHERE %s %s ANY (ARRAY(SELECT %s FROM migrate_batch)) AND ",
						 backfill_key_expr(bf, 0, NULL), bf->keys[0].equal,
						 backfill_key_expr(bf, 0, "migrate_batch"));
	else
	{
		appendStringInfoString(&sql, "\n WHERE EXISTS (SELECT FROM migrate_batch WHERE ");
		for (i = 0; i < bf->nkeys; i++)
			appendStringInfo(&sql, "%s%s %s %s", i > 0 ? " AND " : "",
							 backfill_key_expr(bf, i, bf->relation), bf->keys[i].equal,
							 backfill_key_expr(bf, i, "migrate_batch"));
		appendStringInfoString(&sql, ") AND ");
	}
	appendStringInfoString(&sql, backfill_where(bf));
	appendStringInfo(&sql, " RETURNING 1)"
					 " SELECT (SELECT pg_catalog.count(*) FROM migrate_updated),"
					 " (SELECT pg_catalog.count(*) FROM migrate_batch), %s"
					 " FROM migrate_batch ORDER BY %s LIMIT 1",
					 backfill_key_list(bf, "migrate_batch"),
					 backfill_key_order(bf, "migrate_batch", true));
	return sql.data;
}

/*
 * Builds the batch queries; the one after a key takes the key's columns as
 * parameters of their own types.
 */
static void
backfill_build_queries(Backfill *bf)
{
	bf->first_sql = backfill_batch_query(bf, false);
	bf->next_sql = backfill_batch_query(bf, true);
}

/*
 * Sets the settings under which key values are turned into text and back,
 * so that a run resumed by a session with another DateStyle reads its key
 * as it was written; returns the GUC nesting level to undo them with
 * AtEOXact_GUC().
 */
static int
backfill_key_settings(void)
{
	int			nestlevel = NewGUCNestLevel();

	(void) set_config_option("DateStyle", "ISO", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("IntervalStyle", "postgres", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("extra_float_digits", "3", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	return nestlevel;
}

/*
 * Returns the last key done as Datums of the key's types, read from its
 * text under fixed settings.
 */
static Datum *
backfill_key_values(const Backfill *bf)
{
	Datum	   *values = palloc(sizeof(Datum) * bf->nkeys);
	int			nestlevel = backfill_key_settings();
	int			i;

	for (i = 0; i < bf->nkeys; i++)
	{
		Oid			input;
		Oid			ioparam;

		getTypeInputInfo(bf->key_typids[i], &input, &ioparam);
		values[i] = OidInputFunctionCall(input, TextDatumGetCString(bf->last_key[i]),
										 ioparam, -1);
	}
	AtEOXact_GUC(true, nestlevel);
	return values;
}

/*
 * Takes the session lock that keeps two sessions from running the same
 * backfill at once: an advisory lock on the backfill's id (objsubid 4 of
 * the migration lock's key).  Released when the procedure's session lock
 * owner lets go (at the end of the call, or of the session).
 */
static void
backfill_lock(const Backfill *bf)
{
	LOCKTAG		tag;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, (uint32) MIGRATE_LOCK_KEY_LOW,
						 (uint32) bf->id, MIGRATE_LOCK_SUBID_BACKFILL);
	if (LockAcquire(&tag, ExclusiveLock, true, true) == LOCKACQUIRE_NOT_AVAIL)
		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("backfill " INT64_FORMAT " of %s is already running in another session",
						bf->id, bf->relation),
				 errhint("Wait for it to finish; migrate_backfills shows its progress.")));
}

/*
 * Takes a lock, until the end of the transaction, on the arguments of a
 * backfill (relation and fragments), so that two sessions starting the same
 * backfill at once do not both find no run to resume and both start one:
 * the second waits, then finds the first's run, which it cannot take.
 */
static void
backfill_lock_arguments(const Backfill *bf)
{
	LOCKTAG		tag;
	uint32		hash = hash_bytes_uint32((uint32) bf->relid);

	hash = hash_combine(hash, hash_bytes((const unsigned char *) bf->set_clause,
										 strlen(bf->set_clause)));
	if (bf->where_clause != NULL)
		hash = hash_combine(hash, hash_bytes((const unsigned char *) bf->where_clause,
											 strlen(bf->where_clause)));
	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, (uint32) MIGRATE_LOCK_KEY_LOW, hash,
						 MIGRATE_LOCK_SUBID_BACKFILL_START);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
}

/*
 * Finds the unfinished run of the same backfill (same relation and
 * fragments) to resume, or records a new one.  Must be followed by a
 * commit, which lets a session starting the same backfill go on.
 */
static void
backfill_start(Backfill *bf, const char *role)
{
	Datum		values[6];
	char		nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};
	NameData	rolename;
	bool		isnull;

	backfill_lock_arguments(bf);
	values[0] = ObjectIdGetDatum(bf->relid);
	values[1] = CStringGetTextDatum(bf->set_clause);
	values[2] = bf->where_clause ? CStringGetTextDatum(bf->where_clause) : (Datum) 0;
	nulls[2] = bf->where_clause ? ' ' : 'n';
	catalog_exec(Q_BACKFILL_FIND, values, nulls, false, 1);
	if (SPI_processed == 1)
	{
		HeapTuple	tuple = SPI_tuptable->vals[0];
		TupleDesc	tupdesc = SPI_tuptable->tupdesc;
		bool		last_isnull;
		Datum		last = SPI_getbinval(tuple, tupdesc, 2, &last_isnull);

		bf->id = catalog_getint64(tuple, tupdesc, 1, &isnull);
		bf->rows_done = catalog_getint64(tuple, tupdesc, 3, &isnull);
		bf->batches = catalog_getint64(tuple, tupdesc, 4, &isnull);
		if (!last_isnull)
		{
			ArrayType  *array = DatumGetArrayTypePCopy(last);
			bool	   *elem_nulls;
			int			n;

			deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT,
							  &bf->last_key, &elem_nulls, &n);
			if (n != bf->nkeys)
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("backfill " INT64_FORMAT " cannot resume: the key of %s changed",
								bf->id, bf->relation),
						 errdetail("The key of its last batch has other columns than the table's key now."),
						 errhint("To start afresh, the extension's owner deletes its row in migrate_backfills; without a where_clause that skips them, rows already done are then updated again.")));
		}
		SPI_freetuptable(SPI_tuptable);
		backfill_lock(bf);
		ereport(NOTICE,
				(errmsg("resuming backfill " INT64_FORMAT " of %s after " INT64_FORMAT " rows in " INT64_FORMAT " batches",
						bf->id, bf->relation, bf->rows_done, bf->batches)));
		return;
	}
	SPI_freetuptable(SPI_tuptable);

	namestrcpy(&rolename, role);
	values[3] = Int32GetDatum(bf->batch_size);
	values[4] = NameGetDatum(&rolename);
	values[5] = Int32GetDatum(MyProcPid);
	catalog_exec(Q_BACKFILL_START, values, nulls, false, 1);
	bf->id = catalog_getint64(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	SPI_freetuptable(SPI_tuptable);
	backfill_lock(bf);
}

/*
 * Runs one batch and records its progress, in the subtransaction of
 * subxact_run(): the rows and the progress commit together.  Sets
 * batch_rows, batch_selected and, when keys were selected, the new last
 * key.
 */
static void
backfill_batch_work(void *arg)
{
	Backfill   *bf = (Backfill *) arg;
	Datum		values[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};
	int			nestlevel;
	char		timeout[32];
	int			ret;
	int			i;
	bool		isnull;
	int64		rows = 0;
	int64		selected = 0;
	Datum	   *key = NULL;

	nestlevel = NewGUCNestLevel();
	snprintf(timeout, sizeof(timeout), "%d", migrate_lock_timeout);
	(void) set_config_option("lock_timeout", timeout, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	if (bf->last_key == NULL)
		ret = SPI_execute(bf->first_sql, false, 0);
	else
		ret = SPI_execute_with_args(bf->next_sql, bf->nkeys, bf->key_typids,
									backfill_key_values(bf), NULL, false, 0);
	AtEOXact_GUC(true, nestlevel);
	if (ret < 0)
		elog(ERROR, "the batch query of the backfill failed: %s", SPI_result_code_string(ret));

	if (SPI_processed == 1)
	{
		HeapTuple	tuple = SPI_tuptable->vals[0];
		TupleDesc	tupdesc = SPI_tuptable->tupdesc;

		rows = catalog_getint64(tuple, tupdesc, 1, &isnull);
		selected = catalog_getint64(tuple, tupdesc, 2, &isnull);
		/* in the procedure's SPI memory, which outlives the commits */
		key = palloc(sizeof(Datum) * bf->nkeys);
		nestlevel = backfill_key_settings();
		for (i = 0; i < bf->nkeys; i++)
			key[i] = CStringGetTextDatum(SPI_getvalue(tuple, tupdesc, i + 3));
		AtEOXact_GUC(true, nestlevel);
	}
	SPI_freetuptable(SPI_tuptable);
	if (selected > 0)
	{
		values[0] = Int64GetDatum(bf->id);
		values[1] = PointerGetDatum(construct_array(key, bf->nkeys, TEXTOID, -1,
													false, TYPALIGN_INT));
		values[2] = Int64GetDatum(rows);
		values[3] = Int32GetDatum(MyProcPid);
		values[4] = Int32GetDatum(bf->batch_size);
		catalog_exec(Q_BACKFILL_BATCH, values, nulls, false, 0);
		bf->last_key = key;
	}
	/* only once all of it succeeded: a batch tried again starts afresh */
	bf->batch_rows = rows;
	bf->batch_selected = selected;
}

/*
 * Runs the next batch, trying it again (after a pause that grows) when it
 * hit a lock timeout, a serialization failure or a deadlock, up to
 * migrate.lock_retries times; then commits.  Returns whether rows remain.
 */
static bool
backfill_batch(Backfill *bf)
{
	int			retry = 0;

	for (;;)
	{
		ErrorData  *error = subxact_run(backfill_batch_work, bf);

		if (error == NULL)
			break;
		if ((error->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE &&
			 error->sqlerrcode != ERRCODE_T_R_SERIALIZATION_FAILURE &&
			 error->sqlerrcode != ERRCODE_T_R_DEADLOCK_DETECTED) ||
			retry >= migrate_lock_retries)
			ReThrowError(error);
		retry++;
		ereport(NOTICE,
				(errmsg("batch " INT64_FORMAT " of backfill " INT64_FORMAT " failed (%s); retry %d of %d",
						bf->batches + 1, bf->id, error->message, retry, migrate_lock_retries)));
		FreeErrorData(error);
		SPI_commit();
		runner_sleep(runner_backoff_ms(retry));
	}
	bf->rows_done += bf->batch_rows;
	if (bf->batch_selected > 0)
		bf->batches++;
	SPI_commit();
	/* a short selection reached the end (rows updated may be fewer) */
	return bf->batch_selected == bf->batch_size;
}

/*
 * Every BACKFILL_PROGRESS_MS (and at the end, with final), says how far the
 * backfill is: rows and batches done, the rate, and the time left, when
 * the table's statistics allow an estimate.  As migrate.progress says: the
 * periodic lines, which carry a rate and come with time, only when on; the
 * final tally, the same on every run, unless off.
 */
static void
backfill_report(Backfill *bf, TimestampTz *last_report, bool final)
{
	TimestampTz now = GetCurrentTimestamp();
	double		seconds = (double) (now - bf->started) / USECS_PER_SEC;
	int64		rows = bf->rows_done - bf->rows_at_start;
	double		rate = seconds > 0 ? rows / seconds : 0;

	if (!migrate_progress_shown(!final))
		return;
	if (!final && !TimestampDifferenceExceeds(*last_report, now, BACKFILL_PROGRESS_MS))
		return;
	*last_report = now;
	if (final)
		ereport(NOTICE,
				(errmsg("backfill " INT64_FORMAT " of %s done: " INT64_FORMAT " rows in " INT64_FORMAT " batches",
						bf->id, bf->relation, bf->rows_done, bf->batches)));
	else if (bf->where_clause == NULL && bf->estimated_rows > bf->rows_done && rate > 0)
		ereport(NOTICE,
				(errmsg("backfill " INT64_FORMAT " of %s: " INT64_FORMAT " rows in " INT64_FORMAT " batches, %.0f rows/s, about %.0f s left",
						bf->id, bf->relation, bf->rows_done, bf->batches, rate,
						(bf->estimated_rows - bf->rows_done) / rate)));
	else
		ereport(NOTICE,
				(errmsg("backfill " INT64_FORMAT " of %s: " INT64_FORMAT " rows in " INT64_FORMAT " batches, %.0f rows/s",
						bf->id, bf->relation, bf->rows_done, bf->batches, rate)));
}

/*
 * CALL migrate_backfill(relation, set_clause, where_clause, batch_size,
 * pause): updates the table in key order, batch_size rows at a time, each
 * batch committed, pausing in between; resumes an interrupted run of the
 * same backfill; reports its progress.
 */
Datum
migrate_backfill(PG_FUNCTION_ARGS)
{
	Backfill	bf;
	char	   *role = GetUserNameFromId(GetUserId(), false);
	TimestampTz last_report;
	LOCKTAG		tag;

	runner_check_primary("migrate_backfill");
	deploy_check_call(fcinfo, "migrate_backfill");
	backfill_check_arguments(fcinfo);
	memset(&bf, 0, sizeof(bf));
	bf.relid = PG_GETARG_OID(0);
	bf.set_clause = text_to_cstring(PG_GETARG_TEXT_PP(1));
	bf.where_clause = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	bf.batch_size = PG_ARGISNULL(3) ? 1000 : PG_GETARG_INT32(3);
	if (!PG_ARGISNULL(4))
	{
		Interval   *pause = PG_GETARG_INTERVAL_P(4);

		/* at most a day (backfill_check_arguments), so no overflow */
		bf.pause_ms = (pause->day * USECS_PER_DAY + pause->time) / 1000;
	}
	backfill_check_fragment(bf.set_clause, true);
	if (bf.where_clause != NULL)
		backfill_check_fragment(bf.where_clause, false);

	SPI_connect_ext(SPI_OPT_NONATOMIC);
	catalog_open();
	backfill_find_key(&bf);
	backfill_build_queries(&bf);
	PG_TRY();
	{
		backfill_start(&bf, role);
		SPI_commit();
		bf.started = GetCurrentTimestamp();
		bf.rows_at_start = bf.rows_done;
		last_report = bf.started;
		while (backfill_batch(&bf))
		{
			backfill_report(&bf, &last_report, false);
			if (bf.pause_ms > 0)
				runner_sleep((long) bf.pause_ms);
			CHECK_FOR_INTERRUPTS();
		}
		{
			Datum		value = Int64GetDatum(bf.id);

			catalog_exec(Q_BACKFILL_FINISH, &value, " ", false, 0);
		}
		SPI_commit();
		backfill_report(&bf, &last_report, true);
	}
	PG_FINALLY();
	{
		if (bf.id != 0)
		{
			SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, (uint32) MIGRATE_LOCK_KEY_LOW,
								 (uint32) bf.id, MIGRATE_LOCK_SUBID_BACKFILL);
			if (migrate_lock_held_by_me(&tag, ExclusiveLock))
				(void) LockRelease(&tag, ExclusiveLock, true);
		}
	}
	PG_END_TRY();
	SPI_finish();
	PG_RETURN_VOID();
}
