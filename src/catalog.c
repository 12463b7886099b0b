/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  Access to the extension's catalog tables.
 *
 * Every internal query names the extension's own schema, found through
 * pg_extension (never through search_path).  The queries run with the
 * extension owner's privileges: the roles that call the functions need
 * EXECUTE, never write access to the tables.  So each one is prepared and
 * run as PostgreSQL runs index expressions and maintenance commands: as a
 * security-restricted operation with search_path pinned to pg_catalog, so
 * that no name in it, qualified or not (an operator that IS NOT DISTINCT
 * FROM resolves, say), can be redirected to a caller's function running as
 * the owner; operators are therefore written plainly.  Plans are
 * prepared once per backend and kept until the extension is recreated.
 *
 * The long queries (the status rows, and the schema fingerprint and watched
 * relations of migrate_verify()) are views of the extension, granted to
 * nobody; the queries here select from them.  A view's names are resolved
 * when the extension script creates it, under a search_path of pg_catalog;
 * only the text of the deparsers it calls depends on search_path when it is
 * read, and reading it here pins that.
 *
 * catalog_open() also refuses to work on a catalog older than this library
 * needs, until ALTER EXTENSION migrate UPDATE brings it up to date.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
#include "compat.h"
#include "catalog.h"
#include "repeatable.h"
#include "scope.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

/* The text and parameter types of one internal query */
/*
 * Which parameters of the running call's scope (see scope.c) a query takes
 * after its own: none, the set ($nargs+1), or the set and the schema
 * ($nargs+1, $nargs+2).
 */
typedef enum CatalogScopeArgs
{
	SCOPE_NONE = 0,
	SCOPE_SET,
	SCOPE_SCHEMA
} CatalogScopeArgs;

/* The maximum number of parameters of an internal query, scope included */
#define CATALOG_MAX_ARGS 12

/* The text and parameter types of one internal query */
typedef struct CatalogQueryDef
{
	const char *sql;			/* %1$s stands for the extension's schema */
	int			nargs;			/* parameters the caller passes */
	Oid			argtypes[CATALOG_MAX_ARGS];
	CatalogScopeArgs scope;		/* scope parameters appended to those */
	int			cursor_options; /* how to plan it: 0, or a CURSOR_OPT_*
								 * plan choice */
} CatalogQueryDef;

/*
 * Columns of the queries that return migrations, which
 * catalog_read_migration() reads by name.
 */
#define MIGRATION_COLUMNS \
	"m.version, m.name, m.up, m.down, m.transactional, m.checksum," \
	" a.checksum AS applied_checksum, m.defined_by"

/*
 * Marks the pending migrations that match selection (a condition on m,
 * with $1) applied without running them, with a history row each
 * (direction baseline, by $2): migrate_baseline() and
 * migrate_baseline_versions().
 */
#define BASELINE_MARKING(selection) \
	"WITH pending AS (" \
	"   SELECT m.version, m.name, m.checksum FROM %1$s.migrate_migrations m" \
	"   WHERE m.set = $3 AND NOT EXISTS (SELECT FROM %1$s.migrate_applied a" \
	"                     WHERE a.set = m.set AND a.schema = $4 AND a.version = m.version)" \
	"   AND " selection ")," \
	" applied AS (" \
	"   INSERT INTO %1$s.migrate_applied" \
	"   (set, schema, version, checksum, applied_at, applied_by, duration)" \
	"   SELECT $3, $4, version, checksum, pg_catalog.now(), $2, '0'::pg_catalog.interval" \
	"   FROM pending)" \
	" INSERT INTO %1$s.migrate_history" \
	" (set, schema, version, name, direction, started_at, duration, role, success)" \
	" SELECT $3, $4, version, name, 'baseline', pg_catalog.now(), '0'::pg_catalog.interval," \
	" $2, true FROM pending"

/*
 * The epoch of a scope (set and schema, as SQL expressions): migrate_state's
 * for the default scope ('main' with no schema), that scope's row of
 * migrate_epochs for any other (0 before its first change).  Each scope
 * counts its own changes, so that migrators of two tenants never wait for
 * each other's row.
 */
#define SCOPE_EPOCH(set, schema) \
	"(CASE WHEN " set " = 'main' AND " schema " = '' THEN" \
	" (SELECT s.epoch FROM %1$s.migrate_state s)" \
	" ELSE COALESCE((SELECT e.epoch FROM %1$s.migrate_epochs e" \
	"                WHERE e.set = " set " AND e.schema = " schema "), 0) END)"

/*
 * The checksum with which a migration (of the row variable m) is applied in
 * any schema of its set, for the questions that concern the set as a whole
 * (may it be redefined, removed, pruned?): a derived table with one column,
 * checksum, for a LEFT JOIN LATERAL.  A schema where it was applied with
 * other content comes first.
 */
#define APPLIED_ANYWHERE(m) \
	"(SELECT a.checksum FROM %1$s.migrate_applied a" \
	" WHERE a.set = " #m ".set AND a.version = " #m ".version" \
	" ORDER BY a.checksum = " #m ".checksum LIMIT 1) a"

/*
 * The oldest version of the extension's catalog (its SQL objects) that this
 * library works with: the version whose upgrade script created the views it
 * reads.
 */
#define CATALOG_REQUIRED_VERSION "1.1"

PG_FUNCTION_INFO_V1(migrate_catalog_changed);

