#!/bin/bash
# test/bench/client.sh: the pg_migrate client against dbmate, measured side by
# side in one run on the same folder of migration files.
#
# Not a test: it prints figures and fails only if a step fails.  On a
# throwaway cluster it times:
#
#   dbmate no-op   dbmate migrate, with all N files of the folder applied
#   deploy no-op   pg_migrate deploy, with all N files applied and unchanged
#   psql up        psql -1 -f of a script holding the up bodies  (baseline)
#   pg_migrate up  pg_migrate up of as many migrations from files, in a
#                  fresh database with the extension
#
# The folder holds N files <version>_t_<i>.sql in dbmate's format (up: a table
# with a primary key; down: DROP TABLE), read by both tools.  Each tool has a
# database of its own, first migrated fully (untimed); then each round times
# one no-op run of each, the two taking turns going first.  The up comparison
# runs in a new database per round, psql's and ours taking turns.  The tables
# show the medians of the rounds.
#
# dbmate is installed from the npm registry (the dbmate package carries the
# binary) into a cache directory under /tmp, reused by later runs, never into
# the project.
#
# Usage: bash test/bench/client.sh [port]          (default 55495)
#        BENCH_SIZES="100 1000" BENCH_ROUNDS=3 bash test/bench/client.sh
#        BENCH_UP_SIZE=1000  (the size of the up comparison; 0 skips it)
#        BENCH_NPM_CACHE=/tmp/migrate-bench-npm    (where dbmate is installed)

set -eu -o pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PORT=${1:-55495}
SIZES=${BENCH_SIZES:-1000 10000}
ROUNDS=${BENCH_ROUNDS:-5}
UP_SIZE=${BENCH_UP_SIZE:-1000}
NPM_CACHE=${BENCH_NPM_CACHE:-/tmp/migrate-bench-npm}

. "$ROOT/test/lib.sh"

# shellcheck source=test/bench/common.sh
. "$ROOT/test/bench/common.sh"

# Sets DBMATE to the dbmate binary, installing the npm package into
# $NPM_CACHE unless it is there already.  The package's bin entry is a Node.js
# wrapper that starts the binary of a platform sub-package
# (@dbmate/linux-x64 and the like); the binary is run directly, so that Node's
# start-up is not counted against dbmate.
find_dbmate() {
    DBMATE=$(find "$NPM_CACHE/node_modules/@dbmate" -path '*/bin/dbmate' -type f 2>/dev/null | head -n 1)
    if [ -z "$DBMATE" ]; then
        echo "Installing dbmate from npm into $NPM_CACHE..."
        command -v npm >/dev/null || { echo "bench: npm is needed to install dbmate" >&2; return 1; }
        npm install --silent --no-audit --no-fund --prefix "$NPM_CACHE" dbmate >/dev/null
        DBMATE=$(find "$NPM_CACHE/node_modules/@dbmate" -path '*/bin/dbmate' -type f 2>/dev/null | head -n 1)
    fi
    if [ -z "$DBMATE" ] || [ ! -x "$DBMATE" ]; then
        echo "bench: no dbmate binary under $NPM_CACHE" >&2
        return 1
    fi
    echo "Using $("$DBMATE" --version) ($DBMATE)."
}

# Writes the folder $GEN/files_N of N migration files and the script of their
# up bodies, $GEN/up_N.sql.
generate_files() {
    local n=$1
    mkdir -p "$GEN/files_$n"
    seq 1 "$n" | awk -v dir="$GEN/files_$n" -v up="$GEN/up_$n.sql" '{
        f = sprintf("%s/2026%010d_t_%d.sql", dir, $1, $1)
        printf "-- migrate:up\nCREATE TABLE t_%d (id bigint primary key, v text);\n\n-- migrate:down\nDROP TABLE t_%d;\n", $1, $1 > f
        close(f)
        printf "CREATE TABLE t_%d (id bigint primary key, v text);\n", $1 > up
    }'
}

# (Re)creates database $1, in the memory tablespace if there is one.
fresh_db() {
    DB=postgres bench_psql -c "DROP DATABASE IF EXISTS $1" \
        -c "CREATE DATABASE $1${SPACE:+ TABLESPACE bench_space}"
}

# Runs dbmate on database $1 with folder $2 and dbmate's arguments after.
run_dbmate() {
    local db=$1 dir=$2
    shift 2
    DATABASE_URL="postgres://postgres@/$db?socket=$PGHOST&port=$PGPORT&sslmode=disable" \
        "$DBMATE" --migrations-dir "$dir" --no-dump-schema "$@"
}

# Runs pg_migrate on database $1 with folder $2 and its arguments after.
run_pg_migrate() {
    local db=$1 dir=$2
    shift 2
    env -u DATABASE_URL -u MIGRATE_DIR PGOPTIONS="-c client_min_messages=warning" \
        "$PGBIN/pg_migrate" -q -h "$PGHOST" -p "$PGPORT" -U postgres -d "$db" --dir "$dir" "$@"
}

# The count of t_<i> tables in database $DB.
TABLES="SELECT count(*) FROM pg_class WHERE relname ~ '^t_[0-9]+\$' AND relkind = 'r'"

# Prints the median of measure $2 for size $1.
result() {
    awk -v n="$1" -v m="$2" '$1 == n && $2 == m { print $3 }' "$RESULTS" | median
}

