/*-------------------------------------------------------------------------
 *
 * adopt.c
 *	  pg_migrate adopt --from TOOL: taking over a database that another
 *	  migration tool migrated.  Reads the tool's own history table, loads the
 *	  folder, and marks applied, without running them, exactly the
 *	  migrations the tool recorded as applied, in one transaction.  A dirty
 *	  or failed history, a recorded migration that no file holds, or (for
 *	  the tools that keep a checksum) a file that changed since it was
 *	  applied is refused, naming it, with nothing changed.  The tool's table
 *	  is left as it is.  With --schema, the tool's history is read in that
 *	  tenant schema and the migrations are marked applied there.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include "common/logging.h"
#include "common/md5.h"

/* A tool that adopt takes over from */
typedef struct ToolInfo
{
	const char *name;
	FolderFormat format;		/* its folder's layout */
	const char *table;			/* its history table, for messages */
	/* adds the versions it applied to *applied; false after an error */
	bool		(*read_history) (PGconn *conn, const MigrationSet *set,
								 const char *dir, int64 **applied, int *count);
} ToolInfo;

static bool history_exists(PGconn *conn, const ToolInfo *tool);
static PGresult *history_query(PGconn *conn, const char *sql);
static void add_applied(int64 **applied, int *count, int64 version);
static const MigrationFile *file_of_version(const MigrationSet *set, int64 version);
static const MigrationFile *file_of_tool_id(const MigrationSet *set, const char *id);
static bool no_file(const char *tool, const char *recorded);
static bool add_rows_by_tool_id(PGresult *res, const MigrationSet *set, const char *tool,
								int64 **applied, int *count);
static bool history_dbmate(PGconn *conn, const MigrationSet *set, const char *dir,
						   int64 **applied, int *count);
static bool history_golang_migrate(PGconn *conn, const MigrationSet *set, const char *dir,
								   int64 **applied, int *count);
static bool history_diesel(PGconn *conn, const MigrationSet *set, const char *dir,
						   int64 **applied, int *count);
static uint32 flyway_checksum(const char *content);
static bool history_flyway(PGconn *conn, const MigrationSet *set, const char *dir,
						   int64 **applied, int *count);
static char *sqitch_project(const char *dir);
static bool history_sqitch(PGconn *conn, const MigrationSet *set, const char *dir,
						   int64 **applied, int *count);
static bool history_postgrator(PGconn *conn, const MigrationSet *set, const char *dir,
							   int64 **applied, int *count);
static bool history_sql_migrate(PGconn *conn, const MigrationSet *set, const char *dir,
								int64 **applied, int *count);
static char *versions_array(const int64 *versions, int count);

static const ToolInfo tools[] = {
	{"dbmate", FORMAT_NATIVE, "schema_migrations", history_dbmate},
	{"golang-migrate", FORMAT_GOLANG_MIGRATE, "schema_migrations", history_golang_migrate},
	{"diesel", FORMAT_DIESEL, "__diesel_schema_migrations", history_diesel},
	{"flyway", FORMAT_FLYWAY, "flyway_schema_history", history_flyway},
	{"sqitch", FORMAT_SQITCH, "sqitch.changes", history_sqitch},
	{"postgrator", FORMAT_POSTGRATOR, "schemaversion", history_postgrator},
	{"sql-migrate", FORMAT_SQL_MIGRATE, "gorp_migrations", history_sql_migrate},
	{NULL, FORMAT_AUTO, NULL, NULL}
};

/*
 * Returns whether a tool's name is known, for the command line.
 */
bool
adopt_tool_known(const char *name)
{
	int			i;

	for (i = 0; tools[i].name != NULL; i++)
		if (strcmp(tools[i].name, name) == 0)
			return true;
	return false;
}

/*
 * Whether the tool's history table is there, as the tool would find it
 * (through the session's search_path); prints the error when not.
 */
static bool
history_exists(PGconn *conn, const ToolInfo *tool)
{
	const char *params[1] = {tool->table};
	PGresult   *res = client_exec(conn, "SELECT pg_catalog.to_regclass($1) IS NOT NULL", 1, params);
	bool		exists;

	if (res == NULL)
		return false;
	exists = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!exists)
	{
		pg_log_error("%s's history table %s does not exist", tool->name, tool->table);
		pg_log_error_hint("Run adopt on the database %s migrated, with the search_path it used, or with --schema naming the tenant schema that holds the table.",
						  tool->name);
	}
	return exists;
}

/*
 * Runs a query of the history; NULL after printing the error.
 */
static PGresult *
history_query(PGconn *conn, const char *sql)
{
	return client_exec(conn, sql, 0, NULL);
}

/*
 * Appends a version to the applied list.
 */
static void
add_applied(int64 **applied, int *count, int64 version)
{
	*applied = pg_realloc(*applied, sizeof(int64) * (*count + 1));
	(*applied)[(*count)++] = version;
}

