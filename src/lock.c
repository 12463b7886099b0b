/*-------------------------------------------------------------------------
 *
 * lock.c
 *	  The migration advisory lock that serialises migrators.
 *
 * It is the same lock as pg_advisory_lock(1835624306): one exclusive
 * advisory lock per database, visible in pg_locks.  apply, rollback, define,
 * remove and baseline take it for their transaction; a deploy (which commits
 * between migrations) takes it for the session.  A migrator that has to wait
 * says once whose lock it waits for, and migrate.lock_wait_timeout bounds the
 * wait.
 *
 * A deploy also holds a second advisory lock, the deploy marker (objsubid 3
 * of the same key), taken before the migration lock and kept as long.  A
 * concurrent index build waits for every transaction with an older
 * snapshot, so a SELECT migrate_apply() that waited for a deploy's lock,
 * holding its snapshot, would stop the deploy's build for good, and nothing
 * would detect it.  So the migrators that wait inside a SELECT wait in short
 * slices and give up as soon as the holder of the lock is a deploy; a deploy
 * commits before it waits, and waits without a snapshot.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
#include "compat.h"
#include "lock.h"
#include "scope.h"

#include "access/relation.h"
#include "catalog/dependency.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/backend_status.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"

/* The advisory lock key, as the bigint form of pg_advisory_lock() sees it */
#define MIGRATE_LOCK_KEY	((int64) MIGRATE_LOCK_KEY_LOW)

/* How long a SELECT migrator waits at a time before looking for a deploy */
#define MIGRATE_LOCK_SLICE_MS	1000

/* Whether this session holds a deploy's session locks */
static bool migrate_lock_deploy_held = false;

static void migrate_lock_tag(LOCKTAG *tag);
static void deploy_marker_tag(LOCKTAG *tag);
static int	advisory_holder_pid(const LOCKTAG *tag);
static void lock_timeout_error(void);
static bool migrate_lock_wait_slice(LOCKTAG *tag, bool session_lock, int timeout_ms);
static void migrate_lock_wait(LOCKTAG *tag, bool session_lock, TimestampTz deadline);
static TimestampTz lock_wait_deadline(void);
static int	deploy_holder_pid(void);
static void migrate_lock_acquire_until(bool session_lock, TimestampTz deadline);

/*
 * Fills in the lock tag of the migration lock of the current scope (set and
 * schema) in the current database, laid out as pg_advisory_lock(bigint)
 * lays out its key: for the default scope, the key 1835624306; for another
 * set or a tenant schema, the same low half and a hash of the scope as the
 * high half (see scope_lock_key()), so that two tenants migrate at once
 * while two migrators of one tenant wait for each other.
 */
static void
migrate_lock_tag(LOCKTAG *tag)
{
	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, scope_lock_key(),
						 (uint32) MIGRATE_LOCK_KEY, MIGRATE_LOCK_SUBID_MIGRATION);
}

/*
 * Fills in the lock tag of the deploy marker: the migration lock's key with
 * objsubid 3.
 */
static void
deploy_marker_tag(LOCKTAG *tag)
{
	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, scope_lock_key(),
						 (uint32) MIGRATE_LOCK_KEY, MIGRATE_LOCK_SUBID_DEPLOY);
}

/*
 * Returns the process ID of another session holding an advisory lock in any
 * mode (pg_advisory_lock_shared() blocks a migrator as surely as
 * pg_advisory_lock() does), or 0 if none does.  Reads the lock manager's
 * shared state directly, so it needs no snapshot and sees sessions that
 * hold the lock while idle.
 */
static int
advisory_holder_pid(const LOCKTAG *tag)
{
	LockData   *data = GetLockStatusData();
	int			i;

	for (i = 0; i < data->nelements; i++)
	{
		LockInstanceData *inst = &data->locks[i];

		if (inst->locktag.locktag_type == LOCKTAG_ADVISORY &&
			inst->locktag.locktag_field1 == tag->locktag_field1 &&
			inst->locktag.locktag_field2 == tag->locktag_field2 &&
			inst->locktag.locktag_field3 == tag->locktag_field3 &&
			inst->locktag.locktag_field4 == tag->locktag_field4 &&
			inst->holdMask != 0 &&
			inst->pid != MyProcPid)
			return inst->pid;
	}
	return 0;
}

