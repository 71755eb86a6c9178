#!/bin/sh
# Fleet-size benchmark: amtdiag against tshark and ssldump on the same
# captures in one run.
#
#   fleet-SIZE  amtsim --fleet: a management server's traffic to thousands of
#               AMTs (TLS 1.2 ECDHE, TLS 1.3, static RSA, plain HTTP, ~10 %
#               failures), with its key log and the AMT's RSA key
#   bulk-100M   amtsim --bulk: one TLS 1.2 connection with a 100 MiB chunked
#               WS-Man response, with its key log
#   ooo-160k    bench/make_ooo_pcap.py: one request body in 160 000 one-byte
#               segments in the worst order for reassembly (no TLS)
#
# Captures are made once into a cache ($AMTDIAG_BENCH_DIR, default
# /var/tmp/amtdiag-bench) and made again only when tests/sim changes. Each
# tool runs RUNS times (default 3) per capture; the table gives the median
# elapsed time, CPU time (user+sys) and peak RSS from /usr/bin/time, the CPU
# ratio of each tool to amtdiag's first line, and the HTTP responses each
# tool reported (decrypted) against those the generator labelled. For each
# fleet capture it prints the floor of issue 13: RSA-key-exchange handshakes
# ÷ `openssl speed rsa2048` private-key rate + bytes decrypted ÷ AES rate at
# the record sizes seen + time to read the file; and, with two sizes, the
# time per GiB at the larger ÷ at the smaller.
#
# usage: bench/fleet.sh [SIZE...]      (default: 100M 1G)
# environment: AMTDIAG (build/analyzer/amtdiag), AMTSIM (build/tests/sim/amtsim),
#   CPUTIME (build/bench/cputime: the timer, GNU time without it),
#   RUNS (3), AMTDIAG_BENCH_DIR, SKIP="tshark ssldump bulk ooo" (any of them),
#   LIMIT (900: seconds a run may take; a run stopped there is shown as
#   ">LIMIT" and that tool is not run again on that capture)
set -eu
cd "$(dirname "$0")/.."
amtdiag=${AMTDIAG:-build/analyzer/amtdiag}
amtsim=${AMTSIM:-build/tests/sim/amtsim}
runs=${RUNS:-3}
limit=${LIMIT:-900}
cache=${AMTDIAG_BENCH_DIR:-/var/tmp/amtdiag-bench}
skip=${SKIP:-}
[ $# -gt 0 ] || set -- 100M 1G
for f in "$amtdiag" "$amtsim"; do
    [ -x "$f" ] || { echo "fleet.sh: $f not built (make build)" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "fleet.sh: needs /usr/bin/time: apt-get install time" >&2; exit 2; }
# the runs' timer: bench/cputime (built with the project) gives CPU seconds
# to the millisecond; GNU time cuts them to the hundredth, 10 % of a 0.1 s run
cputime=${CPUTIME:-build/bench/cputime}
if [ -x "$cputime" ]; then
    timer=$cputime
else
    echo "fleet.sh: $cputime missing: CPU times to the hundredth (GNU time)" >&2
    timer='/usr/bin/time -f %e%t%U%t%S%t%M%t%x'
fi
have() { command -v "$1" >/dev/null 2>&1; }
skipped() { case " $skip " in *" $1 "*) return 0 ;; esac; return 1; }
if ! have tshark && ! skipped tshark; then
    echo "fleet.sh: tshark missing (apt-get install tshark); its lines are left out" >&2
    skip="$skip tshark"
fi
if ! have ssldump && ! skipped ssldump; then
    echo "fleet.sh: ssldump missing (apt-get install ssldump); its lines are left out" >&2
    skip="$skip ssldump"
fi
mkdir -p "$cache"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the generator's identity: the captures are remade when its sources
# (tests/sim/*.c, *.h, CMakeLists.txt) change, not when its tests do
gen_src="tests/sim/*.[ch] tests/sim/CMakeLists.txt"
# shellcheck disable=SC2086
gen_id=$(git ls-tree HEAD -- $gen_src 2>/dev/null | sha1sum | cut -c1-40)
# shellcheck disable=SC2086
if [ -n "$(git status --porcelain -- $gen_src 2>/dev/null)" ]; then
    gen_id="$gen_id-dirty"
fi

# note_command CAPTURE TOOL COMMAND...: keeps the command for the report,
# one argument per tab-separated field
note_command() {
    {
        printf '%s\t%s' "$1" "$2"
        shift 2
        for a in "$@"; do printf '\t%s' "$a"; done
        echo
    } >>"$tmp/cmds"
}

