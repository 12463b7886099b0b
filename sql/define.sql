--
-- define.sql: migrate_define() and migrate_remove().
--
-- The argument checks, the checks of the bodies (syntax, transaction
-- control, psql meta-commands, COPY through the client), the detection of
-- statements that cannot run in a transaction block, redefinition, the
-- checksum and removal.
--
CREATE EXTENSION migrate;
-- The safety rules are tested in lint.sql and safety.sql; here they would
-- only get in the way of the migrations this test runs on existing tables.
SET migrate.safety = off;
\set VERBOSITY default

-- A definition returns the stored row.
SELECT version, name, up, down, down_derived, transactional,
       checksum ~ '^[0-9a-f]{64}$' AS checksum_is_sha256_hex,
       defined_at IS NOT NULL AS has_defined_at,
       defined_by = current_user AS defined_by_me
  FROM migrate_define(20261121093000, 'create_widgets',
                      'CREATE TABLE widgets (id bigint PRIMARY KEY);',
                      'DROP TABLE widgets;');
-- ... which is what the table holds.
SELECT version, name, up, down, down_derived, transactional, defined_by = current_user AS defined_by_me
  FROM migrate_migrations;
-- Named arguments, the largest version, and a reversible no-op down.
SELECT version, name, up, down, transactional
  FROM migrate_define(version => 9223372036854775807, name => 'last',
                      up => 'SELECT 1', down => '');

--
-- Argument checks.  The SQLSTATE is shown after each error.
--
SELECT migrate_define(NULL, 'no_version', 'SELECT 1');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate_define(0, 'zero', 'SELECT 1');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate_define(-20261121093000, 'negative', 'SELECT 1');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate_define(1, '', 'SELECT 1');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate_define(1, E' \t\n ', 'SELECT 1');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate_define(1, NULL, 'SELECT 1');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate_define(1, 'null_up', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT migrate_define(1, 'empty_up', '');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate_define(1, 'blank_up', E'  \n\t  \n');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate_define(1, 'comment_up', E'-- nothing to do\n/* still /* nothing */ */\n');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate_define(1, 'semicolons_up', E' ; ;\n;');
\echo :LAST_ERROR_SQLSTATE
-- None of them stored anything.
SELECT version FROM migrate_migrations ORDER BY version;

--
-- Syntax errors name the statement and the line in the body, and the caret
-- points into the failing statement.
--
SELECT migrate_define(2, 'bad_syntax',
E'CREATE TABLE gadgets (id bigint);\n\n-- a comment\n  CREATE TABL gizmos (id bigint);\nSELECT 1;');
\echo :LAST_ERROR_SQLSTATE
-- the error on the third line of the second statement
SELECT migrate_define(2, 'bad_syntax',
E'SELECT 1;\nSELECT a,\n       b\n  FROM WHERE;\nSELECT 2;');
-- in the first statement, after a comment
SELECT migrate_define(2, 'bad_syntax', E'/* header */ SELEC 1;');
-- a multibyte character before the error does not move the caret
SELECT migrate_define(2, 'bad_syntax', E'-- café, naïve, 日本\nSELECT ''ü'';\nSELECT 1 +;');
-- an unterminated literal
SELECT migrate_define(2, 'bad_syntax', E'SELECT 1;\nSELECT ''abc;\nSELECT 2;');
-- in the down body
SELECT migrate_define(2, 'bad_down', 'SELECT 1', E'SELECT 1;\nDROP TABLE;');
\echo :LAST_ERROR_SQLSTATE

--
-- Transaction control is refused, in the up and in the down body.  A probe
-- function shows, for many bodies at once, the SQLSTATE, message and detail
-- of the error, or what was stored (the probe definition is then removed).
--
CREATE FUNCTION pg_temp.probe(up text, down text DEFAULT '',
                              transactional boolean DEFAULT NULL)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    stored boolean;
    detail text;
BEGIN
    SELECT d.transactional INTO stored
      FROM migrate_define(999, 'probe', up, down, transactional) d;
    PERFORM migrate_remove(999);
    RETURN 'accepted, transactional = ' || stored;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ' ' || SQLERRM || coalesce(' | ' || nullif(detail, ''), '');
END
$$;

SELECT migrate_define(3, 'with_commit', E'CREATE TABLE gadgets (id bigint);\nCOMMIT;');
\echo :LAST_ERROR_SQLSTATE
CREATE TEMP TABLE bodies (n serial, body text);
INSERT INTO bodies (body)
VALUES ('BEGIN'),
       ('START TRANSACTION ISOLATION LEVEL SERIALIZABLE'),
       ('SELECT 1; COMMIT'),
       ('END'),
       ('ROLLBACK'),
       ('ABORT'),
       (E'SELECT 1;\nSAVEPOINT s'),
       (E'SELECT 1;\n\nRELEASE SAVEPOINT s'),
       ('ROLLBACK TO SAVEPOINT s'),
       ('PREPARE TRANSACTION ''t'''),
       ('COMMIT PREPARED ''t'''),
       ('ROLLBACK PREPARED ''t''');
SELECT body, pg_temp.probe(body) AS in_up FROM bodies ORDER BY n;
SELECT body, pg_temp.probe('SELECT 1', body) AS in_down FROM bodies ORDER BY n;
TRUNCATE bodies;

--
-- psql meta-commands are refused; a backslash in a literal, an E'' string,
-- a quoted identifier, a dollar-quoted body or a comment is fine.
--
SELECT migrate_define(4, 'meta', E'CREATE TABLE gadgets (id bigint);\n\\set ON_ERROR_STOP on\nSELECT 1;');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO bodies (body)
VALUES (E'\\i other.sql'),
       (E'SELECT 1;\n  \\connect postgres'),
       (E'\\c postgres'),
       (E'SELECT 1 \\gexec'),
       (E'SELECT 1;\n\\echo done'),
       (E'SELECT ''it''''s'' \\g');
SELECT body, pg_temp.probe(body) AS in_up FROM bodies ORDER BY n;
SELECT body, pg_temp.probe('SELECT 1', body) AS in_down FROM bodies ORDER BY n;
TRUNCATE bodies;
SELECT body, pg_temp.probe(body) AS accepted
  FROM (VALUES (E'SELECT ''C:\\temp\\new''  -- a backslash in a standard literal'),
               (E'SELECT E''tab\\t, quote \\'', backslash \\\\''  -- escapes in E'''''),
               (E'SELECT e''\\\\'', ''\\''  -- a string ending in a backslash'),
               (E'SELECT 1 AS "odd\\name"'),
               (E'SELECT U&''\\0041'''),
               (E'-- \\set in a line comment\nSELECT 1'),
               (E'/* \\i in a /* nested */ block \\c comment */ SELECT 1'),
               (E'CREATE FUNCTION f() RETURNS text LANGUAGE sql\n  AS $f$ SELECT ''\\n'' $f$'),
               (E'DO $$ BEGIN RAISE NOTICE ''\\set''; END $$')) AS v(body);

