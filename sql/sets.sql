--
-- sets.sql: sets, tenant schemas and repeatable migrations.
--
-- A set is a sequence of versions of its own (an application and a library
-- it embeds); a tenant schema has the set applied to it with its own state
-- and history, the bodies running with search_path set to it; a repeatable
-- migration runs again, after the versioned ones, whenever it changes.
--
\set VERBOSITY default
SET migrate.progress = 'stable';
CREATE EXTENSION migrate;

--
-- Sets: the same version in two sets, each applied on its own.
--
SELECT version, set FROM migrate_define(1, 'create_accounts',
    'CREATE TABLE accounts (id bigint PRIMARY KEY);', 'DROP TABLE accounts;');
SELECT version, set FROM migrate_define(1, 'create_jobs',
    'CREATE TABLE jobs (id bigint PRIMARY KEY, payload text);', 'DROP TABLE jobs;',
    set => 'queue');
SELECT set, version, name FROM migrate_migrations ORDER BY set, version;
SELECT * FROM migrate_plan(set => 'queue');
SELECT version, name FROM migrate_apply(set => 'queue');
SELECT version, state FROM migrate_status(set => 'queue');
SELECT version, state FROM migrate_status();
SELECT version, name FROM migrate_apply();
SELECT set, schema, version FROM migrate_applied ORDER BY set, version;
-- Rolling back one set leaves the other alone.
SELECT version, name FROM migrate_rollback(set => 'queue');
SELECT to_regclass('jobs') AS jobs, to_regclass('accounts') AS accounts;
-- Defining an applied version of one set is judged in that set only.
SELECT version FROM migrate_define(1, 'create_accounts',
    'CREATE TABLE accounts (id bigint PRIMARY KEY, email text);');
SELECT version FROM migrate_define(1, 'create_jobs_v2',
    'CREATE TABLE jobs (id bigint PRIMARY KEY, payload jsonb);', 'DROP TABLE jobs;',
    set => 'queue');
SELECT migrate_remove(1, set => 'queue');
SELECT set, version, name FROM migrate_migrations ORDER BY set, version;

-- Bad sets: each a clear error, nothing changed.
SELECT * FROM migrate_apply(set => 'no_such_set');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate_status(set => 'no_such_set');
SELECT * FROM migrate_apply(set => NULL);
SELECT * FROM migrate_apply(set => '');
SELECT version FROM migrate_define(2, 'x', 'SELECT 1;', set => repeat('s', 64));

--
-- Tenant schemas: the set applied to each schema, its bodies creating their
-- objects there.
--
CREATE SCHEMA tenant_a;
CREATE SCHEMA tenant_b;
CREATE SCHEMA tenant_c;
SELECT version FROM migrate_define(10, 'create_notes',
    'CREATE TABLE notes (id bigint PRIMARY KEY, body text);', set => 'tenant');
SELECT version FROM migrate_define(20, 'index_notes',
    'CREATE INDEX notes_body_idx ON notes (body);', set => 'tenant',
    safety_assured => '{require-concurrent-index-creation}');
SELECT version, name FROM migrate_apply(set => 'tenant', schema => 'tenant_a');
SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relname LIKE 'notes%' ORDER BY 1, 2;
SELECT version, state FROM migrate_status(set => 'tenant', schema => 'tenant_a');
SELECT version, state FROM migrate_status(set => 'tenant', schema => 'tenant_b');
-- With no schema, the set's state is that of the caller's own search_path.
SELECT version, state FROM migrate_status(set => 'tenant');
SELECT * FROM migrate_plan(set => 'tenant', schema => 'tenant_b', steps => 1);
-- An error names the schema, and leaves nothing behind.
CREATE TABLE tenant_b.notes (id bigint);
SELECT version, name FROM migrate_apply(set => 'tenant', schema => 'tenant_b');
DROP TABLE tenant_b.notes;
SELECT version, state FROM migrate_status(set => 'tenant', schema => 'tenant_b');
-- The caller's search_path is back as it was.
SHOW search_path;

