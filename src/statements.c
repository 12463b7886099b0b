/*-------------------------------------------------------------------------
 *
 * statements.c
 *	  Splitting and checking migration bodies with the server's own parser.
 *
 * A body is parsed once with raw_parser(); each statement keeps its byte
 * offset, length and line so that the runner can execute it alone and an
 * error can name the statement and its line.  The checks refuse what the
 * runner cannot honour: transaction control, psql meta-commands and COPY
 * through the client.  The same pass finds statements that cannot run inside
 * a transaction block (CREATE INDEX CONCURRENTLY, VACUUM, ...).
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
#include "statements.h"

#include "catalog/namespace.h"
#include "commands/defrem.h"
#include "mb/pg_wchar.h"
#include "nodes/parsenodes.h"
#include "common/keywords.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "tcop/cmdtag.h"
#include "tcop/utility.h"

/* What the parse error callback needs to place an error in the body */
typedef struct ParseErrorContext
{
	const char *body;
	int64		version;
	MigrateDirection direction;
} ParseErrorContext;

static bool is_identifier_char(unsigned char c);
static int	skip_comment(const char *s, int pos, int len);
static int	skip_quoted(const char *s, int pos, int len);
static int	skip_space_and_comments(const char *s, int pos, int len);
static int	count_newlines(const char *s, int from, int to);
static int	char_to_byte_offset(const char *s, int len, int chars);
static int	statement_at(const char *s, int len, int offset, int *start, int *end);
static void parse_error_callback(void *arg);
static void check_meta_commands(const char *body, int64 version,
								MigrateDirection direction);
static void check_statement(MigrateStatement *stmt, int64 version,
							MigrateDirection direction);
static bool defelem_list_flag(List *options, const char *name, bool absent);
static MigrateBody *parse_statements(const char *body, int64 version,
									 MigrateDirection direction, bool check);

/*
 * The name of the repeatable migration whose body is being parsed, or NULL
 * for a versioned migration (see statements_parse_repeatable()).
 */
static const char *parsing_repeatable = NULL;

/*
 * Returns how messages name the body being parsed: "up body of migration
 * 20261121093000", or "body of repeatable migration "name"".
 */
static char *
body_label(MigrateDirection direction, int64 version)
{
	if (parsing_repeatable != NULL)
		return psprintf("%s of repeatable migration \"%s\"",
						direction == MIGRATE_UP ? "body" : "down",
						parsing_repeatable);
	return psprintf("%s body of migration " INT64_FORMAT, direction_name(direction),
					version);
}
static bool statement_needs_top_level(Node *stmt);
static const char *top_level_description(Node *stmt);

/*
 * Returns whether c can continue an identifier (so a following quote or
 * dollar sign belongs to it).
 */
static bool
is_identifier_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/*
 * If a comment starts at pos, returns the offset just past it (a line
 * comment stops before its newline); otherwise returns pos.  Block comments
 * nest, as in the server's scanner.
 */
static int
skip_comment(const char *s, int pos, int len)
{
	if (pos + 1 < len && s[pos] == '-' && s[pos + 1] == '-')
	{
		while (pos < len && s[pos] != '\n')
			pos++;
		return pos;
	}
	if (pos + 1 < len && s[pos] == '/' && s[pos + 1] == '*')
	{
		int			depth = 1;

		pos += 2;
		while (pos < len && depth > 0)
		{
			if (pos + 1 < len && s[pos] == '/' && s[pos + 1] == '*')
			{
				depth++;
				pos += 2;
			}
			else if (pos + 1 < len && s[pos] == '*' && s[pos + 1] == '/')
			{
				depth--;
				pos += 2;
			}
			else
				pos++;
		}
		return pos;
	}
	return pos;
}

/*
 * If a quoted string, quoted identifier or dollar-quoted string starts at
 * pos, returns the offset just past it (or len if it is unterminated);
 * otherwise returns pos.
 */
