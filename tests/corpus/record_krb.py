#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Records the Kerberos corpus (krb_cases.py): per case a real MIT KDC
with a temporary realm (kdc.py) and the simulator's AMT with a GSS-API
acceptor (amtsim --serve --kerberos, its clock shifted with libfaketime
where the case says) in one network namespace, the console (kinit, curl
--negotiate or amtgss) in another, joined by a veth pair that dumpcap
captures on the console's side: console↔KDC (UDP and TCP 88) and
console↔AMT in one capture, as record.py records the third-party corpus.

usage: record_krb.py AMTSIM AMTGSS OUTDIR [CASE...]   (every case without names)
       record_krb.py --list
       record_krb.py --refresh OUTDIR                 (expected.json, README.md and
                                                       inputs.txt again from the recorded
                                                       captures, after krb_cases.py changed)

Each case becomes OUTDIR/CASE/: capture.pcapng, amt.keytab (the keys AMT
was given), kdc.keytab (every key of the realm as the KDC has them: for
tshark's decryption, the oracle), keylog.txt and the certificates for TLS
cases, amt-log.jsonl and expected.json (docs/samples-format.md; plus
"kerberos": the Kerberos messages tshark reads, frame by frame).
OUTDIR/inputs.txt holds the amtdiag options per case, OUTDIR/README.md
the table of cases.

A recording is refused, with what differs, when a console's exit status,
the AMT's log or tshark's reading disagree with the case. Needs root;
exits 77 when namespaces, dumpcap or the KDC tools are not available.
"""
import glob
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
import kdc  # noqa: E402
import krb_cases as K  # noqa: E402
import lab  # noqa: E402
import record  # noqa: E402

DNS = ["--dns", "%s=%s" % (C.AMT, lab.AMT_IP), "--dns", "console01.it.example.com=%s" % lab.CONSOLE_IP]
KRB_FIELDS = ["frame.number", "udp.srcport", "tcp.srcport", "kerberos.msg_type",
              "kerberos.error_code"]
TYPES = {10: "AS-REQ", 11: "AS-REP", 12: "TGS-REQ", 13: "TGS-REP", 14: "AP-REQ", 15: "AP-REP",
         30: "KRB-ERROR"}


def faketime_lib():
    found = glob.glob("/usr/lib/*/faketime/libfaketime.so.1")
    return found[0] if found else None


def faketime_preload(binary):
    """LD_PRELOAD for libfaketime in binary: a sanitizer build wants its
    ASan runtime first in the list (else it refuses to start)."""
    libs = [faketime_lib()]
    out = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if "libasan.so" in line and "=>" in line:
            libs.insert(0, line.split("=>")[1].split()[0])
    return ":".join(libs)


def offset_seconds(ft):
    if not ft:
        return 0
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    return int(ft[:-1]) * units[ft[-1]] if ft[-1] in units else int(ft)


def fill(arg, v):
    for k, val in v.items():
        arg = arg.replace("{%s}" % k, val)
    return arg


def export_realm_keys(realm, keytab):
    """Every key of the realm (users, services, krbtgt) into keytab."""
    names = realm.run(["kadmin.local", "-r", K.REALM, "-q", "listprincs"]).split()
    for n in names:
        if "@" in n and not n.startswith(("K/M@", "kadmin/", "kiprop/")):
            realm.kadmin("ktadd -norandkey -k %s %s" % (keytab, n))


def run_case(case, amtsim, amtgss, sample, tag):
    work = tempfile.mkdtemp(prefix="amtkrb-")
    srv = os.path.join(work, "amt")
    keylog = os.path.join(sample, "keylog.txt")
    cap = os.path.join(sample, "capture.pcapng")
    problems = []
    try:
        realm = kdc.Realm(os.path.join(work, "kdc"), K.KDC_IP)
        case.setup(realm, work)
        export_realm_keys(realm, os.path.join(sample, "kdc.keytab"))
        shutil.copy(os.path.join(work, "amt.keytab"), os.path.join(sample, "amt.keytab"))
        confs = {"udp": os.path.join(work, "udp.conf"), "tcp": os.path.join(work, "tcp.conf"),
                 "tcp_aes": os.path.join(work, "tcp-aes.conf")}
        kdc.client_conf(confs["udp"], K.KDC_IP)
        kdc.client_conf(confs["tcp"], K.KDC_IP, tcp=True)
        kdc.client_conf(confs["tcp_aes"], K.KDC_IP, tcp=True,
                        enctypes="aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96")
        v = dict(confs, work=work, srv=srv, corpus=HERE, keylog=keylog, amtgss=amtgss)
        with lab.Lab(tag, amt_extra=[K.KDC_IP]) as L:
            if case.name not in K.KDC_DOWN:
                realm.start(lambda argv, **kw: L.start("amt", argv, **kw))
            env = ["env", "KRB5RCACHETYPE=none", "KRB5_CONFIG=" + realm.krb5_conf]
            if case.faketime:
                env += ["LD_PRELOAD=" + faketime_preload(amtsim), "FAKETIME=" + case.faketime,
                        "FAKETIME_DONT_FAKE_MONOTONIC=1"]
            server = lab.start_amtsim(L, env + [amtsim, "--serve", srv, "--listen", lab.AMT_IP,
                                                "--dns-listen", lab.DNS_IP] + DNS +
                                      [fill(a, v) for a in case.amt],
                                      srv, os.path.join(work, "amt.out"))
            dumpcap = lab.start_dumpcap(L, cap, os.path.join(work, "dumpcap.log"))
            env = dict(os.environ, KRB5CCNAME=os.path.join(work, "ccache"),
                       KRB5_CONFIG=confs["udp"], SSLKEYLOGFILE=keylog)
            for step in case.steps:
                argv = [fill(a, v) for a in step.argv]
                p = subprocess.run(L.cmd("console", argv), env=env, input="", text=True,
                                   capture_output=True, timeout=90)
                if p.returncode not in step.exit:
                    problems.append("%s exited %d, expected %s: %s" % (
                        os.path.basename(argv[argv.index("env") + 2] if argv[0] == "env"
                                         else argv[0]), p.returncode, step.exit,
                        (p.stdout + p.stderr).strip()[-400:]))
            time.sleep(0.3)
            L.stop(dumpcap, signal.SIGINT)
            L.stop(server)
            realm.stop()
            if server.returncode != 0:
                problems.append("amtsim --serve exited %d: %s" % (
                    server.returncode, open(os.path.join(work, "amt.out")).read()[-2000:]))
        shutil.copy(os.path.join(srv, "connections.jsonl"), os.path.join(sample, "amt-log.jsonl"))
        if case.tls:
            shutil.copy(os.path.join(srv, "root-ca.pem"), sample)
            shutil.copy(os.path.join(srv, "amt-cert.pem"), sample)
        elif os.path.exists(keylog):
            os.unlink(keylog)
        return record.read_log(sample), problems
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the KDC's database and every private key


def kerberos_messages(sample):
    """The Kerberos messages tshark reads in the capture, in frame order."""
    cmd = ["tshark", "-n", "-r", os.path.join(sample, "capture.pcapng"), "-d",
           "tcp.port==16992,http", "-Y", "kerberos", "-T", "fields", "-E", "separator=\t",
           "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in KRB_FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    msgs = []
    for line in out.splitlines():
        f = dict(zip(KRB_FIELDS, line.split("\t") + [""] * len(KRB_FIELDS)))
        types = [int(t) for t in f["kerberos.msg_type"].split(",") if t]
        errors = [int(e) for e in f["kerberos.error_code"].split(",") if e]
        via = "udp" if f["udp.srcport"] else "tcp"
        for t in types:
            m = {"frame": int(f["frame.number"]), "via": via, "type": TYPES.get(t, str(t))}
            if t == 30 and errors:
                m["error_code"] = errors.pop(0)
            msgs.append(m)
    return msgs


def expected(case, sample, amt_log, problems):
    base = C.Case(case.name, case.summary, case.client, [], [], case.conns, case.amtdiag)
    record._versions.setdefault("amtgss", "amtgss (tests/sim/gss_console.c), MIT krb5 " +
                                mit_version())
    exp = record.expected(base, sample, amt_log, problems, None)
    exp["amt_clock_offset_s"] = offset_seconds(case.faketime)
    exp["keys"]["keytab"] = "amt.keytab"
    exp["keys"]["oracle_keytab"] = "kdc.keytab"
    exp["kerberos"] = kerberos_messages(sample)
    return exp


def mit_version():
    p = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "libgssapi-krb5-2"],
                       capture_output=True, text=True)
    return p.stdout.strip() or "unknown"


def record_case(case, amtsim, amtgss, out, tag):
    sample = os.path.join(out, case.name)
    shutil.rmtree(sample, ignore_errors=True)
    os.makedirs(sample)
    amt_log, problems = run_case(case, amtsim, amtgss, sample, tag)
    record.write_expected(sample, expected(case, sample, amt_log, problems))
    for name in os.listdir(sample):
        os.chmod(os.path.join(sample, name), 0o644)
    return problems


README_HEAD = """\
# Kerberos corpus

Kerberos logins to the simulator's AMT (`amtsim --serve --kerberos`: MIT's
GSS-API acceptor with AMT's keytab, Negotiate offered besides Digest, a
Date header in its 401s, optionally the acceptor's KRB-ERROR in the 401 as
IIS sends it), with a real MIT KDC (krb5kdc, a temporary realm
VPRO.EXAMPLE.COM at 192.0.2.88, UDP and TCP 88) and consoles this project
did not write (kinit, curl --negotiate) or that ask for what curl cannot
(amtgss, tests/sim/gss_console.c: the port-form SPN HTTP/<fqdn>:<port>,
a pre-emptive token, TLS). AMT's clock is shifted with libfaketime. The
capture is taken on the console's side: console↔KDC and console↔AMT.
Recorded by `tests/corpus/record_krb.py` (as root:
`python3 tests/corpus/record_krb.py build/tests/sim/amtsim build/tests/sim/amtgss
tests/corpus/kerberos`); the cases are in `tests/corpus/krb_cases.py`.

