# Checks pg_migrate's sets, tenant schemas and repeatable migrations: two
# sets with the same versions, each from a folder of its own (--set); a
# deploy over tenant schemas (--schema, --schemas-from) that stops at a
# failing tenant and goes on when run again; status and status --check per
# schema; R__<name>.sql files, in migrate's format and in Flyway's; lint of
# the repeatables that would run; adopting a tenant schema that Flyway
# migrated; and the bad usages.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;
use lib $FindBin::RealBin;
use MigrateTest;
use AdoptTools;

my $node = PostgreSQL::Test::Cluster->new('client_sets');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION migrate');

my $root = PostgreSQL::Test::Utils::tempdir;
my ($rc, $out, $err);

# Creates folder $name under the test's directory with the files given
# (name => content) and returns its path.
sub folder
{
	my ($name, %files) = @_;
	my $dir = "$root/$name";
	mkdir $dir;
	write_file("$dir/$_", $files{$_}) for keys %files;
	return $dir;
}

# Runs a query on the node and returns its result.
sub query
{
	my ($sql) = @_;
	return $node->safe_psql('postgres', $sql);
}

# --- Two sets, one folder each, with the same versions -------------------

my $app = folder('app',
	'1_create_accounts.sql' => "-- migrate:up\nCREATE TABLE accounts (id int);\n\n-- migrate:down\nDROP TABLE accounts;\n");
my $queue = folder('queue',
	'1_create_jobs.sql' => "-- migrate:up\nCREATE TABLE jobs (id bigint);\n\n-- migrate:down\nDROP TABLE jobs;\n",
	'2_add_jobs_state.sql' => "-- migrate:up\nALTER TABLE jobs ADD COLUMN state text;\n");

($rc, $out, $err) = pg_migrate($node, $queue, 'status', '--set', 'queue');
is($rc, 0, 'status of a set not loaded yet succeeds');
like($out, qr/^1\s+pending\s+create_jobs\s+\[not loaded\]$/m, 'status: its files are pending, not loaded');

($rc, $out, $err) = pg_migrate($node, $app, 'load', '--set', 'app');
is($rc, 0, 'load --set app succeeds') or diag($err);
($rc, $out, $err) = pg_migrate($node, $queue, 'load', '--set', 'queue');
is($rc, 0, 'load --set queue succeeds') or diag($err);
like($out, qr/loaded 2 migrations: 2 new/, 'load --set queue defines both');
is(query(q{SELECT string_agg(set || ':' || version || ':' || name, ' ' ORDER BY set, version) FROM migrate_migrations}),
	'app:1:create_accounts queue:1:create_jobs queue:2:add_jobs_state',
	'each set holds its own version 1; the main set nothing');

($rc, $out, $err) = pg_migrate($node, $queue, 'up', '--set', 'queue', '--steps', '1');
is($rc, 0, 'up --set queue --steps 1 succeeds') or diag($err);
like($out, qr/^applied 1 create_jobs /m, 'up applies the set\'s version 1');
is(query(q{SELECT string_agg(set || ':' || version, ' ') FROM migrate_applied}), 'queue:1',
	'only the queue set\'s migration is applied');

($rc, $out, $err) = pg_migrate($node, $queue, 'status', '--set', 'queue');
is($rc, 0, 'status --set queue succeeds') or diag($err);
like($out, qr/\A1\s+applied\s+create_jobs\s+\(applied \S+ \S+ by \S+\)\n2\s+pending\s+add_jobs_state\n\z/,
	'status --set queue: one line per version, version 1 applied and 2 pending');
($rc, $out, $err) = pg_migrate($node, $app, 'status', '--set', 'app', '--check');
is($rc, 3, 'status --check --set app exits 3: its version 1 is not applied');
like($out, qr/\A1\s+pending\s+create_accounts\n\z/, 'status --set app: version 1 pending, not the other set\'s');
($rc, $out, $err) = pg_migrate($node, $queue, 'plan', '--set', 'queue');
is($out, "2 add_jobs_state\n", 'plan --set queue: the set\'s next migration');

# lint's pending selection is the set's: app's version 1 is pending though
# queue's version 1 is applied.
($rc, $out, $err) = pg_migrate($node, $app, 'lint', '--set', 'app');
like($out, qr/1_create_accounts\.sql:2: warning: .*\[prefer-bigint-over-int\]/,
	'lint --set app lints the set\'s pending migration');
