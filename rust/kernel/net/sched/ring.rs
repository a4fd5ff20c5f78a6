// SPDX-License-Identifier: GPL-2.0

//! lfifo's queue: a bounded ring for many producers and one consumer that needs no lock on
//! either side.
//!
//! Every slot carries a sequence number that says whose turn it is (D. Vyukov's bounded queue):
//!
//! - a producer (enqueue, on any CPU) finds the slot at `tail` free when its sequence equals the
//!   position, claims it by advancing `tail` with a compare-and-exchange, writes its entry and
//!   publishes it by setting the sequence to the position plus one (release);
//! - the one consumer (dequeue, which the qdisc's run state serialises) finds the entry at its
//!   private head published when the sequence is its position plus one (acquire), takes it and
//!   frees the slot for the next lap by setting the sequence to the position plus the capacity
//!   (release).
//!
//! So a producer does one atomic read-modify-write, and the consumer none: it reads and writes
//! only the slots it takes, which it must touch anyway to read the entries. The consumer makes
//! its head known to producers with one store per [`HEAD_BATCH`] entries taken and whenever it
//! finds the ring empty. Producers need the head only for the limit: when the stored head says the
//! ring holds its limit, a producer at position `p` looks at the slot of position `p - limit`,
//! whose sequence says whether the consumer took that entry, so the limit holds exactly even
//! while the stored head lags.
//!
//! Entries come out in the order their slots were claimed. An entry claimed but not yet published
//! stops the consumer at its slot, which then reports the ring empty; the entry's producer
//! publishes it and runs the queue afterwards (`qdisc_run()` after enqueue), so nothing is left
//! behind.
//!
//! Pure logic without kernel dependencies: the kernel crate builds this file unchanged, with a
//! sibling `sync` module that provides [`AtomicPos`] and [`SlotCell`] on the kernel's atomics;
//! the host crate in `rust/lfifo_ring/` tests it with `std` and `loom` ones. It is in the kernel
//! crate, not in the qdisc module, because it needs `unsafe` (the slots' values), each use
//! proven from the invariants of [`Ring`].

use super::sync::{next_ring_id, AtomicPos, SlotCell};
use core::{mem::MaybeUninit, ops::DerefMut};

/// How many entries the consumer takes between two updates of the head that producers read.
pub const HEAD_BATCH: usize = 16;

/// One slot of a [`Ring`]: an entry and the sequence number that says whose turn it is.
pub struct Slot<T> {
    seq: AtomicPos,
    val: SlotCell<MaybeUninit<T>>,
}

impl<T> Slot<T> {
    /// Returns an empty slot, to be placed in a ring's storage; [`Ring::new`] numbers it.
    pub fn new() -> Self {
        Self {
            seq: AtomicPos::new(0),
            val: SlotCell::new(MaybeUninit::uninit()),
        }
    }
}

// SAFETY: a slot's value is reachable only through its ring, whose sequence numbers give it to
// one thread at a time (`Ring`'s invariants); entries move between threads, hence `T: Send`.
unsafe impl<T: Send> Sync for Slot<T> {}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// Aligns a producer-side or consumer-side index to a cache line of its own.
#[repr(align(64))]
struct Padded<T>(T);

/// Why a ring could not be made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RingError {
    /// The storage's length is not a power of two.
    Capacity(usize),
    /// The limit is 0 or above the capacity.
    Limit(usize),
}

