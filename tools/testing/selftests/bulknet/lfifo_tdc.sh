#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lfifo's control plane as tc-testing cases: the kernel tree's tdc.py runs
# tools/testing/selftests/tc-testing/tc-tests/qdiscs/lfifo.json (add, change,
# replace, delete, show, statistics, every bad input with its extack message).
# The cases need no namespace plugin: each makes its own dummy device in the
# router's namespace. tdc's TAP is passed on, its skips marked as such.
#
# Runs in the bulknet test router (tools/testing/bulknet/vm.py).

. "$(dirname "$0")/../../bulknet/guest/lib.sh"

cases=$BULKNET_REPO/tools/testing/selftests/tc-testing/tc-tests/qdiscs/lfifo.json
tdc_src=$KSRC/tools/testing/selftests/tc-testing
tc_lib=$BULKNET_CACHE/tc
ko=$(bulknet_module sch_lfifo) || exit 1
[ -f "$tdc_src/tdc.py" ] || { echo "bulknet: no tdc.py in $tdc_src" >&2; exit 1; }
[ -f "$tc_lib/q_lfifo.so" ] || { echo "bulknet: no $tc_lib/q_lfifo.so (make modules builds it)" >&2; exit 1; }

# tdc writes its results and Python caches next to itself: a copy in tmpfs,
# with lfifo's cases and a local configuration. tdc runs each command in an
# environment of its own (ENVIR), which must name tc's plugin directory.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$tdc_src" "$work/tdc"
cp "$cases" "$work/tdc/tc-tests/qdiscs/"
cat > "$work/tdc/tdc_config_local.py" <<EOF
EXTRA_NAMES = {'TC': '$TC', 'IP': '$IP', 'DUMMY': 'lfdummy'}
ENVIR = {'PATH': '/usr/sbin:/usr/bin:/sbin:/bin', 'TC_LIB_DIR': '$tc_lib'}
EOF

# The kernel's module autoloading does not find our module directory.
modprobe dummy numdummies=0 || exit 1
insmod "$ko" || exit 1
(cd "$work/tdc" && ./tdc.py -f tc-tests/qdiscs/lfifo.json --outfile "$work/results.tap" > "$work/tdc.log" 2>&1)
rc=$?
rmmod sch_lfifo

if [ ! -s "$work/results.tap" ]; then
	echo "bulknet: tdc.py left no results (exit $rc):" >&2
	cat "$work/tdc.log" >&2
	exit 1
fi
echo "TAP version 13"
# tdc's "# skipped - WHY" is TAP's "# SKIP WHY"; its failure details are
# indented, which the TAP reader takes as comments.
sed 's/ # skipped - / # SKIP /' "$work/results.tap"
grep -q '^not ok' "$work/results.tap" && exit 1
[ "$rc" = 0 ]