static const CatalogQueryDef catalog_queries[NUM_CATALOG_QUERIES] = {
	[Q_STATE_EPOCH] = {
		"SELECT " SCOPE_EPOCH("$1", "$2"), 0, {0}, SCOPE_SCHEMA
	},
	[Q_SCOPE_BUMP] = {
		"INSERT INTO %1$s.migrate_epochs AS e (set, schema, epoch) VALUES ($1, $2, 1)"
		" ON CONFLICT (set, schema) DO UPDATE SET epoch = e.epoch + 1",
		0, {0}, SCOPE_SCHEMA
	},
	[Q_EPOCHS] = {
		"SELECT s.epoch, c.epoch FROM %1$s.migrate_state s CROSS JOIN %1$s.migrate_checked c",
		0, {0}
	},
	[Q_SET_CHECKED] = {
		"UPDATE %1$s.migrate_checked SET epoch = $1", 1, {INT8OID}
	},
	[Q_STATE_BUMP] = {
		"UPDATE %1$s.migrate_state SET epoch = epoch + 1",
		0, {0}
	},
	[Q_SET_KNOWN] = {
		"SELECT FROM %1$s.migrate_migrations m WHERE m.set = $1"
		" UNION ALL SELECT FROM %1$s.migrate_applied a WHERE a.set = $1"
		" UNION ALL SELECT FROM %1$s.migrate_repeatables r WHERE r.set = $1"
		" UNION ALL SELECT FROM %1$s.migrate_repeatable_runs u WHERE u.set = $1"
		" LIMIT 1",
		0, {0}, SCOPE_SET
	},
	[Q_DEFINITION] = {
		"SELECT " MIGRATION_COLUMNS ", m.down_derived,"
		" m.safety_assured::pg_catalog.text AS safety_assured"
		" FROM %1$s.migrate_migrations m"
		" LEFT JOIN %1$s.migrate_applied a"
		" ON a.set = m.set AND a.schema = $3 AND a.version = m.version"
		" WHERE m.set = $2 AND m.version = $1",
		1, {INT8OID}, SCOPE_SCHEMA
	},
	[Q_DEFINITION_ANY] = {
		"SELECT " MIGRATION_COLUMNS ", m.down_derived,"
		" m.safety_assured::pg_catalog.text AS safety_assured"
		" FROM %1$s.migrate_migrations m"
		" LEFT JOIN LATERAL " APPLIED_ANYWHERE(m) " ON true"
		" WHERE m.set = $2 AND m.version = $1",
		1, {INT8OID}, SCOPE_SET
	},
	[Q_ALL_DEFINITIONS] = {
		"SELECT " MIGRATION_COLUMNS ", m.down_derived,"
		" m.safety_assured::pg_catalog.text AS safety_assured"
		" FROM %1$s.migrate_migrations m"
		" LEFT JOIN %1$s.migrate_applied a"
		" ON a.set = m.set AND a.schema = $2 AND a.version = m.version"
		" WHERE m.set = $1"
		" ORDER BY m.version",
		0, {0}, SCOPE_SCHEMA
	},
	[Q_ALL_DEFINITIONS_ANY] = {
		"SELECT " MIGRATION_COLUMNS ", m.down_derived,"
		" m.safety_assured::pg_catalog.text AS safety_assured"
		" FROM %1$s.migrate_migrations m"
		" LEFT JOIN LATERAL " APPLIED_ANYWHERE(m) " ON true"
		" WHERE m.set = $1"
		" ORDER BY m.version",
		0, {0}, SCOPE_SET
	},
	[Q_APPLIED_UNDEFINED] = {
		"SELECT DISTINCT ON (a.version) a.version, a.checksum FROM %1$s.migrate_applied a"
		" WHERE a.set = $1 AND NOT EXISTS (SELECT FROM %1$s.migrate_migrations m"
		"                                  WHERE m.set = a.set AND m.version = a.version)"
		" ORDER BY a.version",
		0, {0}, SCOPE_SET
	},
	[Q_LOADED_UNCHANGED] = {
		"SELECT FROM %1$s.migrate_loaded l"
		" WHERE l.set = $3 AND l.set_checksum = $1 AND l.loaded_by = $2::pg_catalog.name"
		" AND l.epoch = " SCOPE_EPOCH("$3", "''"),
		2, {TEXTOID, TEXTOID}, SCOPE_SET
	},
	[Q_REMEMBER_LOADED] = {
		"INSERT INTO %1$s.migrate_loaded (set, epoch, set_checksum, loaded_by)"
		" SELECT $3, " SCOPE_EPOCH("$3", "''") ", $1, $2::pg_catalog.name"
		" ON CONFLICT (set) DO UPDATE SET epoch = excluded.epoch,"
		" set_checksum = excluded.set_checksum, loaded_by = excluded.loaded_by",
		2, {TEXTOID, TEXTOID}, SCOPE_SET
	},
	[Q_DEFINITION_ROW] = {
		"SELECT * FROM %1$s.migrate_migrations WHERE set = $2 AND version = $1",
		1, {INT8OID}, SCOPE_SET
	},
	[Q_APPLIED_CHECKSUM] = {
		"SELECT checksum FROM %1$s.migrate_applied"
		" WHERE set = $2 AND schema = $3 AND version = $1",
		1, {INT8OID}, SCOPE_SCHEMA
	},
	[Q_APPLIED_CHECKSUM_ANY] = {
		"SELECT checksum FROM %1$s.migrate_applied"
		" WHERE set = $2 AND version = $1 LIMIT 1",
		1, {INT8OID}, SCOPE_SET
	},
	[Q_UPSERT_DEFINITION] = {
		"INSERT INTO %1$s.migrate_migrations"
		" (set, version, name, up, down, down_derived, transactional, defined_at, defined_by,"
		"  safety_assured)"
		" VALUES ($9, $1, $2, $3, $4, $5, $6, pg_catalog.now(), $7, $8)"
		" ON CONFLICT (set, version) DO UPDATE SET name = excluded.name, up = excluded.up,"
		" down = excluded.down, down_derived = excluded.down_derived,"
		" transactional = excluded.transactional,"
		" defined_at = excluded.defined_at, defined_by = excluded.defined_by,"
		" safety_assured = excluded.safety_assured"
		" RETURNING *",
		8, {INT8OID, TEXTOID, TEXTOID, TEXTOID, BOOLOID, BOOLOID, NAMEOID, TEXTARRAYOID},
		SCOPE_SET
	},
	[Q_SET_DEFINER] = {
		"UPDATE %1$s.migrate_migrations SET defined_by = $2, safety_assured = $3"
		" WHERE set = $4 AND version = $1 RETURNING *",
		3, {INT8OID, NAMEOID, TEXTARRAYOID}, SCOPE_SET
	},
	[Q_DELETE_FINDINGS] = {
		"DELETE FROM %1$s.migrate_findings WHERE set = $2 AND version = $1",
		1, {INT8OID}, SCOPE_SET
	},
	[Q_INSERT_FINDING] = {
		"INSERT INTO %1$s.migrate_findings"
		" (set, version, body, statement, line, rule, severity, message, hint)"
		" VALUES ($9, $1, $2, $3, $4, $5, $6, $7, $8)",
		8, {INT8OID, TEXTOID, INT4OID, INT4OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID},
		SCOPE_SET
	},
	[Q_DELETE_FINDINGS_OF] = {
		"DELETE FROM %1$s.migrate_findings WHERE set = $2 AND version = ANY ($1)",
		1, {INT8ARRAYOID}, SCOPE_SET
	},
	[Q_PENDING_ASSURED] = {
		"SELECT m.version, m.safety_assured::pg_catalog.text"
		" FROM %1$s.migrate_migrations m"
		" WHERE m.set = $1"
		" AND NOT EXISTS (SELECT FROM %1$s.migrate_applied a"
		"                 WHERE a.set = m.set AND a.schema = $2 AND a.version = m.version)"
		" ORDER BY m.version",
		0, {0}, SCOPE_SCHEMA
	},
	[Q_DELETE_DEFINITION] = {
		"DELETE FROM %1$s.migrate_migrations WHERE set = $2 AND version = $1",
		1, {INT8OID}, SCOPE_SET
	},
	[Q_APPLY_CANDIDATES] = {
		"SELECT " MIGRATION_COLUMNS
		" FROM %1$s.migrate_migrations m"
		" LEFT JOIN %1$s.migrate_applied a"
		" ON a.set = m.set AND a.schema = $2 AND a.version = m.version"
		" WHERE m.set = $1 AND (a.version IS NULL OR a.checksum <> m.checksum)"
		" ORDER BY m.version",
		0, {0}, SCOPE_SCHEMA
	},
	[Q_MAX_APPLIED] = {
		"SELECT pg_catalog.max(version) FROM %1$s.migrate_applied"
		" WHERE set = $1 AND schema = $2",
		0, {0}, SCOPE_SCHEMA
	},
	[Q_APPLIED_FOR_ROLLBACK] = {
		"SELECT a.version AS version,"
		" COALESCE(m.name, (SELECT h.name FROM %1$s.migrate_history h"
		"                   WHERE h.set = a.set AND h.version = a.version"
		"                   ORDER BY h.id DESC LIMIT 1)) AS name,"
		" m.up, m.down, m.transactional, m.checksum,"
		" a.checksum AS applied_checksum, m.defined_by"
		" FROM %1$s.migrate_applied a"
		" LEFT JOIN %1$s.migrate_migrations m ON m.set = a.set AND m.version = a.version"
		" WHERE a.set = $3 AND a.schema = $4 AND ($1 IS NULL OR a.version >= $1)"
		" ORDER BY a.version DESC LIMIT $2",
		2, {INT8OID, INT8OID}, SCOPE_SCHEMA
	},
	[Q_INSERT_APPLIED] = {
		"INSERT INTO %1$s.migrate_applied"
		" (set, schema, version, checksum, applied_at, applied_by, duration)"
		" VALUES ($6, $7, $1, $2, $3, $4, $5)",
		5, {INT8OID, TEXTOID, TIMESTAMPTZOID, NAMEOID, INTERVALOID}, SCOPE_SCHEMA
	},
	[Q_DELETE_APPLIED] = {
		"DELETE FROM %1$s.migrate_applied WHERE set = $2 AND schema = $3 AND version = $1",
		1, {INT8OID}, SCOPE_SCHEMA
	},
	[Q_INSERT_HISTORY] = {
		"INSERT INTO %1$s.migrate_history"
		" (set, schema, version, name, direction, started_at, duration, role, success, error)"
		" VALUES ($9, $10, $1, $2, $3, $4, $5, $6, $7, $8)",
		8, {INT8OID, TEXTOID, TEXTOID, TIMESTAMPTZOID, INTERVALOID, NAMEOID, BOOLOID, TEXTOID},
		SCOPE_SCHEMA
	},
	[Q_STATUS] = {
		"SELECT version, name, state, applied_at, transactional, reversible, unassured, detail"
		" FROM %1$s.migrate_status_of($1, ARRAY[$2]) ORDER BY version",
		0, {0}, SCOPE_SCHEMA
	},
	[Q_STATUS_SCHEMAS] = {
		"SELECT schema, version, name, state, applied_at, transactional, reversible,"
		" unassured, detail"
		" FROM %1$s.migrate_status_of($2, $1)",
		1, {TEXTARRAYOID}, SCOPE_SET,

		/*
		 * One plan for every list: planning the list of thousands of schemas
		 * as a constant costs more than the hash joins save.
		 */
		CURSOR_OPT_GENERIC_PLAN
	},
	[Q_PROGRESS_START] = {
		"INSERT INTO %1$s.migrate_progress"
		" (set, schema, version, direction, statements, completed, started_at, pid)"
		" VALUES ($6, $7, $1, $2, $3, 0, $4, $5)",
		5, {INT8OID, TEXTOID, INT4OID, TIMESTAMPTZOID, INT4OID}, SCOPE_SCHEMA
	},
	[Q_PROGRESS_RELATIONS] = {
		"UPDATE %1$s.migrate_progress SET relations = $2"
		" WHERE set = $3 AND schema = $4 AND version = $1",
		2, {INT8OID, OIDARRAYOID}, SCOPE_SCHEMA
	},
	[Q_PROGRESS_COMPLETED] = {
		"UPDATE %1$s.migrate_progress SET completed = $2"
		" WHERE set = $3 AND schema = $4 AND version = $1",
		2, {INT8OID, INT4OID}, SCOPE_SCHEMA
	},
	[Q_PROGRESS_FAILED] = {
		"UPDATE %1$s.migrate_progress SET error = $2"
		" WHERE set = $3 AND schema = $4 AND version = $1",
		2, {INT8OID, TEXTOID}, SCOPE_SCHEMA
	},
	[Q_PROGRESS_DELETE] = {
		"DELETE FROM %1$s.migrate_progress WHERE set = $2 AND schema = $3 AND version = $1",
		1, {INT8OID}, SCOPE_SCHEMA
	},
	[Q_PROGRESS_STOPPED] = {
		"SELECT p.version,"
		" COALESCE(m.name, (SELECT h.name FROM %1$s.migrate_history h"
		"                   WHERE h.set = p.set AND h.schema = p.schema AND h.version = p.version"
		"                   ORDER BY h.id DESC LIMIT 1)),"
		" p.direction, p.completed, p.statements, p.error, p.pid, m.checksum"
		" FROM %1$s.migrate_progress p"
		" LEFT JOIN %1$s.migrate_migrations m ON m.set = p.set AND m.version = p.version"
		" WHERE p.set = $2 AND p.schema = $3 AND ($1 IS NULL OR p.version = $1)"
		" ORDER BY p.version",
		1, {INT8OID}, SCOPE_SCHEMA
	},
	[Q_BACKFILL_FIND] = {
		"SELECT id, last_key, rows_done, batches FROM %1$s.migrate_backfills"
		" WHERE relation = $1 AND set_clause = $2"
		" AND where_clause IS NOT DISTINCT FROM $3 AND finished_at IS NULL"
		" ORDER BY id DESC LIMIT 1",
		3, {OIDOID, TEXTOID, TEXTOID}
	},
	[Q_BACKFILL_START] = {
		"INSERT INTO %1$s.migrate_backfills"
		" (relation, set_clause, where_clause, batch_size, started_by, pid, started_at, updated_at)"
		" VALUES ($1, $2, $3, $4, $5, $6, pg_catalog.clock_timestamp(), pg_catalog.clock_timestamp())"
		" RETURNING id",
		6, {OIDOID, TEXTOID, TEXTOID, INT4OID, NAMEOID, INT4OID}
	},
	[Q_BACKFILL_BATCH] = {
		"UPDATE %1$s.migrate_backfills SET last_key = $2,"
		" rows_done = rows_done + $3,"
		" batches = batches + 1, pid = $4, batch_size = $5,"
		" updated_at = pg_catalog.clock_timestamp()"
		" WHERE id = $1",
		5, {INT8OID, TEXTARRAYOID, INT8OID, INT4OID, INT4OID}
	},
	[Q_BACKFILL_FINISH] = {
		"UPDATE %1$s.migrate_backfills SET finished_at = pg_catalog.clock_timestamp(),"
		" updated_at = pg_catalog.clock_timestamp()"
		" WHERE id = $1",
		1, {INT8OID}
	},
	[Q_BASELINE] = {
		BASELINE_MARKING("m.version <= $1"),
		2, {INT8OID, NAMEOID}, SCOPE_SCHEMA
	},
	[Q_BASELINE_UNDEFINED] = {
		"SELECT v FROM pg_catalog.unnest($1::pg_catalog.int8[]) v"
		" WHERE v IS NULL OR NOT EXISTS (SELECT FROM %1$s.migrate_migrations m"
		"                                WHERE m.set = $2 AND m.version = v)"
		" ORDER BY v NULLS FIRST LIMIT 1",
		1, {INT8ARRAYOID}, SCOPE_SET
	},
	[Q_BASELINE_VERSIONS] = {
		BASELINE_MARKING("m.version = ANY ($1)"),
		2, {INT8ARRAYOID, NAMEOID}, SCOPE_SCHEMA
	},
	[Q_REPEATABLE_ROW] = {
		"SELECT r.body, r.down, r.safety_assured::pg_catalog.text, r.defined_by"
		" FROM %1$s.migrate_repeatables r WHERE r.set = $2 AND r.name = $1",
		1, {TEXTOID}, SCOPE_SET
	},
	[Q_UPSERT_REPEATABLE] = {
		"INSERT INTO %1$s.migrate_repeatables"
		" (set, name, body, down, defined_at, defined_by, safety_assured)"
		" VALUES ($6, $1, $2, $3, pg_catalog.now(), $4, $5)"
		" ON CONFLICT (set, name) DO UPDATE SET body = excluded.body, down = excluded.down,"
		" defined_at = excluded.defined_at, defined_by = excluded.defined_by,"
		" safety_assured = excluded.safety_assured",
		5, {TEXTOID, TEXTOID, TEXTOID, NAMEOID, TEXTARRAYOID}, SCOPE_SET
	},
	[Q_REPEATABLE_NAMES] = {
		"SELECT r.name FROM %1$s.migrate_repeatables r WHERE r.set = $1"
		" ORDER BY r.name COLLATE \"C\"",
		0, {0}, SCOPE_SET
	},
	[Q_DELETE_REPEATABLE] = {
		"DELETE FROM %1$s.migrate_repeatables WHERE set = $2 AND name = $1",
		1, {TEXTOID}, SCOPE_SET
	},
	[Q_REPEATABLES_DUE] = {
		"SELECT r.name, r.body, r.down, r.checksum, r.defined_by,"
		" r.safety_assured::pg_catalog.text, u.body AS previous_body"
		" FROM %1$s.migrate_repeatables r"
		" LEFT JOIN LATERAL (SELECT u.checksum, u.body FROM %1$s.migrate_repeatable_runs u"
		"                    WHERE u.set = r.set AND u.schema = $2 AND u.name = r.name"
		"                    ORDER BY u.id DESC LIMIT 1) u ON true"
		" WHERE r.set = $1 AND (u.checksum IS NULL OR u.checksum <> r.checksum)"
		" ORDER BY r.name COLLATE \"C\"",
		0, {0}, SCOPE_SCHEMA
	},
	[Q_REPEATABLE_RUNS] = {
		"SELECT u.id, u.name, u.body, u.down, u.after_version, u.ran_by,"
		" p.body AS previous_body, p.ran_by AS previous_ran_by"
		" FROM %1$s.migrate_repeatable_runs u"
		" LEFT JOIN LATERAL (SELECT q.body, q.ran_by FROM %1$s.migrate_repeatable_runs q"
		"                    WHERE q.set = u.set AND q.schema = u.schema AND q.name = u.name"
		"                    AND q.id < u.id ORDER BY q.id DESC LIMIT 1) p ON true"
		" WHERE u.set = $2 AND u.schema = $3 AND ($1 IS NULL OR u.after_version >= $1)"
		" ORDER BY u.after_version DESC, u.id DESC",
		1, {INT8OID}, SCOPE_SCHEMA
	},
	[Q_INSERT_REPEATABLE_RUN] = {
		"INSERT INTO %1$s.migrate_repeatable_runs"
		" (set, schema, name, body, down, checksum, after_version, ran_at, ran_by, duration)"
		" SELECT $8, $9, $1, $2, $3, $4,"
		" COALESCE((SELECT pg_catalog.max(a.version) FROM %1$s.migrate_applied a"
		"           WHERE a.set = $8 AND a.schema = $9), 0), $5, $6, $7",
		7, {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TIMESTAMPTZOID, NAMEOID, INTERVALOID},
		SCOPE_SCHEMA
	},
	[Q_DELETE_REPEATABLE_RUN] = {
		"DELETE FROM %1$s.migrate_repeatable_runs WHERE id = $1",
		1, {INT8OID}
	},
	[Q_INSERT_REPEATABLE_HISTORY] = {
		"INSERT INTO %1$s.migrate_history"
		" (set, schema, version, name, direction, started_at, duration, role, success, error,"
		"  body)"
		" VALUES ($9, $10, 0, $1, $2, $3, $4, $5, $6, $7, $8)",
		8, {TEXTOID, TEXTOID, TIMESTAMPTZOID, INTERVALOID, NAMEOID, BOOLOID, TEXTOID, TEXTOID},
		SCOPE_SCHEMA
	},
	[Q_SCHEMA_RELATIONS] = {
		"SELECT kind, identity, description, relid"
		" FROM %1$s.migrate_schema_relations_of($1)",
		1, {OIDARRAYOID}
	},
	[Q_SCHEMA_OBJECTS] = {
		"SELECT kind, identity, description, relid"
		" FROM %1$s.migrate_schema_objects()",
		0, {0}
	},
	[Q_WATCHED_RELATIONS] = {
		"SELECT relid, kind, name FROM %1$s.migrate_watched_relations",
		0, {0}
	},
};

