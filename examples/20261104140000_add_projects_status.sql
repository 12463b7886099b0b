-- Projects can be archived.  The constant default fills existing rows
-- without rewriting the table.
-- The down is derived from the up.
SELECT version, name FROM migrate_define(20261104140000, 'add_projects_status',
  up => $up$
ALTER TABLE projects
    ADD COLUMN status text NOT NULL DEFAULT 'active',
    ADD CONSTRAINT projects_status_check CHECK (status IN ('active', 'archived'));
$up$);
