/*-------------------------------------------------------------------------
 *
 * scope.c
 *	  What pg_migrate works on besides the folder's versioned migrations:
 *	  the tenant schemas that --schema and --schemas-from name, whether a
 *	  set is known to the database, and the folder's repeatable migrations,
 *	  loaded with migrate_load_repeatables().
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include "catalog/pg_type_d.h"
#include "common/logging.h"

static void append_array_element(PQExpBuffer buf, const char *value);
static char *text_array(const MigrationFile *files, int count, int field);

/* The fields of a repeatable migration that text_array() gathers */
#define FIELD_NAME	0
#define FIELD_BODY	1
#define FIELD_DOWN	2
#define FIELD_FILE	3

/*
 * Appends one element to a text array's literal: double-quoted, with
 * quotes and backslashes escaped; NULL for a NULL value.
 */
static void
append_array_element(PQExpBuffer buf, const char *value)
{
	const char *p;

	if (buf->data[buf->len - 1] != '{')
		appendPQExpBufferChar(buf, ',');
	if (value == NULL)
	{
		appendPQExpBufferStr(buf, "NULL");
		return;
	}
	appendPQExpBufferChar(buf, '"');
	for (p = value; *p; p++)
	{
		if (*p == '"' || *p == '\\')
			appendPQExpBufferChar(buf, '\\');
		appendPQExpBufferChar(buf, *p);
	}
	appendPQExpBufferChar(buf, '"');
}

/*
 * Sets *array to the schemas to work on, as the literal of a text array:
 * the one --schema names, or those the first column of --schemas-from's
 * query returns, in its order; NULL when neither is given.  Returns false
 * after printing the error when the query fails.
 */
bool
scope_schemas_array(PGconn *conn, const ClientOptions *opts, char **array)
{
	PQExpBufferData buf;
	PGresult   *res;
	int			i;

	*array = NULL;
	if (opts->schema == NULL && opts->schemas_from == NULL)
		return true;
	initPQExpBuffer(&buf);
	appendPQExpBufferChar(&buf, '{');
	if (opts->schema != NULL)
		append_array_element(&buf, opts->schema);
	else
	{
		res = client_exec(conn, opts->schemas_from, 0, NULL);
		if (res != NULL && PQnfields(res) == 0)
		{
			PQclear(res);
			res = NULL;
			pg_log_error("the query of --schemas-from returns no column");
		}
		if (res == NULL)
		{
			pg_log_error("could not get the schemas from the query of --schemas-from");
			pg_log_error_hint("Give a query whose first column is the name of a schema, as in --schemas-from \"SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant%%' ORDER BY 1\".");
			termPQExpBuffer(&buf);
			return false;
		}
		for (i = 0; i < PQntuples(res); i++)
			append_array_element(&buf, PQgetisnull(res, i, 0) ? NULL :
								 PQgetvalue(res, i, 0));
		PQclear(res);
	}
	appendPQExpBufferChar(&buf, '}');
	if (PQExpBufferBroken(&buf))
		pg_fatal("out of memory");
	*array = buf.data;
	return true;
}

/*
 * Whether the database knows the set: something of it is defined, applied
 * or run, as the server judges before it refuses an unknown set.  The
 * default set is always known.
 */
bool
scope_set_known(PGconn *conn, const char *set_name)
{
	const char *params[1];
	const char *schema = client_schema(conn);
	char	   *sql;
	PGresult   *res;
	bool		known;

	if (strcmp(set_name, "main") == 0)
		return true;
	params[0] = set_name;
	sql = psprintf("SELECT EXISTS (SELECT FROM %s.migrate_migrations WHERE set = $1)"
				   " OR EXISTS (SELECT FROM %s.migrate_applied WHERE set = $1)"
				   " OR EXISTS (SELECT FROM %s.migrate_repeatables WHERE set = $1)"
				   " OR EXISTS (SELECT FROM %s.migrate_repeatable_runs WHERE set = $1)",
				   schema, schema, schema, schema);
	res = client_exec(conn, sql, 1, params);
	pfree(sql);
	if (res == NULL)
		exit(EXIT_FAILED);
	known = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return known;
}