/* The caller's identity and settings, while an internal query runs */
typedef struct CatalogIdentity
{
	Oid			userid;
	int			sec_context;
	int			nestlevel;
} CatalogIdentity;

/* The extension as last looked up, and the plans prepared for it */
static Oid	catalog_extension_oid = InvalidOid;
static Oid	catalog_owner = InvalidOid;
static char *catalog_schema = NULL;
static SPIPlanPtr catalog_plans[NUM_CATALOG_QUERIES];

/* The transaction (and subtransaction) that last bumped the epoch */
static LocalTransactionId bumped_lxid = InvalidLocalTransactionId;
static SubTransactionId bumped_subid = InvalidSubTransactionId;
static uint32 bumped_scope = 0;	/* and in which scope (scope_lock_key()) */

/* How many internal queries are running: a trigger they fire is ours */
static int	catalog_depth = 0;
static bool callbacks_registered = false;

/* The transaction that last marked the catalog clean in migrate_checked */
static LocalTransactionId checked_lxid = InvalidLocalTransactionId;

static bool catalog_version_older(const char *version, const char *required);
static void catalog_lookup(bool check_version);
static void catalog_become_owner(CatalogIdentity *saved);
static void catalog_restore_caller(const CatalogIdentity *saved);
static void catalog_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
									 SubTransactionId parentSubid, void *arg);
