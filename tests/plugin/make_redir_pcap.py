#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes captures of AMT's redirection protocol (16994, and 16995 over a
real OpenSSL TLS session) for test_plugin_redir.sh: the console and AMT
messages are built from the protocol's layouts (docs/redirection.md), the
Digest responses computed as a console does (MD5 over POST and
/RedirectionService), and the byte streams cut into TCP segments, some
messages split across segments and some sharing one.

usage: make_redir_pcap.py OUT_DIR
Writes OUT_DIR/<scenario>.pcap for each scenario with OUT_DIR/<scenario>.types
(the message types in order, hex), and for the TLS one OUT_DIR/sol-tls.keylog
(NSS key log). Needs openssl on PATH (the TLS
certificate)."""
import hashlib
import os
import ssl
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "analyzer"))
from make_http_pcap import frame  # noqa: E402

CONSOLE, AMT = [192, 0, 2, 10], [192, 0, 2, 20]
REALM = b"Digest:2B8B0000000000000000000000000000"
NONCE = b"kSkKAgAAAAAAAAAAAAAAAAAAAAAAAAAA"
URI = b"/RedirectionService"


def lp(*strings):
    """Length-prefixed strings, as the login messages carry them."""
    return b"".join(bytes([len(s)]) + s for s in strings)


def auth(auth_type, data, reply=False, status=0):
    return bytes([0x14 if reply else 0x13, status, 0, 0, auth_type]) + struct.pack("<I", len(data)) + data


def digest(user, password, cnonce=b"a1b2c3d4", nc=b"00000002"):
    md5 = lambda b: hashlib.md5(b).hexdigest().encode()
    ha1 = md5(user + b":" + REALM + b":" + password)
    ha2 = md5(b"POST:" + URI)
    resp = md5(b":".join([ha1, NONCE, nc, cnonce, b"auth", ha2]))
    return auth(4, lp(user, REALM, NONCE, URI, cnonce, nc, resp, b"auth"))


def start(tag):
    return b"\x10" + (b"\x01" if tag == b"KVMR" else b"\x00") + b"\0\0" + tag


def start_reply(status, oem=b""):
    return bytes([0x11, status]) + bytes(10) + bytes([len(oem)]) + oem


def seq_msg(t, seq, rest=b""):
    return bytes([t, 0, 0, 0]) + struct.pack("<I", seq) + rest


def digest_login(user, password):
    """Query, start, challenge, response: (direction, bytes) pairs."""
    return [("c", auth(0, b"")), ("a", auth(0, b"\x01\x03\x04", reply=True)),
            ("c", auth(4, lp(user, b"", b"", URI, b"", b"", b"", b""))),
            ("a", auth(4, lp(REALM, NONCE, b"auth"), reply=True, status=1)),
            ("c", digest(user, password))]


def sol_session(seq=1):
    return [("c", seq_msg(0x20, 0, struct.pack("<6H", 1000, 100, 0, 10000, 0, 5000) + bytes(4))),
            ("a", bytes([0x21, 0]) + bytes(21)),
            ("c", seq_msg(0x28, seq, struct.pack("<H", 4) + b"ls\r\n")),
            ("a", seq_msg(0x2A, 0, struct.pack("<H", 13) + b"Hello, world\n")),
            ("a", seq_msg(0x29, 0, b"\x02\x04")),
            ("c", seq_msg(0x2B, seq + 1)),
            ("c", seq_msg(0x22, seq + 2)), ("a", seq_msg(0x23, 0)),
            ("c", b"\x12\0\0\0")]


SCENARIOS = {
    # SOL after a Digest login; AMT's reply split across segments.
    "sol-digest-ok": [("c", start(b"SOL ")), ("a", start_reply(0))]
    + digest_login(b"admin", b"P@ssw0rd")
    + [("a", auth(4, b"", reply=True))] + sol_session(),
    # The Digest response made with another password: FAILURE, the console leaves.
    "sol-digest-wrong-password": [("c", start(b"SOL ")), ("a", start_reply(0))]
    + digest_login(b"admin", b"not-the-password")
    + [("a", auth(4, b"", reply=True, status=1))],
    # Another redirection session holds the device.
    "ider-busy": [("c", start(b"IDER")), ("a", start_reply(2))],
    # KVM with the password in clear; after the start, RFB.
    "kvm-userpass": [("c", start(b"KVMR")), ("a", start_reply(0, b"\x01\x02")),
                     ("c", auth(1, lp(b"admin", b"P@ssw0rd"))), ("a", auth(1, b"", reply=True)),
                     ("c", b"\x40" + bytes(7)),
                     ("a", b"\x41" + bytes(7) + b"RFB 003.008\n"), ("C", b"RFB 003.008\n")],
    # IDE-R: Kerberos refused as unsupported, then Digest, then IDE-R messages.
    "ider-kerberos-unsupported": [("c", start(b"IDER")), ("a", start_reply(0)),
                                  ("c", auth(2, b"\x60\x82" + bytes(300))),
                                  ("a", auth(2, b"", reply=True, status=2))]
    + digest_login(b"admin", b"P@ssw0rd") + [("a", auth(4, b"", reply=True))]
    + [("c", seq_msg(0x40, 0, struct.pack("<3HI", 10000, 0, 5000, 1))),
       ("a", bytes([0x41, 0]) + bytes(28)), ("a", seq_msg(0x50, 1, bytes(20))),
       ("c", seq_msg(0x54, 1, b"\x00" + struct.pack("<H", 6) + bytes(23) + b"ABCDEF")),
       ("c", seq_msg(0x51, 2, bytes(23))), ("a", seq_msg(0x4B, 2)), ("c", b"\x12\0\0\0")],
    # AMT refuses SOL itself after a good login.
    "sol-start-refused": [("c", start(b"SOL ")), ("a", start_reply(0))]
    + digest_login(b"admin", b"P@ssw0rd") + [("a", auth(4, b"", reply=True))]
    + sol_session()[:1] + [("a", bytes([0x21, 3]) + bytes(21))],
    # Not this protocol after the start (a console speaking HTTP to 16994).
    "garbage-after-start": [("c", start(b"SOL ")), ("a", start_reply(0)),
                            ("C", b"\x99GET / HTTP/1.1\r\n\r\n")],
}


def segments(stream):
    """Cuts the message list into TCP payloads (direction "c" or "a"; in
    capitals, bytes that are not a redirection message): a message of over
    12 bytes goes in two segments, and each third short message shares a
    segment with the next one of the same direction."""
    out, pending = [], None
    for i, (d, msg) in enumerate(stream):
        if pending and pending[0] == d:
            msg = pending[1] + msg
            pending = None
        elif pending:
            out.append(pending)
            pending = None
        if len(msg) > 12 and i % 2 == 0:
            out += [(d, msg[:7]), (d, msg[7:])]
        elif len(msg) <= 12 and i % 3 == 2:
            pending = (d, msg)
        else:
            out.append((d, msg))
    if pending:
        out.append(pending)
    return out


def write_pcap(path, payloads, port):
    cport, cseq, aseq = 50000, 1000, 9000
    frames = [frame(CONSOLE, AMT, cport, port, cseq, 0, 0x02),
              frame(AMT, CONSOLE, port, cport, aseq, cseq + 1, 0x12),
              frame(CONSOLE, AMT, cport, port, cseq + 1, aseq + 1, 0x10)]
    cseq += 1
    aseq += 1
    for d, data in payloads:
        if d.lower() == "c":
            frames.append(frame(CONSOLE, AMT, cport, port, cseq, aseq, 0x18, data))
            cseq += len(data)
        else:
            frames.append(frame(AMT, CONSOLE, port, cport, aseq, cseq, 0x18, data))
            aseq += len(data)
    frames.append(frame(CONSOLE, AMT, cport, port, cseq, aseq, 0x11))
    frames.append(frame(AMT, CONSOLE, port, cport, aseq, cseq + 1, 0x11))
    frames.append(frame(CONSOLE, AMT, cport, port, cseq + 1, aseq + 1, 0x10))
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000, i * 1000, len(fr), len(fr)) + fr)


def tls_payloads(stream, out_dir):
    """The stream through a real TLS 1.2 session (OpenSSL, in memory): the
    handshake and each message's records, as the console and AMT wrote
    them; the session keys go to OUT_DIR/sol-tls.keylog."""
    key, crt = os.path.join(out_dir, "amt-key.pem"), os.path.join(out_dir, "amt-cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
                    "-subj", "/CN=amt.example.com", "-keyout", key, "-out", crt],
                   check=True, capture_output=True)
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(crt, key)
    sctx.maximum_version = ssl.TLSVersion.TLSv1_2
    cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cctx.check_hostname = False
    cctx.verify_mode = ssl.CERT_NONE
    cctx.keylog_filename = os.path.join(out_dir, "sol-tls.keylog")
    bios = {d: (ssl.MemoryBIO(), ssl.MemoryBIO()) for d in "ca"}  # (incoming, outgoing)
    c = cctx.wrap_bio(bios["c"][0], bios["c"][1], server_hostname="amt.example.com")
    a = sctx.wrap_bio(bios["a"][0], bios["a"][1], server_side=True)
    out = []

    def pump():
        for d, other in (("c", "a"), ("a", "c")):
            data = bios[d][1].read()
            if data:
                out.append((d, data))
                bios[other][0].write(data)

    for _ in range(10):
        for end in (c, a):
            try:
                end.do_handshake()
            except ssl.SSLWantReadError:
                pass
        pump()
    for d, msg in stream:
        (c if d.lower() == "c" else a).write(msg)
        pump()
        (a if d.lower() == "c" else c).read(65536)
    return out


def main():
    out_dir = sys.argv[1]
    def types(name, stream):
        with open(os.path.join(out_dir, name + ".types"), "w") as f:
            f.write(" ".join("%02x" % m[0] for d, m in stream if d.islower()) + "\n")
    for name, stream in SCENARIOS.items():
        write_pcap(os.path.join(out_dir, name + ".pcap"), segments(stream), 16994)
        types(name, stream)
    tls = SCENARIOS["sol-digest-ok"]
    write_pcap(os.path.join(out_dir, "sol-tls.pcap"), tls_payloads(tls, out_dir), 16995)
    types("sol-tls", tls)


if __name__ == "__main__":
    main()
