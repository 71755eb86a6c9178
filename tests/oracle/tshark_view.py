"""What tshark sees in a sample capture, per TCP connection.

Shared by the oracle test (tshark must confirm expected.json) and the
reproducibility test (two generations must look the same to tshark).
tshark is the independent reader here: nothing of the project's own
parsing is used.
"""
import json
import os
import subprocess

FIELDS = [
    "frame.number", "tcp.stream", "ip.src", "ipv6.src", "tcp.srcport", "tcp.dstport",
    "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.fin", "tcp.flags.reset", "tcp.len",
    "http.request.method", "http.request.uri", "http.response.code",
    "tls.alert_message.level", "tls.alert_message.desc", "udp.srcport", "dns.qry.name",
    "dns.flags.rcode", "dns.count.answers", "_ws.malformed", "frame.len", "data.data",
]

AMT_PORTS = (16992, 16993, 16994, 16995)
REDIR_PORTS = (16994, 16995)


def _redir_len(b, kvm):
    """The length of the redirection message at the start of b (docs/
    redirection.md's table, written here apart from the C decoders), 0 when
    more bytes are needed, None for an unknown type."""
    fixed = {0x10: 8, 0x12: 4, 0x20: 24, 0x22: 8, 0x23: 8, 0x24: 8, 0x25: 8, 0x27: 14,
             0x29: 10, 0x2B: 8, 0x42: 8, 0x43: 8, 0x44: 8, 0x45: 8, 0x46: 9, 0x47: 8,
             0x49: 13, 0x4A: 11, 0x4B: 8, 0x50: 28, 0x51: 31, 0x52: 31}
    # type: (header length, offset of the length field, its width)
    counted = {0x11: (13, 12, 1), 0x13: (9, 5, 4), 0x14: (9, 5, 4), 0x21: (23, 22, 1),
               0x28: (10, 8, 2), 0x2A: (10, 8, 2), 0x41: (30, 29, 1), 0x53: (14, 9, 2),
               0x54: (34, 9, 2)}
    t = b[0]
    if t in (0x40, 0x41) and kvm:
        return 8
    if t == 0x40:
        return 18
    if t == 0x48:
        return 0 if len(b) < 9 else (9 if b[8] == 1 else 13)
    if t in fixed:
        return fixed[t]
    if t not in counted:
        return None
    hdr, at, width = counted[t]
    if len(b) < hdr:
        return 0
    return hdr + int.from_bytes(b[at:at + width], "little")


def redir_types(console, amt):
    """The message types each side sent, from their byte streams; after
    KVM's start (console) and its reply (AMT) the rest is RFB."""
    out = {"console": [], "amt": []}
    kvm = console[4:8] == b"KVMR" if console[:1] == b"\x10" else False
    for side, data in (("console", console), ("amt", amt)):
        at = 0
        while at < len(data):
            n = _redir_len(data[at:], kvm)
            if not n or at + n > len(data):
                out[side].append("cut" if n == 0 or n else "%02x?" % data[at])
                break
            out[side].append("%02x" % data[at])
            at += n
            if kvm and data[at - n] == (0x40 if side == "console" else 0x41):
                break
    return out


def key_options(sample, expected, mode):
    """tshark options that give it the sample's keys: 'keylog', 'rsa' or 'embedded'."""
    keys = expected.get("keys", {})
    if mode == "keylog" and keys.get("keylog"):
        return ["-o", "tls.keylog_file:" + os.path.join(sample, keys["keylog"])]
    if mode == "rsa" and keys.get("rsa_key"):
        path = os.path.join(sample, keys["rsa_key"])
        return ["-o", 'uat:rsa_keys:"%s",""' % path]
    return []


def run_tshark(capture, options):
    cmd = ["tshark", "-n", "-r", capture, "--disable-protocol", "iamt",
           "-d", "tcp.port==16992,http", "-d", "tcp.port==16993,tls",
           "-d", "tcp.port==16994,data", "-d", "tcp.port==16995,tls",
           "-o", "http.tls.port:443,16993",
           # the samples include reordered segments on purpose
           "-o", "tcp.reassemble_out_of_order:TRUE",
           "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"]
    cmd += options
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError("tshark failed on %s: %s" % (capture, out.stderr.strip()))
    rows = []
    for line in out.stdout.splitlines():
        vals = line.split("\t")
        vals += [""] * (len(FIELDS) - len(vals))
        rows.append(dict(zip(FIELDS, vals)))
    return rows


def _ints(text):
    return [int(v) for v in text.split(",") if v != ""]


def view(capture, options):
    """Per connection (keyed by client port): statuses, requests, alerts, end."""
    conns = {}
    frames = []
    dns = []
    malformed = 0
    for r in run_tshark(capture, options):
        if r["_ws.malformed"]:
            malformed += 1
        frames.append((r["tcp.srcport"] or r["udp.srcport"], r["tcp.dstport"], r["tcp.len"],
                       r["tcp.flags.syn"], r["tcp.flags.fin"], r["tcp.flags.reset"],
                       r["frame.len"]))
        if r["dns.qry.name"]:
            if r["dns.flags.rcode"] != "" and r["udp.srcport"] == "53":
                dns.append({"name": r["dns.qry.name"], "rcode": int(r["dns.flags.rcode"]),
                            "answers": int(r["dns.count.answers"] or 0)})
            continue
        if r["tcp.stream"] == "":
            continue
        sport, dport = int(r["tcp.srcport"]), int(r["tcp.dstport"])
        from_server = sport in AMT_PORTS
        client_port = dport if from_server else sport
        c = conns.setdefault(client_port, {"statuses": [], "requests": [], "alerts": [],
                                           "end": "none", "syns": 0})
        if (dport if not from_server else sport) in REDIR_PORTS and r["data.data"]:
            side = "amt" if from_server else "console"
            c.setdefault("redir_bytes", {"console": b"", "amt": b""})
            for h in r["data.data"].split(","):
                c["redir_bytes"][side] += bytes.fromhex(h)
        if r["tcp.flags.syn"] in ("1", "True") and r["tcp.flags.ack"] in ("0", "False"):
            c["syns"] += 1
        if c["end"] == "none":
            side = "server" if from_server else "client"
            if r["tcp.flags.reset"] in ("1", "True"):
                c["end"] = "rst-" + side
            elif r["tcp.flags.fin"] in ("1", "True"):
                c["end"] = "fin-" + side
        c["statuses"] += _ints(r["http.response.code"])
        methods = [m for m in r["http.request.method"].split(",") if m]
        uris = [u for u in r["http.request.uri"].split(",") if u]
        c["requests"] += ["%s %s" % mu for mu in zip(methods, uris)]
        for desc in _ints(r["tls.alert_message.desc"]):
            c["alerts"].append({"from": "server" if from_server else "client", "desc": desc})
    for c in conns.values():
        if "redir_bytes" in c:
            c["redirection"] = redir_types(c["redir_bytes"]["console"], c["redir_bytes"]["amt"])
            del c["redir_bytes"]
    return {"conns": conns, "frames": frames, "dns": dns, "malformed": malformed}


def load_expected(sample):
    with open(os.path.join(sample, "expected.json"), encoding="utf-8") as f:
        return json.load(f)


def capture_path(sample, expected):
    return os.path.join(sample, expected["capture"])
