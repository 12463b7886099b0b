/*-------------------------------------------------------------------------
 *
 * lint_catalog.c
 *	  The questions the safety lint asks the live catalog: is a default
 *	  volatile, does a type change rewrite the table, is SET NOT NULL
 *	  already proven by a validated CHECK, does a CHECK imply a partition
 *	  bound, which foreign keys a drop touches, and the like.
 *
 * Each answer is the server's own: expressions are cooked and planned as
 * ALTER TABLE would, and proofs use the predicate prover that ALTER TABLE
 * uses to skip its scans.  Cooking SQL can fail (a function the migration
 * creates itself does not exist yet), so it runs in a subtransaction and a
 * failure means "could not be decided"; the subtransaction is rolled back
 * even when it succeeds, so that nothing done there stays.  Tables are
 * opened with ACCESS SHARE locks only, which block nothing but ACCESS
 * EXCLUSIVE.
 *
 * Nothing here runs code that the SQL names: see lint_trust.c for what may
 * be cooked and evaluated.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
#include "lint.h"
#include "runner.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/transam.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_index.h"
#include "catalog/pg_partitioned_table.h"
#include "catalog/pg_range.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_relation.h"
#include "parser/parse_type.h"
#include "parser/parse_utilcmd.h"
#include "partitioning/partbounds.h"
#include "partitioning/partdesc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/partcache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

/* A question that may raise an error, asked in a subtransaction */
typedef void (*LintProbe) (void *arg);

/* lint_default_volatility()'s question */
typedef struct DefaultProbe
{
	Node	   *raw_default;
	const TypeName *type;
	int			volatility;		/* 1 volatile, 0 not, -1 undecided */
} DefaultProbe;

/* lint_type_change()'s question */
typedef struct TypeChangeProbe
{
	Oid			relid;
	const char *column;
	ColumnDef  *def;
	List	   *dropped_views;	/* of Oid: views an earlier statement drops */
	LintTypeChange result;
} TypeChangeProbe;

/* lint_partition_bound_proven()'s question */
typedef struct AttachProbe
{
	Oid			parentid;
	Oid			partid;
	PartitionBoundSpec *bound;
	bool		proven;
} AttachProbe;

/* What the catalog alone says of an ATTACH PARTITION */
typedef enum AttachCheck
{
	ATTACH_FAILS,				/* the statement fails: nothing is scanned */
	ATTACH_UNDECIDABLE,			/* deciding would run code not built in */
	ATTACH_PROBE				/* the bound can be worked out safely */
} AttachCheck;

static bool lint_try(LintProbe probe, void *arg);
static Node *column_not_null_test(Form_pg_attribute attr);
static bool constraints_imply(Relation rel, List *condition);
static void probe_default(void *arg);
static bool domain_checked_on_top(Node *expr);
static bool type_change_rewrites(Node *expr, AttrNumber attnum);
static Oid	rule_relation(Oid ruleid);
static bool column_used_by_rule(Oid relid, AttrNumber attnum, List *dropped);
static bool constraint_has_column(HeapTuple tuple, TupleDesc desc, AttrNumber attnum);
static bool column_has_check(Oid relid, AttrNumber attnum);
static bool index_uses_column(HeapTuple indextuple, AttrNumber attnum);
static Oid	relation_access_method(Oid relid);
static bool column_indexes_rebuilt(Relation rel, AttrNumber attnum, Oid newtype,
								   Oid newcollation);
static void probe_type_change(void *arg);
static bool partition_key_built_in(Oid relid);
static bool infinite_bound(Node *value);
static bool bound_values_plain(PartitionBoundSpec *bound);
static AttachCheck attach_check(Oid parentid, Oid partid, PartitionBoundSpec *bound,
								bool *default_scanned);
static bool bound_value_runs_user_code(ParseState *pstate, PartitionKey key,
									   int column, Node *value);
static bool bound_runs_user_code(Relation parent, PartitionBoundSpec *bound);
static void probe_attach(void *arg);

/*
 * Runs probe(arg) in a subtransaction that is always rolled back, and
 * returns whether it finished without an error; an error is swallowed,
 * except a cancel, a shutdown or a lack of resources, which is raised
 * again.  The probe leaves its answer in arg.
 */
static bool
lint_try(LintProbe probe, void *arg)
{
	ErrorData  *error = subxact_probe(probe, arg);
	int			category;

	if (error == NULL)
		return true;
	category = ERRCODE_TO_CATEGORY(error->sqlerrcode);
	if (category == ERRCODE_OPERATOR_INTERVENTION ||
		category == ERRCODE_INSUFFICIENT_RESOURCES ||
		category == ERRCODE_INTERNAL_ERROR)
		ReThrowError(error);
	FreeErrorData(error);
	return false;
}