echo "Building and starting a throwaway cluster..."
migrate_ensure_packages
find_dbmate
migrate_build "$ROOT"
[ -x "$PGBIN/pg_migrate" ] || { echo "bench: $PGBIN/pg_migrate was not installed" >&2; exit 1; }
# The untimed first pg_migrate up of 10,000 migrations locks each table, its
# index, TOAST table and TOAST index in one transaction.  Autovacuum is off so
# that it does not run during a measurement.
migrate_start_cluster "$PORT" max_locks_per_transaction=1024 autovacuum=off
bench_tablespace
RESULTS=$GEN/results
: >"$RESULTS"

started=$(date +%s)
for n in $SIZES; do
    generate_files "$n"
    dir=$GEN/files_$n

    # Both databases migrated fully, untimed.
    fresh_db bench_dbmate
    fresh_db bench_ours
    run_dbmate bench_dbmate "$dir" migrate >/dev/null
    DB=bench_dbmate bench_check "SELECT count(*) FROM schema_migrations" "$n"
    DB=bench_dbmate bench_check "$TABLES" "$n"
    DB=bench_ours bench_psql -c 'CREATE EXTENSION migrate'
    run_pg_migrate bench_ours "$dir" up >/dev/null
    DB=bench_ours bench_check "SELECT count(*) FROM migrate_applied" "$n"
    DB=bench_ours bench_check "$TABLES" "$n"
    # Statistics, as autovacuum would leave them in a database in service.
    DB=bench_dbmate bench_psql -c 'VACUUM ANALYZE'
    DB=bench_ours bench_psql -c 'VACUUM ANALYZE'
    # One run of each, untimed, so that both find the folder in the page cache.
    run_dbmate bench_dbmate "$dir" migrate >/dev/null
    run_pg_migrate bench_ours "$dir" deploy >/dev/null

    for round in $(seq 1 "$ROUNDS"); do
        if [ $((round % 2)) = 1 ]; then
            d=$(DB=bench_dbmate time_ms run_dbmate bench_dbmate "$dir" migrate)
            o=$(DB=bench_ours time_ms run_pg_migrate bench_ours "$dir" deploy)
        else
            o=$(DB=bench_ours time_ms run_pg_migrate bench_ours "$dir" deploy)
            d=$(DB=bench_dbmate time_ms run_dbmate bench_dbmate "$dir" migrate)
        fi
        # Still N applied on both sides: the no-op runs changed nothing.
        DB=bench_dbmate bench_check "SELECT count(*) FROM schema_migrations" "$n"
        DB=bench_ours bench_check "SELECT count(*) FROM migrate_applied" "$n"
        echo "$n dbmate_noop $d" >>"$RESULTS"
        echo "$n deploy_noop $o" >>"$RESULTS"
        printf 'N = %s, round %s: dbmate migrate %s ms, pg_migrate deploy %s ms  (%s s so far)\n' \
            "$n" "$round" "$d" "$o" "$(($(date +%s) - started))"
    done
done

if [ "$UP_SIZE" -gt 0 ]; then
    n=$UP_SIZE
    [ -d "$GEN/files_$n" ] || generate_files "$n"
    dir=$GEN/files_$n
    for round in $(seq 1 "$ROUNDS"); do
        for side in $([ $((round % 2)) = 1 ] && echo "psql ours" || echo "ours psql"); do
            fresh_db bench_up
            if [ "$side" = psql ]; then
                p=$(DB=bench_up time_ms bench_psql -1 -f - <"$GEN/up_$n.sql")
            else
                DB=bench_up bench_psql -c 'CREATE EXTENSION migrate'
                u=$(DB=bench_up time_ms run_pg_migrate bench_up "$dir" up)
                DB=bench_up bench_check "SELECT count(*) FROM migrate_applied" "$n"
            fi
            DB=bench_up bench_check "$TABLES" "$n"
        done
        echo "$n psql_up $p" >>"$RESULTS"
        echo "$n ours_up $u" >>"$RESULTS"
        printf 'up of %s, round %s: psql -1 -f %s ms, pg_migrate up %s ms  (%s s so far)\n' \
            "$n" "$round" "$p" "$u" "$(($(date +%s) - started))"
    done
fi

for db in bench_dbmate bench_ours bench_up; do
    DB=postgres bench_psql -c "DROP DATABASE IF EXISTS $db"
done
[ -z "$SPACE" ] || DB=postgres bench_psql -c "DROP TABLESPACE bench_space"

echo
echo "No-op runs with all N applied, in ms (medians of $ROUNDS rounds); ratio = pg_migrate / dbmate:"
echo
printf '%-7s %16s %19s %7s\n' N "dbmate migrate" "pg_migrate deploy" ratio
for n in $SIZES; do
    awk -v n="$n" -v d="$(result "$n" dbmate_noop)" -v o="$(result "$n" deploy_noop)" 'BEGIN {
        printf "%-7d %16.0f %19.0f %6.2fx\n", n, d, o, (d > 0) ? o / d : 0
    }'
done
if [ "$UP_SIZE" -gt 0 ]; then
    echo
    echo "Up of $UP_SIZE migrations, in ms (medians of $ROUNDS rounds); ratio = pg_migrate / psql:"
    echo
    printf '%-7s %12s %15s %7s\n' N "psql -1 -f" "pg_migrate up" ratio
    awk -v n="$UP_SIZE" -v p="$(result "$UP_SIZE" psql_up)" -v u="$(result "$UP_SIZE" ours_up)" 'BEGIN {
        printf "%-7d %12.0f %15.0f %6.2fx\n", n, p, u, (p > 0) ? u / p : 0
    }'
fi
echo
echo "Targets: pg_migrate deploy faster than dbmate migrate (ratio < 1) at every N."
echo "Total benchmark time: $(($(date +%s) - started)) s"
