// SPDX-License-Identifier: GPL-2.0

//! A spinlock taken with bottom halves disabled.
//!
//! Data that a softirq (a NAPI poll, say) and process context both touch needs a lock that
//! process context takes with bottom halves off (`spin_lock_bh()`), or lockdep rightly reports a
//! possible deadlock. In softirq context, and wherever bottom halves are off already (a network
//! device's `ndo_start_xmit`), the plain `spin_lock()` suffices: [`Lock::lock_with`] takes it,
//! given a [`LocalBhDisabled`] token that proves the context.

use super::spinlock::{SpinLock, SpinLockGuard};
use super::*;
use crate::types::NotThreadSafe;

/// Creates a [`SpinLockBh`] initialiser with the given name and a newly-created lock class.
///
/// It uses the name if one is given, otherwise it generates one based on the file name and line
/// number.
#[macro_export]
macro_rules! new_spinlock_bh {
    ($inner:expr $(, $name:literal)? $(,)?) => {
        $crate::sync::SpinLockBh::new(
            $inner, $crate::optional_name!($($name)?), $crate::static_lock_class!())
    };
}
pub use new_spinlock_bh;

/// A proof that bottom halves (softirqs) are disabled on the local CPU, or that the code runs in
/// one.
///
/// Abstractions hand out references to it to callbacks that the kernel calls with bottom halves
/// off, such as a NAPI poll or `ndo_start_xmit`.
///
/// # Invariants
///
/// Bottom halves are disabled on the local CPU for as long as an object of this type exists.
pub struct LocalBhDisabled(NotThreadSafe);

impl LocalBhDisabled {
    /// Creates the token.
    ///
    /// # Safety
    ///
    /// Bottom halves must be disabled on the local CPU for as long as the token exists.
    #[inline]
    pub unsafe fn new() -> Self {
        // INVARIANT: the caller guarantees it.
        Self(NotThreadSafe)
    }
}

/// A spinlock that process context takes with bottom halves disabled (`spin_lock_bh()`).
///
/// # Examples
///
/// ```
/// use kernel::sync::{new_spinlock_bh, SpinLockBh};
///
/// let lock = KBox::pin_init(new_spinlock_bh!(0u32), GFP_KERNEL)?;
/// *lock.lock() += 1;
/// assert_eq!(*lock.lock(), 1);
/// # Ok::<(), Error>(())
/// ```
pub type SpinLockBh<T> = Lock<T, SpinLockBhBackend>;

/// A kernel `spinlock_t` lock backend that disables bottom halves.
pub struct SpinLockBhBackend;

/// A [`Guard`] acquired from locking a [`SpinLockBh`] with [`Lock::lock()`].
pub type SpinLockBhGuard<'a, T> = Guard<'a, T, SpinLockBhBackend>;

// SAFETY: The underlying kernel `spinlock_t` object ensures mutual exclusion. `relock` uses the
// default implementation that always calls the same locking method.
unsafe impl Backend for SpinLockBhBackend {
    type State = bindings::spinlock_t;
    type GuardState = ();

    #[inline]
    unsafe fn init(
        ptr: *mut Self::State,
        name: *const crate::ffi::c_char,
        key: *mut bindings::lock_class_key,
    ) {
        // SAFETY: The safety requirements ensure that `ptr` is valid for writes, and `name` and
        // `key` are valid for read indefinitely.
        unsafe { bindings::__spin_lock_init(ptr, name, key) }
    }

    #[inline]
    unsafe fn lock(ptr: *mut Self::State) -> Self::GuardState {
        // SAFETY: The safety requirements of this function ensure that `ptr` points to valid
        // memory, and that it has been initialised before.
        unsafe { bindings::spin_lock_bh(ptr) }
    }

    #[inline]
    unsafe fn unlock(ptr: *mut Self::State, _guard_state: &Self::GuardState) {
        // SAFETY: The safety requirements of this function ensure that `ptr` is valid and that the
        // caller is the owner of the spinlock, taken with `spin_lock_bh()`.
        unsafe { bindings::spin_unlock_bh(ptr) }
    }

    #[inline]
    unsafe fn try_lock(ptr: *mut Self::State) -> Option<Self::GuardState> {
        // SAFETY: The `ptr` pointer is guaranteed to be valid and initialized before use.
        let result = unsafe { bindings::spin_trylock_bh(ptr) };

        if result != 0 {
            Some(())
        } else {
            None
        }
    }

    #[inline]
    unsafe fn assert_is_held(ptr: *mut Self::State) {
        // SAFETY: The `ptr` pointer is guaranteed to be valid and initialized before use.
        unsafe { bindings::spin_assert_is_held(ptr) }
    }
}

impl<T: ?Sized> Lock<T, SpinLockBhBackend> {
    /// Acquires the lock without touching the bottom-half state (`spin_lock()`), where
    /// `context` proves bottom halves are disabled already.
    ///
    /// This is what the hot paths of a network driver use: its transmit function and NAPI poll
    /// run with bottom halves off.
    #[inline]
    pub fn lock_with<'a>(&'a self, context: &'a LocalBhDisabled) -> SpinLockGuard<'a, T> {
        let _ = context;
        // With bottom halves off (`context`'s type invariant) no softirq interrupts the holder
        // on this CPU: the plain `spin_lock()` is `spin_lock_bh()` minus a redundant disable.
        // SAFETY: `Lock` is `#[repr(C)]` and both backends' states are `spinlock_t`, so the two
        // lock types have identical layouts; taking it plainly is sound as said above.
        let lock: &'a SpinLock<T> = unsafe { core::mem::transmute(self) };
        lock.lock()
    }
}
