/*-------------------------------------------------------------------------
 *
 * pg_migrate.c
 *	  pg_migrate, the command-line client of the migrate extension: reads a
 *	  folder of migration files and runs one server call per command.  This
 *	  file parses the command line and prints the help.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include "common/logging.h"
#include "getopt_long.h"

/* What each command takes, for its help and to refuse other options. */
#define TAKES_PRUNE		0x01
#define TAKES_CHECK		0x02
#define TAKES_TO		0x04
#define TAKES_STEPS		0x08
#define TAKES_FORMAT	0x10	/* --format naming a folder layout */
#define TAKES_OUTPUT	0x20	/* --format text|json */
#define TAKES_FROM		0x40
#define TAKES_SET		0x80
#define TAKES_SCHEMA	0x100
#define TAKES_SCHEMAS_FROM 0x200
#define TAKES_REPEATABLE 0x400

/* The folder layouts --format names */
#define FORMAT_NAMES "auto, native, dbmate, golang-migrate, diesel, flyway, sqitch, postgrator or sql-migrate"

typedef struct CommandInfo
{
	const char *name;
	const char *args;
	int			takes;
	int			min_args;
	int			max_args;		/* -1: any number */
	const char *summary;
} CommandInfo;

static const CommandInfo commands[] = {
	{"new", "NAME", TAKES_REPEATABLE, 1, 1,
	"write DIR/<UTC timestamp>_NAME.sql with empty up and down sections"},
	{"load", "", TAKES_PRUNE | TAKES_FORMAT | TAKES_SET, 0, 0,
	"define every migration of the folder in one transaction"},
	{"status", "", TAKES_CHECK | TAKES_FORMAT | TAKES_SET | TAKES_SCHEMA | TAKES_SCHEMAS_FROM, 0, 0,
	"compare the folder with the database, writing nothing"},
	{"plan", "", TAKES_TO | TAKES_STEPS | TAKES_FORMAT | TAKES_SET | TAKES_SCHEMA, 0, 0,
	"show what \"up\" would run now, writing nothing"},
	{"up", "", TAKES_TO | TAKES_STEPS | TAKES_FORMAT | TAKES_SET | TAKES_SCHEMA, 0, 0,
	"load and apply pending migrations in one transaction"},
	{"deploy", "", TAKES_TO | TAKES_STEPS | TAKES_FORMAT | TAKES_SET | TAKES_SCHEMA | TAKES_SCHEMAS_FROM, 0, 0,
	"load, then apply each pending migration in a transaction of its own"},
	{"down", "", TAKES_TO | TAKES_STEPS | TAKES_SET | TAKES_SCHEMA, 0, 0,
	"roll back applied migrations in one transaction (one by default)"},
	{"revert", "", TAKES_TO | TAKES_STEPS | TAKES_SET | TAKES_SCHEMA | TAKES_SCHEMAS_FROM, 0, 0,
	"roll back applied migrations, each in a transaction of its own"},
	{"verify", "[VERSION]", TAKES_FORMAT | TAKES_SET | TAKES_SCHEMA, 0, 1,
	"prove that downs undo their ups, changing nothing"},
	{"lint", "[FILE...]", TAKES_FORMAT | TAKES_OUTPUT | TAKES_SET | TAKES_SCHEMA, 0, -1,
	"check migrations for unsafe statements, changing nothing"},
	{"baseline", "VERSION", TAKES_FORMAT | TAKES_SET | TAKES_SCHEMA, 1, 1,
	"load, then mark pending migrations up to VERSION applied"},
	{"resolve", "VERSION applied|pending", TAKES_FORMAT | TAKES_SET | TAKES_SCHEMA, 2, 2,
	"load, then record the repair of a failed migration"},
	{"adopt", "", TAKES_FROM | TAKES_FORMAT | TAKES_SET | TAKES_SCHEMA, 0, 0,
	"take over a database another tool migrated: load, and mark applied what it applied"},
	{"dump", "[FILE]", 0, 0, 1,
	"write the schema and migrate's catalog rows, as pg_dump does"},
	{NULL, NULL, 0, 0, 0, NULL}
};

