--
-- verify.sql: migrate_verify().
--
-- It runs up, down and up again for each pending migration (down then up
-- for an applied one) inside a subtransaction that is always rolled back,
-- and compares fingerprints of the schema.  Checked here: a down that
-- leaves something behind, that drops too much, that changes a default,
-- that loses a privilege; what an up does to existing tables (a rewrite, a
-- scan, strong locks); non-transactional migrations verified through their
-- transactional equivalent; failures; applied migrations; the errors; and
-- that nothing of a verification remains: schema, catalog, history, locks,
-- settings.
--
-- Findings are shown one per row (detail holds one per line).  Definitions
-- and applies are made with client_min_messages = warning, because derived
-- downs and progress lines print NOTICEs.
--
CREATE EXTENSION migrate;
-- The safety rules are tested in lint.sql and safety.sql; here they would
-- only get in the way of the migrations this test runs on existing tables.
SET migrate.safety = off;
\set VERBOSITY default

CREATE SCHEMA shop;
CREATE TABLE shop.clients (id bigint PRIMARY KEY);
INSERT INTO shop.clients SELECT g FROM generate_series(1, 10) g;
CREATE TABLE shop.orders (
    id bigint PRIMARY KEY,
    status text NOT NULL DEFAULT 'open',
    note text,
    total integer,
    quantity integer,
    client_id bigint);
INSERT INTO shop.orders SELECT g, 'open', NULL, g, 1, 1 + g % 10 FROM generate_series(1, 40) g;
CREATE INDEX orders_status_idx ON shop.orders (status);
-- (statistics, so that the plans of validating queries do not depend on
-- when autovacuum runs)
ANALYZE shop.clients, shop.orders;
CREATE TABLE shop.archive (id bigint, at date) PARTITION BY RANGE (at);
CREATE TABLE shop.archive_2025 PARTITION OF shop.archive
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE VIEW shop.open_orders AS SELECT id, total FROM shop.orders WHERE status = 'open';
CREATE ROLE regress_migrate_reader;
GRANT USAGE ON SCHEMA shop TO regress_migrate_reader;
GRANT SELECT ON shop.open_orders TO regress_migrate_reader;

-- What the schema and the catalog hold before any verification, to compare
-- at the end: every relation of schema shop with its storage, columns
-- (dropped ones too), indexes, constraints and privileges.
CREATE FUNCTION pg_temp.schema_probe() RETURNS TABLE (relname name, state text)
LANGUAGE sql AS $$
    SELECT c.relname,
           concat_ws(' | ', c.relkind, c.relfilenode, c.relacl,
               (SELECT string_agg(concat_ws(' ', a.attnum, a.attname, a.attisdropped,
                                            format_type(a.atttypid, a.atttypmod), a.attnotnull,
                                            pg_get_expr(d.adbin, d.adrelid)), ', ' ORDER BY a.attnum)
                  FROM pg_attribute a
                  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                 WHERE a.attrelid = c.oid AND a.attnum > 0),
               (SELECT string_agg(pg_get_constraintdef(o.oid), ', ' ORDER BY o.conname)
                  FROM pg_constraint o WHERE o.conrelid = c.oid))
      FROM pg_class c
     WHERE c.relnamespace = 'shop'::regnamespace
$$;
CREATE TEMP TABLE schema_before AS SELECT * FROM pg_temp.schema_probe();
CREATE TEMP TABLE catalog_before AS
SELECT (SELECT count(*) FROM migrate_migrations) AS migrations,
       (SELECT count(*) FROM migrate_applied) AS applied,
       (SELECT count(*) FROM migrate_history) AS history;

-- Nothing defined: nothing to verify.
SELECT * FROM migrate_verify();

--
-- Reversibility: each pending migration is verified on top of the ups of
-- the ones before it.  ok is false when the down does not restore the
-- schema; what the up did to existing tables is reported either way.
--
SET client_min_messages = warning;
SELECT version FROM migrate_define(101, 'leaky_down',
    E'ALTER TABLE shop.orders ADD COLUMN coupon text;\nCREATE INDEX orders_coupon_idx ON shop.orders (coupon);',
    'DROP INDEX shop.orders_coupon_idx;');
