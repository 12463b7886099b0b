/*-------------------------------------------------------------------------
 *
 * verify.c
 *	  migrate_verify(): proving that a migration's down undoes its up.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
