/*-------------------------------------------------------------------------
 *
 * files.c
 *	  Reading a migrations folder: one file per migration,
 *	  <version>_<name>.sql, in dbmate's format ("-- migrate:up
 *	  [transaction:false]", "-- migrate:down"), and one per repeatable
 *	  migration, R__<name>.sql, in the same format; and writing the set as
 *	  the JSON array that migrate_load() takes.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/logging.h"

/*
 * What was wrong with a file, kept to be printed by the main thread, in the
 * folder's order, after the files were read (possibly by several threads).
 */
typedef struct FileProblem
{
	char	   *message;		/* NULL: no problem */
	const char *detail;
	const char *hint;
} FileProblem;

/* One reader thread's share of a folder */
typedef struct ReaderShare
{
	int			dirfd;
	char	  **names;			/* the folder's file names */
	char	  **paths;
	MigrationFile *files;		/* one slot per name */
	FileProblem *problems;		/* the same */
	int			count;
	int			first;			/* this thread reads first, first + step, ... */
	int			step;
} ReaderShare;

/* Folders with fewer files than this are read by the main thread alone */
#define FILES_PER_READER	64
/* The most reader threads */
#define MAX_READERS			4

static bool parse_file_name(const char *base, int64 *version, char **name);
static bool parse_repeatable_name(const char *base, char **name);
static int	compare_repeatables(const void *a, const void *b);
static void print_problem(const FileProblem *problem);
static void *read_share(void *arg);
static int	compare_names(const void *a, const void *b);
static void read_files(int dirfd, const char *dir, char **names, int count,
					   MigrationFile *files, FileProblem *problems);
static bool marker_line(const char *line, size_t len, const char *marker,
						const char **rest);
static int	compare_files(const void *a, const void *b);
static char *read_whole_file(int dirfd, const char *name, const char *path,
							 size_t *length, FileProblem *problem);
static bool read_migration_file(int dirfd, const char *name, const char *path,
								MigrationFile *file, FileProblem *problem);

/*
 * Splits a file name "<version>_<name>.sql" into its version (digits, a
 * positive bigint) and name; returns false if it has another form.
 */
static bool
parse_file_name(const char *base, int64 *version, char **name)
{
	size_t		len = strlen(base);
	const char *p = base;
	int64		v = 0;

	if (len < 4 || strcmp(base + len - 4, ".sql") != 0)
		return false;
	if (!isdigit((unsigned char) *p))
		return false;
	while (isdigit((unsigned char) *p))
	{
		int			digit = *p - '0';

		if (v > (PG_INT64_MAX - digit) / 10)
			return false;
		v = v * 10 + digit;
		p++;
	}
	if (*p != '_' || v <= 0)
		return false;
	p++;
	if (p >= base + len - 4)
		return false;
	*version = v;
	*name = pnstrdup(p, base + len - 4 - p);
	return true;
}

/*
 * Whether a file name is that of a repeatable migration: R__<name>.sql,
 * Flyway's convention.
 */
bool
files_is_repeatable_name(const char *base)
{
	size_t		len = strlen(base);

	return strncmp(base, "R__", 3) == 0 && len >= 7 &&
		strcmp(base + len - 4, ".sql") == 0;
}

/*
 * Splits a file name "R__<name>.sql" into the repeatable's name; returns
 * false if it has another form or an empty name.
 */
static bool
parse_repeatable_name(const char *base, char **name)
{
	size_t		len = strlen(base);

	if (!files_is_repeatable_name(base) || len == 7)
		return false;
	*name = pnstrdup(base + 3, len - 7);
	return true;
}

/*
 * Whether a line (len bytes, without its newline) is the marker comment
 * "-- migrate:<marker>", with optional spaces after "--"; *rest points
 * after the marker (its options).
 */
static bool
marker_line(const char *line, size_t len, const char *marker,
			const char **rest)
{
	const char *p = line;
	const char *end = line + len;
	size_t		mlen = strlen(marker);

	if (len < 2 || p[0] != '-' || p[1] != '-')
		return false;
	p += 2;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if ((size_t) (end - p) < mlen || strncmp(p, marker, mlen) != 0)
		return false;
	p += mlen;
	if (p < end && *p != ' ' && *p != '\t' && *p != '\r')
		return false;
	*rest = p;
	return true;
}

/*
 * Reads one migration file: its name gives version and name, its
 * "-- migrate:up" and "-- migrate:down" lines the bodies.  A blank down
 * section is a no-op down (""), a missing one NULL (derive).  On a bad file
 * prints an error naming it and returns false.
 */
