#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""-j N writes the report of -j 1, byte for byte, in every format.

usage: check_jobs.py AMTDIAG [--quick] ROOT[=INPUTS_TABLE] ...
       check_jobs.py AMTDIAG --fleet AMTSIM MAKE_MANY_CONNS WORKDIR

Cases: every case folder of each ROOT, enumerated (with its keys and the
options of its inputs table) as check_ndjson.py does. For each, amtdiag
runs with -j 1 and -j 2 (and -j 3 in text -V and NDJSON: the other formats
render the same results again); text (with and without -V), JSON, NDJSON,
Markdown (-V) and HTML (-V) must be the same bytes, with the same exit
status and the same messages. --quick (the sanitizer build, where each run
costs ten times as much): text -V at -j 2 and NDJSON at -j 3 only.

--fleet: a fleet capture made by the simulator (amtsim --fleet, 10 MB: a
management server's traffic to many AMTs, TLS 1.0-1.3, Digest logins, DNS,
~10 % failures) and a capture of 5,000 Digest challenges to 50 AMTs
(more than the 2,048 connections a file holds before judging the oldest,
so that judgements happen while the workers still learn) must give the
same report with -j 1, -j 2 and -j 4. So must several input files at once,
each read in a thread of its own while the one before is analysed: the
fleet, a file of garbage, the challenges gzip-compressed, malformed frames
(warned about in their place), a pcapng whose
key log is inside it (a Decryption Secrets Block), the fleet cut off in the
middle of a record, the challenges uncompressed.
"""
import concurrent.futures
import gzip
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_ndjson import cases  # noqa: E402  (the same enumeration)

ENV = dict(os.environ, ASAN_OPTIONS="exitcode=86", UBSAN_OPTIONS="exitcode=86")
# each output and the -j it is checked at (text -V and NDJSON at three and
# four workers too: the other formats render the same results again)
OUTPUTS = [("text", [], [2]), ("text", ["-V"], [2, 3]), ("json", [], [2]), ("ndjson", [], [2, 3]),
           ("markdown", ["-V"], [2]), ("html", ["-V"], [2])]
QUICK = [("text", ["-V"], [2]), ("ndjson", [], [3])]
FLEET = [("text", ["-V"], [2, 4]), ("json", [], [2]), ("ndjson", [], [2, 4]),
         ("markdown", ["-V"], [2]), ("html", ["-V"], [2])]


def run(amtdiag, args):
    p = subprocess.run([amtdiag] + args, capture_output=True, timeout=600, env=ENV)
    return p.returncode, p.stdout, p.stderr


def first_difference(a, b):
    la, lb = a.split(b"\n"), b.split(b"\n")
    k = next((i for i in range(min(len(la), len(lb))) if la[i] != lb[i]), min(len(la), len(lb)))
    return (f"line {k + 1}: {la[k][:160] if k < len(la) else '(end)'!r} / "
            f"{lb[k][:160] if k < len(lb) else '(end)'!r}")


def compare(amtdiag, args, outputs):
    """Problems of -j N against -j 1 for each output."""
    errs = []
    for fmt, extra, jobs in outputs:
        opts = args + ["--format", fmt] + extra
        base = run(amtdiag, opts + ["-j", "1"])
        if base[0] not in (0, 1):
            errs.append(f"{fmt}{extra}: -j 1 exit {base[0]}: {base[2].decode()[-500:]}")
            continue
        for j in jobs:
            got = run(amtdiag, opts + ["-j", str(j)])
            if got[0] != base[0]:
                errs.append(f"{fmt}{extra}: exit -j 1 {base[0]}, -j {j} {got[0]}: "
                            f"{got[2].decode()[-500:]}")
            elif got[1] != base[1]:
                errs.append(f"{fmt}{extra}: -j {j} differs from -j 1 at "
                            f"{first_difference(base[1], got[1])}")
            elif got[2] != base[2]:
                errs.append(f"{fmt}{extra}: -j {j} warns otherwise: {got[2].decode()[-300:]!r}")
    return errs


def check_case(amtdiag, args, outputs):
    return compare(amtdiag, args, outputs)


def check_cases(amtdiag, roots):
    outputs = OUTPUTS
    if roots and roots[0] == "--quick":
        outputs, roots = QUICK, roots[1:]
    todo = []
    for spec in roots:
        root, _, table = spec.partition("=")
        todo += [(os.path.relpath(d, os.path.dirname(root)), args)
                 for _, d, args in cases(root, table or None)]
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for (name, _), errs in zip(todo, pool.map(lambda t: check_case(amtdiag, t[1], outputs), todo)):
            for e in errs:
                print(f"FAIL {name}: {e}")
            failed += bool(errs)
    print(f"{len(todo) - failed}/{len(todo)} cases: -j 2 and -j 3 write the report of -j 1")
    if not todo:
        print("no case found")
        return 1
    return 1 if failed else 0


def several_files(work, fleet_capture, many, dsb_capture):
    """The inputs of one run: every kind a file can be, one after the other."""
    junk = os.path.join(work, "junk.pcap")
    with open(junk, "wb") as f:
        f.write(bytes((i * 73 + 11) % 256 for i in range(4096)))
    many_gz = many + ".gz"
    with open(many, "rb") as src, gzip.open(many_gz, "wb", compresslevel=1) as dst:
        dst.write(src.read())
    cut = os.path.join(work, "fleet-cut.pcapng")
    with open(fleet_capture, "rb") as src, open(cut, "wb") as dst:
        data = src.read()
        dst.write(data[:len(data) * 3 // 5 + 7])
    # frames amtdiag warns about (an IPv4 header shorter than its minimum)
    malformed = os.path.join(work, "malformed.pcap")
    with open(malformed, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i in range(3):
            frame = b"\x00" * 12 + b"\x08\x00" + bytes([0x43, 0]) + b"\x00" * 18
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(frame), len(frame)) + frame)
    files = [fleet_capture, junk, many_gz, malformed, dsb_capture, cut, many]
    return [a for f in files for a in ("-r", f)]


def check_fleet(amtdiag, amtsim, make_many, work):
    os.makedirs(work, exist_ok=True)
    fleet = os.path.join(work, "fleet")
    if not os.path.exists(os.path.join(fleet, "capture.pcapng")):
        subprocess.run([amtsim, "--fleet", fleet, "--size", "10M", "--seed", "1", "-j", "2"],
                       check=True, capture_output=True, timeout=300)
    many = os.path.join(work, "many.pcap")
    subprocess.run([sys.executable, make_many, many, "5000", "50"], check=True, timeout=120)
    fleet_args = ["-r", os.path.join(fleet, "capture.pcapng"),
                  "--keylog", os.path.join(fleet, "keylog.txt"),
                  "--key", os.path.join(fleet, "amt-rsa-key.pem"),
                  "--password", "admin:Vpro!Admin-2026", "--trusted-fqdn", "it.example.com",
                  "--ca", os.path.join(fleet, "root-ca.pem")]
    errs = [f"fleet: {e}" for e in compare(amtdiag, fleet_args, FLEET)]
    errs += [f"5000 challenges: {e}"
             for e in compare(amtdiag, ["-r", many], [("text", ["-V"], [2, 4]),
                                                      ("ndjson", [], [2, 4])])]
    dsb = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "samples",
                       "secrets-in-pcapng", "capture.pcapng")
    several = several_files(work, os.path.join(fleet, "capture.pcapng"), many, dsb)
    errs += [f"several files: {e}"
             for e in compare(amtdiag, several + fleet_args[2:],
                              [("text", ["-V"], [2, 4]), ("json", [], [2]), ("ndjson", [], [2])])]
    for e in errs:
        print(f"FAIL {e}")
    print("fleet, 5000 challenges and several files: " +
          ("differ" if errs else "-j 2 and -j 4 write the report of -j 1"))
    return 1 if errs else 0


def main():
    amtdiag = sys.argv[1]
    if len(sys.argv) == 6 and sys.argv[2] == "--fleet":
        return check_fleet(amtdiag, *sys.argv[3:6])
    return check_cases(amtdiag, sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
