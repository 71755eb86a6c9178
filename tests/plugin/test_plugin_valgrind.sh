#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tshark -2 -V with the plugin under valgrind (memcheck) on a handful of
# samples (a CIRA tunnel whose channels carry WS-Man and redirection
# among them, one with three redirection channels, one with a SOL
# session over TLS inside a channel, which the plugin hands to Wireshark's
# TLS dissector, and one whose console AMT refuses in a TLS 1.3 session
# inside a channel, which the plugin reads into lib's facts) and on two redirection captures from make_redir_pcap.py (SOL
# inside TLS, KVM handing RFB to VNC): no invalid read or write, no use of uninitialised memory
# (--error-exitcode), and no definite leak whose stack passes through the
# plugin (Wireshark's own start-up allocations are not ours to judge, so
# leaks elsewhere are ignored).
# usage: test_plugin_valgrind.sh PLUGIN_SO WS_MAJOR_MINOR SAMPLES_DIR
set -u

SAMPLES="mtls-no-amt-console-eku mtls-reverse-dns-mismatch mixed-outcomes eoi-session-amt3
cira/cira-channels-wsman-redir cira/cira-redir-channels cira/cira-redir-tls
cira/cira-channel-tls13-no-cert"

so=$1 ver=$2 samples=$3
if ! command -v valgrind >/dev/null; then
    echo "valgrind not installed: skipped"
    exit 77
fi
tmp=$(mktemp -d)
trap '[ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home/.local/lib/wireshark/plugins/$ver/epan" "$tmp/s" "$tmp/log"
cp "$so" "$tmp/home/.local/lib/wireshark/plugins/$ver/epan/"
for s in $SAMPLES; do
    cp -r "$samples/$s" "$tmp/s/"
done
SAMPLES=$(for s in $SAMPLES; do basename "$s"; done)
# The redirection captures, laid out as samples.
python3 "$(dirname "$0")/make_redir_pcap.py" "$tmp" || exit 1
mkdir -p "$tmp/s/redir-sol-tls" "$tmp/s/redir-kvm"
mv "$tmp/sol-tls.pcap" "$tmp/s/redir-sol-tls/capture.pcap"
mv "$tmp/sol-tls.keylog" "$tmp/s/redir-sol-tls/keylog.txt"
mv "$tmp/kvm-userpass.pcap" "$tmp/s/redir-kvm/capture.pcap"
SAMPLES="$SAMPLES redir-sol-tls redir-kvm"
chmod -R a+rX "$tmp"
chmod a+w "$tmp/log"
AS_USER=
[ "$(id -u)" -eq 0 ] && AS_USER="setpriv --reuid=65534 --regid=65534 --clear-groups"

passed=0 failed=0
run() { # run SAMPLE: valgrind on one sample, in the background
    d=$tmp/s/$1
    cap=$(ls "$d"/capture.pcap* | head -n 1)
    set -- -n -2 -V -r "$cap" -o iamt.trusted_fqdn:it.example.com
    [ -f "$d/keylog.txt" ] && set -- "$@" -o "tls.keylog_file:$d/keylog.txt"
    $AS_USER env -u XDG_CONFIG_HOME HOME="$tmp/home" valgrind -q --error-exitcode=1 \
        --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=none \
        --log-file="$tmp/log/$(basename "$d").log" tshark "$@" >"$tmp/log/$(basename "$d").out" 2>&1
    echo $? >"$tmp/log/$(basename "$d").rc"
}
# Two at a time (2 cores).
set -- $SAMPLES
while [ $# -gt 0 ]; do
    run "$1" &
    [ $# -gt 1 ] && run "$2" &
    wait
    shift
    [ $# -gt 0 ] && shift
done
for s in $SAMPLES; do
    log=$tmp/log/$s.log
    rc=$(cat "$tmp/log/$s.rc")
    # Definite-leak records (from "definitely lost" to the blank line)
    # naming the plugin.
    ours=$(awk '/definitely lost in loss record/ { rec = 1; hit = 0 }
        rec && /amtdiag\.so|\/plugin\// { hit = 1 }
        rec && /^==[0-9]+== *$/ { if (hit) n++; rec = 0 }
        END { print n + 0 }' "$log")
    if [ "$rc" = 0 ] && [ "$ours" = 0 ] && grep -q -e 'Intel Active Management Technology' -e 'WS-Management' \
        -e 'Redirection message' "$tmp/log/$s.out"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $s: exit $rc, $ours definite leak(s) through the plugin"
        grep -m 40 '' "$log"
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
