#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The plugin's TLS verdicts (iamt.tls) against each sample's expected.json:
# per connection, the TLS-stage cause tokens opening the expert messages
# equal the causes the simulator knows, and samples that went well get
# none. tshark gets the keys amtdiag's tests give: the key log, the
# trusted FQDN suffix and, for the clock samples, AMT's clock offset.
# usage: test_plugin_tls.sh PLUGIN_SO WS_MAJOR_MINOR SAMPLES_DIR
set -u

if [ "${1:-}" = "--run-one" ]; then # worker: tshark on one sample (as nobody)
    d=$2 out=$3
    cap=$(ls "$d"/capture.pcap* | head -n 1)
    set -- -n -2 -r "$cap" -o iamt.trusted_fqdn:it.example.com -Y "_ws.expert" \
        -T fields -E "aggregator=$(printf '\037')" -e tcp.srcport -e tcp.dstport -e _ws.expert.message
    [ -f "$d/keylog.txt" ] && set -- "$@" -o "tls.keylog_file:$d/keylog.txt"
    off=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("amt_clock_offset_s", 0))' \
        "$d/expected.json")
    [ "$off" != 0 ] && set -- "$@" -o "iamt.amt_clock_offset:$off"
    $AS_USER env -u XDG_CONFIG_HOME HOME="$TEST_TMP/home" tshark "$@" >"$out" 2>"$out.err"
    # One pass (verdicts from the facts so far) must reach the same causes.
    case $(basename "$d") in
    mtls-accept-then-close | mtls-untrusted-root | mtls-expired-at-amt-clock | no-shared-cipher)
        shift # -n
        shift # -2
        $AS_USER env -u XDG_CONFIG_HOME HOME="$TEST_TMP/home" tshark -n "$@" >"$out.1pass" 2>&1
        ;;
    esac
    exit 0
fi

so=$1 ver=$2 samples=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home/.local/lib/wireshark/plugins/$ver/epan" "$tmp/samples" "$tmp/out"
cp "$so" "$tmp/home/.local/lib/wireshark/plugins/$ver/epan/"
for d in "$samples"/mtls-* "$samples"/tls-version-mismatch "$samples"/no-shared-cipher \
    "$samples"/legacy-renegotiation-refused "$samples"/server-name-mismatch-ip "$samples"/ok-*; do
    [ -f "$d/expected.json" ] && cp -r "$d" "$tmp/samples/"
