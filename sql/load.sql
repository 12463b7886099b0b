--
-- load.sql: migrate_load(), a whole set of migrations defined in one call.
--
-- A set loaded new, again unchanged, edited (replaced); an applied
-- migration edited (an error naming the file, nothing changed); a pending
-- migration left out of the set (a WARNING, kept; removed with prune);
-- derived downs matched as unchanged; errors and findings placed in their
-- file; every kind of bad input; a thousand migrations loaded twice.
--
CREATE EXTENSION migrate;
\set VERBOSITY default
-- Notices about a file name it in their context.
\set SHOW_CONTEXT always
CREATE SCHEMA load_app;

-- The set as a client sends it: one element per file.
CREATE TEMP TABLE files (version bigint, name text, up text, down text,
                         transactional boolean, up_line int, down_line int);
INSERT INTO files VALUES
  (20261121093000, 'create_accounts',
   E'CREATE TABLE load_app.accounts (id bigint PRIMARY KEY,\n  email text NOT NULL);\n',
   E'DROP TABLE load_app.accounts;\n', NULL, 2, 6),
  (20261121094500, 'index_accounts_email',
   E'CREATE UNIQUE INDEX accounts_email_idx ON load_app.accounts (email);\n',
   NULL, NULL, 2, NULL),
  (20261121100000, 'create_orders',
   E'CREATE TABLE load_app.orders (id bigint PRIMARY KEY);\n',
   '', NULL, 2, 5);
CREATE FUNCTION pg_temp.file_set() RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
           'version', version, 'name', name, 'up', up, 'down', down,
           'transactional', transactional,
           'file', format('migrations/%s_%s.sql', version, name),
           'up_line', up_line, 'down_line', down_line)) ORDER BY version DESC)
    FROM files
$$;
CREATE FUNCTION pg_temp.catalog() RETURNS TABLE (version bigint, name text, up text,
                                                 down text, down_derived boolean,
                                                 transactional boolean, checksum text)
LANGUAGE sql AS $$
  SELECT version, name, up, down, down_derived, transactional, checksum
    FROM migrate_migrations ORDER BY version
$$;

-- A set loaded for the first time: all new, in version order.
SELECT * FROM migrate_load(pg_temp.file_set());
SELECT version, name, down, down_derived, transactional FROM pg_temp.catalog();
-- The same set again: unchanged, nothing written (the epoch stays).
SELECT epoch AS epoch_before FROM migrate_state \gset
SELECT * FROM migrate_load(pg_temp.file_set());
SELECT epoch = :epoch_before AS nothing_written FROM migrate_state;
-- migrate_define() of the same content agrees.
SELECT version, name FROM migrate_define(20261121100000, 'create_orders',
  E'CREATE TABLE load_app.orders (id bigint PRIMARY KEY);\n', '');
SELECT epoch = :epoch_before AS nothing_written FROM migrate_state;

-- An edit of a pending one replaces it.
UPDATE files SET up = E'CREATE TABLE load_app.orders (id bigint PRIMARY KEY,\n  total numeric);\n'
 WHERE version = 20261121100000;
SELECT * FROM migrate_load(pg_temp.file_set());
SELECT version, up FROM pg_temp.catalog() WHERE version = 20261121100000;

-- Apply the first two; an edit of an applied one is an error naming the
-- file, and nothing changes, not even the other edit in the same set.
SET client_min_messages = warning;
SELECT version FROM migrate_apply(target => 20261121094500);
RESET client_min_messages;
CREATE TEMP TABLE before_edit AS SELECT * FROM pg_temp.catalog();
UPDATE files SET up = replace(up, 'email text NOT NULL', 'email text')
 WHERE version = 20261121093000;
UPDATE files SET name = 'create_orders_with_total' WHERE version = 20261121100000;
SELECT * FROM migrate_load(pg_temp.file_set());
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS differences
  FROM (SELECT * FROM pg_temp.catalog() EXCEPT SELECT * FROM before_edit) d;
SELECT version, name FROM pg_temp.catalog();
-- Put back as applied, the set loads; the applied migration whose down was
-- derived before it ran matches its file without a down.
UPDATE files SET up = replace(up, 'email text', 'email text NOT NULL')
 WHERE version = 20261121093000;
SELECT * FROM migrate_load(pg_temp.file_set());

