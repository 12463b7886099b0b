/*-------------------------------------------------------------------------
 *
 * lint_state.c
 *	  What the safety lint knows while it walks the statements of a body,
 *	  and the findings it reports.
 *
 * Earlier statements' relations created or renamed, columns added or
 * renamed, tables altered, constraints added NOT VALID and indexes created
 * are kept in hash tables by relation and name, so that each statement
 * finds them in constant time however many came before; names resolve as
 * the server resolves them, through search_path and the renames followed.
 * A finding carries its rule's safe recipe, from the table of rules here.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
#include "lint.h"
#include "lint_rules.h"

#include "catalog/namespace.h"
#include "common/hashfn.h"
#include "lib/stringinfo.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

/*
 * The key of a LintNameTable: a relation as lint_resolve() returns it and a
 * name (NULL for none).  The strings are not copied: they live as long as
 * the LintNames added.
 */
typedef struct LintNameKey
{
	const char *schemaname;
	const char *relname;
	const char *name;
} LintNameKey;

/* The LintNames added to a LintNameTable under one key */
typedef struct LintNameEntry
{
	LintNameKey key;
	uint32		hash;			/* of the key */
	char		status;			/* used by simplehash */
	List	   *names;			/* of LintName *, in the order added */
	List	   *positions;		/* of int: the order of each in the table */
} LintNameEntry;

static uint32 lint_name_key_hash(const LintNameKey *key);
static bool lint_name_keys_equal(const LintNameKey *a, const LintNameKey *b);

#define SH_PREFIX		lintnames
#define SH_ELEMENT_TYPE	LintNameEntry
#define SH_KEY_TYPE		LintNameKey
#define SH_KEY			key
#define SH_HASH_KEY(tb, k)	lint_name_key_hash(&(k))
#define SH_EQUAL(tb, a, b)	lint_name_keys_equal(&(a), &(b))
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a)	((a)->hash)
#define SH_SCOPE		static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* A LintNameTable of LintState: a hash table of LintNameEntry */
struct LintNameTable
{
	lintnames_hash *hash;		/* of LintNameEntry */
	int			added;			/* LintNames added so far */
};

/* A rule of the lint and the safe recipe its findings suggest */
typedef struct LintRule
{
	const char *id;
	const char *hint;
} LintRule;

/*
 * Every rule, in the order of the README.  Ids follow squawk's where squawk
 * has the rule.
 */
