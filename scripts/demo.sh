#!/bin/sh
# make demo: the motivating case — TLS mutual authentication rejected
# because the console certificate lacks the Intel AMT console EKU — as
# amtdiag diagnoses it from the bundled sample, with tshark's view beside.
set -eu
build=${1:-build}
sample=samples/mtls-no-amt-console-eku
[ -f "$sample/capture.pcapng" ] || { echo "demo: $sample is missing" >&2; exit 1; }

echo "== Sample: $sample"
python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"])' "$sample/expected.json"
echo
echo "== What tshark shows: a handshake ending in an alert from AMT"
tshark -n -r "$sample/capture.pcapng" -d tcp.port==16993,tls -o http.tls.port:443,16993 \
    -o "tls.keylog_file:$sample/keylog.txt" \
    -Y 'tls.handshake.type or tls.alert_message or http or tcp.flags.fin==1 or tcp.flags.reset==1' 2>/dev/null
echo
echo "== What amtdiag says"
# exit status 1 means "a rejection was diagnosed": expected here
status=0
"$build/analyzer/amtdiag" -r "$sample/capture.pcapng" --keylog "$sample/keylog.txt" \
    --trusted-fqdn it.example.com || status=$?
[ "$status" -le 1 ] || exit "$status"
echo "== The same as a ticket attachment: amtdiag ... --format html -o report.html"
echo "   (or --format markdown; --redact removes addresses, names, user names and nonces)"