/*
 * Returns the process ID of a session holding the migration lock, or 0 if
 * none does.
 */
int
migrate_lock_holder_pid(void)
{
	LOCKTAG		tag;

	migrate_lock_tag(&tag);
	return advisory_holder_pid(&tag);
}

/*
 * Raises the error of a migrator that waited migrate.lock_wait_timeout for
 * the migration lock, naming the holder.
 */
static void
lock_timeout_error(void)
{
	int			holder = migrate_lock_holder_pid();

	ereport(ERROR,
			(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
			 errmsg("could not obtain the migration lock within migrate.lock_wait_timeout"),
			 holder != 0 ?
			 errdetail("Another migrator, the session with process ID %d, holds the lock.", holder) :
			 errdetail("Another migrator held the lock."),
			 errhint("Wait for that migration to finish, or raise migrate.lock_wait_timeout.")));
}

/*
 * Waits for an advisory lock at most timeout_ms (0: for ever); returns
 * false if that time passed first.
 */
static bool
migrate_lock_wait_slice(LOCKTAG *tag, bool session_lock, int timeout_ms)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	int			nestlevel;
	char		timeout[32];
	volatile bool acquired = true;

	nestlevel = NewGUCNestLevel();
	snprintf(timeout, sizeof(timeout), "%d", timeout_ms);
	(void) set_config_option("lock_timeout", timeout,
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	PG_TRY();
	{
		(void) LockAcquire(tag, ExclusiveLock, session_lock, false);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		if (edata->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE)
			PG_RE_THROW();
		FlushErrorState();
		FreeErrorData(edata);
		acquired = false;
	}
	PG_END_TRY();
	AtEOXact_GUC(true, nestlevel);
	return acquired;
}

/*
 * Returns when a wait for the migration lock must give up, by
 * migrate.lock_wait_timeout from now; 0 for never.
 */
static TimestampTz
lock_wait_deadline(void)
{
	if (migrate_lock_wait_timeout <= 0)
		return 0;
	return TimestampTzPlusMilliseconds(GetCurrentTimestamp(), migrate_lock_wait_timeout);
}

/*
 * Returns the process ID of another session's deploy (running, or waiting
 * for the migration lock), or 0.
 */
static int
deploy_holder_pid(void)
{
	LOCKTAG		marker;

	deploy_marker_tag(&marker);
	return advisory_holder_pid(&marker);
}

/*
 * Waits for the migration lock (or, for a deploy, the deploy marker) until
 * deadline (0: for ever).  A session lock is taken by a deploy, which has
 * committed and holds no snapshot: it simply waits.  A transaction lock is
 * taken inside a SELECT, which holds a snapshot: it waits in slices, and
 * gives up at once when it finds a deploy holding or waiting for the lock.
 */
static void
migrate_lock_wait(LOCKTAG *tag, bool session_lock, TimestampTz deadline)
{
	for (;;)
	{
		int			slice = session_lock ? 0 : MIGRATE_LOCK_SLICE_MS;
		int			deploy;

		CHECK_FOR_INTERRUPTS();

		if (deadline != 0)
		{
			long		remaining = TimestampDifferenceMilliseconds(GetCurrentTimestamp(),
																	deadline);

			if (remaining <= 0)
				lock_timeout_error();
			slice = slice == 0 ? (int) remaining : Min(slice, (int) remaining);
		}
		if (!session_lock && (deploy = deploy_holder_pid()) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
					 errmsg("a deploy in the session with process ID %d holds or waits for the migration lock", deploy),
					 errdetail("Waiting for it while holding a snapshot, as this call would, could stop its concurrent index builds until this transaction ends."),
					 errhint("Try again when the deploy has finished, or use CALL migrate_deploy(), which waits for it without holding a snapshot.")));
		if (migrate_lock_wait_slice(tag, session_lock, slice))
			return;
	}
}

