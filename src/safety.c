/*-------------------------------------------------------------------------
 *
 * safety.c
 *	  What migrate does with the safety lint's findings: which rules a
 *	  migration accepts, storing and showing the findings when it is
 *	  defined, and refusing an unsafe migration before apply runs anything.
 *
 * Rules are accepted by migrate_define()'s safety_assured argument or by a
 * line "-- migrate:safety-assured rule-id, rule-id" in a body.  Findings are
 * computed when the migration is defined (the catalog of that moment tells
 * a new table from an existing one) and stored in migrate_findings.
 * migrate.safety decides whether an unassured error-level finding in an up
 * stops migrate_apply() (error, the default), is reported (warn) or is
 * ignored (off).  Downs are linted and shown but never enforced.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
#include "catalog.h"
#include "scope.h"
#include "lint.h"
#include "lint_rules.h"
#include "runner.h"
#include "statements.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"


/* A rule id in a set of them */
typedef struct RuleEntry
{
	const char *rule;			/* not copied */
	uint32		hash;
	char		status;			/* used by simplehash */
} RuleEntry;

#define SH_PREFIX		ruleset
#define SH_ELEMENT_TYPE	RuleEntry
#define SH_KEY_TYPE		const char *
#define SH_KEY			rule
#define SH_HASH_KEY(tb, k)	hash_bytes((const unsigned char *) (k), strlen(k))
#define SH_EQUAL(tb, a, b)	(strcmp((a), (b)) == 0)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a)	((a)->hash)
#define SH_SCOPE		static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

static List *add_rule_ids(List *rules, ruleset_hash *seen, const char *text);
static List *directive_rules(List *rules, ruleset_hash *seen, const char *body);
static ruleset_hash *rule_set(List *rules);
static bool rule_assured(ruleset_hash *assured, const char *rule);
static void safety_insert_findings(int64 version, List *up_findings,
								   List *down_findings);

/*
 * Adds the rule ids in a comma- or space-separated list to rules, skipping
 * duplicates: those in the set seen, which holds the rules of the list.
 */
static List *
add_rule_ids(List *rules, ruleset_hash *seen, const char *text)
{
	char	   *copy = pstrdup(text);
	char	   *token;
	char	   *save = NULL;

	for (token = strtok_r(copy, ", \t\r", &save); token != NULL;
		 token = strtok_r(NULL, ", \t\r", &save))
	{
		char	   *rule = pstrdup(token);
		bool		found;

		ruleset_insert(seen, rule, &found);
		if (found)
			pfree(rule);
		else
			rules = lappend(rules, rule);
	}
	pfree(copy);
	return rules;
}

/*
 * Adds the rules named on "-- migrate:safety-assured" lines of a body.
 */
static List *
directive_rules(List *rules, ruleset_hash *seen, const char *body)
{
	const char *line = body;

	while (line != NULL && *line != '\0')
	{
		const char *end = strchr(line, '\n');
		const char *p = line;

		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "--", 2) == 0)
		{
			p += 2;
			while (*p == ' ' || *p == '\t')
				p++;
			if (strncmp(p, SAFETY_ASSURED_DIRECTIVE, strlen(SAFETY_ASSURED_DIRECTIVE)) == 0)
			{
				p += strlen(SAFETY_ASSURED_DIRECTIVE);
				rules = add_rule_ids(rules, seen, end ? pnstrdup(p, end - p) : p);
			}
		}
		line = end ? end + 1 : NULL;
	}
	return rules;
}

/*
 * Returns a set of the rule ids of a list, in the current memory context.
 */
static ruleset_hash *
rule_set(List *rules)
{
	ruleset_hash *set = ruleset_create(CurrentMemoryContext,
									   Max(list_length(rules), 16), NULL);
	ListCell   *lc;

	foreach(lc, rules)
	{
		bool		found;

		ruleset_insert(set, (const char *) lfirst(lc), &found);
	}
	return set;
}

/*
 * Returns whether a rule id is in the set of accepted rules.
 */
static bool
rule_assured(ruleset_hash *assured, const char *rule)
{
	return ruleset_lookup(assured, rule) != NULL;
}

/*
 * Returns the rules a migration accepts: those of the safety_assured
 * argument (a text[], possibly NULL) and of its bodies' directive lines.
 */
