#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# MM-bulk: the C and Rust slab benchmark modules load, report every case and
# unload; every allocation failure (each of the benchmark's calls in turn, then
# failslab on all of them) makes the load fail with ENOMEM, leaks nothing and
# leaves nothing loaded.
#
# Runs in the bulknet test router (tools/testing/bulknet/vm.py); needs
# CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS and slab_nomerge.

. "$(dirname "$0")/../../bulknet/guest/lib.sh"

# The kernel log of the whole test, kept across the dmesg -C of each step.
KLOG=$(mktemp)
klog_take() { dmesg >> "$KLOG"; dmesg -C; }

# Judge only this test's own messages: what earlier tests provoked on purpose
# (kernel_checkers.sh) is theirs, and the harness's log check sees it anyway.
dmesg -C
MODS="slab_bulk_bench slab_bulk_bench_rust"
echo "TAP version 13"
echo "1..13"

loaded() { grep -q "^$1 " /proc/modules; }
cache_gone() { ! grep -q "^$1 " /proc/slabinfo; }
kernel_clean() { klog_take; ! grep -E "BUG|WARNING|Objects remaining|still has objects|leak" "$KLOG"; }

# 1-4: both modules report all nine cases (single, bulk 1..128) and unload.
for mod in $MODS; do
	ko=$(bulknet_module $mod) || exit 1
	klog_take
	insmod "$ko" objects=1024
	rc=$?
	cases=$(dmesg | grep -c "ns_per_obj=")
	check "$mod: loads and reports 9 cases (got $cases)" '[ $rc = 0 ] && [ "$cases" = 9 ]'
	rmmod $mod
	check "$mod: unloads and destroys its cache" '! loaded $mod && cache_gone $mod'
done

# Fault injection reports quietly: no stack dump per injected failure.
for a in failslab fail_page_alloc; do
	[ -w /sys/kernel/debug/$a/verbose ] && echo 0 > /sys/kernel/debug/$a/verbose
done
sweep=

# 5-8: fail-call sweep: the module makes the benchmark's allocation calls
# again, untimed, and arms its own task's fail_nth for the first fault point of
# the kth call (the fail_call=k parameter), for k = 1, 2, ... until the module
# reports that k was not reached. That fault point is the call's own, ahead of
# the page allocator's and of the debug kernel's checkers (kmemleak allocates
# metadata for every object, and its fault points would outnumber the calls
# ten to one), so every k must make the load fail with ENOMEM and a message,
# leaving nothing behind. With objects=8 the benchmark makes 27 calls: 8
# single, then 8 + 4 + 2 + 1 bulk calls of sizes 1..8 and one each of sizes
# 16..128.
for mod in $MODS; do
	ko=$(bulknet_module $mod)
	k=1 clean=1 calls=0 enomem=0
	while [ $k -le 64 ]; do
		klog_take
		err=$(insmod "$ko" objects=8 fail_call=$k 2>&1)
		rc=$?
		if [ $rc = 0 ]; then
			rmmod $mod
			calls=$(dmesg | sed -n "s/.*fail_call=$k: not reached, the benchmark makes \([0-9]*\) allocation calls.*/\1/p")
			[ -n "$calls" ] || { clean=0; calls=0; echo "# k=$k: the load succeeded"; }
			break
		fi
		case "$err" in
		*"Cannot allocate memory"* | *"Out of memory"*) enomem=$((enomem + 1)) ;;
		*) clean=0; echo "# k=$k: $err" ;;
		esac
		dmesg | grep -q "allocation failed (-12)" || { clean=0; echo "# k=$k: no error in the log"; }
		loaded $mod && { clean=0; echo "# k=$k: left loaded"; rmmod $mod; }
		cache_gone $mod || { clean=0; echo "# k=$k: cache left behind"; }
		k=$((k + 1))
	done
	check "$mod: fail-call: each of its $calls allocation calls fails the load with ENOMEM, cleanly ($enomem)" \
		'[ $clean = 1 ] && [ $enomem = $calls ]'
	check "$mod: fail-call: the sweep reached all 27 allocation calls ($calls)" '[ "$calls" = 27 ]'
	sweep="$sweep $calls:$enomem"
done

# 9: the Rust abstraction makes the allocation calls the C module makes.
read -r c_sweep rust_sweep <<< "$sweep"
check "fail-call: Rust and C make the same calls and fail the same way ($c_sweep vs $rust_sweep)" \
	'[ "$c_sweep" = "$rust_sweep" ]'

# 10-11: failslab with a task filter: every atomic slab allocation of insmod fails.
fs=/sys/kernel/debug/failslab
if [ -d $fs ]; then
	echo 100 > $fs/probability
	echo -1 > $fs/times
	echo 0 > $fs/interval
	echo Y > $fs/task-filter
	for mod in $MODS; do
		ko=$(bulknet_module $mod)
		klog_take
		err=$( (echo 1 > /proc/self/make-it-fail && exec insmod "$ko" objects=64) 2>&1)
		rc=$?
		msg=$(dmesg | grep -c "allocation failed (-12)")
		check "$mod: failslab: load fails with ENOMEM and a clear error ($err)" \
			'[ $rc != 0 ] && [ "$msg" = 1 ] && ! loaded $mod && cache_gone $mod'
	done
	echo 0 > $fs/probability
	echo N > $fs/task-filter
else
	tap not-ok "failslab: $fs missing (CONFIG_FAULT_INJECTION_DEBUG_FS)"
	tap not-ok "failslab: $fs missing (CONFIG_FAULT_INJECTION_DEBUG_FS)"
fi

# 12: bad parameters are refused with a clear error.
klog_take
err=$(insmod "$(bulknet_module slab_bulk_bench_rust)" objects=0 2>&1)
check "slab_bulk_bench_rust: objects=0 is refused with EINVAL ($err)" \
	'echo "$err" | grep -q Invalid && dmesg | grep -q "objects must be at least 1"'

# 13: the kernel said nothing alarming throughout.
check "no BUG, WARNING or leaked objects in the kernel log" kernel_clean

[ $fails = 0 ]
