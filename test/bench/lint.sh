#!/bin/bash
# test/bench/lint.sh: how the safety lint's time grows with the size of what
# it reads.
#
# Not a test: it prints figures and fails only if a step fails or a result
# is not the one expected.  On a throwaway cluster it times:
#
#   lint      SELECT count(*) FROM migrate_lint(body), for bodies of 2,000,
#             4,000, 8,000 and 16,000 ALTER TABLE statements of one existing
#             table: columns added, made NOT NULL, retyped, given CHECK,
#             foreign key and UNIQUE constraints, constraints validated,
#             columns renamed, each statement looking up what the earlier
#             ones did.  The count of findings is checked: n / 2 + 1.
#   assured   SELECT migrate_define(..., safety_assured => a), for arrays a
#             of 25,000, 50,000 and 100,000 distinct rule ids, defining a
#             migration whose up has a finding that none of them accepts.
#             The stored array is checked to hold every id once.
#
# Times are psql's \timing of the statement (the server round trip, in
# milliseconds) in one session; the bodies and arrays are built beforehand
# in a table, so that building them is not measured.  Each size runs 3
# rounds, in turn with the other sizes; the table shows the median, and the
# ratio of each median to the one of the size before it: doubling the size
# and taking about twice the time is linear growth.
#
# Usage: bash test/bench/lint.sh [port]    (the server listens only on a
#                                           private Unix socket)
#        BENCH_SIZES="1000 2000" BENCH_ASSURED_SIZES="10000 20000" \
#        BENCH_ROUNDS=1 bash test/bench/lint.sh      (other sizes; lint
#                                                     sizes are multiples of 8)

set -eu -o pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PORT=${1:-55493}
SIZES=${BENCH_SIZES:-2000 4000 8000 16000}
ASSURED_SIZES=${BENCH_ASSURED_SIZES:-25000 50000 100000}
ROUNDS=${BENCH_ROUNDS:-3}

# shellcheck source=test/lib.sh
. "$ROOT/test/lib.sh"

# shellcheck source=test/bench/common.sh
. "$ROOT/test/bench/common.sh"

