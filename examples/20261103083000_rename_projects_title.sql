-- The application now calls a project's title its name.
-- The down is derived from the up.
SELECT version, name FROM migrate_define(20261103083000, 'rename_projects_title',
  up => $up$
ALTER TABLE projects RENAME COLUMN title TO name;
$up$);
