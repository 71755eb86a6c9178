#!/bin/sh
# Time and peak memory of the diagnosis and each report format over a
# capture of 100 000 frames and 20 001 connections (unanswered SYNs and one
# HTTP exchange), written by tests/analyzer/make_http_pcap.py.
# usage: bench/many_connections.sh [AMTDIAG]   (default build/analyzer/amtdiag)
set -eu
amtdiag=${1:-build/analyzer/amtdiag}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 tests/analyzer/make_http_pcap.py "$tmp/many.pcap" many
for format in text json markdown html; do
    printf "%-9s" "$format"
    /usr/bin/time -f "%e s elapsed, %U s user, %M KiB peak RSS" \
        "$amtdiag" -r "$tmp/many.pcap" --format $format >/dev/null || [ $? -eq 1 ]
done
printf "%-9s" "redacted"
/usr/bin/time -f "%e s elapsed, %U s user, %M KiB peak RSS" \
    "$amtdiag" -r "$tmp/many.pcap" --redact >/dev/null || [ $? -eq 1 ]
