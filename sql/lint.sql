--
-- lint.sql: migrate_lint(), the safety rules.
--
-- Each rule fires on its trigger and stays silent on its safe recipe.  The
-- lint only parses the SQL and reads the catalog, it never runs it, so the
-- fixtures below are never changed.  Checked here: what the catalog decides
-- (an existing table against one created earlier in the same SQL or not
-- existing at all, a volatile against a stable default, a domain with and
-- without constraints, a varchar grown or shrunk, an index or a view on a
-- retyped column, a validated CHECK against a NOT VALID one), the rules that
-- follow the statements of one SQL text (transactions, locks held, enum
-- values), the statement and line of each finding, syntax errors, NULL and
-- empty input.
--
-- Findings are shown as statement, line, rule and severity; messages and
-- hints for a handful of representative rules only.  No row is the expected
-- output of a safe recipe.
--
CREATE EXTENSION migrate;

--
-- Fixtures: existing tables with rows, indexes and constraints.
--
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE DOMAIN nnint AS integer NOT NULL;
CREATE DOMAIN plainint AS integer;
CREATE DOMAIN rnd AS float8 DEFAULT random();
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE SEQUENCE item_seq;
CREATE FUNCTION vol_fn() RETURNS bigint LANGUAGE sql VOLATILE AS 'SELECT 1::bigint';
CREATE FUNCTION stable_fn() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT 1::bigint';
CREATE FUNCTION imm_fn() RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT 1::bigint';
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE PROCEDURE noop() LANGUAGE sql AS 'SELECT 1';
CREATE SCHEMA shop;
CREATE ACCESS METHOD heap2 TYPE TABLE HANDLER heap_tableam_handler;

-- A parent and a child with a foreign key; other_id is the leading column
-- of an index, spare_id only the second one.
CREATE TABLE parents (id bigint PRIMARY KEY, name text NOT NULL);
INSERT INTO parents SELECT g, 'p' || g FROM generate_series(1, 20) g;
CREATE TABLE children (
    id bigint PRIMARY KEY,
    parent_id bigint REFERENCES parents,
    other_id bigint,
    spare_id bigint);
INSERT INTO children SELECT g, 1 + g % 20, 1 + g % 20, 1 + g % 20 FROM generate_series(1, 40) g;
CREATE INDEX children_parent_idx ON children (parent_id);
CREATE INDEX children_other_spare_idx ON children (other_id, spare_id);

-- The main table: code has a CHECK, title is used by a view, sku and seen
-- are indexed, checked and rated have validated CHECKs proving NOT NULL,
-- pending only a NOT VALID one.
CREATE TABLE items (
    id bigint PRIMARY KEY,
    qty integer,
    price numeric(10,2),
    label varchar(10),
    code varchar(10) CONSTRAINT items_code_check CHECK (code <> ''),
    title varchar(10),
    body text,
    sku text,
    made timestamp,
    seen timestamp,
    pos posint,
    state mood,
    note text,
    checked text CONSTRAINT items_checked_nn CHECK (checked IS NOT NULL),
    rated bigint CONSTRAINT items_rated_check CHECK (rated IS NOT NULL AND rated > 0),
    pending text);
INSERT INTO items
SELECT g, g, g, 'l', 'c', 't', 'b', 's' || g, '2025-01-01', '2025-01-01', g, 'ok', NULL, 'x', g, 'x'
  FROM generate_series(1, 100) g;
ALTER TABLE items ADD CONSTRAINT items_pending_nn CHECK (pending IS NOT NULL) NOT VALID;
CREATE INDEX items_sku_idx ON items (sku);
CREATE INDEX items_seen_idx ON items (seen);
CREATE VIEW item_titles AS SELECT id, title FROM items;
CREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch();

-- No primary key; unique indexes on NOT NULL columns and on a nullable one.
CREATE TABLE tags (id bigint NOT NULL, name text NOT NULL, alias text);
INSERT INTO tags SELECT g, 'n' || g, 'a' || g FROM generate_series(1, 10) g;
CREATE UNIQUE INDEX tags_id_idx ON tags (id);
CREATE UNIQUE INDEX tags_name_idx ON tags (name);
CREATE UNIQUE INDEX tags_alias_idx ON tags (alias);

-- A partitioned table, a table to attach without a CHECK and one with a
-- validated CHECK matching the partition bound of 2027.
CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO events VALUES (1, '2025-06-01');
CREATE TABLE events_2026 (id bigint, at date);
INSERT INTO events_2026 VALUES (2, '2026-06-01');
CREATE TABLE events_2027 (id bigint, at date NOT NULL
    CONSTRAINT events_2027_at_check CHECK (at >= '2027-01-01' AND at < '2028-01-01'));
INSERT INTO events_2027 VALUES (3, '2027-06-01');

-- A materialized view with a unique index, an unlogged table, a NOT VALID
-- domain constraint (posint is used by items.pos; plainint by no table).
CREATE MATERIALIZED VIEW parent_names AS SELECT id, name FROM parents;
CREATE UNIQUE INDEX parent_names_id_idx ON parent_names (id);
CREATE UNLOGGED TABLE cache (k text PRIMARY KEY, v text);
ALTER DOMAIN posint ADD CONSTRAINT posint_max CHECK (VALUE < 1000000) NOT VALID;

