#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Sessions between openssl s_server and s_client, captured by dumpcap on the
# loopback of a network namespace of its own, then read by amtdiag (tshark
# as the oracle where it decodes them):
#   - TLS 1.2 PSK (PSK-AES128-CCM, PSK-AES256-GCM-SHA384): --psk IDENTITY:HEX
#     decrypts, a wrong PSK and a missing one are told;
#   - TLS 1.3 external PSK without (EC)DHE (psk_ke; an OpenSSL 3.5 server,
#     Debian 13 chroot): --psk decrypts; with (EC)DHE (psk_dhe_ke) the report
#     says the key log is needed;
#   - a renegotiation in which the server asks for the console certificate
#     (s_server's "R", the way older servers ask for it), static RSA with
#     extended_master_secret: decrypted both ways after it with the server's
#     RSA key, also from a legacy PKCS#12 (openssl pkcs12 -export -legacy),
#     and with the key log; the console certificate of the second handshake
#     is the one AMT's checks judge;
#   - TLS 1.3 with certificates compressed both ways (OpenSSL 3.5 -cert_comp,
#     RFC 8879): both certificates read;
#   - the captures compressed with gzip and zstd: the same report.
# Skipped (77) without root, unshare or dumpcap. The OpenSSL 3.5 parts run in
# the Debian 13 chroot of scripts/ws-chroot.sh (made by make check).
# usage: test_openssl_sessions.sh AMTDIAG
set -u
amtdiag=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null || ! command -v dumpcap >/dev/null; then
    echo "SKIP: sessions captured in a network namespace need root, unshare and dumpcap"
    exit 77
fi
if [ -z "${AMTDIAG_IN_NETNS:-}" ]; then
    # the chroot first, outside the namespace (it may still be downloading)
    sh "$src/scripts/ws-chroot.sh" create trixie >/dev/null 2>&1 ||
        echo "note: no Debian 13 chroot; the OpenSSL 3.5 sessions will fail"
    exec env AMTDIAG_IN_NETNS=1 unshare --net sh "$0" "$@"
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:exitcode=86" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:exitcode=86"
ip link set lo up
root=$(sh "$src/scripts/ws-chroot.sh" path trixie)
tmp=$(mktemp -d /tmp/osess-XXXXXX)
ctmp=$(mktemp -d "$root/var/tmp/amtdiag-XXXXXX" 2>/dev/null || echo "$root/var/tmp/none")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$tmp" "$ctmp"' EXIT
cd "$tmp" || exit 1
passed=0 failed=0
ok() {
    passed=$((passed + 1))
    echo "ok   $1"
}
bad() {
    failed=$((failed + 1))
    echo "FAIL $1"
}
# expect NAME PATTERN -- command…: PATTERN in its stdout+stderr, exit 0 or 1
expect() {
    name=$1 pattern=$2
    shift 3
    "$@" >out.txt 2>&1
    rc=$?
    if [ $rc -le 1 ] && grep -q -- "$pattern" out.txt; then
        ok "$name"
    else
        bad "$name: exit $rc, no \"$pattern\" in:"
        head -30 out.txt
    fi
}
# the same, PATTERN must be absent
refute() {
    name=$1 pattern=$2
    shift 3
    "$@" >out.txt 2>&1
    rc=$?
    if [ $rc -le 1 ] && ! grep -q -- "$pattern" out.txt; then
        ok "$name"
    else
        bad "$name: exit $rc, or \"$pattern\" in:"
        grep -- "$pattern" out.txt | head -5
    fi
}
in3() { # the command line of CMD run by OpenSSL 3.5 (Debian 13 chroot), in its /var/tmp dir
    printf "env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin chroot '%s' sh -c 'cd /var/tmp/%s && %s'" "$root" "${ctmp##*/}" "$1"
}
# session NAME SERVER CLIENT: runs SERVER in the background, CLIENT in the
# foreground, with dumpcap writing NAME.pcapng.
session() {
    dumpcap -q -i lo -f "tcp port 16993" -w "$1.pcapng" 2>"$1.dumpcap" &
    cap=$!
    n=0
    until [ -s "$1.pcapng" ] || [ $n -gt 50 ]; do
        sleep 0.1
        n=$((n + 1))
    done
    # a process group of its own: the pipeline and openssl end together
    setsid sh -c "$2" >"$1.server" 2>&1 &
    srv=$!
    n=0
    until ss -ltn | grep -q ':16993 ' || [ $n -gt 50 ]; do
        sleep 0.1
        n=$((n + 1))
    done
    sh -c "$3" >"$1.client" 2>&1
    sleep 0.5
    kill -- -$srv 2>/dev/null
    wait $srv 2>/dev/null
    n=0
    while ss -ltn | grep -q ':16993 ' && [ $n -lt 50 ]; do
        sleep 0.1
        n=$((n + 1))
    done
    sleep 0.3
    kill $cap
    wait $cap
}
# tshark's HTTP requests (client port, URI) must be among amtdiag's
oracle() {
    name=$1 cap=$2
    shift 2
    tshark -n -r "$cap" "$@" -d tcp.port==16993,tls -Y http.request -T fields \
        -e tcp.srcport -e http.request.uri 2>/dev/null | sort >ts.txt
    "$amtdiag" -q -r "$cap" --format json $amtdiag_keys 2>/dev/null | python3 -c '
import json, sys
for c in json.load(sys.stdin)["connections"]:
    for x in c.get("http") or []:
        q = x.get("request") or {}
        if q.get("uri"):
            print("%s\t%s" % (c["client"].rsplit(":", 1)[1], q["uri"]))' | sort >ad.txt
    if [ -s ts.txt ] && [ -z "$(comm -23 ts.txt ad.txt)" ]; then
        ok "$name: tshark's $(wc -l <ts.txt) request(s) are in amtdiag's report"
    else
        bad "$name: tshark decodes requests amtdiag does not (or none): $(comm -23 ts.txt ad.txt | tr '\n' ' ')"
    fi
}

