# Checks pg_migrate adopt against the real tools: dbmate, sqitch, postgrator
# and sql-migrate each migrate a database from a folder in their own format
# (a table, a data change, an index, a rename, and a last migration left
# unapplied), then adopt takes over.  Checked for each: adopt marks applied
# exactly what the tool applied and leaves the tool's table alone; status
# shows the same applied set as the tool's own report; up applies the one
# left; down runs the downs written in the tool's files (the schema shows
# their effect); up applies them again.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;
use lib $FindBin::RealBin;
use MigrateTest;
use AdoptTools;

my $node = PostgreSQL::Test::Cluster->new('adopt_tools');
$node->init;
$node->start;

my $tmp = PostgreSQL::Test::Utils::tempdir;
my ($rc, $out, $err);

# The same five migrations in every tool's format: what each does, and its
# down.  The fifth is left unapplied by the tool.
my @steps = (
	[ 'create_accounts', 'CREATE TABLE accounts (id bigint PRIMARY KEY, name text, email text NOT NULL);',
		'DROP TABLE accounts;' ],
	[ 'seed_accounts', "INSERT INTO accounts VALUES (1, 'Ada', 'ada\@example.com'), (2, 'Bob', 'bob\@example.com');",
		'DELETE FROM accounts WHERE id IN (1, 2);' ],
	[ 'index_accounts_email', 'CREATE INDEX accounts_email_idx ON accounts (email);',
		'DROP INDEX accounts_email_idx;' ],
	[ 'rename_accounts_name', 'ALTER TABLE accounts RENAME COLUMN name TO full_name;',
		'ALTER TABLE accounts RENAME COLUMN full_name TO name;' ],
	[ 'add_accounts_active', 'ALTER TABLE accounts ADD COLUMN active boolean NOT NULL DEFAULT true;',
		'ALTER TABLE accounts DROP COLUMN active;' ],
);

# The columns of accounts in database $db, in order.
sub columns_of
{
	my ($db) = @_;
	return $node->safe_psql($db, q{
		SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute
		WHERE attrelid = 'accounts'::regclass AND attnum > 0 AND NOT attisdropped});
}

# A new database $db with the extension.
sub new_database
{
	my ($db) = @_;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, 'CREATE EXTENSION migrate');
	# The tools' files carry no "-- migrate:safety-assured" lines: the safety
	# rules warn instead of refusing the rename and the plain index build.
	$node->safe_psql($db, "ALTER DATABASE $db SET migrate.safety = 'warn'");
	return;
}

