#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# In-guest half of make check's volume run, on the performance kernel: the
# rigb traffic selftests with 1,000,000 packets each way. The debug kernel's
# run (guest/check.sh) sends fewer, as its checkers make a million packets
# take many minutes. Each selftest is followed by its kernel log check, as in
# guest/check.sh; there are no KUnit results on this kernel.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

here=$(dirname "$0")
klog=/tmp/bulknet-klog
python3 "$here/klog.py" follow "$klog" &
follower=$!

echo "KERNEL $(uname -r)"
export RIGB_TRAFFIC_COUNT=1000000 RIGB_RX_COUNT=1000000
for t in rigb_traffic rigb_rx; do
	name=$t-1M
	echo "SELFTEST-BEGIN $name"
	t0=$SECONDS
	timeout 900 bash "$BULKNET_REPO/tools/testing/selftests/bulknet/$t.sh"
	rc=$?
	echo "SELFTEST-END $name rc=$rc ($((SECONDS - t0)) s)"
	python3 "$here/klog.py" check "$name" "$klog"
done
kill $follower
