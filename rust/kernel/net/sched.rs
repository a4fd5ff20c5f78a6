// SPDX-License-Identifier: GPL-2.0

//! Queueing disciplines (`struct Qdisc_ops`).
//!
//! C headers: [`include/net/sch_generic.h`](srctree/include/net/sch_generic.h),
//! [`include/net/pkt_sched.h`](srctree/include/net/pkt_sched.h).
//!
//! A qdisc module implements [`Operations`] and keeps a [`Registration`] in its module data: the
//! registration registers the ops table with the traffic control core (`register_qdisc()`) and
//! unregisters it when dropped.
//!
//! The core's rules are carried by the types:
//!
//! - enqueue takes the packet: it is queued ([`Operations::enqueue`] returns `Ok`), or rejected
//!   with a [`DropReason`], and the core frees it after the qdisc returns, counted in the qdisc's
//!   drops (`qdisc_drop_reason()`); there is no third way;
//! - the dequeue side of a qdisc ([`Operations::dequeue`], [`Operations::peek`],
//!   [`Operations::reset`]) runs one call at a time, which the core guarantees with the qdisc's
//!   run state (`qdisc_run_begin()`) for a [`Flags::NOLOCK`] qdisc and with its lock otherwise:
//!   those calls get the qdisc's [`Operations::Consumer`] by `&mut`; enqueue, which a
//!   [`Flags::NOLOCK`] qdisc runs on any CPU at once, gets only the shared [`Operations::Data`];
//! - the queue length and backlog that `tc -s` shows are kept by this abstraction around
//!   enqueue and dequeue (`qdisc_update_stats_at_enqueue()`, `..._at_dequeue()`), per CPU for a
//!   [`Flags::NOLOCK`] qdisc;
//! - an empty dequeue of a [`Flags::NOLOCK`] qdisc follows the `MISSED`/`DRAINING` protocol of
//!   `pfifo_fast_dequeue()`: it clears both bits and looks once more, so a packet enqueued while
//!   the queue was being run is never left behind.

pub mod ring;
mod sync;

pub use super::nla::{Attr, AttrType, Attrs, ExtAck, Policy};

use crate::{
    bindings,
    error::{from_result, to_result},
    net::skbuff::SkBuff,
    prelude::*,
    str::CStr,
    types::Opaque,
    ThisModule,
};
use core::{cell::UnsafeCell, marker::PhantomData, mem::MaybeUninit, ptr};

/// Why a qdisc drops a packet (`enum qdisc_drop_reason`), as drop monitors report it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum DropReason {
    /// `QDISC_DROP_GENERIC`.
    Generic = bindings::qdisc_drop_reason_QDISC_DROP_GENERIC,
    /// `QDISC_DROP_OVERLIMIT`: the queue is at its limit.
    Overlimit = bindings::qdisc_drop_reason_QDISC_DROP_OVERLIMIT,
}

/// A packet [`Operations::enqueue`] did not queue, and why. The abstraction hands it to the
/// core's list of packets to free (`qdisc_drop_reason()`), which counts it in the qdisc's drops.
pub struct Rejected {
    skb: SkBuff,
    reason: DropReason,
}

impl Rejected {
    /// Rejects `skb` for `reason`.
    pub fn new(skb: SkBuff, reason: DropReason) -> Self {
        Self { skb, reason }
    }
}

/// What [`Operations::dequeue`] found.
pub enum Dequeue {
    /// The next packet to send, taken off the queue.
    Packet(SkBuff),
    /// Nothing: the queue is empty.
    Empty,
    /// No packet can be taken yet, though the queue is not empty: an enqueue on another CPU is
    /// still writing the next one (a lockless queue whose producers claim their place before
    /// they fill it). The abstraction keeps the qdisc marked non-empty (`DRAINING`), so that no
    /// packet bypasses the queue meanwhile; the enqueuing CPU runs the queue when it is done.
    NotReady,
}

/// The static flags of a qdisc (`Qdisc_ops::static_flags`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flags(u32);

