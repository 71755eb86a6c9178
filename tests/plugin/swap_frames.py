#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes a copy of a pcapng with two packets swapped, as a capture taken on
a multi-queue interface shows segments out of order: each keeps its own
timestamp, so the earlier segment now comes later.

usage: swap_frames.py IN.pcapng OUT.pcapng FRAME_A FRAME_B   (1-based)"""
import struct
import sys

PACKET_BLOCKS = (3, 6)  # Simple Packet Block, Enhanced Packet Block


def main():
    src, dst, a, b = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    with open(src, "rb") as f:
        data = f.read()
    if data[:4] != b"\x0a\x0d\x0d\x0a" or data[8:12] != b"\x4d\x3c\x2b\x1a":
        sys.exit(f"{src}: not a little-endian pcapng file")
    blocks, off = [], 0
    while off + 8 <= len(data):
        btype, blen = struct.unpack_from("<II", data, off)
        if blen < 12 or off + blen > len(data):
            sys.exit(f"{src}: damaged block at offset {off}")
        blocks.append((btype, data[off:off + blen]))
        off += blen
    packets = [i for i, (t, _) in enumerate(blocks) if t in PACKET_BLOCKS]
    if not (1 <= a <= len(packets) and 1 <= b <= len(packets)):
        sys.exit(f"{src}: has {len(packets)} packets")
    i, j = packets[a - 1], packets[b - 1]
    blocks[i], blocks[j] = blocks[j], blocks[i]
    with open(dst, "wb") as f:
        f.write(b"".join(blk for _, blk in blocks))


if __name__ == "__main__":
    main()