($rc, $out, $err) = pg_migrate($node, $queue, 'lint', '--set', 'queue');
unlike($out, qr/1_create_jobs/, 'lint --set queue skips the set\'s applied migration');

($rc, $out, $err) = pg_migrate($node, $queue, 'verify', '--set', 'queue');
is($rc, 0, 'verify --set queue succeeds') or diag($err);
like($out, qr/^ok\s+2 add_jobs_state$/m, 'verify --set queue verifies the set\'s pending migration');

($rc, $out, $err) = pg_migrate($node, $queue, 'down', '--set', 'queue');
is($rc, 0, 'down --set queue succeeds') or diag($err);
like($out, qr/^rolled back 1 create_jobs /m, 'down --set queue rolls back the set\'s migration');
is(query('SELECT count(*) FROM migrate_applied'), '0', 'nothing is applied any more');

($rc, $out, $err) = pg_migrate($node, $queue, 'down', '--set', 'nosuch');
is($rc, 1, 'down of an unknown set exits 1');
like($err, qr/ERROR:  migration set "nosuch" does not exist/, 'and relays the server\'s error');

# baseline: the table was made by hand, the set's version 1 is marked
# applied without running.
query('CREATE TABLE jobs (id bigint)');
($rc, $out, $err) = pg_migrate($node, $queue, 'baseline', '1', '--set', 'queue');
is($rc, 0, 'baseline --set queue succeeds') or diag($err);
is(query(q{SELECT string_agg(set || ':' || version, ' ') FROM migrate_applied}), 'queue:1',
	'baseline marks the set\'s version 1 applied');
query(q{SELECT migrate_rollback(set => 'queue')});

# --- Tenant schemas ---------------------------------------------------------

my $tenant = folder('tenant',
	'1_create_notes.sql' => "-- migrate:up\nCREATE TABLE notes (id bigint);\n\n-- migrate:down\nDROP TABLE notes;\n",
	'2_add_notes_body.sql' => "-- migrate:up\nALTER TABLE notes ADD COLUMN body text;\n");
query('CREATE SCHEMA acme; CREATE SCHEMA globex; CREATE SCHEMA initech');
my $tenants = q{SELECT nspname FROM pg_namespace WHERE nspname IN ('acme', 'globex', 'hooli', 'initech') ORDER BY nspname};

($rc, $out, $err) = pg_migrate($node, $tenant, 'deploy', '--set', 'tenant', '--schemas-from', $tenants);
is($rc, 0, 'deploy --schemas-from over three schemas succeeds') or diag($err);
like($err, qr/NOTICE:  == tenant 1 of 3: acme \(2 migrations\)/, 'deploy names the first tenant');
like($err, qr/NOTICE:  == tenant 3 of 3: initech \(2 migrations\)/, 'deploy names the last tenant');
is(query(q{SELECT string_agg(schema || ':' || version, ' ' ORDER BY schema, version) FROM migrate_applied WHERE set = 'tenant'}),
	'acme:1 acme:2 globex:1 globex:2 initech:1 initech:2', 'each schema has both migrations applied');
is(query(q{SELECT count(*) FROM pg_attribute WHERE attrelid IN ('acme.notes'::regclass, 'globex.notes'::regclass, 'initech.notes'::regclass) AND attname = 'body'}),
	'3', 'each schema got its own table');
is(query(q{SELECT to_regclass('public.notes') IS NULL}), 't', 'nothing was created outside the schemas');

($rc, $out, $err) = pg_migrate($node, $tenant, 'status', '--set', 'tenant', '--check', '--schemas-from', $tenants);
is($rc, 0, 'status --check over the schemas exits 0 when all are applied') or diag($err);
is(scalar(() = $out =~ /^(acme|globex|initech)\s+\d\s+applied\s/mg), 6, 'status lists each schema\'s migrations');

