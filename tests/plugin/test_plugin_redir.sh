#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The redirection protocol (iamt.redir) on captures make_redir_pcap.py
# writes: SOL after a Digest login, a wrong password, a busy device, SOL
# refused after the login, KVM with the password in clear and RFB handed
# to VNC, IDE-R with Kerberos refused, bytes of another protocol after the
# start, and the SOL session inside real TLS on 16995. Checks, for each:
# the message types in order equal the generator's, the login outcomes,
# the expert infos — lib's cause tokens (the Digest ones told apart when
# the passwords table is filled), shown on the message that settles them —
# one pass = two; and 10 mutated copies of each do not crash tshark.
# usage: test_plugin_redir.sh PLUGIN_SO WS_MAJOR_MINOR
set -u
so=$1 ver=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home/.local/lib/wireshark/plugins/$ver/epan" "$tmp/c" "$tmp/out"
cp "$so" "$tmp/home/.local/lib/wireshark/plugins/$ver/epan/" || exit 1
python3 "$here/make_redir_pcap.py" "$tmp/c" || exit 1
chmod -R a+rwX "$tmp"
as_user=
[ "$(id -u)" -eq 0 ] && as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
ts() { $as_user env -u XDG_CONFIG_HOME HOME="$tmp/home" tshark "$@"; }

