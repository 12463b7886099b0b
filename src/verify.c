/*-------------------------------------------------------------------------
 *
 * verify.c
 *	  migrate_verify(): proving that a migration's down undoes its up.
 *
 * Everything happens inside a subtransaction that is always rolled back, so
 * that nothing of a verification remains: no schema change, no catalog row,
 * no history row.  For the pending migrations, in version order, each on top
 * of the ups before it: a fingerprint of the schema is taken, the up runs
 * (watched: which existing relations it rewrites, scans or locks strongly),
 * then, in a nested subtransaction that is rolled back too, the down runs,
 * a second fingerprint is compared with the first, and the up runs again.
 * For an applied migration: fingerprint, down, up, fingerprint, compare.
 *
 * The fingerprint is one catalog query, the extension's function
 * migrate_schema_fingerprint_of(), over every schema but the system ones,
 * leaving out objects that belong to an extension: relations and their
 * columns, constraints, indexes, triggers, rules and policies, views,
 * sequences, types and domains, functions, statistics objects, schemas,
 * extensions, comments, owners and privileges.  It names every object in
 * words a DBA reads ("column public.users.email") and describes it from the
 * server's own deparsers, so that a difference reads as a sentence.
 *
 * The whole schema is read once, before the first migration reported; after
 * that only what each migration touched is read again.  The relation cache
 * tells which relations a body touched (every change of their catalog rows
 * invalidates them; comments, which do not, are found in pg_description by
 * the command that wrote them), and the fingerprint of those relations is
 * taken after the up (to keep the schema's fingerprint up to date) and
 * after the down (to compare).  The objects that are not part of a relation
 * are read with them only when a body may have changed them (see
 * touched_end()): it wrote a catalog they are made of, as this backend's
 * table statistics count, or touched a relation that one of them depends
 * on.  So a verification costs the migrations' bodies and what they
 * touched, not the size of the schema times their number.
 *
 * A non-transactional migration is verified through its transactional
 * equivalent: CONCURRENTLY is removed from its statements, and maintenance
 * statements (VACUUM, REINDEX, ...) that change no schema are skipped.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
#include "compat.h"
#include "catalog.h"
#include "scope.h"
#include "lock.h"
#include "plan.h"
#include "repeatable.h"
#include "runner.h"
#include "statements.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "access/genam.h"
#include "catalog/index.h"
#include "catalog/indexing.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_default_acl.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_description.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_language.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_range.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_statistic_ext.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "common/keywords.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/bitmapset.h"
#include "parser/scanner.h"
#include "pgstat.h"
#include "storage/lock.h"
#include "storage/smgr.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

/* One object of a schema fingerprint */
typedef struct FingerprintRow
{
	char	   *kind;			/* "table", "column", "privilege", ... */
	char	   *identity;		/* which one, e.g. "public.users.email" */
	char	   *description;	/* its definition, owner, comment, ... */
	Oid			relid;			/* the relation it belongs to, or
								 * InvalidOid for an object of no relation */
} FingerprintRow;

/* The objects of the user schema, sorted by kind, then identity */
typedef struct Fingerprint
{
	int			nrows;
	FingerprintRow *rows;
} Fingerprint;

/*
 * A relation that existed before the verification, watched while an up
 * runs: its state after the last statement.
 */
typedef struct WatchedRelation
{
	Oid			oid;
	char	   *kind;			/* "table", "view", ... */
	char	   *name;			/* schema-qualified, quoted where needed */
	Oid			filenode;		/* 0 if it has no storage or is gone */
	Oid			tablespace;
	PgStat_Counter scans;		/* sequential scans so far in this transaction */
	int			locks;			/* strong lock modes held (LOCKBIT_ON bits) */
} WatchedRelation;

/* The row reported for one migration */
typedef struct VerifyResult
{
	bool		verified;		/* false: ok is NULL */
	List	   *problems;		/* differences and failures: ok is false */
	List	   *notes;			/* how it was run, column order */
	List	   *observations;	/* what its up did to existing relations */
} VerifyResult;

/* A migration made ready to run inside a transaction */
typedef struct VerifyPlan
{
	Migration  *migration;		/* bodies made transactional */
	MigrateBody *up;			/* parsed, for the statements' lines */
	MigrateBody *down;			/* NULL when irreversible */
	char	   *impossible;		/* why it cannot run in a transaction */
	char	   *adjusted;		/* how it was made transactional */
	Bitmapset  *stripped_up;	/* up statements run without CONCURRENTLY */
	VerifyResult *result;		/* NULL: runs only for the ones after it */
} VerifyPlan;

/* What a verification is doing, to name a failure */
typedef enum VerifyPhase
{
	PHASE_UP,
	PHASE_DOWN,
	PHASE_UP_AGAIN,
	PHASE_FINGERPRINT
} VerifyPhase;

/* What should become of a statement that needs to run at top level */
typedef enum VerifyTreatment
{
	TREAT_STRIP_FIRST,			/* remove its first CONCURRENTLY */
	TREAT_STRIP_LAST,			/* remove its last CONCURRENTLY */
	TREAT_SKIP,					/* maintenance: changes no schema */
	TREAT_IMPOSSIBLE			/* no transactional equivalent */
} VerifyTreatment;

/*
 * The catalogs whose rows the fingerprint's objects of no relation are made
 * of (see migrate_schema_objects()): a body that writes none of them leaves
 * those objects as they were.  The first four are also written along with
 * relations (a table's row type, its constraints, dependencies and
 * comments), so touched_end() looks at what was written there.
 */
static const Oid object_catalogs[] = {
	DescriptionRelationId,
	TypeRelationId,
	ConstraintRelationId,
	DependRelationId,
	NamespaceRelationId,
	ProcedureRelationId,
	EnumRelationId,
	RangeRelationId,
	CollationRelationId,
	StatisticExtRelationId,
	ExtensionRelationId,
	DefaultAclRelationId,
	AuthIdRelationId,
	LanguageRelationId
};

#define NUM_OBJECT_CATALOGS lengthof(object_catalogs)
#define CATALOG_DESCRIPTION 0
#define CATALOG_TYPE 1
#define CATALOG_CONSTRAINT 2
#define CATALOG_DEPEND 3

/*
 * The relations a body touched: those whose relation cache entry it
 * invalidated, and those whose comments it wrote.
 */
typedef struct VerifyTouched
{
	List	   *relids;			/* of Oid */
	bool		all;			/* every relation was invalidated */
	bool		objects;		/* objects of no relation may have changed */
	bool		counted;		/* marks were taken with statistics counting on */
	PgStat_Counter marks[NUM_OBJECT_CATALOGS];	/* see catalog_writes() */
} VerifyTouched;

/* The rows of one relation in the schema's fingerprint */
typedef struct SchemaRelation
{
	Oid			relid;			/* hash key */
	int			nrows;
	FingerprintRow *rows;		/* sorted by fingerprint_row_order() */
} SchemaRelation;

/* The state of a verification, shared with the statement hook */
typedef struct VerifyState
{
	MemoryContext context;		/* survives the subtransactions */
	MemoryContext fingerprints; /* the fingerprints of one migration */
	HTAB	   *schema;			/* the schema as the ups so far left it, one
								 * SchemaRelation per relation, or NULL
								 * before the first reported migration */
	Fingerprint *objects;		/* and its rows of no relation */
	WatchedRelation *watched;
	int			nwatched;
	VerifyPlan *plan;			/* the migration running */
	VerifyPhase phase;
	int			completed;		/* statements of the body run so far */
	bool		observing;		/* report what the statements do */
	int			index;			/* of the plan in the list being verified */
} VerifyState;

/* Saved around an internal subtransaction */
typedef struct VerifySubxact
{
	MemoryContext context;
	ResourceOwner owner;
} VerifySubxact;

/* The lock modes worth reporting: they block writes, or reads too */
static const LOCKMODE strong_lock_modes[] = {
	AccessExclusiveLock, ExclusiveLock, ShareRowExclusiveLock, ShareLock
};

static int	verify_query(CatalogQuery query, Datum *values, const char *nulls);
static int	fingerprint_row_compare(const void *a, const void *b);
static int	fingerprint_row_order(const void *a, const void *b);
static void fingerprint_read(CatalogQuery query, Datum *values, const char *nulls,
							 MemoryContext context, Fingerprint *fp);
static Fingerprint *fingerprint_take(VerifyState *st, MemoryContext context,
									 bool whole, List *relids, bool objects);
