/*-------------------------------------------------------------------------
 *
 * reverse.c
 *	  Deriving a migration's down from its up with the server's parser.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"

/*
 * Returns the down derived from an up body, or NULL when a statement cannot
 * be reversed (a NOTICE then says which and why).
 */
char *
reverse_derive_down(const char *up, int64 version, MigrateBody *parsed)
{
	return NULL;
}
