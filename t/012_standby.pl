# Checks migrate on a hot standby.
#
# A primary has the extension, two applied migrations and a pending one,
# and a table for a backfill; a streaming standby is made from a base
# backup of it and catches up.  On the standby:
# - the read functions work and show what the primary has: migrate_status()
#   and migrate_plan() return what they return on the primary, and
#   migrate_lint() finds what it finds there;
# - migrate_verify() runs, and says honestly that it could not show the
#   migrations reversible (ok false): the pending migration's up, and the
#   applied one's down, cannot run in a read-only transaction;
# - every function and procedure that writes fails at once with 25006
#   "cannot call <function>() on a standby server", a detail saying the
#   server is in recovery and a hint to run migrations on the primary, and
#   nothing else: no context line of an internal statement (it used to fail
#   in its first internal write, "cannot execute UPDATE in a read-only
#   transaction", with the UPDATE of migrate_checked in the context);
# - nothing changed.
# Then the pending migration is applied on the primary, and once the
# standby has replayed it the standby shows it applied, and its table.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;
use lib $FindBin::RealBin;
use MigrateTest;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->start;

$primary->safe_psql('postgres', q{
	CREATE EXTENSION migrate;
	CREATE TABLE t (id bigint PRIMARY KEY, n int);
	INSERT INTO t SELECT g, 0 FROM generate_series(1, 100) g;
	SELECT version FROM migrate_define(1, 'create_accounts',
		'CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);');
	SELECT version FROM migrate_define(2, 'add_accounts_name',
		'ALTER TABLE accounts ADD COLUMN name text;');
	SELECT version FROM migrate_apply();
	SELECT version FROM migrate_define(3, 'create_orders',
		'CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint NOT NULL);');
});

$primary->backup('backup');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'backup', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby, 'replay', $primary->lsn('insert'));

is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'),
	't', 'the standby is in recovery');

# --- the read functions -------------------------------------------------------

my $status = 'SELECT version, name, state, applied_at, transactional, reversible, unassured, detail '
  . 'FROM migrate_status() ORDER BY version';
is($standby->safe_psql('postgres', $status),
	$primary->safe_psql('postgres', $status),
	'migrate_status() on the standby returns what it returns on the primary');
is( $standby->safe_psql('postgres',
		'SELECT version, name, state FROM migrate_status() ORDER BY version'),
	"1|create_accounts|applied\n2|add_accounts_name|applied\n3|create_orders|pending",
	'migrate_status() on the standby: 1 and 2 applied, 3 pending');

is($standby->safe_psql('postgres', 'SELECT * FROM migrate_plan()'),
	'3|create_orders|t', 'migrate_plan() on the standby lists the pending migration');

my $lint = q{SELECT statement, line, rule, severity, message FROM migrate_lint($$
ALTER TABLE accounts ADD COLUMN token uuid DEFAULT gen_random_uuid();
CREATE INDEX accounts_email_idx ON accounts (email);
$$)};
my $standby_lint = $standby->safe_psql('postgres', $lint);
is($standby_lint, $primary->safe_psql('postgres', $lint),
	'migrate_lint() on the standby finds what it finds on the primary');
like(
	$standby_lint,
	qr/^1\|2\|adding-field-with-default\|error\|.*\n2\|3\|require-concurrent-index-creation\|error\|.*table accounts/,
	'migrate_lint() on the standby judges the existing table accounts');

# Verifying runs the bodies in a subtransaction that is always rolled back;
# on a standby the first statement of an up that writes fails, and verify
# says so: the migration is not shown to be reversible (ok false), with the
# reason.  The same for an applied migration, whose down runs first.
my ($ret, $stdout, $stderr) = $standby->psql('postgres',
	'SELECT version, name, ok, detail FROM migrate_verify()');
is($ret, 0, 'migrate_verify() on the standby runs') or diag($stderr);
is( $stdout,
	"3|create_orders||not verifiable here: up fails at statement 1 (line 1): cannot execute CREATE TABLE in a read-only transaction\n(this server is a hot standby, where a body that writes cannot run; verify it on the primary, or deploy and revert it on a scratch copy of the database)",
	'migrate_verify() on the standby: the pending migration\'s up cannot run read-only: not verifiable here (NULL), and it says where to verify');
($ret, $stdout, $stderr) = $standby->psql('postgres',
	'SELECT version, name, ok, detail FROM migrate_verify(2)');