static void touched_relcache_callback(Datum arg, Oid relid);
static void touched_begin(VerifyState *st, VerifyTouched *touched);
static bool touched_by_body(HeapTupleHeader tuple, CommandId since);
static bool inserted_by_body(HeapTupleHeader tuple, CommandId since);
static bool deleted_by_body(HeapTupleHeader tuple, CommandId since);
static PgStat_Counter catalog_writes(Oid catalog);
static void touched_comments(VerifyTouched *touched, CommandId since);
static char relkind_of_any_version(Oid relid);
static bool touched_types(CommandId since);
static bool touched_domain_constraints(CommandId since);
static bool touched_extension_members(CommandId since);
static bool has_object_dependents(Oid classid, Oid objid);
static bool touched_named_by_objects(List *relids);
static void touched_end(VerifyTouched *touched, CommandId since);
static void fingerprint_append(Fingerprint *fp, const FingerprintRow *rows, int n);
static Fingerprint *schema_part(VerifyState *st, bool whole, List *relids, bool objects);
static const FingerprintRow *fingerprint_find(const Fingerprint *fp,
											  const char *kind,
											  const char *identity);
static char *collapse_space(const char *s);
static void fingerprint_compare(VerifyState *st, VerifyResult *result,
								const Fingerprint *before, const Fingerprint *after,
								bool applied);
static int	watched_compare(const void *a, const void *b);
static void watch_relations(VerifyState *st);
static void relation_state(WatchedRelation *w, Oid *filenode, Oid *tablespace,
						   PgStat_Counter *scans, int *locks);
static void watch_capture(VerifyState *st);
static char *storage_size(Oid tablespace, Oid filenode);
static const char *lock_mode_words(LOCKMODE mode);
static void watch_statement(VerifyState *st, const MigrateStatement *stmt);
static void verify_after_statement(const MigrateStatement *stmt, void *arg);
static VerifyTreatment statement_treatment(Node *parsetree);
static bool strip_concurrently(char *text, const MigrateStatement *stmt, bool last);
static char *transactional_body(VerifyPlan *plan, const char *body, int64 version,
								MigrateDirection direction, StringInfo adjusted);
static VerifyPlan *verify_make_plan(Migration *m, bool reported);
static void subxact_begin(VerifySubxact *save);
static void subxact_rollback(VerifySubxact *save);
static ErrorData *subxact_catch(VerifyState *st, VerifySubxact *save);
static void verify_run(VerifyState *st, MigrateDirection direction,
					   VerifyPhase phase, bool observing);
static char *failure_text(VerifyState *st, ErrorData *edata);
static void add_line(VerifyState *st, List **lines, char *line);
static const char *same_transaction_reason(const ErrorData *edata);
static const char *same_transaction_hint(const ErrorData *edata);
static bool add_failure(VerifyState *st, VerifyResult *result, ErrorData *edata);
static void schema_update(VerifyState *st, bool whole, List *relids, bool objects,
						  const Fingerprint *fresh);
static void verify_pending_one(VerifyState *st, VerifyPlan *plan);
static void verify_pending(VerifyState *st, List *plans);
static void verify_applied(VerifyState *st, VerifyPlan *plan);
static void emit_row(FunctionCallInfo fcinfo, const Migration *m,
					 const VerifyResult *result, bool applied);

PG_FUNCTION_INFO_V1(migrate_verify);

/*
 * Runs one of the verification queries, Q_SCHEMA_FINGERPRINT or
 * Q_WATCHED_RELATIONS, which read the views migrate_schema_fingerprint and
 * migrate_watched_relations.  They run as every internal query does (see
 * catalog.c): as the extension owner, in a security-restricted operation,
 * with search_path pinned to pg_catalog, pg_temp, so that deparsed
 * definitions qualify every user object whatever the caller's search_path,
 * or a migration body's SET, says.  Sees what the current subtransaction
 * did.  Returns the number of rows, left in SPI_tuptable.
 */
static int
verify_query(CatalogQuery query, Datum *values, const char *nulls)
{
	int			nestlevel = NewGUCNestLevel();
	int			ret;

	/* compiling the fingerprint's large plan would cost more than it saves */
	(void) set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	/* and planning it again for each set of relations, more than a scan */
	(void) set_config_option("plan_cache_mode", "force_generic_plan", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	ret = catalog_exec(query, values, nulls, false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "verification query %d failed: %s", (int) query,
			 SPI_result_code_string(ret));
	AtEOXact_GUC(true, nestlevel);
	return (int) SPI_processed;
}

/*
 * Compares fingerprint rows by kind, then identity, bytewise: the same
 * object when equal.
 */
static int
fingerprint_row_compare(const void *a, const void *b)
{
	const FingerprintRow *ra = (const FingerprintRow *) a;
	const FingerprintRow *rb = (const FingerprintRow *) b;
	int			cmp = strcmp(ra->kind, rb->kind);

	return cmp != 0 ? cmp : strcmp(ra->identity, rb->identity);
}

/*
 * qsort comparator that sorts fingerprint rows for fingerprint_compare(): by
 * kind and identity, then description, so that rows which share an identity
 * (the same privilege from two grantors) come in a stable order.
 */
static int
fingerprint_row_order(const void *a, const void *b)
{
	int			cmp = fingerprint_row_compare(a, b);

	return cmp != 0 ? cmp :
		strcmp(((const FingerprintRow *) a)->description,
			   ((const FingerprintRow *) b)->description);
}

/*
 * Appends the rows of one fingerprint query, Q_SCHEMA_RELATIONS or
 * Q_SCHEMA_OBJECTS, to a fingerprint, in the given memory context.
 */
static void
fingerprint_read(CatalogQuery query, Datum *values, const char *nulls,
				 MemoryContext context, Fingerprint *fp)
{
	int			n = verify_query(query, values, nulls);
	MemoryContext oldcontext = MemoryContextSwitchTo(context);
	int			i;

	fp->rows = repalloc(fp->rows, sizeof(FingerprintRow) * Max(fp->nrows + n, 1));
	for (i = 0; i < n; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	tupdesc = SPI_tuptable->tupdesc;
		char	   *description = SPI_getvalue(tuple, tupdesc, 3);
		bool		isnull;
		Datum		relid = SPI_getbinval(tuple, tupdesc, 4, &isnull);
		FingerprintRow *row = &fp->rows[fp->nrows++];

		row->kind = SPI_getvalue(tuple, tupdesc, 1);
		row->identity = SPI_getvalue(tuple, tupdesc, 2);
		row->description = description ? description : "";
		row->relid = isnull ? InvalidOid : DatumGetObjectId(relid);
	}
	MemoryContextSwitchTo(oldcontext);
	SPI_freetuptable(SPI_tuptable);
}

/*
 * Takes the fingerprint of the user schema as the current subtransaction
 * sees it, into the given memory context (which survives the
 * subtransactions), sorted: the whole schema, or the rows of the relations
 * in relids and, with objects, every row of no relation.
 */
static Fingerprint *
fingerprint_take(VerifyState *st, MemoryContext context, bool whole, List *relids,
				 bool objects)
{
	VerifyPhase saved_phase = st->phase;
	Fingerprint *fp;
	Datum		values[1];
	char		nulls[1] = {'n'};

	fp = MemoryContextAlloc(context, sizeof(Fingerprint));
	fp->nrows = 0;
	fp->rows = MemoryContextAlloc(context, sizeof(FingerprintRow));
	values[0] = (Datum) 0;
	st->phase = PHASE_FINGERPRINT;
	if (!whole && relids != NIL)
	{
		Datum	   *elems = palloc(sizeof(Datum) * list_length(relids));
		ListCell   *lc;
		int			k = 0;

		foreach(lc, relids)
			elems[k++] = ObjectIdGetDatum(lfirst_oid(lc));
		values[0] = PointerGetDatum(construct_array(elems, k, OIDOID, sizeof(Oid),
													true, TYPALIGN_INT));
		nulls[0] = ' ';
	}
	if (whole || relids != NIL)
		fingerprint_read(Q_SCHEMA_RELATIONS, values, nulls, context, fp);
	if (whole || objects)
		fingerprint_read(Q_SCHEMA_OBJECTS, NULL, NULL, context, fp);
	qsort(fp->rows, fp->nrows, sizeof(FingerprintRow), fingerprint_row_order);
	st->phase = saved_phase;
	return fp;
}

/* The relations being collected by touched_relcache_callback(), or NULL */
static VerifyTouched *touched_collecting = NULL;
static MemoryContext touched_context = NULL;

/*
 * Relation cache callback: while a body runs, records the relations whose
 * entries its statements invalidate, which are those whose catalog rows
 * they change (columns, indexes, constraints, triggers, rules, policies,
 * privileges, ...).  InvalidOid stands for every relation.
 */
static void
touched_relcache_callback(Datum arg, Oid relid)
{
	MemoryContext oldcontext;

	if (touched_collecting == NULL)
		return;
	if (!OidIsValid(relid))
	{
		touched_collecting->all = true;
		return;
	}
	oldcontext = MemoryContextSwitchTo(touched_context);
	touched_collecting->relids = lappend_oid(touched_collecting->relids, relid);
	MemoryContextSwitchTo(oldcontext);
}

/*
 * Returns how many rows of a catalog this backend has inserted, updated and
 * deleted so far, as its table statistics count them (those of the current
 * transaction and subtransactions included, whether they commit or abort):
 * a number that only grows, and grows with every write of the catalog
 * while statistics are counted (track_counts).
 */
static PgStat_Counter
catalog_writes(Oid catalog)
{
	PgStat_TableStatus *stats = find_tabstat_entry(catalog);
	PgStat_Counter n;

	if (stats == NULL)
		return 0;
#if PG_VERSION_NUM >= 160000
	/* a copy, with the counts of the open (sub)transactions added */
	n = stats->counts.tuples_inserted + stats->counts.tuples_updated +
		stats->counts.tuples_deleted;
	pfree(stats);
#else
	{
		PgStat_TableXactStatus *trans;

		n = stats->t_counts.t_tuples_inserted + stats->t_counts.t_tuples_updated +
			stats->t_counts.t_tuples_deleted;
		for (trans = stats->trans; trans != NULL; trans = trans->upper)
			n += trans->tuples_inserted + trans->tuples_updated + trans->tuples_deleted;
	}
#endif
	return n;
}

/*
 * Starts recording what the body about to run touches.  The callback is
 * registered once per backend, and records only between touched_begin()
 * and touched_end().
 */
static void
touched_begin(VerifyState *st, VerifyTouched *touched)
{
	static bool registered = false;
	int			i;

	if (!registered)
	{
		CacheRegisterRelcacheCallback(touched_relcache_callback, (Datum) 0);
		registered = true;
	}
	touched->relids = NIL;
	touched->all = false;
	touched->objects = false;
	touched->counted = pgstat_track_counts;
	for (i = 0; i < NUM_OBJECT_CATALOGS; i++)
		touched->marks[i] = catalog_writes(object_catalogs[i]);
	touched_context = st->context;
	touched_collecting = touched;
}

/*
 * Returns whether a catalog row was written (inserted or deleted) by this
 * transaction at or after command since: by the body that just ran.
 */
static bool
touched_by_body(HeapTupleHeader tuple, CommandId since)
{
	return inserted_by_body(tuple, since) || deleted_by_body(tuple, since);
}

/*
 * Returns whether a catalog row version was inserted by this transaction
 * at or after command since.
 */
static bool
inserted_by_body(HeapTupleHeader tuple, CommandId since)
{
	return !HeapTupleHeaderXminInvalid(tuple) && !HeapTupleHeaderXminFrozen(tuple) &&
		TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetRawXmin(tuple)) &&
		HeapTupleHeaderGetCmin(tuple) >= since;
}

