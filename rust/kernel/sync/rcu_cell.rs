// SPDX-License-Identifier: GPL-2.0

//! A boxed value published with RCU: read without a lock, replaced whole.
//!
//! C header: [`include/linux/rcupdate.h`](srctree/include/linux/rcupdate.h).
//!
//! [`RcuCell<T>`] is the Rust form of a `T __rcu *` that owns its object: readers get `&T` for
//! as long as they hold the RCU read lock (`rcu_dereference()`); a writer publishes a new box
//! (`rcu_assign_pointer()`) and gets the old one back only after every reader that may have
//! seen it is done (`synchronize_rcu()`), so that it can drop or reuse it.

use crate::{
    alloc::KBox,
    sync::{
        atomic::{Acquire, Atomic, Full},
        rcu::Guard,
    },
};
use core::ptr;

/// An optional boxed `T` that RCU readers read and writers replace whole.
///
/// # Invariants
///
/// `ptr` is null or a pointer from [`KBox::into_raw`] that the cell owns.
pub struct RcuCell<T> {
    ptr: Atomic<*mut T>,
}

// SAFETY: the cell owns a `T`, which moves with it (to the thread that drops it): `T: Send`.
unsafe impl<T: Send> Send for RcuCell<T> {}
// SAFETY: `&RcuCell` gives `&T` to readers on any thread (`T: Sync`), and `replace` hands the
// owned old value to another thread (`T: Send`).
unsafe impl<T: Send + Sync> Sync for RcuCell<T> {}

impl<T> RcuCell<T> {
    /// Makes an empty cell.
    pub const fn empty() -> Self {
        // INVARIANT: null.
        Self {
            ptr: Atomic::new(ptr::null_mut()),
        }
    }

    /// Makes a cell that holds `value`.
    pub fn new(value: KBox<T>) -> Self {
        // INVARIANT: a pointer from `KBox::into_raw`, now owned by the cell.
        Self {
            ptr: Atomic::new(KBox::into_raw(value)),
        }
    }

    /// Returns the value published last, for as long as the read lock `_guard` is held
    /// (`rcu_dereference()`).
    #[inline]
    pub fn get<'a>(&'a self, _guard: &'a Guard) -> Option<&'a T> {
        // Acquire orders the reads of the object after the read of its pointer, as the address
        // dependency of `rcu_dereference()` does.
        let p = self.ptr.load(Acquire);
        // SAFETY: `p` is null or an owned box (type invariant) that `replace` frees or hands
        // back only after a grace period, which cannot end while `_guard` is held; and the cell
        // is borrowed for `'a`, so it is not dropped meanwhile.
        unsafe { p.as_ref() }
    }

    /// Publishes `value` (`rcu_assign_pointer()`), waits for the readers that may still see
    /// the value it replaces (`synchronize_rcu()`), and returns that value. Sleeps; must not
    /// be called under an RCU read lock ([`Guard`]), which the wait would not wait for.
    pub fn replace(&self, value: Option<KBox<T>>) -> Option<KBox<T>> {
        let new = value.map_or(ptr::null_mut(), KBox::into_raw);
        // Full ordering: the new object's initialisation is visible before its pointer
        // (release), and the old pointer is read atomically with the swap, so concurrent
        // writers each get a different old value.
        // INVARIANT: `new` is null or from `KBox::into_raw`, now owned by the cell.
        let old = self.ptr.xchg(new, Full);
        if old.is_null() {
            return None;
        }
        crate::sync::rcu::synchronize_rcu();
        // Every reader that loaded `old` held the read lock, and the grace period above waited
        // for all of them (a caller holding a read lock itself is documented as not allowed).
        // SAFETY: `old` was the cell's (type invariant), which no longer points to it; unread.
        Some(unsafe { KBox::from_raw(old) })
    }
}

impl<T> Drop for RcuCell<T> {
    fn drop(&mut self) {
        let p = self.ptr.load(Acquire);
        if !p.is_null() {
            // SAFETY: `p` is owned by the cell (type invariant); the cell is dropped, so nothing
            // borrows it, and every `&T` from `get` was bounded by a borrow of the cell.
            drop(unsafe { KBox::from_raw(p) });
        }
    }
}
