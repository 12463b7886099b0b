/*-------------------------------------------------------------------------
 *
 * lint.c
 *	  The safety lint: unsafe DDL found with the server's parser and the
 *	  live catalog, and migrate_lint(), its SQL interface.
 *
 * lint_body() walks the statements of a body in order, keeping what earlier
 * statements did (relations created or renamed, columns added, constraints
 * added NOT VALID, tables locked against writes, enum values added), so that
 * a statement on a table created earlier in the same migration is not
 * reported and one that follows a strong lock is.  A relation counts as
 * existing when the catalog has it and no earlier statement created it:
 * rules about locks, scans and rewrites fire only on existing relations.
 * This file holds the driver and the rules of statements other than CREATE
 * TABLE and ALTER TABLE (lint_table.c); what the walk knows and the rule
 * table with each rule's safe recipe are in lint_state.c, the catalog
 * questions in lint_catalog.c.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
#include "lint.h"
#include "lint_rules.h"
#include "statements.h"

#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "commands/defrem.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_type.h"
#include "storage/lockdefs.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(migrate_lint);

static int	lint_finding_compare(const ListCell *a, const ListCell *b);
static void lint_transaction(LintState *st, TransactionStmt *stmt);
static void lint_index(LintState *st, IndexStmt *stmt);
static void lint_drop_trigger(LintState *st, DropStmt *stmt);
static void lint_dropped_views(LintState *st, DropStmt *stmt);
static void lint_drop(LintState *st, DropStmt *stmt);
static bool lint_reads_walker(Node *node, void *context);
static void lint_create_table_as(LintState *st, CreateTableAsStmt *stmt);
static void lint_rename(LintState *st, RenameStmt *stmt);
static void lint_truncate(LintState *st, TruncateStmt *stmt);
static void lint_reindex(LintState *st, ReindexStmt *stmt);
static void lint_vacuum(LintState *st, VacuumStmt *stmt);
static void lint_alter_domain(LintState *st, AlterDomainStmt *stmt);
static bool lint_domain_constrained(CreateDomainStmt *stmt);
static void lint_alter_enum(LintState *st, AlterEnumStmt *stmt);
static void lint_dml(LintState *st, Node *node);
static void lint_duplicate_columns(LintState *st, List *names, const char *what);
static bool lint_statement_uses_type(LintState *st, const char *text,
									 const LintName *label);
static void lint_enum_labels_used(LintState *st);
static void lint_relation_created_by(LintState *st, Node *node);
static void lint_lock(LintState *st, LockStmt *stmt);
static void lint_statement(LintState *st, Node *node);
static void lint_foreign_key_indexes(LintState *st);
static bool lint_body_index_covers(LintState *st, const LintName *fk);
static void lint_walk(LintState *st, const char *body, MigrateBody *parsed);

/*
 * Orders findings by statement, then rule and message, so that the order
 * never depends on the order the rules were checked in.
 */
static int
lint_finding_compare(const ListCell *a, const ListCell *b)
{
	const LintFinding *fa = (const LintFinding *) lfirst(a);
	const LintFinding *fb = (const LintFinding *) lfirst(b);
	int			cmp;

	if (fa->statement != fb->statement)
		return fa->statement < fb->statement ? -1 : 1;
	cmp = strcmp(fa->rule, fb->rule);
	return cmp != 0 ? cmp : strcmp(fa->message, fb->message);
}

/*
 * identifier-too-long: a name the server truncates.  The parse tree holds
 * names already truncated, so the statement's text is read.
 */
static void
lint_identifier_length(LintState *st)
{
	char	   *name = statements_long_identifier(st->body, st->stmt);

	if (name != NULL)
		lint_report(st, RULE_IDENTIFIER_TOO_LONG, LINT_WARNING,
					"identifier %s is longer than %d bytes and is truncated",
					name, NAMEDATALEN - 1);
}

/*
 * transaction-nesting and ban-uncommitted-transaction: transaction control,
 * which migrate_define() refuses anyway, found by migrate_lint().
 */
static void
lint_transaction(LintState *st, TransactionStmt *stmt)
{
	lint_report(st, RULE_TRANSACTION_NESTING, LINT_ERROR,
				"transaction control in a migration ends or nests the transaction that migrate runs it in");
	if (stmt->kind == TRANS_STMT_BEGIN || stmt->kind == TRANS_STMT_START)
		st->open_begin = st->stmt->number;
	else if (stmt->kind == TRANS_STMT_COMMIT || stmt->kind == TRANS_STMT_ROLLBACK ||
			 stmt->kind == TRANS_STMT_PREPARE)
		st->open_begin = 0;
}