-- A deploy over many schemas says where it is, and goes on where a failed
-- one stopped.
CREATE TABLE tenant_c.notes (id bigint);
CALL migrate_deploy(set => 'tenant', schemas => ARRAY['tenant_a', 'tenant_b', 'tenant_c']);
SELECT schema, version FROM migrate_applied WHERE set = 'tenant' ORDER BY 1, 2;
SELECT schema, version, direction, success FROM migrate_history
 WHERE set = 'tenant' ORDER BY id;
DROP TABLE tenant_c.notes;
CALL migrate_deploy(set => 'tenant', schemas => ARRAY['tenant_a', 'tenant_b', 'tenant_c']);
SELECT schema, version FROM migrate_applied WHERE set = 'tenant' ORDER BY 1, 2;
CALL migrate_deploy(set => 'tenant', schemas => ARRAY['tenant_a', 'tenant_b', 'tenant_c']);
-- Revert in one tenant only.
CALL migrate_revert(set => 'tenant', schemas => ARRAY['tenant_b']);
SELECT schema, version FROM migrate_applied WHERE set = 'tenant' ORDER BY 1, 2;
-- A down's DROP takes its locks just before it runs, where no other session
-- holds them, resolving names in the tenant's schema: an index of the same
-- name on the caller's search_path is left alone.
CREATE TABLE public.notes (id bigint, body text);
CREATE INDEX notes_body_idx ON public.notes (body);
BEGIN;
SELECT version, name FROM migrate_rollback(set => 'tenant', schema => 'tenant_c');
SELECT l.relation::regclass AS relation, l.mode FROM pg_locks l
 WHERE l.pid = pg_backend_pid() AND l.relation IN ('public.notes'::regclass, 'tenant_c.notes'::regclass)
 ORDER BY 1::text;
ROLLBACK;
DROP TABLE public.notes;
SELECT version, name FROM migrate_rollback(set => 'tenant', schema => 'tenant_c', target => 0);
SELECT version, state FROM migrate_status(set => 'tenant', schema => 'tenant_c');
-- Verify in a tenant's schema.
SELECT version, name, ok FROM migrate_verify(set => 'tenant', schema => 'tenant_c');
-- Baseline of a tenant.
SELECT migrate_baseline(10, set => 'tenant', schema => 'tenant_c');
SELECT version, state FROM migrate_status(set => 'tenant', schema => 'tenant_c');

-- Where every tenant stands, in one query.
SELECT schema, version, state FROM migrate_status_schemas('tenant',
    ARRAY['tenant_c', 'tenant_a', 'tenant_b']);
SELECT * FROM migrate_status_schemas('tenant', ARRAY['tenant_a', 'tenant_a']);
SELECT * FROM migrate_status_schemas('tenant', ARRAY['no_such_schema']);
SELECT * FROM migrate_status_schemas('no_such_set', ARRAY['tenant_a']);

-- Bad tenant lists and schemas: clear errors, nothing run.
CALL migrate_deploy(set => 'tenant', schemas => ARRAY['tenant_a', NULL]);
CALL migrate_deploy(set => 'tenant', schemas => ARRAY['tenant_b', 'tenant_a', 'tenant_b']);
CALL migrate_deploy(set => 'tenant', schemas => ARRAY['tenant_b', 'no_such_schema']);
\echo :LAST_ERROR_SQLSTATE
CALL migrate_deploy(set => 'tenant', schemas => '{}');
SELECT * FROM migrate_apply(set => 'tenant', schema => 'no_such_schema');
SELECT * FROM migrate_status(set => 'tenant', schema => '');
SELECT schema, version FROM migrate_applied WHERE set = 'tenant' ORDER BY 1, 2;

--
-- Repeatable migrations.
--
SELECT migrate_define_repeatable('note_count',
    'CREATE OR REPLACE VIEW note_count AS SELECT count(*) AS n FROM notes;',
    set => 'tenant');