--
-- COPY to or from the client is refused; COPY with a server file is not.
--
SELECT migrate_define(5, 'copy_in', E'CREATE TABLE gadgets (id bigint);\nCOPY gadgets FROM STDIN;');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO bodies (body)
VALUES ('COPY widgets TO STDOUT'),
       ('COPY (SELECT 1) TO STDOUT WITH (FORMAT csv)'),
       ('COPY widgets (id) FROM STDIN WITH (FORMAT binary)'),
       ('COPY widgets FROM ''/nonexistent/widgets.csv''');
SELECT body, pg_temp.probe(body) AS in_up FROM bodies ORDER BY n;
SELECT body, pg_temp.probe('SELECT 1', body) AS in_down FROM bodies ORDER BY n;

--
-- transactional => NULL detects statements that cannot run in a
-- transaction block; transactional => true with one of them is an error.
--
SELECT up, down, pg_temp.probe(up, down) AS detected
  FROM (VALUES ('CREATE INDEX CONCURRENTLY widgets_id_idx ON widgets (id)', 'DROP INDEX widgets_id_idx'),
               ('CREATE INDEX widgets_id_idx ON widgets (id)', 'DROP INDEX CONCURRENTLY widgets_id_idx'),
               ('CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS widgets_id_idx ON widgets (id)', ''),
               ('REINDEX INDEX CONCURRENTLY widgets_pkey', ''),
               ('REINDEX (CONCURRENTLY, VERBOSE) TABLE widgets', ''),
               ('VACUUM widgets', ''),
               ('VACUUM (ANALYZE) widgets', ''),
               (E'SELECT 1;\nANALYZE widgets', ''),
               ('CREATE INDEX widgets_id_idx ON widgets (id)', 'DROP INDEX widgets_id_idx'),
               ('REINDEX TABLE widgets', ''),
               ('CLUSTER widgets USING widgets_pkey', '')) AS v(up, down);