/*
 * Returns whether a catalog row version was deleted (or replaced by a new
 * version) by this transaction at or after command since.
 */
static bool
deleted_by_body(HeapTupleHeader tuple, CommandId since)
{
	return (tuple->t_infomask & (HEAP_XMAX_INVALID | HEAP_XMAX_IS_MULTI)) == 0 &&
		!HEAP_XMAX_IS_LOCKED_ONLY(tuple->t_infomask) &&
		TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetRawXmax(tuple)) &&
		HeapTupleHeaderGetCmax(tuple) >= since;
}

/*
 * Adds the relations whose comments (or whose columns' or constraints'
 * comments) the body wrote: COMMENT changes no row the relation cache
 * follows.  A comment on a trigger, policy or rule counts as touching
 * every relation.  Reads every version of pg_description's rows, live or
 * not, to see the comments removed too.
 */
static void
touched_comments(VerifyTouched *touched, CommandId since)
{
	Relation	rel = table_open(DescriptionRelationId, AccessShareLock);
	TableScanDesc scan = table_beginscan(rel, SnapshotAny, 0, NULL);
	HeapTuple	tuple;

	while ((tuple = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_description d = (Form_pg_description) GETSTRUCT(tuple);

		if (!touched_by_body(tuple->t_data, since))
			continue;
		if (d->classoid == RelationRelationId)
			touched->relids = lappend_oid(touched->relids, d->objoid);
		else if (d->classoid == ConstraintRelationId)
		{
			HeapTuple	con = SearchSysCache1(CONSTROID, ObjectIdGetDatum(d->objoid));

			if (HeapTupleIsValid(con))
			{
				Oid			conrelid = ((Form_pg_constraint) GETSTRUCT(con))->conrelid;

				if (OidIsValid(conrelid))
					touched->relids = lappend_oid(touched->relids, conrelid);
				else
					touched->objects = true;	/* of a domain */
				ReleaseSysCache(con);
			}
		}
		else if (d->classoid == TriggerRelationId || d->classoid == PolicyRelationId ||
				 d->classoid == RewriteRelationId)
			touched->all = true;
		else
			touched->objects = true;
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
}

/*
 * Returns the kind of a relation from any version of its pg_class row, so
 * that a relation the body dropped is known too, or '\0' if there is none.
 */
static char
relkind_of_any_version(Oid relid)
{
	Relation	rel = table_open(RelationRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	char		relkind = '\0';

	ScanKeyInit(&key, Anum_pg_class_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, ClassOidIndexId, true, SnapshotAny, 1, &key);
	if ((tuple = systable_getnext(scan)) != NULL)
		relkind = ((Form_pg_class) GETSTRUCT(tuple))->relkind;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return relkind;
}

/* A version of a pg_type row that a body wrote, for touched_types() */
typedef struct TouchedType
{
	Oid			oid;
	Oid			typrelid;
	Oid			typelem;
	bool		inserted;		/* this version was written by the body */
	bool		deleted;		/* and this one deleted or replaced by it */
} TouchedType;

/*
 * Returns whether the pg_type rows the body wrote may change the objects of
 * no relation.  Creating or dropping a table, view, sequence or foreign
 * table writes its row type and the array type of that, which the
 * fingerprint leaves out, and which no other object can name yet (when
 * created) or any more (when dropped: what named it was dropped with it, or
 * the drop failed).  Any other row written, or a row type changed in place
 * (renamed, given another owner or schema, which changes the name that
 * functions and domains show), or the row type of a composite type, may.
 */
static bool
touched_types(CommandId since)
{
	Relation	rel = table_open(TypeRelationId, AccessShareLock);
	TableScanDesc scan = table_beginscan(rel, SnapshotAny, 0, NULL);
	HeapTuple	tuple;
	TouchedType *types = palloc(sizeof(TouchedType) * 16);
	int			ntypes = 0;
	int			capacity = 16;
	bool		changed = false;
	int			i;
	int			j;

	while ((tuple = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_type t = (Form_pg_type) GETSTRUCT(tuple);
		bool		inserted = inserted_by_body(tuple->t_data, since);
		bool		deleted = deleted_by_body(tuple->t_data, since);

		if (!inserted && !deleted)
			continue;
		if (ntypes == capacity)
		{
			capacity *= 2;
			types = repalloc(types, sizeof(TouchedType) * capacity);
		}
		types[ntypes].oid = t->oid;
		types[ntypes].typrelid = t->typrelid;
		types[ntypes].typelem = t->typelem;
		types[ntypes].inserted = inserted;
		types[ntypes].deleted = deleted;
		ntypes++;
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);

	for (i = 0; i < ntypes && !changed; i++)
	{
		const TouchedType *base = NULL;

		/* written once: created, or dropped */
		if (types[i].inserted == types[i].deleted)
		{
			changed = true;
			break;
		}
		for (j = 0; j < ntypes; j++)
			if (j != i && types[j].oid == types[i].oid)
				changed = true;
		if (OidIsValid(types[i].typrelid))
			base = &types[i];
		else if (OidIsValid(types[i].typelem))
			for (j = 0; j < ntypes; j++)
				if (types[j].oid == types[i].typelem && OidIsValid(types[j].typrelid))
					base = &types[j];
		if (base == NULL)
			changed = true;
		else
		{
			char		relkind = relkind_of_any_version(base->typrelid);

			if (relkind == '\0' || relkind == RELKIND_COMPOSITE_TYPE)
				changed = true;
		}
	}
	pfree(types);
	return changed;
}

/*
 * Returns whether the body wrote a constraint of a domain (the others belong
 * to relations, whose relation cache entries they invalidate).  Reads every
 * version of the domains' constraints only, through the index on the
 * domain.
 */
static bool
touched_domain_constraints(CommandId since)
{
	Relation	rel = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	bool		changed = false;

	ScanKeyInit(&key, Anum_pg_constraint_contypid, BTGreaterStrategyNumber, F_OIDGT,
				ObjectIdGetDatum(InvalidOid));
	scan = systable_beginscan(rel, ConstraintTypidIndexId, true, SnapshotAny, 1, &key);
	while (!changed && (tuple = systable_getnext(scan)) != NULL)
		changed = touched_by_body(tuple->t_data, since);
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return changed;
}

/*
 * Returns whether the body made an object a member of an extension, or no
 * longer one (ALTER EXTENSION ... ADD or DROP), which writes only pg_depend:
 * a member is left out of the fingerprint.  Reads the dependencies on
 * extensions, every version.
 */
static bool
touched_extension_members(CommandId since)
{
	Relation	rel = table_open(DependRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	bool		changed = false;

	ScanKeyInit(&key, Anum_pg_depend_refclassid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(ExtensionRelationId));
	scan = systable_beginscan(rel, DependReferenceIndexId, true, SnapshotAny, 1, &key);
	while (!changed && (tuple = systable_getnext(scan)) != NULL)
		changed = touched_by_body(tuple->t_data, since);
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return changed;
}

/*
 * Returns whether an object of no relation in the fingerprint (a function,
 * a type or domain, a domain's constraint, a statistics object) depends on
 * the given object, so that its text may name it: a function's SQL body, a
 * default argument or an argument type, a domain over a row type.
 */
static bool
has_object_dependents(Oid classid, Oid objid)
{
	Relation	rel = table_open(DependRelationId, AccessShareLock);
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tuple;
	bool		found = false;

	ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(classid));
	ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(objid));
	scan = systable_beginscan(rel, DependReferenceIndexId, true, NULL, 2, key);
	while (!found && (tuple = systable_getnext(scan)) != NULL)
	{
		Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tuple);

		/* a row type and its array type depend internally on what they type */
		if (d->classid == TypeRelationId)
			found = d->deptype != DEPENDENCY_INTERNAL;
		else if (d->classid == ConstraintRelationId)
			found = classid == TypeRelationId;
		else
			found = d->classid == ProcedureRelationId ||
				d->classid == StatisticExtRelationId;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/*
 * Returns whether an object of no relation may name one of the relations
 * the body touched, or their row types, in its text: then a rename of the
 * relation changes that object without writing it.  Relations that are
 * gone took what depended on them along, which was written.
 */
static bool
touched_named_by_objects(List *relids)
{
	ListCell   *lc;

	foreach(lc, relids)
	{
		Oid			relid = lfirst_oid(lc);
		HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
		Oid			reltype;
		char		relkind;
		Oid			array = InvalidOid;

		if (!HeapTupleIsValid(tuple))
			continue;
		reltype = ((Form_pg_class) GETSTRUCT(tuple))->reltype;
		relkind = ((Form_pg_class) GETSTRUCT(tuple))->relkind;
		ReleaseSysCache(tuple);
		if (relkind == RELKIND_INDEX || relkind == RELKIND_PARTITIONED_INDEX)
			continue;
		if (has_object_dependents(RelationRelationId, relid))
			return true;
		if (!OidIsValid(reltype))
			continue;
		if (has_object_dependents(TypeRelationId, reltype))
			return true;
		tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(reltype));
		if (HeapTupleIsValid(tuple))
		{
			array = ((Form_pg_type) GETSTRUCT(tuple))->typarray;
			ReleaseSysCache(tuple);
		}
		if (OidIsValid(array) && has_object_dependents(TypeRelationId, array))
			return true;
	}
	return false;
}

/*
 * Stops recording: processes the invalidations of the body's last command,
 * adds the comments it wrote, and adds the table of each index touched
 * (whose rows carry the table).  The list is sorted, without duplicates.
 * Also says whether the objects of no relation may have changed: when
 * statistics were not counted, or the body wrote one of object_catalogs
 * (beyond what creating and dropping tables writes there), or touched a
 * relation that such an object depends on.
 */
static void
touched_end(VerifyTouched *touched, CommandId since)
{
	MemoryContext oldcontext = MemoryContextSwitchTo(touched_context);
	ListCell   *lc;
	List	   *tables = NIL;
	bool		changed[NUM_OBJECT_CATALOGS];
	bool		counted;
	int			i;

	CommandCounterIncrement();
	touched_collecting = NULL;
	for (i = 0; i < NUM_OBJECT_CATALOGS; i++)
		changed[i] = catalog_writes(object_catalogs[i]) != touched->marks[i];
	counted = touched->counted && pgstat_track_counts;
	if (!counted || changed[CATALOG_DESCRIPTION])
		touched_comments(touched, since);
	if (!counted)
		touched->objects = true;
	for (i = CATALOG_DEPEND + 1; i < NUM_OBJECT_CATALOGS && !touched->objects; i++)
		touched->objects = changed[i];
	if (!touched->objects && changed[CATALOG_TYPE])
		touched->objects = touched_types(since);
	if (!touched->objects && changed[CATALOG_CONSTRAINT])
		touched->objects = touched_domain_constraints(since);
	if (!touched->objects && changed[CATALOG_DEPEND])
		touched->objects = touched_extension_members(since);
	foreach(lc, touched->relids)
	{
		Oid			table = get_rel_relkind(lfirst_oid(lc)) == RELKIND_INDEX ||
			get_rel_relkind(lfirst_oid(lc)) == RELKIND_PARTITIONED_INDEX ?
			IndexGetRelation(lfirst_oid(lc), true) : InvalidOid;

		if (OidIsValid(table))
			tables = lappend_oid(tables, table);
	}
	touched->relids = list_concat(touched->relids, tables);
	list_sort(touched->relids, list_oid_cmp);
	list_deduplicate_oid(touched->relids);
	if (!touched->objects && !touched->all)
		touched->objects = touched_named_by_objects(touched->relids);
	MemoryContextSwitchTo(oldcontext);
}

/*
 * Appends rows to a fingerprint whose array was allocated with room for
 * them.
 */
static void
fingerprint_append(Fingerprint *fp, const FingerprintRow *rows, int n)
{
	memcpy(fp->rows + fp->nrows, rows, sizeof(FingerprintRow) * n);
	fp->nrows += n;
}

/*
 * Returns, from the schema's fingerprint, the rows that a fingerprint_take()
 * of the same arguments would hold, sorted, in the fingerprints' memory
 * context (the texts are shared, not copied).
 */
static Fingerprint *
schema_part(VerifyState *st, bool whole, List *relids, bool objects)
{
	Fingerprint *part = MemoryContextAlloc(st->fingerprints, sizeof(Fingerprint));
	SchemaRelation *entry;
	int			n = (whole || objects) ? st->objects->nrows : 0;
	ListCell   *lc;

	if (whole)
	{
		HASH_SEQ_STATUS status;

		hash_seq_init(&status, st->schema);
		while ((entry = hash_seq_search(&status)) != NULL)
			n += entry->nrows;
	}
	else
		foreach(lc, relids)
		{
			entry = hash_search(st->schema, &lfirst_oid(lc), HASH_FIND, NULL);
			if (entry != NULL)
				n += entry->nrows;
		}

	part->nrows = 0;
	part->rows = MemoryContextAlloc(st->fingerprints, sizeof(FingerprintRow) * Max(n, 1));
	if (whole || objects)
		fingerprint_append(part, st->objects->rows, st->objects->nrows);
	if (whole)
	{
		HASH_SEQ_STATUS status;

		hash_seq_init(&status, st->schema);
		while ((entry = hash_seq_search(&status)) != NULL)
			fingerprint_append(part, entry->rows, entry->nrows);
	}
	else
		foreach(lc, relids)
		{
			entry = hash_search(st->schema, &lfirst_oid(lc), HASH_FIND, NULL);
			if (entry != NULL)
				fingerprint_append(part, entry->rows, entry->nrows);
		}
	qsort(part->rows, part->nrows, sizeof(FingerprintRow), fingerprint_row_order);
	return part;
}


/*
 * Returns the row of a fingerprint with the given kind and identity, or
 * NULL.
 */
static const FingerprintRow *
fingerprint_find(const Fingerprint *fp, const char *kind, const char *identity)
{
	FingerprintRow key;

	key.kind = (char *) kind;
	key.identity = (char *) identity;
	key.description = NULL;
	return bsearch(&key, fp->rows, fp->nrows, sizeof(FingerprintRow),
				   fingerprint_row_compare);
}

/*
 * Returns a copy of a description with each run of white space made one
 * space, so that a multi-line definition reads on one line.
 */
static char *
collapse_space(const char *s)
{
	StringInfoData buf;
	bool		space = false;

	initStringInfo(&buf);
	for (; *s; s++)
	{
		if (isspace((unsigned char) *s))
			space = true;
		else
		{
			if (space && buf.len > 0)
				appendStringInfoChar(&buf, ' ');
			space = false;
			appendStringInfoChar(&buf, *s);
		}
	}
	return buf.data;
}

/*
 * Compares the fingerprint taken before with the one taken after down
 * (pending) or after down and up (applied), adding a sentence per object
 * that appeared, disappeared or changed.  A new column order with the same
 * set of columns is a note, not a difference.
 */
static void
fingerprint_compare(VerifyState *st, VerifyResult *result,
					const Fingerprint *before, const Fingerprint *after, bool applied)
{
	const char *when = applied ? "after down and up" : "after down";
	MemoryContext oldcontext = MemoryContextSwitchTo(st->context);
	int			i = 0;
	int			j = 0;

	while (i < before->nrows || j < after->nrows)
	{
		const FingerprintRow *b = i < before->nrows ? &before->rows[i] : NULL;
		const FingerprintRow *a = j < after->nrows ? &after->rows[j] : NULL;
		int			cmp;
		const FingerprintRow *row;

		if (b == NULL)
			cmp = 1;
		else if (a == NULL)
			cmp = -1;
		else
			cmp = fingerprint_row_compare(b, a);
		row = cmp <= 0 ? b : a;
		i += cmp <= 0 ? 1 : 0;
		j += cmp >= 0 ? 1 : 0;

		/* the column set only tells a new order from a changed set */
		if (strcmp(row->kind, "column set") == 0)
			continue;
		if (strcmp(row->kind, "column order") == 0)
		{
			const FingerprintRow *set_before;
			const FingerprintRow *set_after;

			if (cmp != 0 || strcmp(b->description, a->description) == 0)
				continue;
			set_before = fingerprint_find(before, "column set", row->identity);
			set_after = fingerprint_find(after, "column set", row->identity);
			if (set_before != NULL && set_after != NULL &&
				strcmp(set_before->description, set_after->description) == 0)
				result->notes = lappend(result->notes,
										psprintf("column order of %s changes %s: %s -> %s (not counted as a difference)",
												 row->identity, when,
												 b->description, a->description));
			continue;
		}

		if (cmp < 0)
			result->problems = lappend(result->problems,
									   psprintf("%s %s is missing %s",
												row->kind, row->identity, when));
		else if (cmp > 0)
			result->problems = lappend(result->problems,
									   psprintf(applied ? "%s %s appears %s" : "%s %s is still there %s",
												row->kind, row->identity, when));
		else if (strcmp(b->description, a->description) != 0)
			result->problems = lappend(result->problems,
									   psprintf("%s %s differs %s: %s -> %s",
												row->kind, row->identity, when,
												collapse_space(b->description),
												collapse_space(a->description)));
	}
	MemoryContextSwitchTo(oldcontext);
}

/*
 * qsort comparator of watched relations: by name, bytewise.
 */
static int
watched_compare(const void *a, const void *b)
{
	return strcmp(((const WatchedRelation *) a)->name,
				  ((const WatchedRelation *) b)->name);
}

/*
 * Lists the relations that exist before anything runs: those whose
 * rewrites, scans and strong locks are reported.
 */
static void
watch_relations(VerifyState *st)
{
	MemoryContext oldcontext;
	int			n = verify_query(Q_WATCHED_RELATIONS, NULL, NULL);
	int			i;

	oldcontext = MemoryContextSwitchTo(st->context);
	st->nwatched = n;
	st->watched = palloc0(sizeof(WatchedRelation) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	tupdesc = SPI_tuptable->tupdesc;
		bool		isnull;

		st->watched[i].oid = DatumGetObjectId(SPI_getbinval(tuple, tupdesc, 1, &isnull));
		st->watched[i].kind = SPI_getvalue(tuple, tupdesc, 2);
		st->watched[i].name = SPI_getvalue(tuple, tupdesc, 3);
	}
	qsort(st->watched, n, sizeof(WatchedRelation), watched_compare);
	MemoryContextSwitchTo(oldcontext);
	SPI_freetuptable(SPI_tuptable);
}

/*
 * Reads the present state of a watched relation: its storage (0 if it has
 * none or was dropped), the sequential scans this transaction made of it,
 * and which strong lock modes this backend holds on it.
 */
static void
relation_state(WatchedRelation *w, Oid *filenode, Oid *tablespace,
			   PgStat_Counter *scans, int *locks)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(w->oid));
	PgStat_TableStatus *stats;
	LOCKTAG		tag;
	int			i;

	*filenode = InvalidOid;
	*tablespace = InvalidOid;
	if (HeapTupleIsValid(tuple))
	{
		Form_pg_class form = (Form_pg_class) GETSTRUCT(tuple);

		*filenode = form->relfilenode;
		*tablespace = form->reltablespace;
		ReleaseSysCache(tuple);
	}

	stats = find_tabstat_entry(w->oid);
	*scans = stats != NULL ? migrate_tabstat_numscans(stats) : 0;

	*locks = 0;
	SET_LOCKTAG_RELATION(tag, MyDatabaseId, w->oid);
	for (i = 0; i < lengthof(strong_lock_modes); i++)
		if (migrate_lock_held_by_me(&tag, strong_lock_modes[i]))
			*locks |= LOCKBIT_ON(strong_lock_modes[i]);
}

/*
 * Records the state of every watched relation before an up runs.
 */
static void
watch_capture(VerifyState *st)
{
	int			i;

	for (i = 0; i < st->nwatched; i++)
	{
		WatchedRelation *w = &st->watched[i];

		relation_state(w, &w->filenode, &w->tablespace, &w->scans, &w->locks);
	}
}

/*
 * Returns the size of a relation's main fork in the given storage, for a
 * message ("8192 bytes"), or NULL if there is no such file.  Reads the file
 * directly, so that the size of storage a rewrite just replaced (which
 * stays until the transaction ends) is still known, and no lock is needed.
 */
static char *
storage_size(Oid tablespace, Oid filenode)
{
	SMgrRelation smgr;
	int64		bytes;

	smgr = migrate_smgropen(OidIsValid(tablespace) ? tablespace : MyDatabaseTableSpace,
							filenode);
	if (!smgrexists(smgr, MAIN_FORKNUM))
		return NULL;
	bytes = (int64) smgrnblocks(smgr, MAIN_FORKNUM) * BLCKSZ;
	return text_to_cstring(DatumGetTextPP(DirectFunctionCall1(pg_size_pretty,
															  Int64GetDatum(bytes))));
}

/*
 * Names a strong lock mode as LOCK TABLE does, with what it blocks.
 */
static const char *
lock_mode_words(LOCKMODE mode)
{
	switch (mode)
	{
		case AccessExclusiveLock:
			return "ACCESS EXCLUSIVE mode, blocking reads and writes";
		case ExclusiveLock:
			return "EXCLUSIVE mode, blocking writes";
		case ShareRowExclusiveLock:
			return "SHARE ROW EXCLUSIVE mode, blocking writes";
		default:
			return "SHARE mode, blocking writes";
	}
}

/*
 * After a statement of an up: reports which watched relations it rewrote
 * (their storage changed), scanned sequentially, or locked in a mode that
 * blocks writes, with their sizes.  A lock no stronger than one the
 * transaction already held (from an earlier statement or migration) is not
 * reported; nor are the locks of a statement run without its CONCURRENTLY,
 * which are not those it takes when deployed.
 */
static void
watch_statement(VerifyState *st, const MigrateStatement *stmt)
{
	bool		stripped = bms_is_member(stmt->number, st->plan->stripped_up);
	MemoryContext oldcontext = MemoryContextSwitchTo(st->context);
	char	   *where = psprintf("statement %d of %s (line %d)", stmt->number,
								 st->plan->migration->repeatable ? "its body" : "up",
								 stmt->line);
	int			i;

	for (i = 0; i < st->nwatched; i++)
	{
		WatchedRelation *w = &st->watched[i];
		Oid			filenode;
		Oid			tablespace;
		PgStat_Counter scans;
		int			locks;
		int			new_locks;
		int			m;

		relation_state(w, &filenode, &tablespace, &scans, &locks);
		new_locks = locks & ~w->locks;
		/* the strongest mode taken, unless one as strong was already held */
		for (m = 0; m < lengthof(strong_lock_modes) && !stripped; m++)
		{
			if ((w->locks & LOCKBIT_ON(strong_lock_modes[m])) != 0)
				break;
			if ((new_locks & LOCKBIT_ON(strong_lock_modes[m])) == 0)
				continue;
			add_line(st, &st->plan->result->observations,
					 psprintf("%s locks %s %s in %s", where, w->kind, w->name,
							  lock_mode_words(strong_lock_modes[m])));
			break;
		}
		if (OidIsValid(w->filenode) && OidIsValid(filenode) && filenode != w->filenode)
		{
			char	   *size = storage_size(w->tablespace, w->filenode);

			add_line(st, &st->plan->result->observations,
					 size ? psprintf("%s rewrites %s %s (%s)", where, w->kind, w->name, size) :
					 psprintf("%s rewrites %s %s", where, w->kind, w->name));
		}
		else if (OidIsValid(filenode) && scans > w->scans)
		{
			char	   *size = storage_size(tablespace, filenode);

			add_line(st, &st->plan->result->observations,
					 size ? psprintf("%s scans %s %s sequentially (%s)", where, w->kind, w->name, size) :
					 psprintf("%s scans %s %s sequentially", where, w->kind, w->name));
		}
		w->filenode = filenode;
		w->tablespace = tablespace;
		w->scans = scans;
		w->locks = locks;
	}
	MemoryContextSwitchTo(oldcontext);
}

/*
 * The runner's hook, called after each statement of a body: watches the
 * statement when asked to, and counts it, so that a failure can name the
 * statement that failed.
 */
static void
verify_after_statement(const MigrateStatement *stmt, void *arg)
{
	VerifyState *st = (VerifyState *) arg;

	if (st->observing)
		watch_statement(st, stmt);
	st->completed = stmt->number;
}

/*
 * Decides what to do with a statement that cannot run inside a transaction
 * block, as statements_parse_body() found it, so that its migration can
 * still be verified inside one.
 */
static VerifyTreatment
statement_treatment(Node *parsetree)
{
	switch (nodeTag(parsetree))
	{
		case T_IndexStmt:		/* CREATE INDEX CONCURRENTLY */
		case T_DropStmt:		/* DROP INDEX CONCURRENTLY */
			return TREAT_STRIP_FIRST;
		case T_AlterTableStmt:	/* ... DETACH PARTITION p CONCURRENTLY */
			return TREAT_STRIP_LAST;
		case T_VacuumStmt:
		case T_ReindexStmt:
		case T_ClusterStmt:
		case T_DiscardStmt:
			return TREAT_SKIP;
		default:
			return TREAT_IMPOSSIBLE;
	}
}

/*
 * Blanks out the first (or last) CONCURRENTLY keyword of a statement in a
 * body, in place, keeping every offset and line of the body.  The server's
 * scanner finds the tokens, so that quoted text and comments are never
 * touched.  Returns false if there is none.
 */
static bool
strip_concurrently(char *text, const MigrateStatement *stmt, bool last)
{
	char	   *slice = pnstrdup(text + stmt->offset, stmt->length);
	core_yy_extra_type extra;
	core_yyscan_t scanner;
	core_YYSTYPE value;
	YYLTYPE		location;
	int			found = -1;
	const int	keyword_length = strlen("concurrently");

	scanner = scanner_init(slice, &extra, &ScanKeywords, ScanKeywordTokens);
	extra.escape_string_warning = false;
	while (core_yylex(&value, &location, scanner) != 0)
	{
		char		next;

		if (location + keyword_length > stmt->length ||
			pg_strncasecmp(slice + location, "concurrently", keyword_length) != 0)
			continue;
		/* the keyword, not a longer word or a quoted name */
		next = slice[location + keyword_length];
		if (!(isalnum((unsigned char) next) || next == '_' || next == '$' ||
			  IS_HIGHBIT_SET(next)))
		{
			found = location;
			if (!last)
				break;
		}
	}
	scanner_finish(scanner);
	if (found < 0)
		return false;
	memset(text + stmt->offset + found, ' ', keyword_length);
	return true;
}

/*
 * Returns the transactional equivalent of a body: CONCURRENTLY removed, and
 * maintenance statements made no-ops (SELECT), with every statement's
 * number and line unchanged.  Says in "adjusted" what was done; sets
 * plan->impossible when a statement has no equivalent.
 */
static char *
transactional_body(VerifyPlan *plan, const char *body, int64 version,
				   MigrateDirection direction, StringInfo adjusted)
{
	char	   *text = pstrdup(body);
	int			previous = 0;

	for (;;)
	{
		MigrateBody *parsed = statements_parse_body(text, version, direction);
		MigrateStatement *stmt;
		VerifyTreatment treatment;
		const char *what;
		int			i;

		if (parsed->top_level_statement == 0)
			break;
		stmt = list_nth(parsed->statements, parsed->top_level_statement - 1);
		treatment = statement_treatment(stmt->parsetree);
		/* one that stays after its treatment has no equivalent either */
		if (parsed->top_level_statement <= previous)
			treatment = TREAT_IMPOSSIBLE;
		previous = parsed->top_level_statement;

		if ((treatment == TREAT_STRIP_FIRST || treatment == TREAT_STRIP_LAST) &&
			strip_concurrently(text, stmt, treatment == TREAT_STRIP_LAST))
		{
			what = "run without CONCURRENTLY";
			if (direction == MIGRATE_UP)
				plan->stripped_up = bms_add_member(plan->stripped_up, stmt->number);
		}
		else if (treatment == TREAT_SKIP && stmt->length >= strlen("SELECT"))
		{
			/* a no-op in its place; its newlines stay */
			for (i = 0; i < stmt->length; i++)
				if (text[stmt->offset + i] != '\n')
					text[stmt->offset + i] = ' ';
			memcpy(text + stmt->offset, "SELECT", strlen("SELECT"));
			what = psprintf("(%s) skipped, as it changes no schema", parsed->top_level_tag);
		}
		else
		{
			plan->impossible = psprintf("statement %d of %s is %s, which cannot run inside a transaction",
										stmt->number, direction_name(direction),
										parsed->top_level_tag);
			return text;
		}
		appendStringInfo(adjusted, "%sstatement %d of %s %s", adjusted->len > 0 ? "; " : "",
						 stmt->number, direction_name(direction), what);
	}
	return text;
}

/*
 * Makes a migration ready to run inside the verification's transaction:
 * its transactional equivalent if it is not transactional, and its bodies
 * parsed.  A reported one gets a result row.
 */
static VerifyPlan *
verify_make_plan(Migration *m, bool reported)
{
	VerifyPlan *plan = palloc0(sizeof(VerifyPlan));
	Migration  *copy = palloc(sizeof(Migration));

	*copy = *m;
	/* a repeatable's run is taken back by its last run's body, or its down */
	if (m->repeatable && m->previous_body != NULL)
		copy->down = m->previous_body;
	plan->migration = copy;
	if (reported)
	{
		plan->result = palloc0(sizeof(VerifyResult));
		plan->result->verified = true;
	}
	if (!m->transactional)
	{
		StringInfoData adjusted;

		initStringInfo(&adjusted);
		copy->up = transactional_body(plan, m->up, m->version, MIGRATE_UP, &adjusted);
		if (m->down != NULL && plan->impossible == NULL)
			copy->down = transactional_body(plan, m->down, m->version, MIGRATE_DOWN,
											&adjusted);
		if (plan->impossible != NULL)
			return plan;
		plan->adjusted = adjusted.len > 0 ?
			psprintf("verified through its transactional equivalent: %s", adjusted.data) :
			"verified inside a transaction block, although it is defined to run outside one";
	}
	plan->up = statements_parse_body(copy->up, copy->version, MIGRATE_UP);
	if (copy->down != NULL)
		plan->down = statements_parse_body(copy->down, copy->version, MIGRATE_DOWN);
	return plan;
}

/*
 * Starts an internal subtransaction, staying in the caller's memory
 * context.
 */
static void
subxact_begin(VerifySubxact *save)
{
	save->context = CurrentMemoryContext;
	save->owner = CurrentResourceOwner;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(save->context);
}

/*
 * Rolls back the subtransaction started by subxact_begin(), which undoes
 * everything done in it and releases the locks it took, and returns to the
 * caller's memory context and resource owner.
 */
static void
subxact_rollback(VerifySubxact *save)
{
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(save->context);
	CurrentResourceOwner = save->owner;
}

/*
 * In a PG_CATCH block: copies the error into the verification's memory
 * context, clears it and rolls back the subtransaction.  A cancel (the
 * user's, or a statement timeout) is raised again once the subtransaction
 * is gone: it ends the verification.  Returns the error.
 */
static ErrorData *
subxact_catch(VerifyState *st, VerifySubxact *save)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(st->context);
	edata = CopyErrorData();
	FlushErrorState();
	subxact_rollback(save);
	if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
		ReThrowError(edata);
	return edata;
}

