/*-------------------------------------------------------------------------
 *
 * lint_table.c
 *	  The safety rules of CREATE TABLE and ALTER TABLE: column types, added
 *	  columns, constraints, type changes, NOT NULL, partitions and the other
 *	  subcommands that lock, scan or rewrite an existing table.
 *
 * Each ALTER TABLE subcommand is judged on its own; what a statement leaves
 * behind for later statements (columns added, constraints added NOT VALID,
 * the table locked against writes) is recorded in the LintState.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
#include "lint.h"
#include "lint_rules.h"

#include "catalog/pg_class.h"
#include "commands/tablecmds.h"
#include "lib/stringinfo.h"
#include "parser/parse_type.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

/* The constraints written in a column definition */
typedef struct ColumnConstraints
{
	Node	   *default_expr;	/* DEFAULT expression, NULL if none or NULL */
	bool		not_null;
	bool		generated;
	bool		identity;
	bool		check;
	bool		unique;			/* UNIQUE or PRIMARY KEY */
	Constraint *foreign_key;
} ColumnConstraints;

static const char *type_base_name(const TypeName *type);
static bool type_is_serial(const TypeName *type);
static void column_constraints(ColumnDef *def, ColumnConstraints *cc);
static char *constraint_label(const Constraint *c);
static char *column_list_text(List *columns);
static void record_index(LintState *st, RangeVar *rv, List *keys);
static void record_foreign_key(LintState *st, RangeVar *rv, List *columns);
static void lint_column_def(LintState *st, RangeVar *rv, ColumnDef *def);
static void lint_referenced_table(LintState *st, Constraint *c);
static bool lint_added_with_type(LintState *st, RangeVar *rv, const char *column,
								 ColumnDef *def);
static bool lint_new_enum_literal(LintState *st, Node *expr);
static void lint_added_column(LintState *st, RangeVar *rv, ColumnDef *def);
static void lint_table_constraint(LintState *st, RangeVar *rv, Oid relid,
								  Constraint *c);
static void lint_type_change_cmd(LintState *st, RangeVar *rv, Oid relid,
								 AlterTableCmd *cmd);
static void lint_set_not_null(LintState *st, RangeVar *rv, Oid relid,
							  const char *column);
static void lint_validate(LintState *st, RangeVar *rv, const char *constraint);
static void lint_attach(LintState *st, RangeVar *rv, Oid relid, PartitionCmd *cmd);
static void lint_robust(LintState *st, bool guarded, const char *what);
static void lint_alter_table_cmd(LintState *st, RangeVar *rv, Oid relid,
								 AlterTableCmd *cmd);

/*
 * Returns the name of a built-in type as the parser wrote it: the last name
 * of a type that is unqualified or in pg_catalog, NULL for any other.
 */
static const char *
type_base_name(const TypeName *type)
{
	if (type == NULL || type->names == NIL || list_length(type->names) > 2)
		return NULL;
	if (list_length(type->names) == 2 &&
		strcmp(strVal(linitial(type->names)), "pg_catalog") != 0)
		return NULL;
	return strVal(llast(type->names));
}

/*
 * Returns whether a type name is one of the serial pseudo-types.
 */
static bool
type_is_serial(const TypeName *type)
{
	const char *name = type_base_name(type);

	return name != NULL && type->arrayBounds == NIL &&
		(strcmp(name, "serial") == 0 || strcmp(name, "serial4") == 0 ||
		 strcmp(name, "bigserial") == 0 || strcmp(name, "serial8") == 0 ||
		 strcmp(name, "smallserial") == 0 || strcmp(name, "serial2") == 0);
}

/*
 * The type rules, for a column of a new table, an added column or a type
 * change: prefer-text-field, prefer-timestamptz, prefer-bigint-over-int,
 * prefer-bigint-over-smallint, prefer-identity, ban-char-field and
 * adding-json-column.
 */