--
-- Input: NULL, empty, comments only, a syntax error.
--
-- NULL input: no rows (the function is strict).
SELECT count(*) FROM migrate_lint(NULL);
-- An empty string and a comment: no rows.
SELECT count(*) FROM migrate_lint('');
SELECT count(*) FROM migrate_lint(E'-- nothing\n/* to see */');
-- Nothing unsafe: no rows.
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TABLE notes (id bigint PRIMARY KEY, body text);
ALTER TABLE items ADD COLUMN extra text;
SELECT count(*) FROM items;
$$);
-- A syntax error names the statement and its line.
SELECT statement, line, rule, severity FROM migrate_lint($$
ALTER TABLE items ADD COLUMN extra text;
-- the second statement is misspelt
ALTER TABLE items ADD COLUM other text;
$$);

--
-- Adding columns.
--
-- Volatile defaults rewrite the table: random(), clock_timestamp(),
-- gen_random_uuid(), nextval(), an expression around random(), a user
-- VOLATILE function.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN r float8 DEFAULT random();');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN t timestamptz DEFAULT clock_timestamp();');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN u uuid DEFAULT gen_random_uuid();');
SELECT statement, line, rule, severity FROM migrate_lint($$ALTER TABLE items ADD COLUMN n bigint DEFAULT nextval('item_seq');$$);
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN n bigint DEFAULT (random() * 10)::bigint;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN n bigint DEFAULT public.vol_fn();');
-- Non-volatile defaults are silent: a constant, an expression of
-- constants, now(), CURRENT_TIMESTAMP, user IMMUTABLE and STABLE
-- functions, an array cast, an enum label.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN n bigint DEFAULT 10;');
SELECT statement, line, rule, severity FROM migrate_lint($$ALTER TABLE items ADD COLUMN s text DEFAULT 'a' || 'b';$$);
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN t timestamptz DEFAULT now();');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN t timestamptz DEFAULT CURRENT_TIMESTAMP;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN n bigint DEFAULT imm_fn();');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN n bigint DEFAULT stable_fn();');
SELECT statement, line, rule, severity FROM migrate_lint($$ALTER TABLE items ADD COLUMN a bigint[] DEFAULT '{}'::int[];$$);
SELECT statement, line, rule, severity FROM migrate_lint($$ALTER TABLE items ADD COLUMN m mood DEFAULT 'ok';$$);
-- A volatile default on a table created earlier in the same SQL, or on a
-- table that does not exist: silent.
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TABLE fresh (id bigint PRIMARY KEY);
ALTER TABLE fresh ADD COLUMN r float8 DEFAULT random();
$$);
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE nosuch ADD COLUMN r float8 DEFAULT random();');
-- The safe recipe: add the column, then set the volatile default.
SELECT statement, line, rule, severity FROM migrate_lint(
    'ALTER TABLE items ADD COLUMN r float8, ALTER COLUMN r SET DEFAULT random();');
-- A stored generated column.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN q2 bigint GENERATED ALWAYS AS (qty * 2) STORED;');
-- Serial and identity columns (bigserial is also a prefer-identity
-- warning, serial a prefer-bigint-over-int one too).
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN s bigserial;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN s serial;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN s bigint GENERATED BY DEFAULT AS IDENTITY;');
-- A domain with a CHECK or NOT NULL rewrites even without a default; a
-- domain without constraints does not.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN p posint;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN p nnint;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN p plainint;');
-- A domain whose own default is volatile rewrites like a volatile default.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN p rnd;');
-- NOT NULL without a default; silent with a non-volatile default.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN r text NOT NULL;');
SELECT statement, line, rule, severity FROM migrate_lint($$ALTER TABLE items ADD COLUMN r text NOT NULL DEFAULT '';$$);
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN r timestamptz NOT NULL DEFAULT now();');
-- An inline CHECK; the safe recipe adds the CHECK NOT VALID.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN w bigint CHECK (w > 0);');
SELECT statement, line, rule, severity FROM migrate_lint(
    'ALTER TABLE items ADD COLUMN w bigint, ADD CONSTRAINT items_w_check CHECK (w > 0) NOT VALID;');
-- Inline UNIQUE and PRIMARY KEY.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN k text UNIQUE;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE tags ADD COLUMN k bigint PRIMARY KEY;');
-- Inline REFERENCES: a warning (the parent is locked, nothing is scanned;
-- owner_id has no index); an error with a default (both tables scanned).
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN owner_id bigint REFERENCES parents;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN owner_id bigint DEFAULT 1 REFERENCES parents;');
-- A foreign key to a table created earlier blocks nobody: silent inline
-- (but for the missing index), and only the existing table is scanned by a
-- validated constraint.
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TABLE owners (id bigint PRIMARY KEY);
ALTER TABLE items ADD COLUMN owner_id bigint REFERENCES owners;
$$);
SELECT statement, line, rule, severity, message FROM migrate_lint($$
CREATE TABLE owners (id bigint PRIMARY KEY);
ALTER TABLE children ADD CONSTRAINT children_owner_fkey FOREIGN KEY (other_id) REFERENCES owners;
$$);
-- A literal cast to an enum that an earlier statement creates is a
-- constant default; a function of the same migration is not known.
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TYPE weather AS ENUM ('sun', 'rain');
ALTER TABLE items ADD COLUMN sky weather NOT NULL DEFAULT 'sun'::weather;
ALTER TABLE items ADD COLUMN sky2 public.weather DEFAULT CAST('rain' AS weather);
$$);
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE FUNCTION pick() RETURNS text LANGUAGE sql AS $f$SELECT 'x'$f$;
ALTER TABLE items ADD COLUMN picked text DEFAULT pick();
$$);
-- The safe recipe: the column, then the FK NOT VALID (still without an
-- index).
SELECT statement, line, rule, severity FROM migrate_lint(
    'ALTER TABLE items ADD COLUMN owner_id bigint, ADD CONSTRAINT items_owner_fkey FOREIGN KEY (owner_id) REFERENCES parents NOT VALID;');