/*
 * Runs a body of the current migration (its transactional equivalent) under
 * the migrate.* timeouts, counting its statements and, when observing,
 * watching what each one does.
 */
static void
verify_run(VerifyState *st, MigrateDirection direction, VerifyPhase phase,
		   bool observing)
{
	RunnerHooks hooks;

	hooks.after_statement = verify_after_statement;
	hooks.arg = st;
	st->phase = phase;
	st->completed = 0;
	st->observing = observing;
	if (observing)
		watch_capture(st);
	runner_execute(st->plan->migration, direction, &hooks);
	st->observing = false;
}

/*
 * Describes a failure of the current migration: which body, which
 * statement and line, and the error message.
 */
static char *
failure_text(VerifyState *st, ErrorData *edata)
{
	VerifyPlan *plan = st->plan;
	MigrateBody *body = st->phase == PHASE_DOWN ? plan->down : plan->up;
	bool		repeatable = plan->migration->repeatable;
	const char *what;
	MigrateStatement *stmt;

	/* a repeatable's up is its body, its down what its rollback runs */
	switch (st->phase)
	{
		case PHASE_UP:
			what = repeatable ? "its body fails" : "up fails";
			break;
		case PHASE_DOWN:
			what = !repeatable ? "down fails" :
				plan->migration->previous_body != NULL ?
				"its rollback (its last run's body) fails" : "its rollback (its down) fails";
			break;
		case PHASE_UP_AGAIN:
			what = repeatable ? "its body fails after its rollback" : "up fails after down";
			break;
		default:
			/* such as an exhausted lock table: say what to do about it */
			return edata->hint ?
				psprintf("the schema could not be read: %s (%s)", edata->message, edata->hint) :
				psprintf("the schema could not be read: %s", edata->message);
	}
	if (body == NULL || st->completed >= list_length(body->statements))
		return psprintf("%s: %s", what, edata->message);
	stmt = list_nth(body->statements, st->completed);
	return psprintf("%s at statement %d (line %d): %s", what, stmt->number, stmt->line,
					edata->message);
}

