# Checks what happens when migrate_apply() runs more migrations in one
# transaction than the lock table holds: the error keeps its SQLSTATE
# (53200, out of shared memory), names the migration that hit the limit, and
# hints at applying fewer migrations per call (steps) or migrate_deploy;
# nothing stays applied, and applying a few at a time works.  The same for
# migrate_rollback(), whose hint is migrate_revert.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# A small lock table: max_locks_per_transaction times the number of
# backends (connections, autovacuum and background workers).
my $node = PostgreSQL::Test::Cluster->new('locks');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
max_locks_per_transaction = 10
max_connections = 5
max_worker_processes = 2
autovacuum_max_workers = 1
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION migrate');

# Each migration creates a table with a primary key and a text column, so
# it holds locks on four new relations (table, index, TOAST table and its
# index) until the end of the transaction.
my $count = 150;
my $defs = join(
	"\n",
	map {
		sprintf(
			"SELECT version FROM migrate_define(%d, 'create_t%d', "
			  . "'CREATE TABLE t%d (id int PRIMARY KEY, body text);', 'DROP TABLE t%d;');",
			20260101000000 + $_, $_, $_, $_)
	} 1 .. $count);
$node->safe_psql('postgres', "BEGIN;\n$defs\nCOMMIT;");
is($node->safe_psql('postgres', 'SELECT count(*) FROM migrate_plan()'),
	$count, "$count migrations are pending");

my ($stdout, $stderr);
my $ret = $node->psql(
	'postgres',
	"\\set VERBOSITY verbose\nSELECT count(*) FROM migrate_apply();",
	stdout => \$stdout,
	stderr => \$stderr);
isnt($ret, 0, 'applying them all in one transaction fails');
like(
	$stderr,
	qr/^(?:psql:[^:]*:\d+: )?ERROR:  53200: out of shared memory$/m,
	'the error is out of shared memory, SQLSTATE 53200');

# The migration named in the context is the one that was running.
my @running = $stderr =~ /== Running (\d+) create_t\d+ \(up\)/g;
my ($context) = $stderr =~ /^(CONTEXT:  .*?)^LOCATION:/ms;
my ($failed) = ($context // '') =~ /of migration (\d+) "create_t\d+" \(up\)/;
ok(defined $failed, 'the context names the migration')
  or diag($stderr);
ok(@running > 1, 'some migrations ran before the lock table was full');
is($failed, $running[-1], 'the context names the migration that was running');
like(
	$stderr,
	qr/^HINT:  .*\bsteps\b.*\bmigrate_deploy\b/m,
	'the hint suggests the steps argument and migrate_deploy');

is($node->safe_psql('postgres', 'SELECT count(*) FROM migrate_applied'),
	'0', 'nothing is left applied');
is($node->safe_psql('postgres', 'SELECT count(*) FROM migrate_history'),
	'0', 'nothing is left in the history');
is( $node->safe_psql(
		'postgres', "SELECT count(*) FROM pg_class WHERE relname ~ '^t[0-9]+\$'"),
	'0',
	'no table of the migrations is left');

# A few at a time fits.
is($node->safe_psql('postgres', 'SELECT count(*) FROM migrate_apply(steps => 3)'),
	'3', 'migrate_apply(steps => 3) applies three migrations');
is( $node->safe_psql(
		'postgres',
		"SELECT string_agg(version::text, ',' ORDER BY version) FROM migrate_applied"),
	'20260101000001,20260101000002,20260101000003',
	'the three oldest are applied');

# Rolling them all back in one transaction runs out the same way, and the
# hint names the procedure that rolls back one migration per transaction.
$node->safe_psql('postgres', 'SET client_min_messages = warning; CALL migrate_deploy()');
is($node->safe_psql('postgres', 'SELECT count(*) FROM migrate_applied'),
	$count, 'CALL migrate_deploy() applied them all, one transaction each');
$ret = $node->psql(
	'postgres',
	"\\set VERBOSITY verbose\nSELECT count(*) FROM migrate_rollback(target => 0);",
	stdout => \$stdout,
	stderr => \$stderr);
isnt($ret, 0, 'rolling them all back in one transaction fails');
like(
	$stderr,
	qr/^(?:psql:[^:]*:\d+: )?ERROR:  53200: out of shared memory$/m,
	'the error is out of shared memory, SQLSTATE 53200');
like($stderr, qr/^statement \d+ \(line \d+\) of migration \d+ "create_t\d+" \(down\)$/m,
	'the context names the migration rolled back');
like(
	$stderr,
	qr/^HINT:  .*\bsteps\b.*\bmigrate_revert\b/m,
	'the hint suggests the steps argument and migrate_revert');
unlike($stderr, qr/migrate_deploy/, 'the hint does not suggest migrate_deploy');
is($node->safe_psql('postgres', 'SELECT count(*) FROM migrate_applied'),
	$count, 'every migration is still applied');

$node->stop;
done_testing();
