/*-------------------------------------------------------------------------
 *
 * backfill.c
 *	  CALL migrate_backfill(): a batched data migration that updates a table
 *	  in key order, one committed batch at a time.
 *
 * The table is walked by keyset pagination over its primary key (or a
 * unique index on NOT NULL columns): each batch updates the next
 * batch_size rows after the last key done that match where_clause, and
 * commits together with its progress row in migrate_backfills.  Row locks
 * are thus held for one batch only, and a backfill that is interrupted (an
 * error, a cancel, a crash) resumes after its last committed batch when it
 * is called again with the same arguments, updating every row exactly
 * once.  A batch that hits a lock timeout, a serialization failure or a
 * deadlock is rolled back and tried again.
 *
 * The SET and WHERE fragments come from a trusted operator, but each is
 * parsed on its own first, so that it cannot break out of its place.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"

#include "access/relation.h"
#include "access/xact.h"
#include "catalog/pg_index.h"
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
	char	  **key_names;		/* quoted */
	Oid		   *key_typids;		/* their types */
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
static void backfill_find_key(Backfill *bf);
static void backfill_parse_work(void *arg);
static void backfill_check_fragment(const char *fragment, bool is_set);
static char *backfill_key_list(const Backfill *bf, const char *suffix,
							   const char *qualifier);
static char *backfill_batch_query(const Backfill *bf, const char *key_condition);
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

		if (pause->month != 0 || pause->day < 0 || pause->time < 0 ||
			(pause->day == 0 && pause->time < 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("pause must be a non-negative interval of days, hours, minutes and seconds")));
	}
}

/*
 * Finds the key to walk the table by: its primary key, or else a valid
 * unique index without expressions or predicate whose columns are all NOT
 * NULL.  An error when there is none.
 */
static void
backfill_find_key(Backfill *bf)
{
	Relation	rel = relation_open(bf->relid, AccessShareLock);
	Oid			keyindex = InvalidOid;
	List	   *indexes;
	ListCell   *lc;
	HeapTuple	tuple;
	Form_pg_index index;
	int			i;

	if (rel->rd_rel->relkind != RELKIND_RELATION &&
		rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table", RelationGetRelationName(rel))));
	bf->relation = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
											  RelationGetRelationName(rel));
	bf->estimated_rows = rel->rd_rel->reltuples;

	indexes = RelationGetIndexList(rel);
	keyindex = RelationGetPrimaryKeyIndex(rel);
	foreach(lc, indexes)
	{
		bool		usable = true;

		if (OidIsValid(keyindex))
			break;
		tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));
		if (!HeapTupleIsValid(tuple))
			continue;
		index = (Form_pg_index) GETSTRUCT(tuple);
		if (!index->indisunique || !index->indisvalid || !index->indimmediate ||
			!heap_attisnull(tuple, Anum_pg_index_indexprs, NULL) ||
			!heap_attisnull(tuple, Anum_pg_index_indpred, NULL))
			usable = false;
		for (i = 0; usable && i < index->indnkeyatts; i++)
			usable = index->indkey.values[i] > 0 &&
				TupleDescAttr(RelationGetDescr(rel), index->indkey.values[i] - 1)->attnotnull;
		if (usable)
			keyindex = index->indexrelid;
		ReleaseSysCache(tuple);
	}
	if (!OidIsValid(keyindex))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table %s has no primary key or unique index on NOT NULL columns", bf->relation),
				 errdetail("migrate_backfill walks the table in the order of such a key, one batch after the other."),
				 errhint("Add a primary key (or a unique index on NOT NULL columns) first, concurrently on a busy table.")));

	tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(keyindex));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for index %u", keyindex);
	index = (Form_pg_index) GETSTRUCT(tuple);
	bf->nkeys = index->indnkeyatts;
	bf->key_names = palloc(sizeof(char *) * bf->nkeys);
	bf->key_typids = palloc(sizeof(Oid) * bf->nkeys);
	for (i = 0; i < bf->nkeys; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(RelationGetDescr(rel),
											   index->indkey.values[i] - 1);

		bf->key_names[i] = pstrdup(quote_identifier(NameStr(attr->attname)));
		bf->key_typids[i] = attr->atttypid;
	}
	ReleaseSysCache(tuple);
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
				update->fromClause == NIL && update->returningList == NIL &&
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
 * Returns the key columns as a comma-separated list, each qualified with
 * qualifier when not NULL and followed by suffix (" DESC",
 * "::pg_catalog.text", ...).
 */
