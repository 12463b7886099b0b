/*-------------------------------------------------------------------------
 *
 * formats.c
 *	  Reading other tools' migration folders: golang-migrate, diesel,
 *	  Flyway, sqitch, postgrator and sql-migrate, besides migrate's own
 *	  format (dbmate's, read by files.c), and recognising which one a folder
 *	  holds.
 *
 * Every format gives the same MigrationSet: a version (a positive bigint,
 * mapped from the tool's own by the rules of formats_map_flyway() and the
 * readers below), a name, an up, a down (NULL: derive it) and whether it
 * may run in a transaction.  A BEGIN; ... COMMIT; pair that wraps a whole
 * body is blanked out, keeping the body's line numbers.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/logging.h"

/* The formats, by name */
static const struct
{
	const char *name;
	FolderFormat format;
}			format_names[] = {
	{"auto", FORMAT_AUTO},
	{"native", FORMAT_NATIVE},
	{"dbmate", FORMAT_NATIVE},
	{"golang-migrate", FORMAT_GOLANG_MIGRATE},
	{"diesel", FORMAT_DIESEL},
	{"flyway", FORMAT_FLYWAY},
	{"sqitch", FORMAT_SQITCH},
	{"postgrator", FORMAT_POSTGRATOR},
	{"sql-migrate", FORMAT_SQL_MIGRATE},
	{NULL, FORMAT_AUTO}
};

/* A folder's entries, sorted by name */
typedef struct FolderEntries
{
	char	  **names;
	bool	   *is_dir;
	int			count;
} FolderEntries;

/* What a file name of a paired-file layout is */
typedef enum PairedKind
{
	PAIRED_NONE,				/* not a file of the layout */
	PAIRED_UP,
	PAIRED_DOWN,
	PAIRED_REPEATABLE,			/* a repeatable migration (Flyway's R__) */
	PAIRED_BAD					/* a bad name: the error is set */
} PairedKind;

/* What a paired-file layout's name gives */
typedef struct PairedName
{
	int64		version;
	char	   *name;
	char	   *tool_id;
	char	   *error;
	const char *detail;
	const char *hint;
} PairedName;

/* A layout of one up file and one optional down file per migration */
typedef struct PairedLayout
{
	const char *tool;			/* for messages */
	PairedKind	(*parse) (const char *name, const char *path, PairedName *parsed);
	const char *pairing;		/* the hint for a down without its up */
} PairedLayout;

static PairedKind parse_golang_migrate(const char *name, const char *path, PairedName *parsed);
static PairedKind parse_postgrator(const char *name, const char *path, PairedName *parsed);
static PairedKind parse_flyway(const char *name, const char *path, PairedName *parsed);

static const PairedLayout golang_migrate_layout = {
	"golang-migrate", parse_golang_migrate,
	"golang-migrate pairs <version>_<name>.down.sql with <version>_<name>.up.sql."
};
static const PairedLayout postgrator_layout = {
	"postgrator", parse_postgrator,
	"postgrator pairs <version>.undo.<name>.sql with <version>.do.<name>.sql."
};
static const PairedLayout flyway_layout = {
	"Flyway", parse_flyway,
	"Flyway pairs U<version>__<description>.sql with V<version>__<description>.sql."
};

static bool list_folder(const char *dir, FolderEntries *entries);
static bool ends_with(const char *s, const char *suffix);
static bool digits_value(const char *p, size_t len, int64 *value);
static size_t leading_digits(const char *s);
static char *skip_blank_and_comments(char *p);
static void blank_transaction_wrapper(char *body);
static MigrationFile *add_file(MigrationSet *set, int *allocated);
static bool add_repeatable(MigrationSet *set, int *allocated, char *name, char *path);
static char *body_of(const char *content);
static char *read_body(const char *path);
static bool read_paired(const char *dir, FolderEntries *entries, const PairedLayout *layout,
						MigrationSet *set);
