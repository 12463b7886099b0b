--
-- rollback.sql: migrate_rollback().
--
-- Selection by steps and target (target => 0: all), newest first, the rows
-- it returns, the history it writes, atomicity, and the checks made before
-- anything runs: irreversible (no down), changed, missing and
-- non-transactional migrations, bad arguments.  A down of '' is a
-- reversible no-op.
--
-- Calls that run migrations are made with client_min_messages = warning,
-- because the progress NOTICEs carry durations.
--
CREATE EXTENSION migrate;
-- The safety rules are tested in lint.sql and safety.sql; here they would
-- only get in the way of the migrations this test runs on existing tables.
SET migrate.safety = off;
\set VERBOSITY default

CREATE SCHEMA lib;
SELECT version, name FROM migrate_define(1001, 'create_books',
    'CREATE TABLE lib.books (id bigint PRIMARY KEY, title text);',
    'DROP TABLE lib.books;');
SELECT version, name FROM migrate_define(1002, 'seed_books',
    E'INSERT INTO lib.books VALUES (1, ''Emma'');\nINSERT INTO lib.books VALUES (2, ''Persuasion'');',
    'DELETE FROM lib.books WHERE id IN (1, 2);');
SELECT version, name FROM migrate_define(1003, 'add_author',
    'ALTER TABLE lib.books ADD COLUMN author text;',
    'ALTER TABLE lib.books DROP COLUMN author;');
SELECT version, name FROM migrate_define(1004, 'touch_nothing', 'SELECT 1;', '');
SELECT version, name FROM migrate_define(1005, 'create_loans',
    'CREATE TABLE lib.loans (book_id bigint REFERENCES lib.books);',
    'DROP TABLE lib.loans;');
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;

