--
-- lint_untrusted.sql: the safety lint never runs the SQL it reads, and
-- never crashes the server.
--
-- migrate_lint() and migrate_define() judge a migration by the catalog
-- only: a function named in a partition bound, a USING expression, a
-- default, a table's CHECK, a domain's CHECK, a cast or a partition key
-- expression is never called, so none of them raises its notice, writes
-- its row or steps its sequence (a sequence step outlives a rollback).  When
-- the answer would need such code run, the finding is the conservative one
-- (the statement counts as a scan or rewrite).  Ordinary bounds, casts and
-- defaults of built-in types are still decided exactly.  What the lint
-- looked at is not kept: its probes are rolled back, even when they
-- succeed, so they hold no lock afterwards.  And ATTACH PARTITION with a
-- parent that is not partitioned, a view, the partition itself, a bound of
-- another strategy, or a partition that is missing, a view or a sequence,
-- is a statement that fails: no finding, no crash.
--
CREATE EXTENSION migrate;

--
-- Fixtures.  evil() is IMMUTABLE, so constant folding would call it;
-- evil_writer() is VOLATILE and writes a row.  Both step evil_calls.
--
CREATE TABLE side_effects (n int);
CREATE SEQUENCE evil_calls;
CREATE FUNCTION evil() RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RAISE NOTICE 'evil ran';
    PERFORM nextval('evil_calls');
    RETURN 1;
END $$;
CREATE FUNCTION evil_writer() RETURNS int LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RAISE NOTICE 'evil_writer ran';
    INSERT INTO side_effects VALUES (1);
    PERFORM nextval('evil_calls');
    RETURN 1;
END $$;
-- What the untrusted code would leave behind.
CREATE VIEW evidence AS
SELECT (SELECT count(*) FROM side_effects) AS rows_written,
       (SELECT is_called FROM evil_calls) AS evil_called;

-- A domain whose CHECK calls evil(), a function taking an array of it, an
-- enum with an assignment cast from integer that calls evil().
CREATE DOMAIN evil_dom AS integer CHECK (VALUE > evil());
CREATE FUNCTION dom_count(evil_dom[]) RETURNS integer LANGUAGE sql IMMUTABLE
    AS 'SELECT 1';
CREATE TYPE evil_enum AS ENUM ('a', 'b');
CREATE FUNCTION evil_cast(integer) RETURNS evil_enum LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN CASE evil() WHEN 1 THEN 'a' ELSE 'b' END::evil_enum;
END $$;
CREATE CAST (integer AS evil_enum) WITH FUNCTION evil_cast(integer) AS ASSIGNMENT;

-- Partitioned tables: by an integer, by the domain, by the enum, by an
-- expression calling evil(), by list and by hash.
CREATE TABLE parts (id integer NOT NULL) PARTITION BY RANGE (id);
CREATE TABLE dom_parts (id evil_dom) PARTITION BY RANGE (id);
CREATE TABLE enum_parts (e evil_enum) PARTITION BY LIST (e);
CREATE TABLE expr_parts (id integer) PARTITION BY RANGE ((id + evil()));
CREATE TABLE list_parts (id integer) PARTITION BY LIST (id);
CREATE TABLE hash_parts (id integer) PARTITION BY HASH (id);
-- Tables to attach: with a validated CHECK implying FROM (1) TO (10),
-- without one, with one that calls evil(), and for the other parents.
CREATE TABLE part_checked (id integer NOT NULL
    CONSTRAINT part_checked_id_check CHECK (id >= 1 AND id < 10));
CREATE TABLE part_plain (id integer NOT NULL);
CREATE TABLE part_evil_check (id integer NOT NULL
    CONSTRAINT part_evil_check_id_check CHECK (id >= evil() AND id < 10));
CREATE TABLE dom_part (id evil_dom);
CREATE TABLE enum_part (e evil_enum NOT NULL CONSTRAINT enum_part_e_check CHECK (e = 'a'));
CREATE TABLE expr_part (id integer);
-- A table whose CHECK would prove its column NOT NULL but calls evil(),
-- with an index on that column; a table whose columns are retyped and added
-- to.
CREATE TABLE checked (id integer
    CONSTRAINT checked_id_check CHECK (id IS NOT NULL AND id > evil()), n integer);
CREATE UNIQUE INDEX checked_id_idx ON checked (id);
CREATE TABLE victims (id integer, n integer, tags integer[]);
-- What is not a partitioned table.
CREATE TABLE plain (id integer);
CREATE VIEW plain_view AS SELECT id FROM plain;
CREATE SEQUENCE plain_seq;