SELECT version, name, state FROM migrate_status(set => 'tenant', schema => 'tenant_b');
-- Verify judges it after the pending versioned migrations, as apply runs it:
-- never run here and without a down, rolling its first run back would run
-- nothing.
SELECT version, name, ok, detail FROM migrate_verify(set => 'tenant', schema => 'tenant_b');
-- Run after the versioned migrations, in the same call.
SELECT version, name FROM migrate_apply(set => 'tenant', schema => 'tenant_b');
SELECT * FROM tenant_b.note_count;
SELECT version, name, state FROM migrate_status(set => 'tenant', schema => 'tenant_b');
-- Unchanged: not run again.
SELECT migrate_define_repeatable('note_count',
    'CREATE OR REPLACE VIEW note_count AS SELECT count(*) AS n FROM notes;',
    set => 'tenant');
SELECT version, name FROM migrate_apply(set => 'tenant', schema => 'tenant_b');
-- Changed: run again, and shown as changed until then.
SELECT migrate_define_repeatable('note_count',
    'CREATE OR REPLACE VIEW note_count AS SELECT count(*) AS n FROM notes WHERE body IS NOT NULL;',
    set => 'tenant');
SELECT version, name, state, detail FROM migrate_status(set => 'tenant', schema => 'tenant_b');
-- Its rollback would run the previous body again, which restores the view.
SELECT version, name, ok, detail FROM migrate_verify(set => 'tenant', schema => 'tenant_b');
-- A body that its previous one cannot replace (a view that would lose a
-- column): its rollback would fail, and verify says so.
SELECT migrate_define_repeatable('note_count',
    'CREATE OR REPLACE VIEW note_count AS SELECT count(*) AS n, max(id) AS last FROM notes;',
    set => 'tenant');
SELECT version, name, ok, detail FROM migrate_verify(set => 'tenant', schema => 'tenant_b');
SELECT migrate_define_repeatable('note_count',
    'CREATE OR REPLACE VIEW note_count AS SELECT count(*) AS n FROM notes WHERE body IS NOT NULL;',
    set => 'tenant');
SELECT version, name FROM migrate_apply(set => 'tenant', schema => 'tenant_b');
SELECT pg_get_viewdef('tenant_b.note_count') LIKE '%IS NOT NULL%' AS second_body;
SELECT name, direction, body IS NOT NULL AS has_body FROM migrate_history
 WHERE set = 'tenant' AND schema = 'tenant_b' AND version = 0 ORDER BY id;
-- Rollback takes back the newest run first: the previous body runs again.
SELECT version, name FROM migrate_rollback(set => 'tenant', schema => 'tenant_b');
SELECT pg_get_viewdef('tenant_b.note_count') LIKE '%IS NOT NULL%' AS second_body;
-- Then the first run (which has no down: nothing runs, the view stays),
-- then the newest versioned migration.
SELECT version, name FROM migrate_rollback(set => 'tenant', schema => 'tenant_b', steps => 2);
SELECT name, schema FROM migrate_repeatable_runs ORDER BY id;
SELECT name, direction FROM migrate_history
 WHERE set = 'tenant' AND schema = 'tenant_b' AND version = 0 ORDER BY id;
SELECT schema, version FROM migrate_applied WHERE set = 'tenant' ORDER BY 1, 2;
-- A repeatable with a down: its first run's rollback runs it.
SELECT migrate_define_repeatable('touch', 'COMMENT ON SCHEMA tenant_b IS ''touched'';',
    down => 'COMMENT ON SCHEMA tenant_b IS NULL;', set => 'tenant');
SELECT version, name, ok, detail FROM migrate_verify(set => 'tenant', schema => 'tenant_b')
 WHERE name = 'touch';
