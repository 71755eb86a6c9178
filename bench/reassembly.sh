#!/bin/sh
# TCP reassembly against the number of separate out-of-order pieces: one
# request body in N one-byte segments in the worst order
# (bench/make_ooo_pcap.py), for N = 20 000, 40 000, 80 000 and 160 000.
# Linear or n log n: the time per segment stays about the same.
# usage: bench/reassembly.sh [AMTDIAG]   (default build/analyzer/amtdiag)
set -eu
amtdiag=${1:-build/analyzer/amtdiag}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for n in 20000 40000 80000 160000; do
    python3 bench/make_ooo_pcap.py "$tmp/ooo.pcap" $n
    printf "%7d segments, %s: " $n "$(du -h "$tmp/ooo.pcap" | cut -f1)"
    /usr/bin/time -f "%e s elapsed, %U s user, %M KiB peak RSS" \
        "$amtdiag" -r "$tmp/ooo.pcap" >/dev/null || [ $? -eq 1 ]
done
