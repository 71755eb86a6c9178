# SPDX-License-Identifier: GPL-2.0-or-later
"""The third-party corpus: per case, how the simulator's AMT is set up
(amtsim --serve options), which third-party client runs against it and
how it should exit, and what a correct diagnosis says of each connection —
stage, outcome, causes, which side ended it and after which step — with
the amtdiag options a support engineer would have (what they know about
the AMT and the console, never the answer).

Command lines use {srv} (the AMT's folder: certificates and keys it
wrote), {corpus} (this folder) and {keylog} (the case's key log).
"""
from collections import namedtuple

AMT = "amt-pc17.vpro.example.com"
AMT_IP = "192.0.2.20"
URL = "https://%s:16993/wsman" % AMT
HTTP_URL = "http://%s:16992/wsman" % AMT
PW = "admin:Vpro!Admin-2026"
BODY = "{corpus}/wsman-get.xml"

# amtdiag options: the account and AMT's trusted FQDN list are known to
# whoever provisioned the AMT; --ca is the console's trust store where the
# console was given one (curl --cacert and the like).
KNOWN = ["--password", PW, "--trusted-fqdn", "it.example.com"]
CA = ["--ca", "root-ca.pem"]

Case = namedtuple("Case", "name summary client amt steps conns amtdiag console_cert gap",
                  defaults=(None, False))
Step = namedtuple("Step", "argv exit")
Conn = namedtuple("Conn", "stage outcome causes ended_by ended_after verdict checks confidence",
                  defaults=(None, None, None))


def curl(url, *extra):
    """curl POSTing the WS-Man Get; prints the status; no Expect: 100-continue."""
    return ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}\\n", "-H", "Expect:",
            "-H", "Content-Type: application/soap+xml;charset=UTF-8",
            "--data-binary", "@" + BODY] + list(extra) + [url]


def wget(url, *extra):
    return ["wget", "-nv", "-O", "/dev/null", "--header",
            "Content-Type: application/soap+xml;charset=UTF-8",
            "--post-file", BODY] + list(extra) + [url]


def python(mode, url, *extra):
    return ["python3", "{corpus}/client.py", mode, url] + list(extra)


def s_client(connect, *extra):
    return ["openssl", "s_client", "-connect", connect, "-keylogfile", "{keylog}",
            "-brief"] + list(extra)


def challenge(by="amt", after="response"):
    return Conn("http-auth", "challenge", [], by, after)


def ok(by="console", after="response", checks=None):
    return Conn("wsman", "ok", [], by, after, checks=checks)


def tls_rejected(causes, by, after, verdict=None, checks=None, confidence=None):
    return Conn("tls", "rejected", causes, by, after, verdict, checks, confidence)


CERT = ["--cert", "{srv}/console-good.pem", "--key", "{srv}/console-key.pem"]
FIVE_PASS = {"console-cert-presented": "pass", "console-cert-eku": "pass",
             "console-cert-reverse-dns": "pass", "console-cert-chain": "pass",
             "console-cert-fqdn": "pass"}