static bool read_diesel(const char *dir, FolderEntries *entries, MigrationSet *set);
static bool read_sqitch(const char *dir, MigrationSet *set);
static bool read_sql_migrate(const char *dir, FolderEntries *entries, MigrationSet *set);
static bool read_sql_migrate_file(const char *path, MigrationFile *file);
static MigrationFile *find_version(MigrationSet *set, int64 version);
static bool detect_format(const char *dir, FolderEntries *entries, FolderFormat *format);

/*
 * Returns the format a --format value names, or false if none.
 */
bool
formats_parse_name(const char *name, FolderFormat *format)
{
	int			i;

	for (i = 0; format_names[i].name != NULL; i++)
		if (strcmp(format_names[i].name, name) == 0)
		{
			*format = format_names[i].format;
			return true;
		}
	return false;
}

/*
 * Returns the name of a format, for messages.
 */
const char *
formats_name(FolderFormat format)
{
	int			i;

	for (i = 0; format_names[i].name != NULL; i++)
		if (format_names[i].format == format && strcmp(format_names[i].name, "dbmate") != 0)
			return format_names[i].name;
	return "native";
}

/*
 * Whether s ends with suffix.
 */
static bool
ends_with(const char *s, const char *suffix)
{
	size_t		n = strlen(s);
	size_t		m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/*
 * Reads len digits at p as a number; false when it overflows a bigint or
 * there are none.
 */
static bool
digits_value(const char *p, size_t len, int64 *value)
{
	int64		v = 0;
	size_t		i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++)
	{
		int			digit = p[i] - '0';

		if (digit < 0 || digit > 9 || v > (PG_INT64_MAX - digit) / 10)
			return false;
		v = v * 10 + digit;
	}
	*value = v;
	return true;
}

/*
 * Returns how many digits s starts with.
 */
static size_t
leading_digits(const char *s)
{
	size_t		n = 0;

	while (isdigit((unsigned char) s[n]))
		n++;
	return n;
}

/*
 * Lists a folder's entries (but dot files) sorted by name, telling
 * directories apart; false after printing the error.
 */
static bool
list_folder(const char *dir, FolderEntries *entries)
{
	DIR		   *d = opendir(dir);
	struct dirent *de;
	int			allocated = 64;

	if (d == NULL)
	{
		pg_log_error("could not open migrations folder \"%s\": %m", dir);
		pg_log_error_hint("Give the folder with --dir or MIGRATE_DIR.");
		return false;
	}
	entries->count = 0;
	entries->names = pg_malloc(allocated * sizeof(char *));
	while (errno = 0, (de = readdir(d)) != NULL)
	{
		if (de->d_name[0] == '.')
			continue;
		if (entries->count == allocated)
		{
			allocated *= 2;
			entries->names = pg_realloc(entries->names, allocated * sizeof(char *));
		}
		entries->names[entries->count++] = pg_strdup(de->d_name);
	}
	if (errno != 0)
	{
		pg_log_error("could not read migrations folder \"%s\": %m", dir);
		closedir(d);
		return false;
	}
	closedir(d);
	qsort(entries->names, entries->count, sizeof(char *), pg_qsort_strcmp);
	entries->is_dir = pg_malloc0(sizeof(bool) * Max(entries->count, 1));
	for (int i = 0; i < entries->count; i++)
	{
		char	   *path = psprintf("%s/%s", dir, entries->names[i]);
		struct stat st;

		entries->is_dir[i] = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
		pfree(path);
	}
	return true;
}

/*
 * Skips white space and "--" comment lines.
 */
static char *
skip_blank_and_comments(char *p)
{
	for (;;)
	{
		while (isspace((unsigned char) *p))
			p++;
		if (p[0] == '-' && p[1] == '-')
		{
			while (*p && *p != '\n')
				p++;
			continue;
		}
		return p;
	}
}

/*
 * Blanks out (with spaces, so that line numbers stay) a BEGIN; or START
 * TRANSACTION; that opens a body together with the COMMIT; or END; that
 * closes it.  Any other transaction control is left for the server to
 * refuse.
 */
