/*-------------------------------------------------------------------------
 *
 * define.h
 *	  Defining one migration from C values: the steps that
 *	  migrate_define() and migrate_load() share.
 *
 * A definition goes through define_begin(), define_analyse() (parsing,
 * checking, deriving the down, linting: no catalog rows read),
 * define_read_stored() and define_decide() (what it does to the stored
 * row, or an error when the migration is applied with other content), and
 * define_store() (the writes).  The last three need SPI connected and the
 * migration lock held; nothing is written before define_store().
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_DEFINE_H
#define MIGRATE_DEFINE_H

#include "migrate.h"

#include "access/htup.h"
#include "access/tupdesc.h"
#include "utils/array.h"

/* What defining a migration does to its stored row */
typedef enum DefineAction
{
	DEFINE_NEW,					/* no row: one is inserted */
	DEFINE_REPLACED,			/* a pending row with other content */
	DEFINE_UNCHANGED			/* the same content */
} DefineAction;

/* One migration to define, as given by the caller */
typedef struct DefineRequest
{
	int64		version;		/* positive */
	const char *name;			/* not blank */
	const char *up;
	const char *down;			/* NULL: derive it from up */
	bool		transactional_given;
	bool		transactional;	/* when given */
	ArrayType  *safety_assured; /* text[] of rule ids, or NULL */
	const char *file;			/* the file it comes from, or NULL */
	const char *down_file;		/* the file its down comes from, when that is
								 * another one, or NULL */
	int			up_line;		/* line of the file where up starts, or 0 */
	int			down_line;		/* the same for down */
} DefineRequest;

/* What errors and notices about a definition point at in its file */
typedef struct DefinePlace
{
	const DefineRequest *req;
	MigrateDirection direction; /* the body concerned */
	int			body_line;		/* line in that body, or 0 for its start */
	List	   *reports;		/* of DefineReport *: the findings that
								 * define_store() is about to show */
	int			next_report;
} DefinePlace;

/* A migration being defined: the request and what each step found */
typedef struct DefinePlan
{
	DefineRequest req;
	char	   *definer;		/* the current user */
	/* define_analyse() */
	bool		analysed;
	char	   *down;			/* as given or derived; NULL: irreversible */
	bool		down_derived;
	MigrateBody *up_body;
	MigrateBody *down_body;
	bool		transactional;
	char	   *checksum;
	List	   *assured;		/* of char *: rules accepted */
	Datum		assured_array;	/* the same as a text[] */
	List	   *up_findings;	/* of LintFinding * */
	List	   *down_findings;
	/* define_read_stored() */
	Migration  *existing;		/* the stored row, or NULL */
	bool		existing_derived;
	char	   *existing_assured;	/* its safety_assured as text */
	char	   *applied_checksum;	/* NULL unless applied */
	/* define_decide() */
	DefineAction action;
	bool		bookkeeping;	/* unchanged, but the definer or the accepted
								 * rules are to be recorded */
	DefinePlace place;
} DefinePlan;

/* define.c */
extern bool define_string_is_blank(const char *s);
extern DefinePlan *define_begin(const DefineRequest *req);
extern void define_analyse(DefinePlan *plan);
extern void define_set_stored(DefinePlan *plan, HeapTuple tuple, TupleDesc tupdesc);
extern void define_read_stored(DefinePlan *plan);
extern bool define_same_as_stored(DefinePlan *plan);
extern void define_decide(DefinePlan *plan);
extern void define_store(DefinePlan *plan);
extern void define_delete(int64 version);

#endif							/* MIGRATE_DEFINE_H */
