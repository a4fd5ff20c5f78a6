#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What netfilter costs a forwarded packet when it has nothing to do (the
# slides' "Netfilter Hooks - Benchmarks"): pktgen in netif_receive mode into
# dummy d0, addressed to d0's MAC, IPv4-forwarded out dummy d1 (NOARP), one
# skb reused in bursts of 64 (ip_rcv clones each). Each row sets up one
# configuration, measures the median of RUNS runs, and tears it down:
#  - baseline: no netfilter hook registered (no netfilter module loaded yet;
#    the kernel has CONFIG_NETFILTER=y);
#  - xt-empty: iptables-legacy's raw and filter tables instantiated, empty;
#  - nft-empty-chain: nft base chains at prerouting and forward, no rules;
#  - conntrack: conntrack tracking every packet (an nft forward chain with
#    one rule, "ct state invalid drop", which takes conntrack's hooks);
#  - nft-1-nomatch: an nft forward chain with one rule that matches nothing.
# delta is each row's instructions per packet over baseline's, in the same
# boot. Every row checks that d1 sent every packet that pktgen injected.
set -euo pipefail
. "$(dirname "$0")/../guest/lib.sh"

COUNT=${COUNT:-100000}
RUNS=${RUNS:-5}
NFT=/usr/sbin/nft
XT=/usr/sbin/iptables-legacy
ROWS="baseline xt-empty nft-empty-chain conntrack nft-1-nomatch"

# The router: d0 receives from 10.10.0.0/24, d1 leads to pktgen's destination.
modprobe dummy numdummies=2
$IP link set dummy0 name d0
$IP link set dummy1 name d1
$IP addr add 10.10.0.1/24 dev d0
$IP addr add 10.20.0.1/24 dev d1
$IP link set d1 arp off
$IP link set d0 up
$IP link set d1 up
$IP route add 198.18.0.0/24 dev d1
echo 1 > /proc/sys/net/ipv4/ip_forward

pg_setup d0
pg_set d0 "count $COUNT"
pg_set d0 "xmit_mode netif_receive"
pg_set d0 "burst 64"
pg_set d0 "dst_mac $(cat /sys/class/net/d0/address)"
pg_set d0 "src_min 10.10.0.2"
pg_set d0 "src_max 10.10.0.2"

# setup ROW / teardown ROW: one configuration. The modules go in through our
# modprobe (the tools' own module autoloading would look in /lib/modules).
setup() {
	case $1 in
	baseline) ;;
	xt-empty)
		modprobe iptable_raw
		modprobe iptable_filter
		# Listing a table instantiates it in this namespace: its hooks go in.
		$XT -t raw -n -L > /dev/null
		$XT -t filter -n -L > /dev/null
		;;
	nft-empty-chain)
		modprobe nf_tables
		$NFT -f - <<-EOF
			table ip bn {
				chain bn_pre { type filter hook prerouting priority 0; }
				chain bn_fwd { type filter hook forward priority 0; }
			}
		EOF
		;;
	conntrack)
		modprobe nf_tables
		modprobe nft_ct
		$NFT -f - <<-EOF
			table ip bn {
				chain bn_fwd { type filter hook forward priority 0; ct state invalid drop; }
			}
		EOF
		;;
	nft-1-nomatch)
		modprobe nf_tables
		$NFT -f - <<-EOF
			table ip bn {
				chain bn_fwd { type filter hook forward priority 0; ip saddr 192.0.2.1 drop; }
			}
		EOF
		;;
	*) echo "nf-forward: unknown row $1" >&2; return 1 ;;
	esac
}

teardown() {
	case $1 in
	xt-empty) rmmod iptable_filter iptable_raw ;;
	nft-*|conntrack) $NFT flush ruleset ;;
	esac
}

for row in $ROWS; do
	setup "$row"
	pg_run d0 > /dev/null
	before=$(stat_of d1 tx_packets)
	read -r sent ns runs spread < <(pg_measure d0 "$RUNS")
	fwd=$(($(stat_of d1 tx_packets) - before))
	# Every run sends COUNT (the burst may add up to 63): all of them forwarded.
	if [ "$fwd" -lt $((COUNT * runs)) ]; then
		echo "nf-forward: $row: d1 sent $fwd of $((COUNT * runs)) packets" >&2
		exit 1
	fi
	bench_row nf-forward "$row" "$sent" "$ns" \
		"mode=netif_receive burst=64 path=ip_forward ref=baseline base=baseline" \
		"runs=$runs spread_pct=$spread"
	teardown "$row"
done

pg_write /proc/net/pktgen/pgctrl reset
echo 0 > /proc/sys/net/ipv4/ip_forward
rmmod dummy
