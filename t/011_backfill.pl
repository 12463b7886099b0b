# Checks what CALL migrate_backfill() promises for a large, busy table:
#
# 1. Under load.  A table of 1,000,000 rows is backfilled in batches of
#    10,000 while two writer sessions keep updating random rows of it and
#    inserting new rows at its high end, in many small transactions.  The
#    writers are never held up for long: each runs with its own
#    lock_timeout of 2 s, so a writer that waited that long for a row the
#    backfill had locked would fail with a lock timeout error; one batch
#    holds its row locks for a small fraction of that.  Every writer
#    completes every transaction, every pre-existing row is filled and was
#    updated by the backfill exactly once (counter = 1), no writer's update
#    is lost (the sum of their increments is in the table), the rows the
#    writers inserted (filled by them, as an application that writes the
#    new column does) are left alone, and migrate_backfills records the run
#    as finished with 1,000,000 rows.  The writers never touch counter or
#    filled, so the backfill is the only thing that changes them.
#
#    Why no time is measured: the bound on how long a writer waits is its
#    lock_timeout, enforced by the server.  The server log (log_lock_waits)
#    shows that writers did wait for locks the backfill held and then got
#    them, so the check does not pass vacuously; and a negative control
#    holds locks on 100,000 rows in one transaction, as an unbatched UPDATE
#    would, and shows the same writers failing with their lock timeout.
#
# 2. Interrupted and resumed.  A backfill (no where clause, so a batch done
#    twice would leave counter = 2) is stopped part-way, in two ways:
#    pg_terminate_backend() once it has done 300,000 rows, at whatever point
#    of a batch or pause it is; and kill -9 of its backend, which makes the
#    server restart, while it waits in the middle of a batch for a row lock
#    that another session holds (so that the batch has updated rows it has
#    not committed).  After each, the table holds exactly the committed
#    batches that migrate_backfills counts; the same call then says it
#    resumes after them, finishes, and every row was updated exactly once.
#
# 3. A row of a batch that a concurrent transaction deletes, or changes so
#    that it no longer matches the where clause, while the batch waits for
#    its lock makes the batch update fewer than batch_size rows: that is not
#    the end of the table, and the backfill goes on to the last row.
#
# About 45 s on 2 cores, most of it the four runs over 1,000,000 rows.

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;
use lib $FindBin::RealBin;
use MigrateTest;

my $rows = 1_000_000;

my $node = PostgreSQL::Test::Cluster->new('backfill');
$node->init;
# Log every lock wait longer than 10 ms with its holder, and when it ends.
# No autovacuum, which would only compete for the two cores.  The server
# restarts after the kill -9 of part 2.
$node->append_conf(
	'postgresql.conf', q{
log_lock_waits = on
deadlock_timeout = '10ms'
autovacuum = off
restart_after_crash = on
shared_buffers = '256MB'
max_wal_size = '2GB'
});
$node->start;

# The writers run the procedure writer() in a loop of small transactions
# until traffic_control.stop is set: each transaction updates one random
# row of the first $rows (writes = writes + 1, leaving counter and filled
# alone), and every tenth iteration another transaction inserts a row
# above them, filled, as an application that already writes the new column.
# Returns how many updates and inserts it committed.  A writer holds one row
# lock at a time, so it cannot deadlock with the backfill, which therefore
# never has to try a batch again.
$node->safe_psql('postgres', qq{
	CREATE EXTENSION migrate;
	CREATE SEQUENCE new_ids START @{[ $rows + 1 ]};
	CREATE TABLE traffic_control (stop boolean NOT NULL);
	INSERT INTO traffic_control VALUES (false);
	CREATE PROCEDURE writer(INOUT updates bigint DEFAULT 0, INOUT inserts bigint DEFAULT 0)
	LANGUAGE plpgsql AS \$\$
	DECLARE
		target bigint;
		n bigint;
	BEGIN
		LOOP
			-- into a variable: a volatile expression in the WHERE clause
			-- would make a sequential scan
			target := 1 + floor(random() * $rows)::bigint;
			UPDATE t SET writes = writes + 1 WHERE id = target;
			GET DIAGNOSTICS n = ROW_COUNT;
			COMMIT;
			updates := updates + n;
			IF updates % 10 = 0 THEN
				INSERT INTO t (id, filled) VALUES (nextval('new_ids'), 'new');
				COMMIT;
				inserts := inserts + 1;
			END IF;
			EXIT WHEN (SELECT stop FROM traffic_control);
			PERFORM pg_sleep(0.001);
		END LOOP;
	END
	\$\$;
});

