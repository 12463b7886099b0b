/*-------------------------------------------------------------------------
 *
 * connection.c
 *	  Connecting to the database, relaying the server's notices as they
 *	  arrive, running one statement and printing the server's errors as
 *	  psql prints them.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include <poll.h>

#include "common/logging.h"
#include "common/string.h"

static void client_notice_receiver(void *arg, const PGresult *res);
static void connection_params(const ClientOptions *opts, const char *password,
							  const char **keywords, const char **values);
static void connection_failed(PGconn *conn);
static PGconn *connection_ready(PGconn *conn, const ClientOptions *opts);
static PostgresPollingStatusType connection_step(PGconn *conn,
												 PostgresPollingStatusType state);

/* The extension's schema, quoted, once known. */
static char *extension_schema = NULL;

/*
 * Prints a notice, warning or other non-error message of the server to
 * stderr as soon as it arrives, so that a long deploy shows its progress.
 * arg points at the quiet flag: quiet silences NOTICE, INFO, LOG and DEBUG,
 * never WARNING.
 */
static void
client_notice_receiver(void *arg, const PGresult *res)
{
	const bool *quiet = (const bool *) arg;
	const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);

	if (*quiet && severity != NULL && strcmp(severity, "WARNING") != 0)
		return;
	fputs(PQresultErrorMessage(res), stderr);
	fflush(stderr);
}

/*
 * Fills keywords and values (room for 7) with the connection parameters:
 * libpq's conventions, -d being a name, a connection string or a URI (or
 * DATABASE_URL when not given), -h, -p, -U and the PG* environment.
 */
static void
connection_params(const ClientOptions *opts, const char *password,
				  const char **keywords, const char **values)
{
	int			i = 0;

	keywords[i] = "host";
	values[i++] = opts->host;
	keywords[i] = "port";
	values[i++] = opts->port;
	keywords[i] = "user";
	values[i++] = opts->username;
	keywords[i] = "password";
	values[i++] = password;
	keywords[i] = "dbname";
	values[i++] = opts->dbname;
	keywords[i] = "fallback_application_name";
	values[i++] = "pg_migrate";
	keywords[i] = NULL;
	values[i] = NULL;
}

/*
 * Exits with status 1 after the error of a connection that failed.
 */
static void
connection_failed(PGconn *conn)
{
	pg_log_error("%s", PQerrorMessage(conn));
	PQfinish(conn);
	exit(EXIT_FAILED);
}

/*
 * Makes a connection ready for use: relays its notices.
 */
static PGconn *
connection_ready(PGconn *conn, const ClientOptions *opts)
{
	static bool quiet;

	quiet = opts->quiet;
	PQsetNoticeReceiver(conn, client_notice_receiver, &quiet);
	return conn;
}

/*
 * Connects as libpq's conventions say (see connection_params()), prompting
 * for a password with -W, or when the server asks for one unless -w.
 * Exits with status 1 if it cannot connect.
 */
PGconn *
client_connect(const ClientOptions *opts)
{
	PGconn	   *conn;
	char	   *password = NULL;
	bool		again;

	if (opts->prompt == PROMPT_ALWAYS)
		password = simple_prompt("Password: ", false);

	do
	{
		const char *keywords[7];
		const char *values[7];

		connection_params(opts, password, keywords, values);
		again = false;
		conn = PQconnectdbParams(keywords, values, true);
		if (conn == NULL)
			pg_fatal("could not connect to database: out of memory");
		if (PQstatus(conn) == CONNECTION_BAD &&
			PQconnectionNeedsPassword(conn) &&
			password == NULL &&
			opts->prompt != PROMPT_NEVER)
		{
			PQfinish(conn);
			password = simple_prompt("Password: ", false);
			again = true;
		}
	} while (again);

	if (password)
		free(password);
	if (PQstatus(conn) == CONNECTION_BAD)
		connection_failed(conn);
	return connection_ready(conn, opts);
}

/*
 * Waits until the connection's socket can be read (or written, for
 * PGRES_POLLING_WRITING), then lets libpq go on; returns libpq's next
 * state.
 */
static PostgresPollingStatusType
connection_step(PGconn *conn, PostgresPollingStatusType state)
{
	struct pollfd pfd;

	pfd.fd = PQsocket(conn);
	pfd.events = state == PGRES_POLLING_WRITING ? POLLOUT : POLLIN;
	pfd.revents = 0;
	if (pfd.fd >= 0 && poll(&pfd, 1, -1) < 0 && errno != EINTR)
		return PGRES_POLLING_FAILED;
	return PQconnectPoll(conn);
}

/*
 * Starts connecting without waiting for the server, so that the caller can
 * read the migrations folder while the server starts the session: sends
 * what can be sent at once and returns.  Returns NULL when a password is to
 * be prompted for first (-W); client_connect_finish() then connects.
 */
