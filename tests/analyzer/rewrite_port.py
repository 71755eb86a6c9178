#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Rewrites a TCP port in a classic pcap of Ethernet/IPv4 frames (editcap
-F pcap makes one of a pcapng): every source or destination port FROM
becomes TO, as a capture of the same exchange on another port would be
(TCP checksums are left as they were: loopback captures carry none that
hold, and the tools do not check them).

usage: rewrite_port.py IN.pcap OUT.pcap FROM TO"""
import struct
import sys


def main():
    src, dst, old, new = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    d = bytearray(open(src, "rb").read())
    endian = "<" if d[:4] == b"\xd4\xc3\xb2\xa1" else ">"
    off, n = 24, 0
    while off + 16 <= len(d):
        incl = struct.unpack_from(endian + "I", d, off + 8)[0]
        pkt = off + 16
        if d[pkt + 12:pkt + 14] == b"\x08\x00" and d[pkt + 23] == 6:
            tcp = pkt + 14 + (d[pkt + 14] & 15) * 4
            for k in (0, 2):
                if struct.unpack_from("!H", d, tcp + k)[0] == old:
                    struct.pack_into("!H", d, tcp + k, new)
                    n += 1
        off = pkt + incl
    open(dst, "wb").write(d)
    return 0 if n else 1


if __name__ == "__main__":
    sys.exit(main())
