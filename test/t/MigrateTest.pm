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

our @EXPORT = qw(message_lines psql_messages start_session pid_of finish_session);

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

1;