query('CREATE SCHEMA hooli');
($rc, $out, $err) = pg_migrate($node, $tenant, 'status', '--set', 'tenant', '--check', '--schemas-from', $tenants);
is($rc, 3, 'status --check exits 3 when a schema is behind');
like($out, qr/^hooli\s+1\s+pending\s+create_notes$/m, 'status names the schema that is behind');
($rc, $out, $err) = pg_migrate($node, $tenant, 'status', '--set', 'tenant', '--check', '--schema', 'acme');
is($rc, 0, 'status --check --schema of an up-to-date schema exits 0');
unlike($out, qr/acme|pending/, 'status --schema prints no schema column');
($rc, $out, $err) = pg_migrate($node, $tenant, 'status', '--set', 'tenant', '--check', '--schema', 'hooli');
is($rc, 3, 'status --check --schema of a schema that is behind exits 3');

# A tenant that fails stops the deploy; the schemas before it keep their
# work; running it again goes on from there.
write_file("$tenant/3_add_notes_flag.sql", "-- migrate:up\nALTER TABLE notes ADD COLUMN flag bigint;\n");
query('ALTER TABLE globex.notes ADD COLUMN flag text');
($rc, $out, $err) = pg_migrate($node, $tenant, 'deploy', '--set', 'tenant', '--schemas-from', $tenants);
is($rc, 1, 'deploy with a failing tenant exits 1');
like($err, qr/ERROR:  column "flag" of relation "notes" already exists/, 'the server\'s error is printed');
like($err, qr/tenant 2 of 4: globex/, 'the error names the tenant it stopped at');
is(query(q{SELECT string_agg(schema || ':' || n, ' ' ORDER BY schema) FROM (SELECT schema, count(*) AS n FROM migrate_applied WHERE set = 'tenant' GROUP BY schema) c}),
	'acme:3 globex:2 initech:2', 'the schema before it is done, those after it untouched');

query('ALTER TABLE globex.notes DROP COLUMN flag');
($rc, $out, $err) = pg_migrate($node, $tenant, 'deploy', '--set', 'tenant', '--schemas-from', $tenants);
is($rc, 0, 'deploy run again succeeds') or diag($err);
unlike($err, qr/tenant \d+ of 4: acme/, 'the finished schema passes silently');
like($err, qr/tenant 2 of 4: globex \(1 migrations?\)/, 'it goes on from the failed tenant');
like($err, qr/tenant 3 of 4: hooli \(3 migrations\)/, 'and on to the schemas after it');
is(query(q{SELECT string_agg(schema || ':' || n, ' ' ORDER BY schema) FROM (SELECT schema, count(*) AS n FROM migrate_applied WHERE set = 'tenant' GROUP BY schema) c}),
	'acme:3 globex:3 hooli:3 initech:3', 'every schema is up to date');

($rc, $out, $err) = pg_migrate($node, $tenant, 'revert', '--set', 'tenant', '--schema', 'initech');
is($rc, 0, 'revert --schema succeeds') or diag($err);
($rc, $out, $err) = pg_migrate($node, $tenant, 'down', '--set', 'tenant', '--schema', 'hooli', '--steps', '2');
is($rc, 0, 'down --schema succeeds') or diag($err);
like($out, qr/^rolled back 3 add_notes_flag .*\n^rolled back 2 add_notes_body /m, 'down --schema names what it rolled back');
is(query(q{SELECT string_agg(schema || ':' || n, ' ' ORDER BY schema) FROM (SELECT schema, count(*) AS n FROM migrate_applied WHERE set = 'tenant' GROUP BY schema) c}),
	'acme:3 globex:3 hooli:1 initech:2', 'revert and down took back only their schema\'s migrations');
($rc, $out, $err) = pg_migrate($node, $tenant, 'up', '--set', 'tenant', '--schema', 'hooli');
is($rc, 0, 'up --schema succeeds') or diag($err);
like($out, qr/^applied 2 add_notes_body .*\n^applied 3 add_notes_flag /m, 'up --schema applies the schema\'s pending migrations');

# lint --schema judges against the tenant's tables.
my $index_file = "$root/4_index_notes.sql";
write_file($index_file, "-- migrate:up\nCREATE INDEX notes_id ON notes (id);\n");
($rc, $out, $err) = pg_migrate($node, $tenant, 'lint', '--schema', 'acme', $index_file);
is($rc, 3, 'lint --schema finds the blocking index build on the tenant\'s table');
like($out, qr/4_index_notes\.sql:2: error: .*\[require-concurrent-index-creation\]/, 'and prints the finding');
($rc, $out, $err) = pg_migrate($node, $tenant, 'lint', $index_file);
is($rc, 0, 'lint without --schema finds no table of that name');