# After the tool migrated database $db through the fourth migration:
# checks the schema the tool left, then adopts with the tool's folder $dir
# and checks what the brief of each test says.
#   tool: the --from name; format: the --format name;
#   versions: the five versions pg_migrate gives the migrations;
#   tool_applied: the versions the tool's own report says are applied;
#   history: the SQL that reads the tool's table, to compare before and after;
#   nontransactional: the version whose file says it runs outside a transaction, if any.
sub check_adoption
{
	my (%a) = @_;
	my ($db, $dir, $tool) = @a{qw(db dir tool)};
	my @v = @{ $a{versions} };

	# What the tool did: four migrations' effects, not the fifth's.
	is(columns_of($db), 'id,full_name,email', "$tool: the tool created and renamed the table");
	is($node->safe_psql($db, 'SELECT count(*) FROM accounts'), '2', "$tool: the tool ran the data change");
	is($node->safe_psql($db, "SELECT to_regclass('accounts_email_idx') IS NOT NULL"), 't',
		"$tool: the tool created the index");
	is(join(',', @{ $a{tool_applied} }), join(',', @v[ 0 .. 3 ]),
		"$tool: the tool reports the first four migrations applied");

	my $history = $node->safe_psql($db, $a{history});
	is(catalog_counts($node, $db), '0|0|0', "$tool: migrate's catalog is empty before adopt");

	# adopt: exactly the tool's four, in one go; the tool's table untouched.
	($rc, $out, $err) = client($node, $db, $dir, '--format', $a{format}, 'adopt', '--from', $tool);
	is($rc, 0, "$tool: adopt succeeds") or diag($err);
	like($out, qr/^adopted 4 migrations applied by \Q$tool\E \(5 loaded\)$/m, "$tool: adopt says what it did");
	is($node->safe_psql($db, $a{history}), $history, "$tool: adopt leaves the tool's table as it was");
	is($node->safe_psql($db, 'SELECT string_agg(version::text, \',\' ORDER BY version) FROM migrate_applied'),
		join(',', @v[ 0 .. 3 ]), "$tool: exactly the tool's applied migrations are applied");
	is($node->safe_psql($db, 'SELECT string_agg(version || \':\' || name, \',\' ORDER BY version) FROM migrate_migrations'),
		join(',', map { "$v[$_]:$steps[$_][0]" } 0 .. 4), "$tool: every file is loaded with its version and name");
	is(columns_of($db), 'id,full_name,email', "$tool: adopt ran nothing");
	is($node->safe_psql($db, 'SELECT count(*) FROM accounts'), '2', "$tool: adopt ran no data change again");
	if (defined $a{nontransactional})
	{
		is($node->safe_psql($db, 'SELECT string_agg(version::text, \',\') FROM migrate_migrations WHERE NOT transactional'),
			$a{nontransactional}, "$tool: the tool's non-transactional marker is kept");
	}
	is($node->safe_psql($db, q{SELECT count(*) FROM migrate_migrations
		WHERE up ~* '(?n)^\s*(BEGIN|COMMIT)\s*;' OR down ~* '(?n)^\s*(BEGIN|COMMIT)\s*;'}),
		'0', "$tool: no body keeps a BEGIN or COMMIT line");

	# status: the tool's applied set applied, the fifth pending.
	($rc, $out, $err) = client($node, $db, $dir, '--format', $a{format}, 'status');
	is($rc, 0, "$tool: status succeeds");
	is(status_states($out),
		join(',', (map { "$v[$_] applied $steps[$_][0]" } 0 .. 3), "$v[4] pending $steps[4][0]"),
		"$tool: status shows what the tool reported");
	($rc, $out, $err) = client($node, $db, $dir, '--format', $a{format}, 'status', '--check');
	is($rc, 3, "$tool: status --check sees the pending one");

	# up: only the one the tool left.
	($rc, $out, $err) = client($node, $db, $dir, '--format', $a{format}, 'up');
	is($rc, 0, "$tool: up succeeds") or diag($err);
	is(join(',', $out =~ /^applied (\d+)/mg), $v[4], "$tool: up applies only the migration the tool left");
	is(columns_of($db), 'id,full_name,email,active', "$tool: the fifth migration ran");

	# down over an adopted migration: the downs of the tool's files (down
	# and revert read the catalog, not the folder: no --format).
	($rc, $out, $err) = client($node, $db, $dir, 'down', '--steps', '2');
	is($rc, 0, "$tool: down --steps 2 succeeds") or diag($err);
	is(columns_of($db), 'id,name,email', "$tool: the downs of the fifth and of the adopted rename ran");
	# revert, which also takes back a non-transactional migration.
	($rc, $out, $err) = client($node, $db, $dir, 'revert', '--to', $v[2]);
	is($rc, 0, "$tool: revert --to the third succeeds") or diag($err);
	is($node->safe_psql($db, "SELECT to_regclass('accounts_email_idx') IS NULL"), 't',
		"$tool: the down of the adopted index migration dropped the index");
	($rc, $out, $err) = client($node, $db, $dir, 'down');
	is($rc, 0, "$tool: down of the adopted data change succeeds") or diag($err);
	is($node->safe_psql($db, 'SELECT count(*) FROM accounts'), '0', "$tool: the down of the data change deleted its rows");

	# And forward again: all applied, with every effect.
	($rc, $out, $err) = client($node, $db, $dir, '--format', $a{format}, 'deploy');
	is($rc, 0, "$tool: deploy applies them again") or diag($err);
	is(columns_of($db) . '|' . $node->safe_psql($db, 'SELECT count(*) FROM accounts')
		  . '|' . $node->safe_psql($db, "SELECT to_regclass('accounts_email_idx') IS NOT NULL"),
		'id,full_name,email,active|2|t', "$tool: the schema is back as the files say");
	($rc, $out, $err) = client($node, $db, $dir, '--format', $a{format}, 'status', '--check');
	is($rc, 0, "$tool: status --check: everything applied");
	is($node->safe_psql($db, $a{history}), $history, "$tool: the tool's table is still as the tool left it");
	return;
}

