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

CACHE=${CACHE:-/tmp/pgapt}
SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
VERSIONS=${*:-15 17 18}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# The private apt configuration: its own sources list, lists and cache.
APTOPTS="-o Dir::Etc::sourcelist=$CACHE/sources.list -o Dir::Etc::sourceparts=-
-o Dir::State::Lists=$CACHE/lists -o Dir::Cache=$CACHE/cache
-o Dir::State::status=$CACHE/status -o APT::Get::List-Cleanup=0
-o Debug::NoLocking=1"

suite_of()
{
	case $1 in
		17) echo trixie ;;
		18) echo sid ;;
		*) return 1 ;;
	esac
}

# fetch_version NN: makes sure $CACHE/root-NN holds the unpacked headers.
fetch_version()
{
	local v=$1 suite root deb
	root=$CACHE/root-$v
	[ -f "$root/.done" ] && return 0
	suite=$(suite_of "$v") || return 1
	mkdir -p "$CACHE/lists/partial" "$CACHE/cache/archives/partial" "$CACHE/debs-$v"
	: > "$CACHE/status"
	# Each run writes the whole list, so both suites stay known.
	{
		for s in trixie sid; do
			echo "deb [signed-by=$KEYRING] http://deb.debian.org/debian $s main"
		done
	} > "$CACHE/sources.list"
	if [ ! -f "$CACHE/.updated" ]; then
		apt-get $APTOPTS update >"$CACHE/update.log" 2>&1 ||
			{ cat "$CACHE/update.log"; return 1; }
		touch "$CACHE/.updated"
	fi
	rm -rf "$root"
	mkdir -p "$root"
	(
		cd "$CACHE/debs-$v" &&
		apt-get $APTOPTS download \
			"postgresql-server-dev-$v/$suite" "libpq-dev/$suite"
	) >"$CACHE/download-$v.log" 2>&1 ||
		{ cat "$CACHE/download-$v.log"; return 1; }
	for deb in "$CACHE/debs-$v"/*.deb; do
		dpkg-deb -x "$deb" "$root" || return 1
	done
	touch "$root/.done"
}

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
# version's pg_config --cflags; for 17 and 18 Debian's pg_config is a Perl
# script that runs from the unpacked tree), less any flag this gcc does not
# know (such as 18's -Wmissing-variable-declarations before gcc 14).
cflags_of()
{
	local v=$1 flag flags
	if [ "$v" = 15 ]; then
		flags=$(pg_config --cflags)
	else
		flags=$(perl "$CACHE/root-$v/usr/bin/pg_config" --cflags) || return 1
	fi
	for flag in $flags; do
		if gcc -Werror -Wall "$flag" -E -x c /dev/null >/dev/null 2>&1; then
			printf '%s ' "$flag"
		else
			echo "(skipping $flag, unknown to $(gcc -dumpfullversion))" >&2
		fi
	done
	echo "-fPIC -Werror"
}

status=0
for v in $VERSIONS; do
	if [ "$v" != 15 ] && ! fetch_version "$v"; then
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
