# SPDX-License-Identifier: GPL-2.0-or-later
"""How Wireshark itself differs between the versions the plugin is tested
on (4.0, 4.4, 4.6), in what tshark prints rather than in what the plugin
does. The plugin tests compare tshark's output with one set of goldens on
every version; these differences, and nothing else, are told apart:

1. The Info column as a -T fields field is _ws.col.Info in 4.0 and
   _ws.col.info from 4.2 on, and from 4.2 on it holds the text as it stood
   before the postdissectors ran, so the plugin's login sentences
   ("Login rejected (Digest, user admin): ...", set by its postdissector)
   are missing there although Wireshark's packet list and tshark's summary
   lines show them. The goldens' Info column is therefore read from the
   summary lines (-T tabs with the column format INFO_COLUMNS), the same
   on every version.
2. -T fields prints a boolean as 0/1 in 4.0 and False/True from 4.2 on:
   the goldens hold 0/1.
3. HTTP adds a chat expert item on each message's first line
   ("POST /wsman HTTP/1.1\\r\\n") in 4.0 only: the goldens leave it out.
4. TCP adds an expert item on a SYN without the SACK-permitted option ("The SYN
   packet does not contain a SACK PERM option") from 4.4 on (4.0 has none):
   the goldens, which show the plugin's verdict on such a SYN, leave it out.

usage: ws_version.py info-column VERSION
       ws_version.py golden VERSION FIELDS_TSV INFO_TSV BOOLEAN_FIELDS SEP
  info-column prints the Info column's -T fields name on VERSION.
  golden prints the golden form of FIELDS_TSV (-T fields -E header=y, the
  first column frame.number, the last _ws.expert.message, occurrences
  joined with SEP) with the Info column of INFO_TSV (-T tabs, INFO_COLUMNS)
  inserted second, as "Info", and occurrences joined with "|".
"""
import re
import sys

# tshark -o value for the summary lines the Info column is read from.
INFO_COLUMNS = 'gui.column.format:"No.","%m","Info","%i"'

NO_SACK_PERM = "The SYN packet does not contain a SACK PERM option"
HTTP_FIRST_LINE = re.compile(r"^([A-Z]+ \S+ HTTP/1\.[01]|HTTP/1\.[01] \d{3}( .*)?)\\r\\n$")


def at_least(version, major, minor):
    v = tuple(int(x) for x in version.split(".")[:2])
    return v >= (major, minor)


def info_column(version):
    return "_ws.col.info" if at_least(version, 4, 2) else "_ws.col.Info"


def golden(version, fields_tsv, info_tsv, booleans, sep):
    info = {}
    for line in open(info_tsv, encoding="utf-8"):
        cells = line.rstrip("\n").split("\t")
        if cells and cells[0].strip().isdigit():
            info[cells[0].strip()] = cells[1] if len(cells) > 1 else ""
    lines = open(fields_tsv, encoding="utf-8").read().split("\n")
    head = lines[0].split("\t")
    new_bools = at_least(version, 4, 2)
    http_chat = not at_least(version, 4, 2)
    no_sack = at_least(version, 4, 4)
    bools = [i for i, h in enumerate(head) if h in booleans] if new_bools else []
    out = ["\t".join([head[0], "Info"] + head[1:])]
    for line in lines[1:]:
        if not line:
            continue
        cells = line.split("\t")
        for i in bools:
            cells[i] = sep.join({"False": "0", "True": "1"}.get(v, v)
                                for v in cells[i].split(sep))
        msgs = [m for m in cells[-1].split(sep)
                if m and not (http_chat and HTTP_FIRST_LINE.match(m))
                and not (no_sack and m == NO_SACK_PERM)]
        cells[-1] = sep.join(msgs)
        cells.insert(1, info.get(cells[0], "(no summary line)"))
        out.append("\t".join(cells).replace(sep, "|"))
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    if sys.argv[1:2] == ["info-column"]:
        print(info_column(sys.argv[2]))
    elif sys.argv[1:2] == ["golden"]:
        version, fields_tsv, info_tsv, booleans, sep = sys.argv[2:7]
        sys.stdout.write(golden(version, fields_tsv, info_tsv, booleans.split(","), sep))
    else:
        sys.exit(__doc__)
