#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lfifo (net/sched/sch_lfifo.rs): the tc control plane with its plugin
# (q_lfifo.so) and with hand-made requests, every bad input with its extack
# message and the old configuration intact; traffic through it on dummy, C igb
# and rigb with the counters checked end to end, from a pktgen thread per CPU,
# with overlimit drops; replace and delete under traffic; unload.
#
# Runs in the bulknet test router (tools/testing/bulknet/vm.py).

. "$(dirname "$0")/../../bulknet/guest/lib.sh"

NL="python3 $(dirname "$0")/tc_nl.py"
export TC_LIB_DIR=$BULKNET_CACHE/tc
echo "TAP version 13"
echo "1..37"

ko=$(bulknet_module sch_lfifo) || exit 1
[ -f "$TC_LIB_DIR/q_lfifo.so" ] || { echo "bulknet: no $TC_LIB_DIR/q_lfifo.so (make modules builds it)" >&2; exit 1; }
dmesg -C
modprobe dummy numdummies=1
# No IPv6 on the test devices (only there: the selftests after this one ping
# over IPv6): its autoconfiguration would send packets of its own through the
# qdiscs whose counters are checked.
sysctl -qw net.ipv6.conf.dummy0.disable_ipv6=1
$IP link set dummy0 up
insmod "$ko"

# show DEV: the root qdisc line of DEV.
show() { $TC qdisc show dev "$1" root; }
# stat DEV FIELD: a statistic of DEV's root qdisc from tc -s -j (bytes,
# packets, drops, overlimits, requeues, backlog, qlen).
stat() { $TC -s -j qdisc show dev "$1" root | python3 -c "import json, sys; print(json.load(sys.stdin)[0]['$2'])"; }
# tc_err CMD...: runs tc, prints its stderr (the kernel's extack message).
tc_err() { $TC "$@" 2>&1 >/dev/null; }

# --- control plane ---
$TC qdisc add dev dummy0 root handle 1: lfifo
check "add: the default limit is the device's txqueuelen ($(show dummy0))" \
	'show dummy0 | grep -q "^qdisc lfifo 1: root .*limit 1000p"'
$TC qdisc replace dev dummy0 root handle 1: lfifo limit 100
check "replace with limit 100 ($(show dummy0))" 'show dummy0 | grep -q "limit 100p"'
$TC qdisc change dev dummy0 root lfifo limit 50
check "change the limit to 50 ($(show dummy0))" 'show dummy0 | grep -q "limit 50p"'
$TC qdisc change dev dummy0 root lfifo limit 1024
check "change the limit to the ring's capacity, 1024 ($(show dummy0))" 'show dummy0 | grep -q "limit 1024p"'
check "tc -j shows the limit" '[ "$($TC -j qdisc show dev dummy0 root | python3 -c "import json, sys; print(json.load(sys.stdin)[0][\"options\"][\"limit\"])")" = 1024 ]'
msg=$(tc_err qdisc change dev dummy0 root lfifo limit 1025)
check "change beyond the ring's capacity fails: $msg" \
	'echo "$msg" | grep -q "limit above the ring.s capacity: add the qdisc anew" && show dummy0 | grep -q "limit 1024p"'
msg=$(tc_err qdisc change dev dummy0 root lfifo limit 0)
check "limit 0 fails, the old limit stays: $msg" \
	'echo "$msg" | grep -q "limit must be between 1 and 65536" && show dummy0 | grep -q "limit 1024p"'
msg=$(tc_err qdisc replace dev dummy0 root lfifo limit 65537)
check "replace with limit 65537 fails, the qdisc stays: $msg" \
	'echo "$msg" | grep -q "limit must be between 1 and 65536" && show dummy0 | grep -q "lfifo 1: .*limit 1024p"'
msg=$(tc_err qdisc add dev dummy0 root lfifo limit 12x)
check "a bad number is refused by tc: $msg" '[ -n "$msg" ] && show dummy0 | grep -q "limit 1024p"'
out=$($NL dummy0 lfifo 1=u32:64 2=u32:5)
check "an unknown attribute fails: $out" \
	'[ "$out" = "ERR 22 Unknown attribute type" ] && show dummy0 | grep -q "limit 1024p"'
out=$($NL dummy0 lfifo 1=hex:4000)
check "a two-byte limit fails: $out" \
	'[ "$out" = "ERR 22 invalid attribute length" ] && show dummy0 | grep -q "limit 1024p"'
out=$($NL --flat dummy0 lfifo 1=u32:64)
check "options without NLA_F_NESTED fail: $out" \
	'[ "$out" = "ERR 22 NLA_F_NESTED is missing" ] && show dummy0 | grep -q "limit 1024p"'
