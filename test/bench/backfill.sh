#!/bin/bash
# test/bench/backfill.sh: how fast CALL migrate_backfill() updates a table,
# compared with one UPDATE of the same rows and with an OFFSET-paged loop.
#
# Not a test: it prints figures and fails only if a step fails or a run
# leaves a row not updated exactly once.  For tables of 100,000 and
# 1,000,000 rows (id bigint primary key, counter integer, filled text, all
# rows to fill) it times, on a throwaway cluster, filling every row with
# filled = md5(id::text), counter = counter + 1 by:
#
#   update      one UPDATE t SET ... WHERE filled IS NULL: the physical limit
#   backfill B  CALL migrate_backfill('t', ..., 'filled IS NULL', B)
#   offset B    a DO block that updates page after page, each page
#               SELECT id FROM t ORDER BY id OFFSET n LIMIT B, committing
#               after each: the usual hand-written loop
#
# for batch sizes B = 1,000, 10,000 and 50,000.  The table is created afresh
# (and vacuumed, analyzed and checkpointed) before every run, so that each
# run does the same work on the same table, with no bloat from the runs
# before it.  Each size runs 3 rounds; within a round the variants run one
# after the other, in an order that is rotated from round to round; the
# tables show the median of the 3 rounds.
#
# The OFFSET loop reads all the rows before its page again for every page,
# so its time grows with the square of the table; it is skipped where it
# would read more than BENCH_OFFSET_MAX_PAGES pages (default 200: at
# 1,000,000 rows with B = 1,000 it would take several minutes per run).
#
# The database's files go to a tablespace in /dev/shm (memory), so that the
# figures do not depend on the disk; BENCH_ON_DISK=1 keeps them in the data
# directory under /tmp.
#
# Usage: bash test/bench/backfill.sh [port]   (the server listens only on a
#                                              private Unix socket)
#        BENCH_SIZES="10000 100000" BENCH_BATCH_SIZES="1000 10000" \
#        BENCH_ROUNDS=1 bash test/bench/backfill.sh     (other sizes)

set -eu -o pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PORT=${1:-55492}
SIZES=${BENCH_SIZES:-100000 1000000}
BATCHES=${BENCH_BATCH_SIZES:-1000 10000 50000}
ROUNDS=${BENCH_ROUNDS:-3}
OFFSET_MAX_PAGES=${BENCH_OFFSET_MAX_PAGES:-200}
SET_CLAUSE='filled = md5(id::text), counter = counter + 1'

# shellcheck source=test/lib.sh
. "$ROOT/test/lib.sh"

# shellcheck source=test/bench/common.sh
. "$ROOT/test/bench/common.sh"





# Creates the table t afresh with $1 rows, none filled: the rows first, then
# the primary key, in the transaction that creates the table; then vacuums
# (setting the visibility map, as on a table at rest) and analyzes it.  The
# runs' records in migrate_backfills go too.
reset_table() {
    bench_psql -v n="$1" <<'EOF'
DROP TABLE IF EXISTS t;
DELETE FROM migrate_backfills;
BEGIN;
CREATE TABLE t (id bigint NOT NULL, counter integer NOT NULL DEFAULT 0, filled text);
INSERT INTO t (id) SELECT g FROM generate_series(1, :n) g;
ALTER TABLE t ADD PRIMARY KEY (id);
COMMIT;
VACUUM ANALYZE t;
EOF
}

# The OFFSET-paged loop with pages of $1 rows, as a DO block that commits
# after each page: each page selects its keys by ORDER BY id OFFSET n LIMIT
# B and updates them as the backfill's batch query does (= ANY of an array,
# the same condition); it stops at the first page that is not full.
offset_loop() {
    cat <<EOF
DO \$\$
DECLARE
    page_start bigint := 0;
    updated bigint;
BEGIN
    LOOP
        UPDATE t SET $SET_CLAUSE
         WHERE id = ANY (ARRAY(SELECT id FROM t ORDER BY id OFFSET page_start LIMIT $1))
           AND filled IS NULL;
        GET DIAGNOSTICS updated = ROW_COUNT;
        COMMIT;
        EXIT WHEN updated < $1;
        page_start := page_start + $1;
    END LOOP;
END
\$\$;
EOF
}

# Runs variant $2 (update, backfill:B or offset:B) on a fresh table of $1
# rows, checks that it updated every row exactly once, and appends its time
# to this round's results.
run_variant() {
    local n=$1 variant=$2 b=${2#*:} ms
    reset_table "$n"
    case $variant in
    update)
        ms=$(time_ms bench_psql -c "UPDATE t SET $SET_CLAUSE WHERE filled IS NULL")
        ;;
    backfill:*)
        ms=$(time_ms bench_psql -c "CALL migrate_backfill('t', '$SET_CLAUSE', 'filled IS NULL', $b)")
        bench_check "SELECT rows_done || ' ' || (finished_at IS NOT NULL) FROM migrate_backfills" "$n true"
        ;;
    offset:*)
        offset_loop "$b" >"$GEN/offset.sql"
        ms=$(time_ms bench_psql -f - <"$GEN/offset.sql")
        ;;
    esac
    bench_check "SELECT count(*) FILTER (WHERE counter = 1 AND filled = md5(id::text)) || ' ' || count(*) FROM t" "$n $n"
    echo "$n $variant $ms" >>"$GEN/round"
}

