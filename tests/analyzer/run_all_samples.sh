#!/bin/sh
# amtdiag -V and --format json over every sample with every key source it
# has; in the sanitizer build this is where memory errors would show.
# usage: run_all_samples.sh AMTDIAG SAMPLES_DIR
set -u
amtdiag=$1 samples=$2
# amtdiag exits 1 when it diagnoses a rejection: sanitizer reports must
# be told apart from that.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:exitcode=86" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:exitcode=86"
passed=0 failed=0
err=$(mktemp)
trap 'rm -f "$err"' EXIT
for dir in "$samples"/*/ "$samples"/recorded-on-loopback/*/; do
    [ -f "$dir/expected.json" ] || continue
    cap=$(ls "$dir"capture.pcap* | head -1)
    set -- -r "$cap"
    [ -f "$dir/keylog.txt" ] && set -- "$@" --keylog "$dir/keylog.txt"
    [ -f "$dir/amt-key.pem" ] && set -- "$@" --key "$dir/amt-key.pem"
    : >"$err"
    ok=1
    for format in text json ndjson markdown html; do
        "$amtdiag" -V --format $format "$@" >/dev/null 2>>"$err"
        [ $? -le 1 ] || ok=0
    done
    grep -q "runtime error\|Sanitizer" "$err" && ok=0
    if [ $ok -eq 1 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $dir"
        cat "$err"
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
