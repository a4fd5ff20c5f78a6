// SPDX-License-Identifier: GPL-2.0

//! page_pool's three return paths, through the Rust [`PagePool`] abstraction.
//!
//! The Rust twin of the kernel tree's page_pool benchmark (`bench_page_pool_simple.c` in this
//! directory of the kernel tree): the same pool (1024 pages, no device), primed the same way
//! with 64 pages in its ring, and the same loop of one allocation and one return per
//! iteration, returning each page:
//!
//! - `fast`: into the pool's lockless cache (`page_pool_recycle_direct()`), in process context as
//!   in the C module: the pool has no NAPI context, so nothing else recycles into its cache;
//! - `ring`: into the pool's ring (`page_pool_put_page()` without direct recycling);
//! - `slow`: to the page allocator, the page being held elsewhere, so that every allocation
//!   takes a new page from it.
//!
//! Each case prints its operations and time; under QEMU `-icount shift=0` a guest nanosecond is
//! a guest instruction.

use kernel::{
    net::page_pool::{PagePool, PoolPage, Unmapped},
    prelude::*,
    time::{Instant, Monotonic},
};

module! {
    type: BenchPagePoolRust,
    name: "bench_page_pool_rust",
    authors: ["bulknet developers"],
    description: "page_pool fast path, ring and slow path through the Rust PagePool abstraction",
    license: "GPL",
    params: {
        loops: u32 {
            default: 1_000_000,
            description: "Allocations and returns per case (default 1000000)",
        },
    },
}

/// The pool's ring size, as in the C twin (`MY_POOL_SIZE`).
const POOL_SIZE: u32 = 1024;

#[derive(Clone, Copy)]
enum Case {
    Fast,
    Ring,
    Slow,
}

impl Case {
    fn name(self) -> &'static str {
        match self {
            Case::Fast => "fast",
            Case::Ring => "ring",
            Case::Slow => "slow",
        }
    }
}

/// Puts `n` pages into the pool's ring, as the C twin's `pp_fill_ptr_ring()` does.
fn fill_ring(pool: &mut PagePool<Unmapped>, n: usize) -> Result {
    let mut pages = KVec::<PoolPage<Unmapped>>::with_capacity(n, GFP_KERNEL)?;
    for _ in 0..n {
        pages.push(pool.alloc().ok_or(ENOMEM)?, GFP_KERNEL)?;
    }
    // Dropped pages go back through the ring.
    drop(pages);
    Ok(())
}

/// Runs `loops` iterations of `case`; returns how many completed (an allocation may fail).
fn run(pool: &mut PagePool<Unmapped>, case: Case, loops: u32) -> u32 {
    let mut done = 0;
    match case {
        Case::Fast => {
            while done < loops {
                let Some(page) = pool.alloc() else {
                    break;
                };
                page.recycle_direct(pool);
                done += 1;
            }
        }
        Case::Ring => {
            while done < loops {
                let Some(page) = pool.alloc() else {
                    break;
                };
                drop(page);
                done += 1;
            }
        }
        Case::Slow => {
            while done < loops {
                let Some(page) = pool.alloc() else {
                    break;
                };
                page.release();
                done += 1;
            }
        }
    }
    done
}

fn bench(case: Case, loops: u32) -> Result {
    let mut pool = PagePool::<Unmapped>::new_unmapped(POOL_SIZE)?;
    fill_ring(&mut pool, 64)?;
    let start = Instant::<Monotonic>::now();
    let done = run(&mut pool, case, loops);
    let ns = u64::try_from(start.elapsed().as_nanos()).unwrap_or(0);
    if done < loops {
        pr_err!(
            "case={}: no page after {} of {} loops\n",
            case.name(),
            done,
            loops
        );
        return Err(ENOMEM);
    }
    pr_info!(
        "impl=rust case={} ops={} elapsed_ns={}\n",
        case.name(),
        done,
        ns
    );
    Ok(())
}

struct BenchPagePoolRust;

impl kernel::Module for BenchPagePoolRust {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let loops = module_parameters::loops.value();
        if loops == 0 {
            pr_err!("loops must be at least 1\n");
            return Err(EINVAL);
        }
        for case in [Case::Fast, Case::Ring, Case::Slow] {
            bench(case, loops)?;
        }
        Ok(BenchPagePoolRust)
    }
}
