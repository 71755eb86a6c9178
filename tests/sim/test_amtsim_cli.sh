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
: >"$tmp/file"
expect 1 "$tmp/file/sub" -- "$amtsim" --out "$tmp/file/sub" ok-tls13
if [ -e "$tmp/x" ]; then
    echo "FAIL: output written despite an unknown scenario"
    fail=$((fail + 1))
else
    pass=$((pass + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
