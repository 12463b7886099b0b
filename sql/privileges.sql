--
-- privileges.sql: who may call what, and whose privileges migrations use.
--
-- Nothing is granted to PUBLIC; a deploy role with EXECUTE on the functions
-- and SELECT on the tables can do everything through the functions but
-- cannot write the tables; migration bodies run with the applying role's
-- privileges; and apply/rollback refuse a migration whose definer lacks the
-- applier's privileges (see "Definer and applier" in the specification).
--
CREATE EXTENSION migrate;
\set VERBOSITY default

CREATE ROLE regress_migrate_nobody;
CREATE ROLE regress_migrate_deployer;
CREATE ROLE regress_migrate_junior;
CREATE ROLE regress_migrate_lead IN ROLE regress_migrate_deployer;

--
-- Nothing is granted to PUBLIC: a fresh role can call no function and use
-- no table or sequence of the extension.
--
CREATE TEMP VIEW extension_objects AS
SELECT classid::regclass AS catalog, objid
  FROM pg_depend
 WHERE refclassid = 'pg_extension'::regclass
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'migrate')
   AND deptype = 'e';
SELECT count(*) >= 7 AS has_functions,
       count(*) FILTER (WHERE has_function_privilege('regress_migrate_nobody', objid, 'EXECUTE'))
           AS callable_by_nobody
  FROM extension_objects WHERE catalog = 'pg_proc'::regclass;
SELECT count(*) FILTER (WHERE c.relkind IN ('r', 'p')) >= 4 AS has_tables,
       count(*) FILTER (WHERE c.relkind IN ('r', 'p')
           AND has_table_privilege('regress_migrate_nobody', c.oid,
                                   'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER'))
           AS tables_usable_by_nobody,
       count(*) FILTER (WHERE c.relkind = 'S'
           AND has_sequence_privilege('regress_migrate_nobody', c.oid, 'USAGE, SELECT, UPDATE'))
           AS sequences_usable_by_nobody
  FROM extension_objects e JOIN pg_class c ON c.oid = e.objid
 WHERE e.catalog = 'pg_class'::regclass;
-- No ACL entry names PUBLIC (grantee 0), and none is left at its default
-- (a NULL proacl would mean EXECUTE for PUBLIC).
SELECT count(*) AS default_acls
  FROM extension_objects e JOIN pg_proc p ON p.oid = e.objid
 WHERE e.catalog = 'pg_proc'::regclass AND p.proacl IS NULL;
SELECT count(*) AS public_entries
  FROM extension_objects e JOIN pg_proc p ON p.oid = e.objid, aclexplode(p.proacl) a
 WHERE e.catalog = 'pg_proc'::regclass AND a.grantee = 0;
SELECT count(*) AS public_entries
  FROM extension_objects e JOIN pg_class c ON c.oid = e.objid, aclexplode(c.relacl) a
 WHERE e.catalog = 'pg_class'::regclass AND a.grantee = 0;

SET ROLE regress_migrate_nobody;
SELECT * FROM migrate_status();
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migrate_plan();
SELECT migrate_define(1, 'sneaky', 'SELECT 1');
SELECT * FROM migrate_apply();
SELECT * FROM migrate_rollback();
SELECT migrate_baseline(1);
SELECT migrate_remove(1);
SELECT count(*) FROM migrate_migrations;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM migrate_applied;
SELECT count(*) FROM migrate_history;
INSERT INTO migrate_migrations (version, name, up, transactional, defined_at, defined_by)
VALUES (1, 'forged', 'SELECT 1', true, now(), 'postgres');
RESET ROLE;

--
-- A deploy role, granted what the README lists.
--
GRANT EXECUTE ON FUNCTION migrate_define(bigint, text, text, text, boolean, text[], text),
                          migrate_remove(bigint, text),
                          migrate_apply(bigint, integer, text, text),
                          migrate_rollback(integer, bigint, text, text),
                          migrate_status(text, text),
                          migrate_plan(bigint, integer, text, text),
                          migrate_baseline(bigint, text, text)
      TO regress_migrate_deployer, regress_migrate_junior;
