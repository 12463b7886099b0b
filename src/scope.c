/*-------------------------------------------------------------------------
 *
 * scope.c
 *	  The set and tenant schema a call acts on.
 *
 * Every migration belongs to a set ('main' unless told otherwise), and a
 * set can be applied to many tenant schemas, each with its own applied
 * state and history.  The SQL-callable functions read their set and schema
 * arguments into migrate_scope first; every internal query that reads or
 * writes per-set or per-schema rows binds them from there (see catalog.c),
 * the migration lock is taken per set and schema (lock.c), and the bodies of
 * a tenant's migrations run with search_path set to its schema (runner.c).
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
#include "catalog.h"
#include "scope.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

/* The longest set name: a name like any other in the catalogs */
#define SCOPE_MAX_SET_LENGTH (NAMEDATALEN - 1)

MigrateScope migrate_scope = {SCOPE_DEFAULT_SET, ""};

/*
 * Makes set and schema ("" for none) the scope of the running call.  Both
 * are copied into TopMemoryContext, as a deploy commits (and frees the
 * memory of its transactions) while it runs.
 */
void
scope_set(const char *set, const char *schema)
{
	static char *kept_set = NULL;
	static char *kept_schema = NULL;

	if (kept_set == NULL || strcmp(kept_set, set) != 0)
	{
		if (kept_set != NULL)
			pfree(kept_set);
		kept_set = MemoryContextStrdup(TopMemoryContext, set);
	}
	if (kept_schema == NULL || strcmp(kept_schema, schema) != 0)
	{
		if (kept_schema != NULL)
			pfree(kept_schema);
		kept_schema = MemoryContextStrdup(TopMemoryContext, schema);
	}
	migrate_scope.set = kept_set;
	migrate_scope.schema = kept_schema;
}

/*
 * Returns the set named by argument argno of a call, checked: not NULL, not
 * empty, at most 63 bytes.
 */
const char *
scope_arg_set(FunctionCallInfo fcinfo, int argno)
{
	char	   *set;

	if (argno < 0 || argno >= PG_NARGS())
		return SCOPE_DEFAULT_SET;
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("migration set must not be null"),
				 errhint("Leave set out for the default set, '%s'.", SCOPE_DEFAULT_SET)));
	set = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	if (set[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("migration set must not be empty"),
				 errhint("Leave set out for the default set, '%s'.", SCOPE_DEFAULT_SET)));
	if (strlen(set) > SCOPE_MAX_SET_LENGTH)
		ereport(ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("migration set name \"%s\" is too long", set),
				 errdetail("A set name has at most %d bytes.", SCOPE_MAX_SET_LENGTH)));
	return set;
}

/*
 * Checks a tenant schema given by name: it must exist.  Returns it; NULL
 * (no schema) is returned as "".
 */
const char *
scope_check_schema(const char *schema)
{
	if (schema == NULL)
		return "";
	if (schema[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("schema name must not be empty"),
				 errhint("Leave schema out (or pass NULL) to run under the session's own search_path.")));
	if (!OidIsValid(get_namespace_oid(schema, true)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_SCHEMA),
				 errmsg("schema \"%s\" does not exist", schema),
				 errhint("Create the tenant's schema first; migrate applies a set to a schema that exists.")));
	return schema;
}

/*
 * Reads the scope of a call from its arguments: the set from argument
 * set_argno and the schema from argument schema_argno (-1: the call takes
 * none), and makes it the current scope.
 */
void
scope_from_args(FunctionCallInfo fcinfo, int set_argno, int schema_argno)
{
	const char *set = scope_arg_set(fcinfo, set_argno);
	const char *schema = NULL;

	if (schema_argno >= 0 && schema_argno < PG_NARGS() && !PG_ARGISNULL(schema_argno))
		schema = text_to_cstring(PG_GETARG_TEXT_PP(schema_argno));
	scope_set(set, scope_check_schema(schema));
}

/*
 * Returns whether the current scope is the default one (set 'main', no
 * schema): the scope of every call in release 1.0.
 */
bool
scope_is_default(void)
{
	return strcmp(migrate_scope.set, SCOPE_DEFAULT_SET) == 0 &&
		migrate_scope.schema[0] == '\0';
}

/*
 * Refuses a set that nothing was ever defined, applied or repeated in
 * (a misspelt name, most likely); the default set always exists.
 */
