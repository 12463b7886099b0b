--
-- apply.sql: migrate_apply().
--
-- Selection by target and steps, the rows it returns, the migrate_applied
-- and migrate_history rows it writes, atomicity (a failure leaves nothing of
-- the call, keeps its SQLSTATE and names the migration, statement and line),
-- the checks made before anything runs (changed, non-transactional), the
-- out-of-order WARNING and the per-migration timeouts.
--
-- The "== Running" and "== Migrated" NOTICEs carry durations, so calls that
-- run migrations are made with client_min_messages = warning.
--
CREATE EXTENSION migrate;
-- The safety rules are tested in lint.sql and safety.sql; here they would
-- only get in the way of the migrations this test runs on existing tables.
SET migrate.safety = off;
\set VERBOSITY default

CREATE SCHEMA shop;
SELECT version, name FROM migrate_define(20261121090000, 'create_products',
    'CREATE TABLE shop.products (id bigint PRIMARY KEY, name text NOT NULL);',
    'DROP TABLE shop.products;');
SELECT version, name FROM migrate_define(20261121091000, 'add_price',
    'ALTER TABLE shop.products ADD COLUMN price numeric;',
    'ALTER TABLE shop.products DROP COLUMN price;');
SELECT version, name FROM migrate_define(20261121092000, 'seed_products',
    E'INSERT INTO shop.products VALUES (1, ''pen'', 1.50);\nINSERT INTO shop.products VALUES (2, ''ink'', 4.00);',
    'DELETE FROM shop.products WHERE id IN (1, 2);');
SELECT version, name FROM migrate_define(20261121093000, 'create_orders',
    'CREATE TABLE shop.orders (id bigint PRIMARY KEY, product_id bigint REFERENCES shop.products);',
    'DROP TABLE shop.orders;');

-- Nothing applied yet.
SELECT version, name, state FROM migrate_status();

-- Negative steps are refused.
SELECT * FROM migrate_apply(steps => -1);
\echo :LAST_ERROR_SQLSTATE
-- steps => 0 and a target below every pending version apply nothing.
SET client_min_messages = warning;
SELECT * FROM migrate_apply(steps => 0);
SELECT * FROM migrate_apply(target => 20261121085959);
RESET client_min_messages;
SELECT count(*) AS applied FROM migrate_applied;

-- steps => 1 applies the oldest pending migration and returns its row.
SET client_min_messages = warning;
SELECT version, name, duration >= interval '0' AS has_duration
  FROM migrate_apply(steps => 1);
RESET client_min_messages;
SELECT to_regclass('shop.products') IS NOT NULL AS products_exists;

-- target applies every pending version up to and including it.
SET client_min_messages = warning;
SELECT version, name, duration >= interval '0' AS has_duration
  FROM migrate_apply(target => 20261121092000);
RESET client_min_messages;
SELECT * FROM shop.products ORDER BY id;

-- target and steps together: at most steps of those up to target.
SELECT version, name FROM migrate_define(20261121094000, 'create_customers',
    'CREATE TABLE shop.customers (id bigint PRIMARY KEY);',
    'DROP TABLE shop.customers;');
SELECT version, name FROM migrate_define(20261121095000, 'add_customer_to_orders',
    'ALTER TABLE shop.orders ADD COLUMN customer_id bigint REFERENCES shop.customers;',
    'ALTER TABLE shop.orders DROP COLUMN customer_id;');
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply(target => 20261121094000, steps => 5);
RESET client_min_messages;

-- With nothing given, every pending migration.
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
SELECT version, name, state, applied_at IS NOT NULL AS has_applied_at FROM migrate_status();

-- Nothing left: a NOTICE and no rows.
SELECT * FROM migrate_apply();