static int
skip_quoted(const char *s, int pos, int len)
{
	char		c = s[pos];

	if (c == '\'')
	{
		bool		escapes = pos > 0 && (s[pos - 1] == 'E' || s[pos - 1] == 'e') &&
			(pos < 2 || !is_identifier_char((unsigned char) s[pos - 2]));

		pos++;
		while (pos < len)
		{
			if (escapes && s[pos] == '\\')
				pos += 2;
			else if (s[pos] == '\'' && pos + 1 < len && s[pos + 1] == '\'')
				pos += 2;
			else if (s[pos] == '\'')
				return pos + 1;
			else
				pos++;
		}
		return len;
	}
	if (c == '"')
	{
		pos++;
		while (pos < len)
		{
			if (s[pos] == '"' && pos + 1 < len && s[pos + 1] == '"')
				pos += 2;
			else if (s[pos] == '"')
				return pos + 1;
			else
				pos++;
		}
		return len;
	}
	if (c == '$' && (pos == 0 || !is_identifier_char((unsigned char) s[pos - 1])))
	{
		int			tagend = pos + 1;
		int			taglen;
		int			i;

		if (tagend < len && isdigit((unsigned char) s[tagend]))
			return pos;			/* a parameter such as $1 */
		while (tagend < len && s[tagend] != '$' &&
			   is_identifier_char((unsigned char) s[tagend]))
			tagend++;
		if (tagend >= len || s[tagend] != '$')
			return pos;
		taglen = tagend - pos + 1;
		for (i = tagend + 1; i + taglen <= len; i++)
		{
			if (s[i] == '$' && strncmp(s + i, s + pos, taglen) == 0)
				return i + taglen;
		}
		return len;
	}
	return pos;
}

/*
 * Returns the offset of the first character at or after pos that is neither
 * white space nor part of a comment.
 */
static int
skip_space_and_comments(const char *s, int pos, int len)
{
	while (pos < len)
	{
		int			next;

		if (isspace((unsigned char) s[pos]))
		{
			pos++;
			continue;
		}
		next = skip_comment(s, pos, len);
		if (next == pos)
			break;
		pos = next;
	}
	return pos;
}

/*
 * Counts the newlines in s[from, to).
 */
static int
count_newlines(const char *s, int from, int to)
{
	int			n = 0;

	for (; from < to; from++)
		if (s[from] == '\n')
			n++;
	return n;
}

/*
 * Converts a count of characters (in the database encoding) from the start
 * of s into a byte offset, stopping at len.
 */
static int
char_to_byte_offset(const char *s, int len, int chars)
{
	int			offset = 0;

	while (chars > 0 && offset < len)
	{
		offset += pg_mblen(s + offset);
		chars--;
	}
	return Min(offset, len);
}

/*
 * Finds the statement that contains byte offset "offset" of s by scanning
 * for semicolons outside quotes, comments and parentheses.  Sets *start and
 * *end to its bounds and returns its 1-based number.  Used only to place a
 * syntax error, when the parser has not produced statement locations.
 */
static int
statement_at(const char *s, int len, int offset, int *start, int *end)
{
	int			number = 1;
	int			depth = 0;
	int			pos = 0;

	*start = 0;
	*end = len;
	while (pos < len)
	{
		int			next = skip_comment(s, pos, len);

		if (next == pos)
			next = skip_quoted(s, pos, len);
		if (next != pos)
		{
			pos = next;
			continue;
		}
		if (s[pos] == '(')
			depth++;
		else if (s[pos] == ')' && depth > 0)
			depth--;
		else if (s[pos] == ';' && depth == 0)
		{
			if (pos >= offset)
			{
				*end = pos;
				break;
			}
			number++;
			*start = pos + 1;
		}
		pos++;
	}
	return number;
}

/*
 * Error context callback for raw_parser(): moves the error position from the
 * client's query onto the failing statement of the body, and names the
 * migration, the statement and the line.
 */
static void
parse_error_callback(void *arg)
{
	ParseErrorContext *ctx = (ParseErrorContext *) arg;
	const char *body = ctx->body;
	int			len = strlen(body);
	int			cursorpos = geterrposition();
	int			offset;
	int			start;
	int			end;
	int			number;

	if (cursorpos <= 0)
	{
		if (ctx->version == 0 && parsing_repeatable == NULL)
			errcontext("SQL text");
		else
			errcontext("%s", body_label(ctx->direction, ctx->version));
		return;
	}

	offset = char_to_byte_offset(body, len, cursorpos - 1);
	number = statement_at(body, len, offset, &start, &end);
	start = skip_space_and_comments(body, start, Min(offset, end));
	errposition(0);
	internalerrquery(pnstrdup(body + start, end - start));
	internalerrposition(pg_mbstrlen_with_len(body + start, offset - start) + 1);
	if (ctx->version == 0 && parsing_repeatable == NULL)
		errcontext("SQL text, statement %d, line %d", number,
				   count_newlines(body, 0, offset) + 1);
	else
		errcontext("%s, statement %d, line %d", body_label(ctx->direction, ctx->version),
				   number, count_newlines(body, 0, offset) + 1);
}

