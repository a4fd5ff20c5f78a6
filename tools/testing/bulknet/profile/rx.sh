#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of profile.py: igb-rx's traffic, C igb on port 0 sending bursts
# of 32 to port 1, which IMPL drives (c: igb; rust: rigb, with the module
# parameters PARAMS) and whose stack drops every packet in the IP layer. The
# window profile.py measures lies between two sync(2) calls, the plugin's
# marks. Prints the packets received and where the modules were loaded
# (/proc/modules; the kernel has no kallsyms).
#
#   rx.sh IMPL COUNT [PARAMS...]
set -euo pipefail
. "$(dirname "$0")/../guest/lib.sh"

impl=${1:?usage: rx.sh c|rust COUNT [PARAMS...]}
COUNT=${2:?usage: rx.sh c|rust COUNT [PARAMS...]}
shift 2
RIGB_PARAMS="$*"
igb_fresh_pair || exit 1
rx_pci=$(basename "$(readlink "/sys/class/net/$rx/device")")
$ETHTOOL -C "$tx" rx-usecs 0 tx-usecs 49

window() {
	local dev=$1 before
	$IP link set "$tx" up
	$IP link set "$dev" up
	wait_carrier "$tx"
	wait_carrier "$dev"
	pg_setup "$tx"
	pg_set "$tx" "count $COUNT"
	pg_set "$tx" "dst_mac $(cat "/sys/class/net/$dev/address")"
	pg_set "$tx" "burst 32"
	# Warm up (QEMU's igb loses frames after link-up), then the window.
	pg_run "$tx" > /dev/null
	before=$(stat_of "$dev" rx_packets)
	bench_settle
	sync
	pg_run "$tx" > /dev/null
	sync
	echo "PROFILE received=$(($(stat_of "$dev" rx_packets) - before)) sent=$(sent "$tx")"
	awk '{ print "MODULE", $1, $6 }' /proc/modules
}

case $impl in
c)
	$ETHTOOL -G "$rx" rx 256
	$ETHTOOL -C "$rx" rx-usecs 0
	window "$rx"
	;;
rust) on_rigb "$rx_pci" 0 window ;;
*) echo "rx.sh: unknown implementation '$impl'" >&2; exit 2 ;;
esac
