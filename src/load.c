/*-------------------------------------------------------------------------
 *
 * load.c
 *	  migrate_load(): defining a whole set of migrations in one call, the
 *	  server side of "pg_migrate load".
 *
 * The set is a JSON array of objects, one per migration, as a client reads
 * them from a folder of files.  Every element is checked, and every
 * definition decided, before anything is written: one invalid element, or
 * one migration applied with other content, stops the call with nothing
 * changed.  Each migration is defined as migrate_define() defines it (see
 * define.h), but one whose stored row already is what it would leave is
 * told apart without parsing or linting its bodies, and the stored rows
 * are read with two queries for the whole set, so that loading a set that
 * has not changed costs a comparison per migration.  A pending migration
 * that the set no longer holds is named in a WARNING, and removed only when
 * the caller asks to prune.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
#include "catalog.h"
#include "scope.h"
#include "define.h"
#include "lint.h"
#include "lock.h"
#include "runner.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/tuplestore.h"

/* The keys of an element of the set, for the hint of an unknown one */
#define LOAD_KEYS "version, name, up, down, transactional, safety_assured, file, down_file, up_line and down_line"

/* One element of the set */
typedef struct LoadEntry
{
	int			element;		/* 1-based position in the array */
	DefineRequest req;
	DefinePlan *plan;
} LoadEntry;

/* One row of the result */
typedef struct LoadResult
{
	int64		version;
	char	   *name;
	const char *action;
} LoadResult;

PG_FUNCTION_INFO_V1(migrate_load);
PG_FUNCTION_INFO_V1(migrate_load_arrays);
PG_FUNCTION_INFO_V1(migrate_load_unchanged);

static const char *load_json_type(const JsonbValue *v);
static void load_file_callback(void *arg);
static void load_wrong_type(int element, const char *key, const char *expected,
							const JsonbValue *v);
static char *load_number_text(const JsonbValue *v);
static int64 load_whole_number(int element, const char *key, const char *text);
static char *load_string(int element, const char *key, const JsonbValue *v);
static ArrayType *load_rules(int element, const JsonbValue *v);
static void load_element(LoadEntry *entry, int element, JsonbValue *object);
static LoadEntry *load_entries_from_json(Jsonb *migrations, int *count);
static Datum *load_array(FunctionCallInfo fcinfo, int argno, const char *name,
						 Oid elemtype, bool optional, int *count, bool **nulls);
static LoadEntry *load_entries_from_arrays(FunctionCallInfo fcinfo, int *count);
static void load_sort_entries(LoadEntry *entries, int count);
static char *load_set_checksum(LoadEntry *entries, int count);
static bool load_known_unchanged(const char *set_checksum, const char *loader);
static void load_remember_unchanged(const char *set_checksum, const char *loader);
static void load_put_result(ReturnSetInfo *rsinfo, int64 version, const char *name,
							const char *action);
static void load_set(FunctionCallInfo fcinfo, LoadEntry *entries, int count, bool prune);
static bool load_prune_argument(FunctionCallInfo fcinfo, int argno);
static int	load_entry_cmp(const void *a, const void *b);
static int	load_result_cmp(const void *a, const void *b);
static const char *load_action_name(DefineAction action);
static List *load_read_stored(LoadEntry *entries, int count);

/*
 * Names the type of a JSON value for a message.
 */
static const char *
load_json_type(const JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return "null";
		case jbvString:
			return "a string";
		case jbvNumeric:
			return "a number";
		case jbvBool:
			return "a boolean";
		case jbvBinary:
			return JsonContainerIsObject(v->val.binary.data) ? "an object" : "an array";
		case jbvArray:
			return "an array";
		case jbvObject:
			return "an object";
		default:
			return "a JSON value";
	}
}

/*
 * Error context callback while an element is read: names its file, when it
 * has one.
 */
static void
load_file_callback(void *arg)
{
	const char *file = *(const char **) arg;

	if (file != NULL)
		errcontext("file %s", file);
}

/*
 * Raises the error of a key whose value has the wrong type.
 */
static void
load_wrong_type(int element, const char *key, const char *expected,
				const JsonbValue *v)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("\"%s\" of element %d of migrations must be %s, not %s",
					key, element, expected, load_json_type(v))));
}

