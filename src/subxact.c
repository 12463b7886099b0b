/*-------------------------------------------------------------------------
 *
 * subxact.c
 *	  Running a piece of work in a subtransaction and catching its error.
 *
 * The runner retries a migration rolled back after a lock timeout, and the
 * safety lint asks the catalog questions whose answer may be an error; both
 * need the work undone and the error in hand, the transaction still usable.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"

#include "access/xact.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

/*
 * Runs work(arg) in a subtransaction.  Returns NULL when it finished (the
 * subtransaction is then committed into the current transaction), or its
 * error, copied into the caller's memory context, after rolling the
 * subtransaction back.
 */
ErrorData *
subxact_run(void (*work) (void *arg), void *arg)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	ErrorData  *volatile error = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);
	PG_TRY();
	{
		work(arg);
		ReleaseCurrentSubTransaction();
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
