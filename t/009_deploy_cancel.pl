# Checks what a cancelled CREATE INDEX CONCURRENTLY leaves behind when it runs
# in CALL migrate_deploy(): the build runs in a background worker, and
# cancelling the deploying session, by pg_cancel_backend() or by its own
# statement_timeout, must stop the worker too (a build left running would go
# on without anyone waiting for it), and must leave an honest, recoverable
# record: migrate_status() shows the migration failed, with the error and the
# INVALID index the build left; deploy and apply refuse to go on, with SQLSTATE
# 55000, until migrate_resolve(); the next deploy drops the INVALID index
# before building it again, and the index ends up valid.  Last, the same for
# pg_terminate_backend(), which ends the session with FATAL: its worker is
# terminated as the session's process exits, and the state is recoverable.
#
# Why the test is deterministic: a session holds an old snapshot (a
# REPEATABLE READ transaction that has read a row), so the build, once it has
# created its index, waits in the phase "waiting for old snapshots" until that
# transaction ends.  The test polls pg_stat_progress_create_index for that
# phase, in a process whose backend_type is 'migrate worker', and acts only
# then; it never relies on timing, apart from the statement_timeout case,
# where the timeout (5 s) only has to be longer than the time the build needs
# to reach that phase on a table of a few hundred rows.

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;
use lib $FindBin::RealBin;
use MigrateTest;

my $node = PostgreSQL::Test::Cluster->new('deploy_cancel');
$node->init;
$node->append_conf('postgresql.conf', 'autovacuum = off');
$node->start;

# The migration builds items_v_idx with IF NOT EXISTS, the guard that makes a
# non-transactional migration re-runnable: had the next deploy not dropped the
# INVALID index first, the statement would skip it and leave it INVALID.
$node->safe_psql('postgres', q{
	CREATE EXTENSION migrate;
	CREATE TABLE items (id bigint PRIMARY KEY, v text);
	INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 500) g;
	CREATE TABLE snap (id int);
	INSERT INTO snap VALUES (1);
	SELECT version FROM migrate_define(10, 'index_items_v',
		'CREATE INDEX CONCURRENTLY IF NOT EXISTS items_v_idx ON items (v);');
});

# Cancels a deploy while its index build waits, in the way $cancel says,
# and checks the whole path from the failure to the repaired migration.
#   $label    names the case in the test names
#   $settings commands the deploying session runs before the CALL
#   $cancel   sub that cancels it, given the caller's pid
#   $message  the error the deploying session gets
#   $check_running  whether to look at the status while the build waits
sub cancel_case
{
	my ($label, $settings, $cancel, $message, $check_running) = @_;

	is(index_state($node, 'items_v_idx'), 'none', "$label: no index before the deploy");
	my $holder = hold_snapshot($node, 'snap');
	my $deploy = start_session($node, 'deployer', @$settings, 'CALL migrate_deploy()');
	my ($caller, $worker) = wait_for_build($node, 'deployer');
	like($caller, qr/^\d+$/, "$label: the deploying session is found");
	like($worker, qr/^\d+$/, "$label: the statement runs in a worker of its own");

	# While the build waits, the migration is running, and the index exists,
	# INVALID, as the build has not finished.  (Not under a statement_timeout,
	# which may expire meanwhile.)
	if ($check_running)
	{
		is(status_of($node, 10), "running|up: statement 1 of 1 running in process $caller",
			"$label: status shows the migration running in the deploying session");
		is(index_state($node, 'items_v_idx'), 'f', "$label: the index being built is INVALID so far");
	}

	$cancel->($caller);
	ok(!$deploy->{h}->finish, "$label: the deploy fails");
	like(${ $deploy->{err} }, qr/^ERROR:  \Q$message\E$/m,
		"$label: the deploying session reports \"$message\"");
	like(${ $deploy->{err} },
		qr/^CONTEXT:  statement 1 \(line 1\) of migration 10 "index_items_v" \(up\)$/m,
		"$label: the error names the migration and the statement");

	# The old snapshot is still held: a worker left running would wait on.
	ok( $node->poll_query_until('postgres',
			"SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $worker"),
		"$label: the worker is gone while the old snapshot is still held");
	ok( $node->poll_query_until('postgres',
			"SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'migrate worker'"),
		"$label: no migrate worker runs");
	$holder->query_safe('COMMIT');
	$holder->quit;

	is(status_of($node, 10),
		"failed|up: 0 of 1 statements completed; statement 1 (line 1) failed: $message; "
		  . 'INVALID indexes: public.items_v_idx',
		"$label: status shows the migration failed, the error and the INVALID index");
	is(index_state($node, 'items_v_idx'), 'f', "$label: the INVALID index is still there");
	is( $node->safe_psql('postgres', q{
			SELECT version || ' ' || direction || ' ' || completed || '/' || statements
			       || ' ' || (relations = ARRAY['items'::regclass::oid])
			FROM migrate_progress}),
		'10 up 0/1 true',
		"$label: migrate_progress keeps the migration, its progress and its table");
	is( $node->safe_psql('postgres', q{
			SELECT success || ' ' || error FROM migrate_history
			WHERE version = 10 ORDER BY id DESC LIMIT 1}),
		"false $message",
		"$label: the history records the failure");

	# Deploy and apply refuse, with SQLSTATE 55000, until it is resolved.
	for my $call ('CALL migrate_deploy()', 'SELECT version FROM migrate_apply()')
	{
		my $msgs = psql_messages($node, "\\set VERBOSITY verbose\n$call");
		is($msgs->[0],
			'ERROR:  55000: migration 10 "index_items_v" failed part-way and must be resolved first',
			"$label: $call is refused with SQLSTATE 55000");
		is($msgs->[1],
			"DETAIL:  0 of the 1 statements of its up body completed; statement 1 (line 1) failed: $message",
			"$label: the refusal says why");
	}
	is(index_state($node, 'items_v_idx'), 'f', "$label: the refused deploy did not touch the index");

	is_deeply(psql_messages($node, q{SELECT migrate_resolve(10, 'pending')}),
		['NOTICE:  migration 10 is now pending'],
		"$label: migrate_resolve records the migration as pending");
	is(status_of($node, 10), 'pending|', "$label: status shows it pending");

	my $msgs = psql_messages($node, 'CALL migrate_deploy()');
	is($msgs->[0],
		'NOTICE:  == Running 10 index_items_v (up)',
		"$label: the next deploy runs the migration");
	is($msgs->[1],
		'NOTICE:  dropping INVALID index public.items_v_idx, left by an earlier attempt of statement 1 of migration 10',
		"$label: it drops the INVALID index first");
	like($msgs->[-1], qr/^NOTICE:  == Migrated 10 in \d+\.\d{3}s$/,
		"$label: the migration completes");
	ok(!grep({ /^ERROR/ } @$msgs), "$label: without an error")
	  or diag(join("\n", @$msgs));
	is(index_state($node, 'items_v_idx'), 't', "$label: the index is valid");
	is(status_of($node, 10), 'applied|', "$label: status shows it applied");
	is($node->safe_psql('postgres', 'SELECT count(*) FROM migrate_progress'),
		'0', "$label: no progress row is left");

	# Back to pending for the next case: the down drops the index.
	$msgs = psql_messages($node, 'CALL migrate_revert(steps => 1)');
	ok(!grep({ /^ERROR/ } @$msgs), "$label: the migration reverts")
	  or diag(join("\n", @$msgs));
	return;
}