static void
blank_transaction_wrapper(char *body)
{
	static const char *const openers[] = {"begin transaction", "begin work", "begin",
	"start transaction", NULL};
	static const char *const closers[] = {"commit transaction", "commit work", "commit",
	"end transaction", "end work", "end", NULL};
	char	   *start = skip_blank_and_comments(body);
	char	   *open_end = NULL;
	char	   *end;
	char	   *close_start = NULL;
	int			i;

	for (i = 0; openers[i] != NULL && open_end == NULL; i++)
	{
		size_t		n = strlen(openers[i]);
		char	   *p = start + n;

		if (pg_strncasecmp(start, openers[i], n) != 0)
			continue;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == ';')
			open_end = p + 1;
	}
	if (open_end == NULL)
		return;

	/* the last statement: ";" at the end, after trailing blanks */
	end = body + strlen(body);
	while (end > open_end && isspace((unsigned char) end[-1]))
		end--;
	if (end == open_end || end[-1] != ';')
		return;
	for (i = 0; closers[i] != NULL && close_start == NULL; i++)
	{
		size_t		n = strlen(closers[i]);
		char	   *p = end - 1;

		while (p > open_end && (p[-1] == ' ' || p[-1] == '\t'))
			p--;
		if (p - open_end < (ptrdiff_t) n || pg_strncasecmp(p - n, closers[i], n) != 0)
			continue;
		p -= n;
		if (p > open_end && !isspace((unsigned char) p[-1]) && p[-1] != ';')
			continue;
		close_start = p;
	}
	if (close_start == NULL)
		return;
	memset(start, ' ', open_end - start);
	memset(close_start, ' ', end - close_start);
}

/*
 * Appends a zeroed file to set, growing it.
 */
static MigrationFile *
add_file(MigrationSet *set, int *allocated)
{
	MigrationFile *file;

	if (set->count == *allocated)
	{
		*allocated = Max(*allocated * 2, 16);
		set->files = pg_realloc(set->files, *allocated * sizeof(MigrationFile));
	}
	file = &set->files[set->count++];
	memset(file, 0, sizeof(*file));
	file->transactional = -1;
	return file;
}

/*
 * Appends a repeatable migration whose file holds nothing but its body, as
 * Flyway's R__ files do; false after an error.
 */
static bool
add_repeatable(MigrationSet *set, int *allocated, char *name, char *path)
{
	MigrationFile *file = add_file(set, allocated);

	file->repeatable = true;
	file->name = name;
	file->path = path;
	file->up_line = 1;
	if ((file->raw = files_read_text(path)) == NULL)
		return false;
	file->up = body_of(file->raw);
	return true;
}

/*
 * Returns a copy of a file's content as a body: without a leading UTF-8
 * byte order mark (which editors on Windows write, and Flyway ignores), its
 * transaction wrapper blanked out.
 */
static char *
body_of(const char *content)
{
	char	   *body;

	if ((unsigned char) content[0] == 0xEF && (unsigned char) content[1] == 0xBB &&
		(unsigned char) content[2] == 0xBF)
		content += 3;
	body = pg_strdup(content);
	blank_transaction_wrapper(body);
	return body;
}

/*
 * Reads a body file: see body_of().
 */
static char *
read_body(const char *path)
{
	char	   *content = files_read_text(path);

	return content == NULL ? NULL : body_of(content);
}

/*
 * Returns the set's file of a version, or NULL.
 */
static MigrationFile *
find_version(MigrationSet *set, int64 version)
{
	int			i;

	for (i = 0; i < set->count; i++)
		if (set->files[i].version == version)
			return &set->files[i];
	return NULL;
}

/*
 * Reads a layout of paired files, one up and one optional down per
 * migration (golang-migrate, postgrator, Flyway): the ups first, then the
 * downs, each of which needs its up.
 */
