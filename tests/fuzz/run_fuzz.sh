#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs one fuzz target for FUZZ_TIME seconds (default 10) on its corpus.
#
# usage: run_fuzz.sh FUZZER WORKDIR KEEPDIR [-libFuzzer-option...] [SEED_DIR...]
#
# KEEPDIR is the target's corpus kept in the repository
# (tests/fuzz/corpus/<target>): it is read like the seed directories. New
# inputs go to WORKDIR/scratch, emptied first, so that a check runs on the
# kept corpus and the seeds alone and takes the same time every run; with
# FUZZ_KEEP_CORPUS=1 (make fuzz) they go to WORKDIR/corpus instead, kept
# between runs, and at the end the inputs that reach code the kept corpus
# and the seeds do not are merged into KEEPDIR (libFuzzer -merge=1), so
# the repository gains what a long run found and nothing it already had.
# Seed directories that do not exist are skipped. A crash, leak, timeout or
# out-of-memory makes libFuzzer exit non-zero with the input saved in
# WORKDIR/artifacts.
set -eu
fuzzer=$1
work=$2
keep=$3
shift 3
seeds=""
for arg; do
    shift
    case $arg in
    -*) set -- "$@" "$arg" ;;
    *) if [ -d "$arg" ]; then set -- "$@" "$arg" && seeds="$seeds $arg"; fi ;;
    esac
done
mkdir -p "$keep"
if [ "${FUZZ_KEEP_CORPUS:-0}" = 1 ]; then
    corpus=$work/corpus
else
    corpus=$work/scratch
    rm -rf "$corpus"
fi
mkdir -p "$corpus" "$work/artifacts"
# abort_on_error=0: libFuzzer, not the sanitizer, has to report and save the input.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:abort_on_error=0"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1"
export ASAN_OPTIONS UBSAN_OPTIONS
"$fuzzer" -max_total_time="${FUZZ_TIME:-10}" -rss_limit_mb=1024 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$corpus" "$keep" "$@"
if [ "${FUZZ_KEEP_CORPUS:-0}" = 1 ]; then
    # known: the kept corpus and the seeds; the run's inputs that add
    # coverage to them are merged in and copied to the kept corpus
    known=$work/known
    rm -rf "$known" && mkdir -p "$known"
    for d in "$keep" $seeds; do cp "$d"/* "$known"/ 2>/dev/null || true; done
    ls "$known" | sort >"$work/known.before"
    "$fuzzer" -merge=1 -rss_limit_mb=1024 -timeout=10 "$known" "$corpus" 2>"$work/merge.log" ||
        { cat "$work/merge.log"; exit 1; }
    ls "$known" | sort | comm -13 "$work/known.before" - | while read -r f; do
        cp "$known/$f" "$keep/"
    done
    echo "kept corpus $keep: $(ls "$keep" | wc -l) inputs"
fi
