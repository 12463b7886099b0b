# Checks who runs the statements of a non-transactional migration and with
# which settings: CALL migrate_deploy() runs each in a background worker that
# must act exactly as the caller would have.
#
# - The login role deployer is a NOINHERIT member of the NOLOGIN role
#   app_owner, which owns schema app and its table items.  deployer runs
#   SET ROLE app_owner, SET search_path = app, public, SET
#   maintenance_work_mem, then CALL migrate_deploy() of a migration whose
#   first statement (a DO block) reports, in a NOTICE, the worker's
#   session_user, current_user and settings, and whose second is CREATE INDEX
#   CONCURRENTLY on the unqualified table items.  The NOTICE is relayed to
#   the caller and shows session_user deployer (the worker connects as the
#   authenticated user), current_user app_owner (it takes on the caller's
#   role) and the caller's settings.  The index is created in schema app
#   (items resolved through the caller's search_path: deployer's default,
#   "$user", public, finds no table items) and owned by app_owner; as
#   deployer does not inherit app_owner's privileges, a worker that did not
#   take on the role could not have built it (only the table's owner may).
#   The catalog records app_owner as the applier.
# - A role with EXECUTE on the procedures but no privilege on the table,
#   deploying a CREATE INDEX CONCURRENTLY on it, gets the worker's permission
#   error relayed with its SQLSTATE (42501) and a context naming the
#   migration's statement.  Nothing is applied: no index, valid or not, no
#   migrate_applied row; the migration is left failed with 0 of its 1
#   statement completed (migrate_status(), migrate_history), and
#   migrate_resolve(v, 'pending') makes it pending again.
#
# The extension grants nothing to PUBLIC: the test grants what the README's
# install section says a deploy role needs, and no more.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('deploy_identity');
$node->init;
$node->start;

$node->safe_psql('postgres', q{
	CREATE EXTENSION migrate;
	CREATE ROLE app_owner NOLOGIN;
	CREATE ROLE deployer LOGIN NOINHERIT;
	GRANT app_owner TO deployer;
	CREATE ROLE outsider LOGIN;
	CREATE SCHEMA app AUTHORIZATION app_owner;
	CREATE TABLE app.items (id bigint PRIMARY KEY, name text NOT NULL, qty int NOT NULL DEFAULT 0);
	ALTER TABLE app.items OWNER TO app_owner;
	INSERT INTO app.items (id, name) SELECT i, 'item ' || i FROM generate_series(1, 1000) i;
	GRANT USAGE ON SCHEMA app TO outsider;
	GRANT SELECT ON app.items TO outsider;
});
for my $role ('app_owner', 'outsider')
{
	$node->safe_psql('postgres', qq{
		GRANT USAGE ON SCHEMA public TO $role;
		GRANT EXECUTE ON FUNCTION migrate_define(bigint, text, text, text, boolean, text[], text),
		                          migrate_status(text, text),
		                          migrate_plan(bigint, integer, text, text) TO $role;
		GRANT EXECUTE ON PROCEDURE migrate_deploy(bigint, integer, text, text[]) TO $role;
		GRANT SELECT ON migrate_migrations, migrate_applied, migrate_history, migrate_findings TO $role;
	});
}

