/*-------------------------------------------------------------------------
 *
 * worker.c
 *	  Running one statement at top level in a background worker, for the
 *	  statements that cannot run inside a transaction block or a function
 *	  (CREATE INDEX CONCURRENTLY, VACUUM, ...).
 *
 * The calling deploy puts into a dynamic shared memory segment what the
 * worker needs to act as the caller would: the database, the authenticated
 * user and the current role with its security context, the settings
 * (search_path, ...), the timeouts and the statement; and a queue for the
 * worker's messages.  The worker connects as the authenticated user (never
 * as a superuser on the caller's behalf; a NOLOGIN role could not connect at
 * all), takes on the caller's role, and runs the statement through a portal
 * as a client's simple query would, so that PostgreSQL sees it at top
 * level.  Its NOTICEs and WARNINGs are relayed to the caller as they come,
 * its error is raised in the caller once it has exited.
 *
 * The caller waits on its latch, with no snapshot and no lock on the
 * statement's tables (the deploy commits first): a concurrent index build
 * waits for every transaction with an older snapshot, the caller's
 * included, and nothing would detect that deadlock.  While it waits it
 * reports the progress of an index build every few seconds.  A cancel of
 * the caller terminates the worker; a worker that dies is an error.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
#include "compat.h"
#include "runner.h"

#include "access/xact.h"
#include "commands/progress.h"
#include "libpq/pqformat.h"
#include "libpq/pqmq.h"
#include "mb/pg_wchar.h"
#include "parser/analyze.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shm_mq.h"
#include "storage/shm_toc.h"
#include "tcop/pquery.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/backend_status.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/ps_status.h"
#include "utils/snapmgr.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

/* Keys of the shared memory table of contents */
#define WORKER_MAGIC		0x6d696772	/* "migr" */
#define WORKER_KEY_FIXED	1
#define WORKER_KEY_GUC		2
#define WORKER_KEY_SQL		3
#define WORKER_KEY_QUEUE	4
#define WORKER_QUEUE_SIZE	65536

/* How often the caller says how an index build is getting on */
#define WORKER_PROGRESS_MS	5000

/* What the worker needs to act as its caller */
typedef struct WorkerFixed
{
	Oid			database_id;
	Oid			authenticated_user_id;
	Oid			current_user_id;
	int			sec_context;
	int			lock_timeout_ms;
	int			statement_timeout_ms;
	int			caller_pid;
	pid_t		worker_pid;		/* set by the worker once it runs */
} WorkerFixed;

/* What the caller learns from the worker's messages */
typedef struct WorkerOutcome
{
	bool		finished;		/* the worker said the statement completed */
	ErrorData  *error;			/* the worker's error, or NULL */
} WorkerOutcome;

PGDLLEXPORT void migrate_worker_main(Datum main_arg);

static dsm_segment *worker_setup(const char *sql, int lock_timeout_ms,
								 shm_mq_handle **mqh, WorkerFixed **fixed_out);
static BackgroundWorkerHandle *worker_launch(dsm_segment *seg, pid_t *pid);
static void worker_relay(StringInfo msg, const char *sql, WorkerOutcome *outcome);
static const char *index_build_phase(int64 phase);
static void worker_report_progress(pid_t pid, TimestampTz *last_report);
static void worker_wait(shm_mq_handle *mqh, BackgroundWorkerHandle *handle,
						pid_t pid, const char *sql, WorkerOutcome *outcome);
static void worker_execute(const char *sql, const WorkerFixed *fixed);
static void worker_terminate_at_exit(int code, Datum arg);

/* The worker the caller waits for, to stop if the caller's process exits */
static BackgroundWorkerHandle *waited_worker = NULL;
static bool exit_callback_registered = false;

/*
 * Creates the shared memory segment for a worker that runs sql: the caller's
 * identity, settings and timeouts, the statement, and the message queue,
 * to which the caller attaches as the receiver.
 */
