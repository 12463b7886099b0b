/*-------------------------------------------------------------------------
 *
 * lint.h
 *	  The safety lint, the questions it asks the catalog, and what is done
 *	  with its findings.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_LINT_H
#define MIGRATE_LINT_H

#include "migrate.h"
#include "parser/parse_node.h"

/* lint.c */

/* One finding of the safety lint */
typedef struct LintFinding
{
	int			statement;		/* 1-based statement number */
	int			line;			/* line of the statement in the body */
	const char *rule;			/* rule id, squawk's where one exists */
	const char *severity;		/* "error" or "warning" */
	char	   *message;
	char	   *hint;			/* the safe recipe */
} LintFinding;

/* A relation named in a body, and a column or constraint of it */
typedef struct LintName
{
	RangeVar   *relation;
	const char *name;			/* column or constraint; NULL for none */
	List	   *columns;		/* of String: key columns of an index or FK */
	Oid			typid;			/* the type of an enum value */
	const TypeName *type;		/* the type of an added column */
	int			statement;		/* where it was named */
	int			line;
} LintName;

/*
 * LintNames kept by relation and a name (a column, a constraint, or none),
 * so that a statement finds what earlier ones did in constant time, however
 * many there were; see lint_names_add().  NULL until the first is added.
 */
typedef struct LintNameTable LintNameTable;

/* What the lint knows while it walks the statements of one body */
typedef struct LintState
{
	const char *body;
	bool		transactional;	/* all statements share one transaction */
	bool		several;		/* the body has more than one statement */
	const MigrateStatement *stmt;	/* the statement being linted */
	List	   *findings;		/* of LintFinding * */
	LintNameTable *created;		/* by relation: relations created earlier */
	LintNameTable *renamed;		/* by relation (new name): renamed from
								 * name (old name) */
	LintNameTable *added_columns;	/* by relation and column: columns added
									 * earlier */
	LintNameTable *renamed_columns; /* by relation and name (new name):
									 * existing column renamed from columns'
									 * only element */
	LintNameTable *altered;		/* by relation: existing tables altered
								 * earlier */
	LintNameTable *not_valid;	/* by relation and constraint: constraints
								 * added NOT VALID */
	List	   *foreign_keys;	/* LintName: FKs added, with their columns */
	LintNameTable *indexes;		/* by relation and first key column:
								 * indexes created, with their columns */
	List	   *enum_labels;	/* LintName: enum values added earlier */
	char	   *locked_table;	/* existing table an earlier statement locked
								 * against writes (as written), or NULL */
	RangeVar   *locked_relation;	/* the same, resolved */
	int			open_begin;		/* statement number of an open BEGIN, or 0 */
	List	   *created_enums;	/* of List of String: enum types created */
	List	   *dropped_views;	/* of Oid: existing views dropped earlier */
	int			guc_nestlevel;	/* of the settings the body SETs */
} LintState;

extern List *lint_body(const char *body, MigrateBody *parsed, bool transactional,
					   const char *up, MigrateBody *up_parsed);

/* lint_state.c */
extern void lint_report(LintState *st, const char *rule, const char *severity,
						const char *fmt,...) pg_attribute_printf(4, 5);
extern void lint_report_recipe(LintState *st, const char *rule, const char *severity,
							   const char *hint, const char *fmt,...) pg_attribute_printf(5, 6);
extern RangeVar *lint_resolve(LintState *st, const RangeVar *rv);
extern const char *lint_column_catalog_name(LintState *st, const RangeVar *rv,
											const char *column);
extern void lint_lock_table(LintState *st, RangeVar *rv);
extern void lint_settings_begin(LintState *st);
extern void lint_settings_end(LintState *st);
extern void lint_setting(LintState *st, VariableSetStmt *stmt);
extern bool lint_enum_created(LintState *st, const TypeName *type);
extern Oid	lint_existing_relation(LintState *st, RangeVar *rv);
extern bool lint_column_added(LintState *st, const RangeVar *rv, const char *column);
extern bool lint_names_match(const RangeVar *a, const RangeVar *b);
extern LintName *lint_name(LintState *st, RangeVar *rv, const char *name);
extern void lint_names_add(LintNameTable **table, LintName *n, const char *key);
extern List *lint_names_find(LintNameTable *table, const RangeVar *relation,
							 const char *key);
extern char *lint_relation_text(const RangeVar *rv);
extern LintName *lint_created_name(LintState *st, RangeVar *rv);
extern bool lint_relation_created(LintState *st, const RangeVar *rv);
extern void lint_names_free(LintNameTable **table);

/* lint_table.c */
extern void lint_create_table(LintState *st, CreateStmt *stmt);
extern void lint_alter_table(LintState *st, AlterTableStmt *stmt);
extern void lint_type_name(LintState *st, const TypeName *type, const char *column);

/* lint_trust.c */
extern bool lint_domain_has_constraints(Oid typid);
extern bool lint_type_modifier_built_in(const TypeName *type);
extern bool lint_expression_runs_user_code(Node *expr);
extern Node *lint_coerce_cooked(ParseState *pstate, Node *expr, Oid typid,
								int32 typmod);
extern Node *lint_cook_untrusted(ParseState *pstate, Node *raw,
								 ParseExprKind kind, Oid typid, int32 typmod);

/* lint_catalog.c */

/* What ALTER COLUMN ... TYPE does to an existing table */
typedef enum LintTypeChange
{
	TYPE_CHANGE_UNKNOWN,		/* could not be decided */
	TYPE_CHANGE_CATALOG_ONLY,	/* no rewrite, no scan */
	TYPE_CHANGE_REWRITE,		/* table and indexes rewritten */
	TYPE_CHANGE_INDEX_REBUILD,	/* indexes on the column rebuilt */
	TYPE_CHANGE_CHECK_SCAN,		/* CHECK constraints re-checked by a scan */
	TYPE_CHANGE_VIEW_FAILS		/* a view uses the column: an error */
} LintTypeChange;

extern int	lint_default_volatility(Node *raw_default, const TypeName *type);
extern bool lint_type_has_domain_constraints(const TypeName *type);
extern LintTypeChange lint_type_change(Oid relid, const char *column, ColumnDef *def,
									   List *dropped_views);
extern bool lint_relation_name_taken(Oid relid, const char *name);
extern bool lint_not_null_proven(Oid relid, const char *column, bool *already);
extern List *lint_nullable_index_columns(Oid relid, const char *indexname);
extern bool lint_partition_bound_proven(Oid parentid, Oid partid,
										PartitionBoundSpec *bound, bool *default_scanned);
extern char *lint_foreign_key_parent(Oid relid, const char *column,
									 const char *constraint);
extern bool lint_index_covers(Oid relid, List *columns);
extern bool lint_domain_in_use(List *names);
extern bool lint_relation_has_type(Oid relid, Oid typid);
extern bool lint_type_default_volatile(const TypeName *type);

/* safety.c */

/* The comment line that accepts a rule in a migration's up */
#define SAFETY_ASSURED_DIRECTIVE "migrate:safety-assured"

extern List *safety_assured_rules(struct ArrayType *argument, const char *up,
								  const char *down);
extern Datum safety_rules_array(List *rules);
extern char *safety_array_text(Datum array);
extern void safety_record_findings(int64 version, List *up_findings,
								   List *down_findings, List *assured);
extern void safety_relint(const Migration *m, List **up_findings,
						  List **down_findings);
extern List *safety_unassured(List *findings, const char *assured_text);
extern void safety_refresh_findings(Datum versions, List *versions_list,
									List *findings);

#endif							/* MIGRATE_LINT_H */
