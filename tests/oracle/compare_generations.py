#!/usr/bin/env python3
"""Reproducibility test: two generations of the samples must read the same
in tshark — the same frames (ports, flags, lengths), HTTP statuses, TLS
alerts and connection ends. TLS randoms, keys and nonces may differ.

usage: compare_generations.py DIR_A DIR_B
"""
import os
import sys

from tshark_view import capture_path, key_options, load_expected, view


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    a_root, b_root = sys.argv[1], sys.argv[2]
    names_a = sorted(d for d in os.listdir(a_root)
                     if os.path.isfile(os.path.join(a_root, d, "expected.json")))
    names_b = sorted(d for d in os.listdir(b_root)
                     if os.path.isfile(os.path.join(b_root, d, "expected.json")))
    passed = failed = 0
    if names_a != names_b:
        print("FAIL scenario lists differ: %s" % sorted(set(names_a) ^ set(names_b)))
        failed += 1
    for name in sorted(set(names_a) & set(names_b)):
        views = []
        for root in (a_root, b_root):
            sample = os.path.join(root, name)
            exp = load_expected(sample)
            views.append(view(capture_path(sample, exp), key_options(sample, exp, "keylog")))
        a, b = views
        problems = []
        if a["frames"] != b["frames"]:
            diff = next((i for i, (x, y) in enumerate(zip(a["frames"], b["frames"])) if x != y),
                        min(len(a["frames"]), len(b["frames"])))
            problems.append("frames differ from frame %d (%d vs %d frames)"
                            % (diff + 1, len(a["frames"]), len(b["frames"])))
        if a["conns"] != b["conns"]:
            problems.append("connections differ: %s vs %s" % (a["conns"], b["conns"]))
        if a["dns"] != b["dns"]:
            problems.append("DNS differs")
        if problems:
            failed += 1
            print("FAIL %s: %s" % (name, "; ".join(problems)))
        else:
            passed += 1
            print("ok   %s" % name)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
