#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the fuzz targets' seed corpora from samples/*/capture.pcap(ng).
"""Extracts seed inputs for every fuzz target in tests/fuzz from the sample
captures: frames, TCP segments, TLS and HTTP streams, SOAP bodies, Digest
headers, certificates, DNS messages, key logs and pcapng block structure,
each written in the input format its fuzz target reads (see the target's
file comment). Generated at build time so that no binary corpus is kept in
the repository and the seeds follow `make samples`.

Only the Python standard library is used. tshark, when present, decrypts
the TLS samples' streams (with their key logs) so that HTTP and SOAP seeds
include the messages that only travel over TLS; without it those seeds come
from the plain-HTTP samples alone.

Usage: make_seeds.py SAMPLES_DIR OUT_DIR
OUT_DIR/<target>/ gets the seeds; OUT_DIR/data/ the fixed key material the
TLS and pipeline targets load (tls-keylog.txt, rsa-*.pem, root-*.pem).
"""

import base64
import concurrent.futures
import hashlib
import gzip
import json
import os
import re
import shutil
import struct
import subprocess
import sys

AMT_PORTS = range(16992, 16996)
# Seeds past this size make every fuzz iteration slower for little gain.
MAX_SEED = 32 * 1024
# TLS samples decrypted with tshark for HTTP and SOAP seeds.
MAX_DECRYPT = 6


class Corpus:
    """One target's seed directory; files are named by content hash."""

    def __init__(self, root, name):
        self.dir = os.path.join(root, name)
        os.makedirs(self.dir, exist_ok=True)
        self.count = 0

    def add(self, data):
        if not data:
            return
        name = hashlib.sha1(data).hexdigest()[:16]
        path = os.path.join(self.dir, name)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(data)
            self.count += 1


# ---- capture files -------------------------------------------------------