# Bad usage and errors.
($rc, $out, $err) = pg_migrate($node, $tenant, 'deploy', '--set', 'tenant', '--schema', 'acme', '--schemas-from', $tenants);
is($rc, 2, '--schema with --schemas-from is bad usage');
like($err, qr/error: options --schema and --schemas-from cannot be used together/, 'and says so');
($rc, $out, $err) = pg_migrate($node, $tenant, 'load', '--schema', 'acme');
is($rc, 2, 'load takes no --schema');
($rc, $out, $err) = pg_migrate($node, $tenant, 'up', '--schemas-from', $tenants);
is($rc, 2, 'up takes no --schemas-from');
($rc, $out, $err) = pg_migrate($node, $tenant, 'up', '--set', 'tenant', '--schema', 'nosuch');
is($rc, 1, 'a schema that does not exist exits 1');
like($err, qr/ERROR:  schema "nosuch" does not exist/, 'with the server\'s message');
($rc, $out, $err) = pg_migrate($node, $tenant, 'deploy', '--set', 'tenant', '--schemas-from', q{SELECT 'acme' UNION ALL SELECT 'nosuch'});
is($rc, 1, 'deploy to a list naming a schema that does not exist exits 1');
like($err, qr/ERROR:  schema "nosuch" does not exist/, 'with the server\'s message');
($rc, $out, $err) = pg_migrate($node, $tenant, 'status', '--set', 'tenant', '--schemas-from', q{SELECT 'acme' UNION ALL SELECT 'acme'});
is($rc, 1, 'status over a list naming a schema twice exits 1');
like($err, qr/ERROR:  .*acme/, 'with the server\'s message naming it');
($rc, $out, $err) = pg_migrate($node, $tenant, 'deploy', '--set', 'tenant', '--schemas-from', 'SELECT nosuch');
is($rc, 1, 'a --schemas-from query that fails exits 1');
like($err, qr/ERROR:  column "nosuch" does not exist/, 'with the server\'s message');
like($err, qr/error: .*--schemas-from/, 'naming the option');

# --- Repeatable migrations --------------------------------------------------

my $rep = folder('repeatable',
	'1_create_users.sql' => "-- migrate:up\nCREATE TABLE users (id bigint, active boolean);\n",
	'R__active_users.sql' => "-- migrate:up\nCREATE OR REPLACE VIEW active_users AS SELECT id FROM users WHERE active;\n",
	'R__user_count.sql' => "-- migrate:up\nCREATE OR REPLACE FUNCTION user_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM users';\n\n-- migrate:down\nDROP FUNCTION IF EXISTS user_count();\n");

($rc, $out, $err) = pg_migrate($node, $rep, 'status');
like($out, qr/^\s+pending\s+active_users\s+\[not loaded\]$/m, 'status shows a repeatable file not loaded');

($rc, $out, $err) = pg_migrate($node, $rep, 'load');
is($rc, 0, 'load of a folder with repeatables succeeds') or diag($err);
like($out, qr/^new       repeatable active_users$/m, 'load names a new repeatable');
like($out, qr/loaded 2 repeatable migrations: 2 new, 0 replaced, 0 unchanged, 0 removed/, 'load sums up the repeatables');
is(query(q{SELECT string_agg(name || ':' || coalesce(down, '-'), ' ' ORDER BY name) FROM migrate_repeatables}),
	"active_users:- user_count:DROP FUNCTION IF EXISTS user_count();\n",
	'the bodies are stored, the down from its section');

($rc, $out, $err) = pg_migrate($node, $rep, 'verify');
is($rc, 3, 'verify with a repeatable that has no down exits 3');
like($out, qr/^FAILED repeatable active_users\n  irreversible: it never ran here and has no down body/m,
	'verify: a first run without a down cannot be rolled back');
like($out, qr/^ok     repeatable user_count\n  its rollback restores the schema/m,
	'verify: a first run with a down is rolled back by it');

($rc, $out, $err) = pg_migrate($node, $rep, 'up');
is($rc, 0, 'up with repeatables succeeds') or diag($err);
like($out, qr/\Aapplied 1 create_users .*\napplied repeatable active_users .*\napplied repeatable user_count .*\n\z/,
	'the repeatables run after the versioned migration, in name order');