static void catalog_register_callbacks(void);
static int64 catalog_read_epoch(void);
static bool catalog_bumped_in_this_transaction(void);
static SPIPlanPtr catalog_plan(CatalogQuery query);
static int	catalog_run(CatalogQuery query, Datum *values, const char *nulls,
						Snapshot snapshot, bool read_only, long tcount);

/*
 * Frees the prepared plans of the internal queries, so that each is planned
 * again at its next use: after the extension was dropped and created again
 * (perhaps in another schema), and when a deploy has grown the catalog
 * tables far beyond what the plans were made for.
 */
void
catalog_forget_plans(void)
{
	int			i;

	for (i = 0; i < NUM_CATALOG_QUERIES; i++)
	{
		if (catalog_plans[i] != NULL)
			SPI_freeplan(catalog_plans[i]);
		catalog_plans[i] = NULL;
	}
}

/*
 * Returns whether an extension version ("1.0") is older than the required
 * one, comparing their dot-separated numbers in turn.  A version that is not
 * made of numbers is taken as older: no script of this extension installs
 * one.
 */
static bool
catalog_version_older(const char *version, const char *required)
{
	const char *v = version;
	const char *r = required;

	for (;;)
	{
		char	   *end;
		long		vn;
		long		rn;

		if (!isdigit((unsigned char) *v))
			return true;
		vn = strtol(v, &end, 10);
		v = end;
		rn = strtol(r, &end, 10);
		r = end;
		if (vn != rn)
			return vn < rn;
		if (*r == '\0')
			return false;
		if (*v != '.')
			return true;
		v++;
		r++;
	}
}