psk=5ec12e7f00a1b2c3d4e5f60718293a4b
id=amt-setup
get='printf "GET /index.html HTTP/1.0\r\n\r\n"'

# ---- TLS 1.2 PSK (plain PSK suites: the PSK alone gives the keys) ----
for suite in PSK-AES128-CCM PSK-AES256-GCM-SHA384; do
    session "$suite" \
        "openssl s_server -accept 16993 -nocert -psk $psk -psk_identity $id -tls1_2 -cipher $suite -www" \
        "$get | openssl s_client -connect 127.0.0.1:16993 -psk $psk -psk_identity $id -tls1_2 -cipher $suite -ign_eof"
    expect "TLS 1.2 $suite: --psk decrypts" "keys: decrypted (keys from --psk $id)" -- \
        "$amtdiag" -r "$suite.pcapng" --psk "$id:$psk"
    expect "TLS 1.2 $suite: the HTTP inside" "GET /index.html → 200" -- \
        "$amtdiag" -r "$suite.pcapng" --psk "$psk"
    expect "TLS 1.2 $suite: a wrong PSK is told" "MAC/tag check failure\|wrong" -- \
        "$amtdiag" -r "$suite.pcapng" --psk "$id:${psk%??}00"
    expect "TLS 1.2 $suite: a PSK for another identity is told" "none of the 1 PSKs given is for identity \"$id\"" -- \
        "$amtdiag" -r "$suite.pcapng" --psk "other:$psk"
    amtdiag_keys="--psk $psk"
    oracle "TLS 1.2 $suite" "$suite.pcapng" -o "tls.psk:$psk"
done

# ---- TLS 1.3 external PSK ----
session psk13 \
    "$(in3 "exec openssl s_server -accept 16993 -nocert -psk $psk -psk_identity $id -tls1_3 -allow_no_dhe_kex -prefer_no_dhe_kex -www")" \
    "$get | openssl s_client -connect 127.0.0.1:16993 -psk $psk -psk_identity $id -tls1_3 -allow_no_dhe_kex -ign_eof"
expect "TLS 1.3 PSK without (EC)DHE: --psk decrypts" "keys: decrypted (keys from --psk $id)" -- \
    "$amtdiag" -r psk13.pcapng --psk "$id:$psk"
expect "TLS 1.3 PSK: PSK key exchange" "PSK key exchange" -- "$amtdiag" -V -r psk13.pcapng --psk "$id:$psk"
expect "TLS 1.3 PSK: the HTTP inside" "GET /index.html → 200" -- "$amtdiag" -r psk13.pcapng --psk "$id:$psk"
session psk13dhe \
    "openssl s_server -accept 16993 -nocert -psk $psk -psk_identity $id -tls1_3 -www" \
    "$get | openssl s_client -connect 127.0.0.1:16993 -psk $psk -psk_identity $id -tls1_3 -keylogfile psk13dhe.keys -ign_eof"
expect "TLS 1.3 PSK with (EC)DHE: the PSK alone is not enough, said so" "psk_dhe_ke.*a key log entry" -- \
    "$amtdiag" -r psk13dhe.pcapng --psk "$id:$psk"
expect "TLS 1.3 PSK with (EC)DHE: the key log decrypts" "GET /index.html → 200" -- \
    "$amtdiag" -r psk13dhe.pcapng --keylog psk13dhe.keys