/*
 * Returns the test that a column of a table (varno 1) IS NOT NULL.
 */
static Node *
column_not_null_test(Form_pg_attribute attr)
{
	NullTest   *test = makeNode(NullTest);

	test->arg = (Expr *) makeVar(1, attr->attnum, attr->atttypid, attr->atttypmod,
								 attr->attcollation, 0);
	test->nulltesttype = IS_NOT_NULL;
	test->argisrow = false;
	test->location = -1;
	return (Node *) test;
}

/*
 * Returns whether the NOT NULL and validated CHECK constraints of a table
 * imply a condition (expressions ANDed, on its columns as varno 1), by the
 * predicate prover that ALTER TABLE uses to skip its scans, with the CHECK
 * constraints simplified as it does.  A CHECK constraint whose folding could
 * run code that is not built in is left out: it proves nothing here.
 */
static bool
constraints_imply(Relation rel, List *condition)
{
	TupleDesc	desc = RelationGetDescr(rel);
	TupleConstr *constr = desc->constr;
	List	   *known = NIL;
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);

		if (attr->attnotnull && !attr->attisdropped)
			known = lappend(known, column_not_null_test(attr));
	}
	for (i = 0; constr != NULL && i < constr->num_check; i++)
	{
		Node	   *check;

		if (!constr->check[i].ccvalid)
			continue;
		check = stringToNode(constr->check[i].ccbin);
		if (lint_expression_runs_user_code(check))
			continue;
		check = eval_const_expressions(NULL, check);
		check = (Node *) canonicalize_qual((Expr *) check, true);
		known = list_concat(known, make_ands_implicit((Expr *) check));
	}
	return predicate_implied_by(condition, known, true);
}

/*
 * Cooks a column default as ADD COLUMN would, coerced to the column's type,
 * and says whether it calls a volatile function.  Undecided (-1) when the
 * default cannot be cooked without running code that is not built in.
 */
static void
probe_default(void *arg)
{
	DefaultProbe *p = (DefaultProbe *) arg;
	ParseState *pstate = make_parsestate(NULL);
	Node	   *expr;
	Oid			typid;
	int32		typmod;

	p->volatility = -1;
	if (!lint_type_modifier_built_in(p->type))
		return;
	typenameTypeIdAndMod(pstate, p->type, &typid, &typmod);
	expr = lint_cook_untrusted(pstate, p->raw_default, EXPR_KIND_COLUMN_DEFAULT,
							   typid, typmod);
	if (expr != NULL)
		p->volatility = contain_volatile_functions(expr) ? 1 : 0;
}

/*
 * Returns 1 if a column default calls a volatile function (by the real
 * pg_proc.provolatile of what it calls), 0 if not, -1 if that cannot be
 * decided (for instance a function the same migration creates).
 */
int
lint_default_volatility(Node *raw_default, const TypeName *type)
{
	DefaultProbe probe;

	if (IsA(raw_default, A_Const))
		return 0;
	probe.raw_default = raw_default;
	probe.type = type;
	probe.volatility = -1;
	if (!lint_try(probe_default, &probe))
		return -1;
	return probe.volatility;
}

/*
 * Returns whether a type name is a domain with CHECK or NOT NULL
 * constraints: adding a column of it rewrites the table even without a
 * default.  Unknown types are not.
 */
bool
lint_type_has_domain_constraints(const TypeName *type)
{
	Oid			typid = LookupTypeNameOid(NULL, type, true);

	return OidIsValid(typid) && lint_domain_has_constraints(typid);
}

/*
 * Returns whether the conversion of a type change ends, seen from its top
 * through relabelling and domains without constraints, in the check of a
 * domain with constraints: ALTER TABLE then rewrites the table, whatever is
 * below, and constant folding cannot remove that check.
 */
static bool
domain_checked_on_top(Node *expr)
{
	for (;;)
	{
		if (IsA(expr, RelabelType))
			expr = (Node *) ((RelabelType *) expr)->arg;
		else if (IsA(expr, CoerceToDomain))
		{
			CoerceToDomain *d = (CoerceToDomain *) expr;

			if (lint_domain_has_constraints(d->resulttype))
				return true;
			expr = (Node *) d->arg;
		}
		else
			return false;
	}
}