# (Re)creates the table t with $rows rows, quickly: the primary key is
# built after the rows are in, in the transaction that creates the table.
# The checkpoint keeps the crash recovery of part 2 from replaying it.
sub create_table
{
	$node->safe_psql('postgres', qq{
		DROP TABLE IF EXISTS t;
		BEGIN;
		CREATE TABLE t (id bigint NOT NULL, counter integer NOT NULL DEFAULT 0,
		                filled text, writes integer NOT NULL DEFAULT 0);
		INSERT INTO t (id) SELECT g FROM generate_series(1, $rows) g;
		ALTER TABLE t ADD PRIMARY KEY (id);
		COMMIT;
		VACUUM ANALYZE t;
		CHECKPOINT;
	});
	return;
}





# Starts $n writers, each with a lock_timeout of 2 s, and returns them once
# each has committed some transactions.
sub start_writers
{
	my ($prefix, $n) = @_;
	$node->safe_psql('postgres', 'UPDATE traffic_control SET stop = false');
	my $before = $node->safe_psql('postgres', 'SELECT sum(writes) FROM t');
	my @writers;
	for my $i (1 .. $n)
	{
		my $w = start_session($node, "$prefix$i", "SET lock_timeout = '2s'", 'CALL writer()');
		$w->{pid} = pid_of($node, "$prefix$i");
		push @writers, $w;
	}
	$node->poll_query_until('postgres',
		"SELECT count(*) = $n FROM pg_stat_activity WHERE application_name LIKE '$prefix%' AND query LIKE 'CALL writer%'"
	) or die "the writers did not start";
	$node->poll_query_until('postgres', "SELECT sum(writes) >= $before + 20 * $n FROM t")
	  or die "the writers did not commit";
	return \@writers;
}

# Tells the writers to stop after their current transaction and waits for
# them.  Returns, for each, whether its CALL succeeded.
sub stop_writers
{
	my ($writers) = @_;
	$node->safe_psql('postgres', 'UPDATE traffic_control SET stop = true');
	return [ map { finish_session($_) } @$writers ];
}

# The state of the table and of the backfill's row, as
# "rows with counter = 1, rows with counter > 1, greatest id with
# counter = 1 | rows_done, batches, last_key, finished".
sub state_of
{
	my ($id) = @_;
	return $node->safe_psql('postgres', qq{
		SELECT (SELECT count(*) FILTER (WHERE counter = 1) || ' ' ||
		               count(*) FILTER (WHERE counter > 1) || ' ' ||
		               coalesce(max(id) FILTER (WHERE counter = 1), 0) FROM t)
		       || ' | ' ||
		       (SELECT rows_done || ' ' || batches || ' ' || coalesce(last_key::text, '-') || ' ' ||
		               (finished_at IS NOT NULL)
		        FROM migrate_backfills WHERE id = $id)});
}

my $fill = q{filled = md5(id::text), counter = counter + 1};

