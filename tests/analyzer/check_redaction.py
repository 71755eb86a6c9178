#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""--redact leaves nothing identifying in any report format.

usage: check_redaction.py AMTDIAG SAMPLES_DIR

For every sample, the identifying values are collected with tshark — the
independent reader, not amtdiag — with the sample's keys: IP addresses,
DNS names and answers, SNI and Host names, Digest user names, nonces,
cnonces, responses and opaque values, certificate serials and subject
names. amtdiag --redact then writes text (with the transcript), JSON,
Markdown and HTML, and none of those values may appear in any of them.
Key material (the key log's secrets, the RSA key) and the --password value
must appear in no report, redacted or not.
"""
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

FIELDS = ["ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "dns.qry.name", "dns.a", "dns.aaaa",
          "dns.ptr.domain_name", "tls.handshake.extensions_server_name", "http.host",
          "http.authorization", "http.www_authenticate", "x509af.serialNumber",
          "x509sat.printableString", "x509sat.uTF8String", "x509ce.dNSName"]
PASSWORD = "Vpro!Admin-2026"


def tshark_values(capture, keylog, rsa):
    cmd = ["tshark", "-n", "-r", capture, "-d", "tcp.port==16992,http",
           "-d", "tcp.port==16993,tls", "-o", "http.tls.port:443,16993",
           "-o", "tcp.reassemble_out_of_order:TRUE",
           "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=\x1f"]
    if keylog:
        cmd += ["-o", "tls.keylog_file:" + keylog]
    if rsa:
        cmd += ["-o", 'uat:rsa_keys:"%s",""' % rsa]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    values = {"address": set(), "name": set(), "secret": set()}
    for line in out.splitlines():
        cols = line.split("\t") + [""] * len(FIELDS)
        for field, col in zip(FIELDS, cols):
            for v in filter(None, col.split("\x1f")):
                v = v.strip()
                if field in ("ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "dns.a", "dns.aaaa"):
                    values["address"].add(v)
                elif field == "http.host":
                    values["name"].add(re.sub(r":\d+$", "", v).strip("[]"))
                elif field in ("http.authorization", "http.www_authenticate"):
                    for k, val in re.findall(r'(\w+)="?([^",]*)"?', v):
                        if k in ("username", "nonce", "cnonce", "response", "opaque") and val:
                            values["secret"].add(val)
                elif field == "x509af.serialNumber":
                    # tshark prints the integer; reports would print hex
                    if v.isdigit() and int(v) > 255:
                        values["secret"].add("%X" % int(v))
                        values["secret"].add(v)
                elif field.startswith("x509sat"):
                    # subject/issuer name parts: keep the host-like ones (CNs)
                    if "." in v and " " not in v:
                        values["name"].add(v)
                else:
                    values["name"].add(v.rstrip("."))
    return values


def key_material(sample):
    found = []
    kl = os.path.join(sample, "keylog.txt")
    if os.path.exists(kl):
        with open(kl, encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3:
                    found.append(parts[2])
    for pem in ("amt-key.pem",):
        p = os.path.join(sample, pem)
        if os.path.exists(p):
            with open(p, encoding="utf-8") as f:
                found += [l.strip() for l in f if len(l.strip()) > 40 and "-----" not in l]
    return found


def contains_word(text, value):
    """value appears in text not as part of a longer word, address or name."""
    pat = r"(?<![\w.-])" + re.escape(value) + r"(?![\w-])(?!\.\w)"
    return re.search(pat, text) is not None


def check(amtdiag, samples, d):
    """Problems of one sample's reports, and how many were checked."""
    env = dict(os.environ, ASAN_OPTIONS="exitcode=86", UBSAN_OPTIONS="exitcode=86")
    cap = [os.path.join(d, f) for f in ("capture.pcapng", "capture.pcap")
           if os.path.exists(os.path.join(d, f))][0]
    keylog = os.path.join(d, "keylog.txt") if os.path.exists(
        os.path.join(d, "keylog.txt")) else None
    rsa = os.path.join(d, "amt-key.pem") if os.path.exists(
        os.path.join(d, "amt-key.pem")) else None
    vals = tshark_values(cap, keylog, rsa)
    keys = key_material(d)
    args = ["-r", cap, "--password", "admin:" + PASSWORD]
    if keylog:
        args += ["--keylog", keylog]
    if rsa:
        args += ["--key", rsa]
    name = os.path.relpath(d, samples)
    problems, checked = [], 0
    # the plain text report: does it show addresses at all (then the
    # redacted ones must show placeholders), and no key or password
    plain_has_address = False
    for fmt, redact in (("text", False), ("text", True), ("json", True), ("markdown", True),
                        ("html", True), ("ndjson", True)):
        cmd = [amtdiag, "-V", "--format", fmt] + args + (["--redact"] if redact else [])
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
        if p.returncode not in (0, 1):
            problems.append(f"{name} {fmt}: exit {p.returncode} {p.stderr.strip()}")
            continue
        out = p.stdout + p.stderr
        checked += 1
        for k in keys:
            if k in out:
                problems.append(f"{name} {fmt}: key material {k[:8]}… in the report")
        if PASSWORD in out:
            problems.append(f"{name} {fmt}: the --password value in the report")
        if not redact:
            plain_has_address = any(contains_word(out, v) for v in vals["address"])
            continue
        for kind in ("address", "name", "secret"):
            for v in vals[kind]:
                if len(v) >= 2 and contains_word(out, v):
                    problems.append(f"{name} {fmt} --redact: {kind} {v!r} left in")
        if plain_has_address and "ip-1" not in out:
            problems.append(f"{name} {fmt} --redact: no address placeholder")
    return problems, checked


def main():
    amtdiag, samples = sys.argv[1], sys.argv[2]
    dirs = [os.path.join(samples, n) for n in sorted(os.listdir(samples))]
    rec = os.path.join(samples, "recorded-on-loopback")
    if os.path.isdir(rec):
        dirs += [os.path.join(rec, n) for n in sorted(os.listdir(rec))]
    dirs = [d for d in dirs if os.path.isfile(os.path.join(d, "expected.json"))]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda d: check(amtdiag, samples, d), dirs))
    failures = [p for r, _ in results for p in r]
    checked = sum(n for _, n in results)
    for f in failures[:50]:
        print("FAIL", f)
    print(f"redaction: {checked} reports checked, {len(failures)} failures")
    sys.exit(1 if failures or checked == 0 else 0)


if __name__ == "__main__":
    main()