-- Creating the fixtures may have run evil() (the server folds a partition
-- key expression when the table is created): start from a clean slate, in
-- a new session so that nothing the fixtures loaded is cached.
SELECT setval('evil_calls', 1, false);
\c
SELECT * FROM evidence;

--
-- Partition bounds.
--
-- Ordinary bounds are decided as before: silent with the CHECK that
-- implies them (constants, casts of constants, MINVALUE), a finding
-- without it.
SELECT statement, rule, severity FROM migrate_lint(
    'ALTER TABLE parts ATTACH PARTITION part_checked FOR VALUES FROM (1) TO (10);');
SELECT statement, rule, severity FROM migrate_lint(
    $$ALTER TABLE parts ATTACH PARTITION part_checked FOR VALUES FROM ('1') TO ('10'::integer);$$);
SELECT statement, rule, severity FROM migrate_lint(
    'ALTER TABLE parts ATTACH PARTITION part_checked FOR VALUES FROM (MINVALUE) TO (10);');
SELECT statement, rule, severity FROM migrate_lint(
    'ALTER TABLE parts ATTACH PARTITION part_plain FOR VALUES FROM (1) TO (10);');
SELECT statement, rule, severity FROM migrate_lint(
    $$ALTER TABLE enum_parts ATTACH PARTITION enum_part FOR VALUES IN ('a');$$);
SELECT statement, rule, severity FROM migrate_lint(
    'ALTER TABLE hash_parts ATTACH PARTITION part_plain FOR VALUES WITH (MODULUS 2, REMAINDER 0);');
-- A bound that is more than a constant (a call of a function, immutable
-- or volatile, an operator, a cast to a domain) is not evaluated: it counts
-- as a scan, even with the CHECK.
SELECT statement, rule, severity FROM migrate_lint(
    'ALTER TABLE parts ATTACH PARTITION part_checked FOR VALUES FROM (evil()) TO (10);');
SELECT statement, rule, severity FROM migrate_lint(
    'ALTER TABLE parts ATTACH PARTITION part_checked FOR VALUES FROM (evil_writer()) TO (10);');
SELECT statement, rule, severity FROM migrate_lint(
    'ALTER TABLE list_parts ATTACH PARTITION part_plain FOR VALUES IN (evil(), 2);');
SELECT statement, rule, severity FROM migrate_lint(
    'ALTER TABLE parts ATTACH PARTITION part_checked FOR VALUES FROM (1::evil_dom) TO (10);');
SELECT statement, rule, severity FROM migrate_lint(
    'ALTER TABLE parts ATTACH PARTITION part_checked FOR VALUES FROM (0 + 1) TO (10);');
-- A key of the domain (its CHECK runs when a bound is coerced to it), a
-- bound coerced by the cast that calls evil(), a key expression calling
-- evil(), a CHECK of the partition calling evil(): a scan.  (A new session
-- first: the server caches a domain's CHECK, with evil() folded, the first
-- time it is used.)
\c
SELECT statement, rule, severity FROM migrate_lint(
    'ALTER TABLE dom_parts ATTACH PARTITION dom_part FOR VALUES FROM (1) TO (10);');
SELECT statement, rule, severity FROM migrate_lint(
    'ALTER TABLE enum_parts ATTACH PARTITION enum_part FOR VALUES IN (1);');
SELECT statement, rule, severity FROM migrate_lint(
    'ALTER TABLE expr_parts ATTACH PARTITION expr_part FOR VALUES FROM (1) TO (10);');
SELECT statement, rule, severity FROM migrate_lint(
    'ALTER TABLE parts ATTACH PARTITION part_evil_check FOR VALUES FROM (1) TO (10);');
SELECT * FROM evidence;

--
-- ALTER COLUMN ... TYPE.
--
-- A cast between built-in types is decided as before (a rewrite), so is a
-- domain with constraints (a rewrite, read from the catalog).
\c
SELECT statement, rule, severity, message FROM migrate_lint(
    'ALTER TABLE victims ALTER COLUMN n TYPE bigint USING n::bigint;');
SELECT statement, rule, severity, message FROM migrate_lint(
    'ALTER TABLE victims ALTER COLUMN n TYPE evil_dom;');
-- String literals of built-in types are read as before.
SELECT statement, rule, severity, message FROM migrate_lint(
    $$ALTER TABLE victims ALTER COLUMN n TYPE bigint USING coalesce(n, '0');$$);
