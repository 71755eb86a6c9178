#!/usr/bin/env python3
"""Oracle test: tshark, given each sample's keys, must see what the sample's
expected.json says happened — the HTTP statuses and requests, the TLS
alerts (sender and description), how each connection ended, the DNS
answers, and the redirection messages each side sent (tshark gives the
bytes, plain or decrypted; tshark_view frames them). A sample tshark
disagrees with is a broken sample.

usage: check_samples.py SAMPLES_DIR
Prints one line per sample and key source, then "N passed, N failed".
"""
import os
import sys

from tshark_view import capture_path, key_options, load_expected, view


def is_subsequence(short, long):
    it = iter(long)
    return all(x in it for x in short)


def client_port(ep):
    return int(ep.rsplit(":", 1)[1])


def compare(expected, seen):
    """Returns a list of differences between expected.json and tshark's view."""
    errors = []
    if seen["malformed"]:
        errors.append("tshark reports %d malformed frame(s)" % seen["malformed"])
    for conn in expected["connections"]:
        cid = conn["id"]
        got = seen["conns"].get(client_port(conn["client"]))
        if got is None:
            errors.append("conn %d (%s): not in the capture" % (cid, conn["client"]))
            continue
        if conn["end"] != got["end"]:
            errors.append("conn %d: ends %s, tshark sees %s" % (cid, conn["end"], got["end"]))
        if conn["tcp"] == "unanswered" and got["syns"] < 3:
            errors.append("conn %d: %d SYNs, expected retries" % (cid, got["syns"]))
        visible = conn["decryptable"] or "tls" not in conn
        if not visible:
            if got["statuses"]:
                errors.append("conn %d: undecryptable, yet tshark shows %s"
                              % (cid, got["statuses"]))
            continue
        statuses, requests = conn["http_statuses"], conn["requests"]
        if conn["capture_gap"]:
            if not is_subsequence(got["statuses"], statuses):
                errors.append("conn %d: statuses %s not within %s" % (cid, got["statuses"],
                                                                      statuses))
        else:
            if got["statuses"] != statuses:
                errors.append("conn %d: statuses %s, tshark sees %s"
                              % (cid, statuses, got["statuses"]))
            if got["requests"] != requests:
                errors.append("conn %d: requests %s, tshark sees %s"
                              % (cid, requests, got["requests"]))
        if "redirection" in conn and got.get("redirection") != conn["redirection"]:
            errors.append("conn %d: redirection messages %s, tshark's bytes frame as %s"
                          % (cid, conn["redirection"], got.get("redirection")))
        alerts = [{"from": a["from"], "desc": a["desc"]} for a in conn["alerts"]]
        if got["alerts"] != alerts:
            errors.append("conn %d: alerts %s, tshark sees %s" % (cid, alerts, got["alerts"]))
    want_dns = [(d["name"], 3 if d["rcode"] == "NXDOMAIN" else 0) for d in expected["dns"]]
    got_dns = [(d["name"], d["rcode"]) for d in seen["dns"]]
    if want_dns != got_dns:
        errors.append("dns %s, tshark sees %s" % (want_dns, got_dns))
    return errors


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = sys.argv[1]
    samples = sorted(d for d in os.listdir(root) if os.path.isfile(
        os.path.join(root, d, "expected.json")))
    if not samples:
        print("no samples in %s" % root, file=sys.stderr)
        return 1
    passed = failed = 0
    for name in samples:
        sample = os.path.join(root, name)
        expected = load_expected(sample)
        keys = expected["keys"]
        modes = []
        if keys.get("embedded_secrets"):
            modes.append("embedded")
        if keys.get("keylog"):
            modes.append("keylog")
        if keys.get("rsa_key"):
            modes.append("rsa")
        if not modes:
            modes.append("none")
        for mode in modes:
            try:
                seen = view(capture_path(sample, expected), key_options(sample, expected, mode))
                errors = compare(expected, seen)
            except (RuntimeError, OSError, KeyError, ValueError) as exc:
                errors = [str(exc)]
            if errors:
                failed += 1
                print("FAIL %s [%s]" % (name, mode))
                for e in errors:
                    print("     " + e)
            else:
                passed += 1
                print("ok   %s [%s]" % (name, mode))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
