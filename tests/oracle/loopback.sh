#!/bin/sh
# Records a few scenarios for real on the loopback interface with dumpcap
# and has tshark confirm them like the synthesized samples.
# usage: loopback.sh AMTSIM OUTDIR PYTHON ORACLE_SCRIPT
set -u
amtsim=$1 out=$2 python=$3 oracle=$4
rm -rf "$out"
sh "$(dirname "$0")/../../scripts/record-loopback.sh" "$amtsim" "$out"
rc=$?
[ $rc -eq 0 ] || exit $rc
exec "$python" "$oracle" "$out"