impl Flags {
    /// The qdisc lock serialises every call.
    pub const LOCKED: Self = Self(0);
    /// `TCQ_F_NOLOCK | TCQ_F_CPUSTATS`: enqueue runs on any CPU without the qdisc lock, and the
    /// counters are per CPU. The dequeue side stays serialised, by the qdisc's run state.
    pub const NOLOCK: Self = Self(bindings::TCQ_F_NOLOCK | bindings::TCQ_F_CPUSTATS);
    /// `TCQ_F_CAN_BYPASS`: a packet that finds the qdisc empty and not running may go straight
    /// to the device, as a work-conserving FIFO would send it next anyway. For a
    /// [`Flags::NOLOCK`] qdisc, "empty" is the core's `MISSED`/`DRAINING` state, which the
    /// abstraction clears only when dequeue finds [`Dequeue::Empty`] twice: dequeue must not
    /// report `Empty` while a packet is on its way in ([`Dequeue::NotReady`]).
    pub const CAN_BYPASS: Self = Self(bindings::TCQ_F_CAN_BYPASS);

    /// Returns the flags of both.
    pub const fn with(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

/// A qdisc (`struct Qdisc`), borrowed for the length of a callback.
///
/// # Invariants
///
/// The `struct Qdisc` is valid for as long as the reference lives.
#[repr(transparent)]
pub struct Qdisc(Opaque<bindings::Qdisc>);

impl Qdisc {
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct Qdisc` that stays valid for `'a`.
    unsafe fn from_raw<'a>(ptr: *mut bindings::Qdisc) -> &'a Self {
        // SAFETY: `Qdisc` is a transparent wrapper of `struct Qdisc`, valid for `'a` by the
        // safety requirements.
        unsafe { &*ptr.cast() }
    }

    fn as_raw(&self) -> *mut bindings::Qdisc {
        self.0.get()
    }

    /// Returns the transmit queue length of the qdisc's device (`dev->tx_queue_len`): the
    /// default limit of a FIFO.
    pub fn tx_queue_len(&self) -> u32 {
        // SAFETY: the qdisc is valid (type invariant) and belongs to a device, which outlives it.
        unsafe { (*bindings::qdisc_dev(self.as_raw())).tx_queue_len }
    }
}

/// The options of `tc qdisc add`, `replace` or `change` (the `TCA_OPTIONS` attribute).
pub struct Options<'a>(Attr<'a>);

impl<'a> Options<'a> {
    /// Validates the options as nested attributes against `policy`, strictly, as
    /// `nla_parse_nested()` does: options without `NLA_F_NESTED`, an attribute the policy does
    /// not know, or one of the wrong size, is an error, with the core's extack message.
    pub fn parse<const N: usize>(
        &self,
        policy: &'static Policy<N>,
        extack: &mut ExtAck<'_>,
    ) -> Result<Attrs<'a, N>> {
        // SAFETY: the attribute is valid for `'a` (type invariant of `Attr`).
        let ty = unsafe { (*self.0.as_raw()).nla_type };
        if u32::from(ty) & bindings::NLA_F_NESTED == 0 {
            // As `nla_parse_nested()`: nested attributes must say so.
            extack.set_msg_attr(c"NLA_F_NESTED is missing", self.0);
            return Err(EINVAL);
        }
        Attrs::parse(self.0.data(), policy, extack)
    }
}

/// The message a qdisc's options are dumped into (`tc qdisc show`).
pub struct Dump<'a> {
    skb: *mut bindings::sk_buff,
    _p: PhantomData<&'a mut bindings::sk_buff>,
}

impl Dump<'_> {
    /// Starts the `TCA_OPTIONS` attribute, whose nested attributes the returned [`Nest`] puts;
    /// the nest ends when it is dropped.
    pub fn options(&mut self) -> Result<Nest<'_>> {
        // SAFETY: `skb` is the netlink message the core dumps into, owned by it for the length
        // of the callback.
        let start =
            unsafe { bindings::nla_nest_start_noflag(self.skb, bindings::TCA_OPTIONS as c_int) };
        if start.is_null() {
            return Err(EMSGSIZE);
        }
        // INVARIANT: `start` begins a nest in `skb`.
        Ok(Nest {
            skb: self.skb,
            start,
            _p: PhantomData,
        })
    }
}

