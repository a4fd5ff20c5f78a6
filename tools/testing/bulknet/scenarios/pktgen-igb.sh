#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# pktgen through port 0, driven first by C igb (impl=c), then by rigb
# (impl=rust), with its back-to-back peer (port 1, C igb) down or receiving:
#  - igb-queue-xmit: dev_queue_xmit through pfifo_fast, one new skb per
#    packet (qdisc bulk dequeue links skbs through skb->next, so one shared
#    skb cannot be queued twice); rigb's row gives its doorbells per packet;
#  - igb-queue-xmit-pushback: the same with BQL's limit_max lowered to 16
#    frames (the slides' "BQL push back"): the driver stops the queue,
#    packets wait in pfifo_fast, and each qdisc run after a TX completion
#    dequeues a bulk with xmit_more, one doorbell for it in rigb. The 49 us
#    completion interrupts bound the run, and pktgen retries every packet the
#    full queue refuses, so insn/op is the time per packet sent;
#  - igb-tx-burst32: ndo_start_xmit with xmit_more, burst 32, peer down;
#  - igb-tx-clone: ndo_start_xmit of one shared skb (clone_skb), burst 1: no
#    xmit_more, a doorbell per packet, peer down;
#  - igb-tx-burst32-peer-rx: burst 32, with C igb on the peer receiving every
#    packet up to the IP layer's drop, on the same CPU.
#  - igb-rx: the receive cost alone. C igb on port 0 sends burst 32 to port
#    1, driven by C igb (impl=c) or rigb (impl=rust), which drops every
#    packet in the IP layer (no address: InAddrErrors). elapsed_ns is the
#    TX+RX run minus the TX-only run (port 1 down) of the same count, both
#    medians measured here, so insn/op is RX instructions per packet. Both
#    receivers keep their default ring of 256 and take an interrupt per
#    burst (rx-usecs 0, rx_usecs=0). Two more rows turn one of rigb's RX
#    stages off (Documentation/networking/bulknet.rst): rust-nolist
#    (rx_list=0: every frame through GRO, as igb) and rust-nobulk
#    (rx_harvest=0: one descriptor harvested at a time, as igb).
#
# Determinism. Single runs of the two cases that allocate per packet repeat
# only within about 0.2% from boot to boot, with the same packets, interrupts
# and NAPI polls: see pg_measure in guest/lib.sh. So each figure is the median
# of RUNS runs (default 5), and the row gives their spread. The start_xmit
# cases allocate nothing per packet and repeat exactly. Each measurement also
# follows an unmeasured run of the same size, each driver's rounds start from
# a freshly loaded driver, and IPv6 is off (guest/bench.sh: its
# autoconfiguration traffic goes out at random times and cost the peer RX case
# up to 0.15%).
#
# Interrupts. The two drivers get the same, fixed moderation, so that neither
# takes more interrupts than the other for the same work. A port's TX
# completions raise an interrupt at most every 49 us (which QEMU 10.0's igb
# model stretches to 200.7 us: EITR's 196 times 1,024 ns): igb on one CPU gives TX
# its own vector, whose adaptive moderation holds igb's 20,000 a second for
# small packets, here fixed with tx-usecs 49; rigb completes TX on its queue
# pair's vector, loaded with rx_usecs=49. Receivers throttle nothing (igb:
# rx-usecs 0, whose adaptive state would carry over between runs; rigb:
# rx_usecs=0): they take an interrupt per pktgen burst. BQL follows from the
# completion rate: with an interrupt per packet, its limit stays at about
# three frames and every packet pays an interrupt and a poll in queue_xmit.
set -euo pipefail
. "$(dirname "$0")/../guest/lib.sh"

COUNT=${COUNT:-100000}
RUNS=${RUNS:-5}
igb_fresh_pair || exit 1
tx_pci=$(basename "$(readlink "/sys/class/net/$tx/device")")
rx_mac=$(cat "/sys/class/net/$rx/address")
$IP link set "$rx" down

# queue_xmit_row SCENARIO IMPL DEV EXTRA: pktgen's dev_queue_xmit through
# pfifo_fast on DEV, with the doorbells (TX tail writes) per packet where the
# driver counts them (rigb's tx_doorbells).
queue_xmit_row() {
	local scenario=$1 impl=$2 dev=$3 extra=$4 sent ns runs spread db
	pg_setup "$dev"
	pg_set "$dev" "count $COUNT"
	pg_set "$dev" "dst_mac $rx_mac"
	pg_set "$dev" "xmit_mode queue_xmit"
	pg_run "$dev" > /dev/null
	db=$(estat "$dev" tx_doorbells)
	read -r sent ns runs spread < <(pg_measure "$dev" "$RUNS")
	[ -n "$db" ] && db="doorbells_per_pkt=$(awk -v d="$(($(estat "$dev" tx_doorbells) - db))" \
		-v n="$((sent * runs))" 'BEGIN { printf "%.3f", d / n }')"
	bench_row "$scenario" "$impl" "$sent" "$ns" \
		"mode=queue_xmit clone_skb=0 qdisc=pfifo_fast peer=down $extra runs=$runs spread_pct=$spread $db"
}