SELECT migrate_define(6, 'forced', E'SELECT 1;\nCREATE INDEX CONCURRENTLY widgets_id_idx ON widgets (id);',
                      'DROP INDEX widgets_id_idx', transactional => true);
\echo :LAST_ERROR_SQLSTATE
SELECT migrate_define(6, 'forced', 'CREATE INDEX widgets_id_idx ON widgets (id)',
                      'DROP INDEX CONCURRENTLY widgets_id_idx', transactional => true);
-- transactional => false is kept as given.
SELECT pg_temp.probe('CREATE INDEX widgets_id_idx ON widgets (id)', 'DROP INDEX widgets_id_idx', false);
SELECT pg_temp.probe('CREATE INDEX CONCURRENTLY widgets_id_idx ON widgets (id)', '', false);
SELECT pg_temp.probe('SELECT 1', '', true);

--
-- Redefinition.
--
SELECT defined_at AS first_defined_at, checksum AS first_checksum
  FROM migrate_migrations WHERE version = 20261121093000 \gset
-- The same content again is a no-op that returns the row unchanged.
SELECT version, name, up, down, transactional,
       checksum = :'first_checksum' AS same_checksum,
       defined_at = :'first_defined_at' AS same_defined_at
  FROM migrate_define(20261121093000, 'create_widgets',
                      'CREATE TABLE widgets (id bigint PRIMARY KEY);',
                      'DROP TABLE widgets;');
-- So is the same content with the transactional flag that was detected.
SELECT defined_at = :'first_defined_at' AS same_defined_at
  FROM migrate_define(20261121093000, 'create_widgets',
                      'CREATE TABLE widgets (id bigint PRIMARY KEY);',
                      'DROP TABLE widgets;', transactional => true);
-- Different content replaces a pending definition.
SELECT version, name, up, down, transactional, checksum <> :'first_checksum' AS new_checksum
  FROM migrate_define(20261121093000, 'create_widgets',
                      'CREATE TABLE widgets (id bigint PRIMARY KEY, label text);',
                      'DROP TABLE widgets;');
SELECT version, name, up FROM migrate_migrations ORDER BY version;
-- So does a different transactional flag alone.
SELECT version, transactional
  FROM migrate_define(20261121093000, 'create_widgets',
                      'CREATE TABLE widgets (id bigint PRIMARY KEY, label text);',
                      'DROP TABLE widgets;', transactional => false);
SELECT version, transactional
  FROM migrate_define(20261121093000, 'create_widgets',
                      'CREATE TABLE widgets (id bigint PRIMARY KEY, label text);',
                      'DROP TABLE widgets;');
-- Once applied, the identical definition is still a no-op ...
SET client_min_messages = warning;
SELECT version FROM migrate_apply();
RESET client_min_messages;
SELECT version, name, checksum = (SELECT checksum FROM migrate_applied a WHERE a.version = d.version)
       AS checksum_as_applied
  FROM migrate_define(20261121093000, 'create_widgets',
                      'CREATE TABLE widgets (id bigint PRIMARY KEY, label text);',
                      'DROP TABLE widgets;') d;
-- ... but different content is refused, with a hint, whatever changed.
SELECT migrate_define(20261121093000, 'create_widgets',
                      'CREATE TABLE widgets (id bigint PRIMARY KEY, label text, price numeric);',
                      'DROP TABLE widgets;');
\echo :LAST_ERROR_SQLSTATE
SELECT migrate_define(20261121093000, 'create_widgets_renamed',
                      'CREATE TABLE widgets (id bigint PRIMARY KEY, label text);',
                      'DROP TABLE widgets;');
SELECT migrate_define(20261121093000, 'create_widgets',
                      'CREATE TABLE widgets (id bigint PRIMARY KEY, label text);',
                      'DROP TABLE IF EXISTS widgets;');
SELECT migrate_define(20261121093000, 'create_widgets',
                      'CREATE TABLE widgets (id bigint PRIMARY KEY, label text);',
                      'DROP TABLE widgets;', transactional => false);
SELECT version, name, up, down, transactional FROM migrate_migrations ORDER BY version;

--
-- The stored checksum is derived from the row, whoever writes it: nobody
-- can set it, and a superuser's direct change of an applied migration's
-- content shows as changed, which apply refuses.
--
UPDATE migrate_migrations SET checksum = repeat('0', 64) WHERE version = 20261121093000;
\echo :LAST_ERROR_SQLSTATE
UPDATE migrate_migrations SET name = 'x' WHERE version = 20261121093000;
SELECT m.checksum = a.checksum AS checksum_as_applied
  FROM migrate_migrations m JOIN migrate_applied a USING (version)
 WHERE version = 20261121093000;
