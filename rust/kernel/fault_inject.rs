// SPDX-License-Identifier: GPL-2.0

//! Fault injection for the current task.
//!
//! Lets tests force a failure at an exact fault point, as writing to `/proc/self/fail-nth` does
//! for user space (see `Documentation/fault-injection/fault-injection.rst`).
//!
//! C header: [`include/linux/fault-inject.h`](srctree/include/linux/fault-inject.h)

use crate::{bindings, types::NotThreadSafe};
use core::num::NonZeroU32;

/// Makes the `nth` fault point that the current task reaches from now on fail.
///
/// Every fault point counts whose filters let the call through: for failslab and
/// fail_page_alloc, by default, those of allocations that may not sleep (`GFP_ATOMIC`,
/// `GFP_NOWAIT`); also those of any other fault-injection capability the kernel was built with
/// (fail_futex, fail_usercopy, ...). The counter belongs to the task, so it only counts in task
/// context, not in interrupt or softirq context. Each forced failure is reported with a stack
/// dump, unless the allocation has `__GFP_NOWARN` or the capability's `verbose` is 0.
///
/// Debugging options add fault points of their own: with `CONFIG_DEBUG_KMEMLEAK`, for instance,
/// every slab allocation is followed by kmemleak's allocation of its metadata, which fails softly.
/// So only the first fault point from now on (`nth` = 1) is the same on every kernel: that of the
/// next allocation call.
///
/// Dropping the guard restores the counter it found, so guards nest when they are dropped in the
/// reverse order of their creation, as scopes drop them; dropped in another order, the task is
/// left armed with an older guard's count.
///
/// # Context
///
/// Task context only: in hard or soft interrupt context `current` is whatever task was
/// interrupted, and arming it would make one of that task's fault points fail.
///
/// # Examples
///
/// ```
/// # #[cfg(CONFIG_FAILSLAB)]
/// # {
/// use core::num::NonZeroU32;
/// use kernel::{alloc::AllocError, fault_inject::FailNth};
///
/// let first = KBox::new(1u64, GFP_ATOMIC);
/// let fail = FailNth::new(NonZeroU32::MIN);
/// assert_eq!(fail.pending(), NonZeroU32::new(1));
/// let second = KBox::new(2u64, GFP_ATOMIC | __GFP_NOWARN);
/// assert_eq!(fail.pending(), None);
/// drop(fail);
/// let third = KBox::new(3u64, GFP_ATOMIC);
/// assert!(first.is_ok() && third.is_ok());
/// assert_eq!(second.err(), Some(AllocError));
/// # }
/// ```
#[must_use = "the failure is disarmed as soon as the guard is dropped"]
pub struct FailNth {
    previous: u32,
    _not_send: NotThreadSafe,
}

impl FailNth {
    /// Arms the current task's `fail_nth` counter: the `nth` fault point from now on fails.
    ///
    /// The guard refers to the current task, so it is not [`Send`].
    pub fn new(nth: NonZeroU32) -> Self {
        let previous = fail_nth();
        set_fail_nth(nth.get());
        Self {
            previous,
            _not_send: NotThreadSafe,
        }
    }

    /// Returns the counter: `Some(1)` if the next fault point fails, `None` once one has.
    pub fn pending(&self) -> Option<NonZeroU32> {
        NonZeroU32::new(fail_nth())
    }
}

impl Drop for FailNth {
    fn drop(&mut self) {
        set_fail_nth(self.previous);
    }
}

fn fail_nth() -> u32 {
    // SAFETY: the helper has no preconditions: it reads a field of `current`, which is always
    // a valid task.
    unsafe { bindings::fault_inject_get_fail_nth() }
}

fn set_fail_nth(nth: u32) {
    // SAFETY: no preconditions: it writes a field of `current`, always a valid task, and any value
    // is valid. It can only make a later fault point of the task fail, which callers must handle
    // anyway and which unprivileged user space can do to itself through `/proc/self/fail-nth`.
    unsafe { bindings::fault_inject_set_fail_nth(nth) };
}
