#!/bin/sh
# Records the CIRA scenarios for real: tests/sim's AMT calls its MPS over
# TCP on 127.0.0.1:4433 with real OpenSSL TLS (cirasim) while dumpcap
# captures the loopback interface. The connection that fills the accept
# queue for cira-tcp-unanswered (source port 4999) is left out of the
# capture. Needs capture rights on lo (root, or the wireshark group).
#
# usage: record-cira.sh CIRASIM OUTDIR [SCENARIO...]
set -eu
cirasim=$1
out=$2
shift 2
[ $# -gt 0 ] || set -- $("$cirasim" --list | cut -f1)

. "$(dirname "$0")/dumpcap-lo.sh"
mkdir -p "$out"
for sc in "$@"; do
    mkdir -p "$out/$sc"
    lo_start record-cira "$out/$sc/capture.pcapng" "tcp port 4433 and not tcp port 4999"
    "$cirasim" --out "$out" "$sc"
    lo_stop "$out/$sc/capture.pcapng"
done