/*
 * Takes the migration lock, for the current transaction or, with
 * session_lock, until migrate_lock_release_deploy().  If another session
 * holds it, says so once with a NOTICE and waits at most
 * migrate.lock_wait_timeout.  Taking it again while holding it is a no-op.
 */
void
migrate_lock_acquire(bool session_lock)
{
	migrate_lock_acquire_until(session_lock, lock_wait_deadline());
}

/*
 * Takes the migration lock as migrate_lock_acquire() does, waiting until
 * deadline at most (0: for ever).  A SELECT migrator that finds a deploy
 * holding or waiting for the lock gives up at once, without the NOTICE.
 * Whoever holds the lock, and in whatever mode, the wait is the lock
 * manager's: interruptible, and bounded by the deadline.
 */
static void
migrate_lock_acquire_until(bool session_lock, TimestampTz deadline)
{
	LOCKTAG		tag;
	int			holder;

	migrate_lock_tag(&tag);
	if (LockAcquire(&tag, ExclusiveLock, session_lock, true) != LOCKACQUIRE_NOT_AVAIL)
		return;

	holder = migrate_lock_holder_pid();
	if (holder != 0 && (session_lock || deploy_holder_pid() == 0))
		ereport(NOTICE,
				(errmsg("waiting for the migration lock held by process %d", holder)));
	migrate_lock_wait(&tag, session_lock, deadline);
}

/*
 * Refuses to go on when this session no longer holds the migration lock
 * after a migration's statements ran (or, for a deploy, the deploy
 * marker): a statement released it (pg_advisory_unlock_all(), ...), and
 * another migrator could have run the same migration at the same time.
 * Called after each migration, before it is recorded, and after each
 * statement a worker ran.
 */
void
migrate_lock_check_held(const Migration *m, MigrateDirection direction)
{
	LOCKTAG		tag;
	LOCKTAG		marker;

	migrate_lock_tag(&tag);
	deploy_marker_tag(&marker);
	if (migrate_lock_held_by_me(&tag, ExclusiveLock) &&
		(!migrate_lock_deploy_held || migrate_lock_held_by_me(&marker, ExclusiveLock)))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("migration " INT64_FORMAT " \"%s\" (%s) released the migration lock",
					m->version, m->name, direction_name(direction)),
			 errdetail("A statement of its body released the advisory lock that keeps other migrators out (pg_advisory_unlock_all() or pg_advisory_unlock()), so another migrator could have run at the same time."),
			 errhint("Remove the call that releases advisory locks from the migration, then check migrate_status().")));
}

/*
 * Takes the deploy marker and then the migration lock, both for the session,
 * for a deploy that has committed and holds no snapshot.  Another deploy
 * holds the marker while it runs: this one waits for it (saying so once).
 * The two waits together last at most migrate.lock_wait_timeout.
 */
void
migrate_lock_acquire_deploy(void)
{
	LOCKTAG		marker;
	TimestampTz deadline = lock_wait_deadline();

	deploy_marker_tag(&marker);
	if (LockAcquire(&marker, ExclusiveLock, true, true) == LOCKACQUIRE_NOT_AVAIL)
	{
		ereport(NOTICE,
				(errmsg("waiting for the deploy running in process %d",
						advisory_holder_pid(&marker))));
		migrate_lock_wait(&marker, true, deadline);
	}
	PG_TRY();
	{
		migrate_lock_acquire_until(true, deadline);
	}
	PG_CATCH();
	{
		(void) LockRelease(&marker, ExclusiveLock, true);
		PG_RE_THROW();
	}
	PG_END_TRY();
	migrate_lock_deploy_held = true;
}

/*
 * Releases the session locks of a deploy: the migration lock and the deploy
 * marker.  Either may not be held (the deploy failed to take it).
 */
