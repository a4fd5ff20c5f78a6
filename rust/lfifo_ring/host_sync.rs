// SPDX-License-Identifier: GPL-2.0

//! The atomics and cells `ring.rs` uses, for the host: the core library's, or loom's, which
//! check every interleaving of a test's threads.

#[cfg(loom)]
use loom::{
    cell::UnsafeCell,
    sync::atomic::{AtomicUsize, Ordering},
};

#[cfg(not(loom))]
use core::{
    cell::UnsafeCell,
    sync::atomic::{AtomicUsize, Ordering},
};

/// Returns a number no ring had before (a ring's identity, which its consumer carries). Not a
/// loom atomic: loom models its tests' threads, not this counter, which no test races on.
pub(crate) fn next_ring_id() -> u64 {
    static NEXT: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A ring position or sequence number.
pub(crate) struct AtomicPos(AtomicUsize);

impl AtomicPos {
    pub(crate) fn new(v: usize) -> Self {
        Self(AtomicUsize::new(v))
    }

    pub(crate) fn load_relaxed(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }

    pub(crate) fn load_acquire(&self) -> usize {
        self.0.load(Ordering::Acquire)
    }

    pub(crate) fn store_relaxed(&self, v: usize) {
        self.0.store(v, Ordering::Relaxed)
    }

    pub(crate) fn store_release(&self, v: usize) {
        self.0.store(v, Ordering::Release)
    }

    /// Sets `new` if the value is `current`; may fail spuriously. Returns the value found.
    pub(crate) fn compare_exchange_relaxed(
        &self,
        current: usize,
        new: usize,
    ) -> Result<usize, usize> {
        self.0
            .compare_exchange_weak(current, new, Ordering::Relaxed, Ordering::Relaxed)
    }
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
        #[cfg(loom)]
        // SAFETY: no other access (function safety requirement).
        self.0.with_mut(|p| unsafe { p.write(v) });
        #[cfg(not(loom))]
        // SAFETY: no other access (function safety requirement).
        unsafe {
            self.0.get().write(v)
        };
    }

    /// Reads the value out, leaving its bits in place (`ptr::read`).
    ///
    /// # Safety
    ///
    /// No other thread writes the value during the call.
    pub(crate) unsafe fn read(&self) -> T {
        #[cfg(loom)]
        // SAFETY: no other write (function safety requirement).
        return self.0.with(|p| unsafe { p.read() });
        #[cfg(not(loom))]
        // SAFETY: no other write (function safety requirement).
        unsafe {
            self.0.get().read()
        }
    }

    /// # Safety
    ///
    /// No other thread writes the value while the reference lives.
    pub(crate) unsafe fn get_ref(&self) -> &T {
        #[cfg(loom)]
        // SAFETY: no other write while the reference lives (function safety requirement).
        return self.0.with(|p| unsafe { &*p });
        #[cfg(not(loom))]
        // SAFETY: no other write while the reference lives (function safety requirement).
        unsafe {
            &*self.0.get()
        }
    }
}