def read_capture(path):
    """Returns (linktype, [(ts_us, frame bytes, wire length)], [dsb secrets],
    raw blocks) of a pcap or pcapng file. raw blocks are the pcapng blocks
    as (type, bytes) for rebuilding small pcapng seeds; [] for classic pcap."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    # little- and big-endian, microsecond and nanosecond classic pcap
    pcap_magics = (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4",
                   b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    if magic in pcap_magics:
        bo = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
        nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
        linktype = struct.unpack(bo + "I", data[20:24])[0] & 0xFFFF
        frames, off = [], 24
        while off + 16 <= len(data):
            sec, frac, incl, orig = struct.unpack(bo + "IIII", data[off:off + 16])
            off += 16
            frames.append((sec * 1000000 + (frac // 1000 if nano else frac),
                           data[off:off + incl], orig))
            off += incl
        return linktype, frames, [], []
    if magic != b"\x0a\x0d\x0d\x0a":
        return None, [], [], []
    bo = "<" if data[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
    linktype, frames, secrets, blocks, off = None, [], [], [], 0
    while off + 12 <= len(data):
        btype, blen = struct.unpack(bo + "II", data[off:off + 8])
        if blen < 12 or off + blen > len(data):
            break
        body = data[off + 8:off + blen - 4]
        blocks.append((btype, data[off:off + blen]))
        if btype == 1 and linktype is None:
            linktype = struct.unpack(bo + "H", body[:2])[0]
        elif btype == 6:
            _, hi, lo, cap, orig = struct.unpack(bo + "IIIII", body[:20])
            frames.append(((hi << 32) | lo, body[20:20 + cap], orig))
        elif btype == 3:
            orig = struct.unpack(bo + "I", body[:4])[0]
            frames.append((0, body[4:4 + orig], orig))
        elif btype == 0x0A:
            stype, slen = struct.unpack(bo + "II", body[:8])
            if stype == 0x544C534B:  # TLS key log
                secrets.append(body[8:8 + slen])
        off += blen
    return linktype, frames, secrets, blocks


def decode(linktype, frame):
    """Decodes an Ethernet (or raw IP) frame: returns a dict with family,
    src, dst, proto, sport, dport, seq, ack, flags, payload, and ip (the IP
    packet), or None for anything else (including IP fragments)."""
    if linktype == 1:
        if len(frame) < 14:
            return None
        etype, off = struct.unpack(">H", frame[12:14])[0], 14
        while etype == 0x8100 and len(frame) >= off + 4:
            etype, off = struct.unpack(">H", frame[off + 2:off + 4])[0], off + 4
        ip = frame[off:]
    elif linktype in (101, 12, 228, 229):
        ip = frame
    else:
        return None
    if len(ip) >= 20 and ip[0] >> 4 == 4:
        ihl = (ip[0] & 15) * 4
        total = struct.unpack(">H", ip[2:4])[0]
        if struct.unpack(">H", ip[6:8])[0] & 0x3FFF:
            return None
        d = {"family": 4, "src": ip[12:16], "dst": ip[16:20], "proto": ip[9],
             "l4": ip[ihl:total]}
    elif len(ip) >= 40 and ip[0] >> 4 == 6:
        plen = struct.unpack(">H", ip[4:6])[0]
        d = {"family": 6, "src": ip[8:24], "dst": ip[24:40], "proto": ip[6],
             "l4": ip[40:40 + plen]}
    else:
        return None
    d["ip"] = ip
    l4 = d["l4"]
    if d["proto"] == 6 and len(l4) >= 20:
        d["sport"], d["dport"], d["seq"], d["ack"] = struct.unpack(">HHII", l4[:12])
        d["flags"] = l4[13] & 0x1F
        d["payload"] = l4[(l4[12] >> 4) * 4:]
        return d
    if d["proto"] == 17 and len(l4) >= 8:
        d["sport"], d["dport"] = struct.unpack(">HH", l4[:4])
        d["payload"] = l4[8:]
        return d
    return None


# ---- TCP streams -----------------------------------------------------------


class Flow:
    """One TCP connection: its segments in capture order, and the in-order
    stream of each direction cut where each segment extended it (so the
    chunks interleave as the capture did)."""

    def __init__(self, key, client_is_src):
        self.key = key
        self.client = client_is_src  # (addr, port) of the client
        self.segs = []  # (dir, pkt dict, ts_us)
        self.chunks = []  # (dir, bytes)
        self.next = [None, None]
        self.pending = [{}, {}]

    def add(self, d, ts):
        direction = 0 if (d["src"], d["sport"]) == self.client else 1
        self.segs.append((direction, d, ts))
        if d["flags"] & 2:  # SYN: the stream starts after it
            if self.next[direction] is None:
                self.next[direction] = (d["seq"] + 1) & 0xFFFFFFFF
            return
        if not d["payload"]:
            return
        if self.next[direction] is None:
            self.next[direction] = d["seq"]
        self.pending[direction][d["seq"]] = d["payload"]
        out = b""
        while True:
            nxt = self.next[direction]
            hit = None
            for seq, data in self.pending[direction].items():
                rel = (nxt - seq) & 0xFFFFFFFF
                if rel < len(data):  # this piece holds the next byte
                    hit = (seq, data[rel:])
                    break
            if not hit:
                # drop what is now wholly behind the stream
                for seq in list(self.pending[direction]):
                    rel = (nxt - seq) & 0xFFFFFFFF
                    if rel < 0x80000000 and rel >= len(self.pending[direction][seq]):
                        del self.pending[direction][seq]
                break
            del self.pending[direction][hit[0]]
            out += hit[1]
            self.next[direction] = (nxt + len(hit[1])) & 0xFFFFFFFF
        if out:
            self.chunks.append((direction, out))

    def server_port(self):
        return self.key[3] if self.client == (self.key[0], self.key[1]) else self.key[1]


def flows_of(linktype, frames):
    flows, order = {}, []
    udp = []
    for ts, frame, _ in frames:
        d = decode(linktype, frame)
        if not d:
            continue
        if d["proto"] == 17:
            udp.append(d)
            continue
        a, b = (d["src"], d["sport"]), (d["dst"], d["dport"])
        key = a + b if a <= b else b + a
        if key not in flows:
            # the client: a SYN's sender, else the side not on an AMT port
            if d["flags"] & 0x12 == 0x02:
                client = a
            elif d["flags"] & 0x12 == 0x12:
                client = b
            else:
                client = b if d["sport"] in AMT_PORTS else a
            flows[key] = Flow(key, client)
            order.append(flows[key])
        flows[key].add(d, ts)
    return order, udp


# ---- HTTP ------------------------------------------------------------------


def http_messages(stream):
    """Splits one direction's HTTP bytes into (head, body) pairs, de-chunking
    bodies; stops at the first thing it does not understand."""
    out, off = [], 0
    while off < len(stream):
        end = stream.find(b"\r\n\r\n", off)
        if end < 0:
            break
        head = stream[off:end + 2]
        off = end + 4
        m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        if re.search(rb"(?im)^transfer-encoding:.*chunked", head):
            body = b""
            while True:
                eol = stream.find(b"\r\n", off)
                if eol < 0:
                    break
                try:
                    n = int(stream[off:eol].split(b";")[0], 16)
                except ValueError:
                    break
                off = eol + 2
                if n == 0:  # then trailers up to an empty line
                    end = stream.find(b"\r\n\r\n", off - 2)
                    off = end + 4 if end >= 0 else len(stream)
                    break
                body += stream[off:off + n]
                off += n + 2
        elif m:
            n = int(m.group(1))
            body = stream[off:off + n]
            off += n
        elif head.startswith(b"HTTP/") and not re.match(rb"HTTP/1\.\d (1\d\d|204|304)", head):
            body = stream[off:]
            off = len(stream)
        else:
            body = b""
        out.append((head, body))
    return out


def chunk_input(options, chunks):
    """The chunk format of fuzz_tls and fuzz_http: an options byte, then per
    chunk a control byte (bit 0: direction; fuzz_tls: bit 2, a new
    connection), a 16-bit big-endian length and the bytes. chunks holds
    (control, bytes) pairs."""
    out = bytes([options])
    for ctl, data in chunks:
        while data:
            piece, data = data[:0xFFFF], data[0xFFFF:]
            out += struct.pack(">BH", ctl, len(piece)) + piece
            if len(out) > MAX_SEED:
                return out
    return out


def tshark_decrypted(capture, keylog, nstreams):
    """The decrypted TLS payload of each TCP stream as [(dir, bytes)] lists,
    through tshark's follow tap; [] when tshark is missing or fails."""
    if not shutil.which("tshark") or nstreams == 0:
        return []
    cmd = ["tshark", "-n", "-r", capture, "-q"]
    if keylog:
        cmd += ["-o", "tls.keylog_file:" + keylog]
    for i in range(nstreams):
        cmd += ["-z", "follow,tls,raw,%d" % i]
    try:
        text = subprocess.run(cmd, capture_output=True, timeout=60, check=False).stdout.decode(
            "ascii", "replace")
    except (OSError, subprocess.SubprocessError):
        return []
    streams = []
    for block in text.split("=" * 67):
        node0 = re.search(r"Node 0: .*:(\d+)", block)
        if not node0:
            continue
        flip = int(node0.group(1)) in AMT_PORTS
        chunks = []
        for line in block.splitlines():
            hexpart = line.strip()
            if not hexpart or not re.fullmatch(r"[0-9a-f]+", hexpart):
                continue
            direction = (1 if line.startswith("\t") else 0) ^ flip
            chunks.append((direction, bytes.fromhex(hexpart)))
        if chunks:
            streams.append(chunks)
    return streams


