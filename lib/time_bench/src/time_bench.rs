// SPDX-License-Identifier: GPL-2.0

//! Cost per operation of an in-kernel micro-benchmark, in the style of Jesper Dangaard Brouer's
//! `time_bench`: a timed loop of `ops` operations becomes a cost per operation with three
//! decimals, without floating point.
//!
//! Under QEMU with `-icount shift=0` one guest nanosecond is one guest instruction, so the same
//! figure reads as instructions per operation.

use core::fmt;

/// Thousandths of a nanosecond: the unit in which costs are computed and printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Picos(pub u64);

impl Picos {
    /// Whole nanoseconds and the thousandths after them, for printing as `"{}.{:03}"`.
    ///
    /// The kernel's `pr_info!` takes `kernel::fmt::Display`, not [`fmt::Display`], so kernel
    /// code prints the two parts.
    pub fn split(self) -> (u64, u64) {
        (self.0 / 1000, self.0 % 1000)
    }
}

impl fmt::Display for Picos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (ns, thousandths) = self.split();
        write!(f, "{ns}.{thousandths:03}")
    }
}

/// One timed run: `ops` operations that took `elapsed_ns` nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    /// Operations done in the run (objects allocated and freed, packets sent, ...).
    pub ops: u64,
    /// Elapsed time of the whole run, in nanoseconds.
    pub elapsed_ns: u64,
}

impl Sample {
    /// Cost per operation, rounded to the nearest picosecond.
    ///
    /// `None` for a run of no operations, or one too long (over five hours) to express in
    /// picoseconds. Uses only 64-bit arithmetic: the kernel has no 128-bit division.
    pub fn per_op(&self) -> Option<Picos> {
        if self.ops == 0 {
            return None;
        }
        let picos = self
            .elapsed_ns
            .checked_mul(1000)?
            .checked_add(self.ops / 2)?;
        Some(Picos(picos / self.ops))
    }
}

/// How many loop iterations of `batch` operations each make up at least `ops` operations.
///
/// Keeps the operation count of a bulk run comparable to that of a single-operation run;
/// `batch` 0 is taken as 1.
pub fn loops_for(ops: u64, batch: u64) -> u64 {
    let batch = batch.max(1);
    ops.div_ceil(batch).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::string::ToString;

    #[test]
    fn per_op_rounds_to_nearest_picosecond() {
        let s = Sample {
            ops: 3,
            elapsed_ns: 10,
        };
        assert_eq!(s.per_op(), Some(Picos(3333)));
        let s = Sample {
            ops: 3,
            elapsed_ns: 20,
        };
        assert_eq!(s.per_op(), Some(Picos(6667)));
        assert_eq!(
            Sample {
                ops: 0,
                elapsed_ns: 5
            }
            .per_op(),
            None
        );
    }

    #[test]
    fn per_op_does_not_overflow() {
        let s = Sample {
            ops: 1,
            elapsed_ns: u64::MAX,
        };
        assert_eq!(s.per_op(), None);
        let s = Sample {
            ops: 1,
            elapsed_ns: u64::MAX / 1000,
        };
        assert_eq!(s.per_op(), Some(Picos(u64::MAX / 1000 * 1000)));
        let s = Sample {
            ops: 7,
            elapsed_ns: u64::MAX / 1000 + 1,
        };
        assert_eq!(s.per_op(), None);
    }

    #[test]
    fn display_has_three_decimals() {
        assert_eq!(Picos(4480).to_string(), "4.480");
        assert_eq!(Picos(10_805).to_string(), "10.805");
        assert_eq!(Picos(7).to_string(), "0.007");
    }

    #[test]
    fn loops_cover_the_requested_ops() {
        assert_eq!(loops_for(1000, 16), 63);
        assert_eq!(loops_for(1024, 16), 64);
        assert_eq!(loops_for(1, 128), 1);
        assert_eq!(loops_for(0, 8), 1);
        assert_eq!(loops_for(10, 0), 10);
    }
}
