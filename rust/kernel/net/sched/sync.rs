// SPDX-License-Identifier: GPL-2.0

//! The atomics and cells the ring (`ring.rs`) uses, on the kernel's atomics (LKMM); the host
//! crate in `rust/lfifo_ring/` provides the same on the core library's and loom's.

use crate::sync::atomic::{Acquire, Atomic, Relaxed, Release};
use core::cell::UnsafeCell;

/// A ring position or sequence number.
pub(crate) struct AtomicPos(Atomic<usize>);

impl AtomicPos {
    pub(crate) fn new(v: usize) -> Self {
        Self(Atomic::new(v))
    }

    pub(crate) fn load_relaxed(&self) -> usize {
        self.0.load(Relaxed)
    }

    pub(crate) fn load_acquire(&self) -> usize {
        self.0.load(Acquire)
    }

    pub(crate) fn store_relaxed(&self, v: usize) {
        self.0.store(v, Relaxed)
    }

    pub(crate) fn store_release(&self, v: usize) {
        self.0.store(v, Release)
    }

    /// Sets `new` if the value is `current`. Returns the value found.
    pub(crate) fn compare_exchange_relaxed(
        &self,
        current: usize,
        new: usize,
    ) -> Result<usize, usize> {
        self.0.cmpxchg(current, new, Relaxed)
    }
}

/// Returns a number no ring had before (a ring's identity, which its consumer carries).
pub(crate) fn next_ring_id() -> u64 {
    static NEXT: Atomic<u64> = Atomic::new(0);
    NEXT.fetch_add(1, Relaxed)
}

/// A slot's value, which the ring's sequence numbers give to one thread at a time.
pub(crate) struct SlotCell<T>(UnsafeCell<T>);

impl<T> SlotCell<T> {
    pub(crate) fn new(v: T) -> Self {
        Self(UnsafeCell::new(v))
    }

    /// # Safety
    ///
    /// No other thread accesses the value during the call.
    pub(crate) unsafe fn write(&self, v: T) {
        // SAFETY: no other access (function safety requirement).
        unsafe { self.0.get().write(v) };
    }

    /// Reads the value out, leaving its bits in place (`ptr::read`).
    ///
    /// # Safety
    ///
    /// No other thread writes the value during the call.
    pub(crate) unsafe fn read(&self) -> T {
        // SAFETY: no other write (function safety requirement).
        unsafe { self.0.get().read() }
    }

    /// # Safety
    ///
    /// No other thread writes the value while the reference lives.
    pub(crate) unsafe fn get_ref(&self) -> &T {
        // SAFETY: no other write while the reference lives (function safety requirement).
        unsafe { &*self.0.get() }
    }
}
