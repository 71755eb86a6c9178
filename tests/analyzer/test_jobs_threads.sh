#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# -j N where the threads cannot all be started (a limit on processes, as
# RLIMIT_NPROC sets it for a user): amtdiag says so, goes on with the
# threads it has (or the reader alone) and writes the report of -j 1.
# Runs as a user of its own (uid 65533), since the limit counts that
# user's processes and threads. Root only (77: skipped otherwise).
# usage: test_jobs_threads.sh AMTDIAG SAMPLE_DIR (with capture.pcapng and keylog.txt)
set -u
amtdiag=$1 sample=$2
[ "$(id -u)" -eq 0 ] && command -v prlimit >/dev/null || exit 77
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$sample/capture.pcapng" "$sample/keylog.txt" "$amtdiag" "$tmp/"
chmod -R a+rX "$tmp"
# (in a sanitizer build LeakSanitizer needs a thread of its own at exit,
# which the limit refuses: leaks are checked in the run without one)
run() { # NPROC JOBS OUT
    prlimit --nproc="$1" setpriv --reuid=65533 --regid=65533 --clear-groups \
        env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=$([ "$1" -ge 100 ] && echo 1 || echo 0)" \
        "$tmp/amtdiag" -r "$tmp/capture.pcapng" --keylog "$tmp/keylog.txt" -j "$2" \
        --format json >"$3" 2>"$3.err"
}
bad=0
run 100 1 "$tmp/ref.json" || { echo "FAIL: -j 1 exit $?"; cat "$tmp/ref.json.err"; exit 1; }
# nproc 1: no thread can start; nproc 2: one can
for case in "1 going on with 1" "2 thread 2 could not be started"; do
    n=${case%% *} want=${case#* }
    run "$n" 3 "$tmp/j3.json"
    rc=$?
    if [ $rc -ne 0 ] || ! cmp -s "$tmp/j3.json" "$tmp/ref.json"; then
        echo "FAIL nproc $n: exit $rc, report differs from -j 1's"
        bad=1
    elif ! grep -q "$want" "$tmp/j3.json.err"; then
        echo "FAIL nproc $n: no message '$want':"
        cat "$tmp/j3.json.err"
        bad=1
    else
        echo "ok   nproc $n: $(cat "$tmp/j3.json.err")"
    fi
done
exit $bad
