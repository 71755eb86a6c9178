#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian packages of this build (cpack -G DEB): amtdiag and
# amtdiag-wireshark-plugin, the plugin's depending on the libwireshark ABI
# and Wireshark major.minor it was built against. Both are installed with
# dpkg, tshark must list the plugin from Wireshark's system plugin folder
# and amtdiag must run, then both are removed with dpkg and nothing of
# them stays.
# usage: test_packages.sh BUILD_DIR WS_MAJOR_MINOR system|private
#   system:  into the system itself (the Debian chroots the wsversions
#            tests make: nothing else runs there meanwhile);
#   private: with dpkg --root into a private folder (this machine, whose
#            Wireshark others may be running), tshark pointed at it with
#            WIRESHARK_PLUGIN_DIR. Needs root either way (skipped: 77).
set -u
build=$1 ver=$2 mode=$3
if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: dpkg -i needs root"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/check.sh"

(cd "$build" && cpack -G DEB -B "$tmp/pkg") >"$tmp/cpack.log" 2>&1
check "cpack makes the packages" 0 $?
plugin=$(ls "$tmp"/pkg/amtdiag-wireshark-plugin_*.deb 2>/dev/null)
tool=$(ls "$tmp"/pkg/amtdiag_*.deb 2>/dev/null)
check "two packages" "2" "$(ls "$tmp"/pkg/*.deb 2>/dev/null | wc -l)"
[ -n "$plugin" ] && [ -n "$tool" ] || {
    tail -20 "$tmp/cpack.log"
    finish
}

# The plugin package: for this Wireshark only.
so=$(ls /usr/lib/*/libwireshark.so.* 2>/dev/null | grep -o 'libwireshark\.so\.[0-9]*$' | head -n 1)
pkg=libwireshark${so##*.}
major=${ver%%.*} minor=${ver#*.}
check "plugin package: Depends on $pkg $ver" "yes" \
    "$(dpkg-deb -f "$plugin" Depends | grep -qF "$pkg (>= $ver), $pkg (<< $major.$((minor + 1))~)" &&
        echo yes || echo no)"
arch=$(dpkg --print-architecture)
dir=usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)/wireshark/plugins/$ver/epan
check "plugin package: the plugin in Wireshark's folder" "./$dir/amtdiag.so" \
    "$(dpkg-deb -c "$plugin" | awk '{ print $NF }' | grep 'amtdiag\.so$')"
check "plugin package: its architecture" "$arch" "$(dpkg-deb -f "$plugin" Architecture)"

if [ "$mode" = system ]; then
    root=/
    dp() { dpkg "$@"; }
    ts() { tshark "$@"; }
else
    # An empty dpkg database in a private root: the dependencies are the
    # machine's, not the root's (--force-depends).
    root=$tmp/root
    mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
    : >"$root/var/lib/dpkg/status"
    dp() { dpkg --root="$root" --log=/dev/null --force-depends --force-script-chrootless "$@"; }
    chmod -R a+rX "$tmp"
    ts() {
        setpriv --reuid=65534 --regid=65534 --clear-groups env -u XDG_CONFIG_HOME HOME="$tmp" \
            WIRESHARK_PLUGIN_DIR="$root/${dir%/"$ver"/epan}" tshark "$@"
    }
fi
dp -i "$tool" "$plugin" >"$tmp/dpkg.log" 2>&1
check "dpkg -i both" 0 $?
chmod -R a+rX "$tmp" 2>/dev/null
check "installed: tshark lists the plugin from the package's file" "${root%/}/$dir/amtdiag.so" \
    "$(ts -G plugins 2>/dev/null | awk '$1 == "amtdiag.so" { print $4 }')"
check "installed: its fields are there" yes \
    "$(ts -G fields 2>/dev/null | grep -q "	iamt.auth.outcome	" && echo yes || echo no)"
if [ "$mode" = system ]; then
    check "installed: amtdiag runs" 0 "$(amtdiag --version >/dev/null 2>&1; echo $?)"
else
    check "installed: amtdiag runs" 0 "$("$root/usr/bin/amtdiag" --version >/dev/null 2>&1; echo $?)"
fi
dp -r amtdiag-wireshark-plugin amtdiag >>"$tmp/dpkg.log" 2>&1
check "dpkg -r both" 0 $?
check "removed: no plugin file" no "$([ -e "${root%/}/$dir/amtdiag.so" ] && echo yes || echo no)"
check "removed: no amtdiag" no "$([ -e "${root%/}/usr/bin/amtdiag" ] && echo yes || echo no)"
check "removed: tshark lists no amtdiag" "" \
    "$(ts -G plugins 2>/dev/null | awk '$1 == "amtdiag.so" { print $4 }')"
[ "$failed" -eq 0 ] || tail -20 "$tmp/dpkg.log"
finish