# ---- TLS handshake messages -----------------------------------------------


def tls_handshakes(stream):
    """Plaintext handshake messages (type, body) of one direction, up to the
    first ChangeCipherSpec (what follows is encrypted)."""
    hs, off = b"", 0
    while off + 5 <= len(stream):
        ctype, _, length = struct.unpack(">BHH", stream[off:off + 5])
        frag = stream[off + 5:off + 5 + length]
        off += 5 + length
        if ctype == 20:
            break
        if ctype == 22:
            hs += frag
    out, off = [], 0
    while off + 4 <= len(hs):
        length = int.from_bytes(hs[off + 1:off + 4], "big")
        out.append((hs[off], hs[off + 4:off + 4 + length]))
        off += 4 + length
    return out


def vec(data, off, width):
    n = int.from_bytes(data[off:off + width], "big")
    return data[off + width:off + width + n], off + width + n


def cert_list(body):
    certs, off = [], 0
    if body[:1] and len(body) >= 3:
        # TLS 1.3 has a request context first; TLS <= 1.2 does not
        lst, _ = vec(body, 0, 3)
        if len(lst) + 3 != len(body):
            ctx_len = body[0]
            lst, _ = vec(body, 1 + ctx_len, 3)
        while off + 3 <= len(lst):
            c, off = vec(lst, off, 3)
            certs.append(c)
    return certs


