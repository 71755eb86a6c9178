#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Golden test of the diagnosis against the simulator's ground truth.

usage: check_diagnosis.py AMTDIAG SAMPLES_DIR

For every sample, amtdiag runs with the keys and with what a support
engineer would know about the AMT (tests/analyzer/diag_inputs.txt: the
admin password, the trusted FQDN list, the AMT clock offset the scenario
set). Per connection — matched by its endpoints, not its number — the
cause tokens of the findings (information-level ones aside), the stage and
the outcome must equal expected.json; DNS findings must equal the DNS
causes. Success samples must produce no error.

Then each input is taken away in turn (keys, passwords, trusted FQDNs, the
clock offset): the verdicts may become less precise but never wrong —
every reported cause must still be one the scenario has or an explicitly
unsettled one, no rejected connection may turn "ok", and a connection
whose expected cause went missing must name the input that would settle it.
"""
import json
import os
import subprocess
import sys

# Tokens that say "rejected, reason not settled by the inputs".
UNSETTLED = {"client-cert-rejected", "digest-login-rejected", "tls-handshake-failed"}


def load_inputs(path):
    table = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            name, _, args = line.partition(":")
            table[name.strip()] = args.split()
    return table


def key_args(d):
    args = []
    if os.path.exists(os.path.join(d, "keylog.txt")):
        args += ["--keylog", os.path.join(d, "keylog.txt")]
    if os.path.exists(os.path.join(d, "amt-key.pem")):
        args += ["--key", os.path.join(d, "amt-key.pem")]
    return args


def run(amtdiag, d, exp, extra):
    cap = os.path.join(d, exp["capture"])
    env = dict(os.environ, ASAN_OPTIONS="exitcode=86", UBSAN_OPTIONS="exitcode=86")
    p = subprocess.run([amtdiag, "-r", cap, "--format", "json"] + extra,
                       capture_output=True, text=True, timeout=120, env=env)
    if p.returncode not in (0, 1):
        raise RuntimeError(f"exit {p.returncode}: {p.stderr.strip()}")
    out = json.loads(p.stdout)
    errors = out["summary"]["errors"]
    # Exit 0 means every connection worked: none with another outcome, no error.
    not_ok = [c for c in out["connections"] if c["outcome"] not in ("ok", "challenge")]
    if (p.returncode == 1) != (errors > 0 or bool(not_ok)):
        raise RuntimeError(f"exit {p.returncode} with {errors} error findings and "
                           f"{len(not_ok)} connections not shown to work")
    # No silent failure: each of those says why.
    for c in not_ok:
        if not c["findings"]:
            raise RuntimeError(f"#{c['id']}: outcome {c['outcome']} without a finding")
    return out


def causes(findings):
    return sorted({f["cause"] for f in findings if f["severity"] != "info"})


def by_endpoints(out):
    return {(c["client"], c["server"]): c for c in out["connections"]}


def check_full(exp, out):
    problems = []
    got = by_endpoints(out)
    for ec in exp["connections"]:
        key = (ec["client"], ec["server"])
        c = got.get(key)
        if c is None:
            problems.append(f"#{ec['id']} {key}: connection not found")
            continue
        want = sorted(set(ec["causes"]))
        have = causes(c["findings"])
        if have != want:
            problems.append(f"#{ec['id']}: causes {have}, expected {want}")
        for field in ("stage", "outcome"):
            # What an undecryptable session carried is not visible: its
            # outcome may only be "unknown" then.
            if field == "outcome" and not ec["decryptable"] and c[field] == "unknown":
                continue
            if c[field] != ec[field]:
                problems.append(f"#{ec['id']}: {field} {c[field]}, expected {ec[field]}")
    want_dns = sorted(t for d in exp["dns"] for t in d.get("causes", []))
    have_dns = sorted(f["cause"] for f in out["findings"] if f["severity"] != "info")
    if have_dns != want_dns:
        problems.append(f"dns: causes {have_dns}, expected {want_dns}")
    return problems


def names_settling_input(c):
    text = json.dumps(c)
    return any(s in text for s in ("--keylog", "key log", "--password", "--trusted-fqdn",
                                   "--amt-clock-offset", "--hosts", "--trusted-root",
                                   "Date header"))


def check_degraded(exp, out):
    problems = []
    got = by_endpoints(out)
    for ec in exp["connections"]:
        c = got.get((ec["client"], ec["server"]))
        if c is None:
            problems.append(f"#{ec['id']}: connection not found")
            continue
        have = set(causes(c["findings"]))
        want = set(ec["causes"])
        wrong = have - want - UNSETTLED
        if wrong:
            problems.append(f"#{ec['id']}: wrong verdict {sorted(wrong)} (expected {sorted(want)})")
        if ec["outcome"] in ("rejected", "failed") and c["outcome"] == "ok":
            problems.append(f"#{ec['id']}: outcome ok, expected {ec['outcome']}")
        if want - have and not names_settling_input(c):
            problems.append(f"#{ec['id']}: {sorted(want - have)} not found and no settling "
                            "input named")
    return problems


def strip(args, option):
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a == option:
            skip = True
            continue
        out.append(a)
    return out


def main():
    amtdiag, samples = sys.argv[1], sys.argv[2]
    table = load_inputs(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                     "diag_inputs.txt"))
    failures, runs, n = [], 0, 0
    for name in sorted(os.listdir(samples)):
        d = os.path.join(samples, name)
        ej = os.path.join(d, "expected.json")
        if not os.path.isfile(ej):
            continue
        n += 1
        with open(ej, encoding="utf-8") as f:
            exp = json.load(f)
        extra = table.get("*", []) + table.get(name, [])
        if exp.get("amt_clock_offset_s"):
            extra += ["--amt-clock-offset", str(exp["amt_clock_offset_s"])]
        keys = key_args(d)
        variants = [("full", keys + extra, check_full),
                    ("no keys", extra, check_degraded),
                    ("no --password", keys + strip(extra, "--password"), check_degraded),
                    ("no --trusted-fqdn", keys + strip(extra, "--trusted-fqdn"), check_degraded),
                    ("no --amt-clock-offset", keys + strip(extra, "--amt-clock-offset"),
                     check_degraded)]
        for label, args, check in variants:
            runs += 1
            try:
                problems = check(exp, run(amtdiag, d, exp, args))
            except Exception as e:  # a crash or bad JSON is a failure too
                problems = [str(e)]
            for p in problems:
                failures.append(f"{name} [{label}]: {p}")
    for f in failures:
        print("FAIL", f)
    print(f"diagnosis: {n} samples, {runs} runs, {len(failures)} failures")
    sys.exit(1 if failures or n == 0 else 0)


if __name__ == "__main__":
    main()
