#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes a fleet-like capture for the plugin's cost benchmark: the sample
captures of real OpenSSL sessions (TLS 1.2 and 1.3, the console's login
and WS-Man calls), each copied many times as if from another console to
another AMT (addresses rewritten, checksums kept right, times shifted), so
that thousands of TLS sessions follow one another; about one in ten
copies is of a failing sample (a refused console certificate, a wrong
password, an untrusted root, no shared cipher...). The key log holds every
sample's secrets once: the copies repeat the sessions' randoms.

usage: make_fleet.py SAMPLES_DIR OUT_PCAP OUT_KEYLOG [MEGABYTES]   (default 60)
Needs editcap (classic pcap is read and written here)."""
import os
import struct
import subprocess
import sys
import tempfile

OK = ["ok-tls12-ecdhe-gcm", "ok-tls13", "ok-tls12-rsa-aes128-gcm", "mtls-ok"]
FAILING = ["mtls-no-amt-console-eku", "digest-wrong-password", "mtls-untrusted-root",
           "no-shared-cipher", "tls-version-mismatch", "wsman-access-denied",
           "mtls-expired-at-amt-clock", "digest-unknown-user"]


def read_pcap(path):
    """(link type, [(ts_sec, ts_usec, bytes)]) of a classic pcap."""
    data = open(path, "rb").read()
    magic, _, _, _, _, _, link = struct.unpack_from("<IHHiIII", data, 0)
    if magic != 0xA1B2C3D4:
        raise SystemExit("%s: not a little-endian microsecond pcap" % path)
    out, off = [], 24
    while off + 16 <= len(data):
        sec, usec, incl, _ = struct.unpack_from("<IIII", data, off)
        out.append((sec, usec, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return link, out


def csum_fix(old_sum, old_words, new_words):
    """RFC 1624 incremental update of a one's-complement checksum."""
    s = (~old_sum) & 0xFFFF
    for w in old_words:
        s += (~w) & 0xFFFF
    for w in new_words:
        s += w
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def words(b):
    return struct.unpack("!%dH" % (len(b) // 2), b)


def rewrite(frame, link, addr_map):
    """The frame with IPv4 addresses mapped (IP and TCP checksums updated);
    None when it is not IPv4/TCP over Ethernet."""
    if link != 1 or frame[12:14] != b"\x08\x00":
        return None
    ip = 14
    f = bytearray(frame)
    if len(f) < ip + 20 or f[ip] >> 4 != 4 or f[ip + 9] != 6:
        return None
    src, dst = bytes(f[ip + 12:ip + 16]), bytes(f[ip + 16:ip + 20])
    nsrc, ndst = addr_map.get(src, src), addr_map.get(dst, dst)
    old, new = words(src + dst), words(nsrc + ndst)
    f[ip + 12:ip + 20] = nsrc + ndst
    struct.pack_into("!H", f, ip + 10, csum_fix(struct.unpack_from("!H", f, ip + 10)[0], old, new))
    tcp = ip + (f[ip] & 15) * 4
    if len(f) >= tcp + 18:
        c = struct.unpack_from("!H", f, tcp + 16)[0]
        struct.pack_into("!H", f, tcp + 16, csum_fix(c, old, new))
    return bytes(f)


def main():
    samples, out_pcap, out_keylog = sys.argv[1:4]
    target = int(sys.argv[4] if len(sys.argv) > 4 else 60) * 1024 * 1024
    tmp = tempfile.mkdtemp()
    loaded, keys = {}, []
    for name in OK + FAILING:
        d = os.path.join(samples, name)
        cap = [f for f in os.listdir(d) if f.startswith("capture.pcap")][0]
        p = os.path.join(tmp, name.replace("/", "_") + ".pcap")
        subprocess.run(["editcap", "-F", "pcap", os.path.join(d, cap), p], check=True)
        loaded[name] = read_pcap(p)
        kl = os.path.join(d, "keylog.txt")
        if os.path.exists(kl):
            keys += [l for l in open(kl) if l.strip() and not l.startswith("#")]
    # Every copy: ok samples nine times in ten, in turn; a failing one the tenth.
    size, n, t0 = 24, 0, 1767225600  # 2026-01-01
    with open(out_pcap, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        while size < target:
            name = FAILING[(n // 10) % len(FAILING)] if n % 10 == 9 else OK[n % len(OK)]
            link, frames = loaded[name]
            # console 10.1.x.y, AMT 10.2.x.y: a new pair per copy
            a = struct.pack("!BBH", 10, 1, n & 0xFFFF)
            b = struct.pack("!BBH", 10, 2, n & 0xFFFF)
            amap = {bytes([192, 0, 2, 10]): a, bytes([192, 0, 2, 20]): b}
            base = frames[0][0]
            for sec, usec, data in frames:
                f = rewrite(data, link, amap)
                if f is None:
                    continue
                ts = t0 + n * 2 + (sec - base)
                out.write(struct.pack("<IIII", ts, usec, len(f), len(f)) + f)
                size += 16 + len(f)
            n += 1
    with open(out_keylog, "w") as k:
        k.writelines(sorted(set(keys)))
    print("%s: %d copies of %d samples, %.1f MiB; %s: %d secrets"
          % (out_pcap, n, len(loaded), size / 1048576, out_keylog, len(set(keys))))


if __name__ == "__main__":
    main()
