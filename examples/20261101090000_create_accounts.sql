-- The people who sign up: one row per account.
SELECT version, name FROM migrate_define(20261101090000, 'create_accounts',
  up => $up$
CREATE TABLE accounts (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email      text NOT NULL,
    full_name  text,
    created_at timestamptz NOT NULL DEFAULT now()
);
$up$,
  down => $down$
DROP TABLE accounts;
$down$);