/*
 * Returns one field of each repeatable migration as the literal of a text
 * array.
 */
static char *
text_array(const MigrationFile *files, int count, int field)
{
	PQExpBufferData buf;
	int			i;

	initPQExpBuffer(&buf);
	appendPQExpBufferChar(&buf, '{');
	for (i = 0; i < count; i++)
	{
		const MigrationFile *f = &files[i];

		append_array_element(&buf, field == FIELD_NAME ? f->name :
							 field == FIELD_BODY ? f->up :
							 field == FIELD_DOWN ? f->down : f->path);
	}
	appendPQExpBufferChar(&buf, '}');
	if (PQExpBufferBroken(&buf))
		pg_fatal("out of memory");
	return buf.data;
}

/*
 * Defines the folder's repeatable migrations with one call of
 * migrate_load_repeatables() (removing those of the set that no file holds
 * with prune) and prints what changed, and a summary with report_all.  A
 * folder without repeatable migrations leaves those of the database alone
 * unless prune is given.  Returns false after printing the server's error.
 */
bool
scope_load_repeatables(PGconn *conn, const MigrationSet *set,
					   const char *set_name, bool prune, bool report_all,
					   bool quiet)
{
	const char *params[6];
	int			counts[4] = {0, 0, 0, 0};
	static const char *const actions[4] = {"new", "replaced", "unchanged", "removed"};
	char	   *sql;
	PGresult   *res;
	int			i;

	if (set->nrepeatables == 0 && !prune)
		return true;
	params[0] = text_array(set->repeatables, set->nrepeatables, FIELD_NAME);
	params[1] = text_array(set->repeatables, set->nrepeatables, FIELD_BODY);
	params[2] = text_array(set->repeatables, set->nrepeatables, FIELD_DOWN);
	params[3] = text_array(set->repeatables, set->nrepeatables, FIELD_FILE);
	params[4] = prune ? "true" : "false";
	params[5] = set_name;
	sql = psprintf("SELECT name, action FROM %s.migrate_load_repeatables("
				   "names => $1::pg_catalog.text[], bodies => $2::pg_catalog.text[],"
				   " downs => $3::pg_catalog.text[], files => $4::pg_catalog.text[],"
				   " prune => $5::pg_catalog.bool, set => $6::pg_catalog.text)"
				   " ORDER BY name COLLATE \"C\"",
				   client_schema(conn));
	res = client_exec(conn, sql, 6, params);
	pfree(sql);
	for (i = 0; i < 4; i++)
		free((char *) params[i]);
	if (res == NULL)
		return false;
	for (i = 0; i < PQntuples(res); i++)
	{
		const char *action = PQgetvalue(res, i, 1);
		int			a;

		for (a = 0; a < 4; a++)
			if (strcmp(action, actions[a]) == 0)
				counts[a]++;
		if (!quiet && strcmp(action, "unchanged") != 0)
			printf("%-9s repeatable %s\n", action, PQgetvalue(res, i, 0));
	}
	if (report_all)
		printf("loaded %d repeatable migrations: %d new, %d replaced, %d unchanged, %d removed\n",
			   counts[0] + counts[1] + counts[2], counts[0], counts[1], counts[2], counts[3]);
	PQclear(res);
	return true;
}

/*
 * Sets the session's search_path to a tenant's schema, as apply and deploy
 * do for its bodies: lint then judges statements against that schema's
 * tables, and adopt finds the other tool's history table there.  False
 * after printing the error when the schema does not exist.
 */
bool
scope_use_schema(PGconn *conn, const char *schema)
{
	const char *params[1];
	PGresult   *res;
	bool		found;

	params[0] = schema;
	res = client_exec(conn,
					  "SELECT pg_catalog.set_config('search_path', pg_catalog.quote_ident(nspname), false)"
					  " FROM pg_catalog.pg_namespace WHERE nspname = $1", 1, params);
	if (res == NULL)
		return false;
	found = PQntuples(res) == 1;
	PQclear(res);
	if (!found)
		pg_log_error("schema \"%s\" does not exist", schema);
	return found;
}
