#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""amtdiag on Wireshark's own TLS decryption test captures (tests/corpus/wireshark).

usage: check_wireshark.py AMTDIAG WIRESHARK_DIR [--no-oracle]

For every case, with the keys Wireshark's test suite gives tshark
(test/suite_decryption.py and test/config/ssl_keys.tmpl of Wireshark
4.0.17), in amtdiag's spelling:

  1. every HTTP message tshark decodes (client port, frame, method and URI
     of a request; frame and status of a response; Content-Length where
     tshark gives one) amtdiag decodes too, in the same connection and
     frame; where amtdiag decodes more (tshark waits for the end of a body
     that runs until the close), that is allowed;
  2. what Wireshark's own test expects is there: the request URIs, Host
     headers, statuses and lengths it checks, and its strings in the
     decrypted payload, read by tshark from amtdiag's --export-decrypted;
  3. every note of the TLS layer in the JSON report is in -V's transcript
     too ("TLS note: ...");
  4. every connection is decrypted with the keys, and the TLS version and
     suite are the ones the capture's ServerHello names (SSL 3.0, TLS 1.0,
     renegotiation, PSK with CCM and GCM, ChaCha20-Poly1305 with
     (EC)DHE/RSA/PSK exchanges, TLS 1.3 with 0-RTT, pcapng DSB).

Without keys, check 1 must fail (a check that cannot fail checks nothing).
With --no-oracle (no tshark), nothing is run and the test is skipped (77).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

PSK = "ca19e028a8a372ad2d325f950fcaceed"
CHACHA = ["ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
          "DHE-RSA-CHACHA20-POLY1305", "RSA-PSK-CHACHA20-POLY1305",
          "DHE-PSK-CHACHA20-POLY1305", "ECDHE-PSK-CHACHA20-POLY1305", "PSK-CHACHA20-POLY1305"]

# name, capture, amtdiag's keys, tshark's keys (Wireshark's test), what
# Wireshark's test expects, and per connection the version and suite.
CASES = [
    {"name": "rsa-sslv3", "capture": "rsasnakeoil2.pcap",
     "amtdiag": ["--key", "rsasnakeoil2.key"],
     "tshark": ["-o", 'uat:rsa_keys:"rsasnakeoil2.key",""'],
     "uris": ["/favicon.ico"],
     "notes": ["SSLv2-format ClientHello (frame 4) offering SSLv3",
               "HelloRequest (frame 13): the server asks the client to renegotiate",
               "renegotiation 1: a new handshake (ClientHello frame 14"],
     "tls": [("SSLv3", "TLS_RSA_WITH_AES_256_CBC_SHA"),
             ("SSLv3", "TLS_RSA_WITH_3DES_EDE_CBC_SHA")]},
    {"name": "rsa-pkcs12-password", "capture": "dmgr.pcapng",
     "amtdiag": ["-o", "tls.keys_list:127.0.0.1,9131,http,key.p12,WebAS"],
     "tshark": ["-o", "tls.keys_list:127.0.0.1,9131,http,key.p12,WebAS"],
     "uris": ["/ibm/console/unsecureLogon.jsp"],
     "tls": [("TLSv1", "TLS_RSA_WITH_AES_128_CBC_SHA")]},
    {"name": "dhe-keylog", "capture": "dhe1.pcapng.gz",
     "amtdiag": ["-o", "ssl.keylog_file: dhe1_keylog.dat"],
     "tshark": ["-o", "ssl.keylog_file: dhe1_keylog.dat", "-o",
                "tls.desegment_ssl_application_data: FALSE", "-o", "http.tls.port: 443"],
     "payload": [["GET /test HTTP/1.0"]],
     "tls": [("TLSv1", "TLS_DHE_RSA_WITH_AES_256_CBC_SHA")]},
    {"name": "renegotiation", "capture": "tls-renegotiation.pcap",
     "amtdiag": ["--key", "rsasnakeoil2.key"],
     "tshark": ["-o", "tls.keys_list:0.0.0.0,4433,http,rsasnakeoil2.key",
                "-d", "tcp.port==4433,tls"],
     "lengths": [0, 2151], "renegotiations": [4],
     "notes": ["renegotiation %d: a new handshake" % i for i in (1, 2, 3, 4)],
     "tls": [("TLSv1.2", "TLS_RSA_WITH_AES_128_CBC_SHA")]},
    {"name": "psk-aes128ccm", "capture": "tls12-aes128ccm.pcap",
     "amtdiag": ["--psk", PSK], "tshark": ["-o", "tls.psk:" + PSK],
     "payload": [["http://www.gnu.org/software/gnutls"]],
     "tls": [("TLSv1.2", "TLS_PSK_WITH_AES_128_CCM")]},
    {"name": "psk-aes256gcm", "capture": "tls12-aes256gcm.pcap",
     "amtdiag": ["-o", "tls.psk:" + PSK], "tshark": ["-o", "tls.psk:" + PSK],
     "payload": [["http://www.gnu.org/software/gnutls"]],
     "tls": [("TLSv1.2", "TLS_PSK_WITH_AES_256_GCM_SHA384")]},
    {"name": "chacha20poly1305", "capture": "tls12-chacha20poly1305.pcap",
     "amtdiag": ["--keylog", "tls12-chacha20poly1305.keys"],
     "tshark": ["-o", "tls.keylog_file: tls12-chacha20poly1305.keys"],
     "payload": [["Cipher is " + c] for c in CHACHA],
     "tls": [("TLSv1.2", "TLS_%s_WITH_CHACHA20_POLY1305_SHA256" % kx) for kx in
             ("ECDHE_ECDSA", "ECDHE_RSA", "DHE_RSA", "RSA_PSK", "DHE_PSK", "ECDHE_PSK", "PSK")]},
    {"name": "tls13-early-data", "capture": "tls13-rfc8446.pcap",
     "amtdiag": ["-o", "tls.keylog_file:tls13-rfc8446.keys"],
     "tshark": ["-o", "tls.keylog_file:tls13-rfc8446.keys"],
     "uris": ["/first", "/early", "/second"],
     "payload": [["Request for /first, version TLSv1.3, Early data: no\n"],
                 ["Request for /early, version TLSv1.3, Early data: yes\n",
                  "Request for /second, version TLSv1.3, Early data: yes\n"]],
     "tls": [("TLSv1.3", "TLS_AES_128_GCM_SHA256")] * 2},
    {"name": "tls13-no-early-keys", "capture": "tls13-rfc8446.pcap",
     "amtdiag": ["--keylog", "tls13-rfc8446-noearly.keys"],
     "tshark": ["-o", "tls.keylog_file:tls13-rfc8446-noearly.keys"],
     "uris": ["/first", "/second"],
     "payload": [["Request for /first, version TLSv1.3, Early data: no\n"],
                 ["Request for /early, version TLSv1.3, Early data: yes\n",
                  "Request for /second, version TLSv1.3, Early data: yes\n"]],
     "tls": [("TLSv1.3", "TLS_AES_128_GCM_SHA256")] * 2},
    {"name": "pcapng-dsb", "capture": "tls12-dsb.pcapng", "amtdiag": [], "tshark": [],
     "hosts": ["example.com", "example.net"],
     "tls": [("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")] * 2},
]

