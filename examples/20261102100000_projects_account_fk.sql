-- Ties every project to its account, and indexes the referencing column so
-- that deleting an account and listing an account's projects stay fast.
-- The down is derived from the up.
SELECT version, name FROM migrate_define(20261102100000, 'projects_account_fk',
  up => $up$
ALTER TABLE projects
    ADD CONSTRAINT projects_account_id_fkey
    FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE;
CREATE INDEX projects_account_id_idx ON projects (account_id);
$up$);
