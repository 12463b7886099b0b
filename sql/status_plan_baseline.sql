--
-- status_plan_baseline.sql: migrate_status(), migrate_plan() and
-- migrate_baseline().
--
-- migrate_status() lists every known version in order with its state
-- (applied, pending, changed, missing); migrate_plan() shows what
-- migrate_apply() with the same arguments would run, and runs nothing;
-- migrate_baseline() marks pending migrations applied without running them.
--
CREATE EXTENSION migrate;
-- The safety rules are tested in lint.sql and safety.sql; here they would
-- only get in the way of the migrations this test runs on existing tables.
SET migrate.safety = off;
\set VERBOSITY default

-- Nothing defined: no rows.
SELECT * FROM migrate_status();
SELECT * FROM migrate_plan();

CREATE SCHEMA crm;
-- Defined out of version order on purpose.
SELECT version FROM migrate_define(300, 'create_notes',
    'CREATE TABLE crm.notes (body text);', 'DROP TABLE crm.notes;');
SELECT version FROM migrate_define(100, 'create_contacts',
    'CREATE TABLE crm.contacts (id bigint PRIMARY KEY, email text);',
    'DROP TABLE crm.contacts;');
SELECT version FROM migrate_define(200, 'seed_contacts',
    'INSERT INTO crm.contacts VALUES (1, ''ada@example.com'');', NULL);
SELECT version FROM migrate_define(400, 'index_emails',
    'CREATE INDEX CONCURRENTLY contacts_email_idx ON crm.contacts (email);',
    'DROP INDEX CONCURRENTLY crm.contacts_email_idx;');
SELECT version FROM migrate_define(500, 'create_deals',
    'CREATE TABLE crm.deals (id bigint);', 'DROP TABLE crm.deals;');

-- All pending, in version order, with transactional and reversible.
SELECT version, name, state, applied_at IS NULL AS no_applied_at, transactional, reversible
  FROM migrate_status();

--
-- migrate_plan(): same selection as migrate_apply(), nothing run.
--
SELECT * FROM migrate_plan();
SELECT * FROM migrate_plan(target => 200);
SELECT * FROM migrate_plan(steps => 2);
SELECT * FROM migrate_plan(target => 400, steps => 1);
SELECT * FROM migrate_plan(steps => 0);
SELECT * FROM migrate_plan(target => 99);
SELECT * FROM migrate_plan(steps => -1);
\echo :LAST_ERROR_SQLSTATE
-- It ran nothing and took no lock.
BEGIN;
SELECT count(*) FROM migrate_plan();
SELECT count(*) AS advisory_locks FROM pg_locks
 WHERE locktype = 'advisory' AND pid = pg_backend_pid();
COMMIT;
SELECT to_regclass('crm.contacts') AS contacts;
SELECT count(*) FROM migrate_applied;
SELECT count(*) FROM migrate_history;

-- For each selection, apply runs exactly what plan listed (each tried in a
-- transaction that is rolled back).
CREATE FUNCTION pg_temp.plan_matches_apply(target bigint, steps integer)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    planned bigint[];
    applied bigint[];
BEGIN
    SELECT array_agg(p.version ORDER BY p.version) INTO planned
      FROM migrate_plan(target, steps) p;
    BEGIN
        SELECT array_agg(a.version ORDER BY a.version) INTO applied
          FROM migrate_apply(target, steps) a;
        RAISE EXCEPTION 'undo' USING ERRCODE = 'P0001';
    EXCEPTION WHEN raise_exception THEN
        NULL;
    END;
    RETURN format('plan %s, apply %s', coalesce(planned, '{}'), coalesce(applied, '{}'));
END
$$;
SELECT migrate_remove(400);
SET client_min_messages = warning;
SELECT t, s, pg_temp.plan_matches_apply(t, s)
  FROM (VALUES (NULL::bigint, NULL::integer), (200, NULL), (NULL, 2), (300, 1),
               (250, 5), (NULL, 0)) AS v(t, s);
RESET client_min_messages;
SELECT count(*) FROM migrate_applied;
SELECT version FROM migrate_define(400, 'index_emails',
    'CREATE INDEX CONCURRENTLY contacts_email_idx ON crm.contacts (email);',
    'DROP INDEX CONCURRENTLY crm.contacts_email_idx;');

--
-- States: applied, pending, changed and missing in one listing.
--
SET client_min_messages = warning;
SELECT version FROM migrate_apply(target => 300);
RESET client_min_messages;
-- A pending version below the applied ones is listed in place, and planned.
SELECT version FROM migrate_define(150, 'add_phone',
    'ALTER TABLE crm.contacts ADD COLUMN phone text;',
    'ALTER TABLE crm.contacts DROP COLUMN phone;');
