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
# 16994 have the outcomes AMT gave. A console's TLS refused in a channel
# has the same confidence (certain) and frames in both tools.
# usage: test_plugin_cira.sh PLUGIN_SO WS_MAJOR_MINOR CIRA_SAMPLES_DIR AMTDIAG
set -u
so=$1 ver=$2 samples=$3 amtdiag=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home/.local/lib/wireshark/plugins/$ver/epan" "$tmp/samples"
cp "$so" "$tmp/home/.local/lib/wireshark/plugins/$ver/epan/"
cp -r "$samples"/* "$tmp/samples/"
chmod -R a+rX "$tmp"
AS_USER=
[ "$(id -u)" -eq 0 ] && AS_USER="setpriv --reuid=65534 --regid=65534 --clear-groups"
for d in "$tmp"/samples/*/; do
    [ -f "$d/cira-expected.json" ] || continue
    set -- -n -r "$d/capture.pcapng" -o "iamt.trusted_root:$d/root-ca.pem"
    [ -f "$d/keylog.txt" ] && set -- "$@" -o "tls.keylog_file:$d/keylog.txt"
    # the roots the MPS checks AMT's certificate against, where it asks for one
    [ -f "$d/mps-ca.pem" ] && set -- "$@" -o "iamt.console_ca:$d/mps-ca.pem"
    $AS_USER env -u XDG_CONFIG_HOME HOME="$tmp/home" tshark "$@" -q -z iamt,diag -z expert \
        >"$d/tshark.txt" 2>"$d/tshark.err"
    $AS_USER env -u XDG_CONFIG_HOME HOME="$tmp/home" tshark "$@" -Y iamt.apf \
        -T fields -e tcp.dstport -e iamt.apf.type >"$d/apf.txt" 2>>"$d/tshark.err"
    # (two passes: a verdict that needs the rest of the capture, as a
    # console that never answered AMT's 401, is shown from the second on)
    $AS_USER env -u XDG_CONFIG_HOME HOME="$tmp/home" tshark "$@" -2 \
        -Y "iamt.apf.cause || iamt.tls.cause || iamt.auth.cause || iamt.redir.cause" -T fields \
        -E occurrence=a -E aggregator=, -e iamt.apf.cause -e iamt.tls.cause -e iamt.auth.cause \
        -e iamt.redir.cause \
        >"$d/causes.txt" 2>>"$d/tshark.err"
    $AS_USER env -u XDG_CONFIG_HOME HOME="$tmp/home" tshark "$@" -Y http.response.code \
        -T fields -e http.response.code >"$d/http.txt" 2>>"$d/tshark.err"
    $AS_USER env -u XDG_CONFIG_HOME HOME="$tmp/home" tshark "$@" -Y "tls.handshake.type == 1" \
        -T fields -e frame.number >"$d/hello.txt" 2>>"$d/tshark.err"
    $AS_USER env -u XDG_CONFIG_HOME HOME="$tmp/home" tshark "$@" -Y iamt.redir.auth.outcome \
        -T fields -e iamt.redir.auth.outcome >"$d/redir.txt" 2>>"$d/tshark.err"
    set -- -r "$d/capture.pcapng" --trusted-root "$d/root-ca.pem" --format json
    [ -f "$d/keylog.txt" ] && set -- "$@" --keylog "$d/keylog.txt"
    [ -f "$d/mps-ca.pem" ] && set -- "$@" --ca "$d/mps-ca.pem"
    "$amtdiag" "$@" >"$d/amtdiag.json" 2>/dev/null
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
    if [ -n "$filter" ]; then
        set -- -n -r "$d/capture.pcapng" -o "iamt.trusted_root:$d/root-ca.pem"
        [ -f "$d/keylog.txt" ] && set -- "$@" -o "tls.keylog_file:$d/keylog.txt"
        [ -f "$d/mps-ca.pem" ] && set -- "$@" -o "iamt.console_ca:$d/mps-ca.pem"
        $AS_USER env -u XDG_CONFIG_HOME HOME="$tmp/home" tshark "$@" -2 -Y "$filter" \
            -T fields -e frame.number >"$d/expert.txt" 2>>"$d/tshark.err"
    fi
    # a console's TLS refused in a channel: the finding's confidence and
    # frames, to match amtdiag's (in TLS 1.3 the console's Certificate
    # counts only once decrypted)
    : >"$d/chan-refused.txt"
    if grep -q '"cira-channel-tls-refused"' "$d/cira-expected.json"; then
        set -- -n -r "$d/capture.pcapng" -o "iamt.trusted_root:$d/root-ca.pem"
        [ -f "$d/keylog.txt" ] && set -- "$@" -o "tls.keylog_file:$d/keylog.txt"
        $AS_USER env -u XDG_CONFIG_HOME HOME="$tmp/home" tshark "$@" -2 \
            -Y iamt.cira.cause.cira_channel_tls_refused -T fields -E occurrence=a \
            -E aggregator=, -e iamt.finding.confidence -e iamt.finding.frame \
            >"$d/chan-refused.txt" 2>>"$d/tshark.err"
    fi
done
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
    sides = {"amt": [], "mps": []}
    for line in open(os.path.join(d, "apf.txt")).read().splitlines():
        port, _, types = line.partition("\t")
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
    statuses = sorted(open(os.path.join(d, "http.txt")).read().split())
    want_http = sorted(exp["http_statuses"] + exp.get("https_statuses", []))
    if statuses != want_http:
        problems.append("HTTP in the channels %s, expected %s" % (statuses, want_http))
    hellos = open(os.path.join(d, "hello.txt")).read().split()
    # (samples recorded before tls_channels was written: one, where HTTPS answered)
    tls_channels = exp.get("tls_channels", 1 if exp.get("https_statuses") else 0)
    if tls_channels and len(hellos) != 1 + tls_channels:
        problems.append("ClientHellos in frames %s: the tunnel's and %d in its TLS channels "
                        "expected" % (hellos, tls_channels))
    on_frames = [c for c in exp["causes"]
                 if c not in ("cira-tcp-refused", "cira-tcp-unanswered",
                              "cira-tls-version-refused", "cira-tls-cipher-refused")]
    names = {"1": "challenge", "2": "accepted", "3": "rejected", "4": "unsupported", "5": "other"}
    redir = [names.get(v, v) for v in open(os.path.join(d, "redir.txt")).read().split()]
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
