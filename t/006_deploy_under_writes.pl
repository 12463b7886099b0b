# Checks CALL migrate_deploy() on a busy table: a transactional migration
# (ADD COLUMN), a CREATE INDEX CONCURRENTLY migration run by a background
# worker, and another transactional one (ADD COLUMN and a COMMENT on the new
# index), applied while two sessions keep writing to the table (one inserts
# and updates its own rows, the other updates existing rows at random).
#
# What it proves, without measuring time:
# - Every migration applies, once, and migrate_history has one successful row
#   for each.  The index is valid and ready, and amcheck finds every heap
#   tuple in it (a build that missed the concurrent writes would fail).
# - The writers are never held up for long: each runs with its own
#   lock_timeout of 3 s, so a statement that waited longer for a lock would
#   have failed; both complete every transaction without an error, and the
#   rows they wrote match the transactions they counted.  They even keep
#   committing while the index build waits.
# - The index build waits for an old snapshot: a REPEATABLE READ transaction
#   that read something before the build began holds it back in the phase
#   "waiting for old snapshots" (seen in pg_stat_progress_create_index, which
#   names that session as the one waited for).  Meanwhile migrate_status()
#   shows the migration running in the deploy's process, and the deploy
#   prints the progress NOTICE "index build in process W: waiting for old
#   snapshots" with the DETAIL naming that session's process, W being the
#   background worker that builds the index.  The test waits for each of
#   these by polling, never by sleeping a fixed time; then it ends the old
#   transaction and the deploy completes.

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;
use lib $FindBin::RealBin;
use MigrateTest;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('deploy_under_writes');
$node->init;
# No autovacuum: its transactions would show among those the build waits
# for.
$node->append_conf('postgresql.conf', "autovacuum = off\n");
$node->start;

my $rows = 200_000;

# The writers run the procedure traffic() in a loop of small transactions
# until traffic_control.stop is set, and return how many they committed.
# The inserter's transactions insert a row of batch 1 and update it; the
# updater's add 1 to qty of a random row of batch 0, the table's initial
# rows.
$node->safe_psql('postgres', qq{
	CREATE EXTENSION migrate;
	CREATE EXTENSION amcheck;
	CREATE TABLE orders (id bigint PRIMARY KEY, batch int NOT NULL, qty int NOT NULL DEFAULT 0);
	INSERT INTO orders (id, batch) SELECT i, 0 FROM generate_series(1, $rows) i;
	CREATE SEQUENCE order_ids START $rows;
	SELECT nextval('order_ids');
	CREATE TABLE traffic_control (stop boolean NOT NULL);
	INSERT INTO traffic_control VALUES (false);
	CREATE PROCEDURE traffic(p_insert boolean, INOUT iterations int DEFAULT 0)
	LANGUAGE plpgsql AS \$\$
	DECLARE
		new_id bigint;
	BEGIN
		LOOP
			IF p_insert THEN
				INSERT INTO orders (id, batch) VALUES (nextval('order_ids'), 1)
					RETURNING id INTO new_id;
				UPDATE orders SET qty = qty + 1 WHERE id = new_id;
			ELSE
				new_id := 1 + floor(random() * $rows)::bigint;
				UPDATE orders SET qty = qty + 1 WHERE id = new_id;
			END IF;
			COMMIT;
			iterations := iterations + 1;
			EXIT WHEN (SELECT stop FROM traffic_control);
			PERFORM pg_sleep(0.001);
		END LOOP;
	END
	\$\$;
	VACUUM ANALYZE orders;
});

# The three migrations.  The lint's warnings (prefer-robust-stmts ...) do
# not matter here; no error-level finding stops them.
$node->safe_psql('postgres', q{
	SELECT version FROM migrate_define(1, 'add_note',
		'ALTER TABLE orders ADD COLUMN note text;');
	SELECT version FROM migrate_define(2, 'index_qty',
		'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_qty_idx ON orders (qty);');
	SELECT version FROM migrate_define(3, 'add_tag',
		$$ALTER TABLE orders ADD COLUMN tag text;
COMMENT ON INDEX orders_qty_idx IS 'by quantity';$$);
});
is( $node->safe_psql('postgres',
		q{SELECT string_agg(version || ':' || transactional, ',' ORDER BY version) FROM migrate_plan()}),
	'1:true,2:false,3:true',
	'the index migration is detected as non-transactional, the others not');





