#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Both tools against the third-party corpus (tests/corpus/third-party).

usage: check_corpus.py AMTDIAG CORPUS_DIR [--plugin PLUGIN_SO WS_MAJOR_MINOR]

For every case, amtdiag runs with the case's key log and the options of
CORPUS_DIR/inputs.txt (what a support engineer would know). Per connection,
matched by its endpoints, it must report what expected.json says:

  causes     every expected token (of any severity: capture-gap is
             information), and no error or warning token beyond them;
  stage, outcome;
  ended      {"by", "after"} when amtdiag reports it (ended_after null in
             expected.json: the capture hides it, only "by" is compared);
  checks     AMT's checklist statuses the case names;
  confidence of a cause, where expected.json and amtdiag both give one;

and the exit status follows from them: 0 only when every connection
worked (outcome ok or challenge, no cause), else 1. Findings about no
single connection (DNS) must be the expected DNS causes.

With --plugin, tshark -q -z iamt,diag runs too, with the plugin loaded as
tests/plugin/test_plugin_stat.sh loads it and amtdiag's options given as
the plugin's preferences; its stage, outcome and causes per connection
must equal expected.json's, and equal amtdiag's; and with tshark -2 each
expected Kerberos cause is an expert item on AMT's refusing response and
on the KDC's KRB-ERRORs (check_krb_frames), and plain-http-refused-tls-only
on the request AMT left unanswered and on AMT's close (check_refused_frames).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

# amtdiag option -> the plugin preference that means the same.
PREFS = {"--trusted-fqdn": "iamt.trusted_fqdn", "--amt-clock-offset": "iamt.amt_clock_offset",
         "--trusted-root": "iamt.trusted_root", "--ca": "iamt.console_ca",
         "--hosts": "iamt.hosts_file",
         "--keytab": "iamt.keytab"}
PATH_OPTIONS = ("--trusted-root", "--ca", "--hosts", "--keytab")


def load_inputs(path):
    table = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                name, _, args = line.partition(":")
                table[name.strip()] = args.split()
    return table


def option_pairs(args):
    return [(args[i], args[i + 1]) for i in range(0, len(args) - 1, 2)]


def expected_exit(exp):
    worked = all(c["outcome"] in ("ok", "challenge") and not c["causes"]
                 for c in exp["connections"])
    return 0 if worked and not any(d["causes"] for d in exp["dns"]) else 1


def run_amtdiag(amtdiag, d, exp, args):
    cmd = [amtdiag, "-r", exp["capture"], "--format", "json"] + args
    if exp["keys"].get("keylog"):
        cmd += ["--keylog", exp["keys"]["keylog"]]
    env = dict(os.environ, ASAN_OPTIONS="exitcode=86", UBSAN_OPTIONS="exitcode=86")
    p = subprocess.run(cmd, cwd=d, capture_output=True, text=True, timeout=120, env=env)
    try:
        out = json.loads(p.stdout)
    except ValueError:
        out = None
    return p.returncode, out, p.stderr.strip()


def have_causes(findings, want):
    """Error and warning tokens, and the expected ones of any severity."""
    return sorted({f["cause"] for f in findings
                   if f["severity"] != "info" or f["cause"] in want})