void
migrate_lock_release_deploy(void)
{
	LOCKTAG		tag;

	migrate_lock_deploy_held = false;
	migrate_lock_tag(&tag);
	if (migrate_lock_held_by_me(&tag, ExclusiveLock))
		(void) LockRelease(&tag, ExclusiveLock, true);
	deploy_marker_tag(&tag);
	if (migrate_lock_held_by_me(&tag, ExclusiveLock))
		(void) LockRelease(&tag, ExclusiveLock, true);
}

/*
 * Returns whether the transaction of process pid started after a moment (so
 * it cannot have held a lock before then).  False when it is not known.
 */
static bool
transaction_started_after(int pid, TimestampTz moment)
{
	int			n = pgstat_fetch_stat_numbackends();
	int			i;

	for (i = 1; i <= n; i++)
	{
		LocalPgBackendStatus *local = migrate_local_beentry(i);

		if (local != NULL && local->backendStatus.st_procpid == pid)
			return local->backendStatus.st_xact_start_timestamp > moment;
	}
	return false;
}

/*
 * Describes who holds locks on the given relations (RangeVars, resolved with
 * the current search_path), for a migration that timed out waiting for one:
 * "process 123 (AccessShareLock on public.orders)".  Reads the lock
 * manager's shared state, so it needs no snapshot.  The timed-out request
 * is gone by then, and the sessions queued behind it may just have been
 * granted their locks: those whose transaction started after since, when
 * the statement began to wait, are left out.  Returns NULL when no other
 * session holds a lock on them (any more).
 */
char *
migrate_lock_blockers(List *relations, TimestampTz since)
{
	StringInfoData buf;
	LockData   *data = NULL;
	ListCell   *lc;
	int			i;

	initStringInfo(&buf);
	/* read the sessions' transaction start times afresh on each retry */
	pgstat_clear_backend_activity_snapshot();
	foreach(lc, relations)
	{
		RangeVar   *rv = lfirst_node(RangeVar, lc);
		Oid			relid = RangeVarGetRelid(rv, NoLock, true);

		if (!OidIsValid(relid))
			continue;
		if (data == NULL)
			data = GetLockStatusData();
		for (i = 0; i < data->nelements; i++)
		{
			LockInstanceData *inst = &data->locks[i];
			LOCKMODE	mode;

			if (inst->locktag.locktag_type != LOCKTAG_RELATION ||
				inst->locktag.locktag_field1 != MyDatabaseId ||
				inst->locktag.locktag_field2 != relid ||
				inst->pid == MyProcPid || inst->holdMask == 0 ||
				transaction_started_after(inst->pid, since))
				continue;
			for (mode = MaxLockMode; mode > NoLock; mode--)
				if (inst->holdMask & LOCKBIT_ON(mode))
					break;
			appendStringInfo(&buf, "%sprocess %d (%s on %s)", buf.len > 0 ? ", " : "",
							 inst->pid, GetLockmodeName(DEFAULT_LOCKMETHOD, mode),
							 quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
														get_rel_name(relid)));
		}
	}
	return buf.len > 0 ? buf.data : NULL;
}

/*
 * Returns whether taking a lock on one of the given relations (RangeVars)
 * may have to wait for another session: the relation exists and this
 * transaction does not hold an ACCESS EXCLUSIVE lock on it already.  A
 * relation created earlier in this transaction is held so, and no other
 * session can even see it.
 */
bool
migrate_lock_may_wait(List *relations)
{
	ListCell   *lc;

	foreach(lc, relations)
	{
		Oid			relid = RangeVarGetRelid(lfirst_node(RangeVar, lc), NoLock, true);
		LOCKTAG		tag;

		if (!OidIsValid(relid))
			continue;
		SET_LOCKTAG_RELATION(tag, MyDatabaseId, relid);
		if (!migrate_lock_held_by_me(&tag, AccessExclusiveLock))
			return true;
	}
	return false;
}

/*
 * Whether a DROP statement is one whose locks migrate_lock_drop_at_once()
 * knows: DROP TABLE, INDEX, VIEW, MATERIALIZED VIEW or SEQUENCE, without
 * CASCADE (which reaches objects nobody listed) and not CONCURRENTLY.
 */
