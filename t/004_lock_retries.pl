# Checks the NOTICE of a migration retried after a lock timeout: which
# migration, which retry of how many, the wait before it, and which session
# holds a lock on the table the statement waited for.  Then that the last
# retry fails with the lock timeout error and leaves nothing applied.  Then
# the same for a down's DROP TABLE, whose locks are taken at once when no
# other session holds them: one on the table its foreign key refers to
# still makes it wait and retry.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('lock_retries');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION migrate;
	CREATE TABLE orders (id bigint PRIMARY KEY);
	SELECT version FROM migrate_define(1, 'add_note',
		'CREATE TABLE audit (id int); ALTER TABLE orders ADD COLUMN note text;',
		'ALTER TABLE orders DROP COLUMN note; DROP TABLE audit;');
});

# A reader holds a lock on orders in an open transaction.
my $reader = $node->background_psql('postgres');
$reader->query_safe('BEGIN');
$reader->query_safe('SELECT count(*) FROM orders');
my $reader_pid = $reader->query_safe('SELECT pg_backend_pid()');
chomp $reader_pid;

my ($stdout, $stderr) = ('', '');
$node->psql(
	'postgres', q{
	SET migrate.lock_timeout = '50ms';
	SET migrate.lock_retries = 2;
	SELECT version FROM migrate_apply();
},
	stdout => \$stdout,
	stderr => \$stderr);
my @lines = map { s/^psql:[^:]*:\d+: //r } grep { $_ ne '' } split /\n/, $stderr;

my @retries = grep { /^NOTICE:  migration 1 "add_note" \(up\) waited/ } @lines;
is(scalar @retries, 2, 'each retry is announced');
like(
	$retries[0],
	qr/^NOTICE:  migration 1 "add_note" \(up\) waited longer than migrate\.lock_timeout for a lock; retry 1 of 2 in \d+ ms$/,
	'the first retry names the migration, the retry count and the wait');
like($retries[1], qr/retry 2 of 2 in \d+ ms$/, 'the second retry is the last');
ok( (grep { /^DETAIL:  Statement 2 \(line 1\) waited; blocking: process $reader_pid \(AccessShareLock on public\.orders\)\.$/ } @lines) == 2,
	'each retry names the statement and the session holding a lock on its table');
ok((grep { /^ERROR:  canceling statement due to lock timeout$/ } @lines),
	'after the last retry the lock timeout error is raised');
ok((grep { /^statement 2 \(line 1\) of migration 1 "add_note" \(up\)$/ } @lines),
	'the error names the migration and the statement');
is($node->safe_psql('postgres',
		q{SELECT count(*) FROM migrate_applied} . q{ UNION ALL SELECT count(*) FROM pg_class WHERE relname = 'audit'}),
	"0\n0", 'nothing of the migration is left');

# Once the reader is gone, the same call succeeds without a retry.
$reader->query_safe('COMMIT');
$reader->quit;
($stdout, $stderr) = ('', '');
$node->psql(
	'postgres', q{
	SET migrate.lock_timeout = '50ms';
	SELECT version FROM migrate_apply();
},
	stdout => \$stdout,
	stderr => \$stderr);
is($stdout, '1', 'the migration applies once the lock is free');
unlike($stderr, qr/retry/, 'no retry was needed');

# Rolls back the newest migration with a short lock timeout and one retry;
# returns psql's stdout and stderr.
sub rollback_once
{
	my ($out, $err) = ('', '');
	$node->psql(
		'postgres', q{
		SET migrate.lock_timeout = '50ms';
		SET migrate.lock_retries = 1;
		SELECT version FROM migrate_rollback();
	},
		stdout => \$out,
		stderr => \$err);
	return ($out, $err);
}

# Starts a session that reads $table in an open transaction, holding a lock
# on it; returns the session.
sub start_reader
{
	my ($table) = @_;
	my $session = $node->background_psql('postgres');
	$session->query_safe('BEGIN');
	$session->query_safe("SELECT count(*) FROM $table");
	return $session;
}

# A down that drops a table with a foreign key: the drop takes ACCESS
# EXCLUSIVE on the referenced table too (its triggers go), which a reader
# holds a lock on.
$node->safe_psql('postgres', q{
	CREATE TABLE customers (id bigint PRIMARY KEY);
	SELECT version FROM migrate_define(2, 'create_invoices',
		'CREATE TABLE invoices (id bigint, customer_id bigint REFERENCES customers (id));',
		'DROP TABLE invoices;');
	SELECT version FROM migrate_apply();
});
$reader = start_reader('customers');
($stdout, $stderr) = rollback_once();
like($stderr,
	qr/NOTICE:  migration 2 "create_invoices" \(down\) waited longer than migrate\.lock_timeout for a lock; retry 1 of 1/,
	'a DROP TABLE whose referenced table is locked by a reader waits and is retried');
like($stderr, qr/ERROR:  canceling statement due to lock timeout/, 'after the last retry the lock timeout error is raised');
is($node->safe_psql('postgres',
		q{SELECT count(*) FROM migrate_applied} . q{ UNION ALL SELECT count(*) FROM pg_class WHERE relname = 'invoices'}),
	"2\n1", 'the migration is still applied, its table still there');

# The same rollback with the reader gone: the locks are free, no retry.
$reader->query_safe('COMMIT');
$reader->quit;
($stdout, $stderr) = rollback_once();
is($stdout, '2', 'the down runs once the referenced table is free');
unlike($stderr, qr/retry/, 'no retry was needed');

# A reader of the dropped table itself: the drop waits and is retried.
$node->safe_psql('postgres', q{SELECT version FROM migrate_apply()});
$reader = start_reader('invoices');
($stdout, $stderr) = rollback_once();
like($stderr, qr/migration 2 "create_invoices" \(down\) waited longer than migrate\.lock_timeout for a lock; retry 1 of 1/,
	'a DROP TABLE of a table a reader holds waits and is retried');
$reader->query_safe('COMMIT');
$reader->quit;

done_testing();
