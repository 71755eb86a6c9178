#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The same on every pass. Wireshark dissects a frame again for a display
# filter, the Expert Information dialog, a statistic or tshark -2, often
# without a protocol tree (tshark -2 -q, a GUI retap). For every sample
# (CIRA tunnels included) and every redirection capture make_redir_pcap.py
# writes, with the keys, preferences and passwords table the other tests
# use, these are equal in
# tshark's single pass and with -2:
#   - tshark -z expert, -z iamt,diag, and the Info column of the frames
#     the plugin speaks on, from summary lines (-T tabs: no tree on the
#     second pass, and the Info column as Wireshark shows it, see
#     ws_version.py);
#   - every iamt.* and wsman.* field and the expert messages of those
#     frames (-T fields, -Y iamt||wsman).
# Two exceptions are named, both things a single pass cannot know when it
# dissects the frame because they rest on frames after it:
#   - a request's link to its response (wsman.response_in,
#     iamt.eoi.response_in) is known only once the response was read, as
#     for Wireshark's own http.response_in; it is checked to be there with
#     -2 instead;
#   - the Kerberos verdicts of the whole capture on a frame before the
#     traffic that settles them (a 401 after which the console never got a
#     ticket or never sent a token, a TGS-REQ the KDC refuses later) are
#     shown from the second pass on, beside the marker iamt.late. A frame
#     with the marker in -2 must show everything the single pass showed on
#     it (each value of each field, each expert message), and more; the
#     expert messages it adds are taken off -2's -z expert counts before
#     those are compared; the marker never appears in the single pass.
#     Every other frame is compared whole.
# usage: test_plugin_passes.sh PLUGIN_SO WS_MAJOR_MINOR SAMPLES_DIR
set -u

if [ "${1:-}" = "--run-one" ]; then # worker: the four runs of one capture, as nobody
    cap=$2 keys=$3 off=$4 out=$5
    set -- -n -r "$cap" -o iamt.trusted_fqdn:it.example.com
    [ -f "$keys" ] && set -- "$@" -o "tls.keylog_file:$keys"
    [ "$off" != 0 ] && set -- "$@" -o "iamt.amt_clock_offset:$off"
    # AMT's Kerberos keys, where the capture comes with them
    [ -f "$(dirname "$keys")/amt.keytab" ] && set -- "$@" -o "iamt.keytab:$(dirname "$keys")/amt.keytab"
    ts() { $AS_USER env -u XDG_CONFIG_HOME HOME="$TEST_TMP/home" tshark "$@"; }
    ts "$@" -T tabs -o "$INFO_COLUMNS" -z expert -z iamt,diag >"$out.q1" 2>"$out.err"
    ts "$@" -2 -T tabs -o "$INFO_COLUMNS" -z expert -z iamt,diag >"$out.q2" 2>>"$out.err"
    # shellcheck disable=SC2086
    ts "$@" -Y "iamt || wsman" -T fields -E header=y -E occurrence=a -E "aggregator=$AGG" \
        $FIELD_OPTS >"$out.f1" 2>>"$out.err"
    # shellcheck disable=SC2086
    ts "$@" -2 -Y "iamt || wsman" -T fields -E header=y -E occurrence=a -E "aggregator=$AGG" \
        $FIELD_OPTS >"$out.f2" 2>>"$out.err"
    exit 0
fi

so=$1 ver=$2 samples=$3
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home/.local/lib/wireshark/plugins/$ver/epan" "$tmp/home/.config/wireshark" \
    "$tmp/caps/redir" "$tmp/out"
