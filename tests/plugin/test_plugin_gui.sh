#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The plugin in the Wireshark GUI: wireshark-qt on a virtual X display
# (xvfb-run), as user nobody with the plugin from the build tree.
# 1. On samples/mixed-outcomes the test opens the Statistics menu, finds
#    "iAMT Diagnosis" in it by OCR (tesseract) of a screenshot, clicks it,
#    waits for the dialog, clicks its Copy button (found the same way) and
#    reads the clipboard (xclip): the rows must be those tshark prints for
#    -z iamt,diag on the same capture and keys, with each connection's
#    tcp.stream and frames (tshark's tcp.stream of its ports, its first and
#    last frame) and its causes in words (as docs/causes.md words them).
#    Wireshark's table dialog has no row action a plugin can set (see
#    plugin/iamt-stat-table.c), so the test double-clicks no row.
# 2. On samples/mtls-expired-at-amt-clock it opens Analyze › Expert
#    Information (the GUI dissects every frame again for it, without a
#    tree): the iAMT rows read by OCR, severity and count, must be those of
#    the iamt expert items tshark shows for the same capture and keys.
# Screenshots are kept in KEEP_DIR when given (docs/plugin-statistics.png
# and docs/plugin-expert-info.png come from there) and in the working
# directory when the test fails.
# usage: test_plugin_gui.sh PLUGIN_SO WS_MAJOR_MINOR SAMPLES_DIR [KEEP_DIR]
set -u

if [ "${1:-}" = "--in-x" ]; then # worker, on the virtual display
    t=$2
    find_word() { # find_word PNG WORD [PREV_WORD]: "x y" of WORD's centre
        tesseract "$1" - tsv 2>/dev/null | awk -F'\t' -v w="$2" -v p="${3:-}" '
            $12 == w && (p == "" || prev == p) { print int($7 + $9 / 2), int($8 + $10 / 2); exit }
            { prev = $12 }'
    }
    # start DIR [options]: Wireshark on DIR/capture.pcapng with its key log;
    # sets pid.
    start() {
        d=$1
        shift
        wireshark -r "$d/capture.pcapng" -o "tls.keylog_file:$d/keylog.txt" \
            -o iamt.trusted_fqdn:it.example.com "$@" >>"$t/wireshark.log" 2>&1 &
        pid=$!
        win=$(timeout 60 xdotool search --sync --onlyvisible --name "capture.pcapng" | head -n 1)
        [ -n "$win" ] || { echo "no Wireshark main window" >"$t/error"; exit 1; }
        xdotool windowsize "$win" 1400 1000
        sleep 4
    }
    # menu KEY WORD PREV_WORD NAME: opens the menu alt+KEY, clicks its item
    # WORD (after PREV_WORD) found by OCR of menu NAME's screenshot.
    menu() {
        at=
        for attempt in 1 2 3; do
            # No window manager: a click in the packet list gives the focus.
            xdotool mousemove 700 300 click 1
            sleep 1
            xdotool key "alt+$1"
            sleep 2
            import -window root "$t/$4.png"
            at=$(find_word "$t/$4.png" "$2" "$3")
            [ -n "$at" ] && break
            xdotool key Escape
            sleep 2
        done
        [ -n "$at" ] || { echo "no '$3 $2' in the menu" >"$t/error"; exit 1; }
        # shellcheck disable=SC2086
        xdotool mousemove $at click 1
    }
    start "$t/s"
    trap 'kill $pid 2>/dev/null' EXIT
    menu s Diagnosis iAMT menu
    dlg=$(timeout 30 xdotool search --sync --onlyvisible --name "iAMT Diagnosis" | head -n 1)
    [ -n "$dlg" ] || { echo "the menu entry opened no dialog" >"$t/error"; exit 1; }
    xdotool windowmove "$dlg" 60 120 windowsize "$dlg" 1200 330
    sleep 3
    import -window "$dlg" "$t/dialog.png"
    copy=$(find_word "$t/dialog.png" Copy)
    [ -n "$copy" ] || { echo "no Copy button in the dialog" >"$t/error"; exit 1; }
    # The table fills once Wireshark has retapped the capture: copy until
    # it has rows (or give up after 20 s; the check outside then fails).
    for attempt in $(seq 20); do
        # shellcheck disable=SC2086
        xdotool mousemove --window "$dlg" $copy click 1
        sleep 1
        xclip -o -selection clipboard >"$t/copied.txt" 2>"$t/xclip.err"
        grep -q '192\.0\.2\.' "$t/copied.txt" && break
    done
    kill $pid
    wait $pid 2>/dev/null

    start "$t/e" -o iamt.amt_clock_offset:39744000
    menu a Information Expert analyze
    dlg=$(timeout 30 xdotool search --sync --onlyvisible --name "Expert Information" | head -n 1)
    [ -n "$dlg" ] || { echo "Analyze > Expert Information opened no dialog" >"$t/error"; exit 1; }
    xdotool windowmove "$dlg" 20 80 windowsize "$dlg" 1360 420
    # The dialog fills once Wireshark has dissected the capture again.
    sleep 6
    import -window "$dlg" "$t/expert.png"
    : >"$t/done"
    exit 0