CASES = [
    # ---- successes -------------------------------------------------------------------------
    Case("ok-digest-curl-tls12", "curl logs in with Digest over TLS 1.2 (401, then 200)",
         "curl", [],
         [Step(curl(URL, "--digest", "-u", PW, "--cacert", "{srv}/root-ca.pem"), [0])],
         [challenge(), ok()], KNOWN + CA),
    Case("ok-digest-python-tls13",
         "Python urllib logs in with HTTPDigestAuthHandler over TLS 1.3", "python3 urllib",
         ["--tls-max", "1.3"],
         [Step(python("request", URL, "--cafile", "{srv}/root-ca.pem", "--digest", PW,
                      "--body", BODY), [0])],
         # urllib asks for Connection: close, so AMT closes after its answer
         [challenge(), ok(by="amt")], KNOWN + CA),
    Case("ok-digest-wget-gnutls", "wget (GnuTLS) logs in with Digest over TLS 1.2", "wget",
         [],
         [Step(wget(URL, "--ca-certificate={srv}/root-ca.pem", "--user=admin",
                    "--password=Vpro!Admin-2026"), [0])],
         [challenge(), ok()], KNOWN + CA),
    Case("ok-digest-curl-http-16992", "curl logs in with Digest over plain HTTP on 16992",
         "curl", [],
         [Step(curl(HTTP_URL, "--digest", "-u", PW), [0])],
         [challenge(after="response"), ok(after="response")], KNOWN),
    Case("mtls-ok-curl", "Mutual TLS with a good console certificate, then Digest", "curl",
         ["--mutual-auth"],
         [Step(curl(URL, "--digest", "-u", PW, "--cacert", "{srv}/root-ca.pem", *CERT), [0])],
         [challenge(), ok()], KNOWN + CA, "console-good.pem"),
    Case("mtls-trusted-fqdn-second-suffix-curl",
         "AMT trusts corp.example.net,it.example.com; the console is under the second",
         "curl", ["--mutual-auth", "--trusted-fqdn", "corp.example.net,it.example.com"],
         [Step(curl(URL, "--digest", "-u", PW, "--cacert", "{srv}/root-ca.pem", *CERT), [0])],
         [Conn("http-auth", "challenge", [], "amt", "response",
               checks={"console-cert-fqdn": "pass"}),
          ok(checks={"console-cert-fqdn": "pass"})],
         ["--password", PW, "--trusted-fqdn", "corp.example.net,it.example.com"] + CA,
         "console-good.pem"),

    # ---- the console refuses AMT's certificate -----------------------------------------------
    Case("server-name-mismatch-ip-openssl-tls12",
         "openssl s_client connects by IP; AMT's certificate names only its FQDN (TLS 1.2)",
         "openssl s_client", [],
         [Step(s_client(AMT_IP + ":16993", "-CAfile", "{srv}/root-ca.pem", "-verify_ip", AMT_IP,
                        "-verify_return_error", "-tls1_2"), [1])],
         [tls_rejected(["server-name-mismatch"], "console", "ServerHelloDone")], KNOWN + CA),
    Case("server-name-mismatch-ip-openssl-tls13",
         "openssl s_client by IP over TLS 1.3: its bad_certificate follows AMT's encrypted "
         "flight and Finished, in clear (OpenSSL has not switched its own keys yet)",
         "openssl s_client", ["--tls-max", "1.3"],
         [Step(s_client(AMT_IP + ":16993", "-CAfile", "{srv}/root-ca.pem", "-verify_ip", AMT_IP,
                        "-verify_return_error", "-tls1_3"), [1])],
         [tls_rejected(["server-name-mismatch"], "console", "Finished")], KNOWN + CA),
    Case("server-name-mismatch-ip-curl",
         "curl by IP completes the handshake, checks the name, closes (close_notify)", "curl",
         [],
         [Step(curl("https://%s:16993/wsman" % AMT_IP, "--digest", "-u", PW,
                    "--cacert", "{srv}/root-ca.pem"), [60])],
         [tls_rejected(["server-name-mismatch"], "console", "Finished")], KNOWN + CA),
    Case("server-name-mismatch-ip-python-mtls",
         "Mutual TLS accepted (AMT's Finished sent), then the console closes: it connected by "
         "IP and AMT's certificate names only its FQDN", "python3 ssl",
         ["--mutual-auth"],
         [Step(python("names", "https://%s:16993/wsman" % AMT_IP, "--cafile",
                      "{srv}/root-ca.pem", *CERT), [1])],
         [tls_rejected(["server-name-mismatch"], "console", "Finished")], KNOWN + CA,
         "console-good.pem"),
    Case("server-name-mismatch-short-name-wget",
         "wget by the short name amt-pc17 (DNS search domain); the certificate names the FQDN",
         "wget", [],
         [Step(wget("https://amt-pc17:16993/wsman", "--ca-certificate={srv}/root-ca.pem",
                    "--user=admin", "--password=Vpro!Admin-2026"), [5])],
         [tls_rejected(["server-name-mismatch"], "console", "Finished")], KNOWN + CA),
    Case("server-cert-untrusted-curl",
         "curl without --cacert: AMT's issuer is not in the system store (unknown_ca)", "curl",
         [],
         [Step(curl(URL, "--digest", "-u", PW), [60])],
         [tls_rejected(["server-cert-untrusted"], "console", "ServerHelloDone")], KNOWN),
    Case("server-cert-expired-curl", "AMT's certificate expired 30 days ago (certificate_expired)",
         "curl", ["--amt-cert-expired"],
         [Step(curl(URL, "--digest", "-u", PW, "--cacert", "{srv}/root-ca.pem"), [60])],
         [tls_rejected(["server-cert-expired"], "console", "ServerHelloDone")], KNOWN + CA),

    # ---- the console's TLS policy --------------------------------------------------------------
    Case("tls-version-mismatch-openssl-tls13-only",
         "The console requires TLS 1.3; AMT goes up to TLS 1.2 (protocol_version)",
         "openssl s_client", [],
         [Step(s_client(AMT + ":16993", "-servername", AMT, "-CAfile", "{srv}/root-ca.pem",
                        "-tls1_3"), [1])],
         [tls_rejected(["tls-version-mismatch"], "amt", "ClientHello")], KNOWN),
    Case("no-shared-cipher-curl",
         "The console offers AES-CBC-SHA only; AMT accepts ECDHE-RSA AES-GCM only",
         "curl", ["--ciphers", "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384"],
         [Step(curl(URL, "--digest", "-u", PW, "--cacert", "{srv}/root-ca.pem", "--tls-max",
                    "1.2", "--ciphers", "AES128-SHA:AES256-SHA"), [35])],
         [tls_rejected(["no-shared-cipher"], "amt", "ClientHello")], KNOWN),

    # ---- plain HTTP where TLS is expected --------------------------------------------------------
    Case("plain-http-to-tls-port-curl", "curl speaks plain HTTP to 16993; AMT closes", "curl",
         [],
         [Step(curl("http://%s:16993/wsman" % AMT, "--digest", "-u", PW), [52])],
         [tls_rejected(["plain-http-to-tls-port"], "amt", "request")], KNOWN),
    Case("plain-http-refused-tls-only-close",
         "TLS-only AMT: 16992 accepts the request and closes without answering (alone: likely)",
         "curl", ["--plain", "close"],
         [Step(curl(HTTP_URL, "--digest", "-u", PW), [52])],
         [Conn("tcp", "rejected", ["plain-http-refused-tls-only"], "amt", "request",
               confidence={"plain-http-refused-tls-only": "likely"})], KNOWN),
    Case("plain-http-refused-tls-only-close-tls-works",
         "TLS-only AMT: 16992 closes without answering, then 16993 works (certain)", "curl",
         ["--plain", "close"],
         [Step(curl(HTTP_URL, "--digest", "-u", PW), [52]),
          Step(curl(URL, "--digest", "-u", PW, "--cacert", "{srv}/root-ca.pem"), [0])],
         [Conn("tcp", "rejected", ["plain-http-refused-tls-only"], "amt", "request",
               confidence={"plain-http-refused-tls-only": "certain"}),
          challenge(), ok()], KNOWN + CA),
    Case("plain-http-refused-tls-only-reset-python",
         "TLS-only AMT: 16992 reads the request and answers with a reset", "python3 urllib",
         ["--plain", "reset"],
         [Step(python("request", HTTP_URL, "--digest", PW, "--body", BODY), [6])],
         [Conn("tcp", "rejected", ["plain-http-refused-tls-only"], "amt", "request",
               confidence={"plain-http-refused-tls-only": "likely"})], KNOWN),
    Case("plain-http-refused-tls-only-port-closed-curl",
         "TLS-only AMT: 16992 answers the SYN with RST, 16993 works", "curl", ["--plain", "off"],
         [Step(curl(HTTP_URL, "--digest", "-u", PW), [7]),
          Step(curl(URL, "--digest", "-u", PW, "--cacert", "{srv}/root-ca.pem"), [0])],
         [Conn("tcp", "failed", ["plain-http-refused-tls-only"], "amt", "SYN",
               confidence={"plain-http-refused-tls-only": "certain"}),
          challenge(), ok()], KNOWN + CA),

    # ---- AMT refuses the console certificate -------------------------------------------------
    Case("mtls-client-cert-missing-curl", "AMT asks for a console certificate; curl has none",
         "curl", ["--mutual-auth"],
         [Step(curl(URL, "--digest", "-u", PW, "--cacert", "{srv}/root-ca.pem"), [35])],
         [tls_rejected(["client-cert-missing"], "amt", "Finished", "client-cert-missing")],
         KNOWN + CA),
    Case("mtls-no-amt-console-oid-curl",
         "The console certificate has clientAuth but not the AMT console EKU", "curl",
         ["--mutual-auth"],
         [Step(curl(URL, "--digest", "-u", PW, "--cacert", "{srv}/root-ca.pem", "--cert",
                    "{srv}/console-no-amt-oid.pem", "--key", "{srv}/console-key.pem"), [35, 56])],
         [tls_rejected(["client-cert-missing-amt-console-oid"], "amt", "Finished",
                       "client-cert-missing-amt-console-oid")], KNOWN + CA,
         "console-no-amt-oid.pem"),
    Case("mtls-untrusted-root-openssl",
         "The console certificate is issued by a CA that AMT's CertificateRequest does not list",
         "openssl s_client", ["--mutual-auth"],
         [Step(s_client(AMT + ":16993", "-servername", AMT, "-CAfile", "{srv}/root-ca.pem",
                        "-cert", "{srv}/console-other-root.pem", "-key",
                        "{srv}/console-key.pem", "-tls1_2"), [1])],
         [tls_rejected(["client-cert-untrusted-root"], "amt", "Finished",
                       "client-cert-untrusted-root")], KNOWN + CA, "console-other-root.pem"),
    Case("mtls-not-yet-valid-by-elimination-python",
         "AMT's clock runs 10 days slow, no Date header: the certificate (valid from two days "
         "ago) fails only the validity check, which is left by elimination",
         "python3 urllib", ["--mutual-auth", "--clock-offset", "-864000"],
         [Step(python("request", URL, "--own-name", "--cafile", "{srv}/root-ca.pem", "--cert",
                      "{srv}/console-new.pem", "--key", "{srv}/console-key.pem", "--digest", PW,
                      "--body", BODY), [5])],
         # The capture cannot say which way AMT's clock is off (before notBefore or
         # after notAfter): naming not-yet-valid would be a guess. The cause is AMT's
         # clock, by elimination; its evidence gives both directions.
         [tls_rejected(["amt-clock-wrong"], "amt", "Finished",
                       "client-cert-not-yet-valid-at-amt-clock", FIVE_PASS,
                       {"amt-clock-wrong": "by-elimination"})],
         KNOWN + CA, "console-new.pem"),

    # ---- Digest -------------------------------------------------------------------------------
    Case("digest-wrong-password-curl", "curl answers the challenge with a wrong password",
         "curl", [],
         [Step(curl(URL, "--digest", "-u", "admin:Wrong-Passw0rd", "--cacert",
                    "{srv}/root-ca.pem"), [0])],
         [challenge(), Conn("http-auth", "rejected", ["digest-wrong-password"], "amt",
                            "response")], KNOWN + CA),
    Case("digest-unknown-user-wget", "wget logs in as a user AMT does not have", "wget", [],
         [Step(wget(URL, "--ca-certificate={srv}/root-ca.pem", "--user=auditor",
                    "--password=Audit-2026"), [6])],
         [challenge(), Conn("http-auth", "rejected", ["digest-unknown-user"], "amt",
                            "response")], KNOWN + CA),

    # ---- what the capture cannot show, and what no rule explains --------------------------------
    Case("capture-gap-console-certificate",
         "The frames carrying the console's Certificate are cut from the capture (editcap); "
         "AMT's alert is left", "curl", ["--mutual-auth"],
         [Step(curl(URL, "--digest", "-u", PW, "--cacert", "{srv}/root-ca.pem", "--cert",
                    "{srv}/console-no-amt-oid.pem", "--key", "{srv}/console-key.pem"), [35, 56])],
         # nothing about the certificate: the gap (information) and, since AMT's
         # refusal stays unexplained, undiagnosed
         [tls_rejected(["capture-gap", "undiagnosed"], "amt", None,
                       "client-cert-missing-amt-console-oid",
                       {"console-cert-presented": "unknown", "console-cert-eku": "unknown"})],
         KNOWN + CA, None, True),
    Case("undiagnosed-console-probe-openssl",
         "openssl s_client completes a good handshake and leaves without a request: nothing "
         "on the wire says why", "openssl s_client", [],
         [Step(s_client(AMT + ":16993", "-servername", AMT, "-CAfile", "{srv}/root-ca.pem",
                        "-verify_hostname", AMT, "-verify_return_error"), [0])],
         # nothing was refused on the wire: what came of it is unknown
         [Conn("tls", "unknown", ["undiagnosed"], "console", "Finished")], KNOWN + CA),
]


def find(name):
    for c in CASES:
        if c.name == name:
            return c
    return None
