#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rigb on the wire, beside C igb: the two 82576 ports are back to back, one
# on rigb and one on igb. rigb gets link, transmits what pktgen gives it with
# every packet accounted for at both ends, and survives link down/up, an MTU
# change and rmmod while pktgen runs.
#
# Runs in the bulknet test router (tools/testing/bulknet/vm.py).

. "$(dirname "$0")/../../bulknet/guest/lib.sh"

COUNT=${RIGB_TRAFFIC_COUNT:-50000}
WARMUP=20000

# pg_to DEV PEER_MAC COUNT: pktgen DEV -> PEER_MAC, COUNT packets, burst 32.
pg_to() {
	pg_setup "$1" && pg_set "$1" "dst_mac $2" && pg_set "$1" "count $3" &&
		pg_set "$1" "burst 32"
}
# up DEV: bring DEV up with no traffic of its own (no IPv6 autoconfiguration,
# no neighbour discovery), so its counters count pktgen's packets only.
up() {
	sysctl -qw "net.ipv6.conf.$1.disable_ipv6=1"
	$IP link set "$1" up
}
# warm_up DEV PEER_MAC: QEMU's igb model loses frames right after link-up;
# send some before counting.
warm_up() {
	wait_carrier "$1" && pg_to "$1" "$2" $WARMUP && pg_run "$1" > /dev/null
}
# counted DEV PEER N: send N packets DEV -> PEER; prints "SENT TX RX": what
# pktgen sent, what DEV counted sent and what PEER counted received.
counted() {
	local tx0 rx0
	tx0=$(stat_of "$1" tx_packets)
	rx0=$(stat_of "$2" rx_packets)
	pg_to "$1" "$(cat /sys/class/net/$2/address)" "$3" && pg_run "$1" > /dev/null
	echo "$(sent "$1") $(($(stat_of "$1" tx_packets) - tx0)) $(($(stat_of "$2" rx_packets) - rx0))"
}

echo "TAP version 13"
echo "1..10"

ports=($(ports_82576))
a=${ports[0]}
b=${ports[1]}
ko=$(bulknet_module rigb) || exit 1
modprobe igb
insmod "$ko"
bind_to "$a" igb
bind_to "$b" rigb
na=$(netdev_of "$a")
nb=$(netdev_of "$b")
up "$na"
up "$nb"
check "rigb ($nb) and igb ($na) get link, back to back" \
	'[ "$(driver_of $b)" = rigb ] && wait_carrier $nb && wait_carrier $na'
mac_a=$(cat "/sys/class/net/$na/address")

warm_up "$nb" "$mac_a"
read -r s tx rx < <(counted "$nb" "$na" "$COUNT")
echo "# pktgen sent $s, rigb tx_packets +$tx, igb rx_packets +$rx"
check "pktgen sends $COUNT packets (burst 32) through rigb ($s)" '[ "$s" -ge $COUNT ] && [ "$s" -lt $((COUNT + 32)) ]'
check "rigb counts every packet sent (tx_packets +$tx)" '[ "$tx" = "$s" ]'
check "igb receives every packet rigb sent (rx_packets +$rx)" '[ "$rx" = "$s" ]'
[ "$rx" = "$s" ] || $ETHTOOL -S "$na" | grep -v ': 0$' | sed 's/^/# igb: /'
check "rigb drops nothing (tx_dropped $(stat_of $nb tx_dropped))" '[ "$(stat_of $nb tx_dropped)" = 0 ]'

# Link down and up, and an MTU change, while pktgen runs.
pg_to "$nb" "$mac_a" 0
pg_write /proc/net/pktgen/pgctrl start &
pg=$!
sleep 1
$IP link set "$nb" down
$IP link set "$nb" up
$IP link set "$nb" mtu 1400
sleep 1
pg_write /proc/net/pktgen/pgctrl stop
wait $pg
check "link down/up and MTU 1400 under pktgen: link comes back" 'wait_carrier $nb && [ "$(cat /sys/class/net/$nb/mtu)" = 1400 ]'
$IP link set "$nb" mtu 1500
warm_up "$nb" "$mac_a"
read -r s tx rx < <(counted "$nb" "$na" 10000)
check "traffic flows after down/up (pktgen $s, rigb +$tx, igb +$rx)" \
	'[ "$s" -ge 10000 ] && [ "$tx" = "$s" ] && [ "$rx" = "$s" ]'

# rmmod while pktgen runs, then load again.
pg_to "$nb" "$mac_a" 0
pg_write /proc/net/pktgen/pgctrl start &
pg=$!
sleep 1
rmmod rigb
rc=$?
wait $pg
check "rmmod rigb under pktgen (rc $rc)" '[ $rc = 0 ] && ! grep -q "^rigb " /proc/modules'
insmod "$ko"
nb=$(netdev_of "$b")
up "$nb"
warm_up "$nb" "$mac_a"
read -r s tx rx < <(counted "$nb" "$na" 10000)
check "insmod rigb again: traffic flows (pktgen $s, rigb +$tx, igb +$rx)" \
	'[ "$s" -ge 10000 ] && [ "$tx" = "$s" ] && [ "$rx" = "$s" ]'

pg_write /proc/net/pktgen/pgctrl reset
rmmod rigb
$IP link set "$na" down
bind_to "$a" ""
bind_to "$b" ""
check "cleanup: both ports back on igb" '[ "$(driver_of $a)" = igb ] && [ "$(driver_of $b)" = igb ]'

dmesg | grep -E "rigb|igb" | tail -20 | sed 's/^/# /'
[ $fails = 0 ]
