#!/bin/sh
# Live capture as tshark users drive it: -c N stops after N packets, -a
# duration:S after S seconds, -w FILE keeps the packets (the same report
# from the file afterwards). In a network namespace of its own (loopback
# only), with a plain HTTP server on AMT's port 16992 and curl as the
# console. Skipped (77) without root or unshare.
# usage: test_live.sh AMTDIAG
set -u
amtdiag=$1
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null || ! command -v curl >/dev/null; then
    echo "SKIP: live capture in a network namespace needs root, unshare and curl"
    exit 77
fi
if [ -z "${AMTDIAG_IN_NETNS:-}" ]; then
    exec env AMTDIAG_IN_NETNS=1 unshare --net sh "$0" "$@"
fi
ip link set lo up
tmp=$(mktemp -d)
trap 'kill $server 2>/dev/null; rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() {
    passed=$((passed + 1))
    echo "ok   $1"
}
bad() {
    failed=$((failed + 1))
    echo "FAIL $1"
    [ -f "$tmp/err" ] && head -5 "$tmp/err"
}

mkdir "$tmp/www" && echo "hello" >"$tmp/www/index.html"
python3 -m http.server 16992 --bind 127.0.0.1 --directory "$tmp/www" >/dev/null 2>&1 &
server=$!
n=0
until curl -s -o /dev/null http://127.0.0.1:16992/ 2>/dev/null; do
    n=$((n + 1))
    [ $n -gt 50 ] && { echo "FAIL the HTTP server did not start"; exit 1; }
    sleep 0.1
done

# -c: stops after 12 packets; -w keeps exactly those
"$amtdiag" -i lo -c 12 -w "$tmp/keep.pcapng" --format json -o "$tmp/live.json" 2>"$tmp/err" &
pid=$!
sleep 1
for i in 1 2 3 4 5; do curl -s -o /dev/null http://127.0.0.1:16992/; done
n=0
while kill -0 $pid 2>/dev/null && [ $n -lt 100 ]; do
    curl -s -o /dev/null http://127.0.0.1:16992/
    sleep 0.1
    n=$((n + 1))
done
if kill -0 $pid 2>/dev/null; then
    kill $pid
    bad "-c 12: still capturing after 10 s of traffic"
else
    wait $pid
    rc=$?
    [ $rc -le 1 ] && ok "-c 12 ends the live capture (exit $rc)" || bad "-c 12: exit $rc"
fi
kept=$(tshark -r "$tmp/keep.pcapng" 2>/dev/null | wc -l)
[ "$kept" -eq 12 ] && ok "-w kept the 12 packets" || bad "-w kept $kept packets, not 12"
grep -q "keep.pcapng: 12 frames kept" "$tmp/err" && ok "-w says how many it kept" ||
    bad "-w: no \"12 frames kept\" message"
grep -q '"protocol" : "http"' "$tmp/live.json" && ok "the live report decodes the HTTP" ||
    bad "the live report has no HTTP connection"
"$amtdiag" -r "$tmp/keep.pcapng" --format json >"$tmp/file.json" 2>"$tmp/err"
live=$(grep -c '"id" :' "$tmp/live.json")
file=$(grep -c '"id" :' "$tmp/file.json")
[ "$live" -ge 1 ] && [ "$live" -eq "$file" ] &&
    ok "the kept file gives the same $file connection(s)" || bad "live $live, kept file $file connections"
[ "$(stat -c %a "$tmp/keep.pcapng")" = 600 ] && ok "the kept capture is mode 0600" ||
    bad "the kept capture is mode $(stat -c %a "$tmp/keep.pcapng")"

# -a duration: stops with no traffic at all, after about that long
start=$(date +%s)
"$amtdiag" -q -i lo -a duration:2 >"$tmp/out" 2>"$tmp/err"
rc=$?
took=$(($(date +%s) - start))
[ $rc -eq 0 ] && [ $took -ge 2 ] && [ $took -le 8 ] && ok "-a duration:2 stops after ${took} s" ||
    bad "-a duration:2: exit $rc after $took s"
grep -q "No TCP connections" "$tmp/out" && ok "an empty live capture says so" ||
    bad "no report of the empty live capture"

# Ctrl-C ends a live capture on a quiet interface at once
"$amtdiag" -q -i lo >"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 1
kill -INT $pid
n=0
while kill -0 $pid 2>/dev/null && [ $n -lt 30 ]; do
    sleep 0.1
    n=$((n + 1))
done
if kill -0 $pid 2>/dev/null; then
    kill -9 $pid
    bad "SIGINT did not end a live capture on a quiet interface within 3 s"
else
    ok "SIGINT ends a live capture on a quiet interface"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