Each folder holds `capture.pcapng`, `amt.keytab` (the keys AMT was
given), `kdc.keytab` (every key of the realm: tshark's `-o
kerberos.decrypt:TRUE -o kerberos.file:kdc.keytab` reads the messages with
it, the oracle), `amt-log.jsonl`, `expected.json` (docs/samples-format.md,
plus `kerberos`: the messages tshark reads), and for TLS `keylog.txt` and
the certificates. `inputs.txt` holds the amtdiag options per case. The
user is alice / Alice!Kerb-2026; AMT is amt-pc17.vpro.example.com
(192.0.2.20) with the SPNs HTTP/amt-pc17.vpro.example.com:16992,
HTTP/amt-pc17.vpro.example.com:16993 and HTTP/amt-pc17.vpro.example.com.

`make check` runs amtdiag and `tshark -z iamt,diag` on every case
(tests/corpus/check_corpus.py), holds amtdiag's reading of every Kerberos
message against tshark's (tests/corpus/check_krb_oracle.py), and records
two cases again with a fresh KDC (tests/corpus/test_record_krb.py).

| case | console | what happens | expected: outcome and causes |
|---|---|---|---|
"""


def write_tables(out):
    lines = ["# amtdiag options per Kerberos case (tests/corpus/krb_cases.py; paths are",
             "# relative to the case's folder). Format: \"CASE: options\"."]
    rows = []
    for case in K.CASES:
        if not os.path.isdir(os.path.join(out, case.name)):
            continue
        lines.append("%s: %s" % (case.name, " ".join(case.amtdiag)))
        causes = "; ".join("#%d %s%s%s" % (i, c.outcome, ": " if c.causes else "",
                                           ", ".join(c.causes)) for i, c in enumerate(case.conns))
        rows.append("| [%s](%s/) | %s | %s | %s |" % (case.name, case.name, case.client,
                                                      case.summary, causes))
    with open(os.path.join(out, "inputs.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write(README_HEAD + "\n".join(rows) + "\n")


def available():
    why = lab.available() or kdc.available()
    if not why and not faketime_lib():
        why = "libfaketime is not installed (apt-get install libfaketime)"
    return why


def main(argv):
    if argv[1:2] == ["--list"]:
        for c in K.CASES:
            print("%-40s %s" % (c.name, c.client))
        return 0
    if argv[1:2] == ["--refresh"] and len(argv) == 3:
        failed = 0
        for case in K.CASES:
            sample = os.path.join(argv[2], case.name)
            problems = []
            record.write_expected(sample, expected(case, sample, record.read_log(sample),
                                                   problems))
            failed += bool(problems)
            for p in problems:
                print("FAIL %s: %s" % (case.name, p))
        write_tables(argv[2])
        return 1 if failed else 0
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    amtsim, amtgss, out, names = (os.path.abspath(argv[1]), os.path.abspath(argv[2]), argv[3],
                                  argv[4:])
    unknown = [n for n in names if not K.find(n)]
    if unknown:
        print("record_krb.py: unknown case(s): %s" % ", ".join(unknown), file=sys.stderr)
        return 2
    why = available()
    if why:
        print("record_krb.py: skipped: %s" % why, file=sys.stderr)
        return 77
    lab.sweep()
    os.makedirs(out, exist_ok=True)
    failed = 0
    for i, case in enumerate(c for c in K.CASES if not names or c.name in names):
        problems = record_case(case, amtsim, amtgss, out, "%dx%d" % (os.getpid(), i))
        failed += bool(problems)
        print("%s %s" % ("FAIL" if problems else "ok  ", case.name))
        for p in problems:
            print("     " + p)
    write_tables(out)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