/// A nested attribute being put into a [`Dump`]; ended (`nla_nest_end()`) when dropped.
///
/// # Invariants
///
/// `start` is the header of a nested attribute of `skb` that has not been ended, and the dump
/// is borrowed mutably for the nest's life, so nothing else puts attributes meanwhile.
pub struct Nest<'a> {
    skb: *mut bindings::sk_buff,
    start: *mut bindings::nlattr,
    _p: PhantomData<&'a mut bindings::sk_buff>,
}

impl Nest<'_> {
    /// Puts attribute `ty` with a host-order `u32` payload (`nla_put_u32()`).
    pub fn put_u32(&mut self, ty: u16, value: u32) -> Result {
        let bytes = value.to_ne_bytes();
        // SAFETY: `skb` is the message being dumped (type invariant); `bytes` is valid for reads
        // of its length.
        to_result(unsafe {
            bindings::nla_put(
                self.skb,
                c_int::from(ty),
                bytes.len() as c_int,
                bytes.as_ptr().cast(),
            )
        })
    }
}

impl Drop for Nest<'_> {
    fn drop(&mut self) {
        // SAFETY: `start` begins an open nest of `skb` (type invariant), which this ends. If a
        // put failed, the core trims the message back anyway.
        unsafe { bindings::nla_nest_end(self.skb, self.start) };
    }
}

/// A queueing discipline.
#[vtable]
pub trait Operations: Sized + 'static {
    /// The name `tc` knows the qdisc by (`Qdisc_ops::id`).
    const ID: &'static CStr;
    /// How the core serialises the qdisc's calls.
    const FLAGS: Flags;
    /// What enqueue and the dequeue side share; enqueue may run on several CPUs at once.
    type Data: Send + Sync;
    /// What only the dequeue side touches, one call at a time.
    type Consumer: Send;

    /// Makes the qdisc's state from its options (`Qdisc_ops::init`).
    fn init(
        qdisc: &Qdisc,
        options: Option<Options<'_>>,
        extack: &mut ExtAck<'_>,
    ) -> Result<(Self::Data, Self::Consumer)>;

    /// Queues `skb`, or rejects it.
    fn enqueue(qdisc: &Qdisc, data: &Self::Data, skb: SkBuff) -> Result<(), Rejected>;

    /// Takes the next packet to send.
    fn dequeue(qdisc: &Qdisc, data: &Self::Data, consumer: &mut Self::Consumer) -> Dequeue;

    /// Returns the next packet to send without taking it.
    fn peek<'a>(
        qdisc: &Qdisc,
        data: &'a Self::Data,
        consumer: &'a Self::Consumer,
    ) -> Option<&'a SkBuff>;

    /// Applies new options (`tc qdisc change`, `Qdisc_ops::change`), under RTNL while enqueue
    /// may run; on error the old ones must stay.
    fn change(
        _qdisc: &Qdisc,
        _data: &Self::Data,
        _options: Options<'_>,
        _extack: &mut ExtAck<'_>,
    ) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }

    /// Dumps the options (`tc qdisc show`, `Qdisc_ops::dump`), under RTNL.
    fn dump(_qdisc: &Qdisc, _data: &Self::Data, _msg: &mut Dump<'_>) -> Result {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }
}

/// What a qdisc keeps in its private area (`qdisc_priv()`).
///
/// # Invariants
///
/// `ready` is `false` in the zeroed area `qdisc_alloc()` hands out, and `true` exactly while
/// `data` and `consumer` are initialised (from a successful init to destroy); `consumer` is
/// accessed only from the dequeue side, which the core serialises (see the module docs).
struct Private<T: Operations> {
    ready: bool,
    data: MaybeUninit<T::Data>,
    consumer: UnsafeCell<MaybeUninit<T::Consumer>>,
}

