// SPDX-License-Identifier: GPL-2.0

//! Per-CPU counters.
//!
//! C headers: [`include/linux/percpu-defs.h`](srctree/include/linux/percpu-defs.h),
//! [`include/linux/u64_stats_sync.h`](srctree/include/linux/u64_stats_sync.h)

use crate::{
    alloc::{AllocError, Flags},
    bindings, const_assert, cpu,
};
use core::{
    mem::{align_of, size_of},
    ptr::NonNull,
};

/// `N` counters of each possible CPU, summed when read.
///
/// An add touches only the local CPU's counters: no lock, no cache line shared with other CPUs.
/// Any context but NMI may add, interrupts included. This is how nft's counters avoid a shared
/// line per packet, and they are kept the same way, as `u64_stats_t` under a per-CPU
/// `u64_stats_sync`: on 64-bit kernels an add is a `local64_add()` (one plain add on x86) with
/// preemption disabled; on 32-bit ones it also takes the CPU's seqcount, with interrupts off,
/// so that a sum never reads half of a counter.
///
/// A sum reads every possible CPU's counters while they may be added to: it includes every add
/// that completed before it started, and each CPU's `N` counters are read as one snapshot (on
/// 64-bit kernels, where the seqcount is empty, two counters may be one add apart).
///
/// # Examples
///
/// ```
/// use kernel::sync::percpu::Counters;
///
/// let c = Counters::<2>::new(GFP_KERNEL)?;
/// c.add([1, 60]);
/// c.add([1, 1500]);
/// assert_eq!(c.sum(), [2, 1560]);
/// # Ok::<(), Error>(())
/// ```
///
/// # Invariants
///
/// `ptr` is a per-CPU allocation of a [`Slot<N>`] from `__alloc_percpu_gfp()`, owned by this
/// object, whose `syncp` is initialised on every possible CPU.
pub struct Counters<const N: usize> {
    ptr: NonNull<Slot<N>>,
}

/// One CPU's counters, as nft's `struct nft_counter` with its `u64_stats_sync` beside it.
#[repr(C)]
struct Slot<const N: usize> {
    syncp: bindings::u64_stats_sync,
    v: [bindings::u64_stats_t; N],
}

// SAFETY: the counters belong to no CPU or thread in particular: any CPU adds to its own and
// reads all of them through the u64_stats calls, and they are freed once no reference is left.
unsafe impl<const N: usize> Send for Counters<N> {}

// SAFETY: `&self` only adds to the local CPU's slot, with preemption disabled and under its
// `u64_stats_sync` (with interrupts off on 32-bit kernels), and reads with
// `u64_stats_fetch_begin()` and `u64_stats_fetch_retry()`; both are safe from any context but
// NMI, on any CPU.
unsafe impl<const N: usize> Sync for Counters<N> {}

impl<const N: usize> Counters<N> {
    /// Allocates the counters of every possible CPU, all zero.
    pub fn new(flags: Flags) -> Result<Self, AllocError> {
        // The per-CPU allocator serves at most `PCPU_MIN_UNIT_SIZE` (32 KiB) at once.
        const_assert!(N > 0 && size_of::<Slot<N>>() <= 32 << 10);
        // SAFETY: the size is non-zero and within the allocator's limit, and the alignment a
        // power of two; the per-CPU allocator returns zeroed memory, or NULL.
        let p = unsafe {
            bindings::__alloc_percpu_gfp(
                size_of::<Slot<N>>(),
                align_of::<Slot<N>>(),
                flags.as_raw(),
            )
        };
        let ptr = NonNull::new(p.cast::<Slot<N>>()).ok_or(AllocError)?;
        for id in possible_cpus() {
            // SAFETY: the allocation is live and `id` a possible CPU, which has its copy of
            // it; no other thread has seen it yet.
            let slot = unsafe { bindings::per_cpu_ptr(p, id) }.cast::<Slot<N>>();
            // SAFETY: `slot` is CPU `id`'s `Slot<N>`, valid, and ours alone.
            unsafe { bindings::u64_stats_init(&raw mut (*slot).syncp) };
        }
        // INVARIANT: `ptr` was just allocated as a `Slot<N>` per CPU, is ours, and every
        // possible CPU's `syncp` is initialised.
        Ok(Self { ptr })
    }

