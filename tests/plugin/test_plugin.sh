#!/bin/sh
# The plugin, freshly built, loads into the system's tshark and decodes AMT
# traffic on its ports without any "Decode As".
# usage: test_plugin.sh PLUGIN_SO WS_MAJOR_MINOR SAMPLES_DIR
#
# tshark started as root ignores personal plugin folders, and CI runs as
# root: tshark runs here as nobody, with a private HOME whose personal
# plugin folder holds the plugin (so Wireshark's own plugins load too).
set -u
so=$1 ver=$2 samples=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home/.local/lib/wireshark/plugins/$ver/epan" "$tmp/samples"
cp "$so" "$tmp/home/.local/lib/wireshark/plugins/$ver/epan/"
for s in ok-tls12-ecdhe-gcm ok-http-16992; do
    cp -r "$samples/$s" "$tmp/samples/"
done
chmod -R a+rX "$tmp"

as_user() {
    if [ "$(id -u)" -eq 0 ]; then
        setpriv --reuid=65534 --regid=65534 --clear-groups \
            env -u XDG_CONFIG_HOME HOME="$tmp/home" "$@"
    else
        env -u XDG_CONFIG_HOME HOME="$tmp/home" "$@"
    fi
}

passed=0 failed=0
check() { # check NAME EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        passed=$((passed + 1))
        echo "ok   $1"
    else
        failed=$((failed + 1))
        echo "FAIL $1"
        echo "     expected: $2"
        echo "     got:      $3"
    fi
}

# 1. it loads
got=$(as_user tshark -G plugins 2>&1 | awk '$1 == "amtdiag.so" {print $3}')
check "plugin listed by tshark -G plugins" "dissector" "$got"

# 2. its fields are registered, each once, all under iamt.
# (test_plugin_fields.sh checks the login, EOI and wsman fields)
fields=$(as_user tshark -G fields 2>/dev/null | awk -F'\t' '$1 == "F" && $5 == "iamt" {print $3}')
check "iamt banner fields registered" "iamt.fw_major iamt.fw_version iamt.server" \
    "$(echo "$fields" | grep -Fx -e iamt.fw_major -e iamt.fw_version -e iamt.server | sort |
        tr '\n' ' ' | sed 's/ $//')"
dups=$(as_user tshark -G fields 2>/dev/null | awk -F'\t' '$1 == "F" {print $3}' | sort | uniq -d |
    grep '^iamt' | tr '\n' ' ')
check "no iamt field registered twice" "" "$dups"
check "port preferences" "#iamt.http_ports: 16992 #iamt.tls_ports: 16993" \
    "$(as_user tshark -G currentprefs 2>/dev/null | grep -e '^#iamt\.http_ports' -e '^#iamt\.tls_ports' |
        tr '\n' ' ' | sed 's/ $//')"
check "TLS diagnosis preferences" "#iamt.trusted_fqdn: #iamt.amt_clock_offset:" \
    "$(as_user tshark -G currentprefs 2>/dev/null | grep -e '^#iamt\.trusted_fqdn' \
        -e '^#iamt\.amt_clock_offset' | tr -d ' ' | tr '\n' ' ' | sed 's/ $//')"

# 3. TLS on 16993 decodes as HTTP with only the key log given
s="$tmp/samples/ok-tls12-ecdhe-gcm"
got=$(as_user tshark -n -r "$s/capture.pcapng" -o "tls.keylog_file:$s/keylog.txt" \
    -Y http.response -T fields -e http.response.code -e iamt.fw_version 2>/dev/null |
    tr '\t\n' ',,')
check "16993: HTTP inside TLS and the AMT version" \
    "401,12.0.45.1509,200,12.0.45.1509,200,12.0.45.1509,200,12.0.45.1509,200,12.0.45.1509," "$got"

# 4. plain 16992 decodes as HTTP even with the HTTP heuristic disabled
s="$tmp/samples/ok-http-16992"
got=$(as_user tshark -n -r "$s/capture.pcapng" --disable-heuristic http_tcp -Y http.response \
    -T fields -e http.response.code 2>/dev/null | tr '\n' ',')
check "16992: HTTP by port" "401,200,200,200,200," "$got"

# 5. the plugin's registration, not tshark's TLS heuristic, decodes 16993;
#    a changed port preference moves the hand-off (nothing on 16993 then)
s="$tmp/samples/ok-tls12-ecdhe-gcm"
got=$(as_user tshark -n -r "$s/capture.pcapng" -o "tls.keylog_file:$s/keylog.txt" \
    --disable-heuristic tls_tcp -Y http -T fields -e frame.number 2>/dev/null | wc -l)
check "16993 decoded by the plugin's port registration" "10" "$got"
got=$(as_user tshark -n -r "$s/capture.pcapng" -o "tls.keylog_file:$s/keylog.txt" \
    -o iamt.tls_ports:4433 --disable-heuristic tls_tcp -Y http -T fields -e frame.number \
    2>/dev/null | wc -l)
check "iamt.tls_ports preference is applied" "0" "$got"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