/// A registered qdisc ops table; unregistered when dropped.
///
/// # Invariants
///
/// `ops` is registered with the traffic control core while the object lives.
#[pin_data(PinnedDrop)]
pub struct Registration<T: Operations> {
    #[pin]
    ops: Opaque<bindings::Qdisc_ops>,
    _t: PhantomData<T>,
}

// SAFETY: the registration only holds the ops table, which the core reads from any thread.
unsafe impl<T: Operations> Send for Registration<T> {}
// SAFETY: as above; `&Registration` gives no access to anything.
unsafe impl<T: Operations> Sync for Registration<T> {}

impl<T: Operations> Registration<T> {
    /// Registers `T` with the traffic control core (`register_qdisc()`).
    pub fn new(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            ops <- Opaque::try_ffi_init(|ops: *mut bindings::Qdisc_ops| {
                // SAFETY: `ops` is valid for writes (`try_ffi_init`); a zeroed `Qdisc_ops` is
                // valid, with every callback absent.
                unsafe { ops.write(Self::ops(module)) };
                // SAFETY: `ops` is initialised, and pinned in `self` for as long as it is
                // registered: `drop` unregisters it first.
                to_result(unsafe { bindings::register_qdisc(ops) })
            }),
            _t: PhantomData,
        })
    }

    fn ops(module: &'static ThisModule) -> bindings::Qdisc_ops {
        // `id` is a NUL-terminated string of at most IFNAMSIZ bytes.
        build_assert!(
            T::ID.to_bytes().len() < bindings::IFNAMSIZ as usize,
            "a qdisc's ID is shorter than IFNAMSIZ"
        );
        // The private area (`struct Qdisc::privdata`) is cache line aligned, no more.
        build_assert!(
            core::mem::align_of::<Private<T>>() <= bindings::L1_CACHE_BYTES as usize,
            "a qdisc's private data cannot be aligned beyond a cache line"
        );
        let mut id = [0; bindings::IFNAMSIZ as usize];
        for (d, s) in id.iter_mut().zip(T::ID.to_bytes()) {
            *d = *s as c_char;
        }
        bindings::Qdisc_ops {
            id,
            priv_size: core::mem::size_of::<Private<T>>() as c_int,
            static_flags: T::FLAGS.0,
            enqueue: Some(enqueue_callback::<T>),
            dequeue: Some(dequeue_callback::<T>),
            peek: Some(peek_callback::<T>),
            init: Some(init_callback::<T>),
            reset: Some(reset_callback::<T>),
            destroy: Some(destroy_callback::<T>),
            change: if T::HAS_CHANGE {
                Some(change_callback::<T>)
            } else {
                None
            },
            dump: if T::HAS_DUMP {
                Some(dump_callback::<T>)
            } else {
                None
            },
            owner: module.as_ptr(),
            // SAFETY: all-zeroes is valid for the rest (absent callbacks, no class ops).
            ..unsafe { core::mem::zeroed() }
        }
    }
}

#[pinned_drop]
impl<T: Operations> PinnedDrop for Registration<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: `ops` is registered (type invariant). `unregister_qdisc()` waits for nothing:
        // the module reference each qdisc holds (`owner`) keeps the module, and so this
        // registration, alive while any qdisc of the kind exists.
        unsafe { bindings::unregister_qdisc(self.ops.get()) };
    }
}

/// # Safety
///
/// `sch` is a valid qdisc of ops table `Registration::<T>::ops`, whose private area is a
/// `Private<T>`.
unsafe fn private<'a, T: Operations>(sch: *mut bindings::Qdisc) -> &'a Private<T> {
    // SAFETY: the private area of a qdisc of this ops table is `priv_size` bytes for a
    // `Private<T>`, aligned for it (`Registration::ops` checks `Private<T>`'s alignment against
    // the area's, a cache line).
    unsafe { &*bindings::qdisc_priv(sch).cast::<Private<T>>() }
}

