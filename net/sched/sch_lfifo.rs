// SPDX-License-Identifier: GPL-2.0

//! lfifo: a FIFO queueing discipline that takes no lock, with bulk dequeue.
//!
//! Enqueue, on any CPU, claims a slot of a bounded ring with one compare-and-exchange; the one
//! dequeuer the core allows at a time (the qdisc's run state) takes entries without any
//! read-modify-write ([`kernel::net::sched::ring`]). The core's bulk dequeue calls dequeue until
//! BQL's byte budget is spent, so a burst leaves the qdisc as a list for one doorbell.
//!
//! The module registers a second kind, `lfifo_nobypass`: the same queue without
//! `TCQ_F_CAN_BYPASS`, so that every packet goes through enqueue and dequeue. It is there to
//! measure the queue's own cost (`make bench`), which the bypass hides while the device keeps up.
//!
//! Options (`TCA_OPTIONS`, nested): `TCA_LFIFO_LIMIT`, the most packets queued, in
//! `1..=LIMIT_MAX`; the default is the device's `txqueuelen`. The ring is made with the power of
//! two at or above the limit: `tc qdisc change` (or a `replace` that finds an lfifo) can set any
//! limit up to that capacity; a larger one needs a new qdisc (delete, then add).

use kernel::{
    net::{
        sched::{
            self,
            ring::{Consumer, Ring, Slot},
            AttrType, Dequeue, DropReason, ExtAck, Flags, Options, Policy, Qdisc, Rejected,
        },
        skbuff::SkBuff,
    },
    prelude::*,
};

module! {
    type: LfifoModule,
    name: "sch_lfifo",
    authors: ["bulknet"],
    description: "lfifo: a FIFO queueing discipline without locks, with bulk dequeue",
    license: "GPL",
}

/// `TCA_LFIFO_LIMIT`: the most packets queued (u32). Attribute 0 is unused.
const TCA_LFIFO_LIMIT: usize = 1;
/// The number of attribute types.
const TCA_LFIFO_MAX: usize = 2;

/// The largest limit: a ring of 65536 slots takes 1 MiB.
const LIMIT_MAX: u32 = 1 << 16;

static POLICY: Policy<TCA_LFIFO_MAX> = Policy::new([AttrType::Reject, AttrType::U32]);

/// The qdisc's queue: a ring of skbs in a vector of slots.
type Queue = Ring<SkBuff, KVVec<Slot<SkBuff>>>;

/// Returns the limit the options ask for, if they name one, or an error for extack.
fn parse_limit(options: &Options<'_>, extack: &mut ExtAck<'_>) -> Result<Option<u32>> {
    let attrs = options.parse(&POLICY, extack)?;
    let Some(attr) = attrs.get(TCA_LFIFO_LIMIT) else {
        return Ok(None);
    };
    // The policy checked the length.
    let limit = attr.get_u32().ok_or(EINVAL)?;
    if limit == 0 || limit > LIMIT_MAX {
        extack.set_msg_attr(c"lfifo: limit must be between 1 and 65536 packets", attr);
        return Err(EINVAL);
    }
    Ok(Some(limit))
}

/// lfifo, whose packets bypass the queue when it is empty if `BYPASS`.
struct Lfifo<const BYPASS: bool>;

#[vtable]
impl<const BYPASS: bool> sched::Operations for Lfifo<BYPASS> {
    const ID: &'static CStr = if BYPASS { c"lfifo" } else { c"lfifo_nobypass" };
    const FLAGS: Flags = if BYPASS {
        Flags::NOLOCK.with(Flags::CAN_BYPASS)
    } else {
        Flags::NOLOCK
    };
    type Data = Queue;
    type Consumer = Consumer;

    fn init(
        qdisc: &Qdisc,
        options: Option<Options<'_>>,
        extack: &mut ExtAck<'_>,
    ) -> Result<(Queue, Consumer)> {
        let limit = match options {
            Some(options) => parse_limit(&options, extack)?,
            None => None,
        };
        let limit = match limit {
            Some(limit) => limit,
            // pfifo_fast's rule: no queue on a device with no txqueuelen.
            None if qdisc.tx_queue_len() == 0 => {
                extack.set_msg(c"lfifo: the device's txqueuelen is 0: give a limit");
                return Err(EINVAL);
            }
            None => qdisc.tx_queue_len().min(LIMIT_MAX),
        };
        let limit = usize::try_from(limit)?;
        // At most LIMIT_MAX, a power of two.
        let capacity = limit.next_power_of_two();
        let mut slots = KVVec::with_capacity(capacity, GFP_KERNEL)?;
        for _ in 0..capacity {
            slots.push(Slot::new(), GFP_KERNEL)?;
        }
        // The capacity is a power of two and the limit in 1..=capacity: this cannot fail.
        Ring::new(slots, limit).map_err(|_| EINVAL)
    }

    fn change(
        _qdisc: &Qdisc,
        queue: &Queue,
        options: Options<'_>,
        extack: &mut ExtAck<'_>,
    ) -> Result {
        let Some(limit) = parse_limit(&options, extack)? else {
            return Ok(());
        };
        // Packets beyond a lowered limit stay queued, as with pfifo.
        queue.set_limit(usize::try_from(limit)?).map_err(|_| {
            extack.set_msg(c"lfifo: limit above the ring's capacity: add the qdisc anew");
            EINVAL
        })
    }

    fn dump(_qdisc: &Qdisc, queue: &Queue, msg: &mut sched::Dump<'_>) -> Result {
        let limit = u32::try_from(queue.limit())?;
        msg.options()?.put_u32(TCA_LFIFO_LIMIT as u16, limit)
    }

    fn enqueue(_qdisc: &Qdisc, queue: &Queue, skb: SkBuff) -> Result<(), Rejected> {
        queue
            .push(skb)
            .map_err(|skb| Rejected::new(skb, DropReason::Overlimit))
    }

    fn dequeue(_qdisc: &Qdisc, queue: &Queue, consumer: &mut Consumer) -> Dequeue {
        match queue.pop(consumer) {
            Some(skb) => Dequeue::Packet(skb),
            // A producer claimed the next slot and is still writing it: the packet must not be
            // overtaken by one that finds the qdisc empty and bypasses it.
            None if queue.has_pending(consumer) => Dequeue::NotReady,
            None => Dequeue::Empty,
        }
    }

    fn peek<'a>(_qdisc: &Qdisc, queue: &'a Queue, consumer: &'a Consumer) -> Option<&'a SkBuff> {
        queue.peek(consumer)
    }
}

#[pin_data]
struct LfifoModule {
    #[pin]
    lfifo: sched::Registration<Lfifo<true>>,
    #[pin]
    nobypass: sched::Registration<Lfifo<false>>,
}

impl kernel::InPlaceModule for LfifoModule {
    fn init(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            lfifo <- sched::Registration::new(module),
            nobypass <- sched::Registration::new(module),
        })
    }
}
