--
-- upgrade.sql: ALTER EXTENSION migrate UPDATE from 1.0 to 1.1.
--
-- Until its catalog is updated, a database that has release 1.0 of the
-- extension refuses the calls of the 1.1 library with an error that says
-- what to do, though its tables can still be written (as a restore writes
-- them).  The update keeps every row, and the functions work on them at
-- once, in the same session.  The views that 1.1 adds are granted to
-- nobody.  A fresh CREATE EXTENSION (1.0's script, then the update's) gives
-- the same objects as 1.0 followed by the update.
--
-- Every table is filled: migrations applied, pending, rolled back and
-- failed, lint findings, an index build's progress, a backfill and their
-- history.  The library loaded here is 1.1's, which refuses a 1.0 catalog,
-- so the 1.0 catalog is filled as a restore fills it, by a superuser's
-- INSERTs: the rows are made by the functions on a fresh installation,
-- kept aside, and inserted after CREATE EXTENSION migrate VERSION '1.0'.
--
-- The "== Running" and "== Migrated" NOTICEs carry durations, so the test
-- runs with client_min_messages = warning.
--
\set VERBOSITY default
SET client_min_messages = warning;
CREATE ROLE regress_migrate_upgrader;

--
-- A fresh installation: release 1.1 at once.
--
CREATE EXTENSION migrate;
SELECT extversion FROM pg_extension WHERE extname = 'migrate';

-- The extension's objects, with what could differ between two ways of
-- creating them: comments, privileges, columns, view and function
-- definitions, indexes, constraints and triggers of the tables, the event
-- trigger, and which tables pg_dump keeps the rows of.  The row types of
-- the tables are left out: PostgreSQL 17 records them as members of the
-- extension, 15 does not.
CREATE TEMP VIEW migrate_members AS
SELECT pg_describe_object(d.classid, d.objid, 0) AS object,
       (SELECT s.description FROM pg_description s
         WHERE s.classoid = d.classid AND s.objoid = d.objid AND s.objsubid = 0) AS comment,
       COALESCE(c.relacl::text, p.proacl::text) AS acl,
       (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                          || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
                          || COALESCE(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '')
                          || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text
                                  ELSE '' END, ', '
                          ORDER BY a.attnum)
          FROM pg_attribute a
          LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
       CASE WHEN c.relkind = 'v' THEN pg_get_viewdef(c.oid) END AS definition,
       CASE WHEN p.prokind IN ('f', 'p') THEN pg_get_functiondef(p.oid) END AS function,
       (SELECT string_agg(pg_get_indexdef(i.indexrelid), '; ' ORDER BY pg_get_indexdef(i.indexrelid))
          FROM pg_index i WHERE i.indrelid = c.oid) AS indexes,
       (SELECT string_agg(k.conname || ' ' || pg_get_constraintdef(k.oid), '; ' ORDER BY k.conname)
          FROM pg_constraint k WHERE k.conrelid = c.oid) AS constraints,
       (SELECT string_agg(pg_get_triggerdef(t.oid), '; ' ORDER BY t.tgname)
          FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal) AS triggers,
       (SELECT e.evtevent || ' ' || e.evtenabled::text || ' ' || e.evtfoid::regprocedure::text
               || ' ' || e.evttags::text
          FROM pg_event_trigger e
         WHERE d.classid = 'pg_event_trigger'::regclass AND e.oid = d.objid) AS event_trigger,
       c.oid = ANY (x.extconfig) AS dumped
  FROM pg_depend d
  JOIN pg_extension x ON x.oid = d.refobjid
  LEFT JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid
  LEFT JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
 WHERE d.refclassid = 'pg_extension'::regclass
   AND x.extname = 'migrate'
   AND d.deptype = 'e'
   AND NOT EXISTS (SELECT FROM pg_type t
                    WHERE d.classid = 'pg_type'::regclass AND t.oid = d.objid
                      AND (t.typrelid <> 0
                           OR EXISTS (SELECT FROM pg_type e
                                       WHERE e.oid = t.typelem AND e.typrelid <> 0)));
CREATE TEMP TABLE fresh_members AS SELECT * FROM migrate_members;