/*
 * Refuses psql meta-commands: a backslash outside quotes and comments is
 * never SQL, and the usual culprit is a line such as \set or \i copied from
 * a script meant for psql.
 */
static void
check_meta_commands(const char *body, int64 version, MigrateDirection direction)
{
	int			len = strlen(body);
	int			pos = 0;

	while (pos < len)
	{
		int			next = skip_comment(body, pos, len);

		if (next == pos)
			next = skip_quoted(body, pos, len);
		if (next != pos)
		{
			pos = next;
			continue;
		}
		if (body[pos] == '\\')
		{
			int			wordend = pos + 1;

			while (wordend < len && !isspace((unsigned char) body[wordend]))
				wordend++;
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("%s contains the psql meta-command \"%s\"",
							body_label(direction, version),
							pnstrdup(body + pos, Min(wordend - pos, 40))),
					 errdetail("It is on line %d.  Migration bodies are run by the server, which does not understand psql commands.",
							   count_newlines(body, 0, pos) + 1),
					 errhint("Remove the meta-command and keep client-side steps in your deployment script.")));
		}
		pos++;
	}
}

/*
 * Refuses a statement the runner cannot honour: transaction control (the
 * runner owns transactions), COPY to or from the client, and a change of
 * role (a migration runs as the role that applies it, which the definer
 * was checked against; the runner refuses the change at run time too, in
 * whatever form it comes).
 */
static void
check_statement(MigrateStatement *stmt, int64 version, MigrateDirection direction)
{
	Node	   *node = stmt->parsetree;

	if (IsA(node, VariableSetStmt) && ((VariableSetStmt *) node)->name != NULL &&
		(strcmp(((VariableSetStmt *) node)->name, "role") == 0 ||
		 strcmp(((VariableSetStmt *) node)->name, "session_authorization") == 0))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("%s changes the current role",
						body_label(direction, version)),
				 errdetail("Statement %d, on line %d, is %s %s.", stmt->number, stmt->line,
						   ((VariableSetStmt *) node)->kind == VAR_RESET ? "RESET" : "SET",
						   strcmp(((VariableSetStmt *) node)->name, "role") == 0 ?
						   "ROLE" : "SESSION AUTHORIZATION"),
				 errhint("A migration runs as the role that applies it: choose that role before the call (SET ROLE ...; SELECT migrate_apply();), or give objects to another role with ALTER ... OWNER TO.")));

	if (IsA(node, TransactionStmt))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
				 errmsg("%s contains transaction control",
						body_label(direction, version)),
				 errdetail("Statement %d, on line %d, is %s.", stmt->number, stmt->line,
						   GetCommandTagName(CreateCommandTag(node))),
				 errhint("Remove it: each migration runs in a transaction that migrate manages.")));

	if (IsA(node, CopyStmt) && ((CopyStmt *) node)->filename == NULL &&
		!((CopyStmt *) node)->is_program)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s copies data from or to the client",
						body_label(direction, version)),
				 errdetail("Statement %d, on line %d, is COPY with STDIN or STDOUT.",
						   stmt->number, stmt->line),
				 errhint("Load data with INSERT statements, or COPY from a file on the server.")));
}

/*
 * Reads a boolean option from a DefElem list, returning "absent" if the
 * option is not there.
 */
static bool
defelem_list_flag(List *options, const char *name, bool absent)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *opt = lfirst_node(DefElem, lc);

		if (strcmp(opt->defname, name) == 0)
			return defGetBoolean(opt);
	}
	return absent;
}

/*
 * Returns whether a raw statement is one that PostgreSQL refuses to run
 * inside a transaction block (it calls PreventInTransactionBlock), so that
 * its migration must run outside one.
 */