static const LintRule lint_rules[] = {
	{RULE_ADDING_FIELD_WITH_DEFAULT,
	"Add the column without a default, set the default with ALTER COLUMN ... SET DEFAULT (it applies to new rows only), then fill the existing rows in batches."},
	{RULE_ADDING_GENERATED_STORED_COLUMN,
	"Add a plain nullable column kept up to date by a trigger, and fill the existing rows in batches."},
	{RULE_ADDING_SERIAL_OR_IDENTITY_COLUMN,
	"Add a nullable bigint column, give it a default with ALTER COLUMN ... SET DEFAULT nextval(...), and fill the existing rows in batches."},
	{RULE_ADDING_COLUMN_WITH_CONSTRAINED_DOMAIN,
	"Add the column with the domain's base type, then a table CHECK constraint NOT VALID, validated in a later migration."},
	{RULE_ADDING_REQUIRED_FIELD,
	"Give the column a non-volatile DEFAULT, or add it nullable, fill it, and make it NOT NULL through a validated CHECK (column IS NOT NULL) constraint."},
	{RULE_ADDING_COLUMN_WITH_CHECK,
	"Add the column without the CHECK, then ADD CONSTRAINT ... CHECK (...) NOT VALID, and VALIDATE CONSTRAINT in a later migration."},
	{RULE_ADDING_COLUMN_WITH_UNIQUE_OR_PK,
	"Add the column without the constraint, build the index with CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE (or PRIMARY KEY) USING INDEX."},
	{RULE_ADDING_COLUMN_WITH_FOREIGN_KEY,
	"Add the column without REFERENCES, then ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, and VALIDATE CONSTRAINT in a later migration."},
	{RULE_ADDING_JSON_COLUMN,
	"Use jsonb: json has no equality operator, so DISTINCT, UNION and GROUP BY over the column fail."},
	{RULE_ADDING_NOT_NULLABLE_FIELD,
	"Add CHECK (column IS NOT NULL) NOT VALID, validate it in a later migration, then SET NOT NULL (no scan once a validated CHECK proves it) and drop the CHECK."},
	{RULE_CONSTRAINT_MISSING_NOT_VALID,
	"Add the constraint NOT VALID (no scan), then VALIDATE CONSTRAINT in a later migration: validating blocks neither reads nor writes."},
	{RULE_VALIDATE_IN_SAME_TRANSACTION,
	"Validate the constraint in a later migration, applied by a separate call, so that the lock taken by the earlier statement is released before the scan."},
	{RULE_ADDING_FOREIGN_KEY_CONSTRAINT,
	"Add the foreign key NOT VALID, then VALIDATE CONSTRAINT in a later migration: validating blocks the writes of neither table."},
	{RULE_DISALLOWED_UNIQUE_CONSTRAINT,
	"Build the index with CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX."},
	{RULE_ADDING_SERIAL_PRIMARY_KEY_FIELD,
	"Build the index with CREATE UNIQUE INDEX CONCURRENTLY on NOT NULL columns, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX."},
	{RULE_PRIMARY_KEY_USING_INDEX_ON_NULLABLE,
	"Make the columns NOT NULL first, through a validated CHECK (column IS NOT NULL) constraint, so that no scan is needed."},
	{RULE_ADDING_EXCLUSION_CONSTRAINT,
	"An exclusion constraint cannot be added without the lock: create a new table with it and copy the rows over, or accept the lock on a small table."},
	{RULE_BAN_DROP_NOT_NULL,
	"Make sure every reader of the column handles NULL before anything writes one."},
	{RULE_DROPPING_FK_LOCKS_PARENT,
	"The lock is brief once granted, and migrate.lock_timeout bounds the wait for it; run it when the referenced table is quiet."},
	{RULE_CHANGING_COLUMN_TYPE,
	"Expand and contract: add a column of the new type, write both, fill it in batches, move the reads, then drop the old column."},
	{RULE_PREFER_TEXT_FIELD,
	"Use text with a CHECK (length(column) <= n) constraint: changing that limit later needs no type change."},
	{RULE_PREFER_TIMESTAMPTZ,
	"Use timestamptz (timestamp with time zone): timestamp without time zone drops the offset of every value stored."},
	{RULE_PREFER_BIGINT_OVER_INT,
	"Use bigint: widening an integer column once it runs out rewrites the table."},
	{RULE_PREFER_BIGINT_OVER_SMALLINT,
	"Use bigint: widening a smallint column once it runs out rewrites the table."},
	{RULE_PREFER_IDENTITY,
	"Use bigint GENERATED BY DEFAULT AS IDENTITY."},
	{RULE_BAN_CHAR_FIELD,
	"Use text or varchar: char(n) pads values with spaces and is no faster."},
	{RULE_REQUIRE_CONCURRENT_INDEX_CREATION,
	"Use CREATE INDEX CONCURRENTLY in a migration of its own, which runs outside a transaction."},
	{RULE_BAN_CONCURRENT_INDEX_CREATION_IN_TRANSACTION,
	"Give each CONCURRENTLY statement a migration of its own, so that the other statements keep running in a transaction."},
	{RULE_REQUIRE_CONCURRENT_INDEX_DELETION,
	"Use DROP INDEX CONCURRENTLY in a migration of its own."},
	{RULE_REQUIRE_CONCURRENT_REINDEX,
	"Use REINDEX ... CONCURRENTLY in a migration of its own."},
	{RULE_MANY_COLUMNS_INDEX,
	"Index at most three leading columns: more rarely help queries and slow every write."},
	{RULE_FOREIGN_KEY_WITHOUT_INDEX,
	"Create an index whose leading columns are the foreign key's (CONCURRENTLY on an existing table), so that deleting or updating a referenced row needs no scan."},
	{RULE_PREFER_ROBUST_STMTS,
	"Guard it with IF NOT EXISTS or IF EXISTS, so that the migration can run again after failing part-way."},
	{RULE_RENAMING_COLUMN,
	"Running application code still uses the old name: add the new column, write both, move the reads, then drop the old one; or rename in the application only."},
	{RULE_RENAMING_TABLE,
	"Running application code still uses the old name: create a view with the new name, move the application to it, then rename the table and drop the view in one migration."},
	{RULE_RENAMING_TYPE,
	"Running application code still names the type (in casts, function signatures, type maps of drivers): create the new type and move the columns to it while both exist, or rename it once nothing uses the old name."},
	{RULE_RENAMING_SCHEMA,
	"Running application code still uses the old name: create the new schema, move the objects while the application follows, then drop the old one."},
	{RULE_RENAMING_ENUM_VALUE,
	"Running application code still uses the old label: add the new value, move the application and the data to it, then stop using the old one."},
	{RULE_BAN_DROP_COLUMN,
	"Stop reading and writing the column in the application and deploy that first; drop it in a later migration."},
	{RULE_BAN_DROP_TABLE,
	"Stop using the table in the application and deploy that first; drop it in a later migration, without CASCADE."},
	{RULE_BAN_DROP_DATABASE,
	"Do not drop databases from a migration."},
	{RULE_BAN_TRUNCATE_CASCADE,
	"Name every table to truncate."},
	{RULE_TRUNCATE,
	"Delete the rows in batches, or truncate only tables created by the same migration."},
	{RULE_BAN_DROP_SCHEMA_CASCADE,
	"Drop the objects of the schema one by one, then the empty schema."},
	{RULE_BAN_CREATE_DOMAIN_WITH_CONSTRAINT,
	"Use the base type with table CHECK constraints: changing a domain's constraint later checks every column of that type under a lock."},
	{RULE_BAN_ALTER_DOMAIN_WITH_ADD_CONSTRAINT,
	"Add CHECK constraints NOT VALID to the tables instead, and validate them in a later migration."},
	{RULE_REQUIRE_ENUM_VALUE_ORDERING,
	"Say where the value goes with BEFORE or AFTER."},
	{RULE_ENUM_VALUE_USED_IN_SAME_TRANSACTION,
	"Add the value in one migration and use it in a later one, applied by a separate call: a new enum value must be committed before it can be used."},
	{RULE_CREATING_ENUM,
	"Consider a lookup table with a foreign key: an enum value cannot be removed."},
	{RULE_REQUIRE_CONCURRENT_PARTITION_DETACH,
	"Use DETACH PARTITION ... CONCURRENTLY in a migration of its own."},
	{RULE_ATTACH_PARTITION_WITHOUT_CHECK,
	"Add a CHECK constraint matching the partition bound NOT VALID, validate it in a later migration, then attach (no scan) and drop the CHECK."},
	{RULE_PREFER_REPACK,
	"Do not rewrite a busy table in a migration; pg_repack rebuilds a table without a long exclusive lock."},
	{RULE_TABLE_REWRITE_COMMANDS,
	"Do not do this to a busy table: it rewrites or copies the whole table under an ACCESS EXCLUSIVE lock."},
	{RULE_REFRESH_MATVIEW_NOT_CONCURRENTLY,
	"Use REFRESH MATERIALIZED VIEW CONCURRENTLY, which needs a unique index on the view."},
	{RULE_ROW_LEVEL_SECURITY_OR_POLICY,
	"Create the policies before enabling row level security: without one, every role but the owner sees no rows."},
	{RULE_TRIGGER_DDL,
	"The lock is brief once granted, and migrate.lock_timeout bounds the wait for it; run it when the table is quiet."},
	{RULE_MULTIPLE_ALTER_TABLE,
	"Combine the actions into one ALTER TABLE statement, so that the table is locked, scanned or rewritten once."},
	{RULE_RUNNING_STATEMENTS_WHILE_HOLDING_AEL,
	"Move the data change to a migration of its own, done in batches, so that it does not run while the table is locked."},
	{RULE_TRANSACTION_NESTING,
	"Remove it: migrate runs each migration in a transaction it manages."},
	{RULE_BAN_UNCOMMITTED_TRANSACTION,
	"Remove it: migrate runs each migration in a transaction it manages."},
	{RULE_IDENTIFIER_TOO_LONG,
	"Use a name of at most 63 bytes: a longer one is truncated."},
	{RULE_BAN_DUPLICATE_COLUMN_ASSIGNMENTS,
	"Name each column once."},
	{RULE_RAW_SQL_EXECUTED,
	"Review what it runs: the lint cannot see inside it (migrate.lock_timeout still applies to it)."},
};

