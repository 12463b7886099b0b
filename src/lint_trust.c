/*-------------------------------------------------------------------------
 *
 * lint_trust.c
 *	  Whether the safety lint may cook, fold or evaluate an expression
 *	  without running code that the SQL it reads names.
 *
 * The lint never runs the SQL it reads, nor code that SQL names: a
 * migration may come from anyone, and what runs here runs with the
 * privileges of the role that lints.  So the only code run is built in (an
 * OID below FirstNormalObjectId).  An expression is constant-folded or
 * evaluated (a USING expression, a partition bound, a table's CHECK
 * constraints, a partition key) only when every function, operator and I/O
 * function it uses is built in and it checks no domain with constraints
 * (lint_expression_runs_user_code()).  A string literal is read by the input
 * function of its type, and for an array, range or row type by those of the
 * types it holds, domain checks included: an expression is first cooked
 * with its string literals made NULL, which reads none of them, and cooked
 * as written only once the types they get are known to be safe
 * (lint_cook_untrusted()).  Whether a domain has constraints is read from
 * pg_constraint, not from the type cache, which folds their expressions.
 * When the answer needs other code run, it is the conservative one: the
 * statement may rewrite or scan the table.  What only a superuser can
 * install and the server calls on its own to compare values (operator
 * classes and families) is trusted like the server itself.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
#include "lint.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/transam.h"
#include "catalog/indexing.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_range.h"
#include "catalog/pg_type.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_type.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

/* How deep types may nest (arrays of rows of ranges ...) to be judged */
#define MAX_TYPE_DEPTH 16

static bool function_not_built_in(Oid funcid, void *context);
static bool row_type_io_built_in(Oid typid, int depth);
static bool type_io_built_in(Oid typid, int depth);
static bool user_code_walker(Node *node, void *context);
static bool string_literal(Node *node);
static bool blank_literals_walker(Node *node, void *context);
static bool literal_type_walker(Node *node, void *context);

/*
 * check_functions_in_node() callback: whether a function is not built in.
 */
static bool
function_not_built_in(Oid funcid, void *context)
{
	return funcid >= FirstNormalObjectId;
}

/*
 * Returns whether a domain, or a domain it is based on, has a CHECK or NOT
 * NULL constraint, as read from pg_type and pg_constraint.  Unlike
 * DomainHasConstraints(), this does not load the constraints into the type
 * cache, which plans their expressions and so folds the functions they
 * call.  False for a type that is not a domain.
 */
bool
lint_domain_has_constraints(Oid typid)
{
	bool		found = false;

	while (!found)
	{
		HeapTuple	tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
		Form_pg_type type;
		Relation	constraints;
		ScanKeyData key;
		SysScanDesc scan;
		HeapTuple	contuple;

		if (!HeapTupleIsValid(tuple))
			break;
		type = (Form_pg_type) GETSTRUCT(tuple);
		if (type->typtype != TYPTYPE_DOMAIN)
		{
			ReleaseSysCache(tuple);
			break;
		}
		found = type->typnotnull;
		constraints = table_open(ConstraintRelationId, AccessShareLock);
		ScanKeyInit(&key, Anum_pg_constraint_contypid, BTEqualStrategyNumber,
					F_OIDEQ, ObjectIdGetDatum(typid));
		scan = systable_beginscan(constraints, ConstraintTypidIndexId, true,
								  NULL, 1, &key);
		while (!found && HeapTupleIsValid(contuple = systable_getnext(scan)))
			found = ((Form_pg_constraint) GETSTRUCT(contuple))->contype == CONSTRAINT_CHECK;
		systable_endscan(scan);
		table_close(constraints, AccessShareLock);
		typid = type->typbasetype;
		ReleaseSysCache(tuple);
	}
	return found;
}

/*
 * Returns whether the columns of a row type all pass type_io_built_in().
 */
static bool
row_type_io_built_in(Oid typid, int depth)
{
	TupleDesc	desc = lookup_rowtype_tupdesc_noerror(typid, -1, true);
	bool		built_in = desc != NULL;
	int			i;

	for (i = 0; built_in && i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);

		built_in = attr->attisdropped || type_io_built_in(attr->atttypid, depth + 1);
	}
	if (desc != NULL)
		ReleaseTupleDesc(desc);
	return built_in;
}