cancel_case(
	'pg_cancel_backend', [],
	sub {
		my ($caller) = @_;
		is($node->safe_psql('postgres', "SELECT pg_cancel_backend($caller)"),
			't', 'pg_cancel_backend: the deploying session is signalled');
	},
	'canceling statement due to user request', 1);

# The session's statement_timeout bounds the whole CALL; it fires while the
# build waits, since the old snapshot is held until after it.
cancel_case(
	'statement_timeout', [q{SET statement_timeout = '5s'}],
	sub { },
	'canceling statement due to statement timeout', 0);

# pg_terminate_backend() ends the deploying session with FATAL, which no
# error handler of the deploy sees.  The worker should not outlive it: a build
# going on with no one to record its outcome makes migrate_status() wrong (it
# says the migration failed, 0 of 1 statements completed, while the statement
# still runs and may later complete), and a later deploy would try to drop the
# index from under it.  The deploying session terminates its worker as its
# process exits.
{
	my $label = 'pg_terminate_backend';

	is(index_state($node, 'items_v_idx'), 'none', "$label: no index before the deploy");
	my $holder = hold_snapshot($node, 'snap');
	my $deploy = start_session($node, 'deployer', 'CALL migrate_deploy()');
	my ($caller, $worker) = wait_for_build($node, 'deployer');
	is($node->safe_psql('postgres', "SELECT pg_terminate_backend($caller)"),
		't', "$label: the deploying session is signalled");
	ok(!$deploy->{h}->finish, "$label: the deploy fails");
	like(${ $deploy->{err} },
		qr/^FATAL:  terminating connection due to administrator command$/m,
		"$label: the deploying session is terminated");
	ok( $node->poll_query_until('postgres',
			"SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $caller"),
		"$label: the deploying session is gone");

	ok( $node->poll_query_until('postgres',
			"SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $worker"),
		"$label: the worker is gone while the old snapshot is still held");

	# Once the old snapshot is released, a worker still running completes
	# its build.
	$holder->query_safe('COMMIT');
	$holder->quit;
	ok( $node->poll_query_until('postgres',
			"SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'migrate worker'"),
		"$label: no migrate worker runs once the old snapshot is released");

	like(status_of($node, 10),
		qr/^failed\|up: 0 of 1 statements completed; interrupted: the session that ran it \(process $caller\) stopped before it finished/,
		"$label: status shows the migration failed, interrupted");
	is(index_state($node, 'items_v_idx'), 'f',
		"$label: the build did not go on without the session: its index is INVALID");
	is(status_of($node, 10),
		'failed|up: 0 of 1 statements completed; interrupted: the session that ran it '
		  . "(process $caller) stopped before it finished; INVALID indexes: public.items_v_idx",
		"$label: status names the INVALID index");

	# Recoverable either way: resolved as pending, the migration deploys
	# (dropping the INVALID index if there is one) and the index is valid.
	is_deeply(psql_messages($node, q{SELECT migrate_resolve(10, 'pending')}),
		['NOTICE:  migration 10 is now pending'],
		"$label: migrate_resolve records the migration as pending");
	my $msgs = psql_messages($node, 'CALL migrate_deploy()');
	like($msgs->[-1], qr/^NOTICE:  == Migrated 10 in \d+\.\d{3}s$/,
		"$label: the next deploy completes the migration");
	ok(!grep({ /^ERROR/ } @$msgs), "$label: without an error")
	  or diag(join("\n", @$msgs));
	is(index_state($node, 'items_v_idx'), 't', "$label: the index is valid");
	is(status_of($node, 10), 'applied|', "$label: status shows it applied");
	is($node->safe_psql('postgres', 'SELECT count(*) FROM migrate_progress'),
		'0', "$label: no progress row is left");
}

$node->stop;
done_testing();
