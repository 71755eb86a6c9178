#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A management console written with Python's standard library (ssl,
http.client, urllib), one of the third-party clients the corpus is recorded
with (tests/corpus/record.py).

usage:
  client.py request URL [--cafile F] [--cert F --key F] [--tls-min V] [--tls-max V]
                        [--ciphers L] [--digest USER:PASSWORD] [--body FILE] [--own-name]
      POSTs the body (WS-Man, application/soap+xml) with urllib, answering a
      Digest challenge with HTTPDigestAuthHandler. --own-name first looks up
      the console's own name by reverse DNS, as a console choosing its
      certificate does.
  client.py names URL --cafile F [--cert F --key F] [--tls-max V]
      Completes the TLS handshake with check_hostname off, then compares the
      name it connected by with the names in AMT's certificate itself and
      closes without a request when they differ.

The TLS key log goes to $SSLKEYLOGFILE. Exit status: 0 an answer 2xx (or
the names match), 1 the names differ, 4 an HTTP error status, 5 a TLS
error, 6 the connection closed or reset without an answer, 7 anything else.
"""
import argparse
import ipaddress
import os
import socket
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request
import http.client

VERSIONS = {"1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1,
            "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}


def context(args, check_hostname=True):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = check_hostname
    if args.cafile:
        ctx.load_verify_locations(args.cafile)
    else:
        ctx.load_default_certs()
    if args.cert:
        ctx.load_cert_chain(args.cert, args.key)
    if args.tls_min:
        ctx.minimum_version = VERSIONS[args.tls_min]
    if args.tls_max:
        ctx.maximum_version = VERSIONS[args.tls_max]
    if getattr(args, "ciphers", None):
        ctx.set_ciphers(args.ciphers)
    if os.environ.get("SSLKEYLOGFILE"):
        ctx.keylog_filename = os.environ["SSLKEYLOGFILE"]
    return ctx


def request(args):
    if args.own_name:
        me = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        me.connect((urllib.parse.urlsplit(args.url).hostname or "192.0.2.20", 9))
        addr = me.getsockname()[0]
        me.close()
        try:
            print("console name:", socket.gethostbyaddr(addr)[0])
        except OSError as e:
            print("console name: unknown (%s)" % e)
    handlers = []
    if args.url.startswith("https:"):
        handlers.append(urllib.request.HTTPSHandler(context=context(args)))
    if args.digest:
        user, _, password = args.digest.partition(":")
        pw = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        pw.add_password(None, args.url, user, password)
        handlers.append(urllib.request.HTTPDigestAuthHandler(pw))
    opener = urllib.request.build_opener(*handlers)
    body = open(args.body, "rb").read() if args.body else b""
    req = urllib.request.Request(args.url, data=body, method="POST",
                                 headers={"Content-Type": "application/soap+xml;charset=UTF-8"})
    try:
        with opener.open(req, timeout=20) as r:
            r.read()
            print("status", r.status)
            return 0 if 200 <= r.status < 300 else 4
    except urllib.error.HTTPError as e:
        print("status", e.code)
        return 4
    except urllib.error.URLError as e:
        reason = e.reason
        print("error:", reason)
        if isinstance(reason, ssl.SSLError):
            return 5
        if isinstance(reason, (ConnectionResetError, ConnectionAbortedError)):
            return 6
        return 7
    except (http.client.RemoteDisconnected, ConnectionResetError) as e:
        print("error:", e)
        return 6
    except ssl.SSLError as e:
        print("error:", e)
        return 5


def cert_names(cert):
    """The DNS names and IP addresses a certificate (getpeercert()) names."""
    names = [v for k, v in cert.get("subjectAltName", ()) if k in ("DNS", "IP Address")]
    if not names:
        names = [v for rdn in cert.get("subject", ()) for k, v in rdn if k == "commonName"]
    return names


def matches(host, names):
    try:
        ip = ipaddress.ip_address(host)
        return any(n == str(ip) for n in names)
    except ValueError:
        pass
    host = host.lower().rstrip(".")
    for n in names:
        n = n.lower()
        if n == host or (n.startswith("*.") and host.split(".", 1)[-1] == n[2:]
                         and "." in host):
            return True
    return False


def names(args):
    u = urllib.parse.urlsplit(args.url)
    host, port = u.hostname, u.port or 16993
    ctx = context(args, check_hostname=False)
    try:
        sni = None if _is_ip(host) else host
        with socket.create_connection((host, port), timeout=20) as raw:
            with ctx.wrap_socket(raw, server_hostname=sni) as s:
                got = cert_names(s.getpeercert())
                if matches(host, got):
                    print("names match:", host, "in", got)
                    return 0
                print("AMT's certificate names %s, not %s: not sending the request"
                      % (", ".join(got), host))
                return 1
    except ssl.SSLError as e:
        print("error:", e)
        return 5
    except OSError as e:
        print("error:", e)
        return 6


def _is_ip(host):
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=("request", "names"))
    p.add_argument("url")
    p.add_argument("--cafile")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--tls-min", choices=sorted(VERSIONS))
    p.add_argument("--tls-max", choices=sorted(VERSIONS))
    p.add_argument("--ciphers")
    p.add_argument("--digest")
    p.add_argument("--body")
    p.add_argument("--own-name", action="store_true")
    args = p.parse_args()
    try:
        return request(args) if args.mode == "request" else names(args)
    except Exception as e:  # a console reports, it does not trace back
        print("error: %s: %s" % (type(e).__name__, e))
        return 7


if __name__ == "__main__":
    sys.exit(main())
