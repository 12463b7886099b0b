#!/bin/bash
# test/demo.sh: a guided tour of the migrate extension on a throwaway cluster.
#
# Installs what is missing (Debian 12, as root or as a user with sudo), builds
# the extension into a private tree under /tmp, starts a private cluster,
# creates the database "shop", loads the migrations of examples/ and shows,
# as psql shows them: the plan, a derived down and its proof (migrate_verify),
# apply with its progress NOTICEs, status, rollback, re-apply, what errors
# look like, the safety lint refusing a migration that would lock a busy
# table, and its safe recipe: an index built concurrently by CALL
# migrate_deploy().  Then the same from files with the pg_migrate client, on
# a fresh database "widgets": new, status --check, plan, up, down and up
# again, a transaction:false index run by deploy, lint's FILE:LINE errors,
# and dump restored into a second fresh database with the same status.  The
# cluster is stopped and removed at the end, on failure too.  Exits non-zero
# if a step does not behave as shown.
#
# Usage: bash test/demo.sh [port]     (the server listens only on a private
#                                      Unix socket; the port names the socket)

set -eu -o pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${1:-55490}

. "$ROOT/test/lib.sh"

# Stops the cluster and removes the work directory however the script ends.
cleanup() {
    local status=$?
    migrate_stop_cluster
    if [ -n "${WORK:-}" ] && [ -d "$WORK" ]; then
        migrate_as_postgres rm -rf "$WORK" 2>/dev/null || migrate_as_root rm -rf "$WORK"
    fi
    if [ "$status" = 0 ]; then
        printf '\nDemo finished; the cluster is stopped and removed.\n'
    else
        printf '\nDemo FAILED (exit status %s); the cluster is stopped and removed.\n' "$status"
    fi
}
trap cleanup EXIT

# Prints a step's heading.
heading() {
    if [ -t 1 ]; then
        printf '\n\033[1m== %s\033[0m\n\n' "$*"
    else
        printf '\n== %s\n\n' "$*"
    fi
}

# Runs the SQL on stdin in the database "shop", echoing each line as psql
# reads it, with NOTICEs and errors in line with the output.  Stops at the
# first error, which fails the demo.
sql() {
    migrate_psql -d shop -a -P pager=off -v ON_ERROR_STOP=1 2>&1
}

# Like sql(), for a script whose last statement must fail: the demo fails if
# it succeeds, or if an earlier statement fails.
sql_failing() {
    local out status=0
    out=$(migrate_psql -d shop -a -P pager=off -v ON_ERROR_STOP=1 2>&1) || status=$?
    printf '%s\n' "$out"
    if [ "$status" != 3 ]; then
        echo "demo: the statement above was expected to fail" >&2
        return 1
    fi
    # Only the last statement may fail: nothing but the error follows it.
    if [ "$(printf '%s\n' "$out" | grep -c '^ERROR:')" != 1 ]; then
        echo "demo: expected exactly one error" >&2
        return 1
    fi
}

# Fails the demo unless the query on $1 returns the value $2.
expect() {
    local got
    got=$(migrate_psql -d shop -X -q -t -A -c "$1")
    if [ "$got" != "$2" ]; then
        echo "demo: expected \"$2\" from: $1" >&2
        echo "demo: got \"$got\"" >&2
        return 1
    fi
}

heading "Setting up: packages, build, a throwaway cluster on port $PORT"
migrate_ensure_packages
migrate_build "$ROOT"
migrate_start_cluster "$PORT"
echo "Cluster running in $WORK (socket directory $PGHOST)."

heading "1. Create a database and install the extension"
migrate_psql -a -v ON_ERROR_STOP=1 2>&1 <<'EOF'
CREATE DATABASE shop;
EOF
sql <<'EOF'
CREATE EXTENSION migrate;
EOF

heading "2. Define the migrations: each file of examples/ is one migrate_define() call"
examples=("$ROOT"/examples/*.sql)
echo "-- examples/${examples[0]##*/}"
sql <"${examples[0]}"
echo "-- and the other files of examples/:"
cat "${examples[@]:1}" | migrate_psql -d shop -q -t -A -F ' ' -v ON_ERROR_STOP=1 | sed '/^$/d; s/^/   defined /'

