-- One account per email address.
-- The down is derived from the up.  The table is a few rows old when this
-- runs, so building the index in the transaction blocks nobody: the rule
-- that asks for CREATE INDEX CONCURRENTLY is accepted.
SELECT version, name FROM migrate_define(20261105094500, 'unique_account_emails',
  up => $up$
-- migrate:safety-assured require-concurrent-index-creation
CREATE UNIQUE INDEX accounts_email_key ON accounts (email);
$up$);