static uint32 lint_string_hash(const char *s);
static bool lint_strings_equal(const char *a, const char *b);
static LintNameEntry *lint_names_entry(LintNameTable *table, const RangeVar *relation,
									   const char *key);
static LintName *lint_names_newest_before(LintNameTable *table,
										  const RangeVar *relation,
										  const char *key, int *before);
static const char *lint_rule_hint(const char *rule);
static void lint_add_finding(LintState *st, const char *rule, const char *severity,
							 const char *hint, const char *fmt, va_list args)
			pg_attribute_printf(5, 0);

/*
 * Returns the safe recipe of a rule.
 */
static const char *
lint_rule_hint(const char *rule)
{
	int			i;

	for (i = 0; i < lengthof(lint_rules); i++)
		if (strcmp(lint_rules[i].id, rule) == 0)
			return lint_rules[i].hint;
	elog(ERROR, "unknown safety rule \"%s\"", rule);
	return NULL;
}

/*
 * Records a finding of a rule on the statement being linted, with a hint of
 * its own (NULL: the rule's safe recipe) and a message formatted from fmt.
 */
static void
lint_add_finding(LintState *st, const char *rule, const char *severity,
				 const char *hint, const char *fmt, va_list args)
{
	LintFinding *f = palloc0(sizeof(LintFinding));
	StringInfoData message;

	initStringInfo(&message);
	for (;;)
	{
		va_list		copy;
		int			needed;

		va_copy(copy, args);
		needed = appendStringInfoVA(&message, fmt, copy);
		va_end(copy);
		if (needed == 0)
			break;
		enlargeStringInfo(&message, needed);
	}
	f->statement = st->stmt->number;
	f->line = st->stmt->line;
	f->rule = rule;
	f->severity = severity;
	f->message = message.data;
	f->hint = pstrdup(hint ? hint : lint_rule_hint(rule));
	st->findings = lappend(st->findings, f);
}