# Whether the OFFSET loop runs for $1 rows in pages of $2.
offset_runs() {
    [ $(($1 / $2)) -le "$OFFSET_MAX_PAGES" ]
}

# Prints the median of variant $2's milliseconds for size $1.
result() {
    awk -v n="$1" -v m="$2" '$1 == n && $2 == m { print $3 }' "$RESULTS" | median
}

echo "Building and starting a throwaway cluster..."
migrate_ensure_packages
migrate_build "$ROOT"
# Autovacuum is off so that it does not run during a measurement; the
# table is vacuumed when it is created.  Enough WAL and buffers that no
# checkpoint starts during a run and the table stays in memory; wal_level
# minimal only spares creating the table its WAL (the updates log the same).
migrate_start_cluster "$PORT" autovacuum=off shared_buffers=512MB max_wal_size=8GB \
    checkpoint_timeout=1h wal_level=minimal max_wal_senders=0
DB=postgres
bench_tablespace
bench_psql -c "CREATE DATABASE bench${SPACE:+ TABLESPACE bench_space}"
DB=bench
bench_psql -c 'CREATE EXTENSION migrate'
RESULTS=$GEN/results
: >"$RESULTS"

# The variants, in their order of the first round.
variants=(update)
for b in $BATCHES; do
    variants+=("backfill:$b" "offset:$b")
done

started=$(date +%s)
for n in $SIZES; do
    for round in $(seq 1 "$ROUNDS"); do
        : >"$GEN/round"
        # Rotate the order by a third of the variants each round, so that
        # each variant runs early in one round and late in another.
        count=${#variants[@]}
        shift_by=$(((round - 1) * ((count + 2) / 3) % count))
        for i in $(seq 0 $((count - 1))); do
            variant=${variants[$(((i + shift_by) % count))]}
            if [[ $variant == offset:* ]] && ! offset_runs "$n" "${variant#*:}"; then
                continue
            fi
            run_variant "$n" "$variant"
        done
        printf 'rows = %s, round %s (ms): %s  (%s s so far)\n' "$n" "$round" \
            "$(awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $3 }' "$GEN/round")" \
            "$(($(date +%s) - started))"
        cat "$GEN/round" >>"$RESULTS"
    done
done

# The table: medians of the rounds.
echo
echo "Medians of $ROUNDS rounds: seconds, and rows per second.  \"vs UPDATE\" is the variant's"
echo "rows/s over the single UPDATE's (1.00x: as fast); \"backfill/OFFSET\" the backfill's rows/s"
echo "over the OFFSET loop's at the same batch size."
echo
printf '%-8s %6s | %8s %8s | %8s %8s %9s | %8s %8s %9s | %15s\n' \
    rows batch "UPDATE s" "rows/s" "backfill" "rows/s" "vs UPDATE" "OFFSET" "rows/s" "vs UPDATE" "backfill/OFFSET"
for n in $SIZES; do
    u=$(result "$n" update)
    for b in $BATCHES; do
        f=$(result "$n" "backfill:$b")
        o=$(result "$n" "offset:$b")
        awk -v n="$n" -v b="$b" -v u="$u" -v f="$f" -v o="$o" 'BEGIN {
            printf "%-8d %6d | %8.3f %8.0f | %8.3f %8.0f %8.2fx", n, b, u / 1000, n / (u / 1000),
                f / 1000, n / (f / 1000), u / f
            if (o == "")
                printf " | %8s %8s %9s | %15s\n", "skipped", "", "", ""
            else
                printf " | %8.3f %8.0f %8.2fx | %14.2fx\n", o / 1000, n / (o / 1000), u / o, o / f
        }'
    done
done

# shellcheck disable=SC2086  # the sizes, one word each
set -- $SIZES
small=$1
large=${!#}
if [ "$small" != "$large" ]; then
    echo
    echo "Growth from $small to $large rows (time at $large / time at $small; linear is $((large / small))x):"
    for m in update $(for b in $BATCHES; do echo "backfill:$b offset:$b"; done); do
        s=$(result "$small" "$m")
        l=$(result "$large" "$m")
        if [ -n "$s" ] && [ -n "$l" ]; then
            awk -v m="$m" -v s="$s" -v l="$l" 'BEGIN { printf "  %-15s %6.1fx\n", m, l / s }'
        else
            printf '  %-15s %7s\n' "$m" "skipped"
        fi
    done
fi
echo
echo "Target: backfill >= 0.7x the single UPDATE at 10,000 rows per batch, linear growth."
echo "Total benchmark time: $(($(date +%s) - started)) s"

DB=postgres
bench_psql -c "DROP DATABASE bench"
[ -z "$SPACE" ] || bench_psql -c "DROP TABLESPACE bench_space"