/*
 * Returns a JSON number or string as text, for the keys that hold numbers.
 */
static char *
load_number_text(const JsonbValue *v)
{
	if (v->type == jbvNumeric)
		return DatumGetCString(DirectFunctionCall1(numeric_out,
												   NumericGetDatum(v->val.numeric)));
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/*
 * Returns the positive whole number a key holds as text (digits, as a JSON
 * number or a string), or raises an error naming the key.
 */
static int64
load_whole_number(int element, const char *key, const char *text)
{
	const char *p = text;
	bool		negative = (*p == '-');
	int64		result = 0;

	if (negative)
		p++;
	if (*p == '\0' || strspn(p, "0123456789") != strlen(p))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid \"%s\" in element %d of migrations: \"%s\"",
						key, element, text),
				 errdetail("It must be a positive whole number, as a JSON number or a string of digits.")));
	for (; *p; p++)
	{
		int			digit = *p - '0';

		if (result > (PG_INT64_MAX - digit) / 10)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("\"%s\" of element %d of migrations is out of range: %s",
							key, element, text),
					 errdetail("It must fit in a bigint.")));
		result = result * 10 + digit;
	}
	if (negative || result == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" of element %d of migrations must be positive, not %s",
						key, element, text),
				 strcmp(key, "version") == 0 ?
				 errhint("Use a timestamp such as 20261121093000 as the version.") : 0));
	return result;
}

/*
 * Returns the string a key holds, or raises an error naming the key.
 */
static char *
load_string(int element, const char *key, const JsonbValue *v)
{
	if (v->type != jbvString)
		load_wrong_type(element, key, "a string", v);
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/*
 * Returns the rule ids of "safety_assured" (an array of strings) as a
 * text[], or NULL for null.
 */
static ArrayType *
load_rules(int element, const JsonbValue *v)
{
	JsonbIterator *it;
	JsonbValue	elem;
	JsonbIteratorToken token;
	Datum	   *rules;
	int			n = 0;

	if (v->type == jbvNull)
		return NULL;
	if (v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data))
		load_wrong_type(element, "safety_assured", "an array of strings", v);
	rules = palloc(sizeof(Datum) * Max(JsonContainerSize(v->val.binary.data), 1));
	it = JsonbIteratorInit(v->val.binary.data);
	while ((token = JsonbIteratorNext(&it, &elem, true)) != WJB_DONE)
	{
		if (token != WJB_ELEM)
			continue;
		if (elem.type != jbvString)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"safety_assured\" of element %d of migrations must be an array of strings",
							element),
					 errdetail("It holds %s.", load_json_type(&elem))));
		rules[n++] = PointerGetDatum(cstring_to_text_with_len(elem.val.string.val,
															  elem.val.string.len));
	}
	return construct_array(rules, n, TEXTOID, -1, false, TYPALIGN_INT);
}

/*
 * Reads one element of the set (a JSON object) into a request, raising an
 * error for an unknown key, a missing or invalid one.
 */