# ---- a renegotiation that asks for the console certificate ----
openssl req -x509 -newkey rsa:2048 -nodes -keyout amt.key -out amt.pem -subj /CN=amt.example.com \
    -days 30 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout console.key -out console.pem \
    -subj /CN=console.example.com -days 30 2>/dev/null
openssl pkcs12 -export -legacy -in amt.pem -inkey amt.key -passout pass:Amt-Pfx-1 -out amt.pfx
ok_200='HTTP/1.1 200 OK\nContent-Length: 0\n\n'
session reneg \
    "(sleep 1; printf '$ok_200'; sleep 1; echo R; sleep 3; printf '$ok_200'; sleep 2) |
     openssl s_server -accept 16993 -cert amt.pem -key amt.key -tls1_2 -cipher AES128-SHA -no_cache -no_ticket -crlf" \
    "(printf 'GET /before HTTP/1.1\nHost: amt\n\n'; sleep 4; printf 'GET /after HTTP/1.1\nHost: amt\n\n'; sleep 2) |
     openssl s_client -connect 127.0.0.1:16993 -cert console.pem -key console.key -keylogfile reneg.keys -crlf"
for key in amt.key amt.pfx:Amt-Pfx-1; do
    expect "renegotiation, RSA key ${key%%:*}: decrypted after it" "GET /before → 200; GET /after → 200" -- \
        "$amtdiag" -r reneg.pcapng --key "$key"
done
expect "renegotiation: the legacy PKCS#12 named" "keys: decrypted (keys from RSA key amt.pfx)" -- \
    "$amtdiag" -r reneg.pcapng --key amt.pfx:Amt-Pfx-1
expect "renegotiation: the certificate asked for in the second handshake" \
    "renegotiation 1, ClientHello frame [0-9]* (encrypted): TLSv1.2 TLS_RSA_WITH_AES_128_CBC_SHA, full handshake, client certificate asked for: sent" -- \
    "$amtdiag" -V -r reneg.pcapng --key amt.key
expect "renegotiation: AMT's checks judge the console certificate of the second handshake" \
    "PASS    1. The console presented a certificate" -- "$amtdiag" -r reneg.pcapng --key amt.key
expect "renegotiation: extended_master_secret" "extended_master_secret yes" -- \
    "$amtdiag" -V -r reneg.pcapng --key amt.key
expect "renegotiation: the key log decrypts too" "GET /before → 200; GET /after → 200" -- \
    "$amtdiag" -r reneg.pcapng --keylog reneg.keys
amtdiag_keys="--key amt.key"
oracle "renegotiation" reneg.pcapng -o "uat:rsa_keys:\"$tmp/amt.key\",\"\""

# ---- TLS 1.3 with compressed certificates (RFC 8879) both ways ----
cp amt.pem amt.key console.pem console.key "$ctmp/" 2>/dev/null
session certcomp \
    "$(in3 "exec openssl s_server -accept 16993 -cert amt.pem -key amt.key -cert_comp -verify 1 -www")" \
    "$(in3 "$get | openssl s_client -connect 127.0.0.1:16993 -cert console.pem -key console.key -keylogfile certcomp.keys -ign_eof")"
cp "$ctmp/certcomp.keys" . 2>/dev/null
expect "compressed certificates: decrypted" "GET /index.html → 200" -- \
    "$amtdiag" -r certcomp.pcapng --keylog certcomp.keys
expect "compressed certificates: the server's read" "the server's certificate is compressed with zlib (RFC 8879" -- \
    "$amtdiag" -V -r certcomp.pcapng --keylog certcomp.keys
expect "compressed certificates: the console's read" "the console sent 1 certificate(s) in frame [1-9][0-9]*: CN=console.example.com" -- \
    "$amtdiag" -r certcomp.pcapng --keylog certcomp.keys
expect "compressed certificates: AMT's certificate in the chain" "server certificate sent (1 in chain)" -- \
    "$amtdiag" -V -r certcomp.pcapng --keylog certcomp.keys

# ---- compressed captures give the same report ----
"$amtdiag" -r reneg.pcapng --key amt.key >plain.txt 2>&1
for z in gzip zstd; do
    $z -c reneg.pcapng >"reneg.$z"
    "$amtdiag" -r "reneg.$z" --key amt.key 2>&1 | sed "s/reneg\.$z/reneg.pcapng/g" >"$z.txt"
    if cmp -s plain.txt "$z.txt" && grep -q "GET /after → 200" "$z.txt"; then
        ok "a $z-compressed capture: the same report"
    else
        bad "a $z-compressed capture: the report differs"
        diff plain.txt "$z.txt" | head -10
    fi
    "$amtdiag" -r - --key amt.key <"reneg.$z" 2>&1 | grep -q "GET /after → 200" &&
        ok "a $z-compressed capture on standard input" || bad "a $z-compressed capture on standard input"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
