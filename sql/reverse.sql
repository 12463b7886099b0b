--
-- reverse.sql: downs derived from ups (migrate_define with down => NULL).
--
-- For each kind of statement that can be reversed, the exact down derived,
-- with names that need quoting in every position (mixed case, reserved
-- words, spaces), schema-qualified and not; then a round trip per group:
-- apply, roll back, check with a fingerprint of the catalog that the schema
-- is exactly as before, and apply again.  Then the inverses that depend on
-- the catalog (previous defaults and comments), non-transactional downs, an
-- identical re-definition after apply, and the statements that cannot be
-- reversed: a NOTICE naming each, down NULL, and rollback refused.
--
-- Calls that run migrations are made with client_min_messages = warning,
-- because the progress NOTICEs carry durations; migrate_define() calls keep
-- the default, so that the NOTICEs about irreversible statements show.
--
CREATE EXTENSION migrate;
-- The safety rules are tested in lint.sql and safety.sql; here they would
-- only get in the way of the migrations this test runs on existing tables.
SET migrate.safety = off;
\set VERBOSITY default

CREATE SCHEMA app;
CREATE SCHEMA "Odd Schema";
CREATE SCHEMA "select";
-- Unqualified names in the migrations below resolve to schema app.
SET search_path = app, public;

--
-- A fingerprint of everything the migrations here can change, in every
-- schema but the system ones and public: schemas, relations and their
-- columns (in order, without dropped ones), defaults, constraints, indexes,
-- views, sequences and their owners, inheritance, types, functions,
-- triggers, extensions and comments.  Names, never OIDs, so that objects
-- created again compare equal.  It runs with search_path = pg_catalog, so
-- every name in it is qualified the same way whatever the caller's.
--
CREATE FUNCTION public.reverse_fingerprint() RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
WITH ns AS (
    SELECT oid, quote_ident(nspname) AS name FROM pg_namespace
     WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public', 'pg_toast')
       AND nspname NOT LIKE 'pg\_temp\_%' AND nspname NOT LIKE 'pg\_toast\_temp\_%'
), rel AS (
    SELECT c.oid, c.relkind, ns.name || '.' || quote_ident(c.relname) AS name
      FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
), parts(part) AS (
    SELECT 'schema ' || name FROM ns
    UNION ALL
    SELECT 'relation ' || rel.name || ' ' || c.relkind::text || c.relpersistence::text
           || coalesce(' ' || pg_get_expr(c.relpartbound, c.oid), '')
           || coalesce(' ' || c.reloptions::text, '')
      FROM rel JOIN pg_class c ON c.oid = rel.oid
    UNION ALL
    SELECT 'column ' || rel.name || ' '
           || rank() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) || ' '
           || quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
           || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
           || ' identity=' || a.attidentity::text
           || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
      FROM pg_attribute a
      JOIN rel ON rel.oid = a.attrelid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT 'constraint ' || ns.name || '.' || quote_ident(co.conname) || ' on '
           || coalesce(rel.name, format_type(co.contypid, NULL)) || ' '
           || pg_get_constraintdef(co.oid)
      FROM pg_constraint co
      JOIN ns ON ns.oid = co.connamespace
      LEFT JOIN rel ON rel.oid = co.conrelid
    UNION ALL
    SELECT 'index ' || pg_get_indexdef(rel.oid) FROM rel WHERE rel.relkind IN ('i', 'I')
    UNION ALL
    SELECT 'view ' || rel.name || ' ' || pg_get_viewdef(rel.oid)
      FROM rel WHERE rel.relkind IN ('v', 'm')
    UNION ALL
    SELECT 'sequence ' || rel.name || ' ' || format_type(s.seqtypid, NULL) || ' '
           || s.seqstart || ' ' || s.seqincrement || ' ' || s.seqmax || ' ' || s.seqmin
           || coalesce(' owned by ' || owner.name || '.' || quote_ident(a.attname)
                       || ' ' || dep.deptype::text, '')
      FROM rel
      JOIN pg_sequence s ON s.seqrelid = rel.oid
      LEFT JOIN pg_depend dep ON dep.classid = 'pg_class'::regclass AND dep.objid = rel.oid
                             AND dep.refclassid = 'pg_class'::regclass
                             AND dep.deptype IN ('a', 'i')
      LEFT JOIN rel owner ON owner.oid = dep.refobjid
      LEFT JOIN pg_attribute a ON a.attrelid = dep.refobjid AND a.attnum = dep.refobjsubid
    UNION ALL
    SELECT 'inherits ' || child.name || ' ' || parent.name
      FROM pg_inherits i
      JOIN rel child ON child.oid = i.inhrelid
      JOIN rel parent ON parent.oid = i.inhparent
    UNION ALL
    SELECT 'type ' || ns.name || '.' || quote_ident(t.typname) || ' ' || t.typtype::text
           || coalesce(' over ' || format_type(nullif(t.typbasetype, 0), t.typtypmod), '')
           || coalesce(' (' || (SELECT string_agg(quote_literal(e.enumlabel), ', '
                                                  ORDER BY e.enumsortorder)
                                  FROM pg_enum e WHERE e.enumtypid = t.oid) || ')', '')
      FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
    UNION ALL
    SELECT 'function ' || ns.name || '.' || quote_ident(p.proname)
           || '(' || pg_get_function_identity_arguments(p.oid) || ') ' || p.prokind::text
           || coalesce(' returns ' || pg_get_function_result(p.oid), '') || ' ' || p.prosrc
      FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
    UNION ALL
    SELECT 'trigger ' || pg_get_triggerdef(t.oid)
      FROM pg_trigger t JOIN rel ON rel.oid = t.tgrelid WHERE NOT t.tgisinternal
    UNION ALL
    SELECT 'extension ' || quote_ident(e.extname) || ' ' || e.extversion || ' in '
           || quote_ident(n.nspname)
      FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    UNION ALL
    SELECT 'comment ' || o.type || ' ' || o.identity || ' ' || quote_literal(d.description)
      FROM pg_description d, pg_identify_object(d.classoid, d.objoid, d.objsubid) o
     WHERE d.objoid >= 16384
)
SELECT md5(string_agg(part, E'\n' ORDER BY part)) FROM parts
$$;

