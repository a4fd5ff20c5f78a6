#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# pktgen start_xmit on a dummy device: the stack's floor. A new skb per packet
# (clone_skb 0) measures skb alloc+free; burst 32 reuses one skb and sets
# xmit_more, which is what the TX slides call "TX powers".
set -euo pipefail
. "$(dirname "$0")/../guest/lib.sh"

COUNT=${COUNT:-100000}
modprobe dummy numdummies=1
$IP link set dummy0 up

pg_setup dummy0
pg_set dummy0 "count $COUNT"
pg_set dummy0 "clone_skb 0"
read -r sent ns _ _ < <(pg_measure dummy0)
bench_row dummy-xmit-newskb c "$sent" "$ns" "mode=start_xmit clone_skb=0 burst=1"

pg_setup dummy0
pg_set dummy0 "count $COUNT"
pg_set dummy0 "clone_skb $COUNT"
pg_set dummy0 "burst 32"
read -r sent ns _ _ < <(pg_measure dummy0)
bench_row dummy-xmit-burst32 c "$sent" "$ns" "mode=start_xmit clone_skb=$COUNT burst=32"

pg_write /proc/net/pktgen/pgctrl reset
rmmod dummy
