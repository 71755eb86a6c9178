#!/bin/sh
# Time and peak memory of reading one large capture: the file, the same
# through a pipe, compressed with gzip and zstd, and redacted with -V. The
# capture is 400 000 frames of plain HTTP on AMT's port (make_http_pcap.py
# "many" written four times over, as pcapng by editcap), about 34 MB.
# usage: bench/capture_reading.sh [AMTDIAG]   (default build/analyzer/amtdiag)
set -eu
amtdiag=${1:-build/analyzer/amtdiag}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 tests/analyzer/make_http_pcap.py "$tmp/many.pcap" many
mergecap -F pcapng -a -w "$tmp/big.pcapng" "$tmp/many.pcap" "$tmp/many.pcap" "$tmp/many.pcap" \
    "$tmp/many.pcap"
gzip -c "$tmp/big.pcapng" >"$tmp/big.pcapng.gz"
zstd -q -c "$tmp/big.pcapng" >"$tmp/big.pcapng.zst"
t() { # t LABEL command…
    label=$1
    shift
    printf "%-12s" "$label"
    /usr/bin/time -f "%e s elapsed, %U s user, %M KiB peak RSS" "$@" >/dev/null || [ $? -eq 1 ]
}
t file "$amtdiag" -r "$tmp/big.pcapng"
t pipe sh -c "cat '$tmp/big.pcapng' | '$amtdiag' -r -"
t gzip "$amtdiag" -r "$tmp/big.pcapng.gz"
t zstd "$amtdiag" -r "$tmp/big.pcapng.zst"
t "-V redacted" "$amtdiag" -V --redact -r "$tmp/big.pcapng"