/*
 * Returns the file of a version, or NULL.
 */
static const MigrationFile *
file_of_version(const MigrationSet *set, int64 version)
{
	int			i;

	for (i = 0; i < set->count; i++)
		if (set->files[i].version == version)
			return &set->files[i];
	return NULL;
}

/*
 * Returns the file that a tool's history calls id, or NULL.
 */
static const MigrationFile *
file_of_tool_id(const MigrationSet *set, const char *id)
{
	int			i;

	for (i = 0; i < set->count; i++)
		if (set->files[i].tool_id != NULL && strcmp(set->files[i].tool_id, id) == 0)
			return &set->files[i];
	return NULL;
}

/*
 * Prints the error of a recorded migration that no file holds.
 */
static bool
no_file(const char *tool, const char *recorded)
{
	pg_log_error("%s recorded migration %s as applied, and no file of the folder holds it",
				 tool, recorded);
	pg_log_error_hint("Restore its file as it was applied, then run adopt again.");
	return false;
}

/*
 * Adds to the applied list the files that the rows of res name in their
 * first column, by the tool's own ids (a directory's digits, a change or
 * file name); refuses a row that no file holds.  Frees res.
 */
static bool
add_rows_by_tool_id(PGresult *res, const MigrationSet *set, const char *tool,
					int64 **applied, int *count)
{
	int			i;

	if (res == NULL)
		return false;
	for (i = 0; i < PQntuples(res); i++)
	{
		const MigrationFile *file = file_of_tool_id(set, PQgetvalue(res, i, 0));

		if (file == NULL)
		{
			no_file(tool, PQgetvalue(res, i, 0));
			PQclear(res);
			return false;
		}
		add_applied(applied, count, file->version);
	}
	PQclear(res);
	return true;
}

/*
 * dbmate: schema_migrations(version varchar), one row per applied
 * migration.
 */
static bool
history_dbmate(PGconn *conn, const MigrationSet *set, const char *dir,
			   int64 **applied, int *count)
{
	PGresult   *res = history_query(conn, "SELECT version::pg_catalog.text FROM schema_migrations ORDER BY 1");
	int			i;

	if (res == NULL)
		return false;
	for (i = 0; i < PQntuples(res); i++)
	{
		const char *v = PQgetvalue(res, i, 0);
		int64		version = strtoi64(v, NULL, 10);

		if (file_of_version(set, version) == NULL)
			return no_file("dbmate", v);
		add_applied(applied, count, version);
	}
	PQclear(res);
	return true;
}

/*
 * golang-migrate: schema_migrations(version bigint, dirty boolean), one row
 * holding the version migrated to; every migration up to it is applied.
 * A dirty row means a migration failed half-way.
 */
static bool
history_golang_migrate(PGconn *conn, const MigrationSet *set, const char *dir,
					   int64 **applied, int *count)
{
	PGresult   *res = history_query(conn, "SELECT version::pg_catalog.text, dirty FROM schema_migrations");
	int64		current;
	int			i;

	if (res == NULL)
		return false;
	if (PQntuples(res) == 0)
	{
		PQclear(res);
		return true;
	}
	current = strtoi64(PQgetvalue(res, 0, 0), NULL, 10);
	if (strcmp(PQgetvalue(res, 0, 1), "t") == 0)
	{
		pg_log_error("golang-migrate's history is dirty at version " INT64_FORMAT, current);
		pg_log_error_detail("Migration " INT64_FORMAT " failed part-way, and the database is in a state no file describes.", current);
		pg_log_error_hint("Repair the database by hand and clear the flag as golang-migrate's documentation says (migrate force VERSION), then run adopt again.");
		PQclear(res);
		return false;
	}
	if (current > 0 && file_of_version(set, current) == NULL)
		return no_file("golang-migrate", PQgetvalue(res, 0, 0));
	for (i = 0; i < set->count; i++)
		if (set->files[i].version <= current)
			add_applied(applied, count, set->files[i].version);
	PQclear(res);
	return true;
}

/*
 * diesel: __diesel_schema_migrations(version varchar, run_on timestamp),
 * one row per applied migration, the version being its directory's digits.
 */
static bool
history_diesel(PGconn *conn, const MigrationSet *set, const char *dir,
			   int64 **applied, int *count)
{
	PGresult   *res = history_query(conn, "SELECT version::pg_catalog.text FROM __diesel_schema_migrations ORDER BY 1");

	return add_rows_by_tool_id(res, set, "diesel", applied, count);
}

/*
 * Flyway's checksum of a script: the CRC-32 of its lines, each without its
 * line ending (and the first without a byte order mark), fed in turn.
 */
