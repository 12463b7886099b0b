/*-------------------------------------------------------------------------
 *
 * catalog.h
 *	  Access to the extension's tables, and the checksum of a definition.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_CATALOG_H
#define MIGRATE_CATALOG_H

#include "migrate.h"

#include "common/cryptohash.h"

/* catalog.c */
typedef enum CatalogQuery
{
	Q_STATE_EPOCH,
	Q_STATE_BUMP,
	Q_SCOPE_BUMP,
	Q_EPOCHS,
	Q_SET_CHECKED,
	Q_SET_KNOWN,
	Q_DEFINITION,
	Q_DEFINITION_ANY,
	Q_ALL_DEFINITIONS,
	Q_ALL_DEFINITIONS_ANY,
	Q_APPLIED_UNDEFINED,
	Q_LOADED_UNCHANGED,
	Q_REMEMBER_LOADED,
	Q_DEFINITION_ROW,
	Q_APPLIED_CHECKSUM,
	Q_APPLIED_CHECKSUM_ANY,
	Q_UPSERT_DEFINITION,
	Q_SET_DEFINER,
	Q_DELETE_FINDINGS,
	Q_INSERT_FINDING,
	Q_DELETE_FINDINGS_OF,
	Q_PENDING_ASSURED,
	Q_DELETE_DEFINITION,
	Q_APPLY_CANDIDATES,
	Q_MAX_APPLIED,
	Q_APPLIED_FOR_ROLLBACK,
	Q_INSERT_APPLIED,
	Q_DELETE_APPLIED,
	Q_INSERT_HISTORY,
	Q_STATUS,
	Q_STATUS_SCHEMAS,
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
	Q_BASELINE_UNDEFINED,
	Q_BASELINE_VERSIONS,
	Q_REPEATABLE_ROW,
	Q_UPSERT_REPEATABLE,
	Q_REPEATABLE_NAMES,
	Q_DELETE_REPEATABLE,
	Q_REPEATABLES_DUE,
	Q_REPEATABLE_RUNS,
	Q_INSERT_REPEATABLE_RUN,
	Q_DELETE_REPEATABLE_RUN,
	Q_INSERT_REPEATABLE_HISTORY,
	Q_SCHEMA_RELATIONS,
	Q_SCHEMA_OBJECTS,
	Q_WATCHED_RELATIONS,
	NUM_CATALOG_QUERIES
} CatalogQuery;

extern void catalog_open(void);
extern void catalog_forget_plans(void);
extern int	catalog_exec(CatalogQuery query, Datum *values, const char *nulls,
						 bool read_only, long tcount);
extern void catalog_bump_epoch(void);
extern bool catalog_known_clean(int64 *epoch);
extern void catalog_remember_clean(int64 epoch);
extern void catalog_check_snapshot(void);
extern Datum catalog_interval(TimestampTz started, TimestampTz finished);
extern int	catalog_column(TupleDesc tupdesc, const char *name);
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

/* checksum.c */
extern pg_cryptohash_ctx *checksum_begin(void);
extern void checksum_add_int64(pg_cryptohash_ctx *ctx, int64 value);
extern void checksum_add_text(pg_cryptohash_ctx *ctx, const char *value);
extern char *checksum_end(pg_cryptohash_ctx *ctx);
extern char *checksum_definition(const char *name, const char *up,
								 const char *down);

#endif							/* MIGRATE_CATALOG_H */
