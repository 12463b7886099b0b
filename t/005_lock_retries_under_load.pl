# Checks what migrate.lock_timeout and migrate.lock_retries are for: a
# migration whose ALTER TABLE waits behind a long-running transaction never
# holds up the other sessions using the table for longer than
# migrate.lock_timeout at a time, while its retries are announced, and the
# migration either applies once the long transaction ends or fails cleanly
# after its last retry.
#
# Why the test can prove it without measuring time: an ALTER TABLE that waits
# for its ACCESS EXCLUSIVE lock sits in the table's lock queue, and every
# later lock request on the table that conflicts with it (a SELECT's ACCESS
# SHARE, an INSERT's ROW EXCLUSIVE) queues behind it, even though the long
# transaction's own lock does not conflict with them.  A reader and a writer
# keep using the table, each with its own lock_timeout of 3 s, thirty times
# migrate.lock_timeout (100 ms).  The long transaction ends only once the
# migration has given up, or after its second retry.  Had the migration left
# its lock request queued until then, the reader's and the writer's next
# statements would have waited behind it and failed with a lock timeout after
# 3 s, before the migration got that far.  So a reader and a writer that
# complete every transaction without an error were never held up for as long
# as 3 s at a time.  The server log (log_lock_waits) shows that they did
# queue behind the migration and then got their locks, so the test does not
# pass vacuously; and a negative control with migrate.lock_timeout = 0 (no
# timeout) shows the same reader and writer failing with their lock timeout.

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

my $node = PostgreSQL::Test::Cluster->new('lock_retries_under_load');
$node->init;
# Log every lock wait longer than 10 ms, with the wait queue, and when it
# ends.  No autovacuum, whose locks on the table would muddle the queue.
$node->append_conf(
	'postgresql.conf', q{
log_lock_waits = on
deadlock_timeout = '10ms'
autovacuum = off
});
$node->start;

# The reader and the writer run the procedure traffic() in a loop of small
# transactions until traffic_control.stop is set.  The writer's transactions
# insert a row of its batch, update it and count the table's rows; the
# reader's only count them.  Each returns how many transactions it
# committed.  Each transaction's first statement takes a lock on orders: a
# writer's ROW EXCLUSIVE for its INSERT, a reader's ACCESS SHARE.
$node->safe_psql('postgres', q{
	CREATE EXTENSION migrate;
	CREATE TABLE orders (id bigint PRIMARY KEY, batch int NOT NULL, qty int NOT NULL DEFAULT 0);
	CREATE SEQUENCE order_ids;
	CREATE TABLE traffic_control (stop boolean NOT NULL);
	INSERT INTO traffic_control VALUES (false);
	CREATE PROCEDURE traffic(p_batch int, p_write boolean, INOUT iterations int DEFAULT 0)
	LANGUAGE plpgsql AS $$
	DECLARE
		new_id bigint;
		seen bigint;
	BEGIN
		LOOP
			IF p_write THEN
				INSERT INTO orders (id, batch) VALUES (nextval('order_ids'), p_batch)
					RETURNING id INTO new_id;
				UPDATE orders SET qty = qty + 1 WHERE id = new_id;
			END IF;
			SELECT count(*) INTO seen FROM orders;
			COMMIT;
			iterations := iterations + 1;
			EXIT WHEN (SELECT stop FROM traffic_control);
			PERFORM pg_sleep(0.001);
		END LOOP;
	END
	$$;
	SELECT version FROM migrate_define(1, 'add_note',
		'ALTER TABLE orders ADD COLUMN note text;',
		'ALTER TABLE orders DROP COLUMN note;');
});
my $orders_oid = $node->safe_psql('postgres', q{SELECT 'orders'::regclass::oid});