# Pumps every session of @sessions until the first one's stderr matches
# $until; returns false if it ends first, if any other one ends (the writers
# end before being told to stop only on an error), or on timeout.
sub pump_sessions_until
{
	my ($until, @sessions) = @_;
	my $timeout = IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default);
	while (!$timeout->is_expired)
	{
		for my $session (@sessions)
		{
			$session->{h}->pump_nb if $session->{h}->pumpable;
		}
		return 1 if ${ $sessions[0]{err} } =~ $until;
		return 0 if grep { !$_->{h}->pumpable } @sessions;
		usleep(10_000);
	}
	return 0;
}

# The writers, each with a lock_timeout of 3 s: a statement of theirs that
# waited longer for a lock fails and ends the session.
my %writers;
for my $kind ('inserter', 'updater')
{
	$writers{$kind} = start_session($node, $kind, "SET lock_timeout = '3s'",
		'CALL traffic(' . ($kind eq 'inserter' ? 'true' : 'false') . ')');
	$writers{$kind}{pid} = pid_of($node, $kind);
}
$node->poll_query_until('postgres',
	q{SELECT count(*) = 2 FROM pg_stat_activity WHERE application_name IN ('inserter', 'updater') AND state = 'active' AND query LIKE 'CALL traffic%'}
) or die 'the writers did not start';
$node->poll_query_until('postgres',
	q{SELECT count(*) >= 10 FROM orders WHERE batch = 1 AND qty = 1})
  or die 'the inserter did not commit';

# The old snapshot: a REPEATABLE READ transaction that has read something
# (not the table: it holds no lock that the ADD COLUMNs would wait for).
my $old = $node->background_psql('postgres');
$old->query_safe('BEGIN ISOLATION LEVEL REPEATABLE READ');
$old->query_safe('SELECT stop FROM traffic_control');
my $old_pid = $old->query_safe('SELECT pg_backend_pid()');
ok( $node->safe_psql('postgres',
		"SELECT backend_xmin IS NOT NULL FROM pg_stat_activity WHERE pid = $old_pid") eq 't',
	'the REPEATABLE READ transaction holds a snapshot');

my $deploy = start_session($node, 'deployer', 'CALL migrate_deploy()');
my $deploy_pid = pid_of($node, 'deployer');

# The build gets to the phase where it waits for the old snapshot, and
# stays there while that transaction lasts.
ok( $node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM pg_stat_progress_create_index p JOIN pg_stat_activity a USING (pid) "
		  . "WHERE a.backend_type = 'migrate worker' AND p.relid = 'orders'::regclass "
		  . "AND p.phase = 'waiting for old snapshots' AND p.current_locker_pid = $old_pid"),
	'the index build, in the background worker, waits for the old snapshot');
my $worker_pid = $node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_activity WHERE backend_type = 'migrate worker'");
like($worker_pid, qr/^\d+$/, 'one background worker runs');
is( $node->safe_psql('postgres',
		"SELECT usename || ' ' || query FROM pg_stat_activity WHERE pid = $worker_pid"),
	$node->safe_psql('postgres', 'SELECT current_user')
	  . ' CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_qty_idx ON orders (qty)',
	'the worker runs the statement as the caller');
is( $node->safe_psql('postgres',
		q{SELECT string_agg(version || ' ' || state || ' ' || COALESCE(detail, '-'), ', ' ORDER BY version) FROM migrate_status()}),
	"1 applied -, 2 running up: statement 1 of 1 running in process $deploy_pid, 3 pending -",
	'migrate_status() shows the first migration applied and the index build running');

# The writers keep committing while the build waits.
my $committed = $node->safe_psql('postgres', 'SELECT count(*) FROM orders WHERE batch = 1');
ok( $node->poll_query_until('postgres',
		"SELECT count(*) >= $committed + 20 FROM orders WHERE batch = 1"),
	'the writers keep committing while the build waits');

# The deploy says what the build waits for.
my $progress = qr/^(?:psql:[^:]*:\d+: )?NOTICE:  index build in process $worker_pid: waiting for old snapshots\n(?:psql:[^:]*:\d+: )?DETAIL:  Waiting for the transaction of process $old_pid \(\d+ of \d+\)\.$/m;
ok(pump_sessions_until($progress, $deploy, values %writers),
	'the deploy prints the progress NOTICE naming the phase and the old transaction')
  or diag(${ $deploy->{err} });
