#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Records the third-party corpus: for each case of cases.py, the
simulator's AMT (amtsim --serve) in one network namespace, a client this
project did not write (curl, openssl s_client, Python, wget) in another,
joined by a veth pair that dumpcap captures on the console's side.

usage: record.py AMTSIM OUTDIR [CASE...]     (every case without names)
       record.py --list
       record.py --refresh OUTDIR [CASE...]  (expected.json, README.md and inputs.txt
                                              again from the recorded captures and
                                              AMT logs, after cases.py changed)

Each case becomes OUTDIR/CASE/: capture.pcapng, keylog.txt, the
certificates (root-ca.pem, amt-cert.pem, console-cert.pem where one was
presented), amt-log.jsonl (amtsim --serve's own account of each connection)
and expected.json (docs/samples-format.md, plus ended_by and
ended_after per connection). OUTDIR/inputs.txt holds the amtdiag options
per case and OUTDIR/README.md the table of cases.

A recording is refused, with what differs, when the client's exit status,
the AMT's own log (its certificate verdicts, what it answered) or tshark's
reading of the capture disagree with the case. Needs root; exits 77 when
namespaces or dumpcap are not available here.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cases as C  # noqa: E402
import lab  # noqa: E402
import wire_facts  # noqa: E402

DNS = ["--dns", "%s=%s" % (C.AMT, lab.AMT_IP), "--dns", "console01.it.example.com=%s" % lab.CONSOLE_IP]


def fill(arg, srv, keylog):
    return arg.replace("{srv}", srv).replace("{corpus}", HERE).replace("{keylog}", keylog)


def run_case(case, amtsim, sample, tag):
    """Records case into the folder sample; returns the AMT's log lines."""
    work = tempfile.mkdtemp(prefix="amtcorpus-")
    srv = os.path.join(work, "amt")
    keylog = os.path.join(sample, "keylog.txt")
    cap = os.path.join(sample, "capture.pcapng")
    problems = []
    try:
        with lab.Lab(tag) as L:
            server = lab.start_amtsim(L, [amtsim, "--serve", srv, "--listen", lab.AMT_IP,
                                          "--dns-listen", lab.DNS_IP] + DNS + case.amt,
                                      srv, os.path.join(work, "amt.out"))
            dumpcap = lab.start_dumpcap(L, cap, os.path.join(work, "dumpcap.log"))
            env = dict(os.environ, SSLKEYLOGFILE=keylog)
            for step in case.steps:
                argv = [fill(a, srv, keylog) for a in step.argv]
                p = subprocess.run(L.cmd("console", argv), env=env, input="", text=True,
                                   capture_output=True, timeout=60)
                if p.returncode not in step.exit:
                    problems.append("%s exited %d, expected %s: %s" % (
                        argv[0], p.returncode, step.exit, (p.stdout + p.stderr).strip()[-400:]))
            time.sleep(0.3)  # the last ACKs and FINs
            L.stop(dumpcap, signal.SIGINT)
            L.stop(server)
            if server.returncode != 0:  # a sanitizer's report, for one
                problems.append("amtsim --serve exited %d: %s" % (
                    server.returncode, open(os.path.join(work, "amt.out")).read()[-2000:]))
        shutil.copy(os.path.join(srv, "connections.jsonl"), os.path.join(sample, "amt-log.jsonl"))
        amt_log = read_log(sample)
        shutil.copy(os.path.join(srv, "root-ca.pem"), sample)
        shutil.copy(os.path.join(srv, "amt-cert.pem"), sample)
        if case.console_cert:
            shutil.copy(os.path.join(srv, case.console_cert),
                        os.path.join(sample, "console-cert.pem"))
        return amt_log, problems
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the AMT's and the console's private keys


def read_log(sample):
    with open(os.path.join(sample, "amt-log.jsonl")) as f:
        return [json.loads(line) for line in f if line.strip()]


def cut_console_certificate(cap, keylog):
    """Removes the frames that carry the console's Certificate message."""
    out = subprocess.run(["tshark", "-n", "-r", cap, "-o", "tls.keylog_file:" + keylog,
                          "-d", "tcp.port==16993,tls", "-Y",
                          "tls.handshake.type == 11 && tcp.dstport == 16993",
                          "-T", "fields", "-e", "frame.number", "-e", "tcp.segment"],
                         capture_output=True, text=True, check=True).stdout.split()
    frames = sorted({int(x) for field in out for x in field.split(",") if x})
    if not frames:
        raise RuntimeError("no console Certificate to cut")
    tmp = cap + ".cut"
    subprocess.run(["editcap", cap, tmp] + [str(f) for f in frames], check=True,
                   capture_output=True)
    os.replace(tmp, cap)
    return frames


def expected(case, sample, amt_log, problems, cut):
    cap = os.path.join(sample, "capture.pcapng")
    keylog = os.path.join(sample, "keylog.txt")
    keytext = open(keylog).read() if os.path.exists(keylog) else ""
    seen = wire_facts.read(cap, keylog if keytext else None)
    tcp_log = [e for e in amt_log if "dns" not in e]
    if len(seen) != len(case.conns):
        problems.append("%d connections in the capture, the case has %d"
                        % (len(seen), len(case.conns)))
    conns = []
    for i, (c, want) in enumerate(zip(seen, case.conns)):
        log = next((e for e in tcp_log if e["client"] == c["client"]), None)
        by, after, _ = wire_facts.ended(c)
        if cut:
            after = None  # the capture no longer shows what came before the end
        if (by, after) != (want.ended_by, want.ended_after):
            problems.append("#%d: ended by %s after %s on the wire, the case says %s after %s"
                            % (i, by, after, want.ended_by, want.ended_after))
        if want.verdict != (log or {}).get("verdict"):
            problems.append("#%d: AMT's verdict %s, the case says %s"
                            % (i, (log or {}).get("verdict"), want.verdict))
        fatal = (log or {}).get("fatal_alert_sent")
        if fatal is not None and not any(a["from"] == "server" and a["desc"] == fatal
                                         for a in c["alerts"]):
            problems.append("#%d: AMT sent alert %d, tshark does not see it" % (i, fatal))
        statuses = [a["status"] for a in (log or {}).get("answers", [])]
        answered = [a["request"] for a in (log or {}).get("answers", [])]
        if answered != c["requests"][:len(answered)]:
            problems.append("#%d: AMT answered %s, tshark sees requests %s"
                            % (i, answered, c["requests"]))
        line = (log or {}).get("request_line")
        if line and " ".join(line.split()[:2]) not in c["requests"]:
            problems.append("#%d: AMT read \"%s\", tshark sees requests %s"
                            % (i, line, c["requests"]))
        e = {"id": i, "client": c["client"], "server": c["server"],
             "tcp": "open" if log else c["tcp"]}
        if c["client_hello"]:
            t = log.get("tls", {}) if log else {}
            tls = {"handshake": t.get("handshake", "failed")}
            if tls["handshake"] == "complete":
                tls["version"], tls["cipher"] = t["version"], t["cipher"]
            tls["certificate_request"] = bool(t.get("certificate_request"))
            if tls["certificate_request"]:
                tls["client_certificate"] = t.get("client_certificate") or "unknown"
            e["tls"] = tls
        e["alerts"] = c["alerts"]
        e["requests"] = c["requests"]
        e["http_statuses"] = statuses
        e["end"] = c["end"]
        e["capture_gap"] = bool(cut)
        e["decryptable"] = not c["encrypted"] or (c["client_random"] or "-") in keytext
        e["stage"], e["outcome"], e["causes"] = want.stage, want.outcome, list(want.causes)
        e["ended_by"], e["ended_after"] = want.ended_by, want.ended_after
        if want.checks:
            e["checks"] = want.checks
        if want.confidence:
            e["cause_confidence"] = want.confidence
        conns.append(e)
    dns = [{"name": d["dns"]["name"], "type": d["dns"]["type"], "rcode": d["dns"]["rcode"],
            "causes": []} for d in amt_log if "dns" in d]
    offset = 0
    if "--clock-offset" in case.amt:
        offset = int(case.amt[case.amt.index("--clock-offset") + 1])
    return {"schema": "amtdiag-sample/1", "scenario": case.name, "summary": case.summary,
            "client": case.client, "recorded_with": versions(case.client),
            "capture": "capture.pcapng",
            "keys": {"keylog": "keylog.txt" if keytext else None, "rsa_key": None,
                     "embedded_secrets": False},
            "amt_clock_offset_s": offset, "amtdiag_options": case.amtdiag, "dns": dns,
            "connections": conns}


_versions = {}


def versions(client):
    """The client's version line, as recorded."""
    tool = client.split()[0]
    if tool not in _versions:
        cmd = {"curl": ["curl", "--version"], "openssl": ["openssl", "version"],
               "wget": ["wget", "--version"], "python3": ["python3", "--version"]}[tool]
        text = subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0]
        if tool == "curl":  # "curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1 OpenSSL/3.0.19 …"
            words = text.split()
            text = " ".join(words[:2] + [w for w in words if w.startswith("OpenSSL/")])
        if tool == "python3":
            import ssl
            text += ", " + ssl.OPENSSL_VERSION
        if tool == "wget":
            gnutls = subprocess.run(["sh", "-c", "ldd $(command -v wget) | grep -o "
                                     "'libgnutls[^ ]*'"], capture_output=True, text=True)
            text += ", " + (gnutls.stdout.strip() or "TLS library unknown")
        _versions[tool] = text
    return _versions[tool]