void
lint_type_name(LintState *st, const TypeName *type, const char *column)
{
	const char *name = type_base_name(type);

	if (name == NULL)
		return;
	if (strcmp(name, "varchar") == 0 && type->typmods != NIL)
		lint_report(st, RULE_PREFER_TEXT_FIELD, LINT_WARNING,
					"column \"%s\" is varchar(n): changing its limit later takes an ACCESS EXCLUSIVE lock", column);
	else if (strcmp(name, "timestamp") == 0)
		lint_report(st, RULE_PREFER_TIMESTAMPTZ, LINT_WARNING,
					"column \"%s\" is timestamp without time zone", column);
	else if (strcmp(name, "int4") == 0 || strcmp(name, "serial") == 0 ||
			 strcmp(name, "serial4") == 0)
		lint_report(st, RULE_PREFER_BIGINT_OVER_INT, LINT_WARNING,
					"column \"%s\" is a 32-bit integer, which can run out", column);
	else if (strcmp(name, "int2") == 0 || strcmp(name, "smallserial") == 0 ||
			 strcmp(name, "serial2") == 0)
		lint_report(st, RULE_PREFER_BIGINT_OVER_SMALLINT, LINT_WARNING,
					"column \"%s\" is a 16-bit integer, which can run out", column);
	else if (strcmp(name, "bpchar") == 0)
		lint_report(st, RULE_BAN_CHAR_FIELD, LINT_WARNING,
					"column \"%s\" is char(n)", column);
	else if (strcmp(name, "json") == 0)
		lint_report(st, RULE_ADDING_JSON_COLUMN, LINT_WARNING,
					"column \"%s\" is json, which has no equality operator", column);
	if (type_is_serial(type))
		lint_report(st, RULE_PREFER_IDENTITY, LINT_WARNING,
					"column \"%s\" is %s, whose sequence is owned apart from the column",
					column, name);
}

/*
 * Reads the constraints of a column definition (the raw parser keeps
 * DEFAULT and NOT NULL there too).
 */
static void
column_constraints(ColumnDef *def, ColumnConstraints *cc)
{
	ListCell   *lc;

	memset(cc, 0, sizeof(*cc));
	foreach(lc, def->constraints)
	{
		Constraint *c = lfirst_node(Constraint, lc);

		switch (c->contype)
		{
			case CONSTR_DEFAULT:
				if (!(IsA(c->raw_expr, A_Const) && ((A_Const *) c->raw_expr)->isnull))
					cc->default_expr = c->raw_expr;
				break;
			case CONSTR_NOTNULL:
				cc->not_null = true;
				break;
			case CONSTR_GENERATED:
				cc->generated = true;
				break;
			case CONSTR_IDENTITY:
				cc->identity = true;
				break;
			case CONSTR_CHECK:
				cc->check = true;
				break;
			case CONSTR_UNIQUE:
			case CONSTR_PRIMARY:
				cc->unique = true;
				break;
			case CONSTR_FOREIGN:
				cc->foreign_key = c;
				break;
			default:
				break;
		}
	}
}

/*
 * Returns "constraint "name"" or "a constraint" for a message.
 */
static char *
constraint_label(const Constraint *c)
{
	if (c->conname != NULL)
		return psprintf("constraint \"%s\"", c->conname);
	return pstrdup("a constraint");
}

/*
 * Returns a list of column names (String nodes) as "a, b".
 */
static char *
column_list_text(List *columns)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, columns)
		appendStringInfo(&buf, "%s%s", lc == list_head(columns) ? "" : ", ",
						 quote_identifier(strVal(lfirst(lc))));
	return buf.data;
}

/*
 * Records an index that the body creates on a table, by its key columns,
 * found by its table and first column.
 */
static void
record_index(LintState *st, RangeVar *rv, List *keys)
{
	LintName   *index = lint_name(st, rv, NULL);

	index->columns = keys;
	lint_names_add(&st->indexes, index, keys != NIL ? strVal(linitial(keys)) : NULL);
}

/*
 * Records a foreign key that the body adds to a table, by its columns, for
 * foreign-key-without-index.
 */
static void
record_foreign_key(LintState *st, RangeVar *rv, List *columns)
{
	LintName   *fk = lint_name(st, rv, NULL);

	fk->columns = columns;
	st->foreign_keys = lappend(st->foreign_keys, fk);
}

