#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A hole under the console's certificate flight: the two segments carrying
# it (frames 18 and 19 of the third-party capture mtls-no-amt-console-oid-curl)
# are swapped, so the capture holds every byte, out of order; and, from the
# same capture, the first of them removed (a true hole).
# - amtdiag reassembles out-of-order segments: the cause is found.
# - Wireshark by default (tcp.reassemble_out_of_order FALSE) does not: the
#   plugin must not conclude from the missing message (no client-cert-missing),
#   the check is unknown, and it names the preference; with it TRUE the
#   cause is found and no capture gap is left.
# - With the segment removed, neither tool derives a cause.
# usage: test_plugin_holes.sh PLUGIN_SO WS_MAJOR_MINOR CORPUS_DIR AMTDIAG
set -u
so=$1 ver=$2 corpus=$3 amtdiag=$4
src=$corpus/mtls-no-amt-console-oid-curl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home/.local/lib/wireshark/plugins/$ver/epan"
cp "$so" "$tmp/home/.local/lib/wireshark/plugins/$ver/epan/"
cp "$src/keylog.txt" "$tmp/"
python3 "$(dirname "$0")/swap_frames.py" "$src/capture.pcapng" "$tmp/reordered.pcapng" 18 19 || exit 1
editcap "$src/capture.pcapng" "$tmp/lost.pcapng" 18 || exit 1
chmod -R a+rX "$tmp"
AS_USER=
[ "$(id -u)" -eq 0 ] && AS_USER="setpriv --reuid=65534 --regid=65534 --clear-groups"
passed=0 failed=0
check() { # NAME FILE PATTERN [absent]
    if grep -q -- "$3" "$2"; then found=1; else found=0; fi
    if [ "${4:-}" = absent ]; then found=$((1 - found)); fi
    if [ $found -eq 1 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $1: ${4:-}${4:+ }\"$3\" in:"
        head -30 "$2"
    fi
}
ts() { # CAPTURE OUT [tshark options...]
    cap=$1 out=$2
    shift 2
    for passes in 1 2; do
        p=
        [ $passes = 2 ] && p=-2
        $AS_USER env -u XDG_CONFIG_HOME HOME="$tmp/home" tshark -n $p -r "$tmp/$cap" \
            -o "tls.keylog_file:$tmp/keylog.txt" -o iamt.trusted_fqdn:it.example.com \
            -q -z iamt,diag -z expert "$@" >"$tmp/$out.$passes" 2>&1
        # the findings' evidence and what settles the checks; the frames
        # where AMT's first check is unknown
        $AS_USER env -u XDG_CONFIG_HOME HOME="$tmp/home" tshark -n $p -r "$tmp/$cap" \
            -o "tls.keylog_file:$tmp/keylog.txt" -o iamt.trusted_fqdn:it.example.com \
            -Y "iamt.finding.evidence || iamt.tls.check.settle" -T fields \
            -e iamt.finding.evidence -e iamt.tls.check.settle "$@" >>"$tmp/$out.$passes" 2>&1
        $AS_USER env -u XDG_CONFIG_HOME HOME="$tmp/home" tshark -n $p -r "$tmp/$cap" \
            -o "tls.keylog_file:$tmp/keylog.txt" -o iamt.trusted_fqdn:it.example.com \
            -Y 'iamt.tls.check.console_cert_presented == "unknown"' -T fields -e frame.number \
            "$@" 2>&1 | sed 's/^/presented: unknown in frame /' >>"$tmp/$out.$passes"
    done
    if cmp -s "$tmp/$out.1" "$tmp/$out.2"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $out: one pass and two differ"
        diff "$tmp/$out.1" "$tmp/$out.2" | head -20
    fi
}

# out of order, Wireshark's default
ts reordered.pcapng ooo-off -o tcp.reassemble_out_of_order:FALSE
check "reordered, default: no cause from the missing message" "$tmp/ooo-off.1" "iAMT  client-cert-missing\|   client-cert-missing" absent
check "reordered, default: undiagnosed" "$tmp/ooo-off.1" "rejected   undiagnosed"
check "reordered, default: the check is unknown" "$tmp/ooo-off.1" "^presented: unknown in frame"
check "reordered, default: names the preference" "$tmp/ooo-off.1" "tcp.reassemble_out_of_order"
# out of order, reassembled
ts reordered.pcapng ooo-on -o tcp.reassemble_out_of_order:TRUE
check "reordered, reassembled: the cause" "$tmp/ooo-on.1" "rejected   client-cert-missing-amt-console-oid$"
check "reordered, reassembled: no gap left" "$tmp/ooo-on.1" "capture-gap" absent
# a true hole
ts lost.pcapng lost
check "lost: no cause from the missing message" "$tmp/lost.1" "iAMT  client-cert-missing\|   client-cert-missing" absent
check "lost: undiagnosed" "$tmp/lost.1" "rejected   undiagnosed (notes: capture-gap)"
check "lost: capture without the gap" "$tmp/lost.1" "capture without the gap"
# amtdiag: every byte of the reordered capture is there; the hole is a hole
"$amtdiag" -r "$tmp/reordered.pcapng" --keylog "$tmp/keylog.txt" --trusted-fqdn it.example.com \
    >"$tmp/a-reordered" 2>&1
check "amtdiag, reordered: the cause" "$tmp/a-reordered" "client-cert-missing-amt-console-oid (error)"
"$amtdiag" -r "$tmp/lost.pcapng" --keylog "$tmp/keylog.txt" --trusted-fqdn it.example.com \
    >"$tmp/a-lost" 2>&1
check "amtdiag, lost: no cause from the missing message" "$tmp/a-lost" "client-cert-missing" absent
check "amtdiag, lost: the check is unknown" "$tmp/a-lost" "UNKNOWN 1. The console presented"
check "amtdiag, lost: where the hole is" "$tmp/a-lost" "capture gap at frames"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
