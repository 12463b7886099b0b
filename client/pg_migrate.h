/*-------------------------------------------------------------------------
 *
 * pg_migrate.h
 *	  Declarations shared by the files of pg_migrate, the command-line
 *	  client of the migrate extension.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_MIGRATE_H
#define PG_MIGRATE_H

#include "postgres_fe.h"

#include "libpq-fe.h"
#include "pqexpbuffer.h"

/* Exit statuses. */
#define EXIT_DONE		0		/* done */
#define EXIT_FAILED		1		/* connection, SQL error, unreadable file */
#define EXIT_USAGE		2		/* bad usage */
#define EXIT_CHECK		3		/* a check found something */

/* Whether to prompt for a password, as pg_dump's -w and -W say. */
typedef enum PasswordPrompt
{
	PROMPT_DEFAULT,
	PROMPT_NEVER,
	PROMPT_ALWAYS
} PasswordPrompt;

/* The layouts of migration folders that pg_migrate reads. */
typedef enum FolderFormat
{
	FORMAT_AUTO,				/* recognise it */
	FORMAT_NATIVE,				/* migrate's own, which is dbmate's */
	FORMAT_GOLANG_MIGRATE,
	FORMAT_DIESEL,
	FORMAT_FLYWAY,
	FORMAT_POSTGRATOR,
	FORMAT_SQITCH,
	FORMAT_SQL_MIGRATE
} FolderFormat;

/* Everything the command line and the environment give. */
typedef struct ClientOptions
{
	const char *dbname;
	const char *host;
	const char *port;
	const char *username;
	PasswordPrompt prompt;
	const char *dir;
	bool		quiet;
	bool		prune;
	bool		check;
	bool		to_given;
	int64		to;
	bool		steps_given;
	int			steps;
	const char *format;			/* lint's output: text or json */
	FolderFormat folder_format; /* --format naming a folder layout */
	const char *from;			/* adopt --from TOOL */
	const char *set;			/* --set NAME, "main" by default */
	const char *schema;			/* --schema NAME, or NULL */
	const char *schemas_from;	/* --schemas-from QUERY, or NULL */
	bool		repeatable;		/* new --repeatable */
	const char *progpath;		/* argv[0], to find pg_dump beside us */
} ClientOptions;

/* One migration file, as read from the folder. */
typedef struct MigrationFile
{
	int64		version;
	char	   *name;
	char	   *path;
	char	   *up;
	char	   *down;			/* NULL: no down section (derive) */
	int			transactional;	/* -1: detect, 0: false */
	int			up_line;		/* line of the file where up starts */
	int			down_line;		/* likewise for down, 0 if none */
	char	   *down_path;		/* the down's file when it has one of its own,
								 * or NULL */
	char	   *tool_id;		/* what another tool's history calls it (a
								 * file or change name), or NULL */
	char	   *raw;			/* the up file's content, for the checksums
								 * of tools that keep one, or NULL */
	bool		repeatable;		/* an R__<name>.sql file: version 0, up is
								 * the body */
} MigrationFile;

/*
 * A folder's migrations, in version order, and its repeatable migrations,
 * in name order.
 */
typedef struct MigrationSet
{
	MigrationFile *files;
	int			count;
	MigrationFile *repeatables;
	int			nrepeatables;
} MigrationSet;

/* The arrays of the array form of migrate_load(), before prune. */
#define LOAD_ARRAY_PARAMS 9

/* Those arrays, as libpq parameters in binary format. */
typedef struct LoadParams
{
	char	   *values[LOAD_ARRAY_PARAMS];
	int			lengths[LOAD_ARRAY_PARAMS];
	int			formats[LOAD_ARRAY_PARAMS];
} LoadParams;

/* connection.c */
extern PGconn *client_connect(const ClientOptions *opts);
extern PGconn *client_connect_start(const ClientOptions *opts);
extern PGconn *client_connect_finish(PGconn *conn, const ClientOptions *opts);
extern void client_disconnect(PGconn *conn);
extern const char *client_schema(PGconn *conn);
extern PGresult *client_exec(PGconn *conn, const char *sql, int nparams,
							 const char *const *params);
extern PGresult *client_exec_params(PGconn *conn, const char *sql, int nparams,
									const char *const *values, const int *lengths,
									const int *formats);
extern bool client_command(PGconn *conn, const char *sql);
extern void client_report_error(PGconn *conn, PGresult *res);

/* files.c */
extern bool files_read_folder(const char *dir, MigrationSet *set);
extern bool files_read_one(const char *path, MigrationFile *file);
extern bool files_sort_set(MigrationSet *set);
extern char *files_read_text(const char *path);
extern char *files_to_json(const MigrationSet *set);
extern char *files_repeatables_to_json(const MigrationSet *set);
extern bool files_is_repeatable_name(const char *base);
extern bool files_split_repeatables(MigrationSet *set);
extern void files_append_json_string(PQExpBuffer buf, const char *s);

/* formats.c */
extern bool formats_parse_name(const char *name, FolderFormat *format);
extern const char *formats_name(FolderFormat format);
extern bool formats_map_flyway(const char *text, size_t len, int64 *version);
extern bool formats_read_folder(const char *dir, FolderFormat format,
								MigrationSet *set, FolderFormat *used);

/* adopt.c */
extern bool adopt_tool_known(const char *name);
extern int	cmd_adopt(const ClientOptions *opts);

/* params.c */
extern void params_for_load(const MigrationSet *set, LoadParams *params);
extern void params_free(LoadParams *params);
extern char *params_set_checksum(const MigrationSet *set);

/* scope.c */
extern bool scope_schemas_array(PGconn *conn, const ClientOptions *opts,
								char **array);
extern bool scope_set_known(PGconn *conn, const char *set_name);
extern bool scope_use_schema(PGconn *conn, const char *schema);
extern bool scope_load_repeatables(PGconn *conn, const MigrationSet *set,
								   const char *set_name, bool prune,
								   bool report_all, bool quiet);

/* status.c */
extern int	cmd_status(const ClientOptions *opts);

/* commands.c */
extern PGconn *connect_reading_set(const ClientOptions *opts, MigrationSet *set);
extern bool load_set(PGconn *conn, const MigrationSet *set, const char *set_name,
					 bool prune, bool report_all, bool quiet);
extern int	cmd_new(const ClientOptions *opts, const char *name);
extern int	cmd_load(const ClientOptions *opts);
extern int	cmd_plan(const ClientOptions *opts);
extern int	cmd_up(const ClientOptions *opts);
extern int	cmd_deploy(const ClientOptions *opts);
extern int	cmd_down(const ClientOptions *opts, bool revert);
extern int	cmd_verify(const ClientOptions *opts, const char *version);
extern int	cmd_lint(const ClientOptions *opts, int nfiles, char **files);
extern int	cmd_baseline(const ClientOptions *opts, const char *version);
extern int	cmd_resolve(const ClientOptions *opts, const char *version,
						const char *state);
extern int	cmd_dump(const ClientOptions *opts, const char *file);

#endif							/* PG_MIGRATE_H */
