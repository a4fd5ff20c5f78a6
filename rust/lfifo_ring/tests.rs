// SPDX-License-Identifier: GPL-2.0

//! Tests of lfifo's ring: unit tests, a multi-threaded stress of millions of operations (fewer
//! under miri), and with `--cfg loom`, every interleaving of two producers and a consumer.

use crate::ring::{Consumer, Ring, Slot};
#[cfg(not(loom))]
use crate::ring::{RingError, HEAD_BATCH};
use std::{boxed::Box, vec::Vec};

type TestRing<T> = Ring<T, Box<[Slot<T>]>>;

fn ring<T>(cap: usize, limit: usize) -> (TestRing<T>, Consumer) {
    let slots: Vec<Slot<T>> = (0..cap).map(|_| Slot::new()).collect();
    Ring::new(slots.into_boxed_slice(), limit).expect("valid ring")
}

/// Takes every published entry.
#[cfg(not(loom))]
fn drain<T>(r: &TestRing<T>, c: &mut Consumer) -> Vec<T> {
    core::iter::from_fn(|| r.pop(c)).collect()
}

#[cfg(not(loom))]
mod unit {
    use super::*;

    #[test]
    fn refuses_bad_sizes() {
        let slots = |n: usize| -> Box<[Slot<u32>]> { (0..n).map(|_| Slot::new()).collect() };
        assert_eq!(Ring::new(slots(0), 1).err(), Some(RingError::Capacity(0)));
        assert_eq!(Ring::new(slots(12), 4).err(), Some(RingError::Capacity(12)));
        assert_eq!(Ring::new(slots(8), 0).err(), Some(RingError::Limit(0)));
        assert_eq!(Ring::new(slots(8), 9).err(), Some(RingError::Limit(9)));
        let (r, _c) = Ring::new(slots(8), 8).expect("valid ring");
        assert_eq!(r.set_limit(0), Err(RingError::Limit(0)));
        assert_eq!(r.set_limit(9), Err(RingError::Limit(9)));
        assert_eq!(r.limit(), 8);
    }

    #[test]
    fn fifo_order_and_limit() {
        let (r, mut c) = ring::<u32>(8, 5);
        for i in 0..5 {
            assert_eq!(r.push(i), Ok(()));
        }
        assert_eq!(r.push(5), Err(5));
        assert_eq!(r.len(), 5);
        assert_eq!(r.peek(&c), Some(&0));
        assert_eq!(drain(&r, &mut c), [0, 1, 2, 3, 4]);
        assert_eq!(r.peek(&c), None);
        // Finding the ring empty published the head: the count is exact again.
        assert!(r.is_empty());
        assert_eq!(r.push(5), Ok(()));
        assert_eq!(r.pop(&mut c), Some(5));
    }

    #[test]
    fn full_at_capacity_across_laps() {
        let (r, mut c) = ring::<usize>(4, 4);
        let mut next = 0;
        for lap in 0..100 {
            for _ in 0..4 {
                assert_eq!(r.push(next), Ok(()), "lap {lap}");
                next += 1;
            }
            assert_eq!(r.push(usize::MAX), Err(usize::MAX));
            let got = drain(&r, &mut c);
            assert_eq!(got, (next - 4..next).collect::<Vec<_>>());
        }
    }

    #[test]
    fn limit_is_exact_while_the_stored_head_lags() {
        // Taken entries make room at once, though the head producers read is stored only every
        // HEAD_BATCH entries: a limit below the capacity, and one equal to it.
        for limit in [HEAD_BATCH, 4 * HEAD_BATCH] {
            let cap = 4 * HEAD_BATCH;
            let (r, mut c) = ring::<usize>(cap, limit);
            for i in 0..limit {
                assert_eq!(r.push(i), Ok(()));
            }
            assert_eq!(r.push(0), Err(0));
            let mut next = limit;
            for i in 0..HEAD_BATCH - 1 {
                assert_eq!(r.pop(&mut c), Some(i));
                // The stored head lags: `len` still counts the taken entries.
                assert_eq!(r.len(), limit + i);
                assert_eq!(r.push(next), Ok(()), "limit {limit}, {} taken", i + 1);
                assert_eq!(r.push(0), Err(0));
                next += 1;
            }
            let got = drain(&r, &mut c);
            assert_eq!(got, (HEAD_BATCH - 1..next).collect::<Vec<_>>());
            assert!(r.is_empty());
        }
    }

    #[test]
    fn a_consumer_is_its_own_rings_only() {
        // The same storage twice: the first ring's consumer takes nothing from the second.
        let mut slots: Vec<Slot<u32>> = (0..1).map(|_| Slot::new()).collect();
        let mut c1 = {
            let (r, mut c1) = Ring::new(&mut slots[..], 1).expect("valid ring");
            assert_eq!(r.push(1), Ok(()));
            assert_eq!(r.pop(&mut c1), Some(1));
            assert!(!r.has_pending(&c1));
            c1
        };
        let (r, mut c2) = Ring::new(&mut slots[..], 1).expect("valid ring");
        assert_eq!(r.push(2), Ok(()));
        assert_eq!(r.pop(&mut c1), None);
        assert_eq!(r.peek(&c1), None);
        assert!(!r.has_pending(&c1));
        assert_eq!(r.pop(&mut c2), Some(2));
        assert_eq!(r.pop(&mut c2), None);
    }