SELECT reverse_fingerprint() AS fp_start \gset

--
-- Tables: plain with a serial column, IF NOT EXISTS with an identity
-- column and a reserved-word column, partitioned with a partition, created
-- with AS, unqualified with a reserved-word name.  The sequences of the
-- serial and identity columns go with their tables.
--
SELECT down, down_derived, transactional FROM migrate_define(100, 'accounts',
$$CREATE TABLE app.accounts (
    id bigserial PRIMARY KEY,
    email text NOT NULL,
    "Display Name" text DEFAULT 'anonymous'
);$$);
SELECT down, down_derived, transactional FROM migrate_define(101, 'user events',
$$CREATE TABLE IF NOT EXISTS "Odd Schema"."User Events" (
    id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    "select" int,
    account_id bigint REFERENCES app.accounts
);$$);
SELECT down, down_derived, transactional FROM migrate_define(102, 'measurements',
$$CREATE TABLE app.measurements (taken date NOT NULL, value int) PARTITION BY RANGE (taken);
CREATE TABLE app."Measurements 2026" PARTITION OF app.measurements
    FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE "select".copies AS SELECT 1 AS one;$$);
SELECT down, down_derived, transactional FROM migrate_define(103, 'order',
    'CREATE TABLE "Order" ("from" int, "to" int);');

SELECT reverse_fingerprint() AS fp_before \gset
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
SELECT reverse_fingerprint() AS fp_applied \gset
SELECT :'fp_applied' <> :'fp_before' AS schema_changed;
SELECT count(*) AS owned_sequences FROM pg_class
 WHERE relkind = 'S' AND oid IN ('app.accounts_id_seq'::regclass,
                                 '"Odd Schema"."User Events_id_seq"'::regclass);
SET client_min_messages = warning;
SELECT version, name FROM migrate_rollback(steps => 4);
RESET client_min_messages;
SELECT reverse_fingerprint() = :'fp_before' AS schema_as_before;
SELECT to_regclass('app.accounts_id_seq') AS serial_seq,
       to_regclass('"Odd Schema"."User Events_id_seq"') AS identity_seq;
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
SELECT reverse_fingerprint() = :'fp_applied' AS schema_as_applied;

