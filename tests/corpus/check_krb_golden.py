#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Golden diagnoses of the Kerberos corpus: per case, amtdiag's verdict on
each connection (stage, outcome, and per finding the cause, confidence,
frames and evidence) against CASE/golden-amtdiag.json, and the table of
tshark -z iamt,diag with the plugin against CASE/golden-iamt-diag.txt, and
the plugin's expert information against amtdiag's causes (each on some
frame; a KDC's refusal on its KRB-ERROR) —
with the options of inputs.txt, the plugin getting them as preferences
(check_corpus.py). A change of words is a change to review: run with
--update to rewrite the goldens, then read the diff.

usage: check_krb_golden.py AMTDIAG CORPUS_DIR [--plugin PLUGIN_SO WS_MAJOR_MINOR] [--update]
"""
import difflib
import json
import re
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check_corpus as CC  # noqa: E402


def amtdiag_view(out):
    """What the golden keeps of amtdiag's JSON: the verdicts and evidence."""
    conns = []
    for c in out["connections"]:
        conns.append({"client": c["client"], "server": c["server"], "stage": c["stage"],
                      "outcome": c["outcome"],
                      "findings": [{"cause": f["cause"], "confidence": f["confidence"],
                                    "frames": f["frames"], "evidence": f["evidence"]}
                                   for f in c["findings"]]})
    return {"connections": conns,
            "findings": [{"cause": f["cause"], "evidence": f["evidence"]}
                         for f in out["findings"]]}


# Causes the plugin cannot put on a frame: the console got no ticket, which
# is known only from what did not follow AMT's 401 (-z iamt,diag and
# -z iamt,conns name it).
NOT_ON_A_FRAME = {"kerberos-no-ticket"}


def expert_causes(plugin, d, exp, opts):
    """tshark's expert information with the plugin: {frame: [cause tokens]}
    of the Kerberos and Negotiate causes, with the case's preferences."""
    args = ["-n", "-r", exp["capture"], "-Y", "_ws.expert", "-T", "fields", "-e",
            "frame.number", "-e", "_ws.expert.message", "-E", "occurrence=a", "-E",
            "aggregator=\x01"]
    if exp["keys"].get("keylog"):
        args += ["-o", "tls.keylog_file:" + exp["keys"]["keylog"]]
    for opt, val in CC.option_pairs(opts):
        if opt in CC.PREFS and opt != "--password":
            args += ["-o", "%s:%s" % (CC.PREFS[opt], os.path.join(d, val) if opt in
                                      CC.PATH_OPTIONS else val)]
    # An expert item's message is its cause in words (the summary it was
    # registered with as <filter>.cause.<token>, '-' written '_'): tshark -G
    # fields maps each summary back to its token.
    words = {}
    for line in plugin.tshark(["-G", "fields"]).stdout.splitlines():
        col = line.split("\t")
        m = re.match(r"^[a-z.]+\.cause\.((?:kerberos|negotiate)_\w+)$", col[2]) \
            if len(col) > 2 and col[0] == "F" else None
        if m:
            words[col[1]] = m.group(1).replace("_", "-")
    out = {}
    for line in plugin.tshark(args, cwd=d).stdout.splitlines():
        frame, _, msgs = line.partition("\t")
        toks = [words[m] for m in msgs.split("\x01") if m in words]
        if toks:
            out[int(frame)] = toks
    return out


def check_expert(expert, out, problems):
    """The plugin's expert information names what amtdiag names, and a
    KDC's refusal of AMT's ticket carries it on the KDC's own KRB-ERROR."""
    causes = {f["cause"] for c in out["connections"] for f in c["findings"]
              if f["cause"].startswith(("kerberos-", "negotiate-"))}
    shown = {t for toks in expert.values() for t in toks}
    if shown != causes - NOT_ON_A_FRAME:
        problems.append("expert info names %s, amtdiag %s" % (sorted(shown), sorted(causes)))
    refusals = {7: "kerberos-spn-unknown",  # KDC_ERR_S_PRINCIPAL_UNKNOWN
                14: "kerberos-etype-mismatch"}  # KDC_ERR_ETYPE_NOSUPP
    for m in out["kerberos"]["messages"]:
        want = refusals.get(m.get("error_code")) if m["type"] == "KRB-ERROR" else None
        if want in causes and want not in expert.get(m["frame"], []):
            problems.append("the KDC's KRB-ERROR in frame %d has no expert info %s (has %s)"
                            % (m["frame"], want, expert.get(m["frame"])))


def table(text):
    """The -z iamt,diag table, without what varies between runs (none)."""
    lines = text.splitlines()
    start = next((i for i, l in enumerate(lines) if l.startswith("iAMT diagnosis")), None)
    return "\n".join(lines[start:]) + "\n" if start is not None else ""


def compare(path, got, update, problems):
    if update:
        with open(path, "w") as f:
            f.write(got)
        return
    try:
        with open(path) as f:
            want = f.read()
    except OSError:
        problems.append("%s is missing (run with --update)" % os.path.basename(path))
        return
    if got != want:
        diff = difflib.unified_diff(want.splitlines(), got.splitlines(), "golden", "now",
                                    lineterm="", n=1)
        problems.append("%s differs:\n%s" % (os.path.basename(path),
                                             "\n".join("       " + l for l in diff)[:3000]))


def main(argv):
    args = [a for a in argv[1:] if a != "--update"]
    update = "--update" in argv
    if len(args) not in (2, 5) or (len(args) == 5 and args[2] != "--plugin"):
        print(__doc__, file=sys.stderr)
        return 2
    tool, corpus = os.path.abspath(args[0]), args[1]
    plugin = CC.Plugin(args[3], args[4]) if len(args) == 5 else None
    table_in = CC.load_inputs(os.path.join(corpus, "inputs.txt"))
    failed = total = 0
    try:
        for name in sorted(os.listdir(corpus)):
            d = os.path.join(corpus, name)
            if not os.path.isfile(os.path.join(d, "expected.json")):
                continue
            total += 1
            with open(os.path.join(d, "expected.json")) as f:
                exp = json.load(f)
            opts = table_in.get(name, [])
            problems = []
            rc, out, err = CC.run_amtdiag(tool, d, exp, opts)
            if out is None:
                problems.append("amtdiag: no JSON (exit %d): %s" % (rc, err[:300]))
            else:
                compare(os.path.join(d, "golden-amtdiag.json"),
                        json.dumps(amtdiag_view(out), indent=2, ensure_ascii=False) + "\n",
                        update, problems)
            if plugin:
                copy = plugin.copy(d)
                _, _, p = plugin.diag(copy, exp, opts)
                problems += p
                if out is not None:
                    check_expert(expert_causes(plugin, copy, exp, opts), out, problems)
                compare(os.path.join(d, "golden-iamt-diag.txt"), table(plugin.last_output),
                        update, problems)
            print("%s %s" % ("FAIL" if problems else "ok  ", name))
            for p in problems:
                print("     " + p)
            failed += bool(problems)
    finally:
        if plugin:
            plugin.close()
    print("golden diagnoses of %d Kerberos cases%s: %d failed" % (
        total, " (amtdiag and tshark -z iamt,diag)" if plugin else " (amtdiag)", failed))
    return 1 if failed or not total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
