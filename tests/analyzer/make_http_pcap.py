#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes a small classic pcap of one plain-HTTP exchange on AMT's port
16992, for the bad-input tests of test_cli.sh.

usage: make_http_pcap.py OUT KIND
KIND: bomb (an XML entity bomb), malformed (broken XML), huge-length (a
Content-Length of 10^15), many (100000 small frames, for the progress line),
big (a well-formed WS-Man body of 5 MiB, more than the 4 MiB kept)
"""
import struct
import sys


def frame(src, dst, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 64240, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 1, 0x4000, 64, 6, 0,
                     bytes(src), bytes(dst))
    return b"\x02\0\0\0\0\x14" + b"\x02\0\0\0\0\x0a" + b"\x08\x00" + ip + tcp + payload


def main():
    out, kind = sys.argv[1], sys.argv[2]
    c, a = [192, 0, 2, 10], [192, 0, 2, 20]
    env = (b'<?xml version="1.0"?>%s<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">'
           b'<s:Body>%s</s:Body></s:Envelope>')
    length = None
    if kind == "bomb":
        ents = b"".join(b'<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;">'
                        % ((i,) + (i - 1,) * 10) for i in range(1, 10))
        body = env % (b'<!DOCTYPE s [<!ENTITY l0 "lol">' + ents + b"]>", b"<x>&l9;</x>")
    elif kind == "malformed":
        body = env % (b"", b"<a><b></a>") + b"<<<"
    elif kind == "big":
        body = env % (b"", b"<x>" + b"<i>0123456789abcdef</i>" * (5 * 1024 * 1024 // 23) + b"</x>")
    elif kind == "huge-length":
        body = env % (b"", b"<x/>")
        length = 10 ** 15
    else:
        body = env % (b"", b"<x/>")
    req = (b"POST /wsman HTTP/1.1\r\nHost: 192.0.2.20:16992\r\n"
           b"Content-Type: application/soap+xml\r\nContent-Length: %d\r\n\r\n"
           % (length or len(body)) + body)
    frames = [frame(c, a, 50000, 16992, 100, 0, 0x02), frame(a, c, 16992, 50000, 500, 101, 0x12),
              frame(c, a, 50000, 16992, 101, 501, 0x10)]
    seq = 101
    for off in range(0, len(req), 1400):
        chunk = req[off:off + 1400]
        frames.append(frame(c, a, 50000, 16992, seq, 501, 0x18, chunk))
        seq += len(chunk)
    if kind == "many":
        for i in range(100000):
            frames.append(frame(c, a, 40000 + i % 20000, 16992, 7, 0, 0x02))
    frames.append(frame(c, a, 50000, 16992, seq, 501, 0x11))
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i // 1000, i % 1000, len(fr), len(fr)) + fr)


if __name__ == "__main__":
    main()