/*
 * The rules of a column definition that hold for a new table as well as an
 * existing one: its name, its type, and the indexes and foreign keys its
 * constraints make.
 */
static void
lint_column_def(LintState *st, RangeVar *rv, ColumnDef *def)
{
	ListCell   *lc;

	lint_type_name(st, def->typeName, def->colname);
	foreach(lc, def->constraints)
	{
		Constraint *c = lfirst_node(Constraint, lc);

		if (c->contype == CONSTR_UNIQUE || c->contype == CONSTR_PRIMARY)
			record_index(st, rv, list_make1(makeString(def->colname)));
		else if (c->contype == CONSTR_FOREIGN)
			record_foreign_key(st, rv, list_make1(makeString(def->colname)));
	}
}

/*
 * ADD COLUMN on an existing table: what makes it rewrite or scan the table
 * under its ACCESS EXCLUSIVE lock, fail on existing rows or lock another
 * table.
 */
static void
lint_added_column(LintState *st, RangeVar *rv, ColumnDef *def)
{
	ColumnConstraints cc;
	const char *column = def->colname;
	char	   *table = lint_relation_text(rv);
	bool		serial = type_is_serial(def->typeName);

	column_constraints(def, &cc);
	if (serial || cc.identity)
		lint_report(st, RULE_ADDING_SERIAL_OR_IDENTITY_COLUMN, LINT_ERROR,
					"adding %s column \"%s\" rewrites table %s and its indexes, filling every row, while blocking reads and writes",
					serial ? "serial" : "identity", column, table);
	if (cc.generated)
		lint_report(st, RULE_ADDING_GENERATED_STORED_COLUMN, LINT_ERROR,
					"adding stored generated column \"%s\" rewrites table %s and its indexes while blocking reads and writes",
					column, table);
	if (cc.default_expr == NULL && !serial && lint_type_default_volatile(def->typeName))
		lint_report(st, RULE_ADDING_FIELD_WITH_DEFAULT, LINT_ERROR,
					"adding column \"%s\" of a domain with a volatile default rewrites table %s and its indexes while blocking reads and writes",
					column, table);
	if (cc.default_expr != NULL && !serial)
	{
		int			volatility = lint_new_enum_literal(st, cc.default_expr) ? 0 :
			lint_default_volatility(cc.default_expr, def->typeName);

		if (volatility > 0)
			lint_report(st, RULE_ADDING_FIELD_WITH_DEFAULT, LINT_ERROR,
						"adding column \"%s\" with a volatile default rewrites table %s and its indexes while blocking reads and writes",
						column, table);
		else if (volatility < 0)
			lint_report(st, RULE_ADDING_FIELD_WITH_DEFAULT, LINT_WARNING,
						"whether the default of new column \"%s\" is volatile could not be decided: if it is, adding it rewrites table %s while blocking reads and writes",
						column, table);
	}
	if (!serial && lint_type_has_domain_constraints(def->typeName))
		lint_report(st, RULE_ADDING_COLUMN_WITH_CONSTRAINED_DOMAIN, LINT_ERROR,
					"adding column \"%s\" of a domain with constraints rewrites table %s and its indexes while blocking reads and writes",
					column, table);
	if (cc.not_null && cc.default_expr == NULL && !cc.generated && !cc.identity && !serial)
		lint_report(st, RULE_ADDING_REQUIRED_FIELD, LINT_ERROR,
					"adding column \"%s\" NOT NULL without a default fails if table %s has rows, and breaks inserts by application code that does not set it",
					column, table);
	if (cc.check)
		lint_report(st, RULE_ADDING_COLUMN_WITH_CHECK, LINT_ERROR,
					"the CHECK constraint of new column \"%s\" is checked by a scan of table %s while blocking reads and writes",
					column, table);
	if (cc.unique)
		lint_report(st, RULE_ADDING_COLUMN_WITH_UNIQUE_OR_PK, LINT_ERROR,
					"the constraint of new column \"%s\" builds a unique index on table %s while blocking reads and writes",
					column, table);
	/* a foreign key to a table created earlier blocks nobody */
	if (cc.foreign_key != NULL &&
		OidIsValid(lint_existing_relation(st, cc.foreign_key->pktable)))
	{
		char	   *parent = lint_relation_text(cc.foreign_key->pktable);

		if (cc.default_expr != NULL)
			lint_report(st, RULE_ADDING_COLUMN_WITH_FOREIGN_KEY, LINT_ERROR,
						"the foreign key of new column \"%s\", which has a default, is checked by scanning tables %s and %s while blocking writes to both",
						column, table, parent);
		else
			lint_report_recipe(st, RULE_ADDING_COLUMN_WITH_FOREIGN_KEY, LINT_WARNING,
							   "Keep the migration short: the lock is held until it commits, and migrate.lock_timeout bounds the wait for it.",
							   "the foreign key of new column \"%s\" blocks writes to table %s until the migration commits",
							   column, parent);
	}
}

