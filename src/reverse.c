/*-------------------------------------------------------------------------
 *
 * reverse.c
 *	  Deriving a migration's down from its up with the server's parser.
 *
 * As Ecto's "change" does, each statement of the up is inverted from its
 * parse tree and the inverses run in reverse order: CREATE becomes DROP,
 * ADD COLUMN becomes DROP COLUMN, renames are swapped, and so on.  Names are
 * written back quoted, with their schema when the up gave one.  A few
 * inverses depend on what was there before (a column's previous default, an
 * object's previous comment): they are read from the catalog when the
 * migration is defined, under the names that relations and columns had
 * before the up's earlier statements renamed them, and an object that the
 * up creates or that is not in the catalog yet is taken to be new.  A
 * statement that cannot be reversed leaves the down NULL, with a NOTICE
 * saying which statement and why.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
#include "statements.h"

#include "access/relation.h"
#include "catalog/namespace.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "nodes/makefuncs.h"
#include "commands/comment.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "nodes/parsenodes.h"
#include "storage/lockdefs.h"
#include "tcop/cmdtag.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"

/* What the inversion of one statement produced */
typedef struct Inverse
{
	char	   *sql;			/* the inverse statement, or NULL */
	const char *why;			/* why there is none */
} Inverse;

static Inverse irreversible(const char *why);
static Inverse inverse_of(const char *sql);
static char *quote_rangevar(const RangeVar *rv);
static char *quote_relation_expr(const RangeVar *rv);
static char *quote_type_name(const TypeName *type, bool *ok);
static char *quote_object_with_args(const ObjectWithArgs *object, bool *ok);
static const char *relation_kind_keyword(ObjectType type);
static bool relation_names_match(const char *schemaname, const char *relname,
								 const RangeVar *rv);
static bool name_before_body(List *earlier, RangeVar **rv, const char **column);
static char *previous_default(const RangeVar *rv, const char *column,
							  List *earlier);
static Inverse reverse_create_function(CreateFunctionStmt *stmt);
static Inverse reverse_index(IndexStmt *stmt);
static Inverse reverse_alter_table_cmd(AlterTableStmt *stmt, AlterTableCmd *cmd,
									   List *earlier);
static Inverse reverse_alter_table(AlterTableStmt *stmt, List *earlier);
static Inverse reverse_rename(RenameStmt *stmt);
static char *previous_relation_comment(List *names, const char *column,
									   List *earlier);
static char *previous_object_comment(CommentStmt *stmt);
static const char *comment_kind_keyword(ObjectType type);
static Inverse reverse_comment(CommentStmt *stmt, List *earlier);
static Inverse reverse_statement(Node *node, List *earlier);

/*
 * Returns the result for a statement that cannot be reversed.
 */
static Inverse
irreversible(const char *why)
{
	Inverse		result = {NULL, why};

	return result;
}

/*
 * Returns the result for a statement whose inverse is sql.
 */
static Inverse
inverse_of(const char *sql)
{
	Inverse		result = {pstrdup(sql), NULL};

	return result;
}

/*
 * Returns a relation name as written in SQL: quoted where needed, with its
 * schema when the statement gave one.
 */
static char *
quote_rangevar(const RangeVar *rv)
{
	return quote_qualified_identifier(rv->schemaname, rv->relname);
}

/*
 * Returns a relation name as ALTER TABLE takes it: quote_rangevar(), after
 * ONLY when the statement named the table without its inheritance children.
 */
static char *
quote_relation_expr(const RangeVar *rv)
{
	return psprintf("%s%s", rv->inh ? "" : "ONLY ", quote_rangevar(rv));
}

/*
 * Returns a type name as written in SQL, for a function's signature, or
 * sets *ok to false when it cannot be written back (a %TYPE reference).
 */
static char *
quote_type_name(const TypeName *type, bool *ok)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	if (type->pct_type)
	{
		*ok = false;
		return NULL;
	}
	if (type->names != NIL)
		appendStringInfoString(&buf, NameListToQuotedString(type->names));
	else
		appendStringInfoString(&buf, format_type_be(type->typeOid));
	for (i = 0; i < list_length(type->arrayBounds); i++)
		appendStringInfoString(&buf, "[]");
	return buf.data;
}

