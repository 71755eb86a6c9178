#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Streamed reports say what the whole-capture report says.

usage: check_ndjson.py AMTDIAG CASES_DIR [INPUTS_TABLE]

For every case folder (a capture, its keys; the options of INPUTS_TABLE,
"CASE: options" with paths relative to the case, "*" for all), amtdiag runs
in every format. A report judges each connection as the capture is read,
against what the connections before it and in the next minute taught it,
and frees it; with --export-keylog amtdiag keeps every record and judges
the capture as a whole. The whole-capture report is the reference:

- text, JSON, Markdown and HTML streamed are the whole-capture ones byte
  for byte, but for the line that lists the options given;

and NDJSON agrees with the whole-capture JSON:

- every line is one JSON object with an RFC 3339 UTC "@timestamp", the ECS
  members event.kind / event.dataset, and amtdiag.schema / amtdiag.type;
- one "connection" line per connection of the JSON report, its
  amtdiag.connection object equal to the JSON one member for member, and
  its ECS fields (source, destination, event.outcome, event.reason) taken
  from it;
- one "finding" line per finding about no single connection, equal to the
  JSON report's;
- the last line is the summary, and only it: its counts equal the JSON
  summary, its cause counts the findings counted in the JSON report;
- the exit status is the same.
"""
import collections
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
ECS_OUTCOME = {"ok": "success", "challenge": "success", "rejected": "failure",
               "failed": "failure", "unknown": "unknown"}


def load_inputs(path):
    table = {}
    if not path:
        return table
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                name, _, args = line.partition(":")
                table[name.strip()] = shlex.split(args)
    return table


def case_args(d, name, table):
    caps = sorted(f for f in os.listdir(d) if f.startswith("capture"))
    if not caps:
        return None
    args = ["-r", os.path.join(d, caps[0])]
    if os.path.exists(os.path.join(d, "keylog.txt")):
        args += ["--keylog", os.path.join(d, "keylog.txt")]
    if os.path.exists(os.path.join(d, "amt-key.pem")):
        args += ["--key", os.path.join(d, "amt-key.pem")]
    extra = table.get(name, table.get("*", []))
    # paths in the table are relative to the case folder
    opts_with_path = {"--ca", "--trusted-root", "--hosts", "--keytab"}
    for i, a in enumerate(extra):
        if i and extra[i - 1] in opts_with_path and not os.path.isabs(a):
            a = os.path.join(d, a)
        args.append(a)
    return args


def cases(root, table_path=None):
    """(name, folder, amtdiag's arguments) of every case folder in root."""
    table = load_inputs(table_path)
    for name in sorted(os.listdir(root)):
        d = os.path.join(root, name)
        args = case_args(d, name, table) if os.path.isdir(d) else None
        if args is not None:
            yield name, d, args


def without_given(text):
    """The report without what names the options given (the whole-capture
    run has one more: --export-keylog)."""
    text = re.sub(r'(?s)"given": \[.*?\]', '"given": []', text)
    return "\n".join(x for x in text.split("\n")
                     if not re.match(r"^(inputs:|- \*\*Given:\*\*|<dt>Given</dt>)", x))


def check_streamed(amtdiag, args, env, tmp):
    """Each format streamed equals the whole-capture report."""
    errs = []
    for fmt in ("text", "json", "markdown", "html"):
        opts = args + ["--format", fmt, "-V"] if fmt != "json" else args + ["--format", fmt]
        s = subprocess.run([amtdiag] + opts, capture_output=True, text=True, timeout=300,
                           env=env)
        w = subprocess.run([amtdiag] + opts + ["--export-keylog", tmp], capture_output=True,
                           text=True, timeout=300, env=env)
        if s.returncode != w.returncode:
            errs.append(f"{fmt}: exit status streamed {s.returncode}, whole {w.returncode}")
        if without_given(s.stdout) != without_given(w.stdout):
            a, b = without_given(s.stdout).split("\n"), without_given(w.stdout).split("\n")
            k = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
            errs.append(f"{fmt}: streamed and whole-capture reports differ at line {k + 1}: "
                        f"{a[k] if k < len(a) else '(end)'!r} / {b[k] if k < len(b) else '(end)'!r}")
    return errs


def check_case(amtdiag, d, args, tmp):
    env = dict(os.environ, ASAN_OPTIONS="exitcode=86", UBSAN_OPTIONS="exitcode=86")
    j = subprocess.run([amtdiag] + args + ["--format", "json", "--export-keylog", tmp],
                       capture_output=True, text=True, timeout=300, env=env)
    n = subprocess.run([amtdiag] + args + ["--format", "ndjson"], capture_output=True,
                       text=True, timeout=300, env=env)
    errs = check_streamed(amtdiag, args, env, tmp)
    if j.returncode not in (0, 1) or n.returncode not in (0, 1):
        return [f"exit json {j.returncode} ndjson {n.returncode}: {n.stderr.strip()}"]
    if j.returncode != n.returncode:
        errs.append(f"exit status json {j.returncode}, ndjson {n.returncode}")
    report = json.loads(j.stdout)
    lines = n.stdout.split("\n")
    if lines[-1] != "":
        errs.append("the output does not end with a newline")
    lines = [json.loads(x) for x in lines[:-1]]
    for k, line in enumerate(lines):
        if not isinstance(line, dict) or not TS.match(line.get("@timestamp", "")):
            errs.append(f"line {k + 1}: no RFC 3339 @timestamp")
            continue
        ev, am = line.get("event", {}), line.get("amtdiag", {})
        if ev.get("dataset") != "amtdiag" or am.get("schema") != "amtdiag-ndjson/1":
            errs.append(f"line {k + 1}: event.dataset / amtdiag.schema missing")
    types = [x["amtdiag"]["type"] for x in lines]
    if not types or types[-1] != "summary" or types.count("summary") != 1:
        return errs + [f"the summary must be the last line and only it: {types}"]
    conns = [x for x in lines if x["amtdiag"]["type"] == "connection"]
    by_id = {x["amtdiag"]["connection"]["id"]: x for x in conns}
    if len(by_id) != len(conns):
        errs.append("a connection is written twice")
    for c in report["connections"]:
        line = by_id.pop(c["id"], None)
        if line is None:
            errs.append(f"#{c['id']}: no line")
            continue
        got = line["amtdiag"]["connection"]
        if got != c:
            diff = sorted(k for k in set(c) | set(got) if c.get(k) != got.get(k))
            errs.append(f"#{c['id']}: differs in {diff}: json {c['outcome']} "
                        f"{[f['cause'] for f in c['findings']]}, ndjson {got.get('outcome')} "
                        f"{[f['cause'] for f in got.get('findings', [])]}")
        host, _, port = c["server"].rpartition(":")
        if (line["destination"]["port"] != int(port)
                or line["destination"]["ip"] != host.strip("[]")):
            errs.append(f"#{c['id']}: destination {line['destination']} is not {c['server']}")
        if line["event"].get("outcome") != ECS_OUTCOME[c["outcome"]]:
            errs.append(f"#{c['id']}: event.outcome {line['event'].get('outcome')}")
        top = c["findings"][0]["cause"] if c["findings"] else None
        if line["event"].get("reason") != top:
            errs.append(f"#{c['id']}: event.reason {line['event'].get('reason')}, not {top}")
    if by_id:
        errs.append(f"lines for connections the JSON report lacks: {sorted(by_id)}")
    found = [x["amtdiag"]["finding"] for x in lines if x["amtdiag"]["type"] == "finding"]
    if found != report["findings"]:
        errs.append(f"findings about no connection: json {report['findings']}, ndjson {found}")
    s = lines[-1]["amtdiag"]
    for k in ("connections", "dns_messages", "rejected", "errors", "not_ok"):
        if s[k] != report["summary"][k]:
            errs.append(f"summary {k}: json {report['summary'][k]}, ndjson {s[k]}")
    if s["frames"] != report["summary"]["frames"]:
        errs.append("summary frames differ")
    counted = collections.Counter(f["cause"] for c in report["connections"] for f in c["findings"])
    counted.update(f["cause"] for f in report["findings"])
    if dict(counted) != s["causes"]:
        errs.append(f"cause counts: json {dict(counted)}, ndjson {s['causes']}")
    outcomes = collections.Counter(c["outcome"] for c in report["connections"])
    if any(s["outcomes"][k] != outcomes.get(k, 0) for k in s["outcomes"]):
        errs.append(f"outcomes: json {dict(outcomes)}, ndjson {s['outcomes']}")
    return errs


def main():
    amtdiag, root = sys.argv[1], sys.argv[2]
    failed = n = 0
    tmpdir = tempfile.mkdtemp(prefix="ndjson-")
    tmp = os.path.join(tmpdir, "keylog.txt")
    for name, d, args in cases(root, sys.argv[3] if len(sys.argv) > 3 else None):
        n += 1
        errs = check_case(amtdiag, d, args, tmp)
        for e in errs:
            print(f"FAIL {name}: {e}")
        failed += bool(errs)
    shutil.rmtree(tmpdir)
    print(f"{n - failed}/{n} cases: streamed reports agree with the whole-capture one")
    if n == 0:
        print("no case found")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
