#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes a pcap of many short Digest challenges on 16992, for memory bounds.

usage: make_many_conns.py OUT.pcap N_CONNECTIONS [N_SERVERS]

Each connection: SYN, SYN-ACK, ACK, a WS-Man POST, AMT's 401 with a fresh
nonce, FIN both ways, the last ACK. Consoles and AMTs come from 10.0.0.0/8; the
connections follow each other 2 ms apart, so a capture of N connections
spans N/500 seconds and many connections end long before the last.
"""
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(n):
    return bytes([10, (n >> 16) & 255, (n >> 8) & 255, n & 255])


def packet(src, dst, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 0, 0, 64, 6, 0,
                     src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\0\1\2\3\4\5\0\6\7\x08\x09\x0a\x08\x00" + ip + tcp + payload


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    servers = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    req = (b"POST /wsman HTTP/1.1\r\nHost: amt:16992\r\nContent-Type: application/soap+xml;"
           b"charset=UTF-8\r\nContent-Length: 0\r\n\r\n")
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        t = 1_767_225_600 * 1_000_000
        for i in range(n):
            cli, srv = ip4(0x100000 + i % 60000), ip4(0x200000 + i % servers)
            sport = 1024 + (i * 7) % 60000
            resp = (b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"Digest:"
                    b"A3829B3827DE4A33D4449B366831B8F8\", nonce=\"%08x%024x\", stale=\"false\","
                    b"qop=\"auth\"\r\nContent-Type: text/html\r\nServer: Intel(R) Active "
                    b"Management Technology 11.8.50.3399\r\nContent-Length: 0\r\n\r\n" % (i, i))
            c0, s0 = 1000, 5000
            segs = [
                (cli, srv, sport, 16992, c0, 0, 0x02, b""),
                (srv, cli, 16992, sport, s0, c0 + 1, 0x12, b""),
                (cli, srv, sport, 16992, c0 + 1, s0 + 1, 0x10, b""),
                (cli, srv, sport, 16992, c0 + 1, s0 + 1, 0x18, req),
                (srv, cli, 16992, sport, s0 + 1, c0 + 1 + len(req), 0x18, resp),
                (cli, srv, sport, 16992, c0 + 1 + len(req), s0 + 1 + len(resp), 0x11, b""),
                (srv, cli, 16992, sport, s0 + 1 + len(resp), c0 + 2 + len(req), 0x11, b""),
                (cli, srv, sport, 16992, c0 + 2 + len(req), s0 + 2 + len(resp), 0x10, b""),
            ]
            for k, s in enumerate(segs):
                p = packet(*s)
                ts = t + k * 100
                f.write(struct.pack("<IIII", ts // 1_000_000, ts % 1_000_000, len(p), len(p)))
                f.write(p)
            t += 2000


if __name__ == "__main__":
    main()