-- A derived down is matched without deriving it again: the stored one may
-- differ from what would be derived now that the index exists.
SELECT down_derived, down FROM pg_temp.catalog() WHERE version = 20261121094500;
CREATE TEMP TABLE stored_down AS
SELECT down FROM migrate_migrations WHERE version = 20261121094500;
-- (written directly, as a superuser may, to prove it is not derived again)
UPDATE migrate_migrations SET down = 'SELECT 1;' WHERE version = 20261121094500;
SELECT * FROM migrate_load(pg_temp.file_set()) WHERE version = 20261121094500;
-- Given explicitly, a down that differs from the stored one is a change.
SELECT * FROM migrate_load(jsonb_build_array(jsonb_build_object(
  'version', 20261121094500, 'name', 'index_accounts_email',
  'up', E'CREATE UNIQUE INDEX accounts_email_idx ON load_app.accounts (email);\n',
  'down', 'DROP INDEX load_app.accounts_email_idx;',
  'file', 'migrations/20261121094500_index_accounts_email.sql')));
\echo :LAST_ERROR_SQLSTATE
UPDATE migrate_migrations m SET down = s.down FROM stored_down s
 WHERE m.version = 20261121094500;

-- A pending migration the set no longer holds: a WARNING, and it stays.
DELETE FROM files WHERE version = 20261121100000;
SELECT * FROM migrate_load(pg_temp.file_set());
SELECT version, name FROM pg_temp.catalog();
-- With prune it is removed, with its findings.
SELECT * FROM migrate_load(pg_temp.file_set(), prune => true);
SELECT version, name FROM pg_temp.catalog();
SELECT count(*) FROM migrate_findings WHERE version = 20261121100000;
-- A non-transactional migration (detected, not given) loads unchanged too.
SELECT * FROM migrate_load(pg_temp.file_set() || $$[{"version": 20261121110000,
  "name": "index_accounts_id",
  "up": "CREATE INDEX CONCURRENTLY accounts_id_idx ON load_app.accounts (id);",
  "file": "migrations/20261121110000_index_accounts_id.sql", "up_line": 2}]$$);
SELECT transactional, down_derived FROM pg_temp.catalog() WHERE version = 20261121110000;
SELECT * FROM migrate_load(pg_temp.file_set() || $$[{"version": 20261121110000,
  "name": "index_accounts_id",
  "up": "CREATE INDEX CONCURRENTLY accounts_id_idx ON load_app.accounts (id);",
  "file": "migrations/20261121110000_index_accounts_id.sql", "up_line": 2}]$$);
-- Given as true, it is the error of migrate_define(), placed in the file.
SELECT * FROM migrate_load(pg_temp.file_set() || $$[{"version": 20261121110000,
  "name": "index_accounts_id",
  "up": "\nCREATE INDEX CONCURRENTLY accounts_id_idx ON load_app.accounts (id);",
  "transactional": true,
  "file": "migrations/20261121110000_index_accounts_id.sql", "up_line": 2}]$$);
SELECT * FROM migrate_load(pg_temp.file_set(), prune => true);
-- An up that cannot be reversed, without a down: the NOTICE names the
-- file and where its up starts.
SELECT * FROM migrate_load(pg_temp.file_set() || $$[{"version": 20261121120000,
  "name": "purge", "up": "-- purge\nDELETE FROM load_app.accounts;",
  "file": "migrations/20261121120000_purge.sql", "up_line": 2}]$$);
-- Loaded again, it is unchanged, without the NOTICE.
SELECT * FROM migrate_load(pg_temp.file_set() || $$[{"version": 20261121120000,
  "name": "purge", "up": "-- purge\nDELETE FROM load_app.accounts;",
  "file": "migrations/20261121120000_purge.sql", "up_line": 2}]$$);
SELECT * FROM migrate_load(pg_temp.file_set(), prune => true);

-- Applied migrations are never removed, whatever the set.
SELECT * FROM migrate_load('[]', prune => true);
SELECT version, name FROM pg_temp.catalog();

-- Errors and notices name the file and the line in it: a syntax error
-- (body line 3, file line 3 + 4 - 1 = 6), transaction control, a psql
-- meta-command, a statement that cannot run in a transaction, an empty up.
SELECT * FROM migrate_load($$[{"version": 20261122000000, "name": "bad_syntax",
  "up": "CREATE TABLE load_app.a (id bigint);\n\nCREATE TABLEE load_app.b (id bigint);",
  "file": "migrations/20261122000000_bad_syntax.sql", "up_line": 4}]$$);
