-- Projects, each owned by an account (the foreign key comes in a later migration).
-- The down is derived from the up.
SELECT version, name FROM migrate_define(20261101091500, 'create_projects',
  up => $up$
CREATE TABLE projects (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint NOT NULL,
    title      text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
$up$);
