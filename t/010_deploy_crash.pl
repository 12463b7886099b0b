# Checks that a deploy whose CREATE INDEX CONCURRENTLY is cut short by a crash
# leaves an honest and recoverable record.  The build runs in a background
# worker while the deploying session waits for it; three ways to lose them:
#   - kill -9 of the deploying session's backend,
#   - kill -9 of the worker,
#   - an immediate shutdown in the middle of a deploy of three migrations.
# The first two make the postmaster end every session and restart
# (restart_after_crash = on), the third is restarted by the test.  In each
# case nothing runs the code that records a failure, so what is left is the
# migrate_progress row committed before the statement ran: migrate_status()
# must show the migration failed and interrupted, naming the session that
# ran it and the INVALID index the build left; every migrator must refuse to
# go on, saying exactly why, until migrate_resolve(); then the migration can
# be completed (by a deploy, which drops the INVALID index first, or by hand)
# and the index ends up valid.  Migrations committed before the crash stay
# applied, those after it stay pending.
#
# Why the test is deterministic: a session holds an old snapshot (a
# REPEATABLE READ transaction that has read a row), so the build, once it has
# created its index, waits in the phase "waiting for old snapshots" until that
# transaction ends.  The test polls pg_stat_progress_create_index for that
# phase, in a process whose backend_type is 'migrate worker', and only then
# kills.  Restarts are awaited in the server log and by polling a connection.

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;
use lib $FindBin::RealBin;
use MigrateTest;

my $node = PostgreSQL::Test::Cluster->new('deploy_crash');
$node->init;
$node->append_conf('postgresql.conf', q{
restart_after_crash = on
autovacuum = off
});
$node->start;

# Migration 10 builds items_v_idx with IF NOT EXISTS, the guard that makes a
# non-transactional migration re-runnable: had a later deploy not dropped the
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

# Waits for the postmaster, which has seen a process die, to end every
# session and restart, and for the server to accept connections again.
sub wait_for_crash_restart
{
	my ($log_offset) = @_;
	$node->wait_for_log(qr/all server processes terminated; reinitializing/, $log_offset);
	$node->poll_query_until('postgres', 'SELECT 1', '1')
	  or die 'the server did not come back after the crash';
	return;
}

# Checks that $call is refused because migration $version ($name) was
# interrupted, with SQLSTATE 55000, the reason and what to do.
sub refused_ok
{
	my ($label, $call, $version, $name) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	is_deeply(
		[ grep { !/^LOCATION:/ } @{ psql_messages($node, "\\set VERBOSITY verbose\n$call") } ],
		[
			"ERROR:  55000: migration $version \"$name\" failed part-way and must be resolved first",
			'DETAIL:  0 of the 1 statements of its up body completed; the session that ran it stopped before it finished.',
			"HINT:  See migrate_status() for the INVALID indexes it left.  Repair the database, then record the outcome with migrate_resolve($version, 'applied') or migrate_resolve($version, 'pending')."
		],
		"$label: $call is refused, saying why");
	return;
}

# Checks the state a crash during the build of migration 10 leaves, and
# that it is refused until resolved.
sub check_interrupted
{
	my ($label, $caller) = @_;
	is(status_of($node, 10),
		"failed|up: 0 of 1 statements completed; interrupted: the session that ran it (process $caller) stopped before it finished; "
		  . 'INVALID indexes: public.items_v_idx',
		"$label: status shows the migration failed, interrupted, and its INVALID index");
	is(index_state($node, 'items_v_idx'), 'f', "$label: the INVALID index is there");
	is($node->safe_psql('postgres', 'SELECT count(*) FROM migrate_applied WHERE version = 10'),
		'0', "$label: the migration is not recorded as applied");
	refused_ok($label, 'CALL migrate_deploy()', 10, 'index_items_v');
	is(index_state($node, 'items_v_idx'), 'f', "$label: the refused deploy did not touch the index");
	return;
}

