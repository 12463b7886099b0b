--
-- backfill.sql: CALL migrate_backfill().
--
-- A table is updated in key order, one committed batch at a time.  Checked
-- here: a single-column, a composite and a timestamp key, a unique index on
-- NOT NULL columns when there is no primary key, the where clause, progress and
-- resumption recorded in migrate_backfills, a run that stops on an error
-- and resumes after its last committed batch with every row updated
-- exactly once, fragments that try to reach out of their place, relations
-- that are not tables, and the other errors; a backfill as the body of a
-- migration run by deploy; keys compared as their index orders them
-- (citext, ltree, another collation, an operator class of their own, a
-- descending column), each batch served by the index; and the pause.
--
-- Runs under writers, kills and the benchmark are in the TAP tests and
-- test/bench.
--
CREATE EXTENSION migrate;
\set VERBOSITY default

CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, email_lower text,
                       touched integer NOT NULL DEFAULT 0);
INSERT INTO accounts (id, email) SELECT g, 'User' || g || '@Example.COM' FROM generate_series(1, 2500) g;

-- Every row missing its lower-cased email, in batches of 1000: three
-- batches, each row touched once.
CALL migrate_backfill('accounts', 'email_lower = lower(email), touched = touched + 1',
                      'email_lower IS NULL', 1000);
SELECT count(*) FILTER (WHERE email_lower = lower(email)) AS done, min(touched), max(touched)
  FROM accounts;
SELECT id, relation, set_clause, where_clause, batch_size, last_key, rows_done, batches,
       finished_at IS NOT NULL AS finished, pid IS NOT NULL AS has_pid, started_by
  FROM migrate_backfills;

-- Called again: a new run, which finds nothing left to do.
CALL migrate_backfill('accounts', 'email_lower = lower(email), touched = touched + 1',
                      'email_lower IS NULL', 1000);
SELECT max(touched) FROM accounts;
SELECT id, rows_done, batches, last_key FROM migrate_backfills ORDER BY id;

-- Without a where clause every row is updated; text keys in key order,
-- quoted names.
CREATE TABLE "Odd Names" ("Code" text PRIMARY KEY, "Value" integer);
INSERT INTO "Odd Names" SELECT 'k' || g, g FROM generate_series(1, 30) g;
CALL migrate_backfill('"Odd Names"', '"Value" = "Value" * 10', batch_size => 7);
SELECT sum("Value") FROM "Odd Names";
SELECT rows_done, batches, last_key FROM migrate_backfills WHERE relation = '"Odd Names"'::regclass;

--
-- A composite key, and a run that stops on an error part-way: the batches
-- before it stay committed, and the same call resumes after the last one.
--
CREATE TABLE divisors (order_id integer PRIMARY KEY, divisor integer NOT NULL);
INSERT INTO divisors SELECT g, 1 FROM generate_series(1, 100) g;
UPDATE divisors SET divisor = 0 WHERE order_id = 60;
CREATE TABLE lines (order_id integer, line integer, qty integer, doubled integer,
                    touched integer NOT NULL DEFAULT 0, PRIMARY KEY (order_id, line));
INSERT INTO lines (order_id, line, qty) SELECT o, l, o * l FROM generate_series(1, 100) o, generate_series(1, 5) l;
CALL migrate_backfill('lines',
    $$doubled = qty * 2 / (SELECT d.divisor FROM divisors d WHERE d.order_id = lines.order_id),
      touched = touched + 1$$, batch_size => 50);
SELECT count(*) FILTER (WHERE doubled IS NOT NULL) AS done FROM lines;
SELECT last_key, rows_done, batches, finished_at IS NULL AS unfinished
  FROM migrate_backfills WHERE relation = 'lines'::regclass;
-- The data fixed, the same call resumes.
UPDATE divisors SET divisor = 1 WHERE order_id = 60;
CALL migrate_backfill('lines',
    $$doubled = qty * 2 / (SELECT d.divisor FROM divisors d WHERE d.order_id = lines.order_id),
      touched = touched + 1$$, batch_size => 50);
SELECT count(*) FILTER (WHERE doubled = qty * 2) AS done, min(touched), max(touched) FROM lines;
SELECT last_key, rows_done, batches, finished_at IS NOT NULL AS finished
  FROM migrate_backfills WHERE relation = 'lines'::regclass;

