#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs the benchmark scenarios whose names contain PATTERN, each twice (for the
# determinism check), printing BENCH rows for bench.py. Runs in the guest.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

pattern=${1:-}
status=0
# No IPv6 on the test interfaces: its address autoconfiguration sends DAD, MLD
# and router solicitation packets at randomised times, which cross the wire
# and the peer's stack inside or before a measurement (0.15% on igb peer RX).
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
for f in "$BULKNET_REPO"/tools/testing/bulknet/scenarios/*.sh; do
	name=$(basename "$f" .sh)
	[[ "$name" == *"$pattern"* ]] || continue
	for round in 1 2; do
		echo "BENCH-BEGIN scenario-file=$name round=$round"
		if ! out=$(bash "$f" 2>&1); then
			echo "$out"
			echo "BENCH-FAIL scenario-file=$name round=$round"
			status=1
			break
		fi
		echo "$out" | sed "s/^BENCH /BENCH round=$round /"
	done
done
exit $status
