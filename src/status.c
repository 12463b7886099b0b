/*-------------------------------------------------------------------------
 *
 * status.c
 *	  migrate_status() and migrate_plan(): read-only views of the
 *	  migrations.  Neither takes the migration lock nor runs anything.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(migrate_status);
PG_FUNCTION_INFO_V1(migrate_plan);

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
 * pending, changed or missing), when it was applied, whether it runs in a
 * transaction and whether it has a down body.
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

/*
 * migrate_plan(target, steps): the migrations that migrate_apply() with the
 * same arguments would run now, in order.  Runs nothing and takes no lock.
 */
Datum
migrate_plan(PG_FUNCTION_ARGS)
{
	Datum		values[2];
	char		nulls[2] = {' ', ' '};

	if (!PG_ARGISNULL(1) && PG_GETARG_INT32(1) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("steps must not be negative, not %d", PG_GETARG_INT32(1))));

	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	catalog_open();
	values[0] = PG_ARGISNULL(0) ? (Datum) 0 : PG_GETARG_DATUM(0);
	nulls[0] = PG_ARGISNULL(0) ? 'n' : ' ';
	values[1] = PG_ARGISNULL(1) ? (Datum) 0 : Int64GetDatum((int64) PG_GETARG_INT32(1));
	nulls[1] = PG_ARGISNULL(1) ? 'n' : ' ';
	catalog_exec(Q_PENDING_LIST, values, nulls, true, 0);
	copy_result_rows(fcinfo);
	SPI_finish();
	return (Datum) 0;
}
