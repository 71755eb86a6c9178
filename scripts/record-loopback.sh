#!/bin/sh
# Records scenarios for real: the simulator's fake AMT and console talk over
# TCP on 127.0.0.1:16992-16995 and dumpcap captures the loopback interface,
# so these samples come from the kernel's TCP stack rather than from the
# capture writer. Needs capture rights on lo (root, or the wireshark group).
#
# usage: record-loopback.sh AMTSIM OUTDIR [SCENARIO...]
set -eu
amtsim=$1
out=$2
shift 2
[ $# -gt 0 ] || set -- ok-tls12-ecdhe-gcm ok-tls13 mtls-no-amt-console-eku \
    digest-wrong-password plain-http-refused-tls-only redir-sol-tls redir-kvm-digest \
    redir-digest-wrong-password redir-listener-disabled redir-sol-digest redir-ider-digest \
    redir-kerberos-refused redir-password-in-clear redir-userpass-not-supported \
    redir-session-busy redir-sol-disabled redir-plain-refused-tls-only

. "$(dirname "$0")/dumpcap-lo.sh"
mkdir -p "$out"
for sc in "$@"; do
    mkdir -p "$out/$sc"
    lo_start record-loopback "$out/$sc/capture.pcapng" "tcp portrange 16992-16995"
    "$amtsim" --live --out "$out" "$sc"
    lo_stop "$out/$sc/capture.pcapng"
done