/*
 * Looks up the installed extension: its schema and owner, remembered (with
 * the plans prepared for them) until the extension is created again, and its
 * version, read at every call, so that an ALTER EXTENSION UPDATE in this
 * backend is seen at once.  With check_version, a catalog older than this
 * library needs is an error.  One index scan of pg_extension, as finding the
 * extension's OID takes anyway.
 */
static void
catalog_lookup(bool check_version)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	Oid			extension_oid = InvalidOid;
	Oid			namespace_oid = InvalidOid;
	Oid			owner = InvalidOid;
	char	   *version = NULL;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber, F_NAMEEQ,
				CStringGetDatum("migrate"));
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
	{
		Form_pg_extension form = (Form_pg_extension) GETSTRUCT(tuple);
		Datum		datum;
		bool		isnull;

		extension_oid = form->oid;
		namespace_oid = form->extnamespace;
		owner = form->extowner;
		datum = heap_getattr(tuple, Anum_pg_extension_extversion,
							 RelationGetDescr(rel), &isnull);
		if (isnull)
			elog(ERROR, "extension \"migrate\" has no version");
		version = TextDatumGetCString(datum);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	if (!OidIsValid(extension_oid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension \"migrate\" is not installed in this database"),
				 errhint("Run CREATE EXTENSION migrate.")));

	if (extension_oid != catalog_extension_oid)
	{
		char	   *schema = get_namespace_name(namespace_oid);

		if (schema == NULL)
			elog(ERROR, "could not find the schema of extension \"migrate\"");
		catalog_forget_plans();
		if (catalog_schema != NULL)
			pfree(catalog_schema);
		catalog_schema = MemoryContextStrdup(TopMemoryContext, quote_identifier(schema));
		catalog_owner = owner;
		catalog_extension_oid = extension_oid;
	}

	if (check_version && catalog_version_older(version, CATALOG_REQUIRED_VERSION))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension \"migrate\" must be updated to version %s",
						CATALOG_REQUIRED_VERSION),
				 errdetail("This database has version %s of the extension; the installed library needs version %s or later.",
						   version, CATALOG_REQUIRED_VERSION),
				 errhint("Run ALTER EXTENSION migrate UPDATE.")));
	pfree(version);
}