is( $node->safe_psql('postgres',
		"SELECT phase || ' ' || current_locker_pid FROM pg_stat_progress_create_index WHERE pid = $worker_pid"),
	"waiting for old snapshots $old_pid",
	'the build still waits for the old snapshot');

$old->query_safe('COMMIT');
$old->quit;
ok(pump_sessions_until(qr/== Migrated 3 in /, $deploy, values %writers),
	'the deploy completes once the old transaction ends, the writers still running')
  or diag(${ $deploy->{err} });
my $deployed = finish_session($deploy);
ok($deployed, 'the deploy succeeds') or diag(${ $deploy->{err} });

$node->safe_psql('postgres', 'UPDATE traffic_control SET stop = true');
my %ok;
$ok{$_} = finish_session($writers{$_}) for keys %writers;

my $msgs = message_lines(${ $deploy->{err} });
my @order = map { /^NOTICE:  == (Running|Migrated) (\d+)/ ? "$1 $2" : () } @$msgs;
is_deeply(\@order,
	[ 'Running 1', 'Migrated 1', 'Running 2', 'Migrated 2', 'Running 3', 'Migrated 3' ],
	'the deploy runs the migrations in order')
  or diag(join("\n", @$msgs));
ok(!(grep { /^(?:ERROR|WARNING):/ } @$msgs), 'the deploy printed no error or warning')
  or diag(join("\n", @$msgs));

is( $node->safe_psql('postgres',
		q{SELECT string_agg(version::text, ',' ORDER BY version) FROM migrate_applied}),
	'1,2,3', 'every migration is applied');
is( $node->safe_psql('postgres',
		q{SELECT string_agg(version || ' ' || state || ' ' || COALESCE(detail, '-'), ', ' ORDER BY version) FROM migrate_status()}),
	'1 applied -, 2 applied -, 3 applied -',
	'migrate_status() shows every migration applied');
is( $node->safe_psql('postgres',
		q{SELECT string_agg(version || ' ' || direction || ' ' || success || ' ' || (error IS NULL), ',' ORDER BY id) FROM migrate_history}),
	'1 up true true,2 up true true,3 up true true',
	'migrate_history has one successful row for each');
is($node->safe_psql('postgres', 'SELECT count(*) FROM migrate_progress'),
	'0', 'no progress row remains');
is( $node->safe_psql('postgres',
		q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'migrate worker'}),
	'0', 'no background worker remains');
is( $node->safe_psql('postgres',
		q{SELECT indisvalid || ' ' || indisready || ' ' || obj_description(indexrelid, 'pg_class') FROM pg_index WHERE indexrelid = 'orders_qty_idx'::regclass}),
	'true true by quantity',
	'the index is valid and ready, and the last migration commented on it');
is( $node->safe_psql('postgres',
		q{SELECT count(*) FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname IN ('note', 'tag')}),
	'2', 'both columns are added');
is( $node->safe_psql('postgres',
		q{SELECT bt_index_check('orders_qty_idx', heapallindexed => true)::text}),
	'', 'amcheck finds every row of the table in the index');

# The writers were never held up for longer than their lock timeout.
for my $kind (sort keys %writers)
{
	my $w = $writers{$kind};
	ok($ok{$kind}, "the $kind finished without an error") or diag(${ $w->{err} });
	is(${ $w->{err} }, '', "the $kind printed nothing on stderr");
	like(${ $w->{out} }, qr/^[1-9]\d*$/, "the $kind committed transactions");
}
my $inserted = ${ $writers{inserter}{out} };
my $updated = ${ $writers{updater}{out} };
is( $node->safe_psql('postgres',
		q{SELECT count(*) || ' ' || count(*) FILTER (WHERE qty = 1) FROM orders WHERE batch = 1}),
	"$inserted $inserted",
	'every transaction of the inserter inserted and updated its row');
is($node->safe_psql('postgres', 'SELECT sum(qty) FROM orders WHERE batch = 0'),
	$updated, 'every transaction of the updater updated a row');

$node->stop;
done_testing();