# Resolves migration 10 as pending and deploys it again: the deploy drops
# the INVALID index, builds it, and completes.
sub resolve_and_redeploy
{
	my ($label) = @_;
	is_deeply(psql_messages($node, q{SELECT migrate_resolve(10, 'pending')}),
		['NOTICE:  migration 10 is now pending'],
		"$label: migrate_resolve records the migration as pending");
	my $msgs = psql_messages($node, 'CALL migrate_deploy()');
	is_deeply(
		[ @$msgs[ 0 .. 1 ] ],
		[
			'NOTICE:  == Running 10 index_items_v (up)',
			'NOTICE:  dropping INVALID index public.items_v_idx, left by an earlier attempt of statement 1 of migration 10'
		],
		"$label: the next deploy drops the INVALID index first");
	like($msgs->[-1], qr/^NOTICE:  == Migrated 10 in \d+\.\d{3}s$/,
		"$label: the migration completes");
	ok(!grep({ /^ERROR/ } @$msgs), "$label: without an error")
	  or diag(join("\n", @$msgs));
	is(index_state($node, 'items_v_idx'), 't', "$label: the index is valid");
	is(status_of($node, 10), 'applied|', "$label: status shows it applied");
	is($node->safe_psql('postgres', 'SELECT count(*) FROM migrate_progress'),
		'0', "$label: no progress row is left");
	return;
}

# Ends a background psql whose server connection the crash has cut.
sub quit_dead
{
	my ($session) = @_;
	eval { $session->quit; };
	return;
}

# --- kill -9 of the deploying session's backend -----------------------------

{
	my $label = 'kill -9 caller';
	my $holder = hold_snapshot($node, 'snap');
	my $deploy = start_session($node, 'deployer', 'CALL migrate_deploy()');
	my ($caller, $worker) = wait_for_build($node, 'deployer');
	my $log_offset = -s $node->logfile;

	ok(kill('KILL', $caller), "$label: the deploying backend is killed");
	ok(!$deploy->{h}->finish, "$label: the deploy fails");
	like(${ $deploy->{err} }, qr/server closed the connection unexpectedly/,
		"$label: its client loses the connection");
	wait_for_crash_restart($log_offset);
	ok($node->log_contains(qr/server process \(PID $caller\) was terminated by signal 9/, $log_offset),
		"$label: the postmaster saw the backend die and restarted");
	quit_dead($holder);
	is($node->safe_psql('postgres',
			"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'migrate worker'"),
		'0', "$label: no migrate worker runs after the restart");

	check_interrupted($label, $caller);
	resolve_and_redeploy($label);

	# Back to pending for the next case: the down drops the index.
	my $msgs = psql_messages($node, 'CALL migrate_revert(steps => 1)');
	ok(!grep({ /^ERROR/ } @$msgs), "$label: the migration reverts")
	  or diag(join("\n", @$msgs));
}

# --- kill -9 of the worker ---------------------------------------------------

# A background worker that dies of a signal is a crash for the postmaster: it
# ends every session, the deploying one included, and restarts.
{
	my $label = 'kill -9 worker';
	is(index_state($node, 'items_v_idx'), 'none', "$label: no index before the deploy");
	my $holder = hold_snapshot($node, 'snap');
	my $deploy = start_session($node, 'deployer', 'CALL migrate_deploy()');
	my ($caller, $worker) = wait_for_build($node, 'deployer');
	my $log_offset = -s $node->logfile;

	ok(kill('KILL', $worker), "$label: the worker is killed");
	ok(!$deploy->{h}->finish, "$label: the deploy fails");
	like(
		${ $deploy->{err} },
		qr/terminating connection because of crash of another server process|server closed the connection unexpectedly/,
		"$label: the deploying session is ended by the restart")
	  or diag(${ $deploy->{err} });
	note "the deploying session's messages:\n${ $deploy->{err} }";
	wait_for_crash_restart($log_offset);
	ok( $node->log_contains(
			qr/background worker "migrate worker" \(PID $worker\) was terminated by signal 9/,
			$log_offset),
		"$label: the postmaster saw the worker die and restarted");
	quit_dead($holder);

	check_interrupted($label, $caller);
	resolve_and_redeploy($label);
}

