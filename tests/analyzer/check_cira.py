#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""amtdiag on every CIRA sample (samples/cira, recorded by
scripts/record-cira.sh): with the key log and AMT's trusted root, its JSON
has the stage, outcome and error/warning causes cira-expected.json states,
the HTTP statuses of the WS-Man exchanges inside the tunnel's channel, and
validates against docs/amtdiag.schema.json, and every format runs clean. Without the inputs that settle a cause it must not claim it: the
untrusted MPS certificate without --trusted-root is cira-mps-cert-rejected
(naming the input), AMT's certificate refused by the MPS without the MPS's
roots (--ca) is cira-amt-cert-rejected naming --ca, and a tunnel without its key log is stage cira with
outcome unknown and tls-not-decrypted. A console's TLS refused inside a
channel is certain with the whole key log and, with the tunnel's keys only,
claimed where TLS 1.2 shows the alert and never where TLS 1.3 hides it
(there tls-not-decrypted names the channel).

usage: check_cira.py AMTDIAG SAMPLES_DIR/cira SCHEMA"""
import json
import os
import subprocess
import sys

import jsonschema


def run(amtdiag, args, fmt="json"):
    env = dict(os.environ, ASAN_OPTIONS="exitcode=86", UBSAN_OPTIONS="exitcode=86")
    r = subprocess.run([amtdiag, "--format", fmt] + args, capture_output=True, text=True,
                       env=env, check=False)
    return r.returncode, r.stdout, r.stderr


def verdict(report):
    c = report["connections"][0]
    causes = sorted(f["cause"] for f in c["findings"] if f["severity"] in ("error", "warning"))
    return c["stage"], c["outcome"], causes


def tunnel_keys_only(amtdiag, d, exp, cap, root_ca):
    """amtdiag's connection with only the first line of the sample's key
    log: the tunnel's keys, none of the sessions inside its channels."""
    lines = open(os.path.join(d, exp["keylog"]), encoding="utf-8").read().splitlines()
    part = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"amtdiag-{os.getpid()}-keys")
    with open(part, "w", encoding="utf-8") as f:
        f.write(lines[0] + "\n")
    _, out, _ = run(amtdiag, ["-r", cap, "--keylog", part] + root_ca)
    os.unlink(part)
    return json.loads(out)["connections"][0]


def chan_refused(amtdiag, name, d, exp, cap, root_ca, rep, problems):
    """A console's TLS refused inside a channel: with the whole key log the
    finding is certain (the alert and the console's Certificate are seen,
    in TLS 1.3 only once decrypted). With the tunnel's keys only (the key
    log's first line), TLS 1.2 still shows the alert in the clear, while
    TLS 1.3 hides it: no finding may then claim the refusal."""
    f = [x for x in rep["connections"][0]["findings"] if x["cause"] == "cira-channel-tls-refused"]
    if not f or f[0]["confidence"] != "certain":
        problems.append(f"{name}: cira-channel-tls-refused not certain: {f}")
    cc = tunnel_keys_only(amtdiag, d, exp, cap, root_ca)
    notes = " ".join(cc["notes"])
    tls13 = "TLSv1.3" in notes
    claimed = [x["cause"] for x in cc["findings"] if x["severity"] in ("error", "warning")]
    hidden = [x["evidence"] for x in cc["findings"] if x["cause"] == "tls-not-decrypted"]
    if tls13 and (claimed or "no key log entry" not in notes):
        problems.append(f"{name}: with the tunnel's keys only (TLS 1.3 hides the alert): "
                        f"{claimed}, notes {notes[:300]}")
    # ... and says what it cannot see, and what would show it
    if tls13 and not any("not followed past AMT's ServerHello" in e for e in hidden):
        problems.append(f"{name}: with the tunnel's keys only: no tls-not-decrypted for the "
                        f"channel: {hidden}")
    if not tls13 and hidden:
        problems.append(f"{name}: TLS 1.2 shows the handshake, yet tls-not-decrypted: {hidden}")
    if not tls13 and claimed != ["cira-channel-tls-refused"]:
        problems.append(f"{name}: with the tunnel's keys only (TLS 1.2 shows the alert): "
                        f"{claimed}")


