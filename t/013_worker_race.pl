# Checks that a deploy's background worker that starts, runs its statement
# and exits before its caller looks at it is not taken for a worker that
# could not start.
#
# A non-transactional migration's statement runs in a background worker:
# the caller registers the worker (RegisterDynamicBackgroundWorker), waits
# for it to start (WaitForBackgroundWorkerStartup), then reads its messages
# from a queue in shared memory.  When the worker is fast and the caller
# slow, the worker is gone by the time the caller asks whether it started:
# the answer is "stopped".  That used to be an error, "the background worker
# to run the statement could not start": the worker's NOTICEs were dropped
# and the migration recorded failed, "0 of 1 statements completed", although
# its statement had run.
#
# Why the test is deterministic: gdb, attached to the deploying backend,
# stops it when RegisterDynamicBackgroundWorker() returns, i.e. just after
# the worker is registered and before the caller waits for it to start.  The
# test then waits until the worker has run its statement (its table exists)
# and the postmaster has reaped it (the DEBUG1 line "background worker
# "migrate worker" (PID N) exited with exit code 0", which the postmaster
# logs after it has released the worker's slot), and only then lets gdb
# detach.  gdb's output shows that the breakpoint was hit, in the deploy's
# worker launch.  (The postgres binary has no debug information, but
# RegisterDynamicBackgroundWorker is one of its dynamic symbols.)
#
# gdb runs as the postgres OS user and attaches to a backend of the same
# user: Linux allows that unless Yama's kernel.yama.ptrace_scope is 1 or more
# (Debian's kernel leaves it at 0).  When gdb cannot attach, the test is
# skipped, saying why.
#
# A second migration, deployed without gdb, runs the normal way.

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

use FindBin;
use lib $FindBin::RealBin;
use MigrateTest;

my $gdb = '/usr/bin/gdb';
plan skip_all => "gdb is not installed ($gdb)" unless -x $gdb;

my $node = PostgreSQL::Test::Cluster->new('worker_race');
$node->init;
# DEBUG1 for the postmaster's line about the worker's exit; no parallel
# query, whose workers the backend would also register.
$node->append_conf(
	'postgresql.conf', q{
log_min_messages = debug1
max_parallel_workers_per_gather = 0
max_parallel_maintenance_workers = 0
autovacuum = off
});
$node->start;

$node->safe_psql('postgres', q{
	CREATE EXTENSION migrate;
	CREATE TABLE t (id bigint PRIMARY KEY, n int);
	INSERT INTO t SELECT g, 0 FROM generate_series(1, 100) g;
	SELECT version FROM migrate_define(10, 'worker_notice',
		$m$DO $$BEGIN CREATE TABLE worker_ran (id int); RAISE NOTICE 'worker statement ran'; END$$;$m$,
		'DROP TABLE worker_ran;', transactional => false);
});

# Starts gdb attached to process $pid with the commands @commands; returns
# the harness and a reference to what gdb prints (stdout and stderr).
sub start_gdb
{
	my ($pid, @commands) = @_;
	my $out = '';
	my $h = IPC::Run::start(
		[
			$gdb, '-nx', '-batch', '-iex', 'set debuginfod enabled off',
			'-p', $pid, map { ('-ex', $_) } @commands
		],
		'<', \undef, '>&', \$out,
		IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	return ($h, \$out);
}

# Waits until what gdb printed matches $re; false if gdb ended first or
# the default timeout passed.
sub wait_for_gdb
{
	my ($h, $out, $re) = @_;
	my $deadline = time() + $PostgreSQL::Test::Utils::timeout_default;
	while ($$out !~ $re)
	{
		return 0 if !$h->pumpable || time() > $deadline;
		$h->pump_nb;
		usleep(50_000);
	}
	return 1;
}

# The state of process $pid, as in /proc/PID/stat: 'S' sleeping, 't'
# stopped by a tracer, ...
sub process_state
{
	my ($pid) = @_;
	open my $f, '<', "/proc/$pid/stat" or return '?';
	my $stat = <$f>;
	close $f;
	return $stat =~ /\) (\S) / ? $1 : '?';
}

