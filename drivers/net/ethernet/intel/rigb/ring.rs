// SPDX-License-Identifier: GPL-2.0

//! Descriptor ring sizes and index arithmetic of the 82576's RX and TX rings.
//!
//! The driver fills descriptors at `next_to_use` and writes that index to the tail register
//! (RDT/TDT); the hardware works from its head (RDH/TDH) towards it, and the driver takes the
//! finished descriptors back at `next_to_clean`. One descriptor always stays unused, so that a
//! full ring can be told from an empty one (head == tail means empty to the hardware): C igb's
//! `igb_desc_unused()`.
//!
//! Pure logic without kernel dependencies: the driver includes this file unchanged, and the
//! host crate in this directory tests it.

use core::fmt;

/// The number of descriptors of a ring.
///
/// # Invariants
///
/// A multiple of [`RingSize::MULTIPLE`] in [`RingSize::MIN`]`..=`[`RingSize::MAX`]: RDLEN and
/// TDLEN must be multiples of 128 bytes (8 descriptors of 16 bytes), and C igb's limits apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RingSize(u16);

/// Why a requested ring size was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RingSizeError {
    /// Fewer than [`RingSize::MIN`] or more than [`RingSize::MAX`] descriptors.
    OutOfRange(u32),
    /// Not a multiple of [`RingSize::MULTIPLE`].
    NotMultiple(u32),
}

impl fmt::Display for RingSizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OutOfRange(n) => write!(
                f,
                "ring size {n} is outside {}..={}",
                RingSize::MIN,
                RingSize::MAX
            ),
            Self::NotMultiple(n) => write!(
                f,
                "ring size {n} is not a multiple of {}",
                RingSize::MULTIPLE
            ),
        }
    }
}

impl RingSize {
    /// The fewest descriptors a ring may have (C igb's `IGB_MIN_TXD`, `IGB_MIN_RXD`).
    pub const MIN: u16 = 64;
    /// The most descriptors a ring may have (`IGB_MAX_TXD`, `IGB_MAX_RXD`).
    pub const MAX: u16 = 4096;
    /// A ring's size is a multiple of this (`REQ_TX_DESCRIPTOR_MULTIPLE`).
    pub const MULTIPLE: u16 = 8;
    /// The size of a new ring (`IGB_DEFAULT_TXD`, `IGB_DEFAULT_RXD`).
    pub const DEFAULT: Self = Self(256);
    /// The size of one descriptor in bytes, RX and TX alike.
    pub const DESC_BYTES: u32 = 16;

    /// Returns `n` as a ring size, if it is one.
    pub const fn new(n: u32) -> Result<Self, RingSizeError> {
        if n < Self::MIN as u32 || n > Self::MAX as u32 {
            return Err(RingSizeError::OutOfRange(n));
        }
        if n % Self::MULTIPLE as u32 != 0 {
            return Err(RingSizeError::NotMultiple(n));
        }
        // INVARIANT: checked above; `n <= MAX` fits in `u16`.
        Ok(Self(n as u16))
    }

    /// Returns the ring size that `ethtool -G` gives for a request of `n`, as C igb's
    /// `igb_set_ringparam()` does: clamped to `MIN..=MAX`, then rounded up to a multiple of
    /// `MULTIPLE`.
    pub const fn from_ethtool(n: u32) -> Self {
        let n = if n > Self::MAX as u32 {
            Self::MAX as u32
        } else if n < Self::MIN as u32 {
            Self::MIN as u32
        } else {
            n
        };
        let m = Self::MULTIPLE as u32;
        // INVARIANT: `MIN..=MAX` are multiples of `MULTIPLE`, so rounding up stays within them.
        Self((n.div_ceil(m) * m) as u16)
    }

    /// Returns the number of descriptors.
    pub const fn get(self) -> u16 {
        self.0
    }

    /// Returns the size of the ring's descriptor memory in bytes (RDLEN, TDLEN).
    pub const fn bytes(self) -> u32 {
        self.0 as u32 * Self::DESC_BYTES
    }
}

impl Default for RingSize {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The driver's two indices into a ring of descriptors.
///
/// # Invariants
///
/// `next_to_use < size` and `next_to_clean < size`. The descriptors from `next_to_clean` up to
/// (not including) `next_to_use`, wrapping around, are the ones handed to the hardware and not
/// yet taken back; there are at most `size - 1` of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ring {
    size: u16,
    next_to_use: u16,
    next_to_clean: u16,
}

impl Ring {
    /// Returns the indices of an empty ring of `size` descriptors.
    pub const fn new(size: RingSize) -> Self {
        // INVARIANT: both indices are 0, below every ring size; nothing is in flight.
        Self {
            size: size.get(),
            next_to_use: 0,
            next_to_clean: 0,
        }
    }

    /// Returns the ring's size.
    pub const fn size(&self) -> RingSize {
        RingSize(self.size)
    }

    /// Returns where the next descriptor will be filled; the tail register's value.
    pub const fn next_to_use(&self) -> u16 {
        self.next_to_use
    }

