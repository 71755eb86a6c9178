#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""amtdiag on hostile and odd inputs (issue 14): each case runs amtdiag
under /usr/bin/time and checks its exit status, its message, what it wrote,
and that it stayed within a time and a memory bound (generous: these catch
hangs, quadratic work and unbounded memory, they do not measure speed —
bench/ does). The small inputs are in inputs/ (make_inputs.py), the big
ones are made here, in a temporary directory.

usage: run_hostile.py AMTDIAG SAMPLES_DIR [CASE...]"""
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser

import hostile_pcap as h

HERE = os.path.dirname(os.path.abspath(__file__))
INPUTS = os.path.join(HERE, "inputs")


class Run:
    def __init__(self, status, out, err, seconds, rss_mb):
        self.status, self.out, self.err = status, out, err
        self.seconds, self.rss_mb = seconds, rss_mb

    @property
    def text(self):
        return self.out + self.err


class Env:
    """What the cases share: the binary, the samples, a temporary
    directory, and the bounds (wider for a sanitizer build)."""

    def __init__(self, amtdiag, samples, tmp):
        self.amtdiag, self.samples, self.tmp = amtdiag, samples, tmp
        with open(amtdiag, "rb") as f:
            self.sanitized = b"__asan_init" in f.read()
        # ASan's shadow memory and checks: more time, more memory
        self.time_factor = 5 if self.sanitized else 1
        self.mem_extra = 600 if self.sanitized else 0

    def path(self, name):
        return os.path.join(self.tmp, name)

    def run(self, args, stdin=None, shell=False, max_s=20, max_mb=200):
        """Runs amtdiag ARGS (or a shell command with $AMTDIAG) under
        /usr/bin/time; checks the bounds, returns the Run."""
        tf = self.path("time.txt")
        env = dict(os.environ, AMTDIAG=self.amtdiag,
                   ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":exitcode=86",
                   UBSAN_OPTIONS=os.environ.get("UBSAN_OPTIONS", "") + ":exitcode=86")
        if shell:
            cmd = ["/usr/bin/time", "-o", tf, "-f", "%e %M", "bash", "-c", args]
        else:
            cmd = ["/usr/bin/time", "-o", tf, "-f", "%e %M", self.amtdiag] + args
        limit = max_s * self.time_factor
        # a process group of its own, so that a run past the bound is
        # stopped whole (the shell, amtdiag, what feeds it)
        p = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=env, start_new_session=True)
        try:
            out, err = p.communicate(timeout=limit + 60)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
            raise Failure("still running after %d s (bound %d s)" % (limit + 60, limit))
        with open(tf) as f:
            last = f.read().strip().splitlines()[-1].split()
        seconds, rss_mb = float(last[0]), int(last[1]) / 1024
        r = Run(p.returncode, out, err, seconds, rss_mb)
        problems = []
        if seconds > limit:
            problems.append("took %.1f s, bound %d s" % (seconds, limit))
        if rss_mb > max_mb + self.mem_extra:
            problems.append("used %.0f MB, bound %d MB" % (rss_mb, max_mb + self.mem_extra))
        if b"runtime error" in err or b"Sanitizer" in err or p.returncode == 86:
            problems.append("sanitizer report: " + err.decode(errors="replace")[-2000:])
        if problems:
            raise Failure("; ".join(problems))
        return r


class Failure(Exception):
    pass


def expect(r, status, pattern=None):
    if r.status != status:
        raise Failure("exit %d, wanted %d; output: %s" % (
            r.status, status, r.text.decode(errors="replace")[-1500:]))
    if pattern and not re.search(pattern.encode(), r.text):
        raise Failure("no %r in: %s" % (pattern, r.text.decode(errors="replace")[-1500:]))


def report_json(r):
    try:
        return json.loads(r.out.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise Failure("the JSON report does not parse as UTF-8 JSON: %s" % e)


# ---- 1: a pipe is read once ---------------------------------------------------


def case_pipes(env):
    """-r /dev/stdin, -r <(cat …), a named FIFO and -r -: every frame is
    read and the secrets embedded in the pcapng decrypt the sessions."""
    cap = os.path.join(env.samples, "secrets-in-pcapng", "capture.pcapng")
    whole = report_json(env.run(["--format", "json", "-r", cap]))
    want = whole["summary"]["frames"]
    fifo = env.path("fifo")
    os.mkfifo(fifo)
    ways = {
        "/dev/stdin": '"$AMTDIAG" --format json -r /dev/stdin < "%s"' % cap,
        "process substitution": '"$AMTDIAG" --format json -r <(cat "%s")' % cap,
        "named FIFO": '(cat "%s" > "%s" &) ; "$AMTDIAG" --format json -r "%s"' % (cap, fifo, fifo),
        "-r -": 'cat "%s" | "$AMTDIAG" --format json -r -' % cap,
    }
    for how, cmd in ways.items():
        r = env.run(cmd, shell=True, max_s=20)
        expect(r, 0)
        got = report_json(r)
        if got["summary"]["frames"] != want:
            raise Failure("%s: %d frames, the file has %d" % (how, got["summary"]["frames"], want))
        keys = [c["tls"]["key_status"] for c in got["connections"] if c.get("tls")]
        if not keys or set(keys) != {"decrypted"}:
            raise Failure("%s: embedded secrets not used: %s" % (how, keys))


def case_pipe_many_connections(env):
    """20 001 connections through a pipe, diagnosed as each ends: each
    verdict is worked out for its connection alone (over all of them at
    every end it took minutes)."""
    path = env.path("many.pcap")
    subprocess.run([sys.executable, os.path.join(HERE, "..", "analyzer", "make_http_pcap.py"), path,
                    "many"], check=True)
    r = env.run('cat "%s" | "$AMTDIAG" -r -' % path, shell=True, max_s=20, max_mb=300)
    expect(r, 1, "ended: #20000 ")
    if r.out.count(b"\nended: #") + r.out.startswith(b"ended: #") != 20001:
        raise Failure("not every connection was diagnosed as it ended")


def case_compressed(env):
    """Captures compressed with gzip, zstd and lz4 (the tools themselves),
    as files, through a pipe, and as concatenated members: read as the
    capture, secrets and all; corrupt compressed data is named."""
    cap = os.path.join(env.samples, "secrets-in-pcapng", "capture.pcapng")
    want = report_json(env.run(["--format", "json", "-r", cap]))["summary"]["frames"]
    for tool in ("gzip", "zstd -q", "lz4 -q"):
        z = env.path("capture.z")
        subprocess.run("%s -c < '%s' > '%s'" % (tool, cap, z), shell=True, check=True)
        for how, cmd in (("file", '"$AMTDIAG" --format json -r "%s"' % z),
                         ("pipe", 'cat "%s" | "$AMTDIAG" --format json -r -' % z),
                         ("two members", '"$AMTDIAG" --format json -r <(cat "%s" "%s")' % (z, z))):
            r = env.run(cmd, shell=True)
            expect(r, 0)
            got = report_json(r)
            n = want * (2 if how == "two members" else 1)
            if got["summary"]["frames"] != n:
                raise Failure("%s, %s: %d frames, want %d" % (tool, how, got["summary"]["frames"], n))
            keys = {c["tls"]["key_status"] for c in got["connections"] if c.get("tls")}
            if keys != {"decrypted"}:
                raise Failure("%s, %s: secrets not used: %s" % (tool, how, keys))
    # corrupt data after the first frames: a warning (the garbage it inflates
    # to, or gzip's check), what came before is used
    subprocess.run("gzip -c < '%s' > '%s'" % (cap, env.path("c.gz")), shell=True, check=True)
    with open(env.path("c.gz"), "rb") as f:
        data = bytearray(f.read())
    for i in range(len(data) // 2, len(data) // 2 + 64):
        data[i] ^= 0x5A
    with open(env.path("bad.gz"), "wb") as f:
        f.write(data)
    r = env.run(["-r", env.path("bad.gz")])
    if r.status not in (0, 1):
        raise Failure("corrupt gzip: exit %d" % r.status)
    expect(r, r.status, "bad.gz: corrupt (gzip data|block).*the frames before it are used")
    # corrupt from the start: nothing readable
    with open(env.path("bad2.gz"), "wb") as f:
        f.write(b"\x1f\x8b" + b"\xff" * 100)
    expect(env.run(["-r", env.path("bad2.gz")]), 2, "bad2.gz")


# ---- 2, 3: control characters, UTF-8 --------------------------------------------

CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")


def case_control_characters(env):
    """Control characters in the Digest user name and uri, a SOAP fault and
    a DNS name reach no output raw: every format shows them as \\xNN."""
    cap = os.path.join(INPUTS, "control-characters.pcap")
    for fmt in ("text", "markdown", "html", "json"):
        r = env.run(["-V", "--format", fmt, "--color", "never", "-r", cap, "--password",
                     "adm:x"])
        expect(r, 1)
        bad = CONTROL.search(r.out)
        if bad:
            raise Failure("%s: raw control byte %r in the report" % (fmt, bad.group()))
        if b"\\x1b" not in r.out or b"x1b]0;pwned" not in r.out:
            raise Failure("%s: the control characters are not shown as \\xNN" % fmt)
        if CONTROL.search(r.err):
            raise Failure("%s: raw control byte in a message" % fmt)


def case_json_utf8(env):
    """A Latin-1 byte in an HTTP header: the JSON report stays valid UTF-8
    and shows the byte as \\xe9."""
    r = env.run(["-V", "--format", "json", "-r", os.path.join(INPUTS, "latin1-header.pcap")])
    expect(r, 0)
    doc = report_json(r)
    headers = [x for c in doc["connections"] for e in c["http"] for x in
               e["response"]["headers"]]
    if "Server: Caf\\xe9 AMT \\xff\\xfe" not in headers:
        raise Failure("the header is not shown as Caf\\xe9: %s" % headers)


# ---- 4: redaction ----------------------------------------------------------------


def escaped_forms(value):
    """value as the formats could write it, raw or escaped."""
    text = value.decode("utf-8", errors="surrogateescape")
    forms = {value}
    html = (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))
    forms.add(html.encode("utf-8", errors="surrogateescape"))
    for ascii_only in (True, False):
        j = json.dumps(text, ensure_ascii=ascii_only)[1:-1]
        forms.add(j.encode("utf-8", errors="surrogateescape"))
    md = re.sub(r"([|\\<`])", r"\\\1", text)
    forms.add(md.encode("utf-8", errors="surrogateescape"))
    forms.add(h.quoted(value))
    forms.add(h.xml(value))
    forms.add(value.replace(b"\\", b"\\5C"))  # a certificate name's escape
    # a value cut short (a parser keeps its first 255 bytes): its start
    return {f[:32] for f in forms if len(f) >= 4}


def case_redaction(env):
    """A capture full of identifying values (quotes, ampersands,
    backslashes, non-ASCII, over 255 bytes, a second WWW-Authenticate, SOAP
    names, TrustedCN), with --trusted-fqdn, --hosts and --trusted-root in a
    directory that names the site: none of them, raw or escaped in any way,
    survives --redact in any format, -V included."""
    site = env.path(h.SITE_DIR)
    os.makedirs(site, exist_ok=True)
    hosts = os.path.join(site, "hosts")
    with open(hosts, "wb") as f:
        f.write(b"192.0.2.10 " + h.HOSTS_NAME + b"\n")
    root = os.path.join(site, "root.pem")
    shutil.copy(os.path.join(env.samples, "mtls-ok", "root-ca.pem"), root)
    cap = os.path.join(INPUTS, "identifying.pcap")
    args = ["-V", "-r", cap, "--redact", "--trusted-fqdn", h.FQDN.decode(), "--hosts", hosts,
            "--trusted-root", root, "--password", h.USER.decode() + ":pw", "--color", "never"]
    values = h.identifying_values()
    for fmt in ("text", "markdown", "html", "json"):
        r = env.run(args + ["--format", fmt])
        expect(r, 0)
        if fmt == "json":
            report_json(r)
        for v in values:
            for form in escaped_forms(v):
                if form in r.out:
                    i = r.out.index(form)
                    raise Failure("%s: %r left in: …%s…" % (fmt, form, r.out[max(0, i - 60):i + 80]
                                                           .decode(errors="replace")))
        if b"ip-1" not in r.out or b"user-1" not in r.out:
            raise Failure("%s: no placeholders" % fmt)


# ---- 5: write errors ----------------------------------------------------------


def case_write_errors(env):
    """A full disk (/dev/full) or a closed standard output: exit 2 and a
    message, in every format."""
    cap = os.path.join(env.samples, "digest-wrong-password", "capture.pcapng")
    for fmt in ("text", "markdown", "json", "html"):
        for how, redir in (("full", '> /dev/full'), ("closed", ">&-")):
            r = env.run('"$AMTDIAG" --format %s -r "%s" %s' % (fmt, cap, redir), shell=True)
            try:
                expect(r, 2, "standard output: writing")
            except Failure as e:
                raise Failure("%s, %s stdout: %s" % (fmt, how, e))


# ---- 6: embedded secrets past 64 MiB, a corrupt block after them ------------


def case_secrets_limit(env):
    """The key log embedded first is used when the blocks after it pass
    64 MiB (the rest is ignored with a warning), and when a corrupt block
    ends the file; memory stays bounded."""
    with open(os.path.join(env.samples, "secrets-in-pcapng", "capture.pcapng"), "rb") as f:
        cap = f.read()
    for name, junk, corrupt, warning in (
            ("over-64mib.pcapng", 2, False, "more than 64 MiB of TLS secrets"),
            ("corrupt-after-secrets.pcapng", 0, True, "corrupt block")):
        path = env.path(name)
        with open(path, "wb") as f:
            f.write(h.secrets_then(cap, junk, 33 << 20, corrupt))
        r = env.run(["--format", "json", "-r", path], max_s=30, max_mb=400)
        expect(r, 0, warning)
        keys = [c["tls"]["key_status"] for c in report_json(r)["connections"] if c.get("tls")]
        if set(keys) != {"decrypted"}:
            raise Failure("%s: the embedded key log was dropped: %s" % (name, keys))
        os.unlink(path)


# ---- 7: output files -------------------------------------------------------------


def case_output_files(env):
    """Secret files are 0600 even over a 0644 file; a symbolic link is not
    written through; a failing export leaves the target as it was; a
    device node is written in place and never removed."""
    s = os.path.join(env.samples, "ok-tls12-ecdhe-gcm")
    cap, keylog = os.path.join(s, "capture.pcapng"), os.path.join(s, "keylog.txt")
    for opt in ("--export-keylog", "--inject-secrets", "--export-decrypted"):
        out = env.path("out" + opt)
        with open(out, "w") as f:
            f.write("precious")
        os.chmod(out, 0o644)
        expect(env.run(["-r", cap, "--keylog", keylog, opt, out]), 0)
        mode = stat.S_IMODE(os.stat(out).st_mode)
        if mode != 0o600:
            raise Failure("%s over a 0644 file: mode %o" % (opt, mode))
        # through a symbolic link: refused, the link and its target as they were
        target, link = env.path("target" + opt), env.path("link" + opt)
        with open(target, "w") as f:
            f.write("precious")
        os.symlink(target, link)
        expect(env.run(["-r", cap, "--keylog", keylog, opt, link]), 2, "symbolic link")
        if not os.path.islink(link) or open(target).read() != "precious":
            raise Failure("%s: the link or its target was changed" % opt)
    # a copy that fails half way: the existing file stays
    with open(cap, "rb") as f:
        data = f.read()
    bad = env.path("bad-tail.pcapng")
    with open(bad, "wb") as f:
        f.write(data + b"\x06\0\0\0\x0d\0\0\0" + b"\0" * 8)
    out = env.path("kept.pcapng")
    with open(out, "w") as f:
        f.write("precious")
    expect(env.run(["-r", bad, "--keylog", keylog, "--inject-secrets", out]), 2, "corrupt block")
    if open(out).read() != "precious":
        raise Failure("--inject-secrets: a failed copy changed the existing file")
    leftovers = [n for n in os.listdir(env.tmp) if n.endswith(".tmp")]
    if leftovers:
        raise Failure("temporary files left: %s" % leftovers)
    # a device that fails every write (as /dev/full): written in place, never removed
    if os.geteuid() == 0:
        full = env.path("full")
        os.mknod(full, 0o600 | stat.S_IFCHR, os.makedev(1, 7))
        expect(env.run(["-r", cap, "--keylog", keylog, "--inject-secrets", full]), 2)
        if not stat.S_ISCHR(os.stat(full).st_mode):
            raise Failure("the device node the export failed on was removed")
        expect(env.run(["-r", cap, "-o", full]), 2, "writing failed")
        if not stat.S_ISCHR(os.stat(full).st_mode):
            raise Failure("the device node the report failed on was removed")


# ---- 8: --export-decrypted under UBSan --------------------------------------------


def case_export_decrypted(env):
    """--export-decrypted writes the synthetic handshake (no data, no NULL
    to memcpy: the sanitizer build would abort) and a trace tshark reads."""
    s = os.path.join(env.samples, "ok-tls12-ecdhe-gcm")
    out = env.path("decrypted.pcapng")
    r = env.run(["-r", os.path.join(s, "capture.pcapng"), "--keylog",
                 os.path.join(s, "keylog.txt"), "--export-decrypted", out])
    expect(r, 0, "frames of decrypted AMT traffic")
    r = env.run(["-V", "-r", out])
    expect(r, 0, "POST /wsman")


# ---- 9: Basic credentials -------------------------------------------------------


def case_basic_credentials(env):
    """Basic after a TAB, in lower case and in Proxy-Authorization: the
    password shows in no format, -V and --redact or not."""
    import base64
    cap = os.path.join(INPUTS, "basic-credentials.pcap")
    secret = [h.BASIC_PASSWORD, base64.b64encode(b"admin:" + h.BASIC_PASSWORD)]
    for fmt in ("text", "json", "markdown", "html"):
        for extra in ([], ["--redact"]):
            r = env.run(["-V", "--format", fmt, "-r", cap] + extra)
            for s in secret:
                if s in r.out:
                    raise Failure("%s %s: the Basic password is in the report" % (fmt, extra))
            expect(r, 1)  # three logins refused: a rejection
            if fmt == "text" and r.out.count(b"[credentials hidden]") < 2:
                raise Failure("the hidden credentials are not named")


# ---- 10: nothing readable -------------------------------------------------------


def case_corrupt_first_block(env):
    """A pcapng whose first block is corrupt: 0 frames, exit 2 as --help
    says, the message naming the file and the offset."""
    r = env.run(["-r", os.path.join(INPUTS, "corrupt-first-block.pcapng")])
    expect(r, 2, "corrupt-first-block.pcapng: corrupt block at byte offset 28")


# ---- 11: resynchronising on bad status lines -----------------------------------


def case_bad_status_lines(env):
    """13 MB of 60 KB response lines full of "HTTP/1.1 200 " that never
    make a status line: finding the next one stays linear (quadratic took
    18 s)."""
    path = env.path("bad-status-lines.pcap")
    with open(path, "wb") as f:
        f.write(h.bad_status_lines(13 << 20))
    r = env.run(["-V", "-r", path], max_s=5, max_mb=200)
    expect(r, 0, "malformed status line")
    os.unlink(path)


# ---- 12: Kerberos on port 88 ------------------------------------------------------


def case_kerberos(env):
    """Garbage and a cut message on UDP 88, a 2 GiB TCP record mark,
    50 000 small records delivered as one buffer (cut in linear time: one
    removal per buffer, not per record), and 70 000 datagrams past the
    65 536 messages kept: warnings naming file and frame, bounded."""
    path = env.path("kerberos.pcap")
    with open(path, "wb") as f:
        f.write(h.kerberos(50000, 70000))
    r = env.run(["-r", path, "--format", "json"], max_s=20, max_mb=100)
    expect(r, 0)
    warnings = "\n".join(report_json(r)["warnings"])
    for want in ("frame 1: 40 bytes on port 88 are not a Kerberos message",
                 "frame 2: 10 bytes on port 88 are not a Kerberos message",
                 "frame 5: a Kerberos record of 2147483647 bytes over TCP",
                 "more than 65536 Kerberos messages: the rest are not kept",
                 "more problems on port 88 from here on, not each told (after 100)"):
        if want not in warnings:
            raise Failure("no warning %r in: %s" % (want, warnings[:1500]))
    if len(report_json(r)["warnings"]) > 110:
        raise Failure("%d warnings: problems on port 88 are not bounded"
                      % len(report_json(r)["warnings"]))
    os.unlink(path)


CASES = [case_pipes, case_pipe_many_connections, case_compressed, case_control_characters, case_json_utf8, case_redaction, case_write_errors,
         case_secrets_limit, case_output_files, case_export_decrypted, case_basic_credentials,
         case_corrupt_first_block, case_bad_status_lines, case_kerberos]


def main():
    amtdiag, samples = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    only = set(sys.argv[3:])
    failed = 0
    for case in CASES:
        name = case.__name__[5:]
        if only and name not in only:
            continue
        tmp = tempfile.mkdtemp(prefix="amtdiag-hostile-")
        start = time.monotonic()
        try:
            case(Env(amtdiag, samples, tmp))
            print("ok   %-20s %5.1f s" % (name, time.monotonic() - start))
        except (Failure, subprocess.TimeoutExpired) as e:
            failed += 1
            print("FAIL %-20s %s" % (name, e))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print("%d failed" % failed)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