    /// Adds `values` to the local CPU's counters, the `i`th to the `i`th.
    #[inline]
    pub fn add(&self, values: [usize; N]) {
        let pcp = self.ptr.as_ptr().cast();
        // SAFETY: `pcp` is a live per-CPU allocation (type invariant); `get_cpu_ptr()`
        // disables preemption until the `put_cpu_ptr()` below, so the slot stays this CPU's.
        let slot = unsafe { bindings::get_cpu_ptr(pcp) }.cast::<Slot<N>>();
        // `slot` is the local CPU's `Slot<N>`, its `syncp` initialised (type invariant). On
        // 32-bit kernels interrupts stay off until the `irqrestore` below, so no other writer of
        // this CPU's slot runs in between; on 64-bit ones the section is empty and each
        // `local64_add()` is safe against interrupts on its own CPU.
        // SAFETY: as above; the section ends below with these `flags`.
        let flags = unsafe { bindings::u64_stats_update_begin_irqsave(&raw mut (*slot).syncp) };
        for (i, v) in values.into_iter().enumerate() {
            // SAFETY: `i < N`: the `i`th counter of the local CPU's slot, which only this CPU
            // writes, inside its update section.
            unsafe { bindings::u64_stats_add(&raw mut (*slot).v[i], v) };
        }
        // SAFETY: ends the update section begun above, with its `flags`.
        unsafe { bindings::u64_stats_update_end_irqrestore(&raw mut (*slot).syncp, flags) };
        // SAFETY: pairs with the `get_cpu_ptr()` above; `slot` is not used after this.
        unsafe { bindings::put_cpu_ptr(pcp) };
    }

    /// Returns the sums over all possible CPUs.
    pub fn sum(&self) -> [u64; N] {
        let mut sum = [0u64; N];
        for id in possible_cpus() {
            // SAFETY: the allocation is live (type invariant), and `id` is a possible CPU,
            // which has its copy of it.
            let slot = unsafe { bindings::per_cpu_ptr(self.ptr.as_ptr().cast(), id) }
                .cast::<Slot<N>>()
                .cast_const();
            let mut v = [0u64; N];
            loop {
                // SAFETY: `slot` is CPU `id`'s `Slot<N>`, its `syncp` initialised (type
                // invariant); a reader may run beside its writer.
                let start = unsafe { bindings::u64_stats_fetch_begin(&raw const (*slot).syncp) };
                for (i, x) in v.iter_mut().enumerate() {
                    // SAFETY: `i < N`, a counter of CPU `id`'s slot, read as
                    // `u64_stats_read()` allows while it is written.
                    *x = unsafe { bindings::u64_stats_read(&raw const (*slot).v[i]) };
                }
                // SAFETY: as for `u64_stats_fetch_begin()` above, with its `start`.
                if !unsafe { bindings::u64_stats_fetch_retry(&raw const (*slot).syncp, start) } {
                    break;
                }
            }
            for (s, x) in sum.iter_mut().zip(v) {
                *s = s.wrapping_add(x);
            }
        }
        sum
    }
}

/// The possible CPUs' ids, as `for_each_possible_cpu()`.
fn possible_cpus() -> impl Iterator<Item = u32> {
    // SAFETY: `id` is below `nr_cpu_ids`, in the possible mask's range.
    (0..cpu::nr_cpu_ids()).filter(|&id| unsafe { bindings::cpu_possible(id) })
}

impl<const N: usize> Drop for Counters<N> {
    fn drop(&mut self) {
        // SAFETY: `ptr` is ours, from `__alloc_percpu_gfp()` (type invariant), and unused
        // after this.
        unsafe { bindings::free_percpu(self.ptr.as_ptr().cast()) };
    }
}