-- json columns, added or in a new table; jsonb is silent.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN j json;');
SELECT statement, line, rule, severity FROM migrate_lint('CREATE TABLE docs (id bigint PRIMARY KEY, j json);');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN j jsonb;');
-- Everything at once on a new table: silent.
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TABLE fresh (id bigint PRIMARY KEY);
ALTER TABLE fresh ADD COLUMN n text NOT NULL, ADD COLUMN k text UNIQUE,
    ADD COLUMN w bigint CHECK (w > 0), ADD COLUMN p posint,
    ADD COLUMN s bigint GENERATED ALWAYS AS IDENTITY,
    ADD COLUMN g bigint GENERATED ALWAYS AS (s * 2) STORED;
$$);

--
-- Constraints.
--
-- SET NOT NULL scans the table.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ALTER COLUMN note SET NOT NULL;');
-- Silent with a validated CHECK (col IS NOT NULL), also within a
-- conjunction, and on a column that is already NOT NULL.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ALTER COLUMN checked SET NOT NULL;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ALTER COLUMN rated SET NOT NULL;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE parents ALTER COLUMN name SET NOT NULL;');
-- A NOT VALID CHECK does not help.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ALTER COLUMN pending SET NOT NULL;');
-- SET NOT NULL on a column added earlier to an existing table, in another
-- statement or in the same one: the table is scanned (and has NULLs).
SELECT statement, line, rule, severity FROM migrate_lint($$
ALTER TABLE items ADD COLUMN z text;
ALTER TABLE items ALTER COLUMN z SET NOT NULL;
$$);
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN z text, ALTER COLUMN z SET NOT NULL;');
-- SET NOT NULL on a column renamed earlier: still the existing column.
SELECT statement, line, rule, severity FROM migrate_lint($$
ALTER TABLE items RENAME COLUMN note TO remark;
ALTER TABLE items ALTER COLUMN remark SET NOT NULL;
$$);
-- SET NOT NULL on a table created earlier: silent.
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TABLE fresh (id bigint PRIMARY KEY, n text);
ALTER TABLE fresh ALTER COLUMN n SET NOT NULL;
$$);
-- CHECK without NOT VALID; silent with NOT VALID and on a new table.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD CONSTRAINT items_qty_check CHECK (qty > 0);');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD CONSTRAINT items_qty_check CHECK (qty > 0) NOT VALID;');
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TABLE fresh (id bigint PRIMARY KEY, n bigint);
ALTER TABLE fresh ADD CONSTRAINT fresh_n_check CHECK (n > 0);
$$);
-- VALIDATE of a constraint added NOT VALID in the same SQL (a second ALTER
-- TABLE too, and the VALIDATE runs while ADD's lock is held).
SELECT statement, line, rule, severity FROM migrate_lint($$
ALTER TABLE items ADD CONSTRAINT items_qty_check CHECK (qty > 0) NOT VALID;
ALTER TABLE items VALIDATE CONSTRAINT items_qty_check;
$$);
-- VALIDATE alone: silent.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items VALIDATE CONSTRAINT items_pending_nn;');
-- A foreign key without NOT VALID; silent with NOT VALID (other_id leads
-- an index).
SELECT statement, line, rule, severity FROM migrate_lint(
    'ALTER TABLE children ADD CONSTRAINT children_other_fkey FOREIGN KEY (other_id) REFERENCES parents;');
SELECT statement, line, rule, severity FROM migrate_lint(
    'ALTER TABLE children ADD CONSTRAINT children_other_fkey FOREIGN KEY (other_id) REFERENCES parents NOT VALID;');
-- A foreign key in CREATE TABLE, with an index leading with its column:
-- silent.
SELECT statement, line, rule, severity FROM migrate_lint(
    'CREATE TABLE notes (parent_id bigint REFERENCES parents, id bigint, PRIMARY KEY (parent_id, id));');
-- ADD UNIQUE builds an index under the lock; silent USING INDEX.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE tags ADD CONSTRAINT tags_name_key UNIQUE (name);');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE tags ADD CONSTRAINT tags_name_key UNIQUE USING INDEX tags_name_idx;');
-- ADD PRIMARY KEY (cols); silent USING INDEX on a NOT NULL column.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE tags ADD PRIMARY KEY (id);');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE tags ADD CONSTRAINT tags_pkey PRIMARY KEY USING INDEX tags_id_idx;');
-- PRIMARY KEY USING INDEX on a nullable column.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE tags ADD CONSTRAINT tags_pkey PRIMARY KEY USING INDEX tags_alias_idx;');
-- An exclusion constraint.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD CONSTRAINT items_sku_excl EXCLUDE USING btree (sku WITH =);');
-- DROP NOT NULL.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE parents ALTER COLUMN name DROP NOT NULL;');
-- Dropping a foreign key, a column carrying one, a table having one: the
-- parent is locked too.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE children DROP CONSTRAINT children_parent_id_fkey;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE children DROP COLUMN parent_id;');
SELECT statement, line, rule, severity FROM migrate_lint('DROP TABLE children;');
-- Dropping a CHECK constraint: silent.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items DROP CONSTRAINT items_code_check;');