/*
 * A constraint added to a table (ALTER TABLE ... ADD, or a table constraint
 * of CREATE TABLE when relid is InvalidOid): records its index or foreign
 * key, and on an existing table reports what it scans or builds under lock.
 */
static void
lint_table_constraint(LintState *st, RangeVar *rv, Oid relid, Constraint *c)
{
	char	   *table = lint_relation_text(rv);
	List	   *nullable;

	if ((c->contype == CONSTR_UNIQUE || c->contype == CONSTR_PRIMARY) && c->keys != NIL)
		record_index(st, rv, c->keys);
	if (c->contype == CONSTR_FOREIGN)
		record_foreign_key(st, rv, c->fk_attrs);
	if ((c->contype == CONSTR_CHECK || c->contype == CONSTR_FOREIGN) &&
		c->skip_validation && c->conname != NULL)
		lint_names_add(&st->not_valid, lint_name(st, rv, c->conname), c->conname);
	if (!OidIsValid(relid))
		return;

	switch (c->contype)
	{
		case CONSTR_CHECK:
			if (!c->skip_validation)
				lint_report(st, RULE_CONSTRAINT_MISSING_NOT_VALID, LINT_ERROR,
							"adding CHECK %s without NOT VALID scans table %s while blocking reads and writes",
							constraint_label(c), table);
			break;
		case CONSTR_FOREIGN:
			if (c->skip_validation)
				break;
			if (OidIsValid(lint_existing_relation(st, c->pktable)))
				lint_report(st, RULE_ADDING_FOREIGN_KEY_CONSTRAINT, LINT_ERROR,
							"adding foreign key %s without NOT VALID scans tables %s and %s while blocking writes to both",
							constraint_label(c), table, lint_relation_text(c->pktable));
			else
				lint_report(st, RULE_ADDING_FOREIGN_KEY_CONSTRAINT, LINT_ERROR,
							"adding foreign key %s without NOT VALID scans table %s while blocking its writes",
							constraint_label(c), table);
			break;
		case CONSTR_UNIQUE:
			if (c->indexname == NULL)
				lint_report(st, RULE_DISALLOWED_UNIQUE_CONSTRAINT, LINT_ERROR,
							"adding UNIQUE %s builds its index on table %s while blocking reads and writes",
							constraint_label(c), table);
			break;
		case CONSTR_PRIMARY:
			if (c->indexname == NULL)
			{
				lint_report(st, RULE_ADDING_SERIAL_PRIMARY_KEY_FIELD, LINT_ERROR,
							"adding a PRIMARY KEY builds its index on table %s while blocking reads and writes",
							table);
				break;
			}
			nullable = lint_nullable_index_columns(relid, c->indexname);
			if (nullable != NIL)
				lint_report(st, RULE_PRIMARY_KEY_USING_INDEX_ON_NULLABLE, LINT_ERROR,
							"PRIMARY KEY USING INDEX \"%s\" scans table %s for NULLs in column(s) %s while blocking reads and writes",
							c->indexname, table, column_list_text(nullable));
			break;
		case CONSTR_EXCLUSION:
			lint_report(st, RULE_ADDING_EXCLUSION_CONSTRAINT, LINT_ERROR,
						"adding EXCLUDE %s builds its index and checks every row of table %s while blocking reads and writes",
						constraint_label(c), table);
			break;
		default:
			break;
	}
}

