#!/usr/bin/env python3
"""Oracle test for the analyzer: for every sample and every key source it
has (key log, the AMT's RSA key, secrets embedded in the pcapng), the HTTP
messages amtdiag decrypts and parses — method, URI, status, header lines,
de-chunked body bytes, and the frame each message ends in — must equal
tshark's for the same capture and keys. Any difference fails.

usage: check_analyzer.py AMTDIAG SAMPLES_DIR
"""
import hashlib
import json
import os
import subprocess
import sys

from tshark_view import capture_path, key_options, load_expected

AGG = "\x1e"
FIELDS = ["frame.number", "tcp.srcport", "tcp.dstport", "http.request.method",
          "http.request.uri", "http.response.code", "http.request.line",
          "http.response.line", "http.file_data"]
AMT_PORTS = (16992, 16993)


def unescape(text):
    """Reverses tshark's escaping of string fields (\\n, \\xhh, \\ooo, …)."""
    out = bytearray()
    raw = text.encode("utf-8")
    i = 0
    simple = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("a"): 7, ord("b"): 8,
              ord("f"): 12, ord("v"): 11, ord("\\"): 92, ord('"'): 34, ord("'"): 39}
    while i < len(raw):
        c = raw[i]
        if c != 92 or i + 1 >= len(raw):
            out.append(c)
            i += 1
            continue
        n = raw[i + 1]
        if n in simple:
            out.append(simple[n])
            i += 2
        elif n == ord("x"):
            out.append(int(raw[i + 2:i + 4], 16))
            i += 4
        elif 48 <= n <= 55:
            j = i + 1
            while j < len(raw) and j < i + 4 and 48 <= raw[j] <= 55:
                j += 1
            out.append(int(raw[i + 1:j], 8) & 0xFF)
            i = j
        else:
            out.append(c)
            i += 1
    return bytes(out)


def tshark_messages(capture, options):
    cmd = ["tshark", "-n", "-r", capture, "-d", "tcp.port==16992,http",
           "-d", "tcp.port==16993,tls", "-o", "http.tls.port:443,16993",
           "-o", "tcp.reassemble_out_of_order:TRUE", "-Y", "http",
           "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a",
           "-E", "aggregator=" + AGG] + options
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError("tshark: " + out.stderr.strip())
    msgs = {}
    # Not splitlines(): it would also split at the aggregator character.
    for line in out.stdout.split("\n"):
        if not line:
            continue
        v = dict(zip(FIELDS, line.split("\t") + [""] * len(FIELDS)))
        sport, dport = int(v["tcp.srcport"]), int(v["tcp.dstport"])
        client = dport if sport in AMT_PORTS else sport
        methods = [m for m in v["http.request.method"].split(AGG) if m]
        codes = [c for c in v["http.response.code"].split(AGG) if c]
        if len(methods) + len(codes) != 1:
            # Several messages in one frame: only their kinds can be compared.
            for m in methods:
                msgs.setdefault(client, []).append({"method": m})
            for c in codes:
                msgs.setdefault(client, []).append({"status": int(c)})
            continue
        lines = v["http.request.line"] if methods else v["http.response.line"]
        headers = [unescape(h).decode("utf-8", "replace").rstrip("\r\n")
                   for h in lines.split(AGG) if h]
        body = unescape(v["http.file_data"])
        m = {"frame": int(v["frame.number"]), "headers": headers,
             "body_sha256": hashlib.sha256(body).hexdigest(), "body_length": len(body)}
        if methods:
            m["method"], m["uri"] = methods[0], v["http.request.uri"]
        else:
            m["status"] = int(codes[0])
        msgs.setdefault(client, []).append(m)
    return msgs


def amtdiag_messages(amtdiag, capture, key_args):
    out = subprocess.run([amtdiag, "-r", capture, "--format", "json"] + key_args,
                         capture_output=True, text=True, check=False)
    if out.returncode not in (0, 1):
        raise RuntimeError("amtdiag exit %d: %s" % (out.returncode, out.stderr.strip()))
    report = json.loads(out.stdout)
    msgs = {}
    for conn in report["connections"]:
        client = int(conn["client"].rsplit(":", 1)[1])
        items = []
        for x in conn["http"]:
            for kind in ("request", "response"):
                m = x[kind]
                # A message with bytes missing from the capture is shown by
                # amtdiag as far as it goes; tshark does not show it at all.
                if not m or m["gap"]:
                    continue
                body_len = m["body_length"]
                item = {"frame": m["last_frame"], "headers": m["headers"],
                        "body_sha256": m["body_sha256"], "body_length": body_len}
                if kind == "request":
                    item["method"], item["uri"] = m["method"], m["uri"]
                else:
                    item["status"] = m["status"]
                items.append(item)
        items.sort(key=lambda i: i["frame"])
        if items:
            msgs[client] = items
    return msgs


def compare(ours, theirs):
    errors = []
    for client in sorted(set(ours) | set(theirs)):
        a, b = ours.get(client, []), theirs.get(client, [])
        if len(a) != len(b):
            errors.append("client port %d: amtdiag has %d HTTP messages, tshark %d"
                          % (client, len(a), len(b)))
            continue
        for x, y in zip(a, b):
            for key in y:
                if x.get(key) != y[key]:
                    errors.append("client port %d frame %s: %s: amtdiag %r, tshark %r"
                                  % (client, y.get("frame", "?"), key, x.get(key), y[key]))
    return errors


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    amtdiag, root = sys.argv[1], sys.argv[2]
    passed = failed = 0
    for name in sorted(os.listdir(root)):
        sample = os.path.join(root, name)
        if not os.path.isfile(os.path.join(sample, "expected.json")):
            continue
        exp = load_expected(sample)
        keys = exp["keys"]
        modes = []
        if keys.get("keylog"):
            modes.append(("keylog", ["--keylog", os.path.join(sample, keys["keylog"])]))
        if keys.get("rsa_key"):
            modes.append(("rsa", ["--key", os.path.join(sample, keys["rsa_key"])]))
        if keys.get("embedded_secrets"):
            modes.append(("embedded", []))
        if not modes:
            modes.append(("none", []))
        for mode, args in modes:
            cap = capture_path(sample, exp)
            try:
                errors = compare(amtdiag_messages(amtdiag, cap, args),
                                 tshark_messages(cap, key_options(sample, exp, mode)))
            except (RuntimeError, ValueError, KeyError) as exc:
                errors = [str(exc)]
            if errors:
                failed += 1
                print("FAIL %s [%s]" % (name, mode))
                for e in errors[:10]:
                    print("     " + e)
            else:
                passed += 1
                print("ok   %s [%s]" % (name, mode))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