/*
 * Records a finding of a rule on the statement being linted; the message is
 * formatted from fmt, the hint is the rule's safe recipe.
 */
void
lint_report(LintState *st, const char *rule, const char *severity,
			const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	lint_add_finding(st, rule, severity, NULL, fmt, args);
	va_end(args);
}

/*
 * Like lint_report(), with a recipe that fits this case better than the
 * rule's own.
 */
void
lint_report_recipe(LintState *st, const char *rule, const char *severity,
				   const char *hint, const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	lint_add_finding(st, rule, severity, hint, fmt, args);
	va_end(args);
}


/*
 * Returns whether two relation names, resolved by lint_resolve(), are the
 * same.
 */
bool
lint_names_match(const RangeVar *a, const RangeVar *b)
{
	if (strcmp(a->relname, b->relname) != 0)
		return false;
	if (a->schemaname == NULL || b->schemaname == NULL)
		return a->schemaname == b->schemaname;
	return strcmp(a->schemaname, b->schemaname) == 0;
}

/*
 * Hashes a string of a LintNameKey, which may be NULL.
 */
static uint32
lint_string_hash(const char *s)
{
	if (s == NULL)
		return 0x5bd1e995;
	return hash_bytes((const unsigned char *) s, strlen(s));
}

/*
 * The hash function of a LintNameTable: of the strings a LintNameKey points
 * to, not of the pointers.
 */
