#!/bin/sh
# Records scenarios for real: the simulator's fake AMT and console talk over
# TCP on 127.0.0.1:16992-16995 and dumpcap captures the loopback interface,
# so these samples come from the kernel's TCP stack rather than from the
# capture writer. Needs capture rights on lo (root, or the wireshark group).
#
# usage: record-loopback.sh AMTSIM OUTDIR [SCENARIO...]
set -eu
amtsim=$1
out=$2
shift 2
[ $# -gt 0 ] || set -- ok-tls12-ecdhe-gcm ok-tls13 mtls-no-amt-console-eku \
    digest-wrong-password plain-http-refused-tls-only redir-sol-tls redir-kvm-digest \
    redir-digest-wrong-password redir-listener-disabled redir-sol-digest redir-ider-digest \
    redir-kerberos-refused redir-password-in-clear redir-userpass-not-supported \
    redir-session-busy redir-sol-disabled redir-plain-refused-tls-only

command -v dumpcap >/dev/null || { echo "record-loopback: dumpcap not found" >&2; exit 77; }
mkdir -p "$out"
for sc in "$@"; do
    dir="$out/$sc"
    mkdir -p "$dir"
    log="$dir/.dumpcap.log"
    dumpcap -q -i lo -f "tcp portrange 16992-16995" -w "$dir/capture.pcapng" >"$log" 2>&1 &
    pid=$!
    # Wait until dumpcap has opened the interface (it names its file then).
    n=0
    until grep -q "File:" "$log" 2>/dev/null; do
        n=$((n + 1))
        if [ $n -gt 100 ] || ! kill -0 $pid 2>/dev/null; then
            echo "record-loopback: dumpcap could not capture on lo:" >&2
            cat "$log" >&2
            kill $pid 2>/dev/null || true
            exit 77
        fi
        sleep 0.1
    done
    "$amtsim" --live --out "$out" "$sc"
    sleep 0.5
    kill -INT $pid
    wait $pid || true
    rm -f "$log"
    chmod a+r "$dir/capture.pcapng"
    echo "recorded $sc: $(capinfos -c -M "$dir/capture.pcapng" 2>/dev/null | sed -n 's/.*packets: *//p') packets"
done
