#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# MM-bulk: the C and Rust slab benchmark modules load, report every case and
# unload; every allocation failure (fail-nth at each point, then failslab)
# makes the load fail with ENOMEM, leaks nothing and leaves nothing loaded.
#
# Runs in the bulknet test router (tools/testing/bulknet/vm.py); needs
# CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS and slab_nomerge.

. "$(dirname "$0")/../../bulknet/guest/lib.sh"

n=0
fails=0
tap() { # ok|not-ok DESCRIPTION
	n=$((n + 1))
	if [ "$1" = ok ]; then echo "ok $n $2"; else echo "not ok $n $2"; fails=$((fails + 1)); fi
}
check() { # DESCRIPTION SHELL-CONDITION
	if eval "$2"; then tap ok "$1"; else tap not-ok "$1"; fi
}
# The kernel log of the whole test, kept across the dmesg -C of each step.
KLOG=$(mktemp)
klog_take() { dmesg >> "$KLOG"; dmesg -C; }

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

# 5-8: fail-nth sweep: the module arms its own task's fail_nth (the fail_nth=k
# parameter, as /proc/self/fail-nth does for user space) so that the k-th fault
# point of the benchmark fails, for k = 1, 2, ... until the module reports that
# k was not reached. Each load must either fail with ENOMEM leaving nothing
# behind, or succeed where the kernel itself absorbs the failure (SLUB retries
# a failed high-order slab page at its minimum order). The benchmark makes 27
# allocation calls with objects=8: 8 single, then 8 + 4 + 2 + 1 bulk calls of
# sizes 1..8 and one each of sizes 16..128; new slab pages add fault points.
for mod in $MODS; do
	ko=$(bulknet_module $mod)
	k=1 clean=1 points=0 enomem=0 absorbed=0 absorbed_at=
	while [ $k -le 200 ]; do
		klog_take
		# On one CPU: a fresh cache's per-CPU state on another CPU would add
		# slab refills, and so fault points, whenever the task migrated.
		err=$(taskset -c 0 insmod "$ko" objects=8 fail_nth=$k 2>&1)
		rc=$?
		if [ $rc = 0 ]; then
			rmmod $mod
			if dmesg | grep -q "fail_nth=$k: not reached"; then
				points=$((k - 1))
				break
			fi
			absorbed=$((absorbed + 1)) absorbed_at="$absorbed_at,$k"
			echo "# k=$k: absorbed by the kernel, the load succeeded"
		else
			case "$err" in
			*"Cannot allocate memory"* | *"Out of memory"*) enomem=$((enomem + 1)) ;;
			*) clean=0; echo "# k=$k: $err" ;;
			esac
			dmesg | grep -q "allocation failed (-12)" || { clean=0; echo "# k=$k: no error in the log"; }
		fi
		loaded $mod && { clean=0; echo "# k=$k: left loaded"; rmmod $mod; }
		cache_gone $mod || { clean=0; echo "# k=$k: cache left behind"; }
		k=$((k + 1))
	done
	check "$mod: fail-nth: $enomem of $points fault points fail the load with ENOMEM, cleanly ($absorbed absorbed)" \
		'[ $clean = 1 ] && [ $enomem -gt 0 ]'
	check "$mod: fail-nth: the sweep reached all 27 allocation calls ($points fault points)" \
		'[ $points -ge 27 ] && [ $enomem -ge 27 ]'
	sweep="$sweep $points:$enomem:${absorbed_at#,}"
done

# 9: the Rust abstraction makes the allocation calls the C module makes: the
# same fault points, failing and absorbed at the same k (points:failed:absorbed).
read -r c_sweep rust_sweep <<< "$sweep"
check "fail-nth: Rust and C have the same fault points ($c_sweep vs $rust_sweep)" \
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