#
# dbmate: <version>_<name>.sql with -- migrate:up / -- migrate:down; the index
# built concurrently with transaction:false.  dbmate applies every file it
# finds, so the fifth file is written after it ran.
#
{
	my $db = 'dbmate_db';
	my $dir = "$tmp/dbmate";
	mkdir $dir;
	new_database($db);
	my @v = map { "2026110${_}000000" } 1 .. 5;
	my $file = sub {
		my ($i) = @_;
		my ($name, $up, $down) = @{ $steps[$i] };
		my $option = '';
		if ($i == 2)
		{
			$up =~ s/CREATE INDEX/CREATE INDEX CONCURRENTLY/;
			$option = ' transaction:false';
		}
		write_file("$dir/$v[$i]_$name.sql", "-- migrate:up$option\n$up\n\n-- migrate:down\n$down\n");
	};
	$file->($_) for 0 .. 3;
	($rc, $out, $err) = dbmate($node, $db, $dir, 'up');
	is($rc, 0, 'dbmate: dbmate up succeeds') or diag("$out\n$err");
	$file->(4);

	# dbmate's table: one row per applied file, its version.
	is($node->safe_psql($db, 'SELECT string_agg(version, \',\' ORDER BY version) FROM schema_migrations'),
		join(',', @v[ 0 .. 3 ]), 'dbmate: schema_migrations holds the four versions');

	# dbmate's own report: [X] applied, [ ] pending.
	($rc, $out, $err) = dbmate($node, $db, $dir, 'status');
	my @applied = $out =~ /^\[X\] (\d+)_/mg;
	like($out, qr/^\[ \] $v[4]_add_accounts_active\.sql$/m, 'dbmate: dbmate reports the fifth pending');

	check_adoption(db => $db, dir => $dir, tool => 'dbmate', format => 'dbmate', versions => \@v,
		tool_applied => \@applied, history => 'SELECT string_agg(version, \',\' ORDER BY version) FROM schema_migrations',
		nontransactional => $v[2]);
}