/*
 * Looks up the installed extension (see catalog_lookup()) and refuses to go
 * on when its catalog is older than this library needs.  Must run after
 * SPI_connect() in every SQL-callable entry point, before any other function
 * of this file.
 */
void
catalog_open(void)
{
	catalog_lookup(true);
}

/*
 * Takes on the extension owner's identity for an internal query, in a
 * security-restricted operation with search_path set to pg_catalog (and
 * pg_temp last, as PostgreSQL's own maintenance commands set it): the
 * caller's search_path cannot lend the owner a function, an operator or a
 * table, and nothing the query calls can change role or settings for
 * good.  saved receives what catalog_restore_caller() restores.
 */
static void
catalog_become_owner(CatalogIdentity *saved)
{
	GetUserIdAndSecContext(&saved->userid, &saved->sec_context);
	SetUserIdAndSecContext(catalog_owner,
						   saved->sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	saved->nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
}

/*
 * Gives the caller back its identity and settings after an internal query,
 * on error too.
 */
static void
catalog_restore_caller(const CatalogIdentity *saved)
{
	AtEOXact_GUC(false, saved->nestlevel);
	SetUserIdAndSecContext(saved->userid, saved->sec_context);
}

/*
 * Returns the prepared plan of an internal query, preparing it on first use
 * as the extension owner (see catalog_become_owner()).
 */
static SPIPlanPtr
catalog_plan(CatalogQuery query)
{
	const CatalogQueryDef *def = &catalog_queries[query];
	SPIPlanPtr	plan;
	CatalogIdentity saved;
	Oid			argtypes[CATALOG_MAX_ARGS];
	int			nargs = def->nargs;

	if (catalog_plans[query] != NULL)
		return catalog_plans[query];

	Assert(catalog_schema != NULL);
	memcpy(argtypes, def->argtypes, sizeof(argtypes));
	if (def->scope >= SCOPE_SET)
		argtypes[nargs++] = TEXTOID;
	if (def->scope >= SCOPE_SCHEMA)
		argtypes[nargs++] = TEXTOID;
	catalog_become_owner(&saved);
	PG_TRY();
	{
		plan = SPI_prepare_cursor(psprintf(def->sql, catalog_schema), nargs, argtypes,
								  def->cursor_options);
	}
	PG_FINALLY();
	{
		catalog_restore_caller(&saved);
	}
	PG_END_TRY();
	if (plan == NULL)
		elog(ERROR, "could not prepare internal query %d: %s",
			 (int) query, SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "could not keep internal query %d", (int) query);
	catalog_plans[query] = plan;
	return plan;
}

/*
 * Runs an internal query as the extension owner (see
 * catalog_become_owner()), against the given snapshot or (InvalidSnapshot)
 * as SPI normally would, and returns its SPI result code.  The caller's
 * identity and settings are restored on the way out, on error too.
 */
static int
catalog_run(CatalogQuery query, Datum *values, const char *nulls,
			Snapshot snapshot, bool read_only, long tcount)
{
	SPIPlanPtr	plan = catalog_plan(query);
	const CatalogQueryDef *def = &catalog_queries[query];
	CatalogIdentity saved;
	Datum		scoped_values[CATALOG_MAX_ARGS];
	char		scoped_nulls[CATALOG_MAX_ARGS + 1];
	int			ret;

	if (def->scope != SCOPE_NONE)
	{
		int			n = def->nargs;

		/* the call's set and schema follow the caller's parameters */
		if (n > 0)
			memcpy(scoped_values, values, sizeof(Datum) * n);
		if (nulls != NULL)
			memcpy(scoped_nulls, nulls, n);
		else
			memset(scoped_nulls, ' ', n);
		scoped_values[n] = CStringGetTextDatum(migrate_scope.set);
		scoped_nulls[n++] = ' ';
		if (def->scope == SCOPE_SCHEMA)
		{
			scoped_values[n] = CStringGetTextDatum(migrate_scope.schema);
			scoped_nulls[n++] = ' ';
		}
		scoped_nulls[n] = '\0';
		values = scoped_values;
		nulls = scoped_nulls;
	}
	catalog_become_owner(&saved);
	catalog_depth++;
	PG_TRY();
	{
		if (snapshot != InvalidSnapshot)
			ret = SPI_execute_snapshot(plan, values, nulls, snapshot,
									   InvalidSnapshot, read_only, false, tcount);
		else
			ret = SPI_execute_plan(plan, values, nulls, read_only, tcount);
	}
	PG_FINALLY();
	{
		catalog_depth--;
		catalog_restore_caller(&saved);
	}
	PG_END_TRY();
	if (ret < 0)
		elog(ERROR, "internal query %d failed: %s", (int) query,
			 SPI_result_code_string(ret));
	return ret;
}

/*
 * Runs an internal query (see catalog_run) with SPI's usual snapshot.
 * values and nulls follow SPI_execute_plan().
 */
int
catalog_exec(CatalogQuery query, Datum *values, const char *nulls,
			 bool read_only, long tcount)
{
	return catalog_run(query, values, nulls, InvalidSnapshot, read_only, tcount);
}

/*
 * In REPEATABLE READ and SERIALIZABLE, refuses to go on when another
 * migrator committed a change to the catalog that this transaction's
 * snapshot cannot see: acting on the stale view could apply a migration
 * twice.  Must be called while holding the migration lock, which guarantees
 * that every earlier migrator has finished.
 */
void
catalog_check_snapshot(void)
{
	int64		seen;
	int64		latest;
	bool		isnull;

	if (!IsolationUsesXactSnapshot())
		return;

	seen = catalog_read_epoch();
	catalog_run(Q_STATE_EPOCH, NULL, NULL, GetLatestSnapshot(), true, 1);
	latest = catalog_getint64(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	SPI_freetuptable(SPI_tuptable);

	if (seen != latest)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access to the migration catalog"),
				 errdetail("Another session changed the migrations after this transaction's snapshot was taken."),
				 errhint("Retry the transaction; it will see the other session's changes.")));
}