-- Rows in every table, made by the functions: 1 applied; 2 applied, rolled
-- back and applied again; 3 failed (a unique index built concurrently on
-- duplicates, left INVALID); 4 pending, with a lint finding (an unindexed
-- foreign key, a warning); a finished backfill of upgrade_app.accounts.
CREATE SCHEMA upgrade_app;
SELECT version FROM migrate_define(1, 'create_accounts',
    'CREATE TABLE upgrade_app.accounts (id bigint PRIMARY KEY, email text);',
    'DROP TABLE upgrade_app.accounts;');
SELECT version FROM migrate_define(2, 'create_tags',
    'CREATE TABLE upgrade_app.tags (id bigint PRIMARY KEY, label text);
     INSERT INTO upgrade_app.tags VALUES (1, ''a''), (2, ''a'');',
    'DROP TABLE upgrade_app.tags;');
SELECT version, name FROM migrate_apply();
SELECT version, name FROM migrate_rollback();
SELECT version, name FROM migrate_apply();
SELECT version FROM migrate_define(3, 'unique_tag_labels',
    'CREATE UNIQUE INDEX CONCURRENTLY tags_label_key ON upgrade_app.tags (label);',
    'DROP INDEX CONCURRENTLY upgrade_app.tags_label_key;');
CALL migrate_deploy();
SELECT version FROM migrate_define(4, 'create_orders',
    'CREATE TABLE upgrade_app.orders (id bigint PRIMARY KEY,
                                      account bigint REFERENCES upgrade_app.accounts);',
    'DROP TABLE upgrade_app.orders;');
INSERT INTO upgrade_app.accounts SELECT i, 'User' || i || '@example.com' FROM generate_series(1, 25) i;
CALL migrate_backfill('upgrade_app.accounts', 'email = lower(email)', batch_size => 10);
SELECT version, name, state FROM migrate_status();

CREATE TEMP TABLE saved_migrations AS SELECT * FROM migrate_migrations;
CREATE TEMP TABLE saved_applied AS SELECT * FROM migrate_applied;
CREATE TEMP TABLE saved_history AS SELECT * FROM migrate_history;
CREATE TEMP TABLE saved_findings AS SELECT * FROM migrate_findings;
CREATE TEMP TABLE saved_progress AS SELECT * FROM migrate_progress;
CREATE TEMP TABLE saved_backfills AS SELECT * FROM migrate_backfills;
SELECT (SELECT count(*) FROM saved_migrations) AS migrations,
       (SELECT count(*) FROM saved_applied) AS applied,
       (SELECT count(*) FROM saved_history) AS history,
       (SELECT count(*) FROM saved_findings) AS findings,
       (SELECT count(*) FROM saved_progress) AS progress,
       (SELECT count(*) FROM saved_backfills) AS backfills;
-- The catalog records history: dropping it takes migrate.allow_drop.
SET migrate.allow_drop = on;
DROP EXTENSION migrate;
RESET migrate.allow_drop;

--
-- Release 1.0, filled with those rows.  The 1.1 library refuses to work on
-- a 1.0 catalog, so the rows go in as a superuser's INSERTs, as a restore
-- puts them back.
--
CREATE EXTENSION migrate VERSION '1.0';
SELECT extversion FROM pg_extension WHERE extname = 'migrate';
SELECT to_regclass('migrate_status_rows') AS status_rows,
       to_regclass('migrate_schema_fingerprint') AS schema_fingerprint,
       to_regclass('migrate_watched_relations') AS watched_relations,
       (SELECT count(*) FROM pg_event_trigger WHERE evtname = 'migrate_drop_guard') AS drop_guard;
-- The catalog's triggers run the library's code, and work on a 1.0 catalog.
INSERT INTO migrate_migrations
    (version, name, up, down, down_derived, transactional, checksum, defined_at, defined_by,
     safety_assured)
SELECT version, name, up, down, down_derived, transactional, checksum, defined_at, defined_by,
       safety_assured
  FROM saved_migrations;
INSERT INTO migrate_applied (version, checksum, applied_at, applied_by, duration)
SELECT version, checksum, applied_at, applied_by, duration FROM saved_applied;
INSERT INTO migrate_history
    (id, version, name, direction, started_at, duration, role, success, error)
SELECT id, version, name, direction, started_at, duration, role, success, error
  FROM saved_history;