SELECT version FROM migrate_define(102, 'down_drops_too_much',
    'ALTER TABLE shop.orders ADD COLUMN shipped_at timestamptz;',
    E'ALTER TABLE shop.orders DROP COLUMN shipped_at;\nDROP INDEX shop.orders_status_idx;');
SELECT version FROM migrate_define(103, 'changed_default',
    $$ALTER TABLE shop.orders ALTER COLUMN status SET DEFAULT 'new';$$,
    $$ALTER TABLE shop.orders ALTER COLUMN status SET DEFAULT 'pending';$$);
SELECT version FROM migrate_define(104, 'lost_privilege',
    $$DROP VIEW shop.open_orders;
CREATE VIEW shop.open_orders AS SELECT id, total, quantity FROM shop.orders WHERE status = 'open';$$,
    $$DROP VIEW shop.open_orders;
CREATE VIEW shop.open_orders AS SELECT id, total FROM shop.orders WHERE status = 'open';$$);
SELECT version FROM migrate_define(105, 'create_customers',
    'CREATE TABLE shop.customers (id bigint PRIMARY KEY, name text NOT NULL);',
    'DROP TABLE shop.customers;');
SELECT version FROM migrate_define(106, 'move_note',
    'ALTER TABLE shop.orders DROP COLUMN note;',
    'ALTER TABLE shop.orders ADD COLUMN note text;');
RESET client_min_messages;
-- (102 takes the ACCESS EXCLUSIVE lock on shop.orders that 101 already
-- took in the same transaction: it is reported once, for 101.)
SELECT version, name, ok, regexp_split_to_table(detail, E'\n') AS finding
  FROM migrate_verify();
-- One version: verified on top of the pending ones before it, and only
-- reported itself.
SELECT version, name, ok, detail FROM migrate_verify(105);
-- Nothing remains: all still pending, no history.
SELECT version, state FROM migrate_status();
SELECT count(*) AS history FROM migrate_history;
SELECT to_regclass('shop.customers') AS customers;
SELECT migrate_remove(v) FROM generate_series(101, 106) v;

--
-- What an up does to tables that existed before, one migration at a time.
--
-- A column type change rewrites the table under an ACCESS EXCLUSIVE lock.
SELECT version FROM migrate_define(201, 'widen_quantity',
    'ALTER TABLE shop.orders ALTER COLUMN quantity TYPE bigint;',
    'ALTER TABLE shop.orders ALTER COLUMN quantity TYPE integer;');
SELECT version, ok, regexp_split_to_table(detail, E'\n') AS finding FROM migrate_verify();
SELECT migrate_remove(201);
-- SET NOT NULL scans the table.
SELECT version FROM migrate_define(202, 'require_quantity',
    'ALTER TABLE shop.orders ALTER COLUMN quantity SET NOT NULL;',
    'ALTER TABLE shop.orders ALTER COLUMN quantity DROP NOT NULL;');
SELECT version, ok, regexp_split_to_table(detail, E'\n') AS finding FROM migrate_verify();
SELECT migrate_remove(202);
-- An index build locks writes out and scans; a constant default needs
-- neither a rewrite nor a scan, but the stronger ACCESS EXCLUSIVE lock.
-- A weaker lock than one already held is not reported.
SELECT version FROM migrate_define(203, 'add_priority',
    E'CREATE INDEX orders_total_idx ON shop.orders (total);\nALTER TABLE shop.orders ADD COLUMN priority integer NOT NULL DEFAULT 0;\nCREATE INDEX orders_priority_idx ON shop.orders (priority);',
    E'ALTER TABLE shop.orders DROP COLUMN priority;\nDROP INDEX shop.orders_total_idx;');
SELECT version, ok, regexp_split_to_table(detail, E'\n') AS finding FROM migrate_verify();
SELECT migrate_remove(203);
-- A foreign key locks writes out of both tables, and reads them.
SELECT version FROM migrate_define(204, 'orders_client_fk',
    'ALTER TABLE shop.orders ADD FOREIGN KEY (client_id) REFERENCES shop.clients;',
    'ALTER TABLE shop.orders DROP CONSTRAINT orders_client_id_fkey;');
