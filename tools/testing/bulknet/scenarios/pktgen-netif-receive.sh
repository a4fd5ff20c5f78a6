#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# pktgen netif_receive on a dummy device: the RX stack from
# __netif_receive_skb to the drop in ip_rcv (the destination MAC is not ours,
# so the packets are PACKET_OTHERHOST), one skb reused in bursts of 64.
set -euo pipefail
. "$(dirname "$0")/../guest/lib.sh"

COUNT=${COUNT:-200000}
modprobe dummy numdummies=1
$IP link set dummy0 up

pg_setup dummy0
pg_set dummy0 "count $COUNT"
pg_set dummy0 "dst_mac 90:e2:ba:ff:ff:ff"
pg_set dummy0 "xmit_mode netif_receive"
pg_set dummy0 "burst 64"
read -r sent ns _ _ < <(pg_measure dummy0)
bench_row netif-receive-burst64 c "$sent" "$ns" "mode=netif_receive burst=64 drop=ip_rcv"

pg_write /proc/net/pktgen/pgctrl reset
rmmod dummy
