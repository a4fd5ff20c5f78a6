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
#  - nft-1-nomatch: an nft forward chain with one rule that matches nothing;
#  - rust-empty: rfilter (net/netfilter/rfilter) loaded, a rule added and
#    deleted: its table was made and emptied, so it has no hook;
#  - rust-1-nomatch: one rfilter rule at forward that matches nothing;
#  - rust-1-drop: one rfilter rule at forward that drops every packet: the
#    cost of the drop path (nothing is forwarded).
# delta is each row's instructions per packet over baseline's, in the same
# boot. Every row checks that d1 sent every packet that pktgen injected (none,
# for rust-1-drop).
#
# Sourced with NF_FORWARD_LIB=1, it only sets up the router and pktgen and
# defines setup ROW and teardown ROW (profile/workload.sh's nf-forward case).
set -euo pipefail
. "$(dirname "$0")/../guest/lib.sh"

COUNT=${COUNT:-100000}
RUNS=${RUNS:-5}
NFT=/usr/sbin/nft
XT=/usr/sbin/iptables-legacy
ROWS="baseline xt-empty nft-empty-chain conntrack nft-1-nomatch rust-empty rust-1-nomatch rust-1-drop"
SPEC=$BULKNET_REPO/Documentation/netlink/specs/rfilter.yaml
# rf ARGS...: a request to rfilter (the kernel tree's YNL client).
rf() { python3 "$KSRC/tools/net/ynl/pyynl/cli.py" --no-schema --spec "$SPEC" "$@" > /dev/null; }

fwd_router
pg_fwd_setup "$COUNT"
pg_set d0 "burst 64"

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
	rust-*)
		insmod "$(bulknet_module rfilter)"
		;;&
	rust-empty)
		rf --do rule-add --json '{"family": "ipv4", "hook": "forward", "src": "192.0.2.1", "action": "drop"}'
		rf --do rule-flush
		;;
	rust-1-nomatch)
		rf --do rule-add --json '{"family": "ipv4", "hook": "forward", "src": "192.0.2.1", "action": "drop"}'
		;;
	rust-1-drop)
		rf --do rule-add --json '{"family": "ipv4", "hook": "forward", "dst": "198.18.0.42", "action": "drop"}'
		;;
	*) echo "nf-forward: unknown row $1" >&2; return 1 ;;
	esac
}

teardown() {
	case $1 in
	xt-empty) rmmod iptable_filter iptable_raw ;;
	nft-*|conntrack) $NFT flush ruleset ;;
	rust-*) rmmod rfilter ;;
	esac
}

[ "${NF_FORWARD_LIB:-}" = 1 ] && return 0

for row in $ROWS; do
	setup "$row"
	pg_run d0 > /dev/null
	before=$(stat_of d1 tx_packets)
	read -r sent ns runs spread < <(pg_measure d0 "$RUNS")
	fwd=$(($(stat_of d1 tx_packets) - before))
	# Every run sends COUNT (the burst may add up to 63): all of them forwarded,
	# or none.
	want=$((COUNT * runs))
	[ "$row" = rust-1-drop ] && want=0
	if { [ "$want" = 0 ] && [ "$fwd" != 0 ]; } || [ "$fwd" -lt "$want" ]; then
		echo "nf-forward: $row: d1 sent $fwd packets, expected $want" >&2
		exit 1
	fi
	bench_row nf-forward "$row" "$sent" "$ns" \
		"mode=netif_receive burst=64 path=ip_forward ref=baseline base=baseline" \
		"runs=$runs spread_pct=$spread"
	teardown "$row"
done

pg_write /proc/net/pktgen/pgctrl reset
fwd_router_del
# The scenarios after this one load dummy with the devices they want.
rmmod dummy
