--
-- drop_guard.sql: DROP EXTENSION migrate loses nothing by accident.
--
-- While migrate_applied or migrate_history holds rows, dropping the
-- extension is refused, whichever command would drop it (DROP EXTENSION,
-- with or without CASCADE or IF EXISTS; DROP SCHEMA ... CASCADE of its
-- schema; DROP OWNED BY its owner), with an error that counts what would
-- be lost and says how to keep it or to drop it anyway
-- (migrate.allow_drop).  An empty catalog drops freely, and every other
-- command goes through untouched, whatever the search_path.
--
\set VERBOSITY default
SET client_min_messages = warning;
SET migrate.progress = off;

--
-- An empty catalog, or one with pending definitions only, drops freely.
--
CREATE EXTENSION migrate;
DROP EXTENSION migrate;
CREATE EXTENSION migrate;
SELECT version FROM migrate_define(1, 'pending_only', 'SELECT 1;', 'SELECT 1;');
DROP EXTENSION migrate;
SELECT count(*) AS migrate_installed FROM pg_extension WHERE extname = 'migrate';

--
-- With history: refused, naming what would be lost.
--
CREATE EXTENSION migrate;
CREATE SCHEMA guard_app;
SELECT version FROM migrate_define(1, 'create_accounts',
    'CREATE TABLE guard_app.accounts (id bigint PRIMARY KEY);',
    'DROP TABLE guard_app.accounts;');
SELECT version FROM migrate_define(2, 'create_orders',
    'CREATE TABLE guard_app.orders (id bigint PRIMARY KEY);',
    'DROP TABLE guard_app.orders;');
SELECT version FROM migrate_apply();
DROP EXTENSION migrate;
DROP EXTENSION migrate CASCADE;
DROP EXTENSION IF EXISTS migrate;
-- Named with other extensions, or not yet created ones: still refused.
DROP EXTENSION IF EXISTS no_such_extension, migrate;
-- The guard's trigger function is internal: nobody calls it.
SELECT migrate_drop_guard();

-- Rolled back to nothing, the history still records the runs.
SELECT version FROM migrate_rollback(target => 0);
SELECT count(*) AS applied FROM migrate_applied;
DROP EXTENSION migrate;

-- A hostile search_path changes nothing: the counts are those of the
-- extension's own tables, and no function on the path is called.
CREATE SCHEMA guard_evil;
CREATE TABLE guard_evil.migrate_applied (version bigint);
CREATE TABLE guard_evil.migrate_history (id bigint);
CREATE FUNCTION guard_evil.count(bigint) RETURNS bigint LANGUAGE sql AS 'SELECT 0::bigint';
CREATE FUNCTION guard_evil.quote_ident(text) RETURNS text LANGUAGE sql AS $$SELECT 'evil'$$;
SET search_path = guard_evil, public;
DROP EXTENSION migrate;
RESET search_path;
DROP SCHEMA guard_evil CASCADE;

-- Other commands go through: drops of other schemas, tables and roles.
CREATE SCHEMA guard_other;
CREATE TABLE guard_other.t (id integer);
DROP TABLE guard_other.t;
DROP SCHEMA guard_other CASCADE;
CREATE ROLE regress_migrate_guard_nobody;
DROP OWNED BY regress_migrate_guard_nobody;
DROP ROLE regress_migrate_guard_nobody;

-- migrate.allow_drop lets it through; SET LOCAL only for its transaction.
BEGIN;
SET LOCAL migrate.allow_drop = on;
DROP EXTENSION migrate;
SELECT count(*) AS migrate_installed FROM pg_extension WHERE extname = 'migrate';
ROLLBACK;
SHOW migrate.allow_drop;
SELECT count(*) AS history_kept FROM migrate_history;
SET migrate.allow_drop = on;
DROP EXTENSION migrate;
RESET migrate.allow_drop;
SELECT count(*) AS migrate_installed FROM pg_extension WHERE extname = 'migrate';

--
-- The extension in a schema of its own, owned by another role: DROP
-- SCHEMA ... CASCADE and DROP OWNED BY the extension's owner would drop it.
--
CREATE ROLE regress_migrate_guard_owner SUPERUSER;
CREATE ROLE regress_migrate_guard_schema_owner;
CREATE SCHEMA "Guard Tools" AUTHORIZATION regress_migrate_guard_schema_owner;
SET ROLE regress_migrate_guard_owner;
CREATE EXTENSION migrate SCHEMA "Guard Tools";
RESET ROLE;
SELECT version FROM "Guard Tools".migrate_define(3, 'create_invoices',
    'CREATE TABLE guard_app.invoices (id bigint PRIMARY KEY);',
    'DROP TABLE guard_app.invoices;');
SELECT version FROM "Guard Tools".migrate_apply();
-- Without CASCADE the server refuses on its own.
DROP SCHEMA "Guard Tools";
DROP SCHEMA "Guard Tools" CASCADE;
DROP SCHEMA guard_app, "Guard Tools" CASCADE;
DROP OWNED BY regress_migrate_guard_owner;
DROP OWNED BY regress_migrate_guard_schema_owner, regress_migrate_guard_owner CASCADE;
-- The schema's owner may drop the extension with the schema without
-- reading its tables: the guard counts their rows all the same.
SET ROLE regress_migrate_guard_schema_owner;
DROP SCHEMA "Guard Tools" CASCADE;
SET migrate.allow_drop = on;
DROP SCHEMA "Guard Tools" CASCADE;
RESET ROLE;
RESET migrate.allow_drop;
SELECT count(*) AS migrate_installed FROM pg_extension WHERE extname = 'migrate';

DROP SCHEMA guard_app CASCADE;
DROP ROLE regress_migrate_guard_owner, regress_migrate_guard_schema_owner;
RESET client_min_messages;
