#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the small hostile inputs into tests/hostile/inputs/ (they are
kept in the repository; run again after changing hostile_pcap.py).

usage: make_inputs.py [DIR]"""
import os
import sys

import hostile_pcap as h

SMALL = {
    "control-characters.pcap": h.control_characters,
    "latin1-header.pcap": h.latin1_header,
    "basic-credentials.pcap": h.basic_credentials,
    "corrupt-first-block.pcapng": h.corrupt_first_block,
    "identifying.pcap": h.identifying,
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "inputs")
    os.makedirs(out, exist_ok=True)
    for name, make in SMALL.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(make())


if __name__ == "__main__":
    main()