INSERT INTO migrate_findings (version, body, statement, line, rule, severity, message, hint)
SELECT version, body, statement, line, rule, severity, message, hint FROM saved_findings;
INSERT INTO migrate_progress
    (version, direction, statements, completed, started_at, pid, relations, error)
SELECT version, direction, statements, completed, started_at, pid, relations, error
  FROM saved_progress;
INSERT INTO migrate_backfills SELECT * FROM saved_backfills;
SELECT setval('migrate_history_id_seq', max(id)) FROM migrate_history;
SELECT setval('migrate_backfills_id_seq', max(id)) FROM migrate_backfills;
SELECT epoch > 0 AS epoch_bumped FROM migrate_state;

-- Every call that opens the catalog is refused until the update.
SELECT * FROM migrate_status();
SELECT * FROM migrate_plan();
SELECT * FROM migrate_apply();
SELECT version FROM migrate_define(5, 'too_early',
    'CREATE TABLE upgrade_app.early ();', 'DROP TABLE upgrade_app.early;');
SELECT * FROM migrate_verify();
CALL migrate_deploy();

-- A deploy role's grants on 1.0's functions, which 1.1 gives new
-- signatures (a set and a schema), are kept by the update.
GRANT EXECUTE ON FUNCTION migrate_apply(bigint, integer), migrate_status()
    TO regress_migrate_upgrader;
GRANT EXECUTE ON PROCEDURE migrate_deploy(bigint, integer)
    TO regress_migrate_upgrader WITH GRANT OPTION;

--
-- The update, in the same session.
--
SELECT current_setting('search_path') AS search_path_before \gset
ALTER EXTENSION migrate UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'migrate';
-- The update script's search_path ended with it.
SELECT current_setting('search_path') = :'search_path_before' AS search_path_unchanged;

-- The grants carried over to the new signatures, grant option included,
-- and nothing more.
SELECT p.oid::regprocedure AS routine, a.privilege_type, a.is_grantable
  FROM pg_proc p, aclexplode(p.proacl) a
 WHERE p.pronamespace = 'public'::regnamespace
   AND a.grantee = 'regress_migrate_upgrader'::regrole
 ORDER BY 1;
REVOKE EXECUTE ON FUNCTION migrate_apply(bigint, integer, text, text), migrate_status(text, text)
    FROM regress_migrate_upgrader;
REVOKE EXECUTE ON PROCEDURE migrate_deploy(bigint, integer, text, text[])
    FROM regress_migrate_upgrader;
-- The rows of 1.0 belong to set 'main', with no schema.
SELECT DISTINCT set, schema FROM migrate_applied;
SELECT DISTINCT set FROM migrate_migrations;

-- Every row kept.
SELECT 'migrate_migrations' AS catalog, (SELECT count(*) FROM migrate_migrations) AS rows,
       (SELECT count(*) FROM ((TABLE migrate_migrations EXCEPT ALL TABLE saved_migrations)
                              UNION ALL
                              (TABLE saved_migrations EXCEPT ALL TABLE migrate_migrations)) d)
           AS differing
UNION ALL
SELECT 'migrate_applied', (SELECT count(*) FROM migrate_applied),
       (SELECT count(*) FROM ((TABLE migrate_applied EXCEPT ALL TABLE saved_applied)
                              UNION ALL
                              (TABLE saved_applied EXCEPT ALL TABLE migrate_applied)) d)
UNION ALL
SELECT 'migrate_history', (SELECT count(*) FROM migrate_history),
       (SELECT count(*) FROM ((TABLE migrate_history EXCEPT ALL TABLE saved_history)
                              UNION ALL
                              (TABLE saved_history EXCEPT ALL TABLE migrate_history)) d)
UNION ALL
SELECT 'migrate_findings', (SELECT count(*) FROM migrate_findings),
       (SELECT count(*) FROM ((TABLE migrate_findings EXCEPT ALL TABLE saved_findings)
                              UNION ALL
                              (TABLE saved_findings EXCEPT ALL TABLE migrate_findings)) d)
UNION ALL
SELECT 'migrate_progress', (SELECT count(*) FROM migrate_progress),
       (SELECT count(*) FROM ((TABLE migrate_progress EXCEPT ALL TABLE saved_progress)
                              UNION ALL
                              (TABLE saved_progress EXCEPT ALL TABLE migrate_progress)) d)
