# SPDX-License-Identifier: GPL-2.0-or-later
"""What tshark sees in a recorded capture, per TCP connection to AMT's
ports, in the order of events: TCP flags, TLS handshake messages and
alerts (decrypted with the key log), HTTP requests and responses. From it,
which side ended each connection and after which step — the recorder
holds the case's stated expectation against this reading.

tshark is the independent reader: nothing of the project's own parsing is
used here.
"""
import subprocess

AMT_PORTS = (16992, 16993)

FIELDS = ["frame.number", "ip.src", "ip.dst", "tcp.srcport", "tcp.dstport", "tcp.flags.syn",
          "tcp.flags.ack", "tcp.flags.fin", "tcp.flags.reset", "tls.handshake.type",
          "tls.alert_message.level", "tls.alert_message.desc", "http.request.method",
          "http.request.uri", "http.response.code", "tls.handshake.random",
          "tls.record.content_type"]

HANDSHAKE = {0: "HelloRequest", 1: "ClientHello", 2: "ServerHello", 4: "NewSessionTicket",
             8: "EncryptedExtensions", 11: "Certificate", 12: "ServerKeyExchange",
             13: "CertificateRequest", 14: "ServerHelloDone", 15: "CertificateVerify",
             16: "ClientKeyExchange", 20: "Finished", 24: "KeyUpdate"}

ALERTS = {0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac",
          40: "handshake_failure", 42: "bad_certificate", 43: "unsupported_certificate",
          44: "certificate_revoked", 45: "certificate_expired", 46: "certificate_unknown",
          47: "illegal_parameter", 48: "unknown_ca", 49: "access_denied", 50: "decode_error",
          51: "decrypt_error", 70: "protocol_version", 71: "insufficient_security",
          80: "internal_error", 90: "user_canceled", 112: "unrecognized_name",
          116: "certificate_required"}


def _flag(v):
    return v in ("1", "True")


def _ints(text):
    return [int(v, 0) for v in text.split(",") if v != ""]


def read(capture, keylog=None):
    """Per connection, in the order of their first frame: a dict with
    client, server, tcp ("open", "refused", "unanswered"), events
    [(frame, side, kind, detail)], alerts, requests, statuses, end,
    client_hello, client_random, encrypted (records only keys can read)."""
    cmd = ["tshark", "-n", "-r", capture, "-d", "tcp.port==16992,http",
           "-d", "tcp.port==16993,tls", "-o", "http.tls.port:443,16993",
           "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"]
    if keylog:
        cmd += ["-o", "tls.keylog_file:" + keylog]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("tshark failed on %s: %s" % (capture, out.stderr.strip()))
    conns = {}
    for line in out.stdout.splitlines():
        v = dict(zip(FIELDS, line.split("\t") + [""] * len(FIELDS)))
        if v["tcp.srcport"] == "":
            continue
        sport, dport = int(v["tcp.srcport"]), int(v["tcp.dstport"])
        if sport not in AMT_PORTS and dport not in AMT_PORTS:
            continue
        side = "amt" if sport in AMT_PORTS else "console"
        key = (v["ip.dst"], dport, v["ip.src"], sport) if side == "amt" else \
            (v["ip.src"], sport, v["ip.dst"], dport)
        c = conns.get(key)
        if c is None:
            c = conns[key] = {"client": "%s:%d" % key[:2], "server": "%s:%d" % key[2:],
                              "tcp": "unanswered", "events": [], "alerts": [], "requests": [],
                              "statuses": [], "end": "none", "client_hello": False,
                              "client_random": None, "encrypted": False}
        frame = int(v["frame.number"])
        ev = c["events"]
        # ChangeCipherSpec or application data (TLS 1.3 hides all behind it)
        c["encrypted"] |= bool({20, 23} & set(_ints(v["tls.record.content_type"])))
        if _flag(v["tcp.flags.syn"]):
            if side == "console" and not _flag(v["tcp.flags.ack"]):
                ev.append((frame, side, "tcp", "SYN"))
            elif side == "amt":
                c["tcp"] = "open"
                ev.append((frame, side, "tcp", "SYN-ACK"))
        types = _ints(v["tls.handshake.type"])
        randoms = [r for r in v["tls.handshake.random"].split(",") if r]
        for k, t in enumerate(types):
            ev.append((frame, side, "handshake", HANDSHAKE.get(t, "type %d" % t)))
            if t == 1 and side == "console":
                c["client_hello"] = True
                if k < len(randoms):
                    c["client_random"] = randoms[k].replace(":", "")
        methods = [m for m in v["http.request.method"].split(",") if m]
        uris = [u for u in v["http.request.uri"].split(",") if u]
        for m, u in zip(methods, uris):
            ev.append((frame, side, "http", "request"))
            c["requests"].append("%s %s" % (m, u))
        for code in _ints(v["http.response.code"]):
            ev.append((frame, side, "http", "response"))
            c["statuses"].append(code)
        levels, descs = _ints(v["tls.alert_message.level"]), _ints(v["tls.alert_message.desc"])
        for level, desc in zip(levels, descs):
            ev.append((frame, side, "alert", (level, desc)))
            c["alerts"].append({"from": "server" if side == "amt" else "client", "level": level,
                                "desc": desc, "name": ALERTS.get(desc, "unknown")})
        rst, fin = _flag(v["tcp.flags.reset"]), _flag(v["tcp.flags.fin"])
        if rst or fin:
            ev.append((frame, side, "tcp", "RST" if rst else "FIN"))
            if c["end"] == "none":
                c["end"] = ("rst-" if rst else "fin-") + ("server" if side == "amt" else "client")
            if rst and side == "amt" and c["tcp"] == "unanswered":
                c["tcp"] = "refused"
    return sorted(conns.values(), key=lambda c: c["events"][0][0])


def ended(c):
    """(by, after, frame): the side that ended the connection — the sender
    of the first fatal alert, else of the first close_notify, FIN or RST —
    and the last step before it: a handshake message, "request",
    "response", "SYN"; ("none", last step, None) while it was still open.
    Steps in the ending frame count as before the end (a side's data
    precedes its own FIN and alert)."""
    events = c["events"]
    end = next((e for e in events if e[2] == "alert" and e[3][0] == 2), None)
    if end is None:
        end = next((e for e in events if (e[2] == "alert" and e[3] == (1, 0))
                    or (e[2] == "tcp" and e[3] in ("FIN", "RST"))), None)
    last = None
    for e in events:
        if e is end or (end and e[0] > end[0]):
            break
        if e[2] in ("handshake", "http") or (e[2] == "tcp" and e[3] == "SYN"):
            last = e[3]
    if end is None:
        return "none", last, None
    return ("console" if end[1] == "console" else "amt"), last, end[0]