# Can gdb attach to a backend here?  Yama (kernel.yama.ptrace_scope >= 1)
# forbids attaching to a process that is not a descendant.
{
	my $probe = $node->background_psql('postgres');
	my $pid = $probe->query_safe('SELECT pg_backend_pid()');
	my ($h, $out) = start_gdb($pid, 'echo MIGRATE_PROBE pid=', 'print (int) getpid()', 'detach');
	$h->finish;
	$probe->quit;
	my $scope = '(no Yama)';
	if (open my $f, '<', '/proc/sys/kernel/yama/ptrace_scope')
	{
		$scope = <$f>;
		chomp $scope;
		close $f;
	}
	if ($$out !~ /MIGRATE_PROBE pid=\$1 = $pid\b/)
	{
		note "gdb's output:\n$$out";
		plan skip_all => "gdb cannot attach to a backend (kernel.yama.ptrace_scope: $scope)"
		  . ($scope =~ /^[1-3]$/ ? '; as root, sysctl kernel.yama.ptrace_scope=0 allows it' : '');
	}
	note "gdb attaches to a backend (kernel.yama.ptrace_scope: $scope)";
}

# --- the worker finishes before the caller waits for it ----------------------

# gdb holds the deploying backend until this file exists (at most 120 s).
my $flag = PostgreSQL::Test::Utils::tempdir() . '/let_the_caller_go';

# Creates the flag, so that gdb detaches.
sub let_the_caller_go
{
	open my $f, '>', $flag or die "could not create $flag: $!";
	close $f;
	return;
}

# If the test dies while gdb holds the backend, gdb lets it go before the
# node is stopped (this END block runs before PostgreSQL::Test::Cluster's).
END { let_the_caller_go() if defined $flag && !-e $flag; }

# The deploying session first waits for an advisory lock that the test
# holds, so that gdb is attached before the deploy starts.
my $gate = $node->background_psql('postgres');
$gate->query_safe('SELECT pg_advisory_lock(42)');
my $deploy = start_session($node, 'racer', 'SELECT pg_advisory_xact_lock(42)', 'CALL migrate_deploy()');
my $caller = pid_of($node, 'racer');
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_locks WHERE pid = $caller AND locktype = 'advisory' AND NOT granted")
  or die 'the deploying session does not wait for the gate';

# At the breakpoint: finish (RegisterDynamicBackgroundWorker returns: the
# worker is registered), show where, and wait for the test's flag before
# detaching, which lets the caller go on to WaitForBackgroundWorkerStartup.
my ($gdb_h, $gdb_out) = start_gdb(
	$caller,
	'handle SIGUSR1 SIGUSR2 SIGURG SIGALRM SIGPIPE SIGCHLD nostop noprint pass',
	'break RegisterDynamicBackgroundWorker',
	'echo MIGRATE_ATTACHED\n',
	'continue',
	'finish',
	'echo MIGRATE_REGISTERED\n',
	'backtrace 4',
	'echo MIGRATE_HOLDING\n',
	"shell i=0; while [ ! -e '$flag' ] && [ \$i -lt 1200 ]; do sleep 0.1; i=\$((i+1)); done",
	'echo MIGRATE_DETACHING\n',
	'detach');
ok(wait_for_gdb($gdb_h, $gdb_out, qr/^MIGRATE_ATTACHED$/m), 'gdb attaches to the deploying backend')
  or diag($$gdb_out);

my $log_offset = -s $node->logfile;
$gate->query_safe('SELECT pg_advisory_unlock(42)');

ok(wait_for_gdb($gdb_h, $gdb_out, qr/^MIGRATE_HOLDING$/m),
	'the deploying backend stops when RegisterDynamicBackgroundWorker() returns')
  or diag($$gdb_out);