/*
 * Returns whether ALTER COLUMN ... TYPE gives a column that an earlier
 * statement added the type it was added with, without USING or COLLATE: a
 * change that changes nothing.
 */
static bool
lint_added_with_type(LintState *st, RangeVar *rv, const char *column, ColumnDef *def)
{
	List	   *added = lint_names_find(st->added_columns, lint_resolve(st, rv), column);
	const TypeName *type;
	Oid			typid;

	if (added == NIL || def->raw_default != NULL || def->collClause != NULL)
		return false;
	type = ((LintName *) llast(added))->type;
	if (type == NULL)
		return false;
	if (equal(type, def->typeName))
		return true;
	typid = LookupTypeNameOid(NULL, type, true);
	return OidIsValid(typid) &&
		typid == LookupTypeNameOid(NULL, def->typeName, true) &&
		equal(type->typmods, def->typeName->typmods);
}

/*
 * ALTER COLUMN ... TYPE on an existing table, judged by what the server
 * would do: rewrite, rebuild indexes, re-check CHECK constraints, fail on a
 * view, or only change the catalog (not reported).
 */
static void
lint_type_change_cmd(LintState *st, RangeVar *rv, Oid relid, AlterTableCmd *cmd)
{
	ColumnDef  *def = castNode(ColumnDef, cmd->def);
	char	   *table = lint_relation_text(rv);

	lint_type_name(st, def->typeName, cmd->name);
	if (!OidIsValid(relid))
		return;
	if (lint_column_added(st, rv, cmd->name))
	{
		if (lint_added_with_type(st, rv, cmd->name, def))
			return;
		lint_report_recipe(st, RULE_CHANGING_COLUMN_TYPE, LINT_ERROR,
						   "Add the column with the type it needs.",
						   "changing the type of column \"%s\", which an earlier statement adds, may rewrite table %s while blocking reads and writes",
						   cmd->name, table);
		return;
	}
	switch (lint_type_change(relid, lint_column_catalog_name(st, rv, cmd->name), def,
							 st->dropped_views))
	{
		case TYPE_CHANGE_CATALOG_ONLY:
			break;
		case TYPE_CHANGE_REWRITE:
			lint_report(st, RULE_CHANGING_COLUMN_TYPE, LINT_ERROR,
						"changing the type of column \"%s\" rewrites table %s and its indexes while blocking reads and writes",
						cmd->name, table);
			break;
		case TYPE_CHANGE_INDEX_REBUILD:
			lint_report(st, RULE_CHANGING_COLUMN_TYPE, LINT_ERROR,
						"changing the type of column \"%s\" rebuilds its indexes on table %s while blocking reads and writes",
						cmd->name, table);
			break;
		case TYPE_CHANGE_CHECK_SCAN:
			lint_report(st, RULE_CHANGING_COLUMN_TYPE, LINT_ERROR,
						"changing the type of column \"%s\" re-checks its CHECK constraints with a scan of table %s while blocking reads and writes",
						cmd->name, table);
			break;
		case TYPE_CHANGE_VIEW_FAILS:
			lint_report(st, RULE_CHANGING_COLUMN_TYPE, LINT_ERROR,
						"column \"%s\" of table %s is used by a view or rule, so changing its type fails",
						cmd->name, table);
			break;
		case TYPE_CHANGE_UNKNOWN:
			lint_report(st, RULE_CHANGING_COLUMN_TYPE, LINT_ERROR,
						"changing the type of column \"%s\" may rewrite table %s while blocking reads and writes (the conversion could not be worked out)",
						cmd->name, table);
			break;
	}
}

/*
 * SET NOT NULL on an existing column scans the table under an ACCESS
 * EXCLUSIVE lock unless a validated CHECK constraint proves it.
 */
