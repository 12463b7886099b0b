# test/bench/common.sh: what the benchmark scripts share, sourced after
# test/lib.sh: a scratch directory ($GEN), a tablespace in memory ($SPACE),
# their removal with the cluster at exit, and timing helpers.  Sets GEN and
# SPACE and an EXIT trap; $DB names the database bench_psql() runs in.

GEN=$(mktemp -d /tmp/migrate-bench-XXXXXX)
SPACE=""

# Stops the cluster and removes the work, tablespace and script directories.
bench_cleanup() {
    migrate_stop_cluster
    if [ -n "${WORK:-}" ] && [ -d "$WORK" ]; then
        migrate_as_postgres rm -rf "$WORK" 2>/dev/null || migrate_as_root rm -rf "$WORK"
    fi
    if [ -n "$SPACE" ] && [ -d "$SPACE" ]; then
        migrate_as_postgres rm -rf "$SPACE" 2>/dev/null || migrate_as_root rm -rf "$SPACE"
    fi
    rm -rf "$GEN"
}
trap bench_cleanup EXIT

# Runs psql on database $DB, quietly, stopping at the first error.  NOTICEs
# are not sent (client_min_messages), so that printing them costs nothing.
bench_psql() {
    PGOPTIONS="-c client_min_messages=warning" migrate_psql -d "$DB" -q -v ON_ERROR_STOP=1 "$@"
}

# Fails unless the query $1 returns $2 in database $DB.
bench_check() {
    local got
    got=$(bench_psql -t -A -c "$1")
    if [ "$got" != "$2" ]; then
        echo "bench: expected \"$2\" from: $1, got \"$got\"" >&2
        return 1
    fi
}

# Prints the wall-clock milliseconds a command takes, after a checkpoint so
# that no earlier run's writes are flushed during it.
time_ms() {
    local start end
    bench_psql -c 'CHECKPOINT' >/dev/null
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
}

# Prints the median of the numbers on stdin (nothing for none).
median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Unless BENCH_ON_DISK=1, creates the tablespace bench_space in /dev/shm
# (memory) in the running cluster, and says where the database files go.
bench_tablespace() {
    if [ "${BENCH_ON_DISK:-0}" != 1 ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
        SPACE=$(mktemp -d /dev/shm/migrate-bench-XXXXXX)
        migrate_as_root chown postgres:postgres "$SPACE"
        DB=postgres bench_psql -c "CREATE TABLESPACE bench_space LOCATION '$SPACE'"
        echo "Database files in $SPACE (memory)."
    else
        echo "Database files in $WORK/data."
    fi
}