--
-- Column types.
--
SET TimeZone = 'Europe/Paris';
-- Rewrites: int to bigint, a shorter varchar, text to varchar(n), a larger
-- numeric scale, int to a domain with a CHECK, timestamp to timestamptz
-- outside UTC.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ALTER COLUMN qty TYPE bigint;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ALTER COLUMN label TYPE varchar(5);');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ALTER COLUMN body TYPE varchar(50);');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ALTER COLUMN price TYPE numeric(10,4);');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ALTER COLUMN qty TYPE posint;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ALTER COLUMN made TYPE timestamptz;');
-- Index rebuilt: a new collation of an indexed column.
SELECT statement, line, rule, severity FROM migrate_lint($$ALTER TABLE items ALTER COLUMN sku TYPE text COLLATE "C";$$);
-- A CHECK on the column is checked again (varchar growth is otherwise
-- catalog-only).
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ALTER COLUMN code TYPE varchar(20);');
-- A view uses the column: the statement would fail.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ALTER COLUMN title TYPE text;');
-- Catalog-only: silent (varchar(20) is still a prefer-text-field warning,
-- integer a prefer-bigint-over-int one).
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ALTER COLUMN label TYPE varchar(20);');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ALTER COLUMN label TYPE varchar;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ALTER COLUMN label TYPE text;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ALTER COLUMN body TYPE varchar;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ALTER COLUMN price TYPE numeric(12,2);');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ALTER COLUMN price TYPE numeric;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ALTER COLUMN pos TYPE integer;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ALTER COLUMN qty TYPE plainint;');
-- A column added earlier to an existing table: the table is rewritten.
SELECT statement, line, rule, severity FROM migrate_lint($$
ALTER TABLE items ADD COLUMN z bigint;
ALTER TABLE items ALTER COLUMN z TYPE text;
$$);
-- A type change on a table created earlier: silent.
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TABLE fresh (id bigint PRIMARY KEY, n text);
ALTER TABLE fresh ALTER COLUMN n TYPE bigint USING n::bigint;
$$);
SET TimeZone = 'UTC';
-- timestamp to timestamptz under UTC: silent without an index, the index
-- rebuilt with one.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ALTER COLUMN made TYPE timestamptz;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ALTER COLUMN seen TYPE timestamptz;');
RESET TimeZone;
-- The body's own SET TimeZone (SET TIME ZONE, SET LOCAL) decides, not the
-- caller's; its RESET goes back to the session's default (PST8PDT under
-- pg_regress), as when it runs.  A search_path it sets names the tables
-- after it.  Neither outlives the lint.
SELECT statement, line, rule, severity FROM migrate_lint($$
SET TIME ZONE 'UTC';
ALTER TABLE items ALTER COLUMN made TYPE timestamptz;
$$);
SET TimeZone = 'UTC';
SELECT statement, line, rule, severity FROM migrate_lint($$
SET LOCAL timezone = 'Europe/Paris';
ALTER TABLE items ALTER COLUMN made TYPE timestamptz;
$$);
SELECT statement, line, rule, severity FROM migrate_lint($$
SET timezone = 'Europe/Paris';
RESET timezone;
ALTER TABLE items ALTER COLUMN made TYPE timestamptz;
$$);
SHOW TimeZone;
RESET TimeZone;
SELECT statement, line, rule, severity FROM migrate_lint($$
SET search_path = shop;
CREATE TABLE items (id bigint PRIMARY KEY, qty integer);
ALTER TABLE items ALTER COLUMN qty TYPE bigint;
$$);
SHOW search_path;
-- A type change to the type the column was just added with does nothing.
SELECT statement, line, rule, severity FROM migrate_lint($$
ALTER TABLE items ADD COLUMN z bigint;
ALTER TABLE items ALTER COLUMN z TYPE int8;
ALTER TABLE items ADD COLUMN w varchar(10);
ALTER TABLE items ALTER COLUMN w TYPE varchar(10);
$$);
-- A view dropped earlier no longer makes the type change fail.
SELECT statement, line, rule, severity FROM migrate_lint($$
DROP VIEW item_titles;
ALTER TABLE items ALTER COLUMN title TYPE text;
$$);

--
-- Type names in CREATE TABLE, ADD COLUMN and ALTER TYPE.
--
-- varchar(n); silent for varchar and text.
SELECT statement, line, rule, severity FROM migrate_lint('CREATE TABLE people (id bigint PRIMARY KEY, name varchar(100));');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN v varchar(50);');
SELECT statement, line, rule, severity FROM migrate_lint('CREATE TABLE people (id bigint PRIMARY KEY, name varchar, bio text);');
-- timestamp without time zone, in both spellings; silent for timestamptz
-- and timestamp with time zone.
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TABLE visits (id bigint PRIMARY KEY, at timestamp);
ALTER TABLE items ADD COLUMN left_at timestamp without time zone;
$$);
SELECT statement, line, rule, severity FROM migrate_lint(
    'CREATE TABLE visits (id bigint PRIMARY KEY, at timestamptz, left_at timestamp with time zone);');
-- int, integer, int4 and serial; smallint, int2 and smallserial; serial
-- types (prefer-identity); silent for bigint and identity.
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TABLE counts (a int, b integer, c int4, d serial);
CREATE TABLE smalls (a smallint, b int2, c smallserial);
CREATE TABLE serials (a bigserial, b serial8);
$$);
SELECT statement, line, rule, severity FROM migrate_lint(
    'CREATE TABLE counts (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, n bigint);');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN small smallint;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ALTER COLUMN rated TYPE integer;');
-- char(n) and character; silent for text.
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TABLE codes (id bigint PRIMARY KEY, a char(2), b character);
ALTER TABLE items ADD COLUMN c character(3);
$$);

