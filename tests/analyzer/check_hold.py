#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A file is judged with what comes after, however much later.

usage: check_hold.py AMTDIAG SAMPLE_DIR WORKDIR

SAMPLE_DIR is plain-http-refused-tls-only: a connection to 16992 that AMT
resets, then TLS connections to the same AMT on 16993 — the evidence that
AMT is TLS-only rather than the port merely closed. The TLS connections are
moved ten minutes later (editcap, mergecap). Reading a file, amtdiag holds
connections by count, not by the clock, so the streamed report must equal
the whole-capture one (--export-keylog) and say plain-http-refused-tls-only
(certain); through a pipe it reports as it reads, judging the reset 60 s of
capture time after it, before the TLS connections are seen: port-closed.
"""
import json
import os
import subprocess
import sys


def run(amtdiag, args, stdin=None):
    p = subprocess.run([amtdiag] + args, capture_output=True, timeout=120, stdin=stdin)
    if p.returncode not in (0, 1):
        sys.exit(f"FAIL amtdiag {' '.join(args)}: exit {p.returncode}: {p.stderr.decode()}")
    return json.loads(p.stdout)


def verdict(doc):
    """The first connection's first finding: (cause, confidence)."""
    f = doc["connections"][0]["findings"]
    return (f[0]["cause"], f[0]["confidence"]) if f else None


def main():
    amtdiag, sample, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    cap = os.path.join(sample, "capture.pcapng")
    first, rest, moved = (os.path.join(work, n) for n in ("first.pcapng", "rest.pcapng",
                                                          "moved.pcapng"))
    subprocess.run(["editcap", "-r", cap, first, "1-2"], check=True)
    subprocess.run(["editcap", "-t", "600", "-r", cap, rest, "3-100000"], check=True)
    subprocess.run(["mergecap", "-w", moved, first, rest], check=True)
    keys = ["--keylog", os.path.join(sample, "keylog.txt")]
    errs = []
    streamed = run(amtdiag, ["-r", moved, "--format", "json"] + keys)
    whole = run(amtdiag, ["-r", moved, "--format", "json", "--export-keylog",
                          os.path.join(work, "k.txt")] + keys)
    streamed["given"] = whole["given"] = []
    if streamed != whole:
        errs.append("the streamed report of the file differs from the whole-capture one")
    if verdict(streamed) != ("plain-http-refused-tls-only", "certain"):
        errs.append(f"file: {verdict(streamed)}, not plain-http-refused-tls-only (certain)")
    with open(moved, "rb") as f:
        piped = run(amtdiag, ["-r", "-", "--format", "json"] + keys, stdin=f)
    print(f"file: {verdict(streamed)}; whole: {verdict(whole)}; pipe: {verdict(piped)}")
    if verdict(piped) != ("port-closed", "certain"):
        errs.append(f"pipe: {verdict(piped)}, not port-closed")
    for p in (first, rest, moved):
        os.unlink(p)
    for e in errs:
        print("FAIL " + e)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
