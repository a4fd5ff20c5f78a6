// SPDX-License-Identifier: GPL-2.0

//! Per-CPU counters.
//!
//! C header: [`include/linux/percpu-defs.h`](srctree/include/linux/percpu-defs.h)

use crate::{
    alloc::{AllocError, Flags},
    bindings, cpu,
};
use core::{
    mem::{align_of, size_of},
    ptr::NonNull,
};

/// `N` counters of each possible CPU, summed when read.
///
/// An add touches only the local CPU's counters, with `this_cpu_add()`: no lock, no atomic
/// instruction, no cache line shared with other CPUs, and safe against preemption and
/// interrupts on the local CPU, so any context may add. This is how netfilter's xtables and
/// nft counters avoid a shared line per packet.
///
/// A sum reads every possible CPU's counters, as `READ_ONCE()`, while they may be added to:
/// it includes every add that completed before it started. Two counters are not read as one
/// snapshot: a sum of packets and bytes may be one add apart. On 32-bit kernels a read of a
/// counter another CPU is adding to may tear.
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
/// `ptr` is a per-CPU allocation of `[u64; N]` from `__alloc_percpu_gfp()`, owned by this
/// object.
pub struct Counters<const N: usize> {
    ptr: NonNull<[u64; N]>,
}

// SAFETY: the counters belong to no CPU or thread in particular: any CPU adds to its own with
// `this_cpu_add()`, reads with `READ_ONCE()`, and frees them once no reference is left.
unsafe impl<const N: usize> Send for Counters<N> {}

// SAFETY: `&self` only adds with `this_cpu_add()`, which is safe from any context on any CPU,
// and reads with `READ_ONCE()` semantics (`read_volatile`).
unsafe impl<const N: usize> Sync for Counters<N> {}

impl<const N: usize> Counters<N> {
    /// Allocates the counters of every possible CPU, all zero.
    pub fn new(flags: Flags) -> Result<Self, AllocError> {
        // SAFETY: any size and any power-of-two alignment may be asked for; the per-CPU
        // allocator returns zeroed memory, or NULL.
        let p = unsafe {
            bindings::__alloc_percpu_gfp(
                size_of::<[u64; N]>(),
                align_of::<[u64; N]>(),
                flags.as_raw(),
            )
        };
        let ptr = NonNull::new(p.cast::<[u64; N]>()).ok_or(AllocError)?;
        // INVARIANT: `ptr` was just allocated, as `[u64; N]` per CPU, and is ours.
        Ok(Self { ptr })
    }

    /// Adds `values` to the local CPU's counters, the `i`th to the `i`th.
    #[inline]
    pub fn add(&self, values: [u64; N]) {
        let base = self.ptr.as_ptr().cast::<u64>();
        for (i, v) in values.into_iter().enumerate() {
            // Per-CPU pointers are offsets: `base.wrapping_add(i)` is the `i`th counter's,
            // `i < N`, in the allocation of `[u64; N]` (type invariant).
            let c = base.wrapping_add(i);
            // SAFETY: `c` is a per-CPU `u64` of a live allocation; `this_cpu_add()` adds to
            // the local CPU's copy with preemption and interrupts taken care of.
            unsafe { bindings::this_cpu_add_u64(c, v) };
        }
    }

    /// Returns the sums over all possible CPUs.
    pub fn sum(&self) -> [u64; N] {
        let mut sum = [0u64; N];
        for id in 0..cpu::nr_cpu_ids() {
            // SAFETY: `id` is below `nr_cpu_ids`, in the possible mask's range.
            if !unsafe { bindings::cpu_possible(id) } {
                continue;
            }
            // SAFETY: the allocation is live (type invariant), and `id` is a possible CPU,
            // which has its copy of it.
            let c = unsafe { bindings::per_cpu_ptr(self.ptr.as_ptr().cast(), id) }.cast::<u64>();
            for (i, s) in sum.iter_mut().enumerate() {
                // Other CPUs may add to theirs meanwhile: read as `READ_ONCE()` does.
                // SAFETY: `c.add(i)`, `i < N`, is in CPU `id`'s `[u64; N]`, aligned.
                let v = unsafe { c.add(i).read_volatile() };
                *s = s.wrapping_add(v);
            }
        }
        sum
    }
}

impl<const N: usize> Drop for Counters<N> {
    fn drop(&mut self) {
        // SAFETY: `ptr` is ours, from `__alloc_percpu_gfp()` (type invariant), and unused
        // after this.
        unsafe { bindings::free_percpu(self.ptr.as_ptr().cast()) };
    }
}
