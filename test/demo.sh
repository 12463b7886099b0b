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
# migrate_deploy().  The cluster is stopped and
# removed at the end, on failure too.  Exits non-zero if a step does not
# behave as shown.
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