List *
safety_assured_rules(ArrayType *argument, const char *up, const char *down)
{
	List	   *rules = NIL;
	ruleset_hash *seen;

	/* the common case, told cheaply: no rule given, no directive line */
	if (argument == NULL && strstr(up, SAFETY_ASSURED_DIRECTIVE) == NULL &&
		(down == NULL || strstr(down, SAFETY_ASSURED_DIRECTIVE) == NULL))
		return NIL;

	seen = ruleset_create(CurrentMemoryContext, 16, NULL);
	if (argument != NULL)
	{
		Datum	   *elems;
		bool	   *nulls;
		int			n;
		int			i;

		deconstruct_array(argument, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
		for (i = 0; i < n; i++)
			if (!nulls[i])
				rules = add_rule_ids(rules, seen, TextDatumGetCString(elems[i]));
	}
	rules = directive_rules(rules, seen, up);
	if (down != NULL)
		rules = directive_rules(rules, seen, down);
	ruleset_destroy(seen);
	return rules;
}

/*
 * Returns a list of rule ids as a text[] Datum.
 */
Datum
safety_rules_array(List *rules)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(list_length(rules), 1));
	ListCell   *lc;
	int			n = 0;

	foreach(lc, rules)
		elems[n++] = CStringGetTextDatum((char *) lfirst(lc));
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * Returns a text[] Datum in its text form, to compare two of them.
 */
char *
safety_array_text(Datum array)
{
	Oid			output;
	bool		isvarlena;

	getTypeOutputInfo(TEXTARRAYOID, &output, &isvarlena);
	return OidOutputFunctionCall(output, array);
}

/* safety_relint()'s question and its answer */
typedef struct RelintProbe
{
	const Migration *m;
	bool		want_down;		/* whether to lint the down too */
	List	   *up_findings;
	List	   *down_findings;
} RelintProbe;

/*
 * Parses and lints the bodies of a stored migration; see safety_relint().
 */
static void
relint_probe(void *arg)
{
	RelintProbe *p = (RelintProbe *) arg;
	const Migration *m = p->m;
	MigrateBody *up;

	/* a tenant's migration is judged in its schema (until the rollback) */
	scope_apply_search_path();
	up = statements_parse_body(m->up, m->version, MIGRATE_UP);
	p->up_findings = lint_body(m->up, up, m->transactional, NULL, NULL);
	if (m->down != NULL && p->want_down)
		p->down_findings = lint_body(m->down,
									 statements_parse_body(m->down, m->version, MIGRATE_DOWN),
									 m->transactional, m->up, up);
}

/*
 * Lints a stored migration again, against the catalog as it is now and
 * under the settings its bodies SET: the findings of its up in *up_findings,
 * and, unless down_findings is NULL (a caller that only enforces the up's),
 * of its down (judged in the light of its up) in *down_findings.  A body
 * that no longer passes the checks of migrate_define() (a row written by
 * hand) has no findings here: running it raises its error.  Runs in a
 * subtransaction that is rolled back, as every question of the lint.
 */
void
safety_relint(const Migration *m, List **up_findings, List **down_findings)
{
	RelintProbe probe;
	ErrorData  *error;

	probe.m = m;
	probe.want_down = down_findings != NULL;
	probe.up_findings = NIL;
	probe.down_findings = NIL;
	error = subxact_probe(relint_probe, &probe);
	if (error != NULL)
	{
		int			category = ERRCODE_TO_CATEGORY(error->sqlerrcode);

		if (category == ERRCODE_OPERATOR_INTERVENTION ||
			category == ERRCODE_INSUFFICIENT_RESOURCES ||
			category == ERRCODE_INTERNAL_ERROR)
			ReThrowError(error);
		FreeErrorData(error);
		probe.up_findings = NIL;
		probe.down_findings = NIL;
	}
	*up_findings = probe.up_findings;
	if (down_findings != NULL)
		*down_findings = probe.down_findings;
}

/*
 * Returns the error-level findings (LintFinding *) of a list that the
 * accepted rules (a text[] in its text form, as stored) do not accept, in
 * the list's order.
 */