# Runs the statement $1 alone in a new session, after the settings $2, and
# sets MS to the milliseconds psql's \timing gives for it and OUT to what it
# returned.
timed() {
    local output
    output=$(printf '%s\n' "${2:-}" '\timing on' "$1" | bench_psql -t -A)
    MS=$(echo "$output" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
    OUT=$(echo "$output" | grep -v '^Time: ' || true)
}

# Prints the median of measure $2 for size $1.
result() {
    awk -v n="$1" -v m="$2" '$1 == n && $2 == m { print $3 }' "$RESULTS" | median
}

# Prints a table of the medians of measure $1 for the sizes $2..., each with
# its ratio to the size before it.
report() {
    local measure=$1 previous="" n ms
    shift
    printf '%-9s %12s %10s\n' "$measure" "median ms" "ratio"
    for n in "$@"; do
        ms=$(result "$n" "$measure")
        if [ -z "$previous" ]; then
            printf '%-9s %12.1f %10s\n' "$n" "$ms" "-"
        else
            awk -v n="$n" -v ms="$ms" -v p="$previous" \
                'BEGIN { printf "%-9s %12.1f %9.2fx\n", n, ms, ms / p }'
        fi
        previous=$ms
    done
}

for n in $SIZES; do
    if [ $((n % 8)) != 0 ]; then
        echo "bench: lint sizes must be multiples of 8, not $n" >&2
        exit 1
    fi
done

echo "Building and starting a throwaway cluster..."
migrate_ensure_packages
migrate_build "$ROOT"
migrate_start_cluster "$PORT" autovacuum=off
bench_tablespace
RESULTS=$GEN/results
: >"$RESULTS"

DB=postgres
bench_psql -c "DROP DATABASE IF EXISTS bench" \
    -c "CREATE DATABASE bench${SPACE:+ TABLESPACE bench_space}"
DB=bench
bench_psql <<'SQL'
CREATE EXTENSION migrate;
CREATE SCHEMA bench;
CREATE TABLE bench.p (id bigint PRIMARY KEY);
CREATE TABLE bench.t (id bigint PRIMARY KEY, v text);
-- Statement s of a body: the k-th of group g, 8 statements to a group.
CREATE FUNCTION bench.alter_statement(s integer) RETURNS text LANGUAGE sql AS $$
    SELECT CASE (s - 1) % 8 + 1
        WHEN 1 THEN format('ALTER TABLE bench.t ADD COLUMN c_%s bigint;', g)
        WHEN 2 THEN format('ALTER TABLE bench.t ALTER COLUMN c_%s SET NOT NULL;', g)
        WHEN 3 THEN format('ALTER TABLE bench.t ALTER COLUMN c_%s TYPE numeric;', g)
        WHEN 4 THEN format('ALTER TABLE bench.t ADD CONSTRAINT k_%s CHECK (c_%s > 0) NOT VALID;', g, g)
        WHEN 5 THEN format('ALTER TABLE bench.t VALIDATE CONSTRAINT k_%s;', g)
        WHEN 6 THEN format('ALTER TABLE bench.t ADD CONSTRAINT f_%s FOREIGN KEY (c_%s) REFERENCES bench.p NOT VALID;', g, g)
        WHEN 7 THEN CASE WHEN g % 2 = 0
                         THEN format('ALTER TABLE bench.t ADD CONSTRAINT u_%s UNIQUE (c_%s);', g, g)
                         ELSE format('ALTER TABLE bench.t ALTER COLUMN c_%s SET DEFAULT 0;', g) END
        ELSE format('ALTER TABLE bench.t RENAME COLUMN c_%s TO d_%s;', g, g)
    END
    FROM (SELECT (s - 1) / 8 + 1 AS g) AS grp
$$;
CREATE TABLE bench.bodies (n integer PRIMARY KEY, body text NOT NULL);
CREATE TABLE bench.arrays (n integer PRIMARY KEY, rules text[] NOT NULL);
SQL
for n in $SIZES; do
    bench_psql -c "INSERT INTO bench.bodies
        SELECT $n, string_agg(bench.alter_statement(s), E'\n' ORDER BY s)
          FROM generate_series(1, $n) AS s"
done
for n in $ASSURED_SIZES; do
    bench_psql -c "INSERT INTO bench.arrays
        SELECT $n, array_agg('rule-' || g ORDER BY g) FROM generate_series(1, $n) AS g"
done

started=$(date +%s)
version=0
for round in $(seq 1 "$ROUNDS"); do
    for n in $SIZES; do
        timed "SELECT count(*) FROM migrate_lint((SELECT body FROM bench.bodies WHERE n = $n));"
        if [ "$OUT" != $((n / 2 + 1)) ]; then
            echo "bench: expected $((n / 2 + 1)) findings for $n statements, got \"$OUT\"" >&2
            exit 1
        fi
        echo "$n lint $MS" >>"$RESULTS"
        printf 'round %s: lint of %s statements: %s ms  (%s s so far)\n' \
            "$round" "$n" "$MS" "$(($(date +%s) - started))"
    done
    for n in $ASSURED_SIZES; do
        version=$((version + 1))
        # its finding is shown as a WARNING: not sent
        timed "SELECT count(*) FROM migrate_define($version, 'assured_$n',
            up => 'CREATE INDEX t_v_$version ON bench.t (v);',
            down => 'DROP INDEX bench.t_v_$version;',
            safety_assured => (SELECT rules FROM bench.arrays WHERE n = $n));" \
            "SET client_min_messages = error;"
        bench_check "SELECT cardinality(safety_assured), cardinality(ARRAY(SELECT DISTINCT unnest(safety_assured)))
                 FROM migrate_migrations WHERE version = $version" "$n|$n"
        bench_check "SELECT rule FROM migrate_findings WHERE version = $version" \
            require-concurrent-index-creation
        echo "$n assured $MS" >>"$RESULTS"
        printf 'round %s: define with %s assured rules: %s ms  (%s s so far)\n' \
            "$round" "$n" "$MS" "$(($(date +%s) - started))"
    done
done
DB=postgres
bench_psql -c "DROP DATABASE IF EXISTS bench"
[ -z "$SPACE" ] || bench_psql -c "DROP TABLESPACE bench_space"

echo
echo "Medians of $ROUNDS rounds; ratio = median / median of the size before (linear: 2.0x"
echo "for twice the size)."
echo
# shellcheck disable=SC2086
report lint $SIZES
echo
# shellcheck disable=SC2086
report assured $ASSURED_SIZES
echo
echo "Total benchmark time: $(($(date +%s) - started)) s"