/*
 * Returns a function, procedure or routine named with its argument types as
 * a statement gave them, or sets *ok to false when a type cannot be written
 * back.
 */
static char *
quote_object_with_args(const ObjectWithArgs *object, bool *ok)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfoString(&buf, NameListToQuotedString(object->objname));
	if (object->args_unspecified)
		return buf.data;
	appendStringInfoChar(&buf, '(');
	foreach(lc, object->objargs)
	{
		char	   *type = quote_type_name(lfirst_node(TypeName, lc), ok);

		if (!*ok)
			return NULL;
		appendStringInfo(&buf, "%s%s", lc == list_head(object->objargs) ? "" : ", ", type);
	}
	appendStringInfoChar(&buf, ')');
	return buf.data;
}

/*
 * Returns the keyword of ALTER <kind> for a relation kind, or NULL.
 */
static const char *
relation_kind_keyword(ObjectType type)
{
	switch (type)
	{
		case OBJECT_TABLE:
			return "TABLE";
		case OBJECT_INDEX:
			return "INDEX";
		case OBJECT_VIEW:
			return "VIEW";
		case OBJECT_MATVIEW:
			return "MATERIALIZED VIEW";
		case OBJECT_SEQUENCE:
			return "SEQUENCE";
		case OBJECT_FOREIGN_TABLE:
			return "FOREIGN TABLE";
		default:
			return NULL;
	}
}

/*
 * Returns whether a relation named schemaname.relname in one statement is
 * the relation rv of another.  A name without a schema matches the same
 * name with any schema, as both usually go through the same search_path.
 */
static bool
relation_names_match(const char *schemaname, const char *relname,
					 const RangeVar *rv)
{
	return strcmp(relname, rv->relname) == 0 &&
		(schemaname == NULL || rv->schemaname == NULL ||
		 strcmp(schemaname, rv->schemaname) == 0);
}

/*
 * Rewrites a relation and (when column is not NULL) a column name, as a
 * statement of the up names them, into their names before the up runs, by
 * undoing the renames of the statements before it (earlier, in body order).
 * Returns false when one of those statements created the relation or added
 * the column: it is new, and had no default and no comment.
 */
static bool
name_before_body(List *earlier, RangeVar **rv, const char **column)
{
	int			i;

	for (i = list_length(earlier) - 1; i >= 0; i--)
	{
		Node	   *node = (Node *) list_nth(earlier, i);
		const RangeVar *created = NULL;

		switch (nodeTag(node))
		{
			case T_RenameStmt:
				{
					RenameStmt *stmt = (RenameStmt *) node;

					if (stmt->renameType == OBJECT_COLUMN)
					{
						if (*column != NULL && strcmp(*column, stmt->newname) == 0 &&
							relation_names_match(stmt->relation->schemaname,
												 stmt->relation->relname, *rv))
							*column = stmt->subname;
					}
					else if (relation_kind_keyword(stmt->renameType) != NULL &&
							 relation_names_match(stmt->relation->schemaname,
												  stmt->newname, *rv))
					{
						*rv = copyObject(*rv);
						(*rv)->relname = stmt->relation->relname;
						if ((*rv)->schemaname == NULL)
							(*rv)->schemaname = stmt->relation->schemaname;
					}
					break;
				}
			case T_AlterTableStmt:
				{
					AlterTableStmt *stmt = (AlterTableStmt *) node;
					ListCell   *lc;

					if (*column == NULL ||
						!relation_names_match(stmt->relation->schemaname,
											  stmt->relation->relname, *rv))
						break;
					foreach(lc, stmt->cmds)
					{
						AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

						if (cmd->subtype == AT_AddColumn &&
							strcmp(castNode(ColumnDef, cmd->def)->colname, *column) == 0)
							return false;
					}
					break;
				}
			case T_IndexStmt:
				if (((IndexStmt *) node)->idxname != NULL &&
					relation_names_match(((IndexStmt *) node)->relation->schemaname,
										 ((IndexStmt *) node)->idxname, *rv))
					return false;
				break;
			default:
				created = statements_created_relation(node);
				break;
		}
		if (created != NULL &&
			relation_names_match(created->schemaname, created->relname, *rv))
			return false;
	}
	return true;
}