static dsm_segment *
worker_setup(const char *sql, int lock_timeout_ms, shm_mq_handle **mqh,
			 WorkerFixed **fixed_out)
{
	shm_toc_estimator estimator;
	Size		guc_size = EstimateGUCStateSpace();
	Size		sql_size = strlen(sql) + 1;
	Size		segsize;
	dsm_segment *seg;
	shm_toc    *toc;
	WorkerFixed *fixed;
	char	   *guc_space;
	char	   *sql_space;
	shm_mq	   *mq;

	shm_toc_initialize_estimator(&estimator);
	shm_toc_estimate_chunk(&estimator, sizeof(WorkerFixed));
	shm_toc_estimate_chunk(&estimator, guc_size);
	shm_toc_estimate_chunk(&estimator, sql_size);
	shm_toc_estimate_chunk(&estimator, WORKER_QUEUE_SIZE);
	shm_toc_estimate_keys(&estimator, 4);
	segsize = shm_toc_estimate(&estimator);

	seg = dsm_create(segsize, 0);
	toc = shm_toc_create(WORKER_MAGIC, dsm_segment_address(seg), segsize);

	fixed = shm_toc_allocate(toc, sizeof(WorkerFixed));
	fixed->database_id = MyDatabaseId;
	fixed->authenticated_user_id = GetAuthenticatedUserId();
	GetUserIdAndSecContext(&fixed->current_user_id, &fixed->sec_context);
	fixed->lock_timeout_ms = lock_timeout_ms;
	fixed->statement_timeout_ms = migrate_statement_timeout;
	fixed->caller_pid = MyProcPid;
	fixed->worker_pid = 0;
	shm_toc_insert(toc, WORKER_KEY_FIXED, fixed);
	*fixed_out = fixed;

	guc_space = shm_toc_allocate(toc, guc_size);
	SerializeGUCState(guc_size, guc_space);
	shm_toc_insert(toc, WORKER_KEY_GUC, guc_space);

	sql_space = shm_toc_allocate(toc, sql_size);
	memcpy(sql_space, sql, sql_size);
	shm_toc_insert(toc, WORKER_KEY_SQL, sql_space);

	mq = shm_mq_create(shm_toc_allocate(toc, WORKER_QUEUE_SIZE), WORKER_QUEUE_SIZE);
	shm_toc_insert(toc, WORKER_KEY_QUEUE, mq);
	shm_mq_set_receiver(mq, MyProc);
	*mqh = shm_mq_attach(mq, seg, NULL);
	return seg;
}

/*
 * Starts the worker for a prepared segment and waits until it runs; sets
 * *pid, or 0 when the worker has stopped already: a worker can start, run
 * its statement and exit before this process looks, and then its messages
 * wait in the queue all the same (worker_run_statement() tells that case
 * from a worker that never started).  Running out of background worker
 * slots is an error with a hint.
 */
static BackgroundWorkerHandle *
worker_launch(dsm_segment *seg, pid_t *pid)
{
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;
	BgwHandleStatus status;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_ConsistentState;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "migrate");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "migrate_worker_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "migrate worker for PID %d", MyProcPid);
	snprintf(worker.bgw_type, BGW_MAXLEN, "migrate worker");
	worker.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
	worker.bgw_notify_pid = MyProcPid;

	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("could not start a background worker to run the statement"),
				 errdetail("Every one of the max_worker_processes slots (%d) is in use.",
						   max_worker_processes),
				 errhint("Try again when fewer background workers run, or raise max_worker_processes.")));
	status = WaitForBackgroundWorkerStartup(handle, pid);
	if (status == BGWH_POSTMASTER_DIED)
		ereport(ERROR,
				(errcode(ERRCODE_ADMIN_SHUTDOWN),
				 errmsg("the server stopped while the background worker was starting")));
	if (status != BGWH_STARTED)
		*pid = 0;
	return handle;
}

/*
 * Handles one message from the worker: a NOTICE or WARNING is raised here
 * at once, an error kept for when the worker has exited, and the end of the
 * statement noted.  A syntax error's position, relative to the statement,
 * is moved onto the statement shown as the internal query.
 */