/*
 * CREATE INDEX: without CONCURRENTLY on an existing table it blocks writes
 * for the whole build; also the index's own hygiene rules.
 */
static void
lint_index(LintState *st, IndexStmt *stmt)
{
	Oid			relid = lint_existing_relation(st, stmt->relation);
	LintName   *index;
	ListCell   *lc;

	/* IF NOT EXISTS of a name the catalog has: the statement does nothing */
	if (stmt->if_not_exists && stmt->idxname != NULL && OidIsValid(relid) &&
		!lint_relation_created(st, makeRangeVar(lint_resolve(st, stmt->relation)->schemaname,
												stmt->idxname, -1)) &&
		lint_relation_name_taken(relid, stmt->idxname))
		return;
	index = lint_name(st, stmt->relation, stmt->idxname);
	foreach(lc, stmt->indexParams)
	{
		IndexElem  *elem = lfirst_node(IndexElem, lc);

		if (elem->name == NULL)
			break;				/* an expression: later columns do not lead */
		index->columns = lappend(index->columns, makeString(elem->name));
	}
	lint_names_add(&st->indexes, index,
				   index->columns != NIL ? strVal(linitial(index->columns)) : NULL);
	if (stmt->idxname != NULL)
		lint_names_add(&st->created,
					   lint_name(st, makeRangeVar(index->relation->schemaname,
												  stmt->idxname, -1), NULL),
					   NULL);

	if (!stmt->unique && list_length(stmt->indexParams) > 3)
		lint_report(st, RULE_MANY_COLUMNS_INDEX, LINT_WARNING,
					"index on %s has %d columns",
					lint_relation_text(stmt->relation), list_length(stmt->indexParams));

	if (stmt->concurrent)
	{
		if (st->several && !stmt->if_not_exists && stmt->idxname != NULL)
			lint_report(st, RULE_PREFER_ROBUST_STMTS, LINT_WARNING,
						"CREATE INDEX CONCURRENTLY without IF NOT EXISTS fails when the migration runs again after failing part-way");
		return;
	}
	if (!OidIsValid(relid))
		return;
	if (get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE)
	{
		if (stmt->relation->inh)
			lint_report_recipe(st, RULE_REQUIRE_CONCURRENT_INDEX_CREATION, LINT_ERROR,
							   "A partitioned table cannot be indexed CONCURRENTLY: create the index ON ONLY the partitioned table, build each partition's index CONCURRENTLY in migrations of their own, then ALTER INDEX ... ATTACH PARTITION each of them.",
							   "CREATE INDEX on partitioned table %s blocks writes to every partition while the indexes are built",
							   lint_relation_text(stmt->relation));
		return;
	}
	lint_report(st, RULE_REQUIRE_CONCURRENT_INDEX_CREATION, LINT_ERROR,
				"CREATE INDEX without CONCURRENTLY blocks writes to table %s while the index is built",
				lint_relation_text(stmt->relation));
}

/*
 * DROP TRIGGER: takes an ACCESS EXCLUSIVE lock on the table of each trigger,
 * blocking its reads and writes while it waits for the lock, and keeps it
 * until the migration commits.
 */
static void
lint_drop_trigger(LintState *st, DropStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->objects)
	{
		List	   *names = castNode(List, lfirst(lc));
		RangeVar   *rv;

		/* the trigger's name comes last, after its table's */
		if (list_length(names) < 2)
			continue;
		rv = makeRangeVarFromNameList(list_truncate(list_copy(names),
													list_length(names) - 1));
		if (!OidIsValid(lint_existing_relation(st, rv)))
			continue;
		lint_report(st, RULE_TRIGGER_DDL, LINT_WARNING,
					"DROP TRIGGER takes an ACCESS EXCLUSIVE lock on table %s, blocking its reads and writes while it waits for the lock",
					lint_relation_text(rv));
		lint_lock_table(st, rv);
	}
}

/*
 * DROP VIEW and DROP MATERIALIZED VIEW: remembers the existing views
 * dropped, which no longer stop a later type change of the columns they
 * use.
 */
static void
lint_dropped_views(LintState *st, DropStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->objects)
	{
		RangeVar   *rv = makeRangeVarFromNameList(castNode(List, lfirst(lc)));
		Oid			relid = lint_existing_relation(st, rv);

		if (OidIsValid(relid))
			st->dropped_views = lappend_oid(st->dropped_views, relid);
	}
}

/*
 * DROP: tables, columns of data and schemas dropped while the application
 * may still use them, and indexes dropped without CONCURRENTLY.
 */
