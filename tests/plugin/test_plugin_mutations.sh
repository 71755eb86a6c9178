#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The plugin never crashes tshark: tshark (two passes, the iamt,diag and
# expert statistics) over 100 randomly mutated copies of the samples
# (editcap -E 0.02, fixed seeds, so a failure reproduces) must end without
# a signal, a dissector bug or an unhandled exception. Dissector bugs abort
# (WIRESHARK_ABORT_ON_DISSECTOR_BUG), so they show as a signal too.
# usage: test_plugin_mutations.sh PLUGIN_SO WS_MAJOR_MINOR SAMPLES_DIR
set -u

SEEDS="1 2 3 4 5"
SAMPLES="mtls-no-amt-console-eku mtls-untrusted-root mtls-reverse-dns-mismatch mixed-outcomes
digest-stale-nonce eoi-session-amt3 wsman-return-value ok-tls13 tcp-pathologies dns-nxdomain"

if [ "${1:-}" = "--run-one" ]; then # worker: tshark on one mutated file
    f=$2 keys=$3
    set -- -n -2 -q -r "$f" -o iamt.trusted_fqdn:it.example.com -z iamt,diag -z expert,error
    [ -f "$keys" ] && set -- "$@" -o "tls.keylog_file:$keys"
    $AS_USER env -u XDG_CONFIG_HOME HOME="$TEST_TMP/home" WIRESHARK_ABORT_ON_DISSECTOR_BUG=1 \
        timeout 60 tshark "$@" >"$f.out" 2>&1
    rc=$?
    if [ "$rc" -ge 124 ] || grep -q -e 'Dissector bug' -e 'Unhandled exception' "$f.out"; then
        echo "FAIL $(basename "$f"): exit $rc"
        grep -m 3 -e 'Dissector bug' -e 'Unhandled exception' "$f.out"
    else
        echo "ok $(basename "$f")"
    fi
    exit 0
fi

so=$1 ver=$2 samples=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home/.local/lib/wireshark/plugins/$ver/epan" "$tmp/m"
cp "$so" "$tmp/home/.local/lib/wireshark/plugins/$ver/epan/"
for s in $SAMPLES; do
    cap=$(ls "$samples/$s"/capture.pcap* | head -n 1)
    for n in $SEEDS; do
        editcap -E 0.02 --seed "$n" "$cap" "$tmp/m/$s.$n.pcapng" >/dev/null 2>&1
    done
    [ -f "$samples/$s/keylog.txt" ] && cp "$samples/$s/keylog.txt" "$tmp/m/$s.keys"
done
chmod -R a+rX "$tmp"
chmod a+w "$tmp/m"
AS_USER=
[ "$(id -u)" -eq 0 ] && AS_USER="setpriv --reuid=65534 --regid=65534 --clear-groups"
TEST_TMP=$tmp
export AS_USER TEST_TMP
for f in "$tmp"/m/*.pcapng; do
    s=$(basename "$f" | sed 's/\.[0-9]*\.pcapng$//')
    echo "$f $tmp/m/$s.keys"
done | xargs -P 2 -n 2 sh "$0" --run-one >"$tmp/results.txt"
grep -v '^ok ' "$tmp/results.txt"
passed=$(grep -c '^ok ' "$tmp/results.txt")
failed=$(grep -c '^FAIL ' "$tmp/results.txt")
echo "$passed passed, $failed failed"
# every mutated file must have been run
[ "$failed" -eq 0 ] && [ "$passed" -eq $(($(echo $SAMPLES | wc -w) * $(echo $SEEDS | wc -w))) ]