-- The last key is kept as text written under fixed settings: a run stopped
-- under one DateStyle resumes where it stopped under another.
CREATE TABLE days (day timestamp PRIMARY KEY, divisor integer NOT NULL DEFAULT 1, done boolean);
INSERT INTO days (day) SELECT d FROM generate_series('2024-01-01'::timestamp, '2024-03-31', '1 day') d;
UPDATE days SET divisor = 0 WHERE day = '2024-01-15';
SET DateStyle = 'SQL, DMY';
CALL migrate_backfill('days', 'done = (1 / divisor) = 1', NULL, 10);
SELECT last_key, rows_done FROM migrate_backfills WHERE relation = 'days'::regclass;
UPDATE days SET divisor = 1;
SET DateStyle = 'ISO, MDY';
CALL migrate_backfill('days', 'done = (1 / divisor) = 1', NULL, 10);
RESET DateStyle;
SELECT count(*) FILTER (WHERE done) AS done, count(*) FROM days;

-- A stopped run cannot resume once the table's key changed.
CREATE TABLE rekeyed (a integer PRIMARY KEY, b integer NOT NULL, v integer);
INSERT INTO rekeyed SELECT g, g, 0 FROM generate_series(1, 20) g;
CALL migrate_backfill('rekeyed', 'v = 1 / (a - 15)', NULL, 10);
ALTER TABLE rekeyed DROP CONSTRAINT rekeyed_pkey, ADD PRIMARY KEY (a, b);
CALL migrate_backfill('rekeyed', 'v = 1 / (a - 15)', NULL, 10);

-- No primary key, but a unique index on NOT NULL columns.
CREATE TABLE tags (name text NOT NULL, label text);
CREATE UNIQUE INDEX tags_name_key ON tags (name);
INSERT INTO tags SELECT 't' || g, NULL FROM generate_series(1, 10) g;
CALL migrate_backfill('tags', $$label = upper(name)$$, 'label IS NULL', 3);
SELECT count(*) FILTER (WHERE label = upper(name)) AS done FROM tags;

--
-- Errors.
--
-- No usable key: no unique index, or one on a nullable column.
CREATE TABLE loose (a integer, b text);
CALL migrate_backfill('loose', 'b = a::text');
CREATE UNIQUE INDEX loose_a_key ON loose (a);
CALL migrate_backfill('loose', 'b = a::text');
-- Not a table, or not there.
CREATE VIEW accounts_view AS SELECT * FROM accounts;
CALL migrate_backfill('accounts_view', 'touched = 0');
CALL migrate_backfill('no_such_table', 'touched = 0');
CREATE SEQUENCE accounts_seq;
CALL migrate_backfill('accounts_seq', 'touched = 0');
CALL migrate_backfill('accounts_pkey', 'touched = 0');
CREATE MATERIALIZED VIEW accounts_matview AS SELECT * FROM accounts;
CALL migrate_backfill('accounts_matview', 'touched = 0');
CALL migrate_backfill('0'::regclass, 'touched = 0');
CREATE TABLE dropped (id integer PRIMARY KEY);
SELECT 'dropped'::regclass::oid AS dropped_oid \gset
DROP TABLE dropped;
\set VERBOSITY sqlstate
CALL migrate_backfill(:dropped_oid::regclass, 'id = id');
\set VERBOSITY default
-- Fragments that reach out of their place.
CALL migrate_backfill('accounts', 'touched = 0; DROP TABLE accounts');
CALL migrate_backfill('accounts', 'touched = 0 WHERE false');
CALL migrate_backfill('accounts', 'touched = 0 FROM tags');
CALL migrate_backfill('accounts', 'touched = 0', 'true) OR (true');
CALL migrate_backfill('accounts', 'touched = 0', 'true; COMMIT');
CALL migrate_backfill('accounts', 'touched = 0', 'true ORDER BY 1');
CALL migrate_backfill('accounts', 'touched = 0', 'id >');
-- Parentheses, semicolons and comments inside strings and comments are
-- fine; a line comment ends with its line.
CALL migrate_backfill('accounts', $$email_lower = lower(email) || ''  -- a comment ) ;$$,
                      $$email <> 'a);b' /* ( */$$);
SELECT count(*) FROM accounts WHERE email_lower <> lower(email);
-- Arguments.
CALL migrate_backfill(NULL, 'touched = 0');
CALL migrate_backfill('accounts', NULL);
CALL migrate_backfill('accounts', 'touched = 0', batch_size => 0);
CALL migrate_backfill('accounts', 'touched = 0', pause => '-1 second');
CALL migrate_backfill('accounts', 'touched = 0', pause => '1 month');
-- At most a day (24856 days used to overflow to no pause at all).
CALL migrate_backfill('accounts', 'touched = 0', pause => '24856 days');
CALL migrate_backfill('accounts', 'touched = 0', pause => '1 day 00:00:00.000001');
CALL migrate_backfill('accounts', 'touched = 0', pause => '2562047788 hours');
-- Where a procedure cannot commit.
BEGIN;
CALL migrate_backfill('accounts', 'touched = 0');
ROLLBACK;
-- An error in the SET list surfaces with the batch query.
CALL migrate_backfill('accounts', 'no_such_column = 1');