static void
lint_drop(LintState *st, DropStmt *stmt)
{
	ListCell   *lc;

	if (st->several && !st->transactional && !stmt->missing_ok)
		lint_report(st, RULE_PREFER_ROBUST_STMTS, LINT_WARNING,
					"DROP without IF EXISTS fails when the migration runs again after failing part-way");

	if (stmt->removeType == OBJECT_SCHEMA)
	{
		if (stmt->behavior == DROP_CASCADE)
			lint_report(st, RULE_BAN_DROP_SCHEMA_CASCADE, LINT_ERROR,
						"DROP SCHEMA ... CASCADE drops every object in the schema");
		return;
	}
	if (stmt->removeType == OBJECT_TRIGGER)
	{
		lint_drop_trigger(st, stmt);
		return;
	}
	if (stmt->removeType == OBJECT_VIEW || stmt->removeType == OBJECT_MATVIEW)
	{
		lint_dropped_views(st, stmt);
		return;
	}
	if (stmt->removeType != OBJECT_TABLE && stmt->removeType != OBJECT_INDEX)
		return;

	foreach(lc, stmt->objects)
	{
		RangeVar   *rv = makeRangeVarFromNameList(castNode(List, lfirst(lc)));
		Oid			relid = lint_existing_relation(st, rv);
		char	   *parent;

		if (!OidIsValid(relid))
			continue;
		if (stmt->removeType == OBJECT_INDEX)
		{
			if (!stmt->concurrent)
				lint_report(st, RULE_REQUIRE_CONCURRENT_INDEX_DELETION, LINT_WARNING,
							"DROP INDEX without CONCURRENTLY blocks reads and writes of the table of index %s while it waits for its lock",
							lint_relation_text(rv));
			continue;
		}
		lint_report(st, RULE_BAN_DROP_TABLE, LINT_ERROR,
					"dropping table %s breaks the application code that still uses it%s",
					lint_relation_text(rv),
					stmt->behavior == DROP_CASCADE ? ", and CASCADE drops the views and foreign keys that depend on it" : "");
		parent = lint_foreign_key_parent(relid, NULL, NULL);
		if (parent != NULL)
			lint_report(st, RULE_DROPPING_FK_LOCKS_PARENT, LINT_WARNING,
						"dropping table %s takes an ACCESS EXCLUSIVE lock on the table it references, %s",
						lint_relation_text(rv), parent);
	}
}

/*
 * RenameStmt: renames break the application code still running; renames are
 * also followed, so that later statements find the relation.
 */
static void
lint_rename(LintState *st, RenameStmt *stmt)
{
	Oid			relid = InvalidOid;

	if (stmt->relation != NULL)
		relid = lint_existing_relation(st, stmt->relation);

	switch (stmt->renameType)
	{
		case OBJECT_COLUMN:
			if (!OidIsValid(relid) || lint_column_added(st, stmt->relation, stmt->subname))
			{
				/* a new column: so is its new name */
				lint_names_add(&st->added_columns,
							   lint_name(st, stmt->relation, stmt->newname), stmt->newname);
				break;
			}
			lint_report(st, RULE_RENAMING_COLUMN, LINT_ERROR,
						"renaming column \"%s\" of %s to \"%s\" breaks the application code that still uses the old name",
						stmt->subname, lint_relation_text(stmt->relation), stmt->newname);
			{
				LintName   *renamed = lint_name(st, stmt->relation, stmt->newname);

				renamed->columns = list_make1(makeString(pstrdup(lint_column_catalog_name(st, stmt->relation, stmt->subname))));
				lint_names_add(&st->renamed_columns, renamed, stmt->newname);
			}
			lint_lock_table(st, stmt->relation);
			break;
		case OBJECT_TABLE:
		case OBJECT_VIEW:
		case OBJECT_MATVIEW:
		case OBJECT_INDEX:
		case OBJECT_SEQUENCE:
		case OBJECT_FOREIGN_TABLE:
			{
				RangeVar   *renamed = makeRangeVar(lint_resolve(st, stmt->relation)->schemaname,
												   stmt->newname, -1);

				if (!OidIsValid(relid))
				{
					lint_names_add(&st->created, lint_name(st, renamed, NULL), NULL);
					break;
				}
				if (stmt->renameType == OBJECT_TABLE)
				{
					lint_report(st, RULE_RENAMING_TABLE, LINT_ERROR,
								"renaming table %s to \"%s\" breaks the application code that still uses the old name",
								lint_relation_text(stmt->relation), stmt->newname);
					lint_lock_table(st, renamed);
				}
				lint_names_add(&st->renamed,
							   lint_name(st, renamed, stmt->relation->relname), NULL);
				break;
			}
		case OBJECT_TYPE:
		case OBJECT_DOMAIN:
			{
				List	   *names = castNode(List, stmt->object);

				if (OidIsValid(LookupTypeNameOid(NULL, makeTypeNameFromNameList(names), true)))
					lint_report(st, RULE_RENAMING_TYPE, LINT_ERROR,
								"renaming type %s to \"%s\" breaks the application code that still uses the old name",
								NameListToQuotedString(names), stmt->newname);
				break;
			}
		case OBJECT_SCHEMA:
			if (OidIsValid(get_namespace_oid(stmt->subname, true)))
				lint_report(st, RULE_RENAMING_SCHEMA, LINT_ERROR,
							"renaming schema \"%s\" to \"%s\" breaks the application code that still uses the old name",
							stmt->subname, stmt->newname);
			break;
		default:
			break;
	}
}