static void
lint_set_not_null(LintState *st, RangeVar *rv, Oid relid, const char *column)
{
	bool		already;

	if (!OidIsValid(relid))
		return;
	if (lint_column_added(st, rv, column))
	{
		lint_report_recipe(st, RULE_ADDING_NOT_NULLABLE_FIELD, LINT_ERROR,
						   "Add the column NOT NULL with a non-volatile DEFAULT: that needs no scan.",
						   "SET NOT NULL on column \"%s\", which an earlier statement adds, scans table %s while blocking reads and writes",
						   column, lint_relation_text(rv));
		return;
	}
	if (!lint_not_null_proven(relid, lint_column_catalog_name(st, rv, column), &already))
		lint_report(st, RULE_ADDING_NOT_NULLABLE_FIELD, LINT_ERROR,
					"SET NOT NULL on column \"%s\" scans table %s while blocking reads and writes",
					column, lint_relation_text(rv));
}

/*
 * VALIDATE CONSTRAINT in the transaction that added it NOT VALID, or that
 * locked the table earlier: the scan then runs under the earlier lock.
 */
static void
lint_validate(LintState *st, RangeVar *rv, const char *constraint)
{
	bool		added_here;
	RangeVar   *resolved = lint_resolve(st, rv);

	if (!st->transactional)
		return;
	added_here = lint_names_find(st->not_valid, resolved, constraint) != NIL;
	if (added_here ||
		(st->locked_relation != NULL && lint_names_match(st->locked_relation, resolved)))
		lint_report(st, RULE_VALIDATE_IN_SAME_TRANSACTION, LINT_ERROR,
					"VALIDATE CONSTRAINT \"%s\" scans table %s while the lock taken by an earlier statement of the same transaction still blocks it",
					constraint, lint_relation_text(rv));
}

/*
 * ATTACH PARTITION of an existing table scans it under an ACCESS EXCLUSIVE
 * lock unless its validated CHECK constraints imply the partition bound.
 */
static void
lint_attach(LintState *st, RangeVar *rv, Oid relid, PartitionCmd *cmd)
{
	Oid			partid = lint_existing_relation(st, cmd->name);
	bool		default_scanned = false;
	bool		proven;

	if (!OidIsValid(relid) || !OidIsValid(partid))
		return;
	proven = lint_partition_bound_proven(relid, partid, cmd->bound, &default_scanned);
	if (!proven)
		lint_report(st, RULE_ATTACH_PARTITION_WITHOUT_CHECK, LINT_ERROR,
					"ATTACH PARTITION scans table %s under an ACCESS EXCLUSIVE lock to check the partition bound%s",
					lint_relation_text(cmd->name),
					default_scanned ? ", and scans the default partition too" : "");
	else if (default_scanned)
		lint_report(st, RULE_ATTACH_PARTITION_WITHOUT_CHECK, LINT_ERROR,
					"ATTACH PARTITION scans the default partition of %s under an ACCESS EXCLUSIVE lock",
					lint_relation_text(rv));
}

/*
 * prefer-robust-stmts: in a body that runs without a transaction and has
 * several statements, a statement that fails when run a second time.
 */
static void
lint_robust(LintState *st, bool guarded, const char *what)
{
	if (st->several && !st->transactional && !guarded)
		lint_report(st, RULE_PREFER_ROBUST_STMTS, LINT_WARNING,
					"%s fails when the migration runs again after failing part-way", what);
}

/*
 * One subcommand of ALTER TABLE on relation rv (relid: InvalidOid when it
 * is new).
 */
