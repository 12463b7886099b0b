/*-------------------------------------------------------------------------
 *
 * scope.h
 *	  The set and tenant schema a call acts on.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_SCOPE_H
#define MIGRATE_SCOPE_H

#include "migrate.h"

/* The set every migration belongs to unless told otherwise */
#define SCOPE_DEFAULT_SET "main"

/*
 * The set and schema of the running call.  schema is "" when the call names
 * no schema: the bodies then run under the caller's own search_path, and
 * the catalog rows carry '' as their schema.
 */
typedef struct MigrateScope
{
	const char *set;
	const char *schema;
} MigrateScope;

/* scope.c */
extern MigrateScope migrate_scope;
extern void scope_set(const char *set, const char *schema);
extern void scope_from_args(FunctionCallInfo fcinfo, int set_argno, int schema_argno);
extern const char *scope_arg_set(FunctionCallInfo fcinfo, int argno);
extern const char *scope_check_schema(const char *schema);
extern List *scope_schemas_argument(FunctionCallInfo fcinfo, int argno);
extern bool scope_is_default(void);
extern void scope_require_known_set(void);
extern void scope_apply_search_path(void);
extern void scope_errcontext(void);
extern const char *scope_describe(void);
extern uint32 scope_lock_key(void);

#endif							/* MIGRATE_SCOPE_H */
