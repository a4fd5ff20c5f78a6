#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# pktgen through the C igb driver on port 0, with its back-to-back peer
# (port 1) down or receiving:
#  - igb-queue-xmit: dev_queue_xmit through pfifo_fast, one new skb per
#    packet (qdisc bulk dequeue links skbs through skb->next, so one shared
#    skb cannot be queued twice);
#  - igb-tx-burst32: ndo_start_xmit with xmit_more, burst 32, peer down;
#  - igb-tx-burst32-peer-rx: the same, with C igb on the peer receiving every
#    packet up to the IP layer's drop, on the same CPU.
#
# Determinism. Single runs of the two cases that allocate per packet repeat
# only within about 0.2% from boot to boot, with the same packets, interrupts
# and NAPI polls: see pg_measure in guest/lib.sh. So each figure is the median
# of RUNS runs (default 5), and the row gives their spread. tx-burst32
# allocates nothing per packet and repeats exactly. Each measurement also
# follows an unmeasured run of the same size, every round starts from a
# freshly loaded driver, IPv6 is off (guest/bench.sh: its autoconfiguration
# traffic goes out at random times and cost the peer RX case up to 0.15%),
# and neither port uses igb's adaptive interrupt throttling (rx-usecs 0; with
# paired queues TX follows RX), whose state would carry over between runs.
set -euo pipefail
. "$(dirname "$0")/../guest/lib.sh"

COUNT=${COUNT:-100000}
RUNS=${RUNS:-5}
modprobe -r igb 2>/dev/null || true
modprobe igb
ports=($(igb_ports))
tx=${ports[0]:-} rx=${ports[1]:-}
[ -n "$rx" ] || { echo "bulknet: need two igb ports, found: $(igb_ports)" >&2; exit 1; }
rx_mac=$(cat "/sys/class/net/$rx/address")

$IP link set "$rx" down
$ETHTOOL -C "$tx" rx-usecs 0
$IP link set "$tx" up
wait_carrier "$tx"
$TC qdisc replace dev "$tx" root pfifo_fast

pg_setup "$tx"
pg_set "$tx" "count $COUNT"
pg_set "$tx" "dst_mac $rx_mac"
pg_set "$tx" "xmit_mode queue_xmit"
pg_run "$tx" > /dev/null
read -r sent ns runs spread < <(pg_measure "$tx" "$RUNS")
bench_row igb-queue-xmit c "$sent" "$ns" "mode=queue_xmit clone_skb=0 qdisc=pfifo_fast peer=down runs=$runs spread_pct=$spread"

pg_setup "$tx"
pg_set "$tx" "count $COUNT"
pg_set "$tx" "dst_mac $rx_mac"
pg_set "$tx" "clone_skb $COUNT"
pg_set "$tx" "burst 32"
read -r sent ns runs spread < <(pg_measure "$tx" "$RUNS")
bench_row igb-tx-burst32 c "$sent" "$ns" "mode=start_xmit burst=32 peer=down runs=$runs spread_pct=$spread"

# The largest RX ring, so the peer drops nothing while pktgen holds the CPU,
# and no interrupt throttling on the peer either: every TX doorbell raises its
# RX interrupt at once, and its NAPI poll runs when pktgen's burst ends
# (local_bh_enable), one poll per burst of 32. The warm-up run also covers
# QEMU's igb losing frames right after link-up.
$ETHTOOL -G "$rx" rx 4096
$ETHTOOL -C "$rx" rx-usecs 0
$IP link set "$rx" up
wait_carrier "$rx"
pg_run "$tx" > /dev/null
rx_before=$(cat "/sys/class/net/$rx/statistics/rx_packets")
read -r sent ns runs spread < <(pg_measure "$tx" "$RUNS")
received=$((($(cat "/sys/class/net/$rx/statistics/rx_packets") - rx_before) / runs))
rx_drop=$(($(cat "/sys/class/net/$rx/statistics/rx_missed_errors") + $(cat "/sys/class/net/$rx/statistics/rx_dropped")))
bench_row igb-tx-burst32-peer-rx c "$sent" "$ns" "mode=start_xmit burst=32 peer=igb-rx runs=$runs spread_pct=$spread received_per_run=$received peer_drops=$rx_drop"

pg_write /proc/net/pktgen/pgctrl reset
$IP link set "$tx" down
$IP link set "$rx" down