static void
load_element(LoadEntry *entry, int element, JsonbValue *object)
{
	DefineRequest *req = &entry->req;
	JsonbContainer *container;
	JsonbIterator *it;
	JsonbValue	key;
	JsonbValue	value;
	JsonbIteratorToken token;
	ErrorContextCallback callback;
	bool		has_version = false;

	if (object->type != jbvBinary || !JsonContainerIsObject(object->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("element %d of migrations is not a JSON object", element),
				 errdetail("It is %s.", load_json_type(object)),
				 errhint("Each element is an object with the keys version, name and up, and optionally down, transactional, safety_assured, file, up_line and down_line.")));
	container = object->val.binary.data;

	memset(entry, 0, sizeof(LoadEntry));
	entry->element = element;
	req->transactional = true;

	/* the file first, so that every error about the element names it */
	if (getKeyJsonValueFromContainer(container, "file", 4, &value) != NULL &&
		value.type != jbvNull)
		req->file = load_string(element, "file", &value);
	callback.callback = load_file_callback;
	callback.arg = (void *) &req->file;
	callback.previous = error_context_stack;
	error_context_stack = &callback;

	it = JsonbIteratorInit(container);
	while ((token = JsonbIteratorNext(&it, &key, true)) != WJB_DONE)
	{
		char	   *name;

		if (token != WJB_KEY)
			continue;
		name = pnstrdup(key.val.string.val, key.val.string.len);
		token = JsonbIteratorNext(&it, &value, true);
		Assert(token == WJB_VALUE);

		if (strcmp(name, "version") == 0)
		{
			if (value.type != jbvNumeric && value.type != jbvString)
				load_wrong_type(element, name, "a number or a string of digits", &value);
			req->version = load_whole_number(element, name, load_number_text(&value));
			has_version = true;
		}
		else if (strcmp(name, "name") == 0)
		{
			if (value.type != jbvNull)
				req->name = load_string(element, name, &value);
		}
		else if (strcmp(name, "up") == 0)
		{
			if (value.type != jbvNull)
				req->up = load_string(element, name, &value);
		}
		else if (strcmp(name, "down") == 0)
		{
			if (value.type != jbvNull)
				req->down = load_string(element, name, &value);
		}
		else if (strcmp(name, "transactional") == 0)
		{
			if (value.type == jbvBool)
			{
				req->transactional_given = true;
				req->transactional = value.val.boolean;
			}
			else if (value.type != jbvNull)
				load_wrong_type(element, name, "a boolean or null", &value);
		}
		else if (strcmp(name, "down_file") == 0)
		{
			if (value.type != jbvNull)
				req->down_file = load_string(element, name, &value);
		}
		else if (strcmp(name, "safety_assured") == 0)
			req->safety_assured = load_rules(element, &value);
		else if (strcmp(name, "up_line") == 0 || strcmp(name, "down_line") == 0)
		{
			int64		line;

			if (value.type == jbvNull)
				continue;
			if (value.type != jbvNumeric)
				load_wrong_type(element, name, "a number", &value);
			line = load_whole_number(element, name, load_number_text(&value));
			if (line > PG_INT32_MAX)
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("\"%s\" of element %d of migrations is out of range: " INT64_FORMAT,
								name, element, line)));
			if (name[0] == 'u')
				req->up_line = (int) line;
			else
				req->down_line = (int) line;
		}
		else if (strcmp(name, "file") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("element %d of migrations has an unknown key \"%s\"", element, name),
					 errhint("The keys are " LOAD_KEYS ".")));
	}

	if (!has_version)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("element %d of migrations has no \"version\"", element),
				 errhint("Each element needs a version, a name and an up body.")));
	if (req->name == NULL || define_string_is_blank(req->name))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("name of migration " INT64_FORMAT " must not be empty", req->version),
				 errdetail("Element %d of migrations has no \"name\", or a blank one.", element)));
	if (req->up == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("element %d of migrations has no \"up\"", element),
				 errdetail("Migration " INT64_FORMAT " needs an up body.", req->version)));
	error_context_stack = callback.previous;
}

/*
 * Orders entries by version, and the same version by position in the set.
 */
static int
load_entry_cmp(const void *a, const void *b)
{
	const LoadEntry *x = (const LoadEntry *) a;
	const LoadEntry *y = (const LoadEntry *) b;

	if (x->req.version != y->req.version)
		return x->req.version < y->req.version ? -1 : 1;
	return x->element - y->element;
}

/*
 * Orders result rows by version.
 */
static int
load_result_cmp(const void *a, const void *b)
{
	const LoadResult *x = *(const LoadResult *const *) a;
	const LoadResult *y = *(const LoadResult *const *) b;

	if (x->version != y->version)
		return x->version < y->version ? -1 : 1;
	return 0;
}

/*
 * Reads the JSON form of the set into entries, refusing anything but an
 * array of valid elements.
 */