/*
 * Forgets the epoch bump of this transaction when the subtransaction that
 * made it (or one of its ancestors) is rolled back: a subtransaction started
 * after another one that is still open is its descendant, so every bump
 * made at or below the aborted subtransaction has a subtransaction ID at
 * least as high as its own.
 */
static void
catalog_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						 SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB && bumped_subid >= mySubid)
		bumped_lxid = InvalidLocalTransactionId;
}

/*
 * Registers the subtransaction callback above, once per backend.
 */
static void
catalog_register_callbacks(void)
{
	if (callbacks_registered)
		return;
	RegisterSubXactCallback(catalog_subxact_callback, NULL);
	callbacks_registered = true;
}

/*
 * Returns whether the current transaction already bumped the epoch.
 */
static bool
catalog_bumped_in_this_transaction(void)
{
	return bumped_lxid != InvalidLocalTransactionId && bumped_lxid == migrate_my_lxid() &&
		bumped_scope == scope_lock_key();
}

/*
 * Records that the catalog changed, so that migrators whose snapshots are
 * older can tell (see catalog_check_snapshot) and so that a clean mark
 * (see catalog_known_clean) no longer holds.  Once per transaction is
 * enough, and keeps a transaction that defines thousands of migrations from
 * piling up dead versions of the state row; but a clean mark this same
 * transaction made at its current epoch must go.
 */
void
catalog_bump_epoch(void)
{
	if (checked_lxid == migrate_my_lxid())
	{
		Datum		value = (Datum) 0;

		catalog_exec(Q_SET_CHECKED, &value, "n", false, 0);
		checked_lxid = InvalidLocalTransactionId;
	}
	if (catalog_bumped_in_this_transaction())
		return;
	catalog_register_callbacks();
	catalog_exec(scope_is_default() ? Q_STATE_BUMP : Q_SCOPE_BUMP, NULL, NULL, false, 0);
	bumped_lxid = migrate_my_lxid();
	bumped_subid = GetCurrentSubTransactionId();
	bumped_scope = scope_lock_key();
}

/*
 * Returns the catalog's epoch as the current snapshot sees it.
 */
static int64
catalog_read_epoch(void)
{
	bool		isnull;
	int64		epoch;

	catalog_exec(Q_STATE_EPOCH, NULL, NULL, false, 1);
	if (SPI_processed != 1)
		elog(ERROR, "the migrate_state row is missing");
	epoch = catalog_getint64(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	SPI_freetuptable(SPI_tuptable);
	return epoch;
}

/*
 * Returns whether the catalog is marked clean (nothing pending, nothing
 * changed) at its current epoch, and sets *epoch to that epoch for
 * catalog_remember_clean().  Committed epochs only grow and every change to
 * the catalog tables bumps the epoch (the functions do it, a trigger
 * catches any other write), so the mark holds exactly until the next
 * change.  Lets a no-op migrate_apply() skip the scan of every migration.
 * The mark is kept for the default scope only (set 'main', no schema).
 */
bool
catalog_known_clean(int64 *epoch)
{
	bool		isnull;
	bool		checked_isnull;
	int64		checked;

	*epoch = 0;
	if (!scope_is_default())
		return false;
	catalog_exec(Q_EPOCHS, NULL, NULL, false, 1);
	if (SPI_processed != 1)
		elog(ERROR, "the migrate_state or migrate_checked row is missing");
	*epoch = catalog_getint64(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	checked = catalog_getint64(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2,
							   &checked_isnull);
	SPI_freetuptable(SPI_tuptable);
	return !checked_isnull && checked == *epoch;
}

/*
 * Marks the catalog clean at this epoch.  Only in READ COMMITTED: a
 * transaction-snapshot writer could collide with another session's mark;
 * and only for the default scope (see catalog_known_clean()).
 */
void
catalog_remember_clean(int64 epoch)
{
	Datum		value = Int64GetDatum(epoch);

	if (IsolationUsesXactSnapshot() || !scope_is_default())
		return;
	catalog_exec(Q_SET_CHECKED, &value, " ", false, 0);
	checked_lxid = migrate_my_lxid();
}

/*
 * migrate_catalog_changed(): statement trigger on migrate_migrations and
 * migrate_applied.  Bumps the epoch when something other than the
 * extension's functions writes the tables (a superuser's UPDATE, a restore),
 * so that drift is never hidden by a clean mark.
 */
Datum
migrate_catalog_changed(PG_FUNCTION_ARGS)
{
	char	   *saved_set;
	char	   *saved_schema;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("migrate_catalog_changed() must be called as a trigger")));

	/*
	 * A write by one of the extension's own queries counts in the scope of
	 * the call that made it; any other write (a superuser's, a restore's) in
	 * the default scope, whose epoch every migrator of 1.0 watched.
	 */
	saved_set = pstrdup(migrate_scope.set);
	saved_schema = pstrdup(migrate_scope.schema);
	if (catalog_depth == 0)
		scope_set(SCOPE_DEFAULT_SET, "");
	if (!catalog_bumped_in_this_transaction() || checked_lxid == migrate_my_lxid())
	{
		SPI_connect();
		/*
		 * Whatever the catalog's version: the epoch is there in every one,
		 * and a restore or a superuser's write into a catalog not yet
		 * updated must not fail.
		 */
		catalog_lookup(false);
		catalog_bump_epoch();
		SPI_finish();
	}
	scope_set(saved_set, saved_schema);
	return PointerGetDatum(NULL);
}

