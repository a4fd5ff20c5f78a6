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
set -euo pipefail
. "$(dirname "$0")/../guest/lib.sh"

COUNT=${COUNT:-100000}
modprobe igb
ports=($(igb_ports))
tx=${ports[0]:-} rx=${ports[1]:-}
[ -n "$rx" ] || { echo "bulknet: need two igb ports, found: $(igb_ports)" >&2; exit 1; }
rx_mac=$(cat "/sys/class/net/$rx/address")

$IP link set "$rx" down
$IP link set "$tx" up
wait_carrier "$tx"
$TC qdisc replace dev "$tx" root pfifo_fast

pg_setup "$tx"
pg_set "$tx" "count $COUNT"
pg_set "$tx" "dst_mac $rx_mac"
pg_set "$tx" "xmit_mode queue_xmit"
read -r sent ns < <(pg_run "$tx")
bench_row igb-queue-xmit c "$sent" "$ns" "mode=queue_xmit clone_skb=0 qdisc=pfifo_fast peer=down"

pg_setup "$tx"
pg_set "$tx" "count $COUNT"
pg_set "$tx" "dst_mac $rx_mac"
pg_set "$tx" "clone_skb $COUNT"
pg_set "$tx" "burst 32"
read -r sent ns < <(pg_run "$tx")
bench_row igb-tx-burst32 c "$sent" "$ns" "mode=start_xmit burst=32 peer=down"

# The largest RX ring, so the peer drops nothing while pktgen holds the CPU,
# and no interrupt throttling on the peer: every TX doorbell raises its RX
# interrupt at once, and its NAPI poll runs when pktgen's burst ends
# (local_bh_enable), one poll per burst of 32. With a throttle timer (igb's
# adaptive default, or a fixed rx-usecs) the cost depends on the phase between
# the timer and the bursts, which settles differently from run to run: rounds
# then differ by up to 0.3%, against 0.05% without. One warm-up run first.
$ETHTOOL -G "$rx" rx 4096
$ETHTOOL -C "$rx" rx-usecs 0
$IP link set "$rx" up
wait_carrier "$rx"
pg_set "$tx" "count $((COUNT / 4))"
pg_run "$tx" > /dev/null
pg_set "$tx" "count $COUNT"
rx_before=$(cat "/sys/class/net/$rx/statistics/rx_packets")
read -r sent ns < <(pg_run "$tx")
received=$(($(cat "/sys/class/net/$rx/statistics/rx_packets") - rx_before))
rx_drop=$(($(cat "/sys/class/net/$rx/statistics/rx_missed_errors") + $(cat "/sys/class/net/$rx/statistics/rx_dropped")))
bench_row igb-tx-burst32-peer-rx c "$sent" "$ns" "mode=start_xmit burst=32 peer=igb-rx received=$received peer_drops=$rx_drop"

pg_write /proc/net/pktgen/pgctrl reset
$IP link set "$tx" down
$IP link set "$rx" down
