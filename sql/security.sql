--
-- security.sql: what a role with the README's deployer grants cannot do.
--
-- Checked here, each as the attack a deploy role would mount:
--   - an operator of its own on its search_path does not reach the queries
--     the functions run as the extension owner (they run pinned to
--     pg_catalog, as a security-restricted operation);
--   - a migration body cannot change role, in any form: SET ROLE and
--     friends are refused when the migration is defined, and a dynamic
--     change (set_config, a DO block) is refused while it runs, in apply,
--     verify and a deploy's worker alike;
--   - settings a body changes (statement_timeout, lock_timeout,
--     search_path) end with the migration;
--   - no entry point runs from inside a migration body, in the backend or
--     in a deploy's worker (which would otherwise wait for its own caller);
--   - a body that releases the migration lock fails loudly.
--
CREATE EXTENSION migrate;
CREATE ROLE regress_migrate_owner_group NOLOGIN;
CREATE ROLE regress_migrate_dev LOGIN IN ROLE regress_migrate_owner_group;
CREATE ROLE regress_migrate_deployer LOGIN;
CREATE SCHEMA regress_app AUTHORIZATION regress_migrate_deployer;
GRANT USAGE, CREATE ON SCHEMA public TO regress_migrate_deployer, regress_migrate_owner_group;
GRANT EXECUTE ON FUNCTION migrate_define(bigint, text, text, text, boolean, text[], text),
                          migrate_remove(bigint, text),
                          migrate_apply(bigint, integer, text, text),
                          migrate_rollback(integer, bigint, text, text),
                          migrate_status(text, text),
                          migrate_plan(bigint, integer, text, text),
                          migrate_baseline(bigint, text, text),
                          migrate_verify(bigint, text, text),
                          migrate_lint(text),
                          migrate_resolve(bigint, text, text, text)
    TO regress_migrate_deployer, regress_migrate_owner_group;
GRANT EXECUTE ON PROCEDURE migrate_deploy(bigint, integer, text, text[]),
                           migrate_revert(integer, bigint, text, text[]),
                           migrate_backfill(regclass, text, text, integer, interval)
    TO regress_migrate_deployer, regress_migrate_owner_group;
GRANT SELECT ON migrate_migrations, migrate_applied, migrate_history, migrate_findings,
                migrate_progress, migrate_backfills
    TO regress_migrate_deployer, regress_migrate_owner_group;

--
-- 1. An operator planted on the search_path does not run as the owner.
--
-- The deployer's table, and an unfinished backfill of it (its first batch
-- fails), so that the next call looks for the run to resume: the query
-- compares the where clause with IS NOT DISTINCT FROM, whose "=" would
-- resolve through the caller's search_path.
SET ROLE regress_migrate_deployer;
CREATE TABLE regress_app.items (id bigint PRIMARY KEY, n integer NOT NULL);
INSERT INTO regress_app.items SELECT g, 0 FROM generate_series(1, 5) g;
CREATE FUNCTION regress_app.hijack(text, text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    RAISE NOTICE 'planted operator ran as %', current_user;
    RETURN $1 OPERATOR(pg_catalog.=) $2;
END
$$;
CREATE OPERATOR regress_app.= (FUNCTION = regress_app.hijack, LEFTARG = text, RIGHTARG = text);
\set VERBOSITY terse
CALL migrate_backfill('regress_app.items', 'n = n / 0', 'id > 0', 2);
SET search_path = regress_app, pg_catalog, public;
-- the planted operator is the one the deployer's own queries find
SELECT 'a'::text = 'a'::text AS planted;
-- but not the backfill's lookup of the run to resume (it fails again on
-- the division, having found the run)
CALL migrate_backfill('regress_app.items', 'n = n / 0', 'id > 0', 2);
\set VERBOSITY default
SELECT relation, where_clause, rows_done, finished_at IS NULL AS unfinished
FROM public.migrate_backfills;
-- nor any other query the functions run as the owner
SELECT count(*) FROM migrate_status();
RESET search_path;
RESET ROLE;
SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_migrate_deployer';