static void
worker_relay(StringInfo msg, const char *sql, WorkerOutcome *outcome)
{
	char		msgtype = pq_getmsgbyte(msg);

	switch (msgtype)
	{
		case 'E':
		case 'N':
			{
				ErrorData	edata;

				pq_parse_errornotice(msg, &edata);
				edata.elevel = Min(edata.elevel, ERROR);
				if (edata.cursorpos > 0)
				{
					edata.internalpos = edata.cursorpos;
					edata.internalquery = pstrdup(sql);
					edata.cursorpos = 0;
				}
				if (edata.elevel >= ERROR)
				{
					outcome->error = palloc(sizeof(ErrorData));
					memcpy(outcome->error, &edata, sizeof(ErrorData));
				}
				else
					ThrowErrorData(&edata);
				break;
			}
		case 'Z':
			outcome->finished = true;
			break;
		default:
			/* command completion, parameter status, ...: nothing to do */
			break;
	}
}

/*
 * Names a phase of CREATE INDEX as pg_stat_progress_create_index does.
 */
static const char *
index_build_phase(int64 phase)
{
	switch (phase)
	{
		case PROGRESS_CREATEIDX_PHASE_WAIT_1:
			return "waiting for writers before build";
		case PROGRESS_CREATEIDX_PHASE_BUILD:
			return "building index";
		case PROGRESS_CREATEIDX_PHASE_WAIT_2:
			return "waiting for writers before validation";
		case PROGRESS_CREATEIDX_PHASE_VALIDATE_IDXSCAN:
			return "index validation: scanning index";
		case PROGRESS_CREATEIDX_PHASE_VALIDATE_SORT:
			return "index validation: sorting tuples";
		case PROGRESS_CREATEIDX_PHASE_VALIDATE_TABLESCAN:
			return "index validation: scanning table";
		case PROGRESS_CREATEIDX_PHASE_WAIT_3:
			return "waiting for old snapshots";
		case PROGRESS_CREATEIDX_PHASE_WAIT_4:
			return "waiting for readers before marking dead";
		case PROGRESS_CREATEIDX_PHASE_WAIT_5:
			return "waiting for readers before dropping";
		default:
			return "initializing";
	}
}

/*
 * Every WORKER_PROGRESS_MS, says in a NOTICE how the worker's index build
 * (CREATE INDEX or REINDEX CONCURRENTLY) is getting on: its phase, and
 * which transaction it waits for.  Reads the server's activity array, which
 * needs no snapshot.  Only with migrate.progress = on: its lines name
 * processes and come with time.
 */
static void
worker_report_progress(pid_t pid, TimestampTz *last_report)
{
	TimestampTz now = GetCurrentTimestamp();
	int			n;
	int			i;

	if (!migrate_progress_shown(true))
		return;
	if (!TimestampDifferenceExceeds(*last_report, now, WORKER_PROGRESS_MS))
		return;
	*last_report = now;
	pgstat_clear_backend_activity_snapshot();
	n = pgstat_fetch_stat_numbackends();
	for (i = 1; i <= n; i++)
	{
		LocalPgBackendStatus *local = migrate_local_beentry(i);
		PgBackendStatus *status;
		const int64 *param;

		if (local == NULL || local->backendStatus.st_procpid != pid)
			continue;
		status = &local->backendStatus;
		if (status->st_progress_command != PROGRESS_COMMAND_CREATE_INDEX)
			return;
		param = status->st_progress_param;
		if (param[PROGRESS_WAITFOR_TOTAL] > 0)
			ereport(NOTICE,
					(errmsg("index build in process %d: %s", pid,
							index_build_phase(param[PROGRESS_CREATEIDX_PHASE])),
					 errdetail("Waiting for the transaction of process %d (%lld of %lld).",
							   (int) param[PROGRESS_WAITFOR_CURRENT_PID],
							   (long long) param[PROGRESS_WAITFOR_DONE] + 1,
							   (long long) param[PROGRESS_WAITFOR_TOTAL])));
		else
			ereport(NOTICE,
					(errmsg("index build in process %d: %s", pid,
							index_build_phase(param[PROGRESS_CREATEIDX_PHASE]))));
		return;
	}
}

/*
 * Receives the worker's messages until it detaches from the queue, waiting
 * on the latch in between (interruptibly), and then until it has exited.
 */