/*
 * TRUNCATE: takes an ACCESS EXCLUSIVE lock and throws away the rows of an
 * existing table; CASCADE reaches tables the statement does not name.
 */
static void
lint_truncate(LintState *st, TruncateStmt *stmt)
{
	ListCell   *lc;

	if (stmt->behavior == DROP_CASCADE)
		lint_report(st, RULE_BAN_TRUNCATE_CASCADE, LINT_ERROR,
					"TRUNCATE ... CASCADE also empties every table with a foreign key to the tables named");
	foreach(lc, stmt->relations)
	{
		RangeVar   *rv = lfirst_node(RangeVar, lc);

		if (!OidIsValid(lint_existing_relation(st, rv)))
			continue;
		if (stmt->behavior != DROP_CASCADE)
			lint_report(st, RULE_TRUNCATE, LINT_ERROR,
						"TRUNCATE deletes every row of table %s under an ACCESS EXCLUSIVE lock",
						lint_relation_text(rv));
		lint_lock_table(st, rv);
	}
}

/*
 * REINDEX without CONCURRENTLY: blocks writes to the table and reads that
 * use its indexes.
 */
static void
lint_reindex(LintState *st, ReindexStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->params)
	{
		DefElem    *opt = lfirst_node(DefElem, lc);

		if (strcmp(opt->defname, "concurrently") == 0 && defGetBoolean(opt))
			return;
	}
	if (stmt->kind == REINDEX_OBJECT_SYSTEM)
		return;					/* cannot be done concurrently */
	if (stmt->relation != NULL && !OidIsValid(lint_existing_relation(st, stmt->relation)))
		return;
	lint_report(st, RULE_REQUIRE_CONCURRENT_REINDEX, LINT_ERROR,
				"REINDEX without CONCURRENTLY blocks writes to the table, and the reads that use its indexes, while they are rebuilt");
}

/*
 * VACUUM FULL rewrites existing tables (every table, without a list) under
 * ACCESS EXCLUSIVE locks.
 */
static void
lint_vacuum(LintState *st, VacuumStmt *stmt)
{
	ListCell   *lc;
	bool		full = false;
	bool		existing = false;

	if (!stmt->is_vacuumcmd)
		return;
	foreach(lc, stmt->options)
	{
		DefElem    *opt = lfirst_node(DefElem, lc);

		if (strcmp(opt->defname, "full") == 0 && defGetBoolean(opt))
			full = true;
	}
	if (!full)
		return;
	foreach(lc, stmt->rels)
		if (OidIsValid(lint_existing_relation(st, lfirst_node(VacuumRelation, lc)->relation)))
			existing = true;
	if (existing || stmt->rels == NIL)
		lint_report(st, RULE_PREFER_REPACK, LINT_ERROR,
					"VACUUM FULL rewrites each table under an ACCESS EXCLUSIVE lock, blocking its reads and writes");
}

/*
 * ALTER DOMAIN: adding, validating or NOT NULL-ing a constraint of a domain
 * that columns use locks and scans each of their tables.
 */
static void
lint_alter_domain(LintState *st, AlterDomainStmt *stmt)
{
	bool		scans;

	switch (stmt->subtype)
	{
		case 'C':
			scans = !castNode(Constraint, stmt->def)->skip_validation;
			break;
		case 'O':
		case 'V':
			scans = true;
			break;
		default:
			scans = false;
			break;
	}
	if (scans && lint_domain_in_use(stmt->typeName))
		lint_report(st, RULE_BAN_ALTER_DOMAIN_WITH_ADD_CONSTRAINT, LINT_ERROR,
					"checking a constraint of domain %s blocks writes to every table with a column of that type while each is scanned",
					NameListToQuotedString(stmt->typeName));
}

/*
 * Returns whether CREATE DOMAIN gives the domain a CHECK or NOT NULL
 * constraint (DEFAULT, NULL and COLLATE are in the same list).
 */
