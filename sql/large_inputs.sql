--
-- large_inputs.sql: big bodies, many statements, many migrations.
--
-- A 50 MB body (a string literal and a dollar-quoted function body built
-- server-side, among a few ordinary statements), a body of 10,000
-- statements, and 100,000 defined migrations: each is defined, checked,
-- applied and rolled back as usual.
--
CREATE EXTENSION migrate;
-- The safety rules are tested in lint.sql and safety.sql; here they would
-- only get in the way of the migrations this test runs on existing tables.
SET migrate.safety = off;
\set VERBOSITY default
CREATE SCHEMA big;

--
-- A 50 MB body: 25 MB in a string literal and 25 MB in a dollar-quoted
-- function body (with backslashes and semicolons in both, which must not be
-- taken for meta-commands or statement ends).
--
SELECT version, name, octet_length(up) AS up_bytes, transactional,
       checksum ~ '^[0-9a-f]{64}$' AS checksum_ok
  FROM migrate_define(1, 'huge_body',
    E'CREATE TABLE big.blobs (id integer PRIMARY KEY, payload text);\n'
    || E'INSERT INTO big.blobs VALUES (1, ''' || repeat('x\;', 25 * 1024 * 1024 / 3) || E''');\n'
    || E'CREATE FUNCTION big.blob_size() RETURNS integer LANGUAGE sql AS $body$\n'
    || E'  SELECT length(''' || repeat('y\;', 25 * 1024 * 1024 / 3) || E''')\n$body$;\n'
    || E'COMMENT ON TABLE big.blobs IS ''holds one big row'';',
    'DROP FUNCTION big.blob_size(); DROP TABLE big.blobs;');
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
SELECT id, length(payload), left(payload, 6), right(payload, 6) FROM big.blobs;
SELECT big.blob_size();
SELECT obj_description('big.blobs'::regclass, 'pg_class');
-- The same huge definition again is a no-op; rollback runs its down.
SELECT version, octet_length(up) AS up_bytes FROM migrate_define(1, 'huge_body',
    (SELECT up FROM migrate_migrations WHERE version = 1),
    'DROP FUNCTION big.blob_size(); DROP TABLE big.blobs;');
SET client_min_messages = warning;
SELECT version, name FROM migrate_rollback();
RESET client_min_messages;
SELECT to_regclass('big.blobs') AS blobs;
-- A syntax error after the big literal is still placed: statement 3, on
-- line 3 of the body.
SELECT migrate_define(2, 'huge_error',
    E'CREATE TABLE big.t (a text);\nINSERT INTO big.t VALUES (''' || repeat('z', 10 * 1024 * 1024)
    || E''');\nSELEC 1;');
SELECT migrate_remove(1);

--
-- A body of 10,000 statements.
--
SELECT version, name, octet_length(up) > 0 AS has_body
  FROM migrate_define(2, 'many_statements',
    E'CREATE TABLE big.numbers (n integer PRIMARY KEY);\n'
    || (SELECT string_agg(format('INSERT INTO big.numbers VALUES (%s);', g), E'\n')
          FROM generate_series(1, 10000) AS g),
    'DROP TABLE big.numbers;');
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
SELECT count(*), sum(n), min(n), max(n) FROM big.numbers;
SET client_min_messages = warning;
SELECT version, name FROM migrate_rollback();
RESET client_min_messages;
-- When the 10,000th INSERT fails, the context names statement 10001 and its
-- line, and nothing remains.
SELECT version FROM migrate_define(2, 'many_statements',
    E'CREATE TABLE big.numbers (n integer PRIMARY KEY);\n'
    || (SELECT string_agg(format('INSERT INTO big.numbers VALUES (%s);', least(g, 9999)), E'\n')
          FROM generate_series(1, 10000) AS g),
    'DROP TABLE big.numbers;');
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
\echo :LAST_ERROR_SQLSTATE
RESET client_min_messages;
SELECT to_regclass('big.numbers') AS numbers;
SELECT migrate_remove(2);

--
-- 100,000 defined migrations.
--
SELECT count(*)
  FROM generate_series(1, 100000) AS g,
       LATERAL migrate_define(g, 'step_' || g,
                              format('INSERT INTO big.steps VALUES (%s);', g),
                              format('DELETE FROM big.steps WHERE n = %s;', g)) AS d;
CREATE TABLE big.steps (n integer);
SELECT count(*), count(*) FILTER (WHERE state = 'pending') AS pending FROM migrate_status();
SELECT * FROM migrate_plan(steps => 3);
SELECT * FROM migrate_plan(target => 100000, steps => 2);
SELECT count(*) FROM migrate_plan(target => 50000);
-- Adopt the first 99,000, apply the next 500, roll back 200 of them.
SELECT migrate_baseline(99000);
SET client_min_messages = warning;
SELECT count(*), min(version), max(version) FROM migrate_apply(target => 99500);
SELECT count(*), min(version), max(version) FROM migrate_rollback(target => 99301);
RESET client_min_messages;
SELECT count(*), min(n), max(n) FROM big.steps;
SELECT state, count(*) FROM migrate_status() GROUP BY state ORDER BY state;
SELECT direction, count(*) FROM migrate_history GROUP BY direction ORDER BY direction;
-- Apply the rest; then a no-op apply.
SET client_min_messages = warning;
SELECT count(*), min(version), max(version) FROM migrate_apply();
RESET client_min_messages;
SELECT * FROM migrate_apply();
SELECT count(*) FROM big.steps;
SELECT count(*) FILTER (WHERE state = 'applied') AS applied FROM migrate_status();

--
-- The lint of 4,000 ALTER TABLE statements of one existing table, in groups
-- of 8 on a column c_g: add it, SET NOT NULL, change its type, add a CHECK
-- NOT VALID, validate it, add a foreign key NOT VALID, add a UNIQUE
-- constraint (even groups; odd ones set a default), rename the column.
-- Each statement looks up what the earlier ones did, and each finding is
-- there: one per group for the first three, the foreign keys without an
-- index in odd groups, multiple-alter-table once.
--
CREATE TABLE big.parent (id bigint PRIMARY KEY);
CREATE TABLE big.wide (id bigint PRIMARY KEY, v text);
SELECT rule, severity, count(*), min(statement), max(statement),
       count(*) FILTER (WHERE line = statement) AS on_own_line
  FROM migrate_lint((
    SELECT string_agg(CASE k
        WHEN 1 THEN format('ALTER TABLE big.wide ADD COLUMN c_%s bigint;', g)
        WHEN 2 THEN format('ALTER TABLE big.wide ALTER COLUMN c_%s SET NOT NULL;', g)
        WHEN 3 THEN format('ALTER TABLE big.wide ALTER COLUMN c_%s TYPE numeric;', g)
        WHEN 4 THEN format('ALTER TABLE big.wide ADD CONSTRAINT k_%s CHECK (c_%s > 0) NOT VALID;', g, g)
        WHEN 5 THEN format('ALTER TABLE big.wide VALIDATE CONSTRAINT k_%s;', g)
        WHEN 6 THEN format('ALTER TABLE big.wide ADD CONSTRAINT f_%s FOREIGN KEY (c_%s) REFERENCES big.parent NOT VALID;', g, g)
        WHEN 7 THEN CASE WHEN g % 2 = 0
                         THEN format('ALTER TABLE big.wide ADD CONSTRAINT u_%s UNIQUE (c_%s);', g, g)
                         ELSE format('ALTER TABLE big.wide ALTER COLUMN c_%s SET DEFAULT 0;', g) END
        ELSE format('ALTER TABLE big.wide RENAME COLUMN c_%s TO d_%s;', g, g)
      END, E'\n' ORDER BY s)
      FROM generate_series(1, 4000) AS s,
           LATERAL (SELECT (s - 1) / 8 + 1 AS g, (s - 1) % 8 + 1 AS k) AS grp))
 GROUP BY rule, severity
 ORDER BY rule;

SET migrate.allow_drop = on;
DROP EXTENSION migrate;
SET client_min_messages = warning;
DROP SCHEMA big CASCADE;
RESET client_min_messages;
