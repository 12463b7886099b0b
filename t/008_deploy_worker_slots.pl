# Checks what CALL migrate_deploy() does when no background worker slot is
# free for a non-transactional migration's statement, and that the failure
# is honest and resolvable.
#
# The cluster has max_worker_processes = 1, and no logical replication
# launcher (max_logical_replication_workers = 0), which would otherwise take
# that slot for good.  A deploy in database busy takes the one slot: its
# worker's CREATE INDEX CONCURRENTLY waits for an old snapshot (a REPEATABLE
# READ transaction of that database), which the test sees in
# pg_stat_progress_create_index, so the slot stays taken for as long as the
# test keeps that transaction open; no timing is involved.  (The migration
# lock is per database, so the second deploy, in database shop, does not
# wait for the first.)  Then, in shop:
# - the deploy fails with 53400 "could not start a background worker to run
#   the statement", a DETAIL naming max_worker_processes' value, the HINT to
#   raise it, and a context naming the statement;
# - nothing is applied and no index is left; as no statement of the
#   migration ran, it is still pending (not failed), with the failed run in
#   migrate_history;
# - once the first deploy has finished (its worker has exited), a new
#   deploy applies the migration, with nothing to resolve.

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('deploy_worker_slots');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
max_worker_processes = 1
max_logical_replication_workers = 0
max_parallel_workers = 0
max_parallel_maintenance_workers = 0
autovacuum = off
});
$node->start;
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_stat_activity WHERE backend_type NOT IN ('client backend', 'autovacuum launcher', 'background writer', 'checkpointer', 'walwriter', 'archiver', 'startup')}),
	'0', 'no background worker runs at first');

$node->safe_psql('postgres', 'CREATE DATABASE shop');
for my $db ('postgres', 'shop')
{
	$node->safe_psql($db, q{
		CREATE EXTENSION migrate;
		CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL);
		INSERT INTO items SELECT i, 'item ' || i FROM generate_series(1, 1000) i;
		SELECT version FROM migrate_define(100, 'index_item_names',
			'CREATE INDEX CONCURRENTLY IF NOT EXISTS items_name_idx ON items (name);');
	});
}

# Runs SQL through psql in database $db (statement by statement, as a
# script, with VERBOSITY verbose); returns whether it succeeded and its
# message lines without psql's prefix.
sub run_in
{
	my ($db, $sql) = @_;
	my ($stdout, $stderr);
	my $ret = $node->psql(
		$db, "\\set VERBOSITY verbose\n$sql",
		stdout => \$stdout,
		stderr => \$stderr,
		on_error_stop => 1);
	return ($ret == 0, [ map { s/^psql:[^:]*:\d+: //r } grep { $_ ne '' } split /\n/, $stderr ]);
}

# Database busy (postgres): an old snapshot, then a deploy whose worker
# waits for it and so holds the only slot.
my $old = $node->background_psql('postgres');
$old->query_safe('BEGIN ISOLATION LEVEL REPEATABLE READ');
$old->query_safe('SELECT count(*) FROM pg_class');
my $old_pid = $old->query_safe('SELECT pg_backend_pid()');

my ($busy_out, $busy_err) = ('', '');
my $busy = IPC::Run::start(
	[
		$node->installed_command('psql'), '-XAtq', '-v', 'ON_ERROR_STOP=1',
		'-d', $node->connstr('postgres'), '-c', 'CALL migrate_deploy()'
	],
	'>', \$busy_out, '2>', \$busy_err,
	IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
ok( $node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM pg_stat_progress_create_index p JOIN pg_stat_activity a USING (pid) "
		  . "WHERE a.backend_type = 'migrate worker' AND p.phase = 'waiting for old snapshots' "
		  . "AND p.current_locker_pid = $old_pid"),
	'the first deploy\'s worker takes the only slot and waits for the old snapshot');

# Database shop: no slot for its worker.
my ($ok, $msgs) = run_in('shop', 'CALL migrate_deploy();');
ok(!$ok, 'the deploy in shop fails');
my $all = join("\n", @$msgs);
like(
	$all,
	qr/^ERROR:  53400: could not start a background worker to run the statement\nDETAIL:  Every one of the max_worker_processes slots \(1\) is in use\.\nHINT:  Try again when fewer background workers run, or raise max_worker_processes\.\nCONTEXT:  statement 1 \(line 1\) of migration 100 "index_item_names" \(up\)$/m,
	'the error is 53400, with the slots in the detail, a hint to raise max_worker_processes and the statement in the context'
) or diag($all);
ok(!(grep { /== Migrated 100/ } @$msgs), 'the migration is not reported done');

is( $node->safe_psql('shop',
		q{SELECT (SELECT count(*) FROM migrate_applied) || ' ' || (SELECT count(*) FROM pg_class WHERE relname = 'items_name_idx')}),
	'0 0', 'nothing is applied and no index is left in shop');
is( $node->safe_psql('shop',
		q{SELECT state || ' / ' || coalesce(detail, '-') FROM migrate_status() WHERE version = 100}),
	'pending / -',
	'migrate_status() shows it still pending: no statement of it ran');
is( $node->safe_psql('shop', q{SELECT count(*) FROM migrate_progress}),
	'0', 'no progress row is left');
is( $node->safe_psql('shop',
		q{SELECT string_agg(direction || ' ' || success || ' ' || error, ',' ORDER BY id) FROM migrate_history}),
	'up false could not start a background worker to run the statement',
	'migrate_history records the failed run');

# The first deploy completes once the old transaction ends; its worker has
# exited when the CALL returns, which frees the slot.
$old->query_safe('COMMIT');
$old->quit;
ok($busy->finish, 'the first deploy completes') or diag($busy_err);
like($busy_err, qr/== Migrated 100 in /, 'the first deploy applied its migration');
is( $node->safe_psql('postgres',
		q{SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_name_idx'::regclass}),
	't', 'its index is valid');

($ok, $msgs) = run_in('shop', 'CALL migrate_deploy();');
ok($ok, 'once a slot is free, a deploy in shop succeeds, with nothing to resolve')
  or diag(join("\n", @$msgs));
ok((grep { /== Migrated 100 in / } @$msgs), 'the deploy applies the migration');
is( $node->safe_psql('shop',
		q{SELECT string_agg(version || ' ' || state, ',') FROM migrate_status()}),
	'100 applied', 'migrate_status() shows it applied');
is( $node->safe_psql('shop',
		q{SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_name_idx'::regclass}),
	't', 'the index is valid');
is( $node->safe_psql('shop',
		q{SELECT string_agg(direction || ' ' || success, ',' ORDER BY id) FROM migrate_history}),
	'up false,up true',
	'migrate_history: the failed run, then the successful run');

$node->stop;
done_testing();
