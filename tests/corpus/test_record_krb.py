#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Records three Kerberos cases again, live: a fresh MIT KDC and realm
each (new keys, new tickets), kinit, curl and amtgss, the simulator's AMT
with its GSS-API acceptor, one under libfaketime. The recorder must accept
them (the consoles, the AMT's log and tshark agree with the case); then
each must come out as committed — the same connections, HTTP statuses,
stage, outcome and causes, and the same Kerberos messages in the same
order (types and error codes) — and amtdiag must read every Kerberos
message as tshark does (check_krb_oracle.py) and name the causes
(check_corpus.py). Ports, times and keys are new.

usage: test_record_krb.py AMTSIM AMTGSS AMTDIAG CORPUS_DIR OUTDIR
Exits 77 (skipped) where namespaces, dumpcap, the KDC or libfaketime
cannot be used.
"""
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import record_krb  # noqa: E402

CASES = ["krb-ok-curl-http-16992", "krb-clock-skew-amt-ahead", "krb-spn-unknown-https-class"]
SAME = ["server", "tcp", "requests", "http_statuses", "stage", "outcome", "causes", "ended_by"]


def kerberos(exp):
    return [(m["via"], m["type"], m.get("error_code")) for m in exp["kerberos"]]


def compare(name, committed, fresh):
    problems = []
    for key in ("amtdiag_options", "amt_clock_offset_s"):
        if committed.get(key) != fresh.get(key):
            problems.append("%s: %s %s, committed %s" % (name, key, fresh.get(key),
                                                         committed.get(key)))
    if kerberos(committed) != kerberos(fresh):
        problems.append("%s: Kerberos messages %s, committed %s" % (name, kerberos(fresh),
                                                                   kerberos(committed)))
    a, b = committed["connections"], fresh["connections"]
    if len(a) != len(b):
        return problems + ["%s: %d connections, committed %d" % (name, len(b), len(a))]
    for c, f in zip(a, b):
        for key in SAME:
            if c.get(key) != f.get(key):
                problems.append("%s #%d: %s %s, committed %s" % (name, c["id"], key, f.get(key),
                                                                 c.get(key)))
    return problems


def main(argv):
    if len(argv) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    amtsim, amtgss, amtdiag, corpus, out = argv[1:]
    why = record_krb.available()
    if why:
        print("test_record_krb: skipped: %s" % why)
        return 77
    shutil.rmtree(out, ignore_errors=True)
    rec = subprocess.run([sys.executable, os.path.join(HERE, "record_krb.py"), amtsim, amtgss,
                          out] + CASES)
    problems = [] if rec.returncode == 0 else ["record_krb.py refused a recording (exit %d)"
                                               % rec.returncode]
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
    for script in ("check_krb_oracle.py", "check_corpus.py"):
        if subprocess.run([sys.executable, os.path.join(HERE, script), amtdiag, out]).returncode:
            problems.append("%s fails on the fresh recordings" % script)
    for p in problems:
        print("FAIL", p)
    print("%d Kerberos cases re-recorded, %d problems" % (len(CASES), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