is(query('SELECT user_count()'), '0', 'the repeatable\'s function exists');

($rc, $out, $err) = pg_migrate($node, $rep, 'status', '--check');
is($rc, 0, 'status --check with applied repeatables exits 0') or diag($out);
like($out, qr/^\s+applied\s+active_users\s+\(applied \S+ \S+ by \S+\)$/m,
	'status shows a repeatable with an empty version column');

write_file("$rep/R__active_users.sql",
	"-- migrate:up\nCREATE OR REPLACE VIEW active_users AS SELECT id, active FROM users WHERE active;\n");
($rc, $out, $err) = pg_migrate($node, $rep, 'status', '--check');
is($rc, 3, 'status --check exits 3 when a repeatable\'s file changed');
like($out, qr/^\s+changed\s+active_users/m, 'status says the repeatable changed');
($rc, $out, $err) = pg_migrate($node, $rep, 'up');
is($rc, 0, 'up after the change succeeds') or diag($err);
like($out, qr/\Areplaced  repeatable active_users\napplied repeatable active_users \(.*\)\n\z/,
	'load replaces the changed repeatable, and only it runs again');
is(query(q{SELECT count(*) FROM pg_attribute WHERE attrelid = 'active_users'::regclass AND attname = 'active'}),
	'1', 'the view has its new body');
($rc, $out, $err) = pg_migrate($node, $rep, 'up');
is($out, "nothing to apply\n", 'up again has nothing to run');

# new --repeatable
($rc, $out, $err) = pg_migrate($node, $rep, 'new', '--repeatable', 'refresh_totals');
is($rc, 0, 'new --repeatable succeeds');
is($out, "$rep/R__refresh_totals.sql\n", 'new --repeatable prints the R__ file\'s path');
is(slurp_file("$rep/R__refresh_totals.sql"), "-- migrate:up\n\n", 'new --repeatable writes an empty up section');
unlink "$rep/R__refresh_totals.sql";

# Two files giving one name are refused, naming both; nothing is loaded.
write_file("$rep/2_add_users_email.sql", "-- migrate:up\nALTER TABLE users ADD COLUMN email text;\n");
write_file("$rep/R__Active_users.sql", "-- migrate:up\nCREATE OR REPLACE VIEW active_users2 AS SELECT 1;\n");
($rc, $out, $err) = pg_migrate($node, $rep, 'load');
is($rc, 1, 'two files giving one repeatable name: load exits 1');
like($err, qr{error: two files give repeatable migration "\w+": "\Q$rep\E/R__Active_users\.sql" and "\Q$rep\E/R__active_users\.sql"},
	'the error names both files');
unlink "$rep/R__Active_users.sql";

# A body that cannot run again: the server refuses it, and the versioned
# migration of the same load is not defined either.
write_file("$rep/R__bad.sql", "-- migrate:up\nCREATE TABLE bad (id bigint);\n");
($rc, $out, $err) = pg_migrate($node, $rep, 'load');
is($rc, 1, 'a repeatable that cannot run again: load exits 1');
like($err, qr/ERROR:  repeatable migration "bad" holds a statement that cannot run again/, 'with the server\'s message');
is(query('SELECT count(*) FROM migrate_migrations WHERE set = \'main\' AND version = 2'), '0',
	'the versioned migrations of that load were not defined either');
unlink "$rep/R__bad.sql";

