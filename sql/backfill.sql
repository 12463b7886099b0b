--
-- backfill.sql: CALL migrate_backfill().
--
-- A table is updated in key order, one committed batch at a time.  Checked
-- here: a single-column, a composite and a timestamp key, a unique index on
-- NOT NULL columns when there is no primary key, the where clause, progress and
-- resumption recorded in migrate_backfills, a run that stops on an error
-- and resumes after its last committed batch with every row updated
-- exactly once, fragments that try to reach out of their place, and the
-- other errors; and a backfill as the body of a migration run by deploy.
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
-- Not a table.
CREATE VIEW accounts_view AS SELECT * FROM accounts;
CALL migrate_backfill('accounts_view', 'touched = 0');
CALL migrate_backfill('no_such_table', 'touched = 0');
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

DROP EXTENSION migrate;
DROP VIEW accounts_view;
DROP TABLE accounts, "Odd Names", divisors, lines, days, rekeyed, tags, loose;