like(
	$$gdb_out,
	qr/Breakpoint 1, .*RegisterDynamicBackgroundWorker.*MIGRATE_REGISTERED\n.*#\d+ .*\bworker_(launch|run_statement)\b.*MIGRATE_HOLDING/s,
	'gdb hit the breakpoint in the deploy\'s worker launch')
  or diag($$gdb_out);

# While the caller is held: the worker runs its statement and exits, and
# the postmaster releases its slot.
$node->wait_for_log(qr/background worker "migrate worker" \(PID \d+\) exited with exit code 0/,
	$log_offset);
ok(1, 'the worker has exited and the postmaster has released its slot while the caller is held');
is($node->safe_psql('postgres', q{SELECT to_regclass('worker_ran') IS NOT NULL}),
	't', 'the worker\'s statement ran');
is( $node->safe_psql('postgres',
		"SELECT state FROM pg_stat_activity WHERE pid = $caller"),
	'active', 'the deploying session is still in its CALL');
is(process_state($caller), 't', 'the deploying backend is held by gdb (tracing stop)');

let_the_caller_go();
ok(wait_for_gdb($gdb_h, $gdb_out, qr/^MIGRATE_DETACHING$/m), 'gdb lets the caller go');
$gdb_h->finish;
like($$gdb_out, qr/^\[Inferior 1 \(process $caller\) detached\]$/m, 'gdb detaches from the caller')
  or diag($$gdb_out);
note "gdb's output:\n$$gdb_out";

ok(finish_session($deploy), 'the deploy succeeds') or diag(${ $deploy->{err} });
my $msgs = message_lines(${ $deploy->{err} });
is_deeply(
	[ @$msgs[ 0 .. $#$msgs - 1 ] ],
	[
		'NOTICE:  == Running 10 worker_notice (up)',
		'NOTICE:  worker statement ran',
	],
	'the worker\'s NOTICE is relayed to the caller')
  or diag(join("\n", @$msgs));
like($msgs->[-1], qr/^NOTICE:  == Migrated 10 in \d+\.\d{3}s$/, 'the deploy reports the migration done');
is(status_of($node, 10), 'applied|', 'migrate_status() shows it applied');
is( $node->safe_psql('postgres',
		q{SELECT string_agg(version || ' ' || direction || ' ' || success || ' ' || coalesce(error, '-'), ',' ORDER BY id) FROM migrate_history}),
	'10 up true -', 'migrate_history records the run as a success');
is($node->safe_psql('postgres', 'SELECT count(*) FROM migrate_progress'),
	'0', 'no progress row is left');

# --- the normal path, without gdb ---------------------------------------------

$node->safe_psql('postgres', q{
	SELECT version FROM migrate_define(20, 'vacuum_t',
		$m$DO $$BEGIN RAISE NOTICE 'second worker statement ran'; END$$;
VACUUM t;$m$,
		'', transactional => false);
});
my ($ret, $stdout, $stderr) = $node->psql('postgres', 'CALL migrate_deploy()');
is($ret, 0, 'without gdb, the deploy of a second migration succeeds') or diag($stderr);
$msgs = message_lines($stderr);
is_deeply(
	[ @$msgs[ 0 .. $#$msgs - 1 ] ],
	[
		'NOTICE:  == Running 20 vacuum_t (up)',
		'NOTICE:  second worker statement ran',
	],
	'its worker\'s NOTICE is relayed')
  or diag(join("\n", @$msgs));
like($msgs->[-1], qr/^NOTICE:  == Migrated 20 in \d+\.\d{3}s$/, 'the deploy reports it done');
is( $node->safe_psql('postgres',
		'SELECT version, state FROM migrate_status() ORDER BY version'),
	"10|applied\n20|applied", 'migrate_status() shows both applied');
is( $node->safe_psql('postgres',
		q{SELECT string_agg(version || ' ' || direction || ' ' || success, ',' ORDER BY id) FROM migrate_history}),
	'10 up true,20 up true', 'migrate_history records both as successes');

$gate->quit;
$node->stop;
done_testing();
