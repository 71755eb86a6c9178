#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Re-records a few cases of the third-party corpus here, live, and holds
them against the committed ones: the recorder must accept them (the
clients, the AMT's own log and tshark agree with the case), tshark must
confirm their expected.json (tests/oracle/check_samples.py), and each
connection must come out as committed — the same TLS, fatal alerts, HTTP,
stage, outcome, causes and who ended it after what; only addresses' ports,
certificates and keys are new. Two things are left out as they race by
nature: which FIN comes first once one side has sent close_notify (the
"end" field), and whether the other side's answering close_notify is
written before the first side's RST arrives.

usage: test_record_live.py AMTSIM CORPUS_DIR OUTDIR
Exits 77 (skipped) where network namespaces or dumpcap cannot be used.
"""
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import lab  # noqa: E402

CASES = ["ok-digest-curl-tls12", "server-name-mismatch-ip-python-mtls",
         "server-name-mismatch-short-name-wget", "mtls-client-cert-missing-curl",
         "plain-http-refused-tls-only-reset-python", "capture-gap-console-certificate"]

SAME = ["server", "tcp", "tls", "fatal_alerts", "requests", "http_statuses", "capture_gap",
        "decryptable", "stage", "outcome", "causes", "ended_by", "ended_after", "checks",
        "cause_confidence"]


def compare(name, committed, fresh):
    problems = []
    for key in ("amtdiag_options", "amt_clock_offset_s", "dns"):
        if committed.get(key) != fresh.get(key):
            problems.append("%s: %s %s, committed %s" % (name, key, fresh.get(key),
                                                         committed.get(key)))
    a, b = committed["connections"], fresh["connections"]
    if len(a) != len(b):
        return problems + ["%s: %d connections, committed %d" % (name, len(b), len(a))]
    for c, f in zip(a, b):
        for x in (c, f):
            x["fatal_alerts"] = [k for k in x["alerts"] if k["level"] == 2]
        for key in SAME:
            if c.get(key) != f.get(key):
                problems.append("%s #%d: %s %s, committed %s" % (name, c["id"], key, f.get(key),
                                                                 c.get(key)))
    return problems


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    amtsim, corpus, out = argv[1:]
    why = lab.available()
    if why:
        print("test_record_live: skipped: %s" % why)
        return 77
    shutil.rmtree(out, ignore_errors=True)
    rec = subprocess.run([sys.executable, os.path.join(HERE, "record.py"), amtsim, out] + CASES)
    problems = [] if rec.returncode == 0 else ["record.py refused a recording (exit %d)"
                                               % rec.returncode]
    oracle = os.path.join(HERE, "..", "oracle", "check_samples.py")
    if subprocess.run([sys.executable, oracle, out]).returncode != 0:
        problems.append("tshark does not confirm a fresh expected.json")
    for name in CASES:
        try:
            with open(os.path.join(corpus, name, "expected.json")) as f:
                committed = json.load(f)
            with open(os.path.join(out, name, "expected.json")) as f:
                fresh = json.load(f)
        except (OSError, ValueError) as e:
            problems.append("%s: %s" % (name, e))
            continue
        problems += compare(name, committed, fresh)
    for p in problems:
        print("FAIL", p)
    print("%d cases re-recorded, %d problems" % (len(CASES), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
