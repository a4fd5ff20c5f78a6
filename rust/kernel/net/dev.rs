// SPDX-License-Identifier: GPL-2.0

//! Network devices: an Ethernet `net_device` registered for a bound bus device, its operations,
//! its transmit queues, NAPI and statistics.
//!
//! C headers: [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h),
//! [`include/linux/etherdevice.h`](srctree/include/linux/etherdevice.h),
//! [`include/net/netdev_queues.h`](srctree/include/net/netdev_queues.h)
//!
//! A driver implements [`Operations`] and creates a [`Registration`] in its bus driver's probe,
//! where it lives in the bus device's driver data: it is dropped, and the net device unregistered,
//! when the bus device unbinds. The registration owns the driver's per-device [`Operations::Data`],
//! which every callback borrows, and the device's interrupt vectors, whose handler is
//! [`Operations::interrupt`].
//!
//! The context a callback runs in is part of the types it receives:
//!
//! - [`Device<Rtnl>`]: the RTNL lock is held (`ndo_open`, `ndo_stop`, `ndo_change_mtu`);
//! - [`XmitQueue`]: the transmit queue's xmit lock is held and bottom halves are off
//!   (`ndo_start_xmit`): only this context reports sent bytes to BQL or stops the queue;
//! - [`Napi`] and [`Budget`]: the NAPI poll (softirq) of one NAPI context.

use crate::{
    bindings, device,
    error::{from_result, to_result, VTABLE_DEFAULT_ERROR},
    ffi::{c_int, c_uint, c_void},
    net::{
        ethtool::{self, RingParam},
        skbuff::{SkBuff, SkbList},
    },
    pci,
    prelude::*,
    sync::{
        atomic::{ordering::Relaxed, Atomic},
        Arc, LocalBhDisabled, UniqueArc,
    },
    types::Opaque,
};
use core::{cell::Cell, marker::PhantomData, ptr::NonNull};

/// The length of an Ethernet (MAC) address.
pub const ETH_ALEN: usize = bindings::ETH_ALEN as usize;

/// Returns `true` if `addr` is a valid unicast Ethernet address: neither multicast nor all
/// zeroes (`is_valid_ether_addr()`).
#[inline]
pub fn is_valid_ether_addr(addr: &[u8; ETH_ALEN]) -> bool {
    // SAFETY: `addr` points to `ETH_ALEN` readable bytes.
    unsafe { bindings::is_valid_ether_addr(addr.as_ptr()) }
}

/// The context of a callback that may run anywhere.
pub struct Normal;

/// The context of a callback that runs with the RTNL lock held.
pub struct Rtnl;

/// A network device (`struct net_device`).
///
/// `Ctx` is what the holder of the reference may assume about the calling context: [`Normal`]
/// (nothing) or [`Rtnl`] (the RTNL lock is held). A `&Device<Rtnl>` is also a `&Device`.
///
/// # Invariants
///
/// The `net_device` is valid for the reference's lifetime. For [`Device<Rtnl>`], the RTNL lock is
/// held for that lifetime.
#[repr(transparent)]
pub struct Device<Ctx = Normal>(Opaque<bindings::net_device>, PhantomData<Ctx>);

impl<Ctx> Device<Ctx> {
    /// Borrows the device behind `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `net_device` for `'a`, and for `Ctx = Rtnl` the caller holds
    /// the RTNL lock for `'a`.
    #[inline]
    pub(super) unsafe fn from_raw<'a>(ptr: *mut bindings::net_device) -> &'a Self {
        // SAFETY: `Device` is a transparent wrapper of the `net_device`; the caller guarantees
        // validity (and the lock) for `'a`.
        unsafe { &*ptr.cast() }
    }

    /// Returns the raw `net_device`.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::net_device {
        self.0.get()
    }

    /// Returns `true` if the device is up (`netif_running()`).
    #[inline]
    pub fn is_running(&self) -> bool {
        // SAFETY: the device is valid (type invariant).
        unsafe { bindings::netif_running(self.as_raw()) }
    }

    /// Returns `true` if the carrier is on (`netif_carrier_ok()`).
    #[inline]
    pub fn carrier_ok(&self) -> bool {
        // SAFETY: the device is valid (type invariant).
        unsafe { bindings::netif_carrier_ok(self.as_raw()) }
    }

    /// Tells the stack the link is up (`netif_carrier_on()`); any context.
    #[inline]
    pub fn carrier_on(&self) {
        // SAFETY: the device is valid (type invariant); the function takes any context.
        unsafe { bindings::netif_carrier_on(self.as_raw()) }
    }

    /// Tells the stack the link is down (`netif_carrier_off()`); any context.
    #[inline]
    pub fn carrier_off(&self) {
        // SAFETY: the device is valid (type invariant); the function takes any context.
        unsafe { bindings::netif_carrier_off(self.as_raw()) }
    }

    /// Returns the device's MTU.
    #[inline]
    pub fn mtu(&self) -> u32 {
        // SAFETY: the device is valid (type invariant). `mtu` changes under RTNL only, and
        // readers outside it read it once (`READ_ONCE()` in C), as here.
        unsafe { core::ptr::read_volatile(&raw const (*self.as_raw()).mtu) }
    }

    /// Returns `true` if the device is in promiscuous mode (`IFF_PROMISC`).
    #[inline]
    pub fn is_promisc(&self) -> bool {
        // SAFETY: the device is valid (type invariant); `flags` is read once.
        let flags = unsafe { core::ptr::read_volatile(&raw const (*self.as_raw()).flags) };
        flags & bindings::net_device_flags_IFF_PROMISC != 0
    }

    /// Returns `true` if the device takes every multicast frame (`IFF_ALLMULTI`).
    #[inline]
    pub fn is_allmulti(&self) -> bool {
        // SAFETY: the device is valid (type invariant); `flags` is read once.
        let flags = unsafe { core::ptr::read_volatile(&raw const (*self.as_raw()).flags) };
        flags & bindings::net_device_flags_IFF_ALLMULTI != 0
    }

    /// Returns the device's current MAC address.
    pub fn dev_addr(&self) -> [u8; ETH_ALEN] {
        let mut a = [0u8; ETH_ALEN];
        // SAFETY: the device is valid (type invariant); `dev_addr` points to its `ETH_ALEN`-byte
        // address, which changes under RTNL only (a torn read outside it is harmless bytes).
        unsafe {
            core::ptr::copy_nonoverlapping((*self.as_raw()).dev_addr, a.as_mut_ptr(), ETH_ALEN)
        };
        a
    }

    /// Returns the device's name, such as `eth0`.
    pub fn name(&self) -> &CStr {
        // SAFETY: the device is valid (type invariant); `name` is a NUL-terminated array that
        // lives as long as the device.
        unsafe { CStr::from_char_ptr((*self.as_raw()).name.as_ptr()) }
    }

    /// Returns the number of transmit queues in use.
    #[inline]
    pub fn real_num_tx_queues(&self) -> u32 {
        // SAFETY: the device is valid (type invariant).
        unsafe { (*self.as_raw()).real_num_tx_queues }
    }

    /// Returns transmit queue `index`, if it exists.
    #[inline]
    pub fn tx_queue(&self, index: u32) -> Option<&TxQueue> {
        // SAFETY: the device is valid (type invariant).
        if index >= unsafe { (*self.as_raw()).num_tx_queues } {
            return None;
        }
        // SAFETY: `index` is below `num_tx_queues`, so it names one of the device's queues,
        // which live as long as the device.
        Some(unsafe { TxQueue::from_raw(bindings::netdev_get_tx_queue(self.as_raw(), index)) })
    }
}

impl Device<Rtnl> {
    /// Lets the stack transmit on every queue (`netif_tx_start_all_queues()`).
    #[inline]
    pub fn tx_start_all_queues(&self) {
        // SAFETY: the device is valid (type invariant).
        unsafe { bindings::netif_tx_start_all_queues(self.as_raw()) }
    }