static bool
read_paired(const char *dir, FolderEntries *entries, const PairedLayout *layout,
			MigrationSet *set)
{
	int			allocated = 0;
	int			pass;

	for (pass = 0; pass < 2; pass++)
		for (int i = 0; i < entries->count; i++)
		{
			PairedName parsed = {0};
			char	   *path;
			MigrationFile *file;
			PairedKind kind;

			if (entries->is_dir[i] || !ends_with(entries->names[i], ".sql"))
				continue;
			path = psprintf("%s/%s", dir, entries->names[i]);
			kind = layout->parse(entries->names[i], path, &parsed);
			if (kind == PAIRED_BAD)
			{
				pg_log_error("%s", parsed.error);
				if (parsed.detail)
					pg_log_error_detail("%s", parsed.detail);
				if (parsed.hint)
					pg_log_error_hint("%s", parsed.hint);
				return false;
			}
			if (kind == PAIRED_REPEATABLE && pass == 0)
			{
				if (!add_repeatable(set, &allocated, parsed.name, path))
					return false;
				continue;
			}
			if (kind != (pass == 0 ? PAIRED_UP : PAIRED_DOWN))
				continue;
			file = find_version(set, parsed.version);
			if (pass == 0)
			{
				if (file != NULL)
				{
					pg_log_error("two files have version " INT64_FORMAT ": \"%s\" and \"%s\"",
								 parsed.version, file->path, path);
					pg_log_error_hint("Give one of them a new version.");
					return false;
				}
				file = add_file(set, &allocated);
				file->version = parsed.version;
				file->name = parsed.name;
				file->tool_id = parsed.tool_id;
				file->path = path;
				file->up_line = 1;
				if ((file->raw = files_read_text(path)) == NULL)
					return false;
				file->up = body_of(file->raw);
				continue;
			}
			if (file == NULL)
			{
				pg_log_error("%s file \"%s\" has no up file", layout->tool, path);
				pg_log_error_hint("%s", layout->pairing);
				return false;
			}
			file->down_line = 1;
			file->down_path = path;
			if ((file->down = read_body(path)) == NULL)
				return false;
		}
	return true;
}

/*
 * golang-migrate: <version>_<name>.up.sql and <version>_<name>.down.sql.
 */
static PairedKind
parse_golang_migrate(const char *name, const char *path, PairedName *parsed)
{
	bool		up = ends_with(name, ".up.sql");
	size_t		suffix = up ? strlen(".up.sql") : strlen(".down.sql");
	size_t		digits = leading_digits(name);

	if (!up && !ends_with(name, ".down.sql"))
		return PAIRED_NONE;
	if (!digits_value(name, digits, &parsed->version) || parsed->version <= 0 ||
		name[digits] != '_' || strlen(name) <= digits + 1 + suffix)
	{
		parsed->error = psprintf("invalid golang-migrate file name \"%s\"", path);
		parsed->detail = "A golang-migrate file is named <version>_<name>.up.sql or <version>_<name>.down.sql, the version being a positive whole number.";
		return PAIRED_BAD;
	}
	parsed->name = pnstrdup(name + digits + 1, strlen(name) - digits - 1 - suffix);
	return up ? PAIRED_UP : PAIRED_DOWN;
}

/*
 * postgrator: <version>.do.<name>.sql and <version>.undo.<name>.sql.
 */
static PairedKind
parse_postgrator(const char *name, const char *path, PairedName *parsed)
{
	size_t		digits = leading_digits(name);
	bool		up = strncmp(name + digits, ".do.", 4) == 0;
	const char *rest = name + digits + (up ? 4 : 6);

	if (!up && strncmp(name + digits, ".undo.", 6) != 0)
		return PAIRED_NONE;
	if (!digits_value(name, digits, &parsed->version) || parsed->version <= 0)
	{
		parsed->error = psprintf("invalid postgrator file name \"%s\"", path);
		parsed->detail = "A postgrator file is named <version>.do.<name>.sql or <version>.undo.<name>.sql, the version being a positive whole number.";
		return PAIRED_BAD;
	}
	parsed->name = strlen(rest) > 4 ? pnstrdup(rest, strlen(rest) - 4) :
		psprintf(INT64_FORMAT, parsed->version);
	return up ? PAIRED_UP : PAIRED_DOWN;
}

