#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Takes docs/plugin-screenshot.png: Wireshark (wireshark-qt) on a virtual
# X display (xvfb-run), with the plugin from the build tree loaded as an
# unprivileged user (Wireshark ignores personal plugins when run as root),
# showing samples/mtls-no-amt-console-eku with the alert frame selected
# and its tree expanded. Needs: wireshark-qt xvfb xauth imagemagick xdotool.
# usage: scripts/plugin-screenshot.sh [BUILD_DIR] [OUT.png]
set -eu

for tool in wireshark xvfb-run xauth import xdotool; do
    command -v $tool >/dev/null 2>&1 || {
        echo "plugin-screenshot: $tool is missing; as root:" >&2
        echo "  apt-get install wireshark-qt xvfb xauth imagemagick xdotool" >&2
        exit 1
    }
done
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
out=${2:-$root/docs/plugin-screenshot.png}
sample=$root/samples/mtls-no-amt-console-eku
frame=12 # AMT's unsupported_certificate alert
so=$(ls "$build"/plugins/*/epan/amtdiag.so | head -n 1)
ver=$(basename "$(dirname "$(dirname "$so")")")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home/.local/lib/wireshark/plugins/$ver/epan" "$tmp/home/.config/wireshark" "$tmp/s"
cp "$so" "$tmp/home/.local/lib/wireshark/plugins/$ver/epan/"
cp "$sample/capture.pcapng" "$sample/keylog.txt" "$tmp/s/"
# A big main window, no update check or welcome noise.
cat >"$tmp/home/.config/wireshark/recent_common" <<'R'
gui.geometry_main_x: 0
gui.geometry_main_y: 0
gui.geometry_main_width: 1400
gui.geometry_main_height: 1000
gui.geometry_main_maximized: TRUE
R
# List and details only: the details get the whole width.
printf 'gui.layout_content_3: NONE\n' >"$tmp/home/.config/wireshark/preferences"
chmod -R a+rwX "$tmp"

as_user=
[ "$(id -u)" -eq 0 ] && as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
$as_user env -u XDG_CONFIG_HOME HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp" \
    xvfb-run -a -s "-screen 0 1400x1000x24" sh -c '
    wireshark -r "$1/s/capture.pcapng" -o "tls.keylog_file:$1/s/keylog.txt" \
        -o iamt.trusted_fqdn:it.example.com -g "$2" >"$1/wireshark.log" 2>&1 &
    pid=$!
    win=$(xdotool search --sync --onlyvisible --name "capture.pcapng" | head -n 1)
    sleep 5
    # No window manager runs, so a click gives the focus: on the details
    # pane (its 6th row is the iAMT item), then View > Expand Subtrees (Shift+Right).
    xdotool windowsize "$win" 1400 1000
    sleep 2
    xdotool mousemove 100 630 click 1
    sleep 1
    xdotool key shift+Right
    sleep 2
    import -window root "$1/shot.png"
    kill "$pid"
' sh "$tmp" "$frame"
cp "$tmp/shot.png" "$out"
echo "wrote $out"
