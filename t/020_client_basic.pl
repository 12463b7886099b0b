# Checks pg_migrate's commands on a folder in dbmate's exact format: new,
# load, status, plan, up, down, deploy, revert, verify, lint, baseline,
# resolve and dump, their output and their exit statuses.

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;
use lib $FindBin::RealBin;
use MigrateTest;

my $node = PostgreSQL::Test::Cluster->new('client_basic');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION migrate');

my $dir = PostgreSQL::Test::Utils::tempdir . '/migrations';
my ($rc, $out, $err);

# new: creates the folder and an empty migration named by the UTC time.
($rc, $out, $err) = pg_migrate($node, $dir, 'new', 'create_users');
is($rc, 0, 'new succeeds');
like($out, qr{^\Q$dir\E/\d{14}_create_users\.sql$}, 'new prints the path of the file');
chomp $out;
my $created = slurp_file($out);
is($created, "-- migrate:up\n\n\n-- migrate:down\n\n", 'new writes empty up and down sections');
unlink $out;

# A folder as dbmate writes it, used unchanged.
write_file("$dir/20261101000000_create_users.sql", <<'SQL');
-- migrate:up
create table users (
  id integer,
  name varchar(255),
  email varchar(255) not null
);

-- migrate:down
drop table users;
SQL
write_file("$dir/20261102000000_add_users_email_index.sql", <<'SQL');
-- migrate:up transaction:false
create index concurrently users_email_idx on users (email);

-- migrate:down
drop index concurrently users_email_idx;
SQL
# No down section: derived.  An empty one: a no-op down.
write_file("$dir/20261103000000_add_users_age.sql", <<'SQL');
-- migrate:up
alter table users add column age integer;
SQL
write_file("$dir/20261104000000_seed.sql", <<'SQL');
-- migrate:up
-- migrate:safety-assured require-concurrent-index-creation
insert into users (id, email) values (1, 'a@example.com');

-- migrate:down
SQL

# status before anything is loaded: pending, writing nothing.
($rc, $out, $err) = pg_migrate($node, $dir, 'status');
is($rc, 0, 'status succeeds');
like($out, qr/^20261101000000  pending   create_users  \[not loaded\]$/m, 'status: a file not loaded is pending');
is($node->safe_psql('postgres', 'SELECT count(*) FROM migrate_migrations'), '0', 'status writes nothing');
($rc, $out, $err) = pg_migrate($node, $dir, 'status', '--check');
is($rc, 3, 'status --check exits 3 with pending migrations');

# load: the whole set in one call.
($rc, $out, $err) = pg_migrate($node, $dir, 'load');
is($rc, 0, 'load succeeds');
like($out, qr/^new       20261101000000 create_users$/m, 'load names a new migration');
like($out, qr/loaded 4 migrations: 4 new, 0 replaced, 0 unchanged, 0 removed/, 'load sums up');
is($node->safe_psql('postgres',
	"SELECT string_agg(version || ':' || transactional || ':' || coalesce(down, '<null>'), ',' ORDER BY version) FROM migrate_migrations WHERE version IN (20261102000000, 20261104000000)"),
	"20261102000000:false:drop index concurrently users_email_idx;\n,20261104000000:true:",
	'transaction:false and an empty down section are kept');
is($node->safe_psql('postgres', 'SELECT down_derived FROM migrate_migrations WHERE version = 20261103000000'),
	't', 'a file without a down section gets a derived down');
($rc, $out, $err) = pg_migrate($node, $dir, 'load');
like($out, qr/0 new, 0 replaced, 4 unchanged/, 'loading again changes nothing');

# plan: what up would run, with apply's refusal of the non-transactional one.
($rc, $out, $err) = pg_migrate($node, $dir, 'plan', '--to', '20261102000000');
is($rc, 0, 'plan succeeds');
is($out, "20261101000000 create_users\n20261102000000 add_users_email_index (non-transactional)\n", 'plan lists the selection');
like($err, qr/WARNING:  migrate_apply\(\) would refuse to run/, 'plan relays the refusal');

# up: load and apply in one transaction, progress on stderr.
($rc, $out, $err) = pg_migrate($node, $dir, 'up', '--steps', '1');
is($rc, 0, 'up --steps 1 succeeds');
like($out, qr/^applied 20261101000000 create_users/m, 'up names what it applied');
like($err, qr/NOTICE:  == Running 20261101000000 create_users \(up\)/, 'up relays the progress notices');
($rc, $out, $err) = pg_migrate($node, $dir, '-q', 'up', '--to', '20261101000000');
is($rc, 0, 'up with nothing to do succeeds');
is($out, "nothing to apply\n", 'up says when there is nothing to do');
is($err, '', '-q silences the notices');
($rc, $out, $err) = pg_migrate($node, $dir, 'up');
is($rc, 1, 'up refusing a non-transactional migration exits 1');
like($err, qr/^ERROR:  .*\n(DETAIL|HINT):  /m, 'the server error is printed as psql prints it');

