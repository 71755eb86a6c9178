#!/bin/sh
# Time and peak memory of `amtdiag -V` over every sample, with all keys.
# usage: bench/all_samples.sh [AMTDIAG]   (default build/analyzer/amtdiag)
set -eu
amtdiag=${1:-build/analyzer/amtdiag}
cd "$(dirname "$0")/.."
set --
for d in samples/*/ samples/recorded-on-loopback/*/; do
    [ -f "$d/expected.json" ] || continue
    set -- "$@" -r "$(ls "$d"capture.pcap*)"
    [ -f "$d/keylog.txt" ] && set -- "$@" --keylog "$d/keylog.txt"
    [ -f "$d/amt-key.pem" ] && set -- "$@" --key "$d/amt-key.pem"
done
# exit status 1 means rejections were diagnosed: expected with these samples
/usr/bin/time -f "%e s elapsed, %M KiB peak RSS" "$amtdiag" -V "$@" >/dev/null || [ $? -eq 1 ]