/// Returns the qdisc and its state as its dequeue side sees them: the shared data, and the
/// consumer by `&mut`.
///
/// # Safety
///
/// `sch` is a valid qdisc of `T` whose init succeeded and whose destroy has not finished, and the
/// caller is its dequeue side for `'a` (the core runs dequeue, peek, reset and destroy one at a
/// time), so that no other reference to the consumer exists meanwhile.
unsafe fn dequeue_side<'a, T: Operations>(
    sch: *mut bindings::Qdisc,
) -> (&'a Qdisc, &'a T::Data, &'a mut T::Consumer) {
    // SAFETY: `sch` is valid (function safety requirement).
    let (qdisc, p) = unsafe { (Qdisc::from_raw(sch), private::<T>(sch)) };
    // SAFETY: init succeeded, so both are initialised (`Private`'s invariant); the caller is the
    // dequeue side, the only one to touch the consumer.
    unsafe {
        (
            qdisc,
            p.data.assume_init_ref(),
            (*p.consumer.get()).assume_init_mut(),
        )
    }
}

/// # Safety
///
/// Called by the core as `Qdisc_ops::init`, under RTNL, once, first, for a qdisc of the ops
/// table of a live `Registration<T>`, whose private area is zeroed; `opt` is null or an
/// attribute of the request, and `extack` null or its ack structure.
unsafe extern "C" fn init_callback<T: Operations>(
    sch: *mut bindings::Qdisc,
    opt: *mut bindings::nlattr,
    extack: *mut bindings::netlink_ext_ack,
) -> c_int {
    from_result(|| {
        // SAFETY: the core calls init with a valid qdisc of this ops table, under RTNL.
        let qdisc = unsafe { Qdisc::from_raw(sch) };
        // SAFETY: the attribute is in the request's message, which the core checked and keeps
        // for the length of the call.
        let options = (!opt.is_null()).then(|| Options(unsafe { Attr::from_raw(opt) }));
        // SAFETY: the core passes the request's ack structure, or null, valid for the call.
        let mut extack = unsafe { ExtAck::from_raw(extack) };
        let (data, consumer) = T::init(qdisc, options, &mut extack)?;
        // SAFETY: see `private`; init runs before any other callback of this qdisc, so nothing
        // else accesses the area.
        let p = unsafe { bindings::qdisc_priv(sch).cast::<Private<T>>() };
        // SAFETY: `p` is valid for writes, and nothing else accesses it (above).
        unsafe {
            ptr::addr_of_mut!((*p).data).write(MaybeUninit::new(data));
            ptr::addr_of_mut!((*p).consumer).write(UnsafeCell::new(MaybeUninit::new(consumer)));
            // INVARIANT: `data` and `consumer` are initialised.
            ptr::addr_of_mut!((*p).ready).write(true);
        }
        Ok(0)
    })
}

/// # Safety
///
/// Called by the core as `Qdisc_ops::enqueue`, on any CPU with bottom halves off, for an
/// initialised qdisc of `T` (between init and destroy), with `skb`'s reference and the list of
/// packets to free after the call.
unsafe extern "C" fn enqueue_callback<T: Operations>(
    skb: *mut bindings::sk_buff,
    sch: *mut bindings::Qdisc,
    to_free: *mut *mut bindings::sk_buff,
) -> c_int {
    // SAFETY: the core hands over a valid skb and its reference.
    let skb = unsafe { SkBuff::from_raw(skb) };
    // SAFETY: the core calls enqueue with a valid, initialised qdisc of this ops table.
    let (qdisc, p) = unsafe { (Qdisc::from_raw(sch), private::<T>(sch)) };
    // SAFETY: `skb` is valid; `qdisc_pkt_len()` reads the length the core set.
    let len = unsafe { bindings::qdisc_pkt_len(skb.as_raw()) };
    // SAFETY: the qdisc is initialised (enqueue only runs between init and destroy), so `data`
    // is (`Private`'s invariant).
    let data = unsafe { p.data.assume_init_ref() };
    match T::enqueue(qdisc, data, skb) {
        Ok(()) => {
            // SAFETY: the qdisc is valid; the packet is queued.
            unsafe { bindings::qdisc_update_stats_at_enqueue(sch, len) };
            bindings::NET_XMIT_SUCCESS as c_int
        }
        Err(Rejected { skb, reason }) => {
            // SAFETY: the qdisc and `to_free` are valid; the skb's reference goes to the core's
            // list of packets to free, with its reason.
            unsafe { bindings::qdisc_drop_reason_any(skb.into_raw(), sch, to_free, reason as u32) }
        }
    }
}