-- A USING expression that calls a function, or reads a literal through
-- the domain's CHECK, is not folded: could not be worked out.  So is a
-- literal compared with IS DISTINCT FROM, whose type the lint cannot learn
-- without reading it.
SELECT statement, rule, severity, message FROM migrate_lint(
    'ALTER TABLE victims ALTER COLUMN n TYPE integer USING n + evil();');
SELECT statement, rule, severity FROM migrate_lint(
    'ALTER TABLE victims ALTER COLUMN n TYPE integer USING evil();');
SELECT statement, rule, severity FROM migrate_lint(
    $$ALTER TABLE victims ALTER COLUMN tags TYPE integer[] USING tags || '{1}'::evil_dom[];$$);
SELECT statement, rule, severity, message FROM migrate_lint(
    $$ALTER TABLE victims ALTER COLUMN n TYPE bigint USING CASE WHEN n IS DISTINCT FROM '1' THEN n END;$$);
SELECT statement, rule, severity FROM migrate_lint(
    'ALTER TABLE victims ALTER COLUMN n TYPE evil_enum;');
SELECT * FROM evidence;

--
-- ADD COLUMN.
--
-- A default's volatility is read from the catalog: evil() is immutable
-- (silent), evil_writer() volatile (an error); neither runs.
\c
SELECT statement, rule, severity FROM migrate_lint(
    'ALTER TABLE victims ADD COLUMN d integer DEFAULT evil();');
SELECT statement, rule, severity FROM migrate_lint(
    'ALTER TABLE victims ADD COLUMN d integer DEFAULT evil_writer();');
-- A string literal of a built-in type is read as before: silent.
SELECT statement, rule, severity FROM migrate_lint(
    $$ALTER TABLE victims ADD COLUMN d timestamptz DEFAULT now() + '1 day';$$);
-- A literal read as an array of the domain would run its CHECK: whether
-- the default is volatile could not be decided (a warning).
SELECT statement, rule, severity FROM migrate_lint(
    $$ALTER TABLE victims ADD COLUMN d integer DEFAULT cardinality('{1}'::evil_dom[]);$$);
SELECT statement, rule, severity FROM migrate_lint(
    $$ALTER TABLE victims ADD COLUMN d integer DEFAULT dom_count('{1}');$$);
-- A column of the domain: its constraints are read from the catalog.
SELECT statement, rule, severity FROM migrate_lint(
    'ALTER TABLE victims ADD COLUMN d evil_dom;');
SELECT * FROM evidence;

--
-- A CHECK constraint of the table that calls evil() proves nothing: SET NOT
-- NULL and PRIMARY KEY USING INDEX count as a scan.
--
SELECT statement, rule, severity FROM migrate_lint(
    'ALTER TABLE checked ALTER COLUMN id SET NOT NULL;');
SELECT statement, rule, severity FROM migrate_lint(
    'ALTER TABLE checked ADD CONSTRAINT checked_pkey PRIMARY KEY USING INDEX checked_id_idx;');
SELECT * FROM evidence;

--
-- migrate_define() lints the same way: the findings are stored, nothing
-- runs.
--
\c
SET migrate.safety = off;
SELECT version, name FROM migrate_define(1, 'untrusted', $$
ALTER TABLE parts ATTACH PARTITION part_checked FOR VALUES FROM (evil_writer()) TO (10);
ALTER TABLE dom_parts ATTACH PARTITION dom_part FOR VALUES FROM (1) TO (10);
ALTER TABLE victims ALTER COLUMN n TYPE integer USING n + evil();
ALTER TABLE victims ADD COLUMN d integer DEFAULT dom_count('{1}');
ALTER TABLE checked ALTER COLUMN id SET NOT NULL;
$$, '');
SELECT statement, rule, severity FROM migrate_findings WHERE version = 1 ORDER BY statement, rule;
SELECT migrate_remove(1);
RESET migrate.safety;
SELECT * FROM evidence;

--
-- The lint's probes are rolled back: the tables they opened are not left
-- locked in the caller's transaction.
--
BEGIN;
SELECT statement, rule FROM migrate_lint($$
ALTER TABLE parts ATTACH PARTITION part_plain FOR VALUES FROM (1) TO (10);
ALTER TABLE victims ALTER COLUMN n TYPE bigint;
$$);
SELECT relation::regclass FROM pg_locks
 WHERE pid = pg_backend_pid() AND locktype = 'relation'
   AND relation IN ('parts'::regclass, 'part_plain'::regclass, 'victims'::regclass);