static bool
statement_needs_top_level(Node *stmt)
{
	ListCell   *lc;

	switch (nodeTag(stmt))
	{
		case T_IndexStmt:
			return ((IndexStmt *) stmt)->concurrent;
		case T_DropStmt:
			return ((DropStmt *) stmt)->concurrent;
		case T_ReindexStmt:
			{
				ReindexStmt *reindex = (ReindexStmt *) stmt;

				return reindex->kind == REINDEX_OBJECT_SCHEMA ||
					reindex->kind == REINDEX_OBJECT_SYSTEM ||
					reindex->kind == REINDEX_OBJECT_DATABASE ||
					defelem_list_flag(reindex->params, "concurrently", false);
			}
		case T_VacuumStmt:
			return ((VacuumStmt *) stmt)->is_vacuumcmd;
		case T_ClusterStmt:
			return ((ClusterStmt *) stmt)->relation == NULL;
		case T_AlterTableStmt:
			foreach(lc, ((AlterTableStmt *) stmt)->cmds)
			{
				AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

				if (cmd->subtype == AT_DetachPartition &&
					((PartitionCmd *) cmd->def)->concurrent)
					return true;
			}
			return false;
		case T_CreatedbStmt:
		case T_DropdbStmt:
		case T_CreateTableSpaceStmt:
		case T_DropTableSpaceStmt:
		case T_AlterSystemStmt:
		case T_DropSubscriptionStmt:
			return true;
		case T_AlterDatabaseStmt:
			foreach(lc, ((AlterDatabaseStmt *) stmt)->options)
			{
				if (strcmp(lfirst_node(DefElem, lc)->defname, "tablespace") == 0)
					return true;
			}
			return false;
		case T_DiscardStmt:
			return ((DiscardStmt *) stmt)->target == DISCARD_ALL;
		case T_CallStmt:
			/* it commits after each batch */
			return strcmp(strVal(llast(((CallStmt *) stmt)->funccall->funcname)),
						  "migrate_backfill") == 0;
		case T_CreateSubscriptionStmt:
			return defelem_list_flag(((CreateSubscriptionStmt *) stmt)->options,
									 "create_slot", true);
		case T_AlterSubscriptionStmt:
			{
				AlterSubscriptionStmt *alter = (AlterSubscriptionStmt *) stmt;

				if (alter->kind == ALTER_SUBSCRIPTION_REFRESH)
					return true;
				if (alter->kind == ALTER_SUBSCRIPTION_ADD_PUBLICATION ||
					alter->kind == ALTER_SUBSCRIPTION_DROP_PUBLICATION ||
					alter->kind == ALTER_SUBSCRIPTION_SET_PUBLICATION)
					return defelem_list_flag(alter->options, "refresh", true);
				return false;
			}
		default:
			return false;
	}
}

/*
 * Describes a statement that must run outside a transaction block for a
 * message: its command tag, with CONCURRENTLY where that is the reason.
 */
static const char *
top_level_description(Node *stmt)
{
	const char *tag = GetCommandTagName(CreateCommandTag(stmt));

	if (IsA(stmt, IndexStmt) || IsA(stmt, DropStmt) ||
		(IsA(stmt, ReindexStmt) &&
		 defelem_list_flag(((ReindexStmt *) stmt)->params, "concurrently", false)))
		return psprintf("%s CONCURRENTLY", tag);
	if (IsA(stmt, AlterTableStmt))
		return psprintf("%s ... DETACH PARTITION CONCURRENTLY", tag);
	if (IsA(stmt, CallStmt))
		return "CALL migrate_backfill";
	return tag;
}

/*
 * Parses a body with the server's parser and, when check is true, checks
 * each statement.  A syntax error names the migration (version 0: SQL text
 * that is not a migration), the statement and its line, with the caret
 * placed in that statement.  Returns the statements (possibly none) and the
 * first one that must run outside a transaction block.
 */