--
-- As the body of a migration: migrate_define() sees that it commits, so the
-- migration runs outside a transaction block, by deploy.
--
UPDATE accounts SET email_lower = NULL WHERE id % 2 = 0;
SET client_min_messages = warning;
SELECT version, transactional, down FROM migrate_define(1, 'backfill_email_lower',
    $$CALL migrate_backfill('accounts', 'email_lower = lower(email)', 'email_lower IS NULL', 500)$$,
    '');
SELECT * FROM migrate_apply();
CALL migrate_deploy();
RESET client_min_messages;
SELECT version, state FROM migrate_status();
SELECT count(*) FILTER (WHERE email_lower IS NULL) AS missing FROM accounts;

--
-- Keys are compared as their index orders them: with the operators of its
-- operator family, written qualified, under its collation, in its
-- direction; not with whatever < and > the key's text or type would find.
--
-- citext: case-insensitive order, which is not that of text ("C" puts
-- upper case first).
CREATE EXTENSION citext;
CREATE TABLE ci (k citext COLLATE "C" PRIMARY KEY, n integer NOT NULL DEFAULT 0);
INSERT INTO ci (k) VALUES ('a'), ('B'), ('c'), ('D'), ('e');
CALL migrate_backfill('ci', 'n = n + 1', NULL, 1);
SELECT k, n FROM ci ORDER BY k;
SELECT last_key, rows_done, batches FROM migrate_backfills WHERE relation = 'ci'::regclass;
-- ltree, in a schema that is not on the search_path: it has no operators
-- in pg_catalog.
CREATE SCHEMA "Tree Ops";
CREATE EXTENSION ltree SCHEMA "Tree Ops";
CREATE TABLE tree (path "Tree Ops".ltree PRIMARY KEY, n integer NOT NULL DEFAULT 0);
INSERT INTO tree (path) VALUES ('top'), ('top.b'), ('top.a.x'), ('top.a'), ('other');
CALL migrate_backfill('tree', 'n = n + 1', NULL, 2);
SELECT path, n FROM tree ORDER BY path;
SELECT last_key, rows_done, batches FROM migrate_backfills WHERE relation = 'tree'::regclass;
-- A composite key of an integer and a citext: each column with its own
-- operators (no row comparison takes both), stopped part-way by an error
-- and resumed.
CREATE TABLE members (tenant integer, email citext COLLATE "C", n integer NOT NULL DEFAULT 0,
                      divisor integer NOT NULL DEFAULT 1, PRIMARY KEY (tenant, email));
INSERT INTO members (tenant, email)
  SELECT t, e FROM generate_series(1, 3) t, unnest(ARRAY['a', 'B', 'c', 'D', 'e']) e;
UPDATE members SET divisor = 0 WHERE (tenant, email) = (2, 'd');
CALL migrate_backfill('members', 'n = n + 1 / divisor', NULL, 2);
SELECT last_key, rows_done, finished_at IS NULL AS unfinished
  FROM migrate_backfills WHERE relation = 'members'::regclass;