static LoadEntry *
load_entries_from_json(Jsonb *migrations, int *count)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken token;
	LoadEntry  *entries;
	int			n = 0;

	if (!JB_ROOT_IS_ARRAY(migrations) || JB_ROOT_IS_SCALAR(migrations))
	{
		JsonbValue	scalar;
		const char *type = "an object";

		if (JB_ROOT_IS_SCALAR(migrations) &&
			JsonbExtractScalar(&migrations->root, &scalar))
			type = load_json_type(&scalar);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("migrations must be a JSON array"),
				 errdetail("It is %s.", type),
				 errhint("Pass an array of objects such as {\"version\": 20261121093000, \"name\": \"create_accounts\", \"up\": \"CREATE TABLE accounts (id bigint);\"}.")));
	}

	entries = palloc(sizeof(LoadEntry) * Max(JB_ROOT_COUNT(migrations), 1));
	it = JsonbIteratorInit(&migrations->root);
	while ((token = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (token != WJB_ELEM)
			continue;
		load_element(&entries[n], n + 1, &v);
		n++;
	}
	*count = n;
	return entries;
}

/*
 * Deconstructs the array argument argno (named name) of the array form,
 * which must be one-dimensional with count elements, or NULL when the
 * argument is NULL and optional.
 */
static Datum *
load_array(FunctionCallInfo fcinfo, int argno, const char *name, Oid elemtype,
		   bool optional, int *count, bool **nulls)
{
	ArrayType  *array;
	Datum	   *values;
	int16		elmlen;
	bool		elmbyval;
	char		elmalign;
	int			n;

	*nulls = NULL;
	if (PG_ARGISNULL(argno))
	{
		if (!optional)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not be null", name)));
		return NULL;
	}
	array = PG_GETARG_ARRAYTYPE_P(argno);
	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", name)));
	get_typlenbyvalalign(elemtype, &elmlen, &elmbyval, &elmalign);
	deconstruct_array(array, elemtype, elmlen, elmbyval, elmalign,
					  &values, nulls, &n);
	if (*count < 0)
		*count = n;
	else if (n != *count)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s and versions must have the same number of elements", name),
				 errdetail("versions has %d, %s %d.", *count, name, n),
				 errhint("Give every array one element per migration, in the same order.")));
	return values;
}

/*
 * Reads the array form of the set (one array per field, element i of each
 * describing migration i) into entries, refusing arrays of unequal lengths
 * and NULLs where a value is needed.
 */
static LoadEntry *
load_entries_from_arrays(FunctionCallInfo fcinfo, int *count)
{
	int			n = -1;
	bool	   *version_nulls,
			   *name_nulls,
			   *up_nulls,
			   *down_nulls,
			   *transactional_nulls,
			   *file_nulls,
			   *up_line_nulls,
			   *down_line_nulls,
			   *down_file_nulls;
	Datum	   *versions = load_array(fcinfo, 0, "versions", INT8OID, false, &n, &version_nulls);
	Datum	   *names = load_array(fcinfo, 1, "names", TEXTOID, false, &n, &name_nulls);
	Datum	   *ups = load_array(fcinfo, 2, "ups", TEXTOID, false, &n, &up_nulls);
	Datum	   *downs = load_array(fcinfo, 3, "downs", TEXTOID, true, &n, &down_nulls);
	Datum	   *transactional = load_array(fcinfo, 4, "transactional", BOOLOID, true, &n,
										   &transactional_nulls);
	Datum	   *files = load_array(fcinfo, 5, "files", TEXTOID, true, &n, &file_nulls);
	Datum	   *up_lines = load_array(fcinfo, 6, "up_lines", INT4OID, true, &n, &up_line_nulls);
	Datum	   *down_lines = load_array(fcinfo, 7, "down_lines", INT4OID, true, &n,
										&down_line_nulls);
	Datum	   *down_files = load_array(fcinfo, 8, "down_files", TEXTOID, true, &n,
										&down_file_nulls);
	LoadEntry  *entries = palloc0(sizeof(LoadEntry) * Max(n, 1));
	int			i;

	for (i = 0; i < n; i++)
	{
		DefineRequest *req = &entries[i].req;

		entries[i].element = i + 1;
		if (files != NULL && !file_nulls[i])
			req->file = TextDatumGetCString(files[i]);
		if (version_nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("element %d of versions must not be null", i + 1),
					 req->file ? errdetail("It is the version of file %s.", req->file) : 0));
		if (DatumGetInt64(versions[i]) <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("element %d of versions must be positive, not " INT64_FORMAT,
							i + 1, DatumGetInt64(versions[i])),
					 req->file ? errdetail("It is the version of file %s.", req->file) : 0,
					 errhint("Use a timestamp such as 20261121093000 as the version.")));
		req->version = DatumGetInt64(versions[i]);
		if (name_nulls[i] ||
			define_string_is_blank(req->name = TextDatumGetCString(names[i])))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("name of migration " INT64_FORMAT " must not be empty", req->version),
					 errdetail("Element %d of names is null or blank.", i + 1)));
		if (up_nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("element %d of ups must not be null", i + 1),
					 errdetail("Migration " INT64_FORMAT " needs an up body.", req->version)));
		req->up = TextDatumGetCString(ups[i]);
		if (downs != NULL && !down_nulls[i])
			req->down = TextDatumGetCString(downs[i]);
		req->transactional = true;
		if (transactional != NULL && !transactional_nulls[i])
		{
			req->transactional_given = true;
			req->transactional = DatumGetBool(transactional[i]);
		}
		if (up_lines != NULL && !up_line_nulls[i])
			req->up_line = Max(DatumGetInt32(up_lines[i]), 0);
		if (down_lines != NULL && !down_line_nulls[i])
			req->down_line = Max(DatumGetInt32(down_lines[i]), 0);
		if (down_files != NULL && !down_file_nulls[i])
			req->down_file = TextDatumGetCString(down_files[i]);
	}
	*count = n;
	return entries;
}