-- Bad arguments.
SELECT * FROM migrate_rollback(NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate_rollback(steps => NULL);
SELECT * FROM migrate_rollback(steps => -2);
\echo :LAST_ERROR_SQLSTATE
-- steps => 0 rolls back nothing.
SET client_min_messages = warning;
SELECT * FROM migrate_rollback(steps => 0);
RESET client_min_messages;
SELECT count(*) AS applied FROM migrate_applied;

-- With no argument, the newest migration.
SET client_min_messages = warning;
SELECT version, name, duration >= interval '0' AS has_duration FROM migrate_rollback();
RESET client_min_messages;
SELECT to_regclass('lib.loans') AS loans;
SELECT version, state FROM migrate_status();

-- steps => 2: the two newest, newest first; the down of '' is a no-op.
SET client_min_messages = warning;
SELECT version, name, duration >= interval '0' AS has_duration FROM migrate_rollback(steps => 2);
RESET client_min_messages;
SELECT column_name FROM information_schema.columns
 WHERE table_schema = 'lib' AND table_name = 'books' ORDER BY ordinal_position;
SELECT version, state, reversible FROM migrate_status();

-- Rolled-back migrations apply again.
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;

-- target: every applied version at or above it (steps is then ignored).
SET client_min_messages = warning;
SELECT version, name FROM migrate_rollback(steps => 1, target => 1003);
RESET client_min_messages;
SELECT version, state FROM migrate_status();
-- A target above every applied version: nothing, with a NOTICE.
SELECT * FROM migrate_rollback(target => 5000);

-- The history shows the runs in both directions, and migrate_applied only
-- what is applied now.
SELECT version, name, direction, role = current_user AS by_me, success, error
  FROM migrate_history ORDER BY id;
SELECT version FROM migrate_applied ORDER BY version;

-- target => 0: all of them.
SET client_min_messages = warning;
SELECT version, name FROM migrate_rollback(target => 0);
RESET client_min_messages;
SELECT to_regclass('lib.books') AS books;
SELECT count(*) AS applied FROM migrate_applied;
-- Nothing left: a NOTICE and no rows.
SELECT * FROM migrate_rollback();
SELECT * FROM migrate_rollback(target => 0);

--
-- Atomicity: the second of two downs fails; the first is undone too, and
-- the error names the down body, its statement and line.
--
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
SELECT version, name FROM migrate_define(1006, 'create_fines',
    'CREATE TABLE lib.fines (amount numeric);',
    E'DROP TABLE lib.fines;\n\n  DROP TABLE lib.fines_archive;');
SELECT version, name FROM migrate_define(1007, 'tag_loans',
    'ALTER TABLE lib.loans ADD COLUMN tag text;',
    'ALTER TABLE lib.loans DROP COLUMN tag;');
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
SELECT count(*) AS history_before FROM migrate_history \gset
SET client_min_messages = warning;
SELECT version, name FROM migrate_rollback(steps => 2);
\echo :LAST_ERROR_SQLSTATE
RESET client_min_messages;
SELECT version, state FROM migrate_status() WHERE version >= 1006;
SELECT column_name FROM information_schema.columns
 WHERE table_schema = 'lib' AND table_name = 'loans' ORDER BY ordinal_position;
SELECT to_regclass('lib.fines') AS fines;
SELECT count(*) - :history_before AS new_history_rows FROM migrate_history;
-- Once the down can succeed, both go.
CREATE TABLE lib.fines_archive (amount numeric);
SET client_min_messages = warning;
SELECT version, name FROM migrate_rollback(steps => 2);
RESET client_min_messages;
SELECT to_regclass('lib.fines') AS fines, to_regclass('lib.fines_archive') AS fines_archive;
SELECT migrate_remove(1006);
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;

--
-- Changed: the definition differs from what was applied.
--
UPDATE migrate_migrations SET down = 'SELECT 1' WHERE version = 1007;
SELECT version, state FROM migrate_status() WHERE version = 1007;
SET client_min_messages = warning;
SELECT version, name FROM migrate_rollback(target => 1007);
\echo :LAST_ERROR_SQLSTATE
RESET client_min_messages;
UPDATE migrate_migrations SET down = 'ALTER TABLE lib.loans DROP COLUMN tag;'
 WHERE version = 1007;
SELECT version, state FROM migrate_status() WHERE version = 1007;

--
-- Irreversible: a selected migration without a down stops the call before
-- anything runs.
--
SELECT version, name, down IS NULL AS irreversible FROM migrate_define(1008, 'archive_books',
    'UPDATE lib.books SET title = upper(title);', NULL);
SELECT version, name FROM migrate_define(1009, 'create_members',
    'CREATE TABLE lib.members (id bigint PRIMARY KEY);',
    'DROP TABLE lib.members;');
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
SELECT version, name FROM migrate_rollback(steps => 2);
\echo :LAST_ERROR_SQLSTATE
RESET client_min_messages;
SELECT version, state, reversible FROM migrate_status() WHERE version >= 1008;
SELECT to_regclass('lib.members') AS members;
-- Only the newest one can go.
SET client_min_messages = warning;
SELECT version, name FROM migrate_rollback();
SELECT version, name FROM migrate_rollback();
RESET client_min_messages;

--
-- Missing: applied, but its definition is gone.  Its name comes from the
-- history.
--
SELECT version, name FROM migrate_define(1010, 'create_shelves',
    'CREATE TABLE lib.shelves (id bigint);', 'DROP TABLE lib.shelves;');
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
DELETE FROM migrate_migrations WHERE version = 1010;
SELECT version, name, state FROM migrate_status() WHERE version = 1010;
SET client_min_messages = warning;
SELECT version, name FROM migrate_rollback();
\echo :LAST_ERROR_SQLSTATE
RESET client_min_messages;
-- It can only be defined again with the content that was applied ...
SELECT version, name FROM migrate_define(1010, 'create_shelves',
    'CREATE TABLE lib.shelves (id bigint, label text);', 'DROP TABLE lib.shelves;');
-- ... and then it rolls back.
SELECT version, name FROM migrate_define(1010, 'create_shelves',
    'CREATE TABLE lib.shelves (id bigint);', 'DROP TABLE lib.shelves;');
SELECT version, name, state FROM migrate_status() WHERE version = 1010;
SET client_min_messages = warning;
SELECT version, name FROM migrate_rollback();
RESET client_min_messages;
SELECT to_regclass('lib.shelves') AS shelves;
SELECT migrate_remove(1010);

--
-- Non-transactional: a migration that cannot run in a transaction block
-- (marked applied here with migrate_baseline) is not rolled back by
-- migrate_rollback().
--
SELECT version, name, transactional FROM migrate_define(1011, 'index_titles',
    'CREATE INDEX CONCURRENTLY books_title_idx ON lib.books (title);',
    'DROP INDEX CONCURRENTLY lib.books_title_idx;');
SELECT migrate_baseline(1011);
SET client_min_messages = warning;
SELECT version, name FROM migrate_rollback();
\echo :LAST_ERROR_SQLSTATE
RESET client_min_messages;
SELECT version, state FROM migrate_status() WHERE version = 1011;

SET migrate.allow_drop = on;
DROP EXTENSION migrate;
SET client_min_messages = warning;
DROP SCHEMA lib CASCADE;
RESET client_min_messages;