--
-- Indexes: named, unique IF NOT EXISTS, unqualified with a reserved-word
-- name, on an expression.  The index is dropped in its table's schema.
--
SELECT down, down_derived, transactional FROM migrate_define(200, 'indexes',
$$CREATE INDEX accounts_email_idx ON app.accounts (email);
CREATE UNIQUE INDEX IF NOT EXISTS "Events Select" ON "Odd Schema"."User Events" ("select");
CREATE INDEX "where" ON "Order" ("from", "to");
CREATE INDEX "Lower Email" ON app.accounts (lower(email)) WHERE email <> '';$$);

SELECT reverse_fingerprint() AS fp_before \gset
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
SELECT reverse_fingerprint() AS fp_applied \gset
SELECT :'fp_applied' <> :'fp_before' AS schema_changed;
SET client_min_messages = warning;
SELECT version, name FROM migrate_rollback();
RESET client_min_messages;
SELECT reverse_fingerprint() = :'fp_before' AS schema_as_before;
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
SELECT reverse_fingerprint() = :'fp_applied' AS schema_as_applied;

-- A non-transactional up derives a non-transactional down.  (Only
-- migrate_deploy runs it, so it is removed again here.)
SELECT down, down_derived, transactional FROM migrate_define(201, 'concurrently',
$$CREATE INDEX CONCURRENTLY "Accounts By Id" ON app.accounts (id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS accounts_email_id_idx ON app.accounts (email, id);$$);
SELECT migrate_remove(201);

--
-- ALTER TABLE: ADD COLUMN, named constraints, SET DEFAULT on a column that
-- had none, several actions in one statement (reversed in reverse order),
-- renames of columns, constraints, tables, indexes and sequences, and ONLY.
--
SELECT down, down_derived, transactional FROM migrate_define(300, 'alter tables',
$$ALTER TABLE app.accounts ADD COLUMN "Nick Name" text;
ALTER TABLE app.accounts
    ADD CONSTRAINT "Email Has At" CHECK (email LIKE '%@%'),
    ADD CONSTRAINT accounts_email_key UNIQUE (email);
ALTER TABLE "Order" ADD COLUMN "limit" int, ADD CONSTRAINT "check" CHECK ("limit" > 0),
    ALTER COLUMN "limit" SET DEFAULT 10;
ALTER TABLE "Odd Schema"."User Events" ALTER COLUMN "select" SET DEFAULT 0;$$);
SELECT down, down_derived, transactional FROM migrate_define(301, 'renames',
$$ALTER TABLE app.accounts RENAME COLUMN "Display Name" TO "user";
ALTER TABLE app.accounts RENAME CONSTRAINT "Email Has At" TO "Email Check";
ALTER TABLE "Odd Schema"."User Events" RENAME TO "Events";
ALTER INDEX app.accounts_email_idx RENAME TO "Accounts Email";
ALTER SEQUENCE app.accounts_id_seq RENAME TO "Account Ids";
ALTER TABLE IF EXISTS ONLY "Order" RENAME COLUMN "to" TO "until";$$);

-- ONLY stays: rolling back must not drop the child's own default.
CREATE TABLE app.parent (n int);
CREATE TABLE app.child () INHERITS (app.parent);
ALTER TABLE app.child ALTER COLUMN n SET DEFAULT 9;
SELECT down, down_derived, transactional FROM migrate_define(302, 'parent default',
    'ALTER TABLE ONLY app.parent ALTER COLUMN n SET DEFAULT 5;');

SELECT reverse_fingerprint() AS fp_before \gset
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
SELECT reverse_fingerprint() AS fp_applied \gset
SELECT :'fp_applied' <> :'fp_before' AS schema_changed;
SET client_min_messages = warning;
SELECT version, name FROM migrate_rollback(steps => 3);
RESET client_min_messages;
SELECT reverse_fingerprint() = :'fp_before' AS schema_as_before;
SELECT pg_get_expr(adbin, adrelid) AS child_default FROM pg_attrdef
 WHERE adrelid = 'app.child'::regclass;
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
SELECT reverse_fingerprint() = :'fp_applied' AS schema_as_applied;

--
-- Views, materialized views, sequences, types, domains, schemas and
-- extensions, and renames of views, materialized views and schemas.
--
SELECT down, down_derived, transactional FROM migrate_define(400, 'views and sequences',
$$CREATE VIEW app.active_accounts AS SELECT id, email FROM app.accounts;
CREATE MATERIALIZED VIEW IF NOT EXISTS "select"."Totals" AS SELECT count(*) AS n FROM app.accounts;
CREATE MATERIALIZED VIEW app.emails AS SELECT email FROM app.accounts WITH NO DATA;
CREATE SEQUENCE "Odd Schema"."Ticket Numbers" START 100;
CREATE SEQUENCE IF NOT EXISTS invoice_numbers;$$);
SELECT down, down_derived, transactional FROM migrate_define(401, 'types',
$$CREATE TYPE "Odd Schema"."Mood" AS ENUM ('sad', 'fine', 'glad');
CREATE TYPE app.pair AS (a int, "B" text);
CREATE TYPE "select"."Span" AS RANGE (subtype = int4);
CREATE DOMAIN "select"."Email" AS text CHECK (VALUE LIKE '%@%');
CREATE DOMAIN positive AS int CHECK (VALUE > 0);$$);
SELECT down, down_derived, transactional FROM migrate_define(402, 'schemas and extensions',
$$CREATE SCHEMA "New Schema";
CREATE SCHEMA IF NOT EXISTS reporting;
CREATE EXTENSION "uuid-ossp" SCHEMA "New Schema";
CREATE EXTENSION IF NOT EXISTS citext SCHEMA reporting;$$);
SELECT down, down_derived, transactional FROM migrate_define(403, 'renames of views',
$$ALTER VIEW app.active_accounts RENAME TO "Active";
ALTER VIEW app."Active" RENAME COLUMN email TO "E-mail";
ALTER MATERIALIZED VIEW "select"."Totals" RENAME TO totals;
ALTER TABLE "select".totals RENAME TO "table";
ALTER SCHEMA reporting RENAME TO "Reports";$$);

SELECT reverse_fingerprint() AS fp_before \gset
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
SELECT reverse_fingerprint() AS fp_applied \gset
SELECT :'fp_applied' <> :'fp_before' AS schema_changed;
SET client_min_messages = warning;
SELECT version, name FROM migrate_rollback(steps => 4);
RESET client_min_messages;
SELECT reverse_fingerprint() = :'fp_before' AS schema_as_before;
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
SELECT reverse_fingerprint() = :'fp_applied' AS schema_as_applied;

--
-- Functions, procedures and triggers, dropped with the types of their input
-- arguments: multi-word types, arrays, a quoted user type, VARIADIC, INOUT;
-- not OUT or TABLE columns.  app.archive(int, bigint) exists before: the
-- down of archive(IN int, OUT bigint) must drop the new procedure, not it.
--
CREATE PROCEDURE app.archive(days int, batch bigint) LANGUAGE sql AS '';
SELECT down, down_derived, transactional FROM migrate_define(500, 'functions',
$$CREATE FUNCTION "Odd Schema"."Score"(a integer, b double precision[], c character varying(20),
    d timestamp with time zone, e "Odd Schema"."Mood", "char", bit varying, int[][],
    VARIADIC f text[]) RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION app.split(IN s text, INOUT n int, OUT parts text[]) LANGUAGE sql
    AS 'SELECT n, ARRAY[s]';
CREATE FUNCTION "select"."rows"(k "select"."Email") RETURNS TABLE (x int, "Y" text)
    LANGUAGE sql AS 'SELECT 1, k::text';
CREATE PROCEDURE app.archive(IN days int, OUT moved bigint) LANGUAGE sql AS 'SELECT 0::bigint';
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER "Touch Accounts" BEFORE UPDATE ON app.accounts
    FOR EACH ROW EXECUTE FUNCTION app.touch();
CREATE TRIGGER "user" AFTER INSERT ON "Order" FOR EACH ROW EXECUTE FUNCTION touch();$$);

SELECT reverse_fingerprint() AS fp_before \gset
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
SELECT reverse_fingerprint() AS fp_applied \gset
SELECT :'fp_applied' <> :'fp_before' AS schema_changed;
SET client_min_messages = warning;
SELECT version, name FROM migrate_rollback();
RESET client_min_messages;
SELECT reverse_fingerprint() = :'fp_before' AS schema_as_before;
SELECT oid::regprocedure AS survivor FROM pg_proc WHERE proname = 'archive';
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
SELECT reverse_fingerprint() = :'fp_applied' AS schema_as_applied;

--
-- Inverses read from the catalog when the migration is defined: a column's
-- previous default and an object's previous comment (with a quote in it).
-- An object that the same body creates, or that is not in the catalog yet,
-- counts as new; the names looked up are those before the body's renames.
--
CREATE SEQUENCE "Odd Schema".codes;
CREATE TABLE app.settings (
    plain int,
    "With Default" text DEFAULT 'it''s',
    code bigint DEFAULT nextval('"Odd Schema".codes'),
    kept text DEFAULT 'kept'
);
COMMENT ON TABLE app.settings IS 'Bob''s settings';
COMMENT ON COLUMN app.settings.code IS 'from "Odd Schema".codes';
COMMENT ON SCHEMA "select" IS 'a reserved word';
COMMENT ON FUNCTION app.touch() IS 'sets nothing';
COMMENT ON CONSTRAINT accounts_email_key ON app.accounts IS 'one per e-mail';
CREATE POLICY "Own Rows" ON app.accounts USING (true);

-- No default before: DROP DEFAULT.  A default before: SET DEFAULT it.
SELECT down, down_derived, transactional FROM migrate_define(600, 'defaults',
$$ALTER TABLE app.settings ALTER COLUMN plain SET DEFAULT 1;
ALTER TABLE app.settings ALTER COLUMN "With Default" SET DEFAULT 'new';$$);
-- A column added earlier in the same body had none, and dropping a default
-- is undone by setting the previous one back.
SELECT down, down_derived, transactional FROM migrate_define(601, 'new column default',
$$ALTER TABLE app.settings ADD COLUMN fresh int;
ALTER TABLE app.settings ALTER COLUMN fresh SET DEFAULT 7;
ALTER TABLE app.settings ALTER COLUMN kept DROP DEFAULT;$$);
-- The default before is written with its schemas, whatever search_path the
-- migration is defined with, so that the down runs under another one.
SET search_path = "Odd Schema", app, public;
SELECT down, down_derived, transactional FROM migrate_define(602, 'code default',
    'ALTER TABLE app.settings ALTER COLUMN code SET DEFAULT 0;');
SET search_path = app, public;
-- Comments: none before gives IS NULL, one before gives it back.
SELECT down, down_derived, transactional FROM migrate_define(603, 'comments',
$$COMMENT ON TABLE app.settings IS 'settings';
COMMENT ON COLUMN app.settings.plain IS 'plain';
COMMENT ON COLUMN app.settings.code IS NULL;
COMMENT ON SCHEMA "select" IS 'quoted';
COMMENT ON SCHEMA "Odd Schema" IS 'odd';
COMMENT ON INDEX app."Accounts Email" IS 'by e-mail';
COMMENT ON VIEW "Active" IS 'active';
COMMENT ON MATERIALIZED VIEW "select"."table" IS 'totals';
COMMENT ON SEQUENCE "Odd Schema"."Ticket Numbers" IS 'tickets';
COMMENT ON FUNCTION app.touch() IS 'touches';
COMMENT ON FUNCTION "Odd Schema"."Score"(int, float8[], varchar, timestamptz, "Odd Schema"."Mood",
    "char", varbit, int[], text[]) IS 'scores';
COMMENT ON PROCEDURE app.archive(int) IS 'archives';
COMMENT ON TYPE "Odd Schema"."Mood" IS 'mood';
COMMENT ON DOMAIN "select"."Email" IS 'e-mail';
COMMENT ON CONSTRAINT accounts_email_key ON app.accounts IS 'unique';
COMMENT ON CONSTRAINT positive_check ON DOMAIN positive IS 'positive';
COMMENT ON TRIGGER "Touch Accounts" ON app.accounts IS 'touch';
COMMENT ON POLICY "Own Rows" ON app.accounts IS 'own rows';
COMMENT ON ROUTINE app.split IS 'splits';
COMMENT ON EXTENSION "uuid-ossp" IS 'uuids';$$);
-- Renames earlier in the body are followed back to the names in the
-- catalog, and a table the body creates is new, although a table of that
-- name (whose column plain has a text default) is in the catalog.
CREATE TABLE app.prefs ("With Default" text DEFAULT 'it''s', code int, plain text DEFAULT 'none');
COMMENT ON TABLE app.prefs IS 'Bob''s prefs';
COMMENT ON COLUMN app.prefs.code IS 'a code';
SELECT down, down_derived, transactional FROM migrate_define(604, 'renamed then changed',
$$ALTER TABLE app.prefs RENAME COLUMN "With Default" TO "Renamed";
ALTER TABLE app.prefs ALTER COLUMN "Renamed" SET DEFAULT 'renamed';
ALTER TABLE app.prefs RENAME TO "Prefs";
COMMENT ON TABLE app."Prefs" IS 'renamed';
COMMENT ON COLUMN "Prefs".code IS 'renamed';
CREATE TABLE app.prefs (plain int DEFAULT 2);
COMMENT ON TABLE app.prefs IS 'new';
ALTER TABLE app.prefs ALTER COLUMN plain SET DEFAULT 3;$$);

SELECT reverse_fingerprint() AS fp_before \gset
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
SELECT reverse_fingerprint() AS fp_applied \gset
SELECT :'fp_applied' <> :'fp_before' AS schema_changed;
-- Rolled back under a search_path without "Odd Schema".
SET search_path = app, public;
SET client_min_messages = warning;
SELECT version, name FROM migrate_rollback(steps => 5);
RESET client_min_messages;
SELECT reverse_fingerprint() = :'fp_before' AS schema_as_before;
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
SELECT reverse_fingerprint() = :'fp_applied' AS schema_as_applied;

-- Defining the same migrations again after they were applied is a no-op,
-- although the downs derived now would differ: the stored ones are kept.
SELECT checksum AS checksum_603 FROM migrate_migrations WHERE version = 603 \gset
SELECT down, down_derived FROM migrate_define(600, 'defaults',
$$ALTER TABLE app.settings ALTER COLUMN plain SET DEFAULT 1;
ALTER TABLE app.settings ALTER COLUMN "With Default" SET DEFAULT 'new';$$);
SELECT version, down_derived, checksum = :'checksum_603' AS same_checksum
  FROM migrate_define(603, 'comments', (SELECT up FROM migrate_migrations WHERE version = 603));
SELECT version, state FROM migrate_status() WHERE version IN (600, 603);
-- (Derived now, under another version, the down would restore the defaults
-- that migration 600 set.)
SELECT down FROM migrate_define(699, 'defaults again',
$$ALTER TABLE app.settings ALTER COLUMN plain SET DEFAULT 1;
ALTER TABLE app.settings ALTER COLUMN "With Default" SET DEFAULT 'new';$$);
SELECT migrate_remove(699);
-- The same up with a down given is a different definition.
SELECT version FROM migrate_define(600, 'defaults',
$$ALTER TABLE app.settings ALTER COLUMN plain SET DEFAULT 1;
ALTER TABLE app.settings ALTER COLUMN "With Default" SET DEFAULT 'new';$$,
    'ALTER TABLE app.settings ALTER COLUMN plain DROP DEFAULT;');

--
-- Statements that cannot be reversed: a NOTICE names the first one (its
-- number, line and text) and why; down stays NULL and down_derived false.
--
SELECT down, down_derived, transactional FROM migrate_define(900, 'drop',
$$CREATE TABLE app.scratch (a int);

DROP TABLE "Order";$$);
SELECT down, down_derived FROM migrate_define(901, 'column type',
    'ALTER TABLE app.accounts ALTER COLUMN email TYPE varchar(200);');
SELECT down, down_derived FROM migrate_define(902, 'drop column',
    'ALTER TABLE app.accounts ADD COLUMN a int, DROP COLUMN "Nick Name";');
SELECT down, down_derived FROM migrate_define(903, 'add column if not exists',
    'ALTER TABLE app.accounts ADD COLUMN IF NOT EXISTS "Nick Name" text;');
SELECT down, down_derived, transactional FROM migrate_define(904, 'unnamed index',
    'CREATE INDEX CONCURRENTLY ON app.accounts (email, id);');
SELECT down, down_derived FROM migrate_define(905, 'unnamed constraint',
    'ALTER TABLE app.accounts ADD CHECK (id > 0);');
SELECT down, down_derived FROM migrate_define(906, 'constraint from an index',
    'ALTER TABLE app.accounts ADD CONSTRAINT by_email UNIQUE USING INDEX "Accounts Email";');
SELECT down, down_derived FROM migrate_define(907, 'replace view',
    'CREATE OR REPLACE VIEW app.active_accounts AS SELECT id FROM app.accounts;');
SELECT down, down_derived FROM migrate_define(908, 'replace function',
    'CREATE OR REPLACE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS ''BEGIN RETURN OLD; END'';');
SELECT down, down_derived FROM migrate_define(909, 'replace trigger',
    'CREATE OR REPLACE TRIGGER "Touch Accounts" AFTER UPDATE ON app.accounts FOR EACH ROW EXECUTE FUNCTION app.touch();');
SELECT down, down_derived FROM migrate_define(910, 'insert',
    E'CREATE INDEX a_idx ON app.accounts (id);\n-- seed\nINSERT INTO app.accounts (email) VALUES (''a@b'');');
SELECT down, down_derived FROM migrate_define(911, 'update',
    'UPDATE app.accounts SET email = lower(email);');
SELECT down, down_derived FROM migrate_define(912, 'delete',
    'DELETE FROM app.accounts;');
SELECT down, down_derived FROM migrate_define(913, 'grant',
    'GRANT SELECT ON app.accounts TO PUBLIC;');
SELECT down, down_derived FROM migrate_define(914, 'type argument',
    'CREATE FUNCTION app.f(x app.accounts.email%TYPE) RETURNS int LANGUAGE sql AS ''SELECT 1'';');
SELECT down, down_derived FROM migrate_define(915, 'schema with objects',
    'CREATE SCHEMA extra CREATE TABLE t (a int);');
SELECT down, down_derived FROM migrate_define(916, 'set not null',
    'ALTER TABLE app.accounts ALTER COLUMN "Nick Name" SET NOT NULL;');
SELECT down, down_derived FROM migrate_define(917, 'alter view',
    'ALTER VIEW "Active" ALTER COLUMN id SET DEFAULT 0;');
-- A long statement is shown cut at 200 bytes.
SELECT down, down_derived FROM migrate_define(918, 'long',
    'UPDATE app.accounts SET email = ' || repeat('lower(', 40) || 'email' || repeat(')', 40) || ';');
SELECT count(*) AS pending_irreversible FROM migrate_migrations
 WHERE version >= 900 AND down IS NULL AND NOT down_derived;
SELECT count(migrate_remove(v)) AS removed FROM generate_series(900, 918) AS v;

-- An explicit down is kept as given, not derived.
SELECT down, down_derived FROM migrate_define(950, 'explicit down',
    'CREATE TABLE app.explicit (a int);', 'DROP TABLE app.explicit;');
SELECT down, down_derived FROM migrate_define(951, 'nothing to undo',
    'UPDATE app.accounts SET email = email;', '');

-- Rollback of an irreversible migration is refused.
SELECT down, down_derived FROM migrate_define(960, 'seed',
    $$INSERT INTO app.accounts (email) VALUES ('a@example.com');$$);
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
SELECT version, name FROM migrate_rollback();
RESET client_min_messages;
SELECT version, state, reversible FROM migrate_status() WHERE version >= 950;
SELECT count(*) AS accounts FROM app.accounts;

SET migrate.allow_drop = on;
DROP EXTENSION migrate;
DROP FUNCTION public.reverse_fingerprint();
RESET search_path;
SET client_min_messages = warning;
DROP EXTENSION "uuid-ossp";
DROP EXTENSION citext;
DROP SCHEMA app, "Odd Schema", "select", "New Schema", "Reports" CASCADE;
RESET client_min_messages;