static MigrateBody *
parse_statements(const char *body, int64 version, MigrateDirection direction,
				 bool check)
{
	MigrateBody *result = palloc0(sizeof(MigrateBody));
	ParseErrorContext ctx;
	ErrorContextCallback callback;
	List	   *raw;
	ListCell   *lc;
	int			len = strlen(body);
	int			line = 1;
	int			line_offset = 0;
	int			number = 0;

	if (check)
		check_meta_commands(body, version, direction);

	ctx.body = body;
	ctx.version = version;
	ctx.direction = direction;
	callback.callback = parse_error_callback;
	callback.arg = &ctx;
	callback.previous = error_context_stack;
	error_context_stack = &callback;
	raw = raw_parser(body, RAW_PARSE_DEFAULT);
	error_context_stack = callback.previous;

	foreach(lc, raw)
	{
		RawStmt    *rawstmt = lfirst_node(RawStmt, lc);
		MigrateStatement *stmt = palloc(sizeof(MigrateStatement));
		int			start = rawstmt->stmt_location;
		int			end = rawstmt->stmt_len > 0 ? start + rawstmt->stmt_len : len;

		start = skip_space_and_comments(body, start, end);
		while (end > start && isspace((unsigned char) body[end - 1]))
			end--;

		line += count_newlines(body, line_offset, start);
		line_offset = start;

		stmt->number = ++number;
		stmt->offset = start;
		stmt->length = end - start;
		stmt->line = line;
		stmt->parsetree = rawstmt->stmt;
		if (check)
			check_statement(stmt, version, direction);

		if (result->top_level_statement == 0 &&
			statement_needs_top_level(stmt->parsetree))
		{
			result->top_level_statement = stmt->number;
			result->top_level_tag = top_level_description(stmt->parsetree);
		}
		result->statements = lappend(result->statements, stmt);
	}
	return result;
}

/*
 * Parses a migration body and checks each statement: see parse_statements().
 */
MigrateBody *
statements_parse_body(const char *body, int64 version, MigrateDirection direction)
{
	return parse_statements(body, version, direction, true);
}

/*
 * Parses and checks the body (or down) of a repeatable migration, as
 * statements_parse_body() does a versioned one's, its messages naming the
 * repeatable.
 */
MigrateBody *
statements_parse_repeatable(const char *body, const char *name, MigrateDirection direction)
{
	MigrateBody *result;

	parsing_repeatable = name;
	PG_TRY();
	{
		result = parse_statements(body, 0, direction, true);
	}
	PG_FINALLY();
	{
		parsing_repeatable = NULL;
	}
	PG_END_TRY();
	return result;
}

/*
 * Parses SQL text that is not (yet) a migration body, for migrate_lint():
 * transaction control and the like are left to the lint to report.
 */
MigrateBody *
statements_parse_sql(const char *sql)
{
	return parse_statements(sql, 0, MIGRATE_UP, false);
}

/*
 * Returns the description of a statement that cannot run inside a
 * transaction block (CREATE INDEX CONCURRENTLY, VACUUM, ...), or NULL for
 * any other.
 */
const char *
statements_top_level_description(Node *parsetree)
{
	return statement_needs_top_level(parsetree) ? top_level_description(parsetree) : NULL;
}

/*
 * Returns the first identifier of a statement, quoted or not, that is longer
 * than NAMEDATALEN - 1 bytes, as written; NULL if there is none.  The parser
 * has already truncated such names in the parse tree.
 */
char *
statements_long_identifier(const char *body, const MigrateStatement *stmt)
{
	const char *s = body + stmt->offset;
	int			len = stmt->length;
	int			pos = 0;

	while (pos < len)
	{
		int			next = skip_comment(s, pos, len);
		int			start = pos;

		if (next != pos)
		{
			pos = next;
			continue;
		}
		if (s[pos] == '"')
		{
			pos = skip_quoted(s, pos, len);
			/* the quotes, and each doubled quote, are not part of the name */
			if (pos - start - 2 >= NAMEDATALEN)
				return pnstrdup(s + start, pos - start);
			continue;
		}
		next = skip_quoted(s, pos, len);
		if (next != pos)
		{
			pos = next;
			continue;
		}
		if ((isalpha((unsigned char) s[pos]) || s[pos] == '_' ||
			 (unsigned char) s[pos] >= 0x80) &&
			(pos == 0 || !is_identifier_char((unsigned char) s[pos - 1])))
		{
			while (pos < len && is_identifier_char((unsigned char) s[pos]))
				pos++;
			if (pos - start >= NAMEDATALEN)
				return pnstrdup(s + start, pos - start);
			continue;
		}
		pos++;
	}
	return NULL;
}

/*
 * Returns whether a fragment of SQL (an expression, a SET list) is
 * self-contained: every parenthesis it closes it opened, it closes every
 * one it opens, and it holds no semicolon, counting tokens as the server's
 * scanner reads them (not what is inside strings or comments).  So wrapped
 * in parentheses, it cannot reach out of them.
 */
