#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Debian chroots with another Wireshark, for building and testing the
# plugin against it: trixie (Debian 13, Wireshark 4.4) and sid (Debian
# unstable, 4.6). Debian 12's own Wireshark (4.0) is the machine's.
#
# usage: ws-chroot.sh create SUITE       make (or update) the cached chroot
#        ws-chroot.sh run SUITE CMD...    run CMD as root in it, this checkout
#                                         mounted at its own path
#        ws-chroot.sh path SUITE          print the chroot's directory
#
# The chroot is made once with debootstrap (minbase) from the Debian mirror
# this machine's apt uses, then cached in $AMTDIAG_CHROOT_CACHE (default
# /var/cache/amtdiag/chroot); "create" only installs what its package list
# gained since. "run" mounts /proc, /dev/pts, /tmp and the checkout in a
# private mount namespace (unshare), so nothing stays mounted when CMD ends,
# whatever way it ends. Needs root, debootstrap and unshare.
set -eu

cache=${AMTDIAG_CHROOT_CACHE:-/var/cache/amtdiag/chroot}
# What the plugin's build and its tshark tests need, nothing more: the
# analyzer is built too, since -z iamt,diag is compared with it; dpkg-dev
# and file for the packages' dependencies (cpack runs dpkg-shlibdeps).
PKGS="gcc libc6-dev make cmake pkg-config libwireshark-dev libglib2.0-dev libssl-dev
libpcap-dev libjson-glib-dev libcmocka-dev tshark python3 openssl ca-certificates
zlib1g-dev libzstd-dev liblz4-dev libbrotli-dev dpkg-dev file"

die() {
    echo "ws-chroot: $*" >&2
    exit 1
}

# The Debian mirror apt uses here (deb822 "URIs:" or one-line "deb URL"),
# so the chroot comes from the archive this machine can reach.
mirror() {
    m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
        2>/dev/null | awk '
            /^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }
            /^deb / { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }')
    echo "${m:-http://deb.debian.org/debian}"
}

suite_ok() {
    case $1 in
    trixie | sid | bookworm) ;;
    *) die "unknown suite '$1' (trixie, sid or bookworm)" ;;
    esac
}

# Commands inside the chroot, as root, with a plain environment.
in_root() {
    dir=$1
    shift
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive chroot "$dir" "$@"
}

create() {
    suite=$1
    dir=$cache/$suite
    [ "$(id -u)" -eq 0 ] || die "needs root (debootstrap and chroot)"
    mkdir -p "$cache"
    # One creator at a time (make check starts one early, in the
    # background; its test then waits here for it).
    exec 9>"$cache/$suite.lock"
    flock 9
    if [ ! -f "$dir/.amtdiag-bootstrapped" ]; then
        command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install debootstrap"
        rm -rf "$dir"
        mkdir -p "$dir"
        echo "ws-chroot: debootstrap $suite from $(mirror) into $dir"
        debootstrap --variant=minbase "$suite" "$dir" "$(mirror)" >"$cache/$suite.log" 2>&1 ||
            die "debootstrap failed, see $cache/$suite.log"
        touch "$dir/.amtdiag-bootstrapped"
    fi
    want=$(echo $PKGS)
    [ "$(cat "$dir/.amtdiag-packages" 2>/dev/null)" = "$want" ] && return 0
    # sid's Release file may be past its Valid-Until on the mirror reachable
    # here; stable suites carry no such date.
    echo "ws-chroot: installing into $suite: $want"
    # shellcheck disable=SC2086
    in_root "$dir" apt-get -o Acquire::Check-Valid-Until=false -q update >>"$cache/$suite.log" 2>&1 &&
        in_root "$dir" apt-get -q install -y --no-install-recommends $want >>"$cache/$suite.log" 2>&1 ||
        die "apt-get in the $suite chroot failed, see $cache/$suite.log"
    in_root "$dir" apt-get clean
    echo "$want" >"$dir/.amtdiag-packages"
}

run() {
    suite=$1
    shift
    dir=$cache/$suite
    [ -f "$dir/.amtdiag-packages" ] || die "no $suite chroot: run '$0 create $suite' first"
    src=$(cd "$(dirname "$0")/.." && pwd)
    # shellcheck disable=SC2016
    unshare --mount --propagation private sh -eu -c '
        dir=$1 src=$2
        shift 2
        mount -t proc proc "$dir/proc"
        mount -t tmpfs tmpfs "$dir/tmp"
        mkdir -p "$dir/dev/pts" "$dir$src"
        mount -t devpts -o newinstance devpts "$dir/dev/pts" 2>/dev/null || true
        mount --bind "$src" "$dir$src"
        cd "$dir$src"
        exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
            chroot "$dir" sh -c "cd \"\$0\" && exec \"\$@\"" "$src" "$@"
    ' sh "$dir" "$src" "$@"
}

[ $# -ge 2 ] || die "usage: $0 create|run|path SUITE [CMD...]"
cmd=$1 suite=$2
shift 2
suite_ok "$suite"
case $cmd in
create) create "$suite" ;;
run) run "$suite" "$@" ;;
path) echo "$cache/$suite" ;;
*) die "unknown command '$cmd'" ;;
esac
