# MigrateTest: helpers shared by the TAP tests of the migrate extension, to
# drive psql sessions in the background and read what psql printed.
#
# Each test starts its own PostgreSQL::Test::Cluster and passes it in.

package MigrateTest;

use strict;
use warnings;

use Exporter 'import';
use IPC::Run;
use PostgreSQL::Test::Utils;

our @EXPORT = qw(message_lines psql_messages start_session pid_of finish_session
  hold_snapshot wait_for_build status_of index_state pg_migrate write_file);

# Returns psql's message lines (NOTICE, WARNING, ERROR, DETAIL, HINT,
# CONTEXT, ...) from its stderr, without its "psql:<stdin>:N: " prefix.
sub message_lines
{
	my ($stderr) = @_;
	return [ map { s/^psql:[^:]*:\d+: //r } grep { $_ ne '' } split /\n/, $stderr ];
}

# Runs SQL through psql in database postgres of $node and returns its
# message lines.
sub psql_messages
{
	my ($node, $sql) = @_;
	my ($stdout, $stderr);
	$node->psql('postgres', $sql, stdout => \$stdout, stderr => \$stderr);
	return message_lines($stderr);
}

# Starts psql in the background on $node as application $name, running each
# of @sql as a command of its own and stopping at the first error; returns a
# hash with the harness and references to its stdout and stderr.
sub start_session
{
	my ($node, $name, @sql) = @_;
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[
			$node->installed_command('psql'), '-XAtq',
			'-v', 'ON_ERROR_STOP=1',
			'-d', $node->connstr('postgres') . " application_name=$name",
			map { ('-c', $_) } @sql
		],
		'>', \$out, '2>', \$err,
		IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	return { name => $name, h => $h, out => \$out, err => \$err };
}

# Returns the backend pid of the client session of application $name on
# $node, once it is connected (a deploy's worker inherits the name, but is
# no client backend).
sub pid_of
{
	my ($node, $name) = @_;
	my $where = "application_name = '$name' AND backend_type = 'client backend'";
	$node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE $where")
	  or die "session $name did not connect";
	return $node->safe_psql('postgres', "SELECT pid FROM pg_stat_activity WHERE $where");
}

# Waits for a session started by start_session() to end; returns whether
# psql succeeded (false also when it was killed), with its stdout chomped.
sub finish_session
{
	my ($session) = @_;
	my $ok = eval { $session->{h}->finish };
	chomp ${ $session->{out} };
	return $ok;
}

# Starts a session on $node that holds an old snapshot: a REPEATABLE READ
# transaction that has read a row of $table.  A concurrent index build
# started after it waits for it in the phase "waiting for old snapshots".
sub hold_snapshot
{
	my ($node, $table) = @_;
	my $holder = $node->background_psql('postgres');
	$holder->query_safe('BEGIN ISOLATION LEVEL REPEATABLE READ');
	$holder->query_safe("SELECT 1 FROM $table LIMIT 1");
	return $holder;
}

# Waits until a deploy's index build on $node, in a migrate worker, waits
# for an old snapshot; returns the process IDs of the deploying session
# (application $name) and of the worker.
sub wait_for_build
{
	my ($node, $name) = @_;
	$node->poll_query_until('postgres', q{
		SELECT count(*) = 1
		FROM pg_stat_progress_create_index p
		JOIN pg_stat_activity a ON a.pid = p.pid
		WHERE a.backend_type = 'migrate worker'
		  AND p.phase = 'waiting for old snapshots'})
	  or die 'the index build did not reach the phase "waiting for old snapshots"';
	return split /\|/, $node->safe_psql('postgres', qq{
		SELECT (SELECT pid FROM pg_stat_activity
		        WHERE application_name = '$name' AND backend_type = 'client backend'),
		       (SELECT pid FROM pg_stat_activity WHERE backend_type = 'migrate worker')});
}

# state|detail of a migration in migrate_status() on $node.
sub status_of
{
	my ($node, $version) = @_;
	return $node->safe_psql('postgres',
		"SELECT state || '|' || coalesce(detail, '') FROM migrate_status() WHERE version = $version");
}

# Whether index $name exists on $node, and if so whether it is valid:
# 'none', 't' or 'f'.
sub index_state
{
	my ($node, $name) = @_;
	return $node->safe_psql('postgres', qq{
		SELECT coalesce((SELECT CASE WHEN indisvalid THEN 't' ELSE 'f' END FROM pg_index
		                 WHERE indexrelid = to_regclass('$name')), 'none')});
}

# Runs the client, pg_migrate (found on PATH), against database postgres of
# $node with the migrations folder $dir and the further arguments @args;
# returns its exit status, stdout and stderr.
sub pg_migrate
{
	my ($node, $dir, @args) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run(
		[ 'pg_migrate', '-d', $node->connstr('postgres'), '--dir', $dir, @args ],
		'<', \undef, '>', \$out, '2>', \$err,
		IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	return ($? >> 8, $out, $err);
}

# Writes $content to file $path.
sub write_file
{
	my ($path, $content) = @_;
	open my $fh, '>', $path or die "could not write $path: $!";
	print $fh $content;
	close $fh;
	return;
}

1;
