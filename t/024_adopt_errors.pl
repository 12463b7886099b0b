# Checks pg_migrate's refusals of bad folders and bad histories under
# --format and adopt: each exits 1 (2 for bad usage) with a message naming
# the file or row, and changes nothing in migrate's catalog.  Also checks
# that --format auto recognises each tool's layout, with the versions each
# maps to.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;
use lib $FindBin::RealBin;
use MigrateTest;
use AdoptTools;

my $node = PostgreSQL::Test::Cluster->new('adopt_errors');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION migrate');
my $tmp = PostgreSQL::Test::Utils::tempdir;
my ($rc, $out, $err);
my $n = 0;

# Writes the files of %$files (name => content; a name with "/" gets its
# directory) into a new folder; returns it.
sub folder
{
	my ($files) = @_;
	my $dir = "$tmp/f" . $n++;
	mkdir $dir;
	for my $name (sort keys %$files)
	{
		my $path = "$dir/$name";
		(my $parent = $path) =~ s{/[^/]+$}{};
		system('mkdir', '-p', $parent) == 0 or die;
		write_file($path, $files->{$name});
	}
	return $dir;
}

# --format auto: each layout recognised, status on a fresh database lists
# the versions under each tool's rule, pending.
my %layouts = (
	'dbmate' => [ { '20261101000000_a.sql' => "-- migrate:up\nselect 1;\n" }, '20261101000000 pending a' ],
	'golang-migrate' => [ { '000001_a.up.sql' => "select 1;\n", '000001_a.down.sql' => "select 1;\n" }, '1 pending a' ],
	'diesel' => [ { '2026-11-21-093000_a/up.sql' => "select 1;\n", '2026-11-21-093000_a/down.sql' => "select 1;\n" },
		'20261121093000 pending a' ],
	'flyway' => [ { 'V1__a.sql' => "select 1;\n", 'V1.2__b.sql' => "select 1;\n", 'V1.2.3__c.sql' => "select 1;\n",
			'V20261121093000__d.sql' => "select 1;\n" },
		'10000 pending a,10200 pending b,10203 pending c,202611210930000000 pending d' ],
	'sqitch' => [ { 'sqitch.plan' => "%syntax-version=1.0.0\n%project=p\n\na 2026-11-21T09:30:00Z P <p\@example.com> # a\n\@v1 2026-11-21T09:31:00Z P <p\@example.com> # t\nb 2026-11-21T09:32:00Z P <p\@example.com> # b\n",
			'deploy/a.sql' => "BEGIN;\nselect 1;\nCOMMIT;\n", 'deploy/b.sql' => "select 2;\n",
			'revert/a.sql' => "select 1;\n", 'revert/b.sql' => "select 1;\n" }, '1 pending a,2 pending b' ],
	'postgrator' => [ { '001.do.a.sql' => "select 1;\n", '001.undo.a.sql' => "select 1;\n" }, '1 pending a' ],
	'sql-migrate' => [ { '7_a.sql' => "-- +migrate Up\nselect 1;\n-- +migrate Down\nselect 1;\n" }, '7 pending a' ],
);
for my $tool (sort keys %layouts)
{
	my ($files, $states) = @{ $layouts{$tool} };
	my $dir = folder($files);
	($rc, $out, $err) = client($node, 'postgres', $dir, 'status');
	is($rc, 0, "auto: status of a $tool folder succeeds") or diag($err);
	is(status_states($out), $states, "auto: the $tool layout is recognised, with its versions");
}
is(catalog_counts($node, 'postgres'), '0|0|0', 'auto: status wrote nothing');

