#!/bin/bash
# test/bench/bench.sh: how fast migrate defines, applies and rolls back many
# migrations, compared with psql running the same SQL.
#
# Not a test: it prints figures and fails only if a step fails.  For N = 1,000
# and 10,000 migrations (up: a table with a primary key and an index; down:
# DROP TABLE) it times, on a throwaway cluster:
#
#   define    psql -1 -f of a script of N migrate_define() calls
#   psql up   psql -1 -f of a script holding the N up bodies   (baseline)
#   apply     SELECT migrate_apply()
#   no-op     SELECT migrate_apply() with all N applied, in milliseconds
#   psql down psql -1 -f of the N down bodies, newest first    (baseline)
#   rollback  SELECT migrate_rollback(target => 0)
#
# Each N runs 3 rounds, each in a fresh database; the baseline and ours take
# turns going first, and the table shows the median of the 3 rounds.
#
# The database's files go to a tablespace in /dev/shm (memory), because
# creating tens of thousands of files right after deleting as many is slow
# and erratic on some file systems (ext4 without a journal skips recently
# freed inodes one by one), which would drown the difference being measured.
# BENCH_ON_DISK=1 keeps them in the data directory under /tmp.
#
# Usage: bash test/bench/bench.sh [port]    (the server listens only on a
#                                            private Unix socket)
#        BENCH_SIZES="100 1000" bash test/bench/bench.sh   (other sizes)

set -eu -o pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PORT=${1:-55491}
SIZES=${BENCH_SIZES:-1000 10000}
ROUNDS=3

. "$ROOT/test/lib.sh"

# shellcheck source=test/bench/common.sh
. "$ROOT/test/bench/common.sh"


# Writes the scripts for N migrations: the up bodies in version order, the
# down bodies newest first, and the N migrate_define() calls.
generate_scripts() {
    local n=$1
    seq 1 "$n" | awk '{ printf "CREATE TABLE t_%d (id bigint primary key, v text); CREATE INDEX ON t_%d(v);\n", $1, $1 }' \
        >"$GEN/up_$n.sql"
    seq "$n" -1 1 | awk '{ printf "DROP TABLE t_%d;\n", $1 }' >"$GEN/down_$n.sql"
    seq 1 "$n" | awk '{
        printf "SELECT migrate_define(%d, '\''create_t_%d'\'',\n", $1, $1
        printf "  up => $up$CREATE TABLE t_%d (id bigint primary key, v text); CREATE INDEX ON t_%d(v);$up$,\n", $1, $1
        printf "  down => $down$DROP TABLE t_%d;$down$);\n", $1
    }' >"$GEN/define_$n.sql"
}