static uint32
flyway_checksum(const char *content)
{
	uint32		crc = 0xFFFFFFFF;
	const unsigned char *p = (const unsigned char *) content;

	if (p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		p += 3;
	for (; *p; p++)
	{
		int			bit;

		if (*p == '\r' || *p == '\n')
			continue;
		crc ^= *p;
		for (bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0xEDB88320 & (0 - (crc & 1)));
	}
	return crc ^ 0xFFFFFFFF;
}

/*
 * Flyway: flyway_schema_history, one row per run in installed_rank order:
 * SQL and JDBC rows apply their version, BASELINE every version up to
 * its own, UNDO_SQL and DELETE rows take one back.  A failed row is
 * refused; so is a script whose checksum is no longer the recorded one.
 * A repeatable's runs (no version) are not taken over: migrate runs the
 * folder's R__ files once more at the next up or deploy, which Flyway's
 * re-runnable scripts allow, and keeps their runs from then on.
 */
static bool
history_flyway(PGconn *conn, const MigrationSet *set, const char *dir,
			   int64 **applied, int *count)
{
	PGresult   *res = history_query(conn,
									"SELECT installed_rank, version, type, script, checksum, success"
									" FROM flyway_schema_history ORDER BY installed_rank");
	int			i;

	if (res == NULL)
		return false;
	for (i = 0; i < PQntuples(res); i++)
	{
		const char *rank = PQgetvalue(res, i, 0);
		const char *version_text = PQgetvalue(res, i, 1);
		const char *type = PQgetvalue(res, i, 2);
		const char *script = PQgetvalue(res, i, 3);
		int64		version;
		const MigrationFile *file;

		if (strcmp(type, "SCHEMA") == 0)
			continue;
		if (strcmp(PQgetvalue(res, i, 5), "t") != 0)
		{
			pg_log_error("Flyway's history records a failed run of %s (installed_rank %s)", script, rank);
			pg_log_error_hint("Repair the database and the history as Flyway's documentation says (flyway repair), then run adopt again.");
			return false;
		}
		if (PQgetisnull(res, i, 1))
			continue;
		if (!formats_map_flyway(version_text, strlen(version_text), &version))
		{
			pg_log_error("Flyway version \"%s\" of installed_rank %s cannot be mapped to a migration version",
						 version_text, rank);
			return false;
		}
		if (strcmp(type, "BASELINE") == 0)
		{
			int			j;

			for (j = 0; j < set->count; j++)
				if (set->files[j].version <= version)
					add_applied(applied, count, set->files[j].version);
			continue;
		}
		if (strcmp(type, "UNDO_SQL") == 0 || strcmp(type, "DELETE") == 0)
		{
			int			j;

			for (j = 0; j < *count; j++)
				if ((*applied)[j] == version)
					(*applied)[j] = (*applied)[--(*count)];
			continue;
		}
		file = file_of_version(set, version);
		if (file == NULL)
			return no_file("Flyway", psprintf("%s (%s)", version_text, script));
		if (!PQgetisnull(res, i, 4) && file->raw != NULL &&
			(int32) flyway_checksum(file->raw) != (int32) strtol(PQgetvalue(res, i, 4), NULL, 10))
		{
			pg_log_error("file \"%s\" differs from the script Flyway applied as version %s",
						 file->path, version_text);
			pg_log_error_detail("Its checksum is %d; Flyway recorded %s.",
								(int32) flyway_checksum(file->raw), PQgetvalue(res, i, 4));
			pg_log_error_hint("Restore the file as it was applied, then run adopt again.");
			return false;
		}
		add_applied(applied, count, version);
	}
	PQclear(res);
	return true;
}

/*
 * Returns the project that sqitch.plan names (%project=NAME), or NULL.
 */
static char *
sqitch_project(const char *dir)
{
	char	   *plan = files_read_text(psprintf("%s/sqitch.plan", dir));
	char	   *p;

	if (plan == NULL || (p = strstr(plan, "%project=")) == NULL)
		return NULL;
	p += strlen("%project=");
	return pnstrdup(p, strcspn(p, " \t\r\n"));
}

/*
 * sqitch: its registry's sqitch.changes, one row per deployed change of a
 * project.
 */
static bool
history_sqitch(PGconn *conn, const MigrationSet *set, const char *dir,
			   int64 **applied, int *count)
{
	char	   *project = sqitch_project(dir);
	const char *params[1];
	PGresult   *res;

	if (project == NULL)
	{
		pg_log_error("%s/sqitch.plan names no project", dir);
		pg_log_error_hint("A sqitch plan starts with a line %%project=NAME.");
		return false;
	}
	params[0] = project;
	res = client_exec(conn, "SELECT change FROM sqitch.changes WHERE project = $1 ORDER BY committed_at",
					  1, params);
	return add_rows_by_tool_id(res, set, "sqitch", applied, count);
}

/*
 * postgrator: schemaversion(version, name, md5, run_at), one row per
 * applied migration (version 0: none), md5 being the checksum of its do
 * file.
 */
static bool
history_postgrator(PGconn *conn, const MigrationSet *set, const char *dir,
				   int64 **applied, int *count)
{
	PGresult   *res = history_query(conn, "SELECT version::pg_catalog.text, md5 FROM schemaversion ORDER BY version");
	int			i;

	if (res == NULL)
		return false;
	for (i = 0; i < PQntuples(res); i++)
	{
		const char *v = PQgetvalue(res, i, 0);
		int64		version = strtoi64(v, NULL, 10);
		const MigrationFile *file;
		char		md5[33];
		const char *errstr = NULL;

		if (version == 0)
			continue;
		file = file_of_version(set, version);
		if (file == NULL)
			return no_file("postgrator", v);
		if (!PQgetisnull(res, i, 1) && file->raw != NULL)
		{
			if (!pg_md5_hash(file->raw, strlen(file->raw), md5, &errstr))
				pg_fatal("could not compute an MD5 checksum: %s", errstr);
			if (strcmp(md5, PQgetvalue(res, i, 1)) != 0)
			{
				pg_log_error("file \"%s\" differs from the one postgrator applied as version %s",
							 file->path, v);
				pg_log_error_detail("Its MD5 checksum is %s; postgrator recorded %s.",
									md5, PQgetvalue(res, i, 1));
				pg_log_error_hint("Restore the file as it was applied, then run adopt again.");
				return false;
			}
		}
		add_applied(applied, count, version);
	}
	PQclear(res);
	return true;
}

/*
 * sql-migrate: gorp_migrations(id text, applied_at), the id being the
 * file's name.
 */
static bool
history_sql_migrate(PGconn *conn, const MigrationSet *set, const char *dir,
					int64 **applied, int *count)
{
	PGresult   *res = history_query(conn, "SELECT id FROM gorp_migrations ORDER BY 1");

	return add_rows_by_tool_id(res, set, "sql-migrate", applied, count);
}

/*
 * Returns versions as a bigint[] literal.
 */
static char *
versions_array(const int64 *versions, int count)
{
	PQExpBufferData buf;
	int			i;

	initPQExpBuffer(&buf);
	appendPQExpBufferChar(&buf, '{');
	for (i = 0; i < count; i++)
		appendPQExpBuffer(&buf, "%s" INT64_FORMAT, i > 0 ? "," : "", versions[i]);
	appendPQExpBufferChar(&buf, '}');
	return buf.data;
}

/*
 * adopt --from TOOL: in one transaction, reads the tool's history, loads
 * the folder and marks applied the migrations the tool applied.
 */
int
cmd_adopt(const ClientOptions *opts)
{
	const ToolInfo *tool = NULL;
	ClientOptions read_opts = *opts;
	MigrationSet set;
	PGconn	   *conn;
	int64	   *applied = NULL;
	int			count = 0;
	const char *params[3];
	char	   *sql;
	PGresult   *res;
	int			i;

	for (i = 0; tools[i].name != NULL; i++)
		if (strcmp(tools[i].name, opts->from) == 0)
			tool = &tools[i];
	Assert(tool != NULL);
	if (read_opts.folder_format == FORMAT_AUTO)
		read_opts.folder_format = tool->format;

	conn = connect_reading_set(&read_opts, &set);
	if (!client_command(conn, "BEGIN"))
		return EXIT_FAILED;
	if ((opts->schema != NULL && !scope_use_schema(conn, opts->schema)) ||
		!history_exists(conn, tool) ||
		!tool->read_history(conn, &set, opts->dir, &applied, &count) ||
		!load_set(conn, &set, opts->set, false, false, true))
	{
		PQfinish(conn);
		return EXIT_FAILED;
	}
	params[0] = versions_array(applied, count);
	params[1] = opts->set;
	params[2] = opts->schema;
	sql = psprintf("SELECT %s.migrate_baseline_versions($1::pg_catalog.int8[], set => $2::pg_catalog.text,"
				   " schema => $3::pg_catalog.text)",
				   client_schema(conn));
	res = client_exec(conn, sql, 3, params);
	if (res == NULL || !client_command(conn, "COMMIT"))
	{
		PQfinish(conn);
		return EXIT_FAILED;
	}
	PQclear(res);
	if (opts->schema != NULL)
		printf("adopted %d migrations applied by %s in schema %s (%d loaded)\n",
			   count, tool->name, opts->schema, set.count);
	else
		printf("adopted %d migrations applied by %s (%d loaded)\n", count, tool->name, set.count);
	if (set.nrepeatables > 0)
		printf("%d repeatable migrations loaded, to run at the next up or deploy\n",
			   set.nrepeatables);
	fflush(stdout);
	client_disconnect(conn);
	return EXIT_DONE;
}
