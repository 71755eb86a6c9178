#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tshark as the oracle of the Kerberos messages: for every case of the
Kerberos corpus, tshark with the realm's keys (-o kerberos.decrypt:TRUE
-o kerberos.file:kdc.keytab) and amtdiag with the same keys (--keytab
kdc.keytab) must read the same messages:

  KDC messages  the same frames (port 88, UDP and TCP, not the copies
                inside ICMP errors), and per frame the message type, the
                error code, the client and service names, the ticket's
                etype and key version; for AS-REP and TGS-REP the ticket
                opened: its client, authtime and endtime;
  logins        per Negotiate request the AP-REQ's service, etype and key
                version, the ticket's client, authtime and endtime and the
                authenticator's time, as tshark decrypts them; AMT's answer
                token: AP-REP, or KRB-ERROR with its code;
  links         the TGS-REP that issued a login's ticket (issued_in) and
                the login that used a TGS-REP's ticket (used_by): tshark's
                TGS-REP holding the cipher text of the AP-REQ's ticket
                (its first; a delegated TGT in the authenticator is not
                it), and none where tshark finds none.

usage: check_krb_oracle.py AMTDIAG CORPUS_DIR
"""
import json
import os
import subprocess
import sys
from datetime import datetime, timezone

FIELDS = ["frame.number", "udp.port", "tcp.port", "icmp.type", "kerberos.msg_type",
          "kerberos.error_code", "kerberos.CNameString", "kerberos.SNameString", "kerberos.etype",
          "kerberos.kvno", "kerberos.authtime", "kerberos.endtime", "kerberos.ctime",
          "kerberos.cipher"]
TYPES = {10: "AS-REQ", 11: "AS-REP", 12: "TGS-REQ", 13: "TGS-REP", 14: "AP-REQ", 15: "AP-REP",
         30: "KRB-ERROR"}


def unix(text):
    """tshark's absolute time ("Dec  7, 2026 10:44:15.000000000 UTC") in seconds."""
    words = text.replace(",", "").split()
    stamp = "%s %s %s %s" % (words[0], words[1], words[2], words[3].split(".")[0])
    return int(datetime.strptime(stamp, "%b %d %Y %H:%M:%S").replace(
        tzinfo=timezone.utc).timestamp())


