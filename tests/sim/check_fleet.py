#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Smoke test of the fleet generator (amtsim --fleet), the benchmarks'
instrument: a small fleet capture must be a valid capture that decrypts, and
amtdiag must name each failure in it with the causes the generator labels
the connection with.

usage: check_fleet.py AMTSIM AMTDIAG
       check_fleet.py AMTSIM --tshark

The fleet is small (2 MiB) with many failing AMTs (70 %), so that every
failure profile of the generator is in it. Per connection, matched by its
endpoints, amtdiag's cause tokens (info-level aside), stage and outcome
must equal labels.tsv, with two allowances that need what no single fleet
run can give:
- possible-lockout (a warning across sessions): allowed on a rejected login
  once the labels show three rejected logins to that AMT within ten minutes,
  and required for every such AMT;
- an AMT whose clock is wrong without a Date header in the capture: the
  verdict may stay client-cert-rejected if the connection names the input
  that settles it (--amt-clock-offset).
A second small fleet with the default mix must have it: among the
connections of its working sessions, each kind (TLS 1.2 ECDHE, TLS 1.3,
static RSA on TLS 1.0/1.2, plain HTTP on 16992) within MIX_SLACK points of
its target share, and ~10 % of its sessions failing. The tool (amtdiag, or
tshark from the handshakes alone) must see each of those connections as
the kind labelled; amtdiag must decrypt each and find the labelled HTTP
statuses. Made with -j 1 and -j 2, that fleet must be the same, byte for
byte.
With --tshark instead of amtdiag, tshark must read the capture without errors and decrypt
every TLS session with the key log and the AMT's RSA key: its HTTP status
codes per connection must equal the labelled ones, and no random, ECDHE
share or encrypted pre-master secret may appear twice in the capture.
"""
import collections
import json
import os
import subprocess
import sys
import tempfile

LOCKOUT_FAILURES = 3
LOCKOUT_WINDOW_S = 600
UNSETTLED_CLOCK = {"client-cert-not-yet-valid-at-amt-clock", "client-cert-expired-at-amt-clock",
                   "amt-clock-wrong"}


# the default mix: per cent of the working sessions' connections by kind
MIX = {"tls1.2-ecdhe": 35, "tls1.3": 30, "rsa": 25, "http": 10}
MIX_SLACK = 5
FAILING_SESSIONS = (5, 15)  # per cent, for the default 10


def generate(amtsim, out):
    subprocess.run([amtsim, "--fleet", out, "--size", "2M", "--amts", "40", "--failures", "70",
                    "--seed", "7", "-j", "2"], check=True, capture_output=True, timeout=120)


def generate_mix(amtsim, out, jobs):
    """The default mix, started in the background: returns the process."""
    return subprocess.Popen([amtsim, "--fleet", out, "--size", "2M", "--seed", "1", "-j",
                             str(jobs)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait(proc):
    _, err = proc.communicate(timeout=120)
    if proc.returncode != 0:
        raise SystemExit(f"FAIL amtsim exit {proc.returncode}: {err.decode()[-2000:]}")


def same_files(d1, d2):
    problems = []
    for name in ("capture.pcapng", "keylog.txt", "labels.tsv", "amt-rsa-key.pem", "root-ca.pem"):
        with open(os.path.join(d1, name), "rb") as a, open(os.path.join(d2, name), "rb") as b:
            if a.read() != b.read():
                problems.append(f"mix: {name} differs between -j 1 and -j 2 with the same seed")
    return problems


def mix_kind(kind):
    return "rsa" if kind.endswith("-rsa") else kind


def check_mix_labels(d, conns):
    """The labelled mix against MIX; returns problems and the working
    connections (profiles ok-*)."""
    problems = []
    working = [c for c in conns if c["profile"].startswith("ok-")]
    got = collections.Counter(mix_kind(c["kind"]) for c in working)
    shares = {k: 100 * got[k] / max(len(working), 1) for k in MIX}
    for k, want in MIX.items():
        if abs(shares[k] - want) > MIX_SLACK:
            problems.append(f"mix: {k} {shares[k]:.1f} % of the working connections, "
                            f"target {want} %")
    extra = set(got) - set(MIX)
    if extra:
        problems.append(f"mix: working connections of kinds {sorted(extra)}")
    with open(os.path.join(d, "fleet.json"), encoding="utf-8") as f:
        summary = json.load(f)
    failing = 100 * summary["failure_sessions"] / summary["sessions"]
    if not FAILING_SESSIONS[0] <= failing <= FAILING_SESSIONS[1]:
        problems.append(f"mix: {failing:.1f} % of the sessions fail")
    text = ", ".join(f"{k} {shares[k]:.0f} %" for k in MIX) + f"; {failing:.0f} % failing"
    return problems, working, text


def amtdiag_kind(c):
    if c.get("protocol") == "http" and c["server"].endswith(":16992"):
        return "http"
    t = c.get("tls") or {}
    v = t.get("version")
    if not t.get("handshake_complete") or not v:
        return "none"
    if v == "TLSv1.3":
        return "tls1.3"
    ver = "tls1.2" if v == "TLSv1.2" else "tls1.0/1.1"
    return f"{ver}-{'ecdhe' if t.get('key_exchange_ephemeral') else 'rsa'}"


def amtdiag_statuses(c):
    return [h["response"]["status"] for h in c.get("http") or [] if h.get("response")]


def check_mix_amtdiag(working, out):
    problems = []
    by_ep = {(c["client"], c["server"]): c for c in out["connections"]}
    for c in working:
        key = (c["client"], c["server"])
        got = by_ep.get(key)
        if got is None:
            problems.append(f"mix {c['profile']} {key}: connection not found")
            continue
        kind = amtdiag_kind(got)
        tls = got.get("tls") or {}
        if kind != c["kind"] or (tls and tls.get("key_status") != "decrypted") or \
                amtdiag_statuses(got) != c["statuses"]:
            problems.append(f"mix {c['profile']} {key}: amtdiag sees {kind}, keys "
                            f"{tls.get('key_status')}, statuses {amtdiag_statuses(got)}; "
                            f"labelled {c['kind']} {c['statuses']}")
    return problems


def check_mix_tshark(d, working):
    """Each working connection's kind from its handshake alone: the
    version the server chose, and whether it sent a ServerKeyExchange."""
    p = subprocess.run(["tshark", "-n", "-r", f"{d}/capture.pcapng", "-d", "tcp.port==16993,tls",
                        "-T", "fields", "-E", "separator=/t", "-e", "ip.src", "-e", "tcp.srcport",
                        "-e", "ip.dst", "-e", "tcp.dstport", "-e", "tls.handshake.type",
                        "-e", "tls.handshake.version",
                        "-e", "tls.handshake.extensions.supported_version",
                        "-Y", "(tcp.srcport == 16993 and (tls.handshake.type == 2 or "
                        "tls.handshake.type == 12)) or (tcp.srcport == 16992 and http.response)"],
                       capture_output=True, text=True, timeout=300)
    problems = [] if p.returncode == 0 else [f"tshark exit {p.returncode}: {p.stderr[:500]}"]
    seen = collections.defaultdict(lambda: {"version": None, "ske": False, "http": False})
    for line in p.stdout.splitlines():
        f = line.split("\t")
        if len(f) < 7:
            continue
        s = seen[(f"{f[2]}:{f[3]}", f"{f[0]}:{f[1]}")]
        if f[1] == "16992":
            s["http"] = True
            continue
        types = f[4].split(",")
        if "2" in types:
            s["version"] = "0x0304" if "0x0304" in f[6].split(",") else f[5].split(",")[0]
        s["ske"] |= "12" in types
    names = {"0x0304": "tls1.3", "0x0303": "tls1.2", "0x0302": "tls1.0/1.1", "0x0301": "tls1.0/1.1"}
    for c in working:
        s = seen.get((c["client"], c["server"]))
        if s is None:
            kind = "none"
        elif s["http"]:
            kind = "http"
        elif s["version"] == "0x0304":
            kind = "tls1.3"
        else:
            kind = f"{names.get(s['version'], s['version'])}-{'ecdhe' if s['ske'] else 'rsa'}"
        if kind != c["kind"]:
            problems.append(f"mix {c['profile']} {c['client']}: tshark sees {kind}, labelled "
                            f"{c['kind']}")
    return problems


def load_labels(path):
    conns, dns = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or line.startswith("session\t"):
                continue
            c = dict(zip(["session", "conn", "profile", "client", "server", "kind", "version",
                          "cipher", "keys", "stage", "outcome", "causes", "statuses"],
                         line.rstrip("\n").split("\t")))
            c["causes"] = [] if c["causes"] == "-" else c["causes"].split(",")
            c["statuses"] = [] if c["statuses"] == "-" else [int(s) for s in c["statuses"].split(",")]
            (dns if c["conn"] == "dns" else conns).append(c)
    return conns, dns


def amtdiag_args(d):
    return ["--keylog", f"{d}/keylog.txt", "--key", f"{d}/amt-rsa-key.pem",
            "--password", "admin:Vpro!Admin-2026", "--trusted-fqdn", "it.example.com",
            "--ca", f"{d}/root-ca.pem"]


def run_amtdiag(amtdiag, d):
    env = dict(os.environ, ASAN_OPTIONS="exitcode=86", UBSAN_OPTIONS="exitcode=86")
    p = subprocess.run([amtdiag, "-r", f"{d}/capture.pcapng", "--format", "json"] +
                       amtdiag_args(d), capture_output=True, text=True, timeout=300, env=env)
    if p.returncode != 1:  # the fleet has rejections
        raise SystemExit(f"FAIL amtdiag exit {p.returncode}: {p.stderr.strip()[:2000]}")
    return json.loads(p.stdout)


def lockout_servers(conns):
    """Where a lockout warning is allowed: from an AMT's third login
    rejected for its credentials (stale nonces do not count) on (labels are in start order; the smoke capture spans less than the
    ten-minute window), and the AMTs that must have one."""
    rejected = collections.defaultdict(list)
    for c in conns:
        if {"digest-wrong-password", "digest-unknown-user"} & set(c["causes"]):
            rejected[c["server"].rsplit(":", 1)[0]].append((c["client"], c["server"]))
    allowed, needed = set(), set()
    for server, keys in rejected.items():
        if len(keys) >= LOCKOUT_FAILURES:
            allowed.update(keys[LOCKOUT_FAILURES - 1:])
            needed.add(server)
    return allowed, needed


def names_settling_input(c):
    return "--amt-clock-offset" in json.dumps(c)


def check_diagnosis(conns, dns, out):
    problems = []
    by_ep = {(c["client"], c["server"]): c for c in out["connections"]}
    allowed_lockout, needed_lockout = lockout_servers(conns)
    flagged = set()
    named = collections.defaultdict(int)  # profile -> connections diagnosed as labelled
    for c in conns:
        key = (c["client"], c["server"])
        got = by_ep.get(key)
        if got is None:
            problems.append(f"{c['profile']} {key}: connection not found")
            continue
        have = {f["cause"] for f in got["findings"] if f["severity"] != "info"}
        if "possible-lockout" in have:
            flagged.add(c["server"].rsplit(":", 1)[0])
            if key in allowed_lockout:
                have.discard("possible-lockout")
        want = set(c["causes"])
        if have != want and want & UNSETTLED_CLOCK and have == {"client-cert-rejected"} \
                and names_settling_input(got):
            have = want  # unsettled, and says which input settles it
        ok = have == want and got["stage"] == c["stage"] and got["outcome"] == c["outcome"]
        if ok:
            named[c["profile"]] += 1
        else:
            problems.append(f"{c['profile']} {key}: causes {sorted(have)} stage {got['stage']} "
                            f"outcome {got['outcome']}; labelled {sorted(want)} {c['stage']} "
                            f"{c['outcome']}")
    for server in sorted(needed_lockout - flagged):
        problems.append(f"{server}: three rejected logins within ten minutes, no possible-lockout")
    want_dns = sorted(d["causes"][0] for d in dns)
    have_dns = sorted(f["cause"] for f in out["findings"] if f["severity"] != "info")
    if want_dns != have_dns:
        problems.append(f"dns: causes {have_dns}, labelled {want_dns}")
    # every failure profile is in the capture and diagnosed at least once
    profiles = {c["profile"] for c in conns} | {d["profile"] for d in dns}
    failing = {c["profile"] for c in conns if c["causes"]} | {d["profile"] for d in dns}
    for p in sorted(failing):
        if not named[p] and not any(d["profile"] == p for d in dns):
            problems.append(f"{p}: no connection diagnosed as labelled")
    return problems, len(profiles), len(failing)


def check_tshark(d, conns):
    p = subprocess.run(["tshark", "-n", "-r", f"{d}/capture.pcapng",
                        "-d", "tcp.port==16992,http", "-d", "tcp.port==16993,tls",
                        "-o", "http.tls.port:443,16993", "-o", f"tls.keylog_file:{d}/keylog.txt",
                        "-o", f'uat:rsa_keys:"{d}/amt-rsa-key.pem",""',
                        "-T", "fields", "-E", "separator=/t", "-e", "ip.src", "-e", "tcp.srcport",
                        "-e", "ip.dst", "-e", "tcp.dstport", "-e", "http.response.code",
                        "-e", "_ws.expert.message", "-Y", "http.response or _ws.malformed"],
                       capture_output=True, text=True, timeout=300)
    problems = []
    if p.returncode != 0:
        problems.append(f"tshark exit {p.returncode}: {p.stderr.strip()[:500]}")
    codes = collections.defaultdict(list)
    for line in p.stdout.splitlines():
        f = line.split("\t")
        if len(f) < 5:
            continue
        if not f[4]:
            problems.append(f"tshark: malformed frame {line}")
            continue
        # a response goes from the AMT to the console
        codes[(f"{f[2]}:{f[3]}", f"{f[0]}:{f[1]}")] += [int(x) for x in f[4].split(",")]
    # every handshake its own: no client or server random, ECDHE share or
    # RSA-encrypted pre-master secret seen twice
    p = subprocess.run(["tshark", "-n", "-r", f"{d}/capture.pcapng", "-d", "tcp.port==16993,tls",
                        "-T", "fields", "-E", "separator=/t", "-e", "tls.handshake.type",
                        "-e", "tls.handshake.random", "-e", "tls.handshake.client_point",
                        "-e", "tls.handshake.server_point", "-e", "tls.handshake.epms",
                        "-e", "tls.handshake.extensions_key_share_key_exchange",
                        "-Y", "tls.handshake.type in {1, 2, 12, 16}"],
                       capture_output=True, text=True, timeout=300)
    seen = collections.Counter()
    for line in p.stdout.splitlines():
        for v in line.split("\t")[1:]:
            for x in v.split(","):
                if len(x) >= 64:
                    seen[x] += 1
    repeated = [v for v, k in seen.items() if k > 1]
    if repeated or len(seen) < 100:
        problems.append(f"handshakes: {len(repeated)} of {len(seen)} randoms, shares or "
                        "pre-master secrets repeated")
    n = 0
    for c in conns:
        key = (c["client"], c["server"])
        if codes.get(key, []) != c["statuses"]:
            problems.append(f"tshark {c['profile']} {key}: statuses {codes.get(key, [])}, "
                            f"labelled {c['statuses']}")
        n += len(c["statuses"])
    return problems, n


def main():
    amtsim, amtdiag = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        d = os.path.join(tmp, "fleet")
        # the default mix, made with -j 1 (and -j 2 for amtdiag) meanwhile
        mix_dirs = [os.path.join(tmp, f"mix-j{j}") for j in ((1,) if amtdiag == "--tshark"
                                                            else (1, 2))]
        mix_procs = [generate_mix(amtsim, m, i + 1) for i, m in enumerate(mix_dirs)]
        generate(amtsim, d)
        conns, dns = load_labels(os.path.join(d, "labels.tsv"))
        with open(os.path.join(d, "fleet.json"), encoding="utf-8") as f:
            summary = json.load(f)
        problems = []
        if summary["connections"] != len(conns):
            problems.append(f"fleet.json: {summary['connections']} connections, labels "
                            f"{len(conns)}")
        if summary["capture_seconds"] >= LOCKOUT_WINDOW_S:
            problems.append("the capture spans more than the lockout window")
        if summary["verdict_mismatches"]:
            problems.append(f"{summary['verdict_mismatches']} sessions where the simulated AMT "
                            "rejected for another rule than the scenario's")
        msg = f"fleet: {len(conns)} connections, {summary['sessions']} sessions"
        if amtdiag == "--tshark":
            p, n = check_tshark(d, conns)
            msg += f", {n} labelled HTTP responses; tshark"
        else:
            p, n_prof, n_fail = check_diagnosis(conns, dns, run_amtdiag(amtdiag, d))
            msg += f", {n_prof} profiles ({n_fail} failing); amtdiag"
        problems += p
        for proc in mix_procs:
            wait(proc)
        m = mix_dirs[0]
        if len(mix_dirs) > 1:
            problems += same_files(*mix_dirs)
        mconns, _ = load_labels(os.path.join(m, "labels.tsv"))
        p, working, text = check_mix_labels(m, mconns)
        problems += p
        if amtdiag == "--tshark":
            problems += check_mix_tshark(m, working)
        else:
            problems += check_mix_amtdiag(working, run_amtdiag(amtdiag, m))
        msg += f"; mix of {len(working)} working connections: {text}"
    for p in problems:
        print("FAIL", p)
    print(msg + f": {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
