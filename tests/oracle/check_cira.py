#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tshark must see in each CIRA sample what its cira-expected.json states:
the TCP handshake (or the reset, or SYNs without answer), the TLS alerts
and who sent them, and, decrypted with the sample's key log, the APF
messages each side sent, framed here by a framer of this script's own
(from docs/cira.md). lib's framer (apf_frames) must frame the same bytes
into the same messages, and the HTTP statuses inside the channels are the
ones the simulator's AMT answered.

usage: check_cira.py APF_FRAMES SAMPLES_DIR/cira"""
import json
import os
import struct
import subprocess
import sys

NAMES = {1: "Disconnect", 5: "ServiceRequest", 6: "ServiceAccept", 50: "UserAuthRequest",
         51: "UserAuthFailure", 52: "UserAuthSuccess", 80: "GlobalRequest",
         81: "RequestSuccess", 82: "RequestFailure", 90: "ChannelOpen",
         91: "ChannelOpenConfirmation", 92: "ChannelOpenFailure",
         93: "ChannelWindowAdjust", 94: "ChannelData", 97: "ChannelClose",
         192: "ProtocolVersion", 208: "KeepAliveRequest", 209: "KeepAliveReply",
         210: "KeepAliveOptionsRequest", 211: "KeepAliveOptionsReply"}


def u32(b, o):
    return struct.unpack(">I", b[o:o + 4])[0]


def frame(b, success_port):
    """APF messages in b: [(type, bytes)]."""
    out, o = [], 0
    while o < len(b):
        t = b[o]
        if t in (5, 6):
            n = 5 + u32(b, o + 1)
        elif t == 50:
            p = o + 1
            for _ in range(3):
                p += 4 + u32(b, p)
            method = b[p - 8:p]
            n = p - o
            if method == b"password":
                n += 1 + 4 + u32(b, p + 1)
        elif t == 51:
            n = 5 + u32(b, o + 1) + 1
            if o + n < len(b) and b[o + n] == 0:
                n += 1
        elif t == 80:
            p = o + 5 + u32(b, o + 1) + 1
            n = p - o + 4 + u32(b, p) + 4
        elif t == 81:
            n = 5 if success_port else 1
        elif t == 90:
            p = o + 1
            p += 4 + u32(b, p) + 12
            p += 4 + u32(b, p) + 4
            p += 4 + u32(b, p) + 4
            n = p - o
        elif t == 94:
            n = 9 + u32(b, o + 5)
        else:
            n = {1: 7, 52: 1, 82: 1, 91: 17, 92: 17, 93: 9, 97: 5, 192: 93, 208: 5,
                 209: 5, 210: 9, 211: 9}.get(t)
            if n is None:
                raise ValueError("type %d at %d" % (t, o))
        out.append((t, b[o:o + n]))
        o += n
    return out


def tshark(args):
    return subprocess.run(["tshark", "-n"] + args, capture_output=True, text=True,
                          check=False).stdout


def streams(cap, keylog):
    """The decrypted bytes AMT (client) and the MPS sent."""
    txt = tshark(["-r", cap, "-o", "tls.keylog_file:" + keylog, "-d", "tcp.port==4433,tls",
                  "-q", "-z", "follow,tls,raw,0"])
    amt, mps = bytearray(), bytearray()
    body = txt.split("=" * 67)[1] if "=" * 67 in txt else ""
    for line in body.splitlines():
        if not line.strip() or ":" in line:
            continue
        (mps if line.startswith("\t") else amt).extend(bytes.fromhex(line.strip()))
    return bytes(amt), bytes(mps)


def check(d, apf_frames):
    exp = json.load(open(os.path.join(d, "cira-expected.json")))
    c = exp["connections"][0]
    cap = os.path.join(d, exp["capture"])
    problems = []
    rows = tshark(["-r", cap, "-T", "fields", "-e", "tcp.srcport", "-e", "tcp.flags.syn",
                   "-e", "tcp.flags.ack", "-e", "tcp.flags.reset", "-e", "tls.alert_message.desc"])
    rows = [r.split("\t") for r in rows.splitlines()]
    synack = any(r[0] == "4433" and r[1] == "1" and r[2] == "1" for r in rows)
    rst_to_syn = any(r[0] == "4433" and r[3] == "1" for r in rows) and not synack
    syns = sum(1 for r in rows if r[0] != "4433" and r[1] == "1" and r[2] == "0")
    causes = c["causes"]
    if "cira-tcp-refused" in causes and not rst_to_syn:
        problems.append("no reset to the SYN")
    if "cira-tcp-unanswered" in causes and (synack or syns < 2 or len(rows) != syns):
        problems.append("expected only unanswered SYNs, got %d rows, %d SYNs" % (len(rows), syns))
    if c["stage"] != "tcp" and not synack:
        problems.append("no SYN-ACK")
    if c.get("mps_asks_amt_cert"):
        # the MPS's CertificateRequest and AMT's Certificate with its chain
        hs = tshark(["-r", cap, "-Y", "tls.handshake.type == 13 || tls.handshake.type == 11",
                     "-T", "fields", "-e", "tcp.srcport", "-e", "tls.handshake.type",
                     "-e", "tls.handshake.certificates_length"]).splitlines()
        asked = any(h.split("\t")[0] == "4433" and "13" in h.split("\t")[1].split(",")
                    for h in hs)
        # AMT's Certificate: with its chain, or empty when it has none
        empty = "cira-amt-cert-missing" in causes
        shown = any(h.split("\t")[0] != "4433" and "11" in h.split("\t")[1].split(",")
                    and (int((h.split("\t")[2] or "0").split(",")[0]) > 0) != empty for h in hs)
        if not (asked and shown):
            problems.append("no CertificateRequest from the MPS and %s certificate from AMT: %s"
                            % ("empty" if empty else "a", hs))
    alerts = [("amt" if r[0] != "4433" else "mps", int(a)) for r in rows if len(r) > 4 and r[4]
              for a in r[4].split(",")]
    want = [(a["from"], a["description"]) for a in c["alerts"]]
    if alerts != want:
        problems.append("alerts %s, expected %s" % (alerts, want))
    if exp.get("keylog") and (c["apf_amt"] or c["apf_mps"]):
        amt, mps = streams(cap, os.path.join(d, exp["keylog"]))
        for side, data, port, listed in (("amt", amt, False, c["apf_amt"]),
                                         ("mps", mps, True, c["apf_mps"])):
            try:
                got = [NAMES.get(t, str(t)) for t, _ in frame(data, port)]
            except (ValueError, struct.error) as e:
                problems.append("%s: APF does not frame: %s" % (side, e))
                continue
            if got != listed:
                problems.append("%s sent %s, expected %s" % (side, got, listed))
            r = subprocess.run([apf_frames] + (["success-port"] if port else []),
                               input=data.hex(), capture_output=True, text=True, check=False)
            if r.stdout.split() != got:
                problems.append("%s: lib frames %s, this script %s" % (side, r.stdout.split(), got))
        # AMT's responses, one a ChannelData (the simulator writes each
        # whole), in the order AMT sent them whatever their channel
        statuses = [m[9:].split()[1].decode() for t, m in frame(amt, False)
                    if t == 94 and m[9:].startswith(b"HTTP/1.1 ")]
        if statuses != c["http_statuses"]:
            problems.append("HTTP statuses %s, expected %s" % (statuses, c["http_statuses"]))
    return problems


def main():
    apf_frames, root = sys.argv[1], sys.argv[2]
    names = sorted(n for n in os.listdir(root)
                   if os.path.isfile(os.path.join(root, n, "cira-expected.json")))
    if not names:
        print("no CIRA samples in", root)
        return 1
    bad = 0
    for n in names:
        p = check(os.path.join(root, n), apf_frames)
        for x in p:
            print("%s: %s" % (n, x))
        bad += bool(p)
        if not p:
            print("%s: ok" % n)
    print("%d samples, %d with differences" % (len(names), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
