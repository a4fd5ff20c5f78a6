#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The debug kernel's checkers, and make check's kernel log check, catch real
# bugs: two test-only modules break a rule on purpose.
#  - bulknet_test_leak leaks one slab object: kmemleak must report it after two
#    scans, recognised by its contents in the report's hex dump (the module's
#    init, in the backtrace, is freed once the module is loaded);
#  - bulknet_test_sleep allocates with GFP_KERNEL under a spinlock: the kernel
#    must report "sleeping function called from invalid context", with lockdep
#    naming the Rust lock held.
# The log check (tools/testing/bulknet/guest/klog.py) must flag both reports.
# Here they are expected: the leak is cleared from kmemleak once seen (only if
# no other leak is listed), and the atomic-sleep report is named in an expect
# window, so neither fails the kernel log check that follows this test.
#
# Runs in the bulknet test router on the debug kernel (make check); skips on a
# kernel without kmemleak and lockdep.

. "$(dirname "$0")/../../bulknet/guest/lib.sh"
KLOG_PY=$BULKNET_REPO/tools/testing/bulknet/guest/klog.py
KMEMLEAK=/sys/kernel/debug/kmemleak

loaded() { grep -q "^$1 " /proc/modules; }

echo "TAP version 13"
echo "1..7"
if [ ! -e $KMEMLEAK ] || [ ! -e /proc/lockdep ]; then
	for i in $(seq 7); do
		echo "ok $i # SKIP $(uname -r) has no kmemleak or lockdep: not the debug kernel"
	done
	exit 0
fi

# 1-3: the leak. kmemleak reports only objects older than 5 s, and a stale
# copy of the pointer (in a register, on a stack, in the module's init memory
# until it is freed) can hide the object from a scan: scan until it shows,
# two scans at least and at most 16, 2 s apart. On two CPUs even 16 scans
# missed it at times, so make check boots one for this test (check.sh).
leak=$(bulknet_module bulknet_test_leak) || exit 1
insmod "$leak"
check "bulknet_test_leak: loads" 'loaded bulknet_test_leak'
sleep 6
# One block per object: "unreferenced object 0x... (size N):" and what follows.
count_ours() {
	echo "$1" | awk '/^unreferenced object/ { n++ } { b[n] = b[n] "\n" $0 }
		END { for (i = 1; i <= n; i++) if (b[i] ~ /bulknet_test_lea/) c++; print c + 0 }'
}
echo scan > $KMEMLEAK
for i in $(seq 15); do
	echo scan > $KMEMLEAK
	report=$(cat $KMEMLEAK)
	ours=$(count_ours "$report")
	[ "$ours" = 0 ] || break
	sleep 2
done
echo "# kmemleak: $((i + 1)) scans"
total=$(echo "$report" | grep -c '^unreferenced object')
echo "$report" | grep -B4 -A10 'bulknet_test_lea' | head -16 | sed 's/^/# /'
check "kmemleak reports the leaked object ($ours of $total reports are it)" \
	'[ "$ours" = 1 ]'
flagged=$(echo "$report" | python3 "$KLOG_PY" scan)
check "the log check flags kmemleak's report ($(echo "$flagged" | head -1))" \
	'echo "$flagged" | grep -q "unreferenced object"'
# Expected: forget it, unless another leak is listed, which the log check then reports.
[ "$ours" = "$total" ] && echo clear > $KMEMLEAK
rmmod bulknet_test_leak

# 4-7: the sleep under a spinlock.
sleep_ko=$(bulknet_module bulknet_test_sleep) || exit 1
dmesg -C
echo "bulknet-klog: expect sleeping function called from invalid context" > /dev/kmsg
insmod "$sleep_ko"
rc=$?
echo "bulknet-klog: expect-end" > /dev/kmsg
log=$(dmesg)
check "bulknet_test_sleep: loads" '[ $rc = 0 ] && loaded bulknet_test_sleep'
check "the kernel reports the sleeping call in atomic context" \
	'echo "$log" | grep -q "BUG: sleeping function called from invalid context"'
check "lockdep names the Rust spinlock held" \
	'echo "$log" | grep -A8 "sleeping function called" | grep -q "bulknet_test_sleep_lock"'
echo "$log" | grep -A8 "sleeping function called" | sed 's/^/# /'
# Without the expect window the log check fails on it.
flagged=$(echo "$log" | grep -v "bulknet-klog: expect" | python3 "$KLOG_PY" scan)
check "the log check flags the report when no test expects it ($(echo "$flagged" | head -1))" \
	'echo "$flagged" | grep -q "sleeping function called from invalid context"'
rmmod bulknet_test_sleep

[ $fails = 0 ]
