--
-- deploy.sql: CALL migrate_deploy(), CALL migrate_revert() and
-- migrate_resolve().
--
-- A deploy commits after each migration and runs a non-transactional
-- migration statement by statement, each at top level in a background
-- worker.  Checked here: the calls refused inside a transaction block; a
-- mix of transactional and concurrent index migrations, up and down; the
-- worker's NOTICEs and errors relayed with their SQLSTATE, detail and
-- position; a transactional failure that keeps the migrations before it;
-- a non-transactional failure that leaves the migration failed, with its
-- INVALID index named, refused by every migrator until migrate_resolve();
-- a retry that drops the INVALID index first; a failed down; the settings
-- and role of the caller in the worker; the locks released every time.
--
-- Cancels, crashes and concurrent sessions are in the TAP tests and
-- isolation specs.
--
CREATE EXTENSION migrate;
\set VERBOSITY default
-- The "== Migrated" NOTICEs carry durations, and the lint's NOTICEs are
-- tested elsewhere: only WARNINGs and errors are shown.
SET client_min_messages = warning;

CREATE TABLE orders (id bigint PRIMARY KEY, customer bigint, note text);
INSERT INTO orders SELECT g, g % 10, 'n' || g FROM generate_series(1, 1000) g;
CREATE TABLE deploy_log (entry text);

-- The migration lock and the deploy marker, as pg_locks shows them.
CREATE VIEW deploy_locks AS
SELECT objsubid FROM pg_locks
 WHERE locktype = 'advisory' AND objid = 1835624306 ORDER BY objsubid;

SELECT version, transactional FROM migrate_define(1, 'add_status',
    $$ALTER TABLE orders ADD COLUMN status text;
      INSERT INTO deploy_log VALUES ('1 up')$$,
    $$ALTER TABLE orders DROP COLUMN status;
      INSERT INTO deploy_log VALUES ('1 down')$$);
SELECT version, transactional, down FROM migrate_define(2, 'index_customer',
    'CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer);');
SELECT version, transactional FROM migrate_define(3, 'add_total',
    $$ALTER TABLE orders ADD COLUMN total bigint;
      INSERT INTO deploy_log VALUES ('3 up')$$,
    $$ALTER TABLE orders DROP COLUMN total;
      INSERT INTO deploy_log VALUES ('3 down')$$);

--
-- Refused where a procedure cannot commit.
--
BEGIN;
CALL migrate_deploy();
ROLLBACK;
BEGIN;
CALL migrate_revert();
ROLLBACK;
-- A function cannot call it either.
CREATE FUNCTION deploy_from_function() RETURNS void LANGUAGE plpgsql
AS $$BEGIN CALL migrate_deploy(); END$$;
SELECT deploy_from_function();
DROP FUNCTION deploy_from_function();
-- Bad arguments.
CALL migrate_deploy(steps => -1);
CALL migrate_revert(steps => NULL);
SELECT count(*) AS applied FROM migrate_applied;

--
-- A mix of transactional and non-transactional migrations.
--
SELECT * FROM migrate_plan();
CALL migrate_deploy();
SELECT version, name, state, detail FROM migrate_status();
SELECT indexrelid::regclass AS index, indisvalid FROM pg_index
 WHERE indrelid = 'orders'::regclass ORDER BY 1;
SELECT * FROM deploy_log;
SELECT version, direction, success FROM migrate_history ORDER BY id;
SELECT * FROM deploy_locks;
-- Nothing left to do.
CALL migrate_deploy();

-- Revert both downs of the two newest: DROP INDEX CONCURRENTLY runs in a
-- worker too.
CALL migrate_revert(steps => 2);
SELECT version, name, state FROM migrate_status();
SELECT indexrelid::regclass AS index FROM pg_index WHERE indrelid = 'orders'::regclass;
-- target and steps as for apply.
CALL migrate_deploy(target => 2);
SELECT version, state FROM migrate_status();
CALL migrate_deploy();
SELECT * FROM deploy_locks;

--
-- The worker's messages: a WARNING relayed as it comes (NOTICEs alike), an
-- error with its SQLSTATE, detail and the migration's context.
--
SELECT version FROM migrate_define(4, 'vacuum_orders',
    $$DO $do$BEGIN RAISE WARNING 'from the worker, as %', current_user; END$do$;
      VACUUM (ANALYZE) orders$$, '');
CALL migrate_deploy();
SELECT version FROM migrate_define(5, 'unique_customer',
    'CREATE UNIQUE INDEX CONCURRENTLY orders_customer_key ON orders (customer);');
CALL migrate_deploy();
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM deploy_locks;

-- It is failed: the INVALID index it left is named.
SELECT version, name, state, detail FROM migrate_status() WHERE version = 5;
SELECT version, direction, success, error FROM migrate_history WHERE version = 5;
SELECT version, direction, statements, completed, error FROM migrate_progress;

-- Every migrator refuses to pass it until a person resolves it.
SELECT * FROM migrate_apply();
SELECT * FROM migrate_rollback();
CALL migrate_deploy();
CALL migrate_revert();
SELECT * FROM migrate_plan();

-- migrate_resolve() errors.
SELECT migrate_resolve(5, 'done');
SELECT migrate_resolve(3, 'pending');
SELECT migrate_resolve(99, 'pending');
SELECT migrate_resolve(NULL, 'pending');

