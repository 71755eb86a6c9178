#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""amtdiag --format json validates against docs/amtdiag.schema.json for
every sample, with keys and without; the schema's cause list equals the
tokens documented in docs/causes.md.

usage: check_json_schema.py AMTDIAG SAMPLES_DIR SCHEMA CAUSES_MD
"""
import json
import os
import re
import subprocess
import sys

import jsonschema


def main():
    amtdiag, samples, schema_path, causes_md = sys.argv[1:5]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    with open(causes_md, encoding="utf-8") as f:
        documented = re.findall(r"^### `([a-z0-9-]+)`$", f.read(), re.M)
    enum = schema["properties"]["findings"]["items"]["properties"]["cause"]["enum"]
    failures = []
    if sorted(enum) != sorted(documented):
        failures.append(f"schema causes {sorted(set(enum) ^ set(documented))} differ from "
                        "docs/causes.md")
    env = dict(os.environ, ASAN_OPTIONS="exitcode=86", UBSAN_OPTIONS="exitcode=86")
    runs = 0
    for name in sorted(os.listdir(samples)):
        d = os.path.join(samples, name)
        if not os.path.isfile(os.path.join(d, "expected.json")):
            continue
        cap = [os.path.join(d, f) for f in ("capture.pcapng", "capture.pcap")
               if os.path.exists(os.path.join(d, f))][0]
        keys = []
        if os.path.exists(os.path.join(d, "keylog.txt")):
            keys = ["--keylog", os.path.join(d, "keylog.txt")]
        for args in (keys, []):
            runs += 1
            p = subprocess.run([amtdiag, "-V", "--format", "json", "-r", cap] + args,
                               capture_output=True, text=True, timeout=120, env=env)
            if p.returncode not in (0, 1):
                failures.append(f"{name}: exit {p.returncode}: {p.stderr.strip()}")
                continue
            for err in validator.iter_errors(json.loads(p.stdout)):
                path = "/".join(str(x) for x in err.absolute_path)
                failures.append(f"{name}{' (no keys)' if not args else ''}: {path}: "
                                f"{err.message[:200]}")
    for f in failures[:40]:
        print("FAIL", f)
    print(f"json schema: {runs} reports validated, {len(failures)} failures")
    sys.exit(1 if failures or runs == 0 else 0)


if __name__ == "__main__":
    main()
