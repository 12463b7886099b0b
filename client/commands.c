/*-------------------------------------------------------------------------
 *
 * commands.c
 *	  The commands of pg_migrate.  Each reads what it needs from the folder,
 *	  then makes one server call (with migrate_load() first when it works on
 *	  the folder's definitions): the migration logic is the extension's.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/logging.h"

static void read_set_or_exit(const ClientOptions *opts, MigrationSet *set);
static bool set_known_unchanged(PGconn *conn, const MigrationSet *set,
								const char *set_name);
static bool load_versioned(PGconn *conn, const MigrationSet *set,
						   const char *set_name, bool prune, bool report_all,
						   bool quiet);
static char *int64_param(bool given, int64 value);
static const char *version_or_repeatable(PGresult *res, int row);
static int	finish(PGconn *conn, int status);
static int	run_in_transaction(const ClientOptions *opts, const char *sql,
							   int nparams, const char *const *params,
							   bool commit, int (*print) (PGresult *res));
static int	print_applied(PGresult *res);
static int	print_rolled_back(PGresult *res);
static int	print_plan(PGresult *res);
static int	print_verify(PGresult *res);
static int	print_baseline(PGresult *res);
static int	print_nothing(PGresult *res);
static char **assured_rules(const char *body, int *count);
static int	print_findings(PGresult *res, const MigrationFile *f, bool json, bool *first);
static bool already_run(PGresult *done, const MigrationFile *f);
static PGresult *runs_done(PGconn *conn, const ClientOptions *opts);
static bool find_pg_dump(const char *progpath, char *result);
static bool dump_catalog(PGconn *conn, FILE *out);

/*
 * Reads the folder, exiting with status 1 after the error when it cannot.
 */
static void
read_set_or_exit(const ClientOptions *opts, MigrationSet *set)
{
	FolderFormat used;

	if (!formats_read_folder(opts->dir, opts->folder_format, set, &used))
		exit(EXIT_FAILED);
}

/*
 * Connects and reads the folder, the server starting the session while the
 * files are read.  Exits with status 1 after the error when the folder
 * cannot be read (no statement has been sent) or the connection fails.
 */
PGconn *
connect_reading_set(const ClientOptions *opts, MigrationSet *set)
{
	PGconn	   *conn = client_connect_start(opts);
	FolderFormat used;

	if (!formats_read_folder(opts->dir, opts->folder_format, set, &used))
	{
		if (conn != NULL)
			PQfinish(conn);
		exit(EXIT_FAILED);
	}
	return client_connect_finish(conn, opts);
}

/*
 * Whether the server knows that loading the set would change nothing (this
 * role loaded the same set, unchanged, and the catalog did not change
 * since): then only the set's checksum travels, not its files.
 */
static bool
set_known_unchanged(PGconn *conn, const MigrationSet *set, const char *set_name)
{
	const char *params[2];
	char	   *sql;
	PGresult   *res;
	bool		unchanged;

	params[0] = params_set_checksum(set);
	params[1] = set_name;
	sql = psprintf("SELECT %s.migrate_load_unchanged($1, set => $2::pg_catalog.text)",
				   client_schema(conn));
	res = client_exec(conn, sql, 2, params);
	pfree(sql);
	if (res == NULL)
		exit(EXIT_FAILED);
	unchanged = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return unchanged;
}

/*
 * Defines the folder's migrations in set set_name: the versioned ones with
 * migrate_load(), then the repeatable ones with migrate_load_repeatables(),
 * in one transaction (the caller's, or one of its own when none is open),
 * and prints what changed (and a summary with report_all); returns false
 * after printing the server's error.
 */
bool
load_set(PGconn *conn, const MigrationSet *set, const char *set_name,
		 bool prune, bool report_all, bool quiet)
{
	bool		own = set->nrepeatables > 0 || prune;

	own = own && PQtransactionStatus(conn) == PQTRANS_IDLE;
	if (own && !client_command(conn, "BEGIN"))
		return false;
	if (!load_versioned(conn, set, set_name, prune, report_all, quiet) ||
		!scope_load_repeatables(conn, set, set_name, prune, report_all, quiet))
		return false;
	return !own || client_command(conn, "COMMIT");
}

/*
 * Defines the folder's versioned migrations with one call of migrate_load()
 * and prints what changed (and a summary with report_all); returns false
 * after printing the server's error.  The set travels as binary arrays,
 * and only the versions that changed come back, with the number left
 * unchanged.
 */
