# Checks pg_migrate's bad input and exit statuses: folders and files it
# refuses before connecting (so nothing reaches the server), usage errors
# (status 2), connection and server errors (status 1), the help, and the
# environment (DATABASE_URL, MIGRATE_DIR, PG*).

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;
use lib $FindBin::RealBin;
use MigrateTest;

my $node = PostgreSQL::Test::Cluster->new('client_errors');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION migrate');

my $tmp = PostgreSQL::Test::Utils::tempdir;
my ($rc, $out, $err);

# Runs pg_migrate with exactly @args, in the environment %env added to ours.
sub run_client
{
	my ($env, @args) = @_;
	my ($o, $e) = ('', '');
	local %ENV = (%ENV, %$env);
	IPC::Run::run([ 'pg_migrate', @args ], '<', \undef, '>', \$o, '2>', \$e);
	return ($? >> 8, $o, $e);
}

# A connection string no server answers: a command that fails with a file
# error, not a connection error, read its files before connecting.
my $nowhere = 'host=/nonexistent port=1 dbname=none';

# Files and folders, each refused with status 1 naming what is wrong.
my %bad = (
	'missing folder' => [ {}, qr/error: could not open migrations folder ".*no_such_dir": No such file or directory/ ],
	'bad file name' => [ { 'abc_create.sql' => "-- migrate:up\nselect 1;\n" }, qr/error: invalid migration file name ".*abc_create\.sql"/ ],
	'version zero' => [ { '0_zero.sql' => "-- migrate:up\nselect 1;\n" }, qr/error: invalid migration file name ".*0_zero\.sql"/ ],
	'no name' => [ { '123.sql' => "-- migrate:up\nselect 1;\n" }, qr/error: invalid migration file name ".*123\.sql"/ ],
	'version out of range' => [ { '99999999999999999999_big.sql' => "-- migrate:up\nselect 1;\n" }, qr/error: invalid migration file name/ ],
	'two files, one version' => [ { '1_a.sql' => "-- migrate:up\nselect 1;\n", '01_b.sql' => "-- migrate:up\nselect 2;\n" },
		qr/error: two files have version 1: ".*01_b\.sql" and ".*1_a\.sql"/ ],
	'no up line' => [ { '1_a.sql' => "select 1;\n" }, qr/error: file ".*1_a\.sql" has no "-- migrate:up" line/ ],
	'unknown up option' => [ { '1_a.sql' => "-- migrate:up transaction:maybe\nselect 1;\n" },
		qr/error: file ".*1_a\.sql", line 1: unknown option "transaction:maybe"/ ],
	'down before up' => [ { '1_a.sql' => "-- migrate:down\nselect 1;\n-- migrate:up\nselect 2;\n" },
		qr/error: file ".*1_a\.sql", line 3: "-- migrate:up" after "-- migrate:down"/ ],
);
my $n = 0;
for my $case (sort keys %bad)
{
	my ($files, $pattern) = @{ $bad{$case} };
	my $dir = "$tmp/bad" . $n++;
	if (%$files)
	{
		mkdir $dir;
		write_file("$dir/$_", $files->{$_}) for keys %$files;
	}
	$dir = "$tmp/no_such_dir" unless %$files;
	for my $command ([ 'load' ], [ 'status' ], [ 'up' ])
	{
		($rc, $out, $err) = run_client({}, '-d', $nowhere, '--dir', $dir, @$command);
		is($rc, 1, "$case: $command->[0] exits 1");
		like($err, $pattern, "$case: $command->[0] names it");
		unlike($err, qr/connection to server/, "$case: $command->[0] refuses before connecting");
	}
}

# An unreadable file.
mkdir "$tmp/unreadable";
write_file("$tmp/unreadable/1_a.sql", "-- migrate:up\nselect 1;\n");
chmod 0000, "$tmp/unreadable/1_a.sql";
SKIP:
{
	skip 'running as root, which reads any file', 2 if open(my $fh, '<', "$tmp/unreadable/1_a.sql");
	($rc, $out, $err) = run_client({}, '-d', $nowhere, '--dir', "$tmp/unreadable", 'load');
	is($rc, 1, 'an unreadable file: exit 1');
	like($err, qr/error: could not open file ".*1_a\.sql": Permission denied/, 'an unreadable file is named');
}

# A large folder, read by several threads: every bad file is named, in the
# order of the file names, and nothing is defined.
$node->safe_psql('postgres', 'CREATE DATABASE large');
$node->safe_psql('large', 'CREATE EXTENSION migrate');
mkdir "$tmp/large";
write_file(sprintf("$tmp/large/%d_t%d.sql", 500 + $_, $_),
	"-- migrate:up\nCREATE TABLE large_t$_ (id int);\n") for 1 .. 300;
