/*-------------------------------------------------------------------------
 *
 * status.c
 *	  pg_migrate status: compares the folder with the database, writing
 *	  nothing, in the set --set names and the schemas --schema or
 *	  --schemas-from name, with one query.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include "common/logging.h"

/* The columns of status_sql()'s rows */
#define COL_SCHEMA		0
#define COL_VERSION		1
#define COL_NAME		2
#define COL_STATE		3
#define COL_APPLIED_AT	4
#define COL_APPLIED_BY	5
#define COL_NOTE		6

/* Where status_sql() takes the server's rows from */
typedef enum StatusSource
{
	SOURCE_NONE,				/* a set the database does not know: no rows */
	SOURCE_ONE_SCHEMA,			/* migrate_status() */
	SOURCE_SCHEMAS				/* migrate_status_schemas() */
} StatusSource;

static char *status_rows(const char *ext, StatusSource source);
static char *status_sql(const char *ext, StatusSource source);
static int	print_status(PGresult *res, bool with_schema, bool check);

/*
 * Returns the query of the server's rows (schema, version, name, state,
 * applied_at) for set $3 in the schemas of $4, for extension schema ext:
 * one call of migrate_status_schemas() for a list of schemas (which checks
 * the list as a deploy does), of migrate_status() for one schema or none
 * ({NULL}), and no rows for a set the database does not know.
 */
static char *
status_rows(const char *ext, StatusSource source)
{
	if (source == SOURCE_SCHEMAS)
		return psprintf("SELECT schema, version, name, state, applied_at"
						" FROM %s.migrate_status_schemas($3::pg_catalog.text, $4::pg_catalog.text[])",
						ext);
	if (source == SOURCE_ONE_SCHEMA)
		return psprintf("SELECT o.schema, st.version, st.name, st.state, st.applied_at"
						" FROM pg_catalog.unnest($4::pg_catalog.text[]) AS o(schema),"
						" LATERAL %s.migrate_status(set => $3::pg_catalog.text, schema => o.schema) st",
						ext);
	return pstrdup("SELECT NULL::pg_catalog.text AS schema, NULL::pg_catalog.int8 AS version,"
				   " NULL::pg_catalog.text AS name, NULL::pg_catalog.text AS state,"
				   " NULL::pg_catalog.timestamptz AS applied_at LIMIT 0");
}

/*
 * Returns status's query, for extension schema ext: per schema of $4 (a
 * text array, {NULL} for none, in its order), the versioned migrations of
 * the files ($1, files_to_json()) and of the server's rows for set $3
 * (status_rows()), then the repeatable ones ($2,
 * files_repeatables_to_json()), each with its state, when and by whom it
 * was applied and a note.  A file whose version (or repeatable name) is
 * not defined is pending, "not loaded"; an applied migration is changed
 * when its file differs from the stored definition (a file without a down
 * section matches a derived down), and missing when no file holds it.
 */
static char *
status_sql(const char *ext, StatusSource source)
{
	char	   *rows = status_rows(ext, source);
	char	   *sql;

	sql = psprintf("WITH f AS (SELECT * FROM pg_catalog.jsonb_to_recordset($1::pg_catalog.jsonb)"
				   "   AS f(version bigint, name text, up text, down text, file text)),"
				   " fr AS (SELECT * FROM pg_catalog.jsonb_to_recordset($2::pg_catalog.jsonb)"
				   "   AS fr(name text, body text, down text, file text)),"
				   " sc AS (SELECT * FROM pg_catalog.unnest($4::pg_catalog.text[])"
				   "   WITH ORDINALITY AS sc(schema, n)),"
				   " sr AS (%s)"
				   " SELECT sc.schema, r.version, r.name, r.state, r.applied_at, r.applied_by, r.note"
				   " FROM sc CROSS JOIN LATERAL ("
				   "  WITH s AS (SELECT version, name, state, applied_at FROM sr"
				   "   WHERE sr.schema IS NOT DISTINCT FROM sc.schema)"
				   "  SELECT 0 AS kind, coalesce(s.version, f.version) AS version,"
				   "   coalesce(f.name, s.name) AS name,"
				   "   CASE WHEN s.version IS NULL THEN 'pending'"
				   "    WHEN f.version IS NULL AND s.state IN ('applied', 'changed') THEN 'missing'"
				   "    WHEN s.state = 'applied' AND f.version IS NOT NULL AND"
				   "     (m.name IS DISTINCT FROM f.name OR m.up IS DISTINCT FROM f.up OR"
				   "      (f.down IS NOT NULL AND m.down IS DISTINCT FROM f.down) OR"
				   "      (f.down IS NULL AND m.down IS NOT NULL AND NOT m.down_derived))"
				   "     THEN 'changed'"
				   "    ELSE s.state END AS state,"
				   "   a.applied_at, a.applied_by::pg_catalog.text AS applied_by,"
				   "   CASE WHEN s.version IS NULL THEN 'not loaded'"
				   "    WHEN f.version IS NULL THEN 'no file'"
				   "    WHEN s.state = 'pending' AND"
				   "     (m.name IS DISTINCT FROM f.name OR m.up IS DISTINCT FROM f.up OR"
				   "      (f.down IS NOT NULL AND m.down IS DISTINCT FROM f.down))"
				   "     THEN 'file differs from the loaded definition' END AS note"
				   "  FROM (SELECT * FROM s WHERE s.version IS NOT NULL) s"
				   "  FULL JOIN f ON f.version = s.version"
				   "  LEFT JOIN %s.migrate_migrations m ON m.set = $3 AND m.version = s.version"
				   "  LEFT JOIN %s.migrate_applied a ON a.set = $3"
				   "   AND a.schema = coalesce(sc.schema, '') AND a.version = s.version"
				   "  UNION ALL"
				   "  SELECT 1, NULL, coalesce(fr.name, s.name),"
				   "   CASE WHEN s.name IS NULL THEN 'pending'"
				   "    WHEN fr.name IS NULL AND s.state IN ('applied', 'changed') THEN 'missing'"
				   "    WHEN s.state = 'applied' AND fr.name IS NOT NULL AND"
				   "     (d.body IS DISTINCT FROM fr.body OR d.down IS DISTINCT FROM fr.down)"
				   "     THEN 'changed'"
				   "    ELSE s.state END,"
				   "   s.applied_at,"
				   "   (SELECT u.ran_by::pg_catalog.text FROM %s.migrate_repeatable_runs u"
				   "    WHERE u.set = $3 AND u.schema = coalesce(sc.schema, '') AND u.name = s.name"
				   "    ORDER BY u.id DESC LIMIT 1),"
				   "   CASE WHEN s.name IS NULL OR d.name IS NULL AND fr.name IS NOT NULL THEN 'not loaded'"
				   "    WHEN fr.name IS NULL THEN 'no file'"
				   "    WHEN s.state <> 'applied' AND"
				   "     (d.body IS DISTINCT FROM fr.body OR d.down IS DISTINCT FROM fr.down)"
				   "     THEN 'file differs from the loaded definition' END"
				   "  FROM (SELECT * FROM s WHERE s.version IS NULL) s"
				   "  FULL JOIN fr ON fr.name = s.name"
				   "  LEFT JOIN %s.migrate_repeatables d ON d.set = $3 AND d.name = s.name"
				   " ) r"
				   " ORDER BY sc.n, r.kind, r.version, r.name COLLATE \"C\"",
				   rows, ext, ext, ext, ext);
	pfree(rows);
	return sql;
}

