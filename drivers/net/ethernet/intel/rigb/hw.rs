// SPDX-License-Identifier: GPL-2.0

//! Host build of rigb's pure logic: `ring.rs`, `desc.rs` and `filter.rs`, which the driver
//! includes unchanged.

#![no_std]

#[cfg(test)]
extern crate std;

pub mod desc;
pub mod filter;
pub mod ring;