done
chmod -R a+rX "$tmp"
AS_USER=
[ "$(id -u)" -eq 0 ] && AS_USER="setpriv --reuid=65534 --regid=65534 --clear-groups"
TEST_TMP=$tmp
export AS_USER TEST_TMP
for d in "$tmp"/samples/*; do
    echo "$d $tmp/out/$(basename "$d").txt"
done | xargs -P 2 -n 2 sh "$0" --run-one

# The TLS-stage cause tokens the plugin registered (iamt.tls.cause.<token>).
$AS_USER env -u XDG_CONFIG_HOME HOME="$tmp/home" tshark -G fields 2>/dev/null |
    awk -F'\t' '$1 == "F" && $3 ~ /^iamt\.tls\.cause\./ {
        sub(/^iamt\.tls\.cause\./, "", $3); gsub(/_/, "-", $3); print $3 }' >"$tmp/tokens.txt"

# The trusted-root preference: the chain is verified against the file
# (every sample's root-ca.pem is the same root): the good console
# certificate passes, the one from another root fails verification.
for s in mtls-ok mtls-untrusted-root; do
    $AS_USER env -u XDG_CONFIG_HOME HOME="$tmp/home" tshark -n -2 -r "$tmp/samples/$s/capture.pcapng" \
        -o "tls.keylog_file:$tmp/samples/$s/keylog.txt" -o iamt.trusted_fqdn:it.example.com \
        -o "iamt.trusted_root:$tmp/samples/mtls-ok/root-ca.pem" -Y iamt.tls \
        -T fields -e iamt.tls.check.console_cert_chain -e _ws.expert.message \
        >"$tmp/root.$s.txt" 2>&1
done
rc=0
grep -q "^pass" "$tmp/root.mtls-ok.txt" || rc=1
grep -q "untrusted-root\|^fail" "$tmp/root.mtls-ok.txt" && rc=1
grep -q "client-cert-untrusted-root: .*does not verify" "$tmp/root.mtls-untrusted-root.txt" || rc=1
if [ $rc -ne 0 ]; then
    echo "FAIL iamt.trusted_root:"
    head -5 "$tmp/root.mtls-ok.txt" "$tmp/root.mtls-untrusted-root.txt"
fi

# iamt.trusted_fqdn is parsed as amtdiag's --trusted-fqdn: a comma list, and
# a value that cannot be a DNS suffix is refused with a message.
$AS_USER env -u XDG_CONFIG_HOME HOME="$tmp/home" tshark -n -r "$tmp/samples/mtls-ok/capture.pcapng" \
    -o "tls.keylog_file:$tmp/samples/mtls-ok/keylog.txt" \
    -o "iamt.trusted_fqdn:corp.example.net, it.example.com" -Y iamt.tls.check.console_cert_fqdn \
    -T fields -e iamt.tls.check.console_cert_fqdn >"$tmp/fqdn.list.txt" 2>&1
$AS_USER env -u XDG_CONFIG_HOME HOME="$tmp/home" tshark -n -r "$tmp/samples/mtls-ok/capture.pcapng" \
    -o "tls.keylog_file:$tmp/samples/mtls-ok/keylog.txt" \
    -o "iamt.trusted_fqdn:it.example.com,bad_name" -Y iamt.tls.check.console_cert_fqdn \
    -T fields -e iamt.tls.check.console_cert_fqdn >"$tmp/fqdn.bad.txt" 2>&1
if ! grep -q "^pass" "$tmp/fqdn.list.txt" || grep -q "^fail" "$tmp/fqdn.list.txt" ||
    ! grep -q '"bad_name" is not a DNS suffix' "$tmp/fqdn.bad.txt" || grep -q "^pass" "$tmp/fqdn.bad.txt"; then
    rc=1
    echo "FAIL iamt.trusted_fqdn lists:"
    head -5 "$tmp/fqdn.list.txt" "$tmp/fqdn.bad.txt"
fi

PYTHONPATH="$(dirname "$0")" python3 - "$tmp" <<'PY' || rc=1
import json, os, sys
tmp = sys.argv[1]
tokens = set(open(os.path.join(tmp, "tokens.txt")).read().split())
from tally import check as _check, finish
def check(name, want, got):
    _check(name, want, got, "expected", "got")
check("TLS cause tokens registered", True, len(tokens) >= 15)
for name in sorted(os.listdir(os.path.join(tmp, "samples"))):
    exp = json.load(open(os.path.join(tmp, "samples", name, "expected.json")))
    out = os.path.join(tmp, "out", name + ".txt")
    err = open(out + ".err").read().strip()
    check(name + ": tshark quiet on stderr", "", err[:300])
    # Per connection (keyed by the console's port): tokens of its frames.
    got = {}
    for line in open(out):
        sport, dport, msgs = (line.rstrip("\n").split("\t") + ["", "", ""])[:3]
        for m in msgs.split("\x1f"):
            tok = m.split(":", 1)[0]
            if tok in tokens:
                port = sport if dport == "16993" else dport
                got.setdefault(port, set()).add(tok)
    for c in exp["connections"]:
        port = c["client"].rsplit(":", 1)[1]
        want = sorted(set(c["causes"]) & tokens)
        check("%s: connection %s" % (name, c["id"]), want, sorted(got.pop(port, set())))
    check(name + ": no verdict on another connection", {}, got)
    one = out + ".1pass"
    if os.path.exists(one):
        toks = lambda f: sorted({m.split(":", 1)[0] for line in open(f)
                                 for m in line.rstrip("\n").split("\t")[-1].split("\x1f")
                                 if m.split(":", 1)[0] in tokens})
        check(name + ": one pass = two passes", toks(out), toks(one))
finish()
PY
exit $rc