# Starts the reader and the writer of batch $batch, each with a lock_timeout
# of 3 s, and returns once both run their loops and the writer has committed
# some transactions.
sub start_traffic
{
	my ($batch) = @_;
	$node->safe_psql('postgres', 'UPDATE traffic_control SET stop = false');
	my %traffic;
	for my $role ('reader', 'writer')
	{
		my $session = start_session($node, "$role$batch", "SET lock_timeout = '3s'",
			"CALL traffic($batch, " . ($role eq 'writer' ? 'true' : 'false') . ')');
		$session->{pid} = pid_of($node, "$role$batch");
		$traffic{$role} = $session;
	}
	$node->poll_query_until('postgres',
		"SELECT count(*) = 2 FROM pg_stat_activity WHERE application_name IN ('reader$batch', 'writer$batch') AND state = 'active' AND query LIKE 'CALL traffic%'"
	) or die "the traffic of batch $batch did not start";
	$node->poll_query_until('postgres',
		"SELECT count(*) >= 10 FROM orders WHERE batch = $batch")
	  or die "the writer of batch $batch did not commit";
	return \%traffic;
}

# Tells the reader and the writer to stop after their current transaction
# and waits for them.  Returns, for each, whether its CALL succeeded.
sub stop_traffic
{
	my ($traffic) = @_;
	$node->safe_psql('postgres', 'UPDATE traffic_control SET stop = true');
	my %ok;
	$ok{$_} = finish_session($traffic->{$_}) for keys %$traffic;
	return \%ok;
}


# Checks that the reader or writer $session completed every iteration
# without an error, and, in the server log from $offset on, that it queued
# for its lock on orders behind the migrator $migrator_pid and got it.
sub traffic_unharmed
{
	my ($session, $finished, $offset, $migrator_pid, $what) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my $pid = $session->{pid};
	my $log = slurp_file($node->logfile, $offset);

	ok($finished, "$what: the $session->{name} finished without an error")
	  or diag(${ $session->{err} });
	is(${ $session->{err} }, '', "$what: the $session->{name} printed no error");
	like(${ $session->{out} }, qr/^[1-9]\d*$/,
		"$what: the $session->{name} committed transactions");
	like(
		$log,
		qr/process $pid still waiting for \w+ on relation $orders_oid of database \d+ after [\d.]+ ms\n[^\n]*DETAIL:  Process(?:es)? holding the lock: [\d, ]+\. Wait queue: (?:\d+, )*$migrator_pid, (?:\d+, )*$pid[,.]/,
		"$what: the $session->{name} queued behind the migration's lock request");
	like($log, qr/process $pid acquired \w+ on relation $orders_oid of database \d+ after/,
		"$what: the $session->{name} got its lock after queueing");
	return;
}

# Checks that the writer of batch $batch wrote and updated as many rows as
# it reported transactions.
sub rows_written
{
	my ($batch, $writer, $what) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my $iterations = ${ $writer->{out} };
	is( $node->safe_psql('postgres',
			"SELECT count(*) || ' ' || count(*) FILTER (WHERE qty = 1) FROM orders WHERE batch = $batch"
		),
		"$iterations $iterations",
		"$what: every transaction of the writer inserted and updated its row");
	return;
}

# Opens the long-running transaction: it reads orders and stays open,
# holding its ACCESS SHARE lock, until the test commits it.
sub begin_long_transaction
{
	my $long = $node->background_psql('postgres');
	$long->query_safe('BEGIN');
	$long->query_safe('SELECT count(*) FROM orders');
	$long->{pid} = $long->query_safe('SELECT pg_backend_pid()');
	return $long;
}

# Starts a migrator with the given settings; returns its session, with its
# pid, once it is known.
sub start_migrator
{
	my ($name, @settings) = @_;
	my $migrator = start_session($node, $name, @settings, 'SELECT pg_backend_pid()',
		'SELECT version FROM migrate_apply()');
	pump_until($migrator->{h},
		IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default),
		$migrator->{out}, qr/^\d+\n/)
	  or die "migrator $name did not start";
	${ $migrator->{out} } =~ s/^(\d+)\n//;
	$migrator->{pid} = $1;
	return $migrator;
}


