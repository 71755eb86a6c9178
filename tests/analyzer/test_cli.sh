#!/bin/sh
# amtdiag on bad input: clear messages naming the file (and frame), partial
# reports where possible, exit status 2 only when nothing could be read.
# usage: test_cli.sh AMTDIAG SAMPLES_DIR
set -u
amtdiag=$1 samples=$2
# amtdiag exits 1 when a connection did not work or could not be shown to
# work (not decrypted, cut short): sanitizer reports must be told apart
# from that.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:exitcode=86" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:exitcode=86"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
run() { # run NAME WANT_STATUS PATTERN -- command…  (PATTERN searched in stdout+stderr)
    name=$1 want=$2 pattern=$3
    shift 4
    "$@" >"$tmp/out" 2>&1
    got=$?
    if [ "$got" -eq "$want" ] && grep -q -- "$pattern" "$tmp/out"; then
        passed=$((passed + 1))
        echo "ok   $name"
    else
        failed=$((failed + 1))
        echo "FAIL $name: exit $got (wanted $want), pattern \"$pattern\"; output:"
        head -20 "$tmp/out"
    fi
}
s=$samples/ok-tls12-ecdhe-gcm
rsa=$samples/ok-tls12-rsa-aes128-gcm

run "usage without input" 2 "no input" -- "$amtdiag"
run "unknown option" 2 "unknown option --bogus" -- "$amtdiag" --bogus -r "$s/capture.pcapng"
run "bad --format" 2 "use text, json, ndjson, markdown or html" -- "$amtdiag" --format xml -r "$s/capture.pcapng"
run "missing capture" 2 "$tmp/none.pcap" -- "$amtdiag" -r "$tmp/none.pcap"
echo "hello, I am not a capture" >"$tmp/text.pcap"
run "not a capture" 2 "text.pcap: not a pcap or pcapng file" -- "$amtdiag" -r "$tmp/text.pcap"
: >"$tmp/empty.pcapng"
run "empty file" 2 "empty.pcapng" -- "$amtdiag" -r "$tmp/empty.pcapng"
run "missing key log" 2 "$tmp/nokeys.txt" -- "$amtdiag" -r "$s/capture.pcapng" --keylog "$tmp/nokeys.txt"
run "missing RSA key" 2 "$tmp/nokey.pem" -- "$amtdiag" -r "$s/capture.pcapng" --key "$tmp/nokey.pem"
echo "-----BEGIN PRIVATE KEY-----" >"$tmp/bad.pem"
run "malformed PEM key" 2 "bad.pem" -- "$amtdiag" -r "$s/capture.pcapng" --key "$tmp/bad.pem"

# a truncated capture: what precedes the cut is still analysed
size=$(stat -c %s "$s/capture.pcapng")
head -c $((size - 100)) "$s/capture.pcapng" >"$tmp/cut.pcapng"
run "truncated capture: warning names file and frame" 0 "cut.pcapng.*frame" -- \
    "$amtdiag" -r "$tmp/cut.pcapng" --keylog "$s/keylog.txt"
run "truncated capture: earlier connections reported" 0 "→ 401" -- \
    "$amtdiag" -V -r "$tmp/cut.pcapng" --keylog "$s/keylog.txt"
# one unreadable input among good ones is not fatal
run "one bad input of two" 0 "→ 401" -- "$amtdiag" -V -r "$tmp/text.pcap" -r "$s/capture.pcapng" \
    --keylog "$s/keylog.txt"

# keys: garbage lines are skipped with a warning, the rest still works
{ echo "garbage line"; cat "$s/keylog.txt"; echo "CLIENT_RANDOM zz"; } >"$tmp/keys.txt"
run "key log with garbage lines" 0 "2 line(s) are not key log lines" -- \
    "$amtdiag" -r "$s/capture.pcapng" --keylog "$tmp/keys.txt"
run "key log with garbage lines still decrypts" 0 "keys: decrypted" -- \
    "$amtdiag" -r "$s/capture.pcapng" --keylog "$tmp/keys.txt"
