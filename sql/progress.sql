--
-- progress.sql: the migrate.progress setting.
--
-- on (the default) prints the progress NOTICEs with their timings, which
-- vary from run to run: its exact lines are checked by the TAP tests, and
-- only its name and spellings here.  Checked here: stable
-- prints "== Running" and "== Migrated" without the timing and the
-- backfill's final tally, off prints none of them, for apply, rollback,
-- deploy and revert (a transactional and a non-transactional migration)
-- and a backfill; the NOTICEs that are not progress ("already up", a
-- resumed backfill) are printed whatever the setting; an invalid value is
-- refused.
--
CREATE EXTENSION migrate;
\set VERBOSITY default

SHOW migrate.progress;
SET migrate.progress = verbose;
SET migrate.progress = '';
SHOW migrate.progress;
-- The boolean spellings are accepted, as for PostgreSQL's own settings.
SET migrate.progress = false;
SHOW migrate.progress;
SET migrate.progress = yes;
SHOW migrate.progress;
RESET migrate.progress;
SHOW migrate.progress;

CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);
INSERT INTO accounts SELECT g, 'User' || g || '@Example.COM' FROM generate_series(1, 250) g;

SELECT version, name, transactional FROM migrate_define(20261121093000, 'add_email_lower',
    'ALTER TABLE accounts ADD COLUMN email_lower text;',
    'ALTER TABLE accounts DROP COLUMN email_lower;');
SELECT version, name, transactional FROM migrate_define(20261121094500, 'index_email_lower',
    'CREATE INDEX CONCURRENTLY accounts_email_lower_idx ON accounts (email_lower);');
SELECT version, name, transactional FROM migrate_define(20261121100000, 'create_audit',
    'CREATE TABLE audit (id bigint PRIMARY KEY, entry text);',
    'DROP TABLE audit;');

--
-- stable: the same lines as on, without the timings.
--
SET migrate.progress = stable;

-- apply and rollback (apply runs transactional migrations only)
SELECT version, name FROM migrate_apply(steps => 1);
SELECT version, name FROM migrate_rollback();
SELECT version, name FROM migrate_rollback();

-- deploy and revert: a transactional, a non-transactional, a transactional
CALL migrate_deploy();
SELECT version, state FROM migrate_status();
CALL migrate_deploy();
CALL migrate_revert(target => 0);

-- a backfill: its final tally, never its periodic progress
CALL migrate_backfill('accounts', 'email = lower(email)', batch_size => 100);
SELECT count(*) FILTER (WHERE email = lower(email)) AS done FROM accounts;

--
-- off: no progress at all; what is not progress stays.
--
SET migrate.progress = off;

SELECT version, name FROM migrate_apply(steps => 1);
SELECT version, name FROM migrate_rollback();
SELECT version, name FROM migrate_rollback();

CALL migrate_deploy();
SELECT version, state FROM migrate_status();
CALL migrate_deploy();
SELECT version, name FROM migrate_apply();
CALL migrate_revert(target => 0);
SELECT version, state FROM migrate_status();

CALL migrate_backfill('accounts', 'email = upper(email)', batch_size => 100);
SELECT count(*) FILTER (WHERE email = upper(email)) AS done FROM accounts;

-- A backfill that stops on an error part-way, then resumes: the NOTICE
-- that says it resumed (and did not start afresh) is kept.
CREATE TABLE backfill_fails (id bigint);
INSERT INTO backfill_fails VALUES (150);
CREATE FUNCTION checked_lower(id bigint, email text) RETURNS text LANGUAGE plpgsql
AS $$
BEGIN
    IF EXISTS (SELECT FROM backfill_fails f WHERE f.id = checked_lower.id) THEN
        RAISE EXCEPTION 'row % refused', id;
    END IF;
    RETURN lower(email);
END
$$;
\set VERBOSITY terse
CALL migrate_backfill('accounts', 'email = checked_lower(id, email)', batch_size => 100);
\set VERBOSITY default
DELETE FROM backfill_fails;
CALL migrate_backfill('accounts', 'email = checked_lower(id, email)', batch_size => 100);
SELECT count(*) FILTER (WHERE email = lower(email)) AS done FROM accounts;

-- The same resumption under stable adds the final tally.
SET migrate.progress = stable;
INSERT INTO backfill_fails VALUES (150);
\set VERBOSITY terse
CALL migrate_backfill('accounts', 'email = upper(checked_lower(id, email))', batch_size => 100);
\set VERBOSITY default
DELETE FROM backfill_fails;
CALL migrate_backfill('accounts', 'email = upper(checked_lower(id, email))', batch_size => 100);
SELECT id, rows_done, batches, finished_at IS NOT NULL AS finished
  FROM migrate_backfills ORDER BY id;

-- A user setting like any other: back to on for the session.
RESET migrate.progress;
SHOW migrate.progress;

SET migrate.allow_drop = on;
DROP EXTENSION migrate;
DROP TABLE accounts, backfill_fails;
DROP FUNCTION checked_lower(bigint, text);