write_file("$rep/R__no_tx.sql", "-- migrate:up transaction:false\nSELECT 1;\n");
($rc, $out, $err) = pg_migrate($node, $rep, 'load');
is($rc, 1, 'a repeatable with transaction:false is refused');
like($err, qr/R__no_tx\.sql", line 1: a repeatable migration takes no option/, 'naming the file and line');
unlink "$rep/R__no_tx.sql";

# A repeatable whose file is gone: missing, then removed with --prune.
unlink "$rep/R__user_count.sql";
($rc, $out, $err) = pg_migrate($node, $rep, 'status');
like($out, qr/^\s+missing\s+user_count\s+.*\[no file\]$/m, 'status: an applied repeatable without a file is missing');
($rc, $out, $err) = pg_migrate($node, $rep, 'load', '--prune');
is($rc, 0, 'load --prune succeeds') or diag($err);
like($out, qr/^removed   repeatable user_count$/m, 'load --prune removes the repeatable no file holds');
is(query('SELECT string_agg(name, \' \') FROM migrate_repeatables'), 'active_users', 'only the repeatable with a file is left');

# Repeatables in a set and tenant schemas.
my $trep = folder('tenant_repeatable',
	'1_create_items.sql' => "-- migrate:up\nCREATE TABLE items (id bigint);\n",
	'R__item_count.sql' => "-- migrate:up\nCREATE OR REPLACE VIEW item_count AS SELECT count(*) AS n FROM items;\n");
($rc, $out, $err) = pg_migrate($node, $trep, 'deploy', '--set', 'shop', '--schemas-from', q{SELECT unnest(ARRAY['acme', 'globex'])});
is($rc, 0, 'deploy of a set with a repeatable over two schemas succeeds') or diag($err);
is(query(q{SELECT count(*) FROM pg_views WHERE viewname = 'item_count' AND schemaname IN ('acme', 'globex')}),
	'2', 'the repeatable ran in each schema');
($rc, $out, $err) = pg_migrate($node, $trep, 'status', '--set', 'shop', '--check', '--schemas-from', q{SELECT unnest(ARRAY['acme', 'globex'])});
is($rc, 0, 'status --check of the set over both schemas exits 0') or diag($out);
like($out, qr/^globex\s+applied\s+item_count/m, 'status shows the repeatable per schema');

# lint of a folder judges the repeatables whose body would run (not run yet,
# or changed since their last run), at their file's lines, and not those
# that ran as they are.
query('CREATE MATERIALIZED VIEW totals AS SELECT 1 AS n');
my $lrep = folder('lint_repeatable',
	'R__refresh_totals.sql' => "-- migrate:up\nSELECT 1;\nREFRESH MATERIALIZED VIEW totals;\n");
($rc, $out, $err) = pg_migrate($node, $lrep, 'lint', '--set', 'lintrep');
is($rc, 3, 'lint of a repeatable that would run with an error finding exits 3');
like($out, qr{^\Q$lrep\E/R__refresh_totals\.sql:3: error: .*\[refresh-matview-not-concurrently\]$}m,
	'lint names the repeatable\'s file and the line of the statement');
write_file("$lrep/R__refresh_totals.sql", "-- migrate:up\nREFRESH MATERIALIZED VIEW totals;\n-- migrate:safety-assured refresh-matview-not-concurrently\n");
($rc, $out, $err) = pg_migrate($node, $lrep, 'up', '--set', 'lintrep');
is($rc, 0, 'up of the set with the assured repeatable succeeds') or diag($err);
($rc, $out, $err) = pg_migrate($node, $lrep, 'lint', '--set', 'lintrep', '--format', 'json');
is($rc, 0, 'lint after the repeatable ran as it is exits 0');
is($out, "[]\n", 'lint skips the repeatable that ran with this body');
write_file("$lrep/R__refresh_totals.sql", "-- migrate:up\nREFRESH MATERIALIZED VIEW totals;\n");
($rc, $out, $err) = pg_migrate($node, $lrep, 'lint', '--set', 'lintrep', '--format', 'json');
is($rc, 3, 'lint of the changed repeatable exits 3');
like($out, qr/"repeatable": "refresh_totals", "line": 2, .*"rule": "refresh-matview-not-concurrently"/,
	'the JSON names the repeatable and its line');

# --- Flyway's repeatable files, and adopting a tenant that Flyway migrated ----

# Flyway keeps its history in the first schema it manages; here the tenant's.
# A version ran, and a repeatable (version NULL) ran with the file's body.
my $fly = folder('flyway_tenant',
	'V1__create_orders.sql' => "CREATE TABLE orders (id bigint, total numeric);\n",
	'V2__add_orders_state.sql' => "ALTER TABLE orders ADD COLUMN state text;\n",
	'R__order_totals.sql' => "CREATE OR REPLACE VIEW order_totals AS SELECT count(*) AS n FROM orders;\n");
query(q{CREATE SCHEMA umbrella; CREATE TABLE umbrella.orders (id bigint, total numeric);
  CREATE VIEW umbrella.order_totals AS SELECT count(*) AS n FROM umbrella.orders;
  CREATE TABLE umbrella.flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50),
    description varchar(200) NOT NULL, type varchar(20) NOT NULL, script varchar(1000) NOT NULL,
    checksum int, installed_by varchar(100) NOT NULL, installed_on timestamp NOT NULL DEFAULT now(),
    execution_time int NOT NULL, success boolean NOT NULL);
  INSERT INTO umbrella.flyway_schema_history VALUES
    (0, NULL, '<< Flyway Schema Creation >>', 'SCHEMA', '"umbrella"', NULL, 'u', now(), 0, true),
    (1, '1', 'create orders', 'SQL', 'V1__create_orders.sql', }
	  . flyway_checksum("CREATE TABLE orders (id bigint, total numeric);\n") . q{, 'u', now(), 5, true),
    (2, NULL, 'order totals', 'SQL', 'R__order_totals.sql', }
	  . flyway_checksum("CREATE OR REPLACE VIEW order_totals AS SELECT count(*) AS n FROM orders;\n")
	  . q{, 'u', now(), 3, true)});

