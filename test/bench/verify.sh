#!/bin/bash
# test/bench/verify.sh: how long migrate_verify() takes, compared with
# migrate_apply() of the same migrations.
#
# Not a test: it prints figures and fails only if a step fails.  A database
# holds an application schema of $BENCH_TABLES tables (100 by default: a
# primary key, a few columns, an index, a foreign key to the table before);
# N migrations are then defined, each creating a table with an index and a
# foreign key to an existing table, and adding a column to another existing
# table (down: the column dropped, the table dropped).  It times, each in a
# fresh database:
#
#   verify    SELECT count(*) FROM migrate_verify()   (all N pending)
#   apply     SELECT count(*) FROM migrate_apply()    (the same N)
#
# and prints the ratio verify / apply for N = 50 and 200, medians of 3
# rounds.  verify runs each up, its down and the up again, and compares the
# schema before and after the down; the ratio says what that costs beyond
# running the ups once.
#
# Usage: bash test/bench/verify.sh [port]
#        BENCH_SIZES="50 200 800" BENCH_TABLES=300 bash test/bench/verify.sh

set -eu -o pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PORT=${1:-55493}
SIZES=${BENCH_SIZES:-50 200}
TABLES=${BENCH_TABLES:-100}
ROUNDS=3

. "$ROOT/test/lib.sh"

# shellcheck source=test/bench/common.sh
. "$ROOT/test/bench/common.sh"

# Writes the application schema: $TABLES tables, each referencing the one
# before it.
generate_schema() {
    seq 1 "$TABLES" | awk '{
        printf "CREATE TABLE app_%d (id bigint PRIMARY KEY, name text NOT NULL, note text, ", $1
        printf "created_at timestamptz NOT NULL DEFAULT now()"
        if ($1 > 1) printf ", prev_id bigint REFERENCES app_%d", $1 - 1
        printf ");\nCREATE INDEX ON app_%d (name);\n", $1
        printf "COMMENT ON TABLE app_%d IS '\''table %d'\'';\n", $1, $1
    }' >"$GEN/schema.sql"
}

# Writes the N migrate_define() calls.
generate_migrations() {
    local n=$1
    seq 1 "$n" | awk -v t="$TABLES" '{
        ref = ($1 - 1) % t + 1
        printf "SELECT migrate_define(%d, '\''change_%d'\'',\n", $1, $1
        printf "  up => $up$CREATE TABLE m_%d (id bigint PRIMARY KEY, v text, app_id bigint REFERENCES app_%d);", $1, ref
        printf " CREATE INDEX ON m_%d (v); CREATE INDEX ON m_%d (app_id);", $1, $1
        printf " ALTER TABLE app_%d ADD COLUMN c_%d text;$up$,\n", ref, $1
        printf "  down => $down$ALTER TABLE app_%d DROP COLUMN c_%d; DROP TABLE m_%d;$down$);\n", ref, $1, $1
    }' >"$GEN/define_$n.sql"
}

# Creates a fresh database with the schema, the extension and the N
# migrations defined.
prepare() {
    local n=$1
    DB=postgres
    bench_psql -c "DROP DATABASE IF EXISTS bench" \
        -c "CREATE DATABASE bench${SPACE:+ TABLESPACE bench_space}"
    DB=bench
    bench_psql -1 -f - <"$GEN/schema.sql"
    bench_psql -c 'CREATE EXTENSION migrate'
    bench_psql -1 -f - <"$GEN/define_$n.sql" >/dev/null
    bench_psql -c 'VACUUM ANALYZE'
}

# Prints the median of measure $2 for size $1.
result() {
    awk -v n="$1" -v m="$2" '$1 == n && $2 == m { print $3 }' "$RESULTS" | median
}

echo "Building and starting a throwaway cluster..."
migrate_ensure_packages
migrate_build "$ROOT"
migrate_start_cluster "$PORT" max_locks_per_transaction=1024 autovacuum=off
bench_tablespace
RESULTS=$GEN/results
: >"$RESULTS"

generate_schema
for n in $SIZES; do
    generate_migrations "$n"
    for round in $(seq 1 "$ROUNDS"); do
        prepare "$n"
        verify=$(time_ms bench_psql -c 'SELECT count(*) FROM migrate_verify()')
        bench_check "SELECT count(*) FROM migrate_verify() WHERE ok IS NOT TRUE" 0
        prepare "$n"
        apply=$(time_ms bench_psql -c 'SELECT count(*) FROM migrate_apply()')
        bench_check "SELECT count(*) FROM migrate_applied" "$n"
        printf 'N = %s, round %s: verify %s ms, apply %s ms\n' "$n" "$round" "$verify" "$apply"
        echo "$n verify $verify" >>"$RESULTS"
        echo "$n apply $apply" >>"$RESULTS"
    done
done
DB=postgres
bench_psql -c "DROP DATABASE IF EXISTS bench"
[ -z "$SPACE" ] || bench_psql -c "DROP TABLESPACE bench_space"

echo
echo "Medians of $ROUNDS rounds over $TABLES tables, in seconds; ratio = verify / apply."
echo
printf '%-7s %9s %9s %7s\n' N verify apply ratio
for n in $SIZES; do
    awk -v n="$n" -v v="$(result "$n" verify)" -v a="$(result "$n" apply)" 'BEGIN {
        printf "%-7d %9.3f %9.3f %6.2fx\n", n, v / 1000, a / 1000, v / a
    }'
done

set -- $SIZES
small=$1
large=${!#}
echo
echo "Growth from N = $small to N = $large (linear is $((large / small))x):"
for m in verify apply; do
    awk -v m="$m" -v s="$(result "$small" "$m")" -v l="$(result "$large" "$m")" \
        'BEGIN { printf "  %-7s %6.1fx\n", m, l / s }'
done