List *
safety_unassured(List *findings, const char *assured_text)
{
	List	   *result = NIL;
	List	   *assured = NIL;
	ruleset_hash *assured_set;
	ListCell   *lc;

	if (assured_text != NULL && strcmp(assured_text, "{}") != 0)
	{
		ArrayType  *array = DatumGetArrayTypeP(OidInputFunctionCall(F_ARRAY_IN,
																	  (char *) assured_text,
																	  TEXTOID, -1));
		Datum	   *elems;
		bool	   *nulls;
		int			n;
		int			i;

		deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
		for (i = 0; i < n; i++)
			if (!nulls[i])
				assured = lappend(assured, TextDatumGetCString(elems[i]));
	}
	assured_set = rule_set(assured);
	foreach(lc, findings)
	{
		LintFinding *f = (LintFinding *) lfirst(lc);

		if (strcmp(f->severity, LINT_ERROR) == 0 && !rule_assured(assured_set, f->rule))
			result = lappend(result, f);
	}
	ruleset_destroy(assured_set);
	return result;
}

/*
 * Stores the findings of a migration's up and down; the caller has deleted
 * the ones stored before.
 */
static void
safety_insert_findings(int64 version, List *up_findings, List *down_findings)
{
	Datum		values[8];
	ListCell   *lc;
	int			pass;

	for (pass = 0; pass < 2; pass++)
	{
		foreach(lc, pass == 0 ? up_findings : down_findings)
		{
			LintFinding *f = (LintFinding *) lfirst(lc);
			char		nulls[8] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};

			values[0] = Int64GetDatum(version);
			values[1] = CStringGetTextDatum(pass == 0 ? "up" : "down");
			values[2] = Int32GetDatum(f->statement);
			values[3] = Int32GetDatum(f->line);
			values[4] = CStringGetTextDatum(f->rule);
			values[5] = CStringGetTextDatum(f->severity);
			values[6] = CStringGetTextDatum(f->message);
			values[7] = f->hint ? CStringGetTextDatum(f->hint) : (Datum) 0;
			nulls[7] = f->hint ? ' ' : 'n';
			catalog_exec(Q_INSERT_FINDING, values, nulls, false, 0);
		}
	}
}

/*
 * Replaces the stored findings of the migrations in versions (an int8[]
 * Datum) with fresh ones: findings[i] is a two-element List (up findings,
 * down findings) for the i-th version.  Shows nothing.
 */
void
safety_refresh_findings(Datum versions, List *versions_list, List *findings)
{
	Datum		values[1];
	ListCell   *v;
	ListCell   *f;

	values[0] = versions;
	catalog_exec(Q_DELETE_FINDINGS_OF, values, " ", false, 0);
	forboth(v, versions_list, f, findings)
	{
		List	   *pair = (List *) lfirst(f);

		safety_insert_findings(*(int64 *) lfirst(v), linitial(pair), lsecond(pair));
	}
}

/*
 * Shows the unassured findings of a new definition, error-level ones as
 * WARNINGs and the others as NOTICEs (neither under migrate.safety = off),
 * and replaces the stored findings of the migration with these.
 */
void
safety_record_findings(int64 version, List *up_findings, List *down_findings,
					   List *assured)
{
	Datum		values[1];
	ListCell   *lc;
	int			pass;
	ruleset_hash *assured_set = NULL;

	if (migrate_safety != SAFETY_OFF && (up_findings != NIL || down_findings != NIL))
		assured_set = rule_set(assured);
	values[0] = Int64GetDatum(version);
	catalog_exec(Q_DELETE_FINDINGS, values, " ", false, 0);

	for (pass = 0; pass < 2 && assured_set != NULL; pass++)
	{
		const char *body = pass == 0 ? "up" : "down";

		foreach(lc, pass == 0 ? up_findings : down_findings)
		{
			LintFinding *f = (LintFinding *) lfirst(lc);

			if (!rule_assured(assured_set, f->rule))
				ereport(strcmp(f->severity, LINT_ERROR) == 0 ? WARNING : NOTICE,
						(errmsg("%s body of migration " INT64_FORMAT ", statement %d (line %d): %s",
								body, version, f->statement, f->line, f->message),
						 pass == 0 ?
						 errdetail("Rule %s (%s).", f->rule, f->severity) :
						 errdetail("Rule %s (%s); downs are not enforced.", f->rule, f->severity),
						 f->hint ? errhint("%s", f->hint) : 0));
		}
	}
	safety_insert_findings(version, up_findings, down_findings);
	if (assured_set != NULL)
		ruleset_destroy(assured_set);
}