# make DIR COMMAND...: runs COMMAND to fill DIR unless DIR holds its output
# from this generator already
make_capture() {
    dir=$1
    shift
    note_command "$(basename "$dir")" generate "$@"
    if [ -f "$dir/capture.pcapng" ] && [ "$(cat "$dir/.generator" 2>/dev/null)" = "$gen_id" ]; then
        return 0
    fi
    rm -rf "$dir"
    echo "fleet.sh: making $dir" >&2
    /usr/bin/time -f "%e s elapsed, %U s user, %S s sys, %M KiB peak RSS" -o "$tmp/gen" \
        "$@" >&2
    echo "fleet.sh: made $(basename "$dir") in $(cat "$tmp/gen")" >&2
    cp "$tmp/gen" "$dir/.generation-time"
    echo "$gen_id" >"$dir/.generator"
}

# amtdiag's options for a fleet capture: its keys and what an engineer knows
fleet_opts() {
    echo "--keylog $1/keylog.txt --key $1/amt-rsa-key.pem --password admin:Vpro!Admin-2026" \
        "--trusted-fqdn it.example.com --ca $1/root-ca.pem"
}

# the HTTP responses the generator labelled (what a decoder must find)
labelled() {
    awk -F'\t' 'NR > 2 && $2 != "dns" && $13 != "-" { n += split($13, a, ",") } END { print n + 0 }' \
        "$1/labels.tsv"
}

# measure CAPTURE TOOL COUNTER COMMAND...: runs COMMAND RUNS times (output
# counted by COUNTER on the first run, discarded after), prints a row
rows=$tmp/rows
measure() {
    cap=$1 tool=$2 counter=$3
    shift 3
    note_command "$cap" "$tool" "$@"
    : >"$tmp/m"
    i=0
    seen=-
    while [ $i -lt "$runs" ]; do
        if [ $i -eq 0 ]; then
            $timer -o "$tmp/t" timeout "$limit" "$@" 2>/dev/null |
                $counter >"$tmp/seen" || true
            seen=$(cat "$tmp/seen")
        else
            $timer -o "$tmp/t" timeout "$limit" "$@" >/dev/null 2>&1 ||
                true
        fi
        tail -1 "$tmp/t" >>"$tmp/m"
        i=$((i + 1))
        if [ "$(tail -1 "$tmp/t" | awk '{ print $5 }')" = 124 ]; then
            seen="stopped at ${limit} s"
            break
        fi
    done
    # median of each column
    set -- $(for col in 1 2 4; do
        if [ $col -eq 2 ]; then
            awk '{ print $2 + $3 }' "$tmp/m"
        else
            awk -v c=$col '{ print $c }' "$tmp/m"
        fi | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
    done)
    status=$(awk '{ print $5 }' "$tmp/m" | sort -u | tr '\n' ' ')
    printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$cap" "$tool" "$1" "$2" "$3" "$seen" "$status" >>"$rows"
}

count_lines() { grep -c . || true; }
count_http() { grep -c '^ *HTTP/1\.[01] [0-9][0-9][0-9]' || true; }
count_none() { cat >/dev/null; echo "-"; }

tsh="tshark -n -d tcp.port==16992,http -d tcp.port==16993,tls -o http.tls.port:443,16993"

# amtdiag with -j 1 and -j 2 once it has the option
jopts="''"
if "$amtdiag" --help 2>&1 | grep -q -- '^ *-j '; then
    jopts="'-j 1' '-j 2'"
fi
formats="text json"
if "$amtdiag" --help 2>&1 | grep -q ndjson; then
    formats="text json ndjson markdown html"
fi

run_amtdiag() { # CAPTURE-NAME FILE OPTIONS
    name=$1 file=$2 opts=$3
    eval "set -- $jopts"
    for j in "$@"; do
        for fmt in $formats; do
            label="amtdiag $fmt${j:+ $j}"
            # shellcheck disable=SC2086
            measure "$name" "$label" count_none "$amtdiag" -r "$file" $opts \
                --format "$fmt" $j
        done
    done
}

