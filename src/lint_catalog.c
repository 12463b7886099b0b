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
 * failure means "could not be decided".  Tables are opened with ACCESS
 * SHARE locks only, which block nothing but ACCESS EXCLUSIVE.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_index.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/tablecmds.h"
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
	bool		is_volatile;
} DefaultProbe;

/* lint_type_change()'s question */
typedef struct TypeChangeProbe
{
	Oid			relid;
	const char *column;
	ColumnDef  *def;
	LintTypeChange result;
} TypeChangeProbe;

/* lint_partition_bound_proven()'s question */
typedef struct AttachProbe
{
	Oid			parentid;
	Oid			partid;
	PartitionBoundSpec *bound;
	bool		proven;
	bool		default_scanned;
} AttachProbe;

static bool lint_try(LintProbe probe, void *arg);
static void probe_default(void *arg);
static bool type_change_rewrites(Node *expr, AttrNumber attnum);
static bool column_used_by_rule(Oid relid, AttrNumber attnum);
static bool constraint_has_column(HeapTuple tuple, TupleDesc desc, AttrNumber attnum);
static bool column_has_check(Oid relid, AttrNumber attnum);
static bool index_uses_column(HeapTuple indextuple, AttrNumber attnum);
static Oid	relation_access_method(Oid relid);
static bool column_indexes_rebuilt(Relation rel, AttrNumber attnum, Oid newtype,
								   Oid newcollation);
static void probe_type_change(void *arg);
static void probe_attach(void *arg);

/*
 * Runs probe(arg) in a subtransaction and returns whether it finished
 * without an error; an error is swallowed, except a cancel, a shutdown or a
 * lack of resources, which is raised again.
 */
