#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rfilter (net/netfilter/rfilter): rules drop and count exactly the matching
# traffic (pktgen forwarded between dummies, ping over veth, IPv4 and IPv6);
# a hook point's hook exists exactly while it has rules (nft list hooks);
# namespaces are isolated and one deleted with rules leaves nothing; every bad
# request gets its error and extack message and changes nothing; a dump that a
# change interrupts is flagged NLM_F_DUMP_INTR; packets whose
# headers cannot give a rule's ports or protocol are dropped (raw sockets,
# IPv4 and IPv6), a later fragment matches no port rule; rules added
# and flushed in a loop while pktgen forwards on the other CPU; unload with
# rules present. The requests go through the kernel tree's YNL client with
# Documentation/netlink/specs/rfilter.yaml, and through rfilter's own tool
# (tools/net/rfilter).
#
# Runs in the bulknet test router (tools/testing/bulknet/vm.py).

. "$(dirname "$0")/../../bulknet/guest/lib.sh"

echo "TAP version 13"
echo "1..67"

SPEC=$BULKNET_REPO/Documentation/netlink/specs/rfilter.yaml
NFT=/usr/sbin/nft
ko=$(bulknet_module rfilter) || exit 1
dmesg -C

# rf ARGS...: a request to rfilter; prints the reply or the error.
rf() { python3 "$KSRC/tools/net/ynl/pyynl/cli.py" --no-schema --output-json --spec "$SPEC" "$@"; }
# add JSON: adds a rule; prints nothing on success, the error otherwise.
add() { rf --do rule-add --json "$1" > /tmp/rf.out 2>&1 || cat /tmp/rf.out; }
# rules: the dump of the rules through YNL, one JSON list.
rules() { rf --dump rule-get; }
# The checks below read the rules back through rfilter's own tool: a Python
# start costs seconds on the debug kernel, and YNL's several more.
R=$RFILTER
# list: the rules, one per line, in add's syntax with "# handle H packets P
# bytes B".
list() { $R list; }
# nrules: how many rules the namespace has.
nrules() { list | grep -c .; }
# field HANDLE KEY: the packets or bytes of the rule with HANDLE.
field() { list | awk -v h="$1" -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == "handle" && $(i + 1) == h) for (; i < NF; i++) if ($i == k) print $(i + 1) }'; }
# handle N: the handle of the Nth rule (from 0).
handle() { list | awk -v n="$1" 'NR == n + 1 { for (i = 1; i < NF; i++) if ($i == "handle") print $(i + 1) }'; }
# prios FAMILY HOOK: the priorities of the hooks at FAMILY's HOOK, one per line.
prios() {
	$NFT list hooks "$1" 2>/dev/null | awk -v h="$2" '
		/^\thook / { in_h = ($2 == h); next }
		/^\t}/ { in_h = 0; next }
		in_h && NF { print $1 + 0 }'
}

# hooks FAMILY HOOK: how many hooks are registered at FAMILY's HOOK (nft list
# hooks, from the kernel's own listing, nfnetlink_hook).
hooks() { prios "$1" "$2" | grep -c .; }

# nft lists hooks through nf_tables' netlink (nfnetlink_hook); loading them
# registers no hook.
modprobe nf_tables
modprobe nfnetlink_hook
modprobe veth
fwd_router
d0=$(cat /sys/class/net/d0/ifindex)
d1=$(cat /sys/class/net/d1/ifindex)

# forward N: pktgen injects N UDP packets 10.10.0.2:9 -> 198.18.0.42:9 into d0
# (netif_receive), which the kernel forwards out d1; prints how many d1 sent.
forward() {
	local before
	pg_fwd_setup "$1"
	before=$(stat_of d1 tx_packets)
	pg_run d0 > /dev/null
	echo $(($(stat_of d1 tx_packets) - before))
}

# --- load, and no hook without rules ---
fwd0=$(hooks ip forward)
pre0=$(hooks ip prerouting)
in0=$(hooks ip input)
out60=$(hooks ip6 output)
insmod "$ko"
check "the family answers: no rules" '[ "$(rules)" = "[]" ]'
check "loaded, no rules: no hook at forward ($(hooks ip forward) of $fwd0 before)" \
	'[ "$(hooks ip forward)" = "$fwd0" ] && [ "$(hooks ip prerouting)" = "$pre0" ]'
fwd=$(forward 1000)
check "forwarding works with rfilter loaded and empty ($fwd of 1000)" '[ "$fwd" = 1000 ]'