SELECT version, ok, regexp_split_to_table(detail, E'\n') AS finding FROM migrate_verify();
SELECT migrate_remove(204);
-- The relations the up creates are not watched.
SELECT version FROM migrate_define(205, 'create_and_fill',
    E'CREATE TABLE shop.coupons (code text);\nALTER TABLE shop.coupons ALTER COLUMN code SET NOT NULL;',
    'DROP TABLE shop.coupons;');
SELECT version, ok, detail FROM migrate_verify();
SELECT migrate_remove(205);

--
-- Non-transactional migrations are verified through their transactional
-- equivalent: CONCURRENTLY removed (the locks of such a statement are not
-- reported, they are not those of the real one), maintenance statements
-- skipped.  Only the keyword goes, not the word in a comment or a string.
-- A statement without an equivalent leaves the migration, and the ones
-- after it, not verified (ok is NULL).
--
SELECT version, transactional FROM migrate_define(301, 'index_concurrently',
    $$CREATE /* not CONCURRENTLY yet */ INDEX CONCURRENTLY orders_note_idx
    ON shop.orders (note) WHERE note <> 'concurrently';
VACUUM (ANALYZE) shop.orders;$$,
    'DROP INDEX CONCURRENTLY shop.orders_note_idx;');
SELECT version, transactional FROM migrate_define(302, 'detach_archive',
    'ALTER TABLE shop.archive DETACH PARTITION shop.archive_2025 CONCURRENTLY;',
    $$ALTER TABLE shop.archive ATTACH PARTITION shop.archive_2025
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');$$);
SELECT version, ok, regexp_split_to_table(detail, E'\n') AS finding FROM migrate_verify();
SELECT version, transactional FROM migrate_define(303, 'outside_anyway',
    'CREATE TABLE shop.labels (id bigint);', 'DROP TABLE shop.labels;',
    transactional => false);
SELECT version, transactional FROM migrate_define(304, 'create_database',
    'CREATE DATABASE regress_migrate_never;', 'DROP DATABASE regress_migrate_never;');
SELECT version FROM migrate_define(305, 'after_database',
    'CREATE TABLE shop.refunds (id bigint);', 'DROP TABLE shop.refunds;');
SELECT version, ok, regexp_split_to_table(detail, E'\n') AS finding FROM migrate_verify();
SELECT migrate_remove(v) FROM generate_series(301, 305) v;

--
-- Failures: an up that fails stops the verification (the migrations after
-- it are not verified); a down that fails, or an up that fails after the
-- down, is a finding.  A migration without a down is irreversible.
--
SET client_min_messages = warning;
SELECT version FROM migrate_define(401, 'failing_down',
    'ALTER TABLE shop.orders ADD COLUMN x integer;',
    E'ALTER TABLE shop.orders DROP COLUMN x;\nALTER TABLE shop.missing DROP COLUMN x;');
SELECT version FROM migrate_define(402, 'no_down',
    $$INSERT INTO shop.orders (id, status) VALUES (1000, 'test');$$);
SELECT version FROM migrate_define(403, 'failing_up',
    E'ALTER TABLE shop.orders ADD COLUMN y integer;\n\nALTER TABLE shop.missing ADD COLUMN y integer;',
    'ALTER TABLE shop.orders DROP COLUMN y;');
SELECT version FROM migrate_define(404, 'after_failure',
    'CREATE TABLE shop.refunds (id bigint);', 'DROP TABLE shop.refunds;');
RESET client_min_messages;
SELECT version, ok, regexp_split_to_table(detail, E'\n') AS finding FROM migrate_verify();
SELECT count(*) AS test_order FROM shop.orders WHERE id = 1000;
SELECT migrate_remove(v) FROM generate_series(401, 404) v;
-- A cancel (here migrate.statement_timeout, in the down) ends the call with
-- the error.
SELECT version FROM migrate_define(405, 'slow_down',
    'ALTER TABLE shop.orders ADD COLUMN z integer;',
    E'SELECT pg_sleep(5);\nALTER TABLE shop.orders DROP COLUMN z;');
SET migrate.statement_timeout = '500ms';
SELECT * FROM migrate_verify();
\echo :LAST_ERROR_SQLSTATE
RESET migrate.statement_timeout;
SELECT migrate_remove(405);

--
-- Errors that PostgreSQL raises only because the ups and downs share one
-- transaction leave a migration not verifiable here (ok is NULL), with the
-- reason and where to verify it instead: a down that uses the enum value
-- its up added (55P04), an up that uses the value an earlier migration
-- added, and a down that alters a table while the deferred foreign key
-- checks of its up are pending (55006).  So does a read-only transaction,
-- as on a hot standby.
--
CREATE SCHEMA feel;
CREATE TYPE feel.mood AS ENUM ('ok', 'sad');
CREATE TABLE feel.people (id bigint PRIMARY KEY, mood feel.mood NOT NULL DEFAULT 'ok');
CREATE TABLE feel.notes (id bigint PRIMARY KEY,
    person bigint REFERENCES feel.people DEFERRABLE INITIALLY DEFERRED);
INSERT INTO feel.people VALUES (1, 'ok');
SET client_min_messages = warning;
SELECT version FROM migrate_define(451, 'add_mood_value',
    $$ALTER TYPE feel.mood ADD VALUE 'meh';$$,
    $$UPDATE feel.people SET mood = 'ok' WHERE mood = 'meh';$$);
SELECT version FROM migrate_define(452, 'use_mood_value',
    $$UPDATE feel.people SET mood = 'meh' WHERE id = 1;$$,
    $$UPDATE feel.people SET mood = 'ok' WHERE id = 1;$$);
SELECT version FROM migrate_define(453, 'after_mood_value',
    'CREATE TABLE feel.later (id bigint);', 'DROP TABLE feel.later;');
RESET client_min_messages;
SELECT version, ok, regexp_split_to_table(detail, E'\n') AS finding FROM migrate_verify();
SELECT migrate_remove(v) FROM generate_series(451, 453) v;
SET client_min_messages = warning;
SELECT version FROM migrate_define(454, 'first_note',
    E'ALTER TABLE feel.notes ADD COLUMN body text;\nINSERT INTO feel.notes VALUES (1, 1, ''first'');',
    E'DELETE FROM feel.notes WHERE id = 1;\nALTER TABLE feel.notes DROP COLUMN body;');
RESET client_min_messages;
SELECT version, ok, regexp_split_to_table(detail, E'\n') AS finding FROM migrate_verify();
SELECT migrate_remove(454);
SELECT version FROM migrate_define(455, 'create_later',
    'CREATE TABLE feel.later (id bigint);', 'DROP TABLE feel.later;');
BEGIN READ ONLY;
SELECT version, ok, regexp_split_to_table(detail, E'\n') AS finding FROM migrate_verify();
ROLLBACK;
SELECT migrate_remove(455);
SELECT enum_range(NULL::feel.mood) AS mood_values, to_regclass('feel.later') AS later;
SET client_min_messages = warning;
DROP SCHEMA feel CASCADE;
RESET client_min_messages;

-- Nothing of the verifications remains: the schema (storage included),
-- the catalog and the history are as before.
SELECT * FROM pg_temp.schema_probe() EXCEPT SELECT * FROM schema_before;
SELECT * FROM schema_before EXCEPT SELECT * FROM pg_temp.schema_probe();
SELECT (SELECT count(*) FROM migrate_migrations) - migrations AS migrations_added,
       (SELECT count(*) FROM migrate_applied) - applied AS applied_added,
       (SELECT count(*) FROM migrate_history) - history AS history_added
  FROM catalog_before;

--
-- Applied migrations: down, then up; the schema must end as it began.
--
SET client_min_messages = warning;
SELECT version FROM migrate_define(501, 'add_coupon',
    $$ALTER TABLE shop.orders ADD COLUMN coupon text DEFAULT 'none';$$,
    'ALTER TABLE shop.orders DROP COLUMN coupon;');
SELECT version FROM migrate_define(502, 'create_audit',
    'CREATE TABLE shop.audit (at timestamptz, what text);', '');
SELECT version FROM migrate_define(503, 'seed_audit',
    $$INSERT INTO shop.audit VALUES ('2026-01-01', 'seeded');$$);
SELECT version FROM migrate_define(504, 'index_audit',
    'CREATE INDEX audit_at_idx ON shop.audit (at);',
    E'DROP INDEX shop.audit_at_idx;\nALTER TABLE shop.audit DROP COLUMN what;');
SELECT version FROM migrate_apply();
RESET client_min_messages;
CREATE TEMP TABLE schema_applied AS SELECT * FROM pg_temp.schema_probe();
CREATE TEMP TABLE history_applied AS SELECT count(*) AS history FROM migrate_history;
-- Nothing pending.
SELECT * FROM migrate_verify();
SELECT version, ok, detail FROM migrate_verify(501);
SELECT version, ok, detail FROM migrate_verify(502);
SELECT version, ok, detail FROM migrate_verify(503);
SELECT version, ok, regexp_split_to_table(detail, E'\n') AS finding FROM migrate_verify(504);
SELECT version, state FROM migrate_status();
SELECT count(*) AS audit_rows FROM shop.audit;

--
-- Errors, raised before anything runs.
--
SELECT * FROM migrate_verify(999);
\echo :LAST_ERROR_SQLSTATE
-- An applied migration whose definition changed, or is gone.
CREATE TEMP TABLE saved AS SELECT * FROM migrate_applied WHERE version = 501;
UPDATE migrate_applied SET checksum = repeat('0', 64) WHERE version = 501;
SELECT * FROM migrate_verify(501);
\echo :LAST_ERROR_SQLSTATE
UPDATE migrate_applied SET checksum = (SELECT checksum FROM saved) WHERE version = 501;
DROP TABLE saved;
CREATE TEMP TABLE saved AS SELECT * FROM migrate_migrations WHERE version = 504;
DELETE FROM migrate_migrations WHERE version = 504;
SELECT * FROM migrate_verify(504);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO migrate_migrations
    (version, name, up, down, down_derived, transactional, defined_at, defined_by, safety_assured)
SELECT version, name, up, down, down_derived, transactional, defined_at, defined_by, safety_assured
  FROM saved;
-- Not from inside a migration.
SELECT version FROM migrate_define(601, 'verify_inside',
    'SELECT * FROM public.migrate_verify();', '');
SELECT version, ok, detail FROM migrate_verify();
SET client_min_messages = warning;
SELECT * FROM migrate_apply();
RESET client_min_messages;
SELECT migrate_remove(601);
-- Not granted to PUBLIC; the definer check of apply applies.
CREATE ROLE regress_migrate_author;
CREATE ROLE regress_migrate_checker;
GRANT EXECUTE ON FUNCTION migrate_define(bigint, text, text, text, boolean, text[], text)
    TO regress_migrate_author;
SET ROLE regress_migrate_checker;
SELECT * FROM migrate_verify();
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
GRANT EXECUTE ON FUNCTION migrate_verify(bigint, text, text) TO regress_migrate_checker;
SET ROLE regress_migrate_author;
SELECT version FROM migrate_define(602, 'by_author', 'SELECT 1;', '');
SET ROLE regress_migrate_checker;
SELECT * FROM migrate_verify();
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT migrate_remove(602);
-- Its own migrations it may verify.
GRANT EXECUTE ON FUNCTION migrate_define(bigint, text, text, text, boolean, text[], text)
    TO regress_migrate_checker;
SET ROLE regress_migrate_checker;
SELECT version FROM migrate_define(603, 'by_checker', 'SELECT 1;', '');
SELECT version, ok, detail FROM migrate_verify();
RESET ROLE;
SELECT migrate_remove(603);

--
-- A hostile search_path and a body that changes search_path do not change
-- what is compared; REPEATABLE READ works; the caller's transaction goes on
-- with no lock on the tables and its settings as they were.
--
CREATE SCHEMA trap;
CREATE FUNCTION trap.hijacked() RETURNS boolean
LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked'; END $$;
CREATE FUNCTION trap.oid_eq(oid, oid) RETURNS boolean
LANGUAGE sql AS 'SELECT trap.hijacked()';
CREATE FUNCTION trap.char_eq("char", "char") RETURNS boolean
LANGUAGE sql AS 'SELECT trap.hijacked()';
CREATE FUNCTION trap.text_eq(text, text) RETURNS boolean
LANGUAGE sql AS 'SELECT trap.hijacked()';
CREATE OPERATOR trap.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = trap.oid_eq);
CREATE OPERATOR trap.= (LEFTARG = "char", RIGHTARG = "char", FUNCTION = trap.char_eq);
CREATE OPERATOR trap.= (LEFTARG = text, RIGHTARG = text, FUNCTION = trap.text_eq);
CREATE FUNCTION trap.quote_ident(text) RETURNS text
LANGUAGE sql AS 'SELECT NULL::text WHERE trap.hijacked()';
SELECT version FROM migrate_define(701, 'wander',
    E'SET search_path = shop;\nALTER TABLE orders ADD COLUMN parcel text;',
    'ALTER TABLE shop.orders DROP COLUMN parcel;');