write_file("$tmp/large/501_t1.sql", "select 1;\n");
write_file("$tmp/large/799_t299.sql", "-- migrate:up transaction:sometimes\nselect 1;\n");
($rc, $out, $err) = run_client({}, '-d', $node->connstr('large'), '--dir', "$tmp/large", 'load');
is($rc, 1, 'a large folder with two bad files: exit 1');
like($err, qr/501_t1\.sql" has no "-- migrate:up" line.*799_t299\.sql", line 1: unknown option/s,
	'a large folder: both bad files named, in name order');
is($node->safe_psql('large', 'SELECT count(*) FROM migrate_migrations'),
	'0', 'a large folder with bad files: nothing defined');
write_file("$tmp/large/501_t1.sql", "-- migrate:up\nCREATE TABLE large_t1 (id int);\n");
write_file("$tmp/large/799_t299.sql", "-- migrate:up\nCREATE TABLE large_t299 (id int);\n");
($rc, $out, $err) = run_client({}, '-d', $node->connstr('large'), '--dir', "$tmp/large", 'load');
is($rc, 0, 'the large folder, mended, loads');
like($out, qr/loaded 300 migrations: 300 new/, 'every file of the large folder is read once');
($rc, $out, $err) = run_client({}, '-d', $node->connstr('large'), '--dir', "$tmp/large", '--prune', 'load');
like($out, qr/loaded 300 migrations: 0 new, 0 replaced, 300 unchanged/, 'loading it again changes nothing');

# Usage errors: status 2.
my @usage = (
	[ [], qr/error: no command given/ ],
	[ [ 'frobnicate' ], qr/error: unknown command "frobnicate"/ ],
	[ [ '--frobnicate', 'status' ], qr/unrecognized option/ ],
	[ [ 'up', '--prune' ], qr/error: option --prune does not apply to command "up"/ ],
	[ [ 'status', '--to', '5' ], qr/error: option --to does not apply to command "status"/ ],
	[ [ 'down', '--to', '5', '--steps', '2' ], qr/error: options --to and --steps cannot be used together/ ],
	[ [ 'up', '--steps', '0' ], qr/error: invalid value "0" for --steps/ ],
	[ [ 'up', '--steps', 'many' ], qr/error: invalid value "many" for --steps/ ],
	[ [ 'up', '--to', '-1' ], qr/error: invalid value "-1" for --to/ ],
	[ [ 'lint', '--format', 'xml' ], qr/error: invalid value "xml" for --format/ ],
	[ [ 'new' ], qr/error: command "new" takes arguments NAME/ ],
	[ [ 'new', 'a', 'b' ], qr/error: command "new" takes arguments NAME/ ],
	[ [ 'new', 'bad/name' ], qr/error: invalid migration name "bad\/name"/ ],
	[ [ 'status', 'extra' ], qr/error: command "status" takes no arguments/ ],
	[ [ 'resolve', '1' ], qr/error: command "resolve" takes arguments VERSION applied\|pending/ ],
	[ [ 'help', 'frobnicate' ], qr/error: unknown command "frobnicate"/ ],
);
for my $u (@usage)
{
	my ($args, $pattern) = @$u;
	($rc, $out, $err) = run_client({}, '-d', $nowhere, '--dir', "$tmp/none", @$args);
	is($rc, 2, "usage error: pg_migrate @$args exits 2");
	like($err, $pattern, "usage error: pg_migrate @$args says why");
	like($err, qr/hint: (Try "pg_migrate (help \w+|--help)" for more information|Give a whole number from \d+ to \d+)\./,
		"usage error: pg_migrate @$args gives a hint")
	  unless "@$args" =~ /^new bad/;
}

# Help and version: status 0.
($rc, $out, $err) = run_client({}, '--help');
is($rc, 0, '--help exits 0');
like($out, qr/^Usage:\n  pg_migrate \[OPTION\]\.\.\. COMMAND \[ARG\]\.\.\.$/m, '--help shows the usage');
like($out, qr/^  -d, --dbname=DBNAME /m, '--help lists the connection options');
($rc, $out, $err) = run_client({}, '-?');
like($out, qr/^Usage:/m, '-? is --help');
my ($rc1, $help_up) = run_client({}, 'help', 'up');
my ($rc2, $up_help) = run_client({}, 'up', '--help');
is($rc1 + $rc2, 0, 'per-command help exits 0');
like($help_up, qr/^  pg_migrate \[OPTION\]\.\.\. up \[--to=VERSION\] \[--steps=N\] \[--format=LAYOUT\]$/m, 'help up shows its usage');
is($up_help, $help_up, 'pg_migrate up --help is pg_migrate help up');
($rc, $out, $err) = run_client({}, '--version');
is($rc, 0, '--version exits 0');
like($out, qr/^pg_migrate \(PostgreSQL\) \d+/, '--version says the version');