# --- rules drop and count exactly what they match ---
out=$(rf --do rule-add --json '{"family": "ipv4", "hook": "forward", "dst": "198.18.0.0", "dst-len": 24, "proto": 17, "dport-lo": 9, "action": "drop"}' 2>&1)
h1=$(handle 0)
check "add a drop rule at forward; the reply carries its handle: $out" \
	'[ "$out" = "{\"handle\": $h1}" ] && [ "$(nrules)" = 1 ]'
check "its hook is registered at ip forward, and only there" \
	'[ "$(hooks ip forward)" = $((fwd0 + 1)) ] && [ "$(hooks ip prerouting)" = "$pre0" ]'
fwd=$(forward 2000)
check "the rule drops all 2000 matching packets ($fwd forwarded)" '[ "$fwd" = 0 ]'
check "its counters: 2000 packets, 2000 x 46 bytes" \
	'[ "$(field "$h1" packets)" = 2000 ] && [ "$(field "$h1" bytes)" = 92000 ]'
out=$(rf --do rule-del --json "{\"handle\": $h1}" 2>&1)
check "delete it: the hook goes" '[ "$(nrules)" = 0 ] && [ "$(hooks ip forward)" = "$fwd0" ]'
fwd=$(forward 1000)
check "and forwarding is back ($fwd of 1000)" '[ "$fwd" = 1000 ]'

out=$(add '{"family": "ipv4", "hook": "forward", "src": "10.10.0.2", "action": "count"}')
out2=$(add '{"family": "ipv4", "hook": "forward", "dst": "198.18.0.42", "dport-lo": 10, "dport-hi": 20, "proto": 17, "action": "drop"}')
out3=$(add "{\"family\": \"ipv4\", \"hook\": \"forward\", \"iif\": $d0, \"oif\": $d1, \"action\": \"accept\"}")
check "count, a non-matching port range, and an interface match: $out$out2$out3" \
	'[ -z "$out$out2$out3" ] && [ "$(nrules)" = 3 ] && [ "$(hooks ip forward)" = $((fwd0 + 1)) ]'
fwd=$(forward 1500)
check "all 1500 forwarded ($fwd)" '[ "$fwd" = 1500 ]'
check "counted 1500, not matched 0, accepted by interfaces 1500" \
	'[ "$(field "$(handle 0)" packets)" = 1500 ] && [ "$(field "$(handle 1)" packets)" = 0 ] && [ "$(field "$(handle 2)" packets)" = 1500 ]'
out=$(add '{"family": "ipv4", "hook": "prerouting", "src": "10.10.0.0", "src-len": 24, "action": "drop"}')
check "a drop rule at prerouting registers a hook there: $out" \
	'[ -z "$out" ] && [ "$(hooks ip prerouting)" = $((pre0 + 1)) ]'
fwd=$(forward 500)
check "it drops before forwarding: $fwd of 500 forwarded" '[ "$fwd" = 0 ]'
check "rfilter runs after the raw table at prerouting, after the filter table at forward ($(prios ip prerouting | tr '\n' ' ')/ $(prios ip forward | tr '\n' ' '))" \
	'prios ip prerouting | grep -qx -- -299 && prios ip forward | grep -qx 1'
check "a dump lists the 4 rules in order with their attributes" \
	'rules | python3 -c "import json, sys; r = json.load(sys.stdin); assert [x[\"hook\"] for x in r] == [\"forward\"] * 3 + [\"prerouting\"]; assert r[3][\"src\"] == \"10.10.0.0\" and r[3][\"src-len\"] == 24; assert r[1][\"dport-hi\"] == 20"'
rf --do rule-flush > /dev/null
check "flush: no rules, no hooks" \
	'[ "$(nrules)" = 0 ] && [ "$(hooks ip forward)" = "$fwd0" ] && [ "$(hooks ip prerouting)" = "$pre0" ]'