openssl genrsa -out "$tmp/other.pem" 2048 2>/dev/null
run "wrong RSA key" 1 "modulus is not that of the server certificate in frame 6" -- "$amtdiag" -V -r "$rsa/capture.pcapng" --key "$tmp/other.pem"
run "RSA key for an ECDHE session" 1 "ECDHE\|(EC)DHE" -- \
    "$amtdiag" -V -r "$s/capture.pcapng" --key "$rsa/amt-key.pem"
run "no keys" 1 "keys: no-keys\|no keys" -- "$amtdiag" -r "$s/capture.pcapng"

# a corrupted ciphertext byte: the MAC/tag failure is reported, no crash
python3 - "$s/capture.pcapng" "$tmp/corrupt.pcapng" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
# flip a byte in the middle of the last long application data record
i = len(data)
while True:
    i = data.rfind(b"\x17\x03\x03", 0, i)
    length = data[i + 3] << 8 | data[i + 4]
    if length > 200:
        break
data[i + 5 + length // 2] ^= 0xFF
open(sys.argv[2], "wb").write(data)
PY
run "corrupted record" 0 "mac\|MAC\|tag" -- "$amtdiag" -V -r "$tmp/corrupt.pcapng" --keylog "$s/keylog.txt"

# standard input, a directory, JSON
run "capture on stdin" 0 "→ 401" -- sh -c "\"$amtdiag\" -V -r - --keylog \"$s/keylog.txt\" <\"$s/capture.pcapng\""
# streaming: a connection's diagnosis is printed while the pipe is still open
mx=$samples/mixed-outcomes
mkfifo "$tmp/pipe"
"$amtdiag" -r - --keylog "$mx/keylog.txt" <"$tmp/pipe" >"$tmp/stream.txt" 2>&1 &
pid=$!
exec 3>"$tmp/pipe"
head -c 4000 "$mx/capture.pcapng" >&3
n=0
while [ $n -lt 50 ] && ! grep -q "ended: #0" "$tmp/stream.txt"; do sleep 0.1; n=$((n + 1)); done
if grep -q "ended: #0.*FAILED" "$tmp/stream.txt" && ! grep -q "amtdiag report" "$tmp/stream.txt"; then
    passed=$((passed + 1))
    echo "ok   streaming: diagnosed while the capture is still arriving"
else
    failed=$((failed + 1))
    echo "FAIL streaming: nothing printed while the pipe was open:"
    cat "$tmp/stream.txt"
fi
tail -c +4001 "$mx/capture.pcapng" >&3
exec 3>&-
wait $pid
grep -q "amtdiag report" "$tmp/stream.txt" && ! grep -q "ended: #1.*REJECTED" "$tmp/stream.txt" ||
    { failed=$((failed + 1)); echo "FAIL streaming: full report or interim verdicts wrong"; }
mkdir "$tmp/dir" && cp "$s/capture.pcapng" "$tmp/dir/a.pcapng" && cp "$rsa/capture.pcapng" "$tmp/dir/b.pcapng"
run "directory input" 1 "b.pcapng" -- "$amtdiag" -V -r "$tmp/dir"
run "json output" 1 '"schema" : "amtdiag/1"' -- "$amtdiag" --format json -r "$s/capture.pcapng"
# NDJSON: one line per connection, then the summary; from a pipe and into -o
run "ndjson output" 1 '"type":"summary"' -- "$amtdiag" --format ndjson -r "$s/capture.pcapng"
run "ndjson from a pipe" 1 '"type":"connection"' -- sh -c \
    "cat '$s/capture.pcapng' | '$amtdiag' --format ndjson -r -"
run "ndjson into -o, the summary last" 1 '"type":"summary"' -- sh -c \
    "'$amtdiag' --format ndjson -r '$s/capture.pcapng' -o '$tmp/r.ndjson'; st=\$?; tail -n 1 '$tmp/r.ndjson'; exit \$st"
run "ndjson refuses --export-keylog" 2 "ndjson keeps no connection" -- \
    "$amtdiag" --format ndjson --export-keylog "$tmp/k.log" -r "$s/capture.pcapng"
run "ndjson to a full disk" 2 "writing the report failed" -- sh -c \
    "'$amtdiag' --format ndjson -r '$s/capture.pcapng' >/dev/full"
run "-o to an unwritable place" 2 "$tmp/text.pcap/x" -- "$amtdiag" -r "$s/capture.pcapng" -o "$tmp/text.pcap/x"

# what the transcript says about TCP, DNS, gaps and a capture started mid-connection
run "refused connection" 1 "16993  refused" -- "$amtdiag" -V -r "$samples/port-closed/capture.pcapng"
run "RST named with its frame" 1 "RST from server frame 2" -- \
    "$amtdiag" -V -r "$samples/port-closed/capture.pcapng"
run "unanswered SYNs" 1 "16993  no-answer" -- "$amtdiag" -V -r "$samples/syn-unanswered/capture.pcapng"
run "retransmitted SYN" 1 "SYN frame 1 (retransmitted)" -- \
    "$amtdiag" -V -r "$samples/syn-unanswered/capture.pcapng"
run "DNS NXDOMAIN" 1 "amt-pc17.vpro.example.com A → NXDOMAIN" -- \
    "$amtdiag" -V -r "$samples/dns-nxdomain/capture.pcapng"
run "lost segment reported" 1 "bytes from the server missing in the capture" -- \
    "$amtdiag" -V -r "$samples/tcp-pathologies/capture.pcapng"
m=$samples/capture-starts-mid-stream
run "capture started mid-connection" 1 "TCP: capture started mid-connection, FIN" -- \
    "$amtdiag" -V -r "$m/capture.pcapng" --keylog "$m/keylog.txt"
run "mid-stream key status" 1 "keys: no-client-hello" -- \
    "$amtdiag" -V -r "$m/capture.pcapng" --keylog "$m/keylog.txt"
# the SYN is missing but both hellos are there: the capture did not start
# after the TLS handshake, and the key that would decrypt it is named
editcap "$s/capture.pcapng" "$tmp/nosyn.pcapng" 1-2
run "missing SYN, hellos seen: asks for the key log" 1 "supply the console's key log" -- \
    "$amtdiag" -r "$tmp/nosyn.pcapng"
if "$amtdiag" -r "$tmp/nosyn.pcapng" 2>&1 | grep -q "starts after this connection's TLS handshake"; then
    failed=$((failed + 1))
    echo "FAIL a missing SYN alone is called a capture that started after the handshake"
else
    passed=$((passed + 1))
    echo "ok   a missing SYN alone is not a capture that started after the handshake"
fi
# TLS found by content on a port that is not AMT's, when the client's first
# segment holds only 1 to 4 bytes of the record header
editcap -F pcap "$s/capture.pcapng" "$tmp/ok.pcap"
for n in 1 4; do
    python3 "$(dirname "$0")/split_segment.py" "$tmp/ok.pcap" "$tmp/split$n.pcap" 16993 8443 $n
    run "TLS by content after a $n-byte first segment" 0 "#0 .*:8443 .*TLSv1.2.*keys: decrypted" -- \
        "$amtdiag" -V -r "$tmp/split$n.pcap" --keylog "$s/keylog.txt"
done

# tshark's habits: -o preferences that give keys, the others refused
run "-o tls.keylog_file:" 0 "keys: decrypted" -- \
    "$amtdiag" -V -r "$s/capture.pcapng" -o "tls.keylog_file:$s/keylog.txt"
run "-o ssl.keylog_file: with a space" 0 "keys: decrypted" -- \
    "$amtdiag" -V -r "$s/capture.pcapng" -o "ssl.keylog_file: $s/keylog.txt"
if ls tls.keylog_file* ssl.keylog_file* >/dev/null 2>&1; then
    failed=$((failed + 1))
    echo "FAIL -o tls.keylog_file wrote a report file named after it"
else
    passed=$((passed + 1))
    echo "ok   -o tls.keylog_file writes no file"
fi
run "-o uat:rsa_keys" 0 "keys: decrypted (keys from RSA key amt-key.pem)" -- \
    "$amtdiag" -V -r "$rsa/capture.pcapng" -o "uat:rsa_keys:\"$rsa/amt-key.pem\",\"\""
run "-o tls.keys_list" 0 "keys: decrypted (keys from RSA key amt-key.pem)" -- \
    "$amtdiag" -V -r "$rsa/capture.pcapng" -o "tls.keys_list:0.0.0.0,16993,http,$rsa/amt-key.pem"
run "other -o preference refused" 2 "-o http.tls.port: amtdiag takes no tshark preference" -- \
    "$amtdiag" -r "$s/capture.pcapng" -o "http.tls.port:16993"
run "-o uat table refused" 2 "-o uat:ssl_keys: amtdiag takes no tshark preference" -- \
    "$amtdiag" -r "$s/capture.pcapng" -o 'uat:ssl_keys:"a","b"'
# -o FILE (no preference) and --output still write the report
"$amtdiag" -r "$s/capture.pcapng" --keylog "$s/keylog.txt" -o "$tmp/r.txt" &&
    "$amtdiag" -r "$s/capture.pcapng" --keylog "$s/keylog.txt" --output "$tmp/a.b:c"
if grep -q "amtdiag report" "$tmp/r.txt" && grep -q "amtdiag report" "$tmp/a.b:c"; then
    passed=$((passed + 1))
    echo "ok   -o FILE and --output FILE write the report"
else
    failed=$((failed + 1))
    echo "FAIL -o FILE or --output FILE wrote no report"
fi
run "-f with -r" 2 "-f applies to a live capture" -- "$amtdiag" -r "$s/capture.pcapng" -f "tcp"
run "-w with -r" 2 "-w applies to a live capture" -- "$amtdiag" -r "$s/capture.pcapng" -w "$tmp/w.pcapng"
run "-a duration with -r" 2 "-a duration applies to a live capture" -- \
    "$amtdiag" -r "$s/capture.pcapng" -a duration:3
run "bad -a" 2 "stops a live capture after duration:SECONDS or packets:N" -- \
    "$amtdiag" -i lo -a filesize:10
run "bad -c" 2 "-c x: give the number of packets" -- "$amtdiag" -r "$s/capture.pcapng" -c x
all=$("$amtdiag" --format json -r "$mx/capture.pcapng" --keylog "$mx/keylog.txt" | grep -c '"id" :')
few=$("$amtdiag" --format json -r "$mx/capture.pcapng" --keylog "$mx/keylog.txt" -c 20 | grep -c '"id" :')
if [ "$few" -ge 1 ] && [ "$few" -lt "$all" ]; then
    passed=$((passed + 1))
    echo "ok   -c 20 reads the first 20 frames ($few of $all connections)"
else
    failed=$((failed + 1))
    echo "FAIL -c 20: $few of $all connections"
fi
run "--only HOST:PORT" 1 "#1 192.0.2.10:[0-9]* → 192.0.2.20:16993" -- \
    "$amtdiag" -V -r "$mx/capture.pcapng" --keylog "$mx/keylog.txt" --only 192.0.2.20:16993
if "$amtdiag" -V -r "$mx/capture.pcapng" --only 192.0.2.20:16993 | grep -q ":16992 "; then
    failed=$((failed + 1))
    echo "FAIL --only 192.0.2.20:16993 still reports 16992"
else
    passed=$((passed + 1))
    echo "ok   --only leaves the other connections out"
fi
run "--only no address" 2 "--only amt.example.com: give an IP address" -- \
    "$amtdiag" -r "$s/capture.pcapng" --only amt.example.com

# --cira-port: a tunnel to another port is CIRA when named, and 4433 is no
# longer CIRA when other ports replace it
cira=$samples/cira/cira-wsman-login-rejected
editcap -F pcap "$cira/capture.pcapng" "$tmp/cira4433.pcap"
python3 "$(dirname "$0")/rewrite_port.py" "$tmp/cira4433.pcap" "$tmp/cira8443.pcap" 4433 8443
run "--cira-port names the MPS port" 1 "digest-login-rejected" -- \
    "$amtdiag" -r "$tmp/cira8443.pcap" --keylog "$cira/keylog.txt" --cira-port 8443
run "--cira-port: the tunnel's stage" 1 "REJECTED (stage cira)" -- \
    "$amtdiag" -r "$tmp/cira8443.pcap" --keylog "$cira/keylog.txt" --cira-port 8443
run "--cira-port in the report's inputs" 1 "inputs: .*--cira-port 8443" -- \
    "$amtdiag" -r "$tmp/cira8443.pcap" --keylog "$cira/keylog.txt" --cira-port 8443
# --ca named in the report's inputs (the roots the console, or in a tunnel the
# MPS, trusts)
mca=$samples/cira/cira-amt-cert-untrusted
run "--ca in the report's inputs" 1 "inputs: .*--ca $mca/mps-ca.pem" -- \
    "$amtdiag" -r "$mca/capture.pcapng" --keylog "$mca/keylog.txt" --ca "$mca/mps-ca.pem"
for args in "" "--cira-port 8443 -r $tmp/cira4433.pcap"; do
    [ -n "$args" ] || args="-r $tmp/cira8443.pcap"
    # shellcheck disable=SC2086
    if "$amtdiag" $args --keylog "$cira/keylog.txt" | grep -q "stage cira\|CIRA:"; then
        failed=$((failed + 1))
        echo "FAIL a tunnel off the CIRA ports is read as CIRA ($args)"
    else
        passed=$((passed + 1))
        echo "ok   no CIRA off the CIRA ports ($args)"
    fi
done
run "--cira-port 0" 2 "--cira-port 0: give a TCP port, 1 to 65535" -- \
    "$amtdiag" -r "$s/capture.pcapng" --cira-port 0
run "--cira-port not a number" 2 "--cira-port https: give a TCP port" -- \
    "$amtdiag" -r "$s/capture.pcapng" --cira-port https
run "-n accepted" 0 "OK (stage wsman)" -- "$amtdiag" -n -r "$s/capture.pcapng" --keylog "$s/keylog.txt"
run "-q: no verdict per connection on a pipe" 0 "^0$" -- sh -c \
    "\"$amtdiag\" -q -r - --keylog \"$s/keylog.txt\" <\"$s/capture.pcapng\" | grep -c '^ended:'; true"
run "--psk that is not hex" 2 "--psk needs \[IDENTITY:\]HEX" -- "$amtdiag" -r "$s/capture.pcapng" --psk id:xyz
run "--psk never printed" 0 "--psk admin:…" -- \
    "$amtdiag" -r "$s/capture.pcapng" --keylog "$s/keylog.txt" --psk admin:5ec12e7f00
# the diagnosis: exit status, and the options that feed it
e=$samples/mtls-no-amt-console-eku
run "rejection diagnosed: exit 1" 1 "client-cert-missing-amt-console-oid" -- \
    "$amtdiag" -r "$e/capture.pcapng" --keylog "$e/keylog.txt"
run "nothing rejected: exit 0" 0 "OK (stage wsman)" -- "$amtdiag" -r "$s/capture.pcapng" --keylog "$s/keylog.txt"
run "bad --password syntax" 2 "needs USER:PASSWORD" -- "$amtdiag" -r "$s/capture.pcapng" --password admin
run "empty --password user" 2 "needs USER:PASSWORD" -- "$amtdiag" -r "$s/capture.pcapng" --password :x
printf "# AMT accounts\nadmin:Vpro!Admin-2026\n" >"$tmp/passwords"
w=$samples/digest-wrong-password
run "--password-file" 1 "digest-wrong-password (error)" -- "$amtdiag" -r "$w/capture.pcapng" \
    --keylog "$w/keylog.txt" --password-file "$tmp/passwords"
printf "admin:x\nnocolon\n" >"$tmp/badpasswords"
run "bad --password-file line" 2 "badpasswords: line 2" -- "$amtdiag" -r "$s/capture.pcapng" \
    --password-file "$tmp/badpasswords"
run "missing --password-file" 2 "$tmp/nopasswords" -- "$amtdiag" -r "$s/capture.pcapng" \
    --password-file "$tmp/nopasswords"
run "missing --trusted-root" 2 "$tmp/noroot.pem" -- "$amtdiag" -r "$s/capture.pcapng" \
    --trusted-root "$tmp/noroot.pem"
printf -- "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n" >"$tmp/badroot.pem"
run "malformed --trusted-root" 2 "badroot.pem" -- "$amtdiag" -r "$s/capture.pcapng" \
    --trusted-root "$tmp/badroot.pem"
run "--trusted-root without a certificate" 2 "text.pcap" -- "$amtdiag" -r "$s/capture.pcapng" \
    --trusted-root "$tmp/text.pcap"
run "missing --hosts" 2 "$tmp/nohosts" -- "$amtdiag" -r "$s/capture.pcapng" --hosts "$tmp/nohosts"
printf "192.0.2.10 ws1.example.com\nnot-an-address ws2\n" >"$tmp/hosts"
run "bad --hosts line" 2 "hosts: line 2" -- "$amtdiag" -r "$s/capture.pcapng" --hosts "$tmp/hosts"
run "bad --amt-clock-offset" 2 "amt-clock-offset 3x" -- "$amtdiag" -r "$s/capture.pcapng" \
    --amt-clock-offset 3x
run "bad --color" 2 "use auto, always or never" -- "$amtdiag" -r "$s/capture.pcapng" --color pink
run "bad --trusted-fqdn" 2 "give domains" -- "$amtdiag" -r "$s/capture.pcapng" --trusted-fqdn ""
run "--trusted-fqdn value not a suffix" 2 '"it example.com" is not\|"example..com" is not' -- \
    "$amtdiag" -r "$s/capture.pcapng" --trusted-fqdn "a.example.com,example..com"
# a comma list is two suffixes: the console under the second one passes
m=$samples/mtls-ok
run "--trusted-fqdn comma list" 0 "PASS    6.*" -- "$amtdiag" -r "$m/capture.pcapng" \
    --keylog "$m/keylog.txt" --trusted-fqdn "corp.example.net,it.example.com"
run "missing --ca" 2 "--ca: .*$tmp/noca.pem" -- "$amtdiag" -r "$s/capture.pcapng" --ca "$tmp/noca.pem"
# the console refused AMT's certificate; --ca with the right root settles the issuer
n=$samples/server-name-mismatch-ip
run "--ca that does not hold AMT's root" 1 "does not verify against --ca" -- \
    "$amtdiag" -r "$n/capture.pcapng" --ca "$m/console-cert.pem"
if "$amtdiag" -r "$n/capture.pcapng" --ca "$n/root-ca.pem" 2>&1 | grep -q "server-cert-untrusted"; then
    failed=$((failed + 1))
    echo "FAIL --ca with AMT's root still says server-cert-untrusted"
else
    passed=$((passed + 1))
    echo "ok   --ca with AMT's root clears the issuer"
fi
# Kerberos keys: the old password AMT kept does not open the KDC's ticket
k=$(dirname "$samples")/tests/corpus/kerberos/krb-ap-err-modified-stale-password
spn="HTTP/amt-pc17.vpro.example.com:16992@VPRO.EXAMPLE.COM"
run "--krb-password: AMT's key is not the KDC's" 1 \
    "keys given (password: aes256-cts-hmac-sha1-96.*do not open the ticket" -- \
    "$amtdiag" -r "$k/capture.pcapng" --krb-password "$spn:Amt-Account-2025"
run "--krb-password: the KDC's password opens it" 1 "keys given (password:.*open it" -- \
    "$amtdiag" -r "$k/capture.pcapng" --krb-password "$spn:Amt-Account-2026"
if "$amtdiag" -V --format json -r "$k/capture.pcapng" --krb-password "$spn:Amt-Account-2026" 2>&1 |
    grep -q "Amt-Account-2026"; then
    failed=$((failed + 1))
    echo "FAIL the --krb-password value appears in the report"
else
    passed=$((passed + 1))
    echo "ok   the --krb-password value never appears"
fi
run "--krb-password shows its principal only" 1 "krb-password $spn:…" -- \
    "$amtdiag" -r "$k/capture.pcapng" --krb-password "$spn:Amt-Account-2026"
run "bad --krb-password syntax" 2 "needs PRINCIPAL:PASSWORD" -- "$amtdiag" -r "$k/capture.pcapng" \
    --krb-password "HTTP/amt@REALM"
run "missing --keytab" 2 "$tmp/none.keytab" -- "$amtdiag" -r "$k/capture.pcapng" \
    --keytab "$tmp/none.keytab"
run "--keytab that is no keytab" 2 "text.pcap: not a keytab" -- "$amtdiag" -r "$k/capture.pcapng" \
    --keytab "$tmp/text.pcap"
run "password never printed" 0 "password admin:…" -- "$amtdiag" -r "$s/capture.pcapng" \
    --keylog "$s/keylog.txt" --password "admin:Xyzzy-Secret-42"
if "$amtdiag" -V -r "$s/capture.pcapng" --keylog "$s/keylog.txt" --password "admin:Xyzzy-Secret-42" \
    --format json 2>&1 | grep -q "Xyzzy-Secret-42"; then
    failed=$((failed + 1))
    echo "FAIL the --password value appears in the report"
else
    passed=$((passed + 1))
    echo "ok   the --password value never appears"
fi
# colour only on a terminal (script(1) gives it one), and never with NO_COLOR
esc=$(printf '\033')
run "colour on a terminal" 1 "$esc\\[" -- script -qec "\"$amtdiag\" -r \"$e/capture.pcapng\"" /dev/null
run "NO_COLOR respected" 1 "client-cert-missing-amt-console-oid" -- sh -c \
    "script -qec 'NO_COLOR=1 \"$amtdiag\" -r \"$e/capture.pcapng\"' /dev/null | tee /dev/stderr | \
     grep -q \"$esc\" && exit 3; exit 1"
run "--color always colours" 1 "$(printf '\033')\[" -- "$amtdiag" -r "$e/capture.pcapng" --color always
run "live capture on a missing interface" 2 "nosuchif0" -- "$amtdiag" -i nosuchif0
run "-r and -i together" 2 "cannot be combined" -- "$amtdiag" -i lo -r "$s/capture.pcapng"

# secrets in clear HTTP never reach a report: Basic credentials, and SOAP
# fields such as SetMEBxPassword's Password
python3 - "$tmp/secret.pcap" <<'PY'
import base64, struct, sys
def frame(src, dst, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 64240, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 1, 0x4000, 64, 6, 0,
                     bytes(src), bytes(dst))
    return b"\x02\0\0\0\0\x14" + b"\x02\0\0\0\0\x0a" + b"\x08\x00" + ip + tcp + payload
c, a = [192, 0, 2, 10], [192, 0, 2, 20]
body = (b'<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
        b'xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing"><s:Header><wsa:Action>'
        b'http://intel.com/wbem/wscim/1/amt-schema/1/AMT_SetupAndConfigurationService/SetMEBxPassword'
        b'</wsa:Action></s:Header><s:Body><h:SetMEBxPassword_INPUT '
        b'xmlns:h="http://intel.com/wbem/wscim/1/amt-schema/1/AMT_SetupAndConfigurationService">'
        b'<h:Password>Sup3rSecret!MEBx</h:Password></h:SetMEBxPassword_INPUT></s:Body></s:Envelope>')
cred = base64.b64encode(b"admin:Sup3rSecret!Basic")
req = (b"POST /wsman HTTP/1.1\r\nHost: 192.0.2.20:16992\r\nAuthorization: Basic " + cred +
       b"\r\nContent-Type: application/soap+xml\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
frames = [frame(c, a, 50000, 16992, 100, 0, 0x02), frame(a, c, 16992, 50000, 500, 101, 0x12),
          frame(c, a, 50000, 16992, 101, 501, 0x10), frame(c, a, 50000, 16992, 101, 501, 0x18, req)]
out = open(sys.argv[1], "wb")
out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
for i, f in enumerate(frames):
    out.write(struct.pack("<IIII", 1700000000, i, len(f), len(f)) + f)
PY
"$amtdiag" -V -r "$tmp/secret.pcap" >"$tmp/secret.txt" 2>&1
"$amtdiag" --format json -r "$tmp/secret.pcap" >>"$tmp/secret.txt" 2>&1
if grep -q "SetMEBxPassword" "$tmp/secret.txt" && ! grep -q "Sup3rSecret" "$tmp/secret.txt" &&
    ! grep -q "YWRtaW46U3VwM3JTZWNyZXQhQmFzaWM" "$tmp/secret.txt"; then
    passed=$((passed + 1))
    echo "ok   passwords and Basic credentials are hidden"
else
    failed=$((failed + 1))
    echo "FAIL passwords and Basic credentials are hidden:"
    grep -n "Sup3rSecret\|YWRtaW46\|SetMEBx" "$tmp/secret.txt" | head
fi

# hostile HTTP bodies: an entity bomb, broken XML, an absurd Content-Length —
# each named in the transcript, none may hang or eat memory (ulimit -v)
mk=$(dirname "$0")/make_http_pcap.py
for kind in bomb malformed huge-length many big; do python3 "$mk" "$tmp/$kind.pcap" $kind; done
# ASan reserves terabytes of address space, so a sanitizer build is bounded
# by ASan's own RSS limit instead of ulimit -v
if grep -q __asan_init "$amtdiag"; then
    limited() { ASAN_OPTIONS="$ASAN_OPTIONS:hard_rss_limit_mb=2000" timeout 60 "$@"; }
else
    limited() { sh -c 'ulimit -v 2000000; exec timeout 60 "$@"' limited "$@"; }
fi
run "XML entity bomb refused" 1 "document type declaration.*refused" -- \
    limited "$amtdiag" -V -r "$tmp/bomb.pcap"
run "malformed XML named" 1 "partly malformed: XML error at line 1" -- \
    limited "$amtdiag" -V -r "$tmp/malformed.pcap"
run "absurd Content-Length" 1 "connection closed inside a message body" -- \
    limited "$amtdiag" -V -r "$tmp/huge-length.pcap"
# a body past the 4 MiB kept: its whole length reported, the SOAP decoder's
# refusal, no hash of the prefix in JSON
run "body past the limit: whole length" 1 "POST /wsman (application/soap+xml, 5242993 bytes)" -- \
    limited "$amtdiag" -V -r "$tmp/big.pcap"
run "body past the limit: SOAP refused" 1 "document too large (5242993 bytes, limit 4194304)" -- \
    limited "$amtdiag" -V -r "$tmp/big.pcap"
run "body past the limit: JSON" 0 "^5242993 None document too large" -- sh -c \
    "\"$amtdiag\" --format json -r \"$tmp/big.pcap\" | python3 -c 'import json, sys
r = json.load(sys.stdin)[\"connections\"][0][\"http\"][0][\"request\"]
print(r[\"body_length\"], r[\"body_sha256\"], r[\"soap\"][\"error\"])'"
# a progress line on a terminal for a large input, none in a pipe
run "progress line on a terminal" 1 "many.pcap: [0-9]* frames" -- \
    script -qec "\"$amtdiag\" -r \"$tmp/many.pcap\" >/dev/null" /dev/null
run "no progress line in a pipe" 1 "^0$" -- sh -c \
    "\"$amtdiag\" -r \"$tmp/many.pcap\" 2>&1 >/dev/null | grep -c 'frames,'"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