GRANT SELECT ON migrate_migrations, migrate_applied, migrate_history
      TO regress_migrate_deployer, regress_migrate_junior;
CREATE SCHEMA app;
GRANT USAGE, CREATE ON SCHEMA app TO regress_migrate_deployer;
GRANT USAGE ON SCHEMA app TO regress_migrate_junior;
CREATE TABLE app.secrets (token text);
INSERT INTO app.secrets VALUES ('s3cr3t');

SET ROLE regress_migrate_deployer;
SELECT version, name, defined_by FROM migrate_define(100, 'create_accounts',
    'CREATE TABLE app.accounts (id bigint PRIMARY KEY);', 'DROP TABLE app.accounts;');
SELECT version, name, defined_by FROM migrate_define(200, 'create_audit',
    'CREATE TABLE app.audit (at timestamptz);', 'DROP TABLE app.audit;');
SELECT version, name FROM migrate_plan();
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
SELECT version, name FROM migrate_rollback();
RESET client_min_messages;
SELECT migrate_remove(200);
SELECT version, name FROM migrate_define(250, 'adopt_existing', 'SELECT 1', '');
SELECT migrate_baseline(250);
SELECT version, name, state FROM migrate_status();
SET client_min_messages = warning;
SELECT version, name FROM migrate_rollback();
RESET client_min_messages;
SELECT migrate_remove(250);
SELECT version, applied_by FROM migrate_applied ORDER BY version;
SELECT version, direction, role FROM migrate_history ORDER BY id;
-- The bodies ran as the deploy role: it owns what they created.
SELECT tableowner FROM pg_tables WHERE schemaname = 'app' AND tablename = 'accounts';
-- It cannot write the tables itself.
INSERT INTO migrate_migrations (version, name, up, transactional, defined_at, defined_by)
VALUES (300, 'forged', 'SELECT 1', true, now(), 'postgres');
\echo :LAST_ERROR_SQLSTATE
UPDATE migrate_migrations SET up = 'SELECT 2' WHERE version = 100;
DELETE FROM migrate_migrations;
INSERT INTO migrate_applied VALUES (300, '', now(), 'postgres', '0');
DELETE FROM migrate_applied;
UPDATE migrate_history SET success = false;
DELETE FROM migrate_history;
SELECT nextval('migrate_history_id_seq');
RESET ROLE;

--
-- Migration bodies run with the applier's privileges: the deploy role
-- cannot read app.secrets, so neither can its migration.
--
SET ROLE regress_migrate_deployer;
SELECT version, name FROM migrate_define(300, 'copy_secrets',
    'CREATE TABLE app.copied AS SELECT * FROM app.secrets;', 'DROP TABLE app.copied;');
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
\echo :LAST_ERROR_SQLSTATE
RESET client_min_messages;
SELECT migrate_remove(300);
RESET ROLE;
SELECT to_regclass('app.copied') AS copied;

--
-- Definer and applier.
--
-- A less privileged role defines a migration; a more privileged role
-- applying it is refused before anything runs, with both roles named.
SET ROLE regress_migrate_junior;
SELECT version, name, defined_by FROM migrate_define(400, 'promote_me',
    'ALTER ROLE regress_migrate_junior CREATEROLE;', '');
RESET ROLE;
-- migrate_plan() says so too, as it says everything apply would refuse.
SELECT version, name FROM migrate_plan();
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_migrate_deployer;
SELECT version, name FROM migrate_apply();
RESET ROLE;
RESET client_min_messages;
SELECT rolcreaterole FROM pg_roles WHERE rolname = 'regress_migrate_junior';
SELECT version, state FROM migrate_status() WHERE version = 400;
-- After review, an identical definition by the applier makes it the
-- definer, and the apply goes through.
SELECT version, name, defined_by FROM migrate_define(400, 'promote_me',
    'ALTER ROLE regress_migrate_junior CREATEROLE;', '');