    #[test]
    fn lowered_limit_keeps_entries() {
        let (r, mut c) = ring::<u32>(8, 8);
        for i in 0..6 {
            assert_eq!(r.push(i), Ok(()));
        }
        assert_eq!(r.set_limit(2), Ok(()));
        assert_eq!(r.push(6), Err(6));
        assert_eq!(drain(&r, &mut c), [0, 1, 2, 3, 4, 5]);
        assert_eq!(r.push(6), Ok(()));
        assert_eq!(r.push(7), Ok(()));
        assert_eq!(r.push(8), Err(8));
    }

    #[test]
    fn foreign_consumer_takes_nothing() {
        let (a, _ca) = ring::<u32>(4, 4);
        let (_b, mut cb) = ring::<u32>(4, 4);
        assert_eq!(a.push(1), Ok(()));
        assert_eq!(a.pop(&mut cb), None);
        assert_eq!(a.peek(&cb), None);
        assert_eq!(a.len(), 1);
    }

    #[test]
    fn owned_entries_move_out_once() {
        // Boxes: miri reports a double free or a leak if an entry is read twice or lost.
        let (r, mut c) = ring::<Box<u64>>(4, 4);
        for lap in 0..10u64 {
            for i in 0..3 {
                assert!(r.push(Box::new(lap * 10 + i)).is_ok());
            }
            let got: Vec<u64> = drain(&r, &mut c).into_iter().map(|b| *b).collect();
            assert_eq!(got, [lap * 10, lap * 10 + 1, lap * 10 + 2]);
        }
        assert!(r.push(Box::new(7)).is_ok());
        assert_eq!(r.pop(&mut c).map(|b| *b), Some(7));
    }
}

/// Producers push (producer, sequence) pairs, retrying while the ring is full; the consumer
/// checks that each producer's entries come out in order, none lost and none twice.
#[cfg(not(loom))]
fn stress(producers: usize, per_producer: usize, cap: usize) {
    use std::{sync::Arc, thread};

    let (r, mut c) = ring::<(usize, usize)>(cap, cap);
    let r = Arc::new(r);
    let handles: Vec<_> = (0..producers)
        .map(|p| {
            let r = Arc::clone(&r);
            thread::spawn(move || {
                let mut full = 0u64;
                for i in 0..per_producer {
                    let mut v = (p, i);
                    while let Err(back) = r.push(v) {
                        v = back;
                        full += 1;
                        thread::yield_now();
                    }
                }
                full
            })
        })
        .collect();
    let mut next = std::vec![0usize; producers];
    let mut got = 0;
    while got < producers * per_producer {
        match r.pop(&mut c) {
            Some((p, i)) => {
                assert_eq!(i, next[p], "producer {p}: entry {i} out of order");
                next[p] += 1;
                got += 1;
            }
            None => thread::yield_now(),
        }
    }
    for h in handles {
        h.join().expect("producer");
    }
    assert_eq!(r.pop(&mut c), None);
    assert!(r.is_empty());
    assert!(next.iter().all(|&n| n == per_producer));
}

#[cfg(all(not(loom), not(miri)))]
#[test]
fn stress_four_producers_four_million() {
    stress(4, 1_000_000, 1024);
}

#[cfg(all(not(loom), not(miri)))]
#[test]
fn stress_small_ring_always_full() {
    stress(3, 200_000, 4);
}

#[cfg(all(not(loom), miri))]
#[test]
fn stress_under_miri() {
    stress(3, 200, 4);
}

/// Every interleaving of two producers and a consumer, on rings small enough to fill. Nobody
/// spins (loom cannot explore waiting loops): producers push without retrying, the consumer pops
/// a fixed number of times while they run, then takes the rest after they finish. Every entry
/// pushed comes out once, in its producer's order, and nothing refused comes out.
#[cfg(loom)]
mod model {
    use super::*;
    use loom::{sync::Arc, thread};

    /// `bound`: at most that many preemptions per execution, for the larger models; `None`
    /// explores every interleaving.
    fn run(
        cap: usize,
        limit: usize,
        per_producer: usize,
        concurrent_pops: usize,
        bound: Option<usize>,
    ) {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = bound;
        builder.check(move || {
            let (r, mut c) = ring::<(usize, usize)>(cap, limit);
            let r = Arc::new(r);
            let producers: Vec<_> = (0..2)
                .map(|p| {
                    let r = Arc::clone(&r);
                    thread::spawn(move || {
                        (0..per_producer)
                            .filter(|&i| r.push((p, i)).is_ok())
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            let mut got: Vec<(usize, usize)> = Vec::new();
            for _ in 0..concurrent_pops {
                got.extend(r.pop(&mut c));
            }
            let pushed: Vec<Vec<usize>> = producers
                .into_iter()
                .map(|h| h.join().expect("producer"))
                .collect();
            got.extend(core::iter::from_fn(|| r.pop(&mut c)));
            assert!(r.is_empty());
            for (p, pushed) in pushed.iter().enumerate() {
                let mine: Vec<usize> = got.iter().filter(|e| e.0 == p).map(|e| e.1).collect();
                assert_eq!(&mine, pushed, "producer {p}");
            }
        });
    }

    #[test]
    fn two_producers_one_each_ring_of_two() {
        run(2, 2, 1, 2, None);
    }

    #[test]
    fn two_producers_two_each_ring_of_two() {
        run(2, 2, 2, 2, None);
    }

    #[test]
    fn two_producers_two_each_limit_one() {
        run(2, 1, 2, 1, None);
    }

    #[test]
    fn two_producers_three_each_ring_of_four_three_preemptions() {
        run(4, 4, 3, 3, Some(3));
    }
}