#
# 1. Under load.
#
create_table();
{
	my $what = 'under load';
	my $writers = start_writers('writer', 2);
	my $offset = -s $node->logfile;

	my ($ret, $out, $err) = $node->psql('postgres',
		"SET application_name = 'backfill'; CALL migrate_backfill('t', '$fill', 'filled IS NULL', 10000)"
	);
	my $finished = stop_writers($writers);
	my $msgs = message_lines($err);

	is($ret, 0, "$what: the backfill succeeds") or diag($err);
	my ($id) = map { /^NOTICE:  backfill (\d+) of public\.t done: / ? $1 : () } @$msgs;
	ok(defined $id, "$what: the backfill says it is done") or diag($err);
	$id //= 0;
	ok((grep { /^NOTICE:  backfill $id of public\.t done: $rows rows in 100 batches$/ } @$msgs),
		"$what: the backfill reports every row in 100 batches")
	  or diag($err);
	ok(!(grep { /retry|^ERROR|^WARNING/ } @$msgs),
		"$what: no batch was tried again and nothing went wrong")
	  or diag($err);

	my ($updates, $inserts) = (0, 0);
	for my $w (@$writers)
	{
		ok(shift @$finished, "$what: $w->{name} finished without an error")
		  or diag(${ $w->{err} });
		is(${ $w->{err} }, '', "$what: $w->{name} printed no error");
		like(${ $w->{out} }, qr/^[1-9]\d*\|[1-9]\d*$/,
			"$what: $w->{name} committed updates and inserts");
		my ($u, $i) = split /\|/, ${ $w->{out} };
		$updates += $u // 0;
		$inserts += $i // 0;
	}

	is( $node->safe_psql('postgres', qq{
			SELECT count(*) || ' ' ||
			       count(*) FILTER (WHERE counter = 1 AND filled = md5(id::text)) || ' ' ||
			       min(counter) || ' ' || max(counter)
			FROM t WHERE id <= $rows}),
		"$rows $rows 1 1",
		"$what: every pre-existing row is filled, by exactly one update of the backfill");
	is( $node->safe_psql('postgres', qq{
			SELECT count(*) || ' ' || count(*) FILTER (WHERE counter = 0 AND filled = 'new')
			FROM t WHERE id > $rows}),
		"$inserts $inserts",
		"$what: the rows the writers inserted are there, untouched by the backfill");
	is($node->safe_psql('postgres', 'SELECT sum(writes) FROM t'),
		$updates, "$what: no update of the writers is lost");
	is( $node->safe_psql('postgres', qq{
			SELECT rows_done || ' ' || batches || ' ' || last_key::text || ' ' ||
			       (finished_at IS NOT NULL) || ' ' || where_clause
			FROM migrate_backfills WHERE id = $id}),
		"$rows 100 {$rows} true filled IS NULL",
		"$what: migrate_backfills shows the run finished with every row");

	# The writers did wait for rows the backfill had locked, and got them:
	# the lock_timeout bound was put to the test.
	my $backfill_pid = $node->safe_psql('postgres',
		"SELECT pid FROM migrate_backfills WHERE id = $id");
	my $log = slurp_file($node->logfile, $offset);
	my $writer_pids = join '|', map { $_->{pid} } @$writers;
	my @waits = $log =~
	  /process ($writer_pids) still waiting for ShareLock on transaction \d+ after [\d.]+ ms\n[^\n]*DETAIL:  Process holding the lock: $backfill_pid\./g;
	ok(@waits > 0, "$what: writers queued for rows of a batch of the backfill");
	like($log, qr/process (?:$writer_pids) acquired ShareLock on transaction \d+ after/,
		"$what: writers got their rows after queueing");
	note(sprintf('%s: %d updates and %d inserts by the writers; %d logged waits for the backfill',
		$what, $updates, $inserts, scalar @waits));
}