/*
 * Maps a Flyway version ("1", "1.2", "2_1_3", "20261121093000") to a
 * bigint that keeps Flyway's order and never changes as files are added:
 * at most three parts separated by "." or "_", the first of at most 14
 * digits and the others below 100; the version is first * 10^4 + second *
 * 10^2 + third.  Returns false for a version that cannot be mapped.
 */
bool
formats_map_flyway(const char *text, size_t len, int64 *version)
{
	int64		parts[3] = {0, 0, 0};
	int			nparts = 0;
	size_t		i = 0;

	while (i < len)
	{
		size_t		start = i;

		while (i < len && isdigit((unsigned char) text[i]))
			i++;
		if (nparts == 3 || i == start || i - start > (nparts == 0 ? 14 : 2) ||
			!digits_value(text + start, i - start, &parts[nparts]))
			return false;
		nparts++;
		if (i < len)
		{
			if (text[i] != '.' && text[i] != '_')
				return false;
			i++;
			if (i == len)
				return false;
		}
	}
	if (nparts == 0)
		return false;
	*version = parts[0] * 10000 + parts[1] * 100 + parts[2];
	return *version > 0;
}

/*
 * Flyway: V<version>__<description>.sql, undo U<version>__<description>.sql,
 * and repeatable R__<description>.sql, whose whole content is the body
 * (with no down: rolling back its first run runs nothing).
 */
static PairedKind
parse_flyway(const char *name, const char *path, PairedName *parsed)
{
	const char *sep = strstr(name, "__");

	if (files_is_repeatable_name(name))
	{
		parsed->name = pnstrdup(name + 3, strlen(name) - 7);
		if (parsed->name[0] == '\0')
		{
			parsed->error = psprintf("invalid Flyway file name \"%s\"", path);
			parsed->detail = "A repeatable migration file is named R__<description>.sql, the description not empty.";
			return PAIRED_BAD;
		}
		return PAIRED_REPEATABLE;
	}
	if ((name[0] != 'V' && name[0] != 'U') || sep == NULL)
	{
		parsed->error = psprintf("invalid Flyway file name \"%s\"", path);
		parsed->detail = "A Flyway file is named V<version>__<description>.sql, or U<version>__<description>.sql for an undo.";
		return PAIRED_BAD;
	}
	if (!formats_map_flyway(name + 1, sep - name - 1, &parsed->version))
	{
		parsed->error = psprintf("Flyway version \"%.*s\" of file \"%s\" cannot be mapped to a migration version",
								 (int) (sep - name - 1), name + 1, path);
		parsed->detail = "A version has at most three parts separated by \".\" or \"_\", the first of at most 14 digits and the others below 100; it maps to first * 10000 + second * 100 + third.";
		return PAIRED_BAD;
	}
	parsed->tool_id = pnstrdup(name + 1, sep - name - 1);
	parsed->name = pnstrdup(sep + 2, strlen(sep + 2) - 4);
	if (parsed->name[0] == '\0')
		parsed->name = parsed->tool_id;
	return name[0] == 'V' ? PAIRED_UP : PAIRED_DOWN;
}

/*
 * diesel: one directory per migration, <YYYY-MM-DD-HHMMSS>_<name> (the
 * version: its digits; diesel's 00000000000000_diesel_initial_setup maps
 * to 1), holding up.sql, down.sql and optionally metadata.toml, whose
 * run_in_transaction = false makes it non-transactional.
 */