# deploy: one transaction per migration, non-transactional ones included.
($rc, $out, $err) = pg_migrate($node, $dir, 'deploy');
is($rc, 0, 'deploy succeeds');
like($err, qr/== Migrated 20261104000000/, 'deploy relays its progress');
($rc, $out, $err) = pg_migrate($node, $dir, 'status', '--check');
is($rc, 0, 'status --check exits 0 when everything is applied');
like($out, qr/^20261104000000  applied   seed  \(applied .* by \w+\)$/m, 'status says when and by whom');

# A changed file and a missing one.
my $seed = slurp_file("$dir/20261104000000_seed.sql");
write_file("$dir/20261104000000_seed.sql", $seed . "-- changed\n");
rename("$dir/20261103000000_add_users_age.sql", "$dir/gone.txt");
($rc, $out, $err) = pg_migrate($node, $dir, 'status', '--check');
is($rc, 3, 'status --check exits 3 when something changed');
like($out, qr/^20261104000000  changed   seed/m, 'a changed down section makes the migration changed');
like($out, qr/^20261103000000  missing   add_users_age .*\[no file\]$/m, 'an applied migration without a file is missing');
($rc, $out, $err) = pg_migrate($node, $dir, 'load');
is($rc, 1, 'loading a changed applied migration exits 1');
like($err, qr/ERROR:  migration 20261104000000 is already applied and cannot be redefined/, 'and names it');
like($err, qr/20261104000000_seed\.sql/, 'and names the file');
write_file("$dir/20261104000000_seed.sql", $seed);
rename("$dir/gone.txt", "$dir/20261103000000_add_users_age.sql");