# Negative control: the same writers against one transaction that holds
# locks on 100,000 rows, as an unbatched UPDATE would, until they give up.
# Both fail with their lock timeout, so a backfill that held its locks for
# as long would have failed the checks above.
{
	my $what = 'locks held by one long transaction';
	my $writers = start_writers('control', 2);
	my $holder = $node->background_psql('postgres');
	$holder->query_safe('BEGIN');
	$holder->query_safe('SELECT count(*) FROM (SELECT FROM t WHERE id <= 100000 FOR UPDATE) s');
	for my $w (@$writers)
	{
		ok( pump_until(
				$w->{h}, IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default),
				$w->{err}, qr/ERROR:  canceling statement due to lock timeout/),
			"$what: $w->{name} fails with a lock timeout")
		  or diag(${ $w->{err} });
	}
	$holder->query_safe('ROLLBACK');
	$holder->quit;
	my $finished = stop_writers($writers);
	ok(!$finished->[0] && !$finished->[1], "$what: neither writer finished");
}

#
# 2. Interrupted and resumed: no where clause, so that a batch done twice
# would show as counter = 2.
#

# Calls the backfill again after an interruption that left run $id with
# $done rows in $batches batches, and checks that it resumes after them and
# that every row ends up updated exactly once.
sub resume_and_check
{
	my ($what, $id, $done, $batches) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my ($ret, $out, $err) = $node->psql('postgres',
		"CALL migrate_backfill('t', '$fill', NULL, 10000, '10ms')");
	my $msgs = message_lines($err);
	is($ret, 0, "$what: the same call succeeds") or diag($err);
	ok( (grep {
				/^NOTICE:  resuming backfill $id of public\.t after $done rows in $batches batches$/
			} @$msgs),
		"$what: it resumes the interrupted run after its committed batches")
	  or diag($err);
	ok((grep { /^NOTICE:  backfill $id of public\.t done: $rows rows in 100 batches$/ } @$msgs),
		"$what: it finishes the run") or diag($err);
	is(state_of($id), "$rows 0 $rows | $rows 100 {$rows} true",
		"$what: every row was updated exactly once and the run is finished");
	is( $node->safe_psql('postgres', qq{
			SELECT count(*) FROM t WHERE filled IS DISTINCT FROM md5(id::text)}),
		'0', "$what: every row is filled");
	is( $node->safe_psql('postgres', qq{
			SELECT count(*) FROM migrate_backfills WHERE relation = 't'::regclass}),
		'1', "$what: no other run was started");
	return;
}

# Checks that the interrupted run $id holds exactly its committed batches:
# rows 1 to its last key have counter = 1, and nothing else changed.
# Returns its rows_done and batches.
sub check_interrupted
{
	my ($what, $id) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my ($done, $batches) = split / /, $node->safe_psql('postgres',
		"SELECT rows_done || ' ' || batches FROM migrate_backfills WHERE id = $id");
	ok($done > 0 && $done < $rows && $done % 10000 == 0 && $batches == $done / 10000,
		"$what: the run was stopped part-way, after whole batches")
	  or diag("rows_done $done, batches $batches");
	is(state_of($id), "$done 0 $done | $done $batches {$done} false",
		"$what: the table holds exactly the committed batches, which migrate_backfills counts");
	return ($done, $batches);
}

# pg_terminate_backend() once 300,000 rows are done.
create_table();
{
	my $what = 'terminated';
	my $backfill = start_session($node, 'terminated',
		"CALL migrate_backfill('t', '$fill', NULL, 10000, '10ms')");
	my $pid = pid_of($node, 'terminated');
	ok( $node->poll_query_until('postgres', qq{
			SELECT rows_done >= 300000 FROM migrate_backfills
			WHERE relation = 't'::regclass AND pid = $pid}),
		"$what: the backfill gets to 300,000 rows");
	my $id = $node->safe_psql('postgres',
		"SELECT id FROM migrate_backfills WHERE relation = 't'::regclass AND pid = $pid");
	$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
	ok(!finish_session($backfill), "$what: the backfill's call fails");
	like(${ $backfill->{err} }, qr/FATAL:  terminating connection due to administrator command/,
		"$what: its session was terminated");
	$node->poll_query_until('postgres',
		"SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $pid")
	  or die "the backend $pid did not end";
	my ($done, $batches) = check_interrupted($what, $id);
	resume_and_check($what, $id, $done, $batches);
}