/*
 * Returns whether reading a value of a type from text, or writing it as
 * text, runs only built-in code: its input and output functions are built
 * in, it is not a domain with constraints, and the same holds for what it
 * holds (the base type of a domain, the elements of an array, the subtype
 * and canonical function of a range, the range of a multirange, the columns
 * of a row type), whose input functions and domain checks the input
 * function of the container runs.  depth counts the containers around it.
 */
static bool
type_io_built_in(Oid typid, int depth)
{
	HeapTuple	tuple;
	Form_pg_type type;
	bool		built_in;
	char		typtype;
	Oid			inner = InvalidOid;

	if (depth > MAX_TYPE_DEPTH)
		return false;
	tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	if (!HeapTupleIsValid(tuple))
		return false;
	type = (Form_pg_type) GETSTRUCT(tuple);
	built_in = type->typinput < FirstNormalObjectId &&
		type->typoutput < FirstNormalObjectId;
	typtype = type->typtype;
	if (typtype == TYPTYPE_DOMAIN)
		inner = type->typbasetype;
	else if (IsTrueArrayType(type))
		inner = type->typelem;
	ReleaseSysCache(tuple);
	if (!built_in)
		return false;

	if (typtype == TYPTYPE_DOMAIN && lint_domain_has_constraints(typid))
		return false;
	if (typtype == TYPTYPE_COMPOSITE)
		return row_type_io_built_in(typid, depth);
	if (typtype == TYPTYPE_MULTIRANGE)
		inner = get_multirange_range(typid);
	else if (typtype == TYPTYPE_RANGE)
	{
		Form_pg_range range;

		tuple = SearchSysCache1(RANGETYPE, ObjectIdGetDatum(typid));
		if (!HeapTupleIsValid(tuple))
			return false;
		range = (Form_pg_range) GETSTRUCT(tuple);
		built_in = range->rngcanonical < FirstNormalObjectId;
		inner = range->rngsubtype;
		ReleaseSysCache(tuple);
		if (!built_in)
			return false;
	}
	return !OidIsValid(inner) || type_io_built_in(inner, depth + 1);
}

/*
 * Returns whether resolving a type name runs only built-in code: with
 * modifiers, as in varchar(20), its typmodin function runs.  A name without
 * modifiers runs nothing.  False for an unknown type with modifiers.
 */
bool
lint_type_modifier_built_in(const TypeName *type)
{
	Oid			typid;
	HeapTuple	tuple;
	bool		built_in;

	if (type->typmods == NIL)
		return true;
	typid = LookupTypeNameOid(NULL, type, true);
	if (!OidIsValid(typid))
		return false;
	tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	if (!HeapTupleIsValid(tuple))
		return false;
	built_in = ((Form_pg_type) GETSTRUCT(tuple))->typmodin < FirstNormalObjectId;
	ReleaseSysCache(tuple);
	return built_in;
}

/*
 * expression_tree_walker() callback of lint_expression_runs_user_code().
 */
static bool
user_code_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	/* functions, operators and the I/O functions of CoerceViaIO */
	if (check_functions_in_node(node, function_not_built_in, context))
		return true;
	switch (nodeTag(node))
	{
		case T_CoerceToDomain:
			if (lint_domain_has_constraints(((CoerceToDomain *) node)->resulttype))
				return true;
			break;
		case T_CoerceViaIO:
			{
				CoerceViaIO *io = (CoerceViaIO *) node;

				if (!type_io_built_in(io->resulttype, 0) ||
					!type_io_built_in(exprType((Node *) io->arg), 0))
					return true;
			}
			break;
		case T_MinMaxExpr:
			/* GREATEST and LEAST compare with the type's operator class */
			if (((MinMaxExpr *) node)->minmaxtype >= FirstNormalObjectId)
				return true;
			break;
		case T_SubscriptingRef:
			if (((SubscriptingRef *) node)->refcontainertype >= FirstNormalObjectId)
				return true;
			break;
		case T_SubLink:
		case T_SubPlan:
		case T_Query:
			return true;
		default:
			break;
	}
	return expression_tree_walker(node, user_code_walker, context);
}