/*
 * Decides, as ALTER TABLE does, whether the planned conversion expression
 * of a type change forces a rewrite: anything but the column itself,
 * binary relabelling, unconstrained domains and (with a UTC session time
 * zone) timestamp <-> timestamptz.
 */
static bool
type_change_rewrites(Node *expr, AttrNumber attnum)
{
	for (;;)
	{
		if (IsA(expr, Var) && ((Var *) expr)->varattno == attnum)
			return false;
		else if (IsA(expr, RelabelType))
			expr = (Node *) ((RelabelType *) expr)->arg;
		else if (IsA(expr, CoerceToDomain))
		{
			CoerceToDomain *d = (CoerceToDomain *) expr;

			if (lint_domain_has_constraints(d->resulttype))
				return true;
			expr = (Node *) d->arg;
		}
		else if (IsA(expr, FuncExpr) &&
				 (((FuncExpr *) expr)->funcid == F_TIMESTAMPTZ_TIMESTAMP ||
				  ((FuncExpr *) expr)->funcid == F_TIMESTAMP_TIMESTAMPTZ) &&
				 !TimestampTimestampTzRequiresRewrite())
			expr = linitial(((FuncExpr *) expr)->args);
		else
			return true;
	}
}

/*
 * Returns the relation a rewrite rule (a view's, say) belongs to, or
 * InvalidOid.
 */