static void
lint_alter_table_cmd(LintState *st, RangeVar *rv, Oid relid, AlterTableCmd *cmd)
{
	char	   *table = lint_relation_text(rv);
	char	   *parent;

	switch (cmd->subtype)
	{
		case AT_AddColumn:
			{
				ColumnDef  *def = castNode(ColumnDef, cmd->def);

				lint_robust(st, cmd->missing_ok, "ADD COLUMN without IF NOT EXISTS");
				lint_column_def(st, rv, def);
				if (OidIsValid(relid))
					lint_added_column(st, rv, def);
				{
					LintName   *added = lint_name(st, rv, def->colname);

					added->type = def->typeName;
					lint_names_add(&st->added_columns, added, def->colname);
				}
				break;
			}
		case AT_AlterColumnType:
			lint_type_change_cmd(st, rv, relid, cmd);
			break;
		case AT_SetNotNull:
			lint_set_not_null(st, rv, relid, cmd->name);
			break;
		case AT_DropNotNull:
			if (OidIsValid(relid) && !lint_column_added(st, rv, cmd->name))
				lint_report(st, RULE_BAN_DROP_NOT_NULL, LINT_WARNING,
							"dropping NOT NULL of column \"%s\" of table %s lets NULLs reach code that does not expect them",
							cmd->name, table);
			break;
		case AT_AddConstraint:
			lint_table_constraint(st, rv, relid, castNode(Constraint, cmd->def));
			break;
		case AT_ValidateConstraint:
			lint_validate(st, rv, cmd->name);
			break;
		case AT_DropColumn:
			lint_robust(st, cmd->missing_ok, "DROP COLUMN without IF EXISTS");
			if (!OidIsValid(relid) || lint_column_added(st, rv, cmd->name))
				break;
			lint_report(st, RULE_BAN_DROP_COLUMN, LINT_ERROR,
						"dropping column \"%s\" of table %s breaks the application code that still uses it",
						cmd->name, table);
			parent = lint_foreign_key_parent(relid, cmd->name, NULL);
			if (parent != NULL)
				lint_report(st, RULE_DROPPING_FK_LOCKS_PARENT, LINT_WARNING,
							"dropping column \"%s\" drops its foreign key, taking an ACCESS EXCLUSIVE lock on table %s too",
							cmd->name, parent);
			break;
		case AT_DropConstraint:
			lint_robust(st, cmd->missing_ok, "DROP CONSTRAINT without IF EXISTS");
			if (!OidIsValid(relid))
				break;
			parent = lint_foreign_key_parent(relid, NULL, cmd->name);
			if (parent != NULL)
				lint_report(st, RULE_DROPPING_FK_LOCKS_PARENT, LINT_WARNING,
							"dropping foreign key \"%s\" takes an ACCESS EXCLUSIVE lock on table %s too",
							cmd->name, parent);
			break;
		case AT_DetachPartition:
			if (OidIsValid(relid) && !castNode(PartitionCmd, cmd->def)->concurrent)
				lint_report(st, RULE_REQUIRE_CONCURRENT_PARTITION_DETACH, LINT_ERROR,
							"DETACH PARTITION without CONCURRENTLY blocks reads and writes of partitioned table %s",
							table);
			break;
		case AT_AttachPartition:
			lint_attach(st, rv, relid, castNode(PartitionCmd, cmd->def));
			break;
		case AT_SetLogged:
		case AT_SetUnLogged:
		case AT_SetAccessMethod:
		case AT_SetTableSpace:
			if (OidIsValid(relid))
				lint_report(st, RULE_TABLE_REWRITE_COMMANDS, LINT_ERROR,
							"%s rewrites or copies table %s while blocking reads and writes",
							cmd->subtype == AT_SetLogged ? "SET LOGGED" :
							cmd->subtype == AT_SetUnLogged ? "SET UNLOGGED" :
							cmd->subtype == AT_SetAccessMethod ? "SET ACCESS METHOD" :
							"SET TABLESPACE", table);
			break;
		case AT_EnableRowSecurity:
		case AT_DisableRowSecurity:
		case AT_ForceRowSecurity:
		case AT_NoForceRowSecurity:
			if (OidIsValid(relid))
				lint_report(st, RULE_ROW_LEVEL_SECURITY_OR_POLICY, LINT_WARNING,
							"changing row level security of table %s changes which rows each role sees",
							table);
			break;
		case AT_EnableTrig:
		case AT_EnableAlwaysTrig:
		case AT_EnableReplicaTrig:
		case AT_EnableTrigAll:
		case AT_EnableTrigUser:
		case AT_DisableTrig:
		case AT_DisableTrigAll:
		case AT_DisableTrigUser:
			if (OidIsValid(relid))
				lint_report(st, RULE_TRIGGER_DDL, LINT_WARNING,
							"enabling or disabling triggers blocks writes to table %s while it waits for its lock",
							table);
			break;
		default:
			break;
	}
}

