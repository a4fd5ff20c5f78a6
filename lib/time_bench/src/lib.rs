// SPDX-License-Identifier: GPL-2.0

//! Host build of `time_bench.rs`, which kernel modules include unchanged with `#[path]`.

#![no_std]

mod time_bench;
pub use time_bench::*;