static Oid
rule_relation(Oid ruleid)
{
	Relation	rewrite = table_open(RewriteRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	Oid			relid = InvalidOid;

	ScanKeyInit(&key, Anum_pg_rewrite_oid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(ruleid));
	scan = systable_beginscan(rewrite, RewriteOidIndexId, true, NULL, 1, &key);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
		relid = ((Form_pg_rewrite) GETSTRUCT(tuple))->ev_class;
	systable_endscan(scan);
	table_close(rewrite, AccessShareLock);
	return relid;
}

/*
 * Returns whether a view or rule depends on a column of a table, which makes
 * ALTER COLUMN ... TYPE fail; the rules of the views in dropped (an earlier
 * statement drops them) do not count.
 */
static bool
column_used_by_rule(Oid relid, AttrNumber attnum, List *dropped)
{
	Relation	depend = table_open(DependRelationId, AccessShareLock);
	ScanKeyData keys[3];
	SysScanDesc scan;
	HeapTuple	tuple;
	bool		found = false;

	ScanKeyInit(&keys[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(RelationRelationId));
	ScanKeyInit(&keys[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	ScanKeyInit(&keys[2], Anum_pg_depend_refobjsubid, BTEqualStrategyNumber,
				F_INT4EQ, Int32GetDatum((int32) attnum));
	scan = systable_beginscan(depend, DependReferenceIndexId, true, NULL, 3, keys);
	while (!found && HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_depend dep = (Form_pg_depend) GETSTRUCT(tuple);

		found = dep->classid == RewriteRelationId &&
			(dropped == NIL || !list_member_oid(dropped, rule_relation(dep->objid)));
	}
	systable_endscan(scan);
	table_close(depend, AccessShareLock);
	return found;
}

/*
 * Returns whether a pg_constraint row's conkey holds a column.
 */
static bool
constraint_has_column(HeapTuple tuple, TupleDesc desc, AttrNumber attnum)
{
	bool		isnull;
	Datum		datum = heap_getattr(tuple, Anum_pg_constraint_conkey, desc, &isnull);
	ArrayType  *keys;
	int16	   *values;
	int			n;
	int			i;

	if (isnull)
		return false;
	keys = DatumGetArrayTypeP(datum);
	values = (int16 *) ARR_DATA_PTR(keys);
	n = ARR_DIMS(keys)[0];
	for (i = 0; i < n; i++)
		if (values[i] == attnum)
			return true;
	return false;
}

/*
 * Returns whether a CHECK constraint of a table uses a column.
 */
static bool
column_has_check(Oid relid, AttrNumber attnum)
{
	Relation	constraints = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	bool		found = false;

	ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(constraints, ConstraintRelidTypidNameIndexId, true,
							  NULL, 1, &key);
	while (!found && HeapTupleIsValid(tuple = systable_getnext(scan)))
		found = ((Form_pg_constraint) GETSTRUCT(tuple))->contype == CONSTRAINT_CHECK &&
			constraint_has_column(tuple, RelationGetDescr(constraints), attnum);
	systable_endscan(scan);
	table_close(constraints, AccessShareLock);
	return found;
}

/*
 * Returns whether an index's expressions or predicate use a column.
 */
static bool
index_uses_column(HeapTuple indextuple, AttrNumber attnum)
{
	int			columns[2] = {Anum_pg_index_indexprs, Anum_pg_index_indpred};
	int			i;

	for (i = 0; i < 2; i++)
	{
		bool		isnull;
		Datum		datum = SysCacheGetAttr(INDEXRELID, indextuple, columns[i], &isnull);
		Bitmapset  *used = NULL;

		if (isnull)
			continue;
		pull_varattnos(stringToNode(TextDatumGetCString(datum)), 1, &used);
		if (bms_is_member(attnum - FirstLowInvalidHeapAttributeNumber, used))
			return true;
	}
	return false;
}

/*
 * Returns the access method of a relation (an index's btree, gin, ...).
 */
static Oid
relation_access_method(Oid relid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			am;

	if (!HeapTupleIsValid(tuple))
		return InvalidOid;
	am = ((Form_pg_class) GETSTRUCT(tuple))->relam;
	ReleaseSysCache(tuple);
	return am;
}

/*
 * Returns whether a type change that does not rewrite the table still
 * rebuilds an index on the column: when the operator class the index would
 * get for the new type takes another input type (timestamp to timestamptz),
 * when the collation changes, or when an expression or predicate uses it.
 */
static bool
column_indexes_rebuilt(Relation rel, AttrNumber attnum, Oid newtype, Oid newcollation)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;

	foreach(lc, indexes)
	{
		HeapTuple	tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));
		Form_pg_index index;
		bool		isnull;
		oidvector  *classes;
		oidvector  *collations;
		Oid			am;
		int			i;
		bool		rebuilt = false;

		if (!HeapTupleIsValid(tuple))
			continue;
		index = (Form_pg_index) GETSTRUCT(tuple);
		classes = (oidvector *) DatumGetPointer(SysCacheGetAttr(INDEXRELID, tuple,
																Anum_pg_index_indclass, &isnull));
		collations = (oidvector *) DatumGetPointer(SysCacheGetAttr(INDEXRELID, tuple,
																   Anum_pg_index_indcollation, &isnull));
		am = relation_access_method(index->indexrelid);
		for (i = 0; i < index->indnkeyatts && !rebuilt; i++)
		{
			Oid			newclass;

			if (index->indkey.values[i] != attnum)
				continue;
			newclass = GetDefaultOpClass(newtype, am);
			rebuilt = !OidIsValid(newclass) ||
				get_opclass_input_type(classes->values[i]) != get_opclass_input_type(newclass) ||
				collations->values[i] != newcollation;
		}
		rebuilt = rebuilt || index_uses_column(tuple, attnum);
		ReleaseSysCache(tuple);
		if (rebuilt)
			return true;
	}
	return false;
}

/*
 * Classifies ALTER COLUMN ... TYPE on an existing table the way ALTER TABLE
 * decides it: the conversion (the USING expression, or the column coerced
 * to the new type) is cooked and planned, so that a length coercion that
 * can only lengthen becomes a relabelling.  A conversion whose planning
 * could run code that is not built in is not planned: it rewrites when it
 * checks a domain with constraints on top, otherwise it is undecided.
 */
static void
probe_type_change(void *arg)
{
	TypeChangeProbe *p = (TypeChangeProbe *) arg;
	Relation	rel = relation_open(p->relid, AccessShareLock);
	AttrNumber	attnum = get_attnum(p->relid, p->column);
	ParseState *pstate;
	Node	   *expr;
	Oid			newtype;
	int32		newtypmod;
	Oid			newcollation;
	bool		plannable;

	p->result = TYPE_CHANGE_UNKNOWN;
	if (attnum <= 0 || !lint_type_modifier_built_in(p->def->typeName))
	{
		relation_close(rel, NoLock);
		return;
	}
	pstate = make_parsestate(NULL);
	typenameTypeIdAndMod(pstate, p->def->typeName, &newtype, &newtypmod);
	newcollation = GetColumnDefCollation(pstate, p->def, newtype);
	if (p->def->raw_default != NULL)
	{
		ParseNamespaceItem *nsitem;

		nsitem = addRangeTableEntryForRelation(pstate, rel, AccessShareLock,
											   NULL, false, true);
		addNSItemToQuery(pstate, nsitem, false, true, true);
		expr = lint_cook_untrusted(pstate, p->def->raw_default,
								   EXPR_KIND_ALTER_COL_TRANSFORM, newtype, newtypmod);
	}
	else
	{
		Form_pg_attribute attr = TupleDescAttr(RelationGetDescr(rel), attnum - 1);

		expr = lint_coerce_cooked(pstate,
								  (Node *) makeVar(1, attnum, attr->atttypid,
												   attr->atttypmod,
												   attr->attcollation, 0),
								  newtype, newtypmod);
	}
	if (expr == NULL)
	{
		relation_close(rel, NoLock);
		return;
	}
	plannable = !lint_expression_runs_user_code(expr);
	if (plannable)
		expr = (Node *) expression_planner((Expr *) expr);

	if (column_used_by_rule(p->relid, attnum, p->dropped_views))
		p->result = TYPE_CHANGE_VIEW_FAILS;
	else if (!plannable)
		p->result = domain_checked_on_top(expr) ? TYPE_CHANGE_REWRITE : TYPE_CHANGE_UNKNOWN;
	else if (type_change_rewrites(expr, attnum))
		p->result = TYPE_CHANGE_REWRITE;
	else if (column_indexes_rebuilt(rel, attnum, newtype, newcollation))
		p->result = TYPE_CHANGE_INDEX_REBUILD;
	else if (column_has_check(p->relid, attnum))
		p->result = TYPE_CHANGE_CHECK_SCAN;
	else
		p->result = TYPE_CHANGE_CATALOG_ONLY;
	relation_close(rel, NoLock);
}

/*
 * Returns what ALTER COLUMN column TYPE (def) would do to an existing table,
 * under the session's settings (the TimeZone decides whether timestamp <->
 * timestamptz rewrites), once the views in dropped_views are gone.
 */
LintTypeChange
lint_type_change(Oid relid, const char *column, ColumnDef *def, List *dropped_views)
{
	TypeChangeProbe probe;

	probe.dropped_views = dropped_views;
	probe.relid = relid;
	probe.column = column;
	probe.def = def;
	probe.result = TYPE_CHANGE_UNKNOWN;
	if (!lint_try(probe_type_change, &probe))
		return TYPE_CHANGE_UNKNOWN;
	return probe.result;
}

/*
 * Returns whether SET NOT NULL on a column needs no scan: *already is set
 * when the column is NOT NULL already; otherwise a validated CHECK
 * constraint must prove it (by the server's predicate prover, so
 * "col IS NOT NULL AND col > 0" proves it too; see constraints_imply()).  A
 * column the table does not have needs no scan either: the statement fails.
 */
bool
lint_not_null_proven(Oid relid, const char *column, bool *already)
{
	Relation	rel = table_open(relid, AccessShareLock);
	AttrNumber	attnum = get_attnum(relid, column);
	Form_pg_attribute attr;
	bool		proven;

	*already = false;
	if (attnum <= 0)
	{
		table_close(rel, NoLock);
		return true;
	}
	attr = TupleDescAttr(RelationGetDescr(rel), attnum - 1);
	if (attr->attnotnull)
	{
		*already = true;
		table_close(rel, NoLock);
		return true;
	}
	proven = constraints_imply(rel, list_make1(column_not_null_test(attr)));
	table_close(rel, NoLock);
	return proven;
}

/*
 * Returns the names (String nodes) of the key columns of an index of a
 * table that are nullable and not proven NOT NULL by a validated CHECK:
 * ADD PRIMARY KEY USING INDEX scans the table for them.  NIL when the index
 * is not found.
 */
List *
lint_nullable_index_columns(Oid relid, const char *indexname)
{
	Oid			indexid = get_relname_relid(indexname, get_rel_namespace(relid));
	HeapTuple	tuple;
	Form_pg_index index;
	List	   *result = NIL;
	int			i;

	if (!OidIsValid(indexid))
		return NIL;
	tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexid));
	if (!HeapTupleIsValid(tuple))
		return NIL;
	index = (Form_pg_index) GETSTRUCT(tuple);
	for (i = 0; i < index->indnkeyatts; i++)
	{
		AttrNumber	attnum = index->indkey.values[i];
		char	   *column;
		bool		already;

		if (attnum <= 0)
			continue;
		column = get_attname(relid, attnum, false);
		if (!lint_not_null_proven(relid, column, &already))
			result = lappend(result, makeString(column));
	}
	ReleaseSysCache(tuple);
	return result;
}