/*
 * Returns whether a default is a literal cast to an enum type that an
 * earlier statement creates ('happy'::mood): a constant, though the catalog
 * cannot cook it yet.
 */
static bool
lint_new_enum_literal(LintState *st, Node *expr)
{
	bool		cast = false;

	while (IsA(expr, TypeCast))
	{
		TypeCast   *tc = (TypeCast *) expr;

		if (!lint_enum_created(st, tc->typeName))
			return false;
		cast = true;
		expr = tc->arg;
	}
	return cast && IsA(expr, A_Const);
}

/*
 * A foreign key of a new table locks the existing table it references in
 * SHARE ROW EXCLUSIVE mode, blocking its writes until the migration
 * commits: later statements run while it is held.  A table created earlier
 * in the migration blocks nobody.
 */
static void
lint_referenced_table(LintState *st, Constraint *c)
{
	if (c->contype != CONSTR_FOREIGN || c->pktable == NULL)
		return;
	if (OidIsValid(lint_existing_relation(st, c->pktable)))
		lint_lock_table(st, c->pktable);
}

/*
 * CREATE TABLE: the names and types of its columns, duplicate columns, and
 * the indexes and foreign keys it declares (for foreign-key-without-index).
 */
void
lint_create_table(LintState *st, CreateStmt *stmt)
{
	List	   *names = NIL;
	ListCell   *lc;

	lint_robust(st, stmt->if_not_exists, "CREATE TABLE without IF NOT EXISTS");
	foreach(lc, stmt->tableElts)
	{
		Node	   *elt = (Node *) lfirst(lc);

		if (IsA(elt, ColumnDef))
		{
			ListCell   *cc;

			lint_column_def(st, stmt->relation, (ColumnDef *) elt);
			names = lappend(names, makeString(((ColumnDef *) elt)->colname));
			foreach(cc, ((ColumnDef *) elt)->constraints)
				lint_referenced_table(st, lfirst_node(Constraint, cc));
		}
		else if (IsA(elt, Constraint))
		{
			lint_table_constraint(st, stmt->relation, InvalidOid, (Constraint *) elt);
			lint_referenced_table(st, (Constraint *) elt);
		}
	}
	foreach(lc, names)
	{
		ListCell   *later;

		for_each_cell(later, names, lnext(names, lc))
		{
			if (strcmp(strVal(lfirst(lc)), strVal(lfirst(later))) == 0)
			{
				lint_report(st, RULE_BAN_DUPLICATE_COLUMN_ASSIGNMENTS, LINT_ERROR,
							"column \"%s\" appears twice in CREATE TABLE", strVal(lfirst(lc)));
				return;
			}
		}
	}
}

/*
 * ALTER TABLE: each subcommand, multiple-alter-table for a second statement
 * on the same existing table, and the lock it leaves held for the rest of
 * the transaction.
 */
void
lint_alter_table(LintState *st, AlterTableStmt *stmt)
{
	RangeVar   *rv = stmt->relation;
	Oid			relid;
	ListCell   *lc;

	if (stmt->objtype != OBJECT_TABLE)
		return;
	relid = lint_existing_relation(st, rv);
	if (OidIsValid(relid))
	{
		LintName   *altered = lint_name(st, rv, NULL);

		/* said once, at the second statement */
		if (list_length(lint_names_find(st->altered, altered->relation, NULL)) == 1)
			lint_report(st, RULE_MULTIPLE_ALTER_TABLE, LINT_WARNING,
						"table %s is altered by more than one statement of the migration",
						lint_relation_text(rv));
		lint_names_add(&st->altered, altered, NULL);
	}

	foreach(lc, stmt->cmds)
		lint_alter_table_cmd(st, rv, relid, lfirst_node(AlterTableCmd, lc));

	if (OidIsValid(relid) && AlterTableGetLockLevel(stmt->cmds) >= ShareRowExclusiveLock)
		lint_lock_table(st, rv);
}
