#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rigb receiving, beside C igb: the two 82576 ports are back to back, the igb
# port in a network namespace of its own ("peer") so that the two can talk IP.
# Ping both ways over IPv4 and IPv6, with frames up to a full receive buffer;
# pktgen from igb to rigb with every packet accounted for at both ends;
# multicast frames, which the multicast table takes or keeps out;
# malformed and oversized frames, which rigb counts and drops while traffic
# keeps flowing; rmmod while igb floods rigb. Then the ports swap drivers and
# the ping and count cases run again.
#
# Runs in the bulknet test router (tools/testing/bulknet/vm.py). rigb is loaded
# with the module parameters in RIGB_PARAMS, if any (rigb_rx_stages.sh).

. "$(dirname "$0")/../../bulknet/guest/lib.sh"

COUNT=${RIGB_RX_COUNT:-100000}
WARMUP=20000
LIB=$(cd "$(dirname "$0")/../../bulknet/guest" && pwd)/lib.sh
pstat_of() { $IP netns exec peer cat "/sys/class/net/$1/statistics/$2"; }
# peer CMD...: run CMD in the peer namespace, with lib.sh's helpers.
peer() { $IP netns exec peer bash -c ". $LIB; $*"; }
# flood DEV MAC N: pktgen in the peer namespace, DEV -> MAC, N packets,
# burst 32; prints what pktgen sent.
flood() {
	peer "pg_setup $1 && pg_set $1 'dst_mac $2' && pg_set $1 'count $3' &&
		pg_set $1 'burst 32' && pg_run $1" | awk '{ print $1 }'
}
# mib FILE GROUP FIELD: a counter of /proc/net/snmp or /proc/net/netstat.
mib() {
	awk -v g="$2:" -v f="$3" '$1 == g { if (!h) { for (i = 2; i <= NF; i++) c[$i] = i; h = 1 }
		else print $c[f] }' "/proc/net/$1"
}
# pp DEV|--detached: the page pool statistics of DEV's pools, or of the pools
# whose device is gone (the netdev family lists them with no ifindex), summed,
# as "pools alloc_fast alloc_slow recycled", recycled being the pages that
# came back to a pool's cache or ring.
pp() {
	local ifindex=0
	[ "$1" = --detached ] || ifindex=$(cat "/sys/class/net/$1/ifindex")
	ynl netdev --dump page-pool-stats-get --output-json | python3 -c '
import json, sys
pools = [p for p in json.load(sys.stdin) if p["info"].get("ifindex", 0) == int(sys.argv[1])]
total = lambda *keys: sum(p.get(k, 0) for p in pools for k in keys)
print(len(pools), total("alloc-fast"), total("alloc-slow"), total("recycle-cached", "recycle-ring"))' "$ifindex"
}
# ring_of DEV RX|TX: DEV's current ring size (ethtool -g).
ring_of() { $ETHTOOL -g "$1" | awk -v k="$2:" '/^Current/ { c = 1 } c && $1 == k { print $2 }'; }
# ring_max DEV RX|TX: DEV's largest ring size.
ring_max() { $ETHTOOL -g "$1" | awk -v k="$2:" '/^Current/ { exit } $1 == k { print $2 }'; }
# pings ARGS...: 5 pings; true if all come back.
pings() { ping -q -c 5 -i 0.2 -W 2 "$@" > /dev/null; }

echo "TAP version 13"
echo "1..48"

ports=($(ports_82576))
ko=$(bulknet_module rigb) || exit 1
modprobe igb
modprobe pktgen
insmod "$ko" ${RIGB_PARAMS:-}
$IP netns add peer