# Waits, while the reader and the writer run, until the migrator has printed
# something matching $until, or has ended if $until is undef.  Returns false
# if the migrator ends without printing it, if the reader or the writer ends
# first (they end before being told to stop only on an error), or on
# timeout.
sub wait_for_migrator
{
	my ($migrator, $traffic, $until) = @_;
	my $timeout = IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default);
	my @sessions = ($migrator, values %$traffic);
	while (!$timeout->is_expired)
	{
		for my $session (@sessions)
		{
			$session->{h}->pump_nb if $session->{h}->pumpable;
		}
		return 1 if defined $until && ${ $migrator->{err} } =~ $until;
		return !defined $until if !$migrator->{h}->pumpable;
		return 0 if grep { !$_->{h}->pumpable } values %$traffic;
		usleep(10_000);
	}
	return 0;
}

# How many retry DETAILs in the message lines $msgs name process $pid as
# holding its ACCESS SHARE lock on orders.
sub blockers_named
{
	my ($msgs, $pid) = @_;
	return scalar grep {
		/^DETAIL:  Statement 1 \(line 1\) waited; blocking: (?:.*, )?process $pid \(AccessShareLock on public\.orders\)[,.]/
	} @$msgs;
}

my $retry_notice =
  qr/^NOTICE:  migration 1 "add_note" \(up\) waited longer than migrate\.lock_timeout for a lock; retry (\d+) of (\d+) in \d+ ms$/;

# 1. The long transaction outlives every retry.  The migration fails with
# the lock timeout error after its last retry, leaves nothing behind, and
# the reader and the writer were never held up for long.
{
	my $what = 'retries exhausted';
	my $long = begin_long_transaction();
	my $traffic = start_traffic(1);
	my $offset = -s $node->logfile;
	my $migrator = start_migrator('migrator1',
		"SET migrate.lock_timeout = '100ms'", 'SET migrate.lock_retries = 2');
	ok(wait_for_migrator($migrator, $traffic, undef),
		"$what: the migration gives up while the reader and the writer run");
	my $ok = stop_traffic($traffic);
	$long->query_safe('COMMIT');
	$long->quit;
	my $migrated = finish_session($migrator);

	ok(!$migrated, "$what: the migration fails");
	my $msgs = message_lines(${ $migrator->{err} });
	my @retries = map { /$retry_notice/ ? "$1 of $2" : () } @$msgs;
	is_deeply(\@retries, [ '1 of 2', '2 of 2' ], "$what: each retry is announced")
	  or diag(join("\n", @$msgs));
	is(blockers_named($msgs, $long->{pid}), 2,
		"$what: each retry names the long transaction as holding a lock on orders");
	ok((grep { /^ERROR:  canceling statement due to lock timeout$/ } @$msgs),
		"$what: the last try fails with the lock timeout error");
	ok((grep { /^statement 1 \(line 1\) of migration 1 "add_note" \(up\)$/ } @$msgs),
		"$what: the error names the migration and its statement")
	  or diag(join("\n", @$msgs));
	is( $node->safe_psql('postgres',
			q{SELECT (SELECT count(*) FROM migrate_applied) || ' ' || }
			  . q{(SELECT count(*) FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'note')}),
		'0 0',
		"$what: nothing of the migration is left");

	traffic_unharmed($traffic->{reader}, $ok->{reader}, $offset, $migrator->{pid}, $what);
	traffic_unharmed($traffic->{writer}, $ok->{writer}, $offset, $migrator->{pid}, $what);
	rows_written(1, $traffic->{writer}, $what);
}

