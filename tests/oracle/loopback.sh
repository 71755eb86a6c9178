#!/bin/sh
# Records a few scenarios for real on the loopback interface with dumpcap
# and has tshark confirm them like the synthesized samples.
# usage: loopback.sh AMTSIM OUTDIR PYTHON ORACLE_SCRIPT
# As root with unshare, in a network namespace of its own (loopback only):
# AMT's ports on 127.0.0.1 are then free whatever else runs on the machine.
set -u
if [ -z "${AMTDIAG_IN_NETNS:-}" ] && [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null &&
    command -v ip >/dev/null; then
    exec env AMTDIAG_IN_NETNS=1 unshare --net sh "$0" "$@"
fi
[ -n "${AMTDIAG_IN_NETNS:-}" ] && ip link set lo up
amtsim=$1 out=$2 python=$3 oracle=$4
rm -rf "$out"
sh "$(dirname "$0")/../../scripts/record-loopback.sh" "$amtsim" "$out"
rc=$?
[ $rc -eq 0 ] || exit $rc
exec "$python" "$oracle" "$out"