fi

so=$1 ver=$2 samples=$3 keep=${4:-}
for tool in wireshark tshark xvfb-run xauth xdotool import tesseract xclip; do
    command -v $tool >/dev/null 2>&1 || {
        echo "FAIL: $tool is missing (make deps installs it)"
        echo "0 passed, 1 failed"
        exit 1
    }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home/.local/lib/wireshark/plugins/$ver/epan" "$tmp/home/.config/wireshark"
cp "$so" "$tmp/home/.local/lib/wireshark/plugins/$ver/epan/" || exit 1
cp -r "$samples/mixed-outcomes" "$tmp/s" || exit 1
cp -r "$samples/mtls-expired-at-amt-clock" "$tmp/e" || exit 1
chmod -R a+rwX "$tmp"
as_user=
[ "$(id -u)" -eq 0 ] && as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
run() { $as_user env -u XDG_CONFIG_HOME HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp" "$@"; }

run tshark -n -q -r "$tmp/s/capture.pcapng" -o "tls.keylog_file:$tmp/s/keylog.txt" \
    -o iamt.trusted_fqdn:it.example.com -z iamt,diag >"$tmp/tshark.txt" 2>&1
# Each frame's stream and ports; the cause fields with their words.
run tshark -n -r "$tmp/s/capture.pcapng" -T fields -e tcp.stream -e frame.number \
    -e tcp.srcport -e tcp.dstport -Y tcp >"$tmp/streams.txt" 2>&1
cp "$(dirname "$0")/../../docs/causes.md" "$tmp/causes.md"
# The expert items of the second capture, as PDML: per item its field,
# severity and group.
run tshark -n -r "$tmp/e/capture.pcapng" -o "tls.keylog_file:$tmp/e/keylog.txt" \
    -o iamt.trusted_fqdn:it.example.com -o iamt.amt_clock_offset:39744000 -T pdml \
    >"$tmp/expert.pdml" 2>&1
# The worker runs as nobody, who may not read this checkout: a copy.
cp "$0" "$tmp/gui.sh" && chmod a+r "$tmp/gui.sh"
# -noreset: when the first Wireshark and the last X tool have gone, Xvfb
# would reset, and a client connecting meanwhile gets "Can't open display"
run xvfb-run -a -s "-screen 0 1400x1000x24 -noreset" sh "$tmp/gui.sh" --in-x "$tmp"

PYTHONPATH="$(dirname "$0")" python3 - "$tmp" <<'PY'
import os, re, sys
tmp = sys.argv[1]
from tally import check, finish
err = os.path.join(tmp, "error")
check("GUI steps", "", open(err).read().strip() if os.path.exists(err) else
      "" if os.path.exists(os.path.join(tmp, "done")) else "the GUI driver did not finish")
import xml.etree.ElementTree as ET
# The words of each cause token, as docs/causes.md lists them:
# "### `token`", a blank line, "*severity* — words".
words, token = {}, None
for line in open(os.path.join(tmp, "causes.md")):
    m = re.match(r"### `([a-z0-9-]+)`", line)
    if m:
        token = m.group(1)
    elif token and line.startswith("*") and " — " in line:
        words[token], token = line.split(" — ", 1)[1].strip(), None
# Each TCP stream: its port pair, first and last frame.
streams = {}
for line in open(os.path.join(tmp, "streams.txt")):
    c = line.split()
    if len(c) == 4:
        st = streams.setdefault(c[0], [frozenset(c[2:4]), int(c[1]), int(c[1])])
        st[1], st[2] = min(st[1], int(c[1])), max(st[2], int(c[1]))
# tshark's rows: "id client -> server stage outcome causes", with the
# stream, the frames and the words they imply.
want, rows = [], False
for line in open(os.path.join(tmp, "tshark.txt")):
    p = line.split()
    if line.startswith("#    client"):
        rows = True
    elif rows and len(p) >= 6 and p[0].isdigit() and p[2] == "->":
        ports = frozenset((p[1].rsplit(":", 1)[1], p[3].rsplit(":", 1)[1]))
        st = [(k, "%d–%d" % (a, b)) for k, (pp, a, b) in streams.items() if pp == ports]
        stream, frames = st[0] if len(st) == 1 else ("?", "?")
        toks = [t for t in p[6:] if t != "-"]
        cells = [p[0], stream, frames, p[1], p[3], p[4], p[5]] + toks
        cells += [words.get(t, "?" + t) for t in toks]
        want.append(" ".join(cells))
# The copied table, plain text: the same cells, padded with spaces.
got = []
path = os.path.join(tmp, "copied.txt")
for line in open(path) if os.path.exists(path) else []:
    if re.match(r"\s*\d+\s", line):
        got.append(" ".join(line.split()))
check("rows copied from Statistics > iAMT Diagnosis = tshark -z iamt,diag", want, got)
check("some rows", True, len(want) >= 5)

# Expert Information groups the items by severity, group, protocol and
# field: one row each, with its count. The iAMT rows tshark implies:
SEVERITY = {"2097152": "Chat", "4194304": "Note", "6291456": "Warning", "8388608": "Error"}
want = {}
for ex in ET.parse(os.path.join(tmp, "expert.pdml")).iter("field"):
    if ex.get("name") != "_ws.expert":
        continue
    kids = {k.get("name"): k for k in ex}
    hf = [n for n in kids if n.startswith("iamt.")]
    if hf:
        sev = SEVERITY.get(kids["_ws.expert.severity"].get("show"), "?")
        key = (sev, hf[0])
        want[key] = want.get(key, 0) + 1
want_rows = sorted((s, n) for (s, _), n in want.items())
# ... and those read by OCR, cell by cell: the columns' left edges from the
# header, a row per severity word in the first column, then each row's
# Protocol cell and Count (right-aligned at the far right). Each cell is
# made black on white first: the brightest channel turns the severities'
# backgrounds (red, cyan, blue) white and leaves the black text black.
import subprocess
png = os.path.join(tmp, "expert.png")
def cell(x0, y0, w, h, *opts, scale=3):
    out = os.path.join(tmp, "cell.png")
    subprocess.run(["convert", png, "-crop", "%dx%d+%d+%d" % (w, h, x0, y0), "+repage",
                    "-separate", "-evaluate-sequence", "max", "-resize", "%d%%" % (scale * 100),
                    "-threshold", "50%", "-bordercolor", "white", "-border", "20", out], check=True)
    r = subprocess.run(["tesseract", out, "-", *opts, "tsv"], capture_output=True, text=True)
    words = []
    for line in r.stdout.splitlines()[1:]:
        c = line.split("\t")
        if len(c) >= 12 and c[11].strip():
            x, y, w, h = (int(v) for v in c[6:10])
            words.append(((x - 20) / scale, (y - 20 + h / 2) / scale, c[11]))
    return words
got_rows = []
if os.path.exists(png):
    W, H = (int(v) for v in subprocess.run(["identify", "-format", "%w %h", png],
                                             capture_output=True, text=True).stdout.split())
    head = {t: x for x, _, t in cell(0, 0, W, 30, "--psm", "7")}
    if all(k in head for k in ("Summary", "Protocol", "Count")):
        for _, y, sev in cell(0, 0, int(head["Summary"]), H, "--psm", "6"):
            if sev not in SEVERITY.values():
                continue
            top = int(y) - 8
            proto = " ".join(t for *_, t in cell(int(head["Protocol"]), top,
                                                  int(head["Count"] - head["Protocol"]), 17, "--psm", "7"))
            n = "".join(t for *_, t in cell(W - 110, top, 100, 17, "--psm", "7",
                                             "-c", "tessedit_char_whitelist=0123456789"))
            # "iAMT": OCR may read the dotted i as "(" or "I"; no other
            # protocol of the capture has AMT in its name.
            if "AMT" in proto:
                got_rows.append((sev, int(n) if n.isdigit() else n))
check("Expert Information: iAMT rows (severity, count) = tshark's iamt expert items",
      want_rows, sorted(got_rows))
check("Expert Information: several iAMT items", True, sum(n for _, n in want_rows) >= 3)
finish()
PY
rc=$?
if [ -n "$keep" ]; then
    mkdir -p "$keep" && cp "$tmp"/menu.png "$tmp"/dialog.png "$tmp"/expert.png "$keep"/ 2>/dev/null
fi
if [ $rc -ne 0 ]; then
    cp "$tmp"/*.png "$tmp"/wireshark.log . 2>/dev/null
    echo "screenshots and wireshark.log kept in $(pwd)"
fi
exit $rc