# one_way RIGB_PCI IGB_PCI: the cases with rigb on RIGB_PCI.
one_way() {
	local r=$1 g=$2 nr ng mac_r s tx rx d e u hw errs
	bind_to "$g" igb
	bind_to "$r" rigb
	nr=$(netdev_of "$r")
	ng=$(netdev_of "$g")
	$IP link set "$ng" netns peer
	$IP -n peer addr add 10.9.0.1/24 dev "$ng"
	$IP -n peer addr add fd00:9::1/64 dev "$ng" nodad
	$IP addr add 10.9.0.2/24 dev "$nr"
	$IP addr add fd00:9::2/64 dev "$nr" nodad
	$IP -n peer link set "$ng" up
	$IP link set "$nr" up
	mac_r=$(cat "/sys/class/net/$nr/address")
	check "rigb ($nr, $r) and igb ($ng, $g) get link" \
		'[ "$(driver_of $r)" = rigb ] && wait_carrier $nr && peer "wait_carrier $ng"'
	# QEMU's igb model loses frames right after link-up; send some first.
	flood "$ng" "$mac_r" $WARMUP > /dev/null

	check "ping rigb -> igb, IPv4" 'pings 10.9.0.1'
	check "ping igb -> rigb, IPv4" '$IP netns exec peer ping -q -c 5 -i 0.2 -W 2 10.9.0.2 > /dev/null'
	check "ping rigb -> igb, IPv6" 'pings -6 fd00:9::1'
	check "ping igb -> rigb, IPv6" '$IP netns exec peer ping -6 -q -c 5 -i 0.2 -W 2 fd00:9::2 > /dev/null'
	# The largest frame one receive buffer holds, unfragmented, both ways.
	$IP link set "$nr" mtu 3050
	$IP -n peer link set "$ng" mtu 3050
	# igb renegotiates the link on an MTU change.
	peer "wait_carrier $ng" && wait_carrier "$nr"
	check "ping with 3050-byte packets both ways (MTU 3050, DF)" \
		'pings -M do -s 3022 10.9.0.1 &&
		 $IP netns exec peer ping -q -c 5 -i 0.2 -W 2 -M do -s 3022 10.9.0.2 > /dev/null'
	$IP link set "$nr" mtu 1500
	$IP -n peer link set "$ng" mtu 1500
	peer "wait_carrier $ng" && wait_carrier "$nr"

	# Count: the sender's pktgen and TX counter, rigb's RX counter agree.
	# IPv6 goes off first, so that neither side sends anything of its own.
	sysctl -qw "net.ipv6.conf.$nr.disable_ipv6=1"
	$IP netns exec peer sysctl -qw "net.ipv6.conf.$ng.disable_ipv6=1"
	sleep 1
	tx=$(pstat_of "$ng" tx_packets)
	rx=$(stat_of "$nr" rx_packets)
	hw=$(estat "$nr" rx_packets)
	errs=$(($(stat_of "$nr" rx_errors) + $(stat_of "$nr" rx_dropped) + $(stat_of "$nr" rx_missed_errors)))
	read -r _ pf ps pr < <(pp "$nr")
	s=$(flood "$ng" "$mac_r" "$COUNT")
	sleep 1
	read -r pools f sl re < <(pp "$nr")
	pf=$((f - pf)) ps=$((sl - ps)) pr=$((re - pr))
	tx=$(($(pstat_of "$ng" tx_packets) - tx))
	rx=$(($(stat_of "$nr" rx_packets) - rx))
	hw=$(($(estat "$nr" rx_packets) - hw))
	errs=$(($(stat_of "$nr" rx_errors) + $(stat_of "$nr" rx_dropped) + $(stat_of "$nr" rx_missed_errors) - errs))
	echo "# pktgen sent $s, igb tx_packets +$tx, rigb rx_packets +$rx, its hardware (GPRC) +$hw"
	check "pktgen sends $COUNT packets from igb to rigb ($s)" \
		'[ "${s:-0}" -ge $COUNT ] && [ "$s" -lt $((COUNT + 32)) ] && [ "$tx" = "$s" ]'
	check "rigb receives every one of them (rx_packets +$rx)" '[ "$rx" = "$s" ]'
	# Counted over the flood only: QEMU's model may miss frames of the warm-up
	# right after link-up, which the port now reports (MPC).
	check "rigb counts no receive error, drop or miss during the flood (+$errs)" '[ "$errs" = 0 ]'
	check "the hardware counted them too (GPRC, ethtool -S rx_packets +$hw)" '[ "$hw" = "$s" ]'
	[ "$rx" = "$s" ] || $ETHTOOL -S "$nr" | grep -v ': 0$' | sed 's/^/# rigb: /'
	# Page recycling: each received page comes back to the pool when the
	# stack frees its skb, and the refill takes it from there. A slow-path
	# allocation brings at most 64 new pages (PP_ALLOC_CACHE_REFILL), and
	# the statistics count one per call.
	echo "# page pool ($pools): alloc fast +$pf, slow +$ps; recycled +$pr, for $s packets"
	check "the page pool recycles: $pr of $s pages came back, $ps slow-path allocations (at most $((ps * 64)) pages, below 1%)" \
		'[ "${pools:-0}" -ge 1 ] && [ $((pr * 100)) -ge $((s * 99)) ] && [ $((ps * 64 * 100)) -lt "$s" ]'

	# Multicast: the table lets a joined group in and keeps another out
	# (their hashes, bits 47:36, are 0x030 and 0xcda: no address of the
	# port's own groups has either), unless the port takes all multicast.
	$IP maddr add 01:00:5e:01:02:03 dev "$nr"
	rx=$(stat_of "$nr" rx_packets)
	s=$(flood "$ng" 01:00:5e:01:02:03 1000)
	sleep 1
	rx=$(($(stat_of "$nr" rx_packets) - rx))
	check "the multicast table takes a joined group's $s frames (+$rx)" '[ "$rx" = "$s" ]'
	rx=$(stat_of "$nr" rx_packets)
	s=$(flood "$ng" 01:00:5e:7f:ab:cd 1000)
	sleep 1
	rx=$(($(stat_of "$nr" rx_packets) - rx))
	check "and keeps out the $s frames of a group nobody joined (+$rx)" '[ "$rx" = 0 ]'
	$IP link set "$nr" allmulticast on
	rx=$(stat_of "$nr" rx_packets)
	s=$(flood "$ng" 01:00:5e:7f:ab:cd 1000)
	sleep 1
	rx=$(($(stat_of "$nr" rx_packets) - rx))
	$IP link set "$nr" allmulticast off
	$IP maddr del 01:00:5e:01:02:03 dev "$nr"
	check "with allmulticast on, the port takes them ($rx of $s)" '[ "$rx" = "$s" ]'

	# ethtool: -i from the core, -S and -g/-G from rigb.
	check "ethtool -i: driver rigb, bus-info $r" \
		'$ETHTOOL -i $nr | grep -qx "driver: rigb" && $ETHTOOL -i $nr | grep -qx "bus-info: $r"'
	check "ethtool -S agrees with ip -s link ($(estat $nr rx_queue_0_packets) received, $(estat $nr tx_doorbells) doorbells)" \
		'[ "$(estat $nr rx_queue_0_packets)" = "$(stat_of $nr rx_packets)" ] &&
		 [ "$(estat $nr tx_queue_0_packets)" = "$(stat_of $nr tx_packets)" ] &&
		 [ "$(estat $nr tx_doorbells)" -gt 0 ] &&
		 [ "$(estat $nr tx_doorbells)" -le "$(stat_of $nr tx_packets)" ]'
	check "ethtool -g: rings of 256, at most 4096" \
		'[ "$(ring_of $nr RX)" = 256 ] && [ "$(ring_of $nr TX)" = 256 ] &&
		 [ "$(ring_max $nr RX)" = 4096 ] && [ "$(ring_max $nr TX)" = 4096 ]'
	$ETHTOOL -G "$nr" rx 100 tx 1000
	check "ethtool -G rx 100 tx 1000 while up: rounded as igb does (rx $(ring_of $nr RX), tx $(ring_of $nr TX)), traffic flows" \
		'[ "$(ring_of $nr RX)" = 104 ] && [ "$(ring_of $nr TX)" = 1000 ] &&
		 wait_carrier $nr && pings 10.9.0.1'
	check "ethtool -G rx 8192 is refused and changes nothing" \
		'! $ETHTOOL -G $nr rx 8192 2> /dev/null && [ "$(ring_of $nr RX)" = 104 ]'
	$ETHTOOL -G "$nr" rx 256 tx 256
	wait_carrier "$nr"

	# Malformed frames from an AF_PACKET socket on the igb side: a bad IPv4
	# header checksum, a bad UDP checksum, a frame longer than a receive
	# buffer (the peer's MTU allows it), and a frame of an unknown EtherType.
	$IP -n peer link set "$ng" mtu 9000
	peer "wait_carrier $ng" && wait_carrier "$nr"
	d=$(mib netstat IpExt InCsumErrors)
	u=$(mib snmp Udp InCsumErrors)
	e=$(stat_of "$nr" rx_length_errors)
	rx=$(stat_of "$nr" rx_packets)
	$IP netns exec peer python3 - "$ng" "$mac_r" <<'PY'
import socket, struct, sys
dev, dst = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", ""))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((dev, 0))
src = s.getsockname()[4]
def csum(b):
    if len(b) % 2: b += b"\0"
    n = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while n >> 16: n = (n & 0xffff) + (n >> 16)
    return ~n & 0xffff
def ip4(payload, bad_ip=False):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, 17, 0,
                    bytes([10, 9, 0, 1]), bytes([10, 9, 0, 2]))
    c = csum(h) ^ (0x5555 if bad_ip else 0)
    return h[:10] + struct.pack("!H", c) + h[12:] + payload
