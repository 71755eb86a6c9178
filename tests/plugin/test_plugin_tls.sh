#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The plugin's TLS verdicts (iamt.tls) against each sample's expected.json:
# per connection, the TLS-stage cause tokens (iamt.tls.cause) equal the
# causes the simulator knows, each with its expert info whose summary is
# the cause in words, and samples that went well get none. tshark gets the
# keys amtdiag's tests give: the key log, the trusted FQDN suffix and, for
# the clock samples, AMT's clock offset. The enumerated check statuses are
# read through display filters (iamt.tls.check.console_cert_chain == "pass").
# usage: test_plugin_tls.sh PLUGIN_SO WS_MAJOR_MINOR SAMPLES_DIR
set -u

if [ "${1:-}" = "--run-one" ]; then # worker: tshark on one sample (as nobody)
    d=$2 out=$3
    cap=$(ls "$d"/capture.pcap* | head -n 1)
    set -- -n -2 -r "$cap" -o iamt.trusted_fqdn:it.example.com -Y "_ws.expert || iamt.tls.cause" \
        -T fields -E "aggregator=$(printf '\037')" -e tcp.srcport -e tcp.dstport -e iamt.tls.cause \
        -e _ws.expert.message
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

# The TLS-stage cause tokens the plugin registered (iamt.tls.cause.<token>),
# each with its expert summary (the cause in words).
$AS_USER env -u XDG_CONFIG_HOME HOME="$tmp/home" tshark -G fields 2>/dev/null |
    awk -F'\t' '$1 == "F" && $3 ~ /^iamt\.tls\.cause\./ {
        sub(/^iamt\.tls\.cause\./, "", $3); gsub(/_/, "-", $3); print $3 "\t" $2 }' >"$tmp/tokens.txt"

ts() { $AS_USER env -u XDG_CONFIG_HOME HOME="$tmp/home" tshark "$@"; }
# count SAMPLE FILTER [options]: how many frames of SAMPLE match FILTER.
count() {
    s=$1 f=$2
    shift 2
    ts -n -2 -r "$tmp/samples/$s/capture.pcapng" -o "tls.keylog_file:$tmp/samples/$s/keylog.txt" \
        "$@" -Y "$f" -T fields -e frame.number 2>"$tmp/count.err" | wc -l
}
rc=0
expect() { # expect WHAT WANT GOT
    if [ "$2" != "$3" ]; then
        rc=1
        echo "FAIL $1: expected $2, got $3 $(head -c 300 "$tmp/count.err")"
    fi
}

# The trusted-root preference: the chain is verified against the file
# (every sample's root-ca.pem is the same root): the good console
# certificate passes, the one from another root fails verification, and
# the evidence names the preference.
root="iamt.trusted_root:$tmp/samples/mtls-ok/root-ca.pem"
fq=iamt.trusted_fqdn:it.example.com
# The frames of mtls-ok with AMT's checklist (each connection's, on its
# decisive frames): every check below holds on each of them.
n=$(count mtls-ok iamt.tls.check.console_cert_chain -o $fq)
[ "$n" -ge 2 ] || expect "mtls-ok: frames with AMT's checklist" "2 or more" "$n"
expect "iamt.trusted_root: mtls-ok passes" "$n" \
    "$(count mtls-ok 'iamt.tls.check.console_cert_chain == "pass"' -o "$root" -o $fq)"
expect "iamt.trusted_root: mtls-ok, nothing fails" 0 \
    "$(count mtls-ok 'iamt.tls.check.console_cert_chain == "fail" || iamt.tls.cause' -o "$root" -o $fq)"
expect "iamt.trusted_root: mtls-untrusted-root fails, named in Wireshark's words" 1 \
    "$(count mtls-untrusted-root 'iamt.tls.cause == "client-cert-untrusted-root" &&
        iamt.finding.evidence contains "does not verify against iamt.trusted_root" &&
        iamt.tls.check.console_cert_chain == "fail"' -o "$root" -o $fq)"

# iamt.trusted_fqdn is parsed as amtdiag's --trusted-fqdn: a comma list, and
# a value that cannot be a DNS suffix is refused with a message.
expect "iamt.trusted_fqdn: a comma list" "$n" \
    "$(count mtls-ok 'iamt.tls.check.console_cert_fqdn == "pass"' \
        -o "iamt.trusted_fqdn:corp.example.net, it.example.com")"
expect "iamt.trusted_fqdn: a bad list is not used" "$n" \
    "$(count mtls-ok 'iamt.tls.check.console_cert_fqdn == "unknown"' \
        -o "iamt.trusted_fqdn:it.example.com,bad_name")"
grep -q '"bad_name" is not a DNS suffix' "$tmp/count.err" ||
    expect "iamt.trusted_fqdn: a bad list is refused with a message" message none

# iamt.hosts_file names the console's address (/etc/hosts syntax) for the
# reverse-DNS check: unknown without it (what settles it is named in
# Wireshark's words), pass with the certificate's name, fail with another.
printf '# consoles\n192.0.2.10 console01.it.example.com\n' >"$tmp/hosts.good"
printf '192.0.2.10 someone-else.example.com\n' >"$tmp/hosts.other"
printf '192.0.2.10 console01.it.example.com\nnot-an-address name\n' >"$tmp/hosts.bad"
chmod a+r "$tmp"/hosts.*
expect "iamt.hosts_file: unset, unknown and how to settle it" "$n" \
    "$(count mtls-ok 'iamt.tls.check.console_cert_reverse_dns == "unknown" &&
        iamt.tls.check.settle contains "iamt.hosts_file (/etc/hosts syntax)"' -o $fq)"