--
-- Indexes.
--
-- CREATE INDEX without CONCURRENTLY on an existing table, unique or not.
SELECT statement, line, rule, severity FROM migrate_lint('CREATE INDEX items_body_idx ON items (body);');
SELECT statement, line, rule, severity FROM migrate_lint('CREATE UNIQUE INDEX items_body_key ON items (body);');
-- Silent: CONCURRENTLY, a table created earlier, a table that does not
-- exist.
SELECT statement, line, rule, severity FROM migrate_lint('CREATE INDEX CONCURRENTLY items_body_idx ON items (body);');
-- IF NOT EXISTS of an index the table already has does nothing: silent;
-- not for a new name.
SELECT statement, line, rule, severity FROM migrate_lint('CREATE INDEX IF NOT EXISTS items_sku_idx ON items (sku);');
SELECT statement, line, rule, severity FROM migrate_lint('CREATE INDEX IF NOT EXISTS items_body_idx ON items (body);');
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TABLE fresh (id bigint PRIMARY KEY, n bigint);
CREATE INDEX fresh_n_idx ON fresh (n);
$$);
SELECT statement, line, rule, severity FROM migrate_lint('CREATE INDEX nosuch_n_idx ON nosuch (n);');
-- A table of the same name created in another schema does not make the
-- existing one new.
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TABLE shop.items (id bigint PRIMARY KEY, body text);
CREATE INDEX items_body_idx ON items (body);
$$);
-- A partitioned table: an error without ONLY, silent with ONLY.
SELECT statement, line, rule, severity FROM migrate_lint('CREATE INDEX events_at_idx ON events (at);');
SELECT statement, line, rule, severity FROM migrate_lint('CREATE INDEX events_at_idx ON ONLY events (at);');
-- DROP INDEX without CONCURRENTLY; silent with it, and for an index
-- created earlier.
SELECT statement, line, rule, severity FROM migrate_lint('DROP INDEX items_sku_idx;');
SELECT statement, line, rule, severity FROM migrate_lint('DROP INDEX CONCURRENTLY items_sku_idx;');
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TABLE fresh (id bigint PRIMARY KEY, n bigint);
CREATE INDEX fresh_n_idx ON fresh (n);
DROP INDEX fresh_n_idx;
$$);
-- REINDEX without CONCURRENTLY; silent with it.
SELECT statement, line, rule, severity FROM migrate_lint('REINDEX INDEX items_sku_idx;');
SELECT statement, line, rule, severity FROM migrate_lint('REINDEX TABLE items;');
SELECT statement, line, rule, severity FROM migrate_lint('REINDEX INDEX CONCURRENTLY items_sku_idx;');
-- More than three columns in a non-unique index; silent with three, and
-- for a unique index.
SELECT statement, line, rule, severity FROM migrate_lint('CREATE INDEX CONCURRENTLY items_many_idx ON items (qty, price, label, body);');
SELECT statement, line, rule, severity FROM migrate_lint('CREATE INDEX CONCURRENTLY items_three_idx ON items (qty, price, label);');
SELECT statement, line, rule, severity FROM migrate_lint('CREATE UNIQUE INDEX CONCURRENTLY items_many_key ON items (qty, price, label, body);');
-- Foreign keys whose columns do not lead an index: added NOT VALID
-- (spare_id is only the second column of an index), in CREATE TABLE.
SELECT statement, line, rule, severity FROM migrate_lint(
    'ALTER TABLE children ADD CONSTRAINT children_spare_fkey FOREIGN KEY (spare_id) REFERENCES parents NOT VALID;');
SELECT statement, line, rule, severity FROM migrate_lint(
    'CREATE TABLE notes (id bigint PRIMARY KEY, parent_id bigint REFERENCES parents);');
-- Silent: parent_id leads an index.
SELECT statement, line, rule, severity FROM migrate_lint(
    'ALTER TABLE children ADD CONSTRAINT children_parent2_fkey FOREIGN KEY (parent_id) REFERENCES parents NOT VALID;');
-- SQL that must run outside a transaction, with several statements: each
-- statement without IF [NOT] EXISTS cannot be run again after a failure;
-- the CONCURRENTLY statements are mixed with others.
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TABLE logs (id bigint PRIMARY KEY);
ALTER TABLE items ADD COLUMN extra text;
DROP INDEX CONCURRENTLY items_sku_idx;
CREATE INDEX CONCURRENTLY items_body_idx ON items (body);
$$);
-- The same with IF [NOT] EXISTS: only the mixing.
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TABLE IF NOT EXISTS logs (id bigint PRIMARY KEY);
ALTER TABLE items ADD COLUMN IF NOT EXISTS extra text;
DROP INDEX CONCURRENTLY IF EXISTS items_sku_idx;
CREATE INDEX CONCURRENTLY IF NOT EXISTS items_body_idx ON items (body);
$$);
-- Other CONCURRENTLY statements mixed with others.
SELECT statement, line, rule, severity FROM migrate_lint($$
ALTER TABLE items ADD COLUMN IF NOT EXISTS extra text;
DROP INDEX CONCURRENTLY IF EXISTS items_sku_idx;
REINDEX INDEX CONCURRENTLY items_seen_idx;
$$);
-- Transactional SQL does not need IF [NOT] EXISTS: silent.
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TABLE logs (id bigint PRIMARY KEY, n bigint);
CREATE INDEX logs_n_idx ON logs (n);
ALTER TABLE logs ADD COLUMN extra text;
$$);