# --- ping over veth, IPv4 and IPv6, and namespace isolation ---
$IP netns add rf1
$IP link add v0 type veth peer name v1 netns rf1
$IP addr add 10.30.0.1/24 dev v0
$IP addr add fd00::1/64 dev v0 nodad
$IP link set v0 up
$IP -n rf1 addr add 10.30.0.2/24 dev v1
$IP -n rf1 addr add fd00::2/64 dev v1 nodad
$IP -n rf1 link set v1 up
$IP -n rf1 link set lo up
check "ping over veth, IPv4 and IPv6" 'ping -c 1 -W 2 10.30.0.2 > /dev/null && ping -c 1 -W 2 fd00::2 > /dev/null'
out=$(add '{"family": "ipv6", "hook": "output", "dst": "fd00::2", "proto": 58, "action": "drop"}')
check "an IPv6 drop rule at output for ICMPv6 to fd00::2: $out" '[ -z "$out" ] && [ "$(hooks ip6 output)" = $((out60 + 1)) ]'
check "ping6 fails, ping still works" '! ping -c 3 -i 0.2 -W 1 fd00::2 > /dev/null && ping -c 1 -W 2 10.30.0.2 > /dev/null'
check "the rule counted the 3 echo requests" '[ "$(field "$(handle 0)" packets)" = 3 ]'
ns() { ip netns exec rf1 "$@"; }
check "the other namespace has no rules" '[ "$(ns python3 "$KSRC/tools/net/ynl/pyynl/cli.py" --no-schema --output-json --spec "$SPEC" --dump rule-get)" = "[]" ]'
nsin0=$(ns $NFT list hooks ip 2>/dev/null | grep -c .)
out=$(ns python3 "$KSRC/tools/net/ynl/pyynl/cli.py" --no-schema --spec "$SPEC" --do rule-add --json '{"family": "ipv4", "hook": "input", "proto": 1, "action": "drop"}' 2>&1)
check "a rule in rf1 drops ICMP at its input, with a hook there: $out" \
	'! ping -c 1 -W 1 10.30.0.2 > /dev/null && [ "$(ns $NFT list hooks ip | grep -c .)" -gt "$nsin0" ]'
check "this namespace keeps its one rule, and no hook at input" '[ "$(nrules)" = 1 ] && [ "$(hooks ip input)" = "$in0" ]'
# nsenter enters rf1's network namespace but keeps this one's /sys, where v1 is not.
out=$(nsenter --net=/run/netns/rf1 $R -e add ip input iif v1 proto icmp count 2>&1)
check "rfilter under nsenter names rf1's interfaces, which its /sys does not show: $out" \
	'[[ "$out" == "ip input iif v1 proto icmp count # handle "[0-9]* ]] && [ ! -e /sys/class/net/v1 ]'
rf --do rule-flush > /dev/null

# --- packets whose headers cannot give what a rule needs: dropped, not let
# through (fail closed, as ip6_tables' hotdrop); a fragment after the first
# has no ports, so no port rule matches it (as xt_tcpudp). Sent from a raw
# socket (IPPROTO_RAW: this host writes the whole IP header), dropped at
# output, where a drop is sendto()'s EPERM. ---
# raw FAMILY DST HEX: sends the packet HEX to DST; prints "sent" or the error.
raw() {
	python3 -c '
import socket, sys
fam = socket.AF_INET if sys.argv[1] == "4" else socket.AF_INET6
s = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_RAW)
try:
    s.sendto(bytes.fromhex(sys.argv[3]), (sys.argv[2], 0))
    print("sent")
except OSError as e:
    print(e.strerror)
' "$@"
}
# IPv4 10.30.0.1 -> 10.30.0.2, protocol UDP; the kernel fills in the total
# length, the ID and the checksum. ip4 FRAG: the header, with FRAG (4 hex
# digits) as its flags and fragment offset.
ip4() { echo "450000000000$1""401100000a1e00010a1e0002"; }
udp_to() { printf '04d2%04x00080000' "$1"; }
out=$(add '{"family": "ipv4", "hook": "output", "proto": 17, "dport-lo": 9, "action": "drop"}')
check "a drop rule for UDP to port 9 at ipv4 output: $out" '[ -z "$out" ]'
r1=$(raw 4 10.30.0.2 "$(ip4 0000)$(udp_to 9)")
r2=$(raw 4 10.30.0.2 "$(ip4 0000)$(udp_to 10)")
check "UDP to port 9 is dropped ($r1), to port 10 sent ($r2)" \
	'[ "$r1" = "Operation not permitted" ] && [ "$r2" = sent ]'
