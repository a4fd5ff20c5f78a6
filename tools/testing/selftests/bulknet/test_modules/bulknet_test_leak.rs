// SPDX-License-Identifier: GPL-2.0

//! Test only: leaks one slab object on purpose.
//!
//! `tools/testing/selftests/bulknet/kernel_checkers.sh` loads it on the debug kernel and checks
//! that kmemleak reports the object, recognised by its contents in the report's hex dump, so that
//! a leak in real code cannot pass `make check` unseen. Never load it anywhere else.

use kernel::prelude::*;

module! {
    type: LeakTest,
    name: "bulknet_test_leak",
    authors: ["bulknet developers"],
    description: "Test only: leaks one slab object for kmemleak to find",
    license: "GPL",
}

/// The leaked object's contents, which show in kmemleak's hex dump of it.
const CONTENTS: [u8; 64] = *b"bulknet_test_leak: this object was leaked on purpose, by a test.";

struct LeakTest;

impl kernel::Module for LeakTest {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let obj = KBox::new(CONTENTS, GFP_KERNEL)?;
        // The leak: the object is never freed, and no pointer to it is kept.
        let obj = KBox::leak(obj);
        pr_info!("leaked one {}-byte object on purpose\n", obj.len());
        Ok(LeakTest)
    }
}