--
-- Renames and drops.
--
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items RENAME COLUMN note TO remark;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items RENAME TO goods;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER SCHEMA shop RENAME TO store;');
SELECT statement, line, rule, severity FROM migrate_lint($$ALTER TYPE mood RENAME VALUE 'ok' TO 'fine';$$);
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items DROP COLUMN note;');
SELECT statement, line, rule, severity FROM migrate_lint('DROP TABLE items;');
SELECT statement, line, rule, severity FROM migrate_lint('DROP DATABASE legacy;');
SELECT statement, line, rule, severity FROM migrate_lint('TRUNCATE items;');
SELECT statement, line, rule, severity FROM migrate_lint('TRUNCATE parents CASCADE;');
SELECT statement, line, rule, severity FROM migrate_lint('DROP SCHEMA shop CASCADE;');
-- Silent: DROP SCHEMA without CASCADE.
SELECT statement, line, rule, severity FROM migrate_lint('DROP SCHEMA shop;');
-- Silent: a table and columns created earlier in the same SQL.
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TABLE fresh (id bigint PRIMARY KEY, n bigint, m bigint);
ALTER TABLE fresh RENAME COLUMN n TO n2;
ALTER TABLE fresh DROP COLUMN m;
TRUNCATE fresh;
ALTER TABLE fresh RENAME TO fresher;
DROP TABLE fresher;
$$);
-- A column added earlier in the same SQL to an existing table is renamed
-- silently (the renamed column is new).
SELECT statement, line, rule, severity FROM migrate_lint($$
ALTER TABLE items ADD COLUMN tmp text;
ALTER TABLE items RENAME COLUMN tmp TO tmp2;
$$);
-- Dropping a table that does not exist: silent.
SELECT statement, line, rule, severity FROM migrate_lint('DROP TABLE IF EXISTS nosuch;');

--
-- Domains and enums.
--
-- CREATE DOMAIN with a CHECK or NOT NULL; silent without constraints.
SELECT statement, line, rule, severity FROM migrate_lint('CREATE DOMAIN pct AS bigint CHECK (VALUE BETWEEN 0 AND 100);');
SELECT statement, line, rule, severity FROM migrate_lint('CREATE DOMAIN req AS text NOT NULL;');
SELECT statement, line, rule, severity FROM migrate_lint('CREATE DOMAIN label_t AS text;');
-- A default, NULL or a collation is no constraint: silent.
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE DOMAIN label_t AS text DEFAULT '';
CREATE DOMAIN note_t AS text NULL;
CREATE DOMAIN code_t AS text COLLATE "C";
$$);
-- ALTER DOMAIN of a domain used by a table: ADD CONSTRAINT, VALIDATE
-- CONSTRAINT, SET NOT NULL.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER DOMAIN posint ADD CONSTRAINT posint_small CHECK (VALUE < 1000);');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER DOMAIN posint VALIDATE CONSTRAINT posint_max;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER DOMAIN posint SET NOT NULL;');
-- Silent: ADD CONSTRAINT NOT VALID; a domain no table uses.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER DOMAIN posint ADD CONSTRAINT posint_small CHECK (VALUE < 1000) NOT VALID;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER DOMAIN plainint ADD CONSTRAINT plainint_pos CHECK (VALUE > 0);');
-- ADD VALUE without BEFORE/AFTER; silent with them.
SELECT statement, line, rule, severity FROM migrate_lint($$ALTER TYPE mood ADD VALUE 'angry';$$);
SELECT statement, line, rule, severity FROM migrate_lint($$ALTER TYPE mood ADD VALUE 'angry' BEFORE 'sad';$$);
-- A new enum value used by a later statement of the same SQL; silent when
-- the later statement uses only old values.
SELECT statement, line, rule, severity FROM migrate_lint($$
ALTER TYPE mood ADD VALUE 'angry' AFTER 'happy';
UPDATE items SET state = 'angry' WHERE state = 'sad';
$$);
SELECT statement, line, rule, severity FROM migrate_lint($$
ALTER TYPE mood ADD VALUE 'angry' AFTER 'happy';
UPDATE items SET state = 'happy' WHERE state = 'sad';
$$);
-- CREATE TYPE AS ENUM.
SELECT statement, line, rule, severity FROM migrate_lint($$CREATE TYPE color AS ENUM ('red', 'blue');$$);

