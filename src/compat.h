/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  The server interfaces of migrate that differ between the PostgreSQL
 *	  releases it builds against (15, 17 and 18), each behind one helper.
 *
 * Every block below names the release that changed the interface; the
 * source files call the helper and never test PG_VERSION_NUM themselves.
 * The helpers keep the meaning the code had on PostgreSQL 15.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_COMPAT_H
#define MIGRATE_COMPAT_H

#include "postgres.h"

#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "pgstat.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "storage/smgr.h"
#include "tcop/pquery.h"
#include "catalog/pg_class.h"
#include "utils/acl.h"
#include "utils/backend_status.h"
#include "utils/relcache.h"

/*
 * Whether this backend holds a lock in exactly the given mode.  PostgreSQL
 * 17 gave LockHeldByMe() a third argument, orstronger; false keeps the
 * exact-mode test of earlier releases.
 */
#if PG_VERSION_NUM >= 170000
#define migrate_lock_held_by_me(tag, mode) LockHeldByMe((tag), (mode), false)
#else
#define migrate_lock_held_by_me(tag, mode) LockHeldByMe((tag), (mode))
#endif

/*
 * The local id of this backend's top-level transaction.  PostgreSQL 17
 * moved PGPROC.lxid into PGPROC.vxid.lxid.
 */
#if PG_VERSION_NUM >= 170000
#define migrate_my_lxid() (MyProc->vxid.lxid)
#else
#define migrate_my_lxid() (MyProc->lxid)
#endif

/*
 * The status of the backend at position idx (1 to
 * pgstat_fetch_stat_numbackends()) in this transaction's snapshot of the
 * backends.  PostgreSQL 16 renamed pgstat_fetch_stat_local_beentry() to
 * pgstat_get_local_beentry_by_index().
 */
static inline LocalPgBackendStatus *
migrate_local_beentry(int idx)
{
#if PG_VERSION_NUM >= 160000
	return pgstat_get_local_beentry_by_index(idx);
#else
	return pgstat_fetch_stat_local_beentry(idx);
#endif
}

/*
 * The sequential scans counted in a table's pending statistics.
 * PostgreSQL 16 renamed PgStat_TableStatus.t_counts to counts, and its
 * t_numscans to numscans.
 */
static inline PgStat_Counter
migrate_tabstat_numscans(const PgStat_TableStatus *stats)
{
#if PG_VERSION_NUM >= 160000
	return stats->counts.numscans;
#else
	return stats->t_counts.t_numscans;
#endif
}

/*
 * Opens the storage of a permanent relation of the current database for
 * smgr calls.  PostgreSQL 16 replaced RelFileNode (spcNode, dbNode,
 * relNode) with RelFileLocator (spcOid, dbOid, relNumber); PostgreSQL 17
 * replaced InvalidBackendId with INVALID_PROC_NUMBER.
 */
static inline SMgrRelation
migrate_smgropen(Oid tablespace, Oid filenode)
{
#if PG_VERSION_NUM >= 160000
	RelFileLocator locator;

	locator.spcOid = tablespace;
	locator.dbOid = MyDatabaseId;
	locator.relNumber = filenode;
#if PG_VERSION_NUM >= 170000
	return smgropen(locator, INVALID_PROC_NUMBER);
#else
	return smgropen(locator, InvalidBackendId);
#endif
#else
	RelFileNode node;

	node.spcNode = tablespace;
	node.dbNode = MyDatabaseId;
	node.relNode = filenode;
	return smgropen(node, InvalidBackendId);
#endif
}

/*
 * The OID of a relation's primary key index, or InvalidOid.  PostgreSQL 18
 * gave RelationGetPrimaryKeyIndex() a second argument, deferrable_ok; true
 * returns a deferrable primary key too, and the caller checks the index
 * (backfill_index_usable() wants an immediate one).
 */
#if PG_VERSION_NUM >= 180000
#define migrate_primary_key_index(rel) RelationGetPrimaryKeyIndex((rel), true)
#else
#define migrate_primary_key_index(rel) RelationGetPrimaryKeyIndex(rel)
#endif

/*
 * Whether a raw UPDATE statement has a RETURNING clause.  PostgreSQL 18
 * replaced UpdateStmt.returningList with returningClause.
 */
static inline bool
migrate_update_has_returning(const UpdateStmt *update)
{
#if PG_VERSION_NUM >= 180000
	return update->returningClause != NULL;
#else
	return update->returningList != NIL;
#endif
}

/*
 * Runs a portal once, to completion of count rows.  PostgreSQL 18 dropped
 * PortalRun()'s run_once argument (a portal is always run once there).
 */
#if PG_VERSION_NUM >= 180000
#define migrate_portal_run(portal, count, isTopLevel, dest, altdest, qc) \
	PortalRun((portal), (count), (isTopLevel), (dest), (altdest), (qc))
#else
#define migrate_portal_run(portal, count, isTopLevel, dest, altdest, qc) \
	PortalRun((portal), (count), (isTopLevel), true, (dest), (altdest), (qc))
#endif

/*
 * Whether the current user owns a relation (a superuser owns them all).
 * PostgreSQL 16 replaced pg_class_ownercheck() with object_ownercheck().
 */
#if PG_VERSION_NUM >= 160000
#define migrate_owns_relation(relid) \
	object_ownercheck(RelationRelationId, (relid), GetUserId())
#else
#define migrate_owns_relation(relid) pg_class_ownercheck((relid), GetUserId())
#endif

#endif							/* MIGRATE_COMPAT_H */
