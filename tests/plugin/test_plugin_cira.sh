#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tshark -q -z iamt,diag against amtdiag on every CIRA sample
# (samples/cira): with the same key log and AMT's trusted root, the same
# stage, outcome and cause tokens, and both what cira-expected.json states;
# the APF messages of each side decoded by the plugin (iamt.apf.type) are
# the ones the simulator sent; the causes of stage cira are on their frames
# (iamt.apf.cause, or iamt.tls.cause for the tunnel's TLS, or
# iamt.auth.cause or iamt.redir.cause for a login inside a channel; each with its expert
# info; read with -2, as the verdicts that need the rest of the capture
# are shown from the second pass on); the HTTP inside the channels (WS-Man
# to 16992, and to 16993 inside the console's own TLS, which Wireshark's TLS
# dissector decrypts in the channel's conversation) is Wireshark's HTTP
# with the statuses AMT answered, and the redirection logins in channels to
# 16994 have the outcomes AMT gave; the TLS alerts of a console's session
# inside a channel are not taken for the tunnel's. A console's TLS refused
# in a channel has the same confidence (certain) and frames in both tools.
# tshark runs three to five times per sample: the statistics (-q, no
# filter), one single pass whose -T fields rows (every frame, each field
# empty where the frame lacks it) give the APF types, HTTP statuses,
# ClientHellos and redirection logins (a field filled on a row is what
# -Y FIELD would have matched on that frame), and the -2 runs.
# usage: test_plugin_cira.sh PLUGIN_SO WS_MAJOR_MINOR CIRA_SAMPLES_DIR AMTDIAG
set -u

