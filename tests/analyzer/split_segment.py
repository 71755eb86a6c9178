#!/usr/bin/env python3
"""Rewrites a classic pcap (Ethernet, IPv4, TCP): every TCP port FROM
becomes TO, and the client's first data segment is split in two, the
first holding N bytes (1-4: less than a TLS record header), so that the
protocol is known neither from the port nor from the first segment.

usage: split_segment.py IN.pcap OUT.pcap FROM TO N"""
import struct
import sys


def main():
    src, dst, port_from, port_to, n = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
    data = open(src, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic != 0xA1B2C3D4:
        sys.exit("split_segment: not a little-endian microsecond pcap")
    out = [data[:24]]
    pos, split_done = 24, False
    while pos + 16 <= len(data):
        sec, usec, caplen, origlen = struct.unpack("<IIII", data[pos:pos + 16])
        frame = bytearray(data[pos + 16:pos + 16 + caplen])
        pos += 16 + caplen
        ip = 14
        ihl = (frame[ip] & 15) * 4
        tcp = ip + ihl
        sport, dport = struct.unpack("!HH", frame[tcp:tcp + 4])
        sport = port_to if sport == port_from else sport
        dport = port_to if dport == port_from else dport
        frame[tcp:tcp + 4] = struct.pack("!HH", sport, dport)
        doff = (frame[tcp + 12] >> 4) * 4
        payload = frame[tcp + doff:]
        if not split_done and dport == port_to and len(payload) > n:
            split_done = True
            seq = struct.unpack("!I", frame[tcp + 4:tcp + 8])[0]
            head = frame[:tcp + doff]
            for part, off in ((payload[:n], 0), (payload[n:], n)):
                f = bytearray(head) + part
                struct.pack_into("!H", f, ip + 2, ihl + doff + len(part))
                struct.pack_into("!I", f, tcp + 4, (seq + off) & 0xFFFFFFFF)
                out.append(struct.pack("<IIII", sec, usec, len(f), len(f)) + bytes(f))
            continue
        out.append(struct.pack("<IIII", sec, usec, len(frame), len(frame)) + bytes(frame))
    if not split_done:
        sys.exit("split_segment: no client data segment to split")
    open(dst, "wb").write(b"".join(out))


main()