/*
 * Appends a line to one of the lists of the current result, in the
 * verification's memory context.
 */
static void
add_line(VerifyState *st, List **lines, char *line)
{
	MemoryContext oldcontext = MemoryContextSwitchTo(st->context);

	*lines = lappend(*lines, pstrdup(line));
	MemoryContextSwitchTo(oldcontext);
}

/*
 * Returns why an error of a body says nothing of the migration itself, but
 * only of where verify runs it: PostgreSQL raises it because the up, the
 * down and the migrations before them share one transaction (an enum value
 * used in the transaction that added it, a table altered while trigger
 * events of the same transaction are pending, a statement that cannot run
 * in a transaction block), or because the transaction is read-only (a hot
 * standby).  Returns NULL for any other error.  The untranslated message
 * tells the pending trigger events from the other errors of their SQLSTATE.
 */
static const char *
same_transaction_reason(const ErrorData *edata)
{
	switch (edata->sqlerrcode)
	{
		case ERRCODE_UNSAFE_NEW_ENUM_VALUE_USAGE:
			return "PostgreSQL refuses to use an enum value in the transaction that added it, "
				"and verify runs the migrations and their downs in one transaction";
		case ERRCODE_OBJECT_IN_USE:
			if (edata->message_id != NULL &&
				strstr(edata->message_id, "pending trigger events") != NULL)
				return "PostgreSQL refuses it while trigger events (deferred constraints) of the same "
					"transaction are pending, and verify runs the migrations and their downs in one transaction";
			return NULL;
		case ERRCODE_ACTIVE_SQL_TRANSACTION:
			return "the statement cannot run inside a transaction block, "
				"and verify runs the migrations and their downs in one transaction";
		case ERRCODE_READ_ONLY_SQL_TRANSACTION:
			if (RecoveryInProgress())
				return "this server is a hot standby, where a body that writes cannot run";
			return "the transaction is read-only, so a body that writes cannot run";
		default:
			return NULL;
	}
}