    /// Returns the oldest descriptor not yet taken back from the hardware.
    pub const fn next_to_clean(&self) -> u16 {
        self.next_to_clean
    }

    /// Returns the index `n` descriptors after `i`, wrapping around the ring.
    ///
    /// `i` must be an index of the ring and `n` at most its size, which every caller here
    /// checks first.
    #[inline]
    const fn wrap_add(&self, i: u16, n: u16) -> u16 {
        let s = i as u32 + n as u32;
        let size = self.size as u32;
        (if s >= size { s - size } else { s }) as u16
    }

    /// Returns the index after `i`, wrapping around the ring; `i` must be an index of the ring.
    #[inline]
    pub const fn after(&self, i: u16) -> u16 {
        self.wrap_add(i, 1)
    }

    /// Returns how many descriptors there are from `first` up to and including `last`, going
    /// forward around the ring; both must be indices of the ring.
    #[inline]
    pub const fn span(&self, first: u16, last: u16) -> u16 {
        // At most `size - 1` plus one, at most 4096: this does not wrap.
        self.distance(first, last).wrapping_add(1)
    }

    /// Returns how many descriptors there are from `from` up to, not including, `to`, going
    /// forward around the ring; both must be indices of the ring.
    #[inline]
    const fn distance(&self, from: u16, to: u16) -> u16 {
        // Both indices are below `size`, at most 4096 ([`RingSize`]): neither branch wraps, and
        // the wrapping operations spare the hot paths overflow checks.
        if to >= from {
            to.wrapping_sub(from)
        } else {
            self.size.wrapping_sub(from).wrapping_add(to)
        }
    }

    /// Returns how many descriptors are in flight: filled and not yet taken back.
    #[inline]
    pub const fn in_flight(&self) -> u16 {
        // Both indices are below `size` (type invariant).
        self.distance(self.next_to_clean, self.next_to_use)
    }

    /// Returns how many descriptors may still be filled (`igb_desc_unused()`).
    #[inline]
    pub const fn unused(&self) -> u16 {
        // At most `size - 1` are in flight (type invariant): this does not wrap.
        self.size.wrapping_sub(1).wrapping_sub(self.in_flight())
    }

    /// Reserves `n` descriptors at `next_to_use` and returns the index of the first, or `None`
    /// (and changes nothing) if fewer than `n` are unused.
    #[inline]
    pub fn produce(&mut self, n: u16) -> Option<u16> {
        if n > self.unused() {
            return None;
        }
        let first = self.next_to_use;
        // INVARIANT: `wrap_add` stays below `size`; at most `unused()` more are in flight.
        self.next_to_use = self.wrap_add(first, n);
        Some(first)
    }

    /// Takes back `n` descriptors at `next_to_clean` and returns the index of the first, or
    /// `None` (and changes nothing) if fewer than `n` are in flight.
    #[inline]
    pub fn consume(&mut self, n: u16) -> Option<u16> {
        if n > self.in_flight() {
            return None;
        }
        let first = self.next_to_clean;
        // INVARIANT: `wrap_add` stays below `size`; only in-flight descriptors are taken back.
        self.next_to_clean = self.wrap_add(first, n);
        Some(first)
    }

    /// Takes back the descriptors from `next_to_clean` up to, not including, `to`, and returns
    /// how many; or `None` (and changes nothing) if `to` is neither `next_to_use` nor the
    /// index of a descriptor in flight.
    ///
    /// For a loop that walks the finished descriptors with an index of its own and gives them
    /// back once, at its end (`igb_clean_tx_irq()`).
    #[inline]
    pub fn consume_to(&mut self, to: u16) -> Option<u16> {
        if to >= self.size {
            return None;
        }
        let n = self.distance(self.next_to_clean, to);
        if n > self.in_flight() {
            return None;
        }
        // INVARIANT: `to < size`; the descriptors taken back were in flight.
        self.next_to_clean = to;
        Some(n)
    }

