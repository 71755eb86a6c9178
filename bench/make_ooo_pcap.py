#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes a classic pcap of one HTTP request on 16992 whose body arrives in
N one-byte segments in the worst order for a reassembler: the first byte
last, and before it every odd byte, then every even one — N/2 separate
held pieces that each later byte has to find its place among.

usage: make_ooo_pcap.py OUT N"""
import struct
import sys


def frame(seq, ack, flags, payload=b"", src=(192, 0, 2, 10), dst=(192, 0, 2, 20),
          sport=50000, dport=16992):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff, ack, 5 << 4, flags, 64240, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 1, 0x4000, 64, 6, 0,
                     bytes(src), bytes(dst))
    return b"\x02\0\0\0\0\x14" + b"\x02\0\0\0\0\x0a" + b"\x08\x00" + ip + tcp + payload


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    head = b"POST /wsman HTTP/1.1\r\nHost: amt\r\nContent-Length: %d\r\n\r\n" % n
    body = bytes(ord("a") + i % 26 for i in range(n))
    isn, sisn = 1000, 5000
    frames = [frame(isn, 0, 0x02), frame(sisn, isn + 1, 0x12, src=(192, 0, 2, 20),
                                         dst=(192, 0, 2, 10), sport=16992, dport=50000),
              frame(isn + 1, sisn + 1, 0x10)]
    base = isn + 1 + len(head)
    order = list(range(1, n, 2)) + list(range(n - 2 if n % 2 == 0 else n - 1, 0, -2)) + [0]
    for i in order:
        frames.append(frame(base + i, sisn + 1, 0x18, body[i:i + 1]))
    frames.insert(3, frame(isn + 1, sisn + 1, 0x18, head))
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for k, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1772323200 + k // 1000000, k % 1000000, len(fr), len(fr)))
            f.write(fr)


if __name__ == "__main__":
    main()