heading "3. What migrate_apply() would run now, and proof that every down undoes its up"
sql <<'EOF'
SELECT * FROM migrate_plan();
SELECT version, name, down FROM migrate_migrations WHERE version = 20261102100000;
SELECT version, name, ok, detail FROM migrate_verify();
EOF

heading "4. Apply the first five, up to the new status column"
sql <<'EOF'
SELECT * FROM migrate_apply(target => 20261104140000);
EOF

heading "5. The application writes some rows, with emails as people typed them"
sql <<'EOF'
INSERT INTO accounts (email, full_name) VALUES
    ('  Alice@Example.COM', 'Alice Liddell'),
    ('bob@example.com', 'Bob Hope');
INSERT INTO projects (account_id, name)
SELECT id, 'Launch plan' FROM accounts WHERE full_name = 'Alice Liddell';
SELECT id, email FROM accounts ORDER BY id;
EOF

heading "6. Apply the rest: the data fix, the unique index and the view"
sql <<'EOF'
SELECT * FROM migrate_apply();
SELECT * FROM active_projects;
EOF
expect "SELECT string_agg(email, ',' ORDER BY id) FROM accounts" "alice@example.com,bob@example.com"

heading "7. Status"
sql <<'EOF'
SELECT version, name, state, reversible FROM migrate_status();
EOF

heading "8. Roll back the two newest migrations"
sql <<'EOF'
SELECT * FROM migrate_rollback(2);
SELECT version, name, state FROM migrate_status();
EOF
expect "SELECT to_regclass('active_projects') IS NULL AND to_regclass('accounts_email_key') IS NULL" "t"

heading "9. Apply again: only the two pending migrations run"
sql <<'EOF'
SELECT * FROM migrate_apply();
EOF
expect "SELECT count(*) FROM migrate_status() WHERE state <> 'applied'" "0"

heading "10. An error while applying: a typo in the second of two migrations"
sql <<'EOF'
SELECT version, name FROM migrate_define(20261107120000, 'add_accounts_plan',
  up => $up$
ALTER TABLE accounts ADD COLUMN plan text NOT NULL DEFAULT 'free';
$up$);
SELECT version, name FROM migrate_define(20261107121000, 'team_plans',
  up => $up$
UPDATE accounts
   SET plan = 'team'
 WHERE emial LIKE '%@example.com';
$up$,
  down => '');
EOF
sql_failing <<'EOF'
SELECT * FROM migrate_apply();
EOF
echo
echo "-- Nothing of the failed call remains: both migrations are pending and"
echo "-- the column the first one added is gone with it."
sql <<'EOF'
SELECT version, name, state FROM migrate_status() WHERE state <> 'applied';
SELECT count(*) AS plan_columns
  FROM information_schema.columns
 WHERE table_name = 'accounts' AND column_name = 'plan';
EOF
expect "SELECT count(*) FROM migrate_applied WHERE version >= 20261107120000" "0"

echo
echo "-- A pending migration can be defined again; fixed, both apply."
sql <<'EOF'
SELECT version, name FROM migrate_define(20261107121000, 'team_plans',
  up => $up$
UPDATE accounts
   SET plan = 'team'
 WHERE email LIKE '%@example.com';
$up$,
  down => '');
SELECT * FROM migrate_apply();
EOF