/*
 * Returns a column's default before the up runs, as SQL text that names
 * every object outside pg_catalog with its schema, or NULL when it has none
 * or the table or column is new (created by an earlier statement, or not in
 * the catalog).  earlier holds the statements before this one.
 */
static char *
previous_default(const RangeVar *rv, const char *column, List *earlier)
{
	RangeVar   *before = (RangeVar *) rv;
	Oid			relid;
	AttrNumber	attnum;
	Relation	rel;
	TupleConstr *constr;
	char	   *result = NULL;
	int			i;

	if (!name_before_body(earlier, &before, &column))
		return NULL;
	relid = RangeVarGetRelid(before, NoLock, true);
	if (!OidIsValid(relid))
		return NULL;
	attnum = get_attnum(relid, column);
	if (attnum == InvalidAttrNumber)
		return NULL;

	rel = relation_open(relid, AccessShareLock);
	constr = RelationGetDescr(rel)->constr;
	for (i = 0; constr != NULL && i < constr->num_defval; i++)
	{
		if (constr->defval[i].adnum == attnum)
		{
			Node	   *expr = stringToNode(constr->defval[i].adbin);
			int			save_nestlevel = NewGUCNestLevel();

			/*
			 * With only pg_catalog on search_path, the expression names its
			 * functions, types and sequences with their schemas, so that the
			 * down does not depend on the search_path it runs with.
			 */
			(void) set_config_option("search_path", "pg_catalog", PGC_USERSET,
									 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
			result = deparse_expression(expr,
										deparse_context_for(RelationGetRelationName(rel), relid),
										false, false);
			AtEOXact_GUC(true, save_nestlevel);
			break;
		}
	}
	relation_close(rel, AccessShareLock);
	return result;
}

/*
 * CREATE FUNCTION / PROCEDURE: DROP with the argument types that identify
 * it.  CREATE OR REPLACE may replace a previous definition that is unknown.
 */
static Inverse
reverse_create_function(CreateFunctionStmt *stmt)
{
	StringInfoData buf;
	ListCell   *lc;
	bool		first = true;

	if (stmt->replace)
		return irreversible("CREATE OR REPLACE may replace an earlier definition, which is not known");

	initStringInfo(&buf);
	appendStringInfo(&buf, "DROP %s %s(", stmt->is_procedure ? "PROCEDURE" : "FUNCTION",
					 NameListToQuotedString(stmt->funcname));
	foreach(lc, stmt->parameters)
	{
		FunctionParameter *param = lfirst_node(FunctionParameter, lc);
		bool		ok = true;
		char	   *type;

		/*
		 * Only the input arguments identify a function or a procedure: with
		 * the OUT ones, DROP PROCEDURE could match another procedure whose
		 * input arguments are those types.
		 */
		if (param->mode == FUNC_PARAM_TABLE || param->mode == FUNC_PARAM_OUT)
			continue;
		type = quote_type_name(param->argType, &ok);
		if (!ok)
			return irreversible("an argument type given with %TYPE cannot be written back");
		appendStringInfo(&buf, "%s%s", first ? "" : ", ", type);
		first = false;
	}
	appendStringInfoChar(&buf, ')');
	return inverse_of(buf.data);
}

/*
 * CREATE INDEX: DROP INDEX, CONCURRENTLY if it was built so.  The index
 * lives in its table's schema.  An unnamed index gets its name only when it
 * is built, so it cannot be named here.
 */
static Inverse
reverse_index(IndexStmt *stmt)
{
	if (stmt->idxname == NULL)
		return irreversible("the index has no name, and PostgreSQL chooses one only when it builds the index; name the index");
	return inverse_of(psprintf("DROP INDEX %s%s%s",
							   stmt->concurrent ? "CONCURRENTLY " : "",
							   stmt->if_not_exists ? "IF EXISTS " : "",
							   quote_qualified_identifier(stmt->relation->schemaname,
														  stmt->idxname)));
}

/*
 * Inverts one action of ALTER TABLE, returning the inverse action (without
 * the ALTER TABLE prefix).
 */
static Inverse
reverse_alter_table_cmd(AlterTableStmt *stmt, AlterTableCmd *cmd, List *earlier)
{
	switch (cmd->subtype)
	{
		case AT_AddColumn:
			{
				ColumnDef  *def = castNode(ColumnDef, cmd->def);

				if (cmd->missing_ok)
					return irreversible("ADD COLUMN IF NOT EXISTS does not say whether the column was there before");
				return inverse_of(psprintf("DROP COLUMN %s", quote_identifier(def->colname)));
			}
		case AT_AddConstraint:
			{
				Constraint *con = castNode(Constraint, cmd->def);

				if (con->conname == NULL)
					return irreversible("the constraint has no name, and PostgreSQL chooses one only when it adds the constraint; name the constraint");
				if (con->indexname != NULL)
					return irreversible("dropping a constraint made from an existing index would drop that index too");
				return inverse_of(psprintf("DROP CONSTRAINT %s", quote_identifier(con->conname)));
			}
		case AT_ColumnDefault:
			{
				char	   *before = previous_default(stmt->relation, cmd->name, earlier);

				if (before == NULL)
					return inverse_of(psprintf("ALTER COLUMN %s DROP DEFAULT",
											   quote_identifier(cmd->name)));
				return inverse_of(psprintf("ALTER COLUMN %s SET DEFAULT %s",
										   quote_identifier(cmd->name), before));
			}
		case AT_DropColumn:
			return irreversible("it drops a column and its data");
		case AT_DropConstraint:
			return irreversible("it drops a constraint, which could not be added back with its data unchecked");
		case AT_AlterColumnType:
			return irreversible("it changes a column's type, and the old type is not kept");
		default:
			return irreversible("this ALTER TABLE action cannot be reversed automatically");
	}
}

/*
 * ALTER TABLE: the inverse of each action, in reverse order, in one
 * statement, with ONLY if the up had it.  Only plain tables; the whole
 * statement is irreversible if any action is.
 */
static Inverse
reverse_alter_table(AlterTableStmt *stmt, List *earlier)
{
	StringInfoData buf;
	List	   *inverses = NIL;
	ListCell   *lc;

	if (stmt->objtype != OBJECT_TABLE)
		return irreversible("only ALTER TABLE actions are reversed automatically");

	foreach(lc, stmt->cmds)
	{
		Inverse		inverse = reverse_alter_table_cmd(stmt, lfirst_node(AlterTableCmd, lc),
													  earlier);

		if (inverse.sql == NULL)
			return inverse;
		inverses = lcons(inverse.sql, inverses);
	}

	initStringInfo(&buf);
	appendStringInfo(&buf, "ALTER TABLE %s%s ", stmt->missing_ok ? "IF EXISTS " : "",
					 quote_relation_expr(stmt->relation));
	foreach(lc, inverses)
		appendStringInfo(&buf, "%s%s", lc == list_head(inverses) ? "" : ", ",
						 (char *) lfirst(lc));
	return inverse_of(buf.data);
}

/*
 * RENAME: the same rename the other way, keeping the schema (and ONLY for a
 * column or constraint).
 */
static Inverse
reverse_rename(RenameStmt *stmt)
{
	const char *kind;
	const char *if_exists = stmt->missing_ok ? "IF EXISTS " : "";

	switch (stmt->renameType)
	{
		case OBJECT_COLUMN:
			kind = relation_kind_keyword(stmt->relationType);
			if (kind == NULL)
				break;
			return inverse_of(psprintf("ALTER %s %s%s RENAME COLUMN %s TO %s", kind, if_exists,
									   quote_relation_expr(stmt->relation),
									   quote_identifier(stmt->newname),
									   quote_identifier(stmt->subname)));
		case OBJECT_TABCONSTRAINT:
			return inverse_of(psprintf("ALTER TABLE %s%s RENAME CONSTRAINT %s TO %s", if_exists,
									   quote_relation_expr(stmt->relation),
									   quote_identifier(stmt->newname),
									   quote_identifier(stmt->subname)));
		case OBJECT_TABLE:
		case OBJECT_INDEX:
		case OBJECT_VIEW:
		case OBJECT_MATVIEW:
		case OBJECT_SEQUENCE:
		case OBJECT_FOREIGN_TABLE:
			return inverse_of(psprintf("ALTER %s %s%s RENAME TO %s",
									   relation_kind_keyword(stmt->renameType), if_exists,
									   quote_qualified_identifier(stmt->relation->schemaname,
																  stmt->newname),
									   quote_identifier(stmt->relation->relname)));
		case OBJECT_SCHEMA:
			return inverse_of(psprintf("ALTER SCHEMA %s RENAME TO %s",
									   quote_identifier(stmt->newname),
									   quote_identifier(stmt->subname)));
		default:
			break;
	}
	return irreversible("renames of this kind of object are not reversed automatically");
}

/*
 * Returns the comment of a relation (column NULL) or of one of its columns
 * before the up runs, or NULL when it has none or is new (see
 * name_before_body).  earlier holds the statements before this one.
 */
static char *
previous_relation_comment(List *names, const char *column, List *earlier)
{
	RangeVar   *rv = makeRangeVarFromNameList(names);
	Oid			relid;
	AttrNumber	attnum = 0;

	if (!name_before_body(earlier, &rv, &column))
		return NULL;
	relid = RangeVarGetRelid(rv, NoLock, true);
	if (!OidIsValid(relid))
		return NULL;
	if (column != NULL)
	{
		attnum = get_attnum(relid, column);
		if (attnum == InvalidAttrNumber)
			return NULL;
	}
	return GetComment(relid, RelationRelationId, attnum);
}

/*
 * Returns the current comment of the object a COMMENT ON names, or NULL when
 * it has none or is not in the catalog yet.
 */
static char *
previous_object_comment(CommentStmt *stmt)
{
	Relation	rel = NULL;
	ObjectAddress address = get_object_address(stmt->objtype, stmt->object, &rel,
											   AccessShareLock, true);

	if (rel != NULL)
		relation_close(rel, AccessShareLock);
	if (!OidIsValid(address.objectId))
		return NULL;
	return GetComment(address.objectId, address.classId, address.objectSubId);
}

/*
 * Returns the keyword of COMMENT ON <kind> for the kinds of object whose
 * comment is reversed, or NULL.
 */
static const char *
comment_kind_keyword(ObjectType type)
{
	switch (type)
	{
		case OBJECT_COLUMN:
			return "COLUMN";
		case OBJECT_SCHEMA:
			return "SCHEMA";
		case OBJECT_EXTENSION:
			return "EXTENSION";
		case OBJECT_TYPE:
			return "TYPE";
		case OBJECT_DOMAIN:
			return "DOMAIN";
		case OBJECT_FUNCTION:
			return "FUNCTION";
		case OBJECT_PROCEDURE:
			return "PROCEDURE";
		case OBJECT_ROUTINE:
			return "ROUTINE";
		case OBJECT_TABCONSTRAINT:
		case OBJECT_DOMCONSTRAINT:
			return "CONSTRAINT";
		case OBJECT_TRIGGER:
			return "TRIGGER";
		case OBJECT_POLICY:
			return "POLICY";
		case OBJECT_RULE:
			return "RULE";
		default:
			return relation_kind_keyword(type);
	}
}

/*
 * COMMENT ON: the previous comment back, or none.  The object is written as
 * the up names it.  A relation's or column's previous comment follows the
 * renames made earlier in the body; other objects are looked up by the name
 * the up gives.
 */
static Inverse
reverse_comment(CommentStmt *stmt, List *earlier)
{
	const char *kind = comment_kind_keyword(stmt->objtype);
	const char *object;
	char	   *before = NULL;
	bool		ok = true;

	if (kind == NULL)
		return irreversible("comments on this kind of object are not reversed automatically");

	switch (stmt->objtype)
	{
		case OBJECT_COLUMN:
			{
				List	   *names = castNode(List, stmt->object);

				if (list_length(names) < 2)
					return irreversible("the column is not named with its table");
				object = NameListToQuotedString(names);
				before = previous_relation_comment(list_truncate(list_copy(names),
																 list_length(names) - 1),
												   strVal(llast(names)), earlier);
				break;
			}
		case OBJECT_SCHEMA:
			{
				Oid			nspid = get_namespace_oid(strVal(stmt->object), true);

				object = quote_identifier(strVal(stmt->object));
				if (OidIsValid(nspid))
					before = GetComment(nspid, NamespaceRelationId, 0);
				break;
			}
		case OBJECT_EXTENSION:
			object = quote_identifier(strVal(stmt->object));
			before = previous_object_comment(stmt);
			break;
		case OBJECT_TYPE:
		case OBJECT_DOMAIN:
			object = quote_type_name(castNode(TypeName, stmt->object), &ok);
			if (!ok)
				return irreversible("a type given with %TYPE cannot be written back");
			before = previous_object_comment(stmt);
			break;
		case OBJECT_FUNCTION:
		case OBJECT_PROCEDURE:
		case OBJECT_ROUTINE:
			object = quote_object_with_args(castNode(ObjectWithArgs, stmt->object), &ok);
			if (!ok)
				return irreversible("an argument type given with %TYPE cannot be written back");
			before = previous_object_comment(stmt);
			break;
		case OBJECT_TABCONSTRAINT:
		case OBJECT_TRIGGER:
		case OBJECT_POLICY:
		case OBJECT_RULE:
			{
				/* the relation's name, then the object's */
				List	   *names = castNode(List, stmt->object);

				object = psprintf("%s ON %s", quote_identifier(strVal(llast(names))),
								  NameListToQuotedString(list_truncate(list_copy(names),
																	   list_length(names) - 1)));
				before = previous_object_comment(stmt);
				break;
			}
		case OBJECT_DOMCONSTRAINT:
			{
				/* the domain's type name, then the constraint's name */
				List	   *names = castNode(List, stmt->object);
				char	   *domain = quote_type_name(linitial_node(TypeName, names), &ok);

				if (!ok)
					return irreversible("a type given with %TYPE cannot be written back");
				object = psprintf("%s ON DOMAIN %s", quote_identifier(strVal(lsecond(names))),
								  domain);
				before = previous_object_comment(stmt);
				break;
			}
		default:
			/* a relation */
			object = NameListToQuotedString(castNode(List, stmt->object));
			before = previous_relation_comment(castNode(List, stmt->object), NULL, earlier);
			break;
	}

	return inverse_of(psprintf("COMMENT ON %s %s IS %s", kind, object,
							   before ? quote_literal_cstr(before) : "NULL"));
}

/*
 * Inverts one statement of an up body; earlier holds the parse trees of the
 * statements before it.
 */
static Inverse
reverse_statement(Node *node, List *earlier)
{
	switch (nodeTag(node))
	{
		case T_CreateStmt:
			return inverse_of(psprintf("DROP TABLE %s%s",
									   ((CreateStmt *) node)->if_not_exists ? "IF EXISTS " : "",
									   quote_rangevar(((CreateStmt *) node)->relation)));
		case T_CreateTableAsStmt:
			{
				CreateTableAsStmt *stmt = (CreateTableAsStmt *) node;

				return inverse_of(psprintf("DROP %s %s%s",
										   stmt->objtype == OBJECT_MATVIEW ? "MATERIALIZED VIEW" : "TABLE",
										   stmt->if_not_exists ? "IF EXISTS " : "",
										   quote_rangevar(stmt->into->rel)));
			}
		case T_ViewStmt:
			if (((ViewStmt *) node)->replace)
				return irreversible("CREATE OR REPLACE may replace an earlier definition, which is not known");
			return inverse_of(psprintf("DROP VIEW %s", quote_rangevar(((ViewStmt *) node)->view)));
		case T_IndexStmt:
			return reverse_index((IndexStmt *) node);
		case T_CreateSeqStmt:
			return inverse_of(psprintf("DROP SEQUENCE %s%s",
									   ((CreateSeqStmt *) node)->if_not_exists ? "IF EXISTS " : "",
									   quote_rangevar(((CreateSeqStmt *) node)->sequence)));
		case T_CreateEnumStmt:
			return inverse_of(psprintf("DROP TYPE %s",
									   NameListToQuotedString(((CreateEnumStmt *) node)->typeName)));
		case T_CreateRangeStmt:
			return inverse_of(psprintf("DROP TYPE %s",
									   NameListToQuotedString(((CreateRangeStmt *) node)->typeName)));
		case T_CompositeTypeStmt:
			return inverse_of(psprintf("DROP TYPE %s",
									   quote_rangevar(((CompositeTypeStmt *) node)->typevar)));
		case T_CreateDomainStmt:
			return inverse_of(psprintf("DROP DOMAIN %s",
									   NameListToQuotedString(((CreateDomainStmt *) node)->domainname)));
		case T_CreateSchemaStmt:
			{
				CreateSchemaStmt *stmt = (CreateSchemaStmt *) node;

				if (stmt->schemaname == NULL)
					return irreversible("the schema is named after a role only when it is created");
				if (stmt->schemaElts != NIL)
					return irreversible("the objects created with the schema would have to be dropped with it");
				return inverse_of(psprintf("DROP SCHEMA %s%s", stmt->if_not_exists ? "IF EXISTS " : "",
										   quote_identifier(stmt->schemaname)));
			}
		case T_CreateFunctionStmt:
			return reverse_create_function((CreateFunctionStmt *) node);
		case T_CreateTrigStmt:
			{
				CreateTrigStmt *stmt = (CreateTrigStmt *) node;

				if (stmt->replace)
					return irreversible("CREATE OR REPLACE may replace an earlier definition, which is not known");
				return inverse_of(psprintf("DROP TRIGGER %s ON %s", quote_identifier(stmt->trigname),
										   quote_rangevar(stmt->relation)));
			}
		case T_CreateExtensionStmt:
			return inverse_of(psprintf("DROP EXTENSION %s%s",
									   ((CreateExtensionStmt *) node)->if_not_exists ? "IF EXISTS " : "",
									   quote_identifier(((CreateExtensionStmt *) node)->extname)));
		case T_AlterTableStmt:
			return reverse_alter_table((AlterTableStmt *) node, earlier);
		case T_RenameStmt:
			return reverse_rename((RenameStmt *) node);
		case T_CommentStmt:
			return reverse_comment((CommentStmt *) node, earlier);
		case T_DropStmt:
			return irreversible("it drops objects, which could not be created again with their data");
		case T_InsertStmt:
		case T_UpdateStmt:
		case T_DeleteStmt:
		case T_MergeStmt:
			return irreversible("it changes data, and the data before it is not kept");
		default:
			return irreversible(psprintf("%s statements are not reversed automatically",
										 GetCommandTagName(CreateCommandTag(node))));
	}
}

/*
 * Returns the down derived from an up body (parsed), or NULL when one of
 * its statements cannot be reversed; a NOTICE then names the statement,
 * shows its text and says why, and the migration is irreversible unless a
 * down is given.
 */
char *
reverse_derive_down(const char *up, int64 version, MigrateBody *parsed)
{
	StringInfoData down;
	List	   *inverses = NIL;
	List	   *earlier = NIL;
	ListCell   *lc;

	foreach(lc, parsed->statements)
	{
		MigrateStatement *stmt = (MigrateStatement *) lfirst(lc);
		Inverse		inverse = reverse_statement(stmt->parsetree, earlier);

		if (inverse.sql == NULL)
		{
			char	   *text = statements_slice(up, stmt);

			if (strlen(text) > 200)
				text[pg_mbcliplen(text, strlen(text), 200)] = '\0';
			ereport(NOTICE,
					(errmsg("migration " INT64_FORMAT " has no down: statement %d (line %d) cannot be reversed",
							version, stmt->number, stmt->line),
					 errdetail("The statement is \"%s\"; it cannot be reversed because %s.",
							   text, inverse.why),
					 errhint("Pass the down body to migrate_define() explicitly, or down => '' if nothing needs undoing.")));
			return NULL;
		}
		inverses = lcons(inverse.sql, inverses);
		earlier = lappend(earlier, stmt->parsetree);
	}

	initStringInfo(&down);
	foreach(lc, inverses)
		appendStringInfo(&down, "%s;\n", (char *) lfirst(lc));
	return down.data;
}