static bool
read_diesel(const char *dir, FolderEntries *entries, MigrationSet *set)
{
	int			allocated = 0;

	for (int i = 0; i < entries->count; i++)
	{
		const char *name = entries->names[i];
		const char *p = name;
		char		digits[32];
		int			n = 0;
		int64		version;
		char	   *path;
		char	   *metadata;
		MigrationFile *file;

		if (!entries->is_dir[i])
			continue;
		while ((isdigit((unsigned char) *p) || *p == '-') && n < (int) sizeof(digits) - 1)
		{
			if (*p != '-')
				digits[n++] = *p;
			p++;
		}
		path = psprintf("%s/%s", dir, name);
		if (*p != '_' || !digits_value(digits, n, &version))
		{
			pg_log_error("invalid diesel migration directory \"%s\"", path);
			pg_log_error_detail("A diesel migration is a directory <YYYY-MM-DD-HHMMSS>_<name> holding up.sql and down.sql.");
			return false;
		}
		if (version == 0)
			version = 1;
		if (find_version(set, version) != NULL)
		{
			pg_log_error("two directories have version " INT64_FORMAT ": \"%s\" and \"%s\"",
						 version, find_version(set, version)->path, path);
			return false;
		}
		file = add_file(set, &allocated);
		file->version = version;
		file->name = pg_strdup(p + 1);
		file->tool_id = pnstrdup(digits, n);
		file->path = psprintf("%s/up.sql", path);
		file->up_line = 1;
		if ((file->up = read_body(file->path)) == NULL)
			return false;
		metadata = psprintf("%s/down.sql", path);
		if (access(metadata, F_OK) == 0)
		{
			file->down_line = 1;
			file->down_path = metadata;
			if ((file->down = read_body(metadata)) == NULL)
				return false;
		}
		metadata = psprintf("%s/metadata.toml", path);
		if (access(metadata, F_OK) == 0)
		{
			char	   *toml = files_read_text(metadata);
			char	   *setting;

			if (toml == NULL)
				return false;
			setting = strstr(toml, "run_in_transaction");
			if (setting != NULL)
			{
				setting += strlen("run_in_transaction");
				while (*setting == ' ' || *setting == '\t' || *setting == '=')
					setting++;
				if (strncmp(setting, "false", 5) == 0)
					file->transactional = 0;
			}
		}
	}
	return true;
}

/*
 * sqitch: sqitch.plan lists the changes in order (the version: the
 * position, 1, 2, ...); deploy/<change>.sql is the up, revert/<change>.sql
 * the down.  A change planned twice (reworked) is refused.
 */
static bool
read_sqitch(const char *dir, MigrationSet *set)
{
	char	   *plan_path = psprintf("%s/sqitch.plan", dir);
	char	   *plan = files_read_text(plan_path);
	char	   *line;
	char	   *next;
	int			lineno = 0;
	int			allocated = 0;

	if (plan == NULL)
		return false;
	for (line = plan; line != NULL && *line; line = next)
	{
		char	   *end;
		char	   *change;
		MigrationFile *file;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '\0' || *line == '\r' || *line == '%' || *line == '@' || *line == '#')
			continue;
		end = line;
		while (*end && !isspace((unsigned char) *end) && *end != '[')
			end++;
		change = pnstrdup(line, end - line);
		for (int i = 0; i < set->count; i++)
			if (strcmp(set->files[i].tool_id, change) == 0)
			{
				pg_log_error("%s, line %d: change \"%s\" is planned twice", plan_path, lineno, change);
				pg_log_error_detail("migrate reads no reworked sqitch change.");
				pg_log_error_hint("Give the reworked change a name of its own.");
				return false;
			}
		file = add_file(set, &allocated);
		file->version = set->count;
		file->name = change;
		file->tool_id = change;
		file->path = psprintf("%s/deploy/%s.sql", dir, change);
		file->up_line = 1;
		if (access(file->path, F_OK) != 0)
		{
			pg_log_error("%s, line %d: change \"%s\" has no deploy script \"%s\"",
						 plan_path, lineno, change, file->path);
			return false;
		}
		if ((file->up = read_body(file->path)) == NULL)
			return false;
		{
			char	   *revert = psprintf("%s/revert/%s.sql", dir, change);

			if (access(revert, F_OK) == 0)
			{
				file->down_line = 1;
				file->down_path = revert;
				if ((file->down = read_body(revert)) == NULL)
					return false;
			}
		}
	}
	return true;
}