--
-- Partitions, maintenance and other table-level operations.
--
-- DETACH without CONCURRENTLY; silent with it.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE events DETACH PARTITION events_2025;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE events DETACH PARTITION events_2025 CONCURRENTLY;');
-- ATTACH of a table without a CHECK implying the bound, or with a CHECK
-- for another range; silent with a matching CHECK and for a new table.
SELECT statement, line, rule, severity FROM migrate_lint(
    $$ALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');$$);
SELECT statement, line, rule, severity FROM migrate_lint(
    $$ALTER TABLE events ATTACH PARTITION events_2027 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');$$);
SELECT statement, line, rule, severity FROM migrate_lint(
    $$ALTER TABLE events ATTACH PARTITION events_2027 FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');$$);
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TABLE events_2028 (id bigint, at date);
ALTER TABLE events ATTACH PARTITION events_2028 FOR VALUES FROM ('2028-01-01') TO ('2029-01-01');
$$);
-- CLUSTER and VACUUM FULL; silent for plain VACUUM.
SELECT statement, line, rule, severity FROM migrate_lint('CLUSTER items USING items_pkey;');
SELECT statement, line, rule, severity FROM migrate_lint('VACUUM FULL items;');
SELECT statement, line, rule, severity FROM migrate_lint('VACUUM items;');
-- No prefer-repack for VACUUM FULL of a table created earlier, or that does
-- not exist (VACUUM among other statements is still reported for making
-- the migration run without a transaction).
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TABLE IF NOT EXISTS fresh (id bigint PRIMARY KEY);
VACUUM FULL fresh;
$$);
SELECT statement, line, rule, severity FROM migrate_lint('VACUUM FULL nosuch;');
-- SET UNLOGGED, SET LOGGED, SET TABLESPACE, SET ACCESS METHOD.
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items SET UNLOGGED;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE cache SET LOGGED;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items SET TABLESPACE fastdisk;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items SET ACCESS METHOD heap2;');
-- REFRESH MATERIALIZED VIEW; silent CONCURRENTLY.
SELECT statement, line, rule, severity FROM migrate_lint('REFRESH MATERIALIZED VIEW parent_names;');
SELECT statement, line, rule, severity FROM migrate_lint('REFRESH MATERIALIZED VIEW CONCURRENTLY parent_names;');
-- Row-level security and policies.
SELECT statement, line, rule, severity FROM migrate_lint($$
ALTER TABLE items ENABLE ROW LEVEL SECURITY;
CREATE POLICY items_all ON items USING (true);
$$);
-- Triggers on an existing table; silent on a new one.
SELECT statement, line, rule, severity FROM migrate_lint(
    'CREATE TRIGGER items_audit AFTER UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch();');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items DISABLE TRIGGER items_touch;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ENABLE TRIGGER items_touch;');
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TABLE fresh (id bigint PRIMARY KEY);
CREATE TRIGGER fresh_touch BEFORE UPDATE ON fresh FOR EACH ROW EXECUTE FUNCTION touch();
$$);
-- Two ALTER TABLE statements on one existing table; silent combined, and
-- on a new table.
SELECT statement, line, rule, severity FROM migrate_lint($$
ALTER TABLE items ADD COLUMN a text;
ALTER TABLE items ADD COLUMN b text;
$$);
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TABLE items ADD COLUMN a text, ADD COLUMN b text;');
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TABLE fresh (id bigint PRIMARY KEY);
ALTER TABLE fresh ADD COLUMN a text;
ALTER TABLE fresh ADD COLUMN b text;
$$);
-- Data changes after a statement that took ACCESS EXCLUSIVE (an UPDATE)
-- or SHARE ROW EXCLUSIVE (a trigger, then an INSERT ... SELECT).  An index
-- build afterwards is reported by its own rule only, and line numbers skip
-- comments and blank lines.
SELECT statement, line, rule, severity FROM migrate_lint($$
ALTER TABLE items ADD COLUMN c bigint;
UPDATE items SET c = 0;
$$);
SELECT statement, line, rule, severity FROM migrate_lint($$
-- the column first
ALTER TABLE items ADD COLUMN c bigint;

/* then its index */
CREATE INDEX items_c_idx ON items (c);
$$);
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TRIGGER items_audit AFTER UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch();
INSERT INTO items (id) SELECT id + 1000 FROM items;
$$);
-- Silent: a few rows inserted with VALUES take a moment.
SELECT statement, line, rule, severity FROM migrate_lint($$
ALTER TABLE items ADD COLUMN c bigint;
INSERT INTO parents (id, name) VALUES (1000, 'x');
$$);
-- An explicit LOCK in ACCESS EXCLUSIVE mode, then an UPDATE.
SELECT statement, line, rule, severity FROM migrate_lint($$
LOCK TABLE items IN ACCESS EXCLUSIVE MODE;
UPDATE items SET qty = 0;
$$);
-- DROP TRIGGER takes ACCESS EXCLUSIVE on its table, and holds it for the
-- statements after it; silent on a table created earlier.
SELECT statement, line, rule, severity FROM migrate_lint('DROP TRIGGER items_touch ON items;');
SELECT statement, line, rule, severity, message FROM migrate_lint($$
DROP TRIGGER IF EXISTS items_touch ON public.items;
UPDATE items SET qty = 0;
$$);
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TABLE fresh (id bigint PRIMARY KEY);
CREATE TRIGGER fresh_touch BEFORE UPDATE ON fresh FOR EACH ROW EXECUTE FUNCTION touch();
DROP TRIGGER fresh_touch ON fresh;
$$);
-- A new table's foreign key holds SHARE ROW EXCLUSIVE on the table it
-- references until commit: a long INSERT ... SELECT from it afterwards keeps
-- its writers waiting.  Silent when the referenced table is new too.
SELECT statement, line, rule, severity, message FROM migrate_lint($$
CREATE TABLE parent_notes (id bigint PRIMARY KEY, parent_id bigint REFERENCES parents);
CREATE INDEX parent_notes_parent_id_idx ON parent_notes (parent_id);
INSERT INTO parent_notes SELECT id, id FROM parents;
$$);
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TABLE kinds (id bigint PRIMARY KEY);
CREATE TABLE kind_notes (id bigint PRIMARY KEY, kind_id bigint,
                         FOREIGN KEY (kind_id) REFERENCES kinds);
