// SPDX-License-Identifier: GPL-2.0

//! Cost per object of `kmem_cache` alloc+free through [`kernel::kmem_cache`], single and bulk.
//!
//! The Rust twin of `slab_bulk_bench.c`: the same cache, the same loops and the same output, so
//! the two can be compared line by line in one run. Under QEMU `-icount shift=0` a guest
//! nanosecond is a guest instruction, so the printed cost per object is also instructions per
//! object.

use core::{mem::MaybeUninit, num::NonZeroU32};
use kernel::{
    kmem_cache::{Bulk, KmemCache},
    prelude::*,
    time::{Instant, Monotonic},
};

/// Cost-per-operation arithmetic, shared with the host tests in `lib/time_bench`.
#[path = "../lib/time_bench/src/time_bench.rs"]
pub mod time_bench;
use time_bench::{loops_for, Sample};

module! {
    type: SlabBulkBench,
    name: "slab_bulk_bench_rust",
    authors: ["bulknet developers"],
    description: "Slab single vs bulk alloc+free cost through the Rust KmemCache abstraction",
    license: "GPL",
    params: {
        objects: u64 {
            default: 1 << 17,
            description: "Objects allocated and freed per measurement (default 131072)",
        },
        fail_nth: u32 {
            default: 0,
            description: "Testing: fail the benchmark's nth fault point, as /proc/self/fail-nth does (0: off)",
        },
    },
}

/// The benchmark's objects: left uninitialised, as the C twin does, so both measure only the
/// allocator.
type Obj = MaybeUninit<[u8; 256]>;

const BULK_SIZES: [usize; 8] = [1, 2, 4, 8, 16, 32, 64, 128];
const BULK_MAX: usize = 128;

fn report(case: &str, bulk: usize, sample: Sample) {
    if let Some(cost) = sample.per_op() {
        let (ns, thousandths) = cost.split();
        pr_info!(
            "impl=rust case={} bulk={} objects={} elapsed_ns={} ns_per_obj={}.{:03}\n",
            case,
            bulk,
            sample.ops,
            sample.elapsed_ns,
            ns,
            thousandths
        );
    }
}

fn elapsed_ns(start: Instant<Monotonic>) -> u64 {
    u64::try_from(start.elapsed().as_nanos()).unwrap_or(0)
}

fn bench_single(cache: &KmemCache<Obj>, objects: u64) -> Result {
    let start = Instant::<Monotonic>::now();
    for _ in 0..objects {
        let obj = cache.alloc(MaybeUninit::uninit(), GFP_ATOMIC)?;
        drop(obj);
    }
    report(
        "single",
        1,
        Sample {
            ops: objects,
            elapsed_ns: elapsed_ns(start),
        },
    );
    Ok(())
}

fn bench_bulk(cache: &KmemCache<Obj>, objects: u64, bulk: usize) -> Result {
    let mut objs = Bulk::<Obj, BULK_MAX>::new(cache);
    let loops = loops_for(objects, bulk as u64);
    let start = Instant::<Monotonic>::now();
    for _ in 0..loops {
        objs.alloc_bulk(bulk, GFP_ATOMIC, MaybeUninit::uninit)?;
        objs.free_bulk();
    }
    report(
        "bulk",
        bulk,
        Sample {
            ops: loops * bulk as u64,
            elapsed_ns: elapsed_ns(start),
        },
    );
    Ok(())
}

fn run(cache: &KmemCache<Obj>, objects: u64) -> Result {
    bench_single(cache, objects)?;
    for bulk in BULK_SIZES {
        bench_bulk(cache, objects, bulk)?;
    }
    Ok(())
}

/// Runs the benchmark with the `nth` fault point failing, as the C twin does.
#[cfg(CONFIG_FAULT_INJECTION)]
fn run_failing(cache: &KmemCache<Obj>, objects: u64, nth: NonZeroU32) -> Result {
    let fail = kernel::fault_inject::FailNth::new(nth);
    let res = run(cache, objects);
    if let Some(left) = fail.pending() {
        pr_info!(
            "fail_nth={}: not reached, the benchmark has {} fault points\n",
            nth.get(),
            nth.get().saturating_sub(left.get())
        );
    }
    res
}

#[cfg(not(CONFIG_FAULT_INJECTION))]
fn run_failing(_cache: &KmemCache<Obj>, _objects: u64, _nth: NonZeroU32) -> Result {
    pr_err!("fail_nth needs CONFIG_FAULT_INJECTION\n");
    Err(EOPNOTSUPP)
}

struct SlabBulkBench;

impl kernel::Module for SlabBulkBench {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let objects = module_parameters::objects.value();
        if objects == 0 {
            pr_err!("objects must be at least 1\n");
            return Err(EINVAL);
        }
        let cache = KmemCache::<Obj>::new(c"slab_bulk_bench_rust")?;
        match NonZeroU32::new(module_parameters::fail_nth.value()) {
            None => run(&cache, objects),
            Some(nth) => run_failing(&cache, objects, nth),
        }
        .inspect_err(|&e| {
            if e == ENOMEM {
                pr_err!("benchmark stopped: allocation failed ({})\n", e.to_errno());
            }
        })?;
        Ok(SlabBulkBench)
    }
}