# Connection errors: status 1.
mkdir "$tmp/good";
write_file("$tmp/good/1_a.sql", "-- migrate:up\ncreate table a (id bigint);\n");
($rc, $out, $err) = run_client({}, '-d', $nowhere, '--dir', "$tmp/good", 'status');
is($rc, 1, 'a connection failure exits 1');
like($err, qr/^pg_migrate: error: connection to server .* failed/m, 'a connection failure is named');
$node->safe_psql('postgres', 'CREATE DATABASE bare');
($rc, $out, $err) = run_client({}, '-d', $node->connstr('bare'), '--dir', "$tmp/good", 'status');
is($rc, 1, 'a database without the extension: exit 1');
like($err, qr/error: extension "migrate" is not installed in database "bare"\n.*hint: Run CREATE EXTENSION migrate/,
	'a database without the extension is named');

# The environment: DATABASE_URL when no -d, MIGRATE_DIR when no --dir,
# and -h/-p/-U over the PG* variables.
($rc, $out, $err) = run_client({ DATABASE_URL => $node->connstr('postgres'), MIGRATE_DIR => "$tmp/good" }, 'status');
is($rc, 0, 'DATABASE_URL and MIGRATE_DIR are used');
like($out, qr/^1  +pending   a  \[not loaded\]$/m, 'status reads MIGRATE_DIR');
($rc, $out, $err) = run_client({ PGDATABASE => 'none' }, '-h', $node->host, '-p', $node->port, '-d', 'postgres', '--dir', "$tmp/good", 'status');
is($rc, 0, '-h, -p and -d connect');
my $uri = 'postgresql:///postgres?host=' . $node->host . '&port=' . $node->port;
($rc, $out, $err) = run_client({}, '-d', $uri, '-w', '--dir', "$tmp/good", 'status');
is($rc, 0, 'a URI connects');

# Server errors: status 1, printed as psql prints them, with the file and
# line the server names.
mkdir "$tmp/syntax";
write_file("$tmp/syntax/1_a.sql", "-- migrate:up\n\ncreate table a (id bigint);\ncreate tabel b (id bigint);\n");
($rc, $out, $err) = pg_migrate($node, "$tmp/syntax", 'load');
is($rc, 1, 'a syntax error exits 1');
like($err, qr/^ERROR:  syntax error at or near "tabel"/m, 'the error is printed as psql prints it');
like($err, qr/^CONTEXT:  .*\nfile .*1_a\.sql, line 4$/m, 'the context names the file and its line');
is($node->safe_psql('postgres', 'SELECT count(*) FROM migrate_migrations'), '0', 'nothing is defined');

# The JSON sent to the server keeps every character of a body.
mkdir "$tmp/escapes";
my $body = "select 'a \"quoted\" \\\\ back\tslash', E'\\\\n', 'caf\x{e9}';\n-- \x01 control\n";
my $bytes = $body;
utf8::encode($bytes);
write_file("$tmp/escapes/7_escapes.sql", "-- migrate:up\n$bytes");
($rc, $out, $err) = pg_migrate($node, "$tmp/escapes", 'load');
is($rc, 0, 'a body with quotes, backslashes, tabs and control characters loads');
is($node->safe_psql('postgres', "SELECT up = convert_from(decode('" . unpack('H*', $bytes) . "', 'hex'), 'UTF8') FROM migrate_migrations WHERE version = 7"),
	't', 'the body is stored byte for byte');

# A server that asks for a password: the connection started while the
# folder is read finishes with the password libpq finds (PGPASSWORD), and
# fails with status 1 under -w when there is none.
$node->safe_psql('postgres', "SET password_encryption = 'scram-sha-256'; CREATE ROLE pw_deployer LOGIN SUPERUSER PASSWORD 'deploy-secret'");
my $hba = $node->data_dir . '/pg_hba.conf';
my $hba_before = slurp_file($hba);
write_file($hba, "local all pw_deployer scram-sha-256\n" . $hba_before);
$node->reload;
my $pw_conn = 'host=' . $node->host . ' port=' . $node->port . ' dbname=postgres user=pw_deployer';
($rc, $out, $err) = run_client({ PGPASSWORD => 'deploy-secret' }, '-d', $pw_conn, '--dir', "$tmp/good", 'status');
is($rc, 0, 'a password from PGPASSWORD completes the connection');
($rc, $out, $err) = run_client({}, '-d', $pw_conn, '-w', '--dir', "$tmp/good", 'status');
is($rc, 1, 'no password with -w: exit 1');
like($err, qr/password/, 'no password with -w: the error says a password is needed');
($rc, $out, $err) = run_client({ PGPASSWORD => 'wrong' }, '-d', $pw_conn, '--dir', "$tmp/good", 'status');
is($rc, 1, 'a wrong password: exit 1');
like($err, qr/password authentication failed/, 'a wrong password: named');
write_file($hba, $hba_before);
$node->reload;

$node->stop;
done_testing();