def check_amtdiag(exp, rc, out, err):
    problems = []
    if out is None:
        return ["no JSON report (exit %d): %s" % (rc, err[:300])]
    if rc != expected_exit(exp):
        problems.append("exit status %d, expected %d" % (rc, expected_exit(exp)))
    got = {(c["client"], c["server"]): c for c in out["connections"]}
    for ec in exp["connections"]:
        c = got.get((ec["client"], ec["server"]))
        tag = "#%d %s" % (ec["id"], ec["server"].rsplit(":", 1)[1])
        if c is None:
            problems.append("%s: connection not found" % tag)
            continue
        want = sorted(set(ec["causes"]))
        have = have_causes(c["findings"], want)
        if have != want:
            problems.append("%s: causes %s, expected %s" % (tag, have, want))
        for field in ("stage", "outcome"):
            if c[field] != ec[field]:
                problems.append("%s: %s %s, expected %s" % (tag, field, c[field], ec[field]))
        ended = c.get("ended")
        if ended is not None:
            if ended.get("by") != ec["ended_by"]:
                problems.append("%s: ended by %s, expected %s"
                                % (tag, ended.get("by"), ec["ended_by"]))
            if ec["ended_after"] is not None and ended.get("after") != ec["ended_after"]:
                problems.append("%s: ended after %s, expected %s"
                                % (tag, ended.get("after"), ec["ended_after"]))
        checklist = {k["rule"]: k["status"] for k in (c.get("checklist") or [])}
        for rule, status in (ec.get("checks") or {}).items():
            if checklist.get(rule) != status:
                problems.append("%s: check %s is %s, expected %s"
                                % (tag, rule, checklist.get(rule, "absent"), status))
        for cause, conf in (ec.get("cause_confidence") or {}).items():
            f = next((f for f in c["findings"] if f["cause"] == cause), None)
            if f is not None and "confidence" in f and f["confidence"] != conf:
                problems.append("%s: %s with confidence %s, expected %s"
                                % (tag, cause, f["confidence"], conf))
    extra = sorted({(c["client"], c["server"]) for c in out["connections"]} -
                   {(c["client"], c["server"]) for c in exp["connections"]})
    if extra:
        problems.append("connections not in the case: %s" % extra)
    want_dns = sorted(t for d in exp["dns"] for t in d["causes"])
    have_dns = sorted(f["cause"] for f in out["findings"] if f["severity"] != "info")
    if have_dns != want_dns:
        problems.append("findings about no single connection %s, expected %s"
                        % (have_dns, want_dns))
    return problems


# ---- the plugin ---------------------------------------------------------------------------------

