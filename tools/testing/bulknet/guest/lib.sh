#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for scripts that run inside the bulknet test router (vm.py). Source it.
# The real iproute2 tools are called by absolute path: busybox has applets of the
# same names.

BULKNET_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)
BULKNET_CACHE=${BULKNET_CACHE:-/var/cache/bulknet}
# Where `make modules` (or modules-debug) put the out-of-tree modules built
# for the running kernel (MO=): one dir per kernel release.
BULKNET_MODULES=${BULKNET_MODULES:-$BULKNET_CACHE/modules/$(uname -r)}
# The source tree of the running kernel (modules_install's build link), for
# its tools: tdc.py, ynl.
KSRC=$BULKNET_CACHE/modroot/lib/modules/$(uname -r)/build/source
IP=/usr/sbin/ip
# rfilter's command-line tool (tools/net/rfilter), built by make modules.
RFILTER=$BULKNET_CACHE/bin/rfilter
TC=/usr/sbin/tc
ETHTOOL=/usr/sbin/ethtool

# modprobe: the kernel's own modules, installed by kernel.sh under the cache dir.
modprobe() {
	command modprobe -d "$BULKNET_CACHE/modroot" "$@"
}

# bulknet_module NAME: path of one of our out-of-tree modules.
bulknet_module() {
	local ko
	ko=$(find "$BULKNET_MODULES" -name "$1.ko" 2>/dev/null | head -1)
	[ -n "$ko" ] || { echo "bulknet: module $1.ko not built for $(uname -r) in $BULKNET_MODULES (make modules, make modules-debug)" >&2; return 1; }
	echo "$ko"
}

# --- TAP output of the selftests: tap ok|not-ok DESCRIPTION, check DESCRIPTION
# SHELL-CONDITION; $n counts the cases, $fails the failures. ---
n=0
fails=0
tap() {
	n=$((n + 1))
	if [ "$1" = ok ]; then echo "ok $n $2"; else echo "not ok $n $2"; fails=$((fails + 1)); fi
}
check() {
	if eval "$2"; then tap ok "$1"; else tap not-ok "$1"; fi
}

# bench_row SCENARIO IMPL OPS ELAPSED_NS [KEY=VALUE...]: one result for bench.py.
bench_row() {
	local s=$1 i=$2 ops=$3 ns=$4
	shift 4
	echo "BENCH scenario=$s impl=$i ops=$ops elapsed_ns=$ns $*"
}

# --- PCI ports and drivers ---

# ynl FAMILY ARGS...: the kernel tree's generic netlink client, driven by the
# family's YAML spec (Documentation/netlink/specs/FAMILY.yaml). --no-schema:
# the spec is the running kernel's own, and validating it would need
# jsonschema, which Debian's python3 lacks.
ynl() { python3 "$KSRC/tools/net/ynl/pyynl/cli.py" --no-schema --family "$@"; }

# stat_of DEV NAME: one of DEV's interface statistics (ip -s link).
stat_of() { cat "/sys/class/net/$1/statistics/$2"; }
# estat DEV NAME: one of DEV's ethtool -S counters.
estat() { $ETHTOOL -S "$1" | awk -v k="$2:" '$1 == k { print $2 }'; }