    /// Returns the in-flight descriptors' indices, oldest first.
    pub fn in_flight_indices(&self) -> impl Iterator<Item = u16> + '_ {
        (0..self.in_flight()).map(move |k| self.wrap_add(self.next_to_clean, k))
    }

    /// Empties the ring (after a reset of the hardware's head and tail to 0).
    pub fn reset(&mut self) {
        // INVARIANT: as in `new()`.
        self.next_to_use = 0;
        self.next_to_clean = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(RingSize::new(256), Ok(RingSize::DEFAULT));
        assert_eq!(RingSize::new(64).map(RingSize::get), Ok(64));
        assert_eq!(RingSize::new(4096).map(RingSize::bytes), Ok(65536));
        assert_eq!(RingSize::new(56), Err(RingSizeError::OutOfRange(56)));
        assert_eq!(RingSize::new(4104), Err(RingSizeError::OutOfRange(4104)));
        assert_eq!(RingSize::new(100), Err(RingSizeError::NotMultiple(100)));
        assert_eq!(RingSize::new(0), Err(RingSizeError::OutOfRange(0)));
        assert_eq!(
            RingSize::new(u32::MAX),
            Err(RingSizeError::OutOfRange(u32::MAX))
        );
    }

    #[test]
    fn ethtool_rounding_matches_igb_set_ringparam() {
        // min(max(n, MIN), MAX), then ALIGN(n, 8).
        for n in (0..5000).chain([u32::MAX - 1, u32::MAX]) {
            let c = n.clamp(64, 4096).div_ceil(8) * 8;
            let r = RingSize::from_ethtool(n);
            assert_eq!(u32::from(r.get()), c, "n={n}");
            assert_eq!(RingSize::new(u32::from(r.get())), Ok(r));
        }
    }

    #[test]
    fn empty_and_full() {
        let mut r = Ring::new(RingSize::new(64).unwrap());
        assert_eq!((r.in_flight(), r.unused()), (0, 63));
        assert_eq!(r.consume(1), None);
        assert_eq!(r.produce(64), None);
        assert_eq!(r.produce(63), Some(0));
        assert_eq!((r.next_to_use(), r.in_flight(), r.unused()), (63, 63, 0));
        assert_eq!(r.produce(1), None);
        assert_eq!(r.consume(10), Some(0));
        assert_eq!(r.produce(10), Some(63));
        assert_eq!(r.next_to_use(), 9);
        assert_eq!(r.in_flight(), 63);
        let idx: std::vec::Vec<u16> = r.in_flight_indices().collect();
        assert_eq!(idx.len(), 63);
        assert_eq!(idx[0], 10);
        assert_eq!(idx[53], 63);
        assert_eq!(idx[54], 0);
        assert_eq!(*idx.last().unwrap(), 8);
        // consume_to(): up to next_to_use, and refused past it or outside the ring.
        assert_eq!(r.consume_to(8), Some(62));
        assert_eq!((r.next_to_clean(), r.in_flight()), (8, 1));
        assert_eq!(r.consume_to(11), None);
        assert_eq!(r.consume_to(64), None);
        assert_eq!(r.consume_to(8), Some(0));
        assert_eq!(r.consume_to(9), Some(1));
        assert_eq!(r.consume_to(9), Some(0));
        assert_eq!((r.next_to_clean(), r.in_flight()), (9, 0));
        // A full ring across the wrap: consume_to(next_to_use) takes all of it back.
        assert_eq!(r.produce(63), Some(9));
        assert_eq!((r.next_to_use(), r.in_flight()), (8, 63));
        assert_eq!(r.consume_to(8), Some(63));
        assert_eq!((r.next_to_clean(), r.in_flight(), r.unused()), (8, 0, 63));
        r.reset();
        assert_eq!((r.next_to_use(), r.next_to_clean(), r.unused()), (0, 0, 63));
    }

    /// A model check: random produce/consume sequences against a queue of slot numbers.
    #[test]
    fn against_a_model() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut rand = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for size in [64u32, 72, 256, 4096] {
            let rs = RingSize::new(size).unwrap();
            let mut r = Ring::new(rs);
            let mut model = std::collections::VecDeque::new();
            let mut next = 0u16;
            for _ in 0..4_000 {
                let n = (rand() % 40) as u16;
                if rand() % 2 == 0 {
                    let fits = usize::from(n) <= size as usize - 1 - model.len();
                    let got = r.produce(n);
                    assert_eq!(got.is_some(), fits);
                    if let Some(first) = got {
                        assert_eq!(first, next);
                        for _ in 0..n {
                            model.push_back(next);
                            next = (next + 1) % size as u16;
                        }
                    }
                } else {
                    let fits = usize::from(n) <= model.len();
                    // Half the time through consume_to(), with its end index.
                    let got = if rand() % 2 == 0 {
                        r.consume(n)
                    } else {
                        let first = r.next_to_clean();
                        let to = ((u32::from(first) + u32::from(n)) % size) as u16;
                        match r.consume_to(to) {
                            Some(k) if fits => {
                                assert_eq!(k, n);
                                assert_eq!(r.next_to_clean(), to);
                                Some(first)
                            }
                            Some(k) => panic!("consume_to({to}) took {k} of {}", model.len()),
                            None => None,
                        }
                    };
                    assert_eq!(got.is_some(), fits);
                    if let Some(first) = got {
                        if n > 0 {
                            assert_eq!(Some(&first), model.front());
                        }
                        model.drain(..usize::from(n));
                    }
                }
                assert_eq!(usize::from(r.in_flight()), model.len());
                assert_eq!(usize::from(r.unused()), size as usize - 1 - model.len());
                assert!(r.next_to_use() < size as u16 && r.next_to_clean() < size as u16);
                assert!(r.in_flight_indices().eq(model.iter().copied()));
                assert_eq!(r.after(r.next_to_use()), (next + 1) % size as u16);
                // The in-flight descriptors span from the oldest to the newest.
                if let (Some(&first), Some(&last)) = (model.front(), model.back()) {
                    assert_eq!(usize::from(r.span(first, last)), model.len());
                }
            }
        }
    }
}