expect "iamt.hosts_file: the certificate's name" "$n" \
    "$(count mtls-ok 'iamt.tls.check.console_cert_reverse_dns == "pass"' -o $fq \
        -o "iamt.hosts_file:$tmp/hosts.good")"
expect "iamt.hosts_file: another name" "$n" \
    "$(count mtls-ok 'iamt.tls.check.console_cert_reverse_dns == "fail" &&
        iamt.tls.check.evidence contains "(iamt.hosts_file)"' -o $fq -o "iamt.hosts_file:$tmp/hosts.other")"
expect "iamt.hosts_file: a bad file is not used" "$n" \
    "$(count mtls-ok 'iamt.tls.check.console_cert_reverse_dns == "unknown"' -o $fq \
        -o "iamt.hosts_file:$tmp/hosts.bad")"
grep -q "iamt.hosts_file: $tmp/hosts.bad: line 2: expected an IPv4 or IPv6 address" "$tmp/count.err" ||
    expect "iamt.hosts_file: a bad file is refused with its line" message "$(cat "$tmp/count.err")"

# Long texts (a finding's evidence, the candidates) are shown whole in the
# tree, broken between words over several lines: tshark -V's lines of each
# joined with spaces give the field's value (a word cut in two would not).
s=mtls-fqdn-not-trusted
set -- -n -r "$tmp/samples/$s/capture.pcapng" -o "tls.keylog_file:$tmp/samples/$s/keylog.txt" \
    -Y iamt.tls.candidates
ts "$@" -V >"$tmp/long.V" 2>&1
ts "$@" -T fields -E "aggregator=$(printf '\037')" -e iamt.finding.evidence \
    -e iamt.tls.candidates >"$tmp/long.fields" 2>&1

# Plain HTTP to the TLS port, sent by curl (the third-party corpus): the
# evidence quotes the console's first bytes, which the plugin reads from
# the frame's TCP header and payload.
plain=$(cd "$(dirname "$0")/../corpus/third-party/plain-http-to-tls-port-curl" && pwd)
cp "$plain/capture.pcapng" "$tmp/plain-http.pcapng"
chmod a+r "$tmp/plain-http.pcapng"
expect "plain HTTP to 16993: the console's first bytes quoted" 1 \
    "$(ts -n -r "$tmp/plain-http.pcapng" -Y 'iamt.tls.cause == "plain-http-to-tls-port"' -T fields \
        -e iamt.finding.evidence 2>"$tmp/count.err" |
        grep -c "first bytes to port 16993 were an HTTP request (\"POST /wsman HTTP…\")")"

PYTHONPATH="$(dirname "$0")" python3 - "$tmp" <<'PY' || rc=1
import json, os, re, sys
tmp = sys.argv[1]
from tally import check as _check, finish
# The long texts as tshark -V shows them: "[Name: first line …]" and, one
# level deeper, the rest of the text, a line each.
shown, cur, depth = [], None, 0
lines = open(os.path.join(tmp, "long.V"), encoding="utf-8").read().split("\n")
for line in lines:
    ind = len(line) - len(line.lstrip(" "))
    m = re.match(r"\s*\[(Evidence|Candidates): (.*) …\]$", line)
    if m:
        cur, depth = [m.group(2)], ind
        shown.append(cur)
    elif cur is not None and ind > depth and line.strip():
        cur.append(line.strip())
    else:
        cur = None
shown = sorted({" ".join(t) for t in shown})
values = sorted({v for line in open(os.path.join(tmp, "long.fields"), encoding="utf-8")
                 for cell in line.rstrip("\n").split("\t") for v in cell.split("\x1f")
                 if len(v) > 200})
_check("long texts shown whole, broken between words (tshark -V = the fields' values)",
       values, shown)
_check("some long texts", True, len(values) >= 2)
_check("no line of tshark -V longer than Wireshark's 240-byte label", [],
       [l[:60] for l in lines if len(l.strip().encode()) > 240])
words = dict(l.rstrip("\n").split("\t", 1) for l in open(os.path.join(tmp, "tokens.txt")))
tokens = set(words)
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
        sport, dport, causes, msgs = (line.rstrip("\n").split("\t") + ["", "", "", ""])[:4]
        for tok in filter(None, causes.split("\x1f")):
            port = sport if dport == "16993" else dport
            got.setdefault(port, set()).add(tok)
            # its expert info: the cause in words, short and whole
            check("%s: %s's expert summary" % (name, tok), True,
                  words.get(tok, "?") in msgs.split("\x1f") and len(words[tok]) < 200)
    for c in exp["connections"]:
        port = c["client"].rsplit(":", 1)[1]
        want = sorted(set(c["causes"]) & tokens)
        check("%s: connection %s" % (name, c["id"]), want, sorted(got.pop(port, set())))
    check(name + ": no verdict on another connection", {}, got)
    one = out + ".1pass"
    if os.path.exists(one):
        toks = lambda f: sorted({t for line in open(f)
                                 for t in (line.split("\t") + ["", "", ""])[2].split("\x1f") if t})
        check(name + ": one pass = two passes", toks(out), toks(one))
finish()
PY
exit $rc