static bool
load_versioned(PGconn *conn, const MigrationSet *set, const char *set_name,
			   bool prune, bool report_all, bool quiet)
{
	LoadParams	load;
	const char *values[LOAD_ARRAY_PARAMS + 2];
	int			lengths[LOAD_ARRAY_PARAMS + 2];
	int			formats[LOAD_ARRAY_PARAMS + 2];
	char	   *sql;
	PGresult   *res;
	int			counts[4] = {0, 0, 0, 0};
	static const char *const actions[4] = {"new", "replaced", "unchanged", "removed"};
	int			i;

	if (set_known_unchanged(conn, set, set_name))
	{
		if (report_all)
			printf("loaded %d migrations: 0 new, 0 replaced, %d unchanged, 0 removed\n",
				   set->count, set->count);
		return true;
	}
	params_for_load(set, &load);
	for (i = 0; i < LOAD_ARRAY_PARAMS; i++)
	{
		values[i] = load.values[i];
		lengths[i] = load.lengths[i];
		formats[i] = load.formats[i];
	}
	values[LOAD_ARRAY_PARAMS] = prune ? "true" : "false";
	lengths[LOAD_ARRAY_PARAMS] = 0;
	formats[LOAD_ARRAY_PARAMS] = 0;
	values[LOAD_ARRAY_PARAMS + 1] = set_name;
	lengths[LOAD_ARRAY_PARAMS + 1] = 0;
	formats[LOAD_ARRAY_PARAMS + 1] = 0;
	sql = psprintf("WITH l AS (SELECT * FROM %s.migrate_load($1::pg_catalog.int8[],"
				   " $2::pg_catalog.text[], $3::pg_catalog.text[], $4::pg_catalog.text[],"
				   " $5::pg_catalog.bool[], $6::pg_catalog.text[], $7::pg_catalog.int4[],"
				   " $8::pg_catalog.int4[], $9::pg_catalog.text[], $10::pg_catalog.bool,"
				   " set => $11::pg_catalog.text))"
				   " SELECT 0 AS part, version, name, action FROM l WHERE action <> 'unchanged'"
				   " UNION ALL SELECT 1, NULL, NULL, pg_catalog.count(*)::pg_catalog.text"
				   " FROM l WHERE action = 'unchanged'"
				   " ORDER BY part, version",
				   client_schema(conn));
	res = client_exec_params(conn, sql, LOAD_ARRAY_PARAMS + 2, values, lengths, formats);
	pfree(sql);
	params_free(&load);
	if (res == NULL)
		return false;
	for (i = 0; i < PQntuples(res); i++)
	{
		const char *action = PQgetvalue(res, i, 3);
		int			a;

		if (strcmp(PQgetvalue(res, i, 0), "1") == 0)
		{
			counts[2] = atoi(action);
			continue;
		}
		for (a = 0; a < 4; a++)
			if (strcmp(action, actions[a]) == 0)
				counts[a]++;
		if (!quiet)
			printf("%-9s %s %s\n", action, PQgetvalue(res, i, 1),
				   PQgetvalue(res, i, 2));
	}
	if (report_all)
		printf("loaded %d migrations: %d new, %d replaced, %d unchanged, %d removed\n",
			   counts[0] + counts[1] + counts[2], counts[0], counts[1], counts[2], counts[3]);
	PQclear(res);
	return true;
}

/* Returns a whole number as a text parameter, or NULL when not given. */
static char *
int64_param(bool given, int64 value)
{
	return given ? psprintf(INT64_FORMAT, value) : NULL;
}

/*
 * Returns what names the migration of a result row whose first column is
 * its version: the version, or "repeatable" for a repeatable migration
 * (whose version is NULL).
 */
static const char *
version_or_repeatable(PGresult *res, int row)
{
	return PQgetisnull(res, row, 0) ? "repeatable" : PQgetvalue(res, row, 0);
}

/* Closes the connection and returns status. */
static int
finish(PGconn *conn, int status)
{
	fflush(stdout);
	client_disconnect(conn);
	return status;
}

/*
 * Connects, loads the folder and runs sql with params in one transaction,
 * committed when commit is true and rolled back otherwise (a look that
 * changes nothing); print turns the result into lines and the status.
 */