UNION ALL
SELECT 'migrate_backfills', (SELECT count(*) FROM migrate_backfills),
       (SELECT count(*) FROM ((TABLE migrate_backfills EXCEPT ALL TABLE saved_backfills)
                              UNION ALL
                              (TABLE saved_backfills EXCEPT ALL TABLE migrate_backfills)) d);

-- 1.0 followed by the update has the same objects as a fresh installation,
-- with the same definitions, comments and privileges.
CREATE TEMP TABLE updated_members AS SELECT * FROM migrate_members;
SELECT object FROM updated_members ORDER BY 1;
SELECT 'fresh installation only' AS side, * FROM (TABLE fresh_members EXCEPT ALL TABLE updated_members) f
UNION ALL
SELECT 'updated only', * FROM (TABLE updated_members EXCEPT ALL TABLE fresh_members) u;

-- Every function works on them.
SELECT version, name, state, applied_at IS NOT NULL AS has_applied_at, transactional,
       reversible, unassured, detail
  FROM migrate_status();
SELECT * FROM migrate_plan();
SELECT statement, rule, severity FROM migrate_lint('ALTER TABLE upgrade_app.accounts ADD COLUMN n integer NOT NULL;');
-- The failed index build, repaired by hand, then resolved.
DROP INDEX upgrade_app.tags_label_key;
UPDATE upgrade_app.tags SET label = 'b' WHERE id = 2;
SELECT migrate_resolve(3, 'pending');
SELECT * FROM migrate_verify(4);
CALL migrate_deploy();
SELECT version, name FROM migrate_rollback();
SELECT version, name FROM migrate_apply();
SELECT version, name, action FROM migrate_load('[{"version": 5, "name": "create_invoices",
    "up": "CREATE TABLE upgrade_app.invoices (id bigint PRIMARY KEY);",
    "down": "DROP TABLE upgrade_app.invoices;"}]');
SELECT migrate_remove(5);
SELECT version FROM migrate_define(6, 'adopted', 'SELECT 1;', 'SELECT 1;');
SELECT migrate_baseline(6);
CALL migrate_revert();
CALL migrate_backfill('upgrade_app.accounts', 'email = upper(email)', batch_size => 10);
SELECT id, relation, rows_done, batches, finished_at IS NOT NULL AS finished
  FROM migrate_backfills ORDER BY id;
SELECT version, name, state FROM migrate_status();
-- History goes on where it stopped.
SELECT id, version, name, direction, success FROM migrate_history ORDER BY id;

--
-- The views are internal: granted to nobody, not even through PUBLIC.
--
SELECT c.relname, c.relkind,
       has_table_privilege('regress_migrate_upgrader', c.oid,
                           'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
           AS usable_by_upgrader,
       (SELECT count(*) FROM aclexplode(c.relacl) a WHERE a.grantee = 0) AS public_entries,
       obj_description(c.oid, 'pg_class') AS comment
  FROM pg_class c
 WHERE c.relname IN ('migrate_status_rows', 'migrate_schema_fingerprint',
                     'migrate_watched_relations')
 ORDER BY 1;
-- A deploy role reads the status through migrate_status(), never directly.
GRANT EXECUTE ON FUNCTION migrate_status(text, text) TO regress_migrate_upgrader;
SET ROLE regress_migrate_upgrader;
SELECT version, state FROM migrate_status();
SELECT * FROM migrate_status_rows;
SELECT * FROM migrate_schema_fingerprint;
SELECT * FROM migrate_watched_relations;
RESET ROLE;
-- A superuser may read them, to see what migrate_verify() and
-- migrate_status() were given (here the columns and indexes of the tables
-- the migrations created: the other rows name the owner).
SELECT kind, identity, description FROM migrate_schema_fingerprint
 WHERE identity LIKE 'upgrade\_app.%' AND kind IN ('column', 'index') ORDER BY 1, 2;
SELECT kind, name FROM migrate_watched_relations WHERE name LIKE 'upgrade\_app.%' ORDER BY 2;
SELECT version, name, state FROM migrate_status_rows ORDER BY version;

SET migrate.allow_drop = on;
DROP EXTENSION migrate;
RESET migrate.allow_drop;
DROP SCHEMA upgrade_app CASCADE;
DROP ROLE regress_migrate_upgrader;
RESET client_min_messages;
