#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# In-guest half of `make check`, on the debug kernel: the KUnit results of
# this boot (the Rust doctests among them) and every bulknet selftest, for
# check.sh to count. After the KUnit results and after each selftest, one more
# case: the kernel log since the last check holds no report of a checker
# (lockdep, KASAN, kmemleak, DEBUG_NET, atomic sleep, ...), see klog.py.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

here=$(dirname "$0")
klog=/tmp/bulknet-klog
python3 "$here/klog.py" follow "$klog" &
follower=$!

echo "KERNEL $(uname -r)"
if [ -d /sys/kernel/debug/kunit ]; then
	for d in /sys/kernel/debug/kunit/*/; do
		echo "KUNIT-SUITE $(basename "$d")"
		cat "$d/results"
		echo "KUNIT-END"
	done
else
	echo "KUNIT-MISSING no /sys/kernel/debug/kunit"
fi
python3 "$here/klog.py" check kunit "$klog"

for t in "$BULKNET_REPO"/tools/testing/selftests/bulknet/*.sh; do
	name=$(basename "$t" .sh)
	echo "SELFTEST-BEGIN $name"
	timeout 900 bash "$t"
	echo "SELFTEST-END $name rc=$?"
	python3 "$here/klog.py" check "$name" "$klog"
done
kill $follower