SELECT version, name, state FROM migrate_status() WHERE version = 20261121093000;
SELECT version FROM migrate_apply();
\echo :LAST_ERROR_SQLSTATE
-- Defining the content that was applied puts the row back, and says so.
SELECT version, name FROM migrate_define(20261121093000, 'create_widgets',
                      'CREATE TABLE widgets (id bigint PRIMARY KEY, label text);',
                      'DROP TABLE widgets;');
SELECT version, name, state FROM migrate_status() WHERE version = 20261121093000;
-- Other content is still refused after such a change.
UPDATE migrate_migrations SET up = up || ' ' WHERE version = 20261121093000;
SELECT migrate_define(20261121093000, 'create_widgets',
                      'CREATE TABLE widgets (id bigint PRIMARY KEY, label text, price numeric);',
                      'DROP TABLE widgets;');
\echo :LAST_ERROR_SQLSTATE
UPDATE migrate_migrations SET up = rtrim(up) WHERE version = 20261121093000;
SELECT version, name, state FROM migrate_status() WHERE version = 20261121093000;

--
-- The checksum: 64 hex digits of SHA-256, changed by any change of name, up
-- or down (NULL and '' differ, and so do the boundaries between fields), the
-- same for the same content.
--
CREATE TEMP TABLE sums AS
SELECT n, label, (migrate_define(100 + n, name, up, down)).checksum
  FROM (VALUES (1, 'base',                 'base',  'SELECT 1',   'SELECT 2'),
               (2, 'other name',           'base2', 'SELECT 1',   'SELECT 2'),
               (3, 'other up',             'base',  'SELECT 1 ',  'SELECT 2'),
               (4, 'other down',           'base',  'SELECT 1',   'SELECT 3'),
               (5, 'no down',              'base',  'SELECT 1',   NULL),
               (6, 'empty down',           'base',  'SELECT 1',   ''),
               (7, 'same as base',         'base',  'SELECT 1',   'SELECT 2'),
               (8, 'space ending name',    'base ', 'SELECT 1',   'SELECT 2'),
               (9, 'space starting up',    'base',  ' SELECT 1',  'SELECT 2'),
               (10, 'semicolon ending up', 'base',  'SELECT 1;',  'SELECT 2'),
               (11, 'semicolon starting down', 'base', 'SELECT 1', ';SELECT 2'))
       AS v(n, label, name, up, down);
SELECT label, length(checksum), checksum ~ '^[0-9a-f]{64}$' AS hex,
       checksum = (SELECT checksum FROM sums WHERE label = 'base') AS same_as_base
  FROM sums ORDER BY n;
SELECT count(DISTINCT checksum) AS distinct_checksums FROM sums;
-- The stored checksum is the one returned.
SELECT count(*) AS stored_as_returned
  FROM sums s JOIN migrate_migrations m ON m.version = 100 + s.n AND m.checksum = s.checksum;

--
-- Redefining a pending migration with other content says what changed.
--
SELECT version, name FROM migrate_define(102, 'renamed', 'SELECT 1', 'SELECT 2');
SELECT version, name FROM migrate_define(104, 'base', 'SELECT 1', 'SELECT 4');
SELECT version, name FROM migrate_define(105, 'replaced', 'SELECT 5', '');
SELECT version, name FROM migrate_define(106, 'base', 'SELECT 1', '', transactional => false);
-- The same content says nothing.
SELECT version, name FROM migrate_define(106, 'base', 'SELECT 1', '', transactional => false);

--
-- migrate_remove()
--
SELECT migrate_remove(103);
SELECT version FROM migrate_migrations WHERE version BETWEEN 101 AND 111 ORDER BY version;
SELECT migrate_remove(103);
\echo :LAST_ERROR_SQLSTATE
SELECT migrate_remove(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT migrate_remove(20261121093000);
\echo :LAST_ERROR_SQLSTATE
SELECT version, state FROM migrate_status() WHERE version = 20261121093000;
-- Once rolled back it can be removed.
SET client_min_messages = warning;
SELECT version FROM migrate_rollback(target => 20261121093000);
RESET client_min_messages;
SELECT migrate_remove(20261121093000);
SELECT count(*) FROM migrate_migrations WHERE version = 20261121093000;
-- Nothing else was removed.
SELECT count(*) FROM migrate_migrations;

DROP TABLE sums, bodies;
DROP FUNCTION pg_temp.probe(text, text, boolean);
SET migrate.allow_drop = on;
DROP EXTENSION migrate;