# down and revert.
($rc, $out, $err) = pg_migrate($node, $dir, 'down');
is($rc, 0, 'down succeeds');
is($out =~ s/ \(.*\)//r, "rolled back 20261104000000 seed\n", 'down rolls back the newest');
($rc, $out, $err) = pg_migrate($node, $dir, 'revert', '--to', '20261102000000');
is($rc, 0, 'revert --to succeeds');
like($err, qr/== Running 20261102000000 add_users_email_index \(down\)/, 'revert runs the non-transactional down');
is($node->safe_psql('postgres', "SELECT count(*) FROM migrate_applied"), '1', 'one migration stays applied');

# verify: over the folder's definitions; exit 3 when one is not ok.
($rc, $out, $err) = pg_migrate($node, $dir, 'verify', '20261103000000');
is($rc, 0, 'verify of a reversible migration exits 0');
like($out, qr/^ok     20261103000000 add_users_age$/m, 'verify says ok');
write_file("$dir/20261105000000_bad_down.sql", <<'SQL');
-- migrate:up
create table t5 (id integer);

-- migrate:down
select 1;
SQL
($rc, $out, $err) = pg_migrate($node, $dir, 'verify', '20261105000000');
is($rc, 3, 'verify exits 3 when a down does not undo its up');
like($out, qr/^FAILED 20261105000000 bad_down$/m, 'verify names it');
is($node->safe_psql('postgres', 'SELECT count(*) FROM migrate_migrations WHERE version = 20261105000000'),
	'0', 'verify defines nothing');
unlink "$dir/20261105000000_bad_down.sql";

# lint: findings at their line in the file; exit 3 on an unassured error.
write_file("$dir/20261106000000_index_name.sql", <<'SQL');
-- migrate:up
-- migrate:safety-assured require-concurrent-index-creation
create index users_id_idx on users (id);

alter table users add column token uuid default gen_random_uuid();
SQL
($rc, $out, $err) = pg_migrate($node, $dir, 'lint');
is($rc, 3, 'lint exits 3 on an unassured error');
like($out, qr{^\Q$dir\E/20261106000000_index_name\.sql:3: error: .* \[require-concurrent-index-creation\] \(safety assured\)$}m,
	'lint prints FILE:LINE: severity: message [rule], assured');
like($out, qr{^\Q$dir\E/20261106000000_index_name\.sql:5: error: .*\[[a-z-]+\]$}m, 'the line is the line in the file');
like($out, qr{^\Q$dir\E/20261106000000_index_name\.sql:3: hint: }m, 'then the hint');
($rc, $out, $err) = pg_migrate($node, $dir, 'lint', '--format', 'json', "$dir/20261106000000_index_name.sql");
is($rc, 3, 'lint --format json exits 3 too');
like($out, qr/^\[\n  \{"file": ".*", "version": 20261106000000, "line": 3, "statement": 1, "rule": "require-concurrent-index-creation", "severity": "error", "assured": true, /,
	'lint --format json');
write_file("$dir/20261106000000_index_name.sql", <<'SQL');
-- migrate:up
-- migrate:safety-assured require-concurrent-index-creation
create index users_id_idx on users (id);
SQL
($rc, $out, $err) = pg_migrate($node, $dir, 'lint', "$dir/20261106000000_index_name.sql");
is($rc, 0, 'lint exits 0 when every error is assured');
unlink "$dir/20261106000000_index_name.sql";

# baseline: load, then mark applied without running.
($rc, $out, $err) = pg_migrate($node, $dir, 'baseline', '20261103000000');
is($rc, 0, 'baseline succeeds');
is($out, "marked 2 migrations applied\n", 'baseline says how many');
is($node->safe_psql('postgres', "SELECT to_regclass('users_email_idx') IS NULL"), 't', 'baseline runs nothing');

# resolve: a failed non-transactional migration, repaired by a person.
write_file("$dir/20261107000000_bad_index.sql", <<'SQL');
-- migrate:up transaction:false
create index concurrently no_such_idx on no_such_table (id);

-- migrate:down
drop index concurrently no_such_idx;
SQL
($rc, $out, $err) = pg_migrate($node, $dir, 'deploy');
is($rc, 1, 'a failing deploy exits 1');
like($err, qr/ERROR:  relation "no_such_table" does not exist/, 'and prints the error');
like(status_of($node, 20261107000000), qr/^failed\|/, 'the migration failed');
($rc, $out, $err) = pg_migrate($node, $dir, 'resolve', '20261107000000', 'pending');
is($rc, 0, 'resolve succeeds');
like(status_of($node, 20261107000000), qr/^pending\|/, 'resolve records the repair');
unlink "$dir/20261107000000_bad_index.sql";
($rc, $out, $err) = pg_migrate($node, $dir, 'load', '--prune');
like($out, qr/^removed   20261107000000 bad_index$/m, 'load --prune removes a pending migration without a file');

# dump: the schema and the catalog rows; restored, the same status.
my $dump = PostgreSQL::Test::Utils::tempdir . '/structure.sql';
($rc, $out, $err) = pg_migrate($node, $dir, 'dump', $dump);
is($rc, 0, 'dump succeeds');
like(slurp_file($dump), qr/^COPY public\.migrate_applied \(/m, 'the dump holds the catalog rows');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
$node->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('restored'), '-f', $dump ],
	'the dump restores into an empty database');
my ($status_before) = (pg_migrate($node, $dir, 'status'))[1];
my ($rc2, $status_after) = do
{
	my ($o, $e) = ('', '');
	IPC::Run::run([ 'pg_migrate', '-d', $node->connstr('restored'), '--dir', $dir, 'status' ],
		'>', \$o, '2>', \$e);
	($? >> 8, $o);
};
is($rc2, 0, 'status on the restored database succeeds');
is($status_after, $status_before, 'the restored database has the same status');
is($node->safe_psql('restored', q{SELECT to_regclass('users') IS NOT NULL}), 't', 'and the same schema');

# Progress notices arrive as they happen: while the second migration of a
# deploy waits for a lock, the first one's "== Migrated" is already out.
my $live = PostgreSQL::Test::Utils::tempdir . '/live';
mkdir $live;
write_file("$live/30000000000001_first.sql", "-- migrate:up\ncreate table live1 (id bigint);\n");
write_file("$live/30000000000002_second.sql",
	"-- migrate:up\nselect pg_advisory_xact_lock(4242);\n\n-- migrate:down\n");
my $holder = $node->background_psql('postgres');
$holder->query_safe('SELECT pg_advisory_lock(4242)');
my ($live_out, $live_err) = ('', '');
my $h = IPC::Run::start(
	[ 'pg_migrate', '-d', $node->connstr('postgres'), '--dir', $live, 'deploy' ],
	'<', \undef, '>', \$live_out, '2>', \$live_err,
	IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
$h->pump until $live_err =~ /== Running 30000000000002 second \(up\)/;
like($live_err, qr/== Migrated 30000000000001 in/, 'a finished migration is reported while the next one runs');
ok($h->pumpable, 'the deploy is still running');
$holder->query_safe('SELECT pg_advisory_unlock(4242)');
$holder->quit;
$h->finish;
is($? >> 8, 0, 'the deploy then finishes');
like($live_err, qr/== Migrated 30000000000002 in/, 'and reports the second migration');

$node->stop;
done_testing();
