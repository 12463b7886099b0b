/*-------------------------------------------------------------------------
 *
 * status.c
 *	  migrate_status(): the read-only view of every known migration.  It
 *	  takes no lock and runs nothing.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
#include "catalog.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(migrate_status);

static void copy_result_rows(FunctionCallInfo fcinfo);

/*
 * Copies every row of the last SPI query into the function's materialized
 * result set; the query's columns must match the result's.
 */
static void
copy_result_rows(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			natts = rsinfo->setDesc->natts;
	Datum	   *values = palloc(sizeof(Datum) * natts);
	bool	   *nulls = palloc(sizeof(bool) * natts);
	uint64		i;

	for (i = 0; i < SPI_processed; i++)
	{
		heap_deform_tuple(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, values, nulls);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_freetuptable(SPI_tuptable);
}

/*
 * migrate_status(): every known version in order, with its state (applied,
 * pending, changed, missing, running or failed), when it was applied,
 * whether it runs in a transaction and whether it has a down body.  The rows
 * are those of the extension's internal view migrate_status_rows, read as
 * the extension owner (see catalog.c).
 */
Datum
migrate_status(PG_FUNCTION_ARGS)
{
	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	catalog_open();
	catalog_exec(Q_STATUS, NULL, NULL, true, 0);
	copy_result_rows(fcinfo);
	SPI_finish();
	return (Datum) 0;
}