out=$($NL dummy0 lfifo 1=u32:0)
check "limit 0 by netlink fails with the kernel's message: $out" \
	'[ "$out" = "ERR 22 lfifo: limit must be between 1 and 65536 packets" ] && show dummy0 | grep -q "limit 1024p"'
$TC qdisc del dev dummy0 root
out=$($NL dummy0 lfifo 1=u32:65536)
check "a new lfifo with limit 65536, the largest: $out" '[ "$out" = OK ] && show dummy0 | grep -q "limit 65536p"'
$TC qdisc del dev dummy0 root
$TC qdisc add dev dummy0 root lfifo
rmmod sch_lfifo 2>/dev/null
check "a module in use does not unload" 'grep -q "^sch_lfifo " /proc/modules'

# --- traffic ---
# pktgen_counts DEV: "SENT ERRORS" of pktgen's last run on DEV.
pktgen_counts() {
	sed -n 's/.*sofar: \([0-9]*\).*errors: \([0-9]*\).*/\1 \2/p' "/proc/net/pktgen/$1" | head -1
}
# Two pktgen threads, on CPUs 0 and 1, where the guest has two (vm.py --wall);
# one otherwise.
THREADS=$(($(nproc) >= 2 ? 2 : 1))
# pg_two DEV COUNT: pktgen queue_xmit on $THREADS threads into DEV, COUNT
# packets each; sets S (packets queued) and E (refused).
pg_two() {
	local dev=$1 count=$2 t s e
	pg_setup_threads "$dev" "$THREADS" "$count"
	pg_write /proc/net/pktgen/pgctrl start
	S=0 E=0
	for ((t = 0; t < THREADS; t++)); do
		read -r s e < <(pktgen_counts "$dev@$t")
		S=$((S + s)) E=$((E + e))
	done
}
# drained DEV: the qdisc of DEV is empty within ~5 s: nothing is stuck.
drained() {
	local i
	for i in $(seq 50); do
		[ "$(stat "$1" qlen)" = 0 ] && [ "$(stat "$1" backlog)" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}
tx_packets() { cat "/sys/class/net/$1/statistics/tx_packets"; }

# dummy, two threads (where there are two CPUs): every packet counted once.
$TC qdisc replace dev dummy0 root lfifo
p0=$(stat dummy0 packets) t0=$(tx_packets dummy0)
pg_two dummy0 50000
p1=$(stat dummy0 packets) d1=$(stat dummy0 drops) t1=$(tx_packets dummy0)
check "dummy, $THREADS threads: pktgen queued $S, refused $E; lfifo sent $((p1 - p0)), dropped $d1" \
	'show dummy0 | grep -q "^qdisc lfifo" && [ $S = $((THREADS * 50000)) ] && [ $((p1 - p0)) = $S ] && [ "$d1" = $E ]'
check "dummy: the device sent what lfifo sent ($((t1 - t0)))" '[ $((t1 - t0)) = $((p1 - p0)) ]'
check "dummy: the queue is empty afterwards" 'drained dummy0'
# The same through lfifo_nobypass: every packet enqueued and dequeued.
$TC qdisc replace dev dummy0 root lfifo_nobypass
p0=$(stat dummy0 packets)
pg_two dummy0 50000
p1=$(stat dummy0 packets) d1=$(stat dummy0 drops)
check "dummy, lfifo_nobypass: pktgen queued $S, refused $E; sent $((p1 - p0)), dropped $d1" \
	'show dummy0 | grep -q "^qdisc lfifo_nobypass" && [ $S = $((THREADS * 50000)) ] && [ $((p1 - p0)) = $S ] && [ "$d1" = $E ]'
check "dummy, lfifo_nobypass: the queue is empty afterwards" 'drained dummy0'

# overlimit DEV NAME: lfifo limit 4 on DEV, whose BQL is cut to one frame in
# flight and whose queue interrupts come at most every 8 ms (rx/tx-usecs
# 8000): the device takes one packet per 8 ms, so the qdisc fills and pktgen's
# refusals, the overlimit drops, are certain. The device sends all the rest.
overlimit() {
	local dev=$1 name=$2 q
	local -A max
	sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1"
	$IP link set "$dev" up
	wait_carrier "$dev"
	for q in /sys/class/net/"$dev"/queues/tx-*/byte_queue_limits; do
		max[$q]=$(cat "$q/limit_max")
		echo 0 > "$q/limit_max"
	done
	$TC qdisc replace dev "$dev" root lfifo limit 4
	local p0 t0 p1 d1 t1
	p0=$(stat "$dev" packets) t0=$(tx_packets "$dev")
	pg_two "$dev" 300
	drained "$dev"
	local rc=$?
	p1=$(stat "$dev" packets) d1=$(stat "$dev" drops) t1=$(tx_packets "$dev")
	check "$name, $THREADS threads, limit 4: pktgen queued $S, refused $E; lfifo sent $((p1 - p0)), dropped $d1" \
		'show "$dev" | grep -q "^qdisc lfifo .*limit 4p" && [ $S = $((THREADS * 300)) ] && [ $((p1 - p0)) = $S ] && [ "$d1" = $E ]'
	check "$name: the queue overflowed (drops $d1)" '[ "$d1" -gt 0 ]'
	check "$name: the device sent what lfifo sent ($((t1 - t0)))" '[ $((t1 - t0)) = $((p1 - p0)) ]'
	check "$name: the queue drains after traffic stops" '[ $rc = 0 ]'
	for q in "${!max[@]}"; do
		echo "${max[$q]}" > "$q/limit_max"
	done
}

# C igb on port 0, then rigb on port 1 (the other's peer), each with an
# interrupt every 8 ms at most.
ports=($(ports_82576))
g=${ports[0]} r=${ports[1]}
modprobe igb
modprobe pktgen
insmod "$(bulknet_module rigb)" rx_usecs=8000
bind_to "$g" igb
bind_to "$r" rigb
ng=$(netdev_of "$g") nr=$(netdev_of "$r")
$ETHTOOL -C "$ng" rx-usecs 8000 tx-usecs 8000 2>/dev/null || $ETHTOOL -C "$ng" rx-usecs 8000
overlimit "$ng" "igb ($ng)"
# A device without a queue length (dummy's IFF_NO_QUEUE gets one back from the
# core, igb does not): no default limit.
$IP link set "$ng" txqueuelen 0
msg=$(tc_err qdisc replace dev "$ng" root handle 7: lfifo)
check "txqueuelen 0 and no limit fails, the old lfifo stays: $msg" \
	'echo "$msg" | grep -q "txqueuelen is 0" && show "$ng" | grep -q "^qdisc lfifo .*limit 4p"'
$IP link set "$ng" txqueuelen 1000
$TC qdisc del dev "$ng" root
check "port 1 is on rigb ($(driver_of "$r"), $nr)" '[ "$(driver_of "$r")" = rigb ] && [ -n "$nr" ]'
overlimit "$nr" "rigb ($nr)"

# Replace and delete under traffic (rigb, a thread per CPU, no count), from a
# fresh lfifo with the default limit.
$TC qdisc del dev "$nr" root
$TC qdisc add dev "$nr" root lfifo
pg_setup_threads "$nr" "$THREADS" 0
echo start > /proc/net/pktgen/pgctrl &
pg=$!
sleep 1
ok=0
for i in $(seq 20); do
	$TC qdisc replace dev "$nr" root lfifo limit $((8 + i)) && ok=$((ok + 1))
	sleep 0.05
	[ $((i % 5)) = 0 ] && $TC qdisc del dev "$nr" root && $TC qdisc add dev "$nr" root lfifo
done
check "20 replaces and 4 deletes under traffic succeed ($ok)" '[ $ok = 20 ]'
sent=$(stat "$nr" packets)
check "traffic flows through the last lfifo ($sent packets)" \
	'show "$nr" | grep -q "^qdisc lfifo" && [ "$sent" -gt 0 ]'
echo stop > /proc/net/pktgen/pgctrl
wait $pg
check "the queue drains after the traffic stops" 'drained "$nr"'
pg_write /proc/net/pktgen/pgctrl reset

# Everything goes, the module unloads, nothing is left.
$TC qdisc del dev "$nr" root
$TC qdisc del dev dummy0 root
check "qdiscs deleted: the root qdiscs are the defaults again" \
	'! $TC qdisc show | grep -q lfifo'
rmmod sch_lfifo
check "sch_lfifo unloads" '! grep -q "^sch_lfifo " /proc/modules'
msg=$(tc_err qdisc add dev dummy0 root lfifo)
check "without the module, lfifo is unknown: $msg" '[ -n "$msg" ] && ! $TC qdisc show dev dummy0 | grep -q lfifo'
check "the kernel log has no warning" '! dmesg | grep -E "WARNING|BUG|leak|refcount"'
# Leave the ports as the next selftest expects them: no driver loaded.
bind_to "$r" ""
bind_to "$g" ""
rmmod rigb
modprobe -r igb
modprobe -r dummy
exit $((fails > 0))