SELECT * FROM migrate_load($$[{"version": 20261122000000, "name": "bad_down",
  "up": "CREATE TABLE load_app.a (id bigint);",
  "down": "-- undo\nDROP TABLE load_app.a;\nCOMMIT;",
  "file": "migrations/20261122000000_bad_down.sql", "up_line": 2, "down_line": 5}]$$);
SELECT * FROM migrate_load($$[{"version": 20261122000000, "name": "meta",
  "up": "CREATE TABLE load_app.a (id bigint);\n\\i other.sql\n",
  "file": "migrations/20261122000000_meta.sql", "up_line": 2}]$$);
SELECT * FROM migrate_load($$[{"version": 20261122000000, "name": "concurrently",
  "up": "CREATE TABLE load_app.a (id bigint);\nCREATE INDEX CONCURRENTLY a_idx ON load_app.accounts (id);",
  "transactional": true,
  "file": "migrations/20261122000000_concurrently.sql", "up_line": 2}]$$);
SELECT * FROM migrate_load($$[{"version": 20261122000000, "name": "empty",
  "up": "-- nothing yet\n", "file": "migrations/20261122000000_empty.sql", "up_line": 2}]$$);
-- Lines are counted in the body as it is, whatever its characters.
SELECT * FROM migrate_load($$[{"version": 20261122000000, "name": "crème_brûlée",
  "up": "-- crème brûlée\nCREATE TABLE load_app.\"crème\" (id bigint); SELECT 'é';\n  SELEC 'brûlée';",
  "file": "migrations/20261122000000_crème_brûlée.sql", "up_line": 10}]$$);
-- Without up_line, the file alone.
SELECT * FROM migrate_load($$[{"version": 20261122000000, "name": "no_line",
  "up": "SELEC 1;", "file": "migrations/20261122000000_no_line.sql"}]$$);
-- Without a file, the errors of migrate_define().
SELECT * FROM migrate_load($$[{"version": 20261122000000, "name": "no_file",
  "up": "SELEC 1;"}]$$);
-- Safety findings name the line of the file, in the up and in the down;
-- an irreversible up names the start of its section.
SELECT * FROM migrate_load($$[{"version": 20261122000000, "name": "findings",
  "up": "-- index it\nCREATE INDEX accounts_id_idx ON load_app.accounts (id);\nDELETE FROM load_app.accounts;",
  "down": "DROP INDEX load_app.accounts_id_idx;\n\nDROP TABLE load_app.accounts;",
  "file": "migrations/20261122000000_findings.sql", "up_line": 2, "down_line": 6}]$$);
-- A safety_assured directive or key accepts a rule, as in migrate_define().
SELECT * FROM migrate_load($$[{"version": 20261122000000, "name": "findings",
  "up": "-- migrate:safety-assured require-concurrent-index-creation\nCREATE INDEX accounts_id_idx ON load_app.accounts (id);\nDELETE FROM load_app.accounts;",
  "down": "DROP INDEX load_app.accounts_id_idx;\n\nDROP TABLE load_app.accounts;",
  "safety_assured": ["ban-drop-table"],
  "file": "migrations/20261122000000_findings.sql", "up_line": 2, "down_line": 6}]$$);
-- With notices not sent, the warnings still name their lines.
SET client_min_messages = warning;
SELECT * FROM migrate_load($$[{"version": 20261122000000, "name": "findings_again",
  "up": "-- index it\nCREATE TABLE load_app.c (id int);\nCREATE INDEX accounts_id_idx ON load_app.accounts (id);",
  "file": "migrations/20261122000000_findings_again.sql", "up_line": 2}]$$);
RESET client_min_messages;
SELECT migrate_remove(20261122000000);

