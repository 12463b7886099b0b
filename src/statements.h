/*-------------------------------------------------------------------------
 *
 * statements.h
 *	  Splitting, checking and reversing migration bodies.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_STATEMENTS_H
#define MIGRATE_STATEMENTS_H

#include "migrate.h"

/* statements.c */
extern MigrateBody *statements_parse_body(const char *body, int64 version,
										  MigrateDirection direction);
extern MigrateBody *statements_parse_repeatable(const char *body, const char *name,
												MigrateDirection direction);
extern MigrateBody *statements_parse_sql(const char *sql);
extern const char *statements_top_level_description(Node *parsetree);
extern char *statements_long_identifier(const char *body, const MigrateStatement *stmt);
extern bool statements_fragment_balanced(const char *fragment);
extern char *statements_slice(const char *body, const MigrateStatement *stmt);
extern List *statements_relations(Node *parsetree);
extern RangeVar *statements_created_relation(Node *parsetree);

/* reverse.c */
extern char *reverse_derive_down(const char *up, int64 version,
								 MigrateBody *parsed);

#endif							/* MIGRATE_STATEMENTS_H */
