#!/bin/sh
# make demo: the motivating case — TLS mutual authentication rejected
# because the console certificate lacks the Intel AMT console EKU — shown
# from the bundled sample.
set -eu
build=${1:-build}
sample=samples/mtls-no-amt-console-eku
[ -f "$sample/capture.pcapng" ] || { echo "demo: $sample is missing" >&2; exit 1; }

echo "== Sample: $sample"
python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"])' "$sample/expected.json"
echo
echo "== tshark's view of the capture (TLS handshake, alerts, HTTP)"
tshark -n -r "$sample/capture.pcapng" -d tcp.port==16993,tls -o http.tls.port:443,16993 \
    -o "tls.keylog_file:$sample/keylog.txt" \
    -Y 'tls.handshake.type or tls.alert_message or http or tcp.flags.fin==1 or tcp.flags.reset==1' 2>/dev/null
echo
echo "== The console certificate's extended key usages, as sent in the handshake"
tshark -n -r "$sample/capture.pcapng" -d tcp.port==16993,tls \
    -Y 'tls.handshake.type==11 and tcp.srcport!=16993' -T fields \
    -e frame.number -e x509ce.KeyPurposeId 2>/dev/null |
    sed 's/1\.3\.6\.1\.5\.5\.7\.3\.2/clientAuth (1.3.6.1.5.5.7.3.2)/'
echo "   (the Intel AMT console usage 2.16.840.1.113741.1.2.1 is not among them)"
echo
echo "== amtdiag's transcript of the capture"
"$build/analyzer/amtdiag" -V -r "$sample/capture.pcapng" --keylog "$sample/keylog.txt"
echo "== What the sample records (expected.json)"
python3 -c '
import json,sys
e=json.load(open(sys.argv[1]))
for c in e["connections"]:
    print("  connection %d %s -> %s: %s at %s: %s" % (c["id"], c["client"], c["server"],
          c["outcome"], c["stage"], ", ".join(c["causes"]) or "-"))
' "$sample/expected.json"