bool
files_read_one(const char *path, MigrationFile *file)
{
	FileProblem problem = {0};

	if (read_migration_file(AT_FDCWD, path, path, file, &problem))
		return true;
	print_problem(&problem);
	return false;
}

/*
 * Prints what was wrong with a file.
 */
static void
print_problem(const FileProblem *problem)
{
	pg_log_error("%s", problem->message);
	if (problem->detail)
		pg_log_error_detail("%s", problem->detail);
	if (problem->hint)
		pg_log_error_hint("%s", problem->hint);
}

/*
 * Reads the whole file name (relative to the directory dirfd) into a
 * malloc'd, NUL-terminated buffer, with as few system calls as it can:
 * a regular file is read to its end by the first read that returns less
 * than was asked.  Returns NULL, the problem set, when it cannot.
 */
static char *
read_whole_file(int dirfd, const char *name, const char *path, size_t *length,
				FileProblem *problem)
{
	int			fd = openat(dirfd, name, O_RDONLY | PG_BINARY | O_CLOEXEC);
	size_t		allocated = 8192;
	size_t		len = 0;
	char	   *data;

	if (fd < 0)
	{
		problem->message = psprintf("could not open file \"%s\": %m", path);
		return NULL;
	}
	data = pg_malloc(allocated);
	for (;;)
	{
		ssize_t		n = read(fd, data + len, allocated - len - 1);

		if (n < 0)
		{
			problem->message = psprintf("could not read file \"%s\": %m", path);
			close(fd);
			free(data);
			return NULL;
		}
		len += n;
		if (n == 0 || len < allocated - 1)
			break;
		allocated *= 2;
		data = pg_realloc(data, allocated);
	}
	close(fd);
	data[len] = '\0';
	*length = len;
	return data;
}

/*
 * Reads one migration file, name in the directory dirfd, path naming it
 * in messages: see files_read_one().  On a bad file, sets the problem and
 * returns false; prints nothing, so that threads may call it.
 */
static bool
read_migration_file(int dirfd, const char *name, const char *path,
					MigrationFile *file, FileProblem *problem)
{
	const char *base = last_dir_separator(path);
	char	   *content;
	size_t		content_len;
	const char *p;
	int			lineno = 0;
	const char *up_start = NULL;
	const char *down_start = NULL;
	const char *up_end = NULL;

	base = base ? base + 1 : path;
	memset(file, 0, sizeof(*file));
	file->transactional = -1;
	file->path = pg_strdup(path);
	if (strncmp(base, "R__", 3) == 0)
	{
		if (!parse_repeatable_name(base, &file->name))
		{
			problem->message = psprintf("invalid repeatable migration file name \"%s\"", path);
			problem->detail = "A repeatable migration file is named R__<name>.sql, the name not empty.";
			return false;
		}
		file->repeatable = true;
	}
	else if (!parse_file_name(base, &file->version, &file->name))
	{
		problem->message = psprintf("invalid migration file name \"%s\"", path);
		problem->detail = "A migration file is named <version>_<name>.sql, the version being a positive whole number of digits.";
		return false;
	}

	content = read_whole_file(dirfd, name, path, &content_len, problem);
	if (content == NULL)
		return false;
	if (strlen(content) != content_len)
	{
		problem->message = psprintf("file \"%s\" contains a zero byte", path);
		free(content);
		return false;
	}

	for (p = content; *p; )
	{
		const char *eol = strchr(p, '\n');
		size_t		len = eol ? (size_t) (eol - p) : strlen(p);
		const char *next = eol ? eol + 1 : p + len;
		const char *rest;

		lineno++;
		if (marker_line(p, len, "migrate:up", &rest))
		{
			const char *end = p + len;

			if (up_start)
			{
				problem->message = psprintf("file \"%s\", line %d: a second \"-- migrate:up\" line", path, lineno);
				goto bad;
			}
			if (down_start)
			{
				problem->message = psprintf("file \"%s\", line %d: \"-- migrate:up\" after \"-- migrate:down\"", path, lineno);
				goto bad;
			}
			/* Options: transaction:false or transaction:true. */
			while (rest < end)
			{
				const char *word;

				while (rest < end && isspace((unsigned char) *rest))
					rest++;
				word = rest;
				while (rest < end && !isspace((unsigned char) *rest))
					rest++;
				if (rest == word)
					break;
				if (rest - word == 17 && strncmp(word, "transaction:false", 17) == 0)
					file->transactional = 0;
				else if (rest - word == 16 && strncmp(word, "transaction:true", 16) == 0)
					file->transactional = 1;
				else
				{
					problem->message = psprintf("file \"%s\", line %d: unknown option \"%.*s\" of \"-- migrate:up\"",
												path, lineno, (int) (rest - word), word);
					problem->hint = "The only option is transaction:false.";
					goto bad;
				}
			}
			up_start = next;
			file->up_line = lineno + 1;
		}
		else if (marker_line(p, len, "migrate:down", &rest))
		{
			if (down_start)
			{
				problem->message = psprintf("file \"%s\", line %d: a second \"-- migrate:down\" line", path, lineno);
				goto bad;
			}
			if (up_start)
				up_end = p;
			down_start = next;
			file->down_line = lineno + 1;
		}
		p = next;
	}

	if (up_start == NULL)
	{
		problem->message = psprintf("file \"%s\" has no \"-- migrate:up\" line", path);
		problem->hint = "A migration file starts its up section with a line \"-- migrate:up\".";
		goto bad;
	}
	if (file->repeatable && file->transactional >= 0)
	{
		problem->message = psprintf("file \"%s\", line %d: a repeatable migration takes no option of \"-- migrate:up\"",
									path, file->up_line - 1);
		problem->detail = "A repeatable migration always runs in the transaction of its apply or deploy.";
		goto bad;
	}
	if (up_end == NULL)
		up_end = content + content_len;
	file->up = pnstrdup(up_start, up_end - up_start);
	if (down_start)
	{
		const char *q;
		bool		blank = true;

		for (q = down_start; *q; q++)
			if (!isspace((unsigned char) *q))
				blank = false;
		file->down = blank ? pg_strdup("") : pg_strdup(down_start);
	}
	free(content);
	return true;

bad:
	free(content);
	return false;
}