static int
run_in_transaction(const ClientOptions *opts, const char *sql, int nparams,
				   const char *const *params, bool commit,
				   int (*print) (PGresult *res))
{
	MigrationSet set;
	PGconn	   *conn;
	PGresult   *res;
	char	   *full;
	int			status;

	conn = connect_reading_set(opts, &set);
	full = psprintf(sql, client_schema(conn));
	if (!client_command(conn, "BEGIN"))
		return finish(conn, EXIT_FAILED);
	if (!load_set(conn, &set, opts->set, false, false, opts->quiet || !commit))
		return finish(conn, EXIT_FAILED);
	res = client_exec(conn, full, nparams, params);
	if (res == NULL)
		return finish(conn, EXIT_FAILED);
	status = print(res);
	PQclear(res);
	if (!client_command(conn, commit ? "COMMIT" : "ROLLBACK"))
		return finish(conn, EXIT_FAILED);
	return finish(conn, status);
}

/* Prints the migrations migrate_apply() ran. */
static int
print_applied(PGresult *res)
{
	int			i;

	if (PQntuples(res) == 0)
		printf("nothing to apply\n");
	for (i = 0; i < PQntuples(res); i++)
		printf("applied %s %s (%s)\n", version_or_repeatable(res, i),
			   PQgetvalue(res, i, 1), PQgetvalue(res, i, 2));
	return EXIT_DONE;
}

/* Prints the migrations migrate_rollback() rolled back. */
static int
print_rolled_back(PGresult *res)
{
	int			i;

	if (PQntuples(res) == 0)
		printf("nothing to roll back\n");
	for (i = 0; i < PQntuples(res); i++)
		printf("rolled back %s %s (%s)\n", version_or_repeatable(res, i),
			   PQgetvalue(res, i, 1), PQgetvalue(res, i, 2));
	return EXIT_DONE;
}

/* Prints what migrate_plan() says would run. */
static int
print_plan(PGresult *res)
{
	int			i;

	if (PQntuples(res) == 0)
		printf("nothing to apply\n");
	for (i = 0; i < PQntuples(res); i++)
		printf("%s %s%s\n", version_or_repeatable(res, i), PQgetvalue(res, i, 1),
			   strcmp(PQgetvalue(res, i, 2), "f") == 0 ? " (non-transactional)" : "");
	return EXIT_DONE;
}

/* Prints migrate_verify()'s results; status 3 when one is not ok. */
static int
print_verify(PGresult *res)
{
	int			status = EXIT_DONE;
	int			i;

	if (PQntuples(res) == 0)
		printf("nothing to verify\n");
	for (i = 0; i < PQntuples(res); i++)
	{
		bool		ok = strcmp(PQgetvalue(res, i, 2), "t") == 0;

		printf("%s %s %s\n", ok ? "ok    " : "FAILED", version_or_repeatable(res, i),
			   PQgetvalue(res, i, 1));
		if (!PQgetisnull(res, i, 3) && PQgetvalue(res, i, 3)[0] != '\0')
			printf("  %s\n", PQgetvalue(res, i, 3));
		if (!ok)
			status = EXIT_CHECK;
	}
	return status;
}

/* Prints how many migrations migrate_baseline() marked applied. */
static int
print_baseline(PGresult *res)
{
	printf("marked %s migrations applied\n", PQgetvalue(res, 0, 0));
	return EXIT_DONE;
}

/* For calls whose NOTICEs say it all. */
static int
print_nothing(PGresult *res)
{
	return EXIT_DONE;
}

/*
 * new NAME: writes DIR/<UTC now as YYYYMMDDHHMMSS>_NAME.sql with empty up
 * and down sections (creating DIR if needed) and prints its path; with
 * --repeatable, DIR/R__NAME.sql with an empty up section.
 */