def ca_names(body):
    """certificate_authorities of a TLS 1.2 CertificateRequest."""
    _, off = vec(body, 0, 1)
    _, off = vec(body, off, 2)
    names_blob, _ = vec(body, off, 2)
    names, o = [], 0
    while o + 2 <= len(names_blob):
        n, o = vec(names_blob, o, 2)
        names.append(n)
    return names


def cert_input(n_chain, blobs, flags=0):
    """fuzz_cert's input: a control byte (low nibble: how many blobs are
    the chain, the rest are CA names / roots; high bits: flags), then each
    blob as a 16-bit big-endian length and its bytes."""
    out = bytes([(n_chain & 15) | flags])
    for b in blobs:
        out += struct.pack(">H", len(b)) + b[:0xFFFF]
    return out


def pem_ders(path):
    with open(path, "rb") as f:
        text = f.read()
    return [base64.b64decode(m) for m in
            re.findall(rb"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", text, re.S)]


def dns_name(name):
    labels = [label.encode() for label in name.split(".") if label]
    return b"".join(bytes([len(label)]) + label for label in labels) + b"\0"


def dns_synthetic():
    """Answers the samples lack: a CNAME chain to an AAAA with compression
    pointers, and an ip6.arpa PTR."""
    q = dns_name("amt.example.com")
    # the CNAME target www.example.com points into the question (offset 16),
    # the AAAA owner at that target (offset 45)
    cname = b"\xc0\x0c" + struct.pack(">HHIH", 5, 1, 60, 6) + b"\x03www\xc0\x10"
    aaaa = (b"\xc0\x2d" + struct.pack(">HHIH", 28, 1, 60, 16) +
            bytes.fromhex("20010db8001000000000000000000020"))
    yield (struct.pack(">HHHHHH", 0x1234, 0x8180, 1, 2, 0, 0) + q + struct.pack(">HH", 28, 1) +
           cname + aaaa)
    rev = ".".join(reversed("20010db8001000000000000000000020")) + ".ip6.arpa"
    yield (struct.pack(">HHHHHH", 0x1235, 0x8180, 1, 1, 0, 0) + dns_name(rev) +
           struct.pack(">HH", 12, 1) + b"\xc0\x0c" + struct.pack(">HHIH", 12, 1, 60, 17) +
           dns_name("amt6.example.com"))


# ---- link types for fuzz_packet --------------------------------------------

# Must match the table in fuzz_packet.c: EN10MB, LINUX_SLL, LINUX_SLL2, NULL,
# LOOP, RAW (12), LINKTYPE_RAW (101), IPV4, IPV6.
LT_EN10MB, LT_SLL, LT_SLL2, LT_NULL, LT_LOOP, LT_RAW, LT_RAW101, LT_IPV4, LT_IPV6 = range(9)