r1=$(raw 4 10.30.0.2 "$(ip4 0000)04d2")
check "UDP cut short before its ports: dropped ($r1)" '[ "$r1" = "Operation not permitted" ]'
r1=$(raw 4 10.30.0.2 "$(ip4 0001)$(udp_to 9)")
check "a fragment after the first has no ports: no port rule matches it ($r1)" '[ "$r1" = sent ]'
# IPv6 fd00::1 -> fd00::99 over NEXT: ip6 NEXT PAYLOAD. fd00::99 is on v0's
# link but nobody has it: this host sends nothing else to it (it would send
# neighbour probes to fd00::2, which a count rule for fd00::2 would count).
ip6() { echo "60000000$(printf %04x $((${#2} / 2)))$1""40fd000000000000000000000000000001fd000000000000000000000000000099$2"; }
out=$(add '{"family": "ipv6", "hook": "output", "dst": "fd00::99", "action": "count"}')
out2=$(add '{"family": "ipv6", "hook": "output", "proto": 17, "action": "drop"}')
check "a count rule for fd00::99 and a drop rule for UDP at ipv6 output: $out$out2" '[ -z "$out$out2" ]'
# Destination options (60) of 8 bytes (a PadN), then UDP.
r1=$(raw 6 fd00::99 "$(ip6 3c "1100010400000000$(udp_to 9)")")
# ICMPv6 (58) after the same options: an echo reply nobody asked for.
r2=$(raw 6 fd00::99 "$(ip6 3c "3a000104000000008100000000000000")")
check "UDP behind a destination options header is dropped ($r1), ICMPv6 sent ($r2)" \
	'[ "$r1" = "Operation not permitted" ] && [ "$r2" = sent ]'
# Destination options whose length (8 + 255 * 8 bytes) runs past the packet.
r1=$(raw 6 fd00::99 "$(ip6 3c "11ff010400000000$(udp_to 9)")")
check "an extension header that runs past the packet: dropped ($r1)" '[ "$r1" = "Operation not permitted" ]'
counted=$(field "$(handle 1)" packets)
check "the count rule before it saw the 3 packets ($counted)" '[ "$counted" = 3 ]'
rf --do rule-flush > /dev/null
$IP netns del rf1
sleep 1
# What rf1's table held is checked by kmemleak after this selftest.
check "rf1 deleted with its rule: this namespace's table and hooks are untouched" \
	'[ "$(nrules)" = 0 ] && [ "$(hooks ip input)" = "$in0" ] && [ "$(hooks ip6 output)" = "$out60" ]'

# --- bad input: an error with its message, and nothing changes ---
add '{"family": "ipv4", "hook": "forward", "dst": "198.18.0.0", "dst-len": 24, "action": "count"}' > /dev/null
before=$(list)
bad() { # DESCRIPTION MESSAGE JSON
	local out msg=$2
	out=$(add "$3")
	check "$1: $out" 'echo "$out" | grep -q "$msg" && [ "$(list)" = "$before" ]'
}
bad "no family" "a rule needs a family" '{"hook": "forward", "action": "drop"}'
bad "no action" "a rule needs an action" '{"family": "ipv4", "hook": "forward"}'
bad "an unknown family" "family is ipv4 (2) or ipv6 (10)" '{"family": 7, "hook": "forward", "action": "drop"}'
bad "an unknown hook" "hook is prerouting" '{"family": "ipv4", "hook": 9, "action": "drop"}'
bad "prefix length 33 for IPv4" "prefix longer than the family" '{"family": "ipv4", "hook": "forward", "dst": "10.0.0.0", "dst-len": 33, "action": "drop"}'
bad "address bits beyond the prefix" "address bits set beyond its length" '{"family": "ipv4", "hook": "forward", "dst": "10.0.0.1", "dst-len": 8, "action": "drop"}'
bad "an IPv6 address in an IPv4 rule" "address of the wrong family" '{"family": "ipv4", "hook": "forward", "src": "fd00::1", "action": "drop"}'
bad "an inverted port range" "low end above its high end" '{"family": "ipv4", "hook": "forward", "proto": 6, "dport-lo": 80, "dport-hi": 79, "action": "drop"}'
bad "ports without a protocol" "ports need a protocol" '{"family": "ipv4", "hook": "forward", "dport-lo": 80, "action": "drop"}'
bad "an unknown interface" "no such interface" '{"family": "ipv4", "hook": "forward", "iif": 9999, "action": "drop"}'
bad "an output interface at prerouting" "no output interface before routing" "{\"family\": \"ipv4\", \"hook\": \"prerouting\", \"oif\": $d1, \"action\": \"drop\"}"
out=$(rf --do rule-del --json '{"handle": 424242}' 2>&1)
check "delete an unknown handle: $out" 'echo "$out" | grep -q "no rule with this handle" && [ "$(list)" = "$before" ]'
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups python3 "$KSRC/tools/net/ynl/pyynl/cli.py" --no-schema --spec "$SPEC" --do rule-add --json '{"family": "ipv4", "hook": "forward", "action": "drop"}' 2>&1)
check "unprivileged: EPERM: $out" 'echo "$out" | grep -q "Operation not permitted" && [ "$(list)" = "$before" ]'
# The limit: 1024 rules per namespace; the 1025th gets ENOSPC.
multi=()
for ((i = 1; i < 1024; i++)); do
	multi+=(--multi rule-add '{"family": "ipv4", "hook": "input", "proto": 17, "dport-lo": 7, "action": "count"}')
