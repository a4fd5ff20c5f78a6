#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# In-guest half of `make check`, on the debug kernel: the KUnit results of
# this boot (the Rust doctests among them) and every bulknet selftest, for
# check.sh to count. After the KUnit results and after each selftest, one more
# case: the kernel log since the last check holds no report of a checker
# (lockdep, KASAN, kmemleak, DEBUG_NET, atomic sleep, ...), see klog.py.
#
#   check.sh                 KUnit and every selftest without a bulknet-cmdline line
#   check.sh [--kunit] NAME...  only the selftests NAME..., and KUnit with
#                       --kunit: check.sh on the host shares the selftests
#                       out among boots, and boots one kernel for each that
#                       needs a command line of its own ("# bulknet-cmdline:")
set -uo pipefail
. "$(dirname "$0")/lib.sh"

here=$(dirname "$0")
klog=/tmp/bulknet-klog
python3 "$here/klog.py" follow "$klog" &
follower=$!

kunit=1
if [ "${1:-}" = --kunit ]; then
	shift
elif [ $# -gt 0 ]; then
	kunit=0
fi

echo "KERNEL $(uname -r)"
if [ $kunit = 0 ]; then
	:
elif [ -d /sys/kernel/debug/kunit ]; then
	for d in /sys/kernel/debug/kunit/*/; do
		echo "KUNIT-SUITE $(basename "$d")"
		cat "$d/results"
		echo "KUNIT-END"
	done
else
	echo "KUNIT-MISSING no /sys/kernel/debug/kunit"
fi
[ $kunit = 0 ] || python3 "$here/klog.py" check kunit "$klog"

dir=$BULKNET_REPO/tools/testing/selftests/bulknet
if [ $# -gt 0 ]; then
	tests=("${@/#/$dir/}")
	tests=("${tests[@]/%/.sh}")
else
	tests=($(grep -L '^# bulknet-cmdline:' "$dir"/*.sh))
fi
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	echo "SELFTEST-BEGIN $name"
	t0=$SECONDS
	timeout 1500 bash "$t"
	rc=$?
	echo "SELFTEST-END $name rc=$rc ($((SECONDS - t0)) s)"
	python3 "$here/klog.py" check "$name" "$klog"
done
kill $follower