    /// Stops every transmit queue and waits until no transmit is in flight
    /// (`netif_tx_disable()`): afterwards `ndo_start_xmit` is not called until the queues are
    /// started again.
    #[inline]
    pub fn tx_disable(&self) {
        // SAFETY: the device is valid (type invariant); the function takes each queue's xmit
        // lock with bottom halves off: RTNL is held (type invariant), so this is process
        // context, not a transmit path holding an xmit lock.
        unsafe { bindings::netif_tx_disable(self.as_raw()) }
    }
}

// SAFETY: `struct net_device` is built to be used from many CPUs at once: every field the
// methods above touch is either constant while the device exists, or changed under RTNL and read
// with `READ_ONCE()` semantics, or changed by C functions that take their own locks.
unsafe impl<Ctx> Sync for Device<Ctx> {}

impl core::ops::Deref for Device<Rtnl> {
    type Target = Device;

    #[inline]
    fn deref(&self) -> &Device {
        // SAFETY: a `Device<Rtnl>` is a `Device` with one more guarantee; the layouts are equal.
        unsafe { Device::from_raw(self.as_raw()) }
    }
}

impl AsRef<Device> for Device<Rtnl> {
    fn as_ref(&self) -> &Device {
        self
    }
}

/// A transmit queue (`struct netdev_queue`).
///
/// # Invariants
///
/// The queue is valid for the reference's lifetime.
#[repr(transparent)]
pub struct TxQueue(Opaque<bindings::netdev_queue>);

impl TxQueue {
    /// # Safety
    ///
    /// `ptr` must point to a valid `netdev_queue` for `'a`.
    #[inline]
    unsafe fn from_raw<'a>(ptr: *mut bindings::netdev_queue) -> &'a Self {
        // SAFETY: `TxQueue` is a transparent wrapper; the caller guarantees validity for `'a`.
        unsafe { &*ptr.cast() }
    }

    #[inline]
    fn as_raw(&self) -> *mut bindings::netdev_queue {
        self.0.get()
    }

    /// Returns `true` if the driver stopped the queue (`netif_tx_queue_stopped()`).
    #[inline]
    pub fn is_stopped(&self) -> bool {
        // SAFETY: the queue is valid (type invariant).
        unsafe { bindings::netif_tx_queue_stopped(self.as_raw()) }
    }

    /// Reports a completion round to BQL and wakes the queue if the driver stopped it and room
    /// is back (`netif_txq_completed_wake()`), without a lock against the transmit path.
    ///
    /// `free_descs` returns the ring's free descriptors now; it is called after the barrier
    /// that pairs with [`XmitQueue::maybe_stop`], so update the ring's consumer index before
    /// calling this. Call it at most once per poll (BQL's rule), from the queue's NAPI poll
    /// (`_bh` stands for it). `down` is the driver's "going down" state
    /// (`__netif_txq_completed_wake()`'s `down_cond`): a queue is not woken then. Returns `true`
    /// if the queue was woken.
    #[inline]
    pub fn completed_wake(
        &self,
        pkts: u32,
        bytes: u32,
        free_descs: impl Fn() -> u32,
        start_thrs: u32,
        down: bool,
        _bh: &LocalBhDisabled,
    ) -> bool {
        let txq = self.as_raw();
        // SAFETY: the queue is valid (type invariant). This reports to BQL and issues the full
        // barrier that pairs with the one in `maybe_stop()`.
        unsafe { bindings::netdev_txq_completed_mb(txq, pkts, bytes) };
        if pkts != 0 && free_descs() >= start_thrs && self.is_stopped() && !down {
            // SAFETY: the queue is valid (type invariant); waking takes any context.
            unsafe { bindings::netif_tx_wake_queue(txq) };
            return true;
        }
        false
    }

    /// Forgets what BQL knows about the queue (`netdev_tx_reset_queue()`), after its ring was
    /// emptied with transmit stopped: from `ndo_open` or `ndo_stop` (`_dev`).
    #[inline]
    pub fn reset(&self, _dev: &Device<Rtnl>) {
        // SAFETY: the queue is valid (type invariant).
        unsafe { bindings::netdev_tx_reset_queue(self.as_raw()) }
    }
}

/// A transmit queue while its xmit lock is held, in `ndo_start_xmit` (bottom halves off).
///
/// # Invariants
///
/// The queue's xmit lock is held by the current CPU for `'a`.
pub struct XmitQueue<'a> {
    txq: &'a TxQueue,
    index: u16,
    bh: LocalBhDisabled,
}

impl XmitQueue<'_> {
    /// Returns the proof that bottom halves are off, for [`SpinLockBh::lock_with`].
    ///
    /// [`SpinLockBh::lock_with`]: crate::sync::lock::Lock::lock_with
    #[inline]
    pub fn bh(&self) -> &LocalBhDisabled {
        &self.bh
    }

    /// Returns the queue's index.
    #[inline]
    pub fn index(&self) -> u16 {
        self.index
    }

    /// Returns the queue.
    #[inline]
    pub fn queue(&self) -> &TxQueue {
        self.txq
    }

    /// Reports `bytes` handed to the hardware to BQL (`netdev_tx_sent_queue()`), which may stop
    /// the queue.
    #[inline]
    pub fn sent(&self, bytes: u32) {
        // SAFETY: the queue is valid and its xmit lock held (type invariants), as BQL requires.
        unsafe { bindings::netdev_tx_sent_queue(self.txq.as_raw(), bytes) }
    }

    /// Returns `true` if the tail doorbell must be written now: the stack has no more packets
    /// for this burst (`!netdev_xmit_more()`), or the queue is stopped (`netif_xmit_stopped()`),
    /// so no later packet would write it.
    #[inline]
    pub fn doorbell_needed(&self) -> bool {
        // SAFETY: the queue is valid (type invariant); `netdev_xmit_more()` reads this CPU's
        // transmit state, which the caller of `ndo_start_xmit` set.
        unsafe { bindings::netif_xmit_stopped(self.txq.as_raw()) || !bindings::netdev_xmit_more() }
    }

    /// Stops the queue if fewer than `stop_thrs` descriptors are free, without a lock against
    /// the completion path (`netif_txq_maybe_stop()`): after stopping, it checks again and starts
    /// the queue again if completion made room (`start_thrs`) meanwhile.
    ///
    /// `free_descs` returns the ring's free descriptors now; update the producer index before
    /// calling this. Returns `false` if the queue is left stopped.
    #[inline]
    pub fn maybe_stop(
        &self,
        free_descs: impl Fn() -> u32,
        stop_thrs: u32,
        start_thrs: u32,
    ) -> bool {
        if free_descs() >= stop_thrs {
            return true;
        }
        let txq = self.txq.as_raw();
        // The barrier makes the producer index and the stop bit visible before the second look
        // at the ring, and pairs with the one in `TxQueue::completed_wake()`.
        // SAFETY: the queue is valid and its xmit lock held (type invariants), as stopping it
        // from `ndo_start_xmit` requires.
        unsafe {
            bindings::netif_tx_stop_queue(txq);
            bindings::smp_mb__after_atomic();
        }
        if free_descs() >= start_thrs {
            // SAFETY: as above.
            unsafe { bindings::netif_tx_start_queue(txq) };
            return true;
        }
        false
    }
}

/// A NAPI budget: how many received packets one poll may process.
#[derive(Clone, Copy, Debug)]
pub struct Budget(u32);

impl Budget {
    /// Returns the budget.
    #[inline]
    pub fn get(self) -> u32 {
        self.0
    }

    /// Returns `false` for a budget of 0 (netpoll): the poll must then clean transmit
    /// completions only, and not touch its receive ring.
    #[inline]
    pub fn rx_allowed(self) -> bool {
        self.0 != 0
    }
}

/// What a NAPI poll did, returned by [`Operations::poll`].
#[derive(Clone, Copy, Debug)]
pub enum Polled {
    /// Work remains: the core polls again without re-enabling the interrupt.
    More,
    /// All work is done, after `work` received packets, fewer than the budget. The NAPI context
    /// is completed (`napi_complete_done()`); if that succeeds, [`Operations::poll_done`]
    /// re-enables the interrupt.
    Done(u32),
}