-- migrate_applied: one row per applied migration, with the checksum of its
-- definition and the applying role.
SELECT a.version, a.checksum = m.checksum AS checksum_matches,
       a.applied_by = current_user AS applied_by_me,
       a.applied_at IS NOT NULL AS has_applied_at, a.duration >= interval '0' AS has_duration
  FROM migrate_applied a JOIN migrate_migrations m USING (version)
 ORDER BY a.version;

-- migrate_history: one row per run, in order.
SELECT version, name, direction, role = current_user AS by_me, success, error,
       started_at IS NOT NULL AS has_started_at, duration >= interval '0' AS has_duration
  FROM migrate_history ORDER BY id;

--
-- Atomicity: three pending migrations, the third failing in its second
-- statement.  The error keeps its SQLSTATE, its context names the
-- migration, the statement and its line, and nothing of the call remains.
--
SELECT version, name FROM migrate_define(20261121100000, 'create_invoices',
    'CREATE TABLE shop.invoices (id bigint PRIMARY KEY, total numeric);',
    'DROP TABLE shop.invoices;');
SELECT version, name FROM migrate_define(20261121101000, 'seed_invoices',
    'INSERT INTO shop.invoices VALUES (1, 10), (2, 20);',
    'DELETE FROM shop.invoices;');
SELECT version, name FROM migrate_define(20261121102000, 'split_totals',
    E'ALTER TABLE shop.invoices ADD COLUMN share numeric;\n\n-- one share per invoice\nUPDATE shop.invoices\n   SET share = total / (id - id);\nSELECT 1;',
    'ALTER TABLE shop.invoices DROP COLUMN share;');
SELECT count(*) AS history_before FROM migrate_history \gset
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
\echo :LAST_ERROR_SQLSTATE
RESET client_min_messages;
SELECT to_regclass('shop.invoices') AS invoices;
SELECT version, name, state FROM migrate_status() WHERE version >= 20261121100000;
SELECT count(*) FROM migrate_applied WHERE version >= 20261121100000;
SELECT count(*) - :history_before AS new_history_rows FROM migrate_history;

-- A failure in the first statement of the first migration, with the caret
-- in the statement and its SQLSTATE.
SELECT version, name FROM migrate_define(20261121101000, 'seed_invoices',
    E'INSERT INTO shop.invoices (id, totl)\nVALUES (1, 10), (2, 20);',
    'DELETE FROM shop.invoices;');
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
\echo :LAST_ERROR_SQLSTATE
RESET client_min_messages;
SELECT to_regclass('shop.invoices') AS invoices;

-- A failing statement inside a function the body calls also names the
-- migration.
SELECT version, name FROM migrate_define(20261121101000, 'seed_invoices',
    E'DO $$\nBEGIN\n  RAISE EXCEPTION ''no invoices today'' USING ERRCODE = ''P0042'';\nEND\n$$;',
    'DELETE FROM shop.invoices;');
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
\echo :LAST_ERROR_SQLSTATE
RESET client_min_messages;

-- Fixed, all three apply.
SELECT version, name FROM migrate_define(20261121101000, 'seed_invoices',
    'INSERT INTO shop.invoices VALUES (1, 10), (2, 20);',
    'DELETE FROM shop.invoices;');
SELECT version, name FROM migrate_define(20261121102000, 'split_totals',
    E'ALTER TABLE shop.invoices ADD COLUMN share numeric;\nUPDATE shop.invoices SET share = total / 2;',
    'ALTER TABLE shop.invoices DROP COLUMN share;');
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
SELECT * FROM shop.invoices ORDER BY id;

-- The call runs in the caller's transaction: rolling it back undoes it.
SELECT version, name FROM migrate_define(20261121103000, 'create_payments',
    'CREATE TABLE shop.payments (id bigint PRIMARY KEY);',
    'DROP TABLE shop.payments;');
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT version, name FROM migrate_apply();
SELECT version, state FROM migrate_status() WHERE version = 20261121103000;
ROLLBACK;
SELECT version, state FROM migrate_status() WHERE version = 20261121103000;
SELECT to_regclass('shop.payments') AS payments;
SELECT count(*) FROM migrate_history WHERE version = 20261121103000;

