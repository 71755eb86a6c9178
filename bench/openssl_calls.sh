#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Counts amtdiag's OpenSSL fetches and keyed set-ups on a capture (the
# numbers that must not grow with the traffic), and times its RSA
# decryptions and record decryption by size, with bench/openssl_calls.c
# preloaded; then `openssl speed` on the same machine to compare.
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
openssl speed -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048/ { print "openssl speed: rsa2048 " $(NF-1) " private-key ops/s" }'
openssl speed -seconds 1 -evp aes-128-gcm -decrypt 2>/dev/null | awk '/^AES-128-GCM/ { print "openssl speed: aes-128-gcm decrypt by size 16/64/256/1024/8192/16384 B: " $2 " " $3 " " $4 " " $5 " " $6 " " $7 " (kB/s)" }'