/// A NAPI context (`struct napi_struct`), owned by the device's [`Registration`].
///
/// The registration creates the contexts ([`Config::napis`] of them), enables them after
/// [`Operations::open`] succeeded (and then polls each once, for an interrupt that came before
/// could not schedule it) and disables them before [`Operations::stop`], and removes them when
/// it goes: a driver only schedules them and polls them ([`Operations::poll`]). So a driver's
/// open and stop, and whatever they set up for a context (a page pool), never race its poll.
///
/// # Invariants
///
/// `inner` was added to a device with `netif_napi_add()` and stays added while the object is
/// reachable; `index` is its index among its device's contexts.
#[repr(C)]
pub struct Napi {
    inner: Opaque<bindings::napi_struct>,
    index: usize,
}

// SAFETY: the NAPI core serialises polls and makes `napi_schedule()` safe from any thread; the
// registration enables, disables and removes the contexts under RTNL or when no callback runs.
unsafe impl Send for Napi {}
// SAFETY: as above: the methods that take `&self` are safe to call from several threads.
unsafe impl Sync for Napi {}

impl Napi {
    #[inline]
    pub(crate) fn as_raw(&self) -> *mut bindings::napi_struct {
        self.inner.get()
    }

    /// Returns the device the context belongs to.
    #[inline]
    pub fn device(&self) -> &Device {
        // SAFETY: the context was added to a device (type invariant), which sets `dev` and
        // outlives the context.
        unsafe { Device::from_raw((*self.as_raw()).dev) }
    }

    /// Returns the context's index among its device's contexts.
    #[inline]
    pub fn index(&self) -> usize {
        self.index
    }

    /// Schedules the poll (`napi_schedule()`): from the interrupt handler. Returns `false` if it
    /// was already scheduled or the context is disabled.
    #[inline]
    pub fn schedule(&self, _ctx: &IrqContext<'_>) -> bool {
        // SAFETY: the context was added to a device (type invariant); hard IRQ context (`_ctx`)
        // may schedule.
        unsafe { bindings::napi_schedule(self.as_raw()) }
    }

    /// Hands a received packet to the stack through GRO (`napi_gro_receive()`); from this
    /// context's poll, which `_bh` stands for. Gives the packet back if it cannot go to the
    /// stack: one that others share, or that has no device (see [`SkbList::push`]), or a clone
    /// (`skb_cloned()`): GRO takes a packet's fragments and head page into another, which would
    /// pull them from under the clone.
    #[inline]
    pub fn gro_receive(&self, skb: SkBuff, _bh: &LocalBhDisabled) -> Result<(), SkBuff> {
        if !skb.is_ours_with_device() || skb.is_cloned() {
            return Err(skb);
        }
        // The context was added to a device (type invariant) and is being polled: this is the
        // only place a driver holds both this `Napi` and a `LocalBhDisabled`. The skb and its
        // data are ours alone, neither shared nor cloned, and it has a device (checked above).
        // SAFETY: as above; the skb's reference goes to GRO.
        unsafe { bindings::napi_gro_receive(self.as_raw(), skb.into_raw()) };
        Ok(())
    }

    /// Hands the packets of `list` to the stack in one call (`netif_receive_skb_list()`),
    /// bypassing GRO; from this context's poll, which `_bh` stands for. Packets GRO holds are
    /// not flushed first: only packets of other flows may overtake them.
    #[inline]
    pub fn receive_list(&self, list: SkbList, bh: &LocalBhDisabled) {
        list.receive(bh);
    }
}

/// The address lists of an Ethernet device while its address lock is held, in
/// `ndo_set_rx_mode`: what its receive filters must let through.
///
/// # Invariants
///
/// `dev`'s address lock (`netif_addr_lock_bh()`) is held for `'a`, and its addresses are
/// `ETH_ALEN` bytes long.
pub struct RxAddrs<'a> {
    dev: &'a Device,
}

impl RxAddrs<'_> {
    /// Calls `f` with each multicast address of the device (`netdev_for_each_mc_addr()`).
    pub fn for_each_multicast(&self, mut f: impl FnMut(&[u8; ETH_ALEN])) {
        let dev = self.dev.as_raw();
        // SAFETY: the device is valid (type invariant of `Device`); its multicast list changes
        // only under its address lock, which is held (type invariant), so the list and its
        // entries stay as they are during the walk.
        let head = unsafe { &raw mut (*dev).mc.list };
        // SAFETY: as above: `head` is the list's valid head.
        let mut pos = unsafe { (*head).next };
        while pos != head {
            // SAFETY: `pos` is not the head, so it is the `list` member of an entry
            // (`struct netdev_hw_addr`) of the list, which stays valid (above).
            let ha = unsafe { crate::container_of!(pos, bindings::netdev_hw_addr, list) };
            // SAFETY: `addr` holds `MAX_ADDR_LEN` bytes, of which an Ethernet device's addresses
            // use the first `ETH_ALEN` (type invariant); the entry is valid (above).
            let addr = unsafe { &*(&raw const (*ha).addr).cast::<[u8; ETH_ALEN]>() };
            f(addr);
            // SAFETY: `pos` is a valid entry of the list (above).
            pos = unsafe { (*pos).next };
        }
    }
}

/// What an interrupt handler reaches: its device and the device's NAPI contexts.
pub struct IrqContext<'a> {
    dev: &'a Device,
    napis: &'a [Napi],
}

impl IrqContext<'_> {
    /// Returns the device.
    #[inline]
    pub fn device(&self) -> &Device {
        self.dev
    }

    /// Returns NAPI context `index`.
    #[inline]
    pub fn napi(&self, index: usize) -> Option<&Napi> {
        self.napis.get(index)
    }
}

/// The statistics of `ndo_get_stats64` (`struct rtnl_link_stats64`); fields not set are 0.
#[derive(Clone, Copy, Debug, Default)]
pub struct LinkStats {
    /// Packets received.
    pub rx_packets: u64,
    /// Bytes received.
    pub rx_bytes: u64,
    /// Packets sent.
    pub tx_packets: u64,
    /// Bytes sent.
    pub tx_bytes: u64,
    /// Bad packets received.
    pub rx_errors: u64,
    /// Packets that could not be sent.
    pub tx_errors: u64,
    /// Packets received and dropped by the driver, though not in error.
    pub rx_dropped: u64,
    /// Packets dropped by the driver before they were sent.
    pub tx_dropped: u64,
    /// Multicast packets received.
    pub multicast: u64,
    /// Frames with a bad length.
    pub rx_length_errors: u64,
    /// Frames with a bad CRC.
    pub rx_crc_errors: u64,
    /// Frames the hardware missed for lack of a buffer.
    pub rx_missed_errors: u64,
    /// Frames received with an alignment error.
    pub rx_frame_errors: u64,
    /// Collisions.
    pub collisions: u64,
}

/// A 64-bit counter with one writer at a time and readers anywhere, as the `u64_stats_t`
/// counters of a driver's hot paths: an increment is a plain load and store, never an atomic
/// read-modify-write, so counting costs what a C driver pays.
///
/// The writer side is one context at a time by the caller's design (a queue's transmit path
/// under its xmit lock, its NAPI poll). Two writers at once would lose counts, never corrupt
/// memory.
pub struct Counter(Atomic<u64>);

impl Default for Counter {
    fn default() -> Self {
        Self::new()
    }
}

impl Counter {
    /// Returns a counter at 0.
    pub const fn new() -> Self {
        Self(Atomic::new(0))
    }

    /// Adds `n`, from the counter's writer context.
    #[inline]
    pub fn add(&self, n: u64) {
        self.0.store(self.0.load(Relaxed).wrapping_add(n), Relaxed);
    }

    /// Returns the count.
    #[inline]
    pub fn get(&self) -> u64 {
        self.0.load(Relaxed)
    }
}

/// What `ndo_start_xmit` did with a packet: it took it, to the hardware or to a drop with a
/// reason. There is no `NETDEV_TX_BUSY`: a driver stops its queue before its ring is full
/// ([`XmitQueue::maybe_stop`]), and drops what still does not fit.
pub struct Xmit(());