: >"$rows"
: >"$tmp/cmds"
floors=$tmp/floors
: >"$floors"
for size in "$@"; do
    dir=$cache/fleet-$size-seed1
    make_capture "$dir" "$amtsim" --fleet "$dir" --size "$size" --seed 1
    name=fleet-$size
    opts=$(fleet_opts "$dir")
    run_amtdiag "$name" "$dir/capture.pcapng" "$opts"
    if ! skipped tshark; then
        measure "$name" "tshark" count_lines $tsh -r "$dir/capture.pcapng" \
            -o "tls.keylog_file:$dir/keylog.txt" -o "uat:rsa_keys:\"$dir/amt-rsa-key.pem\",\"\"" \
            -T fields -e http.response.code -Y http.response
    fi
    if ! skipped ssldump; then
        measure "$name" "ssldump -d" count_http ssldump -n -d -r "$dir/capture.pcapng" \
            -l "$dir/keylog.txt" -k "$dir/amt-rsa-key.pem"
    fi
    echo "$name	$dir	$(labelled "$dir")" >>"$floors"
done
if ! skipped bulk; then
    dir=$cache/bulk-100M
    make_capture "$dir" "$amtsim" --bulk "$dir" --size 100M
    run_amtdiag bulk-100M "$dir/capture.pcapng" "--keylog $dir/keylog.txt --password admin:Vpro!Admin-2026"
    if ! skipped tshark; then
        measure bulk-100M tshark count_lines $tsh -r "$dir/capture.pcapng" \
            -o "tls.keylog_file:$dir/keylog.txt" -T fields -e http.response.code -Y http.response
    fi
    if ! skipped ssldump; then
        measure bulk-100M "ssldump -d" count_http ssldump -n -d -r "$dir/capture.pcapng" \
            -l "$dir/keylog.txt"
    fi
fi
if ! skipped ooo; then
    dir=$cache/ooo-160k
    if [ ! -f "$dir/capture.pcap" ]; then
        mkdir -p "$dir"
        python3 bench/make_ooo_pcap.py "$dir/capture.pcap" 160000
    fi
    run_amtdiag ooo-160k "$dir/capture.pcap" ""
    if ! skipped tshark; then
        measure ooo-160k tshark count_lines $tsh -r "$dir/capture.pcap" \
            -T fields -e http.request.method -Y http.request
    fi
fi

echo "# bench/fleet.sh $*  ($(date -u +%Y-%m-%d), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "# $("$amtdiag" --version 2>&1 | head -1); $(tshark --version 2>/dev/null | head -1);" \
    "$(dpkg-query -W -f 'ssldump ${Version}' ssldump 2>/dev/null)"
echo
python3 - "$rows" "$floors" "$tmp/cmds" <<'EOF'
import json, os, re, shlex, subprocess, sys

rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
floors = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
cmds = [l.rstrip("\n").split("\t") for l in open(sys.argv[3])]

print("| capture | tool | elapsed s | CPU s | peak RSS MiB | CPU ÷ amtdiag | HTTP responses seen | exit |")
print("|---|---|---|---|---|---|---|---|")
base = {}
for cap, tool, el, cpu, rss, seen, status in rows:
    base.setdefault(cap, float(cpu))
    ratio = float(cpu) / base[cap] if base[cap] > 0 else 0
    print(f"| {cap} | {tool} | {float(el):.2f} | {float(cpu):.2f} | {int(rss) / 1024:.0f} | "
          f"{ratio:.2f} | {seen} | {status.strip()} |")


def speed(args):
    out = subprocess.run(["openssl", "speed", "-mr", "-seconds", "1"] + args,
                         capture_output=True, text=True).stdout
    return [l for l in out.splitlines() if l.startswith("+F")]