bool
migrate_lock_drop_is_known(const DropStmt *stmt)
{
	switch (stmt->removeType)
	{
		case OBJECT_TABLE:
		case OBJECT_INDEX:
		case OBJECT_VIEW:
		case OBJECT_MATVIEW:
		case OBJECT_SEQUENCE:
			return stmt->behavior != DROP_CASCADE && !stmt->concurrent;
		default:
			return false;
	}
}

/*
 * Takes an ACCESS EXCLUSIVE lock on a relation unless another session holds
 * or awaits a conflicting one; returns whether this transaction holds it.
 */
static bool
lock_relation_at_once(Oid relid)
{
	LOCKTAG		tag;

	SET_LOCKTAG_RELATION(tag, MyDatabaseId, relid);
	if (migrate_lock_held_by_me(&tag, AccessExclusiveLock))
		return true;
	return ConditionalLockRelationOid(relid, AccessExclusiveLock);
}

/*
 * Takes at once the locks dropping a plain table takes beyond its own (its
 * indexes and TOAST table go with it, and nobody locks them without it):
 * the tables its foreign keys refer to, whose triggers go, and the
 * sequences it owns.  A partition, whose parent the drop locks too, is left
 * to the caller's caution.  Returns whether all are held.
 */
static bool
lock_table_dependents_at_once(Oid relid)
{
	Relation	rel;
	List	   *parents = NIL;
	ListCell   *lc;

	if (get_rel_relispartition(relid))
		return false;
	rel = relation_open(relid, NoLock);
	foreach(lc, RelationGetFKeyList(rel))
	{
		ForeignKeyCacheInfo *fk = lfirst_node(ForeignKeyCacheInfo, lc);

		if (fk->confrelid != relid)
			parents = lappend_oid(parents, fk->confrelid);
	}
	relation_close(rel, NoLock);
	foreach(lc, parents)
		if (!lock_relation_at_once(lfirst_oid(lc)))
			return false;
	foreach(lc, getOwnedSequences(relid))
		if (!lock_relation_at_once(lfirst_oid(lc)))
			return false;
	return true;
}

/*
 * Takes, without waiting, every relation lock a DROP statement of a kind
 * migrate_lock_drop_is_known() accepts will take: each relation it names
 * that exists, an index's table, and a table's dependents (see
 * lock_table_dependents_at_once()).  Returns false when one is held by
 * another session (or the relation is of a kind whose locks are not known
 * here, or the current user does not own it): the statement may have to
 * wait.  The locks are those the statement takes anyway, taken a moment
 * earlier, and only when no wait is needed.  Names resolve through the
 * current search_path, which must be the one the statement will run under.
 */
bool
migrate_lock_drop_at_once(const DropStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->objects)
	{
		List	   *names = lfirst_node(List, lc);
		Oid			relid;

		/* a name with a database in it gets its error from the statement */
		if (list_length(names) > 2)
			return false;
		relid = RangeVarGetRelid(makeRangeVarFromNameList(names), NoLock, true);
		if (!OidIsValid(relid))
			continue;			/* IF EXISTS, or the statement's own error */
		/* a role that may not drop it takes no lock here: it gets the error */
		if (!migrate_owns_relation(relid))
			return false;
		switch (get_rel_relkind(relid))
		{
			case RELKIND_RELATION:
				if (!lock_relation_at_once(relid) || !lock_table_dependents_at_once(relid))
					return false;
				break;
			case RELKIND_INDEX:
				{
					Oid			table = IndexGetRelation(relid, true);

					if (!OidIsValid(table) || !lock_relation_at_once(table) ||
						!lock_relation_at_once(relid))
						return false;
				}
				break;
			case RELKIND_VIEW:
			case RELKIND_MATVIEW:
			case RELKIND_SEQUENCE:
				if (!lock_relation_at_once(relid))
					return false;
				break;
			default:
				return false;
		}
	}
	return true;
}
