-- What the dashboard lists: the active projects with their owner's email.
-- The down is derived from the up.
SELECT version, name FROM migrate_define(20261106110000, 'create_active_projects_view',
  up => $up$
CREATE VIEW active_projects AS
SELECT p.id, p.name, a.email AS owner_email, p.created_at
  FROM projects p
  JOIN accounts a ON a.id = p.account_id
 WHERE p.status = 'active';
$up$);