static uint32
lint_name_key_hash(const LintNameKey *key)
{
	uint32		hash = lint_string_hash(key->schemaname);

	hash = hash_combine(hash, lint_string_hash(key->relname));
	return hash_combine(hash, lint_string_hash(key->name));
}

/*
 * Returns whether two strings of LintNameKeys are the same: both NULL, or
 * equal.  So a relation without a schema matches only one without a schema,
 * as in lint_names_match().
 */
static bool
lint_strings_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/*
 * Returns whether two LintNameKeys are the same.
 */
static bool
lint_name_keys_equal(const LintNameKey *a, const LintNameKey *b)
{
	return lint_strings_equal(a->relname, b->relname) &&
		lint_strings_equal(a->schemaname, b->schemaname) &&
		lint_strings_equal(a->name, b->name);
}

/*
 * Adds a LintName to a table (created on first use, in the current memory
 * context) under its relation, already resolved, and a key: the column or
 * constraint it is looked up by, or NULL.
 */
void
lint_names_add(LintNameTable **table, LintName *n, const char *key)
{
	LintNameTable *t = *table;
	LintNameKey k;
	LintNameEntry *entry;
	bool		found;

	if (t == NULL)
	{
		t = palloc(sizeof(LintNameTable));
		t->hash = lintnames_create(CurrentMemoryContext, 16, NULL);
		t->added = 0;
		*table = t;
	}
	k.schemaname = n->relation->schemaname;
	k.relname = n->relation->relname;
	k.name = key;
	entry = lintnames_insert(t->hash, k, &found);
	if (!found)
	{
		entry->names = NIL;
		entry->positions = NIL;
	}
	entry->names = lappend(entry->names, n);
	entry->positions = lappend_int(entry->positions, t->added++);
}

/*
 * Returns the entry of a table for a relation, resolved, and a key; NULL if
 * nothing was added under them.
 */
static LintNameEntry *
lint_names_entry(LintNameTable *table, const RangeVar *relation, const char *key)
{
	LintNameKey k;

	if (table == NULL)
		return NULL;
	k.schemaname = relation->schemaname;
	k.relname = relation->relname;
	k.name = key;
	return lintnames_lookup(table->hash, k);
}

/*
 * Returns the LintNames added to a table under a relation, resolved, and a
 * key, in the order they were added; NIL for none.
 */
List *
lint_names_find(LintNameTable *table, const RangeVar *relation, const char *key)
{
	LintNameEntry *entry = lint_names_entry(table, relation, key);

	return entry != NULL ? entry->names : NIL;
}

/*
 * Returns the newest LintName added to a table under a relation and a key
 * before the one at position *before (INT_MAX: the newest of all), and sets
 * *before to its position; NULL if there is none.  Following renames back
 * one step at a time, each step looks only at older renames.
 */
static LintName *
lint_names_newest_before(LintNameTable *table, const RangeVar *relation,
						 const char *key, int *before)
{
	LintNameEntry *entry = lint_names_entry(table, relation, key);
	int			i;

	if (entry == NULL)
		return NULL;
	for (i = list_length(entry->positions) - 1; i >= 0; i--)
	{
		if (list_nth_int(entry->positions, i) < *before)
		{
			*before = list_nth_int(entry->positions, i);
			return (LintName *) list_nth(entry->names, i);
		}
	}
	return NULL;
}

/*
 * Frees a table, not the LintNames and lists it held, and forgets it.
 */