SET search_path = trap, public, pg_catalog;
SELECT version, ok, regexp_split_to_table(detail, E'\n') AS finding
  FROM public.migrate_verify();
SHOW search_path;
RESET search_path;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT version, ok, regexp_split_to_table(detail, E'\n') AS finding FROM migrate_verify();
SELECT locktype, mode FROM pg_locks
 WHERE pid = pg_backend_pid() AND locktype IN ('relation', 'advisory')
   AND (locktype = 'advisory' OR relation = 'shop.orders'::regclass)
 ORDER BY 1;
COMMIT;
SELECT migrate_remove(701);
SET client_min_messages = warning;
DROP SCHEMA trap CASCADE;
RESET client_min_messages;

-- Objects of no relation are read again only when a body may have changed
-- them: a function whose SQL body names a column that the down does not
-- restore, a composite type and a comment that a down leaves, a domain
-- constraint that it drops, are all still found.
SELECT version FROM migrate_define(801, 'table and function',
  up => $up$CREATE TABLE public.vt (a int);
CREATE FUNCTION public.vt_a() RETURNS SETOF int LANGUAGE sql
BEGIN ATOMIC SELECT a FROM public.vt; END;$up$,
  down => 'DROP FUNCTION public.vt_a(); DROP TABLE public.vt;');
