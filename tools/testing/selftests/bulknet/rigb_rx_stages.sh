#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rigb_rx's cases with each of rigb's RX stages turned off in turn
# (Documentation/networking/bulknet.rst): rx_list=0 (every frame through GRO,
# as igb) and rx_harvest=0 (one descriptor harvested at a time, as igb). The
# cases, renumbered, carry the parameter in brackets.
#
# Runs in the bulknet test router (tools/testing/bulknet/vm.py), in a boot of
# its own, on one CPU like rigb_rx (see check.sh):
# bulknet-cmdline:

here=$(dirname "$0")
# Half of rigb_rx's flood, so that both passes take about as long as one
# rigb_rx at its full count.
COUNT=${RIGB_RX_COUNT:-50000}
per=$(sed -n 's/^echo "1\.\.\([0-9]*\)"$/\1/p' "$here/rigb_rx.sh")
stages=(rx_list=0 rx_harvest=0)
echo "TAP version 13"
echo "1..$((per * ${#stages[@]}))"
base=0
for params in "${stages[@]}"; do
	echo "# rigb_rx with $params"
	RIGB_PARAMS=$params RIGB_RX_COUNT=$COUNT bash "$here/rigb_rx.sh" 2>&1 |
		awk -v base=$base -v p="$params" '
		/^TAP version/ || /^1\.\./ { next }
		$1 == "ok" && $2 ~ /^[0-9]+$/ { $2 += base; $0 = $0 " [" p "]" }
		$1 == "not" && $2 == "ok" && $3 ~ /^[0-9]+$/ { $3 += base; $0 = $0 " [" p "]" }
		{ print; fflush() }'
	base=$((base + per))
done