static bool
lint_domain_constrained(CreateDomainStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->constraints)
	{
		ConstrType	type = lfirst_node(Constraint, lc)->contype;

		if (type == CONSTR_CHECK || type == CONSTR_NOTNULL)
			return true;
	}
	return false;
}

/*
 * ALTER TYPE ... ADD VALUE and RENAME VALUE of an enum.
 */
static void
lint_alter_enum(LintState *st, AlterEnumStmt *stmt)
{
	if (stmt->oldVal != NULL)
	{
		lint_report(st, RULE_RENAMING_ENUM_VALUE, LINT_ERROR,
					"renaming value \"%s\" of enum %s to \"%s\" breaks the application code that still uses the old label",
					stmt->oldVal, NameListToQuotedString(stmt->typeName), stmt->newVal);
		return;
	}
	if (stmt->newValNeighbor == NULL)
		lint_report(st, RULE_REQUIRE_ENUM_VALUE_ORDERING, LINT_WARNING,
					"new value \"%s\" of enum %s is placed last, after every existing value",
					stmt->newVal, NameListToQuotedString(stmt->typeName));
	if (st->transactional)
	{
		LintName   *label = palloc0(sizeof(LintName));

		label->name = pstrdup(stmt->newVal);
		label->typid = LookupTypeNameOid(NULL, makeTypeNameFromNameList(stmt->typeName), true);
		label->columns = list_make1(makeString(strVal(llast(stmt->typeName))));
		st->enum_labels = lappend(st->enum_labels, label);
	}
}

/*
 * ban-duplicate-column-assignments: a column named twice in one list of
 * names (String nodes, or ResTargets).
 */
static void
lint_duplicate_columns(LintState *st, List *names, const char *what)
{
	ListCell   *a;
	ListCell   *b;

	foreach(a, names)
	{
		const char *name_a = IsA(lfirst(a), ResTarget) ?
			((ResTarget *) lfirst(a))->name : strVal(lfirst(a));

		for_each_cell(b, names, lnext(names, a))
		{
			const char *name_b = IsA(lfirst(b), ResTarget) ?
				((ResTarget *) lfirst(b))->name : strVal(lfirst(b));

			if (name_a != NULL && name_b != NULL && strcmp(name_a, name_b) == 0)
			{
				lint_report(st, RULE_BAN_DUPLICATE_COLUMN_ASSIGNMENTS, LINT_ERROR,
							"column \"%s\" appears twice in %s", name_a, what);
				return;
			}
		}
	}
}

/*
 * Data changes: duplicate columns, and running-statements-while-holding-ael
 * when an earlier statement of the same transaction locked an existing table
 * against writes: the change then runs while that table stays locked.
 * A plain INSERT ... VALUES is short and not reported.
 */
static void
lint_dml(LintState *st, Node *node)
{
	bool		long_running = true;

	if (IsA(node, UpdateStmt))
		lint_duplicate_columns(st, ((UpdateStmt *) node)->targetList, "the SET list");
	else if (IsA(node, InsertStmt))
	{
		InsertStmt *insert = (InsertStmt *) node;
		SelectStmt *select = (SelectStmt *) insert->selectStmt;

		lint_duplicate_columns(st, insert->cols, "the column list of INSERT");
		long_running = select != NULL && select->valuesLists == NIL;
	}
	if (long_running && st->transactional && st->locked_table != NULL)
		lint_report(st, RULE_RUNNING_STATEMENTS_WHILE_HOLDING_AEL, LINT_ERROR,
					"this data change runs while table %s stays locked by an earlier statement of the migration, blocking its reads or writes until the migration commits",
					st->locked_table);
}

/*
 * raw_expression_tree_walker() callback of lint_create_table_as(): whether
 * the query reads a relation that existed before the migration.
 */
static bool
lint_reads_walker(Node *node, void *context)
{
	LintState  *st = (LintState *) context;

	if (node == NULL)
		return false;
	if (IsA(node, RangeVar))
		return OidIsValid(lint_existing_relation(st, (RangeVar *) node));
	return raw_expression_tree_walker(node, lint_reads_walker, context);
}

/*
 * CREATE TABLE AS and CREATE MATERIALIZED VIEW: a query that reads existing
 * tables runs as long as their data takes to copy, and any table an earlier
 * statement locked stays locked all that time.
 */