/*
 * Returns whether the partition key of a partitioned table uses only
 * built-in operator classes, and key expressions that call only built-in
 * code: loading the key folds its expressions, and the bounds are sorted,
 * compared and turned into conditions with its operator classes.
 */
static bool
partition_key_built_in(Oid relid)
{
	HeapTuple	tuple = SearchSysCache1(PARTRELID, ObjectIdGetDatum(relid));
	Datum		datum;
	bool		isnull;
	bool		built_in;

	if (!HeapTupleIsValid(tuple))
		return false;
	datum = SysCacheGetAttr(PARTRELID, tuple, Anum_pg_partitioned_table_partclass,
							&isnull);
	built_in = !isnull;
	if (built_in)
	{
		oidvector  *classes = (oidvector *) DatumGetPointer(datum);
		int			i;

		for (i = 0; i < classes->dim1; i++)
			built_in = built_in && classes->values[i] < FirstNormalObjectId;
	}
	datum = SysCacheGetAttr(PARTRELID, tuple, Anum_pg_partitioned_table_partexprs,
							&isnull);
	if (built_in && !isnull)
		built_in = !lint_expression_runs_user_code(stringToNode(TextDatumGetCString(datum)));
	ReleaseSysCache(tuple);
	return built_in;
}

/*
 * Returns whether a value of a range bound, as written, is MINVALUE or
 * MAXVALUE (a column reference until the bound is cooked).
 */
