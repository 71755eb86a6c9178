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
    "dns.flags.rcode", "dns.count.answers", "_ws.malformed", "frame.len",
]

AMT_PORTS = (16992, 16993)


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
    cmd = ["tshark", "-n", "-r", capture,
           "-d", "tcp.port==16992,http", "-d", "tcp.port==16993,tls",
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
    return {"conns": conns, "frames": frames, "dns": dns, "malformed": malformed}


def load_expected(sample):
    with open(os.path.join(sample, "expected.json"), encoding="utf-8") as f:
        return json.load(f)


def capture_path(sample, expected):
    return os.path.join(sample, expected["capture"])