cp "$so" "$tmp/home/.local/lib/wireshark/plugins/$ver/epan/" || exit 1
printf '"admin","Vpro!Admin-2026"\n' >"$tmp/home/.config/wireshark/iamt_passwords"
# The captures, flat, each with its key log and AMT clock offset: "cap keys offset name".
for e in "$samples"/*/expected.json "$samples"/*/*/expected.json \
    "$samples"/cira/*/cira-expected.json; do
    [ -f "$e" ] || continue
    d=$(dirname "$e")
    name=$(echo "${d#"$samples"/}" | tr '/' '.')
    cp -r "$d" "$tmp/caps/$name"
done
# (the redirection captures once, with the samples; PASSES_CORPUS=1: a corpus alone)
[ -n "${PASSES_CORPUS:-}" ] || python3 "$here/make_redir_pcap.py" "$tmp/caps/redir" >/dev/null || exit 1
chmod -R a+rwX "$tmp"
# (one interpreter for every capture: each start costs more than the reading)
python3 - "$tmp/caps" <<'PY' >"$tmp/list"
import glob, json, os, sys
for d in sorted(glob.glob(os.path.join(sys.argv[1], "*", ""))):
    name = os.path.basename(os.path.dirname(d))
    if os.path.isfile(os.path.join(d, "cira-expected.json")):
        off = 0  # CIRA tunnels: no AMT clock (AMT is the client)
        cap = os.path.join(d, "capture.pcapng")
    elif os.path.isfile(os.path.join(d, "expected.json")):
        off = json.load(open(os.path.join(d, "expected.json"))).get("amt_clock_offset_s", 0)
        cap = sorted(glob.glob(os.path.join(d, "capture.pcap*")))[0]
    else:
        continue
    print(cap, os.path.join(d, "keylog.txt"), off, name)
PY
for c in "$tmp"/caps/redir/*.pcap; do
    [ -f "$c" ] || continue
    echo "$c $tmp/caps/redir/sol-tls.keylog 0 redir.$(basename "$c" .pcap)"
done >>"$tmp/list"

AS_USER=
[ "$(id -u)" -eq 0 ] && AS_USER="setpriv --reuid=65534 --regid=65534 --clear-groups"
# Every field the plugin registers (expert items included), then the
# frame, Info column and expert messages.
fields=$($AS_USER env -u XDG_CONFIG_HOME HOME="$tmp/home" tshark -G fields 2>/dev/null |
    awk -F'\t' '$1 == "F" && $3 ~ /^(iamt|wsman)\./ { print $3 }' | sort -u)
FIELD_OPTS="-e frame.number -e _ws.expert.message"
for f in $fields; do
    FIELD_OPTS="$FIELD_OPTS -e $f"
done
AGG=$(printf '\037')
INFO_COLUMNS=$(python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import ws_version; print(ws_version.INFO_COLUMNS)' "$here")
TEST_TMP=$tmp
export AS_USER TEST_TMP FIELD_OPTS AGG INFO_COLUMNS
while read -r cap keys off name; do
    echo "$cap $keys $off $tmp/out/$name"
done <"$tmp/list" | xargs -P 2 -n 4 sh "$0" --run-one

PYTHONPATH=$here python3 - "$tmp" <<'PY'
import os, sys
from tally import check, finish
tmp = sys.argv[1]
out = os.path.join(tmp, "out")
FORWARD = ("wsman.response_in", "iamt.eoi.response_in")
names = sorted(f[:-3] for f in os.listdir(out) if f.endswith(".q1"))
# At least this much must have been seen: captures, expert items, forward
# links, field values (the samples and redirection captures; a corpus
# alone sets PASSES_MIN).
# A fifth number: at least this many frames with a verdict from later frames
# (the samples: plain-http-refused-tls-only on the SYN AMT reset, at least two).
mins = [int(x) for x in os.environ.get("PASSES_MIN", "40 30 40 1000 2").split()] + [0]
check("captures compared", True, len(names) >= mins[0])
iamt_expert = forward_links = fields_seen = late_frames = 0
from collections import Counter

def table(path):
    rows = [l.rstrip("\n").split("\t") for l in open(path)]
    return rows[0], rows[1:]

# Wireshark's own Kerberos dissector (protocol KRB5) speaks of the keys it
# learns and lacks as it decrypts ("Missing keytype 18 usage 3 ...",
# "Used keymap=..."): Wireshark 4.6 does so a different number of times
# with -2, as its key bookkeeping runs again on the second pass. That is
# Wireshark's behaviour, not the plugin's, so its KRB5 expert items are left
# out of both passes before they are compared: the rows of -z expert
# (each section's count taken again without them) and their messages in
# _ws.expert.message. Every other protocol's items are compared whole.
import re
SECTION = re.compile(r"^(Errors|Warns|Warnings|Notes|Chats|Comments) \((\d+)\)$")
ROW = re.compile(r"^\s+(\d+)\s+\S+\s+(\S+)\s+(.*)$")
OWN = "KRB5"

def without_own(stats, late=Counter()):
    """stats without the KRB5 rows of -z expert, and the messages dropped;
    late: iAMT expert messages (and how many of each) to take off too."""
    out, dropped, sec = [], set(), None
    for l in stats.splitlines(True):
        m = SECTION.match(l.strip())
        if m:
            sec = [m.group(1), 0, [], len(out)]
            out.append(None)  # the header, written once its rows are known
            continue
        r = ROW.match(l.rstrip("\n")) if sec else None
        if r:
            n = int(r.group(1)) - (late[r.group(3)] if r.group(2) == "iAMT" else 0)
            if r.group(2) == "iAMT" and n != int(r.group(1)):
                if n > 0:
                    sec[1] += n
                    l = l.replace(r.group(1), str(n), 1)
                    sec[2].append(l)
                    out.append(l)
            elif r.group(2) == OWN:
                dropped.add(r.group(3))
            else:
                sec[1] += int(r.group(1))
                sec[2].append(l)
                out.append(l)
            continue
        if sec and (l.startswith("====") or ("Frequency" in l and "Protocol" in l)):
            out.append(l)
            continue
        if sec:
            out[sec[3]] = "%s (%d)\n" % (sec[0], sec[1]) if sec[2] else ""
            if not sec[2]:  # a section of KRB5 items alone: gone whole
                k = sec[3] + 1
                while k < len(out) and out[k] is not None and (
                        out[k].startswith("====") or "Frequency" in out[k]):
                    out[k] = ""
                    k += 1
            sec = None
        out.append(l)
    if sec:
        out[sec[3]] = "%s (%d)\n" % (sec[0], sec[1]) if sec[2] else ""
        if not sec[2]:
            for k in range(sec[3] + 1, len(out)):
                out[k] = ""
    # blank lines left out too: a section gone whole leaves its own behind
    return "".join(x for x in out if x and x.strip()), dropped

def drop_messages(rows, col, own):
    for r in rows:
        if col < len(r):
            r[col] = AGG.join(m for m in r[col].split(AGG) if m not in own)
    return rows

AGG = "\037"
for n in names:
    p = os.path.join(out, n)
    check(n + ": tshark quiet on stderr", "", open(p + ".err").read()[:300])
    head, one = table(p + ".f1")
    head2, two = table(p + ".f2")
    # Summary lines ("frame<TAB>Info") of the plugin's frames, and the
    # statistics that follow them.
    shown = {r[0] for r in one + two}
    def summary(path):
        lines, stats = [], []
        for l in open(path):
            c = l.rstrip("\n").split("\t")
            if len(c) == 2 and c[0].strip().isdigit():
                if c[0].strip() in shown:
                    lines.append(l)
            else:
                stats.append(l)
        return lines, "".join(stats)
    (i1, q1), (i2, q2) = summary(p + ".q1"), summary(p + ".q2")
    msg = head.index("_ws.expert.message")
    # The frames with verdicts from later frames (-2 only), and the expert
    # messages -2 adds on them.
    li = head.index("iamt.late")
    check(n + ": no verdict from later frames on the single pass", [],
          [r[0] for r in one if r[li]])
    late = {r[0] for r in two if r[li]}
    late_frames += len(late)
    by_frame = {r[0]: r for r in one}
    added = Counter()
    for r in two:
        if r[0] not in late:
            continue
        mine = by_frame.get(r[0], [r[0]] + [""] * (len(r) - 1))
        cells = lambda c: Counter(v for v in c.split(AGG) if v)
        lost = [(head[i], sorted(cells(mine[i]) - cells(r[i]))) for i in range(len(r))
                if cells(mine[i]) - cells(r[i])]
        check(n + ": frame %s: -2 keeps what one pass shows, adding the late verdict" % r[0],
              [], lost)
        added += cells(r[msg]) - cells(mine[msg])
    (q1, own1), (q2, own2) = without_own(q1), without_own(q2, added)
    one, two = drop_messages(one, msg, own1 | own2), drop_messages(two, msg, own1 | own2)
    one = [r for r in one if r[0] not in late]
    two = [r for r in two if r[0] not in late]
    check(n + ": -z expert, iamt,diag (no tree on pass 2), one pass = two", q1, q2)
    check(n + ": Info of the plugin's frames, one pass = two", i1, i2)
    check(n + ": an Info line per plugin frame", len(shown), len(i1))
    iamt_expert += sum(int(l.split()[0]) for l in q1.splitlines() if " iAMT " in l)
    fwd = [head.index(f) for f in FORWARD]
    # The forward links: absent on the single pass, present (for the
    # requests answered) on the second.
    forward_links += sum(1 for r in two for i in fwd if r[i])
    check(n + ": no forward link on the single pass", [], [r[i] for r in one for i in fwd if r[i]])
    strip = lambda rows: [[c for i, c in enumerate(r) if i not in fwd] for r in rows]
    check(n + ": fields and expert messages, one pass = two", strip(one), strip(two))
    fields_seen += sum(1 for r in one for c in r[2:] if c)
# Not vacuous: the plugin did speak, with expert items in the tree-less pass.
check("iAMT expert items counted (-z expert, all captures)", True, iamt_expert >= mins[1])
check("forward links shown with -2", True, forward_links >= mins[2])
check("frames with verdicts from later frames (-2)", True, late_frames >= mins[4])
check("iamt/wsman field values compared", True, fields_seen >= mins[3])
print("compared: %d captures, %d iAMT expert items, %d field values, %d forward links, "
      "%d frames with verdicts from later frames"
      % (len(names), iamt_expert, fields_seen, forward_links, late_frames))
finish()
PY