/*
 * Returns a column of an SPI result as a palloc'd C string, or NULL.
 */
char *
catalog_getvalue(HeapTuple tuple, TupleDesc tupdesc, int column)
{
	bool		isnull;
	Datum		value = SPI_getbinval(tuple, tupdesc, column, &isnull);

	if (isnull)
		return NULL;
	return TextDatumGetCString(value);
}

/*
 * Returns a boolean column of an SPI result.
 */
bool
catalog_getbool(HeapTuple tuple, TupleDesc tupdesc, int column, bool *isnull)
{
	Datum		value = SPI_getbinval(tuple, tupdesc, column, isnull);

	return *isnull ? false : DatumGetBool(value);
}

/*
 * Returns a bigint column of an SPI result.
 */
int64
catalog_getint64(HeapTuple tuple, TupleDesc tupdesc, int column, bool *isnull)
{
	Datum		value = SPI_getbinval(tuple, tupdesc, column, isnull);

	return *isnull ? 0 : DatumGetInt64(value);
}

/*
 * Returns the time between two timestamps as an interval Datum, for the
 * duration columns of migrate_applied and migrate_history.
 */
Datum
catalog_interval(TimestampTz started, TimestampTz finished)
{
	Interval   *interval = palloc0(sizeof(Interval));

	interval->time = finished - started;
	return IntervalPGetDatum(interval);
}

/*
 * Returns the number of a column of an SPI result, by name.
 */
int
catalog_column(TupleDesc tupdesc, const char *name)
{
	int			column = SPI_fnumber(tupdesc, name);

	if (column <= 0)
		elog(ERROR, "internal query has no column \"%s\"", name);
	return column;
}

/*
 * Copies a row of a query that returns migrations (see MIGRATION_COLUMNS)
 * into a Migration in the current memory context, reading its columns by
 * name.
 */
Migration *
catalog_read_migration(HeapTuple tuple, TupleDesc tupdesc)
{
	Migration  *m = palloc0(sizeof(Migration));
	bool		isnull;
	Datum		definer;

	m->version = catalog_getint64(tuple, tupdesc, catalog_column(tupdesc, "version"),
								  &isnull);
	m->name = catalog_getvalue(tuple, tupdesc, catalog_column(tupdesc, "name"));
	m->up = catalog_getvalue(tuple, tupdesc, catalog_column(tupdesc, "up"));
	m->down = catalog_getvalue(tuple, tupdesc, catalog_column(tupdesc, "down"));
	m->transactional = catalog_getbool(tuple, tupdesc,
									   catalog_column(tupdesc, "transactional"), &isnull);
	m->defined = !isnull;
	m->checksum = catalog_getvalue(tuple, tupdesc, catalog_column(tupdesc, "checksum"));
	m->applied_checksum = catalog_getvalue(tuple, tupdesc,
										   catalog_column(tupdesc, "applied_checksum"));
	definer = SPI_getbinval(tuple, tupdesc, catalog_column(tupdesc, "defined_by"), &isnull);
	m->defined_by = isnull ? NULL : pstrdup(NameStr(*DatumGetName(definer)));
	return m;
}

/*
 * Records a successful run of a migration: the migrate_applied row is added
 * (up) or removed (down), and a migrate_history row is written.
 */
void
catalog_record_run(const Migration *m, MigrateDirection direction,
				   TimestampTz started, TimestampTz finished, const char *role)
{
	Datum		duration = catalog_interval(started, finished);
	NameData	rolename;
	Datum		values[8];
	char		nulls[8];

	if (m->repeatable)
	{
		repeatable_record_run(m, direction, started, finished, role);
		return;
	}
	namestrcpy(&rolename, role);
	if (direction == MIGRATE_UP)
	{
		values[0] = Int64GetDatum(m->version);
		values[1] = CStringGetTextDatum(m->checksum);
		values[2] = TimestampTzGetDatum(started);
		values[3] = NameGetDatum(&rolename);
		values[4] = duration;
		catalog_exec(Q_INSERT_APPLIED, values, "     ", false, 0);
	}
	else
	{
		values[0] = Int64GetDatum(m->version);
		catalog_exec(Q_DELETE_APPLIED, values, " ", false, 0);
	}

	memset(nulls, ' ', sizeof(nulls));
	values[0] = Int64GetDatum(m->version);
	values[1] = CStringGetTextDatum(m->name);
	values[2] = CStringGetTextDatum(direction_name(direction));
	values[3] = TimestampTzGetDatum(started);
	values[4] = duration;
	values[5] = NameGetDatum(&rolename);
	values[6] = BoolGetDatum(true);
	values[7] = (Datum) 0;
	nulls[7] = 'n';
	catalog_exec(Q_INSERT_HISTORY, values, nulls, false, 0);
}

/*
 * Records a failed run of a migration in migrate_history, with its error.
 */
void
catalog_record_failure(const Migration *m, MigrateDirection direction,
					   TimestampTz started, const char *role, const char *error)
{
	NameData	rolename;
	Datum		values[8];
	char		nulls[8];

	if (m->repeatable)
	{
		repeatable_record_failure(m, direction, started, role, error);
		return;
	}
	namestrcpy(&rolename, role);
	memset(nulls, ' ', sizeof(nulls));
	values[0] = Int64GetDatum(m->version);
	values[1] = CStringGetTextDatum(m->name);
	values[2] = CStringGetTextDatum(direction_name(direction));
	values[3] = TimestampTzGetDatum(started);
	values[4] = catalog_interval(started, GetCurrentTimestamp());
	values[5] = NameGetDatum(&rolename);
	values[6] = BoolGetDatum(false);
	values[7] = CStringGetTextDatum(error ? error : "unknown error");
	catalog_exec(Q_INSERT_HISTORY, values, nulls, false, 0);
}