--
-- Out of order: a pending version below the newest applied one is applied
-- with a WARNING.
--
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
SELECT version, name FROM migrate_define(20261121092500, 'index_product_names',
    'CREATE INDEX products_name_idx ON shop.products (name);',
    'DROP INDEX shop.products_name_idx;');
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
SELECT version, state FROM migrate_status() WHERE version = 20261121092500;

--
-- Checked before anything runs: an applied migration whose definition
-- changed since.  (Only a superuser can alter the table directly.)
--
SELECT version, name FROM migrate_define(20261121104000, 'create_refunds',
    'CREATE TABLE shop.refunds (id bigint PRIMARY KEY);',
    'DROP TABLE shop.refunds;');
SELECT up AS saved_up FROM migrate_migrations WHERE version = 20261121091000 \gset
UPDATE migrate_migrations SET up = up || ' ' WHERE version = 20261121091000;
SELECT version, name, state FROM migrate_status() WHERE state <> 'applied';
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
\echo :LAST_ERROR_SQLSTATE
-- also when the pending migration is not selected
SELECT version, name FROM migrate_apply(steps => 0);
RESET client_min_messages;
SELECT to_regclass('shop.refunds') AS refunds;
-- Two changed ones: the detail counts them.
SELECT up AS saved_up2 FROM migrate_migrations WHERE version = 20261121092000 \gset
UPDATE migrate_migrations SET up = up || ' ' WHERE version = 20261121092000;
SELECT version, name FROM migrate_apply();
-- Restored, the pending one applies.
UPDATE migrate_migrations SET up = :'saved_up' WHERE version = 20261121091000;
UPDATE migrate_migrations SET up = :'saved_up2' WHERE version = 20261121092000;
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
-- A no-op apply remembers that nothing was pending; a later direct change
-- of the table (no migrate function involved) is still caught, and so is
-- one undone by a rollback.
SELECT version, name FROM migrate_apply();
UPDATE migrate_migrations SET up = up || '  ' WHERE version = 20261121091000;
SELECT version, name FROM migrate_apply();
BEGIN;
UPDATE migrate_migrations SET up = :'saved_up' WHERE version = 20261121091000;
SELECT version, name FROM migrate_apply();
ROLLBACK;
SELECT version, name FROM migrate_apply();
UPDATE migrate_migrations SET up = :'saved_up' WHERE version = 20261121091000;
SELECT version, name FROM migrate_apply();
-- The mark that nothing is left to apply is dropped when the same
-- transaction changes the catalog afterwards, through a function or not.
BEGIN;
SELECT version FROM migrate_define(20261121104500, 'create_coupons',
    'CREATE TABLE shop.coupons (code text PRIMARY KEY);', 'DROP TABLE shop.coupons;');
SET LOCAL client_min_messages = warning;
SELECT version, name FROM migrate_apply();
SELECT version, name FROM migrate_apply();
SELECT version FROM migrate_define(20261121104600, 'create_vouchers',
    'CREATE TABLE shop.vouchers (code text PRIMARY KEY);', 'DROP TABLE shop.vouchers;');
COMMIT;
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
BEGIN;
SELECT version, name FROM migrate_apply();
UPDATE migrate_migrations SET up = up || ' ' WHERE version = 20261121104600;
COMMIT;
SELECT version, name FROM migrate_apply();
UPDATE migrate_migrations SET up = rtrim(up) WHERE version = 20261121104600;
SET client_min_messages = warning;
SELECT version, name FROM migrate_rollback(2);
RESET client_min_messages;
SELECT migrate_remove(20261121104600);
SELECT migrate_remove(20261121104500);

