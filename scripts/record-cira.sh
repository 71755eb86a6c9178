#!/bin/sh
# Records the CIRA scenarios for real: tests/sim's AMT calls its MPS over
# TCP on 127.0.0.1:4433 with real OpenSSL TLS (cirasim) while dumpcap
# captures the loopback interface. The connection that fills the accept
# queue for cira-tcp-unanswered (source port 4999) is left out of the
# capture. Needs capture rights on lo (root, or the wireshark group).
#
# usage: record-cira.sh CIRASIM OUTDIR [SCENARIO...]
set -eu
cirasim=$1
out=$2
shift 2
[ $# -gt 0 ] || set -- $("$cirasim" --list | cut -f1)

command -v dumpcap >/dev/null || { echo "record-cira: dumpcap not found" >&2; exit 77; }
mkdir -p "$out"
for sc in "$@"; do
    dir="$out/$sc"
    mkdir -p "$dir"
    log="$dir/.dumpcap.log"
    dumpcap -q -i lo -f "tcp port 4433 and not tcp port 4999" -w "$dir/capture.pcapng" >"$log" 2>&1 &
    pid=$!
    n=0
    until grep -q "File:" "$log" 2>/dev/null; do
        n=$((n + 1))
        if [ $n -gt 100 ] || ! kill -0 $pid 2>/dev/null; then
            echo "record-cira: dumpcap could not capture on lo:" >&2
            cat "$log" >&2
            kill $pid 2>/dev/null || true
            exit 77
        fi
        sleep 0.1
    done
    "$cirasim" --out "$out" "$sc"
    sleep 0.5
    kill -INT $pid
    wait $pid || true
    rm -f "$log"
    chmod a+r "$dir/capture.pcapng"
    echo "recorded $sc: $(capinfos -c -M "$dir/capture.pcapng" 2>/dev/null | sed -n 's/.*packets: *//p') packets"
done