# kill -9 while a batch waits for a row lock, with rows of the batch
# updated and not committed; the server restarts.
create_table();
{
	my $what = 'killed';
	# Holds a lock on row 350,000 in batch 35 (rows 340,001 to 350,000).
	my $holder = start_session($node, 'holder', 'BEGIN',
		'SELECT id FROM t WHERE id = 350000 FOR UPDATE',
		"SELECT pg_sleep($PostgreSQL::Test::Utils::timeout_default)");
	$node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 'holder' AND query LIKE 'SELECT pg_sleep%'"
	) or die "the holder did not lock its row";
	# A lock timeout longer than the test waits, so that the batch waits
	# for the row lock and is not tried again in between.
	my $backfill = start_session($node, 'killed', "SET migrate.lock_timeout = '3min'",
		"CALL migrate_backfill('t', '$fill', NULL, 10000, '10ms')");
	my $pid = pid_of($node, 'killed');
	ok( $node->poll_query_until('postgres', qq{
			SELECT b.rows_done = 340000 AND a.wait_event_type = 'Lock'
			FROM migrate_backfills b JOIN pg_stat_activity a ON a.pid = b.pid
			WHERE b.relation = 't'::regclass AND b.pid = $pid}),
		"$what: the backfill waits in batch 35 for the locked row");
	my $id = $node->safe_psql('postgres',
		"SELECT id FROM migrate_backfills WHERE relation = 't'::regclass AND pid = $pid");
	my $offset = -s $node->logfile;
	kill 'KILL', $pid or die "could not kill $pid: $!";
	$node->wait_for_log(qr/all server processes terminated; reinitializing/, $offset);
	ok($node->poll_query_until('postgres', 'SELECT true'), "$what: the server restarts");
	like(slurp_file($node->logfile, $offset),
		qr/server process \(PID $pid\) was terminated by signal 9/,
		"$what: the backfill's backend was killed");
	ok(!finish_session($backfill), "$what: the backfill's call fails");
	finish_session($holder);
	my ($done, $batches) = check_interrupted($what, $id);
	is($done, 340000, "$what: the batch that was under way is not counted");
	resume_and_check($what, $id, $done, $batches);
}

#
# 3. A batch that updates fewer rows than batch_size because a row it
# selected was deleted, or stopped matching the where clause, while the
# batch waited for its lock does not end the backfill.
#
sub concurrent_change
{
	my ($name, $what, $change, $where) = @_;
	$node->safe_psql('postgres', q{
		DROP TABLE IF EXISTS small;
		CREATE TABLE small (id bigint PRIMARY KEY, counter integer NOT NULL DEFAULT 0, filled text);
		INSERT INTO small (id) SELECT g FROM generate_series(1, 100) g;
	});
	my $holder = $node->background_psql('postgres');
	$holder->query_safe('BEGIN');
	$holder->query_safe($change);
	my $backfill = start_session($node, $name,
		"CALL migrate_backfill('small', '$fill', " . ($where ? "'$where'" : 'NULL') . ', 10)');
	my $pid = pid_of($node, $name);
	$node->poll_query_until('postgres',
		"SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $pid")
	  or die "the backfill did not wait for the row lock";
	$holder->query_safe('COMMIT');
	$holder->quit;
	ok(finish_session($backfill), "$what: the backfill succeeds")
	  or diag(${ $backfill->{err} });
	is( $node->safe_psql('postgres',
			"SELECT count(*) FILTER (WHERE counter = 1) FROM small WHERE filled IS DISTINCT FROM 'app'"
		),
		'99',
		"$what: every other row is backfilled");
	return;
}
concurrent_change('deleted', 'row deleted', 'DELETE FROM small WHERE id = 50', undef);
concurrent_change('filled', 'row filled by the application',
	q{UPDATE small SET filled = 'app' WHERE id = 50}, 'filled IS NULL');

$node->stop;
done_testing();