done
rf "${multi[@]}" > /dev/null 2>&1
check "1024 rules" '[ "$(nrules)" = 1024 ]'
before=$(list)
bad "the 1025th rule" "the most rules it can hold" '{"family": "ipv4", "hook": "input", "action": "drop"}'
# dump_parts [COMMAND...]: dumps the rules over a raw generic netlink socket, reading
# the parts one at a time, and runs COMMAND after the second; prints how many parts,
# rules, and rules flagged NLM_F_DUMP_INTR. The kernel makes a part when the one before
# is read: COMMAND runs before the fourth part is made.
dump_parts() {
	python3 - "$@" <<'PY'
import socket, struct, subprocess, sys
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)  # NETLINK_GENERIC
s.bind((0, 0))
def send(typ, flags, cmd, attrs=b""):
    s.send(struct.pack("=IHHII", 20 + len(attrs), typ, flags, 1, 0) + bytes([cmd, 1, 0, 0]) + attrs)
def msgs(buf):
    while len(buf) >= 16:
        n, typ, flags = struct.unpack_from("=IHH", buf)
        yield typ, flags, buf[16:n]
        buf = buf[(n + 3) & ~3:]
# CTRL_CMD_GETFAMILY (3) to GENL_ID_CTRL (16), CTRL_ATTR_FAMILY_NAME (2).
send(16, 1, 3, struct.pack("=HH", 12, 2) + b"rfilter\0")
attrs = next(msgs(s.recv(8192)))[2][4:]
while attrs:
    n, t = struct.unpack_from("=HH", attrs)
    if t == 1:  # CTRL_ATTR_FAMILY_ID
        fam = struct.unpack_from("=H", attrs, 4)[0]
    attrs = attrs[(n + 3) & ~3:]
send(fam, 0x301, 4)  # NLM_F_REQUEST | NLM_F_DUMP, rule-get
parts = rules = flagged = 0
done = False
while not done:
    parts += 1
    for typ, flags, _ in msgs(s.recv(8192)):
        if typ == 3:  # NLMSG_DONE
            done = True
        elif typ == 2:  # NLMSG_ERROR
            sys.exit("dump failed")
        else:
            rules += 1
            flagged += bool(flags & 0x10)  # NLM_F_DUMP_INTR
    if parts == 2 and len(sys.argv) > 1:
        subprocess.run(sys.argv[1:], check=True)
print(parts, rules, flagged)
PY
}
read -r parts nr flagged <<< "$(dump_parts)"
check "a dump in $parts parts of 1024 rules, undisturbed: none flagged interrupted ($nr rules, $flagged flagged)" \
	'[ "$parts" -ge 5 ] && [ "$nr" = 1024 ] && [ "$flagged" = 0 ]'
read -r parts nr flagged <<< "$(dump_parts $R delete "$(handle 0)")"
check "a rule deleted after its second part: the first message after it is flagged NLM_F_DUMP_INTR ($flagged of $nr rules in $parts parts)" \
	'[ "$nr" = 1024 ] && [ "$flagged" = 1 ] && [ "$(nrules)" = 1023 ]'
rf --do rule-flush > /dev/null
check "flushed 1024 rules: no hooks" '[ "$(nrules)" = 0 ] && [ "$(hooks ip input)" = "$in0" ] && [ "$(hooks ip forward)" = "$fwd0" ]'

# --- the command-line tool (tools/net/rfilter) ---
out=$($R add ip forward iif d0 daddr 198.18.0.0/24 proto udp dport 9-10 drop 2>&1)
out2=$($R add ip6 output saddr fd00::/16 proto icmpv6 count 2>&1)
check "rfilter add: two rules: $out$out2" \
	'[ -z "$out$out2" ] && [ "$(nrules)" = 2 ] && [ "$(hooks ip forward)" = $((fwd0 + 1)) ]'
