#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# In-guest half of `make check`: the KUnit results of this boot (the Rust
# doctests among them) and every bulknet selftest, for check.sh to count.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

if [ -d /sys/kernel/debug/kunit ]; then
	for d in /sys/kernel/debug/kunit/*/; do
		echo "KUNIT-SUITE $(basename "$d")"
		cat "$d/results"
		echo "KUNIT-END"
	done
else
	echo "KUNIT-MISSING no /sys/kernel/debug/kunit"
fi

for t in "$BULKNET_REPO"/tools/testing/selftests/bulknet/*.sh; do
	name=$(basename "$t" .sh)
	echo "SELFTEST-BEGIN $name"
	timeout 900 bash "$t"
	echo "SELFTEST-END $name rc=$?"
done
