# SPDX-License-Identifier: GPL-2.0-or-later
"""A real MIT KDC (Debian's krb5-kdc, krb5-admin-server) for one test: a
temporary database and realm in a folder of its own, principals made with
kadmin.local, keytabs with kadmin's ktadd and ktutil, and krb5kdc serving
UDP and TCP port 88 on one address — of a network namespace the test made
(lab.py), or of loopback. Nothing outside the folder is touched: every
tool gets KRB5_CONFIG and KRB5_KDC_PROFILE pointing into it.

Setting up takes well under a second: the database is created with a
stash file and no prompts, the KDC runs in the foreground (-n) and is
ready once its log says "commencing operation".
"""
import os
import shutil
import signal
import subprocess
import time

REALM = "VPRO.EXAMPLE.COM"
MASTER = "Kdc-Master-2026!"

# The etypes this realm's keys have: AES with SHA-1 (what AMT 7 and later
# take), and RC4-HMAC for an account that asks for it (older firmware).
SUPPORTED = "aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal arcfour-hmac:normal"


def _tools():
    missing = [t for t in ("kdb5_util", "kadmin.local", "krb5kdc", "ktutil", "kinit")
               if not shutil.which(t) and not os.path.exists("/usr/sbin/" + t)]
    return missing


def available():
    """None when MIT's KDC and client tools are installed, else the reason."""
    missing = _tools()
    if missing:
        return "MIT Kerberos tools missing: %s (apt-get install krb5-kdc " \
               "krb5-admin-server krb5-user)" % ", ".join(missing)
    return None


def client_conf(path, kdc, tcp=False, enctypes=None, extra=""):
    """A console's krb5.conf: the realm's KDC at kdc ("192.0.2.88"), over
    UDP first (MIT's default) or TCP only; optionally a narrower list of
    etypes the console accepts."""
    lines = ["[libdefaults]",
             "  default_realm = %s" % REALM,
             "  dns_lookup_kdc = false",
             "  dns_lookup_realm = false",
             "  dns_canonicalize_hostname = false",
             "  rdns = false",
             "  forwardable = true"]
    if tcp:
        lines.append("  udp_preference_limit = 1")
    if enctypes:
        for k in ("default_tkt_enctypes", "default_tgs_enctypes", "permitted_enctypes"):
            lines.append("  %s = %s" % (k, enctypes))
    lines += ["[realms]", "  %s = {" % REALM, "    kdc = %s" % kdc, "  }",
              "[domain_realm]", "  .vpro.example.com = %s" % REALM]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n" + extra)


class Realm:
    """The realm's database and configuration in folder d; the KDC answers
    on address addr (UDP and TCP 88)."""

    def __init__(self, d, addr, max_life="10h"):
        self.d = os.path.abspath(d)
        self.addr = addr
        self.proc = None
        os.makedirs(self.d, exist_ok=True)
        self.kdc_conf = os.path.join(self.d, "kdc.conf")
        self.krb5_conf = os.path.join(self.d, "krb5.conf")
        self.log = os.path.join(self.d, "kdc.log")
        with open(self.kdc_conf, "w") as f:
            f.write("[kdcdefaults]\n  kdc_listen = %s\n  kdc_tcp_listen = %s\n"
                    "[realms]\n  %s = {\n    database_name = %s/principal\n"
                    "    key_stash_file = %s/stash\n    acl_file = %s/kadm5.acl\n"
                    "    max_life = %s\n    supported_enctypes = %s\n"
                    "    default_principal_flags = +preauth\n  }\n"
                    "[logging]\n  kdc = FILE:%s\n"
                    % (addr, addr, REALM, self.d, self.d, self.d, max_life, SUPPORTED, self.log))
        client_conf(self.krb5_conf, addr)
        self.env = dict(os.environ, KRB5_CONFIG=self.krb5_conf, KRB5_KDC_PROFILE=self.kdc_conf)
        self.run(["kdb5_util", "create", "-s", "-r", REALM, "-P", MASTER])

    def run(self, argv, stdin=None):
        p = subprocess.run(argv, env=self.env, input=stdin, capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError("%s: %s" % (" ".join(argv[:2]), (p.stdout + p.stderr).strip()))
        return p.stdout

    def kadmin(self, *queries):
        """kadmin.local queries, one process each (it takes one -q)."""
        for q in queries:
            out = self.run(["kadmin.local", "-r", REALM, "-q", q])
            if "error" in out.lower() or "not found" in out.lower():
                raise RuntimeError("kadmin.local %s: %s" % (q, out.strip()))

    def user(self, name, password):
        self.kadmin("addprinc -pw %s %s" % (password, name))

    def service(self, name, password=None, enctypes=None):
        """A service principal, with a random key or a password's, of the
        realm's etypes or only of enctypes ("arcfour-hmac:normal")."""
        e = " -e %s" % enctypes if enctypes else ""
        key = "-pw %s" % password if password else "-randkey"
        self.kadmin("addprinc %s%s %s" % (key, e, name))

    def ktadd(self, keytab, *names):
        """The principals' current keys into keytab, versions kept."""
        for n in names:
            self.kadmin("ktadd -norandkey -k %s %s" % (keytab, n))

    def new_key(self, name):
        """A new random key for the principal: its key version goes up."""
        self.kadmin("cpw -randkey %s" % name)

    def keytab_from_password(self, keytab, name, kvno, enctype, password):
        """A keytab entry as AMT derives it from its account's password
        (ktutil addent -password), with the realm's default salt."""
        script = "addent -password -p %s@%s -k %d -e %s\n%s\nwkt %s\nquit\n" % (
            name, REALM, kvno, enctype, password, keytab)
        self.run(["ktutil"], stdin=script)

    def start(self, launch):
        """Starts krb5kdc through launch(argv, **popen_args) (a namespace's
        Lab.start, or subprocess.Popen) and waits until it serves."""
        open(self.log, "w").close()
        self.proc = launch(["env", "KRB5_CONFIG=" + self.krb5_conf,
                            "KRB5_KDC_PROFILE=" + self.kdc_conf, "krb5kdc", "-n",
                            "-r", REALM], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        end = time.monotonic() + 20
        while "commencing operation" not in open(self.log).read():
            if self.proc.poll() is not None or time.monotonic() > end:
                raise RuntimeError("krb5kdc did not start: " + open(self.log).read()[-800:])
            time.sleep(0.05)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