/*
 * Reads one sql-migrate file: "-- +migrate Up [notransaction]" and
 * "-- +migrate Down" sections.
 */
static bool
read_sql_migrate_file(const char *path, MigrationFile *file)
{
	char	   *content = files_read_text(path);
	char	   *p;
	char	   *up = NULL;
	char	   *down = NULL;
	int			lineno = 0;

	if (content == NULL)
		return false;
	for (p = content; *p;)
	{
		char	   *eol = strchr(p, '\n');
		char	   *next = eol ? eol + 1 : p + strlen(p);

		lineno++;
		if (strncmp(p, "-- +migrate Up", 14) == 0)
		{
			if (up != NULL)
			{
				pg_log_error("file \"%s\", line %d: a second \"-- +migrate Up\" line", path, lineno);
				return false;
			}
			if (strncmp(p + 14, " notransaction", 14) == 0)
				file->transactional = 0;
			if (down != NULL)
				*p = '\0';
			up = next;
			file->up_line = lineno + 1;
		}
		else if (strncmp(p, "-- +migrate Down", 16) == 0)
		{
			if (down != NULL)
			{
				pg_log_error("file \"%s\", line %d: a second \"-- +migrate Down\" line", path, lineno);
				return false;
			}
			if (up != NULL)
				*p = '\0';
			down = next;
			file->down_line = lineno + 1;
		}
		p = next;
	}
	if (up == NULL)
	{
		pg_log_error("file \"%s\" has no \"-- +migrate Up\" line", path);
		return false;
	}
	file->up = pg_strdup(up);
	blank_transaction_wrapper(file->up);
	if (down != NULL)
	{
		file->down = pg_strdup(down);
		blank_transaction_wrapper(file->down);
	}
	return true;
}

/*
 * sql-migrate: <digits><name>.sql files; the version is the leading digits
 * of the file name, the history's id the file name.
 */
static bool
read_sql_migrate(const char *dir, FolderEntries *entries, MigrationSet *set)
{
	int			allocated = 0;

	for (int i = 0; i < entries->count; i++)
	{
		const char *name = entries->names[i];
		size_t		digits = leading_digits(name);
		int64		version;
		MigrationFile *file;
		char	   *path;

		if (entries->is_dir[i] || !ends_with(name, ".sql"))
			continue;
		path = psprintf("%s/%s", dir, name);
		if (!digits_value(name, digits, &version) || version <= 0)
		{
			pg_log_error("sql-migrate file \"%s\" has no version", path);
			pg_log_error_detail("migrate takes a sql-migrate file's version from the digits its name starts with, as in 20261121093000_create_accounts.sql.");
			return false;
		}
		if (find_version(set, version) != NULL)
		{
			pg_log_error("two files have version " INT64_FORMAT ": \"%s\" and \"%s\"",
						 version, find_version(set, version)->path, path);
			return false;
		}
		file = add_file(set, &allocated);
		file->version = version;
		file->name = pnstrdup(name + digits, strlen(name) - digits - 4);
		if (file->name[0] == '_' || file->name[0] == '-')
			file->name++;
		if (file->name[0] == '\0')
			file->name = psprintf(INT64_FORMAT, version);
		file->tool_id = pg_strdup(name);
		file->path = path;
		if (!read_sql_migrate_file(path, file))
			return false;
	}
	return true;
}

/*
 * Recognises a folder's format from its layout; false after printing the
 * error when it holds none, or several.
 */