class Plugin:
    """tshark with the plugin in a private home, run as nobody when root:
    Wireshark loads no personal plugins with privileges. AMT's accounts go
    into the home's iamt_passwords table, as a user fills it in Edit ›
    Preferences; one home per set of accounts."""

    def __init__(self, so, ver):
        self.tmp = tempfile.mkdtemp(prefix="amtcorpus-tshark-")
        self.so, self.ver = so, ver
        self.homes = {}
        self.as_user = []
        if os.geteuid() == 0:
            self.as_user = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        prefs = self.tshark(["-G", "defaultprefs"]).stdout
        self.prefs = {line[1:].split(":", 1)[0] for line in prefs.splitlines()
                      if line.startswith("#iamt.")}

    def home(self, accounts=()):
        if accounts not in self.homes:
            h = os.path.join(self.tmp, "home%d" % len(self.homes))
            plugdir = os.path.join(h, ".local/lib/wireshark/plugins", self.ver, "epan")
            os.makedirs(plugdir)
            shutil.copy(self.so, plugdir)
            os.makedirs(os.path.join(h, ".config/wireshark"))
            with open(os.path.join(h, ".config/wireshark/iamt_passwords"), "w") as f:
                for user, pw in accounts:
                    f.write('"%s","%s"\n' % (user, pw))
            subprocess.run(["chmod", "-R", "a+rX", self.tmp], check=True)
            self.homes[accounts] = h
        return self.homes[accounts]

    def tshark(self, args, cwd=None, accounts=()):
        env = dict(os.environ, HOME=self.home(accounts))
        env.pop("XDG_CONFIG_HOME", None)
        return subprocess.run(self.as_user + ["tshark"] + args, cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=300)

    def copy(self, d):
        """A copy of the case folder nobody can read."""
        dst = os.path.join(self.tmp, os.path.basename(d))
        shutil.copytree(d, dst)
        subprocess.run(["chmod", "-R", "a+rX", self.tmp], check=True)
        return dst

    def options(self, d, exp, args):
        """tshark's options for the case (keys, amtdiag's options as the plugin's
        preferences), the accounts, and problems with the options."""
        problems = []
        opts = ["-n", "-r", exp["capture"]]
        if exp["keys"].get("keylog"):
            opts += ["-o", "tls.keylog_file:" + exp["keys"]["keylog"]]
        accounts = []
        for opt, val in option_pairs(args):
            if opt == "--password":
                accounts.append(tuple(val.split(":", 1)))
            elif opt in PREFS and PREFS[opt] in self.prefs:
                if opt in PATH_OPTIONS:
                    val = os.path.join(d, val)
                opts += ["-o", "%s:%s" % (PREFS[opt], val)]
            else:
                problems.append("the plugin has no preference for %s (looked for %s)"
                                % (opt, PREFS.get(opt, "none")))
        return opts, tuple(accounts), problems

    def diag(self, d, exp, args):
        """Rows of -z iamt,diag: {(client, server): (stage, outcome, causes)}, the
        tokens of no single connection, and problems with the options."""
        opts, accounts, problems = self.options(d, exp, args)
        p = self.tshark(opts + ["-q", "-z", "iamt,diag"], cwd=d, accounts=accounts)
        self.last_output = p.stdout
        if p.returncode != 0 or p.stderr.strip():
            problems.append("tshark: exit %d: %s" % (p.returncode, p.stderr.strip()[:300]))
        rows, glob, in_table = {}, [], False
        for line in p.stdout.splitlines():
            if line.startswith("#    client"):
                in_table = True
                continue
            cells = line.split("(notes:")[0].split()
            if not in_table or len(cells) < 6:
                continue
            if cells[0] == "-":
                glob = sorted(t for t in cells[6:] if t != "-")
            elif cells[0].isdigit() and cells[2] == "->":
                rows[(cells[1], cells[3])] = (cells[4], cells[5],
                                              sorted(t for t in cells[6:] if t != "-"))
        if not in_table:
            problems.append("no -z iamt,diag table in tshark's output")
        return rows, glob, problems

    def frames(self, d, exp, args, flt):
        """The frames tshark -2 shows with the display filter flt: per frame a
        dict of FRAME_FIELDS (first occurrence)."""
        opts, accounts, _ = self.options(d, exp, args)
        cmd = opts + ["-2", "-Y", flt, "-T", "fields", "-E", "separator=|", "-E", "occurrence=f"]
        for f in FRAME_FIELDS:
            cmd += ["-e", f]
        p = self.tshark(cmd, cwd=d, accounts=accounts)
        rows = []
        for line in p.stdout.splitlines():
            cells = line.split("|")
            if len(cells) == len(FRAME_FIELDS):
                r = dict(zip(FRAME_FIELDS, cells))
                r["src"] = (r["ip.src"] or r["ipv6.src"], r["tcp.srcport"] or r["udp.srcport"])
                r["dst"] = (r["ip.dst"] or r["ipv6.dst"], r["tcp.dstport"] or r["udp.dstport"])
                rows.append(r)
        return rows

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


FRAME_FIELDS = ["frame.number", "ip.src", "ipv6.src", "tcp.srcport", "udp.srcport", "ip.dst",
                "ipv6.dst", "tcp.dstport", "udp.dstport", "http.response.code",
                "kerberos.msg_type", "kerberos.error_code"]
KRB_ERROR, KDC_ERR_PREAUTH_REQUIRED = "30", "25"


def endpoint(text):
    host, port = text.rsplit(":", 1)
    return (host.strip("[]"), port)