static char *
backfill_key_list(const Backfill *bf, const char *suffix, const char *qualifier)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < bf->nkeys; i++)
		appendStringInfo(&buf, "%s%s%s%s%s", i > 0 ? ", " : "",
						 qualifier ? qualifier : "", qualifier ? "." : "",
						 bf->key_names[i], suffix);
	return buf.data;
}

/*
 * Returns a batch query whose selection of the batch starts with
 * key_condition ("" for the first batch).  It selects the next batch_size
 * keys in key order that match the WHERE fragment, updates those rows
 * (checking the fragment again on the rows it locks: a row changed or
 * deleted meanwhile is left alone), and returns how many rows it updated,
 * how many keys it selected and the greatest of them.  The fragments are
 * appended as they are, never used as a format, each on lines of its own
 * so that a line comment in one ends with it.
 */
static char *
backfill_batch_query(const Backfill *bf, const char *key_condition)
{
	char	   *keys = backfill_key_list(bf, "", NULL);
	StringInfoData where;
	StringInfoData sql;

	initStringInfo(&where);
	if (bf->where_clause != NULL)
	{
		appendStringInfoString(&where, "(\n");
		appendStringInfoString(&where, bf->where_clause);
		appendStringInfoString(&where, "\n)");
	}
	else
		appendStringInfoString(&where, "true");

	initStringInfo(&sql);
	appendStringInfo(&sql, "WITH migrate_batch AS MATERIALIZED (SELECT %s FROM %s WHERE %s",
					 keys, bf->relation, key_condition);
	appendStringInfoString(&sql, where.data);
	appendStringInfo(&sql, " ORDER BY %s LIMIT %d),", keys, bf->batch_size);
	appendStringInfo(&sql, " migrate_updated AS (UPDATE %s SET\n", bf->relation);
	appendStringInfoString(&sql, bf->set_clause);
	/* one key column: = ANY of an array, which an index scan serves */
	if (bf->nkeys == 1)
		appendStringInfo(&sql, "\n WHERE %s OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT %s FROM migrate_batch)) AND ",
						 keys, keys);
	else
		appendStringInfo(&sql, "\n WHERE ROW(%s) IN (SELECT %s FROM migrate_batch) AND ", keys, keys);
	appendStringInfoString(&sql, where.data);
	appendStringInfo(&sql, " RETURNING 1)"
					 " SELECT (SELECT pg_catalog.count(*) FROM migrate_updated),"
					 " (SELECT pg_catalog.count(*) FROM migrate_batch), %s"
					 " FROM migrate_batch ORDER BY %s LIMIT 1",
					 backfill_key_list(bf, "", "migrate_batch"),
					 backfill_key_list(bf, " DESC", "migrate_batch"));
	return sql.data;
}

/*
 * Builds the batch queries; the one after a key takes the key's columns as
 * parameters of their own types.
 */
static void
backfill_build_queries(Backfill *bf)
{
	char	   *keys = backfill_key_list(bf, "", NULL);
	StringInfoData after;
	int			i;

	initStringInfo(&after);
	appendStringInfo(&after, "ROW(%s) OPERATOR(pg_catalog.>) ROW(", keys);
	for (i = 0; i < bf->nkeys; i++)
		appendStringInfo(&after, "%s$%d", i > 0 ? ", " : "", i + 1);
	appendStringInfoString(&after, ") AND ");

	bf->first_sql = backfill_batch_query(bf, "");
	bf->next_sql = backfill_batch_query(bf, after.data);
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
						 (uint32) bf->id, 4);
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
	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, (uint32) MIGRATE_LOCK_KEY_LOW, hash, 5);
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
 * the table's statistics allow an estimate.
 */
static void
backfill_report(Backfill *bf, TimestampTz *last_report, bool final)
{
	TimestampTz now = GetCurrentTimestamp();
	double		seconds = (double) (now - bf->started) / USECS_PER_SEC;
	int64		rows = bf->rows_done - bf->rows_at_start;
	double		rate = seconds > 0 ? rows / seconds : 0;

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

		bf.pause_ms = (pause->day * SECS_PER_DAY * USECS_PER_SEC + pause->time) / 1000;
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
								 (uint32) bf.id, 4);
			if (LockHeldByMe(&tag, ExclusiveLock))
				(void) LockRelease(&tag, ExclusiveLock, true);
		}
	}
	PG_END_TRY();
	SPI_finish();
	PG_RETURN_VOID();
}
