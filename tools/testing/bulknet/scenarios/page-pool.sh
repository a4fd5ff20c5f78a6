#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# RX-MM-allocator: page_pool's three return paths, cost per allocation and
# return, through the kernel tree's own benchmark (impl=c: Jesper Brouer's
# bench_page_pool_simple.c with time_bench, built from the kernel tree) and
# through the Rust PagePool abstraction (impl=rust: bench_page_pool_rust, its
# twin in this repo). Both use a 1024-page pool with no device, primed with
# 64 pages in its ring, and one allocation and one return per loop:
#  - page-pool-fast: back into the lockless cache (page_pool_recycle_direct);
#  - page-pool-ring: back into the ptr_ring (page_pool_put_page);
#  - page-pool-slow: back to the page allocator (the page held elsewhere).
# Both run every case in process context: the pool has no NAPI context, so
# nothing else recycles into its cache.
set -euo pipefail
. "$(dirname "$0")/../guest/lib.sh"

LOOPS=${LOOPS:-1000000}

# The C module's cases: run_flags bits 1-3 (its baseline loops, bit 0, are
# not ours to compare).
dmesg -C
insmod "$(bulknet_module bench_page_pool)" loops="$LOOPS" run_flags=14
rmmod bench_page_pool
# bench_page_pool: Type:no-softirq-page_pool01 Per elem: ... time_interval:23456789) - (invoke count:1000000 ...
dmesg | sed -nE 's/.*Type:no-softirq-page_pool0([123]) Per elem:.*time_interval:([0-9]+)\) - \(invoke count:([0-9]+).*/\1 \2 \3/p' |
while read -r n ns ops; do
	case $n in 1) s=fast ;; 2) s=ring ;; 3) s=slow ;; esac
	bench_row "page-pool-$s" c "$ops" "$ns" "unit=page module=bench_page_pool_simple"
done

dmesg -C
insmod "$(bulknet_module bench_page_pool_rust)" loops="$LOOPS"
rmmod bench_page_pool_rust
dmesg | sed -nE 's/.*impl=rust case=([a-z]+) ops=([0-9]+) elapsed_ns=([0-9]+).*/\1 \2 \3/p' |
while read -r s ops ns; do
	bench_row "page-pool-$s" rust "$ops" "$ns" "unit=page module=bench_page_pool_rust"
done