UPDATE members SET divisor = 1;
CALL migrate_backfill('members', 'n = n + 1 / divisor', NULL, 2);
SELECT tenant, string_agg(email || '=' || n, ' ' ORDER BY email) FROM members GROUP BY tenant ORDER BY tenant;
SELECT last_key, rows_done, batches FROM migrate_backfills WHERE relation = 'members'::regclass;
-- A unique index under another collation than its column's, and one of an
-- operator class of its own (varchar compared as text, byte by byte): each
-- walked in the index's order, which last_key shows.
CREATE TABLE icu_keyed (k text COLLATE "C" NOT NULL, n integer NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX icu_keyed_k ON icu_keyed (k COLLATE "und-x-icu");
INSERT INTO icu_keyed (k) VALUES ('a'), ('B'), ('c'), ('D');
CALL migrate_backfill('icu_keyed', 'n = n + 1', NULL, 1);
SELECT last_key, rows_done, batches FROM migrate_backfills WHERE relation = 'icu_keyed'::regclass;
SELECT count(*) FILTER (WHERE n = 1) AS once FROM icu_keyed;
CREATE TABLE pattern_keyed (k varchar COLLATE "und-x-icu" NOT NULL, n integer NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX pattern_keyed_k ON pattern_keyed (k varchar_pattern_ops);
INSERT INTO pattern_keyed (k) VALUES ('a'), ('B'), ('c'), ('D');
CALL migrate_backfill('pattern_keyed', 'n = n + 1', NULL, 1);
SELECT last_key, rows_done, batches FROM migrate_backfills WHERE relation = 'pattern_keyed'::regclass;
SELECT count(*) FILTER (WHERE n = 1) AS once FROM pattern_keyed;
-- A unique index with a descending column is walked in its own direction.
CREATE TABLE descending (a integer NOT NULL, b integer NOT NULL, n integer NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX descending_a_b ON descending (a, b DESC);
INSERT INTO descending (a, b) SELECT a, b FROM generate_series(1, 2) a, generate_series(1, 3) b;
CALL migrate_backfill('descending', 'n = n + 1', NULL, 4);
SELECT last_key, rows_done, batches FROM migrate_backfills WHERE relation = 'descending'::regclass;
SELECT count(*) FILTER (WHERE n = 1) AS once FROM descending;
-- A partitioned table.
CREATE TABLE parted (id integer PRIMARY KEY, n integer NOT NULL DEFAULT 0) PARTITION BY RANGE (id);
CREATE TABLE parted_low PARTITION OF parted FOR VALUES FROM (1) TO (5);
CREATE TABLE parted_high PARTITION OF parted FOR VALUES FROM (5) TO (10);
INSERT INTO parted (id) SELECT generate_series(1, 9);
CALL migrate_backfill('parted', 'n = n + 1', NULL, 4);
SELECT count(*) FILTER (WHERE n = 1) AS once FROM parted;

-- Every batch is served by the key's index, whatever its type, collation
-- or operator class: the tables are never read in full (seq_scan stays put).
-- (The update of a batch of a composite key is a join, which the planner
-- may do by hash on a table this small.)
CREATE TABLE scan_bigint (id bigint PRIMARY KEY, n integer NOT NULL DEFAULT 0);
INSERT INTO scan_bigint (id) SELECT g FROM generate_series(1, 10000) g;
CREATE TABLE scan_citext (k citext PRIMARY KEY, n integer NOT NULL DEFAULT 0);
INSERT INTO scan_citext (k) SELECT 'Key' || g FROM generate_series(1, 10000) g;
CREATE TABLE scan_icu (k text COLLATE "C" NOT NULL, n integer NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX scan_icu_k ON scan_icu (k COLLATE "und-x-icu");
INSERT INTO scan_icu (k) SELECT 'Key' || g FROM generate_series(1, 10000) g;
CREATE TABLE scan_pattern (k varchar NOT NULL, n integer NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX scan_pattern_k ON scan_pattern (k varchar_pattern_ops);
INSERT INTO scan_pattern (k) SELECT 'Key' || g FROM generate_series(1, 10000) g;
ANALYZE scan_bigint, scan_citext, scan_icu, scan_pattern;
SELECT pg_stat_force_next_flush();
CREATE TEMP TABLE scans AS
  SELECT relname, seq_scan, idx_scan FROM pg_stat_user_tables WHERE relname LIKE 'scan\_%';
CALL migrate_backfill('scan_bigint', 'n = n + 1', NULL, 500);
CALL migrate_backfill('scan_citext', 'n = n + 1', NULL, 500);
CALL migrate_backfill('scan_icu', 'n = n + 1', NULL, 500);
CALL migrate_backfill('scan_pattern', 'n = n + 1', NULL, 500);
SELECT pg_stat_force_next_flush();
SELECT relname, s.seq_scan - b.seq_scan AS seq_scans, s.idx_scan > b.idx_scan AS index_scans
  FROM pg_stat_user_tables s JOIN scans b USING (relname) ORDER BY relname;

--
-- The pause is taken between batches: a day of it, here cut short by the
-- statement timeout after the first batch, which stays done.
--
CREATE TABLE paused (id integer PRIMARY KEY, n integer NOT NULL DEFAULT 0);
INSERT INTO paused (id) VALUES (1), (2);
SET statement_timeout = '2s';
CALL migrate_backfill('paused', 'n = n + 1', NULL, 1, '1 day');
RESET statement_timeout;
SELECT id, n FROM paused ORDER BY id;
CALL migrate_backfill('paused', 'n = n + 1', NULL, 1);
SELECT id, n FROM paused ORDER BY id;

SET migrate.allow_drop = on;
DROP EXTENSION migrate;
DROP VIEW accounts_view;
DROP MATERIALIZED VIEW accounts_matview;
DROP TABLE accounts, "Odd Names", divisors, lines, days, rekeyed, tags, loose, ci, tree, members,
  icu_keyed, pattern_keyed, descending, parted, scan_bigint, scan_citext, scan_icu, scan_pattern,
  paused;
DROP SEQUENCE accounts_seq;
DROP EXTENSION ltree, citext;
DROP SCHEMA "Tree Ops";