if [ "${1:-}" = "--run-one" ]; then # worker: the runs of one sample, as nobody
    d=$2
    ts() { $AS_USER env -u XDG_CONFIG_HOME HOME="$TEST_TMP/home" tshark "$@"; }
    set -- -n -r "$d/capture.pcapng" -o "iamt.trusted_root:$d/root-ca.pem"
    [ -f "$d/keylog.txt" ] && set -- "$@" -o "tls.keylog_file:$d/keylog.txt"
    # the roots the MPS checks AMT's certificate against, where it asks for one
    [ -f "$d/mps-ca.pem" ] && set -- "$@" -o "iamt.console_ca:$d/mps-ca.pem"
    ts "$@" -q -z iamt,diag -z expert >"$d/tshark.txt" 2>"$d/tshark.err"
    # every frame, one row each: frame, TCP destination port, APF types,
    # HTTP statuses, TLS handshake types, redirection login outcomes, the
    # AMT causes the plugin reads into the tunnel's own TLS alerts
    ts "$@" -T fields -E occurrence=a -E aggregator=, -e frame.number -e tcp.dstport \
        -e iamt.apf.type -e http.response.code -e tls.handshake.type \
        -e iamt.redir.auth.outcome -e iamt.tls.alert_cause >"$d/fields.txt" 2>>"$d/tshark.err"
    # (two passes: a verdict that needs the rest of the capture, as a
    # console that never answered AMT's 401, is shown from the second on)
    ts "$@" -2 \
        -Y "iamt.apf.cause || iamt.tls.cause || iamt.auth.cause || iamt.redir.cause" -T fields \
        -E occurrence=a -E aggregator=, -e iamt.apf.cause -e iamt.tls.cause -e iamt.auth.cause \
        -e iamt.redir.cause \
        >"$d/causes.txt" 2>>"$d/tshark.err"
    # the expert items of the causes of stage cira, by their filter names
    # (the TLS stage's under iamt.tls; those of TCP and of the MPS's
    # refusals of AMT's ClientHello are on no frame)
    filter=$(python3 -c 'import json,sys
OFF_FRAMES = ("cira-tcp-refused", "cira-tcp-unanswered", "cira-tls-version-refused",
              "cira-tls-cipher-refused")
c = json.load(open(sys.argv[1]))["connections"][0]["causes"]
print(" || ".join(("iamt.tls" if t.startswith(("cira-tls-", "cira-mps-", "cira-amt-")) else "iamt.cira")
                  + ".cause." + t.replace("-", "_") for t in c
                  if t.startswith("cira-") and t not in OFF_FRAMES))' \
        "$d/cira-expected.json")
    : >"$d/expert.txt"
    # (an expert item's field prints nothing with -e: found by -Y alone)
    [ -n "$filter" ] && ts "$@" -2 -Y "$filter" -T fields -e frame.number \
        >"$d/expert.txt" 2>>"$d/tshark.err"
    # a console's TLS refused in a channel: the finding's confidence and
    # frames, to match amtdiag's (in TLS 1.3 the console's Certificate
    # counts only once decrypted)
    : >"$d/chan-refused.txt"
    grep -q '"cira-channel-tls-refused"' "$d/cira-expected.json" &&
        ts "$@" -2 -Y iamt.cira.cause.cira_channel_tls_refused -T fields -E occurrence=a \
            -E aggregator=, -e iamt.finding.confidence -e iamt.finding.frame \
            >"$d/chan-refused.txt" 2>>"$d/tshark.err"
    set -- -r "$d/capture.pcapng" --trusted-root "$d/root-ca.pem" --format json
    [ -f "$d/keylog.txt" ] && set -- "$@" --keylog "$d/keylog.txt"
    [ -f "$d/mps-ca.pem" ] && set -- "$@" --ca "$d/mps-ca.pem"
    "$AMTDIAG" "$@" >"$d/amtdiag.json" 2>/dev/null
    # ... and with the tunnel's key alone (the key log's first line), both
    # tools' verdicts and notes: no refusal claimed that TLS 1.3 hides
    : >"$d/tunnel-only.txt"
    : >"$d/tunnel-only.json"
    if grep -q '"cira-channel-tls-refused"' "$d/cira-expected.json"; then
        head -n 1 "$d/keylog.txt" >"$d/tunnel-key.txt"
        ts -n -r "$d/capture.pcapng" -o "iamt.trusted_root:$d/root-ca.pem" \
            -o "tls.keylog_file:$d/tunnel-key.txt" -q -z iamt,diag >"$d/tunnel-only.txt" \
            2>>"$d/tshark.err"
        "$AMTDIAG" -r "$d/capture.pcapng" --trusted-root "$d/root-ca.pem" \
            --keylog "$d/tunnel-key.txt" --format json >"$d/tunnel-only.json" 2>/dev/null
    fi
    exit 0
fi

so=$1 ver=$2 samples=$3 amtdiag=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home/.local/lib/wireshark/plugins/$ver/epan" "$tmp/samples"
cp "$so" "$tmp/home/.local/lib/wireshark/plugins/$ver/epan/"
cp -r "$samples"/* "$tmp/samples/"
chmod -R a+rX "$tmp"
AS_USER=
[ "$(id -u)" -eq 0 ] && AS_USER="setpriv --reuid=65534 --regid=65534 --clear-groups"
TEST_TMP=$tmp AMTDIAG=$amtdiag
export AS_USER TEST_TMP AMTDIAG
for d in "$tmp"/samples/*/; do
    [ -f "$d/cira-expected.json" ] && echo "$d"
done | xargs -P 2 -n 1 sh "$0" --run-one
python3 - "$tmp/samples" "$(dirname "$0")/../oracle" <<'PY'
import json, os, sys
root = sys.argv[1]
sys.path.insert(0, sys.argv[2])
from check_cira import NAMES  # the oracle's table of APF names
bad = n = 0
for name in sorted(os.listdir(root)):
    d = os.path.join(root, name)
    if not os.path.isfile(os.path.join(d, "cira-expected.json")):
        continue
    n += 1
    exp = json.load(open(os.path.join(d, "cira-expected.json")))["connections"][0]
    want = (exp["stage"], exp["outcome"], sorted(exp["causes"]))
    txt = open(os.path.join(d, "tshark.txt")).read()
    # the row's cells; its causes are space-separated, its notes after them
    rows = [l.split("(notes:")[0].split() for l in txt.splitlines() if "-> 127.0.0.1:4433" in l]
    problems = []
    if len(rows) != 1:
        problems.append("-z iamt,diag: %d rows" % len(rows))
    else:
        r = rows[0]
        causes = [] if r[6] == "-" else sorted(r[6:])
        got = (r[4], r[5], causes)
        if got != want:
            problems.append("tshark %s, expected %s" % (got, want))
    a = {}
    try:
        a = json.load(open(os.path.join(d, "amtdiag.json")))["connections"][0]
        ga = (a["stage"], a["outcome"], sorted(f["cause"] for f in a["findings"]
                                              if f["severity"] in ("error", "warning")))
        if ga != want:
            problems.append("amtdiag %s, expected %s" % (ga, want))
    except (ValueError, KeyError, IndexError) as e:
        problems.append("amtdiag report unreadable: %s" % e)
    # the single pass's rows: frame, TCP port, APF types, HTTP statuses,
    # TLS handshake types, redirection login outcomes, alert causes
    # (occurrences comma-joined); a cell is filled where -Y on its field
    # would match
    rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(d, "fields.txt"))]
    if any(len(r) != 7 for r in rows):
        problems.append("tshark -T fields: rows of %s cells"
                        % sorted({len(r) for r in rows if len(r) != 7}))
        rows = [r for r in rows if len(r) == 7]
    # the TLS of a console inside a channel is its own: its alerts are not
    # the tunnel's, which has none where the simulator's tunnel sent none
    if not exp["alerts"]:
        alerted = [r[0] for r in rows if r[6]]
        if alerted:
            problems.append("the tunnel's TLS has no alert, yet the plugin reads one in "
                            "frames %s" % alerted)
    sides = {"amt": [], "mps": []}
    for r in rows:
        port, types = r[1], r[2]
        for t in types.split(","):
            if t:
                sides["amt" if port == "4433" else "mps"].append(NAMES.get(int(t), t))
    for side in ("amt", "mps"):
        if sides[side] != exp["apf_" + side]:
            problems.append("plugin decoded from %s %s, expected %s" % (side, sides[side],
                                                                        exp["apf_" + side]))
    found = {t for line in open(os.path.join(d, "causes.txt"))
             for t in line.strip().replace("\t", ",").split(",")}
    # HTTP in the channels to 16992, and inside the TLS of those to 16993
    # (the consoles' sessions interleave: compared as sets of answers)
    statuses = sorted(v for r in rows for v in r[3].split())
    want_http = sorted(exp["http_statuses"] + exp.get("https_statuses", []))
    if statuses != want_http:
        problems.append("HTTP in the channels %s, expected %s" % (statuses, want_http))
    hellos = [r[0] for r in rows if "1" in r[4].split(",")]
    # (samples recorded before tls_channels was written: one, where HTTPS answered)
    tls_channels = exp.get("tls_channels", 1 if exp.get("https_statuses") else 0)
    if tls_channels and len(hellos) != 1 + tls_channels:
        problems.append("ClientHellos in frames %s: the tunnel's and %d in its TLS channels "
                        "expected" % (hellos, tls_channels))
    on_frames = [c for c in exp["causes"]
                 if c not in ("cira-tcp-refused", "cira-tcp-unanswered",
                              "cira-tls-version-refused", "cira-tls-cipher-refused")]
    names = {"1": "challenge", "2": "accepted", "3": "rejected", "4": "unsupported", "5": "other"}
    redir = [names.get(v, v) for r in rows for v in r[5].split()]
    if redir != exp.get("redir_logins", []):
        problems.append("redirection logins in the channels %s, expected %s"
                        % (redir, exp.get("redir_logins", [])))
    for c in on_frames:
        if c not in found:
            problems.append("no frame has the cause %s" % c)
    if any(c.startswith("cira-") for c in on_frames) and \
            not open(os.path.join(d, "expert.txt")).read().split():
        problems.append("no expert item of %s on a frame" % on_frames)
    if "cira-channel-tls-refused" in exp["causes"]:
        conf = {"0": "certain", "1": "likely"}
        got = [l.split("\t") for l in open(os.path.join(d, "chan-refused.txt")).read().split("\n")
               if l]
        got = [(conf.get(c, c), [int(x) for x in f.split(",")]) for c, f in got]
        try:
            want_f = [(f["confidence"], f["frames"]) for f in a["findings"]
                      if f["cause"] == "cira-channel-tls-refused"]
        except KeyError:
            want_f = None
        if got != want_f or not got or got[0][0] != "certain":
            problems.append("cira-channel-tls-refused: plugin %s, amtdiag %s (certain expected)"
                            % (got, want_f))
        # with the tunnel's key alone: the same stage, outcome, causes and
        # tls-not-decrypted (or not) in both tools
        row = [l.split("(notes:") for l in open(os.path.join(d, "tunnel-only.txt"))
               if "-> 127.0.0.1:4433" in l]
        try:
            t = json.load(open(os.path.join(d, "tunnel-only.json")))["connections"][0]
            at = (t["stage"], t["outcome"],
                  sorted(f["cause"] for f in t["findings"] if f["severity"] in ("error", "warning")),
                  any(f["cause"] == "tls-not-decrypted" for f in t["findings"]))
        except (ValueError, KeyError, IndexError) as e:
            at = "unreadable: %s" % e
        pt = None
        if len(row) == 1:
            cells = row[0][0].split()
            pt = (cells[4], cells[5], [] if cells[6] == "-" else sorted(cells[6:]),
                  len(row[0]) > 1 and "tls-not-decrypted" in row[0][1])
        if pt != at:
            problems.append("with the tunnel's key alone: plugin %s, amtdiag %s" % (pt, at))
    err = open(os.path.join(d, "tshark.err")).read()
    if "Dissector bug" in err or "dissector table" in err:
        problems.append("tshark: " + err.strip()[:200])
    for p in problems:
        print("FAIL %s: %s" % (name, p))
    if problems:
        bad += 1
    else:
        print("ok   %s" % name)
print("%d CIRA samples, %d with differences" % (n, bad))
sys.exit(1 if bad or not n else 0)
PY
