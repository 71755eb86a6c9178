#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tshark -q -z iamt,diag against amtdiag: for every sample, with the same
# keys given to both (key log, trusted FQDN suffix, AMT clock offset), the
# same connections with the same stage, outcome and cause tokens (errors
# and warnings), and the same findings about no single connection. The
# whole output is also compared with golden files (GOLDEN_DIR/SAMPLE.stat.txt).
# -z iamt,conns, the statistic's old name, prints the same. (Wireshark's
# Statistics › iAMT Diagnosis is checked against it in test_plugin_gui.sh.)
# usage: test_plugin_stat.sh PLUGIN_SO WS_MAJOR_MINOR SAMPLES_DIR AMTDIAG GOLDEN_DIR [--update]
#   --update rewrites the golden files (review the diff before keeping it).
set -u

if [ "${1:-}" = "--run-one" ]; then # worker: both tools on one sample
    d=$2 out=$3
    cap=$(ls "$d"/capture.pcap* | head -n 1)
    off=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("amt_clock_offset_s", 0))' \
        "$d/expected.json")
    set -- -n -q -r "$cap" -o iamt.trusted_fqdn:it.example.com
    [ -f "$d/keylog.txt" ] && set -- "$@" -o "tls.keylog_file:$d/keylog.txt"
    [ "$off" != 0 ] && set -- "$@" -o "iamt.amt_clock_offset:$off"
    $AS_USER env -u XDG_CONFIG_HOME HOME="$TEST_TMP/home" tshark "$@" -z iamt,diag \
        >"$out.tshark" 2>"$out.err"
    case $d in
    */mixed-outcomes)
        $AS_USER env -u XDG_CONFIG_HOME HOME="$TEST_TMP/home" tshark "$@" -z iamt,conns \
            >"$out.conns" 2>>"$out.err"
        ;;
    esac
    set -- -r "$cap" --trusted-fqdn it.example.com --format json
    [ -f "$d/keylog.txt" ] && set -- "$@" --keylog "$d/keylog.txt"
    [ "$off" != 0 ] && set -- "$@" --amt-clock-offset "$off"
    "$AMTDIAG" "$@" >"$out.json" 2>/dev/null
    exit 0
fi

so=$1 ver=$2 samples=$3 amtdiag=$4 golden=$5 update=${6:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home/.local/lib/wireshark/plugins/$ver/epan" "$tmp/samples" "$tmp/out"
cp "$so" "$tmp/home/.local/lib/wireshark/plugins/$ver/epan/"
for e in "$samples"/*/expected.json "$samples"/*/*/expected.json; do
    [ -f "$e" ] || continue
    d=$(dirname "$e")
    cp -r "$d" "$tmp/samples/$(echo "${d#"$samples"/}" | tr '/' '.')"
done
chmod -R a+rX "$tmp"
AS_USER=
[ "$(id -u)" -eq 0 ] && AS_USER="setpriv --reuid=65534 --regid=65534 --clear-groups"
TEST_TMP=$tmp AMTDIAG=$amtdiag
export AS_USER TEST_TMP AMTDIAG
for d in "$tmp"/samples/*; do
    echo "$d $tmp/out/$(basename "$d")"
done | xargs -P 2 -n 2 sh "$0" --run-one

PYTHONPATH="$(dirname "$0")" python3 - "$tmp" "$golden" "$update" <<'PY'
import json, os, re, sys
tmp, golden, update = sys.argv[1:4]
from tally import check as _check, finish
def check(name, want, got):
    _check(name, want, got, "amtdiag", "tshark")
# Known differences, each with its reason: Wireshark cannot reassemble an
# HTTP response across bytes missing from the capture, where amtdiag still
# reads its status line from the first segment.
known = {"tcp-pathologies: 192.0.2.10:50114 -> 192.0.2.20:16993",
         "tcp-pathologies: 192.0.2.10:50115 -> 192.0.2.20:16992"}
for name in sorted(os.listdir(os.path.join(tmp, "samples"))):
    out = os.path.join(tmp, "out", name)
    check(name + ": tshark quiet on stderr", "", open(out + ".err").read().strip()[:300])
    try:
        a = json.load(open(out + ".json"))
    except ValueError:
        check(name + ": amtdiag report", "json", "unreadable")
        continue
    want = {}
    for c in a["connections"]:
        toks = sorted({f["cause"] for f in c["findings"] if f["severity"] in ("error", "warning")})
        want[c["client"] + " -> " + c["server"]] = (c["stage"], c["outcome"], toks)
    want_global = sorted({f["cause"] for f in a["findings"] if f["severity"] in ("error", "warning")})
    got, got_global, in_table = {}, [], False
    for line in open(out + ".tshark"):
        line = line.rstrip("\n")
        if line.startswith("#    client"):
            in_table = True
            continue
        p = line.split("(notes:")[0].split()
        if not in_table or len(p) < 6:
            continue
        if p[0] == "-":  # "-  (no single connection)  dns  -  tokens"
            got_global = sorted(t for t in p[6:] if t != "-")
        elif p[0].isdigit() and p[2] == "->":
            got[p[1] + " -> " + p[3]] = (p[4], p[5], sorted(t for t in p[6:] if t != "-"))
    check(name + ": table printed", True, in_table)
    gold = os.path.join(golden, name + ".stat.txt")
    text = open(out + ".tshark").read()
    if update == "--update":
        open(gold, "w").write(text)
    check(name + ": golden " + os.path.basename(gold),
          open(gold).read() if os.path.exists(gold) else "(missing: run with --update)", text)
    for k in sorted(set(want) | set(got)):
        key = "%s: %s" % (name, k)
        if key in known:
            check(key + " (known difference)", True, want.get(k) != got.get(k))
        else:
            check(key, want.get(k), got.get(k))
    check(name + ": findings about no single connection", want_global, got_global)
    if os.path.exists(out + ".conns"):
        check(name + ": -z iamt,conns = -z iamt,diag", text, open(out + ".conns").read())
check("-z iamt,conns was run", True, os.path.exists(os.path.join(tmp, "out", "mixed-outcomes.conns")))
names = sorted(os.listdir(os.path.join(tmp, "samples")))
goldens = sorted(f[:-len(".stat.txt")] for f in os.listdir(golden) if f.endswith(".stat.txt"))
check("a golden per sample, none without one", names, goldens)
finish()
PY
