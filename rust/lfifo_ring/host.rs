// SPDX-License-Identifier: GPL-2.0

//! Host build of lfifo's ring (`rust/kernel/net/sched/ring.rs`, which the kernel crate builds
//! unchanged), on the standard library's atomics, or on loom's with `RUSTFLAGS="--cfg loom"`.

#![no_std]

#[cfg(test)]
extern crate std;

#[path = "../kernel/net/sched/ring.rs"]
pub mod ring;
#[path = "host_sync.rs"]
mod sync;

#[cfg(test)]
mod tests;