SELECT * FROM migrate_plan();
-- changed (the table altered directly by a superuser) and missing
UPDATE migrate_migrations SET up = up || ';' WHERE version = 200;
DELETE FROM migrate_migrations WHERE version = 300;
SELECT version, name, state, applied_at IS NOT NULL AS has_applied_at, transactional, reversible
  FROM migrate_status();
-- migrate_plan() warns that migrate_apply() would refuse to run now.
SELECT * FROM migrate_plan(steps => 1);

--
-- migrate_baseline()
--
SELECT migrate_baseline(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT migrate_baseline(0);
\echo :LAST_ERROR_SQLSTATE
SELECT migrate_baseline(-1);

-- A fresh catalog: the database already has the objects that the first
-- migrations create, so they are marked applied instead of run.
SET migrate.allow_drop = on;
DROP EXTENSION migrate;
SET client_min_messages = warning;
DROP SCHEMA crm CASCADE;
RESET client_min_messages;
CREATE EXTENSION migrate;
CREATE SCHEMA crm;
CREATE TABLE crm.contacts (id bigint PRIMARY KEY, email text);
CREATE TABLE crm.notes (body text);
SELECT version FROM migrate_define(100, 'create_contacts',
    'CREATE TABLE crm.contacts (id bigint PRIMARY KEY, email text);',
    'DROP TABLE crm.contacts;');
SELECT version FROM migrate_define(200, 'seed_contacts',
    'INSERT INTO crm.contacts VALUES (1, ''ada@example.com'');', NULL);
SELECT version FROM migrate_define(300, 'create_notes',
    'CREATE TABLE crm.notes (body text);', 'DROP TABLE crm.notes;');
SELECT version FROM migrate_define(400, 'create_deals',
    'CREATE TABLE crm.deals (id bigint);', 'DROP TABLE crm.deals;');

-- Returns how many it marked; none of them ran (the seed row is absent).
SELECT migrate_baseline(300);
SELECT count(*) AS contacts_rows FROM crm.contacts;
SELECT version, name, state FROM migrate_status();
-- migrate_applied rows with the definitions' checksums; history rows with
-- direction 'baseline'.
SELECT a.version, a.checksum = m.checksum AS checksum_matches,
       a.applied_by = current_user AS applied_by_me, a.applied_at IS NOT NULL AS has_applied_at
  FROM migrate_applied a JOIN migrate_migrations m USING (version) ORDER BY a.version;
SELECT version, name, direction, role = current_user AS by_me, success, error
  FROM migrate_history ORDER BY id;
-- Again: nothing left to mark at or below 300.
SELECT migrate_baseline(300);
-- A pending version below applied ones is marked too (the column it adds
-- exists already); nothing above the given version is.
SELECT version FROM migrate_define(250, 'add_phone',
    'ALTER TABLE crm.contacts ADD COLUMN phone text;',
    'ALTER TABLE crm.contacts DROP COLUMN phone;');
ALTER TABLE crm.contacts ADD COLUMN phone text;
SELECT migrate_baseline(350);
SELECT version, name, state FROM migrate_status();
SELECT column_name FROM information_schema.columns
 WHERE table_schema = 'crm' AND table_name = 'contacts' ORDER BY ordinal_position;
-- migrate_baseline_versions() marks exactly the versions given, as when
-- another tool applied some but not others; those already applied stay as
-- they are, and an undefined version is refused with nothing marked.
SELECT version FROM migrate_define(450, 'create_tags',
    'CREATE TABLE crm.tags (id bigint);', 'DROP TABLE crm.tags;');
SELECT version FROM migrate_define(460, 'create_labels',
    'CREATE TABLE crm.labels (id bigint);', 'DROP TABLE crm.labels;');
SELECT migrate_baseline_versions(ARRAY[999, 460]::bigint[]);
SELECT migrate_baseline_versions(ARRAY[460, NULL]::bigint[]);
SELECT migrate_baseline_versions(NULL);
CREATE TABLE crm.labels (id bigint);
SELECT migrate_baseline_versions(ARRAY[460, 300]::bigint[]);
SELECT version, name, state FROM migrate_status();
-- Apply runs only what is left.
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
-- Baselined migrations with a down roll back like applied ones; an
-- irreversible one does not.
SET client_min_messages = warning;
SELECT version, name FROM migrate_rollback(target => 250);
SELECT version, name FROM migrate_rollback(target => 200);
RESET client_min_messages;
SELECT to_regclass('crm.notes') AS notes, to_regclass('crm.deals') AS deals;
SELECT column_name FROM information_schema.columns
 WHERE table_schema = 'crm' AND table_name = 'contacts' ORDER BY ordinal_position;
SELECT version, name, state FROM migrate_status();
SELECT version, name, direction FROM migrate_history ORDER BY id;

SET migrate.allow_drop = on;
DROP EXTENSION migrate;
SET client_min_messages = warning;
DROP SCHEMA crm CASCADE;
RESET client_min_messages;