/*
 * Sorts entries by version, refusing a version given twice.
 */
static void
load_sort_entries(LoadEntry *entries, int count)
{
	int			i;

	qsort(entries, count, sizeof(LoadEntry), load_entry_cmp);
	for (i = 1; i < count; i++)
	{
		LoadEntry  *a = &entries[i - 1];
		LoadEntry  *b = &entries[i];

		if (a->req.version != b->req.version)
			continue;
		if (a->req.file != NULL && b->req.file != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("migration version " INT64_FORMAT " appears twice in migrations",
							a->req.version),
					 errdetail("Files %s and %s both define it.", a->req.file, b->req.file),
					 errhint("Give one of them another version.")));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("migration version " INT64_FORMAT " appears twice in migrations",
						a->req.version),
				 errdetail("Elements %d and %d both define it.", a->element, b->element),
				 errhint("Give one of them another version.")));
	}
}

/*
 * Returns the word the result uses for an action.
 */
static const char *
load_action_name(DefineAction action)
{
	switch (action)
	{
		case DEFINE_NEW:
			return "new";
		case DEFINE_REPLACED:
			return "replaced";
		case DEFINE_UNCHANGED:
			return "unchanged";
	}
	return "unchanged";			/* keep the compiler quiet */
}

/*
 * Reads the stored definitions of the whole set with two catalog queries,
 * merged with the entries (both in version order): each entry's stored row
 * and applied checksum, as define_read_stored() reads them one by one.
 * Returns the pending migrations (Migration *) that the set does not hold,
 * in version order.  SPI is connected and the lock held.
 */
static List *
load_read_stored(LoadEntry *entries, int count)
{
	List	   *missing = NIL;
	SPITupleTable *rows;
	uint64		nrows;
	uint64		i;
	int			next = 0;

	catalog_exec(Q_ALL_DEFINITIONS_ANY, NULL, NULL, false, 0);
	rows = SPI_tuptable;
	nrows = SPI_processed;
	for (i = 0; i < nrows; i++)
	{
		int64		version;
		bool		isnull;

		version = catalog_getint64(rows->vals[i], rows->tupdesc,
								   catalog_column(rows->tupdesc, "version"), &isnull);
		while (next < count && entries[next].req.version < version)
			next++;
		if (next < count && entries[next].req.version == version)
			define_set_stored(entries[next].plan, rows->vals[i], rows->tupdesc);
		else
		{
			Migration  *m = catalog_read_migration(rows->vals[i], rows->tupdesc);

			if (m->applied_checksum == NULL)
				missing = lappend(missing, m);
		}
	}

	/* applied once, and their definitions removed since */
	catalog_exec(Q_APPLIED_UNDEFINED, NULL, NULL, false, 0);
	rows = SPI_tuptable;
	nrows = SPI_processed;
	next = 0;
	for (i = 0; i < nrows; i++)
	{
		int64		version;
		bool		isnull;

		version = catalog_getint64(rows->vals[i], rows->tupdesc, 1, &isnull);
		while (next < count && entries[next].req.version < version)
			next++;
		if (next < count && entries[next].req.version == version)
			entries[next].plan->applied_checksum =
				catalog_getvalue(rows->vals[i], rows->tupdesc, 2);
	}
	return missing;
}

