#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# What the Wireshark plugin costs: tshark on a fleet-like capture
# (bench/make_fleet.py: thousands of TLS 1.2/1.3 sessions with a key log,
# about one in ten failing) with HTTP fields requested, once with the
# plugin in the personal plugin folder and once without, in turns, each
# ROUNDS times; the median elapsed time of each and their ratio. Both
# decode AMT's ports alike (TLS and HTTP on 16993, HTTP on 16992: what the
# plugin registers, given to the plain tshark with -d), so the difference
# is the plugin's own work. tshark runs as nobody when started as root
# (root ignores personal plugin folders).
# The capture is bench/make_fleet.py's of MEGABYTES, or with a folder
# instead the one in it (capture.pcapng and keylog.txt: amtsim --fleet's,
# e.g. /var/tmp/amtdiag-bench/fleet-100M-seed1, with distinct handshakes).
# usage: bench/plugin_cost.sh [BUILD_DIR] [MEGABYTES|FLEET_DIR] [ROUNDS]   (build, 60, 3)
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
mb=${2:-60}
rounds=${3:-3}
so=$(ls "$build"/plugins/*/epan/amtdiag.so | head -n 1)
ver=$(basename "$(dirname "$(dirname "$so")")")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/with/.local/lib/wireshark/plugins/$ver/epan" "$tmp/without"
cp "$so" "$tmp/with/.local/lib/wireshark/plugins/$ver/epan/"
if [ -d "$mb" ]; then
    cp "$mb/capture.pcapng" "$tmp/fleet.pcap"
    cp "$mb/keylog.txt" "$tmp/fleet.keylog"
else
    python3 bench/make_fleet.py samples "$tmp/fleet.pcap" "$tmp/fleet.keylog" "$mb"
fi
chmod -R a+rX "$tmp"
as_user=
[ "$(id -u)" -eq 0 ] && as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
run() { # run HOME_NAME: appends "cpu elapsed" seconds of one tshark run to t.HOME_NAME
    /usr/bin/time -f "%U %S %e" -o "$tmp/time" $as_user env -u XDG_CONFIG_HOME HOME="$tmp/$1" \
        tshark -n -r "$tmp/fleet.pcap" -o "tls.keylog_file:$tmp/fleet.keylog" \
        -d tcp.port==16992,http -d tcp.port==16993,tls -o http.tls.port:443,16993 -T fields \
        -e frame.number -e http.request.method -e http.request.uri -e http.response.code \
        -e http.server >"$tmp/$1.out" 2>"$tmp/$1.err"
    awk '{ print $1 + $2, $3 }' "$tmp/time" >>"$tmp/t.$1"
}
: >"$tmp/t.with"
: >"$tmp/t.without"
for i in $(seq "$rounds"); do
    run without
    run with
done
cmp -s "$tmp/with.out" "$tmp/without.out" || echo "note: the HTTP fields differ with the plugin:" \
    "$(diff "$tmp/without.out" "$tmp/with.out" | grep -c '^[<>]') lines"
median() { # median FILE COLUMN
    awk -v c="$2" '{ print $c }' "$1" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
cw=$(median "$tmp/t.with" 1) cwo=$(median "$tmp/t.without" 1)
ew=$(median "$tmp/t.with" 2) ewo=$(median "$tmp/t.without" 2)
echo "tshark $(tshark --version 2>/dev/null | head -n 1 | awk '{print $3}'), $(du -m "$tmp/fleet.pcap" | cut -f1) MB," \
    "$(wc -l <"$tmp/with.out") frames, $rounds rounds, medians:" \
    "CPU without the plugin $cwo s, with it $cw s, ratio $(echo "scale=2; $cw / $cwo" | bc);" \
    "elapsed $ewo s and $ew s, ratio $(echo "scale=2; $ew / $ewo" | bc)"