/*
 * Returns whether constant-folding or evaluating a cooked expression (or a
 * list of them) could run code that is not built in: a function, operator
 * or I/O function that is not, the check of a domain with constraints, the
 * input of a type that holds one, or the comparison or subscript of a type
 * that is not built in.  The expression may be folded or evaluated only
 * when this is false.
 */
bool
lint_expression_runs_user_code(Node *expr)
{
	return user_code_walker(expr, NULL);
}

/*
 * Returns whether a raw expression is a string literal, whose type is not
 * known before it is cooked.
 */
static bool
string_literal(Node *node)
{
	return node != NULL && IsA(node, A_Const) && !((A_Const *) node)->isnull &&
		IsA(&((A_Const *) node)->val, String);
}

/*
 * raw_expression_tree_walker() callback of lint_cook_untrusted(): makes each
 * string literal of a raw expression NULL.  Returns true when the expression
 * cannot be cooked safely even so: a type modifier whose function is not
 * built in, or a literal that would be cooked differently as NULL (x IS
 * DISTINCT FROM 'a', and x = 'a' under transform_null_equals, become tests
 * for NULL that leave the literal's type unknown).
 */
static bool
blank_literals_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (string_literal(node))
	{
		((A_Const *) node)->isnull = true;
		return false;
	}
	if (IsA(node, A_Expr))
	{
		A_Expr	   *a = (A_Expr *) node;

		if ((string_literal(a->lexpr) || string_literal(a->rexpr)) &&
			(a->kind == AEXPR_DISTINCT || a->kind == AEXPR_NOT_DISTINCT ||
			 (a->kind == AEXPR_OP && Transform_null_equals &&
			  list_length(a->name) == 1 && strcmp(strVal(linitial(a->name)), "=") == 0)))
			return true;
	}
	if (IsA(node, TypeName) && !lint_type_modifier_built_in((TypeName *) node))
		return true;
	return raw_expression_tree_walker(node, blank_literals_walker, context);
}

/*
 * expression_tree_walker() callback of lint_cook_untrusted(): whether a constant
 * of an expression cooked with its string literals made NULL has a type
 * that fails type_io_built_in(): reading the literal would run other code.
 */
static bool
literal_type_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Const))
		return !type_io_built_in(((Const *) node)->consttype, 0);
	return expression_tree_walker(node, literal_type_walker, context);
}

/*
 * Coerces a cooked expression to a type as an assignment does, and assigns
 * its collations; raises an error when it cannot be coerced.
 */
Node *
lint_coerce_cooked(ParseState *pstate, Node *expr, Oid typid, int32 typmod)
{
	Oid			exprtype = exprType(expr);

	expr = coerce_to_target_type(pstate, expr, exprtype, typid, typmod,
								 COERCION_ASSIGNMENT, COERCE_IMPLICIT_CAST, -1);
	if (expr == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("an expression of type %s cannot be coerced to type %s",
						format_type_be(exprtype), format_type_be(typid))));
	assign_expr_collations(pstate, expr);
	return expr;
}

/*
 * Cooks a raw expression as the server does (transformExpr() of kind, then
 * coerced to typid as an assignment) without running code that is not built
 * in, and returns it, or NULL when that cannot be done.  Cooking reads each
 * string literal with the input function of the type it is given, so the
 * expression is first cooked with its string literals made NULL, which
 * reads none of them (no strict input function is called for a NULL, every
 * built-in one but domain_in() is strict, and a NULL cast to a domain is
 * read by its base type's), and is cooked as written only when the types
 * they were given pass type_io_built_in().  Nothing is folded or evaluated:
 * the result may still call anything (see lint_expression_runs_user_code()).
 */
Node *
lint_cook_untrusted(ParseState *pstate, Node *raw, ParseExprKind kind, Oid typid,
					int32 typmod)
{
	Node	   *blank = copyObject(raw);
	Node	   *expr;

	if (blank_literals_walker(blank, NULL))
		return NULL;
	expr = lint_coerce_cooked(pstate, transformExpr(pstate, blank, kind), typid, typmod);
	if (literal_type_walker(expr, NULL))
		return NULL;
	return lint_coerce_cooked(pstate, transformExpr(pstate, copyObject(raw), kind),
						 typid, typmod);
}