static void help(const char *progname);
static void help_command(const char *progname, const CommandInfo *cmd);
static void help_scope_options(const CommandInfo *cmd);
static const char *option_not_taken(int given);
static const CommandInfo *find_command(const char *name);
static void usage_error(const char *fmt, const char *arg);
static int64 parse_int64(const char *s, const char *what, int64 min, int64 max);

/*
 * Prints the global help in pg_dump's layout.
 */
static void
help(const char *progname)
{
	const CommandInfo *c;

	printf("%s runs the schema migrations kept as files in a folder on a PostgreSQL\n"
		   "database that has the migrate extension.\n\n", progname);
	printf("Usage:\n");
	printf("  %s [OPTION]... COMMAND [ARG]...\n", progname);
	printf("\nCommands:\n");
	for (c = commands; c->name; c++)
	{
		char	   *left = psprintf("%s %s", c->name, c->args);

		printf("  %-33s %s\n", left, c->summary);
		pfree(left);
	}
	printf("\nGeneral options:\n");
	printf("  --dir=DIR                migrations folder (default: MIGRATE_DIR or \"migrations\")\n");
	printf("  -q, --quiet              do not print the server's progress notices\n");
	printf("  -V, --version            output version information, then exit\n");
	printf("  -?, --help               show this help, then exit\n");
	printf("\nConnection options:\n");
	printf("  -d, --dbname=DBNAME      database name, connection string or URI\n"
		   "                           (default: DATABASE_URL, then the PG* variables)\n");
	printf("  -h, --host=HOSTNAME      database server host or socket directory\n");
	printf("  -p, --port=PORT          database server port number\n");
	printf("  -U, --username=NAME      connect as specified database user\n");
	printf("  -w, --no-password        never prompt for password\n");
	printf("  -W, --password           force password prompt (should happen automatically)\n");
	printf("\nExit status: 0 done, 1 failed, 2 bad usage, 3 a check found something.\n");
	printf("\"%s help COMMAND\" describes a command.\n", progname);
}

/*
 * Prints the help of one command.
 */
static void
help_command(const char *progname, const CommandInfo *cmd)
{
	printf("%s %s: %s.\n\n", progname, cmd->name, cmd->summary);
	printf("Usage:\n");
	printf("  %s [OPTION]... %s%s%s%s%s%s%s%s%s%s%s\n", progname, cmd->name,
		   (cmd->takes & TAKES_FROM) ? " --from=TOOL" : "",
		   (cmd->takes & TAKES_REPEATABLE) ? " [--repeatable]" : "",
		   (cmd->takes & TAKES_PRUNE) ? " [--prune]" : "",
		   (cmd->takes & TAKES_CHECK) ? " [--check]" : "",
		   (cmd->takes & TAKES_TO) ? " [--to=VERSION]" : "",
		   (cmd->takes & TAKES_STEPS) ? " [--steps=N]" : "",
		   (cmd->takes & TAKES_OUTPUT) ? " [--format=text|json]" : "",
		   (cmd->takes & TAKES_FORMAT) ? " [--format=LAYOUT]" : "",
		   cmd->args[0] ? " " : "", cmd->args);
	if (cmd->takes)
		printf("\nOptions:\n");
	if (cmd->takes & TAKES_PRUNE)
		printf("  --prune                  remove pending migrations that no file holds\n");
	if (cmd->takes & TAKES_CHECK)
		printf("  --check                  exit with status 3 unless every migration is applied and unchanged\n");
	if (cmd->takes & TAKES_TO)
	{
		if (strcmp(cmd->name, "down") == 0 || strcmp(cmd->name, "revert") == 0)
			printf("  --to=VERSION             roll back every applied migration >= VERSION (0: all)\n");
		else
			printf("  --to=VERSION             only migrations up to VERSION\n");
	}
	if (cmd->takes & TAKES_STEPS)
		printf("  --steps=N                at most N migrations\n");
	if (cmd->takes & TAKES_FROM)
		printf("  --from=TOOL              the tool that migrated the database: dbmate, golang-migrate,\n"
			   "                           diesel, flyway, sqitch, postgrator or sql-migrate\n");
	if (cmd->takes & TAKES_OUTPUT)
		printf("  --format=text|json       the findings as text (default) or JSON\n");
	if (cmd->takes & TAKES_FORMAT)
		printf("  --format=LAYOUT          the folder's layout: auto (default), native, dbmate,\n"
			   "                           golang-migrate, diesel, flyway, sqitch, postgrator or sql-migrate\n");
	help_scope_options(cmd);
	printf("\nThe general and connection options are listed by \"%s --help\".\n", progname);
}

