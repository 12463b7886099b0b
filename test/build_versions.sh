#!/bin/bash
# build_versions.sh [VERSION...]: compile-checks every src/*.c of the
# extension against the server headers of PostgreSQL 15, 17 and 18 (or the
# versions named), with warnings as errors, and prints OK or FAILED and the
# errors per version.
#
# 15 uses the headers of the installed postgresql-server-dev-15.  For 17 and
# 18 it downloads Debian's postgresql-server-dev-NN (17 from trixie, 18 from
# sid) and libpq-dev through a private apt configuration under $CACHE
# (default /tmp/pgapt), never the machine's own, and unpacks them there with
# dpkg-deb -x: nothing is installed system-wide, and a second run, finding
# the unpacked trees, needs no network.  The compiler flags are each
# version's pg_config --cflags, as PGXS uses them.
set -u

SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
VERSIONS=${*:-15 17 18}
# The fetching is test/lib.sh's, shared with test/run.sh (same cache).
MIGRATE_PG_CACHE=${CACHE:-${MIGRATE_PG_CACHE:-/tmp/pgapt}}
# shellcheck source=test/lib.sh
. "$SRCDIR/test/lib.sh"
CACHE=$MIGRATE_PG_CACHE

# includes_of NN: the -I flags for version NN's headers.
includes_of()
{
	local v=$1 root
	if [ "$v" = 15 ]; then
		echo "-I$(pg_config --includedir-server) -I$(pg_config --includedir)"
		return 0
	fi
	root=$CACHE/root-$v
	echo "-I$root/usr/include/postgresql/$v/server -I$root/usr/include/postgresql"
}

# cflags_of NN: the compiler flags PGXS uses for version NN (that
# version's pg_config --cflags, less the flags this gcc does not know, such
# as 18's -Wmissing-variable-declarations before gcc 14).
cflags_of()
{
	local v=$1 flag
	if [ "$v" = 15 ]; then
		for flag in $(pg_config --cflags); do
			if gcc -Werror -Wall "$flag" -E -x c /dev/null >/dev/null 2>&1; then
				printf '%s ' "$flag"
			fi
		done
	else
		migrate_cflags_of "$v"
	fi
	echo "-fPIC -Werror"
}

status=0
for v in $VERSIONS; do
	if [ "$v" != 15 ] && ! migrate_fetch_headers "$v"; then
		echo "PostgreSQL $v: FAILED (could not fetch its headers)"
		status=1
		continue
	fi
	inc=$(includes_of "$v")
	CFLAGS=$(cflags_of "$v")
	out=$(mktemp -d)
	log=$out/errors
	: > "$log"
	for f in "$SRCDIR"/src/*.c; do
		gcc $CFLAGS -I"$SRCDIR/src" $inc -D_GNU_SOURCE \
			-c "$f" -o "$out/$(basename "$f" .c).o" >>"$log" 2>&1
	done
	if [ -s "$log" ]; then
		echo "PostgreSQL $v: FAILED"
		cat "$log"
		status=1
	else
		echo "PostgreSQL $v: OK"
	fi
	rm -rf "$out"
done
exit $status