/* Orders files by version. */
static int
compare_files(const void *a, const void *b)
{
	const MigrationFile *fa = (const MigrationFile *) a;
	const MigrationFile *fb = (const MigrationFile *) b;

	if (fa->version != fb->version)
		return fa->version < fb->version ? -1 : 1;
	return strcmp(fa->path, fb->path);
}

/*
 * Reads the files of one reader's share: first, first + step, and so on.
 * Runs in a thread of its own, or in the main thread.
 */
static void *
read_share(void *arg)
{
	ReaderShare *share = (ReaderShare *) arg;
	int			i;

	for (i = share->first; i < share->count; i += share->step)
		read_migration_file(share->dirfd, share->names[i], share->paths[i],
							&share->files[i], &share->problems[i]);
	return NULL;
}

/* Orders file names. */
static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/*
 * Reads the files names[0..count) of the open directory dirfd into files,
 * setting problems for the bad ones.  A large folder is shared among a few
 * threads: reading a file costs system calls more than work, so that they
 * overlap well.
 */
static void
read_files(int dirfd, const char *dir, char **names, int count,
		   MigrationFile *files, FileProblem *problems)
{
	ReaderShare shares[MAX_READERS];
	pthread_t	threads[MAX_READERS];
	bool		started[MAX_READERS];
	char	  **paths = pg_malloc(sizeof(char *) * Max(count, 1));
	int			readers = Min(Max(count / FILES_PER_READER, 1), MAX_READERS);
	int			t;
	int			i;

	for (i = 0; i < count; i++)
		paths[i] = psprintf("%s/%s", dir, names[i]);
	for (t = 0; t < readers; t++)
	{
		shares[t].dirfd = dirfd;
		shares[t].names = names;
		shares[t].paths = paths;
		shares[t].files = files;
		shares[t].problems = problems;
		shares[t].count = count;
		shares[t].first = t;
		shares[t].step = readers;
		/* the main thread reads share 0, and any share a thread could not */
		started[t] = t > 0 &&
			pthread_create(&threads[t], NULL, read_share, &shares[t]) == 0;
	}
	for (t = 0; t < readers; t++)
		if (!started[t])
			read_share(&shares[t]);
	for (t = 0; t < readers; t++)
		if (started[t])
			pthread_join(threads[t], NULL);
	for (i = 0; i < count; i++)
		pfree(paths[i]);
	pfree(paths);
}

/*
 * Reads every "*.sql" file of a folder into set, in version order.  A
 * missing folder, a file that cannot be read or parsed (each bad file is
 * named, in the order of the names), or two files with one version is an
 * error; returns false after printing it.
 */