# fields: frame, types, outcome, status name, user, ticket length,
# SOL data, VNC versions, expert messages and severities, lib's cause
# tokens and their evidence
view() { # view OUT CAPTURE [tshark options]
    out=$1 cap=$2
    shift 2
    ts -n -r "$cap" -o "tls.keylog_file:$tmp/c/sol-tls.keylog" "$@" -T fields \
        -E occurrence=a -E aggregator='|' -e frame.number -e iamt.redir.type \
        -e iamt.redir.auth.outcome -e iamt.redir.status_name -e iamt.redir.auth.user \
        -e iamt.redir.auth.ticket_len -e iamt.redir.data -e vnc.server_proto_ver \
        -e vnc.client_proto_ver -e _ws.expert.message -e _ws.expert.severity \
        -e iamt.redir.cause -e iamt.finding.evidence >"$out" 2>"$out.err"
}
for cap in "$tmp"/c/*.pcap; do
    n=$(basename "$cap" .pcap)
    view "$tmp/out/$n.1" "$cap"
    view "$tmp/out/$n.2" "$cap" -2
done
uat() { printf '"%s","%s"\n' "$1" "$2" >"$tmp/home/.config/wireshark/iamt_passwords"; }
mkdir -p "$tmp/home/.config/wireshark"
chmod -R a+rwX "$tmp/home"
w=$tmp/c/sol-digest-wrong-password.pcap
uat admin 'P@ssw0rd' && view "$tmp/out/wrong-known" "$w"
uat operator 'P@ssw0rd' && view "$tmp/out/wrong-unknown-user" "$w"
uat admin 'not-the-password' && view "$tmp/out/wrong-correct" "$w"
uat admin 'P@ssw0rd' && view "$tmp/out/ok-known" "$tmp/c/sol-digest-ok.pcap"
# The other fields, on the SOL capture.
ts -n -r "$tmp/c/sol-digest-ok.pcap" -T fields -E occurrence=a -E aggregator='|' \
    -e frame.number -e iamt.redir.type -e iamt.redir.session -e iamt.redir.auth.login_in \
    -e iamt.redir.seq -e iamt.redir.sol.control -e iamt.redir.sol.status -e iamt.redir.oem_len \
    -e iamt.redir.auth.methods -Y iamt.redir >"$tmp/out/fields" 2>&1
ts -G values >"$tmp/out/values" 2>/dev/null
# The enumerated outcome works as a display filter by name.
ts -n -r "$tmp/c/sol-digest-ok.pcap" -Y 'iamt.redir.auth.outcome == "accepted"' -T fields \
    -e frame.number >"$tmp/out/accepted" 2>&1
# Without TCP reassembly the split messages are cut short, and said so.
view "$tmp/out/no-reassembly" "$tmp/c/sol-digest-ok.pcap" -o tcp.desegment_tcp_streams:FALSE
rm -f "$tmp/home/.config/wireshark/iamt_passwords"

# Mutations: 10 copies of each capture, each byte changed with p = 0.03.
crashed=0
for cap in "$tmp"/c/*.pcap; do
    # (AMTDIAG_REDIR_MUTATIONS=0: none, as in the other Wireshark versions'
    # chroots, where robustness is not what is tested.)
    for seed in $(seq "${AMTDIAG_REDIR_MUTATIONS:-10}"); do
        m=$tmp/mut.pcap
        editcap -E 0.03 --seed "$seed" "$cap" "$m" 2>/dev/null
        chmod a+r "$m"
        if ! ts -n -r "$m" -o "tls.keylog_file:$tmp/c/sol-tls.keylog" -V >/dev/null 2>"$tmp/mut.err" ||
            grep -qi "dissector bug\|assert" "$tmp/mut.err"; then
            echo "FAIL mutated $(basename "$cap") seed $seed: $(head -c 300 "$tmp/mut.err")"
            crashed=$((crashed + 1))
        fi
    done
done

PYTHONPATH=$here python3 - "$tmp" "$crashed" <<'PY'
import os, sys
from tally import check, finish
tmp, crashed = sys.argv[1], int(sys.argv[2])
out = os.path.join(tmp, "out")
# The login outcome is enumerated: its names from tshark -G values.
names = {}
for line in open(os.path.join(out, "values")):
    c = line.rstrip("\n").split("\t")
    if len(c) == 4 and c[0] == "V" and c[1] == "iamt.redir.auth.outcome":
        names[c[2]] = c[3]
check("iamt.redir.auth.outcome's value set",
      {"1": "challenge", "2": "accepted", "3": "rejected", "4": "unsupported", "5": "other"},
      names)

def rows(name):
    r = []
    for line in open(os.path.join(out, name)):
        c = line.rstrip("\n").split("\t")
        c = c + [""] * (13 - len(c))
        c[2] = "|".join(names.get(v, "?" + v) for v in c[2].split("|") if v)
        r.append(c)
    return r

def col(r, i):
    return [x for row in r for x in row[i].split("|") if x]

ok = rows("sol-digest-ok.1")
check('iamt.redir.auth.outcome == "accepted" as a filter (frames)',
      [row[0] for row in ok if "accepted" in row[2].split("|")],
      open(os.path.join(out, "accepted")).read().split())
check("sol-digest-ok: one accepted login", 1, sum("accepted" in row[2] for row in ok))

def errors(r):
    return [m for row in r for m, s in zip(row[9].split("|"), row[10].split("|"))
            if m and s in ("6291456", "8388608")]  # PI_WARN, PI_ERROR

def tokens(r):
    """lib's cause tokens (iamt.redir.cause)."""
    return col(r, 11)

def evidence(r):
    """lib's evidence of each cause (iamt.finding.evidence)."""
    return col(r, 12)

for n in sorted(f[:-6] for f in os.listdir(os.path.join(tmp, "c")) if f.endswith(".types")):
    r = rows(n + ".1")
    want = open(os.path.join(tmp, "c", n + ".types")).read().split()
    check(n + ": message types in order", want, ["%02x" % int(t, 16) for t in col(r, 1)])
    check(n + ": tshark quiet on stderr", "", open(os.path.join(out, n + ".1.err")).read()[:300])
    check(n + ": one pass = two", r, rows(n + ".2"))
    malformed = [m for m in col(r, 9) if "alformed" in m or "cut short" in m or "Not a redir" in m]
    if n != "garbage-after-start":
        check(n + ": nothing malformed", [], malformed)
    outcomes = col(r, 2)
    e = errors(r)
    if n in ("sol-digest-ok", "sol-tls"):
        check(n + ": outcomes", ["challenge", "accepted"], outcomes)
        check(n + ": no warning or error", [], e)
        check(n + ": SOL data both ways", ["6c730d0a", "48656c6c6f2c20776f726c640a"], col(r, 6))
        check(n + ": user", True, set(col(r, 4)) == {"admin"})
    elif n == "sol-digest-wrong-password":
        check(n + ": outcomes", ["challenge", "rejected"], outcomes)
        check(n + ": cause without passwords", ["digest-login-rejected"], tokens(r))
        check(n + ": the evidence names the user and what would settle it", True,
              'user "admin" was refused' in evidence(r)[0] and
              "iamt.passwords" in evidence(r)[0])
    elif n == "ider-busy":
        check(n + ": status", ["BUSY"], col(r, 3))
        check(n + ": cause", ["redir-session-busy"], tokens(r))
        check(n + ": the evidence says why", True, "another redirection session" in evidence(r)[0])
    elif n == "kvm-userpass":
        check(n + ": outcomes", ["accepted"], outcomes)
        check(n + ": password in clear", ["redir-password-in-clear"], tokens(r))
        check(n + ": RFB to VNC, both ways", (["003.008"], ["003.008"]), (col(r, 7), col(r, 8)))
    elif n == "ider-kerberos-unsupported":
        check(n + ": outcomes", ["unsupported", "challenge", "accepted"], outcomes)
        check(n + ": ticket length", ["302"], col(r, 5))
        check(n + ": cause", ["negotiate-not-offered"], tokens(r))
    elif n == "sol-start-refused":
        check(n + ": outcomes", ["challenge", "accepted"], outcomes)
        check(n + ": cause", ["redir-session-refused"], tokens(r))
        check(n + ": the evidence names the status", True, "UNSUPPORTED (status 3)" in evidence(r)[0])
    elif n == "garbage-after-start":
        check(n + ": expert", ["Not a redirection message (type 0x99)"],
              [m for m in e if "redirection message" in m])
    else:
        check(n + ": has checks", "", n)

for name, token in (("wrong-known", "digest-wrong-password"),
                    ("wrong-unknown-user", "digest-unknown-user"),
                    ("wrong-correct", "digest-correct-password-rejected")):
    check("passwords table, " + name, [token], tokens(rows(name)))
check("passwords table, accepted login: no finding", [], errors(rows("ok-known")))
f = [l.rstrip("\n").split("\t") for l in open(os.path.join(out, "fields"))]
by_type = {}
for row in f:
    for t in row[1].split("|"):
        by_type.setdefault(t, []).append(row)
login = [r[0] for r in by_type["0x13"]][-1]  # the Digest response's frame
check("session tag", "SOL ", by_type["0x10"][0][2])
check("accepted reply links its login", login, by_type["0x14"][-1][3])
check("SOL data to host: sequence 1", "1", by_type["0x28"][0][4])
check("SOL controls: RTS|DTR bits and status", ("0x02", "0x04"),
      (by_type["0x29"][0][5], by_type["0x29"][0][6]))
check("start reply: OEM length", "0", by_type["0x11"][0][7])
check("methods offered", "user/password, Digest (RFC 2069), Digest", by_type["0x14"][0][8])
check("without reassembly: a message cut short is named", True,
      "Message cut short: 7 bytes, header incomplete" in errors(rows("no-reassembly")))
check("mutated captures: no crash, no dissector bug", 0, crashed)
finish()
PY