udp = struct.pack("!HHHH", 9, 9, 8 + 18, 0x1234) + b"x" * 18   # wrong UDP checksum
eth = dst + src + b"\x08\x00"
frames = [eth + ip4(udp, bad_ip=True)] * 10 + [eth + ip4(udp)] * 10
frames += [eth + ip4(b"y" * 4000)] * 10                        # longer than a buffer
frames += [dst + src + b"\x88\xb5" + b"z" * 46] * 10           # local experimental EtherType
for f in frames:
    s.send(f)
PY
	sleep 1
	d=$(($(mib netstat IpExt InCsumErrors) - d))
	u=$(($(mib snmp Udp InCsumErrors) - u))
	e=$(($(stat_of "$nr" rx_length_errors) - e))
	rx=$(($(stat_of "$nr" rx_packets) - rx))
	echo "# malformed: rigb rx_packets +$rx, rx_length_errors +$e, IP InCsumErrors +$d, UDP InCsumErrors +$u"
	check "rigb drops the 10 frames longer than a buffer as length errors (+$e)" '[ "$e" = 10 ]'
	check "rigb passes the 30 other frames to the stack, which drops the bad checksums (+$rx, IP +$d, UDP +$u)" \
		'[ "$rx" = 30 ] && [ "$d" = 10 ] && [ "$u" = 10 ]'
	$IP -n peer link set "$ng" mtu 1500
	peer "wait_carrier $ng" && wait_carrier "$nr"
	sysctl -qw "net.ipv6.conf.$nr.disable_ipv6=0"
	$IP addr add fd00:9::2/64 dev "$nr" nodad 2> /dev/null
	check "traffic flows after the malformed frames" 'pings 10.9.0.1'

	$IP netns exec peer sysctl -qw "net.ipv6.conf.$ng.disable_ipv6=0"
	$IP -n peer link set "$ng" netns 1
}

