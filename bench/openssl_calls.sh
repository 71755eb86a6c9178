#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Counts amtdiag's OpenSSL fetches and keyed set-ups on a capture (the
# numbers that must not grow with the traffic), with bench/openssl_calls.c
# preloaded.
# usage: sh bench/openssl_calls.sh AMTDIAG CAPTURE [amtdiag options...]
set -eu
amtdiag=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -shared -fPIC -O2 -o "$tmp/calls.so" "$(dirname "$0")/openssl_calls.c" -ldl -lcrypto
cap=$1
shift
LD_PRELOAD="$tmp/calls.so" "$amtdiag" -r "$cap" --format ndjson "$@" 2>&1 >/dev/null |
    grep '^openssl_calls:'