SELECT version, name FROM migrate_apply(set => 'tenant', schema => 'tenant_b');
SELECT obj_description('tenant_b'::regnamespace, 'pg_namespace');
SELECT version, name FROM migrate_rollback(set => 'tenant', schema => 'tenant_b', steps => 2);
SELECT obj_description('tenant_b'::regnamespace, 'pg_namespace');

-- Bad repeatables: clear errors, nothing stored.
SELECT migrate_define_repeatable('tables', 'CREATE TABLE t (id int);', set => 'tenant');
SELECT migrate_define_repeatable('views', 'CREATE VIEW v AS SELECT 1;', set => 'tenant');
SELECT migrate_define_repeatable('drops', 'DROP VIEW v;', set => 'tenant');
SELECT migrate_define_repeatable('tx', 'CREATE OR REPLACE VIEW v AS SELECT 1; COMMIT;',
    set => 'tenant');
SELECT migrate_define_repeatable('', 'SELECT 1;');
SELECT migrate_define_repeatable('broken', 'CREATE OR REPLACE VIEW v AS SELEC 1;');
SELECT * FROM migrate_load_repeatables(ARRAY['a', 'b', 'a'],
    ARRAY['SELECT 1;', 'SELECT 2;', 'SELECT 3;'], set => 'tenant');
SELECT * FROM migrate_load_repeatables(ARRAY['a', 'a'], ARRAY['SELECT 1;', 'SELECT 2;'],
    files => ARRAY['db/R__a.sql', 'other/R__a.sql'], set => 'tenant');
SELECT * FROM migrate_load_repeatables(ARRAY['a'], ARRAY['CREATE TABLE a (id int);'],
    files => ARRAY['db/R__a.sql'], set => 'tenant');
SELECT * FROM migrate_load_repeatables(ARRAY['a', 'b'], ARRAY['SELECT 1;'], set => 'tenant');
SELECT set, name FROM migrate_repeatables ORDER BY 1, 2;

-- A set of repeatables in one call: new, replaced, unchanged, and with
-- prune removed.
SELECT * FROM migrate_load_repeatables(ARRAY['note_count', 'z_last'],
    ARRAY['CREATE OR REPLACE VIEW note_count AS SELECT count(*) AS n FROM notes WHERE body IS NOT NULL;',
          'COMMENT ON VIEW note_count IS ''notes''; '], set => 'tenant')
 ORDER BY name;
SELECT * FROM migrate_load_repeatables(ARRAY['z_last'],
    ARRAY['COMMENT ON VIEW note_count IS ''the notes'';'], set => 'tenant', prune => true)
 ORDER BY name;
SELECT set, name FROM migrate_repeatables ORDER BY 1, 2;

-- The applier rule: a repeatable defined by a role without the applier's
-- privileges is refused.
CREATE ROLE regress_migrate_tenant_definer;
GRANT EXECUTE ON FUNCTION migrate_define_repeatable(text, text, text, text[], text)
    TO regress_migrate_tenant_definer;
SET ROLE regress_migrate_tenant_definer;
SELECT migrate_define_repeatable('z_last', 'COMMENT ON VIEW note_count IS ''planted'';',
    set => 'tenant');
RESET ROLE;
SELECT version, name FROM migrate_apply(set => 'tenant', schema => 'tenant_a');
-- Defined again by the applier: it runs (and here fails: tenant_a has no
-- such view), the error naming the repeatable, set and schema.
SELECT migrate_define_repeatable('z_last', 'COMMENT ON VIEW note_count IS ''planted'';',
    set => 'tenant');
SELECT version, name FROM migrate_apply(set => 'tenant', schema => 'tenant_a');
REVOKE EXECUTE ON FUNCTION migrate_define_repeatable(text, text, text, text[], text)
    FROM regress_migrate_tenant_definer;
DROP ROLE regress_migrate_tenant_definer;

SET migrate.allow_drop = on;
DROP EXTENSION migrate;
DROP SCHEMA tenant_a, tenant_b, tenant_c CASCADE;
DROP TABLE accounts;
