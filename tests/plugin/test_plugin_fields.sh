#!/bin/sh
# The plugin's fields, Info sentences and expert infos on every sample,
# compared with golden files; and, independently of those goldens, the
# login and WS-Man cause tokens the plugin reports compared with each
# sample's expected.json (what the simulator knows happened).
# usage: test_plugin_fields.sh PLUGIN_SO WS_MAJOR_MINOR SAMPLES_DIR GOLDEN_DIR [--update]
#   --update rewrites the golden files (review the diff before keeping it).
#
# tshark runs as nobody with a private HOME whose personal plugin folder
# holds the plugin (tshark as root ignores personal plugin folders). Home
# "pw" has the iamt_passwords table filled (admin / Vpro!Admin-2026, the
# simulator's real admin password); home "plain" has none.
set -u

sep=$(printf '\037') # aggregator between occurrences: expert texts hold commas

# Fields of the goldens, one column each; the expert messages come last.
# The Info column is read from tshark's summary lines and inserted second
# (ws_version.py says why, and what else differs between Wireshark versions).
FIELDS="frame.number wsman.action_name wsman.class wsman.message_id
wsman.relates_to wsman.selector wsman.return_value wsman.fault.subcode wsman.response_in
wsman.request_in iamt.eoi.service iamt.eoi.method iamt.eoi.status_code iamt.eoi.response_in
iamt.eoi.request_in iamt.auth.scheme iamt.auth.username iamt.auth.nc iamt.auth.stale
iamt.auth.outcome iamt.auth.challenge_in iamt.fw_version iamt.auth.cause wsman.cause
iamt.redir.cause iamt.finding.confidence iamt.finding.evidence _ws.expert.message"

as_user() { # as_user HOME_NAME command...
    h=$1
    shift
    if [ "$(id -u)" -eq 0 ]; then
        setpriv --reuid=65534 --regid=65534 --clear-groups \
            env -u XDG_CONFIG_HOME HOME="$tmp/$h" "$@"
    else
        env -u XDG_CONFIG_HOME HOME="$tmp/$h" "$@"
    fi
}

# run_sample DIR OUT [extra tshark options]: the fields of the iamt and
# wsman frames of the sample in DIR, two passes (so that requests show
# their response frame), as raw tab-separated text.
run_sample() {
    d=$1 out=$2
    shift 2
    cap=$(ls "$d"/capture.pcap* | head -n 1)
    set -- "$@" -n -r "$cap" -Y "iamt || wsman || iamt.redir" -T fields -E header=y \
        -E "aggregator=$sep"
    [ -f "$d/keylog.txt" ] && set -- "$@" -o "tls.keylog_file:$d/keylog.txt"
    for f in $FIELDS; do
        set -- "$@" -e "$f"
    done
    as_user pw tshark "$@" >"$out" 2>"$out.err"
}

# The worker xargs starts per sample (same script, exported variables):
# the fields, and the Info column of the same frames from the summary lines.
if [ "${1:-}" = "--run-one" ]; then
    tmp=$TEST_TMP
    d=$2
    base=$tmp/out/$(basename "$d")
    run_sample "$d" "$base.raw" -2
    cap=$(ls "$d"/capture.pcap* | head -n 1)
    set -- -2 -n -r "$cap" -Y "iamt || wsman || iamt.redir" -T tabs -o "$INFO_COLUMNS"
    [ -f "$d/keylog.txt" ] && set -- "$@" -o "tls.keylog_file:$d/keylog.txt"
    as_user pw tshark "$@" >"$base.info" 2>>"$base.raw.err"
    exit 0
fi