CREATE INDEX kind_notes_kind_id_idx ON kind_notes (kind_id);
INSERT INTO kind_notes SELECT id, NULL FROM parents;
$$);
-- CREATE TABLE AS and CREATE MATERIALIZED VIEW copy the data they read
-- while an earlier statement's lock is held; silent WITH NO DATA, alone, or
-- reading only tables created earlier.
SELECT statement, line, rule, severity, message FROM migrate_lint($$
ALTER TABLE items ADD COLUMN c bigint;
CREATE TABLE items_copy AS SELECT * FROM items;
$$);
SELECT statement, line, rule, severity, message FROM migrate_lint($$
LOCK TABLE parents IN SHARE MODE;
CREATE MATERIALIZED VIEW parent_ids AS SELECT p.id FROM (SELECT id FROM parents) p;
$$);
SELECT statement, line, rule, severity FROM migrate_lint($$
ALTER TABLE items ADD COLUMN c bigint;
CREATE MATERIALIZED VIEW item_ids AS SELECT id FROM items WITH NO DATA;
$$);
SELECT statement, line, rule, severity FROM migrate_lint('CREATE TABLE items_copy AS SELECT * FROM items;');
SELECT statement, line, rule, severity FROM migrate_lint($$
ALTER TABLE items ADD COLUMN c bigint;
CREATE TABLE fresh (id bigint);
CREATE TABLE fresh_copy AS SELECT * FROM fresh;
$$);
-- renaming-type: ALTER TYPE (or DOMAIN) ... RENAME TO of an existing type
-- breaks the code that names it; silent for a type created earlier.
SELECT statement, line, rule, severity, message FROM migrate_lint('ALTER TYPE mood RENAME TO feeling;');
SELECT statement, line, rule, severity FROM migrate_lint('ALTER DOMAIN posint RENAME TO positive;');
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TYPE weather AS ENUM ('sun', 'rain');
ALTER TYPE weather RENAME TO sky;
$$);
SELECT statement, line, rule, severity FROM migrate_lint('ALTER TYPE mood RENAME VALUE ''ok'' TO ''fine'';');
-- Silent: a statement alone, after a weaker lock, on a new table.
SELECT statement, line, rule, severity FROM migrate_lint('UPDATE items SET qty = 0 WHERE id = 1;');
SELECT statement, line, rule, severity FROM migrate_lint($$
ALTER TABLE items SET (fillfactor = 90);
UPDATE items SET qty = 0 WHERE id = 1;
$$);
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TABLE fresh (id bigint PRIMARY KEY, n bigint);
INSERT INTO fresh VALUES (1, 1);
$$);
-- Transaction control: migrate owns transactions; a BEGIN without COMMIT.
SELECT statement, line, rule, severity FROM migrate_lint($$
BEGIN;
ALTER TABLE items ADD COLUMN c text;
COMMIT;
$$);
SELECT statement, line, rule, severity FROM migrate_lint('SAVEPOINT s1;');
SELECT statement, line, rule, severity FROM migrate_lint('ROLLBACK;');
SELECT statement, line, rule, severity FROM migrate_lint($$
BEGIN;
ALTER TABLE items ADD COLUMN c text;
$$);
-- Names longer than 63 bytes, of a table and of a column; silent at 63.
SELECT statement, line, rule, severity FROM migrate_lint($$
CREATE TABLE orders_with_a_name_long_enough_to_be_cut_at_sixty_three_bytes_xx (id bigint);
ALTER TABLE items ADD COLUMN column_with_a_name_long_enough_to_be_cut_at_sixty_three_bytes_xx text;
$$);
SELECT statement, line, rule, severity FROM migrate_lint(
    'CREATE TABLE orders_with_a_name_long_enough_to_be_cut_at_sixty_three_bytes_x (id bigint);');
-- The same column twice: UPDATE SET, INSERT, CREATE TABLE; silent when
-- distinct.
SELECT statement, line, rule, severity FROM migrate_lint($$
UPDATE items SET qty = 1, qty = 2 WHERE id = 1;
INSERT INTO parents (id, id) VALUES (100, 101);
CREATE TABLE dup (id bigint, id bigint);
$$);
SELECT statement, line, rule, severity FROM migrate_lint($$
UPDATE items SET qty = 1, price = 2 WHERE id = 1;
INSERT INTO parents (id, name) VALUES (100, 'x');
$$);
-- A backfill is known: silent (its migration runs outside a transaction,
-- batch by batch).
SELECT statement, line, rule, severity FROM migrate_lint(
    $$CALL migrate_backfill('items', 'qty = 0', 'qty IS NULL')$$);
-- DO blocks and CALL hide what they run.
SELECT statement, line, rule, severity FROM migrate_lint($$
DO $d$BEGIN PERFORM 1; END$d$;
CALL noop();
$$);

--
-- Messages and hints of representative rules.
--
\x on
SELECT rule, message, hint FROM migrate_lint('ALTER TABLE items ADD COLUMN r float8 DEFAULT random();');
SELECT rule, message, hint FROM migrate_lint('ALTER TABLE items ALTER COLUMN note SET NOT NULL;');
SET TimeZone = 'Europe/Paris';
SELECT rule, message, hint FROM migrate_lint('ALTER TABLE items ALTER COLUMN made TYPE timestamptz;');
RESET TimeZone;
SELECT rule, message, hint FROM migrate_lint('ALTER TABLE items ALTER COLUMN title TYPE text;');
SELECT rule, message, hint FROM migrate_lint('CREATE INDEX items_body_idx ON items (body);');
SELECT rule, message, hint FROM migrate_lint(
    $$ALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');$$);
SELECT rule, message, hint FROM migrate_lint($$
ALTER TABLE items ADD COLUMN c bigint;
UPDATE items SET c = 0;
$$);
SELECT rule, message, hint FROM migrate_lint('ALTER TABLE children DROP CONSTRAINT children_parent_id_fkey;');
\x off

SET migrate.allow_drop = on;
DROP EXTENSION migrate;
DROP MATERIALIZED VIEW parent_names;
DROP VIEW item_titles;
DROP TABLE items, children, parents, tags, events, events_2026, events_2027, cache;
DROP ACCESS METHOD heap2;
DROP SCHEMA shop;
DROP PROCEDURE noop();
DROP FUNCTION vol_fn(), stable_fn(), imm_fn(), touch();
DROP SEQUENCE item_seq;
DROP TYPE mood;
DROP DOMAIN posint, nnint, plainint, rnd;
