/*-------------------------------------------------------------------------
 *
 * migrate.h
 *	  Declarations shared by the source files of the migrate extension.
 *
 * Each .c file owns one responsibility: settings.c the GUCs, catalog.c the
 * extension's tables, lock.c the migration advisory lock and the deploy
 * marker, statements.c the splitting and checking of migration bodies,
 * checksum.c the SHA-256 of a definition, runner.c the execution of a body,
 * subxact.c running work in a subtransaction, reverse.c derived downs,
 * verify.c migrate_verify(), lint.c, lint_table.c and lint_catalog.c the
 * safety lint (lint_trust.c deciding what it may evaluate), safety.c what
 * is done with its findings, worker.c the background worker that runs a
 * statement at top level, deploy.c the procedures that commit after each
 * migration, and define.c, apply.c and status.c the other SQL-callable
 * functions.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_H
#define MIGRATE_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
#include "parser/parse_node.h"

/*
 * The migration lock is the advisory lock pg_advisory_lock(1835624306)
 * takes: its key fits in the low 32 bits, shown as objid in pg_locks.
 */
#define MIGRATE_LOCK_KEY_LOW 1835624306

/* settings.c */
extern int	migrate_lock_wait_timeout;
extern int	migrate_lock_timeout;
extern int	migrate_statement_timeout;
extern int	migrate_lock_retries;
extern int	migrate_safety;
extern int	migrate_progress;
extern bool migrate_progress_shown(bool varies);

/* Values of migrate.safety */
typedef enum MigrateSafety
{
	SAFETY_OFF,
	SAFETY_WARN,
	SAFETY_ERROR
} MigrateSafety;

/* Values of migrate.progress */
typedef enum MigrateProgress
{
	PROGRESS_OFF,
	PROGRESS_STABLE,
	PROGRESS_ON
} MigrateProgress;

/* Which body of a migration runs */
typedef enum MigrateDirection
{
	MIGRATE_UP,
	MIGRATE_DOWN
} MigrateDirection;

/* One statement of a migration body, as split by the server's parser */
typedef struct MigrateStatement
{
	int			number;			/* 1-based position in the body */
	int			offset;			/* byte offset of its first token */
	int			length;			/* bytes from the first token to its end */
	int			line;			/* 1-based line of its first token */
	Node	   *parsetree;		/* raw parse tree */
} MigrateStatement;

/* A parsed and checked body */
typedef struct MigrateBody
{
	List	   *statements;		/* of MigrateStatement * */
	int			top_level_statement;	/* first statement that cannot run in
										 * a transaction block, or 0 */
	const char *top_level_tag;	/* its command tag */
} MigrateBody;

/* A migration as read from the catalog, copied out of SPI memory */
typedef struct Migration
{
	int64		version;
	char	   *name;
	char	   *up;				/* NULL when not defined (missing) */
	char	   *down;			/* NULL when irreversible or missing */
	bool		transactional;
	bool		defined;		/* a definition exists */
	char	   *checksum;		/* checksum of the definition */
	char	   *applied_checksum;	/* checksum as applied, NULL if pending */
	char	   *defined_by;
} Migration;

/* catalog.c */
typedef enum CatalogQuery
{
	Q_STATE_EPOCH,
	Q_STATE_BUMP,
	Q_EPOCHS,
	Q_SET_CHECKED,
	Q_DEFINITION,
	Q_DEFINITION_ROW,
	Q_APPLIED_CHECKSUM,
	Q_UPSERT_DEFINITION,
	Q_SET_DEFINER,
	Q_DELETE_FINDINGS,
	Q_INSERT_FINDING,
	Q_UNASSURED_ERRORS,
	Q_DELETE_DEFINITION,
	Q_APPLY_CANDIDATES,
	Q_MAX_APPLIED,
	Q_APPLIED_FOR_ROLLBACK,
	Q_INSERT_APPLIED,
	Q_DELETE_APPLIED,
	Q_INSERT_HISTORY,
	Q_STATUS,
	Q_PROGRESS_START,
	Q_PROGRESS_RELATIONS,
	Q_PROGRESS_COMPLETED,
	Q_PROGRESS_FAILED,
	Q_PROGRESS_DELETE,
	Q_PROGRESS_STOPPED,
	Q_BACKFILL_FIND,
	Q_BACKFILL_START,
	Q_BACKFILL_BATCH,
	Q_BACKFILL_FINISH,
	Q_BASELINE,
	Q_SCHEMA_FINGERPRINT,
	Q_WATCHED_RELATIONS,
	NUM_CATALOG_QUERIES
} CatalogQuery;

extern void catalog_open(void);
extern int	catalog_exec(CatalogQuery query, Datum *values, const char *nulls,
						 bool read_only, long tcount);
