// SPDX-License-Identifier: GPL-2.0

//! Host build of lfifo's ring (`ring.rs`, which the qdisc includes unchanged), on the standard
//! library's atomics, or on loom's with `RUSTFLAGS="--cfg loom"`.

#![no_std]

#[cfg(test)]
extern crate std;

pub mod ring;
#[path = "host_sync.rs"]
mod sync;

#[cfg(test)]
mod tests;