# Folder errors: exit status, the message, nothing loaded.
my @bad = (
	[ 'unknown format', {}, [ '--format', 'liquibase', 'status' ], 2, qr/liquibase/ ],
	[ 'mixed layout', { 'V1__a.sql' => "select 1;\n", '000002_b.up.sql' => "select 1;\n" }, [ 'load' ], 1,
		qr/error: .*(V1__a\.sql|000002_b\.up\.sql|folder ".*" mixes)/ ],
	[ 'two files, one version', { 'V1__a.sql' => "select 1;\n", 'V1.0__b.sql' => "select 2;\n" }, [ '--format', 'flyway', 'load' ], 1,
		qr/error: .*V1(\.0)?__[ab]\.sql/ ],
	[ 'version that cannot be mapped', { 'V1.2.3.4__a.sql' => "select 1;\n" }, [ '--format', 'flyway', 'load' ], 1,
		qr/error: .*V1\.2\.3\.4__a\.sql/ ],
	[ 'flyway part too large', { 'V1.100__a.sql' => "select 1;\n" }, [ '--format', 'flyway', 'load' ], 1,
		qr/error: .*V1\.100__a\.sql/ ],
	[ 'sqitch script missing', { 'sqitch.plan' => "%project=p\n\na 2026-11-21T09:30:00Z P <p\@example.com> # a\nb 2026-11-21T09:32:00Z P <p\@example.com> # b\n",
			'deploy/a.sql' => "select 1;\n" }, [ '--format', 'sqitch', 'load' ], 1, qr/error: .*deploy\/b\.sql/ ],
	[ 'sql-migrate name without digits', { 'create_a.sql' => "-- +migrate Up\nselect 1;\n" }, [ '--format', 'sql-migrate', 'load' ], 1,
		qr/error: .*create_a\.sql/ ],
);
for my $case (@bad)
{
	my ($name, $files, $args, $status, $pattern) = @$case;
	my $dir = folder($files);
	($rc, $out, $err) = client($node, 'postgres', $dir, @$args);
	is($rc, $status, "$name: exits $status");
	like($err, $pattern, "$name: the message names it");
	is(catalog_counts($node, 'postgres'), '0|0|0', "$name: nothing changed");
}

# History errors: each in a database of its own, with one migration the
# history says applied; adopt refuses, naming the row or file.
sub history_case
{
	my ($name, $tool, $files, $setup, $pattern) = @_;
	my $db = 'h' . $n++;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, 'CREATE EXTENSION migrate');
	$node->safe_psql($db, $setup) if $setup;
	my $dir = folder($files);
	($rc, $out, $err) = client($node, $db, $dir, 'adopt', '--from', $tool);
	is($rc, 1, "$name: adopt exits 1");
	like($err, $pattern, "$name: the message names it");
	is(catalog_counts($node, $db), '0|0|0', "$name: nothing changed");
	return;
}
my $dbmate_files = { '1_a.sql' => "-- migrate:up\nselect 1;\n", '2_b.sql' => "-- migrate:up\nselect 1;\n" };
history_case('history table missing', 'dbmate', $dbmate_files, undef, qr/schema_migrations/);
history_case('recorded migration without a file', 'dbmate', $dbmate_files,
	"CREATE TABLE schema_migrations (version varchar NOT NULL PRIMARY KEY); INSERT INTO schema_migrations VALUES ('1'), ('3')",
	qr/\b3\b/);
history_case('dirty golang-migrate', 'golang-migrate',
	{ '1_a.up.sql' => "select 1;\n", '2_b.up.sql' => "select 1;\n" },
	'CREATE TABLE schema_migrations (version bigint not null primary key, dirty boolean not null); INSERT INTO schema_migrations VALUES (2, true)',
	qr/dirty/i);
history_case('failed flyway row', 'flyway', { 'V1__a.sql' => "select 1;\n", 'V2__b.sql' => "select 1;\n" },
	q{CREATE TABLE flyway_schema_history (installed_rank INT NOT NULL PRIMARY KEY, version VARCHAR(50), description VARCHAR(200) NOT NULL,
	  type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, checksum INTEGER, installed_by VARCHAR(100) NOT NULL,
	  installed_on TIMESTAMP NOT NULL DEFAULT now(), execution_time INTEGER NOT NULL, success BOOLEAN NOT NULL);
	  INSERT INTO flyway_schema_history VALUES (1, '1', 'a', 'SQL', 'V1__a.sql', } . flyway_checksum("select 1;\n") . q{, 'u', now(), 1, true),
	  (2, '2', 'b', 'SQL', 'V2__b.sql', } . flyway_checksum("select 1;\n") . q{, 'u', now(), 1, false)},
	qr/V2__b\.sql|version 2\b|rank 2\b/);
history_case('postgrator md5 mismatch', 'postgrator', { '001.do.a.sql' => "select 1;\n", '002.do.b.sql' => "select 2;\n" },
	q{CREATE TABLE schemaversion (version bigint PRIMARY KEY, name text, md5 text, run_at timestamptz);
	  INSERT INTO schemaversion VALUES (0, NULL, NULL, NULL), (1, 'a', md5('select 1;' || chr(10)), now()),
	  (2, 'b', md5('select 1;' || chr(10)), now())},
	qr/002\.do\.b\.sql/);

$node->stop;
done_testing();