static void
worker_wait(shm_mq_handle *mqh, BackgroundWorkerHandle *handle, pid_t pid,
			const char *sql, WorkerOutcome *outcome)
{
	TimestampTz last_report = GetCurrentTimestamp();

	for (;;)
	{
		Size		nbytes;
		void	   *data;
		shm_mq_result result = shm_mq_receive(mqh, &nbytes, &data, true);

		if (result == SHM_MQ_SUCCESS)
		{
			StringInfoData msg;

			msg.data = data;
			msg.len = nbytes;
			msg.maxlen = nbytes;
			msg.cursor = 0;
			worker_relay(&msg, sql, outcome);
			continue;
		}
		if (result == SHM_MQ_DETACHED)
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 1000, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (pid != 0)
			worker_report_progress(pid, &last_report);
	}
	if (WaitForBackgroundWorkerShutdown(handle) == BGWH_POSTMASTER_DIED)
		ereport(ERROR,
				(errcode(ERRCODE_ADMIN_SHUTDOWN),
				 errmsg("the server stopped while the background worker ran the statement")));
}

/*
 * Terminates the worker the caller waits for when the caller's process
 * exits without unwinding (pg_terminate_backend() is FATAL): the worker
 * must not go on on its own.
 */
static void
worker_terminate_at_exit(int code, Datum arg)
{
	if (waited_worker != NULL)
		(void) TerminateBackgroundWorker(waited_worker);
	waited_worker = NULL;
}

/*
 * Runs sql, one statement, at top level in a background worker acting as
 * the calling role, under lock_timeout_ms (0: none) and
 * migrate.statement_timeout.  Relays its notices, and raises its error (with
 * its SQLSTATE, detail and hint) once it has exited; a worker that ends
 * without saying the statement completed is an error too.  The caller must
 * hold no snapshot, so that a concurrent index build does not wait for it.
 * A cancel while it waits terminates the worker.
 */
void
worker_run_statement(const char *sql, int lock_timeout_ms)
{
	shm_mq_handle *mqh;
	dsm_segment *seg;
	BackgroundWorkerHandle *handle;
	WorkerFixed *fixed;
	WorkerOutcome outcome;
	pid_t		pid;

	InvalidateCatalogSnapshot();
	if (MyProc->xmin != InvalidTransactionId || ActiveSnapshotSet())
		elog(ERROR, "a statement cannot run in a background worker while the caller holds a snapshot");

	memset(&outcome, 0, sizeof(outcome));
	seg = worker_setup(sql, lock_timeout_ms, &mqh, &fixed);
	if (!exit_callback_registered)
	{
		before_shmem_exit(worker_terminate_at_exit, (Datum) 0);
		exit_callback_registered = true;
	}
	handle = worker_launch(seg, &pid);
	waited_worker = handle;
	shm_mq_set_handle(mqh, handle);
	PG_TRY();
	{
		worker_wait(mqh, handle, pid, sql, &outcome);
	}
	PG_CATCH();
	{
		/* a cancel, a timeout or a relayed notice that failed: stop it */
		waited_worker = NULL;
		(void) TerminateBackgroundWorker(handle);
		PG_RE_THROW();
	}
	PG_END_TRY();
	waited_worker = NULL;
	pid = fixed->worker_pid;
	dsm_detach(seg);

	if (outcome.error != NULL)
		ThrowErrorData(outcome.error);
	if (!outcome.finished && pid == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
				 errmsg("the background worker to run the statement could not start"),
				 errhint("Look in the server log for the reason.")));
	if (!outcome.finished)
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("the background worker (process %d) ended before the statement completed",
						(int) pid),
				 errhint("Look in the server log for the reason.")));
}

/*
 * Runs the statement as a client's simple query would, at top level, so
 * that statements refused inside a transaction block or a function run: the
 * parse and plan live in a context that survives the commits such a
 * statement makes by itself.
 */