# 2. The long transaction ends while the migration retries.  The migration
# applies, after at least two announced retries, and the reader and the
# writer were never held up for long.
{
	my $what = 'long transaction ends';
	my $long = begin_long_transaction();
	my $traffic = start_traffic(2);
	my $offset = -s $node->logfile;
	# Plenty of retries: the long transaction ends soon after the second.
	my $migrator = start_migrator('migrator2',
		"SET migrate.lock_timeout = '100ms'", 'SET migrate.lock_retries = 10');
	ok(wait_for_migrator($migrator, $traffic, qr/retry 2 of 10 in \d+ ms/),
		"$what: the migration retries while the reader and the writer run");
	$long->query_safe('COMMIT');
	$long->quit;
	ok(wait_for_migrator($migrator, $traffic, undef),
		"$what: the migration ends while the reader and the writer run");
	my $ok = stop_traffic($traffic);
	my $migrated = finish_session($migrator);

	ok($migrated, "$what: the migration applies") or diag(${ $migrator->{err} });
	is(${ $migrator->{out} }, '1', "$what: migrate_apply returns its version");
	my $msgs = message_lines(${ $migrator->{err} });
	my @retries = map { /$retry_notice/ ? $1 : () } @$msgs;
	ok(@retries >= 2 && "@retries" eq join(' ', 1 .. @retries),
		"$what: the retries are announced in order")
	  or diag(join("\n", @$msgs));
	is(blockers_named($msgs, $long->{pid}), scalar @retries,
		"$what: each retry names the long transaction as holding a lock on orders");
	ok((grep { /^NOTICE:  == Migrated 1 in / } @$msgs), "$what: the migration reports it ran");
	ok(!(grep { /^ERROR:/ } @$msgs), "$what: the migrator printed no error");
	is( $node->safe_psql('postgres',
			q{SELECT (SELECT string_agg(version::text, ',') FROM migrate_applied) || ' ' || }
			  . q{(SELECT count(*) FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'note')}),
		'1 1',
		"$what: the migration is recorded and its column added");

	traffic_unharmed($traffic->{reader}, $ok->{reader}, $offset, $migrator->{pid}, $what);
	traffic_unharmed($traffic->{writer}, $ok->{writer}, $offset, $migrator->{pid}, $what);
	rows_written(2, $traffic->{writer}, $what);
}

# 3. Negative control: the same traffic against a migration without a lock
# timeout (migrate.lock_timeout = 0, which also disables the retries).  Its
# lock request stays queued while the long transaction lasts, and both the
# reader and the writer, queued behind it, fail with their 3 s lock timeout:
# the checks above would catch a migration that does not apply its
# lock_timeout.
{
	my $what = 'no migrate.lock_timeout';
	$node->safe_psql('postgres', q{
		SELECT version FROM migrate_define(2, 'add_tag',
			'ALTER TABLE orders ADD COLUMN tag text;',
			'ALTER TABLE orders DROP COLUMN tag;');
	});
	my $long = begin_long_transaction();
	my $traffic = start_traffic(3);
	my $offset = -s $node->logfile;
	my $migrator = start_migrator('migrator3', 'SET migrate.lock_timeout = 0');
	ok( $node->poll_query_until('postgres',
			"SELECT count(*) = 1 FROM pg_locks WHERE pid = $migrator->{pid} AND relation = $orders_oid AND mode = 'AccessExclusiveLock' AND NOT granted"
		),
		"$what: the migration waits for its lock");
	for my $role ('reader', 'writer')
	{
		my $session = $traffic->{$role};
		ok( pump_until(
				$session->{h},
				IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default),
				$session->{err}, qr/^ERROR:  canceling statement due to lock timeout$/m),
			"$what: the $role fails with a lock timeout")
		  or diag(${ $session->{err} });
	}
	# Stops them anyway if they did not fail.
	my $ok = stop_traffic($traffic);
	ok(!$ok->{reader} && !$ok->{writer}, "$what: neither the reader nor the writer finished");
	my $log = slurp_file($node->logfile, $offset);
	for my $role ('reader', 'writer')
	{
		my $pid = $traffic->{$role}{pid};
		like(
			$log,
			qr/process $pid still waiting for \w+ on relation $orders_oid of database \d+ after [\d.]+ ms\n[^\n]*DETAIL:  Process(?:es)? holding the lock: [\d, ]+\. Wait queue: (?:\d+, )*$migrator->{pid}, (?:\d+, )*$pid[,.]/,
			"$what: the $role waited behind the migration's lock request");
	}

	# Once the long transaction ends, the migration applies.
	$long->query_safe('COMMIT');
	$long->quit;
	ok(finish_session($migrator), "$what: the migration applies once the lock is free")
	  or diag(${ $migrator->{err} });
	is(${ $migrator->{out} }, '2', "$what: migrate_apply returns its version");
}

$node->stop;
done_testing();