/// # Safety
///
/// Called by the core as `Qdisc_ops::dequeue`, for an initialised qdisc of `T`, one dequeue-side
/// call at a time (the qdisc's run state, or its lock).
unsafe extern "C" fn dequeue_callback<T: Operations>(
    sch: *mut bindings::Qdisc,
) -> *mut bindings::sk_buff {
    // SAFETY: the core calls dequeue, on the dequeue side, for an initialised qdisc of `T`.
    let (qdisc, data, consumer) = unsafe { dequeue_side::<T>(sch) };
    let mut retried = false;
    loop {
        match T::dequeue(qdisc, data, consumer) {
            Dequeue::Packet(skb) => {
                // SAFETY: the qdisc and the skb are valid; the packet left the queue.
                unsafe { bindings::qdisc_update_stats_at_dequeue(sch, skb.as_raw()) };
                return skb.into_raw();
            }
            Dequeue::NotReady => {
                // SAFETY: the qdisc is valid; its state bits are atomic.
                unsafe { bindings::qdisc_mark_not_empty(sch) };
                return ptr::null_mut();
            }
            // SAFETY: the qdisc is valid; its state bits are atomic.
            Dequeue::Empty if !retried && unsafe { bindings::qdisc_retry_after_missed(sch) } => {
                retried = true;
            }
            Dequeue::Empty => return ptr::null_mut(),
        }
    }
}

/// # Safety
///
/// Called by the core as `Qdisc_ops::peek`, under the same rules as `dequeue_callback`.
unsafe extern "C" fn peek_callback<T: Operations>(
    sch: *mut bindings::Qdisc,
) -> *mut bindings::sk_buff {
    // SAFETY: as in dequeue: peek is on the dequeue side.
    let (qdisc, data, consumer) = unsafe { dequeue_side::<T>(sch) };
    T::peek(qdisc, data, consumer).map_or(ptr::null_mut(), |skb| skb.as_raw())
}

/// Frees every packet still queued: the device went down, or the qdisc goes.
///
/// # Safety
///
/// The caller holds RTNL, and is the dequeue side of the qdisc (no dequeue runs meanwhile).
unsafe fn flush<T: Operations>(qdisc: &Qdisc, data: &T::Data, consumer: &mut T::Consumer) {
    // No enqueue is in flight when the core resets or destroys a qdisc (it was detached from its
    // device and an RCU grace period passed), so `NotReady` cannot come, and would end the loop.
    while let Dequeue::Packet(skb) = T::dequeue(qdisc, data, consumer) {
        // SAFETY: the caller holds RTNL, as `rtnl_kfree_skbs()` requires; it frees the packet when
        // RTNL is released, as `pfifo_fast_reset()` does, out of the reset's locks. The
        // reference is given up here.
        unsafe {
            let skb = skb.into_raw();
            bindings::rtnl_kfree_skbs(skb, skb)
        };
    }
}

/// # Safety
///
/// Called by the core as `Qdisc_ops::reset`, for a qdisc of `T`, under the same rules as
/// `dequeue_callback` (`dev_reset_queue()` holds the run state's lock of a NOLOCK qdisc).
unsafe extern "C" fn reset_callback<T: Operations>(sch: *mut bindings::Qdisc) {
    // SAFETY: the core calls reset for a valid qdisc of `T` (init may have failed).
    if !unsafe { private::<T>(sch) }.ready {
        return;
    }
    // SAFETY: initialised (`ready`); reset is on the dequeue side (`dev_reset_queue()` holds the
    // run state's lock for a NOLOCK qdisc).
    let (qdisc, data, consumer) = unsafe { dequeue_side::<T>(sch) };
    // SAFETY: reset runs under RTNL (see `flush`); the dequeue side is ours (above).
    unsafe { flush::<T>(qdisc, data, consumer) };
    // SAFETY: the qdisc is valid; its counters restart from an empty queue.
    unsafe { bindings::qdisc_zero_queue_stats(sch) };
}