PGconn *
client_connect_start(const ClientOptions *opts)
{
	const char *keywords[7];
	const char *values[7];
	PGconn	   *conn;
	PostgresPollingStatusType state = PGRES_POLLING_WRITING;

	if (opts->prompt == PROMPT_ALWAYS)
		return NULL;
	connection_params(opts, NULL, keywords, values);
	conn = PQconnectStartParams(keywords, values, true);
	if (conn == NULL || PQstatus(conn) == CONNECTION_BAD)
		return conn;
	while (state == PGRES_POLLING_WRITING)
		state = connection_step(conn, state);
	return conn;
}

/*
 * Finishes a connection that client_connect_start() began (or, given NULL,
 * connects), as client_connect() would, prompting for a password when the
 * server asks for one.  Exits with status 1 if it cannot connect.
 */
PGconn *
client_connect_finish(PGconn *conn, const ClientOptions *opts)
{
	PostgresPollingStatusType state = PGRES_POLLING_READING;

	if (conn == NULL)
		return client_connect(opts);
	if (PQstatus(conn) != CONNECTION_BAD)
		while (state != PGRES_POLLING_OK && state != PGRES_POLLING_FAILED)
		{
			state = connection_step(conn, state);
			if (PQstatus(conn) == CONNECTION_BAD)
				break;
		}
	if (PQstatus(conn) != CONNECTION_OK)
	{
		if (PQconnectionNeedsPassword(conn) && opts->prompt != PROMPT_NEVER)
		{
			PQfinish(conn);
			return client_connect(opts);
		}
		connection_failed(conn);
	}
	return connection_ready(conn, opts);
}

/*
 * Closes the connection.
 */
void
client_disconnect(PGconn *conn)
{
	PQfinish(conn);
}

/*
 * Prints a failed statement's error as psql does: severity, message,
 * DETAIL, HINT, CONTEXT; or the connection's error when there is no result.
 */
void
client_report_error(PGconn *conn, PGresult *res)
{
	const char *msg = res ? PQresultErrorMessage(res) : "";

	if (msg[0] == '\0')
		msg = PQerrorMessage(conn);
	fputs(msg, stderr);
	fflush(stderr);
}

/*
 * Runs one statement with text parameters and returns its result when it
 * succeeded; otherwise prints the error and returns NULL.
 */
PGresult *
client_exec(PGconn *conn, const char *sql, int nparams,
			const char *const *params)
{
	return client_exec_params(conn, sql, nparams, params, NULL, NULL);
}

/*
 * The same with parameters in text or binary format, as PQexecParams()
 * takes them.
 */
PGresult *
client_exec_params(PGconn *conn, const char *sql, int nparams,
				   const char *const *values, const int *lengths,
				   const int *formats)
{
	PGresult   *res;

	res = PQexecParams(conn, sql, nparams, NULL, values, lengths, formats, 0);
	if (res == NULL ||
		(PQresultStatus(res) != PGRES_TUPLES_OK &&
		 PQresultStatus(res) != PGRES_COMMAND_OK))
	{
		client_report_error(conn, res);
		PQclear(res);
		return NULL;
	}
	return res;
}

/*
 * Runs a statement without parameters or result rows (BEGIN, COMMIT, ...);
 * returns whether it succeeded, having printed the error if not.
 */
bool
client_command(PGconn *conn, const char *sql)
{
	PGresult   *res = client_exec(conn, sql, 0, NULL);

	if (res == NULL)
		return false;
	PQclear(res);
	return true;
}

/*
 * Returns the schema the extension is installed in, quoted as an
 * identifier, so that every call names its function whatever search_path
 * is (the migrations themselves run with the session's search_path).
 * Exits with status 1 when the extension is not installed.
 */
const char *
client_schema(PGconn *conn)
{
	PGresult   *res;
	char	   *quoted;

	if (extension_schema)
		return extension_schema;

	res = client_exec(conn,
					  "SELECT n.nspname FROM pg_catalog.pg_extension e "
					  "JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace "
					  "WHERE e.extname = 'migrate'", 0, NULL);
	if (res == NULL)
		exit(EXIT_FAILED);
	if (PQntuples(res) != 1)
	{
		pg_log_error("extension \"migrate\" is not installed in database \"%s\"",
					 PQdb(conn));
		pg_log_error_hint("Run CREATE EXTENSION migrate as a superuser.");
		PQclear(res);
		exit(EXIT_FAILED);
	}
	quoted = PQescapeIdentifier(conn, PQgetvalue(res, 0, 0),
								strlen(PQgetvalue(res, 0, 0)));
	PQclear(res);
	if (quoted == NULL)
		pg_fatal("%s", PQerrorMessage(conn));
	extension_schema = pg_strdup(quoted);
	PQfreemem(quoted);
	return extension_schema;
}