void
lint_names_free(LintNameTable **table)
{
	if (*table == NULL)
		return;
	lintnames_destroy((*table)->hash);
	pfree(*table);
	*table = NULL;
}

/*
 * Returns whether an earlier statement of the body created
 * schemaname.relname, or (with renamed) renamed a relation to it.
 */
static bool
lint_created_in(LintState *st, const char *schemaname, const char *relname,
				bool renamed)
{
	RangeVar	probe;

	probe.schemaname = (char *) schemaname;
	probe.relname = (char *) relname;
	if (lint_names_find(st->created, &probe, NULL) != NIL)
		return true;
	return renamed && lint_names_find(st->renamed, &probe, NULL) != NIL;
}

/*
 * Returns a relation name with its schema, as the server would resolve it
 * when the statement runs: the schema given, or the first schema of
 * search_path that holds the name (created by an earlier statement, or in
 * the catalog), or, for a name found nowhere, the schema it would be
 * created in.
 */
RangeVar *
lint_resolve(LintState *st, const RangeVar *rv)
{
	RangeVar   *resolved = makeRangeVar(rv->schemaname, rv->relname, rv->location);
	List	   *path;
	ListCell   *lc;

	resolved->inh = rv->inh;
	if (rv->schemaname != NULL)
		return resolved;
	path = fetch_search_path(true);
	foreach(lc, path)
	{
		Oid			namespace = lfirst_oid(lc);
		char	   *schemaname = get_namespace_name(namespace);

		if (schemaname != NULL &&
			(lint_created_in(st, schemaname, rv->relname, true) ||
			 OidIsValid(get_relname_relid(rv->relname, namespace))))
		{
			resolved->schemaname = schemaname;
			return resolved;
		}
	}
	path = fetch_search_path(false);
	if (path != NIL)
		resolved->schemaname = get_namespace_name(linitial_oid(path));
	return resolved;
}

/*
 * Returns a LintName for a relation that a statement creates: in the schema
 * given, or the first schema of search_path, where CREATE puts it.
 */
LintName *
lint_created_name(LintState *st, RangeVar *rv)
{
	RangeVar   *created = makeRangeVar(rv->schemaname, rv->relname, rv->location);
	LintName   *n;

	if (created->schemaname == NULL)
	{
		List	   *path = fetch_search_path(false);

		if (path != NIL)
			created->schemaname = get_namespace_name(linitial_oid(path));
	}
	n = lint_name(st, created, NULL);
	return n;
}

/*
 * Returns a new LintName for a relation (resolved) and a column or
 * constraint, placed at the statement being linted.
 */
LintName *
lint_name(LintState *st, RangeVar *rv, const char *name)
{
	LintName   *n = palloc0(sizeof(LintName));

	n->relation = lint_resolve(st, rv);
	n->name = name;
	n->statement = st->stmt->number;
	n->line = st->stmt->line;
	return n;
}

/*
 * Returns a relation name as the body wrote it, quoted where needed.
 */
char *
lint_relation_text(const RangeVar *rv)
{
	return quote_qualified_identifier(rv->schemaname, rv->relname);
}

/*
 * Returns whether an earlier statement of the body created the relation.
 */
bool
lint_relation_created(LintState *st, const RangeVar *rv)
{
	RangeVar   *resolved = lint_resolve(st, rv);

	return lint_created_in(st, resolved->schemaname, resolved->relname, false);
}

/*
 * Returns the OID of a relation that exists in the catalog and that no
 * earlier statement of the body created, following earlier renames back to
 * the catalog's name; InvalidOid for a new relation.
 */
Oid
lint_existing_relation(LintState *st, RangeVar *rv)
{
	RangeVar   *resolved;
	LintName   *r;
	int			before = INT_MAX;

	if (rv == NULL || lint_relation_created(st, rv))
		return InvalidOid;
	resolved = lint_resolve(st, rv);
	/* follow the renames, newest first, back to the name in the catalog */
	while ((r = lint_names_newest_before(st->renamed, resolved, NULL, &before)) != NULL)
		resolved = makeRangeVar(resolved->schemaname, (char *) r->name, -1);
	if (resolved->schemaname == NULL)
		return InvalidOid;
	return get_relname_relid(resolved->relname,
							 get_namespace_oid(resolved->schemaname, true));
}