FIELDS = ["frame.number", "tcp.srcport", "tcp.dstport", "http.request.method",
          "http.request.uri", "http.response.code", "http.content_length"]


def tshark_http(d, case):
    cmd = ["tshark", "-n", "-r", case["capture"]] + case["tshark"] + [
        "-Y", "http", "-T", "fields", "-E", "separator=|", "-E", "occurrence=f"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, cwd=d, capture_output=True, text=True, timeout=120, check=True)
    msgs = []
    for line in out.stdout.splitlines():
        frame, sport, dport, method, uri, code, length = line.split("|")
        if method:
            msgs.append(("request", int(sport), int(frame), method, uri, length))
        elif code:
            msgs.append(("response", int(dport), int(frame), int(code), length))
    return msgs


def amtdiag_run(amtdiag, d, case, keys, export=None):
    cmd = [amtdiag, "-q", "-r", case["capture"], "--format", "json"] + keys
    if export:
        cmd += ["--export-decrypted", export]
    env = dict(os.environ, ASAN_OPTIONS="exitcode=86", UBSAN_OPTIONS="exitcode=86")
    p = subprocess.run(cmd, cwd=d, capture_output=True, text=True, timeout=120, env=env)
    if p.returncode not in (0, 1):
        raise RuntimeError("amtdiag exit %d: %s" % (p.returncode, p.stderr.strip()[:400]))
    return json.loads(p.stdout)


def notes_in_transcript(amtdiag, d, case, report):
    """The TLS notes of the JSON report missing from -V's text."""
    cmd = [amtdiag, "-q", "-V", "-r", case["capture"]] + case["amtdiag"]
    text = subprocess.run(cmd, cwd=d, capture_output=True, text=True, timeout=120).stdout
    notes = [n for c in report["connections"] for n in (c.get("tls") or {}).get("notes") or []]
    return notes, [n for n in notes if "TLS note: " + n not in text]


def amtdiag_http(report):
    """The same tuples as tshark_http, from amtdiag's report."""
    msgs = []
    for c in report["connections"]:
        port = int(c["client"].rsplit(":", 1)[1])
        for x in c.get("http") or []:
            q, r = x.get("request"), x.get("response")
            if q and q.get("method"):
                msgs.append(("request", port, q["last_frame"], q["method"], q["uri"],
                              q["body_length"]))
            if r and r.get("status"):
                # the answer to HEAD declares a length it does not send
                head = q and q.get("method") == "HEAD"
                msgs.append(("response", port, r["last_frame"], r["status"],
                             None if head else r["body_length"]))
    return msgs


def missing(want, have):
    """tshark's messages amtdiag lacks. A Content-Length tshark shows must be
    the body length amtdiag read."""
    have_keys = {}
    for m in have:
        have_keys.setdefault(m[:-1], []).append(m[-1])
    lost = []
    for m in want:
        lengths = have_keys.get(m[:-1])
        if lengths is None or (m[-1] != "" and None not in lengths and
                               int(m[-1]) not in lengths):
            lost.append(m)
    return lost


