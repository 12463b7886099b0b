/*-------------------------------------------------------------------------
 *
 * subxact.c
 *	  Running a piece of work in a subtransaction and catching its error.
 *
 * The runner retries a migration rolled back after a lock timeout, and the
 * safety lint asks the catalog questions whose answer may be an error; both
 * need the work undone on an error and the error in hand, the transaction
 * still usable.  The lint's questions are undone even when they are
 * answered: nothing the lint looked at stays behind.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
#include "runner.h"

#include "access/xact.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

static ErrorData *subxact_execute(void (*work) (void *arg), void *arg, bool keep);

/*
 * Runs work(arg) in a subtransaction, which is committed into the current
 * transaction when work() finishes and keep is true, and rolled back
 * otherwise.  Returns NULL when work() finished, or its error, copied into
 * the caller's memory context.  work() runs in the caller's memory context,
 * so what it allocates there outlives the subtransaction either way.
 */
static ErrorData *
subxact_execute(void (*work) (void *arg), void *arg, bool keep)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	ErrorData  *volatile error = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);
	PG_TRY();
	{
		work(arg);
		if (keep)
			ReleaseCurrentSubTransaction();
		else
			RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcontext);
		error = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
	}
	PG_END_TRY();
	return error;
}

/*
 * Runs work(arg) in a subtransaction.  Returns NULL when it finished (the
 * subtransaction is then committed into the current transaction), or its
 * error, copied into the caller's memory context, after rolling the
 * subtransaction back.
 */
ErrorData *
subxact_run(void (*work) (void *arg), void *arg)
{
	return subxact_execute(work, arg, true);
}

/*
 * Runs work(arg) in a subtransaction that is always rolled back, whether it
 * finished or not, so that nothing it did stays: no row it wrote, no lock it
 * took.  Returns NULL when it finished, or its error, copied into the
 * caller's memory context.  The answer work() gives must be left in the
 * caller's memory (arg), where it survives the rollback.
 */
ErrorData *
subxact_probe(void (*work) (void *arg), void *arg)
{
	return subxact_execute(work, arg, false);
}