SELECT defined_by FROM migrate_migrations WHERE version = 400;
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
SELECT rolcreaterole FROM pg_roles WHERE rolname = 'regress_migrate_junior';
ALTER ROLE regress_migrate_junior NOCREATEROLE;

-- A definer that is a member of the applier's role (with its privileges)
-- is accepted; the other way round is refused.  (The lead role has the
-- deploy role's privileges through its membership.)
SET ROLE regress_migrate_lead;
SELECT version, name, defined_by FROM migrate_define(500, 'create_teams',
    'CREATE TABLE app.teams (id bigint);', 'DROP TABLE app.teams;');
RESET ROLE;
SET ROLE regress_migrate_deployer;
SELECT version, name, defined_by FROM migrate_define(600, 'create_roles',
    'CREATE TABLE app.roles (id bigint);', 'DROP TABLE app.roles;');
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply(target => 500);
RESET client_min_messages;
RESET ROLE;
SET ROLE regress_migrate_lead;
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
RESET ROLE;

-- A migration defined by a superuser is accepted for any applier.
SELECT version, name, defined_by FROM migrate_define(700, 'create_logs',
    'CREATE TABLE app.logs (line text);', 'DROP TABLE app.logs;');
SET ROLE regress_migrate_deployer;
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
RESET ROLE;
SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'app' ORDER BY tablename;

-- Between roles that do not share privileges, in either direction: the
-- junior role may not apply the deploy role's migration.
SET ROLE regress_migrate_deployer;
SELECT version, name FROM migrate_define(800, 'create_tags',
    'CREATE TABLE app.tags (id bigint);', 'DROP TABLE app.tags;');
RESET ROLE;
SET ROLE regress_migrate_junior;
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
RESET client_min_messages;
RESET ROLE;
SELECT migrate_remove(800);

-- Rollback checks the definer too: an identical re-definition of an
-- applied migration by the junior role makes it the definer, and the
-- deploy role's rollback is then refused until it defines it again.
SET ROLE regress_migrate_junior;
SELECT version, name, defined_by FROM migrate_define(700, 'create_logs',
    'CREATE TABLE app.logs (line text);', 'DROP TABLE app.logs;');
RESET ROLE;
SET ROLE regress_migrate_deployer;
SET client_min_messages = warning;
SELECT version, name FROM migrate_rollback();
\echo :LAST_ERROR_SQLSTATE
RESET client_min_messages;
SELECT version, name, defined_by FROM migrate_define(700, 'create_logs',
    'CREATE TABLE app.logs (line text);', 'DROP TABLE app.logs;');
SET client_min_messages = warning;
SELECT version, name FROM migrate_rollback();
RESET client_min_messages;
SELECT migrate_remove(700);
RESET ROLE;
SELECT to_regclass('app.logs') AS logs;

-- A definer that no longer exists is refused.
CREATE ROLE regress_migrate_gone;
GRANT EXECUTE ON FUNCTION migrate_define(bigint, text, text, text, boolean, text[], text) TO regress_migrate_gone;
SET ROLE regress_migrate_gone;
SELECT version, name, defined_by FROM migrate_define(900, 'orphan', 'SELECT 1', '');
RESET ROLE;
REVOKE EXECUTE ON FUNCTION migrate_define(bigint, text, text, text, boolean, text[], text) FROM regress_migrate_gone;
DROP ROLE regress_migrate_gone;
SET client_min_messages = warning;
SELECT version, name FROM migrate_apply();
\echo :LAST_ERROR_SQLSTATE
RESET client_min_messages;

-- Who did what.
SELECT version, name, direction, role FROM migrate_history ORDER BY id;

DROP VIEW extension_objects;
SET migrate.allow_drop = on;
DROP EXTENSION migrate;
SET client_min_messages = warning;
DROP SCHEMA app CASCADE;
RESET client_min_messages;
DROP OWNED BY regress_migrate_nobody, regress_migrate_deployer, regress_migrate_junior,
              regress_migrate_lead;
DROP ROLE regress_migrate_nobody, regress_migrate_deployer, regress_migrate_junior,
          regress_migrate_lead;
