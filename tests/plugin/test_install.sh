#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Installing the plugin from source, as INSTALL says:
# - a plugin-only build (-DAMTDIAG_PLUGIN_ONLY=ON) configures without the
#   analyzer's and the tests' dependencies and builds lib + plugin; it finds
#   Wireshark through a WiresharkConfig.cmake (as a Wireshark built from
#   source installs one; Debian ships none, so the test writes one in
#   upstream's form over the system's libwireshark) before pkg-config;
# - cmake --install --prefix P puts the plugin below P in Wireshark's
#   plugin layout, DESTDIR stages it (and records nothing), and
#   AMTDIAG_PLUGIN_PERSONAL=ON puts it in the personal folder of the
#   Wireshark version it was built for, where tshark loads it;
# - the uninstall target removes what was installed, keeps a file changed
#   since, and never touches a file it did not install.
# usage: test_install.sh SOURCE_DIR WS_MAJOR_MINOR
set -u
src=$1 ver=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/check.sh"

# Upstream's WiresharkConfig.cmake, in short: version, plugin folder
# relative to the prefix, and the imported target epan.
libdir=$(pkg-config --variable=libdir wireshark)
mkdir -p "$tmp/wsconfig"
cat >"$tmp/wsconfig/WiresharkConfig.cmake" <<EOF
set(Wireshark_VERSION "$(pkg-config --modversion wireshark)")
set(Wireshark_INSTALL_PREFIX "/usr")
set(Wireshark_PLUGIN_INSTALL_DIR "lib/wireshark/plugins/$ver")
add_library(epan SHARED IMPORTED)
set_target_properties(epan PROPERTIES IMPORTED_LOCATION "$libdir/libwireshark.so"
    INTERFACE_INCLUDE_DIRECTORIES "$(pkg-config --variable=includedir wireshark)/wireshark;$(pkg-config --cflags-only-I glib-2.0 | sed 's/-I//g; s/ *$//; s/ /;/g')"
    INTERFACE_LINK_LIBRARIES "$libdir/libwsutil.so;$(pkg-config --libs glib-2.0 | sed 's/ *$//; s/ /;/g')")
EOF
b=$tmp/build
cmake -S "$src" -B "$b" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAMTDIAG_WERROR=ON \
    -DAMTDIAG_PLUGIN_ONLY=ON -DWireshark_DIR="$tmp/wsconfig" >"$tmp/configure.log" 2>&1
check "plugin-only build configures" 0 $?
check "... with Wireshark from WiresharkConfig.cmake" 1 "$(grep -c 'Wireshark .*(WiresharkConfig.cmake' "$tmp/configure.log")"
check "... and without the analyzer's or the tests' libraries" "" \
    "$(grep -E '^(PCAP|JSONGLIB|CMOCKA|ZLIB|ZSTD|LZ4)_FOUND:' "$b/CMakeCache.txt")"
cmake --build "$b" -j 2 >"$tmp/build.log" 2>&1
check "plugin-only build builds" 0 $?
check "... the plugin and nothing of the analyzer" "yes no" \
    "$([ -f "$b/plugins/$ver/epan/amtdiag.so" ] && echo yes || echo no) $([ -e "$b/analyzer" ] && echo yes || echo no)"
check "... with upstream's plugin folder" "lib/wireshark/plugins/$ver/epan" \
    "$(sed -n 's/^AMTDIAG_PLUGIN_INSTALL_DIR:PATH=//p' "$b/CMakeCache.txt")"

# --prefix, then DESTDIR.
cmake --install "$b" --prefix "$tmp/p1" >/dev/null
check "--prefix: the plugin below the prefix" yes \
    "$([ -f "$tmp/p1/lib/wireshark/plugins/$ver/epan/amtdiag.so" ] && echo yes || echo no)"
DESTDIR="$tmp/stage" cmake --install "$b" --prefix /usr >/dev/null
check "DESTDIR: staged below it" yes \
    "$([ -f "$tmp/stage/usr/lib/wireshark/plugins/$ver/epan/amtdiag.so" ] && echo yes || echo no)"
check "the record: one install, the staged one not recorded" 1 "$(wc -l <"$b/install_record.txt")"

# The personal folder, and tshark loads the plugin from there.
home=$tmp/home
mkdir -p "$home"
HOME=$home cmake -S "$src" -B "$b" -DAMTDIAG_PLUGIN_PERSONAL=ON \
    -UAMTDIAG_PLUGIN_INSTALL_DIR >/dev/null 2>&1
HOME=$home cmake --install "$b" >/dev/null
so=$home/.local/lib/wireshark/plugins/$ver/epan/amtdiag.so
check "AMTDIAG_PLUGIN_PERSONAL: the personal folder of Wireshark $ver" yes \
    "$([ -f "$so" ] && echo yes || echo no)"
chmod -R a+rX "$tmp"
as_user=
[ "$(id -u)" -eq 0 ] && as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
check "tshark loads it from there" "dissector" \
    "$($as_user env -u XDG_CONFIG_HOME HOME="$home" tshark -G plugins 2>/dev/null |
        awk -v p="$so" '$1 == "amtdiag.so" && $4 == p { print $3 }')"

# Uninstall: a foreign file in the same folder stays; a file changed since
# the install stays; the rest goes, and so does the record.
other=$tmp/p1/lib/wireshark/plugins/$ver/epan/other.so
echo "not ours" >"$other"
echo "changed" >>"$so"
cmake --build "$b" --target uninstall >"$tmp/uninstall.log" 2>&1
check "uninstall: the unchanged install removed" no \
    "$([ -e "$tmp/p1/lib/wireshark/plugins/$ver/epan/amtdiag.so" ] && echo yes || echo no)"
check "uninstall: a file it did not install kept" yes "$([ -f "$other" ] && echo yes || echo no)"
check "uninstall: a file changed since kept, and said so" "yes 1" \
    "$([ -f "$so" ] && echo yes || echo no) $(grep -c "Kept: $so" "$tmp/uninstall.log")"
check "uninstall: the staged copy untouched" yes \
    "$([ -f "$tmp/stage/usr/lib/wireshark/plugins/$ver/epan/amtdiag.so" ] && echo yes || echo no)"
check "uninstall: the record gone" no "$([ -e "$b/install_record.txt" ] && echo yes || echo no)"

finish