bool
statements_fragment_balanced(const char *fragment)
{
	core_yy_extra_type extra;
	core_yyscan_t scanner = scanner_init(fragment, &extra, &ScanKeywords, ScanKeywordTokens);
	core_YYSTYPE value;
	YYLTYPE		location;
	int			depth = 0;
	int			token;
	bool		balanced = true;

	while (balanced && (token = core_yylex(&value, &location, scanner)) != 0)
	{
		if (token == '(' || token == '[')
			depth++;
		else if (token == ')' || token == ']')
			balanced = --depth >= 0;
		else if (token == ';')
			balanced = false;
	}
	scanner_finish(scanner);
	return balanced && depth == 0;
}

/*
 * Returns a statement's text, from its first token to its end, as a
 * palloc'd string.
 */
char *
statements_slice(const char *body, const MigrateStatement *stmt)
{
	return pnstrdup(body + stmt->offset, stmt->length);
}

/*
 * Returns the relation a statement creates (a table, a table from a query,
 * a view, a sequence or a foreign table), or NULL.
 */
RangeVar *
statements_created_relation(Node *parsetree)
{
	switch (nodeTag(parsetree))
	{
		case T_CreateStmt:
			return ((CreateStmt *) parsetree)->relation;
		case T_CreateTableAsStmt:
			return ((CreateTableAsStmt *) parsetree)->into->rel;
		case T_ViewStmt:
			return ((ViewStmt *) parsetree)->view;
		case T_CreateSeqStmt:
			return ((CreateSeqStmt *) parsetree)->sequence;
		case T_CreateForeignTableStmt:
			return ((CreateForeignTableStmt *) parsetree)->base.relation;
		default:
			return NULL;
	}
}

/*
 * Returns the relations (RangeVars) a statement acts on directly, whose
 * locks it may have to wait for: the table of an ALTER TABLE, CREATE INDEX,
 * CREATE TRIGGER or DML statement, the tables of LOCK, TRUNCATE, VACUUM and
 * DROP TABLE/INDEX/VIEW, the parents of a new table.  Used to say who holds
 * the lock a timed-out statement waited for.
 */
List *
statements_relations(Node *parsetree)
{
	List	   *result = NIL;
	ListCell   *lc;

	switch (nodeTag(parsetree))
	{
		case T_AlterTableStmt:
			return list_make1(((AlterTableStmt *) parsetree)->relation);
		case T_IndexStmt:
			return list_make1(((IndexStmt *) parsetree)->relation);
		case T_CreateTrigStmt:
			return list_make1(((CreateTrigStmt *) parsetree)->relation);
		case T_RenameStmt:
			if (((RenameStmt *) parsetree)->relation != NULL)
				return list_make1(((RenameStmt *) parsetree)->relation);
			return NIL;
		case T_InsertStmt:
			return list_make1(((InsertStmt *) parsetree)->relation);
		case T_UpdateStmt:
			return list_make1(((UpdateStmt *) parsetree)->relation);
		case T_DeleteStmt:
			return list_make1(((DeleteStmt *) parsetree)->relation);
		case T_LockStmt:
			return list_copy(((LockStmt *) parsetree)->relations);
		case T_TruncateStmt:
			return list_copy(((TruncateStmt *) parsetree)->relations);
		case T_CreateStmt:
			return list_copy(((CreateStmt *) parsetree)->inhRelations);
		case T_VacuumStmt:
			foreach(lc, ((VacuumStmt *) parsetree)->rels)
				result = lappend(result, lfirst_node(VacuumRelation, lc)->relation);
			return result;
		case T_DropStmt:
			{
				DropStmt   *drop = (DropStmt *) parsetree;

				if (drop->removeType != OBJECT_TABLE && drop->removeType != OBJECT_INDEX &&
					drop->removeType != OBJECT_VIEW && drop->removeType != OBJECT_MATVIEW &&
					drop->removeType != OBJECT_SEQUENCE)
					return NIL;
				foreach(lc, drop->objects)
					result = lappend(result, makeRangeVarFromNameList(castNode(List, lfirst(lc))));
				return result;
			}
		default:
			return NIL;
	}
}
