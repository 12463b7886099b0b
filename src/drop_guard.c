/*-------------------------------------------------------------------------
 *
 * drop_guard.c
 *	  The event trigger that keeps DROP EXTENSION migrate from deleting the
 *	  record of what a database has applied.
 *
 * Dropping the extension drops its tables with their rows: the database
 * would no longer know which migrations it has applied, nor their history.
 * migrate_drop_guard() runs at ddl_command_start of DROP EXTENSION, DROP
 * SCHEMA and DROP OWNED (the commands that can drop the extension: by its
 * name, with its schema, with its owner) and refuses the command when it
 * would drop the extension while migrate_applied or migrate_history holds
 * rows, unless migrate.allow_drop is on.  Any other command goes through
 * untouched.
 *
 * It runs before the command, because the command drops the event trigger
 * with the extension: a sql_drop trigger would be gone by the time it
 * fired, and the rows with it.  It reads the parse tree and the system
 * catalogs directly and counts the rows with a heap scan, so it depends on
 * no search_path, runs no SQL and needs no privilege on the tables (the
 * owner of a schema may drop the extension in it without reading them).
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_extension.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

/* The extension's name, as CREATE EXTENSION names it */
#define DROP_GUARD_EXTENSION	"migrate"

static bool drop_guard_drops_extension(Node *parsetree, Oid extension_schema,
									   Oid extension_owner, const char **how);
static bool drop_guard_extension(Oid extension_oid, Oid *schema, Oid *owner);
static int64 drop_guard_count_rows(Oid schema, const char *relname);

PG_FUNCTION_INFO_V1(migrate_drop_guard);

/*
 * The event trigger function (ddl_command_start of DROP EXTENSION, DROP
 * SCHEMA and DROP OWNED).  Raises an error if the command would drop the
 * extension while its catalog records applied migrations or history and
 * migrate.allow_drop is off; otherwise does nothing.
 */
Datum
migrate_drop_guard(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata;
	Oid			extension_oid;
	Oid			extension_schema;
	Oid			extension_owner;
	const char *how = NULL;
	int64		applied;
	int64		history;
	const char *schema_name;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("migrate_drop_guard() must be called as an event trigger")));
	trigdata = (EventTriggerData *) fcinfo->context;

	if (migrate_allow_drop)
		PG_RETURN_VOID();

	extension_oid = get_extension_oid(DROP_GUARD_EXTENSION, true);
	if (!OidIsValid(extension_oid))
		PG_RETURN_VOID();
	if (!drop_guard_extension(extension_oid, &extension_schema, &extension_owner))
		PG_RETURN_VOID();

	if (!drop_guard_drops_extension(trigdata->parsetree, extension_schema,
									extension_owner, &how))
		PG_RETURN_VOID();

	applied = drop_guard_count_rows(extension_schema, "migrate_applied");
	history = drop_guard_count_rows(extension_schema, "migrate_history");
	if (applied == 0 && history == 0)
		PG_RETURN_VOID();

	schema_name = quote_identifier(get_namespace_name(extension_schema));
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("cannot drop extension \"%s\" while it records applied migrations or history",
					DROP_GUARD_EXTENSION),
			 errdetail("%sIts tables would be dropped with their rows, every migration definition included; "
					   "rows lost: %lld in %s.migrate_applied (applied migrations), %lld in %s.migrate_history (runs).",
					   how ? how : "",
					   (long long) applied, schema_name,
					   (long long) history, schema_name),
			 errhint("To keep them, save the rows first with pg_dump --data-only --table='%s.migrate_*'. "
					 "To drop them, SET migrate.allow_drop = on.",
					 schema_name)));

	PG_RETURN_VOID();
}

/*
 * Whether the command whose raw parse tree is given would drop the
 * extension: DROP EXTENSION naming it, DROP SCHEMA ... CASCADE of its
 * schema (without CASCADE the server refuses the command itself), or DROP
 * OWNED BY its owner.  For the last two, *how is set to a sentence saying
 * so, for the error's detail.
 */
static bool
drop_guard_drops_extension(Node *parsetree, Oid extension_schema,
						   Oid extension_owner, const char **how)
{
	ListCell   *lc;

	if (parsetree == NULL)
		return false;

	if (IsA(parsetree, DropStmt))
	{
		DropStmt   *stmt = (DropStmt *) parsetree;

		if (stmt->removeType == OBJECT_EXTENSION)
		{
			foreach(lc, stmt->objects)
			{
				Node	   *object = (Node *) lfirst(lc);

				if (IsA(object, String) &&
					strcmp(strVal(object), DROP_GUARD_EXTENSION) == 0)
					return true;
			}
		}
		else if (stmt->removeType == OBJECT_SCHEMA &&
				 stmt->behavior == DROP_CASCADE)
		{
			foreach(lc, stmt->objects)
			{
				Node	   *object = (Node *) lfirst(lc);

				if (IsA(object, String) &&
					get_namespace_oid(strVal(object), true) == extension_schema)
				{
					*how = "DROP SCHEMA ... CASCADE drops the extension with its schema. ";
					return true;
				}
			}
		}
	}
	else if (IsA(parsetree, DropOwnedStmt))
	{
		DropOwnedStmt *stmt = (DropOwnedStmt *) parsetree;

		foreach(lc, stmt->roles)
		{
			RoleSpec   *role = lfirst_node(RoleSpec, lc);

			if (get_rolespec_oid(role, true) == extension_owner)
			{
				*how = "DROP OWNED drops the extension with the other objects of its owner. ";
				return true;
			}
		}
	}
	return false;
}

/*
 * Sets *schema and *owner to the extension's schema and owner, read from
 * its pg_extension row by the OID index (PostgreSQL 15 exports no function
 * that returns them); returns false if the row is gone.
 */
static bool
drop_guard_extension(Oid extension_oid, Oid *schema, Oid *owner)
{
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tuple;
	bool		found = false;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(extension_oid));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
	{
		Form_pg_extension form = (Form_pg_extension) GETSTRUCT(tuple);

		*schema = form->extnamespace;
		*owner = form->extowner;
		found = true;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/*
 * The number of rows of table relname in the given schema that this
 * transaction sees, or 0 if there is no such table.  A plain heap scan
 * under the transaction's snapshot: no SQL, no privilege check.
 */
static int64
drop_guard_count_rows(Oid schema, const char *relname)
{
	Oid			relid = get_relname_relid(relname, schema);
	Relation	rel;
	Snapshot	snapshot;
	TableScanDesc scan;
	TupleTableSlot *slot;
	int64		rows = 0;

	if (!OidIsValid(relid) || get_rel_relkind(relid) != RELKIND_RELATION)
		return 0;

	rel = table_open(relid, AccessShareLock);
	snapshot = RegisterSnapshot(GetTransactionSnapshot());
	scan = table_beginscan(rel, snapshot, 0, NULL);
	slot = table_slot_create(rel, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		CHECK_FOR_INTERRUPTS();
		rows++;
	}
	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);
	UnregisterSnapshot(snapshot);
	table_close(rel, AccessShareLock);
	return rows;
}