def check_krb_frames(plugin, d, exp, args):
    """The Kerberos verdicts on the frames (tshark -2, as the GUI shows them
    once the file is read): every expected Kerberos cause of a connection is
    an expert item (iamt.cause.<token>) on AMT's last refusing response in
    it (status 400 or more), and on every KRB-ERROR the KDC sent the
    console but KDC_ERR_PREAUTH_REQUIRED (a normal step of a logon)."""
    krb = sorted({c for ec in exp["connections"] for c in ec["causes"]
                  if c.startswith("kerberos-") or c == "negotiate-not-offered"})
    if not krb:
        return []
    problems = []
    cand = plugin.frames(d, exp, args, "http.response.code >= 400 || kerberos.msg_type == 30")
    for cause in krb:
        have = {r["frame.number"] for r in
                plugin.frames(d, exp, args, "iamt.cause." + cause.replace("-", "_"))}
        for ec in exp["connections"]:
            if cause not in ec["causes"]:
                continue
            tag = "#%d %s" % (ec["id"], ec["server"].rsplit(":", 1)[1])
            server, client = endpoint(ec["server"]), endpoint(ec["client"])
            resp = [r["frame.number"] for r in cand
                    if r["http.response.code"] and r["src"] == server and r["dst"] == client]
            if not resp:
                problems.append("%s: no refusing HTTP response found" % tag)
            elif resp[-1] not in have:
                problems.append("%s: %s is no expert item on AMT's response (frame %s); "
                                "it is on frames %s" % (tag, cause, resp[-1], sorted(have, key=int)))
            for r in cand:
                if (r["kerberos.msg_type"] == KRB_ERROR and r["src"][1] == "88" and
                        r["dst"][0] == client[0] and
                        r["kerberos.error_code"] != KDC_ERR_PREAUTH_REQUIRED and
                        r["frame.number"] not in have):
                    problems.append("%s: %s is no expert item on the KDC's KRB-ERROR (frame %s, "
                                    "error %s)" % (tag, cause, r["frame.number"],
                                                   r["kerberos.error_code"]))
    return problems


TCP_FIELDS = ["frame.number", "tcp.srcport", "tcp.len", "tcp.flags.syn", "tcp.flags.fin",
              "tcp.flags.reset", "http.request.method"]


def check_refused_frames(plugin, d, exp, args):
    """plain-http-refused-tls-only on the frames (tshark -2): an expert item
    (iamt.tcp.cause.plain_http_refused_tls_only) on the console's request
    AMT left unanswered (the frame HTTP read it in; else its first segment
    with data; without one, its SYN) and on AMT's FIN or reset that refused
    it."""
    cause = "plain-http-refused-tls-only"
    problems = []
    for ec in exp["connections"]:
        if cause not in ec["causes"]:
            continue
        tag = "#%d %s" % (ec["id"], ec["server"].rsplit(":", 1)[1])
        cport, sport = ec["client"].rsplit(":", 1)[1], ec["server"].rsplit(":", 1)[1]
        opts, accounts, _ = plugin.options(d, exp, args)
        cmd = opts + ["-2", "-Y", "tcp.port == %s && tcp.port == %s" % (cport, sport),
                      "-T", "fields", "-E", "separator=|", "-E", "occurrence=f"]
        for f in TCP_FIELDS:
            cmd += ["-e", f]
        frames = [dict(zip(TCP_FIELDS, line.split("|")[:len(TCP_FIELDS)]))
                  for line in plugin.tshark(cmd, cwd=d, accounts=accounts).stdout.splitlines()]
        have = {r["frame.number"] for r in
                plugin.frames(d, exp, args, "iamt.tcp.cause.plain_http_refused_tls_only")}
        yes = lambda v: v in ("1", "True")
        console = [r for r in frames if r["tcp.srcport"] == cport]
        data = ([r for r in console if r["http.request.method"]] or
                [r for r in console if r["tcp.len"] not in ("", "0")])
        syn = [r for r in console if yes(r["tcp.flags.syn"])]
        ends = [r for r in frames if r["tcp.srcport"] == sport and
                (yes(r["tcp.flags.fin"]) or yes(r["tcp.flags.reset"]))]
        want = (data or syn)[:1] + ends[:1]
        if len(want) < 2:
            problems.append("%s: no request and refusal found in the connection" % tag)
        for r in want:
            if r["frame.number"] not in have:
                problems.append("%s: %s is no expert item on frame %s (%s); it is on frames %s"
                                % (tag, cause, r["frame.number"],
                                   "AMT's close" if r in ends else
                                   "the console's request" if data else "the console's SYN",
                                   sorted(have, key=int)))
    return problems