--
-- 2. A body cannot change role.
--
-- As written: refused when defined, naming the statement.
SET ROLE regress_migrate_dev;
SELECT version FROM migrate_define(10, 'reset_role',
    $$CREATE TABLE reset_role_t (id bigint);
RESET ROLE;
ALTER ROLE regress_migrate_dev SUPERUSER$$);
\echo :LAST_ERROR_SQLSTATE
SELECT version FROM migrate_define(10, 'set_role', 'SET ROLE regress_migrate_deployer');
SELECT version FROM migrate_define(10, 'set_local_role', 'SET LOCAL ROLE NONE');
SELECT version FROM migrate_define(10, 'session_authorization', 'SET SESSION AUTHORIZATION DEFAULT');
SELECT version FROM migrate_define(10, 'reset_session_authorization', 'RESET SESSION AUTHORIZATION');
-- In a down too.
SELECT version FROM migrate_define(10, 'down_resets', 'CREATE TABLE down_resets (id bigint)',
    'RESET ROLE; DROP TABLE down_resets');
-- Dynamically: defined (nothing in it reads as a change of role) ...
SELECT version FROM migrate_define(11, 'dynamic_reset',
    $$CREATE TABLE dynamic_reset (id bigint);
SELECT set_config('role', 'none', false);
ALTER ROLE regress_migrate_dev SUPERUSER$$, 'DROP TABLE dynamic_reset');
SELECT version FROM migrate_define(12, 'do_reset',
    $$DO $do$ BEGIN EXECUTE 'RESET ROLE'; EXECUTE 'ALTER ROLE regress_migrate_dev SUPERUSER'; END $do$ $$,
    'SELECT 1');
RESET ROLE;
-- ... and refused when a superuser applies it as the group that defined
-- it: the body never gets the superuser back.
SET ROLE regress_migrate_owner_group;
SELECT version FROM migrate_apply();
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_migrate_dev';
SELECT to_regclass('dynamic_reset') IS NULL AS rolled_back;
-- verify runs the body the same way.
SET ROLE regress_migrate_owner_group;
SELECT version, ok, detail FROM migrate_verify(11);
RESET ROLE;
SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_migrate_dev';
SELECT migrate_remove(11);
SET ROLE regress_migrate_owner_group;
SELECT version FROM migrate_apply();
RESET ROLE;
SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_migrate_dev';
SELECT migrate_remove(12);
-- A role change written as such also stops the call when the definition
-- came from an earlier release (the catalog row is forged here, as only a
-- superuser could): the runner checks each statement again before running.
INSERT INTO migrate_migrations (version, name, up, down, down_derived, transactional,
                                defined_at, defined_by)
VALUES (13, 'old_reset', 'RESET ROLE', NULL, false, true, now(), 'regress_migrate_owner_group');
SET ROLE regress_migrate_owner_group;
SELECT version FROM migrate_apply();
RESET ROLE;
SELECT migrate_remove(13);

-- In a deploy's worker: a non-transactional migration whose statement
-- changes role dynamically is refused there too.
SET ROLE regress_migrate_owner_group;
CREATE TABLE worker_items (id bigint);
SELECT version FROM migrate_define(14, 'worker_reset',
    $$CREATE INDEX CONCURRENTLY worker_items_id ON worker_items (id);
DO $do$ BEGIN PERFORM set_config('role', 'none', false); EXECUTE 'ALTER ROLE regress_migrate_dev SUPERUSER'; END $do$ $$,
    'DROP INDEX CONCURRENTLY worker_items_id', transactional => false);
SET client_min_messages = warning;
CALL migrate_deploy();
RESET client_min_messages;
RESET ROLE;
SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_migrate_dev';
SELECT version, state, detail FROM migrate_status() WHERE version = 14;
SELECT migrate_resolve(14, 'applied');