/// A bounded multi-producer, single-consumer ring of `T` in storage `S`.
///
/// Dropping a ring does not drop the entries it still holds: its owner takes them first (a
/// qdisc's reset and destroy), so that each names its fate.
///
/// # Invariants
///
/// - `slots.len()` is a power of two, `mask` is that length minus one, and `limit` is in
///   `1..=slots.len()`.
/// - For each position `p` with slot `s = slots[p & mask]`: if `s.seq == p`, the slot is free
///   for the producer of position `p`; if `s.seq == p + 1`, it holds a published entry for the
///   consumer at position `p`, and nobody else touches its value; between a producer's claim of
///   `p` (`tail` moved past it) and its publication, only that producer touches the value.
/// - `tail` is the next position to claim; the consumer's private head (in its [`Consumer`]) is
///   the next position to take, `head` a position at most [`HEAD_BATCH`] - 1 behind it.
pub struct Ring<T, S: DerefMut<Target = [Slot<T>]>> {
    /// This ring's number, unique among all rings made: its consumer carries it.
    id: u64,
    tail: Padded<AtomicPos>,
    head: Padded<AtomicPos>,
    limit: AtomicPos,
    mask: usize,
    slots: S,
}

/// The consumer's side of a [`Ring`]: there is one per ring, made with it, and every `pop` needs
/// it by `&mut`, so no two threads consume at once.
pub struct Consumer {
    /// The number of the ring this consumer belongs to, checked by every call: a consumer is
    /// never taken for another ring's, even one made later in the same storage.
    ring: u64,
    head: usize,
    /// Entries taken since `head` was last stored in the ring.
    unpublished: usize,
}

impl<T, S: DerefMut<Target = [Slot<T>]>> Ring<T, S> {
    /// Makes a ring in `slots`, whose length must be a power of two, that holds at most `limit`
    /// entries, and its one consumer.
    pub fn new(mut slots: S, limit: usize) -> Result<(Self, Consumer), RingError> {
        let cap = slots.len();
        if !cap.is_power_of_two() {
            return Err(RingError::Capacity(cap));
        }
        if limit == 0 || limit > cap {
            return Err(RingError::Limit(limit));
        }
        for (i, s) in slots.iter_mut().enumerate() {
            // INVARIANT: slot `i` is free for the producer of position `i`.
            s.seq = AtomicPos::new(i);
        }
        let ring = next_ring_id();
        Ok((
            Self {
                id: ring,
                tail: Padded(AtomicPos::new(0)),
                head: Padded(AtomicPos::new(0)),
                limit: AtomicPos::new(limit),
                mask: cap - 1,
                slots,
            },
            Consumer {
                ring,
                head: 0,
                unpublished: 0,
            },
        ))
    }

    /// Returns how many entries the ring can hold at most.
    pub fn capacity(&self) -> usize {
        self.mask + 1
    }

    /// Returns the limit on the entries the ring holds.
    pub fn limit(&self) -> usize {
        self.limit.load_relaxed()
    }

    /// Sets the limit on the entries the ring holds, in `1..=capacity()`; entries already beyond
    /// a lowered limit stay. Any thread, at any time.
    pub fn set_limit(&self, limit: usize) -> Result<(), RingError> {
        if limit == 0 || limit > self.capacity() {
            return Err(RingError::Limit(limit));
        }
        self.limit.store_relaxed(limit);
        Ok(())
    }

    /// Returns about how many entries the ring holds: exact when no push or pop runs, and
    /// otherwise up to [`HEAD_BATCH`] - 1 over while the consumer runs.
    pub fn len(&self) -> usize {
        let head = self.head.0.load_acquire();
        let used = self.tail.0.load_relaxed().wrapping_sub(head);
        if (used as isize) < 0 {
            0
        } else {
            used
        }
    }

