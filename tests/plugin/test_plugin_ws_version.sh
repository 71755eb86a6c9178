#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The plugin built and tested against another Wireshark: in a Debian chroot
# (scripts/ws-chroot.sh: trixie has Wireshark 4.4, sid 4.6) this checkout is
# configured into BUILD_DIR, the plugin and amtdiag are built, and the
# plugin's tshark tests run there (ctest -L plugin; not the GUI, valgrind
# and mutation runs, which only the machine's own Wireshark gets, and no
# mutated copies in the redirection test: robustness is not version
# dependent, and the chroots' time counts in make check). The same
# goldens serve every version; tests/plugin/ws_version.py lists what
# Wireshark itself prints differently. The Debian packages are installed
# into the chroot's system and removed (plugin.packages).
# usage: test_plugin_ws_version.sh create SUITE
#        test_plugin_ws_version.sh test SUITE BUILD_DIR
# "create" makes or updates the cached chroot (a test fixture, so both
# suites download while other tests run); "test" builds and runs.
# Needs root; without it the test is skipped (exit 77).
set -u
cmd=$1 suite=$2
src=$(cd "$(dirname "$0")/../.." && pwd)
chroot_sh="$src/scripts/ws-chroot.sh"

if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: building in a Debian $suite chroot needs root (debootstrap, chroot)"
    exit 77
fi
for tool in debootstrap unshare chroot; do
    command -v $tool >/dev/null 2>&1 || {
        echo "FAIL: $tool is missing (make deps installs it)"
        exit 1
    }
done

t0=$(date +%s)
if [ "$cmd" = create ]; then
    sh "$chroot_sh" create "$suite" || exit 1
    echo "chroot $suite ready in $(($(date +%s) - t0)) s ($(du -sh "$(sh "$chroot_sh" path "$suite")" | cut -f1))"
    exit 0
fi

bdir=$3
# shellcheck disable=SC2016
sh "$chroot_sh" run "$suite" sh -c '
    set -e
    b=$1
    echo "$(tshark --version 2>/dev/null | head -n 1), $(gcc --version | head -n 1)"
    cmake -S . -B "$b" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAMTDIAG_WERROR=ON \
        -DAMTDIAG_PACKAGE_TEST_MODE=system >"$b.configure.log" 2>&1 ||
        { cat "$b.configure.log"; exit 1; }
    cmake --build "$b" -j 2 --target amtdiag_plugin amtdiag_cli >"$b.build.log" 2>&1 ||
        { grep -E "error|warning" "$b.build.log" | head -n 40; exit 1; }
    echo "built in $(($(date +%s) - $2)) s"
    AMTDIAG_REDIR_MUTATIONS=0 exec ctest --test-dir "$b" -L plugin -LE wsversions -E "gui|valgrind|mutations" -j 2 \
        --output-on-failure
' sh "$bdir" "$t0"
rc=$?
echo "Debian $suite: build and plugin tests in $(($(date +%s) - t0)) s"
exit $rc
