-- Data fix: emails were stored as typed ("  Alice@Example.COM").  Store them
-- trimmed and in lower case, so that the unique index of the next migration
-- can hold.  The old spellings are not kept, so the down does nothing: rolling
-- back leaves the normalised emails, which the older schema accepts as well.
SELECT version, name FROM migrate_define(20261105093000, 'normalize_account_emails',
  up => $up$
UPDATE accounts
   SET email = lower(btrim(email))
 WHERE email <> lower(btrim(email));
$up$,
  down => $down$
-- nothing to undo: the normalised emails are valid in the older schema
$down$);