def tshark(d, exp):
    cmd = ["tshark", "-n", "-r", os.path.join(d, exp["capture"]), "-d", "tcp.port==16992,http",
           "-o", "kerberos.decrypt:TRUE", "-o", "kerberos.file:" + os.path.join(d, "kdc.keytab"),
           "-Y", "kerberos", "-T", "fields", "-E", "separator=|", "-E", "occurrence=a",
           "-E", "aggregator=;"]
    if exp["keys"].get("keylog"):
        cmd += ["-o", "tls.keylog_file:" + os.path.join(d, exp["keys"]["keylog"]),
                "-o", "http.tls.port:443,16993"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    frames = {}
    for line in out.splitlines():
        v = dict(zip(FIELDS, line.split("|")))
        lst = {k: [x for x in v.get(k, "").split(";") if x] for k in FIELDS}
        frames[int(v["frame.number"])] = lst
    return frames


def amtdiag(tool, d, exp):
    cmd = [tool, "-r", exp["capture"], "--keytab", "kdc.keytab", "--format", "json"]
    if exp["keys"].get("keylog"):
        cmd += ["--keylog", exp["keys"]["keylog"]]
    p = subprocess.run(cmd, cwd=d, capture_output=True, text=True, timeout=120)
    return json.loads(p.stdout)


def name_parts(principal):
    """"HTTP/amt.example.com:16992@REALM" → ["HTTP", "amt.example.com:16992"]"""
    return principal.rsplit("@", 1)[0].split("/") if principal else []


def contains(seq, parts):
    """Whether the components parts stand together, in order, in seq."""
    return any(seq[i:i + len(parts)] == parts for i in range(len(seq) - len(parts) + 1))


def check_opened(tag, opened, t, problems):
    if not opened or opened["status"] != "opened":
        problems.append("%s: amtdiag did not open the ticket (%s) tshark decrypts" % (
            tag, opened and opened["status"]))
        return
    if name_parts(opened["client"])[0] not in t["kerberos.CNameString"]:
        problems.append("%s: client %s, tshark %s" % (tag, opened["client"],
                                                      t["kerberos.CNameString"]))
    for ours, field in (("authtime", "kerberos.authtime"), ("endtime", "kerberos.endtime")):
        theirs = [unix(x) for x in t[field]]
        if opened[ours] not in theirs:
            problems.append("%s: %s %s, tshark %s" % (tag, ours, opened[ours], theirs))


def check_link(tag, login, t, theirs, mine, problems):
    """issued_in and used_by against tshark: the ticket's cipher text is
    in the TGS-REP that issued it and in the AP-REQ that presents it (the
    ticket comes first in an AP-REQ)."""
    ticket = t["kerberos.cipher"][:1]
    issuers = [n for n in sorted(theirs) if "13" in theirs[n]["kerberos.msg_type"] and
               set(theirs[n]["kerberos.cipher"]) & set(ticket)]
    want = issuers[-1] if issuers and login["ap_req"] else None
    if login["issued_in"] != want:
        problems.append("%s: issued_in %s, tshark's TGS-REP with its ticket %s" % (
            tag, login["issued_in"], issuers))
    if want is not None:
        used = (mine.get(want) or {}).get("used_by")
        if not used or used["request_frame"] != login["request_frame"]:
            problems.append("%s: frame %d's used_by is %s" % (tag, want, used))


def check_case(tool, d):
    with open(os.path.join(d, "expected.json")) as f:
        exp = json.load(f)
    theirs = tshark(d, exp)
    ours = amtdiag(tool, d, exp)["kerberos"]
    problems = []
    kdc_frames = {n for n, t in theirs.items()
                  if not t["icmp.type"] and ("88" in t["udp.port"] or "88" in t["tcp.port"])}
    # (a TCP connection to the KDC that was refused carries no message)
    mine = {m["frame"]: m for m in ours["messages"] if m["problem"] != "connection refused"}
    if set(mine) != kdc_frames:
        problems.append("KDC frames %s, tshark %s" % (sorted(mine), sorted(kdc_frames)))
    for frame, m in sorted(mine.items()):
        t = theirs.get(frame)
        tag = "frame %d" % frame
        if t is None:
            continue
        types = [TYPES.get(int(x)) for x in t["kerberos.msg_type"]]
        if m["type"] not in types:
            problems.append("%s: %s, tshark %s" % (tag, m["type"], types))
        if m["type"] == "KRB-ERROR" and {str(m["error_code"])} != set(t["kerberos.error_code"]):
            problems.append("%s: error %s, tshark %s" % (tag, m["error_code"],
                                                         t["kerberos.error_code"]))
        for who in ("cname", "sname"):
            if m[who] and not contains(t["kerberos.CNameString" if who == "cname" else
                                         "kerberos.SNameString"], name_parts(m[who])):
                problems.append("%s: %s %s not in tshark's %s" % (
                    tag, who, m[who], t["kerberos.CNameString" if who == "cname"
                                        else "kerberos.SNameString"]))
        tk = m["ticket"]
        if tk and m["type"] in ("AS-REP", "TGS-REP"):
            if str(tk["etype"]) not in t["kerberos.etype"]:
                problems.append("%s: ticket etype %s, tshark %s" % (tag, tk["etype"],
                                                                   t["kerberos.etype"]))
            if tk["kvno"] is not None and str(tk["kvno"]) not in t["kerberos.kvno"]:
                problems.append("%s: ticket kvno %s, tshark %s" % (tag, tk["kvno"],
                                                                  t["kerberos.kvno"]))
            check_opened(tag, m["opened"], t, problems)
    for login in ours["logins"]:
        tag = "login of frame %s" % login["request_frame"]
        # the request starts in request_frame; tshark reads it where it ends
        last = login["response_frame"] or max(theirs, default=0) + 1
        t = next((theirs[n] for n in sorted(theirs)
                  if login["request_frame"] <= n < last and "14" in theirs[n]["kerberos.msg_type"]),
                 None)
        if t is None:
            problems.append("%s: tshark reads no Kerberos there" % tag)
            continue
        ap = login["ap_req"]
        check_link(tag, login, t, theirs, mine, problems)
        if ap:
            if not contains(t["kerberos.SNameString"], name_parts(ap["sname"])):
                problems.append("%s: service %s, tshark %s" % (tag, ap["sname"],
                                                               t["kerberos.SNameString"]))
            if str(ap["kvno"]) not in t["kerberos.kvno"]:
                problems.append("%s: kvno %s, tshark %s" % (tag, ap["kvno"], t["kerberos.kvno"]))
            check_opened(tag, login["ticket"], t, problems)
            ctimes = [unix(x) for x in t["kerberos.ctime"]]
            if login["ticket"] and login["ticket"].get("authenticator_time") not in ctimes:
                problems.append("%s: authenticator time %s, tshark %s" % (
                    tag, login["ticket"].get("authenticator_time"), ctimes))
        reply = login["reply"]
        if reply and reply["type"]:
            # the answer starts in response_frame; tshark reads it where it ends
            r = next((theirs[n] for n in sorted(theirs) if n >= login["response_frame"] and
                      {"15", "30"} & set(theirs[n]["kerberos.msg_type"])),
                     {"kerberos.msg_type": [], "kerberos.error_code": []})
            types = [TYPES.get(int(x)) for x in r["kerberos.msg_type"]]
            if reply["type"] not in types:
                problems.append("%s: AMT's %s, tshark %s" % (tag, reply["type"], types))
            if reply["type"] == "KRB-ERROR" and {str(reply["error_code"])} != \
                    set(r["kerberos.error_code"]):
                problems.append("%s: AMT's error %s, tshark %s" % (tag, reply["error_code"],
                                                                   r["kerberos.error_code"]))
    return problems, len(mine), len(ours["logins"])


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    tool, corpus = os.path.abspath(argv[1]), argv[2]
    failed = total = 0
    for name in sorted(os.listdir(corpus)):
        d = os.path.join(corpus, name)
        if not os.path.isfile(os.path.join(d, "expected.json")):
            continue
        total += 1
        problems, n_msgs, n_logins = check_case(tool, d)
        print("%s %s (%d KDC messages, %d logins)" % ("FAIL" if problems else "ok  ", name,
                                                     n_msgs, n_logins))
        for p in problems:
            print("     " + p)
        failed += bool(problems)
    print("Kerberos messages, amtdiag against tshark: %d cases, %d failed" % (total, failed))
    return 1 if failed or not total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
