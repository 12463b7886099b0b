# AdoptTools: helpers shared by the tests of pg_migrate's --format and
# adopt: the other migration tools (dbmate, sqitch, postgrator, sql-migrate),
# run for real against a database of a PostgreSQL::Test::Cluster, and the
# client itself against a database other than postgres.
#
# test/lib.sh installs the tools (migrate_ensure_tools) and test/run.sh
# passes their paths in MIGRATE_DBMATE, MIGRATE_POSTGRATOR, MIGRATE_SQITCH and
# MIGRATE_SQL_MIGRATE; without them, the tools are looked for where
# test/lib.sh installs them (MIGRATE_TOOLS_CACHE, default /tmp/pgtools) and
# on PATH.  A tool that cannot be found fails the test: these tests are about
# the real tools.

package AdoptTools;

use strict;
use warnings;

use Exporter 'import';
use File::Find;
use IPC::Run;
use PostgreSQL::Test::Utils;

our @EXPORT = qw(tool_path run_tool client catalog_counts status_states
  dbmate sqitch sqitch_target postgrator sql_migrate flyway_checksum);

# The OS user the test clusters run as, which is their superuser.
my $os_user = getpwuid($<);

# Returns the path of tool $name (dbmate, postgrator, sqitch, sql-migrate),
# or dies saying how to install it.
sub tool_path
{
	my ($name) = @_;
	my $var = 'MIGRATE_' . uc($name =~ s/-/_/gr);
	return $ENV{$var} if defined $ENV{$var} && $ENV{$var} ne '' && -x $ENV{$var};
	my $cache = $ENV{MIGRATE_TOOLS_CACHE} || '/tmp/pgtools';
	my $found;
	if ($name eq 'dbmate' && -d "$cache/node_modules/\@dbmate")
	{
		find(sub { $found //= $File::Find::name if $_ eq 'dbmate' && -f $_ && -x $_ },
			"$cache/node_modules/\@dbmate");
	}
	elsif ($name eq 'postgrator' && -x "$cache/node_modules/.bin/postgrator")
	{
		$found = "$cache/node_modules/.bin/postgrator";
	}
	if (!$found)
	{
		for my $dir (split /:/, $ENV{PATH})
		{
			if (-x "$dir/$name")
			{
				$found = "$dir/$name";
				last;
			}
		}
	}
	die "$name not found: run test/run.sh, or install it with migrate_ensure_tools from test/lib.sh"
	  unless $found;
	return $found;
}

# Runs @$cmd in directory $dir (undef: the current one) with the environment
# settings %$env added; returns its exit status, stdout and stderr.
sub run_tool
{
	my ($cmd, $dir, $env) = @_;
	my ($out, $err) = ('', '');
	local %ENV = (%ENV, %{ $env // {} });
	IPC::Run::run($cmd, '<', \undef, '>', \$out, '2>', \$err,
		init => sub { chdir $dir or die "could not enter $dir: $!" if defined $dir },
		IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	return ($? >> 8, $out, $err);
}

# Runs pg_migrate (found on PATH) against database $db of $node with the
# folder $dir and the further arguments @args (options, then the command);
# returns its exit status, stdout and stderr.
sub client
{
	my ($node, $db, $dir, @args) = @_;
	return run_tool([ 'pg_migrate', '-d', $node->connstr($db), '--dir', $dir, @args ]);
}

# "migrations|applied|history": the number of rows of migrate's catalog
# tables migrate_migrations, migrate_applied and migrate_history in $db.
sub catalog_counts
{
	my ($node, $db) = @_;
	return $node->safe_psql($db,
		'SELECT (SELECT count(*) FROM migrate_migrations) || \'|\' || (SELECT count(*) FROM migrate_applied)'
		  . ' || \'|\' || (SELECT count(*) FROM migrate_history)');
}

# The states that pg_migrate status printed ($out), as "VERSION STATE NAME"
# lines joined by commas, in its order.
sub status_states
{
	my ($out) = @_;
	my @rows;
	for my $line (split /\n/, $out)
	{
		push @rows, "$1 $2 $3" if $line =~ /^(\d+)\s+(\w+)\s+(\S+)/;
	}
	return join ',', @rows;
}

# Runs dbmate against database $db of $node with migrations folder $dir.
sub dbmate
{
	my ($node, $db, $dir, @args) = @_;
	my $url = sprintf('postgres://%s@/%s?host=%s&port=%d&sslmode=disable',
		$os_user, $db, $node->host, $node->port);
	return run_tool([ tool_path('dbmate'), '--url', $url, '--migrations-dir', $dir,
		'--no-dump-schema', @args ]);
}

# The sqitch target URI of database $db of $node, for "sqitch init --target".
sub sqitch_target
{
	my ($node, $db) = @_;
	return sprintf('db:pg://%s@:%d/%s?host=%s', $os_user, $node->port, $db, $node->host);
}

# Runs sqitch in its project folder $dir, with no user or system
# configuration (the planner's name and email given in the environment).
sub sqitch
{
	my ($dir, @args) = @_;
	my $none = PostgreSQL::Test::Utils::tempdir . '/no-sqitch.conf';
	return run_tool([ tool_path('sqitch'), @args ], $dir,
		{ SQITCH_USER_CONFIG => $none, SQITCH_SYSTEM_CONFIG => $none,
		  SQITCH_FULLNAME => 'Test Planner', SQITCH_EMAIL => 'planner@example.com' });
}

# Runs postgrator-cli against database $db of $node on the files of $dir,
# without a configuration file; @args starts with the target version.
sub postgrator
{
	my ($node, $db, $dir, @args) = @_;
	return run_tool([ tool_path('postgrator'), @args, '--no-config', '--host', $node->host,
		'--port', $node->port, '--database', $db, '--username', $os_user,
		'--migration-pattern', "$dir/*" ], $dir);
}

# Runs sql-migrate against database $db of $node on the folder $dir, with a
# configuration file of its own (environment "development").
sub sql_migrate
{
	my ($node, $db, $dir, @args) = @_;
	my $config = PostgreSQL::Test::Utils::tempdir . '/dbconfig.yml';
	open my $fh, '>', $config or die "could not write $config: $!";
	printf $fh "development:\n    dialect: postgres\n"
	  . "    datasource: host=%s port=%d user=%s dbname=%s sslmode=disable\n    dir: %s\n",
	  $node->host, $node->port, $os_user, $db, $dir;
	close $fh;
	my $command = shift @args;
	return run_tool([ tool_path('sql-migrate'), $command, "-config=$config", '-env=development', @args ]);
}

# Flyway's checksum of a file's content $bytes, as Flyway computes it
# (ChecksumCalculator): the text is read line by line (any of \n, \r\n and \r
# ends a line and is not counted; a byte order mark before the first line is
# dropped) and CRC-32 runs over the UTF-8 bytes of the lines, one after the
# other; the result is the signed 32-bit value.
sub flyway_checksum
{
	my ($bytes) = @_;
	require Compress::Zlib;
	$bytes =~ s/^\xEF\xBB\xBF//;
	my @lines = split /\r\n|\r|\n/, $bytes, -1;
	pop @lines if @lines && $lines[-1] eq '';
	my $crc = Compress::Zlib::crc32('');
	$crc = Compress::Zlib::crc32($_, $crc) for @lines;
	return $crc >= 2**31 ? $crc - 2**32 : $crc;
}

1;