/*
 * Returns the hint that follows a failure that same_transaction_reason()
 * explains: where the migration can be verified instead.
 */
static const char *
same_transaction_hint(const ErrorData *edata)
{
	if (edata->sqlerrcode == ERRCODE_READ_ONLY_SQL_TRANSACTION)
		return RecoveryInProgress() ?
			"verify it on the primary, or deploy and revert it on a scratch copy of the database" :
			"verify it in a read-write transaction";
	return "deploy and revert it on a scratch copy of the database "
		"(CALL migrate_deploy(); CALL migrate_revert();), which commit each migration";
}

/*
 * Adds a failure to a result: a body that failed is a finding (ok is
 * false); a fingerprint that could not be taken, or a body that failed only
 * because of where verify runs it (see same_transaction_reason()), leaves
 * the migration not verified (ok is NULL), with the reason and what to do.
 * Returns whether the migration is left not verified.
 */
static bool
add_failure(VerifyState *st, VerifyResult *result, ErrorData *edata)
{
	char	   *text = failure_text(st, edata);
	const char *reason = st->phase == PHASE_FINGERPRINT ? NULL :
		same_transaction_reason(edata);

	if (st->phase == PHASE_FINGERPRINT)
	{
		result->verified = false;
		text = psprintf("not verified: %s", text);
	}
	else if (reason != NULL)
	{
		result->verified = false;
		text = psprintf("not verifiable here: %s\n(%s; %s)", text, reason,
						same_transaction_hint(edata));
	}
	add_line(st, &result->problems, text);
	return !result->verified;
}

