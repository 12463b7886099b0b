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
-- The library loaded here is 1.1's, which refuses a 1.0 catalog, so the
-- 1.0 catalog is filled as a restore fills it: the rows are made by the
-- functions on a fresh installation, kept aside, and inserted after CREATE
-- EXTENSION migrate VERSION '1.0'.
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
-- creating them: comments, privileges, columns and view definitions.
CREATE TEMP VIEW migrate_members AS
SELECT pg_describe_object(d.classid, d.objid, 0) AS object,
       (SELECT s.description FROM pg_description s
         WHERE s.classoid = d.classid AND s.objoid = d.objid AND s.objsubid = 0) AS comment,
       COALESCE(c.relacl::text, p.proacl::text) AS acl,
       (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', '
                          ORDER BY a.attnum)
          FROM pg_attribute a
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
       CASE WHEN c.relkind = 'v' THEN pg_get_viewdef(c.oid) END AS definition
  FROM pg_depend d
  LEFT JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid
  LEFT JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'migrate')
   AND d.deptype = 'e';
CREATE TEMP TABLE fresh_members AS SELECT * FROM migrate_members;

-- Some history: 1 applied; 2 applied, then rolled back; 3 never applied.
-- The lint finds an unindexed foreign key in 2, a warning.
CREATE SCHEMA upgrade_app;
SELECT version FROM migrate_define(1, 'create_accounts',
    'CREATE TABLE upgrade_app.accounts (id bigint PRIMARY KEY);',
    'DROP TABLE upgrade_app.accounts;');
SELECT version FROM migrate_define(2, 'create_orders',
    'CREATE TABLE upgrade_app.orders (id bigint PRIMARY KEY,
                                      account bigint REFERENCES upgrade_app.accounts);',
    'DROP TABLE upgrade_app.orders;');
SELECT version FROM migrate_define(3, 'create_invoices',
    'CREATE TABLE upgrade_app.invoices (id bigint PRIMARY KEY);',
    'DROP TABLE upgrade_app.invoices;');
SELECT version, name FROM migrate_apply(steps => 2);
SELECT version, name FROM migrate_rollback();

CREATE TEMP TABLE saved_migrations AS SELECT * FROM migrate_migrations;
CREATE TEMP TABLE saved_applied AS SELECT * FROM migrate_applied;
CREATE TEMP TABLE saved_history AS SELECT * FROM migrate_history;
CREATE TEMP TABLE saved_findings AS SELECT * FROM migrate_findings;
DROP EXTENSION migrate;

--
-- Release 1.0, with those rows put back as a restore puts them back.
--
CREATE EXTENSION migrate VERSION '1.0';
SELECT extversion FROM pg_extension WHERE extname = 'migrate';
SELECT to_regclass('migrate_status_rows') AS status_rows,
       to_regclass('migrate_schema_fingerprint') AS schema_fingerprint,
       to_regclass('migrate_watched_relations') AS watched_relations;
-- The catalog's triggers run the library's code, and work on a 1.0 catalog.
INSERT INTO migrate_migrations SELECT * FROM saved_migrations;
INSERT INTO migrate_applied SELECT * FROM saved_applied;
INSERT INTO migrate_history SELECT * FROM saved_history;
INSERT INTO migrate_findings SELECT * FROM saved_findings;
SELECT setval('migrate_history_id_seq', max(id)) FROM migrate_history;
SELECT epoch > 0 AS epoch_bumped FROM migrate_state;

-- Every call that opens the catalog is refused until the update.
SELECT * FROM migrate_status();
SELECT * FROM migrate_plan();
SELECT * FROM migrate_apply();
SELECT version FROM migrate_define(4, 'too_early',
    'CREATE TABLE upgrade_app.early ();', 'DROP TABLE upgrade_app.early;');
SELECT * FROM migrate_verify();
CALL migrate_deploy();

--
-- The update, in the same session.
--
SELECT current_setting('search_path') AS search_path_before \gset
ALTER EXTENSION migrate UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'migrate';
-- The update script's search_path ended with it.
SELECT current_setting('search_path') = :'search_path_before' AS search_path_unchanged;

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
                              (TABLE saved_findings EXCEPT ALL TABLE migrate_findings)) d);

-- 1.0 followed by the update has the same objects as a fresh installation,
-- with the same comments, privileges, columns and view definitions.
CREATE TEMP TABLE updated_members AS SELECT * FROM migrate_members;
SELECT object FROM updated_members ORDER BY 1;
SELECT 'fresh installation only' AS side, * FROM (TABLE fresh_members EXCEPT ALL TABLE updated_members) f
UNION ALL
SELECT 'updated only', * FROM (TABLE updated_members EXCEPT ALL TABLE fresh_members) u;

-- The functions work on them.
SELECT version, name, state, applied_at IS NOT NULL AS has_applied_at, transactional,
       reversible, unassured, detail
  FROM migrate_status();
SELECT * FROM migrate_plan();
SELECT * FROM migrate_verify();
SELECT version, name FROM migrate_apply();
SELECT version, name, state FROM migrate_status();
SELECT * FROM migrate_verify(3);
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
GRANT EXECUTE ON FUNCTION migrate_status() TO regress_migrate_upgrader;
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

DROP EXTENSION migrate;
DROP SCHEMA upgrade_app CASCADE;
DROP ROLE regress_migrate_upgrader;
RESET client_min_messages;