int
cmd_new(const ClientOptions *opts, const char *name)
{
	char		stamp[32];
	time_t		now = time(NULL);
	struct tm  *tm = gmtime(&now);
	char	   *path;
	const char *p;
	int			fd;
	const char *template = opts->repeatable ? "-- migrate:up\n\n" :
		"-- migrate:up\n\n\n-- migrate:down\n\n";
	size_t		length = strlen(template);

	if (name[0] == '\0')
	{
		pg_log_error("the name of a migration cannot be empty");
		return EXIT_USAGE;
	}
	for (p = name; *p; p++)
	{
		if (*p == '/' || *p == '\\' || isspace((unsigned char) *p))
		{
			pg_log_error("invalid migration name \"%s\"", name);
			pg_log_error_detail("A name cannot contain slashes or spaces.");
			pg_log_error_hint("Use underscores, as in add_email_to_accounts.");
			return EXIT_USAGE;
		}
	}
	strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", tm);
	if (mkdir(opts->dir, 0777) != 0 && errno != EEXIST)
	{
		pg_log_error("could not create folder \"%s\": %m", opts->dir);
		return EXIT_FAILED;
	}
	if (opts->repeatable)
		path = psprintf("%s/R__%s.sql", opts->dir, name);
	else
		path = psprintf("%s/%s_%s.sql", opts->dir, stamp, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
	if (fd < 0)
	{
		pg_log_error("could not create file \"%s\": %m", path);
		return EXIT_FAILED;
	}
	if (write(fd, template, length) != (ssize_t) length ||
		close(fd) != 0)
	{
		pg_log_error("could not write file \"%s\": %m", path);
		return EXIT_FAILED;
	}
	printf("%s\n", path);
	return EXIT_DONE;
}

/*
 * load [--prune]: defines every migration of the folder with one call of
 * migrate_load() and says what changed.
 */
int
cmd_load(const ClientOptions *opts)
{
	MigrationSet set;
	PGconn	   *conn;

	conn = connect_reading_set(opts, &set);
	if (!load_set(conn, &set, opts->set, opts->prune, true, false))
		return finish(conn, EXIT_FAILED);
	return finish(conn, EXIT_DONE);
}

/*
 * plan [--to V] [--steps N]: what "up" would run now, with the refusals
 * migrate_plan() reports as WARNINGs; the folder is loaded in a transaction
 * that is rolled back.
 */
int
cmd_plan(const ClientOptions *opts)
{
	const char *params[4];

	params[0] = int64_param(opts->to_given, opts->to);
	params[1] = int64_param(opts->steps_given, opts->steps);
	params[2] = opts->set;
	params[3] = opts->schema;
	return run_in_transaction(opts,
							  "SELECT version, name, transactional FROM %s.migrate_plan($1::pg_catalog.int8, $2::pg_catalog.int4,"
							  " set => $3::pg_catalog.text, schema => $4::pg_catalog.text)",
							  4, params, false, print_plan);
}

/*
 * up [--to V] [--steps N]: migrate_load() and migrate_apply() in one
 * transaction: all or nothing.
 */
int
cmd_up(const ClientOptions *opts)
{
	const char *params[4];

	params[0] = int64_param(opts->to_given, opts->to);
	params[1] = int64_param(opts->steps_given, opts->steps);
	params[2] = opts->set;
	params[3] = opts->schema;
	return run_in_transaction(opts,
							  "SELECT version, name, duration FROM %s.migrate_apply($1::pg_catalog.int8, $2::pg_catalog.int4,"
							  " set => $3::pg_catalog.text, schema => $4::pg_catalog.text)",
							  4, params, true, print_applied);
}

/*
 * deploy [--to V] [--steps N]: migrate_load() (committed), then CALL
 * migrate_deploy(), which commits after each migration.
 */
int
cmd_deploy(const ClientOptions *opts)
{
	MigrationSet set;
	PGconn	   *conn;
	PGresult   *res;
	const char *params[4];
	char	   *schemas;
	char	   *sql;

	conn = connect_reading_set(opts, &set);
	if (!scope_schemas_array(conn, opts, &schemas))
		return finish(conn, EXIT_FAILED);
	if (!load_set(conn, &set, opts->set, false, false, opts->quiet))
		return finish(conn, EXIT_FAILED);
	params[0] = int64_param(opts->to_given, opts->to);
	params[1] = int64_param(opts->steps_given, opts->steps);
	params[2] = opts->set;
	params[3] = schemas;
	sql = psprintf("CALL %s.migrate_deploy($1::pg_catalog.int8, $2::pg_catalog.int4,"
				   " set => $3::pg_catalog.text, schemas => $4::pg_catalog.text[])",
				   client_schema(conn));
	res = client_exec(conn, sql, 4, params);
	pfree(sql);
	if (res == NULL)
		return finish(conn, EXIT_FAILED);
	PQclear(res);
	return finish(conn, EXIT_DONE);
}

/*
 * down / revert [--to V | --steps N]: migrate_rollback() in one
 * transaction, or CALL migrate_revert(), one step by default.  The
 * definitions are the database's (a down runs what was applied), so the
 * folder is not read.
 */
int
cmd_down(const ClientOptions *opts, bool revert)
{
	PGconn	   *conn;
	PGresult   *res;
	const char *params[4];
	char	   *schemas;
	char	   *sql;
	int			status;

	params[0] = opts->to_given ? NULL : psprintf("%d", opts->steps_given ? opts->steps : 1);
	params[1] = int64_param(opts->to_given, opts->to);
	params[2] = opts->set;
	conn = client_connect(opts);
	if (revert)
	{
		if (!scope_schemas_array(conn, opts, &schemas))
			return finish(conn, EXIT_FAILED);
		params[3] = schemas;
		sql = psprintf("CALL %s.migrate_revert($1::pg_catalog.int4, $2::pg_catalog.int8,"
					   " set => $3::pg_catalog.text, schemas => $4::pg_catalog.text[])",
					   client_schema(conn));
	}
	else
	{
		params[3] = opts->schema;
		sql = psprintf("SELECT version, name, duration FROM %s.migrate_rollback($1::pg_catalog.int4, $2::pg_catalog.int8,"
					   " set => $3::pg_catalog.text, schema => $4::pg_catalog.text)",
					   client_schema(conn));
	}
	res = client_exec(conn, sql, 4, params);
	pfree(sql);
	if (res == NULL)
		return finish(conn, EXIT_FAILED);
	status = revert ? EXIT_DONE : print_rolled_back(res);
	PQclear(res);
	return finish(conn, status);
}

/*
 * verify [VERSION]: migrate_verify() over the folder's migrations, loaded
 * in a transaction that is rolled back; status 3 when one is not ok.
 */
int
cmd_verify(const ClientOptions *opts, const char *version)
{
	const char *params[3];

	params[0] = version;
	params[1] = opts->set;
	params[2] = opts->schema;
	return run_in_transaction(opts,
							  "SELECT version, name, ok, detail FROM %s.migrate_verify($1::pg_catalog.int8,"
							  " set => $2::pg_catalog.text, schema => $3::pg_catalog.text)",
							  3, params, false, print_verify);
}

/*
 * baseline VERSION: load, then migrate_baseline(), in one transaction.
 */
int
cmd_baseline(const ClientOptions *opts, const char *version)
{
	const char *params[3];

	params[0] = version;
	params[1] = opts->set;
	params[2] = opts->schema;
	return run_in_transaction(opts,
							  "SELECT %s.migrate_baseline($1::pg_catalog.int8,"
							  " set => $2::pg_catalog.text, schema => $3::pg_catalog.text)",
							  3, params, true, print_baseline);
}

/*
 * resolve VERSION applied|pending: load, then migrate_resolve(), in one
 * transaction.
 */
int
cmd_resolve(const ClientOptions *opts, const char *version, const char *state)
{
	const char *params[4];

	params[0] = version;
	params[1] = state;
	params[2] = opts->set;
	params[3] = opts->schema;
	return run_in_transaction(opts,
							  "SELECT %s.migrate_resolve($1::pg_catalog.int8, $2::pg_catalog.text,"
							  " set => $3::pg_catalog.text, schema => $4::pg_catalog.text)",
							  4, params, true, print_nothing);
}

/*
 * Returns the rule ids named on "-- migrate:safety-assured" lines of a
 * body (separated by commas or spaces), as the server reads them.
 */
static char **
assured_rules(const char *body, int *count)
{
	char	  **rules = NULL;
	const char *line = body;
	static const char directive[] = "migrate:safety-assured";

	*count = 0;
	while (line && *line)
	{
		const char *end = strchr(line, '\n');
		const char *p = line;

		if (end == NULL)
			end = line + strlen(line);
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "--", 2) == 0)
		{
			p += 2;
			while (*p == ' ' || *p == '\t')
				p++;
			if (strncmp(p, directive, sizeof(directive) - 1) == 0)
			{
				p += sizeof(directive) - 1;
				while (p < end)
				{
					const char *start;

					while (p < end && (*p == ',' || isspace((unsigned char) *p)))
						p++;
					start = p;
					while (p < end && *p != ',' && !isspace((unsigned char) *p))
						p++;
					if (p > start)
					{
						rules = pg_realloc(rules, (*count + 1) * sizeof(char *));
						rules[(*count)++] = pnstrdup(start, p - start);
					}
				}
			}
		}
		line = *end ? end + 1 : NULL;
	}
	return rules;
}