static void
lint_create_table_as(LintState *st, CreateTableAsStmt *stmt)
{
	if (!st->transactional || st->locked_table == NULL ||
		stmt->into->skipData || !lint_reads_walker(stmt->query, st))
		return;
	lint_report(st, RULE_RUNNING_STATEMENTS_WHILE_HOLDING_AEL, LINT_ERROR,
				"%s copies existing data while table %s stays locked by an earlier statement of the migration, blocking its reads or writes until the migration commits",
				stmt->objtype == OBJECT_MATVIEW ? "CREATE MATERIALIZED VIEW" : "CREATE TABLE AS",
				st->locked_table);
}

/*
 * Returns whether the statement being linted may store or compare a value
 * of an enum type: it names the type, or acts on a table that is new or has
 * a column of the type.
 */
static bool
lint_statement_uses_type(LintState *st, const char *text, const LintName *label)
{
	ListCell   *lc;

	if (strstr(text, strVal(linitial(label->columns))) != NULL)
		return true;
	foreach(lc, statements_relations(st->stmt->parsetree))
	{
		RangeVar   *rv = lfirst_node(RangeVar, lc);
		Oid			relid = lint_existing_relation(st, rv);

		if (!OidIsValid(relid) ||
			(OidIsValid(label->typid) && lint_relation_has_type(relid, label->typid)))
			return true;
	}
	return false;
}

/*
 * enum-value-used-in-same-transaction: a later statement that uses a value
 * added to an enum earlier in the same transaction fails.  The value is
 * looked for as a quoted literal, in a statement that uses the type.
 */
static void
lint_enum_labels_used(LintState *st)
{
	ListCell   *lc;
	char	   *text;

	if (st->enum_labels == NIL)
		return;
	text = statements_slice(st->body, st->stmt);
	foreach(lc, st->enum_labels)
	{
		LintName   *label = (LintName *) lfirst(lc);

		if (strstr(text, quote_literal_cstr(label->name)) != NULL &&
			lint_statement_uses_type(st, text, label))
		{
			lint_report(st, RULE_ENUM_VALUE_USED_IN_SAME_TRANSACTION, LINT_ERROR,
						"new enum value \"%s\" is used in the transaction that adds it, which fails",
						label->name);
			return;
		}
	}
}

/*
 * Remembers the relations a statement creates, so that later statements on
 * them are not reported, and checks their names' length.
 */
static void
lint_relation_created_by(LintState *st, Node *node)
{
	RangeVar   *rv = statements_created_relation(node);

	if (rv != NULL)
		lint_names_add(&st->created, lint_created_name(st, rv), NULL);
}

/*
 * LOCK TABLE in a mode that blocks writes keeps the tables locked until the
 * migration commits.
 */
static void
lint_lock(LintState *st, LockStmt *stmt)
{
	ListCell   *lc;

	if (stmt->mode < ShareLock)
		return;
	foreach(lc, stmt->relations)
		if (OidIsValid(lint_existing_relation(st, lfirst_node(RangeVar, lc))))
			lint_lock_table(st, lfirst_node(RangeVar, lc));
}

/*
 * Lints one statement, the one st->stmt points at.
 */