impl Xmit {
    /// The packet was queued to the hardware or dropped with a reason.
    pub const TAKEN: Xmit = Xmit(());
}

/// A network device driver's operations (`struct net_device_ops`) and its interrupt handler.
///
/// # Examples
///
/// The operations of a device whose transmitter is not there yet: it drops every packet with a
/// reason, counts it without a lock, and reports the count in `ethtool -S`.
///
/// ```
/// use kernel::{
///     irq::IrqReturn,
///     net::{
///         dev::{Budget, Device, IrqContext, Napi, Operations, Polled, Rtnl, Xmit, XmitQueue},
///         skbuff::{DropReason, SkBuff},
///     },
///     prelude::*,
///     sync::{
///         atomic::{ordering::Relaxed, Atomic},
///         LocalBhDisabled,
///     },
/// };
///
/// struct Mute;
///
/// struct MuteData {
///     dropped: Atomic<u64>,
/// }
///
/// #[vtable]
/// impl Operations for Mute {
///     type Data<'a> = MuteData;
///
///     fn open(_dev: &Device<Rtnl>, _data: &MuteData) -> Result {
///         Ok(())
///     }
///
///     fn stop(_dev: &Device<Rtnl>, _data: &MuteData) {}
///
///     fn start_xmit(skb: SkBuff, _txq: &XmitQueue<'_>, data: &MuteData) -> Xmit {
///         data.dropped.add(1, Relaxed);
///         skb.drop_reason(DropReason::DevReady);
///         Xmit::TAKEN
///     }
///
///     fn poll(_napi: &Napi, _budget: Budget, _bh: &LocalBhDisabled, _data: &MuteData) -> Polled {
///         Polled::Done(0)
///     }
///
///     fn poll_done(_napi: &Napi, _data: &MuteData) {}
///
///     fn interrupt(_vector: usize, _ctx: &IrqContext<'_>, _data: &MuteData) -> IrqReturn {
///         IrqReturn::None
///     }
///
///     const ETHTOOL_STATS: &'static [&'static CStr] = &[c"tx_mute_dropped"];
///
///     fn ethtool_stats(_dev: &Device, data: &MuteData, stats: &mut [u64]) {
///         // One value per name of `ETHTOOL_STATS`: the abstraction sizes `stats` from it.
///         if let [dropped] = stats {
///             *dropped = data.dropped.load(Relaxed);
///         }
///     }
/// }
///
/// // `#[vtable]` records what the driver implements; the core gets only those callbacks.
/// assert!(<Mute as Operations>::HAS_ETHTOOL_STATS && !<Mute as Operations>::HAS_TX_TIMEOUT);
/// ```
#[vtable]
pub trait Operations: Sized + 'static {
    /// The driver's data for one device, owned by its [`Registration`] and borrowed by every
    /// callback. `'a` is the bound lifetime of the bus device.
    type Data<'a>: Send + Sync + 'a;

    /// Brings the device up (`ndo_open`). The NAPI contexts are disabled while this runs; the
    /// registration enables them after it succeeded and polls each once.
    fn open(dev: &Device<Rtnl>, data: &Self::Data<'_>) -> Result;

    /// Takes the device down (`ndo_stop`): mask the device's interrupts and stop its DMA. When
    /// this is called, transmit is disabled ([`Device::tx_disable`]) and the NAPI contexts are
    /// disabled; afterwards the registration waits for running interrupt handlers and turns the
    /// carrier off.
    fn stop(dev: &Device<Rtnl>, data: &Self::Data<'_>);

    /// Transmits `skb` on `txq` (`ndo_start_xmit`). The packet must be queued to the hardware
    /// or dropped with a reason.
    fn start_xmit(skb: SkBuff, txq: &XmitQueue<'_>, data: &Self::Data<'_>) -> Xmit;

    /// Polls NAPI context `napi` (its [`Napi::index`]) with `budget`, in softirq context (`bh`).
    /// Clean transmit completions always; receive only if [`Budget::rx_allowed`].
    fn poll(napi: &Napi, budget: Budget, bh: &LocalBhDisabled, data: &Self::Data<'_>) -> Polled;

    /// Called after a [`Polled::Done`] poll completed its NAPI context, to re-enable its
    /// interrupt.
    fn poll_done(napi: &Napi, data: &Self::Data<'_>);

    /// Handles interrupt vector `vector` of the device's [`Registration`] (hard IRQ context).
    /// The vectors are MSI or MSI-X, not shared.
    fn interrupt(
        vector: usize,
        ctx: &IrqContext<'_>,
        data: &Self::Data<'_>,
    ) -> crate::irq::IrqReturn;

    /// Reports that transmit queue `queue` made no progress for the watchdog's timeout
    /// (`ndo_tx_timeout`), from the watchdog timer (softirq) with every transmit queue locked.
    /// The driver counts and logs it; the registration then resets the device outside the
    /// timer, under RTNL: stop and open, as `igb_reset_task()` does.
    fn tx_timeout(_dev: &Device, _queue: u32, _data: &Self::Data<'_>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Fills in the device's statistics (`ndo_get_stats64`), from any context.
    fn get_stats64(_dev: &Device, _data: &Self::Data<'_>, _stats: &mut LinkStats) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Changes the MTU (`ndo_change_mtu`). The core checked the device's MTU range; on success
    /// the abstraction sets the new MTU.
    fn change_mtu(_dev: &Device<Rtnl>, _data: &Self::Data<'_>, _new_mtu: u32) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Programs the receive filters after the device's flags or address lists changed
    /// (`ndo_set_rx_mode`), with the address lock held and bottom halves off: it must not sleep.
    /// `addrs` gives the address lists.
    fn set_rx_mode(_dev: &Device, _addrs: &RxAddrs<'_>, _data: &Self::Data<'_>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// The names of the driver's own statistics (`ethtool -S`), at most `ETH_GSTRING_LEN - 1`
    /// bytes each; [`Operations::ethtool_stats`] gives their values in this order.
    const ETHTOOL_STATS: &'static [&'static CStr] = &[];

    /// Fills in the driver's own statistics (`get_ethtool_stats`), one per name of
    /// [`Operations::ETHTOOL_STATS`], from any context.
    fn ethtool_stats(_dev: &Device, _data: &Self::Data<'_>, _stats: &mut [u64]) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Returns the ring sizes and their maxima (`get_ringparam`, `ethtool -g`).
    fn get_ringparam(_dev: &Device, _data: &Self::Data<'_>) -> RingParam {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Sets the ring sizes (`set_ringparam`, `ethtool -G`), which the core checked against the
    /// maxima. The device is closed while this runs: the registration stops a running device
    /// first and opens it again after, as `igb_set_ringparam()` does with `igb_down()` and
    /// `igb_up()`.
    fn set_ringparam(_dev: &Device<Rtnl>, _data: &Self::Data<'_>, _ring: &RingParam) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The device's private area: where its [`Registration`] keeps what callbacks reach.
///
/// # Invariants
///
/// From before the device is registered until after it is unregistered and its interrupts are
/// freed: `data` points to the registration's live `T::Data` (its lifetime erased), `napis` to
/// its `nnapis` added NAPI contexts, and `irqs` to its `nirqs` requested interrupt numbers.
/// `ndev` is the device whose private area this is, and `reset` a work item initialised with
/// `reset_work_callback::<T>` for the registration's `T`, not pending or running once the
/// registration is dropped.
struct Priv {
    ndev: *mut bindings::net_device,
    /// Whether `ndo_open` succeeded and `ndo_stop` has not run since: changed and read under
    /// RTNL only.
    opened: Cell<bool>,
    /// The registration is going: the reset work does nothing any more. Under RTNL only.
    dying: Cell<bool>,
    /// Resets the device (closes and opens it) after a transmit timeout.
    reset: Opaque<bindings::work_struct>,
    data: *const c_void,
    napis: *const Napi,
    nnapis: usize,
    irqs: *const u32,
    nirqs: usize,
}

impl Priv {
    /// Returns the private area of `ndev`.
    ///
    /// # Safety
    ///
    /// `ndev` must be a device of a live `Registration`.
    #[inline(always)]
    unsafe fn of<'a>(ndev: *mut bindings::net_device) -> &'a Priv {
        // SAFETY: the caller guarantees a registration's device, whose private area is a `Priv`
        // (written by `Registration::new()`) that lives as long as the device.
        unsafe { &*bindings::netdev_priv(ndev).cast::<Priv>() }
    }

    /// Returns the NAPI contexts.
    #[inline(always)]
    fn napis(&self) -> &[Napi] {
        // SAFETY: by the type invariant, `napis` points to `nnapis` contexts (or is dangling
        // with `nnapis` 0) that live as long as the registration.
        unsafe { core::slice::from_raw_parts(self.napis, self.nnapis) }
    }

    /// Returns the interrupt numbers.
    #[inline(always)]
    fn irqs(&self) -> &[u32] {
        // SAFETY: as for `napis()`.
        unsafe { core::slice::from_raw_parts(self.irqs, self.nirqs) }
    }
}

/// Returns the driver data of `ndev` and calls `f` with it.
///
/// # Safety
///
/// `ndev` must be a device of a live `Registration<'_, T>` (so `Priv`'s invariant holds).
#[inline(always)]
pub(super) unsafe fn with_data<T: Operations, R>(
    ndev: *mut bindings::net_device,
    f: impl for<'a> FnOnce(&'a T::Data<'a>) -> R,
) -> R {
    // SAFETY: the caller guarantees a registration's device.
    let priv_ = unsafe { Priv::of(ndev) };
    // SAFETY: by `Priv`'s invariant, `data` points to the live `T::Data`. The lifetime was
    // erased; the higher-ranked `f` cannot let the shortened one escape.
    f(unsafe { &*priv_.data.cast::<T::Data<'_>>() })
}

/// The parameters of a new network device.
pub struct Config {
    /// Transmit queues.
    pub tx_queues: u32,
    /// Receive queues.
    pub rx_queues: u32,
    /// NAPI contexts.
    pub napis: usize,
    /// The permanent MAC address; it must be a valid unicast address.
    pub mac: [u8; ETH_ALEN],
    /// The smallest MTU.
    pub min_mtu: u32,
    /// The largest MTU.
    pub max_mtu: u32,
    /// The name of the device's interrupts in `/proc/interrupts`.
    pub irq_name: &'static CStr,
}

/// A device being set up, before it is registered: what [`Operations::Data`] is created with.
pub struct NewDevice<'a, T: Operations> {
    dev: &'a Device,
    napis: &'a Arc<Napis>,
    _p: PhantomData<T>,
}

impl<T: Operations> NewDevice<'_, T> {
    /// Returns the device.
    pub fn device(&self) -> &Device {
        self.dev
    }

    /// Returns NAPI context `index`.
    pub fn napi(&self, index: usize) -> Option<&Napi> {
        self.napis.napis.get(index)
    }

    /// Returns a counted reference to NAPI context `index`, to set up what needs one later (a
    /// page pool, when the device opens).
    pub fn napi_ref(&self, index: usize) -> Option<NapiRef> {
        (index < self.napis.napis.len()).then(|| NapiRef {
            napis: self.napis.clone(),
            index,
        })
    }
}

/// A device allocated by `alloc_etherdev_mqs()`, freed when dropped.
///
/// # Invariants
///
/// `0` is an allocated `net_device`, not registered when this is dropped.
struct Alloc(NonNull<bindings::net_device>);

impl Drop for Alloc {
    fn drop(&mut self) {
        // SAFETY: the device is allocated and no longer registered (type invariant). Freeing it
        // also removes NAPI contexts still on its list.
        unsafe { bindings::free_netdev(self.0.as_ptr()) }
    }
}

/// The NAPI contexts of a device, in an allocation that never moves.
///
/// The memory is reference counted: a [`NapiRef`] (a page pool's) keeps it valid after the
/// registration is gone. Removing the contexts from the device is [`NapisAdded`]'s job, in the
/// registration, before the device is freed.
///
/// # Invariants
///
/// The vector never reallocates (its capacity is reserved up front).
struct Napis {
    napis: KVec<Napi>,
}

/// Removes a device's NAPI contexts when dropped.
///
/// # Invariants
///
/// `napis.napis[..]` were added to a device that stays allocated until this is dropped.
struct NapisAdded {
    napis: Arc<Napis>,
}

impl Drop for NapisAdded {
    fn drop(&mut self) {
        for napi in self.napis.napis.iter() {
            // SAFETY: the context was added (type invariant) and is disabled: the device is
            // closed or was never opened. Its device is still allocated (`Alloc` is dropped
            // after this). Removing a context twice does nothing: `free_netdev()` skips it.
            unsafe { bindings::netif_napi_del(napi.as_raw()) }
        }
    }
}

/// A counted reference to one of a device's NAPI contexts: its memory stays valid while the
/// reference lives, even after the device is unregistered and its contexts removed.
///
/// It is what a [`PagePool`](super::page_pool::PagePool) holds, for the pool reads its context
/// until it is destroyed. It gives no access to the context itself: scheduling and polling stay
/// with the registration's callbacks.
#[derive(Clone)]
pub struct NapiRef {
    napis: Arc<Napis>,
    index: usize,
}

impl NapiRef {
    /// Returns the context's `napi_struct`, valid while `self` lives.
    #[inline]
    pub(crate) fn as_raw(&self) -> *mut bindings::napi_struct {
        self.napis.napis[self.index].as_raw()
    }

    /// Returns the context's index among its device's contexts.
    #[inline]
    pub fn index(&self) -> usize {
        self.index
    }
}

/// Where an interrupt handler finds its device and vector.
struct IrqCookie {
    ndev: *mut bindings::net_device,
    vector: usize,
}

/// A registered network device, its NAPI contexts, its interrupts and its driver data.
///
/// Created in a bus driver's probe and kept in its driver data, it unregisters the device when
/// dropped, as the bus device unbinds. Unregistering closes the device first (`ndo_stop`), so
/// dropping it is safe while traffic flows.
///
/// The registration must be dropped (by its owner, the bus device's driver data), not leaked:
/// the device's callbacks borrow the driver data for the bound lifetime `'a`. Like 7.3's
/// `fwctl::Registration` and `drm::Registration`, it relies on its `Drop` running before `'a`
/// ends; unlike them its constructor is safe, a trade-off `Documentation/networking/bulknet.rst`
/// discusses.
///
/// # Invariants
///
/// `ndev` is an allocated device, registered if `registered`, whose private area is a [`Priv`]
/// pointing to `data`, `napis` and `irqs`. Interrupt `irqs[i]` is requested with cookie
/// `&cookies[i]`.
///
/// The fields are dropped in their order after [`Drop`] ran: `data`, the NAPI contexts, the
/// vectors, and the device last.
pub struct Registration<'a, T: Operations> {
    registered: bool,
    irqs: KVec<u32>,
    cookies: KVec<IrqCookie>,
    data: Pin<KBox<T::Data<'a>>>,
    _napis: NapisAdded,
    vectors: Option<pci::IrqVectorRegistration<'a>>,
    ndev: Alloc,
}

// SAFETY: the registration can be dropped on another thread; the device and data are `Send`
// (`Data: Send`), and the raw pointers are only used to unregister.
unsafe impl<T: Operations> Send for Registration<'_, T> {}
// SAFETY: shared references give access to `data` (`Sync`) and to the device (`Sync`).
unsafe impl<T: Operations> Sync for Registration<'_, T> {}

impl<'a, T: Operations> Registration<'a, T> {
    /// Allocates an Ethernet device with `config` for `parent` and its NAPI contexts, creates
    /// its driver data with `data`, requests its interrupt `vectors` (every one of them, with
    /// [`Operations::interrupt`] as handler) and registers it (`register_netdev()`), carrier off.
    ///
    /// Everything done so far is undone if a step fails.
    pub fn new<I>(
        parent: &'a device::Device<device::Bound>,
        config: &Config,
        vectors: Option<pci::IrqVectorRegistration<'a>>,
        data: impl FnOnce(&NewDevice<'_, T>) -> I,
    ) -> Result<Self>
    where
        I: PinInit<T::Data<'a>, Error>,
    {
        if !is_valid_ether_addr(&config.mac) {
            return Err(EINVAL);
        }
        let vtable: &'static bindings::net_device_ops = &VTable::<T>::VTABLE;
        // SAFETY: the size is that of `Priv`; the function checks the queue counts.
        let ndev = unsafe {
            bindings::alloc_etherdev_mqs(
                core::mem::size_of::<Priv>() as c_int,
                config.tx_queues,
                config.rx_queues,
            )
        };
        // INVARIANT: just allocated, not registered.
        let alloc = Alloc(NonNull::new(ndev).ok_or(ENOMEM)?);
        let raw = alloc.0.as_ptr();
        // SAFETY: `raw` was just allocated and is not registered: we may set it up. Its private
        // area is sized for a `Priv`. The carrier starts off, as drivers set it before
        // registering.
        unsafe {
            (*raw).dev.parent = parent.as_raw();
            (*raw).netdev_ops = vtable;
            if ethtool::VTable::<T>::HAS_ANY {
                (*raw).ethtool_ops = &ethtool::VTable::<T>::VTABLE;
            }
            (*raw).min_mtu = config.min_mtu;
            (*raw).max_mtu = config.max_mtu;
            bindings::eth_hw_addr_set(raw, config.mac.as_ptr());
            let p = bindings::netdev_priv(raw).cast::<Priv>();
            p.write(Priv {
                ndev: raw,
                opened: Cell::new(false),
                dying: Cell::new(false),
                reset: Opaque::uninit(),
                data: core::ptr::null(),
                napis: NonNull::dangling().as_ptr(),
                nnapis: 0,
                irqs: NonNull::dangling().as_ptr(),
                nirqs: 0,
            });
            // INVARIANT: the reset work is initialised for `T`; `Drop` cancels it.
            bindings::init_work_with_key(
                Opaque::cast_into(&raw const (*p).reset),
                Some(reset_work_callback::<T>),
                false,
                c"rust_netdev_reset".as_char_ptr(),
                crate::static_lock_class!().as_ptr(),
            );
            bindings::netif_carrier_off(raw);
        }

        let mut napis = UniqueArc::new(
            Napis {
                napis: KVec::with_capacity(config.napis, GFP_KERNEL)?,
            },
            GFP_KERNEL,
        )?;
        for index in 0..config.napis {
            let slot = napis.napis.spare_capacity_mut().as_mut_ptr();
            // The vector never reallocates (capacity reserved), so the context stays where it is
            // initialised: zeroed, as `netif_napi_add()` expects (C drivers `kzalloc()` theirs).
            // The poll callback of `T` reaches the data through `raw`'s private area, set up
            // before any context can be scheduled (they are enabled from `ndo_open`).
            // SAFETY: `slot` is the first spare slot; `raw` is valid and not yet registered.
            unsafe {
                slot.write_bytes(0, 1);
                let napi = (*slot).as_mut_ptr();
                bindings::netif_napi_add(
                    raw,
                    Opaque::cast_into(&raw const (*napi).inner),
                    Some(poll_callback::<T>),
                );
                (&raw mut (*napi).index).write(index);
                napis.napis.inc_len(1);
            }
        }
        // INVARIANT: every context is added; `NapisAdded` removes them before `alloc` frees the
        // device, and from here on nothing can fail before it owns them.
        let napis = NapisAdded {
            napis: napis.into(),
        };

        let new = NewDevice::<T> {
            // SAFETY: `raw` stays valid until `alloc` is dropped, after `data`.
            dev: unsafe { Device::from_raw(raw) },
            napis: &napis.napis,
            _p: PhantomData,
        };
        // On error, `napis` and then `alloc` undo what was done.
        let data = KBox::pin_init(data(&new), GFP_KERNEL)?;
        // INVARIANT: the private area points to the data and contexts from here on.
        // SAFETY: the device is not registered yet: nothing reads the private area concurrently.
        unsafe {
            let p = bindings::netdev_priv(raw).cast::<Priv>();
            (*p).data = core::ptr::from_ref::<T::Data<'a>>(&data).cast();
            (*p).napis = napis.napis.napis.as_ptr();
            (*p).nnapis = napis.napis.napis.len();
        }

        let mut this = Self {
            registered: false,
            irqs: KVec::new(),
            cookies: KVec::new(),
            data,
            _napis: napis,
            vectors: None,
            ndev: alloc,
        };
        // The registration owns the vectors before any is requested: on error, `this` is
        // dropped, and `Drop` frees the requested interrupts before the vectors go with their
        // field. (A local holding them would be dropped first, freeing the interrupt
        // descriptors under live handlers.)
        this.vectors = vectors;
        this.request_irqs(config.irq_name)?;
        // SAFETY: `raw` is fully set up and not registered.
        to_result(unsafe { bindings::register_netdev(raw) })?;
        this.registered = true;
        Ok(this)
    }

    /// Requests every interrupt vector the registration owns, with [`Operations::interrupt`] as
    /// handler.
    fn request_irqs(&mut self, name: &'static CStr) -> Result {
        let Some(vectors) = self.vectors.as_ref() else {
            return Ok(());
        };
        let n = vectors.len();
        self.irqs.reserve(n, GFP_KERNEL)?;
        self.cookies.reserve(n, GFP_KERNEL)?;
        for vector in 0..n {
            // Cannot fail: reserved above, so the cookies never move.
            self.cookies.push(
                IrqCookie {
                    ndev: self.ndev.0.as_ptr(),
                    vector,
                },
                GFP_KERNEL,
            )?;
        }
        for vector in 0..n {
            let irq = crate::irq::IrqRequest::from(vectors.index(vector)?).irq();
            let cookie = core::ptr::from_ref(&self.cookies[vector]).cast_mut().cast();
            // SAFETY: the handler is valid for `request_irq()`; the cookie points into
            // `cookies`, which is not changed or dropped before `Drop` frees the IRQ. The data
            // and contexts the handler reaches through the device's private area are set up.
            to_result(unsafe {
                bindings::request_irq(irq, Some(irq_callback::<T>), 0, name.as_char_ptr(), cookie)
            })?;
            // INVARIANT: `irqs[vector]` is requested with `&cookies[vector]`; `reserve` above
            // keeps `irqs` where the private area will point.
            self.irqs.push(irq, GFP_KERNEL)?;
        }
        let raw = self.ndev.0.as_ptr();
        // SAFETY: the device is not registered yet: nothing reads the private area
        // concurrently. `irqs` does not move any more (all pushed).
        unsafe {
            let p = bindings::netdev_priv(raw).cast::<Priv>();
            (*p).irqs = self.irqs.as_ptr();
            (*p).nirqs = self.irqs.len();
        }
        Ok(())
    }

    /// Returns the device.
    pub fn device(&self) -> &Device {
        // SAFETY: the device is valid while registered (type invariant).
        unsafe { Device::from_raw(self.ndev.0.as_ptr()) }
    }

    /// Returns the driver data.
    pub fn data(&self) -> &T::Data<'a> {
        &self.data
    }
}

impl<T: Operations> Drop for Registration<'_, T> {
    fn drop(&mut self) {
        let raw = self.ndev.0.as_ptr();
        // SAFETY: the private area is a `Priv` (type invariant).
        let priv_ = unsafe { Priv::of(raw) };
        // From here on the reset work does nothing: it checks under RTNL.
        // SAFETY: plain RTNL locking, from process context.
        unsafe { bindings::rtnl_lock() };
        priv_.dying.set(true);
        // SAFETY: locked just above.
        unsafe { bindings::rtnl_unlock() };
        // The interrupts go first: no handler may touch the device once it is unregistered.
        // The device keeps working without them until it is closed below, its NAPI contexts
        // unscheduled.
        for (irq, cookie) in self.irqs.iter().zip(self.cookies.iter()) {
            // SAFETY: `irq` was requested with this cookie (type invariant); `free_irq()` waits
            // for a running handler.
            unsafe { bindings::free_irq(*irq, core::ptr::from_ref(cookie).cast_mut().cast()) };
        }
        // SAFETY: the private area's `Priv` stays valid; no interrupt is left to look at them.
        unsafe { (*bindings::netdev_priv(raw).cast::<Priv>()).nirqs = 0 };
        if self.registered {
            // Closes the device (`ndo_stop`) and waits for every callback to return.
            // SAFETY: the device is registered (type invariant).
            unsafe { bindings::unregister_netdev(raw) };
            // INVARIANT: `Alloc` frees an unregistered device.
            self.registered = false;
        }
        // The device is closed: no transmit timeout can queue the work again.
        // SAFETY: the work was initialised (`Priv` invariant); this waits for a running one.
        unsafe { bindings::cancel_work_sync(priv_.reset.get()) };
        // Nothing calls into the data any more: the device is unregistered, the IRQs are freed.
        // The fields go next, the data first.
    }
}

struct VTable<T: Operations>(PhantomData<T>);

impl<T: Operations> VTable<T> {
    const VTABLE: bindings::net_device_ops = bindings::net_device_ops {
        ndo_open: Some(open_callback::<T>),
        ndo_stop: Some(stop_callback::<T>),
        ndo_start_xmit: Some(start_xmit_callback::<T>),
        ndo_get_stats64: if T::HAS_GET_STATS64 {
            Some(get_stats64_callback::<T>)
        } else {
            None
        },
        ndo_change_mtu: if T::HAS_CHANGE_MTU {
            Some(change_mtu_callback::<T>)
        } else {
            None
        },
        ndo_set_rx_mode: if T::HAS_SET_RX_MODE {
            Some(set_rx_mode_callback::<T>)
        } else {
            None
        },
        ndo_tx_timeout: if T::HAS_TX_TIMEOUT {
            Some(tx_timeout_callback::<T>)
        } else {
            None
        },
        ndo_validate_addr: Some(bindings::eth_validate_addr),
        ndo_set_mac_address: Some(bindings::eth_mac_addr),
        // SAFETY: every other operation is absent: an all-zero `net_device_ops` has no
        // operations.
        ..unsafe { core::mem::zeroed() }
    };
}

/// # Safety
///
/// Called by the core as `ndo_open`, under RTNL, for a device of a live `Registration<'_, T>`.
unsafe extern "C" fn open_callback<T: Operations>(ndev: *mut bindings::net_device) -> c_int {
    // SAFETY: the core holds RTNL for the call and the device is valid.
    let dev = unsafe { Device::<Rtnl>::from_raw(ndev) };
    // SAFETY: the device belongs to a live registration (function safety requirement).
    let ret = unsafe { with_data::<T, _>(ndev, |data| T::open(dev, data)) };
    if let Err(e) = ret {
        // The contexts are still disabled: what the driver set up for them (a page pool) went
        // without racing a poll.
        return e.to_errno();
    }
    // SAFETY: the device belongs to a live registration (function safety requirement).
    let napis = unsafe { Priv::of(ndev) }.napis();
    for napi in napis {
        // SAFETY: the context was added (`Napi` invariant) and is disabled: contexts start
        // disabled, and `stop_callback` disables them; RTNL serialises open and stop.
        unsafe { bindings::napi_enable(napi.as_raw()) };
    }
    // An interrupt that came before its context was enabled could not schedule it, and its
    // vector may be masked until a poll completes: poll each context once. The polls run when
    // bottom halves are enabled again.
    // SAFETY: process context; the contexts are enabled.
    unsafe {
        bindings::local_bh_disable();
        for napi in napis {
            bindings::napi_schedule(napi.as_raw());
        }
        bindings::local_bh_enable();
    }
    // SAFETY: the device belongs to a live registration; RTNL is held.
    unsafe { Priv::of(ndev) }.opened.set(true);
    0
}

/// # Safety
///
/// Called by the core as `ndo_stop`, under RTNL, for a device of a live `Registration<'_, T>`
/// that `open_callback` opened.
unsafe extern "C" fn stop_callback<T: Operations>(ndev: *mut bindings::net_device) -> c_int {
    // SAFETY: the core holds RTNL for the call and the device is valid.
    let dev = unsafe { Device::<Rtnl>::from_raw(ndev) };
    // SAFETY: the device belongs to a live registration (function safety requirement).
    let priv_ = unsafe { Priv::of(ndev) };
    if !priv_.opened.replace(false) {
        // Reopening after a ring change failed: nothing to stop.
        return 0;
    }
    // No transmit runs, or will, until the device is opened again.
    dev.tx_disable();
    for napi in priv_.napis() {
        // SAFETY: the context was enabled by `open_callback` (the device is open).
        unsafe { bindings::napi_disable(napi.as_raw()) };
    }
    // SAFETY: the device belongs to a live registration (function safety requirement).
    unsafe { with_data::<T, _>(ndev, |data| T::stop(dev, data)) };
    for irq in priv_.irqs() {
        // SAFETY: the interrupt is requested (`Priv` invariant); this waits for its handler.
        unsafe { bindings::synchronize_irq(*irq) };
    }
    dev.carrier_off();
    0
}

/// # Safety
///
/// Called by the core as `ndo_start_xmit`, with the queue's xmit lock held and bottom halves
/// off, for a device of a live `Registration<'_, T>` that owns `skb`'s reference.
unsafe extern "C" fn start_xmit_callback<T: Operations>(
    skb: *mut bindings::sk_buff,
    ndev: *mut bindings::net_device,
) -> bindings::netdev_tx_t {
    // SAFETY: the core hands `skb`'s reference to `ndo_start_xmit`.
    let skb = unsafe { SkBuff::from_raw(skb) };
    // SAFETY: `skb` is valid; its queue mapping was set by the core to a valid queue.
    let index = unsafe { (*skb.as_raw()).queue_mapping };
    // SAFETY: the device is valid; the queue index was checked by the core.
    let txq = unsafe { TxQueue::from_raw(bindings::netdev_get_tx_queue(ndev, index.into())) };
    // INVARIANT: the core holds the queue's xmit lock for the call.
    let xq = XmitQueue {
        txq,
        index,
        // SAFETY: the core calls `ndo_start_xmit` with bottom halves disabled.
        bh: unsafe { LocalBhDisabled::new() },
    };
    // SAFETY: the device belongs to a live registration (function safety requirement).
    let Xmit(()) = unsafe { with_data::<T, _>(ndev, |data| T::start_xmit(skb, &xq, data)) };
    bindings::netdev_tx::NETDEV_TX_OK
}

/// # Safety
///
/// Called by the core as `ndo_get_stats64`, for a device of a live `Registration<'_, T>`.
unsafe extern "C" fn get_stats64_callback<T: Operations>(
    ndev: *mut bindings::net_device,
    storage: *mut bindings::rtnl_link_stats64,
) {
    // SAFETY: the device is valid for the call.
    let dev = unsafe { Device::<Normal>::from_raw(ndev) };
    let mut s = LinkStats::default();
    // SAFETY: the device belongs to a live registration (function safety requirement).
    unsafe { with_data::<T, _>(ndev, |data| T::get_stats64(dev, data, &mut s)) };
    // SAFETY: `storage` is valid for writes for the call; the core zeroed it and fills in what
    // it counts itself afterwards.
    let st = unsafe { &mut *storage };
    st.rx_packets = s.rx_packets;
    st.rx_bytes = s.rx_bytes;
    st.tx_packets = s.tx_packets;
    st.tx_bytes = s.tx_bytes;
    st.rx_errors = s.rx_errors;
    st.tx_errors = s.tx_errors;
    st.rx_dropped = s.rx_dropped;
    st.tx_dropped = s.tx_dropped;
    st.multicast = s.multicast;
    st.rx_length_errors = s.rx_length_errors;
    st.rx_crc_errors = s.rx_crc_errors;
    st.rx_missed_errors = s.rx_missed_errors;
    st.rx_frame_errors = s.rx_frame_errors;
    st.collisions = s.collisions;
}

/// # Safety
///
/// Called by the core as `ndo_change_mtu`, under RTNL, for a device of a live
/// `Registration<'_, T>`.
unsafe extern "C" fn change_mtu_callback<T: Operations>(
    ndev: *mut bindings::net_device,
    new_mtu: c_int,
) -> c_int {
    from_result(|| {
        // SAFETY: the core holds RTNL for the call and the device is valid.
        let dev = unsafe { Device::<Rtnl>::from_raw(ndev) };
        let mtu = u32::try_from(new_mtu).map_err(|_| EINVAL)?;
        // SAFETY: the device belongs to a live registration (function safety requirement).
        unsafe { with_data::<T, _>(ndev, |data| T::change_mtu(dev, data, mtu)) }?;
        // SAFETY: RTNL is held; readers without it read `mtu` once (`READ_ONCE()`).
        unsafe { core::ptr::write_volatile(&raw mut (*ndev).mtu, mtu) };
        Ok(0)
    })
}

/// # Safety
///
/// Called by the core as `ndo_set_rx_mode`, with the device's address lock held and bottom
/// halves off, for a device of a live `Registration<'_, T>`.
unsafe extern "C" fn set_rx_mode_callback<T: Operations>(ndev: *mut bindings::net_device) {
    // SAFETY: the device is valid for the call.
    let dev = unsafe { Device::<Normal>::from_raw(ndev) };
    // INVARIANT: the core holds the address lock during the call (function safety requirement),
    // and the registration is of an Ethernet device.
    let addrs = RxAddrs { dev };
    // SAFETY: the device belongs to a live registration (function safety requirement).
    unsafe { with_data::<T, _>(ndev, |data| T::set_rx_mode(dev, &addrs, data)) }
}

/// # Safety
///
/// Called by the core as `ndo_tx_timeout`, from the watchdog timer with the device's transmit
/// queues locked, for a device of a live `Registration<'_, T>`.
unsafe extern "C" fn tx_timeout_callback<T: Operations>(
    ndev: *mut bindings::net_device,
    queue: c_uint,
) {
    // SAFETY: the device is valid for the call.
    let dev = unsafe { Device::<Normal>::from_raw(ndev) };
    // SAFETY: the device belongs to a live registration (function safety requirement).
    unsafe { with_data::<T, _>(ndev, |data| T::tx_timeout(dev, queue, data)) };
    // SAFETY: as above.
    let priv_ = unsafe { Priv::of(ndev) };
    // SAFETY: the work is initialised (`Priv` invariant) and cancelled before the device is
    // freed; queueing a pending work again does nothing.
    unsafe {
        bindings::queue_work_on(
            bindings::wq_misc_consts_WORK_CPU_UNBOUND as c_int,
            bindings::system_wq,
            priv_.reset.get(),
        )
    };
}

/// # Safety
///
/// Called by the workqueue for the `reset` work of the `Priv` of a device of a live
/// `Registration<'_, T>` (the registration cancels it before it goes).
unsafe extern "C" fn reset_work_callback<T: Operations>(work: *mut bindings::work_struct) {
    // SAFETY: `work` is the `reset` field of a `Priv` (function safety requirement); `Opaque` is
    // transparent.
    let priv_ = unsafe { &*crate::container_of!(Opaque::cast_from(work).cast_mut(), Priv, reset) };
    // SAFETY: plain RTNL locking, from process context.
    unsafe { bindings::rtnl_lock() };
    if !priv_.dying.get() {
        // SAFETY: the device belongs to a live registration that is not going (checked under
        // RTNL, which is held).
        let _ = unsafe { restart_around::<T>(priv_.ndev, || Ok(())) };
    }
    // SAFETY: locked above.
    unsafe { bindings::rtnl_unlock() };
}

/// Runs `f` with the device closed: if it is up, stops it first (`ndo_stop`) and opens it again
/// after (`ndo_open`), as a C driver's `*_down()` and `*_up()` do around a reconfiguration.
/// Returns `f`'s error, or else the reopening's.
///
/// # Safety
///
/// `ndev` must be a device of a live `Registration<'_, T>`, and the caller must hold RTNL.
pub(super) unsafe fn restart_around<T: Operations>(
    ndev: *mut bindings::net_device,
    f: impl FnOnce() -> Result,
) -> Result {
    // SAFETY: the device belongs to a live registration; RTNL is held (function safety
    // requirement).
    let was_open = unsafe { Priv::of(ndev) }.opened.get();
    if was_open {
        // SAFETY: as above; the device is open.
        unsafe { stop_callback::<T>(ndev) };
    }
    let ret = f();
    if was_open {
        // SAFETY: as above; the device is closed again.
        let err = unsafe { open_callback::<T>(ndev) };
        if err != 0 {
            // SAFETY: the device is valid; RTNL is held.
            let dev = unsafe { Device::<Rtnl>::from_raw(ndev) };
            pr_err!(
                "{}: cannot open the device again after reconfiguring it ({})\n",
                dev.name(),
                err
            );
            return ret.and(Err(Error::from_errno(err)));
        }
    }
    ret
}

/// # Safety
///
/// Called by the NAPI core as a context's poll function; the context is a [`Napi`] of a live
/// `Registration<'_, T>`.
unsafe extern "C" fn poll_callback<T: Operations>(
    napi: *mut bindings::napi_struct,
    budget: c_int,
) -> c_int {
    // SAFETY: `napi` is the `inner` field of a live `Napi` of a registration (function safety
    // requirement); `Opaque` is transparent, so the field's address is the `napi_struct`'s.
    let this = unsafe { &*crate::container_of!(Opaque::cast_from(napi).cast_mut(), Napi, inner) };
    // SAFETY: the context is valid; `dev` is set by `netif_napi_add()` to its device.
    let ndev = unsafe { (*napi).dev };
    let budget = Budget(budget.max(0) as u32);
    // SAFETY: NAPI polls run in softirq context (or, for netpoll, with bottom halves off).
    let bh = unsafe { LocalBhDisabled::new() };
    let poll = |data: &T::Data<'_>| match T::poll(this, budget, &bh, data) {
        Polled::Done(work) if work < budget.0 => {
            // SAFETY: the poll is running, so the context is scheduled and owned by this poll;
            // it did less than its budget, as `napi_complete_done()` requires.
            if unsafe { bindings::napi_complete_done(napi, work as c_int) } {
                T::poll_done(this, data);
            }
            work as c_int
        }
        // Work remains (or a budget of 0, which must never complete): the whole budget.
        _ => budget.0 as c_int,
    };
    // SAFETY: the device belongs to a live registration (function safety requirement).
    unsafe { with_data::<T, _>(ndev, poll) }
}

/// # Safety
///
/// Called by the IRQ core for an interrupt requested by `Registration::request_irqs()` with a
/// cookie pointing to its `IrqCookie`.
unsafe extern "C" fn irq_callback<T: Operations>(
    _irq: c_int,
    cookie: *mut c_void,
) -> bindings::irqreturn_t {
    // SAFETY: the cookie points to the registration's `IrqCookie`, valid until the IRQ is freed.
    let cookie = unsafe { &*cookie.cast::<IrqCookie>() };
    let ndev = cookie.ndev;
    let ctx = IrqContext {
        // SAFETY: the device lives until after the IRQ is freed (`Registration::drop()`).
        dev: unsafe { Device::<Normal>::from_raw(ndev) },
        // SAFETY: the device belongs to a live registration, whose contexts outlive its IRQs.
        napis: unsafe { Priv::of(ndev) }.napis(),
    };
    // SAFETY: the IRQ is freed before the data is dropped, and requested after it is set up.
    let ret = unsafe { with_data::<T, _>(ndev, |data| T::interrupt(cookie.vector, &ctx, data)) };
    bindings::irqreturn_t(ret as c_uint)
}
