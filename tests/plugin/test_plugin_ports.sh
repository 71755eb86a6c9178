#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# AMT away from its ports (port forwarding, a proxy): the ok-http-16992
# sample with AMT's port rewritten to 8080 (a port HTTP already claims) and
# to 18992 (one nobody claims, so the plugin's TCP heuristic must find
# AMT). In both, the login and the WS-Man calls must decode as on 16992,
# in two passes and in tshark's single pass (where the first request on
# 8080 must show AMT by its body, before any banner). A SOAP call on a
# CIM class only (WS-Man, but not AMT's alone) must not make 8080 AMT's.
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
view() { # view PASSES CAPTURE
    $AS_USER env -u XDG_CONFIG_HOME HOME="$tmp/home" tshark -n $1 -r "$2" -T fields \
        -e iamt.auth.outcome -e wsman.action_name -e iamt.fw_version 2>/dev/null | sort | uniq -c
}
for passes in -2 ""; do
    view "$passes" "$tmp/orig.pcap" >"$tmp/want"
    accepted=$($AS_USER env -u XDG_CONFIG_HOME HOME="$tmp/home" tshark -n $passes -r "$tmp/orig.pcap" \
        -Y 'iamt.auth.outcome == "accepted"' 2>/dev/null | wc -l)
    [ "$accepted" -gt 0 ] && grep -q "GetResponse" "$tmp/want" ||
        { echo "FAIL the sample itself does not decode on 16992"; failed=1; }
    for port in 8080 18992; do
        view "$passes" "$tmp/p$port.pcap" >"$tmp/got$port"
        if cmp -s "$tmp/want" "$tmp/got$port"; then
            echo "ok   AMT on port $port decodes as on 16992 (tshark ${passes:-single pass})"
        else
            echo "FAIL AMT on port $port (tshark ${passes:-single pass}):"
            diff "$tmp/want" "$tmp/got$port" | head -10
            failed=1
        fi
    done
done
# The same capture with AMT's classes renamed to CIM ones and the banner
# removed: WS-Man still, but nothing shows AMT.
python3 - "$tmp" <<'PY'
import sys
tmp = sys.argv[1]
d = open(tmp + "/p8080.pcap", "rb").read()
for a, b in ((b"amt-schema/1/AMT_", b"cim-schema/2/CIM_"),
             (b"Intel(R) Active Management", b"Other(R) Active Management")):
    assert len(a) == len(b) and a in d
    d = d.replace(a, b)
open(tmp + "/cim8080.pcap", "wb").write(d)
PY
got=$($AS_USER env -u XDG_CONFIG_HOME HOME="$tmp/home" tshark -n -r "$tmp/cim8080.pcap" \
    -Y 'iamt or wsman' 2>/dev/null | wc -l)
if [ "$got" -eq 0 ]; then
    echo "ok   WS-Man on CIM classes on 8080 stays HTTP/XML"
else
    echo "FAIL WS-Man on CIM classes on 8080 taken as AMT's in $got frames"
    failed=1
fi
exit $failed