/*
 * Brings the schema's fingerprint up to date with fresh, a
 * fingerprint_take() of the same arguments taken now: the whole schema, or
 * the rows of the relations in relids (a relation that fresh no longer
 * holds is gone) and, with objects, the rows of no relation.  The texts and
 * arrays live in st->context.
 */
static void
schema_update(VerifyState *st, bool whole, List *relids, bool objects,
			  const Fingerprint *fresh)
{
	MemoryContext oldcontext = MemoryContextSwitchTo(st->context);
	SchemaRelation *entry;
	ListCell   *lc;
	int			i;

	if (whole || st->schema == NULL)
	{
		HASHCTL		ctl;

		if (st->schema != NULL)
			hash_destroy(st->schema);
		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(SchemaRelation);
		ctl.hcxt = st->context;
		st->schema = hash_create("migrate verify schema", 1024, &ctl,
								 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	else
		foreach(lc, relids)
			hash_search(st->schema, &lfirst_oid(lc), HASH_REMOVE, NULL);
	if (whole || objects)
	{
		st->objects = palloc(sizeof(Fingerprint));
		st->objects->nrows = 0;
		st->objects->rows = palloc(sizeof(FingerprintRow) * Max(fresh->nrows, 1));
	}

	/* fresh is sorted, so each relation's rows come out sorted too */
	for (i = 0; i < fresh->nrows; i++)
	{
		const FingerprintRow *row = &fresh->rows[i];
		bool		found;

		if (!OidIsValid(row->relid))
		{
			fingerprint_append(st->objects, row, 1);
			continue;
		}
		entry = hash_search(st->schema, &row->relid, HASH_ENTER, &found);
		if (!found)
		{
			entry->nrows = 0;
			entry->rows = NULL;
		}
		if (entry->rows == NULL)
			entry->rows = palloc(sizeof(FingerprintRow) * 8);
		else if ((entry->nrows & (entry->nrows - 1)) == 0 && entry->nrows >= 8)
			entry->rows = repalloc(entry->rows, sizeof(FingerprintRow) * entry->nrows * 2);
		entry->rows[entry->nrows++] = *row;
	}
	MemoryContextSwitchTo(oldcontext);
}

/*
 * Verifies one pending migration inside the outer subtransaction: runs its
 * up, watched, and leaves it applied for the migrations after it.  For a
 * reported one, the down, the comparison and the second up run in a nested
 * subtransaction that is rolled back, whatever happens.  An error in the
 * first up propagates (the caller reports it); one in the nested part is a
 * finding.  The schema's fingerprint is read whole before the first
 * reported migration; then only the relations each up and down touched are
 * read again (with the rows of no relation), and compared with the same
 * part of the fingerprint from before the up.
 */
static void
verify_pending_one(VerifyState *st, VerifyPlan *plan)
{
	VerifyResult *result = plan->result;
	VerifyTouched up_touched;
	Fingerprint *after_up;
	VerifySubxact nested;
	CommandId	since;

	st->plan = plan;
	if (result == NULL)
	{
		verify_run(st, MIGRATE_UP, PHASE_UP, false);
		return;
	}

	MemoryContextReset(st->fingerprints);
	if (st->schema == NULL)
		schema_update(st, true, NIL, true,
					  fingerprint_take(st, st->context, true, NIL, true));

	since = GetCurrentCommandId(true);
	touched_begin(st, &up_touched);
	PG_TRY();
	{
		verify_run(st, MIGRATE_UP, PHASE_UP, true);
	}
	PG_FINALLY();
	{
		touched_collecting = NULL;
	}
	PG_END_TRY();
	touched_end(&up_touched, since);
	after_up = fingerprint_take(st, st->context, up_touched.all, up_touched.relids,
								up_touched.objects);
	if (plan->down == NULL)
	{
		add_line(st, &result->problems, plan->migration->repeatable ?
				 "irreversible: it never ran here and has no down body, so rolling back its first run runs nothing" :
				 "irreversible: it has no down body");
		schema_update(st, up_touched.all, up_touched.relids, up_touched.objects, after_up);
		return;
	}

	subxact_begin(&nested);
	PG_TRY();
	{
		VerifyTouched down_touched;
		Fingerprint *before;
		Fingerprint *after;

		since = GetCurrentCommandId(true);
		touched_begin(st, &down_touched);
		verify_run(st, MIGRATE_DOWN, PHASE_DOWN, false);
		touched_end(&down_touched, since);
		if (up_touched.all || down_touched.all)
		{
			before = schema_part(st, true, NIL, true);
			after = fingerprint_take(st, st->fingerprints, true, NIL, true);
		}
		else
		{
			List	   *relids = list_concat_copy(up_touched.relids, down_touched.relids);
			bool		objects = up_touched.objects || down_touched.objects;

			list_sort(relids, list_oid_cmp);
			list_deduplicate_oid(relids);
			before = schema_part(st, false, relids, objects);
			after = fingerprint_take(st, st->fingerprints, false, relids, objects);
		}
		fingerprint_compare(st, result, before, after, false);
		verify_run(st, MIGRATE_UP, PHASE_UP_AGAIN, false);
		subxact_rollback(&nested);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		touched_collecting = NULL;
		edata = subxact_catch(st, &nested);
		add_failure(st, result, edata);
	}
	PG_END_TRY();

	/* the schema as this up left it, for the next migration */
	schema_update(st, up_touched.all, up_touched.relids, up_touched.objects, after_up);
}

/*
 * Verifies pending migrations in version order, each on top of the ups of
 * those before it, inside a subtransaction that is always rolled back.
 * The first up of a migration that fails (or one that has no transactional
 * equivalent) stops the verification: the migrations after it are not
 * verified.
 */
static void
verify_pending(VerifyState *st, List *plans)
{
	VerifySubxact outer;
	int			stop = list_length(plans);
	const char *stop_reason = NULL;
	int			i;

	/* one that cannot run in a transaction stops before anything runs */
	for (i = 0; i < list_length(plans); i++)
	{
		VerifyPlan *plan = list_nth(plans, i);

		if (plan->impossible == NULL)
			continue;
		stop = i;
		stop_reason = psprintf("cannot be verified: %s", plan->impossible);
		if (plan->result != NULL)
		{
			plan->result->verified = false;
			plan->result->problems = list_make1(psprintf("not verified: %s", plan->impossible));
		}
		break;
	}
	if (stop > 0)
		watch_relations(st);

	subxact_begin(&outer);
	PG_TRY();
	{
		for (st->index = 0; st->index < stop; st->index++)
			verify_pending_one(st, list_nth(plans, st->index));
		subxact_rollback(&outer);
	}
	PG_CATCH();
	{
		ErrorData  *edata = subxact_catch(st, &outer);
		VerifyPlan *plan = list_nth(plans, st->index);
		const char *reason = st->phase == PHASE_FINGERPRINT ? NULL :
			same_transaction_reason(edata);

		stop = st->index;
		if (plan->result != NULL)
			add_failure(st, plan->result, edata);
		if (st->phase == PHASE_FINGERPRINT)
			stop_reason = psprintf("cannot be verified: %s", failure_text(st, edata));
		else if (reason != NULL)
			stop_reason = psprintf("cannot be verified here: %s\n(%s; %s)",
								   failure_text(st, edata), reason,
								   same_transaction_hint(edata));
		else
			stop_reason = psprintf("cannot be applied: %s", failure_text(st, edata));
	}
	PG_END_TRY();

	for (i = stop + 1; i < list_length(plans); i++)
	{
		VerifyPlan *plan = list_nth(plans, i);
		VerifyPlan *culprit = list_nth(plans, stop);

		if (plan->result == NULL)
			continue;
		plan->result->verified = false;
		plan->result->problems =
			list_make1(psprintf("not verified: %s before it %s",
								repeatable_label(culprit->migration), stop_reason));
	}
}

/*
 * Verifies an applied migration: its down, then its up, inside a
 * subtransaction that is always rolled back; the schema must end as it
 * began.
 */
static void
verify_applied(VerifyState *st, VerifyPlan *plan)
{
	VerifySubxact outer;

	st->plan = plan;
	if (plan->impossible != NULL)
	{
		plan->result->verified = false;
		plan->result->problems = list_make1(psprintf("not verified: %s", plan->impossible));
		return;
	}
	if (plan->down == NULL)
	{
		plan->result->problems = list_make1("irreversible: it has no down body");
		return;
	}

	subxact_begin(&outer);
	PG_TRY();
	{
		Fingerprint *before = fingerprint_take(st, st->fingerprints, true, NIL, true);
		Fingerprint *after;

		verify_run(st, MIGRATE_DOWN, PHASE_DOWN, false);
		verify_run(st, MIGRATE_UP, PHASE_UP_AGAIN, false);
		after = fingerprint_take(st, st->fingerprints, true, NIL, true);
		fingerprint_compare(st, plan->result, before, after, true);
		subxact_rollback(&outer);
	}
	PG_CATCH();
	{
		ErrorData  *edata = subxact_catch(st, &outer);

		add_failure(st, plan->result, edata);
	}
	PG_END_TRY();
}

/*
 * Adds the result row of a migration: ok is NULL when it was not verified,
 * false when something was found; detail holds one finding per line.
 */
static void
emit_row(FunctionCallInfo fcinfo, const Migration *m, const VerifyResult *result,
		 bool applied)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	List	   *parts[3];
	StringInfoData detail;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};
	int			p;
	ListCell   *lc;

	initStringInfo(&detail);
	if (result->verified && result->problems == NIL)
		appendStringInfoString(&detail, applied ? "down and up restore the schema" :
							   m->repeatable ? "its rollback restores the schema" :
							   "down restores the schema");
	parts[0] = result->problems;
	parts[1] = result->notes;
	parts[2] = result->observations;
	for (p = 0; p < lengthof(parts); p++)
		foreach(lc, parts[p])
			appendStringInfo(&detail, "%s%s", detail.len > 0 ? "\n" : "",
							 (char *) lfirst(lc));

	values[0] = Int64GetDatum(m->version);
	nulls[0] = m->repeatable;	/* a repeatable has no version */
	values[1] = CStringGetTextDatum(m->name);
	values[2] = BoolGetDatum(result->problems == NIL);
	nulls[2] = !result->verified;
	values[3] = CStringGetTextDatum(detail.data);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * migrate_verify(version): proves that down undoes up, for every pending
 * migration in version order or for the one given (pending: on top of the
 * pending ones before it; applied: down then up), without changing
 * anything.  Returns one row per verified migration with ok and a detail of
 * the differences found and of what the up did to existing relations.
 */
Datum
migrate_verify(PG_FUNCTION_ARGS)
{
	bool		has_version = !PG_ARGISNULL(0);
	int64		version = has_version ? PG_GETARG_INT64(0) : 0;

	scope_from_args(fcinfo, 1, 2);
	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	catalog_open();
	scope_require_known_set();
	runner_enter("migrate_verify", false);
	PG_TRY();
	{
		VerifyState st;
		MigrationPlan *selection;
		List	   *migrations;
		List	   *plans = NIL;
		bool		applied = false;
		ListCell   *lc;

		memset(&st, 0, sizeof(st));
		st.context = AllocSetContextCreate(CurrentMemoryContext, "migrate verify",
										   ALLOCSET_DEFAULT_SIZES);
		st.fingerprints = AllocSetContextCreate(st.context, "migrate verify fingerprints",
												ALLOCSET_DEFAULT_SIZES);
		migrate_lock_acquire(false);
		catalog_check_snapshot();

		selection = plan_build(PLAN_VERIFY, has_version, version, false, 0);
		plan_enforce(selection);
		applied = selection->applied_one;
		migrations = selection->migrations;
		foreach(lc, migrations)
		{
			Migration  *m = (Migration *) lfirst(lc);

			plans = lappend(plans, verify_make_plan(m, !has_version || m->version == version));
		}

		if (plans == NIL)
			 /* plan_enforce() said so */ ;
		else if (applied)
			verify_applied(&st, linitial(plans));
		else
			verify_pending(&st, plans);

		foreach(lc, plans)
		{
			VerifyPlan *plan = (VerifyPlan *) lfirst(lc);

			if (plan->result == NULL)
				continue;
			if (plan->adjusted != NULL && plan->result->verified)
				plan->result->notes = lcons(plan->adjusted, plan->result->notes);
			emit_row(fcinfo, plan->migration, plan->result, applied);
		}
		MemoryContextDelete(st.context);
	}
	PG_FINALLY();
	{
		touched_collecting = NULL;
		runner_leave();
	}
	PG_END_TRY();
	SPI_finish();
	return (Datum) 0;
}