-- Bad input: each an error, nothing changed.
SELECT epoch AS epoch_before FROM migrate_state \gset
SELECT * FROM migrate_load(NULL);
SELECT * FROM migrate_load('[]', prune => NULL);
SELECT * FROM migrate_load('{"version": 1}');
SELECT * FROM migrate_load('"a string"');
SELECT * FROM migrate_load('[{"version": 1, "name": "a", "up": "SELECT 1;"}, 7]');
SELECT * FROM migrate_load('[{"name": "a", "up": "SELECT 1;", "file": "migrations/a.sql"}]');
SELECT * FROM migrate_load('[{"version": null, "name": "a", "up": "SELECT 1;"}]');
SELECT * FROM migrate_load('[{"version": true, "name": "a", "up": "SELECT 1;"}]');
SELECT * FROM migrate_load('[{"version": "20261122a", "name": "a", "up": "SELECT 1;"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate_load('[{"version": 1.5, "name": "a", "up": "SELECT 1;"}]');
SELECT * FROM migrate_load('[{"version": 0, "name": "a", "up": "SELECT 1;"}]');
SELECT * FROM migrate_load('[{"version": -3, "name": "a", "up": "SELECT 1;"}]');
SELECT * FROM migrate_load('[{"version": 99999999999999999999, "name": "a", "up": "SELECT 1;"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate_load('[{"version": 1, "up": "SELECT 1;"}]');
SELECT * FROM migrate_load('[{"version": 1, "name": " ", "up": "SELECT 1;"}]');
SELECT * FROM migrate_load('[{"version": 1, "name": 5, "up": "SELECT 1;"}]');
SELECT * FROM migrate_load('[{"version": 1, "name": "a"}]');
SELECT * FROM migrate_load('[{"version": 1, "name": "a", "up": "SELECT 1;", "down": 3}]');
SELECT * FROM migrate_load('[{"version": 1, "name": "a", "up": "SELECT 1;", "transactional": "yes"}]');
SELECT * FROM migrate_load('[{"version": 1, "name": "a", "up": "SELECT 1;", "safety_assured": "truncate"}]');
SELECT * FROM migrate_load('[{"version": 1, "name": "a", "up": "SELECT 1;", "safety_assured": [1]}]');
SELECT * FROM migrate_load('[{"version": 1, "name": "a", "up": "SELECT 1;", "up_line": "2"}]');
SELECT * FROM migrate_load('[{"version": 1, "name": "a", "up": "SELECT 1;", "up_line": 0}]');
SELECT * FROM migrate_load('[{"version": 1, "name": "a", "up": "SELECT 1;", "file": 3}]');
SELECT * FROM migrate_load('[{"version": 1, "name": "a", "up": "SELECT 1;", "Version": 1, "file": "migrations/1_a.sql"}]');
SELECT * FROM migrate_load('[{"version": 1, "name": "a", "up": "SELECT 1;", "file": "migrations/1_a.sql"},
                             {"version": "1", "name": "b", "up": "SELECT 2;", "file": "migrations/1_b.sql"}]');
SELECT * FROM migrate_load('[{"version": 2, "name": "a", "up": "SELECT 1;"},
                             {"version": 2, "name": "a", "up": "SELECT 1;"}]');
SELECT epoch = :epoch_before AS nothing_written FROM migrate_state;
SELECT count(*) FROM migrate_migrations;
-- An empty set is no error.
SELECT * FROM migrate_load('[]');

-- Inside a migration it is refused, as migrate_define() is.
SELECT version FROM migrate_define(20261123000000, 'loads',
  $$SELECT * FROM migrate_load('[]');$$, '');
SELECT version FROM migrate_apply();
\echo :LAST_ERROR_SQLSTATE
SELECT migrate_remove(20261123000000);

-- Another role defining the same content becomes the definer, as with
-- migrate_define(), and the migration is reported unchanged.
CREATE ROLE regress_migrate_loader;
GRANT USAGE ON SCHEMA public TO regress_migrate_loader;
GRANT EXECUTE ON FUNCTION migrate_load(jsonb, boolean, text) TO regress_migrate_loader;
SELECT pg_temp.file_set() AS file_set \gset
SET ROLE regress_migrate_loader;
SELECT * FROM migrate_load(:'file_set');
RESET ROLE;
SELECT version, defined_by FROM migrate_migrations WHERE defined_by <> current_user
 ORDER BY version;
-- Without the grant, the call is refused.
REVOKE EXECUTE ON FUNCTION migrate_load(jsonb, boolean, text) FROM regress_migrate_loader;
SET ROLE regress_migrate_loader;
SELECT * FROM migrate_load('[]');
RESET ROLE;

-- A thousand migrations built with jsonb_agg, loaded twice: new, then all
-- unchanged (half of them without a down: derived, and matched).
CREATE TEMP TABLE big AS
SELECT jsonb_agg(jsonb_build_object(
         'version', 20270000000000 + i,
         'name', 'create_t' || i,
         'up', format(E'CREATE TABLE load_app.t%s (id bigint PRIMARY KEY);\n', i),
         'file', format('migrations/%s_create_t%s.sql', 20270000000000 + i, i),
         'up_line', 2)
       || CASE WHEN i % 2 = 0
               THEN jsonb_build_object('down', format('DROP TABLE load_app.t%s;', i))
               ELSE '{}' END) AS set
  FROM generate_series(1, 1000) i;
SELECT action, count(*)
  FROM migrate_load((SELECT set || pg_temp.file_set() FROM big))
 GROUP BY action ORDER BY action;
SELECT action, count(*)
  FROM migrate_load((SELECT set || pg_temp.file_set() FROM big))
 GROUP BY action ORDER BY action;
SELECT count(*) FILTER (WHERE down_derived) AS derived, count(*) AS defined
  FROM migrate_migrations;
-- Pruned, they are removed.
SELECT action, count(*)
  FROM migrate_load(pg_temp.file_set(), prune => true)
 GROUP BY action ORDER BY action;

-- The array form: one array per field, element i of each for migration i.
-- A NULL down is derived, a NULL transactional detected.
SELECT * FROM migrate_load(
  versions => ARRAY[20280000000001, 20280000000002]::bigint[],
  names => ARRAY['arr_one', 'arr_two'],
  ups => ARRAY['CREATE TABLE load_app.arr1 (id bigint);',
               'CREATE INDEX CONCURRENTLY arr1_id ON load_app.arr1 (id);'],
  downs => ARRAY['DROP TABLE load_app.arr1;', NULL],
  transactional => ARRAY[NULL, false]::boolean[],
  files => ARRAY['db/20280000000001_arr_one.sql', 'db/20280000000002_arr_two.sql'],
  up_lines => ARRAY[2, 2], down_lines => ARRAY[5, NULL]::int[]);
SELECT version, name, down, down_derived, transactional
  FROM migrate_migrations WHERE version >= 20280000000000 ORDER BY version;
-- The same set again changes nothing.
SELECT * FROM migrate_load(
  ARRAY[20280000000001, 20280000000002]::bigint[], ARRAY['arr_one', 'arr_two'],
  ARRAY['CREATE TABLE load_app.arr1 (id bigint);',
        'CREATE INDEX CONCURRENTLY arr1_id ON load_app.arr1 (id);'],
  ARRAY['DROP TABLE load_app.arr1;', NULL], ARRAY[NULL, false]::boolean[]);
-- An error in a body names the file and the line in the file.
SELECT * FROM migrate_load(ARRAY[20280000000003]::bigint[], ARRAY['arr_bad'],
  ARRAY[E'SELECT 1;\nCREATE TABLE load_app.arr3 (id bigint'],
  files => ARRAY['db/20280000000003_arr_bad.sql'], up_lines => ARRAY[4]);
-- A down from a file of its own is placed in that file.
SELECT * FROM migrate_load(ARRAY[20280000000003]::bigint[], ARRAY['arr_bad'],
  ARRAY['CREATE TABLE load_app.arr3 (id bigint);'], ARRAY[E'\nDROP TABLE load_app.arr3 CASCADE CASCADE;'],
  files => ARRAY['db/3_arr_bad.up.sql'], up_lines => ARRAY[1], down_lines => ARRAY[1],
  down_files => ARRAY['db/3_arr_bad.down.sql']);
SELECT * FROM migrate_load('[{"version": 20280000000003, "name": "arr_bad",
  "up": "CREATE TABLE load_app.arr3 (id bigint);", "down": "DROP TABLE load_app.arr3 CASCADE CASCADE;",
  "file": "db/3_arr_bad.up.sql", "up_line": 1, "down_file": "db/3_arr_bad.down.sql", "down_line": 1}]');
-- Bad arrays: each a clear error, nothing defined.
SELECT * FROM migrate_load(ARRAY[20280000000003, 20280000000004]::bigint[],
  ARRAY['a'], ARRAY['SELECT 1;', 'SELECT 2;']);
SELECT * FROM migrate_load(ARRAY[20280000000003]::bigint[], ARRAY['a'],
  ARRAY['SELECT 1;'], ARRAY[NULL, NULL]::text[]);
SELECT * FROM migrate_load(ARRAY[NULL]::bigint[], ARRAY['a'], ARRAY['SELECT 1;']);
SELECT * FROM migrate_load(ARRAY[-5]::bigint[], ARRAY['a'], ARRAY['SELECT 1;'],
  files => ARRAY['db/x.sql']);
SELECT * FROM migrate_load(ARRAY[20280000000003]::bigint[], ARRAY[' '], ARRAY['SELECT 1;']);
SELECT * FROM migrate_load(ARRAY[20280000000003]::bigint[], ARRAY['a'], ARRAY[NULL]::text[]);
SELECT * FROM migrate_load(ARRAY[[20280000000003]]::bigint[], ARRAY['a'], ARRAY['SELECT 1;']);
SELECT * FROM migrate_load(NULL::bigint[], ARRAY['a'], ARRAY['SELECT 1;']);
SELECT * FROM migrate_load(ARRAY[20280000000003, 20280000000003]::bigint[],
  ARRAY['a', 'b'], ARRAY['SELECT 1;', 'SELECT 2;'],
  files => ARRAY['db/20280000000003_a.sql', 'db/20280000000003_b.sql']);
SELECT * FROM migrate_load(ARRAY[20280000000003]::bigint[], ARRAY['a'],
  ARRAY['SELECT 1;'], prune => NULL);
SELECT count(*) FROM migrate_migrations WHERE version >= 20280000000003;
-- Pruning with the array form removes the pending migrations left out.
SELECT * FROM migrate_load(ARRAY[20280000000001]::bigint[], ARRAY['arr_one'],
  ARRAY['CREATE TABLE load_app.arr1 (id bigint);'],
  ARRAY['DROP TABLE load_app.arr1;'], prune => true)
 WHERE version >= 20280000000000;
-- A set found unchanged is remembered with the catalog's epoch, so that
-- loading it again reads no definition; a direct write to the catalog bumps
-- the epoch, and the next load sees the change.
SELECT * FROM migrate_load(ARRAY[20280000000001]::bigint[], ARRAY['arr_one'],
  ARRAY['CREATE TABLE load_app.arr1 (id bigint);'], ARRAY['DROP TABLE load_app.arr1;']);
SELECT loaded_by, epoch = (SELECT epoch FROM migrate_state) AS at_current_epoch
  FROM migrate_loaded;
-- migrate_load_unchanged() tells it from the set's checksum alone: SHA-256
-- over each migration's version, name, up, down (a length, then the bytes;
-- NULL: length -1), transactional (-1: not given) and rules (NULL), which a
-- client computes without sending its files.
CREATE FUNCTION pg_temp.set_checksum(v bigint, name text, up text, down text)
RETURNS text LANGUAGE sql AS $$
  SELECT encode(sha256(int8send(v)
    || int8send(octet_length(name)) || convert_to(name, 'UTF8')
    || int8send(octet_length(up)) || convert_to(up, 'UTF8')
    || int8send(octet_length(down)) || convert_to(down, 'UTF8')
    || int8send(-1) || int8send(-1)), 'hex')
