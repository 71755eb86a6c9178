# SPDX-License-Identifier: GPL-2.0-or-later
"""Two network namespaces joined by a veth pair: the console (192.0.2.10)
and the AMT (192.0.2.20, and its DNS server 192.0.2.53). Names are unique
per run; everything is removed again on exit, also after an error.

The console's /etc/resolv.conf (ip netns exec bind-mounts
/etc/netns/NAME/) points at the AMT side's DNS with the search domain
vpro.example.com, so short names resolve the way they do on a corporate
network. GSO is limited to one segment so dumpcap sees real TCP segments,
not the kernel's 64 KiB super-packets; IPv6 is off so only the traffic of
the test is captured.
"""
import os
import re
import shutil
import signal
import subprocess
import time

CONSOLE_IP = "192.0.2.10"
AMT_IP = "192.0.2.20"
DNS_IP = "192.0.2.53"
SEARCH = "vpro.example.com"


def _run(*cmd, check=True):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(cmd), p.stderr.strip() or p.returncode))
    return p


class Lab:
    """tag: "PID" + "x" + a number, so that sweep() knows a lab whose
    recorder is gone."""

    def __init__(self, tag, amt_extra=()):
        self.amt_extra = list(amt_extra)  # more addresses on the AMT side (a KDC's)
        self.console = "amtc-%s" % tag
        self.amt = "amta-%s" % tag
        self.vc = "vc%s" % tag  # interface names: at most 15 characters
        self.va = "va%s" % tag
        self.etc = os.path.join("/etc/netns", self.console)
        self.procs = []

    def __enter__(self):
        try:
            self._up()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def _up(self):
        _run("ip", "netns", "add", self.console)
        _run("ip", "netns", "add", self.amt)
        _run("ip", "link", "add", self.vc, "netns", self.console, "type", "veth", "peer", "name",
             self.va, "netns", self.amt)
        for ns, dev, addrs in ((self.console, self.vc, [CONSOLE_IP]),
                               (self.amt, self.va, [AMT_IP, DNS_IP] + self.amt_extra)):
            _run("ip", "netns", "exec", ns, "sysctl", "-q", "-w",
                 "net.ipv6.conf.all.disable_ipv6=1")
            _run("ip", "-n", ns, "link", "set", "lo", "up")
            for a in addrs:
                _run("ip", "-n", ns, "addr", "add", a + "/24", "dev", dev)
            _run("ip", "-n", ns, "link", "set", dev, "gso_max_segs", "1", "gso_max_size", "1500")
            _run("ip", "-n", ns, "link", "set", dev, "up")
        os.makedirs(self.etc, exist_ok=True)
        with open(os.path.join(self.etc, "resolv.conf"), "w") as f:
            f.write("nameserver %s\nsearch %s\n" % (DNS_IP, SEARCH))
        with open(os.path.join(self.etc, "hosts"), "w") as f:
            f.write("127.0.0.1 localhost\n")

    def cmd(self, side, argv):
        """argv run in the console's or the AMT's namespace."""
        return ["ip", "netns", "exec", self.console if side == "console" else self.amt] + argv

    def start(self, side, argv, **kw):
        p = subprocess.Popen(self.cmd(side, argv), **kw)
        self.procs.append(p)
        return p

    def stop(self, p, sig=signal.SIGTERM, timeout=10):
        if p.poll() is None:
            p.send_signal(sig)
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def close(self):
        for p in self.procs:
            self.stop(p)
        for ns in (self.console, self.amt):
            _run("ip", "netns", "del", ns, check=False)
        shutil.rmtree(self.etc, ignore_errors=True)


def sweep():
    """Removes the namespaces of recorders that died without cleaning up
    (killed by a timeout, say): their names carry the recorder's PID."""
    names = _run("ip", "netns", "list", check=False).stdout.split()
    for name in names:
        m = re.fullmatch(r"amt[ca]-(\d+)x\d+", name)
        if m and not os.path.exists("/proc/" + m.group(1)):
            _run("ip", "netns", "del", name, check=False)
            shutil.rmtree(os.path.join("/etc/netns", name), ignore_errors=True)


def available():
    """None when namespaces, veth and dumpcap work here, else the reason."""
    if os.geteuid() != 0:
        return "needs root (ip netns, veth, dumpcap in a namespace)"
    for tool in ("ip", "dumpcap", "tshark", "editcap"):
        if not shutil.which(tool):
            return "%s is not installed" % tool
    probe = "amtprobe-%d" % os.getpid()
    p = _run("ip", "netns", "add", probe, check=False)
    if p.returncode != 0:
        return "cannot create a network namespace: " + p.stderr.strip()
    _run("ip", "netns", "del", probe, check=False)
    return None


def wait_for(pred, timeout, what):
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            raise RuntimeError("timed out waiting for " + what)
        time.sleep(0.05)


def start_amtsim(L, argv, srv, log):
    """amtsim --serve (argv; srv its folder) on the AMT's side, returned once
    it listens; its output goes to the file log."""
    server = L.start("amt", argv, stdout=open(log, "w"), stderr=subprocess.STDOUT)
    wait_for(lambda: os.path.exists(os.path.join(srv, "ready")) or server.poll() is not None, 60,
             "amtsim --serve")
    if server.poll() is not None:
        raise RuntimeError("amtsim --serve: " + open(log).read())
    return server


def start_dumpcap(L, cap, log):
    """dumpcap writing cap on the console's end of the veth pair, returned
    once it captures."""
    dumpcap = L.start("console", ["dumpcap", "-q", "-i", L.vc, "-w", cap],
                      stdout=open(log, "w"), stderr=subprocess.STDOUT)
    wait_for(lambda: "File:" in open(log).read() or dumpcap.poll() is not None, 20, "dumpcap")
    if dumpcap.poll() is not None:
        raise RuntimeError("dumpcap: " + open(log).read())
    return dumpcap