/*
 * Returns the checksum of the set as the caller gave it (every field that
 * decides what defining it does; not the files and lines, which only place
 * messages), entries being in version order.
 */
static char *
load_set_checksum(LoadEntry *entries, int count)
{
	pg_cryptohash_ctx *ctx = checksum_begin();
	int			i;

	for (i = 0; i < count; i++)
	{
		const DefineRequest *req = &entries[i].req;

		checksum_add_int64(ctx, req->version);
		checksum_add_text(ctx, req->name);
		checksum_add_text(ctx, req->up);
		checksum_add_text(ctx, req->down);
		checksum_add_int64(ctx, req->transactional_given ? req->transactional : -1);
		checksum_add_text(ctx, req->safety_assured == NULL ? NULL :
						  safety_array_text(PointerGetDatum(req->safety_assured)));
	}
	return checksum_end(ctx);
}

/*
 * Returns whether this role loaded the same set at the catalog's current
 * epoch and found every migration unchanged: then, since every change to
 * the catalog bumps the epoch, every migration still is.  SPI is connected
 * and the lock held.
 */
static bool
load_known_unchanged(const char *set_checksum, const char *loader)
{
	Datum		values[2];

	values[0] = CStringGetTextDatum(set_checksum);
	values[1] = CStringGetTextDatum(loader);
	catalog_exec(Q_LOADED_UNCHANGED, values, NULL, false, 1);
	return SPI_processed == 1;
}

/*
 * Records that this role's set, with this checksum, left every migration
 * unchanged at the catalog's current epoch.
 */
static void
load_remember_unchanged(const char *set_checksum, const char *loader)
{
	Datum		values[2];

	values[0] = CStringGetTextDatum(set_checksum);
	values[1] = CStringGetTextDatum(loader);
	catalog_exec(Q_REMEMBER_LOADED, values, NULL, false, 0);
}

/*
 * Adds a row to the function's result.
 */
static void
load_put_result(ReturnSetInfo *rsinfo, int64 version, const char *name,
				const char *action)
{
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	values[0] = Int64GetDatum(version);
	values[1] = CStringGetTextDatum(name);
	values[2] = CStringGetTextDatum(action);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * Defines the entries (the set, read from either form) as migrate_define()
 * would, and returns per version what it did into the function's result:
 * new, replaced, unchanged, or removed (a pending migration the set no
 * longer holds, with prune).  Checks everything before writing anything.
 * A set that this role loaded before, unchanged, with no change to the
 * catalog since, is known unchanged from its checksum alone.
 */
static void
load_set(FunctionCallInfo fcinfo, LoadEntry *entries, int count, bool prune)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			i;
	List	   *missing;
	ListCell   *lc;
	LoadResult **results;
	int			nresults = 0;
	char	   *set_checksum;
	char	   *loader = GetUserNameFromId(GetUserId(), false);
	bool		all_unchanged = true;

	load_sort_entries(entries, count);
	set_checksum = load_set_checksum(entries, count);

	SPI_connect();
	catalog_open();
	migrate_lock_acquire(false);
	catalog_check_snapshot();

	if (load_known_unchanged(set_checksum, loader))
	{
		for (i = 0; i < count; i++)
			load_put_result(rsinfo, entries[i].req.version, entries[i].req.name,
							"unchanged");
		SPI_finish();
		return;
	}

	/* decide everything, so that an error leaves nothing written */
	for (i = 0; i < count; i++)
		entries[i].plan = define_begin(&entries[i].req);
	missing = load_read_stored(entries, count);
	for (i = 0; i < count; i++)
	{
		DefinePlan *plan = entries[i].plan;

		if (!define_same_as_stored(plan))
		{
			define_analyse(plan);
			define_decide(plan);
		}
		if (plan->action != DEFINE_UNCHANGED || plan->bookkeeping)
			all_unchanged = false;
	}
	if (!prune)
		foreach(lc, missing)
		{
			Migration  *m = (Migration *) lfirst(lc);

			ereport(WARNING,
					(errmsg("pending migration " INT64_FORMAT " \"%s\" is not in the set",
							m->version, m->name),
					 errdetail("It stays defined, and migrate_apply() would apply it."),
					 errhint("Load the set with prune => true to remove it, or remove it with migrate_remove().")));
		}

	/* then write */
	results = palloc(sizeof(LoadResult *) * (count + list_length(missing) + 1));
	for (i = 0; i < count; i++)
	{
		LoadResult *r = palloc(sizeof(LoadResult));

		define_store(entries[i].plan);
		r->version = entries[i].req.version;
		r->name = (char *) entries[i].req.name;
		r->action = load_action_name(entries[i].plan->action);
		results[nresults++] = r;
	}
	if (prune)
		foreach(lc, missing)
		{
			Migration  *m = (Migration *) lfirst(lc);
			LoadResult *r = palloc(sizeof(LoadResult));

			define_delete(m->version);
			r->version = m->version;
			r->name = m->name;
			r->action = "removed";
			results[nresults++] = r;
		}
	if (all_unchanged && missing == NIL)
		load_remember_unchanged(set_checksum, loader);

	qsort(results, nresults, sizeof(LoadResult *), load_result_cmp);
	for (i = 0; i < nresults; i++)
		load_put_result(rsinfo, results[i]->version, results[i]->name, results[i]->action);
	SPI_finish();
}