def reencap(sel, ip):
    v6 = ip[0] >> 4 == 6
    etype = 0x86DD if v6 else 0x0800
    if sel == LT_EN10MB:
        return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01" + struct.pack(">H", etype) + ip
    if sel == LT_SLL:
        return struct.pack(">HHH8sH", 0, 1, 6, b"\x02\x00\x00\x00\x00\x01\x00\x00", etype) + ip
    if sel == LT_SLL2:
        mac = b"\x02\x00\x00\x00\x00\x01\x00\x00"
        return struct.pack(">HHIHBB8s", etype, 0, 1, 1, 0, 6, mac) + ip
    if sel == LT_NULL:
        return struct.pack("<I", 10 if v6 else 2) + ip
    if sel == LT_LOOP:
        return struct.pack(">I", 24 if v6 else 2) + ip
    return ip


def packet_input(sel, frames):
    """fuzz_packet's input: a link-type selector byte, then frames as a
    16-bit big-endian length and the bytes."""
    out = bytes([sel])
    for f in frames:
        out += struct.pack(">H", len(f)) + f[:0xFFFF]
    return out


def fragments(ip):
    """An IPv4 datagram cut into three fragments, sent last-first."""
    ihl = (ip[0] & 15) * 4
    total = struct.unpack(">H", ip[2:4])[0]
    payload = ip[ihl:total]
    if len(payload) < 48:
        return []
    cut = [0, (len(payload) // 3) & ~7, (2 * len(payload) // 3) & ~7, len(payload)]
    out = []
    for i in range(3):
        part = payload[cut[i]:cut[i + 1]]
        hdr = bytearray(ip[:ihl])
        hdr[2:4] = struct.pack(">H", ihl + len(part))
        hdr[6:8] = struct.pack(">H", (cut[i] // 8) | (0x2000 if i < 2 else 0))
        hdr[10:12] = b"\0\0"
        out.append(bytes(hdr) + part)
    return out[::-1]


# ---- TCP descriptors for fuzz_tcp ------------------------------------------


def tcp_input(flows, options):
    """fuzz_tcp's input: an options byte, then per segment a 14-byte header
    (flags | 0x20 server-to-client | 0x40 IPv6 | 0x80 sliced, flow index,
    seq, ack, time step in ms, payload length; all big-endian), one more
    byte when sliced (missing bytes / 16), and the payload."""
    segs = []
    for idx, flow in enumerate(flows):
        for direction, d, ts in flow.segs:
            segs.append((ts, idx, direction, d))
    segs.sort(key=lambda s: s[0])
    out, last = bytes([options]), None
    for ts, idx, direction, d in segs:
        step = 0 if last is None else min(max(ts - last, 0) // 1000, 0xFFFF)
        last = ts
        flags = d["flags"] | (0x20 if direction else 0) | (0x40 if d["family"] == 6 else 0)
        out += struct.pack(">BBIIHH", flags, idx & 7, d["seq"], d["ack"], step, len(d["payload"]))
        out += d["payload"]
        if len(out) > MAX_SEED:
            break
    return out


# ---- capfile ----------------------------------------------------------------


def small_pcapng(blocks, keep_packets):
    out, packets = b"", 0
    for btype, raw in blocks:
        if btype in (3, 6):
            packets += 1
            if packets > keep_packets:
                continue
        out += raw
    return out


def http_features(capture):
    """What a sample's expected.json says its HTTP traffic shows: statuses,
    requests and causes."""
    try:
        with open(os.path.join(os.path.dirname(capture), "expected.json")) as f:
            exp = json.load(f)
    except (OSError, ValueError):
        return set()
    feats = set()
    for conn in exp.get("connections", []):
        feats.update("status %s" % s for s in conn.get("http_statuses") or [])
        feats.update("request %s" % r for r in conn.get("requests") or [])
        feats.update("cause %s" % c for c in conn.get("causes") or [])
    return feats


def pick_by_features(jobs, limit):
    """Greedy cover: the jobs whose samples add the most features not yet
    covered, at most limit of them."""
    feats = {job[0]: http_features(job[0]) for job in jobs}
    chosen, covered = [], set()
    while len(chosen) < limit:
        best = max(jobs, key=lambda j: len(feats[j[0]] - covered), default=None)
        if best is None or not feats[best[0]] - covered:
            break
        chosen.append(best)
        covered |= feats[best[0]]
        jobs = [j for j in jobs if j is not best]
    return chosen


# ---- main ------------------------------------------------------------------


def main():
    samples, out = sys.argv[1], sys.argv[2]
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    c = {name: Corpus(out, name) for name in
         ("packet", "tcp", "tls", "http", "dns", "soap", "http_auth", "cert", "keylog",
          "capfile", "capture", "redir")}
    data_dir = os.path.join(out, "data")
    os.makedirs(data_dir)
    keylog_text = b""
    rsa, roots = set(), set()

    captures = []
    for root, _, files in sorted(os.walk(samples)):
        for name in sorted(files):
            path = os.path.join(root, name)
            if name.startswith("capture.pcap"):
                captures.append(path)
            elif name == "keylog.txt":
                with open(path, "rb") as f:
                    text = f.read()
                c["keylog"].add(text)
                keylog_text += text if text.endswith(b"\n") else text + b"\n"
            elif name.endswith("-key.pem"):
                with open(path, "rb") as f:
                    rsa.add(f.read())
            elif name.endswith(".pem"):
                for der in pem_ders(path):
                    if name == "root-ca.pem":
                        with open(path, "rb") as f:
                            roots.add(f.read())
                    c["cert"].add(cert_input(1, [der]))
                with open(path, "rb") as f:
                    c["cert"].add(cert_input(0, [f.read()], 0x80))  # the PEM loader

    for msg in dns_synthetic():
        c["dns"].add(msg)
    http_streams = []  # [(dir, bytes)] per connection
    decrypt_jobs = []
    for path in captures:
        linktype, frames, secrets, blocks = read_capture(path)
        if linktype is None:
            continue
        with open(path, "rb") as f:
            raw = f.read()
        c["capture"].add(raw)
        if len(raw) < 20000:  # the decompressor in front of the reader
            c["capture"].add(gzip.compress(raw, mtime=0))
        for s in secrets:
            c["keylog"].add(s)
            keylog_text += s if s.endswith(b"\n") else s + b"\n"
        if blocks:
            c["capfile"].add(b"\xff" + small_pcapng(blocks, 2))
            c["capfile"].add(b"\x00" + small_pcapng(blocks, 0))
        else:
            with open(path, "rb") as f:
                c["capfile"].add(b"\x02" + f.read(256))

        # frames, in their own link type and re-encapsulated
        if linktype == 1:
            for i in range(0, min(len(frames), 24), 6):
                c["packet"].add(packet_input(LT_EN10MB, [f for _, f, _ in frames[i:i + 6]]))
            ips = [d["ip"] for d in (decode(1, f) for _, f, _ in frames[:4]) if d]
            for sel in range(1, 9):
                want = LT_IPV6 if ips and ips[0][0] >> 4 == 6 else LT_IPV4
                if sel in (LT_IPV4, LT_IPV6) and sel != want:
                    continue
                c["packet"].add(packet_input(sel, [reencap(sel, ip) for ip in ips]))
            big = [d["ip"] for d in (decode(1, f) for _, f, _ in frames) if d and d["family"] == 4
                   and len(d["payload"]) > 64]
            if big:
                c["packet"].add(packet_input(LT_EN10MB, [reencap(LT_EN10MB, p)
                                                         for p in fragments(big[0])]))

        flows, udp = flows_of(linktype, frames)
        for d in udp:
            if 53 in (d["sport"], d["dport"]):
                c["dns"].add(d["payload"])
        c["tcp"].add(tcp_input(flows, 0))
        has_rsa = os.path.exists(os.path.join(os.path.dirname(path), "amt-key.pem"))
        tls_flows = []
        for flow in flows:
            c["tcp"].add(tcp_input([flow], 1))
            if not flow.chunks:
                continue
            first = flow.chunks[0][1]
            if first[:1] == b"\x16" or flow.server_port() in (16993, 16995):
                c["tls"].add(chunk_input(0, flow.chunks))
                if has_rsa:  # decrypted with the RSA key alone
                    c["tls"].add(chunk_input(3, flow.chunks))
                tls_flows.append(flow)
                streams = [b"".join(d for di, d in flow.chunks if di == k) for k in (0, 1)]
                hs = [tls_handshakes(s) for s in streams]
                names = [ca_names(b) for t, b in hs[1] if t == 13]
                for direction in (0, 1):
                    for t, body in hs[direction]:
                        if t == 11:
                            chain = cert_list(body)
                            if chain:
                                extra = names[0] if names else []
                                c["cert"].add(cert_input(len(chain), chain + extra))
            elif first[:4] in (b"POST", b"GET ", b"HEAD", b"PUT ", b"HTTP"):
                http_streams.append(flow.chunks)
            elif flow.server_port() == 16994:
                # the redirection messages of both sides, in the order sent
                c["redir"].add(b"".join(d for _, d in flow.chunks))
                c["redir"].add(b"".join(d for di, d in flow.chunks if di == 1))
        if len(tls_flows) > 1:
            # consecutive connections with one key store: session resumption
            (ctl, data), rest = tls_flows[1].chunks[0], tls_flows[1].chunks[1:]
            c["tls"].add(chunk_input(0, tls_flows[0].chunks + [(4 | ctl, data)] + rest))
        keylog = os.path.join(os.path.dirname(path), "keylog.txt")
        n_tls = sum(1 for f in flows if f.server_port() in (16993, 16995))
        if n_tls and (os.path.exists(keylog) or secrets):
            decrypt_jobs.append((path, keylog if os.path.exists(keylog) else None, len(flows)))

    # tshark is the slow part of seed generation: it runs, in parallel, on
    # the few TLS samples that together show every HTTP status, request and
    # diagnosis the TLS samples have.
    decrypt_jobs = pick_by_features(decrypt_jobs, MAX_DECRYPT)
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for streams in pool.map(lambda j: tshark_decrypted(*j), decrypt_jobs):
            http_streams.extend(s for s in streams if s[0][1][:4] in (b"POST", b"GET ", b"HEAD"))

    for chunks in http_streams:
        c["http"].add(chunk_input(0, chunks))
        for direction in (0, 1):
            stream = b"".join(d for di, d in chunks if di == direction)
            for head, body in http_messages(stream):
                for m in re.finditer(rb"(?im)^(?:www-authenticate|authorization):[ \t]*(.*?)\r$",
                                     head):
                    c["http_auth"].add(m.group(1))
                if body.lstrip()[:1] == b"<" and b"Envelope" in body:
                    c["soap"].add(body)

    with open(os.path.join(data_dir, "tls-keylog.txt"), "wb") as f:
        f.write(keylog_text)
    for i, key in enumerate(sorted(rsa)):
        with open(os.path.join(data_dir, "rsa-%d.pem" % i), "wb") as f:
            f.write(key)
    for i, root in enumerate(sorted(roots)):
        with open(os.path.join(data_dir, "root-%d.pem" % i), "wb") as f:
            f.write(root)
    print("fuzz seeds: " + ", ".join("%s %d" % (k, v.count) for k, v in c.items()))


if __name__ == "__main__":
    main()