def check_plugin(exp, rows, glob, amtdiag_out):
    problems = []
    for ec in exp["connections"]:
        tag = "#%d %s" % (ec["id"], ec["server"].rsplit(":", 1)[1])
        row = rows.get((ec["client"], ec["server"]))
        if row is None:
            problems.append("%s: not in tshark's table" % tag)
            continue
        want = (ec["stage"], ec["outcome"], sorted(set(ec["causes"])))
        # the table lists errors and warnings; an expected information token
        # (capture-gap) is compared only when the row shows it
        got = (row[0], row[1], sorted(set(row[2]) | ({"capture-gap"} & set(want[2]))))
        if got != want:
            problems.append("%s: tshark %s %s %s, expected %s %s %s" % ((tag,) + got[:2] +
                            (got[2],) + want[:2] + (want[2],)))
        a = next((c for c in (amtdiag_out or {}).get("connections", [])
                  if (c["client"], c["server"]) == (ec["client"], ec["server"])), None)
        if a is not None:
            mine = (a["stage"], a["outcome"],
                    sorted({f["cause"] for f in a["findings"]
                            if f["severity"] in ("error", "warning")}))
            if mine != row:
                problems.append("%s: amtdiag says %s %s %s, tshark %s %s %s"
                                % ((tag,) + mine[:2] + (mine[2],) + row[:2] + (row[2],)))
    extra = sorted(set(rows) - {(c["client"], c["server"]) for c in exp["connections"]})
    if extra:
        problems.append("tshark lists connections not in the case: %s" % extra)
    want_dns = sorted(t for d in exp["dns"] for t in d["causes"])
    if glob != want_dns:
        problems.append("tshark: findings about no single connection %s, expected %s"
                        % (glob, want_dns))
    return problems


def main(argv):
    if len(argv) not in (3, 6) or (len(argv) == 6 and argv[3] != "--plugin"):
        print(__doc__, file=sys.stderr)
        return 2
    amtdiag, corpus = os.path.abspath(argv[1]), argv[2]
    table = load_inputs(os.path.join(corpus, "inputs.txt"))
    plugin = Plugin(argv[4], argv[5]) if len(argv) == 6 else None
    names = sorted(n for n in os.listdir(corpus)
                   if os.path.isfile(os.path.join(corpus, n, "expected.json")))
    failed = 0
    try:
        for name in names:
            d = os.path.join(corpus, name)
            with open(os.path.join(d, "expected.json"), encoding="utf-8") as f:
                exp = json.load(f)
            args = table.get(name)
            problems = []
            if args is None:
                problems.append("no line in inputs.txt")
                args = []
            if args != exp.get("amtdiag_options", args):
                problems.append("inputs.txt and expected.json give different options")
            rc, out, err = run_amtdiag(amtdiag, d, exp, args)
            if plugin is None:
                problems += check_amtdiag(exp, rc, out, err)
            else:
                mine = plugin.copy(d)
                rows, glob, p = plugin.diag(mine, exp, args)
                problems += p + check_plugin(exp, rows, glob, out)
                problems += check_krb_frames(plugin, mine, exp, args)
                problems += check_refused_frames(plugin, mine, exp, args)
            print("%s %s" % ("FAIL" if problems else "ok  ", name))
            for p in problems:
                print("     " + p)
            failed += bool(problems)
    finally:
        if plugin:
            plugin.close()
    what = "tshark -z iamt,diag" if plugin else "amtdiag"
    print("%s on the third-party corpus: %d cases, %d passed, %d failed"
          % (what, len(names), len(names) - failed, failed))
    return 1 if failed or not names else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