--
-- 3. Settings a body changes end with it.
--
SET statement_timeout = '7s';
SET lock_timeout = '3s';
SELECT version FROM migrate_define(20, 'sets_things',
    $$SET statement_timeout = 1;
SET lock_timeout = 1;
SET search_path = pg_catalog;
SET work_mem = '1MB';
CREATE TABLE public.sets_things (id bigint)$$, 'DROP TABLE public.sets_things');
SET client_min_messages = warning;
SELECT version FROM migrate_apply();
RESET client_min_messages;
SHOW statement_timeout;
SHOW lock_timeout;
SHOW search_path;
SHOW work_mem;
-- the session is usable: this would be canceled at once otherwise
SELECT 'usable' AS session FROM pg_sleep(0.01);
SET client_min_messages = warning;
SELECT version FROM migrate_rollback();
RESET client_min_messages;
SHOW statement_timeout;
RESET statement_timeout;
RESET lock_timeout;

--
-- 4. No entry point runs from inside a migration.
--
-- Each is defined, applied (and refused), and removed in turn.
CREATE FUNCTION try_inside(body text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    message text;
BEGIN
    PERFORM migrate_define(30, 'calls_an_entry_point', body, 'SELECT 1');
    BEGIN
        PERFORM migrate_apply();
        message := 'applied';
    EXCEPTION WHEN OTHERS THEN
        message := SQLSTATE || ': ' || SQLERRM;
    END;
    PERFORM migrate_remove(30);
    RETURN message;
END
$$;
SET client_min_messages = warning;
SELECT try_inside($$SELECT migrate_define(30, 'calls_an_entry_point', 'SELECT 2')$$);
SELECT try_inside('SELECT migrate_remove(30)');
SELECT try_inside($$SELECT migrate_resolve(30, 'applied')$$);
SELECT try_inside('SELECT migrate_baseline(40)');
SELECT try_inside('SELECT * FROM migrate_apply()');
SELECT try_inside('SELECT * FROM migrate_rollback(1)');
SELECT try_inside('SELECT * FROM migrate_verify()');
SELECT try_inside('CALL migrate_deploy()');
SELECT try_inside('CALL migrate_revert(1)');
RESET client_min_messages;
DROP FUNCTION try_inside(text);
SELECT count(*) AS left_behind FROM migrate_migrations WHERE version >= 30;
-- A deploy called by a deploy's worker is refused at once instead of
-- waiting for the lock its own caller holds.
SELECT version FROM migrate_define(36, 'deploy_in_worker', 'CALL migrate_deploy()', 'SELECT 1',
    transactional => false);
SET client_min_messages = warning;
CALL migrate_deploy();
RESET client_min_messages;
SELECT version, state, detail FROM migrate_status() WHERE version = 36;
SELECT migrate_resolve(36, 'pending');
SELECT migrate_remove(36);

--
-- 5. A body that releases the migration lock fails loudly.
--
SELECT version FROM migrate_define(40, 'unlocks',
    $$CREATE TABLE unlocks (id bigint);
SELECT pg_advisory_unlock_all()$$, 'DROP TABLE unlocks');
SET client_min_messages = warning;
CALL migrate_deploy();
RESET client_min_messages;
SELECT to_regclass('unlocks') IS NULL AS rolled_back;
SELECT version, direction, success FROM migrate_history WHERE version = 40;
SELECT count(*) AS advisory_locks_left FROM pg_locks
WHERE locktype = 'advisory' AND pid = pg_backend_pid();
SELECT migrate_remove(40);

DROP TABLE worker_items;
DROP SCHEMA regress_app CASCADE;
REVOKE ALL ON SCHEMA public FROM regress_migrate_deployer, regress_migrate_owner_group;
SET migrate.allow_drop = on;
DROP EXTENSION migrate;
DROP ROLE regress_migrate_deployer;
DROP ROLE regress_migrate_dev;
DROP ROLE regress_migrate_owner_group;
