-- One account per email address.
-- The down is derived from the up.
SELECT version, name FROM migrate_define(20261105094500, 'unique_account_emails',
  up => $up$
CREATE UNIQUE INDEX accounts_email_key ON accounts (email);
$up$);