static bool
infinite_bound(Node *value)
{
	ColumnRef  *ref;
	const char *name;

	if (!IsA(value, ColumnRef))
		return false;
	ref = (ColumnRef *) value;
	if (list_length(ref->fields) != 1 || !IsA(linitial(ref->fields), String))
		return false;
	name = strVal(linitial(ref->fields));
	return strcmp(name, "minvalue") == 0 || strcmp(name, "maxvalue") == 0;
}

/*
 * Returns whether each value of a partition bound, as written, is a
 * constant, MINVALUE or MAXVALUE, or a constant cast to a type that is not
 * a domain.  The server evaluates a bound value whatever it is; the lint
 * lets it evaluate only these, once it has checked what coercing them to
 * the partition key runs.
 */
static bool
bound_values_plain(PartitionBoundSpec *bound)
{
	List	   *values = list_concat_copy(bound->listdatums, bound->lowerdatums);
	ListCell   *lc;

	values = list_concat(values, bound->upperdatums);
	foreach(lc, values)
	{
		Node	   *value = (Node *) lfirst(lc);

		if (IsA(value, TypeCast) && IsA(((TypeCast *) value)->arg, A_Const))
		{
			TypeName   *type = ((TypeCast *) value)->typeName;
			Oid			typid = LookupTypeNameOid(NULL, type, true);

			if (!OidIsValid(typid) || get_typtype(typid) == TYPTYPE_DOMAIN ||
				!lint_type_modifier_built_in(type))
				return false;
		}
		else if (!IsA(value, A_Const) && !infinite_bound(value))
			return false;
	}
	return true;
}

/*
 * Judges ATTACH PARTITION by the catalog alone, before anything is cooked.
 * It fails unless the parent is a partitioned table, the partition a table
 * (plain, partitioned or foreign) that is no partition yet, neither the
 * parent nor one of its ancestors, and the bound of the parent's strategy,
 * with one value per key column for a range (DEFAULT: not for a hash parent
 * nor for one that has a default partition already).  Its bound cannot be
 * worked out without running code that is not built in when the partition
 * key of the parent or of an ancestor uses such code.  Sets
 * *default_scanned when the parent has a default partition, which a bound
 * other than DEFAULT makes the server scan.
 */
static AttachCheck
attach_check(Oid parentid, Oid partid, PartitionBoundSpec *bound,
			 bool *default_scanned)
{
	char		relkind = get_rel_relkind(partid);
	HeapTuple	tuple;
	Form_pg_partitioned_table key;
	char		strategy;
	int			natts;
	bool		has_default;
	bool		fails;
	List	   *ancestors;
	ListCell   *lc;

	*default_scanned = false;
	if (get_rel_relkind(parentid) != RELKIND_PARTITIONED_TABLE || partid == parentid ||
		(relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE &&
		 relkind != RELKIND_FOREIGN_TABLE) ||
		get_rel_relispartition(partid))
		return ATTACH_FAILS;
	tuple = SearchSysCache1(PARTRELID, ObjectIdGetDatum(parentid));
	if (!HeapTupleIsValid(tuple))
		return ATTACH_FAILS;
	key = (Form_pg_partitioned_table) GETSTRUCT(tuple);
	strategy = key->partstrat;
	natts = key->partnatts;
	has_default = OidIsValid(key->partdefid);
	ReleaseSysCache(tuple);

	if (bound->is_default)
		fails = strategy == PARTITION_STRATEGY_HASH || has_default;
	else
		fails = bound->strategy != strategy ||
			(strategy == PARTITION_STRATEGY_RANGE &&
			 (list_length(bound->lowerdatums) != natts ||
			  list_length(bound->upperdatums) != natts));
	ancestors = get_partition_ancestors(parentid);
	if (fails || list_member_oid(ancestors, partid))
		return ATTACH_FAILS;
	*default_scanned = !bound->is_default && has_default;
	if (!partition_key_built_in(parentid))
		return ATTACH_UNDECIDABLE;
	foreach(lc, ancestors)
		if (!partition_key_built_in(lfirst_oid(lc)))
			return ATTACH_UNDECIDABLE;
	return ATTACH_PROBE;
}

