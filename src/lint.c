/*-------------------------------------------------------------------------
 *
 * lint.c
 *	  The safety lint: unsafe DDL found with the server's parser and the
 *	  live catalog.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"

/*
 * Returns the findings of the safety rules for a parsed body, in statement
 * order.
 */
List *
lint_body(const char *body, MigrateBody *parsed)
{
	return NIL;
}