if floors:
    rsa = speed(["rsa2048"])[0].split(":")
    rsa_sign = float(rsa[3])
    sizes = [16, 64, 256, 1024, 8192, 16384]
    aes = {}
    for c in ("aes-128-gcm", "aes-256-gcm", "aes-128-cbc", "aes-256-cbc"):
        f = speed(["-decrypt", "-evp", c])[0].split(":")
        aes[c] = dict(zip(sizes, (float(x) for x in f[3:9])))
    print()
    print(f"openssl speed: rsa2048 {rsa_sign:.0f} private-key ops/s; decryption MB/s at "
          "16/64/256/1024/8192/16384-byte records: " +
          "; ".join(f"{c} " + "/".join(f"{v / 1e6:.0f}" for v in aes[c].values()) for c in aes))
    print()
    per_gib = {}
    for name, d, labelled in floors:
        j = json.load(open(os.path.join(d, "fleet.json")))
        t_rsa = j["rsa_key_exchange_handshakes"] / rsa_sign
        t_aes, nbytes = 0.0, 0
        for c, buckets in j["decrypted"].items():
            for sz, v in buckets.items():
                nbytes += v["bytes"]
                if c in aes:
                    t_aes += v["bytes"] / aes[c][int(sz)]
        cap = os.path.join(d, "capture.pcapng")
        subprocess.run(["cat", cap], stdout=subprocess.DEVNULL)  # warm the page cache
        t = subprocess.run(["/usr/bin/time", "-f", "%e", "cat", cap], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True).stderr.strip().splitlines()[-1]
        t_read = float(t)
        floor = t_rsa + t_aes + t_read
        gib = j["bytes"] / 2**30
        gen = open(os.path.join(d, ".generation-time")).read().strip()
        print(f"{name}: {j['bytes'] / 2**20:.0f} MiB, {j['sessions']} sessions, "
              f"{j['connections']} connections, {j['rsa_key_exchange_handshakes']} RSA key "
              f"exchanges, {nbytes / 2**20:.1f} MiB of records to decrypt, "
              f"{labelled} HTTP responses labelled; generated in {gen}")
        print(f"  floor {floor:.2f} s = RSA {t_rsa:.2f} s + AES {t_aes:.3f} s + read "
              f"{t_read:.2f} s (cat, page cache)")
        for cap_, tool, el, cpu, rss, seen, status in rows:
            if cap_ == name:
                per_gib.setdefault(tool, []).append((gib, float(el), float(cpu)))
                print(f"  {tool}: CPU {float(cpu) / floor:.2f} × floor")
    print()
    for tool, pts in per_gib.items():
        if len(pts) >= 2:
            (g0, e0, c0), (g1, e1, c1) = pts[0], pts[-1]
            print(f"scaling {tool}: time per GiB at {g1 * 1024:.0f} MiB ÷ at {g0 * 1024:.0f} MiB: "
                  f"CPU {(c1 / g1) / (c0 / g0):.2f}, elapsed {(e1 / g1) / (e0 / g0):.2f}")



# issue 13's targets, read off the rows above; amtdiag without -j counts as -j 1
def find(cap, tool):
    return next((r for r in rows if r[0] == cap and r[1] == tool), None)


def verdict(name, value, ok, target):
    print(f"  {name}: {value} (target {target}): {'met' if ok else 'NOT met'}")


print()
print("Targets of issue 13 (CPU ratios; with -j 2 the elapsed ratio):")
fleet_caps = [f[0] for f in floors]
amt_rows = lambda cap: [r for r in rows if r[0] == cap and r[1].startswith("amtdiag text")]
if fleet_caps:
    small, large = fleet_caps[0], fleet_caps[-1]
    ts, sd = find(small, "tshark"), find(small, "ssldump -d")
    for a in amt_rows(small):
        two = a[1].endswith("-j 2")
        if ts and float(a[2]) > 0:
            x = float(ts[2]) / float(a[2]) if two else float(ts[3]) / max(float(a[3]), 1e-9)
            verdict(f"{small} tshark ÷ {a[1]}", f"{x:.1f}", x >= (10 if two else 5),
                    "≥ 10" if two else "≥ 5")
        if sd and not two:
            x = float(sd[3]) / max(float(a[3]), 1e-9)
            verdict(f"{small} ssldump -d ÷ {a[1]}", f"{x:.1f}", x >= 2, "≥ 2")
    if large != small and "amtdiag text" in per_gib:
        (g0, e0, c0), (g1, e1, c1) = per_gib["amtdiag text"][0], per_gib["amtdiag text"][-1]
        x = (c1 / g1) / (c0 / g0)
        verdict(f"amtdiag text CPU per GiB, {large} ÷ {small}", f"{x:.2f}", x <= 1.10, "≤ 1.10")
    for r in rows:
        if r[0] == large and r[1].startswith("amtdiag"):
            mib = int(r[4]) / 1024
            verdict(f"{large} {r[1]} peak RSS", f"{mib:.0f} MiB", mib <= 64, "≤ 64 MiB")
bulk_sd = find("bulk-100M", "ssldump -d")
for a in amt_rows("bulk-100M"):
    if bulk_sd and not a[1].endswith("-j 2"):
        x = float(bulk_sd[3]) / max(float(a[3]), 1e-9)
        verdict(f"bulk-100M ssldump -d ÷ {a[1]}", f"{x:.1f}", x >= 10, "≥ 10")
print()
print("Commands (each timed with bench/cputime, or /usr/bin/time -f '%e %U %S %M %x' without it,"
      " and `timeout LIMIT`):")
print()
print("```sh")
done = set()
for cap, tool, *argv in cmds:
    line = shlex.join(argv)
    if line not in done:
        done.add(line)
        print(line)
print("```")
EOF