/*
 * Returns whether a column of a relation was added, or is the new name of a
 * column added, by an earlier statement of the body.
 */
bool
lint_column_added(LintState *st, const RangeVar *rv, const char *column)
{
	return lint_names_find(st->added_columns, lint_resolve(st, rv), column) != NIL;
}

/*
 * Returns the name a column has in the catalog, following the renames of
 * earlier statements back.
 */
const char *
lint_column_catalog_name(LintState *st, const RangeVar *rv, const char *column)
{
	RangeVar   *resolved = lint_resolve(st, rv);
	LintName   *r;
	int			before = INT_MAX;

	while ((r = lint_names_newest_before(st->renamed_columns, resolved, column,
										 &before)) != NULL)
		column = strVal(linitial(r->columns));
	return column;
}

/*
 * Remembers that the statement being linted leaves an existing table locked
 * against writes until the transaction ends.
 */
void
lint_lock_table(LintState *st, RangeVar *rv)
{
	st->locked_table = lint_relation_text(rv);
	st->locked_relation = lint_resolve(st, rv);
}

/*
 * Starts a level for the settings that the statements of a body SET: they
 * last as long as the body, as when the migration runs (its settings end
 * with it).
 */
void
lint_settings_begin(LintState *st)
{
	st->guc_nestlevel = NewGUCNestLevel();
}

/*
 * Ends the level of lint_settings_begin(): the settings the body SET are
 * undone.
 */
void
lint_settings_end(LintState *st)
{
	if (st->guc_nestlevel > 0)
		AtEOXact_GUC(false, st->guc_nestlevel);
	st->guc_nestlevel = 0;
}

/*
 * SET or RESET of a setting that decides what the lint's catalog questions
 * answer: TimeZone (whether a timestamp <-> timestamptz change rewrites) and
 * search_path (which relation a name means).  The statements after it are
 * judged under it, as they run; SET LOCAL alike, since the body is one
 * migration.  A value the server refuses is left alone: the statement fails
 * when it runs.
 */
void
lint_setting(LintState *st, VariableSetStmt *stmt)
{
	const char *name;
	char	   *value = NULL;

	if (st->guc_nestlevel == 0 || stmt->name == NULL)
		return;
	if (pg_strcasecmp(stmt->name, "timezone") == 0)
		name = "TimeZone";
	else if (pg_strcasecmp(stmt->name, "search_path") == 0)
		name = "search_path";
	else
		return;
	switch (stmt->kind)
	{
		case VAR_SET_VALUE:
			value = ExtractSetVariableArgs(stmt);
			break;
		case VAR_SET_DEFAULT:
		case VAR_RESET:
			value = NULL;		/* the value the session started with */
			break;
		default:
			return;
	}
	(void) set_config_option(name, value, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, DEBUG1, false);
}

/*
 * Returns whether a type name names an enum type that an earlier statement
 * of the body creates.  An unqualified name matches a created type of that
 * name in any schema.
 */
bool
lint_enum_created(LintState *st, const TypeName *type)
{
	ListCell   *lc;
	char	   *schema;
	char	   *name;

	if (type == NULL || type->names == NIL || type->arrayBounds != NIL)
		return false;
	DeconstructQualifiedName(type->names, &schema, &name);
	foreach(lc, st->created_enums)
	{
		char	   *created_schema;
		char	   *created_name;

		DeconstructQualifiedName((List *) lfirst(lc), &created_schema, &created_name);
		if (strcmp(name, created_name) == 0 &&
			(schema == NULL || created_schema == NULL || strcmp(schema, created_schema) == 0))
			return true;
	}
	return false;
}