bool
files_read_folder(const char *dir, MigrationSet *set)
{
	DIR		   *d;
	struct dirent *de;
	char	  **names;
	int			count = 0;
	int			allocated = 64;
	MigrationFile *files;
	FileProblem *problems;
	int			i;
	bool		ok = true;

	d = opendir(dir);
	if (d == NULL)
	{
		pg_log_error("could not open migrations folder \"%s\": %m", dir);
		pg_log_error_hint("Give the folder with --dir or MIGRATE_DIR, or create one with \"pg_migrate new NAME\".");
		return false;
	}
	names = pg_malloc(allocated * sizeof(char *));
	while (errno = 0, (de = readdir(d)) != NULL)
	{
		size_t		len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 4 ||
			strcmp(de->d_name + len - 4, ".sql") != 0)
			continue;
		if (count == allocated)
		{
			allocated *= 2;
			names = pg_realloc(names, allocated * sizeof(char *));
		}
		names[count++] = pg_strdup(de->d_name);
	}
	if (errno != 0)
	{
		pg_log_error("could not read migrations folder \"%s\": %m", dir);
		closedir(d);
		return false;
	}
	qsort(names, count, sizeof(char *), compare_names);

	files = pg_malloc0(sizeof(MigrationFile) * Max(count, 1));
	problems = pg_malloc0(sizeof(FileProblem) * Max(count, 1));
	read_files(dirfd(d), dir, names, count, files, problems);
	closedir(d);

	set->files = files;
	set->count = 0;
	for (i = 0; i < count; i++)
	{
		if (problems[i].message != NULL)
		{
			print_problem(&problems[i]);
			ok = false;
		}
		else
			set->files[set->count++] = files[i];
		pfree(names[i]);
	}
	pfree(names);
	pfree(problems);
	if (!ok)
		return false;
	return files_split_repeatables(set) && files_sort_set(set);
}

/* Orders repeatable migrations by name, as the server runs them (C). */
static int
compare_repeatables(const void *a, const void *b)
{
	const MigrationFile *fa = (const MigrationFile *) a;
	const MigrationFile *fb = (const MigrationFile *) b;
	int			c = strcmp(fa->name, fb->name);

	return c != 0 ? c : strcmp(fa->path, fb->path);
}

/*
 * Moves the set's repeatable migrations from its files to its repeatables,
 * sorted by name, refusing two files that give one name (naming both):
 * names are compared without regard to case, since a checkout on a file
 * system that ignores case could not hold both files.  Returns false after
 * printing the error.
 */
bool
files_split_repeatables(MigrationSet *set)
{
	int			kept = 0;
	int			i;

	set->repeatables = pg_malloc(sizeof(MigrationFile) * Max(set->count, 1));
	set->nrepeatables = 0;
	for (i = 0; i < set->count; i++)
	{
		if (set->files[i].repeatable)
			set->repeatables[set->nrepeatables++] = set->files[i];
		else
			set->files[kept++] = set->files[i];
	}
	set->count = kept;
	qsort(set->repeatables, set->nrepeatables, sizeof(MigrationFile),
		  compare_repeatables);
	for (i = 0; i < set->nrepeatables; i++)
	{
		int			j;

		for (j = 0; j < i; j++)
		{
			if (pg_strcasecmp(set->repeatables[i].name, set->repeatables[j].name) != 0)
				continue;
			pg_log_error("two files give repeatable migration \"%s\": \"%s\" and \"%s\"",
						 set->repeatables[i].name, set->repeatables[j].path,
						 set->repeatables[i].path);
			pg_log_error_detail("Repeatable migration names are compared without regard to case.");
			pg_log_error_hint("Merge the two files, or rename one of them.");
			return false;
		}
	}
	return true;
}

/*
 * Sorts a set by version, refusing two files with one version (naming
 * both); returns false after printing the error.
 */
bool
files_sort_set(MigrationSet *set)
{
	int			i;

	qsort(set->files, set->count, sizeof(MigrationFile), compare_files);
	for (i = 1; i < set->count; i++)
	{
		if (set->files[i].version == set->files[i - 1].version)
		{
			pg_log_error("two files have version " INT64_FORMAT ": \"%s\" and \"%s\"",
						 set->files[i].version, set->files[i - 1].path,
						 set->files[i].path);
			pg_log_error_hint("Give one of them a new version.");
			return false;
		}
	}
	return true;
}

