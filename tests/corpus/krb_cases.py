# SPDX-License-Identifier: GPL-2.0-or-later
"""The Kerberos corpus: per case, how the realm is set up on a real MIT
KDC (kdc.py), how the simulator's AMT is (amtsim --serve --kerberos with
AMT's keytab; its clock shifted with libfaketime), what the console does
(kinit, then curl --negotiate or amtgss, a GSS-API console asking for the
port-form SPN), and what a correct diagnosis says of each connection,
with the amtdiag options a support engineer would have (AMT's keytab as
it was given to AMT, the password of AMT's account).

Command lines use {work} (the case's folder of KDC files and AMT's
keytab), {srv} (the AMT's folder: certificates), {corpus} (this folder),
{keylog}, {udp} and {tcp} (the console's krb5.conf: KDC over UDP first,
over TCP only) and {amtgss}.
"""
from collections import namedtuple

import cases as C

REALM = "VPRO.EXAMPLE.COM"
KDC_IP = "192.0.2.88"
FQDN = C.AMT
SPN_HTTP = "HTTP/%s:16992" % FQDN
SPN_TLS = "HTTP/%s:16993" % FQDN
SPN_PLAIN = "HTTP/%s" % FQDN
ALICE_PW = "Alice!Kerb-2026"
AMT_OLD_PW = "Amt-Account-2025"
AMT_NEW_PW = "Amt-Account-2026"
BODY = "{corpus}/wsman-get.xml"

KCase = namedtuple("KCase", "name summary client setup amt faketime steps conns amtdiag tls",
                   defaults=(False,))

Step = C.Step
Conn = C.Conn


def std_realm(r, work):
    """The realm AMT joined: users alice and bob, AMT's three SPNs (one key
    each), AMT's keytab with their keys as the KDC has them."""
    r.user("alice", ALICE_PW)
    r.user("bob", "Bob!Kerb-2026")
    for spn in (SPN_HTTP, SPN_TLS, SPN_PLAIN):
        r.service(spn)
    r.ktadd(work + "/amt.keytab", SPN_HTTP, SPN_TLS, SPN_PLAIN)


def stale_password(r, work):
    """AMT's account password was changed in the directory; AMT still has
    the keys of the old one (same key version)."""
    r.user("alice", ALICE_PW)
    r.service(SPN_HTTP, password=AMT_NEW_PW)
    r.keytab_from_password(work + "/amt.keytab", SPN_HTTP, 1, "aes256-cts-hmac-sha1-96",
                           AMT_OLD_PW)


def rotated_key(r, work):
    """AMT got its keytab (kvno 1); the account's key was renewed at the
    KDC since (kvno 2)."""
    std_realm(r, work)
    r.new_key(SPN_HTTP)


def rc4_only(r, work):
    """Older AMT firmware: its account has an RC4-HMAC key only and takes
    RC4 session keys only (in Active Directory: msDS-SupportedEncryptionTypes
    of AMT's account; in MIT's KDC the session_enctypes attribute)."""
    r.user("alice", ALICE_PW)
    r.service(SPN_HTTP, enctypes="arcfour-hmac:normal")
    r.kadmin("setstr %s session_enctypes arcfour-hmac" % SPN_HTTP)
    r.ktadd(work + "/amt.keytab", SPN_HTTP)


def kinit(password=ALICE_PW, life=None):
    """The user logs on: kinit over UDP (the realm asks for pre-authentication)."""
    lifetime = "-l %s " % life if life else ""
    return Step(["sh", "-c", "printf '%%s\\n' '%s' | KRB5_CONFIG={udp} kinit %salice"
                 % (password, lifetime)], [0])


def kinit_fails(password):
    return Step(["sh", "-c", "printf '%%s\\n' '%s' | KRB5_CONFIG={udp} kinit alice" % password],
                [1])


def curl(url, exit_codes=(0,), *extra):
    return Step(["env", "KRB5_CONFIG={tcp}", "curl", "-sS", "-o", "/dev/null", "-w",
                 "%{http_code}\\n", "--negotiate", "-u", ":", "-H", "Expect:", "-H",
                 "Content-Type: application/soap+xml;charset=UTF-8", "--data-binary",
                 "@" + BODY] + list(extra) + [url], list(exit_codes))


def amtgss(url, exit_codes=(0,), *extra, conf="{tcp}"):
    tls = ["--cacert", "{srv}/root-ca.pem", "--keylog", "{keylog}"] if url.startswith(
        "https") else []
    return Step(["env", "KRB5_CONFIG=" + conf, "{amtgss}", "--data", BODY] + tls + list(extra) +
                [url], list(exit_codes))


HTTP = "http://%s:16992/wsman" % FQDN
HTTPS = "https://%s:16993/wsman" % FQDN
KRB = ["--kerberos", "{work}/amt.keytab"]
TOKEN = ["--kerberos-error-token"]
KEYTAB = ["--keytab", "amt.keytab"]


def challenge():
    return Conn("http-auth", "challenge", [], "amt", "response")


def ok(by="amt"):
    return Conn("wsman", "ok", [], by, "response")


def refused(cause, by="amt"):
    return Conn("http-auth", "rejected", [cause], by, "response")