void
scope_require_known_set(void)
{
	if (strcmp(migrate_scope.set, SCOPE_DEFAULT_SET) == 0)
		return;
	catalog_exec(Q_SET_KNOWN, NULL, NULL, true, 1);
	if (SPI_processed > 0)
	{
		SPI_freetuptable(SPI_tuptable);
		return;
	}
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("migration set \"%s\" does not exist", migrate_scope.set),
			 errdetail("No migration of that set is defined, applied or recorded."),
			 errhint("Check the name, or define the set's migrations first (migrate_define(..., set => '%s') or pg_migrate load --set %s).",
					 migrate_scope.set, migrate_scope.set)));
}

/*
 * Sets search_path to the scope's schema, at the current GUC nesting level,
 * so that a tenant's migration creates and finds its objects there; with
 * no schema, leaves the caller's search_path alone.
 */
void
scope_apply_search_path(void)
{
	if (migrate_scope.schema[0] == '\0')
		return;
	(void) set_config_option("search_path", quote_identifier(migrate_scope.schema),
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
							 false);
}

/*
 * Returns the scope as words for messages: "" for the default scope,
 * otherwise " of set \"s\"", " in schema \"t\"" or both.
 */
const char *
scope_describe(void)
{
	bool		other_set = strcmp(migrate_scope.set, SCOPE_DEFAULT_SET) != 0;
	bool		schema = migrate_scope.schema[0] != '\0';

	if (other_set && schema)
		return psprintf(" of set \"%s\" in schema \"%s\"", migrate_scope.set,
						migrate_scope.schema);
	if (other_set)
		return psprintf(" of set \"%s\"", migrate_scope.set);
	if (schema)
		return psprintf(" in schema \"%s\"", migrate_scope.schema);
	return "";
}

/*
 * Returns the high half of the migration lock's key for the current scope:
 * 0 for the default scope (the lock of release 1.0, the same as
 * pg_advisory_lock(1835624306)), and otherwise a hash of the set and schema,
 * never 0.  Two scopes that hash alike only wait for each other.
 */
uint32
scope_lock_key(void)
{
	size_t		set_length;
	size_t		schema_length;
	char	   *key;
	uint32		hash;

	if (scope_is_default())
		return 0;
	set_length = strlen(migrate_scope.set);
	schema_length = strlen(migrate_scope.schema);
	key = palloc(set_length + schema_length + 1);
	memcpy(key, migrate_scope.set, set_length + 1);
	memcpy(key + set_length + 1, migrate_scope.schema, schema_length);
	hash = hash_bytes((const unsigned char *) key, (int) (set_length + schema_length + 1));
	pfree(key);
	return hash == 0 ? 1 : hash;
}

/* A schema of a list, by OID, with its position in the list (from 1) */
typedef struct SchemaSeen
{
	Oid			oid;
	int			position;
} SchemaSeen;

/*
 * Returns an empty hash table of SchemaSeen, sized for n schemas: a list of
 * thousands of tenants is checked for repeats in linear time.
 */
static HTAB *
schemas_seen_create(int n)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(SchemaSeen);
	ctl.hcxt = CurrentMemoryContext;
	return hash_create("migrate schemas given", n, &ctl,
					   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

/*
 * Reads a schemas argument (migrate_deploy(), migrate_revert(),
 * migrate_status_schemas()): NIL
 * for NULL (no tenant schema), otherwise the schemas in order, each
 * checked to exist, none NULL and none twice.  Every check comes before
 * anything runs.
 */
List *
scope_schemas_argument(FunctionCallInfo fcinfo, int argno)
{
	ArrayType  *array;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;
	List	   *result = NIL;
	HTAB	   *seen;

	if (argno >= PG_NARGS() || PG_ARGISNULL(argno))
		return NIL;
	array = PG_GETARG_ARRAYTYPE_P(argno);
	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("schemas must be a one-dimensional array")));
	deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("schemas must not be empty"),
				 errhint("Pass the tenant schemas to migrate, or leave schemas out to run under the session's own search_path.")));
	seen = schemas_seen_create(n);
	for (i = 0; i < n; i++)
	{
		char	   *schema;
		SchemaSeen *entry;
		Oid			oid;
		bool		found;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("schemas must not hold null"),
					 errdetail("Element %d of %d is null; nothing was run.", i + 1, n)));
		schema = TextDatumGetCString(elems[i]);
		oid = get_namespace_oid(scope_check_schema(schema), false);
		entry = (SchemaSeen *) hash_search(seen, &oid, HASH_ENTER, &found);
		if (found)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("schema \"%s\" is given twice", schema),
					 errdetail("Elements %d and %d of schemas are the same; nothing was run.",
							   entry->position, i + 1)));
		entry->position = i + 1;
		result = lappend(result, schema);
	}
	hash_destroy(seen);
	return result;
}