--
-- Checked before anything runs: a pending migration that cannot run in a
-- transaction block.
--
SELECT version, name FROM migrate_define(20261121105000, 'create_coupons',
    'CREATE TABLE shop.coupons (code text PRIMARY KEY);',
    'DROP TABLE shop.coupons;');
SELECT version, name, transactional FROM migrate_define(20261121106000, 'index_coupons',
    E'SELECT 1;\nCREATE INDEX CONCURRENTLY coupons_code_idx ON shop.coupons (code);',
    'DROP INDEX CONCURRENTLY shop.coupons_code_idx;');
SELECT version, name, transactional FROM migrate_define(20261121107000, 'forced_outside',
    'SELECT 1;', '', transactional => false);
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
\echo :LAST_ERROR_SQLSTATE
RESET client_min_messages;
SELECT to_regclass('shop.coupons') AS coupons;
-- A target that stops before it applies the rest.
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply(target => 20261121105000);
-- One defined transactional => false without such a statement is refused too.
SELECT migrate_remove(20261121106000);
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
SELECT migrate_remove(20261121107000);
-- One whose down needs to run outside a transaction block: the detail
-- names that statement.
SELECT version, name, transactional FROM migrate_define(20261121107500, 'down_outside',
    'CREATE INDEX coupons_code_idx ON shop.coupons (code);',
    'DROP INDEX CONCURRENTLY shop.coupons_code_idx;');
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
SELECT migrate_remove(20261121107500);

--
-- Each migration runs with lock_timeout and statement_timeout taken from
-- migrate.lock_timeout and migrate.statement_timeout; the caller's values
-- are back afterwards.
--
SET lock_timeout = '7s';
SET statement_timeout = '8min';
SET migrate.lock_timeout = '1234ms';
SET migrate.statement_timeout = '5min';
SELECT version, name FROM migrate_define(20261121108000, 'record_timeouts',
    E'CREATE TABLE shop.timeouts AS\n  SELECT current_setting(''lock_timeout'') AS lock_timeout,\n         current_setting(''statement_timeout'') AS statement_timeout;',
    'DROP TABLE shop.timeouts;');
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
SELECT * FROM shop.timeouts;
SHOW lock_timeout;
SHOW statement_timeout;
RESET lock_timeout;
RESET statement_timeout;
RESET migrate.lock_timeout;
RESET migrate.statement_timeout;

-- migrate.statement_timeout cancels a statement of a migration that runs
-- too long (57014), naming the migration; nothing is applied.
SELECT version, name FROM migrate_define(20261121108500, 'too_slow',
    E'CREATE TABLE shop.slow (id int);\nSELECT pg_sleep(30);',
    'DROP TABLE shop.slow;');
SET migrate.statement_timeout = '200ms';
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
\echo :LAST_ERROR_SQLSTATE
RESET client_min_messages;
SELECT to_regclass('shop.slow') AS slow_table;
-- A caller that catches the error keeps no leftover deadline: its own
-- statement goes on well past 200ms without being cancelled.
DO $$
BEGIN
    BEGIN
        PERFORM * FROM migrate_apply();
    EXCEPTION WHEN query_canceled THEN
        RAISE NOTICE 'caught: %', SQLERRM;
    END;
    PERFORM pg_sleep(0.5);
    RAISE NOTICE 'the caller''s statement was not cancelled';
END $$;
RESET migrate.statement_timeout;
SELECT migrate_remove(20261121108500);

-- A migration body cannot run migrations itself.
SELECT version, name FROM migrate_define(20261121109000, 'nested',
    'SELECT * FROM migrate_apply();', '');
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
\echo :LAST_ERROR_SQLSTATE
RESET client_min_messages;
SELECT migrate_remove(20261121109000);

-- The whole history of this file, in order.
SELECT version, name, direction, success FROM migrate_history ORDER BY id;

SET migrate.allow_drop = on;
DROP EXTENSION migrate;
SET client_min_messages = warning;
DROP SCHEMA shop CASCADE;
RESET client_min_messages;
