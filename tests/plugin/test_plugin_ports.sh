#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# AMT away from its ports (port forwarding, a proxy): the ok-http-16992
# sample with AMT's port rewritten to 8080 (a port HTTP already claims) and
# to 18992 (one nobody claims, so the plugin's TCP heuristic must find
# AMT). In both, the login and the WS-Man calls must decode as on 16992.
# usage: test_plugin_ports.sh PLUGIN_SO WS_MAJOR_MINOR SAMPLES_DIR
set -eu
so=$1 ver=$2 samples=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home/.local/lib/wireshark/plugins/$ver/epan"
cp "$so" "$tmp/home/.local/lib/wireshark/plugins/$ver/epan/"
editcap -F pcap "$samples/ok-http-16992/capture.pcapng" "$tmp/orig.pcap"
python3 - "$tmp" <<'PY'
import struct, sys
tmp = sys.argv[1]
data = open(tmp + "/orig.pcap", "rb").read()
for port in (8080, 18992):
    d = bytearray(data)
    off = 24
    while off + 16 <= len(d):
        incl = struct.unpack_from("<I", d, off + 8)[0]
        pkt = off + 16
        if d[pkt + 12:pkt + 14] == b"\x08\x00" and d[pkt + 23] == 6:
            tcp = pkt + 14 + (d[pkt + 14] & 15) * 4
            for k in (0, 2):
                if struct.unpack_from("!H", d, tcp + k)[0] == 16992:
                    struct.pack_into("!H", d, tcp + k, port)
        off = pkt + incl
    open("%s/p%d.pcap" % (tmp, port), "wb").write(d)
PY
chmod -R a+rX "$tmp"
AS_USER=
[ "$(id -u)" -eq 0 ] && AS_USER="setpriv --reuid=65534 --regid=65534 --clear-groups"
failed=0
view() {
    $AS_USER env -u XDG_CONFIG_HOME HOME="$tmp/home" tshark -n -2 -r "$1" -T fields \
        -e iamt.auth.outcome -e wsman.action_name -e iamt.fw_version 2>/dev/null | sort | uniq -c
}
view "$tmp/orig.pcap" >"$tmp/want"
grep -q "accepted" "$tmp/want" && grep -q "GetResponse" "$tmp/want" ||
    { echo "FAIL the sample itself does not decode on 16992"; failed=1; }
for port in 8080 18992; do
    view "$tmp/p$port.pcap" >"$tmp/got$port"
    if cmp -s "$tmp/want" "$tmp/got$port"; then
        echo "ok   AMT on port $port decodes as on 16992"
    else
        echo "FAIL AMT on port $port:"
        diff "$tmp/want" "$tmp/got$port" | head -10
        failed=1
    fi
done
exit $failed
