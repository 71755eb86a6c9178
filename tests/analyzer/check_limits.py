#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The memory bounds of docs/limits.md, measured with /usr/bin/time.

usage: check_limits.py AMTDIAG GENERATOR WORKDIR [KEYLOG_SAMPLE_DIR]

- --format ndjson on captures of 20,000 and 100,000 Digest challenges
  (make_many_conns.py; 1,000 AMTs): peak RSS within 64 MiB, and the larger
  capture within 16 MiB of the smaller one — memory follows the open
  connections, not the file;
- both runs agree on every count of the summary line with what the capture
  holds (one challenge per connection, the last one per AMT unanswered);
- the 100,000 connections in every other format (text, JSON, Markdown,
  HTML; the text and JSON with -V): each within 64 MiB, the JSON report
  counting every connection, the text report's causes summary counting as
  the NDJSON summary does — each format streams;
- a key log of 300,000 lines (a day of fleet traffic; 51 MB) read with a
  small capture: within 40 MiB, and its secret still found (the one session
  of the capture among them decrypts);
- 60,000 undecodable frames: 1,000 warnings kept and shown, the rest
  counted, peak RSS within 64 MiB.

Generous margins: the runs measure 33-37 MiB here (the key log 18 MiB).
"""
import json
import os
import struct
import subprocess
import sys

LIMIT_KB = 64 * 1024
# A key log is indexed, 32 bytes a line: 300,000 lines measure 26 MiB in
# all; stored (about 110 bytes a secret, and the hash table) they would
# take about 45.
KEYLOG_LIMIT_KB = 40 * 1024
GROWTH_KB = 16 * 1024


def peak_run(cmd, out_path):
    with open(out_path, "wb") as out:
        p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=out,
                           stderr=subprocess.PIPE, text=True, timeout=600)
    lines = p.stderr.strip().splitlines()
    return p.returncode, int(lines[-1]), "\n".join(lines[:-1])


def summary(path):
    with open(path, encoding="utf-8") as f:
        last = None
        for line in f:
            last = json.loads(line)
    return last["amtdiag"]


def garbage_pcap(path, n):
    """n frames claiming IPv4 whose headers are cut short."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        frame = b"\0\1\2\3\4\5\0\6\7\x08\x09\x0a\x08\x00" + b"\x45\x00\x00"
        for i in range(n):
            f.write(struct.pack("<IIII", 1_767_225_600 + i // 1000, i % 1000, len(frame),
                                len(frame)))
            f.write(frame)


def cap_for(gen, work, n):
    return os.path.join(work, f"conns-{n}.pcap")


def text_causes(path):
    """The causes summary of a text report: token -> count."""
    rows, inside = {}, False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("Causes"):
                inside = True
            elif inside and not line.strip():
                break
            elif inside:
                token, count = line.split()[:2]
                rows[token] = int(count)
    return rows


def other_formats(amtdiag, cap, work, n, causes):
    errs = []
    for fmt in ("text", "json", "markdown", "html"):
        out = os.path.join(work, f"conns-{n}.{fmt}")
        extra = ["-V"] if fmt in ("text", "json") else []
        rc, kb, err = peak_run([amtdiag, "-r", cap, "--format", fmt] + extra, out)
        print(f"{n} connections, {fmt}: exit {rc}, peak RSS {kb} KiB")
        if rc != 1:
            errs.append(f"{n} connections, {fmt}: exit {rc} ({err})")
        elif fmt == "text":
            rows = text_causes(out)
            if not rows or any(causes.get(k) != v for k, v in rows.items()):
                errs.append(f"{n} connections, text: causes summary {rows}, ndjson {causes}")
        elif fmt == "json":
            with open(out, encoding="utf-8") as f:
                doc = json.load(f)
            if doc["summary"]["connections"] != n or len(doc["connections"]) != n:
                errs.append(f"{n} connections, json: {doc['summary']['connections']} counted, "
                            f"{len(doc['connections'])} written")
        if kb > LIMIT_KB:
            errs.append(f"{n} connections, {fmt}: peak RSS {kb} KiB over {LIMIT_KB}")
        os.unlink(out)
    os.unlink(cap)
    return errs


