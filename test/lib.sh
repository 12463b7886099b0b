# test/lib.sh: shared helpers for test/run.sh, test/demo.sh and the benchmarks.
#
# They install what is missing, build the extension into a private install
# tree (a DESTDIR install plus a copy of the server binaries, which find the
# tree's share and lib directories relative to themselves), and run a
# throwaway cluster as the postgres OS user with its data directory and
# socket under a work directory in /tmp.  Nothing is written into /usr except
# by apt-get.
#
# Source this file; it defines functions and sets nothing else.

PG_MAJOR=15
PG_SYSTEM_BIN=/usr/lib/postgresql/$PG_MAJOR/bin

# Runs a command as root (directly, or through sudo).
migrate_as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    else
        sudo "$@"
    fi
}

# Runs a command as the postgres OS user, which owns the work directory,
# from / (the caller's directory may be one postgres cannot enter).
migrate_as_postgres() {
    if [ "$(id -un)" = postgres ]; then
        "$@"
    elif [ "$(id -u)" = 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && sudo -u postgres -- "$@")
    fi
}

# Installs the Debian packages the build and the tests need, if missing.
migrate_ensure_packages() {
    local missing="" pkg
    for pkg in postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR libipc-run-perl make gcc gdb; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing="$missing $pkg"
    done
    if [ -n "$missing" ]; then
        echo "Installing:$missing"
        migrate_as_root apt-get update -qq
        migrate_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    fi
}

# Creates a fresh work directory owned by postgres, copies the source tree
# ($1) into $WORK/src, builds it there with warnings as errors and installs
# it into the private tree $WORK/inst.  Sets WORK, SRC, INST and PGBIN.
migrate_build() {
    local source_dir=$1
    WORK=$(mktemp -d /tmp/migrate-XXXXXX)
    SRC=$WORK/src
    INST=$WORK/inst
    PGBIN=$INST$PG_SYSTEM_BIN
    mkdir -p "$SRC"
    (cd "$source_dir" && tar --exclude=.git --exclude='*.o' --exclude='*.so' \
        --exclude=results --exclude=output_iso --exclude=tmp_check -cf - .) | (cd "$SRC" && tar -xf -)
    chmod 755 "$WORK"
    chown -R postgres:postgres "$WORK" 2>/dev/null || migrate_as_root chown -R postgres:postgres "$WORK"

    # The logs are written by postgres, which owns the work directory.
    if ! migrate_as_postgres sh -c 'make -C "$1" -s with_llvm=no COPT=-Werror >"$2" 2>&1' \
        sh "$SRC" "$WORK/build.log"; then
        cat "$WORK/build.log"
        echo "build failed"
        return 1
    fi
    if grep -q 'warning:' "$WORK/build.log"; then
        cat "$WORK/build.log"
        echo "build printed warnings"
        return 1
    fi
    migrate_as_postgres sh -c 'make -C "$1" -s with_llvm=no DESTDIR="$2" install >>"$3" 2>&1' \
        sh "$SRC" "$INST" "$WORK/build.log" || {
        cat "$WORK/build.log"
        echo "install failed"
        return 1
    }

    # The server binaries, copied (not linked) so that they find the private
    # share and lib directories; the system's libraries and shared files are
    # linked in beside ours.
    migrate_as_postgres mkdir -p "$PGBIN"
    migrate_as_postgres cp -a "$PG_SYSTEM_BIN/." "$PGBIN/"
    migrate_as_postgres sh -c '
        for d in "$1/usr/lib/postgresql/'$PG_MAJOR'/lib" "$1/usr/share/postgresql/'$PG_MAJOR'" "$1/usr/share/postgresql/'$PG_MAJOR'/extension"; do
            mkdir -p "$d"
        done
        for f in /usr/lib/postgresql/'$PG_MAJOR'/lib/*; do
            [ -e "$1/usr/lib/postgresql/'$PG_MAJOR'/lib/${f##*/}" ] || ln -s "$f" "$1/usr/lib/postgresql/'$PG_MAJOR'/lib/"
        done
        for f in /usr/share/postgresql/'$PG_MAJOR'/*; do
            [ -e "$1/usr/share/postgresql/'$PG_MAJOR'/${f##*/}" ] || ln -s "$f" "$1/usr/share/postgresql/'$PG_MAJOR'/"
        done
        for f in /usr/share/postgresql/'$PG_MAJOR'/extension/*; do
            [ -e "$1/usr/share/postgresql/'$PG_MAJOR'/extension/${f##*/}" ] || ln -s "$f" "$1/usr/share/postgresql/'$PG_MAJOR'/extension/"
        done' sh "$INST"
}

# Starts a cluster in $WORK/data listening only on a socket in $WORK/sock
# at port $1; further arguments are extra "name=value" settings.  Sets PGPORT
# and PGHOST for the caller.
migrate_start_cluster() {
    local port=$1
    shift
    PGPORT=$port
    PGHOST=$WORK/sock
    export PGPORT PGHOST
    migrate_as_postgres mkdir -p "$WORK/sock"
    migrate_as_postgres sh -c '"$1" -D "$2" -U postgres --auth=trust --no-sync -E UTF8 --locale=C >"$3" 2>&1' \
        sh "$PGBIN/initdb" "$WORK/data" "$WORK/initdb.log" || {
        cat "$WORK/initdb.log"
        return 1
    }
    {
        echo "listen_addresses = ''"
        echo "port = $port"
        echo "unix_socket_directories = '$WORK/sock'"
        echo "fsync = off"
        echo "max_prepared_transactions = 2"
        for setting in "$@"; do
            echo "$setting"
        done
    } | migrate_as_postgres tee -a "$WORK/data/postgresql.conf" >/dev/null
    migrate_as_postgres "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w -t 60 start >/dev/null || {
        cat "$WORK/server.log"
        return 1
    }
}

# Stops the cluster started by migrate_start_cluster.
migrate_stop_cluster() {
    [ -n "${WORK:-}" ] && [ -d "$WORK/data" ] &&
        migrate_as_postgres "$PGBIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null 2>&1
    return 0
}

# Runs psql as postgres against the private cluster.
migrate_psql() {
    migrate_as_postgres env PGHOST="$PGHOST" PGPORT="$PGPORT" "$PGBIN/psql" -X -U postgres "$@"
}