/*
 * Reads a whole file into a malloc'd, NUL-terminated string; returns NULL
 * after printing the error when it cannot, or when the file holds a zero
 * byte.
 */
char *
files_read_text(const char *path)
{
	FileProblem problem = {0};
	size_t		len;
	char	   *content = read_whole_file(AT_FDCWD, path, path, &len, &problem);

	if (content != NULL && strlen(content) != len)
	{
		problem.message = psprintf("file \"%s\" contains a zero byte", path);
		free(content);
		content = NULL;
	}
	if (content == NULL)
		print_problem(&problem);
	return content;
}

/*
 * Appends s to buf as a JSON string, escaping quotes, backslashes and
 * control characters; other bytes (UTF-8) are copied as they are.
 */
void
files_append_json_string(PQExpBuffer buf, const char *s)
{
	const unsigned char *p;

	appendPQExpBufferChar(buf, '"');
	for (p = (const unsigned char *) s; *p; p++)
	{
		switch (*p)
		{
			case '"':
				appendPQExpBufferStr(buf, "\\\"");
				break;
			case '\\':
				appendPQExpBufferStr(buf, "\\\\");
				break;
			case '\n':
				appendPQExpBufferStr(buf, "\\n");
				break;
			case '\r':
				appendPQExpBufferStr(buf, "\\r");
				break;
			case '\t':
				appendPQExpBufferStr(buf, "\\t");
				break;
			default:
				if (*p < 0x20)
					appendPQExpBuffer(buf, "\\u%04x", *p);
				else
					appendPQExpBufferChar(buf, (char) *p);
		}
	}
	appendPQExpBufferChar(buf, '"');
}

/*
 * Returns the set's repeatable migrations as a JSON array of name, body,
 * down (absent: none) and file, for status to compare with the database.
 */
char *
files_repeatables_to_json(const MigrationSet *set)
{
	PQExpBufferData buf;
	int			i;

	initPQExpBuffer(&buf);
	appendPQExpBufferChar(&buf, '[');
	for (i = 0; i < set->nrepeatables; i++)
	{
		const MigrationFile *f = &set->repeatables[i];

		appendPQExpBufferStr(&buf, i > 0 ? ",\n{\"name\": " : "{\"name\": ");
		files_append_json_string(&buf, f->name);
		appendPQExpBufferStr(&buf, ", \"body\": ");
		files_append_json_string(&buf, f->up);
		if (f->down)
		{
			appendPQExpBufferStr(&buf, ", \"down\": ");
			files_append_json_string(&buf, f->down);
		}
		appendPQExpBufferStr(&buf, ", \"file\": ");
		files_append_json_string(&buf, f->path);
		appendPQExpBufferChar(&buf, '}');
	}
	appendPQExpBufferChar(&buf, ']');
	return buf.data;
}

/*
 * Returns the set as the JSON array migrate_load() takes: version, name,
 * up, down (absent: derive), transactional (absent: detect), and the file
 * and lines the bodies start at, so that the server places its errors.
 */
char *
files_to_json(const MigrationSet *set)
{
	PQExpBufferData buf;
	int			i;

	initPQExpBuffer(&buf);
	appendPQExpBufferChar(&buf, '[');
	for (i = 0; i < set->count; i++)
	{
		const MigrationFile *f = &set->files[i];

		if (i > 0)
			appendPQExpBufferStr(&buf, ",\n");
		appendPQExpBuffer(&buf, "{\"version\": \"" INT64_FORMAT "\", \"name\": ", f->version);
		files_append_json_string(&buf, f->name);
		appendPQExpBufferStr(&buf, ", \"up\": ");
		files_append_json_string(&buf, f->up);
		if (f->down)
		{
			appendPQExpBufferStr(&buf, ", \"down\": ");
			files_append_json_string(&buf, f->down);
		}
		if (f->transactional >= 0)
			appendPQExpBuffer(&buf, ", \"transactional\": %s",
							  f->transactional ? "true" : "false");
		appendPQExpBufferStr(&buf, ", \"file\": ");
		files_append_json_string(&buf, f->path);
		appendPQExpBuffer(&buf, ", \"up_line\": %d", f->up_line);
		if (f->down)
			appendPQExpBuffer(&buf, ", \"down_line\": %d", f->down_line);
		appendPQExpBufferChar(&buf, '}');
	}
	appendPQExpBufferChar(&buf, ']');
	return buf.data;
}
