-- The application now calls a project's title its name.
SELECT version, name FROM migrate_define(20261103083000, 'rename_projects_title',
  up => $up$
ALTER TABLE projects RENAME COLUMN title TO name;
$up$,
  down => $down$
ALTER TABLE projects RENAME COLUMN name TO title;
$down$);