static void
lint_statement(LintState *st, Node *node)
{
	const char *top_level = statements_top_level_description(node);

	lint_enum_labels_used(st);
	lint_identifier_length(st);
	if (top_level != NULL && st->several)
		lint_report(st, RULE_BAN_CONCURRENT_INDEX_CREATION_IN_TRANSACTION, LINT_WARNING,
					"%s makes the whole migration run without a transaction: if a later statement fails, the earlier ones stay done",
					top_level);
	switch (nodeTag(node))
	{
		case T_LockStmt:
			lint_lock(st, (LockStmt *) node);
			break;
		case T_TransactionStmt:
			lint_transaction(st, (TransactionStmt *) node);
			break;
		case T_CreateStmt:
			lint_create_table(st, (CreateStmt *) node);
			break;
		case T_AlterTableStmt:
			lint_alter_table(st, (AlterTableStmt *) node);
			break;
		case T_IndexStmt:
			lint_index(st, (IndexStmt *) node);
			break;
		case T_DropStmt:
			lint_drop(st, (DropStmt *) node);
			break;
		case T_RenameStmt:
			lint_rename(st, (RenameStmt *) node);
			break;
		case T_TruncateStmt:
			lint_truncate(st, (TruncateStmt *) node);
			break;
		case T_DropdbStmt:
			lint_report(st, RULE_BAN_DROP_DATABASE, LINT_ERROR,
						"DROP DATABASE destroys database \"%s\"", ((DropdbStmt *) node)->dbname);
			break;
		case T_ReindexStmt:
			lint_reindex(st, (ReindexStmt *) node);
			break;
		case T_ClusterStmt:
			if (((ClusterStmt *) node)->relation == NULL ||
				OidIsValid(lint_existing_relation(st, ((ClusterStmt *) node)->relation)))
				lint_report(st, RULE_PREFER_REPACK, LINT_ERROR,
							"CLUSTER rewrites the table and its indexes under an ACCESS EXCLUSIVE lock, blocking its reads and writes");
			break;
		case T_VacuumStmt:
			lint_vacuum(st, (VacuumStmt *) node);
			break;
		case T_RefreshMatViewStmt:
			if (!((RefreshMatViewStmt *) node)->concurrent &&
				OidIsValid(lint_existing_relation(st, ((RefreshMatViewStmt *) node)->relation)))
				lint_report(st, RULE_REFRESH_MATVIEW_NOT_CONCURRENTLY, LINT_ERROR,
							"REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks reads of %s while it is refreshed",
							lint_relation_text(((RefreshMatViewStmt *) node)->relation));
			break;
		case T_CreateDomainStmt:
			if (lint_domain_constrained((CreateDomainStmt *) node))
				lint_report(st, RULE_BAN_CREATE_DOMAIN_WITH_CONSTRAINT, LINT_WARNING,
							"domain %s has a constraint: adding a column of this type rewrites its table, and changing the constraint later scans every table that uses it",
							NameListToQuotedString(((CreateDomainStmt *) node)->domainname));
			break;
		case T_AlterDomainStmt:
			lint_alter_domain(st, (AlterDomainStmt *) node);
			break;
		case T_CreateEnumStmt:
			lint_report(st, RULE_CREATING_ENUM, LINT_WARNING,
						"enum %s cannot lose a value later",
						NameListToQuotedString(((CreateEnumStmt *) node)->typeName));
			st->created_enums = lappend(st->created_enums,
										((CreateEnumStmt *) node)->typeName);
			break;
		case T_VariableSetStmt:
			lint_setting(st, (VariableSetStmt *) node);
			break;
		case T_AlterEnumStmt:
			lint_alter_enum(st, (AlterEnumStmt *) node);
			break;
		case T_CreateTrigStmt:
			if (OidIsValid(lint_existing_relation(st, ((CreateTrigStmt *) node)->relation)))
			{
				lint_lock_table(st, ((CreateTrigStmt *) node)->relation);
				lint_report(st, RULE_TRIGGER_DDL, LINT_WARNING,
							"CREATE TRIGGER blocks writes to table %s while it waits for its lock",
							st->locked_table);
			}
			break;
		case T_CreatePolicyStmt:
			if (OidIsValid(lint_existing_relation(st, ((CreatePolicyStmt *) node)->table)))
				lint_report(st, RULE_ROW_LEVEL_SECURITY_OR_POLICY, LINT_WARNING,
							"CREATE POLICY takes an ACCESS EXCLUSIVE lock on table %s and changes which rows each role sees",
							lint_relation_text(((CreatePolicyStmt *) node)->table));
			break;
		case T_DoStmt:
			lint_report(st, RULE_RAW_SQL_EXECUTED, LINT_WARNING,
						"the statements of a DO block are not linted");
			break;
		case T_CallStmt:
			if (strcmp(strVal(llast(((CallStmt *) node)->funccall->funcname)),
					   "migrate_backfill") != 0)
				lint_report(st, RULE_RAW_SQL_EXECUTED, LINT_WARNING,
							"the statements a called procedure runs are not linted");
			break;
		case T_UpdateStmt:
		case T_InsertStmt:
		case T_DeleteStmt:
			lint_dml(st, node);
			break;
		case T_ViewStmt:
			lint_duplicate_columns(st, ((ViewStmt *) node)->aliases, "the column list of the view");
			break;
		case T_CreateTableAsStmt:
			lint_create_table_as(st, (CreateTableAsStmt *) node);
			break;
		default:
			break;
	}
	lint_relation_created_by(st, node);
}

/*
 * Returns whether an index created in the body, or a primary key or unique
 * constraint of it, leads with the columns of a foreign key.
 */
static bool
lint_body_index_covers(LintState *st, const LintName *fk)
{
	ListCell   *lc;

	/* only the indexes of the table that lead with the key's first column */
	foreach(lc, lint_names_find(st->indexes, fk->relation,
								strVal(linitial(fk->columns))))
	{
		LintName   *index = (LintName *) lfirst(lc);
		ListCell   *a;
		ListCell   *b;
		bool		covers = list_length(index->columns) >= list_length(fk->columns);

		if (!covers)
			continue;
		forboth(a, fk->columns, b, index->columns)
		{
			if (strcmp(strVal(lfirst(a)), strVal(lfirst(b))) != 0)
			{
				covers = false;
				break;
			}
		}
		if (covers)
			return true;
	}
	return false;
}