/// # Safety
///
/// Called by the core as `Qdisc_ops::destroy`, once, last, for a qdisc of `T` whose init ran
/// (successfully or not).
unsafe extern "C" fn destroy_callback<T: Operations>(sch: *mut bindings::Qdisc) {
    // SAFETY: the core calls destroy once, last, with a valid qdisc of `T`, under RTNL.
    if !unsafe { private::<T>(sch) }.ready {
        // A failed init: nothing to drop.
        return;
    }
    // SAFETY: initialised (`ready`); nothing else runs on the qdisc any more, so destroy is its
    // dequeue side.
    let (qdisc, data, consumer) = unsafe { dequeue_side::<T>(sch) };
    // The core resets a qdisc before destroying it, but for one whose creation failed after its
    // init succeeded: flush that one here.
    // SAFETY: destroy runs under RTNL, and no dequeue runs any more.
    unsafe { flush::<T>(qdisc, data, consumer) };
    // SAFETY: the qdisc's private area (see `private`); the references above are no longer used,
    // and nothing else runs on the qdisc.
    unsafe {
        let p = bindings::qdisc_priv(sch).cast::<Private<T>>();
        // INVARIANT: `ready` is cleared before the state goes.
        (*p).ready = false;
        (*p).data.assume_init_drop();
        (*(*p).consumer.get()).assume_init_drop();
    }
}

/// # Safety
///
/// Called by the core as `Qdisc_ops::change`, under RTNL, for an initialised qdisc of `T`, with
/// the request's `TCA_OPTIONS` and its ack structure (or null).
unsafe extern "C" fn change_callback<T: Operations>(
    sch: *mut bindings::Qdisc,
    opt: *mut bindings::nlattr,
    extack: *mut bindings::netlink_ext_ack,
) -> c_int {
    from_result(|| {
        // SAFETY: the core calls change under RTNL with a valid, initialised qdisc of this ops
        // table (`qdisc_change()`), and with the options of the request, never null.
        let (qdisc, p) = unsafe { (Qdisc::from_raw(sch), private::<T>(sch)) };
        if opt.is_null() || !p.ready {
            return Err(EINVAL);
        }
        // SAFETY: initialised (`ready`), so `data` is (`Private`'s invariant).
        let data = unsafe { p.data.assume_init_ref() };
        // SAFETY: the core passes the request's ack structure, or null, valid for the call.
        let mut extack = unsafe { ExtAck::from_raw(extack) };
        // SAFETY: `opt` is in the request's message, which the core checked and keeps for the
        // length of the call.
        let options = Options(unsafe { Attr::from_raw(opt) });
        T::change(qdisc, data, options, &mut extack)?;
        Ok(0)
    })
}

/// # Safety
///
/// Called by the core as `Qdisc_ops::dump`, under RTNL, for a qdisc of `T`, with the netlink
/// message being built.
unsafe extern "C" fn dump_callback<T: Operations>(
    sch: *mut bindings::Qdisc,
    skb: *mut bindings::sk_buff,
) -> c_int {
    // SAFETY: the core calls dump under RTNL with a valid qdisc of this ops table.
    let (qdisc, p) = unsafe { (Qdisc::from_raw(sch), private::<T>(sch)) };
    if !p.ready {
        return 0;
    }
    // SAFETY: initialised (`ready`), so `data` is (`Private`'s invariant).
    let data = unsafe { p.data.assume_init_ref() };
    let mut msg = Dump {
        skb,
        _p: PhantomData,
    };
    match T::dump(qdisc, data, &mut msg) {
        // SAFETY: `skb` is the valid message being dumped; like the C qdiscs, return its length.
        Ok(()) => unsafe { (*skb).len as c_int },
        Err(e) => e.to_errno(),
    }
}
