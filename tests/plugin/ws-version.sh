# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by the plugin tests: how Wireshark itself differs between the
# versions the plugin is tested on (4.0, 4.4, 4.6), in tshark's output
# rather than in the plugin. These, and nothing else, are told apart:
#   - the Info column's field for -T fields: _ws.col.Info in 4.0,
#     _ws.col.info from 4.2 on (the columns became registered fields);
#   - booleans printed by -T fields: 0/1 in 4.0, False/True from 4.2 on.

# ws_at_least VER MAJOR.MINOR: whether VER (e.g. 4.4) is at least MAJOR.MINOR.
ws_at_least() {
    [ "$(printf '%s\n%s\n' "$2" "$1" | sort -t. -k1,1n -k2,2n | head -n 1)" = "$2" ]
}

# The Info column's field name in -T fields.
ws_info_column() {
    if ws_at_least "$1" 4.2; then echo _ws.col.info; else echo _ws.col.Info; fi
}