def payloads(export):
    """Decrypted bytes per TCP stream of amtdiag's export, read by tshark."""
    out = subprocess.run(["tshark", "-n", "-r", export, "-T", "fields", "-e", "tcp.stream",
                          "-e", "tcp.payload"], capture_output=True, text=True, timeout=120,
                         check=True).stdout
    streams = {}
    for line in out.splitlines():
        stream, _, data = line.partition("\t")
        if data:
            streams.setdefault(int(stream), bytearray()).extend(bytes.fromhex(data.replace(":", "")))
    return [bytes(streams[k]) for k in sorted(streams)]


def check_case(amtdiag, d, case, tmp):
    errors = []
    want = tshark_http(d, case)
    if not want:
        errors.append("tshark decodes no HTTP with Wireshark's keys")
    export = os.path.join(tmp, case["name"] + ".pcapng")
    report = amtdiag_run(amtdiag, d, case, case["amtdiag"], export)
    have = amtdiag_http(report)
    for m in missing(want, have):
        errors.append("tshark decodes %s that amtdiag does not" % (m,))
    notes, lost_notes = notes_in_transcript(amtdiag, d, case, report)
    for n in lost_notes:
        errors.append("TLS note in the JSON report but not in -V: %s" % n)
    for want_note in case.get("notes", []):
        if not any(want_note in n for n in notes):
            errors.append("no TLS note \"%s\" (notes: %s)" % (want_note, notes))
    conns = report["connections"]
    if len(conns) != len(case["tls"]):
        errors.append("%d connections, expected %d" % (len(conns), len(case["tls"])))
    for i, (c, (version, suite)) in enumerate(zip(conns, case["tls"])):
        t = c.get("tls") or {}
        if t.get("key_status") != "decrypted":
            errors.append("#%d keys: %s (%s)" % (i, t.get("key_status"), t.get("key_status_text")))
        if (t.get("version"), t.get("suite")) != (version, suite):
            errors.append("#%d %s %s, expected %s %s" % (i, t.get("version"),
                                                         t.get("suite"), version, suite))
    for i, n in enumerate(case.get("renegotiations", [])):
        got = len((conns[i].get("tls") or {}).get("renegotiations") or [])
        if got != n:
            errors.append("#%d: %d renegotiation(s) reported, expected %d" % (i, got, n))
    uris = [m[4] for m in have if m[0] == "request"]
    for u in case.get("uris", []):
        if u not in uris:
            errors.append("no request for %s (amtdiag: %s)" % (u, uris))
    lengths = [m[-1] for m in have]
    for n in case.get("lengths", []):
        if n not in lengths:
            errors.append("no message of length %d (amtdiag: %s)" % (n, lengths))
    hosts = [h.split(":", 1)[1].strip() for c in conns for x in c.get("http") or []
             for h in ((x.get("request") or {}).get("headers") or [])
             if h.lower().startswith("host:")]
    for h in case.get("hosts", []):
        if h not in hosts:
            errors.append("no request with Host: %s (amtdiag: %s)" % (h, hosts))
    if "hosts" in case and sorted(m[3] for m in have if m[0] == "response") != [200] * len(conns):
        errors.append("expected one 200 per connection")
    if "payload" in case:
        got = payloads(export)
        if len(got) != len(case["payload"]):
            errors.append("%d decrypted streams exported, expected %d" % (len(got),
                                                                          len(case["payload"])))
        for i, (data, strings) in enumerate(zip(got, case["payload"])):
            for s in strings:
                if s.encode() not in data:
                    errors.append("stream %d: %r not in the decrypted payload" % (i, s))
    return len(want), len(have), errors


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    amtdiag, d = os.path.abspath(sys.argv[1]), sys.argv[2]
    if "--no-oracle" in sys.argv or not shutil.which("tshark"):
        print("SKIP: tshark is the oracle here")
        return 77
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for case in CASES:
            try:
                n_want, n_have, errors = check_case(amtdiag, d, case, tmp)
            except (RuntimeError, ValueError, subprocess.SubprocessError) as e:
                n_want, n_have, errors = 0, 0, [str(e)]
            if errors:
                failed += 1
                print("FAIL %-22s %s" % (case["name"], case["capture"]))
                for e in errors:
                    print("       " + e)
            else:
                print("ok   %-22s %s: tshark %d HTTP message(s), amtdiag %d" %
                      (case["name"], case["capture"], n_want, n_have))
        # the comparison itself must be able to fail: without keys amtdiag
        # decodes none of what tshark decodes with them
        control = CASES[0]
        want = tshark_http(d, control)
        try:
            lost = missing(want, amtdiag_http(amtdiag_run(amtdiag, d, control, [])))
        except (RuntimeError, ValueError) as e:
            print("       " + str(e))
            lost = []
        if len(lost) == len(want) and want:
            print("ok   control: without keys all %d of tshark's messages are missing" % len(want))
        else:
            failed += 1
            print("FAIL control: without keys only %d of %d messages missing" %
                  (len(lost), len(want)))
    print("%d case(s) failed" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
