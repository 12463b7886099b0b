# Checks that pg_dump keeps the migration catalog: after migrations are
# defined, applied and rolled back, a plain and a custom-format dump restored
# into new databases hold the same rows in migrate_migrations,
# migrate_applied and migrate_history, report the same migrate_status(), and
# go on numbering history where the original stopped.  The same holds for
# the extension installed into a schema of its own.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->start;

my $tempdir = PostgreSQL::Test::Utils::tempdir;

# Returns the catalog of database $db (extension in schema $schema) as text:
# every row of the three tables and migrate_status(), each in a fixed order.
sub catalog_text
{
	my ($db, $schema) = @_;
	my %text;
	$text{migrations} = $node->safe_psql($db,
		"SELECT * FROM $schema.migrate_migrations ORDER BY version");
	$text{applied} = $node->safe_psql($db,
		"SELECT * FROM $schema.migrate_applied ORDER BY version");
	$text{history} = $node->safe_psql($db,
		"SELECT * FROM $schema.migrate_history ORDER BY id");
	$text{status} =
	  $node->safe_psql($db, "SELECT * FROM $schema.migrate_status()");
	return \%text;
}

# Defines three migrations in $db and moves them up and down, so that every
# table has rows and the history has runs in both directions.
sub make_history
{
	my ($db, $schema) = @_;
	for my $i (1 .. 3)
	{
		$node->safe_psql($db,
			"SELECT version FROM $schema.migrate_define(2026010${i}000000, 'create_t$i', "
			  . "'CREATE TABLE t$i (id int);', 'DROP TABLE t$i;')");
	}
	$node->safe_psql($db, "SELECT version FROM $schema.migrate_apply()");
	$node->safe_psql($db,
		"SELECT version FROM $schema.migrate_rollback(target => 0)");
	$node->safe_psql($db,
		"SELECT version FROM $schema.migrate_apply(steps => 1)");
	return;
}

# Dumps $src in format $format and restores it into a new database $dst.
sub dump_and_restore
{
	my ($src, $dst, $format) = @_;
	my $file = "$tempdir/$src.$format";
	$node->command_ok(
		[ 'pg_dump', "-F$format", '-f', $file, '-d', $node->connstr($src) ],
		"pg_dump -F$format of $src");
	$node->safe_psql('postgres', "CREATE DATABASE $dst");
	if ($format eq 'p')
	{
		$node->command_ok(
			[
				'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1',
				'-d', $node->connstr($dst), '-f', $file
			],
			"restore of the plain dump of $src into $dst");
	}
	else
	{
		$node->command_ok(
			[
				'pg_restore', '--exit-on-error',
				'-d', $node->connstr($dst), $file
			],
			"pg_restore of the custom dump of $src into $dst");
	}
	return;
}

# Checks that database $dst holds the catalog of $src, and that a new run in
# $dst is numbered right after the last history row.
sub check_restored
{
	my ($src, $dst, $schema) = @_;
	my $want = catalog_text($src, $schema);
	my $got  = catalog_text($dst, $schema);
	for my $part (qw(migrations applied history status))
	{
		is($got->{$part}, $want->{$part}, "$dst: $part as in $src");
	}
	isnt($got->{history}, '', "$dst: history is not empty");

	my $last_id = $node->safe_psql($dst,
		"SELECT max(id) FROM $schema.migrate_history");
	$node->safe_psql($dst, "SELECT version FROM $schema.migrate_apply()");
	is( $node->safe_psql(
			$dst,
			"SELECT string_agg(id::text, ',' ORDER BY id) FROM $schema.migrate_history WHERE id > $last_id"
		),
		join(',', $last_id + 1, $last_id + 2),
		"$dst: history ids go on from the dumped sequence");
	is( $node->safe_psql(
			$dst,
			"SELECT string_agg(state, ',' ORDER BY version) FROM $schema.migrate_status()"
		),
		'applied,applied,applied',
		"$dst: the restored catalog applies the remaining migrations");
	return;
}

# The extension in the default schema.
$node->safe_psql('postgres', 'CREATE DATABASE origin');
$node->safe_psql('origin',   'CREATE EXTENSION migrate');
make_history('origin', 'public');
is( $node->safe_psql(
		'origin',
		"SELECT string_agg(state, ',' ORDER BY version) FROM migrate_status()"),
	'applied,pending,pending',
	'origin has applied and pending migrations');
is($node->safe_psql('origin', 'SELECT count(*) FROM migrate_history'),
	'7', 'origin has seven runs in its history');

dump_and_restore('origin', 'plain_copy', 'p');
check_restored('origin', 'plain_copy', 'public');
dump_and_restore('origin', 'custom_copy', 'c');
check_restored('origin', 'custom_copy', 'public');

# The extension in its own schema, which is not on the search_path.
$node->safe_psql('postgres', 'CREATE DATABASE origin_tools');
$node->safe_psql('origin_tools',
	'CREATE SCHEMA tools; CREATE EXTENSION migrate SCHEMA tools');
make_history('origin_tools', 'tools');
dump_and_restore('origin_tools', 'tools_plain_copy', 'p');
check_restored('origin_tools', 'tools_plain_copy', 'tools');
dump_and_restore('origin_tools', 'tools_custom_copy', 'c');
check_restored('origin_tools', 'tools_custom_copy', 'tools');
is( $node->safe_psql(
		'tools_custom_copy',
		"SELECT extnamespace::regnamespace FROM pg_extension WHERE extname = 'migrate'"
	),
	'tools',
	'the restored extension is in schema tools');

$node->stop;
done_testing();