static void
worker_execute(const char *sql, const WorkerFixed *fixed)
{
	MemoryContext querycontext;
	MemoryContext oldcontext;
	List	   *parsetrees;
	RawStmt    *parsetree;
	CommandTag	tag;
	List	   *querytrees;
	List	   *plantrees;
	Portal		portal;
	DestReceiver *receiver;
	QueryCompletion qc;
	bool		snapshot_set = false;
	char		timeout[32];

	querycontext = AllocSetContextCreate(TopMemoryContext, "migrate worker statement",
										 ALLOCSET_DEFAULT_SIZES);
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	oldcontext = MemoryContextSwitchTo(querycontext);

	snprintf(timeout, sizeof(timeout), "%d", fixed->lock_timeout_ms);
	(void) set_config_option("lock_timeout", timeout, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SET, true, 0, false);
	if (fixed->statement_timeout_ms > 0)
		enable_timeout_after(STATEMENT_TIMEOUT, fixed->statement_timeout_ms);

	parsetrees = pg_parse_query(sql);
	if (list_length(parsetrees) != 1)
		elog(ERROR, "a migration worker runs exactly one statement, not %d",
			 list_length(parsetrees));
	parsetree = linitial_node(RawStmt, parsetrees);
	tag = CreateCommandTag(parsetree->stmt);
	set_ps_display(GetCommandTagName(tag));
	pgstat_report_activity(STATE_RUNNING, sql);

	if (analyze_requires_snapshot(parsetree))
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		snapshot_set = true;
	}
	querytrees = pg_analyze_and_rewrite_fixedparams(parsetree, sql, NULL, 0, NULL);
	plantrees = pg_plan_queries(querytrees, sql, CURSOR_OPT_PARALLEL_OK, NULL);
	if (snapshot_set)
		PopActiveSnapshot();

	portal = CreatePortal("", true, true);
	portal->visible = false;
	PortalDefineQuery(portal, NULL, sql, tag, plantrees, NULL);
	PortalStart(portal, NULL, 0, InvalidSnapshot);
	receiver = CreateDestReceiver(DestNone);
	MemoryContextSwitchTo(oldcontext);
	(void) migrate_portal_run(portal, FETCH_ALL, true, receiver, receiver, &qc);
	receiver->rDestroy(receiver);
	PortalDrop(portal, false);

	if (fixed->statement_timeout_ms > 0)
		disable_timeout(STATEMENT_TIMEOUT, false);
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);
}

/*
 * The background worker's entry point: attaches to the caller's segment,
 * sends its messages through the queue, connects as the caller's
 * authenticated user, takes on the caller's settings and role, runs the
 * statement, and says it completed.  An error ends the worker, its message
 * on the queue.
 */
void
migrate_worker_main(Datum main_arg)
{
	dsm_segment *seg;
	shm_toc    *toc;
	WorkerFixed *fixed;
	char	   *guc_state;
	char	   *sql;
	shm_mq	   *mq;
	shm_mq_handle *mqh;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	CurrentResourceOwner = ResourceOwnerCreate(NULL, "migrate worker");

	seg = dsm_attach(DatumGetUInt32(main_arg));
	if (seg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("could not map the shared memory of the migrate worker")));
	toc = shm_toc_attach(WORKER_MAGIC, dsm_segment_address(seg));
	if (toc == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the shared memory of the migrate worker is not valid")));
	fixed = shm_toc_lookup(toc, WORKER_KEY_FIXED, false);
	fixed->worker_pid = MyProcPid;
	guc_state = shm_toc_lookup(toc, WORKER_KEY_GUC, false);
	sql = shm_toc_lookup(toc, WORKER_KEY_SQL, false);
	mq = shm_toc_lookup(toc, WORKER_KEY_QUEUE, false);
	shm_mq_set_sender(mq, MyProc);
	mqh = shm_mq_attach(mq, seg, NULL);
	pq_redirect_to_shm_mq(seg, mqh);

	BackgroundWorkerInitializeConnectionByOid(fixed->database_id,
											  fixed->authenticated_user_id, 0);
	StartTransactionCommand();
	RestoreGUCState(guc_state);
	CommitTransactionCommand();
	/* messages go to the caller in the server's encoding */
	SetClientEncoding(GetDatabaseEncoding());

	/*
	 * The statement belongs to a migration: it runs as the caller's role and
	 * cannot change role (see runner_execute()), and it cannot call the
	 * functions that run migrations.
	 */
	SetUserIdAndSecContext(fixed->current_user_id,
						   fixed->sec_context | SECURITY_LOCAL_USERID_CHANGE);
	runner_mark_worker();

	worker_execute(sql, fixed);
	ReadyForQuery(DestRemote);
}
