# Checks pg_migrate adopt from golang-migrate, diesel and Flyway, which do not
# install here: their folders and history tables are built as their
# documentation and source define them (each cited below), the ups run by
# hand as the tool would have run them.  Checked for each: adopt marks
# applied exactly what the history says, status shows it, up applies the
# rest, down runs the tool file's down.  For Flyway also: the checksum of the
# history row is compared with the file (line endings and a byte order mark
# do not count; a changed file is refused, naming it).

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;
use lib $FindBin::RealBin;
use MigrateTest;
use AdoptTools;

my $node = PostgreSQL::Test::Cluster->new('adopt_documented');
$node->init;
$node->start;
my $tmp = PostgreSQL::Test::Utils::tempdir;
my ($rc, $out, $err);

sub new_database
{
	my ($db) = @_;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, 'CREATE EXTENSION migrate');
	$node->safe_psql($db, "ALTER DATABASE $db SET migrate.safety = 'warn'");
	return;
}

sub columns_of
{
	my ($db) = @_;
	return $node->safe_psql($db, q{
		SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute
		WHERE attrelid = 'accounts'::regclass AND attnum > 0 AND NOT attisdropped});
}

# Three migrations: a table, a rename, and (left unapplied) a new column.
my @ups = ('CREATE TABLE accounts (id bigint PRIMARY KEY, name text);',
	'ALTER TABLE accounts RENAME COLUMN name TO full_name;',
	'ALTER TABLE accounts ADD COLUMN active boolean;');
my @downs = ('DROP TABLE accounts;', 'ALTER TABLE accounts RENAME COLUMN full_name TO name;',
	'ALTER TABLE accounts DROP COLUMN active;');
my @names = ('create_accounts', 'rename_name', 'add_active');