is($ret, 0, 'migrate_verify(2) on the standby runs') or diag($stderr);
is( $stdout,
	"2|add_accounts_name||not verifiable here: down fails at statement 1 (line 1): cannot execute ALTER TABLE in a read-only transaction\n(this server is a hot standby, where a body that writes cannot run; verify it on the primary, or deploy and revert it on a scratch copy of the database)",
	'migrate_verify(2) on the standby: the applied migration\'s down cannot run read-only: not verifiable here (NULL), and it says where to verify');

# --- the writing entry points ---------------------------------------------------

# Runs $sql on the standby with VERBOSITY verbose; returns its message
# lines without the LOCATION line.
sub standby_messages
{
	my ($sql) = @_;
	return [ grep { !/^LOCATION:/ }
		  @{ psql_messages($standby, "\\set VERBOSITY verbose\n$sql") } ];
}

my @calls = (
	[ 'migrate_define', q{SELECT version FROM migrate_define(4, 'create_tags', 'CREATE TABLE tags (id int);')} ],
	[ 'migrate_load', q{SELECT * FROM migrate_load('[]')} ],
	[ 'migrate_remove',   'SELECT migrate_remove(3)' ],
	[ 'migrate_apply',    'SELECT * FROM migrate_apply()' ],
	[ 'migrate_rollback', 'SELECT * FROM migrate_rollback()' ],
	[ 'migrate_baseline', 'SELECT migrate_baseline(3)' ],
	[ 'migrate_resolve',  q{SELECT migrate_resolve(3, 'applied')} ],
	[ 'migrate_deploy',   'CALL migrate_deploy()' ],
	[ 'migrate_revert',   'CALL migrate_revert(1)' ],
	[ 'migrate_backfill', q{CALL migrate_backfill('t', 'n = 1')} ]);

# Checks that $sql, a call of $function, fails on the standby at once.
sub refused_on_standby
{
	my ($function, $sql) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my $msgs = standby_messages($sql);
	is_deeply(
		$msgs,
		[
			"ERROR:  25006: cannot call $function() on a standby server",
			'DETAIL:  The server is in recovery: it only replays what its primary writes.',
			'HINT:  Run migrations on the primary server; they reach the standby through replication.'
		],
		"$sql on the standby fails at once with 25006, the detail and the hint"
	) or diag(join("\n", @$msgs));
	ok(!grep({ /^CONTEXT:.*\b(UPDATE|INSERT|DELETE)\b/ } @$msgs),
		"$sql on the standby: no context line of an internal write");
	return;
}

for my $call (@calls)
{
	my ($function, $sql) = @$call;
	refused_on_standby($function, $sql);
}

is($standby->safe_psql('postgres', $status),
	$primary->safe_psql('postgres', $status),
	'after the refused calls, migrate_status() on the standby is unchanged');
is($standby->safe_psql('postgres', 'SELECT count(*) FROM t WHERE n <> 0'),
	'0', 'the backfill changed no row');

# --- the pending migration, applied on the primary ---------------------------

my $msgs = psql_messages($primary, 'CALL migrate_deploy()');
is(scalar(@$msgs), 2, 'the primary deploys the pending migration, with two NOTICEs')
  or diag(join("\n", @$msgs));
is($msgs->[0], 'NOTICE:  == Running 3 create_orders (up)', 'the deploy runs migration 3');
like($msgs->[1], qr/^NOTICE:  == Migrated 3 in \d+\.\d{3}s$/, 'migration 3 is applied');
$primary->wait_for_catchup($standby, 'replay', $primary->lsn('insert'));
is($standby->safe_psql('postgres', $status),
	$primary->safe_psql('postgres', $status),
	'once it has replayed the deploy, migrate_status() on the standby returns what the primary\'s does');
is( $standby->safe_psql('postgres',
		'SELECT version, name, state FROM migrate_status() ORDER BY version'),
	"1|create_accounts|applied\n2|add_accounts_name|applied\n3|create_orders|applied",
	'the standby shows migration 3 applied');
is($standby->safe_psql('postgres', 'SELECT count(*) FROM migrate_plan()'),
	'0', 'migrate_plan() on the standby: nothing left to apply');
is($standby->safe_psql('postgres', q{SELECT to_regclass('orders') IS NOT NULL}),
	't', 'the table of migration 3 is on the standby');
is( $standby->safe_psql('postgres',
		q{SELECT string_agg(version || ' ' || direction || ' ' || success, ',' ORDER BY id) FROM migrate_history}),
	'1 up true,2 up true,3 up true',
	'migrate_history on the standby: the three runs on the primary, nothing else');

$standby->stop;
$primary->stop;
done_testing();
