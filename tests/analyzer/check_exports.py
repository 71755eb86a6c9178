#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The exports, checked with tshark as the independent reader.

usage: check_exports.py AMTDIAG SAMPLES_DIR

For a sample of each kind (SAMPLES), with one key source it has (the
RSA key where there is one: the key log must then replace it; else the key
log; the embedded secrets of secrets-in-pcapng), amtdiag writes
--export-keylog, --inject-secrets and --export-decrypted. Then tshark must
find the same HTTP messages (client port, method, URI, status,
Content-Length, in order):
  - in the original capture given the exported key log,
  - in the injected copy given no key at all,
  - in the decrypted export given no key, decoded as HTTP on 16992,
as it finds in the original capture with the original keys. The key log
and the injected copy are readable by their owner only; the decrypted
export has no malformed packet, lost segments where the original has them, and
frame times within the original capture's.
"""
import os
import stat
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

FIELDS = ["frame.time_epoch", "tcp.srcport", "tcp.dstport", "http.request.method",
          "http.request.uri", "http.response.code", "http.content_length_header",
          "_ws.malformed", "tcp.analysis.lost_segment"]


def view(capture, options, tls_port=16993):
    """HTTP messages, frame times, malformed and lost-segment counts."""
    cmd = ["tshark", "-n", "-r", capture, "-o", "tcp.reassemble_out_of_order:TRUE",
           "-d", "tcp.port==16992,http", "-T", "fields", "-E", "separator=\t",
           "-E", "occurrence=f"]
    if tls_port:
        cmd += ["-d", f"tcp.port=={tls_port},tls", "-o", f"http.tls.port:443,{tls_port}"]
    cmd += options
    for f in FIELDS:
        cmd += ["-e", f]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"tshark {capture}: {p.stderr.strip()}")
    http, times, malformed, lost = [], [], 0, 0
    for line in p.stdout.splitlines():
        r = line.split("\t") + [""] * len(FIELDS)
        times.append(float(r[0]))
        malformed += r[7] != ""
        lost += r[8] != ""
        if r[3] or r[5]:
            sport, dport = int(r[1]), int(r[2])
            client = dport if sport in (16992, 16993) else sport
            http.append((client, r[3], r[4], r[5], r[6]))
    return http, times, malformed, lost


def key_source(name, d):
    key = os.path.join(d, "amt-key.pem")
    log = os.path.join(d, "keylog.txt")
    if name == "secrets-in-pcapng":
        return "embedded", [], []
    if os.path.exists(key):
        return "rsa", ["--key", key], ["-o", 'uat:rsa_keys:"%s",""' % key]
    if os.path.exists(log):
        return "keylog", ["--keylog", log], ["-o", "tls.keylog_file:" + log]
    return "plain", [], []


def check(amtdiag, name, d):
    cap = [os.path.join(d, f) for f in ("capture.pcapng", "capture.pcap")
           if os.path.exists(os.path.join(d, f))][0]
    label, ours, theirs = key_source(name, d)
    want, t_orig, _, lost_orig = view(cap, theirs)
    if not want:
        return None  # nothing decryptable to compare (handshake failures)
    where = f"{name} [{label}]"
    problems = []
    env = dict(os.environ, ASAN_OPTIONS="exitcode=86", UBSAN_OPTIONS="exitcode=86")
    with tempfile.TemporaryDirectory() as t:
        kl, inj, dec = (os.path.join(t, f) for f in ("k.txt", "inj.pcapng", "dec.pcapng"))
        p = subprocess.run([amtdiag, "-r", cap, "--export-keylog", kl, "--inject-secrets", inj,
                            "--export-decrypted", dec] + ours,
                           capture_output=True, text=True, env=env, timeout=120)
        if p.returncode not in (0, 1):
            return [f"{where}: exit {p.returncode}: {p.stderr.strip()}"]
        for f in (kl, inj):
            if stat.S_IMODE(os.stat(f).st_mode) & 0o077:
                problems.append(f"{where}: {os.path.basename(f)} is readable by others")
        with open(kl, encoding="ascii") as f:
            text = f.read()
        if "PRIVATE KEY" in text or (label != "plain" and not text.strip()):
            problems.append(f"{where}: the key log is empty or holds a private key")
        if label != "plain":
            got = view(cap, ["-o", "tls.keylog_file:" + kl])[0]
            if got != want:
                problems.append(f"{where}: with the exported key log: {got}, expected {want}")
        got = view(inj, [])[0]
        if got != want:
            problems.append(f"{where}: the injected copy: {got}, expected {want}")
        got, t_dec, malformed, lost = view(dec, [], tls_port=None)
        if got != want:
            problems.append(f"{where}: the decrypted export: {got}, expected {want}")
        if malformed or (lost > 0) != (lost_orig > 0):
            problems.append(f"{where}: decrypted export: {malformed} malformed, {lost} lost "
                            f"segments (original: {lost_orig})")
        if min(t_dec) < min(t_orig) - 1e-6 or max(t_dec) > max(t_orig) + 1e-6:
            problems.append(f"{where}: decrypted export times outside the capture's")
    return problems


# One sample of each kind keeps tshark's start-ups in check: key log with
# TLS 1.2 and 1.3, RSA with GCM and CBC, embedded secrets, IPv6 in classic
# pcap (converted to pcapng by --inject-secrets), plain HTTP, EOI, lost
# segments, several connections.
SAMPLES = ["ok-tls12-ecdhe-gcm", "ok-tls13", "ok-tls12-rsa-aes128-gcm",
           "ok-tls10-rsa-aes128-cbc-sha", "secrets-in-pcapng", "ok-ipv6-classic-pcap",
           "ok-http-16992", "eoi-session-amt3", "tcp-pathologies", "mixed-outcomes"]


def main():
    amtdiag, samples = sys.argv[1], sys.argv[2]
    names = [n for n in SAMPLES if os.path.isfile(os.path.join(samples, n, "expected.json"))]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda n: check(amtdiag, n, os.path.join(samples, n)), names))
    runs = [r for r in results if r is not None]
    failures = [p for r in runs for p in r]
    for f in failures:
        print("FAIL", f)
    print(f"exports: {len(runs)} samples with HTTP, {len(failures)} failures")
    sys.exit(1 if failures or not runs else 0)


if __name__ == "__main__":
    main()