    /// Returns whether [`Ring::len`] is 0.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds `val` at the tail, from any thread. Gives `val` back if the ring holds its limit.
    pub fn push(&self, val: T) -> Result<(), T> {
        let mut pos = self.tail.0.load_relaxed();
        loop {
            // Acquire: the consumer published `head` after taking entries whose claims moved
            // `tail` past it, so reading `tail` again after this finds it at `head` or beyond.
            let used = pos.wrapping_sub(self.head.0.load_acquire());
            if (used as isize) < 0 {
                // `pos` is older than the head: entries were pushed and taken meanwhile.
                pos = self.tail.0.load_relaxed();
                continue;
            }
            let limit = self.limit.load_relaxed();
            if used >= limit {
                // The stored head may lag the consumer's by up to HEAD_BATCH - 1 entries: the
                // ring holds its limit unless the entry at `pos - limit` was taken (its slot
                // then holds that position plus the capacity). Entries are taken in order, so
                // then every entry before it was too.
                let q = pos.wrapping_sub(limit);
                let taken = q.wrapping_add(self.capacity());
                if self.slots[q & self.mask].seq.load_acquire() != taken {
                    return Err(val);
                }
            }
            let slot = &self.slots[pos & self.mask];
            let seq = slot.seq.load_acquire();
            if seq == pos {
                match self
                    .tail
                    .0
                    .compare_exchange_relaxed(pos, pos.wrapping_add(1))
                {
                    Ok(_) => {
                        // SAFETY: the slot was free for `pos` (sequence read with acquire), and
                        // claiming `pos` makes this thread the only one to touch its value until
                        // it publishes it (type invariants).
                        unsafe { slot.val.write(MaybeUninit::new(val)) };
                        // INVARIANT: the entry is published for the consumer at `pos`.
                        slot.seq.store_release(pos.wrapping_add(1));
                        return Ok(());
                    }
                    Err(now) => pos = now,
                }
            } else if (seq.wrapping_sub(pos) as isize) < 0 {
                // The slot still holds the entry of the previous lap: the ring is full.
                return Err(val);
            } else {
                // Another producer claimed `pos`: try the tail as it is now.
                pos = self.tail.0.load_relaxed();
            }
        }
    }

    /// Takes the entry at the head, if one is published. `consumer` must be this ring's, or
    /// nothing is taken.
    pub fn pop(&self, consumer: &mut Consumer) -> Option<T> {
        if consumer.ring != self.id {
            return None;
        }
        let pos = consumer.head;
        let slot = &self.slots[pos & self.mask];
        if slot.seq.load_acquire() != pos.wrapping_add(1) {
            // Empty, or the next entry is not published yet: let producers see every slot
            // given back so far.
            self.publish_head(consumer);
            return None;
        }
        // SAFETY: the slot holds the published entry of position `pos` (its sequence, read with
        // acquire after the producer's release, says so), which only the consumer touches
        // (type invariants); `consumer` is this ring's one consumer, borrowed mutably.
        let val = unsafe { slot.val.read().assume_init() };
        // INVARIANT: the slot is free for the producer of the next lap's position.
        slot.seq.store_release(pos.wrapping_add(self.capacity()));
        consumer.head = pos.wrapping_add(1);
        consumer.unpublished += 1;
        if consumer.unpublished >= HEAD_BATCH {
            self.publish_head(consumer);
        }
        Some(val)
    }

    /// Returns the entry at the head without taking it, if one is published.
    pub fn peek<'a>(&'a self, consumer: &'a Consumer) -> Option<&'a T> {
        if consumer.ring != self.id {
            return None;
        }
        let pos = consumer.head;
        let slot = &self.slots[pos & self.mask];
        if slot.seq.load_acquire() != pos.wrapping_add(1) {
            return None;
        }
        // SAFETY: as in `pop`, the entry is published and only the consumer touches it; it stays
        // there while `consumer` is borrowed, as only `pop` (which needs `&mut`) takes it.
        Some(unsafe { slot.val.get_ref().assume_init_ref() })
    }

    /// Returns whether a producer has claimed the position at the consumer's head and not yet
    /// published its entry: after [`Ring::pop`] found nothing, the ring is not empty but its next
    /// entry is still being written. `consumer` must be this ring's (otherwise `false`).
    pub fn has_pending(&self, consumer: &Consumer) -> bool {
        consumer.ring == self.id && self.tail.0.load_relaxed() != consumer.head
    }

    /// Stores the consumer's head for producers to read.
    fn publish_head(&self, consumer: &mut Consumer) {
        if consumer.unpublished != 0 {
            // INVARIANT: `head` catches up with the consumer's head. Release: see `push`.
            self.head.0.store_release(consumer.head);
            consumer.unpublished = 0;
        }
    }
}
