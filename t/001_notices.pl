# Checks the exact form of the messages a migrator prints: the Ecto-style
# "== Running" / "== Migrated" progress NOTICEs of apply and rollback, the
# "already up" / "already down" NOTICEs, the out-of-order WARNING, and the
# NOTICE naming the process that holds the migration lock while another
# migrator waits for it.

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;
use lib $FindBin::RealBin;
use MigrateTest;

my $node = PostgreSQL::Test::Cluster->new('notices');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION migrate');


# Checks that a list of message lines matches a list of regexes one for one.
sub messages_like
{
	my ($got, $expected, $name) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my $ok = @$got == @$expected;
	for my $i (0 .. $#$expected)
	{
		$ok &&= defined $got->[$i] && $got->[$i] =~ $expected->[$i];
	}
	ok($ok, $name) or diag("got:\n" . join("\n", @$got));
	return;
}

# Defines a migration that creates table $table, with a down that drops it.
sub define
{
	my ($version, $name, $table, $extra) = @_;
	$extra //= '';
	$node->safe_psql('postgres',
		"SELECT version FROM migrate_define($version, '$name', "
		  . "'CREATE TABLE $table (id bigint);$extra', 'DROP TABLE $table;')");
	return;
}

# Starts psql running $sql in the background; returns the harness and
# references to its stdout and stderr.
sub start_psql
{
	my ($sql) = @_;
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[
			$node->installed_command('psql'), '-XAtq',
			'-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres'),
			'-c', $sql
		],
		'>', \$out, '2>', \$err,
		IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	return ($h, \$out, \$err);
}

# The duration in a "== Migrated" line: seconds with exactly three decimals.
my $secs = qr/\d+\.\d{3}s/;

define(20260101000000, 'create_accounts', 'accounts');
define(20260102000000, 'create_orders',   'orders', ' SELECT pg_sleep(0.2);');

# Apply: one Running and one Migrated line per migration, in version order.
my $msgs = psql_messages($node, 'SELECT version FROM migrate_apply()');
messages_like(
	$msgs,
	[
		qr/^NOTICE:  == Running 20260101000000 create_accounts \(up\)$/,
		qr/^NOTICE:  == Migrated 20260101000000 in $secs$/,
		qr/^NOTICE:  == Running 20260102000000 create_orders \(up\)$/,
		qr/^NOTICE:  == Migrated 20260102000000 in $secs$/,
	],
	'apply prints Running and Migrated for each migration');

# The reported duration is in seconds: the second migration slept 0.2 s.
my ($slept) = $msgs->[3] =~ /in (\d+\.\d{3})s$/;
ok(defined $slept && $slept >= 0.2,
	'the Migrated line reports the duration in seconds');

messages_like(
	psql_messages($node, 'SELECT version FROM migrate_apply()'),
	[qr/^NOTICE:  migrations already up$/],
	'apply with nothing pending says migrations already up');

# Rollback: newest first, marked (down).
messages_like(
	psql_messages($node, 'SELECT version FROM migrate_rollback(target => 0)'),
	[
		qr/^NOTICE:  == Running 20260102000000 create_orders \(down\)$/,
		qr/^NOTICE:  == Migrated 20260102000000 in $secs$/,
		qr/^NOTICE:  == Running 20260101000000 create_accounts \(down\)$/,
		qr/^NOTICE:  == Migrated 20260101000000 in $secs$/,
	],
	'rollback prints Running (down) and Migrated for each migration');

messages_like(
	psql_messages($node, 'SELECT version FROM migrate_rollback()'),
	[qr/^NOTICE:  migrations already down$/],
	'rollback with nothing applied says migrations already down');

# Out of order: with 20260102 removed, apply brings the database to
# 20260103; 20260102 is then defined again and applied together with the
# newer 20260104, and only 20260102 gets the warning.
define(20260103000000, 'create_items', 'items');
$node->safe_psql('postgres', 'SELECT migrate_remove(20260102000000)');
$node->safe_psql('postgres', 'SELECT version FROM migrate_apply()');
define(20260102000000, 'create_orders', 'orders');
define(20260104000000, 'create_notes',  'notes');
messages_like(
	psql_messages($node, 'SELECT version FROM migrate_apply()'),
	[
		qr/^WARNING:  migration 20260102000000 "create_orders" is older than the newest applied migration 20260103000000$/,
		qr/^DETAIL:  It is applied out of order; a later migrate_rollback\(\) reverts migration 20260103000000 before it\.$/,
		qr/^HINT:  If that matters, roll it back and define it again with a version above 20260103000000\.$/,
		qr/^NOTICE:  == Running 20260102000000 create_orders \(up\)$/,
		qr/^NOTICE:  == Migrated 20260102000000 in $secs$/,
		qr/^NOTICE:  == Running 20260104000000 create_notes \(up\)$/,
		qr/^NOTICE:  == Migrated 20260104000000 in $secs$/,
	],
	'an older pending migration is applied with the out-of-order warning');

# Lock wait.  A session that called migrate_define() in an open transaction
# holds the migration lock; a second session's migrate_apply() says, once,
# which process it waits for, and goes on when the holder commits.
my $holder = $node->background_psql('postgres');
my $holder_pid = $holder->query_safe('SELECT pg_backend_pid()');
$holder->query_safe('BEGIN');
$holder->query_safe(
	"SELECT version FROM migrate_define(20260105000000, 'create_tags', "
	  . "'CREATE TABLE tags (id bigint);', 'DROP TABLE tags;')");

my ($waiter, $out, $err) = start_psql('SELECT version FROM migrate_apply()');
ok( pump_until(
		$waiter, IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default),
		$err, qr/waiting for the migration lock/),
	'a second migrator reports that it waits');
# It really waits, on the advisory lock.
ok( $node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"),
	'the second migrator waits on the advisory lock');
like(
	$$err,
	qr/^NOTICE:  waiting for the migration lock held by process $holder_pid$/m,
	'the wait NOTICE names the pid of the session holding the lock');
is($$out, '', 'the waiting migrator has applied nothing yet');

$holder->query_safe('COMMIT');
ok($waiter->finish, 'the waiting migrator finishes after the holder commits');
is($$out, "20260105000000\n",
	'it applies the migration the holder defined');
my @waits = $$err =~ /waiting for the migration lock/g;
is(scalar @waits, 1, 'the wait is reported once');

# An idle session holding the lock at session level is named as well, and
# migrate.lock_wait_timeout ends the wait with an error naming it.
$holder->query_safe('SELECT pg_advisory_lock(1835624306)');
messages_like(
	psql_messages($node, 
		"SET migrate.lock_wait_timeout = '200ms'; SELECT version FROM migrate_rollback()"),
	[
		qr/^NOTICE:  waiting for the migration lock held by process $holder_pid$/,
		qr/^ERROR:  could not obtain the migration lock within migrate\.lock_wait_timeout$/,
		qr/^DETAIL:  Another migrator, the session with process ID $holder_pid, holds the lock\.$/,
		qr/^HINT:  Wait for that migration to finish, or raise migrate\.lock_wait_timeout\.$/,
	],
	'a bounded wait names the idle holder and fails with its pid');
$holder->query_safe('SELECT pg_advisory_unlock(1835624306)');
$holder->quit;

messages_like(
	psql_messages($node, 'SELECT version FROM migrate_rollback()'),
	[
		qr/^NOTICE:  == Running 20260105000000 create_tags \(down\)$/,
		qr/^NOTICE:  == Migrated 20260105000000 in $secs$/,
	],
	'once the lock is free the rollback runs without waiting');

$node->stop;
done_testing();
