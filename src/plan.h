/*-------------------------------------------------------------------------
 *
 * plan.h
 *	  What a call runs, and whether it may: the plan that apply, rollback,
 *	  deploy, revert, verify and migrate_plan() act on.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_PLAN_H
#define MIGRATE_PLAN_H

#include "migrate.h"

/* What a plan is for: which migrations it selects and what it checks */
typedef enum PlanPurpose
{
	PLAN_APPLY,					/* pending ones, in the caller's transaction */
	PLAN_DEPLOY,				/* pending ones, one transaction each */
	PLAN_ROLLBACK,				/* applied ones, in the caller's transaction */
	PLAN_REVERT,				/* applied ones, one transaction each */
	PLAN_VERIFY					/* pending ones, or one applied one */
} PlanPurpose;

/*
 * A reason the call must not run, as the error it raises.  A plan keeps
 * them in the order they are raised: the checks of the whole catalog
 * first, then those of each migration in turn, then the safety findings.
 */
typedef struct PlanRefusal
{
	int			sqlerrcode;
	char	   *message;
	char	   *detail;			/* NULL for none */
	char	   *hint;			/* NULL for none */
} PlanRefusal;

/* A call's plan: the migrations selected, in order, and the refusals */
typedef struct MigrationPlan
{
	PlanPurpose purpose;
	MigrateDirection direction;
	List	   *migrations;		/* of Migration *, in the order they run */
	List	   *refusals;		/* of PlanRefusal *, in the order raised */
	List	   *unsafe;			/* of PlanRefusal *: findings that
								 * migrate.safety = warn lets through */
	int			pending_total;	/* pending migrations, selected or not */
	bool		clean;			/* nothing pending, nothing changed: the
								 * catalog may be marked clean at epoch */
	int64		epoch;			/* the catalog's epoch when it was read */
	bool		applied_one;	/* verify: the migration given is applied */
	bool		quiet;			/* no NOTICE when nothing runs (a deploy
								 * over many schemas sums up instead) */
	int			repeatables_due;	/* repeatables changed since their last
									 * run, selected or not */
} MigrationPlan;

extern int32 plan_get_steps(FunctionCallInfo fcinfo, int argno, bool *has_steps);
extern MigrationPlan *plan_build(PlanPurpose purpose, bool has_target, int64 target,
						bool has_steps, int32 steps);
extern void plan_enforce(const MigrationPlan *plan);
extern void plan_warn(const MigrationPlan *plan);

#endif							/* MIGRATE_PLAN_H */
