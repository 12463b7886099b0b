/*-------------------------------------------------------------------------
 *
 * older_server.c
 *	  Stand-ins, for the test build only, of server functions that the
 *	  headers of a newer minor release reference and an older server of the
 *	  same major release lacks.
 *
 * test/run.sh builds the extension for PostgreSQL 17 against Debian's
 * headers and runs it on the server from npm, which can be a few minor
 * releases older.  PostgreSQL 17.11 made the inline heap_getattr() call
 * heap_datum_check() for versioned datum tuples, a kind of tuple that
 * earlier 17.x servers never create; loading the extension into such a
 * server fails on the missing symbol.  test/run.sh links this file into
 * the test build only when the server does not export the function.  A
 * release build is made against the headers of the server it runs on and
 * never includes it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"

/*
 * Checks a versioned datum tuple against its row type.  A server that does
 * not have this function never makes such a tuple, so heap_getattr() never
 * calls it there: nothing to check.
 */
void
heap_datum_check(HeapTupleHeader tup, TupleDesc tupleDesc)
{
}