/*
 * Prints the findings of migrate_lint() (the rows of res) on file f, each
 * at its line in the file, as text or as JSON array elements (*first says
 * whether one was printed yet); returns EXIT_CHECK when one is an
 * unassured error, else EXIT_DONE.
 */
static int
print_findings(PGresult *res, const MigrationFile *f, bool json, bool *first)
{
	int			nrules;
	char	  **rules = assured_rules(f->up, &nrules);
	int			status = EXIT_DONE;
	int			r;

	for (r = 0; r < PQntuples(res); r++)
	{
		const char *rule = PQgetvalue(res, r, 2);
		const char *severity = PQgetvalue(res, r, 3);
		int			line = f->up_line + atoi(PQgetvalue(res, r, 1)) - 1;
		bool		assured = false;
		int			k;

		for (k = 0; k < nrules; k++)
			if (strcmp(rules[k], rule) == 0)
				assured = true;
		if (strcmp(severity, "error") == 0 && !assured)
			status = EXIT_CHECK;
		if (json)
		{
			PQExpBufferData buf;

			initPQExpBuffer(&buf);
			appendPQExpBufferStr(&buf, *first ? "\n" : ",\n");
			appendPQExpBufferStr(&buf, "  {\"file\": ");
			files_append_json_string(&buf, f->path);
			if (f->repeatable)
			{
				appendPQExpBufferStr(&buf, ", \"repeatable\": ");
				files_append_json_string(&buf, f->name);
			}
			else
				appendPQExpBuffer(&buf, ", \"version\": " INT64_FORMAT, f->version);
			appendPQExpBuffer(&buf, ", \"line\": %d, \"statement\": %s, \"rule\": ",
							  line, PQgetvalue(res, r, 0));
			files_append_json_string(&buf, rule);
			appendPQExpBufferStr(&buf, ", \"severity\": ");
			files_append_json_string(&buf, severity);
			appendPQExpBuffer(&buf, ", \"assured\": %s, \"message\": ",
							  assured ? "true" : "false");
			files_append_json_string(&buf, PQgetvalue(res, r, 4));
			appendPQExpBufferStr(&buf, ", \"hint\": ");
			if (PQgetisnull(res, r, 5))
				appendPQExpBufferStr(&buf, "null");
			else
				files_append_json_string(&buf, PQgetvalue(res, r, 5));
			appendPQExpBufferChar(&buf, '}');
			fputs(buf.data, stdout);
			termPQExpBuffer(&buf);
			*first = false;
		}
		else
		{
			printf("%s:%d: %s: %s [%s]%s\n", f->path, line, severity,
				   PQgetvalue(res, r, 4), rule,
				   assured ? " (safety assured)" : "");
			if (!PQgetisnull(res, r, 5) && PQgetvalue(res, r, 5)[0] != '\0')
				printf("%s:%d: hint: %s\n", f->path, line, PQgetvalue(res, r, 5));
		}
	}
	return status;
}

