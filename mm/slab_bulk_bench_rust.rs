// SPDX-License-Identifier: GPL-2.0

//! Cost per object of `kmem_cache` alloc+free through [`kernel::kmem_cache`], single and bulk.
//!
//! The Rust twin of `slab_bulk_bench.c`: the same cache, the same loops and the same output, so
//! the two can be compared line by line in one run. Under QEMU `-icount shift=0` a guest
//! nanosecond is a guest instruction, so the printed cost per object is also instructions per
//! object.

use core::{mem::MaybeUninit, num::NonZeroU32};
use kernel::{
    kmem_cache::{Bulk, BulkSlots, KmemCache},
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
        fail_call: u32 {
            default: 0,
            description: "Testing: make the benchmark's nth allocation call fail, at its first fault point (0: off)",
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

/// Where the allocation calls go: straight to the allocator when timed, or through the
/// fault-injection pass (`fail_call=k`), which counts them and makes the kth one fail.
///
/// The loops below are generic over it and inlined, so the timed loops contain no trace of the
/// pass, as the C twin's `inject == false` loops do not.
trait Calls {
    fn alloc<R>(&mut self, call: impl FnOnce() -> R) -> R;
}

/// The timed benchmark: every call as it is.
struct Timed;

impl Calls for Timed {
    #[inline(always)]
    fn alloc<R>(&mut self, call: impl FnOnce() -> R) -> R {
        call()
    }
}

/// The fault-injection pass: the `fail`th call fails at its first fault point, that of the call
/// itself, before any of the page allocator or of kmemleak, whose own fault points differ from
/// kernel to kernel.
#[cfg(CONFIG_FAULT_INJECTION)]
struct Failing {
    fail: NonZeroU32,
    calls: u32,
}

#[cfg(CONFIG_FAULT_INJECTION)]
impl Calls for Failing {
    #[inline(always)]
    fn alloc<R>(&mut self, call: impl FnOnce() -> R) -> R {
        self.calls = self.calls.saturating_add(1);
        if self.calls != self.fail.get() {
            return call();
        }
        let _fail = kernel::fault_inject::FailNth::new(NonZeroU32::MIN);
        call()
    }
}

#[inline(always)]
fn single_loop(cache: &KmemCache<Obj>, objects: u64, calls: &mut impl Calls) -> Result {
    for _ in 0..objects {
        let obj = calls.alloc(|| cache.alloc(MaybeUninit::uninit(), GFP_ATOMIC))?;
        drop(obj);
    }
    Ok(())
}

#[inline(always)]
fn bulk_loop(
    objs: &mut Bulk<'_, '_, Obj>,
    bulk: usize,
    loops: u64,
    calls: &mut impl Calls,
) -> Result {
    for _ in 0..loops {
        calls.alloc(|| objs.alloc_bulk(bulk, GFP_ATOMIC, MaybeUninit::uninit))?;
        objs.free_bulk();
    }
    Ok(())
}

fn bench(cache: &KmemCache<Obj>, objects: u64) -> Result {
    let start = Instant::<Monotonic>::now();
    single_loop(cache, objects, &mut Timed)?;
    report(
        "single",
        1,
        Sample {
            ops: objects,
            elapsed_ns: elapsed_ns(start),
        },
    );
    let mut slots = BulkSlots::<Obj, BULK_MAX>::new();
    let mut objs = Bulk::new(cache, &mut slots);
    for bulk in BULK_SIZES {
        let loops = loops_for(objects, bulk as u64);
        let start = Instant::<Monotonic>::now();
        bulk_loop(&mut objs, bulk, loops, &mut Timed)?;
        report(
            "bulk",
            bulk,
            Sample {
                ops: loops * bulk as u64,
                elapsed_ns: elapsed_ns(start),
            },
        );
    }
    Ok(())
}

/// The same calls as [`bench`], untimed, the `fail`th failing, as the C twin makes them.
#[cfg(CONFIG_FAULT_INJECTION)]
fn bench_failing(cache: &KmemCache<Obj>, objects: u64, fail: NonZeroU32) -> Result {
    let mut calls = Failing { fail, calls: 0 };
    single_loop(cache, objects, &mut calls)?;
    let mut slots = BulkSlots::<Obj, BULK_MAX>::new();
    let mut objs = Bulk::new(cache, &mut slots);
    for bulk in BULK_SIZES {
        bulk_loop(&mut objs, bulk, loops_for(objects, bulk as u64), &mut calls)?;
    }
    if calls.calls < fail.get() {
        pr_info!(
            "fail_call={}: not reached, the benchmark makes {} allocation calls\n",
            fail.get(),
            calls.calls
        );
    }
    Ok(())
}

#[cfg(not(CONFIG_FAULT_INJECTION))]
fn bench_failing(_cache: &KmemCache<Obj>, _objects: u64, _fail: NonZeroU32) -> Result {
    pr_err!("fail_call needs CONFIG_FAULT_INJECTION\n");
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
        match NonZeroU32::new(module_parameters::fail_call.value()) {
            None => bench(&cache, objects),
            Some(fail) => bench_failing(&cache, objects, fail),
        }
        .inspect_err(|&e| {
            if e == ENOMEM {
                pr_err!("benchmark stopped: allocation failed ({})\n", e.to_errno());
            }
        })?;
        Ok(SlabBulkBench)
    }
}