SELECT version FROM migrate_define(802, 'rename a column',
  up => 'ALTER TABLE public.vt RENAME COLUMN a TO b;',
  down => 'ALTER TABLE public.vt RENAME COLUMN b TO c;');
SELECT version FROM migrate_define(803, 'composite type',
  up => 'CREATE TYPE public.vc AS (x int);',
  down => 'SELECT 1;');
SELECT version FROM migrate_define(804, 'function comment',
  up => $up$COMMENT ON FUNCTION public.vt_a() IS 'reads vt';$up$,
  down => 'SELECT 1;');
SELECT version FROM migrate_define(805, 'domain',
  up => 'CREATE DOMAIN public.vd AS int CONSTRAINT vd_positive CHECK (VALUE > 0);',
  down => 'ALTER DOMAIN public.vd DROP CONSTRAINT vd_positive; DROP DOMAIN public.vd;');
SELECT version FROM migrate_define(806, 'domain constraint',
  up => 'CREATE DOMAIN public.vd2 AS int CONSTRAINT vd2_positive CHECK (VALUE > 0);',
  down => 'ALTER DOMAIN public.vd2 DROP CONSTRAINT vd2_positive;');
SELECT version, ok, regexp_split_to_table(detail, E'\n') AS finding
  FROM migrate_verify() ORDER BY version;
SELECT count(migrate_remove(v)) FROM generate_series(801, 806) AS v;

-- Nothing of the verifications since the apply remains either.
SELECT * FROM pg_temp.schema_probe() EXCEPT SELECT * FROM schema_applied;
SELECT * FROM schema_applied EXCEPT SELECT * FROM pg_temp.schema_probe();
SELECT (SELECT count(*) FROM migrate_history) - history AS history_added FROM history_applied;
SELECT version, state FROM migrate_status();

SET migrate.allow_drop = on;
DROP EXTENSION migrate;
SET client_min_messages = warning;
DROP SCHEMA shop CASCADE;
RESET client_min_messages;
DROP ROLE regress_migrate_reader;
DROP ROLE regress_migrate_author;
DROP ROLE regress_migrate_checker;