/*
 * Prints status's rows, each schema's name first when with_schema; returns
 * status 3 with check when one is not applied, 0 otherwise.
 */
static int
print_status(PGresult *res, bool with_schema, bool check)
{
	int			status = EXIT_DONE;
	int			width = 0;
	int			i;

	if (PQntuples(res) == 0)
		printf("no migrations\n");
	for (i = 0; with_schema && i < PQntuples(res); i++)
		width = Max(width, (int) strlen(PQgetvalue(res, i, COL_SCHEMA)));
	for (i = 0; i < PQntuples(res); i++)
	{
		const char *state = PQgetvalue(res, i, COL_STATE);

		if (with_schema)
			printf("%-*s  ", width, PQgetvalue(res, i, COL_SCHEMA));
		printf("%-14s  %-8s  %s", PQgetvalue(res, i, COL_VERSION), state,
			   PQgetvalue(res, i, COL_NAME));
		if (!PQgetisnull(res, i, COL_APPLIED_AT))
			printf("  (applied %s by %s)", PQgetvalue(res, i, COL_APPLIED_AT),
				   PQgetvalue(res, i, COL_APPLIED_BY));
		if (!PQgetisnull(res, i, COL_NOTE))
			printf("  [%s]", PQgetvalue(res, i, COL_NOTE));
		printf("\n");
		if (strcmp(state, "applied") != 0 && check)
			status = EXIT_CHECK;
	}
	return status;
}

/*
 * status [--check] [--schema NAME | --schemas-from QUERY]: compares the
 * folder with the database, writing nothing, per schema given (in their
 * order).  --check gives status 3 unless everything is applied in every
 * schema.
 */
int
cmd_status(const ClientOptions *opts)
{
	MigrationSet set;
	PGconn	   *conn;
	PGresult   *res;
	char	   *schemas;
	char	   *sql;
	const char *params[4];
	StatusSource source;
	int			status;

	conn = connect_reading_set(opts, &set);
	if (!scope_schemas_array(conn, opts, &schemas))
	{
		client_disconnect(conn);
		return EXIT_FAILED;
	}
	/* a set the folder holds files of, not loaded yet, is all pending */
	if (set.count + set.nrepeatables > 0 && !scope_set_known(conn, opts->set))
		source = SOURCE_NONE;
	else
		source = opts->schemas_from ? SOURCE_SCHEMAS : SOURCE_ONE_SCHEMA;
	params[0] = files_to_json(&set);
	params[1] = files_repeatables_to_json(&set);
	params[2] = opts->set;
	params[3] = schemas ? schemas : "{NULL}";
	sql = status_sql(client_schema(conn), source);
	res = client_exec(conn, sql, 4, params);
	pfree(sql);
	if (res == NULL)
	{
		client_disconnect(conn);
		return EXIT_FAILED;
	}
	status = print_status(res, opts->schemas_from != NULL, opts->check);
	PQclear(res);
	fflush(stdout);
	client_disconnect(conn);
	return status;
}
