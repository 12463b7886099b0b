--
-- Safety findings in migrations: shown and stored by migrate_define(),
-- accepted with safety_assured or a "-- migrate:safety-assured" line,
-- enforced by migrate_apply() under migrate.safety, shown by
-- migrate_status() and migrate_plan().  The rules themselves are tested in
-- lint.sql; this uses an index built without CONCURRENTLY on an existing
-- table (require-concurrent-index-creation, an error).
--
CREATE EXTENSION migrate;
CREATE TABLE accounts (id bigint PRIMARY KEY, email text);

-- The finding is shown when the migration is defined, and stored.
SELECT version, name, safety_assured FROM migrate_define(1, 'index_email',
    'CREATE INDEX accounts_email_idx ON accounts (email);',
    'DROP INDEX accounts_email_idx;');
SELECT version, body, statement, line, rule, severity FROM migrate_findings ORDER BY version, rule;
SELECT version, name, state, unassured FROM migrate_status();

-- migrate.safety = error (the default): apply refuses it before anything runs.
SHOW migrate.safety;
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
\echo :LAST_ERROR_SQLSTATE
RESET client_min_messages;
SELECT count(*) AS applied FROM migrate_applied;
-- plan says apply would refuse it.
SELECT * FROM migrate_plan();

-- warn: applied, with a WARNING.
SET migrate.safety = warn;
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
SELECT version, name FROM migrate_rollback();
-- off: applied silently.
SET migrate.safety = off;
SELECT version, name FROM migrate_apply();
RESET migrate.safety;
SELECT version, name FROM migrate_rollback();
RESET client_min_messages;

-- Accepted by the argument: no WARNING for the up, stored as accepted; an
-- identical definition that only changes the accepted rules updates them.
SELECT version, safety_assured FROM migrate_define(1, 'index_email',
    'CREATE INDEX accounts_email_idx ON accounts (email);',
    'DROP INDEX accounts_email_idx;',
    safety_assured => '{require-concurrent-index-creation}');
SELECT version, state, unassured FROM migrate_status();
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
SELECT version, name FROM migrate_rollback();
RESET client_min_messages;

-- Accepted by a line in the up.
SELECT version, safety_assured FROM migrate_define(1, 'index_email',
    E'-- migrate:safety-assured require-concurrent-index-creation\nCREATE INDEX accounts_email_idx ON accounts (email);',
    'DROP INDEX accounts_email_idx;');
SELECT version, state, unassured FROM migrate_status();

-- Accepting another rule does not accept this one.
SELECT version, safety_assured FROM migrate_define(1, 'index_email',
    'CREATE INDEX accounts_email_idx ON accounts (email);',
    'DROP INDEX accounts_email_idx;',
    safety_assured => '{some-other-rule}');
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;

-- The safe recipe has no finding.
SELECT version, safety_assured FROM migrate_define(1, 'index_email',
    'CREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);');
SELECT version, body, rule FROM migrate_findings WHERE body = 'up';
SELECT version, state, unassured FROM migrate_status();

-- A table created earlier in the same migration may be indexed directly.
SELECT version FROM migrate_define(2, 'create_orders',
    E'CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint);\nCREATE INDEX orders_account_idx ON orders (account_id);');
SELECT count(*) AS findings FROM migrate_findings WHERE version = 2;

-- Removing a migration removes its findings.
SELECT migrate_remove(1);
SELECT count(*) AS findings FROM migrate_findings WHERE version = 1;

-- A down is linted in the light of its up: dropping the column the up adds
-- (here the derived down) breaks nothing, so it is no finding.
SELECT version, down FROM migrate_define(3, 'add_note',
    'ALTER TABLE accounts ADD COLUMN note text;');
SELECT count(*) AS findings FROM migrate_findings WHERE version = 3;

-- A down's findings are shown and stored too, but rollback does not enforce
-- them: renaming the column back breaks running code as much as the up did.
SELECT version, down FROM migrate_define(4, 'rename_email',
    'ALTER TABLE accounts RENAME COLUMN email TO email_address;');
SELECT version, body, statement, rule, severity FROM migrate_findings
 WHERE version = 4 ORDER BY body DESC;
SET client_min_messages = warning;
SET migrate.safety = warn;
SELECT version, name FROM migrate_apply();
RESET migrate.safety;
SELECT version, name FROM migrate_rollback(steps => 2);
RESET client_min_messages;
SELECT version FROM migrate_applied ORDER BY version;

-- Accepting the rule accepts it in both bodies: no WARNING.
SELECT version, safety_assured FROM migrate_define(4, 'rename_email',
    'ALTER TABLE accounts RENAME COLUMN email TO email_address;',
    safety_assured => '{renaming-column}');
SELECT version, state, unassured FROM migrate_status() WHERE version >= 3;

-- Findings are those of the catalog when the migration runs: a DROP TABLE
-- defined before its table existed has none then, but once the table
-- exists status shows it, plan warns and apply refuses it; a successful
-- apply stores the fresh findings.
SELECT migrate_remove(v) FROM generate_series(3, 4) v;
SELECT version FROM migrate_define(5, 'drop_ledger', 'DROP TABLE ledger;', '');
SELECT count(*) AS findings FROM migrate_findings WHERE version = 5;
CREATE TABLE ledger (id bigint PRIMARY KEY);
SELECT version, state, unassured FROM migrate_status() WHERE version = 5;
SELECT * FROM migrate_plan();
SELECT version, name FROM migrate_apply();
\echo :LAST_ERROR_SQLSTATE
SET client_min_messages = warning;
SET migrate.safety = warn;
SELECT version, name FROM migrate_apply();
RESET migrate.safety;
RESET client_min_messages;
SELECT version, body, statement, rule, severity FROM migrate_findings WHERE version = 5;
SELECT version, state, unassured FROM migrate_status() WHERE version = 5;
SET client_min_messages = warning;
SELECT version, name FROM migrate_rollback();
RESET client_min_messages;
SELECT migrate_remove(5);
-- ... and judged under the settings the migration SETs: a timestamp column
-- made timestamptz rewrites the table unless the body sets a UTC time zone
-- first, whatever the session's zone.
CREATE TABLE events (id bigint PRIMARY KEY, at timestamp);
SET TimeZone = 'UTC';
SELECT version FROM migrate_define(6, 'events_at_tz',
    'ALTER TABLE events ALTER COLUMN at TYPE timestamptz;', '');
SET TimeZone = 'Europe/Paris';
SELECT version, state, unassured FROM migrate_status() WHERE version = 6;
SELECT version, name FROM migrate_apply();
\echo :LAST_ERROR_SQLSTATE
SELECT version FROM migrate_define(6, 'events_at_tz',
    E'SET LOCAL TIME ZONE ''UTC'';\nALTER TABLE events ALTER COLUMN at TYPE timestamptz;', '');
SELECT version, state, unassured FROM migrate_status() WHERE version = 6;
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
SELECT version, name FROM migrate_rollback();
RESET client_min_messages;
RESET TimeZone;
SELECT migrate_remove(6);
DROP TABLE events;

-- A misspelt setting value is refused.
SET migrate.safety = strict;

SET migrate.allow_drop = on;
DROP EXTENSION migrate;
DROP TABLE orders;
DROP TABLE accounts;