CASES = [
    KCase("krb-ok-curl-http-16992",
          "curl --negotiate logs in with Kerberos on 16992 (SPN HTTP/<fqdn>), its token "
          "sent with the first request: 200 with AMT's AP-REP; kinit over UDP after "
          "KDC_ERR_PREAUTH_REQUIRED, curl's TGS exchange over TCP",
          "curl", std_realm, KRB, None, [kinit(), curl(HTTP)],
          [ok(by="console")], KEYTAB),
    KCase("krb-ok-amtgss-tls-16993",
          "amtgss logs in with Kerberos over TLS on 16993, asking for the port-form SPN "
          "HTTP/<fqdn>:16993, and checks AMT's AP-REP",
          "amtgss", std_realm, KRB, None, [kinit(), amtgss(HTTPS)],
          [challenge(), ok()], KEYTAB, True),
    KCase("krb-spn-unknown-https-class",
          "amtgss asks the KDC for HTTPS/<fqdn>:16993, a service class AMT never registers: "
          "KDC_ERR_S_PRINCIPAL_UNKNOWN, and no token for AMT",
          "amtgss", std_realm, KRB, None,
          [kinit(), amtgss(HTTP, (3,), "--spn", "HTTPS/%s:16993" % FQDN)],
          [refused("kerberos-spn-unknown")], []),
    KCase("krb-ap-err-modified-stale-password",
          "AMT's account password changed at the KDC, AMT keeps the old key (same kvno): "
          "AMT's 401 carries KRB_AP_ERR_BAD_INTEGRITY",
          "amtgss", stale_password, KRB + TOKEN, None, [kinit(), amtgss(HTTP, (1,))],
          [challenge(), refused("kerberos-ap-err-modified")], KEYTAB),
    KCase("krb-kvno-mismatch-rotated-key",
          "the KDC renewed AMT's key (kvno 2), AMT's keytab has kvno 1; AMT answers a bare 401, "
          "the keytab tells why",
          "amtgss", rotated_key, KRB, None, [kinit(), amtgss(HTTP, (1,))],
          [challenge(), refused("kerberos-kvno-mismatch")], KEYTAB),
    KCase("krb-clock-skew-amt-ahead",
          "AMT's clock is 15 minutes ahead: its 401 carries KRB_AP_ERR_SKEW and a Date header "
          "from its clock",
          "amtgss", std_realm, KRB + TOKEN, "+15m", [kinit(), amtgss(HTTP, (1,))],
          [challenge(), refused("kerberos-clock-skew")], []),
    KCase("krb-clock-skew-amt-behind-keytab",
          "AMT's clock is 20 minutes behind, its 401 says nothing but Negotiate; the keytab "
          "opens the authenticator, whose time is 20 minutes after AMT's Date",
          "amtgss", std_realm, KRB, "-20m", [kinit(), amtgss(HTTP, (1,))],
          [challenge(), refused("kerberos-clock-skew")], KEYTAB),
    KCase("krb-ticket-expired",
          "the console's tickets live 2 minutes, AMT's clock is 8 minutes ahead: the ticket "
          "has expired at AMT's clock (KRB_AP_ERR_TKT_EXPIRED in the 401)",
          "amtgss", std_realm, KRB + TOKEN, "+8m", [kinit(life="2m"), amtgss(HTTP, (1,))],
          [challenge(), refused("kerberos-ticket-expired")], KEYTAB),
    KCase("krb-etype-mismatch-rc4-only",
          "AMT's account takes RC4-HMAC only (older firmware), the console has RC4 disabled "
          "and asks for AES: the KDC answers the TGS-REQ for AMT's SPN with "
          "KDC_ERR_ETYPE_NOSUPP",
          "amtgss", rc4_only, KRB, None, [kinit(), amtgss(HTTP, (3,), conf="{tcp_aes}")],
          [refused("kerberos-etype-mismatch")], KEYTAB),
    KCase("negotiate-not-offered-digest-only",
          "amtgss sends its Kerberos token with the first request; AMT has no Kerberos and "
          "answers 401 offering Digest only",
          "amtgss", std_realm, [], None, [kinit(), amtgss(HTTP, (1,), "--preemptive")],
          [refused("negotiate-not-offered")], []),
    KCase("krb-token-too-large",
          "amtgss delegates its TGT (the token grows past 2 KB), AMT reads at most 2048 bytes "
          "of request head and answers 400",
          "amtgss", std_realm, KRB + ["--max-header", "2048"], None,
          [kinit(), amtgss(HTTP, (1,), "--delegate")],
          [challenge(), Conn("http-auth", "rejected", ["kerberos-token-too-large"], "amt",
                             "response")], []),
    KCase("krb-no-ticket-wrong-password",
          "kinit with a wrong password (KDC_ERR_PREAUTH_FAILED): curl --negotiate has no "
          "ticket and sends no token after AMT's 401",
          "curl", std_realm, KRB, None, [kinit_fails("Alice!Wrong-2026"), curl(HTTP)],
          [refused("kerberos-no-ticket")], []),
    KCase("krb-no-ticket-kdc-down",
          "the KDC is not running: kinit's AS-REQs over UDP go unanswered, curl --negotiate "
          "sends no token after AMT's 401",
          "curl", std_realm, KRB, None,
          [Step(["sh", "-c", "printf '%%s\\n' '%s' | KRB5_CONFIG={udp} kinit alice" % ALICE_PW],
                [1]), curl(HTTP)],
          [refused("kerberos-no-ticket")], []),
    KCase("krb-user-not-in-acl",
          "AMT's ACL lets bob in, alice logs in: Kerberos accepts her ticket, AMT answers 401; "
          "the keytab shows ticket and authenticator valid",
          "amtgss", std_realm, KRB + ["--kerberos-user", "bob@" + REALM], None,
          [kinit(), amtgss(HTTP, (1,))],
          [challenge(), refused("kerberos-user-not-in-acl")], KEYTAB),
]

# Cases whose KDC is not started.
KDC_DOWN = {"krb-no-ticket-kdc-down"}


def find(name):
    return next((c for c in CASES if c.name == name), None)
