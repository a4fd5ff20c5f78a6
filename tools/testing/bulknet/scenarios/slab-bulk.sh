#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# MM-bulk: kmem_cache alloc+free cost per object, single and bulk 1..128,
# through the C slab API (slab_bulk_bench) and through the Rust KmemCache
# abstraction (slab_bulk_bench_rust), same cache size, same loops.
set -euo pipefail
. "$(dirname "$0")/../guest/lib.sh"

# 2^20 objects per case: at bulk 32 that is 68M guest instructions, so a timer
# tick or two landing in one round and not the other stays well below 0.1%.
OBJECTS=${OBJECTS:-1048576}
for mod in slab_bulk_bench slab_bulk_bench_rust; do
	dmesg -C
	insmod "$(bulknet_module $mod)" objects="$OBJECTS"
	rmmod $mod
	# impl=c case=bulk bulk=16 objects=131072 elapsed_ns=... ns_per_obj=...
	dmesg | sed -nE 's/.*impl=([a-z]+) case=([a-z]+) bulk=([0-9]+) objects=([0-9]+) elapsed_ns=([0-9]+).*/\1 \2 \3 \4 \5/p' |
	while read -r impl kind bulk ops ns; do
		if [ "$kind" = single ]; then s=slab-single; else s=slab-bulk$bulk; fi
		bench_row "$s" "$impl" "$ops" "$ns" "unit=object"
	done
done