PCI=/sys/bus/pci
# driver_of PCI_ADDR: the driver bound to a PCI device, or nothing.
driver_of() { basename "$(readlink "$PCI/devices/$1/driver" 2>/dev/null)" 2>/dev/null; }
# netdev_of PCI_ADDR: its network interface.
netdev_of() { ls "$PCI/devices/$1/net" 2>/dev/null | head -1; }
# bind_to PCI_ADDR DRIVER: move the device to DRIVER ("" clears the override:
# any driver).
bind_to() {
	local d
	echo "$2" > "$PCI/devices/$1/driver_override"
	d=$(driver_of "$1")
	[ -n "$d" ] && echo "$1" > "$PCI/drivers/$d/unbind"
	echo "$1" > "$PCI/drivers_probe" 2>/dev/null
	return 0
}
# ports_82576: the PCI addresses of the 82576 ports, in PCI order.
ports_82576() {
	local d
	for d in "$PCI"/devices/*; do
		[ "$(cat "$d/vendor")" = 0x8086 ] && [ "$(cat "$d/device")" = 0x10c9 ] && basename "$d"
	done
}

# rigb_beside_igb: loads igb, pktgen and rigb and puts the first 82576 port
# on igb; sets g and r (the two ports' PCI addresses) and ng (g's interface).
rigb_beside_igb() {
	local ports ko
	ports=($(ports_82576))
	g=${ports[0]}
	r=${ports[1]}
	ko=$(bulknet_module rigb) || return 1
	modprobe igb
	modprobe pktgen
	insmod "$ko"
	bind_to "$g" igb
	ng=$(netdev_of "$g")
}

# igb_ports: the igb interfaces, in PCI order (port 0, then its peer).
igb_ports() {
	local d
	for d in /sys/bus/pci/drivers/igb/0000:*/net/*; do
		[ -e "$d" ] && basename "$d"
	done
}

# igb_fresh_pair: reloads igb on both ports (rigb unloaded); sets tx and rx,
# the interfaces of port 0 and of its peer.
igb_fresh_pair() {
	local ports
	modprobe -r igb 2>/dev/null || true
	rmmod rigb 2>/dev/null || true
	modprobe igb
	ports=($(igb_ports))
	tx=${ports[0]:-} rx=${ports[1]:-}
	[ -n "$rx" ] || { echo "bulknet: need two igb ports, found: $(igb_ports)" >&2; return 1; }
}

# on_rigb PCI USECS FN ARGS...: runs FN ARGS... NETDEV with rigb (rx_usecs=USECS,
# and the module parameters in RIGB_PARAMS) driving port PCI (driver_override),
# then gives the port back to C igb.
on_rigb() {
	local pci=$1 usecs=$2
	shift 2
	insmod "$(bulknet_module rigb)" rx_usecs="$usecs" ${RIGB_PARAMS:-}
	bind_to "$pci" rigb
	"$@" "$(netdev_of "$pci")"
	rmmod rigb
	bind_to "$pci" ""
}

# wait_carrier DEV: wait (up to ~5 s of guest time) until DEV has carrier.
wait_carrier() {
	local i
	for i in $(seq 50); do
		[ "$(cat /sys/class/net/$1/carrier 2>/dev/null)" = 1 ] && return 0
		sleep 0.1
	done
	echo "bulknet: $1 has no carrier" >&2
	return 1
}

# bench_settle: call right before a measured run: lets the work that the run's
# setup deferred (RCU callbacks, kworkers) finish outside the window.
bench_settle() {
	sleep 0.2
}

# --- a router between two dummy devices ---

# fwd_router: dummy d0 and d1 (NOARP), with IPv4 forwarding between them: d0
# is on 10.10.0.0/24, d1 leads to 198.18.0.0/24, where pktgen sends. The
# devices are made whether or not the dummy module was loaded before (and
# with how many devices); fwd_router_del takes them away. IPv6 is off on both:
# its MLD reports and router solicitations, sent out d1 in the first seconds
# after link-up, would count as forwarded packets.
fwd_router() {
	local d
	modprobe dummy numdummies=0
	for d in d0 d1; do
		$IP link add $d type dummy
		[ ! -e /proc/sys/net/ipv6/conf/$d ] || echo 1 > /proc/sys/net/ipv6/conf/$d/disable_ipv6
	done
	$IP addr add 10.10.0.1/24 dev d0
	$IP addr add 10.20.0.1/24 dev d1
	$IP link set d1 arp off
	$IP link set d0 up
	$IP link set d1 up
	$IP route add 198.18.0.0/24 dev d1
	echo 1 > /proc/sys/net/ipv4/ip_forward
}

fwd_router_del() {
	echo 0 > /proc/sys/net/ipv4/ip_forward
	$IP link del d0
	$IP link del d1
}

# pg_fwd_setup COUNT: pktgen on d0 in netif_receive mode, COUNT UDP packets
# from 10.10.0.2 to d0's MAC (pg_defaults: to 198.18.0.42), for the router to
# forward out d1.
pg_fwd_setup() {
	pg_setup d0
	pg_set d0 "count $1"
	pg_set d0 "xmit_mode netif_receive"
	pg_set d0 "dst_mac $(cat /sys/class/net/d0/address)"
	pg_set d0 "src_min 10.10.0.2"
	pg_set d0 "src_max 10.10.0.2"
}

# --- pktgen (Documentation/networking/pktgen.rst) ---

pg_write() { # FILE CMD
	local f=$1
	shift
	echo "$*" > "$f" || { echo "bulknet: pktgen: '$*' > $f failed" >&2; return 1; }
	if grep -q "Result: .*ERROR\|Result: No such" "$f" 2>/dev/null; then
		echo "bulknet: pktgen: '$*': $(grep Result: "$f")" >&2
		return 1
	fi
}

# pg_setup DEV: a fresh pktgen device on thread 0 with our common defaults.
pg_setup() {
	local dev=$1
	[ -d /proc/net/pktgen ] || modprobe pktgen || return 1
	pg_write /proc/net/pktgen/pgctrl reset
	pg_write /proc/net/pktgen/kpktgend_0 rem_device_all
	pg_write /proc/net/pktgen/kpktgend_0 "add_device $dev"
	pg_defaults "$dev"
}

# pg_defaults NAME: our common defaults for pktgen device NAME.
pg_defaults() {
	pg_set "$1" "pkt_size 60"
	pg_set "$1" "delay 0"
	pg_set "$1" "flag NO_TIMESTAMP"
	pg_set "$1" "dst_min 198.18.0.42"
	pg_set "$1" "dst_max 198.18.0.42"
}

# pg_setup_threads DEV THREADS COUNT: a fresh pktgen device DEV@T on each of
# threads 0 to THREADS - 1 (one per CPU), in queue_xmit mode, COUNT packets
# each (0: until stopped), with the common defaults.
pg_setup_threads() {
	local dev=$1 threads=$2 count=$3 t
	[ -d /proc/net/pktgen ] || modprobe pktgen || return 1
	pg_write /proc/net/pktgen/pgctrl reset
	for ((t = 0; t < threads; t++)); do
		pg_write /proc/net/pktgen/kpktgend_$t rem_device_all
		pg_write /proc/net/pktgen/kpktgend_$t "add_device $dev@$t"
		pg_defaults "$dev@$t"
		pg_set "$dev@$t" "count $count"
		pg_set "$dev@$t" "xmit_mode queue_xmit"
	done
}

# pg_set DEV CMD...
pg_set() {
	local dev=$1
	shift
	pg_write "/proc/net/pktgen/$dev" "$*"
}

# pg_measure DEV [RUNS]: RUNS measured runs (default 1), each after
# bench_settle. Prints "SENT ELAPSED_NS RUNS SPREAD_PCT" for the run with the
# median cost per packet; SPREAD_PCT is (max - min) / median of the cost per
# packet over the runs, in percent. A run that allocates per packet settles
# into one of a few steady states of the allocators, picked by the state that
# the guest's host-timed history left (it waits on 9p, and with -icount
# sleep=off its clock jumps while it waits): single runs of such a path repeat
# within about 0.2%, the median of five within 0.05%.
pg_measure() {
	local dev=$1 runs=${2:-1} i sent ns
	for ((i = 0; i < runs; i++)); do
		bench_settle
		read -r sent ns < <(pg_run "$dev") || return 1
		echo "$sent $ns"
	done | awk '{ print $1, $2, $2 / $1 }' | sort -g -k3 | awk '
		{ sent[NR] = $1; ns[NR] = $2; cost[NR] = $3 }
		END {
			if (NR == 0) exit 1
			m = int((NR + 1) / 2)
			printf "%d %d %d %.3f\n", sent[m], ns[m], NR, (cost[NR] - cost[1]) * 100 / cost[m]
		}'
}

# sent DEV: how many packets pktgen sent in its last run on DEV. With burst N
# it can send up to N - 1 more than its count: a burst cut short by a stopped
# queue shifts the rest.
sent() { sed -n 's/.*OK: [0-9]*(c.* usec, \([0-9]*\) .*/\1/p' "/proc/net/pktgen/$1"; }

# pg_run DEV: run to completion; prints "SENT ELAPSED_NS" from pktgen's result.
pg_run() {
	local dev=$1 res
	pg_write /proc/net/pktgen/pgctrl start || return 1
	res=$(grep "Result: OK:" "/proc/net/pktgen/$dev") || {
		echo "bulknet: pktgen on $dev: $(grep Result: "/proc/net/pktgen/$dev")" >&2
		return 1
	}
	# Result: OK: 906001(c905990+d11) usec, 1000000 (60byte,0frags)
	echo "$res" | sed -E 's/.*OK: ([0-9]+)\(c.* usec, ([0-9]+) .*/\2 \1000/'
}