h=$(handle 0)
fwd=$(forward 500)
list=$($R list)
check "rfilter list: the rules in add's syntax, with handles and counters ($fwd forwarded): ${list//$'\n'/ | }" \
	'[ "$fwd" = 0 ] && [ "$list" = "ip forward iif d0 daddr 198.18.0.0/24 proto udp dport 9-10 drop # handle $h packets 500 bytes 23000
ip6 output saddr fd00::/16 proto icmpv6 count # handle $((h + 1)) packets 0 bytes 0" ]'
check "rfilter -j list: JSON, the same rules" \
	'$R -j list | python3 -c "import json, sys; r = json.load(sys.stdin); assert [x[\"handle\"] for x in r] == [$h, $((h + 1))]; assert r[0][\"iif\"] == $d0 and r[0][\"iifname\"] == \"d0\" and r[0][\"dport\"] == [9, 10] and r[0][\"packets\"] == 500; assert r[1][\"saddr\"] == \"fd00::/16\" and r[1][\"proto\"] == 58"'
out=$($R add ip forward daddr 10.0.0.1/8 drop 2>&1); rc=$?
check "rfilter prints the kernel's message, exit status 1: $out" \
	'[ $rc = 1 ] && [ "$out" = "Error: rfilter: prefix has address bits set beyond its length (Invalid argument)" ] && [ "$(nrules)" = 2 ]'
out=$($R add ip forward iif nosuchdev drop 2>&1); rc=$?
check "rfilter refuses a bad command line before asking the kernel, exit status 2: ${out%%$'\n'*}" \
	'[ $rc = 2 ] && echo "$out" | grep -q "no interface named .nosuchdev." && [ "$(nrules)" = 2 ]'
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups $R flush 2>&1); rc=$?
check "rfilter, unprivileged: $out" '[ $rc = 1 ] && [ "$out" = "Error: Operation not permitted" ] && [ "$(nrules)" = 2 ]'
$R delete "$h"
check "rfilter delete: the forward hook goes with its rule" '[ "$(nrules)" = 1 ] && [ "$(hooks ip forward)" = "$fwd0" ]'
$R flush
check "rfilter flush: no rules, empty list" '[ -z "$($R list)" ] && [ "$($R -j list)" = "[]" ]'
out=$($R -e add ip input proto udp count)
h2=$(handle 0)
check "rfilter -e add prints the rule with the handle the kernel replied: $out" \
	'[ "$out" = "ip input proto udp count # handle $h2" ]'
check "a flush does not reuse handles: the next rule is $h2, after $((h + 1))" '[ "$h2" -gt $((h + 1)) ]'
$R flush

# --- rules added and flushed while pktgen forwards on the other CPU ---
pg_fwd_setup 0
taskset -c 1 true 2>/dev/null && cpus=2 || cpus=1
pg_write /proc/net/pktgen/pgctrl start &
pg=$!
sleep 1
for ((i = 0; i < 10; i++)); do
	$R add ip forward daddr 198.18.0.42 count
	$R add ip prerouting saddr 10.10.0.2 proto udp dport 9 count
	$R flush
done
$R add ip forward daddr 198.18.0.42 count
sleep 1
counted=$(field "$(handle 0)" packets)
pg_write /proc/net/pktgen/pgctrl stop
wait $pg
check "10 rounds of add and flush under traffic ($cpus CPUs), then a rule counts ($counted packets)" \
	'[ "$counted" -gt 0 ] && [ "$(hooks ip forward)" = $((fwd0 + 1)) ]'

# --- unload with rules present ---
add '{"family": "ipv6", "hook": "input", "proto": 58, "action": "count"}' > /dev/null
check "two rules present" '[ "$(nrules)" = 2 ]'
rmmod rfilter
check "unloaded with rules: their hooks are gone" \
	'[ "$(hooks ip forward)" = "$fwd0" ] && [ "$(hooks ip6 input)" = 0 ]'
fwd=$(forward 1000)
check "forwarding after unload ($fwd of 1000)" '[ "$fwd" = 1000 ]'
insmod "$ko"
check "reloaded: an empty table" '[ "$(rules)" = "[]" ]'
rmmod rfilter

$IP link del v0 2>/dev/null
pg_write /proc/net/pktgen/pgctrl reset
fwd_router_del
exit $((fails > 0))
