#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of profile.py: one of pktgen-igb.sh's scenarios, with the port
# under test driven by IMPL (c: igb; rust: rigb, with the module parameters
# PARAMS), COUNT packets in the window that profile.py measures, between two
# sync(2) calls (the plugin's marks), after a warm-up run:
#  - rx: C igb on port 0 sends bursts of 32 to port 1, driven by IMPL, whose
#    stack drops every packet in the IP layer (igb-rx);
#  - tx-burst32: port 0, driven by IMPL, sends bursts of 32 with ndo_start_xmit,
#    peer down (igb-tx-burst32);
#  - tx-clone: one shared skb (clone_skb), burst 1, peer down (igb-tx-clone);
#  - queue-xmit: the same through dev_queue_xmit and pfifo_fast, a new skb per
#    packet (igb-queue-xmit);
#  - queue-xmit-pushback: queue-xmit with BQL's limit_max at 16 frames
#    (igb-queue-xmit-pushback);
#  - nf-forward: make bench's nf-forward scenario, with IMPL one of its rows
#    (baseline, nft-1-nomatch, rust-1-nomatch, ...): pktgen into dummy d0,
#    forwarded out d1; no igb port is used.
# Prints the packets counted and where the modules were loaded (/proc/modules;
# the kernel has no kallsyms).
#
#   workload.sh CASE IMPL COUNT [PARAMS...]
set -euo pipefail
. "$(dirname "$0")/../guest/lib.sh"

usage="usage: workload.sh CASE c|rust COUNT [PARAMS...]
       (CASE: rx, tx-burst32, tx-clone, queue-xmit or queue-xmit-pushback)
       workload.sh nf-forward ROW COUNT"
case=${1:?$usage}
impl=${2:?$usage}
COUNT=${3:?$usage}
shift 3
RIGB_PARAMS="$*"

# window PGDEV DEV STAT: the warm-up run and the measured one of pktgen on
# PGDEV, as set up; prints the change of DEV's statistic STAT over the
# measured one, and where the modules are.
window() {
	local before
	pg_run "$1" > /dev/null
	before=$(stat_of "$2" "$3")
	bench_settle
	sync
	pg_run "$1" > /dev/null
	sync
	echo "PROFILE packets=$(($(stat_of "$2" "$3") - before)) sent=$(sent "$1")"
	awk '{ print "MODULE", $1, $6 }' /proc/modules
}

if [ "$case" = nf-forward ]; then
	NF_FORWARD_LIB=1 . "$(dirname "$0")/../scenarios/nf-forward.sh"
	setup "$impl"
	window d0 d1 tx_packets
	exit 0
fi
igb_fresh_pair || exit 1
tx_pci=$(basename "$(readlink "/sys/class/net/$tx/device")")
rx_pci=$(basename "$(readlink "/sys/class/net/$rx/device")")

# rx_case DEV: igb-rx, C igb on port 0 sending to DEV (port 1).
rx_case() {
	$IP link set "$tx" up
	$IP link set "$1" up
	wait_carrier "$tx"
	wait_carrier "$1"
	pg_setup "$tx"
	pg_set "$tx" "count $COUNT"
	pg_set "$tx" "dst_mac $(cat "/sys/class/net/$1/address")"
	pg_set "$tx" "burst 32"
	window "$tx" "$1" rx_packets
}

# tx_case DEV: DEV (port 0) sending, its peer down.
tx_case() {
	$IP link set "$rx" down
	$IP link set "$1" up
	wait_carrier "$1"
	$TC qdisc replace dev "$1" root pfifo_fast
	pg_setup "$1"
	pg_set "$1" "count $COUNT"
	pg_set "$1" "dst_mac $(cat "/sys/class/net/$rx/address")"
	case $case in
	tx-burst32) pg_set "$1" "burst 32" ;;
	tx-clone) pg_set "$1" "clone_skb $COUNT" ;;
	queue-xmit) pg_set "$1" "xmit_mode queue_xmit" ;;
	queue-xmit-pushback)
		pg_set "$1" "xmit_mode queue_xmit"
		echo $((16 * 60)) > "/sys/class/net/$1/queues/tx-0/byte_queue_limits/limit_max"
		;;
	esac
	window "$1" "$1" tx_packets
}

# The interrupt moderation of pktgen-igb.sh: TX completions at most every
# 49 us, receivers unthrottled.
$ETHTOOL -C "$tx" rx-usecs 0 tx-usecs 49
case $case/$impl in
rx/c)
	$ETHTOOL -G "$rx" rx 256
	$ETHTOOL -C "$rx" rx-usecs 0
	rx_case "$rx"
	;;
rx/rust) on_rigb "$rx_pci" 0 rx_case ;;
tx-burst32/c | tx-clone/c | queue-xmit/c | queue-xmit-pushback/c) tx_case "$tx" ;;
tx-burst32/rust | tx-clone/rust | queue-xmit/rust | queue-xmit-pushback/rust)
	on_rigb "$tx_pci" 49 tx_case
	;;
*) echo "$usage" >&2; exit 2 ;;
esac