#
# sqitch: a project made by sqitch init and sqitch add (sqitch.plan, deploy/,
# revert/ and verify/ scripts, each wrapped in BEGIN; ... COMMIT; as sqitch's
# templates write them), a tag in the plan, deployed up to the fourth change.
#
{
	my $db = 'sqitch_db';
	my $dir = "$tmp/sqitch";
	mkdir $dir;
	new_database($db);
	($rc, $out, $err) = sqitch($dir, 'init', 'accounts', '--engine', 'pg', '--target', sqitch_target($node, $db));
	is($rc, 0, 'sqitch: sqitch init succeeds') or diag("$out\n$err");
	for my $i (0 .. 4)
	{
		my ($name, $up, $down) = @{ $steps[$i] };
		($rc, $out, $err) = sqitch($dir, 'add', $name, '-n', "step $i");
		is($rc, 0, "sqitch: sqitch add $name succeeds") or diag("$out\n$err");
		# sqitch's template, with the statement in place of its placeholder.
		my $deploy = slurp_file("$dir/deploy/$name.sql");
		my $revert = slurp_file("$dir/revert/$name.sql");
		like($deploy, qr/^BEGIN;\n.*^COMMIT;$/ms, "sqitch: the template of $name wraps it in BEGIN and COMMIT");
		$deploy =~ s/^-- XXX Add DDLs here\.$/$up/m or die "unexpected sqitch template: $deploy";
		$revert =~ s/^-- XXX Add DDLs here\.$/$down/m or die "unexpected sqitch template: $revert";
		write_file("$dir/deploy/$name.sql", $deploy);
		write_file("$dir/revert/$name.sql", $revert);
		if ($i == 1)
		{
			($rc, $out, $err) = sqitch($dir, 'tag', 'v1.0', '-n', 'first release');
			is($rc, 0, 'sqitch: sqitch tag succeeds') or diag("$out\n$err");
		}
	}
	like(slurp_file("$dir/sqitch.plan"), qr/^%project=accounts\n.*^\@v1\.0 /ms, 'sqitch: the plan has the project and the tag');

	($rc, $out, $err) = sqitch($dir, 'deploy', '--to', $steps[3][0]);
	is($rc, 0, 'sqitch: sqitch deploy --to the fourth change succeeds') or diag("$out\n$err");

	# sqitch's registry: the deployed changes of the project.
	is($node->safe_psql($db, q{SELECT string_agg(change, ',' ORDER BY committed_at) FROM sqitch.changes WHERE project = 'accounts'}),
		join(',', map { $steps[$_][0] } 0 .. 3), 'sqitch: sqitch.changes holds the four changes');

	# sqitch's own report: the changes deployed and the one undeployed.
	($rc, $out, $err) = sqitch($dir, 'status', '--show-changes');
	my ($deployed) = $out =~ /^# Changes:\n((?:# +\S.*\n)+)/m;
	my %position = map { ($steps[$_][0] => $_ + 1) } 0 .. 4;
	my @applied = sort { $a <=> $b } map { $position{$_} } ($deployed // '') =~ /^# +(\w+)/mg;
	like($out, qr/^Undeployed change:\n\s+\* $steps[4][0]$/m, 'sqitch: sqitch reports the fifth undeployed');

	check_adoption(db => $db, dir => $dir, tool => 'sqitch', format => 'sqitch', versions => [ 1 .. 5 ],
		tool_applied => \@applied,
		history => q{SELECT string_agg(change_id || ':' || change || ':' || script_hash, ',' ORDER BY change_id) FROM sqitch.changes});
}

#
# postgrator: <version>.do.<name>.sql and <version>.undo.<name>.sql, migrated
# to version 4; postgrator records an md5 of each do file.
#
{
	my $db = 'postgrator_db';
	my $dir = "$tmp/postgrator";
	mkdir $dir;
	new_database($db);
	for my $i (0 .. 4)
	{
		my ($name, $up, $down) = @{ $steps[$i] };
		my $v = sprintf('%03d', $i + 1);
		write_file("$dir/$v.do.$name.sql", "$up\n");
		write_file("$dir/$v.undo.$name.sql", "$down\n");
	}
	($rc, $out, $err) = postgrator($node, $db, $dir, '4');
	is($rc, 0, 'postgrator: postgrator 4 succeeds') or diag("$out\n$err");
	like($out . $err, qr/migrating up to 4/, 'postgrator: postgrator migrated up to 4');

	# postgrator's table: its row 0, then one row per do file, with its md5.
	is($node->safe_psql($db, q{SELECT string_agg(version || ':' || coalesce(name, '') || ':' || (md5 IS NOT NULL), ',' ORDER BY version) FROM schemaversion}),
		join(',', '0::false', map { ($_ + 1) . ":$steps[$_][0]:true" } 0 .. 3),
		'postgrator: schemaversion holds row 0 and the four versions');

	# postgrator's own report: the database's version, everything up to it applied.
	($rc, $out, $err) = postgrator($node, $db, $dir, '4');
	my ($at) = ($out . $err) =~ /version of database is: (\d+)/;
	my @applied = grep { $_ <= ($at // 0) } 1 .. 5;

	check_adoption(db => $db, dir => $dir, tool => 'postgrator', format => 'postgrator', versions => [ 1 .. 5 ],
		tool_applied => \@applied,
		history => q{SELECT string_agg(version || ':' || coalesce(name, '') || ':' || coalesce(md5, '') || ':' || coalesce(run_at::text, ''), ',' ORDER BY version) FROM schemaversion});
}

#
# sql-migrate: <digits>_<name>.sql with -- +migrate Up / -- +migrate Down; the
# index built concurrently under -- +migrate Up notransaction; the versions
# 1, 2, 3, 4 and 10 (sql-migrate orders them by number); migrated with
# -limit=4.
#
{
	my $db = 'sqlmigrate_db';
	my $dir = "$tmp/sql-migrate";
	mkdir $dir;
	new_database($db);
	my @v = (1, 2, 3, 4, 10);
	for my $i (0 .. 4)
	{
		my ($name, $up, $down) = @{ $steps[$i] };
		my $option = '';
		if ($i == 2)
		{
			$up =~ s/CREATE INDEX/CREATE INDEX CONCURRENTLY/;
			$option = ' notransaction';
		}
		write_file("$dir/$v[$i]_$name.sql", "-- +migrate Up$option\n$up\n\n-- +migrate Down\n$down\n");
	}
	($rc, $out, $err) = sql_migrate($node, $db, $dir, 'up', '-limit=4');
	is($rc, 0, 'sql-migrate: sql-migrate up -limit=4 succeeds') or diag("$out\n$err");

	# sql-migrate's table: the file names of the applied migrations.
	is($node->safe_psql($db, 'SELECT string_agg(id, \',\' ORDER BY applied_at, id) FROM gorp_migrations'),
		join(',', map { "$v[$_]_$steps[$_][0].sql" } 0 .. 3), 'sql-migrate: gorp_migrations holds the four files');

	# sql-migrate's own report: a table of file names, "no" when not applied.
	($rc, $out, $err) = sql_migrate($node, $db, $dir, 'status');
	my @applied = sort { $a <=> $b } $out =~ /^\|\s*(\d+)_\S+\.sql\s*\|\s*\d{4}-/mg;
	like($out, qr/^\|\s*10_add_accounts_active\.sql\s*\|\s*no\s*\|$/m, 'sql-migrate: sql-migrate reports the fifth not applied');

	check_adoption(db => $db, dir => $dir, tool => 'sql-migrate', format => 'sql-migrate', versions => \@v,
		tool_applied => \@applied,
		history => q{SELECT string_agg(id || ':' || applied_at, ',' ORDER BY id) FROM gorp_migrations},
		nontransactional => 3);
}

$node->stop;
done_testing();