# Times no-op calls of migrate_apply() in one new session with psql's
# \timing (the server round trip, in milliseconds): prints the first call,
# which loads the library and prepares the internal queries, and the median
# of the 5 calls that follow.
noop_ms() {
    local times
    times=$({
        echo '\timing on'
        for _ in 1 2 3 4 5 6; do
            echo "SELECT count(*) FROM migrate_apply();"
        done
    } | bench_psql -t -A | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
    echo "$(echo "$times" | head -n 1) $(echo "$times" | tail -n +2 | median)"
}


# The baseline: psql runs the up bodies, then the down bodies, each script in
# one transaction.  Appends its timings to this round's results.
run_baseline() {
    local n=$1 up down
    up=$(time_ms bench_psql -1 -f - <"$GEN/up_$n.sql")
    bench_check "SELECT count(*) FROM pg_class WHERE relname ~ '^t_[0-9]+\$'" "$n"
    down=$(time_ms bench_psql -1 -f - <"$GEN/down_$n.sql")
    bench_check "SELECT count(*) FROM pg_class WHERE relname ~ '^t_[0-9]+\$'" 0
    echo "$n psql_up $up" >>"$GEN/round"
    echo "$n psql_down $down" >>"$GEN/round"
}

# The extension: define, apply, no-op apply (before and after the catalog
# tables are analyzed), and rollback of everything.
run_migrate() {
    local n=$1 define apply noop_fresh noop rollback
    bench_psql -c 'CREATE EXTENSION migrate'
    define=$(time_ms bench_psql -1 -f - <"$GEN/define_$n.sql")
    bench_check "SELECT count(*) FROM migrate_migrations" "$n"
    apply=$(time_ms bench_psql -c 'SELECT count(*) FROM migrate_apply()')
    bench_check "SELECT count(*) FROM migrate_applied" "$n"
    bench_check "SELECT count(*) FROM pg_class WHERE relname ~ '^t_[0-9]+\$'" "$n"
    # Right after a large first apply the catalog tables have no statistics
    # yet; once autovacuum (here: ANALYZE) has seen them, plans change.
    noop_fresh=$(noop_ms)
    bench_psql -c 'ANALYZE migrate_migrations, migrate_applied'
    noop=$(noop_ms)
    rollback=$(time_ms bench_psql -c 'SELECT count(*) FROM migrate_rollback(target => 0)')
    bench_check "SELECT count(*) FROM migrate_applied" 0
    bench_check "SELECT count(*) FROM pg_class WHERE relname ~ '^t_[0-9]+\$'" 0
    bench_psql -c 'SET migrate.allow_drop = on' -c 'DROP EXTENSION migrate'
    {
        echo "$n define $define"
        echo "$n apply $apply"
        echo "$n noop_first_nostats ${noop_fresh% *}"
        echo "$n noop_nostats ${noop_fresh#* }"
        echo "$n noop_first ${noop% *}"
        echo "$n noop ${noop#* }"
        echo "$n rollback $rollback"
    } >>"$GEN/round"
}

# Prints the median of measure $2 for size $1.
result() {
    awk -v n="$1" -v m="$2" '$1 == n && $2 == m { print $3 }' "$RESULTS" | median
}

echo "Building and starting a throwaway cluster..."
migrate_ensure_packages
migrate_build "$ROOT"
# One transaction of 10,000 migrations locks 50,000 relations (each table, its
# two indexes, its TOAST table and TOAST index), psql's as ours; the lock
# table has room for max_locks_per_transaction * (max_connections 100 +
# max_prepared_transactions 2) locks.  Autovacuum is off so that it does not
# run during a measurement; the script vacuums between the steps instead.
migrate_start_cluster "$PORT" max_locks_per_transaction=1024 autovacuum=off
bench_tablespace
RESULTS=$GEN/results

started=$(date +%s)
for n in $SIZES; do
    generate_scripts "$n"
    for round in $(seq 1 "$ROUNDS"); do
        DB=postgres
        bench_psql -c "DROP DATABASE IF EXISTS bench" \
            -c "CREATE DATABASE bench${SPACE:+ TABLESPACE bench_space}"
        DB=bench
        # Alternate which side goes first; vacuum between the two so that
        # the second does not find the first's dead catalog rows.
        : >"$GEN/round"
        if [ $((round % 2)) = 1 ]; then
            run_baseline "$n"
            bench_psql -c 'VACUUM'
            run_migrate "$n"
        else
            run_migrate "$n"
            bench_psql -c 'VACUUM'
            run_baseline "$n"
        fi
        # This round's figures, in milliseconds.
        printf 'N = %s, round %s: %s  (%s s so far)\n' "$n" "$round" \
            "$(awk -v n="$n" '$1 == n { v[$2] = $3 } END {
                printf "define %s, psql up %s, apply %s, psql down %s, rollback %s, no-op %s ms",
                    v["define"], v["psql_up"], v["apply"], v["psql_down"], v["rollback"], v["noop"]
            }' "$GEN/round")" "$(($(date +%s) - started))"
        cat "$GEN/round" >>"$RESULTS"
    done
done
DB=postgres
bench_psql -c "DROP DATABASE IF EXISTS bench"
[ -z "$SPACE" ] || bench_psql -c "DROP TABLESPACE bench_space"

# The tables: medians of the rounds.
echo
echo "Medians of $ROUNDS rounds, in seconds; ratio = ours / psql's."
echo
printf '%-7s %8s %8s %8s %7s %9s %9s %7s\n' \
    N define "psql up" apply ratio "psql down" rollback ratio
for n in $SIZES; do
    awk -v n="$n" -v d="$(result "$n" define)" -v pu="$(result "$n" psql_up)" \
        -v a="$(result "$n" apply)" -v pd="$(result "$n" psql_down)" \
        -v r="$(result "$n" rollback)" 'BEGIN {
        printf "%-7d %8.3f %8.3f %8.3f %6.2fx %9.3f %9.3f %6.2fx\n",
            n, d / 1000, pu / 1000, a / 1000, a / pu, pd / 1000, r / 1000, r / pd
    }'
done

echo
echo "No-op migrate_apply() with all N applied, in ms (medians of $ROUNDS rounds):"
echo
printf '%-7s %14s %12s   %s\n' N "first call" repeated "(before ANALYZE: first call, repeated)"
for n in $SIZES; do
    awk -v n="$n" -v f="$(result "$n" noop_first)" -v r="$(result "$n" noop)" \
        -v fn="$(result "$n" noop_first_nostats)" -v rn="$(result "$n" noop_nostats)" 'BEGIN {
        printf "%-7d %14.2f %12.2f   (%.2f, %.2f)\n", n, f, r, fn, rn
    }'
done

set -- $SIZES
small=$1
large=${!#}
echo
echo "Growth from N = $small to N = $large (time at $large / time at $small; linear is $((large / small))x):"
for m in define psql_up apply psql_down rollback noop_first noop; do
    awk -v m="$m" -v s="$(result "$small" "$m")" -v l="$(result "$large" "$m")" \
        'BEGIN { printf "  %-10s %6.1fx\n", m, l / s }'
done
echo
echo "Targets: apply <= 1.05x psql up, rollback <= 1.10x psql down, no-op < 5 ms at $large applied, linear growth."
echo "Total benchmark time: $(($(date +%s) - started)) s"