def record(case, amtsim, out, tag):
    sample = os.path.join(out, case.name)
    shutil.rmtree(sample, ignore_errors=True)
    os.makedirs(sample)
    amt_log, problems = run_case(case, amtsim, sample, tag)
    cut = cut_console_certificate(os.path.join(sample, "capture.pcapng"),
                                  os.path.join(sample, "keylog.txt")) if case.gap else None
    write_expected(sample, expected(case, sample, amt_log, problems, cut))
    for name in os.listdir(sample):
        os.chmod(os.path.join(sample, name), 0o644)
    return problems


def write_expected(sample, exp):
    with open(os.path.join(sample, "expected.json"), "w") as f:
        json.dump(exp, f, indent=2)
        f.write("\n")


def refresh(case, out):
    """expected.json again from the recorded capture and AMT log, after the
    case's judgments changed; the capture is not touched."""
    sample = os.path.join(out, case.name)
    problems = []
    write_expected(sample, expected(case, sample, read_log(sample), problems, case.gap))
    return problems


def write_tables(out, names):
    rows = []
    lines = ["# amtdiag options per third-party case, as a support engineer would know",
             "# them (tests/corpus/cases.py; paths are relative to the case's folder).",
             "# Format: \"CASE: options\", like tests/analyzer/diag_inputs.txt."]
    for case in C.CASES:
        if case.name not in names:
            continue
        lines.append("%s: %s" % (case.name, " ".join(case.amtdiag)))
        causes = "; ".join("#%d %s%s%s" % (i, c.outcome, ": " if c.causes else "",
                                           ", ".join(c.causes))
                           for i, c in enumerate(case.conns))
        ended = "; ".join("#%d %s after %s" % (i, c.ended_by, c.ended_after or "(hidden)")
                          for i, c in enumerate(case.conns))
        rows.append("| [%s](%s/) | %s | %s | %s | %s |" % (case.name, case.name, case.client,
                                                           case.summary, causes, ended))
    with open(os.path.join(out, "inputs.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write(README_HEAD + "\n".join(rows) + "\n")


README_HEAD = """\
# Third-party corpus

Captures of clients this project did not write — curl, `openssl s_client`,
Python's ssl/urllib and wget (GnuTLS) — talking to the simulator's AMT
(`amtsim --serve`: real OpenSSL, AMT's console-certificate rules, Digest and
WS-Man) across a veth pair between two network namespaces, taken by dumpcap
on the console's side. Recorded by `tests/corpus/record.py` (as root:
`python3 tests/corpus/record.py build/tests/sim/amtsim tests/corpus/third-party`);
the cases, with what a correct diagnosis says of each connection, are in
`tests/corpus/cases.py`, and this table is generated from them
(`record.py --refresh tests/corpus/third-party` after changing a case's
judgments, without recording again).

Each folder holds `capture.pcapng`, `keylog.txt` (SSLKEYLOGFILE of the
client), `root-ca.pem`, `amt-cert.pem`, `console-cert.pem` where the console
presented one, `amt-log.jsonl` (the AMT's own account: TLS as it saw it, the
alert it sent, its certificate verdict, what it answered) and `expected.json` in the samples' format
(docs/samples-format.md) with, per connection, `ended_by` (`console`, `amt`
or `none`: who sent the fatal alert, else the first close_notify, FIN or
RST) and `ended_after` (the last handshake message or HTTP step before it;
null where the capture hides it), and where a case says so `checks` (AMT's
checklist statuses) and `cause_confidence`. `inputs.txt` holds the amtdiag
options per case: what a support engineer would know. The AMT is
`amt-pc17.vpro.example.com` (192.0.2.20), the console 192.0.2.10, DNS
192.0.2.53 with search domain vpro.example.com; the account is
admin / Vpro!Admin-2026; AMT's trusted FQDN list is it.example.com.

`make check` runs amtdiag and `tshark -z iamt,diag` on every case
(tests/corpus/check_corpus.py), tshark alone as the oracle of the recorded
facts (tests/oracle/check_samples.py), and re-records a few cases
(tests/corpus/test_record_live.py).

| case | client | what happens | expected: outcome and causes | ended |
|---|---|---|---|---|
"""


def main(argv):
    if argv[1:2] == ["--list"]:
        for c in C.CASES:
            print("%-48s %s" % (c.name, c.client))
        return 0
    if argv[1:2] == ["--refresh"] and len(argv) >= 3:
        failed = 0
        for case in [c for c in C.CASES if not argv[3:] or c.name in argv[3:]]:
            problems = refresh(case, argv[2])
            failed += bool(problems)
            for p in problems:
                print("FAIL %s: %s" % (case.name, p))
        write_tables(argv[2], {c.name for c in C.CASES})
        return 1 if failed else 0
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    amtsim, out, names = argv[1], argv[2], argv[3:]
    unknown = [n for n in names if not C.find(n)]
    if unknown:
        print("record.py: unknown case(s): %s (record.py --list)" % ", ".join(unknown),
              file=sys.stderr)
        return 2
    why = lab.available()
    if why:
        print("record.py: skipped: %s" % why, file=sys.stderr)
        return 77
    lab.sweep()
    # a timeout's SIGTERM unwinds like an error, so the namespaces go too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    todo = [c for c in C.CASES if not names or c.name in names]
    os.makedirs(out, exist_ok=True)
    failed = 0
    start = time.monotonic()
    for k, case in enumerate(todo):
        t0 = time.monotonic()
        try:
            problems = record(case, amtsim, out, "%dx%d" % (os.getpid(), k))
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            problems = [str(e)]
        status = "FAIL" if problems else "ok  "
        print("%s %-48s %4.1fs" % (status, case.name, time.monotonic() - t0))
        for p in problems:
            print("     " + p)
        failed += bool(problems)
    if not names:
        write_tables(out, {c.name for c in todo})
    print("recorded %d cases in %.1fs, %d refused" % (len(todo), time.monotonic() - start,
                                                      failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