/*
 * Whether a folder's migration has already run as it is in the lint's set
 * and schema: a versioned one applied (a row of done's version column), a
 * repeatable one whose last run ran this body (a row of done's name and
 * body columns).
 */
static bool
already_run(PGresult *done, const MigrationFile *f)
{
	int			r;

	for (r = 0; r < PQntuples(done); r++)
	{
		if (f->repeatable)
		{
			if (!PQgetisnull(done, r, 1) && strcmp(PQgetvalue(done, r, 1), f->name) == 0 &&
				strcmp(PQgetvalue(done, r, 2), f->up) == 0)
				return true;
		}
		else if (PQgetisnull(done, r, 1) &&
				 strtoi64(PQgetvalue(done, r, 0), NULL, 10) == f->version)
			return true;
	}
	return false;
}

/*
 * Returns what has run in the lint's set and schema (see already_run()),
 * or NULL after printing the error.
 */
static PGresult *
runs_done(PGconn *conn, const ClientOptions *opts)
{
	const char *params[2];
	char	   *sql;
	PGresult   *res;

	params[0] = opts->set;
	params[1] = opts->schema ? opts->schema : "";
	sql = psprintf("SELECT version, NULL, NULL FROM %1$s.migrate_applied"
				   " WHERE set = $1 AND schema = $2"
				   " UNION ALL"
				   " (SELECT DISTINCT ON (name) NULL, name, body FROM %1$s.migrate_repeatable_runs"
				   " WHERE set = $1 AND schema = $2 ORDER BY name, id DESC)",
				   client_schema(conn));
	res = client_exec(conn, sql, 2, params);
	pfree(sql);
	return res;
}