/*
 * Raises the error of a NULL prune.
 */
static bool
load_prune_argument(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("prune must not be null")));
	return PG_GETARG_BOOL(argno);
}

/*
 * migrate_load(migrations jsonb, prune boolean): the set as a JSON array of
 * objects, one per migration.
 */
Datum
migrate_load(PG_FUNCTION_ARGS)
{
	LoadEntry  *entries;
	int			count;
	bool		prune;

	runner_check_entry("migrate_load", true);
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("migrations must not be null"),
				 errhint("Pass an empty array to load an empty set.")));
	prune = load_prune_argument(fcinfo, 1);
	scope_from_args(fcinfo, 2, -1);
	InitMaterializedSRF(fcinfo, 0);
	entries = load_entries_from_json(PG_GETARG_JSONB_P(0), &count);
	load_set(fcinfo, entries, count, prune);
	return (Datum) 0;
}

/*
 * migrate_load(versions, names, ups, downs, transactional, files,
 * up_lines, down_lines, down_files, prune): the same set as one array per
 * field, the form pg_migrate sends (arrays travel in binary, with no
 * parsing).
 */
Datum
migrate_load_arrays(PG_FUNCTION_ARGS)
{
	LoadEntry  *entries;
	int			count;
	bool		prune;

	runner_check_entry("migrate_load", true);
	prune = load_prune_argument(fcinfo, 9);
	scope_from_args(fcinfo, 10, -1);
	InitMaterializedSRF(fcinfo, 0);
	entries = load_entries_from_arrays(fcinfo, &count);
	load_set(fcinfo, entries, count, prune);
	return (Datum) 0;
}

/*
 * migrate_load_unchanged(set_checksum): whether loading the set with this
 * checksum (see load_set_checksum()) would change nothing: this role
 * loaded it, and found it unchanged, at the catalog's current epoch.  Lets
 * a client whose files did not change skip sending them.  Reads two rows;
 * takes no lock, as a load that another session is running could only
 * bump the epoch.
 */
Datum
migrate_load_unchanged(PG_FUNCTION_ARGS)
{
	bool		unchanged;

	runner_check_entry("migrate_load_unchanged", false);
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	scope_from_args(fcinfo, 1, -1);
	SPI_connect();
	catalog_open();
	unchanged = load_known_unchanged(text_to_cstring(PG_GETARG_TEXT_PP(0)),
									 GetUserNameFromId(GetUserId(), false));
	SPI_finish();
	PG_RETURN_BOOL(unchanged);
}
