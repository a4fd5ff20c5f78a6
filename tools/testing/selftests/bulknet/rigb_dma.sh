#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bulknet-cmdline: swiotlb=512,force
#
# rigb when transmit mappings fail, on the debug kernel, whose kmemleak must find
# nothing afterwards. The kernel bounces every streaming mapping through a
# software IO TLB of 512 slots of 2 KiB (the bulknet-cmdline line above:
# make check boots a kernel of its own for this test), so a mapping fails
# whenever the slots run out, as it does on a machine whose IOMMU space or
# bounce buffer is exhausted. At rest the receive rings hold 384 slots (a
# page of two slots per buffer: rigb's 128, igb's 64), which leaves 128.
#  - transmit: rigb's transmit unit is stopped behind its back (TCTL.EN
#    cleared through the BAR's sysfs resource file), so the frames it queues
#    stay mapped, a slot each, while pktgen sends 400: the first ones fill
#    the IO TLB, and the mappings of the rest fail. Each such frame is
#    dropped and counted (tx_dma_failed, tx_dropped). Once the unit runs
#    again, the frames that were queued are sent, and the queue keeps going.
#  - afterwards, with rigb down, the IO TLB holds what it held before.
#
# A receive refill cannot be failed this way: the sender, igb, maps from the
# same IO TLB, and rigb's page pool keeps the pages it recycles mapped, so
# once the pool holds the free slots igb sends nothing that would make rigb
# refill. rigb_faults fails refills instead.
#
# Runs in the bulknet test router (tools/testing/bulknet/vm.py).

. "$(dirname "$0")/../../bulknet/guest/lib.sh"

TLB=/sys/kernel/debug/swiotlb
# pktgen DEV MAC N [SETTING...]: pktgen DEV -> MAC, N packets.
pktgen() {
	local dev=$1 mac=$2 n=$3 s
	shift 3
	pg_setup "$dev" && pg_set "$dev" "dst_mac $mac" && pg_set "$dev" "count $n" || return 1
	for s in "$@"; do pg_set "$dev" "$s" || return 1; done
	pg_run "$dev" > /dev/null
}

echo "TAP version 13"
echo "1..7"

nslabs=$(cat $TLB/io_tlb_nslabs 2> /dev/null)
check "the kernel bounces every mapping through $nslabs IO TLB slots (swiotlb=512,force)" \
	'[ "$nslabs" = 512 ] && grep -qw "swiotlb=512,force" /proc/cmdline'

rigb_beside_igb || exit 1
bind_to "$r" rigb
nr=$(netdev_of "$r")
for d in "$ng" "$nr"; do sysctl -qw "net.ipv6.conf.$d.disable_ipv6=1"; done
$ETHTOOL -G "$ng" rx 64
$ETHTOOL -G "$nr" rx 128
$IP link set "$ng" up
sleep 1
base=$(cat $TLB/io_tlb_used)
$IP link set "$nr" up
wait_carrier "$ng" && wait_carrier "$nr"
mac_g=$(cat "/sys/class/net/$ng/address")
# The first frames after link-up may be lost (QEMU's igb): warm up.
pktgen "$nr" "$mac_g" 2000 "delay 100000"
sleep 1
rest=$(cat $TLB/io_tlb_used)
echo "# IO TLB slots in use at rest: $rest"

# tx_enable ON: stops (0) rigb's transmit unit (TCTL.EN), or starts it (1)
# and makes it take up its ring (TDT written again with its own value, as a
# doorbell would). One python process, started beforehand, holds the BAR
# mapped and does both: the stall must stay shorter than the transmit
# watchdog's 5 s, or the reset that follows frees the queued frames, and
# starting python takes seconds on the debug kernel.
coproc TXU {
	python3 -u -c '
import mmap, os, struct, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_SYNC)
m = mmap.mmap(fd, 0x10000, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
TCTL, EN, TDT0 = 0x400, 0x2, 0xE018
rd = lambda a: struct.unpack_from("<I", m, a)[0]
print("ready")
for line in sys.stdin:
    v = rd(TCTL)
    if line.strip() == "1":
        struct.pack_into("<I", m, TCTL, v | EN)
        struct.pack_into("<I", m, TDT0, rd(TDT0))
    else:
        struct.pack_into("<I", m, TCTL, v & ~EN)
    print("done")
' "$PCI/devices/$r/resource0"
}
read -r -u "${TXU[0]}" ready
tx_enable() {
	local done
	echo "$1" >&"${TXU[1]}" && read -r -u "${TXU[0]}" done
}

# Transmit: mappings fail once the stalled ring holds every free slot.
tx=$(stat_of "$nr" tx_packets)
txd=$(stat_of "$nr" tx_dropped)
df=$(estat "$nr" tx_dma_failed)
to=$(estat "$nr" tx_timeout_count)
tx_enable 0
# pktgen's frames share one skb, and pktgen waits for its last clone to be
# freed: in the background, until the unit runs again. 400 frames: more
# than the free slots, few enough to send well within the watchdog's time.
pktgen "$nr" "$mac_g" 400 "clone_skb 1000000" "burst 32" &
pg=$!
for i in $(seq 300); do
	sofar=$(sed -n 's/.*pkts-sofar: \([0-9]*\).*/\1/p' "/proc/net/pktgen/$nr" 2> /dev/null)
	[ "${sofar:-0}" -ge 400 ] && break
	sleep 0.05
done
queued=$(($(cat $TLB/io_tlb_used) - rest))
tx_enable 1
wait $pg
eval "exec ${TXU[1]}>&-"
wait "$TXU_PID" 2> /dev/null
to=$(($(estat "$nr" tx_timeout_count) - to))
s=$(sent "$nr")
sleep 1
tx=$(($(stat_of "$nr" tx_packets) - tx))
txd=$(($(stat_of "$nr" tx_dropped) - txd))
df=$(($(estat "$nr" tx_dma_failed) - df))
echo "# stalled ring: pktgen sent $s, $queued slots held; rigb transmitted $tx, tx_dma_failed +$df, tx_dropped +$txd, tx_timeout_count +$to"
check "mappings fail once the IO TLB is full, and rigb counts them (tx_dma_failed +$df)" '[ "$df" -gt 0 ]'
check "each is a dropped frame (tx_dropped +$txd)" '[ "$txd" = "$df" ]'
check "every other frame is transmitted once the unit runs ($tx + $df = $s, watchdog resets $to)" \
	'[ $((tx + df)) = "$s" ] && [ "$to" = 0 ]'
rx=$(stat_of "$ng" rx_packets)
# One frame a millisecond: a few in flight, room for each.
pktgen "$nr" "$mac_g" 500 "delay 1000000"
s=$(sent "$nr")
sleep 1
rx=$(($(stat_of "$ng" rx_packets) - rx))
check "the queue keeps going: igb then receives all $s frames rigb sends ($rx)" \
	'[ "${s:-0}" = 500 ] && [ "$rx" = "$s" ]'

pg_write /proc/net/pktgen/pgctrl reset
$IP link set "$nr" down
sleep 1
used=$(cat $TLB/io_tlb_used)
check "rigb unmapped everything it mapped: $used IO TLB slots in use, $base before rigb" \
	'[ "$used" = "$base" ]'
rmmod rigb
bind_to "$r" ""
check "cleanup: both ports back on igb" '[ "$(driver_of $g)" = igb ] && [ "$(driver_of $r)" = igb ]'
[ $fails = 0 ]