/*
 * Prints the help of the options that choose what a command works on:
 * --repeatable, --set, --schema and --schemas-from.
 */
static void
help_scope_options(const CommandInfo *cmd)
{
	if (cmd->takes & TAKES_REPEATABLE)
		printf("  --repeatable             write DIR/R__NAME.sql, a repeatable migration, with an empty up section\n");
	if (cmd->takes & TAKES_SET)
	{
		if (strcmp(cmd->name, "lint") == 0)
			printf("  --set=NAME               without FILE, the pending migrations of set NAME (default: main)\n");
		else
			printf("  --set=NAME               work on migration set NAME (default: main)\n");
	}
	if (cmd->takes & TAKES_SCHEMA)
	{
		if (strcmp(cmd->name, "lint") == 0)
			printf("  --schema=NAME            judge against tenant schema NAME, and without FILE take\n"
				   "                           the migrations pending there\n");
		else
			printf("  --schema=NAME            work in tenant schema NAME (its objects, its applied state)\n");
	}
	if (cmd->takes & TAKES_SCHEMAS_FROM)
		printf("  --schemas-from=QUERY     work in every schema the first column of SQL QUERY names,\n"
			   "                           in its order (not with --schema)\n");
}

/*
 * Returns the first option of those given (a mask of TAKES_ bits) for the
 * usage error that it does not apply.
 */
static const char *
option_not_taken(int given)
{
	return (given & TAKES_PRUNE) ? "--prune" :
		(given & TAKES_CHECK) ? "--check" :
		(given & TAKES_TO) ? "--to" :
		(given & TAKES_STEPS) ? "--steps" :
		(given & TAKES_FROM) ? "--from" :
		(given & TAKES_SET) ? "--set" :
		(given & TAKES_SCHEMA) ? "--schema" :
		(given & TAKES_SCHEMAS_FROM) ? "--schemas-from" :
		(given & TAKES_REPEATABLE) ? "--repeatable" : "--format";
}