/*
 * Returns whether evaluating a value of a partition bound, coerced to its
 * column of the partition key as ATTACH PARTITION does, could run code that
 * is not built in.
 */
static bool
bound_value_runs_user_code(ParseState *pstate, PartitionKey key, int column,
						   Node *value)
{
	Node	   *expr;

	if (infinite_bound(value))
		return false;
	expr = lint_cook_untrusted(pstate, value, EXPR_KIND_PARTITION_BOUND,
							   get_partition_col_typid(key, column),
							   get_partition_col_typmod(key, column));
	return expr == NULL || lint_expression_runs_user_code(expr);
}

/*
 * Returns whether evaluating the values of a partition bound (of the
 * parent's strategy, with one value per key column for a range) could run
 * code that is not built in.
 */
static bool
bound_runs_user_code(Relation parent, PartitionBoundSpec *bound)
{
	PartitionKey key = RelationGetPartitionKey(parent);
	ParseState *pstate = make_parsestate(NULL);
	ListCell   *lc;

	foreach(lc, bound->listdatums)
		if (bound_value_runs_user_code(pstate, key, 0, lfirst(lc)))
			return true;
	foreach(lc, bound->lowerdatums)
		if (bound_value_runs_user_code(pstate, key, foreach_current_index(lc),
									   lfirst(lc)))
			return true;
	foreach(lc, bound->upperdatums)
		if (bound_value_runs_user_code(pstate, key, foreach_current_index(lc),
									   lfirst(lc)))
			return true;
	return false;
}

/*
 * Works out, as ATTACH PARTITION does, whether the table's validated CHECK
 * and NOT NULL constraints imply the partition constraint, which spares the
 * scan of the table.  The bound is evaluated only when its values are plain
 * constants whose coercion to the key runs no code that is not built in;
 * otherwise it is not proven.  Assumes attach_check() said ATTACH_PROBE.
 */
static void
probe_attach(void *arg)
{
	AttachProbe *p = (AttachProbe *) arg;
	Relation	parent = table_open(p->parentid, AccessShareLock);
	Relation	part = table_open(p->partid, AccessShareLock);
	PartitionBoundSpec *bound;
	List	   *constraint;

	p->proven = false;
	if (bound_values_plain(p->bound) && !bound_runs_user_code(parent, p->bound))
	{
		bound = transformPartitionBound(make_parsestate(NULL), parent,
										copyObject(p->bound));
		constraint = list_concat(get_qual_from_partbound(parent, bound),
								 RelationGetPartitionQual(parent));
		if (constraint == NIL)
			p->proven = true;
		else if (!lint_expression_runs_user_code((Node *) constraint))
		{
			constraint = (List *) eval_const_expressions(NULL, (Node *) constraint);
			constraint = list_make1(make_ands_explicit(constraint));
			constraint = map_partition_varattnos(constraint, 1, part, parent);
			p->proven = constraints_imply(part, constraint);
		}
	}
	table_close(part, NoLock);
	table_close(parent, NoLock);
}

/*
 * Returns whether ATTACH PARTITION of an existing table needs no scan of it;
 * *default_scanned says whether the parent's default partition is scanned.
 * A statement that fails needs none.  Undecidable cases count as a scan.
 */
bool
lint_partition_bound_proven(Oid parentid, Oid partid, PartitionBoundSpec *bound,
							bool *default_scanned)
{
	AttachProbe probe;

	switch (attach_check(parentid, partid, bound, default_scanned))
	{
		case ATTACH_FAILS:
			return true;
		case ATTACH_UNDECIDABLE:
			return false;
		case ATTACH_PROBE:
			break;
	}
	memset(&probe, 0, sizeof(probe));
	probe.parentid = parentid;
	probe.partid = partid;
	probe.bound = bound;
	if (!lint_try(probe_attach, &probe))
		return false;
	return probe.proven;
}

