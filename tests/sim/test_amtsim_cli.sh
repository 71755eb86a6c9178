#!/bin/sh
# Bad input to the simulator's command line gets a clear message and a
# non-zero exit status. usage: test_amtsim_cli.sh PATH_TO_AMTSIM
amtsim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 pass=0
expect() { # expect STATUS PATTERN -- command...
    want=$1 pattern=$2
    shift 3
    "$@" >"$tmp/out" 2>&1
    got=$?
    if [ "$got" -ne "$want" ] || ! grep -q -- "$pattern" "$tmp/out"; then
        echo "FAIL: $* -> exit $got, wanted $want and \"$pattern\"; output:"
        cat "$tmp/out"
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
        echo "ok: $*"
    fi
}
expect 2 'unknown scenario "no-such-scenario"' -- "$amtsim" --out "$tmp/x" no-such-scenario
expect 2 'usage:' -- "$amtsim"
expect 2 'unknown option --bogus' -- "$amtsim" --bogus
expect 0 'mtls-no-amt-console-eku' -- "$amtsim" --list
# amtsim --serve refuses bad options before it makes keys or listens
expect 0 '--mutual-auth' -- "$amtsim" --serve --help
expect 2 'usage: amtsim --serve' -- "$amtsim" --serve
expect 2 '--plain bogus: use serve, close, reset or off' -- "$amtsim" --serve "$tmp/s" --plain bogus
expect 2 '--tls-max 1.4: use 1.0' -- "$amtsim" --serve "$tmp/s" --tls-max 1.4
expect 2 '--tls-min is above --tls-max' -- "$amtsim" --serve "$tmp/s" --tls-min 1.3 --tls-max 1.2
expect 2 '--user NAME:PASSWORD' -- "$amtsim" --serve "$tmp/s" --user nocolon
expect 2 '--clock-offset 1d: seconds' -- "$amtsim" --serve "$tmp/s" --clock-offset 1d
expect 2 '--dns amt.example.com: NAME=IPV4' -- "$amtsim" --serve "$tmp/s" --dns amt.example.com
expect 2 '--listen needs a value' -- "$amtsim" --serve "$tmp/s" --listen
expect 2 'unknown option --bogus' -- "$amtsim" --serve "$tmp/s" --bogus
expect 1 'not an IP address' -- "$amtsim" --serve "$tmp/s" --listen no-such-address
: >"$tmp/file"
expect 1 "$tmp/file/sub" -- "$amtsim" --out "$tmp/file/sub" ok-tls13
expect 1 "$tmp/file/sub" -- "$amtsim" --serve "$tmp/file/sub"
if [ -e "$tmp/x" ]; then
    echo "FAIL: output written despite an unknown scenario"
    fail=$((fail + 1))
else
    pass=$((pass + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