def big_keylog(amtdiag, work, sample):
    """300,000 key log lines around the one a sample's session needs."""
    errs = []
    cap = os.path.join(sample, "capture.pcapng")
    with open(os.path.join(sample, "keylog.txt"), encoding="ascii") as f:
        real = [x for x in f.read().splitlines() if x.strip()]
    path = os.path.join(work, "big.keylog")
    with open(path, "w", encoding="ascii") as f:
        for i in range(300_000):
            if i == 150_000:
                f.write("\n".join(real) + "\n")
            label = "CLIENT_RANDOM" if i % 3 else "CLIENT_TRAFFIC_SECRET_0"
            f.write(f"{label} {os.urandom(32).hex()} {os.urandom(48).hex()}\n")
    out = os.path.join(work, "big.json")
    rc, kb, err = peak_run([amtdiag, "-r", cap, "--keylog", path, "--format", "json"], out)
    print(f"300,000 key log lines: exit {rc}, peak RSS {kb} KiB")
    if rc not in (0, 1):
        errs.append(f"key log: exit {rc} ({err})")
    else:
        with open(out, encoding="utf-8") as f:
            doc = json.load(f)
        status = [c["tls"]["key_status"] for c in doc["connections"] if c.get("tls")]
        if not status or any(s != "decrypted" for s in status):
            errs.append(f"key log: sessions not decrypted: {status}")
    if kb > KEYLOG_LIMIT_KB:
        errs.append(f"key log: peak RSS {kb} KiB over {KEYLOG_LIMIT_KB}")
    for p in (path, out):
        os.unlink(p)
    return errs


def main():
    amtdiag, gen, work = sys.argv[1:4]
    sample = sys.argv[4] if len(sys.argv) > 4 else None
    os.makedirs(work, exist_ok=True)
    errs = []
    peaks = {}
    for n in (20_000, 100_000):
        cap = os.path.join(work, f"conns-{n}.pcap")
        subprocess.run([sys.executable, gen, cap, str(n), "1000"], check=True)
        out = os.path.join(work, f"conns-{n}.ndjson")
        rc, kb, err = peak_run([amtdiag, "-r", cap, "--format", "ndjson"], out)
        print(f"{n} connections, ndjson: exit {rc}, peak RSS {kb} KiB")
        if rc != 1:
            errs.append(f"{n} connections: exit {rc} ({err})")
            continue
        peaks[n] = kb
        s = summary(out)
        os.unlink(out)
        if n == 100_000:
            errs += other_formats(amtdiag, cap_for(gen, work, n), work, n, s["causes"])
        want = {"connections": n, "not_ok": 1000, "rejected": 1000}
        got = {k: s[k] for k in want}
        if got != want or s["outcomes"]["challenge"] != n - 1000:
            errs.append(f"{n} connections: summary {got}, outcomes {s['outcomes']}")
        if kb > LIMIT_KB:
            errs.append(f"{n} connections: peak RSS {kb} KiB over {LIMIT_KB}")
    if len(peaks) == 2 and peaks[100_000] > peaks[20_000] + GROWTH_KB:
        errs.append(f"memory grows with the file: {peaks[20_000]} KiB at 20,000 connections, "
                    f"{peaks[100_000]} KiB at 100,000")
    if sample:
        errs += big_keylog(amtdiag, work, sample)
    cap = os.path.join(work, "garbage.pcap")
    garbage_pcap(cap, 60_000)
    out = os.path.join(work, "garbage.ndjson")
    rc, kb, err = peak_run([amtdiag, "-r", cap, "--format", "ndjson"], out)
    print(f"60,000 undecodable frames: exit {rc}, peak RSS {kb} KiB, "
          f"{err.count(chr(10)) + 1} lines on stderr")
    if rc not in (0, 1):
        errs.append(f"garbage: exit {rc}")
    else:
        s = summary(out)
        if s["warnings_total"] != 60_000 or len(s["warnings"]) != 1000:
            errs.append(f"garbage: {s['warnings_total']} warnings, {len(s['warnings'])} kept")
        if err.count("frame") > 1001:
            errs.append(f"garbage: {err.count('frame')} warnings on the terminal")
        if kb > LIMIT_KB:
            errs.append(f"garbage: peak RSS {kb} KiB over {LIMIT_KB}")
    for p in (cap, out):
        if os.path.exists(p):
            os.unlink(p)
    for e in errs:
        print("FAIL " + e)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