/*
 * foreign-key-without-index, decided once the whole body is known: a foreign
 * key whose columns lead no index, neither one the body creates nor one the
 * catalog has.
 */
static void
lint_foreign_key_indexes(LintState *st)
{
	ListCell   *lc;

	foreach(lc, st->foreign_keys)
	{
		LintName   *fk = (LintName *) lfirst(lc);
		Oid			relid;
		MigrateStatement at;
		StringInfoData columns;
		ListCell   *c;

		if (fk->columns == NIL || lint_body_index_covers(st, fk))
			continue;
		relid = RangeVarGetRelid(fk->relation, NoLock, true);
		if (OidIsValid(relid) && !lint_relation_created(st, fk->relation) &&
			lint_index_covers(relid, fk->columns))
			continue;

		initStringInfo(&columns);
		foreach(c, fk->columns)
			appendStringInfo(&columns, "%s%s", c == list_head(fk->columns) ? "" : ", ",
							 quote_identifier(strVal(lfirst(c))));
		memset(&at, 0, sizeof(at));
		at.number = fk->statement;
		at.line = fk->line;
		st->stmt = &at;
		lint_report(st, RULE_FOREIGN_KEY_WITHOUT_INDEX, LINT_WARNING,
					"no index of %s leads with the columns of its foreign key (%s): deleting or updating a referenced row scans the table",
					lint_relation_text(fk->relation), columns.data);
	}
}

/*
 * Lints the statements of a parsed body in order.
 */
static void
lint_walk(LintState *st, const char *body, MigrateBody *parsed)
{
	ListCell   *lc;

	st->body = body;
	st->several = list_length(parsed->statements) > 1;
	foreach(lc, parsed->statements)
	{
		st->stmt = (MigrateStatement *) lfirst(lc);
		lint_statement(st, st->stmt->parsetree);
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * Returns the findings of the safety rules for a parsed body, in statement
 * order.  transactional says whether its statements share one transaction.
 * For a down, up and up_parsed give its up: what the up creates, renames or
 * adds counts as new for the down (dropping a column the up added breaks
 * nothing that ran before the up), though the catalog is read as it is
 * before the up runs.
 */
List *
lint_body(const char *body, MigrateBody *parsed, bool transactional,
		  const char *up, MigrateBody *up_parsed)
{
	LintState	st;

	memset(&st, 0, sizeof(st));
	st.transactional = transactional;
	lint_settings_begin(&st);
	if (up_parsed != NULL)
	{
		/* keep what the up leaves behind, not what its transaction held */
		lint_walk(&st, up, up_parsed);
		/* nor the settings it made: they end with its migration */
		lint_settings_end(&st);
		lint_settings_begin(&st);
		st.findings = NIL;
		st.dropped_views = NIL;
		lint_names_free(&st.altered);
		lint_names_free(&st.not_valid);
		st.foreign_keys = NIL;
		st.enum_labels = NIL;
		st.locked_table = NULL;
		st.locked_relation = NULL;
		st.open_begin = 0;
	}
	lint_walk(&st, body, parsed);
	if (st.open_begin != 0)
	{
		st.stmt = list_nth(parsed->statements, st.open_begin - 1);
		lint_report(&st, RULE_BAN_UNCOMMITTED_TRANSACTION, LINT_ERROR,
					"this transaction is never committed");
	}
	lint_foreign_key_indexes(&st);
	lint_settings_end(&st);
	lint_names_free(&st.created);
	lint_names_free(&st.renamed);
	lint_names_free(&st.added_columns);
	lint_names_free(&st.renamed_columns);
	lint_names_free(&st.altered);
	lint_names_free(&st.not_valid);
	lint_names_free(&st.indexes);
	list_sort(st.findings, lint_finding_compare);
	return st.findings;
}

/*
 * migrate_lint(sql): the findings of the safety lint for SQL text, one row
 * each, as migrate_define() would find them in an up body.  Changes nothing.
 */
Datum
migrate_lint(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	MigrateBody *parsed;
	List	   *findings;
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	parsed = statements_parse_sql(sql);
	findings = lint_body(sql, parsed, parsed->top_level_statement == 0, NULL, NULL);
	foreach(lc, findings)
	{
		LintFinding *f = (LintFinding *) lfirst(lc);
		Datum		values[6];
		bool		nulls[6] = {false, false, false, false, false, false};

		values[0] = Int32GetDatum(f->statement);
		values[1] = Int32GetDatum(f->line);
		values[2] = CStringGetTextDatum(f->rule);
		values[3] = CStringGetTextDatum(f->severity);
		values[4] = CStringGetTextDatum(f->message);
		values[5] = CStringGetTextDatum(f->hint);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