# tx_rows IMPL DEV: the TX scenarios through DEV, as IMPL.
tx_rows() {
	local impl=$1 dev=$2 sent ns runs spread received rx_before rx_drop bql limit_max
	$IP link set "$dev" up
	wait_carrier "$dev"
	$TC qdisc replace dev "$dev" root pfifo_fast

	queue_xmit_row igb-queue-xmit "$impl" "$dev" ""
	# BQL push back: the queue stops at 16 frames in flight.
	bql=/sys/class/net/$dev/queues/tx-0/byte_queue_limits
	limit_max=$(cat "$bql/limit_max")
	echo $((16 * 60)) > "$bql/limit_max"
	queue_xmit_row igb-queue-xmit-pushback "$impl" "$dev" "bql_limit_max=960"
	echo "$limit_max" > "$bql/limit_max"

	pg_setup "$dev"
	pg_set "$dev" "count $COUNT"
	pg_set "$dev" "dst_mac $rx_mac"
	pg_set "$dev" "clone_skb $COUNT"
	pg_run "$dev" > /dev/null
	read -r sent ns runs spread < <(pg_measure "$dev" "$RUNS")
	bench_row igb-tx-clone "$impl" "$sent" "$ns" "mode=start_xmit burst=1 clone_skb=$COUNT peer=down runs=$runs spread_pct=$spread"

	pg_set "$dev" "burst 32"
	pg_run "$dev" > /dev/null
	read -r sent ns runs spread < <(pg_measure "$dev" "$RUNS")
	bench_row igb-tx-burst32 "$impl" "$sent" "$ns" "mode=start_xmit burst=32 peer=down runs=$runs spread_pct=$spread"

	# The largest RX ring, so the peer drops nothing while pktgen holds the
	# CPU, and no interrupt throttling on the peer either: every TX doorbell
	# raises its RX interrupt at once, and its NAPI poll runs when pktgen's
	# burst ends (local_bh_enable), one poll per burst of 32. The warm-up run
	# also covers QEMU's igb losing frames right after link-up.
	$ETHTOOL -G "$rx" rx 4096
	$ETHTOOL -C "$rx" rx-usecs 0
	$IP link set "$rx" up
	wait_carrier "$rx"
	pg_run "$dev" > /dev/null
	rx_before=$(cat "/sys/class/net/$rx/statistics/rx_packets")
	read -r sent ns runs spread < <(pg_measure "$dev" "$RUNS")
	received=$((($(cat "/sys/class/net/$rx/statistics/rx_packets") - rx_before) / runs))
	rx_drop=$(($(cat "/sys/class/net/$rx/statistics/rx_missed_errors") + $(cat "/sys/class/net/$rx/statistics/rx_dropped")))
	bench_row igb-tx-burst32-peer-rx "$impl" "$sent" "$ns" "mode=start_xmit burst=32 peer=igb-rx runs=$runs spread_pct=$spread received_per_run=$received peer_drops=$rx_drop"

	pg_write /proc/net/pktgen/pgctrl reset
	$IP link set "$dev" down
	$IP link set "$rx" down
}

# C igb on port 0.
$ETHTOOL -C "$tx" rx-usecs 0 tx-usecs 49
tx_rows c "$tx"

# rigb on port 0, the peer still on C igb.
on_rigb "$tx_pci" 49 tx_rows rust

# rx_rows IMPL DEV: igb-rx, C igb on port 0 sending to DEV (port 1) as IMPL.
rx_rows() {
	local impl=$1 dev=$2 sent ns_tx ns runs spread runs_tx spread_tx before received drops
	$IP link set "$tx" up
	$IP link set "$dev" up
	wait_carrier "$tx"
	wait_carrier "$dev"
	pg_setup "$tx"
	pg_set "$tx" "count $COUNT"
	pg_set "$tx" "dst_mac $(cat "/sys/class/net/$dev/address")"
	pg_set "$tx" "burst 32"
	# Warm up with the receiver up (QEMU's igb loses frames after link-up).
	pg_run "$tx" > /dev/null
	$IP link set "$dev" down
	pg_run "$tx" > /dev/null
	read -r sent ns_tx runs_tx spread_tx < <(pg_measure "$tx" "$RUNS")
	$IP link set "$dev" up
	wait_carrier "$dev"
	pg_run "$tx" > /dev/null
	before=$(cat "/sys/class/net/$dev/statistics/rx_packets")
	read -r sent ns runs spread < <(pg_measure "$tx" "$RUNS")
	received=$((($(cat "/sys/class/net/$dev/statistics/rx_packets") - before) / runs))
	drops=$(($(cat "/sys/class/net/$dev/statistics/rx_missed_errors") + $(cat "/sys/class/net/$dev/statistics/rx_dropped")))
	bench_row igb-rx "$impl" "$sent" $((ns - ns_tx)) "method=txrx_minus_tx txrx_ns=$ns tx_only_ns=$ns_tx sender=igb burst=32 runs=$runs spread_pct=$spread tx_only_spread_pct=$spread_tx received_per_run=$received rx_drops=$drops"
	pg_write /proc/net/pktgen/pgctrl reset
	$IP link set "$dev" down
	$IP link set "$tx" down
}

# igb-rx: C igb on port 1, then rigb on port 1; C igb sends from port 0,
# whose interface was named again when it came back to igb.
tx=$(netdev_of "$tx_pci")
rx_pci=$(basename "$(readlink "/sys/class/net/$rx/device")")
$ETHTOOL -C "$tx" rx-usecs 0 tx-usecs 49
$ETHTOOL -G "$rx" rx 256
$ETHTOOL -C "$rx" rx-usecs 0
rx_rows c "$rx"
on_rigb "$rx_pci" 0 rx_rows rust
RIGB_PARAMS=rx_list=0 on_rigb "$rx_pci" 0 rx_rows rust-nolist
RIGB_PARAMS=rx_harvest=0 on_rigb "$rx_pci" 0 rx_rows rust-nobulk
