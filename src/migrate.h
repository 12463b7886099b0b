/*-------------------------------------------------------------------------
 *
 * migrate.h
 *	  Declarations shared by the source files of the migrate extension.
 *
 * Each .c file owns one responsibility: settings.c the GUCs, catalog.c the
 * extension's tables, lock.c the migration advisory lock, statements.c the
 * splitting and checking of migration bodies, checksum.c the SHA-256 of a
 * definition, runner.c the execution of a body, and define.c, apply.c and
 * status.c the SQL-callable functions.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_H
#define MIGRATE_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "executor/spi.h"
#include "nodes/pg_list.h"

/* settings.c */
extern int	migrate_lock_wait_timeout;
extern int	migrate_lock_timeout;
extern int	migrate_statement_timeout;
extern int	migrate_lock_retries;
extern int	migrate_safety;

/* Values of migrate.safety */
typedef enum MigrateSafety
{
	SAFETY_OFF,
	SAFETY_WARN,
	SAFETY_ERROR
} MigrateSafety;

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
	Q_BASELINE,
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
extern char *catalog_getvalue(HeapTuple tuple, TupleDesc tupdesc, int column);
extern bool catalog_getbool(HeapTuple tuple, TupleDesc tupdesc, int column,
							bool *isnull);
extern int64 catalog_getint64(HeapTuple tuple, TupleDesc tupdesc, int column,
							  bool *isnull);

/* lock.c */
extern void migrate_lock_acquire(bool session_lock);
extern void migrate_lock_release_session(void);
extern int	migrate_lock_holder_pid(void);
extern char *migrate_lock_blockers(List *relations);

/* statements.c */
extern MigrateBody *statements_parse_body(const char *body, int64 version,
										  MigrateDirection direction);
extern char *statements_slice(const char *body, const MigrateStatement *stmt);
extern List *statements_relations(Node *parsetree);

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

extern List *lint_body(const char *body, MigrateBody *parsed);

/* safety.c */
extern List *safety_assured_rules(struct ArrayType *argument, const char *up,
								  const char *down);
extern Datum safety_rules_array(List *rules);
extern char *safety_array_text(Datum array);
extern void safety_record_findings(int64 version, List *up_findings,
								   List *down_findings, List *assured);
extern void safety_check_pending(List *migrations, bool for_plan);

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

extern void runner_check_definer(const Migration *m);
extern void runner_run_migration(const Migration *m, MigrateDirection direction,
								 const char *role, TimestampTz *started,
								 TimestampTz *finished);
extern void runner_execute(const Migration *m, MigrateDirection direction,
						   const RunnerHooks *hooks);
extern void runner_enter(void);
extern void runner_leave(void);
extern Datum runner_interval(TimestampTz started, TimestampTz finished);
extern const char *direction_name(MigrateDirection direction);

#endif							/* MIGRATE_H */