# After the first two ups ran and the history says so: adopt, status, up,
# down, as the header says.  $versions: pg_migrate's three versions;
# $history: SQL reading the tool's table.
sub check_adoption
{
	my ($db, $dir, $tool, $versions, $history, $expect_names) = @_;
	my @v = @$versions;
	my @n = @{ $expect_names // \@names };
	my $before = $node->safe_psql($db, $history);
	($rc, $out, $err) = client($node, $db, $dir, '--format', $tool, 'adopt', '--from', $tool);
	is($rc, 0, "$tool: adopt succeeds") or diag($err);
	like($out, qr/^adopted 2 migrations applied by \Q$tool\E \(3 loaded\)$/m, "$tool: adopt says what it did");
	is($node->safe_psql($db, $history), $before, "$tool: the tool's table is left as it is");
	is($node->safe_psql($db, q{SELECT string_agg(version::text, ',' ORDER BY version) FROM migrate_applied}),
		"$v[0],$v[1]", "$tool: exactly the recorded migrations are applied");
	($rc, $out, $err) = client($node, $db, $dir, '--format', $tool, 'status');
	is(status_states($out), "$v[0] applied $n[0],$v[1] applied $n[1],$v[2] pending $n[2]",
		"$tool: status shows the tool's applied set");
	($rc, $out, $err) = client($node, $db, $dir, '--format', $tool, 'up');
	is($rc, 0, "$tool: up succeeds") or diag($err);
	is(join(',', $out =~ /^applied (\d+)/mg), $v[2], "$tool: up applies only the unapplied one");
	is(columns_of($db), 'id,full_name,active', "$tool: its up ran");
	($rc, $out, $err) = client($node, $db, $dir, 'down', '--steps', '2');
	is($rc, 0, "$tool: down --steps 2 succeeds") or diag($err);
	is(columns_of($db), 'id,name', "$tool: the downs from the tool's files ran, the adopted rename's included");
	return;
}

#
# golang-migrate: <version>_<name>.up.sql / .down.sql.  Its table, as
# database/postgres/postgres.go (ensureVersionTable) creates it:
#   CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, dirty boolean not null)
# holding one row, the newest applied version (SetVersion truncates and
# inserts); every file up to it is applied.  Files wrapped in BEGIN/COMMIT.
#
{
	my ($db, $dir) = ('gm_db', "$tmp/golang-migrate");
	mkdir $dir;
	new_database($db);
	my @v = (1, 2, 3);
	for my $i (0 .. 2)
	{
		write_file(sprintf('%s/%06d_%s.up.sql', $dir, $v[$i], $names[$i]), "BEGIN;\n$ups[$i]\nCOMMIT;\n");
		write_file(sprintf('%s/%06d_%s.down.sql', $dir, $v[$i], $names[$i]), "BEGIN;\n$downs[$i]\nCOMMIT;\n");
	}
	$node->safe_psql($db, $_) for @ups[ 0 .. 1 ];
	$node->safe_psql($db, 'CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, dirty boolean not null)');
	$node->safe_psql($db, 'INSERT INTO schema_migrations (version, dirty) VALUES (2, false)');
	check_adoption($db, $dir, 'golang-migrate', \@v, q{SELECT version || ':' || dirty FROM schema_migrations});
}

#
# diesel: <YYYY-MM-DD-HHMMSS>_<name>/up.sql, down.sql (and metadata.toml),
# with 00000000000000_diesel_initial_setup.  Its table, as
# diesel/src/migration/setup_migration_table.sql creates it:
#   CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (
#          version VARCHAR(50) PRIMARY KEY NOT NULL,
#          run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
# one row per applied migration, version = the directory name before the
# first "_" without its "-" (diesel_migrations' version_from_string).
#
{
	my ($db, $dir) = ('diesel_db', "$tmp/diesel");
	mkdir $dir;
	new_database($db);
	mkdir "$dir/00000000000000_diesel_initial_setup";
	write_file("$dir/00000000000000_diesel_initial_setup/up.sql", "SELECT 1;\n");
	write_file("$dir/00000000000000_diesel_initial_setup/down.sql", "SELECT 1;\n");
	my @stamps = ('2026-11-21-093000', '2026-11-22-093000', '2026-11-23-093000');
	for my $i (0 .. 2)
	{
		my $d = "$dir/$stamps[$i]_$names[$i]";
		mkdir $d;
		write_file("$d/up.sql", "$ups[$i]\n");
		write_file("$d/down.sql", "$downs[$i]\n");
	}
	write_file("$dir/$stamps[2]_$names[2]/metadata.toml", "run_in_transaction = true\n");
	$node->safe_psql($db, $_) for @ups[ 0 .. 1 ];
	$node->safe_psql($db, 'CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (
       version VARCHAR(50) PRIMARY KEY NOT NULL,
       run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)');
	$node->safe_psql($db, "INSERT INTO __diesel_schema_migrations (version) VALUES ('00000000000000'), ('20261121093000'), ('20261122093000')");
	my $history = q{SELECT string_agg(version || ':' || run_on, ',' ORDER BY version) FROM __diesel_schema_migrations};
	my $before = $node->safe_psql($db, $history);
	($rc, $out, $err) = client($node, $db, $dir, '--format', 'diesel', 'adopt', '--from', 'diesel');
	is($rc, 0, 'diesel: adopt succeeds') or diag($err);
	like($out, qr/^adopted 3 migrations applied by diesel \(4 loaded\)$/m, 'diesel: the initial setup counts too');
	is($node->safe_psql($db, $history), $before, "diesel: the tool's table is left as it is");
	($rc, $out, $err) = client($node, $db, $dir, '--format', 'diesel', 'status');
	is(status_states($out), '1 applied diesel_initial_setup,20261121093000 applied create_accounts,'
		  . '20261122093000 applied rename_name,20261123093000 pending add_active',
		'diesel: status shows the directories as diesel recorded them');
	($rc, $out, $err) = client($node, $db, $dir, '--format', 'diesel', 'up');
	is(join(',', $out =~ /^applied (\d+)/mg), '20261123093000', 'diesel: up applies the unapplied one');
	($rc, $out, $err) = client($node, $db, $dir, 'down', '--steps', '2');
	is($rc, 0, 'diesel: down --steps 2 succeeds') or diag($err);
	is(columns_of($db), 'id,name', "diesel: the down.sql files ran, the adopted rename's included");
}

#
# Flyway: V<version>__<description>.sql, undo U<version>__<description>.sql.
# Its table, as flyway-core's database/postgresql/createMetaDataTable.sql
# creates it (https://documentation.red-gate.com/fd/flyway-schema-history-table-273973417.html):
#
my $flyway_table = <<'SQL';
CREATE TABLE "public"."flyway_schema_history" (
    "installed_rank" INT NOT NULL,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INTEGER,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL
);
ALTER TABLE "public"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
CREATE INDEX "flyway_schema_history_s_idx" ON "public"."flyway_schema_history" ("success");
SQL
# A row per run: the version as written ("_" shown as "."), the description
# ("_" shown as a space), type SQL, the script's file name, its CRC-32
# checksum (ChecksumCalculator: see flyway_checksum in AdoptTools.pm).
{
	my ($db, $dir) = ('flyway_db', "$tmp/flyway");
	mkdir $dir;
	new_database($db);
	my @files = ('V1__create_accounts.sql', 'V1_1__rename_name.sql', 'V2__add_active.sql');
	my @undo = ('U1__create_accounts.sql', 'U1_1__rename_name.sql', 'U2__add_active.sql');
	# The second file with Windows line endings: its checksum is the same as
	# without them.  The third starts with a UTF-8 byte order mark, which is
	# not part of its body (up applies it later).
	my @content = ("$ups[0]\n", "-- rename\r\n$ups[1]\r\n", "\xEF\xBB\xBF$ups[2]\n");
	for my $i (0 .. 2)
	{
		write_file("$dir/$files[$i]", $content[$i]);
		write_file("$dir/$undo[$i]", "$downs[$i]\n");
	}
	is(flyway_checksum($content[1]), flyway_checksum("-- rename\n$ups[1]\n"),
		'flyway: (the checksum does not depend on line endings)');
	$node->safe_psql($db, $_) for @ups[ 0 .. 1 ];
	$node->safe_psql($db, $flyway_table);
	my $row = "INSERT INTO flyway_schema_history VALUES (%d, '%s', '%s', 'SQL', '%s', %d, 'deployer', now(), 12, true)";
	$node->safe_psql($db, sprintf($row, 1, '1', 'create accounts', $files[0], flyway_checksum($content[0])));
	$node->safe_psql($db, sprintf($row, 2, '1.1', 'rename name', $files[1], flyway_checksum($content[1])));

	# A changed file: refused, naming it, nothing changed.
	write_file("$dir/$files[1]", "-- rename, edited\n$ups[1]\n");
	($rc, $out, $err) = client($node, $db, $dir, '--format', 'flyway', 'adopt', '--from', 'flyway');
	is($rc, 1, 'flyway: adopt refuses a file whose checksum differs from the history');
	like($err, qr/V1_1__rename_name\.sql/, 'flyway: the error names the file');
	like($err, qr/checksum/i, 'flyway: the error says the checksum differs');
	is(catalog_counts($node, $db), '0|0|0', 'flyway: nothing changed');
	write_file("$dir/$files[1]", $content[1]);

	check_adoption($db, $dir, 'flyway', [ 10000, 10100, 20000 ],
		q{SELECT string_agg(installed_rank || ':' || version || ':' || checksum || ':' || success, ',' ORDER BY installed_rank) FROM flyway_schema_history},
		[ 'create_accounts', 'rename_name', 'add_active' ]);
}

$node->stop;
done_testing();