extern void catalog_bump_epoch(void);
extern bool catalog_known_clean(int64 *epoch);
extern void catalog_remember_clean(int64 epoch);
extern void catalog_check_snapshot(void);
extern Migration *catalog_read_migration(HeapTuple tuple, TupleDesc tupdesc);
extern void catalog_record_run(const Migration *m, MigrateDirection direction,
							   TimestampTz started, TimestampTz finished,
							   const char *role);
extern void catalog_record_failure(const Migration *m, MigrateDirection direction,
								   TimestampTz started, const char *role,
								   const char *error);
extern char *catalog_getvalue(HeapTuple tuple, TupleDesc tupdesc, int column);
extern bool catalog_getbool(HeapTuple tuple, TupleDesc tupdesc, int column,
							bool *isnull);
extern int64 catalog_getint64(HeapTuple tuple, TupleDesc tupdesc, int column,
							  bool *isnull);

/* lock.c */
extern void migrate_lock_acquire(bool session_lock);
extern void migrate_lock_acquire_deploy(void);
extern void migrate_lock_release_deploy(void);
extern int	migrate_lock_holder_pid(void);
extern char *migrate_lock_blockers(List *relations, TimestampTz since);
extern bool migrate_lock_may_wait(List *relations);
extern void migrate_lock_check_held(const Migration *m, MigrateDirection direction);

/* statements.c */
extern MigrateBody *statements_parse_body(const char *body, int64 version,
										  MigrateDirection direction);
extern MigrateBody *statements_parse_sql(const char *sql);
extern const char *statements_top_level_description(Node *parsetree);
extern char *statements_long_identifier(const char *body, const MigrateStatement *stmt);
extern bool statements_fragment_balanced(const char *fragment);
extern char *statements_slice(const char *body, const MigrateStatement *stmt);
extern List *statements_relations(Node *parsetree);
extern RangeVar *statements_created_relation(Node *parsetree);

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
} LintState;

extern List *lint_body(const char *body, MigrateBody *parsed, bool transactional,
					   const char *up, MigrateBody *up_parsed);
extern void lint_report(LintState *st, const char *rule, const char *severity,
						const char *fmt,...) pg_attribute_printf(4, 5);
extern void lint_report_recipe(LintState *st, const char *rule, const char *severity,
							   const char *hint, const char *fmt,...) pg_attribute_printf(5, 6);
extern RangeVar *lint_resolve(LintState *st, const RangeVar *rv);
extern const char *lint_column_catalog_name(LintState *st, const RangeVar *rv,
											const char *column);
extern void lint_lock_table(LintState *st, RangeVar *rv);
extern Oid	lint_existing_relation(LintState *st, RangeVar *rv);
extern bool lint_column_added(LintState *st, const RangeVar *rv, const char *column);
extern bool lint_names_match(const RangeVar *a, const RangeVar *b);
extern LintName *lint_name(LintState *st, RangeVar *rv, const char *name);
extern void lint_names_add(LintNameTable **table, LintName *n, const char *key);
extern List *lint_names_find(LintNameTable *table, const RangeVar *relation,
							 const char *key);
extern char *lint_relation_text(const RangeVar *rv);

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
extern LintTypeChange lint_type_change(Oid relid, const char *column, ColumnDef *def);
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

/* subxact.c */
extern ErrorData *subxact_run(void (*work) (void *arg), void *arg);
extern ErrorData *subxact_probe(void (*work) (void *arg), void *arg);

/* deploy.c */
extern void deploy_check_call(FunctionCallInfo fcinfo, const char *name);

/* worker.c */
extern void worker_run_statement(const char *sql, int lock_timeout_ms);

/* reverse.c */
extern char *reverse_derive_down(const char *up, int64 version,
								 MigrateBody *parsed);

/* checksum.c */
extern char *checksum_definition(const char *name, const char *up,
								 const char *down);

/* runner.c */

/* Called by runner_execute() after each statement of a body has run */
typedef struct RunnerHooks
{
	void		(*after_statement) (const MigrateStatement *stmt, void *arg);
	void	   *arg;
} RunnerHooks;

extern long runner_backoff_ms(int retry);
extern void runner_sleep(long ms);
extern void runner_statement_errcontext(const Migration *m, MigrateDirection direction,
										const MigrateStatement *stmt);
extern void runner_run_migration(const Migration *m, MigrateDirection direction,
								 const char *role, TimestampTz *started,
								 TimestampTz *finished);
extern void runner_execute(const Migration *m, MigrateDirection direction,
						   const RunnerHooks *hooks);
extern void runner_check_primary(const char *function);
extern void runner_check_entry(const char *function, bool writes);
extern void runner_enter(const char *function, bool writes);
extern void runner_mark_worker(void);
extern void runner_leave(void);
extern Datum runner_interval(TimestampTz started, TimestampTz finished);
extern const char *direction_name(MigrateDirection direction);

#endif							/* MIGRATE_H */