heading "11. Unsafe DDL is caught before it runs: the safety lint"
echo "-- migrate_lint() judges SQL with the server's parser and the live catalog:"
echo "-- accounts exists now, so a volatile default would rewrite it and a plain"
echo "-- CREATE INDEX would block its writes; projects_archive is new, so"
echo "-- indexing it is fine."
sql <<'EOF'
SELECT statement, rule, severity, message FROM migrate_lint($$
ALTER TABLE accounts ADD COLUMN referral_code uuid DEFAULT gen_random_uuid();
CREATE INDEX accounts_plan_idx ON accounts (plan);
CREATE TABLE projects_archive (LIKE projects);
CREATE INDEX projects_archive_account_idx ON projects_archive (account_id);
$$);
EOF
echo
echo "-- migrate_define() runs the same lint; migrate_apply() refuses an"
echo "-- unaccepted error before running anything."
sql <<'EOF'
SELECT version, name FROM migrate_define(20261107130000, 'index_accounts_plan',
  up => $up$
CREATE INDEX accounts_plan_idx ON accounts (plan);
$up$);
EOF
sql_failing <<'EOF'
SELECT * FROM migrate_apply();
EOF
echo
echo "-- The safe recipe: build the index CONCURRENTLY.  No transaction block may"
echo "-- hold that statement, so CALL migrate_deploy() commits after each migration"
echo "-- and runs it at top level in a background worker; writers go on meanwhile."
sql <<'EOF'
SELECT version, name, transactional FROM migrate_define(20261107130000, 'index_accounts_plan',
  up => $up$
CREATE INDEX CONCURRENTLY accounts_plan_idx ON accounts (plan);
$up$);
CALL migrate_deploy();
SELECT version, name, state FROM migrate_status() WHERE version = 20261107130000;
EOF
expect "SELECT count(*) FROM migrate_status() WHERE state <> 'applied'" "0"
expect "SELECT indisvalid FROM pg_index WHERE indexrelid = 'accounts_plan_idx'::regclass" "t"

heading "12. A syntax error is caught when the migration is defined"
sql_failing <<'EOF'
SELECT version, name FROM migrate_define(20261108090000, 'index_projects',
  up => $up$
CREATE INDEX projects_created_at_idx ON projects (created_at);
CRATE INDEX projects_status_idx ON projects (status);
$up$,
  down => $down$
DROP INDEX projects_status_idx;
DROP INDEX projects_created_at_idx;
$down$);
EOF
expect "SELECT count(*) FROM migrate_migrations WHERE version = 20261108090000" "0"