# --- immediate shutdown in the middle of a deploy of three migrations --------

# 20 (transactional) commits, the build of 30 waits for the old snapshot
# when the server stops; 40 (transactional) never starts.
$node->safe_psql('postgres', q{
	SELECT version FROM migrate_define(20, 'create_notes',
		'CREATE TABLE notes (id bigint PRIMARY KEY, body text);', 'DROP TABLE notes;');
	SELECT version FROM migrate_define(30, 'index_items_lower_v',
		'CREATE INDEX CONCURRENTLY IF NOT EXISTS items_lower_v_idx ON items (lower(v));');
	SELECT version FROM migrate_define(40, 'create_tags',
		'CREATE TABLE tags (id bigint PRIMARY KEY, label text);', 'DROP TABLE tags;');
});
{
	my $label = 'immediate shutdown';
	my $holder = hold_snapshot($node, 'snap');
	my $deploy = start_session($node, 'deployer', 'CALL migrate_deploy()');
	my ($caller, $worker) = wait_for_build($node, 'deployer');
	is(status_of($node, 30), "running|up: statement 1 of 1 running in process $caller",
		"$label: the deploy runs migration 30");

	$node->stop('immediate');
	ok(!$deploy->{h}->finish, "$label: the deploy fails");
	quit_dead($holder);
	$node->start;

	is( $node->safe_psql('postgres',
			'SELECT version, state, detail FROM migrate_status() WHERE version >= 20 ORDER BY version'),
		"20|applied|\n"
		  . "30|failed|up: 0 of 1 statements completed; interrupted: the session that ran it (process $caller) stopped before it finished; INVALID indexes: public.items_lower_v_idx\n"
		  . '40|pending|',
		"$label: 20 applied, 30 failed and interrupted with its INVALID index, 40 pending");
	is($node->safe_psql('postgres', q{SELECT to_regclass('notes') IS NOT NULL, to_regclass('tags') IS NULL}),
		't|t', "$label: the table of 20 exists, that of 40 does not");
	is(index_state($node, 'items_lower_v_idx'), 'f', "$label: the index of 30 is INVALID");

	refused_ok($label, $_, 30, 'index_items_lower_v')
	  for ('CALL migrate_deploy()',
		'SELECT version FROM migrate_apply()',
		'CALL migrate_revert(steps => 1)',
		'SELECT version FROM migrate_rollback()');
	is( $node->safe_psql('postgres',
			'SELECT version, state FROM migrate_status() WHERE version >= 20 ORDER BY version'),
		"20|applied\n30|failed\n40|pending",
		"$label: the refused calls changed nothing");

	is_deeply(psql_messages($node, q{SELECT migrate_resolve(30, 'pending')}),
		['NOTICE:  migration 30 is now pending'],
		"$label: migrate_resolve records migration 30 as pending");
	my $msgs = psql_messages($node, 'CALL migrate_deploy()');
	my @running = grep { /^NOTICE:  (== Running|dropping)/ } @$msgs;
	is_deeply(
		\@running,
		[
			'NOTICE:  == Running 30 index_items_lower_v (up)',
			'NOTICE:  dropping INVALID index public.items_lower_v_idx, left by an earlier attempt of statement 1 of migration 30',
			'NOTICE:  == Running 40 create_tags (up)'
		],
		"$label: the next deploy drops the INVALID index, then runs 30 and 40");
	ok(!grep({ /^ERROR/ } @$msgs), "$label: without an error")
	  or diag(join("\n", @$msgs));
	is(index_state($node, 'items_lower_v_idx'), 't', "$label: the index of 30 is valid");
	is( $node->safe_psql('postgres',
			'SELECT version, state FROM migrate_status() ORDER BY version'),
		"10|applied\n20|applied\n30|applied\n40|applied",
		"$label: every migration is applied");
	is($node->safe_psql('postgres', 'SELECT count(*) FROM migrate_progress'),
		'0', "$label: no progress row is left");
}

$node->stop;
done_testing();
