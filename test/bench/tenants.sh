#!/bin/bash
# test/bench/tenants.sh: a deploy to many tenant schemas, compared with psql
# doing the same.
#
# Not a test: it prints figures and fails only if a step fails.  Ten
# migrations of a set (two tables, an index, columns, a foreign key added
# NOT VALID and validated, data written and changed) are deployed to N
# tenant schemas, each in a fresh database, by:
#
#   migrate   CALL migrate_deploy(set => 'tenant', schemas => ARRAY[...N])
#   psql      one script, per schema and migration: BEGIN; SET LOCAL
#             search_path; the migration's SQL; COMMIT
#
# both in one session, each migration in its own transaction, and prints
# the ratio migrate / psql for N = 100 and 1,000 (medians of the rounds),
# with the growth from the smaller N to the larger (linear: 10x).  It then
# times the status of every schema (N x 10 rows) in one query,
# migrate_status_schemas(), as the first query of a new session (caches
# cold), the time psql's \timing reports.
#
# Usage: bash test/bench/tenants.sh [port]
#        BENCH_SIZES="100 1000" BENCH_ROUNDS=3 bash test/bench/tenants.sh

set -eu -o pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PORT=${1:-55495}
SIZES=${BENCH_SIZES:-100 1000}
ROUNDS=${BENCH_ROUNDS:-3}

. "$ROOT/test/lib.sh"

# shellcheck source=test/bench/common.sh
. "$ROOT/test/bench/common.sh"

# The ten migrations, one per line: version, then the up body.  Names are
# unqualified: they resolve in the tenant's schema.
MIGRATIONS=$(cat <<'SQL'
1|CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);
2|CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint, total numeric);
3|CREATE INDEX orders_account_idx ON orders (account_id);
4|ALTER TABLE accounts ADD COLUMN name text;
5|ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;
6|ALTER TABLE orders VALIDATE CONSTRAINT orders_account_fk;
7|INSERT INTO accounts (id, email) SELECT i, 'user' || i || '@example.com' FROM generate_series(1, 20) i;
8|ALTER TABLE orders ADD COLUMN status text DEFAULT 'new';
9|UPDATE accounts SET name = split_part(email, '@', 1);
10|CREATE TABLE audit (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz DEFAULT now());
SQL
)

# Writes the migrate_define() calls of the set.  The index on a table an
# earlier migration created is accepted: the table is empty here.
generate_definitions() {
    echo "$MIGRATIONS" | while IFS='|' read -r version body; do
        printf "SELECT migrate_define(%d, 'step_%d', \$b\$%s\$b\$, set => 'tenant',\n" \
            "$version" "$version" "$body"
        printf "    safety_assured => '{require-concurrent-index-creation}');\n"
    done >"$GEN/define.sql"
}

# Writes the schemas' creation and psql's script for N schemas.
generate_tenants() {
    local n=$1 i
    seq 1 "$n" | awk '{ printf "CREATE SCHEMA t%d;\n", $1 }' >"$GEN/schemas_$n.sql"
    : >"$GEN/psql_$n.sql"
    for i in $(seq 1 "$n"); do
        echo "$MIGRATIONS" | while IFS='|' read -r version body; do
            printf 'BEGIN;\nSET LOCAL search_path = t%d;\n%s\nCOMMIT;\n' "$i" "$body"
        done
    done >>"$GEN/psql_$n.sql"
    seq 1 "$n" | awk 'BEGIN { printf "ARRAY[" } { printf "%s'\''t%d'\''", (NR > 1 ? ", " : ""), $1 }
                      END { print "]" }' >"$GEN/array_$n.sql"
}

# Creates a fresh database with N empty schemas and the set defined.
prepare() {
    local n=$1
    DB=postgres
    bench_psql -c "DROP DATABASE IF EXISTS bench" \
        -c "CREATE DATABASE bench${SPACE:+ TABLESPACE bench_space}"
    DB=bench
    bench_psql -c 'CREATE EXTENSION migrate'
    bench_psql -1 -f - <"$GEN/schemas_$n.sql"
    bench_psql -1 -f - <"$GEN/define.sql" >/dev/null
    bench_psql -c 'VACUUM ANALYZE'
}

# Runs psql's script for N schemas.
run_psql_script() {
    bench_psql -f - <"$GEN/psql_$1.sql"
}

# Prints, in whole milliseconds, the time psql reports for query $1 run as
# the first query of a new session.
first_query_ms() {
    bench_psql -c '\timing on' -c "$1" | awk '/^Time:/ { printf "%d\n", $2 }'
}

# Prints the median of measure $2 for size $1.
result() {
    awk -v n="$1" -v m="$2" '$1 == n && $2 == m { print $3 }' "$RESULTS" | median
}

echo "Building and starting a throwaway cluster..."
migrate_ensure_packages
migrate_build "$ROOT"
migrate_start_cluster "$PORT" autovacuum=off
bench_tablespace
RESULTS=$GEN/results
: >"$RESULTS"

generate_definitions
for n in $SIZES; do
    generate_tenants "$n"
    schemas=$(cat "$GEN/array_$n.sql")
    for round in $(seq 1 "$ROUNDS"); do
        prepare "$n"
        migrate=$(time_ms bench_psql -c "CALL migrate_deploy(set => 'tenant', schemas => $schemas)")
        bench_check "SELECT count(*) FROM migrate_applied WHERE set = 'tenant'" "$((n * 10))"
        bench_check "SELECT count(*) FROM t$n.accounts WHERE name IS NOT NULL" 20
        status=$(first_query_ms "SELECT count(*) FROM migrate_status_schemas('tenant', $schemas)")
        bench_check "SELECT count(*) FROM migrate_status_schemas('tenant', $schemas)
                      WHERE state = 'applied'" "$((n * 10))"
        prepare "$n"
        psql=$(time_ms run_psql_script "$n")
        bench_check "SELECT count(*) FROM t$n.accounts WHERE name IS NOT NULL" 20
        printf 'N = %s, round %s: migrate %s ms, psql %s ms, status %s ms\n' \
            "$n" "$round" "$migrate" "$psql" "$status"
        echo "$n migrate $migrate" >>"$RESULTS"
        echo "$n psql $psql" >>"$RESULTS"
        echo "$n status $status" >>"$RESULTS"
    done
done
DB=postgres
bench_psql -c "DROP DATABASE IF EXISTS bench"
[ -z "$SPACE" ] || bench_psql -c "DROP TABLESPACE bench_space"

echo
echo "Medians of $ROUNDS rounds, 10 migrations per schema, in seconds; ratio = migrate / psql."
echo
printf '%-7s %9s %9s %7s %11s\n' schemas migrate psql ratio "status (ms)"
for n in $SIZES; do
    awk -v n="$n" -v m="$(result "$n" migrate)" -v p="$(result "$n" psql)" \
        -v s="$(result "$n" status)" 'BEGIN {
        printf "%-7d %9.3f %9.3f %6.2fx %11d\n", n, m / 1000, p / 1000, m / p, s
    }'
done

set -- $SIZES
small=$1
large=${!#}
echo
echo "Growth from $small to $large schemas (linear is $((large / small))x):"
for m in migrate psql; do
    awk -v m="$m" -v s="$(result "$small" "$m")" -v l="$(result "$large" "$m")" \
        'BEGIN { printf "  %-7s %6.1fx\n", m, l / s }'
done