/* Returns the command of that name, or NULL. */
static const CommandInfo *
find_command(const char *name)
{
	const CommandInfo *c;

	for (c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/*
 * Prints a usage error with the hint pg_dump gives, and exits with status 2.
 */
static void
usage_error(const char *fmt, const char *arg)
{
	pg_log_error(fmt, arg);
	pg_log_error_hint("Try \"%s --help\" for more information.", get_progname("pg_migrate"));
	exit(EXIT_USAGE);
}

/*
 * Parses a whole number from min to max for option or argument what; exits
 * with status 2 if it is not one.
 */
static int64
parse_int64(const char *s, const char *what, int64 min, int64 max)
{
	char	   *end;
	long long	v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno == ERANGE || v < min || v > max ||
		!isdigit((unsigned char) *s))
	{
		pg_log_error("invalid value \"%s\" for %s", s, what);
		pg_log_error_hint("Give a whole number from " INT64_FORMAT " to " INT64_FORMAT ".",
						  min, max);
		exit(EXIT_USAGE);
	}
	return (int64) v;
}

/*
 * Entry point: parses the options (anywhere on the line), then runs the
 * command and exits with its status.
 */
int
main(int argc, char **argv)
{
	static struct option long_options[] = {
		{"dbname", required_argument, NULL, 'd'},
		{"host", required_argument, NULL, 'h'},
		{"port", required_argument, NULL, 'p'},
		{"username", required_argument, NULL, 'U'},
		{"no-password", no_argument, NULL, 'w'},
		{"password", no_argument, NULL, 'W'},
		{"quiet", no_argument, NULL, 'q'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 7},
		{"dir", required_argument, NULL, 1},
		{"prune", no_argument, NULL, 2},
		{"check", no_argument, NULL, 3},
		{"to", required_argument, NULL, 4},
		{"steps", required_argument, NULL, 5},
		{"format", required_argument, NULL, 6},
		{"from", required_argument, NULL, 8},
		{"set", required_argument, NULL, 9},
		{"schema", required_argument, NULL, 10},
		{"schemas-from", required_argument, NULL, 11},
		{"repeatable", no_argument, NULL, 12},
		{NULL, 0, NULL, 0}
	};
	const char *progname;
	ClientOptions opts;
	const CommandInfo *cmd;
	bool		want_help = false;
	int			given = 0;
	int			c;
	int			nargs;
	char	  **args;

	pg_logging_init(argv[0]);
	set_pglocale_pgservice(argv[0], PG_TEXTDOMAIN("pg_migrate"));
	progname = get_progname(argv[0]);

	memset(&opts, 0, sizeof(opts));
	opts.progpath = argv[0];
	opts.prompt = PROMPT_DEFAULT;
	opts.dir = getenv("MIGRATE_DIR");
	if (opts.dir == NULL || opts.dir[0] == '\0')
		opts.dir = "migrations";
	opts.format = "text";
	opts.set = "main";

	/* "-?" is "--help", wherever it is, as in pg_dump. */
	for (c = 1; c < argc; c++)
		if (strcmp(argv[c], "-?") == 0)
			argv[c] = "--help";

	while ((c = getopt_long(argc, argv, "d:h:p:U:wWqV", long_options, NULL)) != -1)
	{
		switch (c)
		{
			case 'd':
				opts.dbname = pg_strdup(optarg);
				break;
			case 'h':
				opts.host = pg_strdup(optarg);
				break;
			case 'p':
				opts.port = pg_strdup(optarg);
				break;
			case 'U':
				opts.username = pg_strdup(optarg);
				break;
			case 'w':
				opts.prompt = PROMPT_NEVER;
				break;
			case 'W':
				opts.prompt = PROMPT_ALWAYS;
				break;
			case 'q':
				opts.quiet = true;
				break;
			case 'V':
				puts("pg_migrate (PostgreSQL) " PG_VERSION);
				exit(EXIT_DONE);
			case 7:
				want_help = true;
				break;
			case 1:
				opts.dir = pg_strdup(optarg);
				break;
			case 2:
				opts.prune = true;
				given |= TAKES_PRUNE;
				break;
			case 3:
				opts.check = true;
				given |= TAKES_CHECK;
				break;
			case 4:
				opts.to_given = true;
				opts.to = parse_int64(optarg, "--to", 0, PG_INT64_MAX);
				given |= TAKES_TO;
				break;
			case 5:
				opts.steps_given = true;
				opts.steps = (int) parse_int64(optarg, "--steps", 1, PG_INT32_MAX);
				given |= TAKES_STEPS;
				break;
			case 6:
				if (strcmp(optarg, "text") == 0 || strcmp(optarg, "json") == 0)
				{
					opts.format = pg_strdup(optarg);
					given |= TAKES_OUTPUT;
				}
				else if (formats_parse_name(optarg, &opts.folder_format))
					given |= TAKES_FORMAT;
				else
					usage_error("invalid value \"%s\" for --format: " FORMAT_NAMES " (lint: also text or json)",
								optarg);
				break;
			case 8:
				if (!adopt_tool_known(optarg))
					usage_error("invalid value \"%s\" for --from: dbmate, golang-migrate, diesel, flyway, sqitch, postgrator or sql-migrate",
								optarg);
				opts.from = pg_strdup(optarg);
				given |= TAKES_FROM;
				break;
			case 9:
				if (optarg[0] == '\0')
					usage_error("the name of a set cannot be empty%s", "");
				opts.set = pg_strdup(optarg);
				given |= TAKES_SET;
				break;
			case 10:
				if (optarg[0] == '\0')
					usage_error("the name of a schema cannot be empty%s", "");
				opts.schema = pg_strdup(optarg);
				given |= TAKES_SCHEMA;
				break;
			case 11:
				opts.schemas_from = pg_strdup(optarg);
				given |= TAKES_SCHEMAS_FROM;
				break;
			case 12:
				opts.repeatable = true;
				given |= TAKES_REPEATABLE;
				break;
			default:
				pg_log_error_hint("Try \"%s --help\" for more information.", progname);
				exit(EXIT_USAGE);
		}
	}

	if (opts.dbname == NULL)
	{
		const char *url = getenv("DATABASE_URL");

		if (url && url[0] != '\0')
			opts.dbname = url;
	}

	args = argv + optind;
	nargs = argc - optind;

	if (nargs == 0)
	{
		if (want_help)
		{
			help(progname);
			exit(EXIT_DONE);
		}
		usage_error("no command given%s", "");
	}

	if (strcmp(args[0], "help") == 0)
	{
		if (nargs == 1)
			help(progname);
		else if ((cmd = find_command(args[1])) != NULL)
			help_command(progname, cmd);
		else
			usage_error("unknown command \"%s\"", args[1]);
		exit(EXIT_DONE);
	}

	cmd = find_command(args[0]);
	if (cmd == NULL)
		usage_error("unknown command \"%s\"", args[0]);
	if (want_help)
	{
		help_command(progname, cmd);
		exit(EXIT_DONE);
	}
	if (given & ~cmd->takes)
	{
		pg_log_error("option %s does not apply to command \"%s\"",
					 option_not_taken(given & ~cmd->takes), cmd->name);
		pg_log_error_hint("Try \"%s help %s\" for more information.", progname, cmd->name);
		exit(EXIT_USAGE);
	}
	if ((strcmp(cmd->name, "down") == 0 || strcmp(cmd->name, "revert") == 0) &&
		opts.to_given && opts.steps_given)
		usage_error("options --to and --steps cannot be used together%s", "");
	if (opts.schema != NULL && opts.schemas_from != NULL)
		usage_error("options --schema and --schemas-from cannot be used together%s", "");
	if ((cmd->takes & TAKES_FROM) && opts.from == NULL)
		usage_error("command \"%s\" needs --from=TOOL", cmd->name);
	nargs--;
	args++;
	if (nargs < cmd->min_args ||
		(cmd->max_args >= 0 && nargs > cmd->max_args))
	{
		pg_log_error("command \"%s\" takes %s%s", cmd->name,
					 cmd->args[0] ? "arguments " : "no arguments", cmd->args);
		pg_log_error_hint("Try \"%s help %s\" for more information.", progname, cmd->name);
		exit(EXIT_USAGE);
	}

	if (strcmp(cmd->name, "new") == 0)
		return cmd_new(&opts, args[0]);
	if (strcmp(cmd->name, "load") == 0)
		return cmd_load(&opts);
	if (strcmp(cmd->name, "status") == 0)
		return cmd_status(&opts);
	if (strcmp(cmd->name, "plan") == 0)
		return cmd_plan(&opts);
	if (strcmp(cmd->name, "up") == 0)
		return cmd_up(&opts);
	if (strcmp(cmd->name, "deploy") == 0)
		return cmd_deploy(&opts);
	if (strcmp(cmd->name, "down") == 0)
		return cmd_down(&opts, false);
	if (strcmp(cmd->name, "revert") == 0)
		return cmd_down(&opts, true);
	if (strcmp(cmd->name, "verify") == 0)
		return cmd_verify(&opts, nargs > 0 ? args[0] : NULL);
	if (strcmp(cmd->name, "lint") == 0)
		return cmd_lint(&opts, nargs, args);
	if (strcmp(cmd->name, "baseline") == 0)
		return cmd_baseline(&opts, args[0]);
	if (strcmp(cmd->name, "resolve") == 0)
		return cmd_resolve(&opts, args[0], args[1]);
	if (strcmp(cmd->name, "adopt") == 0)
		return cmd_adopt(&opts);
	return cmd_dump(&opts, nargs > 0 ? args[0] : NULL);
}
