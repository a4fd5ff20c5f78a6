// SPDX-License-Identifier: GPL-2.0

//! Host build of rfilter's pure logic, `rules.rs`, which the module includes unchanged.

#![no_std]

#[cfg(test)]
extern crate std;

pub mod rules;

#[cfg(test)]
mod tests;
