#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The qdisc's cost per packet: pktgen in queue_xmit mode (dev_queue_xmit, one
# new skb per packet, one thread) through each root qdisc in turn, the same
# count, the median of RUNS runs each. The reference row is pfifo_fast, the
# default qdisc:
#  - qdisc-dummy: into dummy0, which never stops its queue; noqueue is the
#    baseline, so each row also shows its overhead over noqueue as a ratio of
#    pfifo_fast's. A FIFO that may bypass (TCQ_F_CAN_BYPASS: pfifo_fast, pfifo,
#    lfifo) sends a packet that finds it empty straight to the device, so on
#    dummy it pays only the core's bypass path (its run state or lock);
#  - qdisc-igb: into C igb's port 0, peer down, the interrupt moderation of
#    pktgen-igb.sh: the device stops the queue when its ring or BQL fills, and
#    then packets go through enqueue and (bulk) dequeue;
#  - qdisc-rigb: the same through rigb on port 0 (rx_usecs=49, as in
#    pktgen-igb.sh), with doorbells_per_pkt: rigb's TX tail writes (ethtool -S
#    tx_doorbells) per packet over the measured runs. A qdisc run that
#    dequeues several packets hands them to the driver with xmit_more set on
#    all but the last, and rigb rings once for them; a packet that bypasses
#    the queue rings alone. With one producer and BQL's default limit the
#    queue never builds (each packet is sent, or enqueued and dequeued, in
#    its own run), so every qdisc rings once per packet;
#  - qdisc-rigb-pushback: the same with BQL's limit_max lowered to 16 frames
#    (the slides' "BQL push back"): rigb stops the queue, packets wait in the
#    qdisc, and each run after a TX completion dequeues a bulk, which shows as
#    fewer doorbells per packet. Here the drain rate (the 49 us completion
#    interrupts) bounds the run, and pktgen retries every packet the full
#    queue refuses, so insn/op is the time per packet sent, not a qdisc's
#    cost; doorbells_per_pkt is the figure;
#  - qdisc-dummy-2cpu, only with two vCPUs (make bench BENCH_MODE=wall): two
#    pktgen threads, one per CPU, into dummy0, pfifo_fast and lfifo alternated
#    over ROUNDS rounds; ops is both threads' packets, elapsed the slower
#    thread's time, summed over the rounds; the spread is over the rounds.
# impl=rust is lfifo (net/sched/sch_lfifo.rs); impl=rust-nobypass is the same
# queue without TCQ_F_CAN_BYPASS (lfifo_nobypass), every packet enqueued and
# dequeued: the cost of the queue itself, which the bypass hides on dummy.
set -euo pipefail
. "$(dirname "$0")/../guest/lib.sh"

COUNT=${COUNT:-100000}
RUNS=${RUNS:-5}
export TC_LIB_DIR=$BULKNET_CACHE/tc
QDISCS="pfifo_fast pfifo fq_codel rust rust-nobypass"
modprobe sch_fq_codel
rmmod sch_lfifo 2>/dev/null || true
insmod "$(bulknet_module sch_lfifo)"

# qdisc_rows SCENARIO DEV EXTRA IMPL...: one row per IMPL (a qdisc, or rust for
# lfifo, or noqueue) at the root of DEV.
qdisc_rows() {
	local scenario=$1 dev=$2 extra=$3 impl sent ns runs spread q db
	shift 3
	for impl in "$@"; do
		case $impl in
		rust) q=lfifo ;;
		rust-nobypass) q=lfifo_nobypass ;;
		*) q=$impl ;;
		esac
		$TC qdisc replace dev "$dev" root $q
		pg_setup "$dev"
		pg_set "$dev" "count $COUNT"
		pg_set "$dev" "xmit_mode queue_xmit"
		[ -n "${DST_MAC:-}" ] && pg_set "$dev" "dst_mac $DST_MAC"
		pg_run "$dev" > /dev/null
		# Doorbells per packet where the driver counts them (rigb).
		db=$(estat "$dev" tx_doorbells || true)
		read -r sent ns runs spread < <(pg_measure "$dev" "$RUNS")
		[ -n "$db" ] && db="doorbells_per_pkt=$(awk -v d="$(($(estat "$dev" tx_doorbells) - db))" \
			-v n="$((sent * runs))" 'BEGIN { printf "%.3f", d / n }')"
		# shellcheck disable=SC2086 # EXTRA: several words
		bench_row "$scenario" "$impl" "$sent" "$ns" \
			"mode=queue_xmit qdisc=$q $extra runs=$runs spread_pct=$spread $db"
		$TC qdisc del dev "$dev" root 2>/dev/null || true
	done
}