/*
 * lint [FILE...]: migrate_lint() on the up of each file given, or of the
 * folder's migrations that have not run as they are (versioned ones not
 * applied, repeatable ones whose body is not the one last run), printing
 * each finding at its line in the file; status 3 when one is an unassured
 * error.
 */
int
cmd_lint(const ClientOptions *opts, int nfiles, char **files)
{
	MigrationSet set;
	PGconn	   *conn;
	PGresult   *done = NULL;
	char	   *sql;
	bool		json = strcmp(opts->format, "json") == 0;
	bool		first = true;
	int			status = EXIT_DONE;
	int			i;

	if (nfiles > 0)
	{
		bool		ok = true;

		set.count = nfiles;
		set.files = pg_malloc(nfiles * sizeof(MigrationFile));
		set.repeatables = NULL;
		set.nrepeatables = 0;
		for (i = 0; i < nfiles; i++)
			if (!files_read_one(files[i], &set.files[i]))
				ok = false;
		if (!ok)
			return EXIT_FAILED;
	}
	else
		read_set_or_exit(opts, &set);

	conn = client_connect(opts);
	if (nfiles == 0 && (done = runs_done(conn, opts)) == NULL)
		return finish(conn, EXIT_FAILED);
	if (opts->schema && !scope_use_schema(conn, opts->schema))
		return finish(conn, EXIT_FAILED);
	sql = psprintf("SELECT statement, line, rule, severity, message, hint FROM %s.migrate_lint($1)",
				   client_schema(conn));
	if (json)
		printf("[");
	for (i = 0; i < set.count + set.nrepeatables; i++)
	{
		const MigrationFile *f = i < set.count ? &set.files[i] : &set.repeatables[i - set.count];
		const char *params[1];
		PGresult   *res;

		if (done && already_run(done, f))
			continue;
		params[0] = f->up;
		res = client_exec(conn, sql, 1, params);
		if (res == NULL)
		{
			fprintf(stderr, "(in file \"%s\")\n", f->path);
			return finish(conn, EXIT_FAILED);
		}
		if (print_findings(res, f, json, &first) == EXIT_CHECK)
			status = EXIT_CHECK;
		PQclear(res);
	}
	if (json)
		printf("%s]\n", first ? "" : "\n");
	if (done)
		PQclear(done);
	pfree(sql);
	return finish(conn, status);
}

/*
 * Finds the pg_dump beside this program (as pg_upgrade finds the server's
 * programs); returns false if there is none.
 */
static bool
find_pg_dump(const char *progpath, char *result)
{
	char		self[MAXPGPATH];

	if (find_my_exec(progpath, self) != 0)
		return false;
	*last_dir_separator(self) = '\0';
	snprintf(result, MAXPGPATH, "%s/pg_dump", self);
	return access(result, X_OK) == 0;
}

/*
 * Writes the rows of migrate's catalog tables (its configuration tables,
 * which "pg_dump --schema-only" leaves out as data) as COPY blocks, and the
 * values of its sequences, to out.
 */
static bool
dump_catalog(PGconn *conn, FILE *out)
{
	PGresult   *rels;
	int			i;

	rels = client_exec(conn,
					   "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname), c.relkind,"
					   " (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum)"
					   "  FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0"
					   "  AND NOT a.attisdropped AND a.attgenerated = '')"
					   " FROM pg_catalog.pg_extension e,"
					   "  pg_catalog.unnest(e.extconfig) WITH ORDINALITY AS x(oid, n)"
					   " JOIN pg_catalog.pg_class c ON c.oid = x.oid"
					   " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
					   " WHERE e.extname = 'migrate'"
					   " ORDER BY c.relkind = 'S', x.n", 0, NULL);
	if (rels == NULL)
		return false;
	fprintf(out, "\n--\n-- The rows of migrate's catalog tables, written by pg_migrate dump\n--\n\n");
	for (i = 0; i < PQntuples(rels); i++)
	{
		const char *rel = PQgetvalue(rels, i, 0);
		char	   *sql;
		PGresult   *res;

		if (PQgetvalue(rels, i, 1)[0] == 'S')
		{
			char	   *lit = PQescapeLiteral(conn, rel, strlen(rel));

			sql = psprintf("SELECT last_value, is_called FROM %s", rel);
			res = client_exec(conn, sql, 0, NULL);
			pfree(sql);
			if (res == NULL)
				return false;
			fprintf(out, "SELECT pg_catalog.setval(%s, %s, %s);\n", lit,
					PQgetvalue(res, 0, 0),
					strcmp(PQgetvalue(res, 0, 1), "t") == 0 ? "true" : "false");
			PQfreemem(lit);
			PQclear(res);
		}
		else
		{
			char	   *buf;
			int			n;

			sql = psprintf("COPY %s (%s) TO STDOUT", rel, PQgetvalue(rels, i, 2));
			res = PQexec(conn, sql);
			if (PQresultStatus(res) != PGRES_COPY_OUT)
			{
				client_report_error(conn, res);
				PQclear(res);
				return false;
			}
			PQclear(res);
			fprintf(out, "COPY %s (%s) FROM stdin;\n", rel, PQgetvalue(rels, i, 2));
			while ((n = PQgetCopyData(conn, &buf, 0)) > 0)
			{
				fwrite(buf, 1, n, out);
				PQfreemem(buf);
			}
			res = PQgetResult(conn);
			if (n == -2 || PQresultStatus(res) != PGRES_COMMAND_OK)
			{
				client_report_error(conn, res);
				PQclear(res);
				return false;
			}
			PQclear(res);
			fprintf(out, "\\.\n\n");
			pfree(sql);
		}
	}
	PQclear(rels);
	return true;
}