so=$1 ver=$2 samples=$3 golden=$4 update=${5:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for h in pw plain; do
    mkdir -p "$tmp/$h/.local/lib/wireshark/plugins/$ver/epan" "$tmp/$h/.config/wireshark"
    cp "$so" "$tmp/$h/.local/lib/wireshark/plugins/$ver/epan/"
done
printf '"admin","Vpro!Admin-2026"\n' >"$tmp/pw/.config/wireshark/iamt_passwords"
mkdir -p "$tmp/samples" "$tmp/out"
# Flat copies, readable by nobody (dumpcap and key files can be 0600);
# recorded-on-loopback/X becomes recorded-on-loopback.X.
for e in "$samples"/*/expected.json "$samples"/*/*/expected.json; do
    [ -f "$e" ] || continue
    d=$(dirname "$e")
    name=$(echo "${d#"$samples"/}" | tr '/' '.')
    cp -r "$d" "$tmp/samples/$name"
done
chmod -R a+rX "$tmp"

passed=0 failed=0
check() { # check NAME EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $1"
        echo "     expected: $2"
        echo "     got:      $3"
    fi
}

# Every sample at once, a few tshark processes in parallel (each is ~1 s
# of start-up, mostly).
here=$(cd "$(dirname "$0")" && pwd)
INFO_COLUMNS=$(python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import ws_version; print(ws_version.INFO_COLUMNS)' "$here")
TEST_TMP=$tmp FIELDS=$FIELDS
export TEST_TMP FIELDS INFO_COLUMNS
ls -d "$tmp"/samples/* | xargs -P 4 -n 1 sh "$0" --run-one

# The cause tokens the plugin can report, from its expert items
# (iamt.cause.digest_wrong_password → digest-wrong-password,
# iamt.redir.cause.redir_session_busy → redir-session-busy).
as_user plain tshark -G fields 2>/dev/null >"$tmp/fields.txt"
as_user plain tshark -G values 2>/dev/null >"$tmp/values.txt"
tokens=$(awk -F'\t' '$1 == "F" && $3 ~ /^(iamt|wsman|iamt\.redir)\.cause\./ {
    sub(/^[a-z.]+\.cause\./, "", $3); gsub(/_/, "-", $3); print $3 }' "$tmp/fields.txt" | sort -u)

# ... which are those docs/causes.md documents for the login, WS-Man and
# redirection stages (so an empty list cannot make the cause checks below
# vacuous).
documented=$(awk '/^## / { keep = /stage `(http-auth|wsman|redirection)`/ }
    keep && /^### `/ { gsub(/[#` ]/, ""); print }' "$samples/../docs/causes.md" | sort -u)
check "expert causes = docs/causes.md's http-auth, wsman and redirection causes" \
    "$(echo "$documented" | tr '\n' ' ')" "$(echo "$tokens" | tr '\n' ' ')"

# The cause tokens of a raw output (iamt.auth.cause, wsman.cause and
# iamt.redir.cause, the 4th to 6th columns from the end).
reported() {
    awk -F'\t' 'NR > 1 { print $(NF - 5); print $(NF - 4); print $(NF - 3) }' "$1" |
        tr "$sep" '\n' |
        sort -u | grep -Fx "$tokens" | tr '\n' ' '
}

# The login and WS-Man cause tokens each expected.json lists, one line
# per sample ("name: token token "), read in one go.
python3 -c '
import json, os, sys
for d in sorted(sys.argv[2:]):
    e = json.load(open(os.path.join(d, "expected.json")))
    conns = e.get("connections", []) + e.get("dns", [])
    found = {t for x in conns for t in x.get("causes", [])}
    print(os.path.basename(d) + ":", " ".join(sorted(found & set(sys.argv[1].split()))))
' "$tokens" "$tmp"/samples/* >"$tmp/expected.txt"
expected_causes() {
    sed -n "s/^$1: //p" "$tmp/expected.txt" | tr ' ' '\n' | grep . | tr '\n' ' '
}

# Every sample's raw fields in golden form, in one run: the enumerated
# fields by name (-T fields prints their numbers; the value sets tshark -G
# values lists), and the Info column and version differences as
# ws_version.py says.
PYTHONPATH=$here python3 - "$tmp/out" "$tmp/values.txt" "$sep" "$ver" <<'PY'
import os, sys
import ws_version
out, values, sep, ver = sys.argv[1:5]
names = {}
for line in open(values):
    c = line.rstrip("\n").split("\t")
    if len(c) == 4 and c[0] == "V" and c[1].startswith("iamt."):
        names.setdefault(c[1], {})[c[2]] = c[3]
for f in sorted(os.listdir(out)):
    if not f.endswith(".raw"):
        continue
    raw = os.path.join(out, f)
    lines = open(raw, encoding="utf-8").read().split("\n")
    head = lines[0].split("\t")
    for n, line in enumerate(lines[1:], 1):
        cells = line.split("\t")
        for i, h in enumerate(head):
            if h in names and i < len(cells) and cells[i]:
                cells[i] = sep.join(names[h].get(v, "?" + v) for v in cells[i].split(sep))
        lines[n] = "\t".join(cells)
    open(raw, "w", encoding="utf-8").write("\n".join(lines))
    with open(raw[:-4] + ".tsv", "w", encoding="utf-8") as t:
        t.write(ws_version.golden(ver, raw, raw[:-4] + ".info", ["iamt.auth.stale"], sep))
PY

n=0
for d in "$tmp"/samples/*; do
    name=$(basename "$d")
    raw="$tmp/out/$name.raw"
    n=$((n + 1))
    if [ -s "$raw.err" ]; then
        check "$name: tshark quiet on stderr" "" "$(head -c 300 "$raw.err")"
    fi
    if [ "$update" = "--update" ]; then
        cp "$tmp/out/$name.tsv" "$golden/$name.tsv"
    fi
    if [ -f "$golden/$name.tsv" ]; then
        if cmp -s "$golden/$name.tsv" "$tmp/out/$name.tsv"; then
            check "$name: golden" same same
        else
            check "$name: golden" same "differs:
$(diff "$golden/$name.tsv" "$tmp/out/$name.tsv" | head -n 20)"
        fi
    else
        check "$name: golden" "$golden/$name.tsv" "missing (run with --update)"
    fi
    check "$name: causes as in expected.json" "$(expected_causes "$name")" \
        "$(reported "$raw")"
done
# Expert summaries are short sentences (the cause in words), whole: the
# longest of every sample's is well under Wireshark's 240-byte label.
longest=$(cat "$tmp"/out/*.raw | awk -F'\t' 'NR > 1 { print $NF }' | tr "$sep" '\n' |
    awk '{ n = length($0); if (n > m) m = n } END { print m + 0 }')
check "the longest expert summary fits a label (< 200 bytes)" yes \
    "$([ "$longest" -gt 20 ] && [ "$longest" -lt 200 ] && echo yes || echo "$longest bytes")"
check "every sample has a golden and no golden lacks a sample" "$n" \
    "$(ls "$golden"/*.tsv | wc -l)"

# Without the passwords table a refused login is only "rejected"; with the
# password the console really used, the right password was refused.
d="$tmp/samples/digest-wrong-password"
pwfile=$tmp/pw/.config/wireshark/iamt_passwords
mv "$pwfile" "$tmp/iamt_passwords.off"
run_sample "$d" "$tmp/out/nopw.raw"
check "no passwords: digest-login-rejected" "digest-login-rejected " "$(reported "$tmp/out/nopw.raw")"
run_sample "$d" "$tmp/out/used.raw" -o 'uat:iamt_passwords:"admin","Vpro!Admin-2025"'
check "the password used: digest-correct-password-rejected" "digest-correct-password-rejected " \
    "$(reported "$tmp/out/used.raw")"
mv "$tmp/iamt_passwords.off" "$pwfile"

# The password is in no field, column or expert text.
got=$(as_user pw tshark -n -2 -V -r "$d/capture.pcapng" -o "tls.keylog_file:$d/keylog.txt" \
    2>&1 | grep -c 'Vpro!Admin')
check "password never shown (tshark -V)" 0 "$got"

# SOAP on a port that is not AMT's stays XML's: with 16992 removed from
# iamt.http_ports and detection by content off (HTTP still found by
# tshark's heuristic), the 9 SOAP bodies are XML and none is wsman, and no
# login is followed. (With detection on, test_plugin_ports.sh finds AMT.)
d="$tmp/samples/ok-http-16992"
got=$(as_user plain tshark -n -r "$d/capture.pcapng" -o iamt.http_ports:1 \
    -o iamt.detect_by_content:FALSE \
    -Y "xml || wsman || iamt.auth.scheme || iamt.auth.outcome" \
    -T fields -e xml -e wsman -e iamt.auth.outcome 2>/dev/null |
    awk -F'\t' '$1 != "" { x++ } $2 $3 != "" { w++ }
        END { printf "%d xml, %d wsman or login", x, w }')
check "SOAP elsewhere: XML, not wsman" "9 xml, 0 wsman or login" "$got"

# Every new field is registered exactly once.
new_fields="wsman.action wsman.action_name wsman.to wsman.resource_uri wsman.class
wsman.message_id wsman.relates_to wsman.selector wsman.enumeration_context
wsman.operation_timeout wsman.body wsman.field wsman.item wsman.return_value
wsman.return_value_name wsman.fault.code wsman.fault.subcode wsman.fault.reason
wsman.response_in wsman.request_in wsman.time iamt.eoi.service iamt.eoi.method
iamt.eoi.status_code iamt.eoi.status_name iamt.eoi.response_in iamt.eoi.request_in
iamt.eoi.time iamt.auth.scheme iamt.auth.username iamt.auth.realm iamt.auth.nonce
iamt.auth.uri iamt.auth.qop iamt.auth.nc iamt.auth.stale iamt.auth.outcome
iamt.auth.challenge_in"
awk -F'\t' '$1 == "F" && $3 ~ /^(iamt|wsman)\./ { n[$3]++ }
    END { for (f in n) print f, n[f] }' "$tmp/fields.txt" >"$tmp/counts.txt"
for f in $new_fields; do
    check "$f registered once" "$f 1" "$(grep "^$f " "$tmp/counts.txt")"
done
dups=$(awk '$2 > 1 { printf "%s ", $1 }' "$tmp/counts.txt")
check "no iamt/wsman field registered twice" "" "$dups"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