modprobe dummy numdummies=1
$IP link set dummy0 up
qdisc_rows qdisc-dummy dummy0 "ref=pfifo_fast base=noqueue" noqueue $QDISCS

# pg_two_run DEV COUNT: one run of two pktgen threads (CPUs 0 and 1) into DEV
# in queue_xmit mode, COUNT packets each; prints "PACKETS ELAPSED_NS", the
# elapsed time being the slower thread's.
pg_two_run() {
	local dev=$1 count=$2 t
	pg_setup_threads "$dev" 2 "$count"
	bench_settle
	pg_write /proc/net/pktgen/pgctrl start
	for t in 0 1; do
		sed -nE 's/.*Result: OK: ([0-9]+)\(c.* usec, ([0-9]+) .*/\2 \1/p' "/proc/net/pktgen/$dev@$t"
	done | awk '{ n += $1; if ($2 > us) us = $2 } END { printf "%d %d000\n", n, us }'
}

if [ "$(nproc)" -ge 2 ]; then
	ROUNDS=${ROUNDS:-5}
	declare -A ops ns costs
	$TC qdisc replace dev dummy0 root pfifo_fast
	pg_two_run dummy0 "$COUNT" > /dev/null
	for ((round = 0; round < ROUNDS; round++)); do
		for impl in pfifo_fast rust; do
			q=$impl
			[ "$impl" = rust ] && q=lfifo
			$TC qdisc replace dev dummy0 root $q
			read -r n t < <(pg_two_run dummy0 "$COUNT")
			ops[$impl]=$((${ops[$impl]:-0} + n))
			ns[$impl]=$((${ns[$impl]:-0} + t))
			costs[$impl]="${costs[$impl]:-} $(awk -v n="$n" -v t="$t" 'BEGIN { print t / n }')"
			$TC qdisc del dev dummy0 root
		done
	done
	for impl in pfifo_fast rust; do
		spread=$(echo ${costs[$impl]} | tr ' ' '\n' | sort -g |
			awk '{ c[NR] = $1 } END { printf "%.3f", (c[NR] - c[1]) * 100 / c[int((NR + 1) / 2)] }')
		bench_row qdisc-dummy-2cpu "$impl" "${ops[$impl]}" "${ns[$impl]}" \
			"mode=queue_xmit threads=2 ref=pfifo_fast runs=$ROUNDS spread_pct=$spread"
	done
fi
pg_write /proc/net/pktgen/pgctrl reset
rmmod dummy

igb_fresh_pair || exit 1
DST_MAC=$(cat "/sys/class/net/$rx/address")
$IP link set "$rx" down
$ETHTOOL -C "$tx" rx-usecs 0 tx-usecs 49
$IP link set "$tx" up
wait_carrier "$tx"
qdisc_rows qdisc-igb "$tx" "ref=pfifo_fast peer=down" $QDISCS
pg_write /proc/net/pktgen/pgctrl reset
$IP link set "$tx" down

# rigb_qdisc_rows DEV: qdisc-rigb, through rigb's DEV.
rigb_qdisc_rows() {
	$IP link set "$1" up
	wait_carrier "$1"
	qdisc_rows qdisc-rigb "$1" "ref=pfifo_fast peer=down" $QDISCS
	local bql=/sys/class/net/$1/queues/tx-0/byte_queue_limits max
	max=$(cat "$bql/limit_max")
	# pktgen's frames are 60 bytes.
	echo $((16 * 60)) > "$bql/limit_max"
	qdisc_rows qdisc-rigb-pushback "$1" "ref=pfifo_fast peer=down bql_limit_max=960" \
		pfifo_fast rust rust-nobypass
	echo "$max" > "$bql/limit_max"
	pg_write /proc/net/pktgen/pgctrl reset
	$IP link set "$1" down
}
on_rigb "$(basename "$(readlink "/sys/class/net/$tx/device")")" 49 rigb_qdisc_rows
rmmod sch_lfifo