static bool
lint_try(LintProbe probe, void *arg)
{
	ErrorData  *error = subxact_run(probe, arg);
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
 * Cooks a column default as ADD COLUMN would, coerced to the column's type,
 * and says whether it calls a volatile function.
 */
static void
probe_default(void *arg)
{
	DefaultProbe *p = (DefaultProbe *) arg;
	ParseState *pstate = make_parsestate(NULL);
	Node	   *expr;
	Oid			typid;
	int32		typmod;

	expr = transformExpr(pstate, copyObject(p->raw_default), EXPR_KIND_COLUMN_DEFAULT);
	typenameTypeIdAndMod(pstate, p->type, &typid, &typmod);
	expr = coerce_to_target_type(pstate, expr, exprType(expr), typid, typmod,
								 COERCION_ASSIGNMENT, COERCE_IMPLICIT_CAST, -1);
	if (expr == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("default does not match the column's type")));
	assign_expr_collations(pstate, expr);
	p->is_volatile = contain_volatile_functions(expr);
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
	probe.is_volatile = false;
	if (!lint_try(probe_default, &probe))
		return -1;
	return probe.is_volatile ? 1 : 0;
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

	return OidIsValid(typid) && get_typtype(typid) == TYPTYPE_DOMAIN &&
		DomainHasConstraints(typid);
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

			if (DomainHasConstraints(d->resulttype))
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
 * Returns whether a view or rule depends on a column of a table, which makes
 * ALTER COLUMN ... TYPE fail.
 */
static bool
column_used_by_rule(Oid relid, AttrNumber attnum)
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
		found = ((Form_pg_depend) GETSTRUCT(tuple))->classid == RewriteRelationId;
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
 * can only lengthen becomes a relabelling.
 */
static void
probe_type_change(void *arg)
{
	TypeChangeProbe *p = (TypeChangeProbe *) arg;
	Relation	rel = relation_open(p->relid, AccessShareLock);
	AttrNumber	attnum = get_attnum(p->relid, p->column);
	Form_pg_attribute attr;
	ParseState *pstate;
	Node	   *expr;
	Oid			newtype;
	int32		newtypmod;
	Oid			newcollation;

	p->result = TYPE_CHANGE_UNKNOWN;
	if (attnum <= 0)
	{
		relation_close(rel, NoLock);
		return;
	}
	attr = TupleDescAttr(RelationGetDescr(rel), attnum - 1);
	pstate = make_parsestate(NULL);
	typenameTypeIdAndMod(pstate, p->def->typeName, &newtype, &newtypmod);
	newcollation = GetColumnDefCollation(pstate, p->def, newtype);
	if (p->def->raw_default != NULL)
	{
		ParseNamespaceItem *nsitem;

		nsitem = addRangeTableEntryForRelation(pstate, rel, AccessShareLock,
											   NULL, false, true);
		addNSItemToQuery(pstate, nsitem, false, true, true);
		expr = transformExpr(pstate, copyObject(p->def->raw_default),
							 EXPR_KIND_ALTER_COL_TRANSFORM);
	}
	else
		expr = (Node *) makeVar(1, attnum, attr->atttypid, attr->atttypmod,
								attr->attcollation, 0);
	expr = coerce_to_target_type(pstate, expr, exprType(expr), newtype, newtypmod,
								 COERCION_ASSIGNMENT, COERCE_IMPLICIT_CAST, -1);
	if (expr == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column cannot be cast automatically")));
	assign_expr_collations(pstate, expr);
	expr = (Node *) expression_planner((Expr *) expr);

	if (column_used_by_rule(p->relid, attnum))
		p->result = TYPE_CHANGE_VIEW_FAILS;
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
 * Returns what ALTER COLUMN column TYPE (def) would do to an existing table.
 */
LintTypeChange
lint_type_change(Oid relid, const char *column, ColumnDef *def)
{
	TypeChangeProbe probe;

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
 * "col IS NOT NULL AND col > 0" proves it too).  A column the table does not
 * have needs no scan either: the statement fails.
 */
bool
lint_not_null_proven(Oid relid, const char *column, bool *already)
{
	Relation	rel = table_open(relid, AccessShareLock);
	AttrNumber	attnum = get_attnum(relid, column);
	Form_pg_attribute attr;
	NullTest   *test;
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
	test = makeNode(NullTest);
	test->arg = (Expr *) makeVar(1, attnum, attr->atttypid, attr->atttypmod,
								 attr->attcollation, 0);
	test->nulltesttype = IS_NOT_NULL;
	test->argisrow = false;
	test->location = -1;
	proven = PartConstraintImpliedByRelConstraint(rel, list_make1(test));
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
 * Works out, as ATTACH PARTITION does, whether the table's validated CHECK
 * and NOT NULL constraints imply the partition constraint, which spares the
 * scan of the table; and whether a default partition must be scanned.
 */
static void
probe_attach(void *arg)
{
	AttachProbe *p = (AttachProbe *) arg;
	Relation	parent = table_open(p->parentid, AccessShareLock);
	Relation	part = table_open(p->partid, AccessShareLock);
	ParseState *pstate = make_parsestate(NULL);
	PartitionBoundSpec *bound;
	List	   *constraint;

	bound = transformPartitionBound(pstate, parent, copyObject(p->bound));
	constraint = get_qual_from_partbound(parent, bound);
	constraint = list_concat(constraint, RelationGetPartitionQual(parent));
	p->proven = true;
	if (constraint != NIL)
	{
		constraint = (List *) eval_const_expressions(NULL, (Node *) constraint);
		constraint = list_make1(make_ands_explicit(constraint));
		constraint = map_partition_varattnos(constraint, 1, part, parent);
		p->proven = PartConstraintImpliedByRelConstraint(part, constraint);
	}
	p->default_scanned = !bound->is_default &&
		OidIsValid(get_default_oid_from_partdesc(RelationGetPartitionDesc(parent, true)));
	table_close(part, NoLock);
	table_close(parent, NoLock);
}

/*
 * Returns whether ATTACH PARTITION of an existing table needs no scan of it;
 * *default_scanned says whether the parent's default partition is scanned.
 * Undecidable cases count as a scan.
 */
bool
lint_partition_bound_proven(Oid parentid, Oid partid, PartitionBoundSpec *bound,
							bool *default_scanned)
{
	AttachProbe probe;

	memset(&probe, 0, sizeof(probe));
	probe.parentid = parentid;
	probe.partid = partid;
	probe.bound = bound;
	if (!lint_try(probe_attach, &probe))
		return false;
	*default_scanned = probe.default_scanned;
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