-- Resolved as pending and the data fixed, the next deploy drops the
-- INVALID index first and builds it again.
SELECT migrate_resolve(5, 'pending');
SELECT version, state, detail FROM migrate_status() WHERE version = 5;
UPDATE orders SET customer = id;
CALL migrate_deploy();
SELECT version, state FROM migrate_status() WHERE version = 5;
SELECT indexrelid::regclass AS index, indisvalid FROM pg_index
 WHERE indrelid = 'orders'::regclass ORDER BY 1;
SELECT version, direction, success FROM migrate_history WHERE version = 5 ORDER BY id;

-- An error in analysis shows its position in the statement.
SELECT version FROM migrate_define(6, 'index_typo',
    E'CREATE INDEX CONCURRENTLY orders_note_idx\n    ON orders ((lower(nte)));');
CALL migrate_deploy();
SELECT version, state, detail FROM migrate_status() WHERE version = 6;
-- Repaired by hand: the index built under its right name, recorded as
-- applied.
CREATE INDEX orders_note_idx ON orders (note);
SELECT migrate_resolve(6, 'applied');
SELECT version, state FROM migrate_status() WHERE version = 6;
SELECT version, direction, success FROM migrate_history WHERE version = 6 ORDER BY id;

--
-- A transactional failure keeps the migrations before it: each migration
-- commits on its own.
--
SELECT version FROM migrate_define(7, 'add_flag',
    $$ALTER TABLE orders ADD COLUMN flag boolean;
      INSERT INTO deploy_log VALUES ('7 up')$$,
    'ALTER TABLE orders DROP COLUMN flag;');
SELECT version FROM migrate_define(8, 'broken',
    $$INSERT INTO deploy_log VALUES ('8 up');
      SELECT 1 / 0$$,
    '');
SELECT version FROM migrate_define(9, 'after_broken',
    $$INSERT INTO deploy_log VALUES ('9 up')$$, '');
TRUNCATE deploy_log;
CALL migrate_deploy();
\echo :LAST_ERROR_SQLSTATE
SELECT version, state FROM migrate_status() WHERE version >= 7;
SELECT * FROM deploy_log;
SELECT version, direction, success, error FROM migrate_history WHERE version >= 7 ORDER BY id;
SELECT * FROM deploy_locks;
-- It is pending, not failed: nothing of it was left.  Fixed, it deploys.
SELECT version FROM migrate_define(8, 'broken', $$INSERT INTO deploy_log VALUES ('8 up')$$, '');
CALL migrate_deploy();
SELECT * FROM deploy_log;

--
-- A failed down: resolved as pending, the migration is no longer applied.
--
SELECT version FROM migrate_define(10, 'index_note_customer',
    'CREATE INDEX CONCURRENTLY orders_note_customer_idx ON orders (note, customer);',
    'DROP INDEX CONCURRENTLY orders_note_customer_idx; DROP INDEX CONCURRENTLY orders_no_such_idx;');
CALL migrate_deploy();
CALL migrate_revert();
SELECT version, state, detail FROM migrate_status() WHERE version = 10;
SELECT migrate_resolve(10, 'pending');
SELECT version, state FROM migrate_status() WHERE version = 10;
SELECT count(*) AS still_applied FROM migrate_applied WHERE version = 10;
SELECT migrate_remove(10);

--
-- The worker acts as the caller: its search_path and its current role.
--
CREATE SCHEMA shop;
CREATE TABLE shop.items (id bigint PRIMARY KEY, sku text);
CREATE ROLE deploy_owner NOLOGIN;
GRANT USAGE, CREATE ON SCHEMA shop TO deploy_owner;
ALTER TABLE shop.items OWNER TO deploy_owner;
GRANT USAGE ON SCHEMA public TO deploy_owner;
GRANT EXECUTE ON PROCEDURE migrate_deploy(bigint, integer, text, text[]) TO deploy_owner;
SELECT version FROM migrate_define(11, 'index_items',
    'CREATE INDEX CONCURRENTLY items_sku_idx ON items (sku);');
SELECT version FROM migrate_define(12, 'index_orders',
    'CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);');
SET ROLE deploy_owner;
SET search_path = shop, public;
-- The index on items is built as deploy_owner, in schema shop; the one on
-- orders is refused with the worker's permission error.
CALL migrate_deploy();
\echo :LAST_ERROR_SQLSTATE
RESET search_path;
RESET ROLE;
SELECT c.relname, n.nspname, pg_get_userbyid(c.relowner) AS owner
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relname = 'items_sku_idx';
SELECT version, state FROM migrate_status() WHERE version >= 11;
-- A failed migration whose definition is removed cannot be marked applied;
-- pending, it is gone.
SELECT migrate_remove(12);
SELECT version, name, state FROM migrate_status() WHERE version = 12;
SELECT migrate_resolve(12, 'applied');
SELECT migrate_resolve(12, 'pending');
SELECT count(*) FROM migrate_status() WHERE version = 12;

SET migrate.allow_drop = on;
DROP EXTENSION migrate;
DROP TABLE orders, deploy_log, shop.items;
DROP VIEW deploy_locks;
DROP SCHEMA shop;
REVOKE ALL ON SCHEMA public FROM deploy_owner;
DROP ROLE deploy_owner;