/*
 * dump [FILE]: the schema as "pg_dump --schema-only" writes it, followed by
 * migrate's catalog rows, so that "psql -f FILE" on an empty database gives
 * the same schema and the same status.  Both are read in one snapshot: the
 * rows in a REPEATABLE READ transaction whose snapshot pg_dump shares.
 */
int
cmd_dump(const ClientOptions *opts, const char *file)
{
	char		pg_dump[MAXPGPATH];
	PGconn	   *conn;
	PGresult   *res;
	char	   *snapshot;
	const char *argv[20];
	int			argc = 0;
	pid_t		pid;
	int			wstatus;
	FILE	   *out;

	if (!find_pg_dump(opts->progpath, pg_dump))
	{
		pg_log_error("program \"pg_dump\" is needed by pg_migrate but was not found in the same directory");
		return EXIT_FAILED;
	}
	conn = client_connect(opts);
	(void) client_schema(conn);
	if (!client_command(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
		return finish(conn, EXIT_FAILED);
	res = client_exec(conn, "SELECT pg_catalog.pg_export_snapshot()", 0, NULL);
	if (res == NULL)
		return finish(conn, EXIT_FAILED);
	snapshot = pg_strdup(PQgetvalue(res, 0, 0));
	PQclear(res);

	argv[argc++] = pg_dump;
	argv[argc++] = "--schema-only";
	argv[argc++] = psprintf("--snapshot=%s", snapshot);
	if (file)
		argv[argc++] = psprintf("--file=%s", file);
	if (opts->dbname)
		argv[argc++] = psprintf("--dbname=%s", opts->dbname);
	if (opts->host)
		argv[argc++] = psprintf("--host=%s", opts->host);
	if (opts->port)
		argv[argc++] = psprintf("--port=%s", opts->port);
	if (opts->username)
		argv[argc++] = psprintf("--username=%s", opts->username);
	if (opts->prompt == PROMPT_NEVER)
		argv[argc++] = "--no-password";
	else if (opts->prompt == PROMPT_ALWAYS)
		argv[argc++] = "--password";
	argv[argc] = NULL;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
	{
		pg_log_error("could not fork: %m");
		return finish(conn, EXIT_FAILED);
	}
	if (pid == 0)
	{
		execv(pg_dump, (char *const *) argv);
		pg_log_error("could not execute \"%s\": %m", pg_dump);
		_exit(EXIT_FAILED);
	}
	if (waitpid(pid, &wstatus, 0) < 0 || !WIFEXITED(wstatus) ||
		WEXITSTATUS(wstatus) != 0)
	{
		pg_log_error("pg_dump failed");
		return finish(conn, EXIT_FAILED);
	}

	out = file ? fopen(file, "a") : stdout;
	if (out == NULL)
	{
		pg_log_error("could not open file \"%s\": %m", file);
		return finish(conn, EXIT_FAILED);
	}
	if (!dump_catalog(conn, out))
		return finish(conn, EXIT_FAILED);
	if (fflush(out) != 0 || (file && fclose(out) != 0))
	{
		pg_log_error("could not write file \"%s\": %m", file ? file : "stdout");
		return finish(conn, EXIT_FAILED);
	}
	client_command(conn, "COMMIT");
	return finish(conn, EXIT_DONE);
}
