#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs one fuzz target for FUZZ_TIME seconds (default 10) on its seeds.
#
# usage: run_fuzz.sh FUZZER WORKDIR [-libFuzzer-option...] [SEED_DIR...]
#
# New inputs go to WORKDIR/scratch, emptied first, so that a check runs on
# the seeds alone and takes the same time every run; with FUZZ_KEEP_CORPUS=1
# (make fuzz) they go to WORKDIR/corpus instead, kept and read again, so
# long runs build on each other. Seed directories that do not exist are
# skipped. A crash, leak, timeout or out-of-memory makes libFuzzer exit
# non-zero with the input saved in WORKDIR/artifacts.
set -eu
fuzzer=$1
work=$2
shift 2
for arg; do
    shift
    case $arg in
    -*) set -- "$@" "$arg" ;;
    *) if [ -d "$arg" ]; then set -- "$@" "$arg"; fi ;;
    esac
done
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
exec "$fuzzer" -max_total_time="${FUZZ_TIME:-10}" -rss_limit_mb=1024 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$corpus" "$@"
