#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rigb beside C igb: both drivers claim the 82576, and driver_override puts
# each port on the one we choose. rigb must read the permanent MAC address
# that C igb reads for the same port, identify the PHY, and bind, unbind,
# unload and load again cleanly, while the other port stays on igb.
#
# Runs in the bulknet test router (tools/testing/bulknet/vm.py), which has two
# 82576 ports (QEMU igb).

. "$(dirname "$0")/../../bulknet/guest/lib.sh"

# probe_line PORT: rigb's probe message for PORT in the log since the last dmesg -C.
probe_line() { dmesg | grep "rigb $1: 82576 rev" | tail -1; }

echo "TAP version 13"
echo "1..12"

ports=($(ports_82576))
check "the router has two 82576 ports (${ports[*]})" '[ ${#ports[@]} = 2 ]'
a=${ports[0]}
b=${ports[1]}
ko=$(bulknet_module rigb) || exit 1

# C igb first, on both ports: the reference MAC addresses.
modprobe igb
bind_to "$a" igb
bind_to "$b" igb
mac_b=$(cat "/sys/class/net/$(netdev_of "$b")/address" 2>/dev/null)
check "C igb drives both ports (port $b: $mac_b)" \
	'[ "$(driver_of $a)" = igb ] && [ "$(driver_of $b)" = igb ] && [ -n "$mac_b" ]'

# 3-6: port b moves to rigb.
dmesg -C
insmod "$ko"
check "rigb loads and takes no port that igb holds" \
	'[ "$(driver_of $a)" = igb ] && [ "$(driver_of $b)" = igb ]'
bind_to "$b" rigb
line=$(probe_line "$b")
echo "# $line"
check "driver_override moves port $b to rigb, port $a stays on igb" \
	'[ "$(driver_of $b)" = rigb ] && [ "$(driver_of $a)" = igb ] && [ -n "$(netdev_of $a)" ]'
check "rigb reads the MAC address C igb reads ($mac_b)" \
	'echo "$line" | grep -q "MAC $mac_b,"'
phy=$(echo "$line" | sed -n 's/.*PHY id \([0-9a-f]*\).*/\1/p')
check "rigb identifies the PHY over MDIC (id $phy)" \
	'[ -n "$phy" ] && [ "$phy" != ffffffff ] && [ "$phy" != 00000000 ]'

# 7: unbind and bind again, three times.
ok=1
for i in 1 2 3; do
	dmesg -C
	echo "$b" > "$PCI/drivers/rigb/unbind"
	[ -z "$(driver_of "$b")" ] || ok=0
	echo "$b" > "$PCI/drivers/rigb/bind"
	[ "$(driver_of "$b")" = rigb ] && probe_line "$b" | grep -q "MAC $mac_b," || ok=0
done
check "rigb unbinds and binds port $b again, three times" '[ $ok = 1 ]'

# 8-9: unloading rigb releases the port; loading it again takes it back.
rmmod rigb
check "rmmod rigb releases port $b" '! grep -q "^rigb " /proc/modules && [ -z "$(driver_of $b)" ]'
dmesg -C
insmod "$ko"
check "insmod rigb takes port $b again (driver_override)" \
	'[ "$(driver_of $b)" = rigb ] && probe_line $b | grep -q "MAC $mac_b,"'

# 10-11: a port rigb handed back works under C igb: the reset left it usable.
bind_to "$b" igb
nb=$(netdev_of "$b")
check "port $b goes back to C igb with the same MAC ($nb)" \
	'[ "$(driver_of $b)" = igb ] && [ "$(cat /sys/class/net/$nb/address 2>/dev/null)" = "$mac_b" ]'
$IP link set "$nb" up
na=$(netdev_of "$a")
$IP link set "$na" up
check "C igb gets link on port $b after rigb" 'wait_carrier $nb'

# 12: clean up: rigb unloads with no port, overrides cleared.
rmmod rigb
bind_to "$a" ""
bind_to "$b" ""
check "rigb unloads; both ports on igb with no override" \
	'! grep -q "^rigb " /proc/modules && [ "$(driver_of $a)" = igb ] && [ "$(driver_of $b)" = igb ]'
$IP link set "$na" down
$IP link set "$nb" down

[ $fails = 0 ]