one_way "${ports[1]}" "${ports[0]}"

# rmmod while igb floods rigb, then load again.
nr=$(netdev_of "${ports[1]}")
ng=$(netdev_of "${ports[0]}")
$IP link set "$ng" netns peer
$IP -n peer link set "$ng" up
$IP link set "$nr" up
wait_carrier "$nr"
mac_r=$(cat "/sys/class/net/$nr/address")
peer "pg_setup $ng && pg_set $ng 'dst_mac $mac_r' && pg_set $ng 'count 0' && pg_set $ng 'burst 32'"
$IP netns exec peer bash -c "echo start > /proc/net/pktgen/pgctrl" &
pg=$!
sleep 2
rmmod rigb
rc=$?
check "rmmod rigb while igb floods it (rc $rc)" '[ $rc = 0 ] && ! grep -q "^rigb " /proc/modules'
$IP netns exec peer bash -c "echo stop > /proc/net/pktgen/pgctrl"
wait $pg
$IP -n peer link set "$ng" netns 1
insmod "$ko" ${RIGB_PARAMS:-}

# The ports swapped: rigb on the first, igb on the second.
one_way "${ports[0]}" "${ports[1]}"

# rmmod while a socket holds received pages: the driver destroys its page
# pool, which waits, detached from the gone device, until the stack gives the
# pages back, and then goes, with no warning (the kernel log check after this
# selftest) and no leak (kmemleak).
nr=$(netdev_of "${ports[0]}")
ng=$(netdev_of "${ports[1]}")
$IP link set "$ng" netns peer
$IP -n peer addr add 10.9.0.1/24 dev "$ng"
$IP -n peer link set "$ng" up
$IP addr replace 10.9.0.2/24 dev "$nr"
$IP link set "$nr" up
wait_carrier "$nr" && peer "wait_carrier $ng"
held=$(mktemp -d)
python3 - "$held" <<'PY' &
import os, socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
s.bind(("10.9.0.2", 5009))
open(os.path.join(sys.argv[1], "ready"), "w").close()
while not os.path.exists(os.path.join(sys.argv[1], "release")):
    time.sleep(0.1)
PY
holder=$!
while [ ! -e "$held/ready" ]; do sleep 0.1; done
$IP netns exec peer python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(200):
    s.sendto(b"x" * 100, ("10.9.0.2", 5009))
    time.sleep(0.001)'
sleep 1
# The socket's receive queue, in bytes (/proc/net/udp, port 5009 = 0x1391).
queued=$(awk '$2 ~ /:1391$/ { split($5, q, ":"); print q[2] }' /proc/net/udp)
queued=$((16#${queued:-0}))
rmmod rigb
rc=$?
read -r detached _ < <(pp --detached)
check "rmmod rigb while a socket holds $queued bytes it received (rc $rc): its page pool waits, detached ($detached)" \
	'[ "${queued:-0}" -gt 0 ] && [ $rc = 0 ] && [ "${detached:-0}" -ge 1 ]'
touch "$held/release"
wait $holder
sleep 3
read -r detached _ < <(pp --detached)
check "the socket closed, the page pool goes ($detached left)" '[ "$detached" = 0 ]'
rm -rf "$held"
$IP netns del peer
bind_to "${ports[0]}" ""
bind_to "${ports[1]}" ""
check "cleanup: both ports back on igb" \
	'[ "$(driver_of ${ports[0]})" = igb ] && [ "$(driver_of ${ports[1]})" = igb ]'

dmesg | grep -E "rigb|igb" | tail -20 | sed 's/^/# /'
[ $fails = 0 ]
