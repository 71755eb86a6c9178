# Sourced by the recording scripts (record-loopback.sh, record-cira.sh):
# dumpcap on the loopback interface around one scenario run.
#
# lo_start TAG FILE FILTER: starts dumpcap writing FILE and waits until it
#   has opened the interface (it names its file then); exits 77 when it
#   cannot capture (no dumpcap, no rights on lo).
# lo_stop FILE: stops it once the last packets are in, and says how many
#   packets FILE holds.

lo_start() {
    lo_tag=$1
    command -v dumpcap >/dev/null || { echo "$lo_tag: dumpcap not found" >&2; exit 77; }
    lo_log="$2.dumpcap.log"
    dumpcap -q -i lo -f "$3" -w "$2" >"$lo_log" 2>&1 &
    lo_pid=$!
    lo_n=0
    until grep -q "File:" "$lo_log" 2>/dev/null; do
        lo_n=$((lo_n + 1))
        if [ $lo_n -gt 100 ] || ! kill -0 $lo_pid 2>/dev/null; then
            echo "$lo_tag: dumpcap could not capture on lo:" >&2
            cat "$lo_log" >&2
            kill $lo_pid 2>/dev/null || true
            rm -f "$lo_log"
            exit 77
        fi
        sleep 0.1
    done
}

lo_stop() {
    sleep 0.5
    kill -INT $lo_pid
    wait $lo_pid || true
    rm -f "$lo_log"
    chmod a+r "$1"
    echo "recorded $(basename "$(dirname "$1")"): $(capinfos -c -M "$1" 2>/dev/null |
        sed -n 's/.*packets: *//p') packets"
}
