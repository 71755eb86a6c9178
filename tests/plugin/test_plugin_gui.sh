#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The plugin in the Wireshark GUI: wireshark-qt on a virtual X display
# (xvfb-run), as user nobody with the plugin from the build tree, opens
# samples/mixed-outcomes. The test opens the Statistics menu, finds
# "iAMT Diagnosis" in it by OCR (tesseract) of a screenshot, clicks it,
# waits for the dialog, clicks its Copy button (found the same way) and
# reads the clipboard (xclip): the rows must be those tshark prints for
# -z iamt,conns on the same capture and keys. Screenshots are kept in
# KEEP_DIR when given (docs/plugin-statistics.png comes from there) and
# in the working directory when the test fails.
# usage: test_plugin_gui.sh PLUGIN_SO WS_MAJOR_MINOR SAMPLES_DIR [KEEP_DIR]
set -u

if [ "${1:-}" = "--in-x" ]; then # worker, on the virtual display
    t=$2
    find_word() { # find_word PNG WORD [PREV_WORD]: "x y" of WORD's centre
        tesseract "$1" - tsv 2>/dev/null | awk -F'\t' -v w="$2" -v p="${3:-}" '
            $12 == w && (p == "" || prev == p) { print int($7 + $9 / 2), int($8 + $10 / 2); exit }
            { prev = $12 }'
    }
    wireshark -r "$t/s/capture.pcapng" -o "tls.keylog_file:$t/s/keylog.txt" \
        -o iamt.trusted_fqdn:it.example.com >"$t/wireshark.log" 2>&1 &
    pid=$!
    trap 'kill $pid 2>/dev/null' EXIT
    win=$(timeout 60 xdotool search --sync --onlyvisible --name "capture.pcapng" | head -n 1)
    [ -n "$win" ] || { echo "no Wireshark main window" >"$t/error"; exit 1; }
    xdotool windowsize "$win" 1400 1000
    sleep 4
    # No window manager: a click in the packet list gives the focus.
    at=
    for attempt in 1 2 3; do
        xdotool mousemove 700 300 click 1
        sleep 1
        xdotool key alt+s
        sleep 2
        import -window root "$t/menu.png"
        at=$(find_word "$t/menu.png" Diagnosis iAMT)
        [ -n "$at" ] && break
        xdotool key Escape
        sleep 2
    done
    [ -n "$at" ] || { echo "no 'iAMT Diagnosis' in the Statistics menu" >"$t/error"; exit 1; }
    # shellcheck disable=SC2086
    xdotool mousemove $at click 1
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
chmod -R a+rwX "$tmp"
as_user=
[ "$(id -u)" -eq 0 ] && as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
run() { $as_user env -u XDG_CONFIG_HOME HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp" "$@"; }

run tshark -n -q -r "$tmp/s/capture.pcapng" -o "tls.keylog_file:$tmp/s/keylog.txt" \
    -o iamt.trusted_fqdn:it.example.com -z iamt,conns >"$tmp/tshark.txt" 2>&1
# The worker runs as nobody, who may not read this checkout: a copy.
cp "$0" "$tmp/gui.sh" && chmod a+r "$tmp/gui.sh"
run xvfb-run -a -s "-screen 0 1400x1000x24" sh "$tmp/gui.sh" --in-x "$tmp"

PYTHONPATH="$(dirname "$0")" python3 - "$tmp" <<'PY'
import os, re, sys
tmp = sys.argv[1]
from tally import check, finish
err = os.path.join(tmp, "error")
check("GUI steps", "", open(err).read().strip() if os.path.exists(err) else
      "" if os.path.exists(os.path.join(tmp, "done")) else "the GUI driver did not finish")
# tshark's rows: "id |client |server |stage |outcome |causes |"
want, rows = [], False
for line in open(os.path.join(tmp, "tshark.txt")):
    if line.strip() == "iAMT connections":
        rows = True
    elif rows and line.count("|") == 6:
        c = [x.strip() for x in line.split("|")]
        want.append(" ".join(x for x in c[:6] if x))
# The copied table, plain text: the same cells, padded with spaces.
got = []
path = os.path.join(tmp, "copied.txt")
for line in open(path) if os.path.exists(path) else []:
    if re.match(r"\s*\d+\s", line):
        got.append(" ".join(line.split()))
check("rows copied from Statistics > iAMT Diagnosis = tshark -z iamt,conns", want, got)
check("some rows", True, len(want) >= 5)
finish()
PY
rc=$?
if [ -n "$keep" ]; then
    mkdir -p "$keep" && cp "$tmp"/menu.png "$tmp"/dialog.png "$keep"/ 2>/dev/null
fi
if [ $rc -ne 0 ]; then
    cp "$tmp"/*.png "$tmp"/wireshark.log . 2>/dev/null
    echo "screenshots and wireshark.log kept in $(pwd)"
fi
exit $rc