heading "13. An applied migration cannot be changed in place"
sql_failing <<'EOF'
SELECT version, name FROM migrate_define(20261101090000, 'create_accounts',
  up => $up$
CREATE TABLE accounts (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email      text NOT NULL,
    full_name  text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
$up$,
  down => $down$
DROP TABLE accounts;
$down$);
EOF

heading "14. The history of every run"
sql <<'EOF'
SELECT version, name, direction, success FROM migrate_history ORDER BY id;
EOF

# ---------------------------------------------------------------------------
# Part two: the same workflow from files, with the pg_migrate client, on a
# database of its own.

MIGDIR=$WORK/migrations
DUMP=$WORK/widgets.sql

# Runs pg_migrate as postgres on the private cluster, the folder given by
# MIGRATE_DIR, echoing the command line first; its output (NOTICEs included)
# goes to the terminal and to CLI_OUT, its exit status to CLI_STATUS.
cli() {
    printf '$ pg_migrate %s\n' "$*"
    CLI_STATUS=0
    CLI_OUT=$(migrate_as_postgres env PGHOST="$PGHOST" PGPORT="$PGPORT" MIGRATE_DIR="$MIGDIR" \
        "$PGBIN/pg_migrate" "$@" 2>&1) || CLI_STATUS=$?
    if [ -n "$CLI_OUT" ]; then
        printf '%s\n' "$CLI_OUT"
    fi
}

# Like cli(); fails the demo unless pg_migrate exits with status $1, which
# is shown when it is not 0.
cli_status() {
    local want=$1
    shift
    cli "$@"
    if [ "$want" != 0 ]; then
        echo "(exit status $CLI_STATUS)"
    fi
    if [ "$CLI_STATUS" != "$want" ]; then
        echo "demo: expected exit status $want from: pg_migrate $*, got $CLI_STATUS" >&2
        return 1
    fi
}

# Fails the demo unless the last pg_migrate output has a line matching the
# extended regular expression $1.
expect_output() {
    if ! printf '%s\n' "$CLI_OUT" | grep -Eq -- "$1"; then
        echo "demo: expected a line matching /$1/ in the output above" >&2
        return 1
    fi
}

# Like expect(), in the database $1.
expect_in() {
    local got
    got=$(migrate_psql -d "$1" -X -q -t -A -c "$2")
    if [ "$got" != "$3" ]; then
        echo "demo: expected \"$3\" from: $2 (in $1)" >&2
        echo "demo: got \"$got\"" >&2
        return 1
    fi
}

# Writes stdin to the file $1 as postgres, showing it.
write_migration() {
    echo "\$ cat > $1 <<'EOF'"
    migrate_as_postgres tee "$1"
    echo "EOF"
}

# Waits until the UTC second differs from the version $1, so that the next
# "pg_migrate new" gets a version of its own.
next_second() {
    while [ "$(date -u +%Y%m%d%H%M%S)" = "$1" ]; do
        sleep 0.1
    done
}

heading "15. The same from files: pg_migrate, on a fresh database"
echo "-- pg_migrate keeps migrations as files in a folder, dbmate's format."
echo "-- Here the folder is $MIGDIR (MIGRATE_DIR) and the"
echo "-- server is the demo's cluster (PGHOST, PGPORT)."
echo '$ createdb widgets'
migrate_as_postgres env PGHOST="$PGHOST" PGPORT="$PGPORT" "$PGBIN/createdb" -U postgres widgets
migrate_psql -d widgets -a -v ON_ERROR_STOP=1 2>&1 <<'EOF'
CREATE EXTENSION migrate;
EOF
echo
cli_status 0 new create_widgets
expect_output "^$MIGDIR/[0-9]{14}_create_widgets\.sql\$"
file1=$CLI_OUT
v1=$(basename "$file1")
v1=${v1%%_*}
write_migration "$file1" <<'EOF'
-- migrate:up
CREATE TABLE widgets (
    id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name  text NOT NULL,
    price numeric(10,2) NOT NULL DEFAULT 0
);

-- migrate:down
DROP TABLE widgets;
EOF

heading "16. status --check fails while a migration is pending (exit status 3)"
cli_status 3 -d widgets status --check
expect_output "^$v1  pending   create_widgets  \[not loaded\]\$"

heading "17. plan, then up: load the folder and apply, in one transaction"
cli_status 0 -d widgets plan
expect_output "^$v1 create_widgets\$"
echo
cli_status 0 -d widgets up
expect_output "^applied $v1 create_widgets "
expect_in widgets "SELECT to_regclass('widgets') IS NOT NULL" "t"
echo
cli_status 0 -d widgets status --check
expect_output "^$v1  applied   create_widgets  \(applied .* by postgres\)\$"

heading "18. down rolls back the newest migration; up applies it again"
cli_status 0 -d widgets down
expect_output "^rolled back $v1 create_widgets "
expect_in widgets "SELECT to_regclass('widgets') IS NULL" "t"
echo
cli_status 0 -d widgets up
expect_output "^applied $v1 create_widgets "
expect_in widgets "SELECT count(*) FROM migrate_status() WHERE state <> 'applied'" "0"

heading "19. An index built CONCURRENTLY: transaction:false, run by deploy"
echo "-- up runs everything in one transaction, which CREATE INDEX CONCURRENTLY"
echo "-- cannot run in; deploy commits after each migration and runs this one"
echo "-- at top level."
next_second "$v1"
cli_status 0 new index_widgets_name
expect_output "^$MIGDIR/[0-9]{14}_index_widgets_name\.sql\$"
file2=$CLI_OUT
v2=$(basename "$file2")
v2=${v2%%_*}
write_migration "$file2" <<'EOF'
-- migrate:up transaction:false
CREATE INDEX CONCURRENTLY widgets_name_idx ON widgets (name);

-- migrate:down
DROP INDEX CONCURRENTLY widgets_name_idx;
EOF
echo
cli_status 0 -d widgets plan
expect_output "^$v2 index_widgets_name \(non-transactional\)\$"
echo
cli_status 0 -d widgets deploy
expect_output "== Migrated $v2 "
expect_in widgets "SELECT indisvalid FROM pg_index WHERE indexrelid = 'widgets_name_idx'::regclass" "t"
echo
cli_status 0 -d widgets status --check
expect_output "^$v2  applied   index_widgets_name  \(applied .* by postgres\)\$"

heading "20. lint catches an unsafe statement in a file before it is applied (exit status 3)"
next_second "$v2"
cli_status 0 new add_widgets_sku
file3=$CLI_OUT
write_migration "$file3" <<'EOF'
-- migrate:up
ALTER TABLE widgets ADD COLUMN sku text;
CREATE UNIQUE INDEX widgets_sku_key ON widgets (sku);

-- migrate:down
DROP INDEX widgets_sku_key;
ALTER TABLE widgets DROP COLUMN sku;
EOF
echo
cli_status 3 -d widgets lint "$file3"
expect_output "^$file3:3: error: .*\[[a-z-]+\]\$"
echo
echo "-- Not applied; removed before going on."
migrate_as_postgres rm "$file3"

heading "21. dump the schema and migrate's catalog, restore it into a fresh database"
cli_status 0 -d widgets dump "$DUMP"
echo "-- pg_dump --schema-only's output, then the rows of migrate's catalog:"
echo "\$ grep '^COPY' $DUMP"
copies=$(migrate_as_postgres grep '^COPY' "$DUMP")
printf '%s\n' "$copies"
if ! printf '%s\n' "$copies" | grep -q '^COPY public\.migrate_applied '; then
    echo "demo: the dump does not hold migrate_applied's rows" >&2
    exit 1
fi
echo
echo '$ createdb widgets_restored'
migrate_as_postgres env PGHOST="$PGHOST" PGPORT="$PGPORT" "$PGBIN/createdb" -U postgres widgets_restored
echo "\$ psql -d widgets_restored -q -v ON_ERROR_STOP=1 -f $DUMP >/dev/null"
migrate_psql -d widgets_restored -q -v ON_ERROR_STOP=1 -f "$DUMP" 2>&1 >/dev/null
echo
cli_status 0 -d widgets status
status_before=$CLI_OUT
echo
cli_status 0 -d widgets_restored status --check
if [ "$CLI_OUT" != "$status_before" ]; then
    echo "demo: the restored database's status differs" >&2
    exit 1
fi
expect_in widgets_restored "SELECT to_regclass('widgets') IS NOT NULL AND to_regclass('widgets_name_idx') IS NOT NULL" "t"
echo "-- The same status, and the same schema."

heading "22. adopt a database that golang-migrate migrated"
echo "-- A team comes with a golang-migrate folder and a database golang-migrate"
echo "-- migrated up to version 2, recorded in its one-row schema_migrations"
echo "-- table (version bigint, dirty boolean), as its documentation defines it."
GODIR=$WORK/golang
migrate_as_postgres mkdir -p "$GODIR"
write_migration "$GODIR/1_create_parts.up.sql" <<'SQL'
BEGIN;
CREATE TABLE parts (id bigint PRIMARY KEY, name text NOT NULL);
COMMIT;
SQL
write_migration "$GODIR/1_create_parts.down.sql" <<'SQL'
DROP TABLE parts;
SQL
write_migration "$GODIR/2_add_weight.up.sql" <<'SQL'
ALTER TABLE parts ADD COLUMN weight numeric;
SQL
write_migration "$GODIR/2_add_weight.down.sql" <<'SQL'
ALTER TABLE parts DROP COLUMN weight;
SQL
write_migration "$GODIR/3_add_sku.up.sql" <<'SQL'
ALTER TABLE parts ADD COLUMN sku text;
SQL
write_migration "$GODIR/3_add_sku.down.sql" <<'SQL'
ALTER TABLE parts DROP COLUMN sku;
SQL
echo '$ createdb parts'
migrate_as_postgres env PGHOST="$PGHOST" PGPORT="$PGPORT" "$PGBIN/createdb" -U postgres parts
migrate_psql -d parts -X -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE EXTENSION migrate;
CREATE TABLE parts (id bigint PRIMARY KEY, name text NOT NULL, weight numeric);
CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
INSERT INTO schema_migrations VALUES (2, false);
SQL
echo
echo "-- The folder is recognised as golang-migrate's; adopt marks 1 and 2 applied"
echo "-- without running them, and leaves golang-migrate's table as it is."
cli_status 0 -d parts --dir "$GODIR" adopt --from golang-migrate
expect_output '^adopted 2 migrations applied by golang-migrate \(3 loaded\)$'
cli_status 3 -d parts --dir "$GODIR" status --check
expect_output '^3 +pending +add_sku'
cli_status 0 -d parts --dir "$GODIR" up
echo "-- A rollback runs the down from golang-migrate's file."
cli_status 0 -d parts --dir "$GODIR" down --steps 2
expect_in parts "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'parts'" "id,name"