# Runs SQL through psql as $user (statement by statement, as a script) and
# returns whether it succeeded and its message lines, without psql's prefix.
sub run_as
{
	my ($user, $sql) = @_;
	my ($stdout, $stderr);
	my $ret = $node->psql(
		'postgres', $sql,
		stdout => \$stdout,
		stderr => \$stderr,
		extra_params => [ '-U', $user ],
		on_error_stop => 1);
	return ($ret == 0, [ map { s/^psql:[^:]*:\d+: //r } grep { $_ ne '' } split /\n/, $stderr ]);
}

# 1. deployer, as app_owner, with its own settings.
my ($ok, $msgs) = run_as('deployer', q{
SET ROLE app_owner;
SET search_path = app, public;
SET maintenance_work_mem = '77MB';
SELECT version FROM migrate_define(10, 'index_item_names', $$DO $do$
BEGIN
	RAISE NOTICE 'worker: session_user=% current_user=% search_path=% maintenance_work_mem=%',
		session_user, current_user, current_setting('search_path'),
		current_setting('maintenance_work_mem');
END
$do$;
CREATE INDEX CONCURRENTLY items_name_idx ON items (name);$$);
CALL migrate_deploy();
});
ok($ok, 'deployer, as app_owner, deploys the migration') or diag(join("\n", @$msgs));
my @relayed = grep { /^NOTICE:  worker:/ } @$msgs;
is_deeply(
	\@relayed,
	[
		'NOTICE:  worker: session_user=deployer current_user=app_owner search_path=app, public maintenance_work_mem=77MB'
	],
	'the worker connects as deployer, acts as app_owner with the caller\'s settings, and its NOTICE is relayed'
) or diag(join("\n", @$msgs));
ok((grep { /^NOTICE:  == Migrated 10 in / } @$msgs), 'the deploy reports the migration done');
ok(!(grep { /^(?:ERROR|WARNING):/ } @$msgs), 'the deploy printed no error or warning')
  or diag(join("\n", @$msgs));

is( $node->safe_psql('postgres', q{
		SELECT n.nspname || ' ' || pg_get_userbyid(c.relowner) || ' ' || i.indisvalid
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_index i ON i.indexrelid = c.oid
		WHERE c.relname = 'items_name_idx'}),
	'app app_owner true',
	'the index is created in schema app (through search_path), owned by app_owner, valid');
is( $node->safe_psql('postgres',
		q{SELECT indrelid::regclass::text FROM pg_index WHERE indexrelid = 'app.items_name_idx'::regclass}),
	'app.items', 'the index is on app.items');
is( $node->safe_psql('postgres',
		q{SELECT string_agg(a.version || ' ' || a.applied_by || ' ' || m.defined_by, ',') FROM migrate_applied a JOIN migrate_migrations m USING (version)}),
	'10 app_owner app_owner',
	'migrate_applied records app_owner as the applier');
is( $node->safe_psql('postgres',
		q{SELECT string_agg(version || ' ' || direction || ' ' || role || ' ' || success, ',' ORDER BY id) FROM migrate_history}),
	'10 up app_owner true',
	'migrate_history has one successful run by app_owner');

# 2. A role without privileges on the table.  The superuser defines the
# migration, so that the definer check lets outsider apply it and the
# statement itself runs.
$node->safe_psql('postgres', q{
	SELECT version FROM migrate_define(20, 'index_item_qty',
		'CREATE INDEX CONCURRENTLY IF NOT EXISTS items_qty_idx ON app.items (qty);');
});
($ok, $msgs) = run_as('outsider', q{
\set VERBOSITY verbose
CALL migrate_deploy();
});
ok(!$ok, 'outsider\'s deploy fails');
ok((grep { /^ERROR:  42501: must be owner of table items$/ } @$msgs),
	'the worker\'s permission error is relayed with SQLSTATE 42501')
  or diag(join("\n", @$msgs));
ok( (grep { /^CONTEXT:  statement 1 \(line 1\) of migration 20 "index_item_qty" \(up\)$/ } @$msgs),
	'the context names the migration\'s statement')
  or diag(join("\n", @$msgs));
ok(!(grep { /== Migrated 20/ } @$msgs), 'the migration is not reported done');

is( $node->safe_psql('postgres',
		q{SELECT count(*) FROM pg_class WHERE relname = 'items_qty_idx'}),
	'0', 'no index is created, not even an INVALID one');
is( $node->safe_psql('postgres',
		q{SELECT string_agg(version::text, ',' ORDER BY version) FROM migrate_applied}),
	'10', 'the migration is not applied');
is( $node->safe_psql('postgres',
		q{SELECT state || ' / ' || detail FROM migrate_status() WHERE version = 20}),
	'failed / up: 0 of 1 statements completed; statement 1 (line 1) failed: must be owner of table items',
	'migrate_status() shows it failed, with 0 of 1 statements completed and the error');
is( $node->safe_psql('postgres',
		q{SELECT string_agg(role || ' ' || success || ' ' || error, ',' ORDER BY id) FROM migrate_history WHERE version = 20}),
	'outsider false must be owner of table items',
	'migrate_history records outsider\'s failed run');

# The failure is resolvable: pending again, nothing of it left.
$node->safe_psql('postgres', q{SELECT migrate_resolve(20, 'pending')});
is( $node->safe_psql('postgres',
		q{SELECT state || ' ' || (detail IS NULL) FROM migrate_status() WHERE version = 20}),
	'pending true', 'migrate_resolve(20, \'pending\') makes it pending again');

# The table's owner applies it.
($ok, $msgs) = run_as('deployer', q{
SET ROLE app_owner;
CALL migrate_deploy();
});
ok($ok, 'app_owner then deploys it') or diag(join("\n", @$msgs));
is( $node->safe_psql('postgres',
		q{SELECT pg_get_userbyid(c.relowner) || ' ' || i.indisvalid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid WHERE c.oid = 'app.items_qty_idx'::regclass}),
	'app_owner true', 'the index is created and valid');

$node->stop;
done_testing();
