// SPDX-License-Identifier: GPL-2.0

//! Fault injection for the current task.
//!
//! Lets tests force an allocation failure at an exact point, as `/proc/self/fail-nth` does for
//! user space (see `Documentation/fault-injection/fault-injection.rst`).
//!
//! C header: [`include/linux/fault-inject.h`](srctree/include/linux/fault-inject.h)

use crate::{bindings, types::NotThreadSafe};
use core::num::NonZeroU32;

/// Makes the `nth` fault-injection point that the current task reaches from now on fail.
///
/// Only fault points whose filters let the call through count: for failslab and
/// fail_page_alloc, by default, those of allocations that may not sleep (`GFP_ATOMIC`,
/// `GFP_NOWAIT`). Dropping the guard disarms whatever has not fired yet.
///
/// # Examples
///
/// ```
/// # #[cfg(CONFIG_FAILSLAB)]
/// # {
/// use kernel::{alloc::AllocError, fault_inject::FailNth};
///
/// let fail = FailNth::new(2);
/// let first = KBox::new(1u64, GFP_ATOMIC);
/// let second = KBox::new(2u64, GFP_ATOMIC);
/// drop(fail);
/// assert!(first.is_ok());
/// assert_eq!(second.err(), Some(AllocError));
/// # }
/// ```
pub struct FailNth {
    _not_send: NotThreadSafe,
}

impl FailNth {
    /// Arms the current task's `fail_nth` counter.
    ///
    /// A zero `nth` disarms it; the guard is for the current task, so it is not [`Send`].
    pub fn new(nth: u32) -> Self {
        set_fail_nth(nth);
        Self {
            _not_send: NotThreadSafe,
        }
    }

    /// Returns how many fault points are still to pass before one fails, or `None` once the
    /// armed one has fired.
    pub fn remaining(&self) -> Option<NonZeroU32> {
        // SAFETY: `current` is always a valid task, and only this task writes its own
        // `fail_nth` outside of `/proc`, which uses `WRITE_ONCE` as well.
        NonZeroU32::new(unsafe { bindings::fault_inject_get_fail_nth() })
    }
}

impl Drop for FailNth {
    fn drop(&mut self) {
        set_fail_nth(0);
    }
}

fn set_fail_nth(nth: u32) {
    // SAFETY: the helper only writes the current task's own `fail_nth` field, which every fault
    // point reads with `READ_ONCE`; any value is valid, and all it can do is make an allocation
    // of this task fail, which every caller must handle anyway.
    unsafe { bindings::fault_inject_set_fail_nth(nth) };
}