COMMIT;

--
-- ATTACH PARTITION statements that fail: no finding, and the server stays
-- up (each query below runs in the same session).
--
-- The parent is not partitioned.
SELECT statement, rule FROM migrate_lint('ALTER TABLE plain ATTACH PARTITION part_plain FOR VALUES FROM (1) TO (2);');
SELECT statement, rule FROM migrate_lint('ALTER TABLE plain ATTACH PARTITION part_plain DEFAULT;');
SELECT statement, rule FROM migrate_lint('ALTER TABLE plain ATTACH PARTITION part_plain FOR VALUES IN (1);');
SELECT statement, rule FROM migrate_lint('ALTER TABLE plain ATTACH PARTITION part_plain FOR VALUES WITH (MODULUS 2, REMAINDER 0);');
-- A table attached to itself, partitioned or not.
SELECT statement, rule FROM migrate_lint('ALTER TABLE plain ATTACH PARTITION plain FOR VALUES FROM (1) TO (2);');
SELECT statement, rule FROM migrate_lint('ALTER TABLE parts ATTACH PARTITION parts FOR VALUES FROM (1) TO (2);');
-- A view or a sequence as the parent.
SELECT statement, rule FROM migrate_lint('ALTER TABLE plain_view ATTACH PARTITION part_plain FOR VALUES FROM (1) TO (2);');
SELECT statement, rule FROM migrate_lint('ALTER TABLE plain_seq ATTACH PARTITION part_plain FOR VALUES FROM (1) TO (2);');
-- A bound of another strategy than the parent's, DEFAULT of a hash parent,
-- the wrong number of values.
SELECT statement, rule FROM migrate_lint('ALTER TABLE parts ATTACH PARTITION part_plain FOR VALUES IN (1);');
SELECT statement, rule FROM migrate_lint('ALTER TABLE parts ATTACH PARTITION part_plain FOR VALUES WITH (MODULUS 2, REMAINDER 0);');
SELECT statement, rule FROM migrate_lint('ALTER TABLE list_parts ATTACH PARTITION part_plain FOR VALUES FROM (1) TO (2);');
SELECT statement, rule FROM migrate_lint('ALTER TABLE hash_parts ATTACH PARTITION part_plain FOR VALUES IN (1);');
SELECT statement, rule FROM migrate_lint('ALTER TABLE hash_parts ATTACH PARTITION part_plain DEFAULT;');
SELECT statement, rule FROM migrate_lint('ALTER TABLE parts ATTACH PARTITION part_plain FOR VALUES FROM (1, 2) TO (3, 4);');
-- The partition is missing, a view or a sequence.
SELECT statement, rule FROM migrate_lint('ALTER TABLE parts ATTACH PARTITION missing FOR VALUES FROM (1) TO (2);');
SELECT statement, rule FROM migrate_lint('ALTER TABLE parts ATTACH PARTITION plain_view FOR VALUES FROM (1) TO (2);');
SELECT statement, rule FROM migrate_lint('ALTER TABLE parts ATTACH PARTITION plain_seq FOR VALUES FROM (1) TO (2);');
-- The same through migrate_define().
SET migrate.safety = off;
SELECT version, name FROM migrate_define(2, 'attach_fails', $$
ALTER TABLE plain ATTACH PARTITION part_plain FOR VALUES FROM (1) TO (2);
ALTER TABLE plain_view ATTACH PARTITION part_plain DEFAULT;
ALTER TABLE parts ATTACH PARTITION plain_seq FOR VALUES FROM (1) TO (2);
$$, '');
SELECT count(*) AS findings FROM migrate_findings WHERE version = 2;
SELECT migrate_remove(2);
RESET migrate.safety;
SELECT * FROM evidence;

SET migrate.allow_drop = on;
DROP EXTENSION migrate;
DROP VIEW evidence, plain_view;
DROP TABLE parts, dom_parts, enum_parts, expr_parts, list_parts, hash_parts,
    part_checked, part_plain, part_evil_check, dom_part, enum_part, expr_part,
    checked, victims, plain, side_effects;
DROP CAST (integer AS evil_enum);
DROP FUNCTION dom_count(evil_dom[]), evil_cast(integer), evil_writer();
DROP TYPE evil_enum;
DROP DOMAIN evil_dom;
DROP FUNCTION evil();
DROP SEQUENCE evil_calls, plain_seq;