$$;
SELECT migrate_load_unchanged(pg_temp.set_checksum(20280000000001, 'arr_one',
  'CREATE TABLE load_app.arr1 (id bigint);', 'DROP TABLE load_app.arr1;')) AS same_set,
       migrate_load_unchanged(pg_temp.set_checksum(20280000000001, 'arr_one',
  'CREATE TABLE load_app.arr1 (id bigint);', 'DROP TABLE load_app.arr1; ')) AS other_set,
       migrate_load_unchanged(NULL) AS no_set;
SELECT * FROM migrate_load(ARRAY[20280000000001]::bigint[], ARRAY['arr_one'],
  ARRAY['CREATE TABLE load_app.arr1 (id bigint);'], ARRAY['DROP TABLE load_app.arr1;']);
DELETE FROM migrate_migrations WHERE version = 20280000000001;
SELECT migrate_load_unchanged(pg_temp.set_checksum(20280000000001, 'arr_one',
  'CREATE TABLE load_app.arr1 (id bigint);', 'DROP TABLE load_app.arr1;')) AS same_set_after_a_change;
SELECT * FROM migrate_load(ARRAY[20280000000001]::bigint[], ARRAY['arr_one'],
  ARRAY['CREATE TABLE load_app.arr1 (id bigint);'], ARRAY['DROP TABLE load_app.arr1;']);

DROP OWNED BY regress_migrate_loader;
DROP ROLE regress_migrate_loader;
SET migrate.allow_drop = on;
DROP EXTENSION migrate;
DROP SCHEMA load_app CASCADE;