/*
 * Returns the name of the table referenced by a foreign key of a table that
 * a drop removes: the FK named constraint, any FK using column, or (both
 * NULL) any FK of the table.  NULL when there is none.
 */
char *
lint_foreign_key_parent(Oid relid, const char *column, const char *constraint)
{
	Relation	constraints = table_open(ConstraintRelationId, AccessShareLock);
	AttrNumber	attnum = column ? get_attnum(relid, column) : InvalidAttrNumber;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	char	   *parent = NULL;

	ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(constraints, ConstraintRelidTypidNameIndexId, true,
							  NULL, 1, &key);
	while (parent == NULL && HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tuple);

		if (con->contype != CONSTRAINT_FOREIGN)
			continue;
		if (constraint != NULL && strcmp(NameStr(con->conname), constraint) != 0)
			continue;
		if (column != NULL &&
			(attnum <= 0 || !constraint_has_column(tuple, RelationGetDescr(constraints), attnum)))
			continue;
		parent = quote_qualified_identifier(get_namespace_name(get_rel_namespace(con->confrelid)),
											get_rel_name(con->confrelid));
	}
	systable_endscan(scan);
	table_close(constraints, AccessShareLock);
	return parent;
}

/*
 * Returns whether a valid index of a table leads with the given columns
 * (String nodes), in order.
 */
bool
lint_index_covers(Oid relid, List *columns)
{
	Relation	rel = table_open(relid, AccessShareLock);
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	bool		covers = false;

	foreach(lc, indexes)
	{
		HeapTuple	tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));
		Form_pg_index index;
		ListCell   *c;
		int			i = 0;

		if (!HeapTupleIsValid(tuple))
			continue;
		index = (Form_pg_index) GETSTRUCT(tuple);
		covers = index->indisvalid && index->indnkeyatts >= list_length(columns);
		foreach(c, columns)
		{
			if (!covers)
				break;
			covers = index->indkey.values[i] > 0 &&
				index->indkey.values[i] == get_attnum(relid, strVal(lfirst(c)));
			i++;
		}
		ReleaseSysCache(tuple);
		if (covers)
			break;
	}
	table_close(rel, NoLock);
	return covers;
}

/*
 * Returns whether a column of a table or materialized view has a domain
 * (named by a list of String nodes) as its type.
 */
bool
lint_domain_in_use(List *names)
{
	Oid			typid = LookupTypeNameOid(NULL, makeTypeNameFromNameList(names), true);
	Relation	depend;
	ScanKeyData keys[2];
	SysScanDesc scan;
	HeapTuple	tuple;
	bool		found = false;

	if (!OidIsValid(typid))
		return false;
	depend = table_open(DependRelationId, AccessShareLock);
	ScanKeyInit(&keys[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(TypeRelationId));
	ScanKeyInit(&keys[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(typid));
	scan = systable_beginscan(depend, DependReferenceIndexId, true, NULL, 2, keys);
	while (!found && HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_depend dep = (Form_pg_depend) GETSTRUCT(tuple);

		found = dep->classid == RelationRelationId && dep->objsubid > 0;
	}
	systable_endscan(scan);
	table_close(depend, AccessShareLock);
	return found;
}

/*
 * Returns whether a table has a column of a type, or of an array of it.
 */
bool
lint_relation_has_type(Oid relid, Oid typid)
{
	Relation	rel = relation_open(relid, AccessShareLock);
	TupleDesc	desc = RelationGetDescr(rel);
	Oid			arraytype = get_array_type(typid);
	bool		found = false;
	int			i;

	for (i = 0; i < desc->natts && !found; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);

		found = !attr->attisdropped &&
			(attr->atttypid == typid || (OidIsValid(arraytype) && attr->atttypid == arraytype));
	}
	relation_close(rel, NoLock);
	return found;
}

/*
 * Returns whether a type name is a domain whose own default is volatile:
 * adding a column of it without a default of its own rewrites the table.
 */
bool
lint_type_default_volatile(const TypeName *type)
{
	Oid			typid = LookupTypeNameOid(NULL, type, true);
	Node	   *def;

	if (!OidIsValid(typid) || get_typtype(typid) != TYPTYPE_DOMAIN)
		return false;
	def = get_typdefault(typid);
	return def != NULL && contain_volatile_functions(def);
}

/*
 * Returns whether the schema of a relation holds a relation of the given
 * name: CREATE INDEX IF NOT EXISTS of that name then does nothing.
 */
bool
lint_relation_name_taken(Oid relid, const char *name)
{
	return OidIsValid(get_relname_relid(name, get_rel_namespace(relid)));
}