static bool
detect_format(const char *dir, FolderEntries *entries, FolderFormat *format)
{
	char	   *plan = psprintf("%s/sqitch.plan", dir);
	int			counts[FORMAT_SQL_MIGRATE + 1] = {0};
	const char *first_sql = NULL;
	int			found = 0;
	int			f;

	if (access(plan, F_OK) == 0)
	{
		*format = FORMAT_SQITCH;
		return true;
	}
	for (int i = 0; i < entries->count; i++)
	{
		const char *name = entries->names[i];
		size_t		digits = leading_digits(name);

		if (entries->is_dir[i])
		{
			char	   *up = psprintf("%s/%s/up.sql", dir, name);

			if (access(up, F_OK) == 0)
				counts[FORMAT_DIESEL]++;
			continue;
		}
		/* repeatable R__ files belong to no other tool's layout */
		if (!ends_with(name, ".sql") || files_is_repeatable_name(name))
			continue;
		if ((name[0] == 'V' || name[0] == 'U') && strstr(name, "__") != NULL)
			counts[FORMAT_FLYWAY]++;
		else if (ends_with(name, ".up.sql") || ends_with(name, ".down.sql"))
			counts[FORMAT_GOLANG_MIGRATE]++;
		else if (digits > 0 && (strncmp(name + digits, ".do.", 4) == 0 ||
								strncmp(name + digits, ".undo.", 6) == 0))
			counts[FORMAT_POSTGRATOR]++;
		else
		{
			counts[FORMAT_NATIVE]++;
			if (first_sql == NULL)
				first_sql = name;
		}
	}
	for (f = FORMAT_GOLANG_MIGRATE; f <= FORMAT_POSTGRATOR; f++)
		if (counts[f] > 0)
		{
			found++;
			*format = (FolderFormat) f;
		}
	if (found == 1 && counts[FORMAT_NATIVE] == 0)
		return true;
	if (found == 0 && first_sql != NULL)
	{
		char	   *path = psprintf("%s/%s", dir, first_sql);
		char	   *content = files_read_text(path);

		if (content == NULL)
			return false;
		*format = strstr(content, "-- +migrate Up") != NULL ? FORMAT_SQL_MIGRATE : FORMAT_NATIVE;
		return true;
	}
	if (found == 0)
	{
		/* an empty folder is an empty set in the native format */
		*format = FORMAT_NATIVE;
		return true;
	}
	pg_log_error("the layout of migrations folder \"%s\" mixes several tools' formats", dir);
	pg_log_error_detail("It holds %d diesel, %d Flyway, %d golang-migrate, %d postgrator and %d other .sql files.",
						counts[FORMAT_DIESEL], counts[FORMAT_FLYWAY], counts[FORMAT_GOLANG_MIGRATE],
						counts[FORMAT_POSTGRATOR], counts[FORMAT_NATIVE]);
	pg_log_error_hint("Name the format with --format.");
	return false;
}

/*
 * Reads a folder in the given format (FORMAT_AUTO: the one its layout
 * shows) into set, sorted by version; sets *used to the format read.
 * Returns false after printing the error.
 */
bool
formats_read_folder(const char *dir, FolderFormat format, MigrationSet *set,
					FolderFormat *used)
{
	FolderEntries entries;
	bool		ok;

	set->files = NULL;
	set->count = 0;
	set->repeatables = NULL;
	set->nrepeatables = 0;
	if (format == FORMAT_NATIVE)
	{
		*used = format;
		return files_read_folder(dir, set);
	}
	if (!list_folder(dir, &entries))
		return false;
	if (format == FORMAT_AUTO && !detect_format(dir, &entries, &format))
		return false;
	*used = format;
	switch (format)
	{
		case FORMAT_GOLANG_MIGRATE:
			ok = read_paired(dir, &entries, &golang_migrate_layout, set);
			break;
		case FORMAT_POSTGRATOR:
			ok = read_paired(dir, &entries, &postgrator_layout, set);
			break;
		case FORMAT_FLYWAY:
			ok = read_paired(dir, &entries, &flyway_layout, set);
			break;
		case FORMAT_DIESEL:
			ok = read_diesel(dir, &entries, set);
			break;
		case FORMAT_SQITCH:
			ok = read_sqitch(dir, set);
			break;
		case FORMAT_SQL_MIGRATE:
			ok = read_sql_migrate(dir, &entries, set);
			break;
		default:
			return files_read_folder(dir, set);
	}
	if (set->files == NULL)
		set->files = pg_malloc(sizeof(MigrationFile));
	return ok && files_split_repeatables(set) && files_sort_set(set);
}