($rc, $out, $err) = pg_migrate($node, $fly, 'status', '--set', 'flyway_tenant', '--schema', 'umbrella');
like($out, qr/^\s+pending\s+order_totals\s+\[not loaded\]$/m, 'a Flyway R__ file is read as a repeatable');

($rc, $out, $err) = pg_migrate($node, $fly, 'adopt', '--from', 'flyway', '--set', 'flyway_tenant');
is($rc, 1, 'adopt without --schema does not find the history in the tenant schema');
like($err, qr/flyway's history table flyway_schema_history does not exist\n.*hint:.*--schema/,
	'the hint names --schema');

($rc, $out, $err) = pg_migrate($node, $fly, 'adopt', '--from', 'flyway', '--set', 'flyway_tenant', '--schema', 'umbrella');
is($rc, 0, 'adopt --schema of a Flyway history with a repeatable succeeds') or diag($err);
is($out, "adopted 1 migrations applied by flyway in schema umbrella (2 loaded)\n"
	  . "1 repeatable migrations loaded, to run at the next up or deploy\n",
	'adopt says what it marked applied there, and what runs next');
is(query(q{SELECT string_agg(schema || ':' || version, ',') FROM migrate_applied WHERE set = 'flyway_tenant'}),
	'umbrella:10000', 'version 1 is applied in the tenant schema, nowhere else');

($rc, $out, $err) = pg_migrate($node, $fly, 'deploy', '--set', 'flyway_tenant', '--schema', 'umbrella');
is($rc, 0, 'deploy after adopt succeeds') or diag($err);
like($err, qr/== Running 20000 add_orders_state \(up\).*== Running repeatable order_totals \(up\)/s,
	'deploy runs the version Flyway had not, then the repeatable');
unlike($err, qr/== Running 10000/, 'not the version Flyway had run');
is(query(q{SELECT count(*) FROM pg_attribute WHERE attrelid = 'umbrella.orders'::regclass AND attname = 'state'}),
	'1', 'the new version ran in the tenant schema');
($rc, $out, $err) = pg_migrate($node, $fly, 'status', '--set', 'flyway_tenant', '--schema', 'umbrella', '--check');
is($rc, 0, 'status --check after the deploy exits 0') or diag($out);

my $bad_fly = folder('flyway_bad', 'V1__a.sql' => "SELECT 1;\n", 'R__.sql' => "SELECT 1;\n");
($rc, $out, $err) = pg_migrate($node, $bad_fly, 'status', '--format', 'flyway');
is($rc, 1, 'a Flyway repeatable file without a description: exits 1');
like($err, qr/error: invalid Flyway file name ".*R__\.sql"/, 'naming the file');

# --- Help ---------------------------------------------------------------------

($rc, $out, $err) = pg_migrate($node, $app, 'help', 'deploy');
like($out, qr/--set=NAME.*\n.*--schema=NAME.*\n.*--schemas-from=QUERY/, 'deploy\'s help documents --set, --schema and --schemas-from');
($rc, $out, $err) = pg_migrate($node, $app, 'help', 'new');
like($out, qr/--repeatable/, 'new\'s help documents --repeatable');

$node->stop;
done_testing();