def main():
    amtdiag, root, schema_path = sys.argv[1:4]
    validator = jsonschema.Draft202012Validator(json.load(open(schema_path, encoding="utf-8")))
    problems, n = [], 0
    for name in sorted(os.listdir(root)):
        d = os.path.join(root, name)
        exp_path = os.path.join(d, "cira-expected.json")
        if not os.path.isfile(exp_path):
            continue
        n += 1
        exp = json.load(open(exp_path, encoding="utf-8"))
        c = exp["connections"][0]
        cap = os.path.join(d, exp["capture"])
        keys = ["--keylog", os.path.join(d, exp["keylog"])] if exp.get("keylog") else []
        root_ca = ["--trusted-root", os.path.join(d, exp["trusted_root"])]
        # the roots the MPS checks AMT's certificate against, where it asks for one
        mps_ca = ["--ca", os.path.join(d, exp["mps_ca"])] if exp.get("mps_ca") else []
        root_ca += mps_ca
        rc, out, err = run(amtdiag, ["-r", cap] + keys + root_ca)
        if rc > 1:
            problems.append(f"{name}: exit {rc}: {err.strip()}")
            continue
        rep = json.loads(out)
        for e in validator.iter_errors(rep):
            problems.append(f"{name}: schema: {e.message} at {list(e.absolute_path)}")
        got = verdict(rep)
        want = (c["stage"], c["outcome"], sorted(c["causes"]))
        if got != want:
            problems.append(f"{name}: amtdiag says {got}, expected {want}")
        # WS-Man inside the tunnel: the HTTP of the channels to 16992, in
        # order, and with the key log that of those to 16993 inside their TLS
        # (the two kinds interleave as the consoles ran)
        statuses = [str(x["response"].get("status")) for x in rep["connections"][0]["http"]]
        https = c.get("https_statuses", [])
        want = c["http_statuses"] + https
        if (statuses if not https else sorted(statuses)) != (want if not https else sorted(want)):
            problems.append(f"{name}: HTTP in the channels {statuses}, expected {want}")
        if https:
            notes = " ".join(rep["connections"][0]["notes"])
            if "carries TLS inside the tunnel" not in notes or "keys: decrypted" not in notes:
                problems.append(f"{name}: no note of the channel's TLS, decrypted: {notes[:300]}")
            # without the channel's key log line: its TLS noted, not decrypted,
            # and only the plain channels' HTTP
            cc = tunnel_keys_only(amtdiag, d, exp, cap, root_ca)
            got = [str(x["response"].get("status")) for x in cc["http"]]
            if got != c["http_statuses"] or "no key log entry" not in " ".join(cc["notes"]):
                problems.append(f"{name}: with the tunnel's keys only: HTTP {got}, notes "
                                f"{' '.join(cc['notes'])[:300]}")
        # redirection inside the tunnel: one session per channel to 16994,
        # numbered 1, 2, …, each with the login its console made (the
        # simulator's consoles make one each, none when refused at the
        # start), in the order AMT answered them
        redir = rep["connections"][0].get("redirection") or {}
        chans = redir.get("channels", [])
        logins = sorted((x for ch in chans for x in ch["logins"]),
                        key=lambda x: x["reply_frame"] or x["frame"])
        outcomes = [x["outcome"] for x in logins]
        if outcomes != c.get("redir_logins", []):
            problems.append(f"{name}: redirection logins {outcomes}, expected "
                            f"{c.get('redir_logins', [])}")
        if any(len(ch["logins"]) > 1 for ch in chans) or \
                [ch["number"] for ch in chans] != list(range(1, len(chans) + 1)):
            problems.append(f"{name}: redirection channels {[ch['summary'] for ch in chans]}, "
                            f"expected at most one login in each, numbered from 1")
        if (rc == 1) != (c["outcome"] in ("rejected", "failed")):
            problems.append(f"{name}: exit status {rc} for outcome {c['outcome']}")
        for fmt in ("text", "markdown", "html"):
            rc, _, err = run(amtdiag, ["-V", "-r", cap] + keys + root_ca, fmt)
            if rc > 1 or "runtime error" in err or "Sanitizer" in err:
                problems.append(f"{name}: --format {fmt}: exit {rc} {err.strip()[:200]}")
        if "cira-mps-cert-untrusted" in c["causes"]:
            _, out, _ = run(amtdiag, ["-r", cap] + keys)
            got = verdict(json.loads(out))
            if got[2] != ["cira-mps-cert-rejected"]:
                problems.append(f"{name}: without --trusted-root: {got}")
        if "cira-amt-cert-untrusted" in c["causes"]:
            _, out, _ = run(amtdiag, ["-r", cap] + keys + root_ca[:2])
            rep = json.loads(out)
            got = verdict(rep)
            ev = " ".join(f["evidence"] for f in rep["connections"][0]["findings"])
            if got[2] != ["cira-amt-cert-rejected"] or "--ca PEM" not in ev:
                problems.append(f"{name}: without --ca: {got} {ev[:200]}")
            # with roots AMT's chain does verify against (its own root): refused for
            # another reason, not blamed on the chain
            _, out, _ = run(amtdiag, ["-r", cap] + keys + root_ca[:2] +
                            ["--ca", os.path.join(d, exp["trusted_root"])])
            rep = json.loads(out)
            got = verdict(rep)
            ev = " ".join(f["evidence"] for f in rep["connections"][0]["findings"])
            if got[2] != ["cira-amt-cert-rejected"] or "verifies against --ca" not in ev:
                problems.append(f"{name}: with a --ca the chain verifies against: {got} "
                                f"{ev[:200]}")
        if "cira-channel-tls-refused" in c["causes"]:
            chan_refused(amtdiag, name, d, exp, cap, root_ca, rep, problems)
        if c["stage"] == "cira" and keys:
            _, out, _ = run(amtdiag, ["-r", cap] + root_ca)
            rep = json.loads(out)
            cc = rep["connections"][0]
            causes = [f["cause"] for f in cc["findings"]]
            if (cc["stage"], cc["outcome"]) != ("cira", "unknown") or \
                    causes != ["tls-not-decrypted"]:
                problems.append(f"{name}: without the key log: {cc['stage']} {cc['outcome']} "
                                f"{causes}")
    for p in problems:
        print("FAIL", p)
    print(f"{n} CIRA samples, {len(problems)} problems")
    return 1 if problems or n == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
