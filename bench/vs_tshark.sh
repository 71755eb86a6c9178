#!/bin/sh
# amtdiag against tshark on the same inputs: the 100 000-frame capture of
# bench/many_connections.sh, and every sample with its keys (one process
# per capture for both tools). tshark decodes AMT's ports as HTTP/TLS and
# prints its one-line summary; amtdiag prints its diagnosis.
# usage: bench/vs_tshark.sh [AMTDIAG]   (default build/analyzer/amtdiag)
set -eu
amtdiag=${1:-build/analyzer/amtdiag}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 tests/analyzer/make_http_pcap.py "$tmp/many.pcap" many
tsh="tshark -n -d tcp.port==16992,http -d tcp.port==16993,tls -o http.tls.port:443,16993"
printf "many.pcap  tshark:  "
/usr/bin/time -f "%e s, %M KiB" $tsh -r "$tmp/many.pcap" >/dev/null 2>"$tmp/err" || true
tail -1 "$tmp/err"
printf "many.pcap  amtdiag: "
/usr/bin/time -f "%e s, %M KiB" "$amtdiag" -r "$tmp/many.pcap" >/dev/null 2>"$tmp/err" || true
tail -1 "$tmp/err"
samples() {
    for d in samples/*/; do
        [ -f "$d/expected.json" ] || continue
        cap=$(ls "$d"capture.pcap* | head -1)
        if [ "$1" = tshark ]; then
            set -- -r "$cap"
            [ -f "$d/keylog.txt" ] && set -- "$@" -o "tls.keylog_file:$d/keylog.txt"
            $tsh "$@" >/dev/null 2>&1 || true
        else
            set -- -r "$cap"
            [ -f "$d/keylog.txt" ] && set -- "$@" --keylog "$d/keylog.txt"
            "$amtdiag" "$@" >/dev/null 2>&1 || true
        fi
    done
}
for tool in tshark amtdiag; do
    printf "35 samples %-8s " "$tool:"
    start=$(date +%s.%N)
    samples $tool
    echo "$(echo "$(date +%s.%N) - $start" | bc) s"
done
