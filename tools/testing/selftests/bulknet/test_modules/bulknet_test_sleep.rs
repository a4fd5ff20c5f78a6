// SPDX-License-Identifier: GPL-2.0

//! Test only: calls a function that may sleep while holding a spinlock, on purpose.
//!
//! A `GFP_KERNEL` allocation may sleep, so making one under a spinlock is the classic atomic
//! context bug. `tools/testing/selftests/bulknet/kernel_checkers.sh` loads this module on the
//! debug kernel and checks that `CONFIG_DEBUG_ATOMIC_SLEEP` reports "sleeping function called
//! from invalid context", and that lockdep names the Rust lock held, so that such a bug in real
//! code cannot pass `make check` unseen. The allocation does not actually sleep here (the slab
//! has free objects), so nothing worse than the report happens. Never load it anywhere else.

use kernel::{new_spinlock, prelude::*};

module! {
    type: SleepTest,
    name: "bulknet_test_sleep",
    authors: ["bulknet developers"],
    description: "Test only: allocates with GFP_KERNEL under a spinlock",
    license: "GPL",
}

struct SleepTest;

impl kernel::Module for SleepTest {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let lock = KBox::pin_init(new_spinlock!(0u64, "bulknet_test_sleep_lock"), GFP_KERNEL)?;
        let mut guard = lock.lock();
        // The bug: GFP_KERNEL allows the allocator to sleep, and a spinlock is held.
        let obj = KBox::new(1u64, GFP_KERNEL)?;
        *guard += *obj;
        drop(guard);
        pr_info!("allocated with GFP_KERNEL under a spinlock on purpose\n");
        Ok(SleepTest)
    }
}
