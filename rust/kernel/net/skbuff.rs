// SPDX-License-Identifier: GPL-2.0

//! Socket buffers, with an explicit fate.
//!
//! C header: [`include/linux/skbuff.h`](srctree/include/linux/skbuff.h)
//!
//! An owned [`SkBuff`] is never freed implicitly: every way out of it names what happens to the
//! packet, so that drop monitors and `kfree_skb` tracepoints see the truth:
//!
//! - [`SkBuff::consume`]: the packet did its job (sent, delivered);
//! - [`SkBuff::napi_consume`]: the same, from a NAPI poll, with its budget, so the head goes back
//!   to the slab in bulk through the NAPI cache;
//! - [`SkBuff::drop_reason`]: the packet is dropped, with a [`DropReason`] and in any context
//!   (`dev_kfree_skb_any_reason()`).
//!
//! Letting an [`SkBuff`] go out of scope does not build: its destructor is a [`build_error!`].
//! Packets received in one NAPI poll can be gathered in an [`SkbList`] and handed to the stack
//! together.

use crate::{
    bindings, device,
    dma::{
        streaming::{MapBuffer, Mapping},
        DataDirection, DmaAddress,
    },
    prelude::*,
    sync::LocalBhDisabled,
};
use core::{mem::ManuallyDrop, ptr::NonNull};

/// Why a packet is dropped (`enum skb_drop_reason`), as drop monitors and the `kfree_skb`
/// tracepoint report it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum DropReason {
    /// `SKB_DROP_REASON_NOT_SPECIFIED`.
    NotSpecified = bindings::skb_drop_reason_SKB_DROP_REASON_NOT_SPECIFIED,
    /// `SKB_DROP_REASON_PKT_TOO_SMALL`: shorter than its headers.
    PktTooSmall = bindings::skb_drop_reason_SKB_DROP_REASON_PKT_TOO_SMALL,
    /// `SKB_DROP_REASON_PKT_TOO_BIG`: longer than the device takes.
    PktTooBig = bindings::skb_drop_reason_SKB_DROP_REASON_PKT_TOO_BIG,
    /// `SKB_DROP_REASON_DEV_HDR`: the device reported an error in the frame.
    DevHdr = bindings::skb_drop_reason_SKB_DROP_REASON_DEV_HDR,
    /// `SKB_DROP_REASON_DEV_READY`: the device or its queue is not ready (down, reset).
    DevReady = bindings::skb_drop_reason_SKB_DROP_REASON_DEV_READY,
    /// `SKB_DROP_REASON_FULL_RING`: no room on the device's ring.
    FullRing = bindings::skb_drop_reason_SKB_DROP_REASON_FULL_RING,
    /// `SKB_DROP_REASON_NOMEM`: out of memory (a DMA mapping failed, say).
    NoMem = bindings::skb_drop_reason_SKB_DROP_REASON_NOMEM,
}

/// An owned socket buffer (`struct sk_buff`).
///
/// Owning it means holding the one reference the holder must release; it is released only by
/// one of the consuming methods, which name the packet's fate. Dropping an [`SkBuff`] any other
/// way is a build error.
///
/// # Examples
///
/// Every path out of a function that owns an skb names the packet's fate; leaving one out is a
/// build error, not a leak.
///
/// ```
/// use kernel::net::skbuff::{DropReason, SkBuff};
///
/// /// Finishes a frame the device reported on: `Ok` frames were sent, `Err` ones carry the
/// /// device's verdict.
/// fn complete(skb: SkBuff, status: Result<(), DropReason>) {
///     match status {
///         Ok(()) => skb.consume(),
///         Err(reason) => skb.drop_reason(reason),
///     }
/// }
/// # let _ = complete;
/// ```
///
/// # Invariants
///
/// `ptr` points to a valid `struct sk_buff` whose reference this object owns.
#[must_use = "an skb must be consumed, dropped with a reason or handed on"]
pub struct SkBuff {
    ptr: NonNull<bindings::sk_buff>,
}

// SAFETY: An skb is not tied to the thread that owns it; the network stack hands skbs between
// CPUs and contexts all the time.
unsafe impl Send for SkBuff {}

impl SkBuff {
    /// Takes ownership of an skb the C side hands over.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct sk_buff` whose reference the caller owns and
    /// transfers.
    #[inline]
    pub unsafe fn from_raw(ptr: *mut bindings::sk_buff) -> Self {
        // INVARIANT: by the safety requirements, `ptr` is valid and its reference is ours.
        Self {
            // SAFETY: a valid skb pointer is not null.
            ptr: unsafe { NonNull::new_unchecked(ptr) },
        }
    }

    /// Gives up ownership without releasing it, returning the raw pointer.
    #[inline]
    pub fn into_raw(self) -> *mut bindings::sk_buff {
        ManuallyDrop::new(self).ptr.as_ptr()
    }

    /// Returns the raw pointer, still owned by `self`.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::sk_buff {
        self.ptr.as_ptr()
    }

    /// Returns the length of the packet's data, linear part and fragments (`skb->len`).
    #[inline]
    pub fn len(&self) -> u32 {
        // SAFETY: by the type invariant, the skb is valid; we own it, so nobody changes `len`.
        unsafe { (*self.as_raw()).len }
    }

    /// Returns `true` if the packet has no data.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Returns the length of the linear part (`skb_headlen()`).
    #[inline]
    pub fn headlen(&self) -> u32 {
        // SAFETY: by the type invariant, the skb is valid.
        unsafe { bindings::skb_headlen(self.as_raw()) }
    }

    /// Returns `true` if all the data is in the linear part (no fragments).
    #[inline]
    pub fn is_linear(&self) -> bool {
        self.headlen() == self.len()
    }

    /// Returns the linear part of the packet's data.
    #[inline]
    pub fn data(&self) -> &[u8] {
        // SAFETY: by the type invariant the skb is valid; `skb->data` points to `skb_headlen()`
        // initialised bytes that stay put while we own the skb and do not change it.
        unsafe { core::slice::from_raw_parts((*self.as_raw()).data, self.headlen() as usize) }
    }

    /// Pads the packet with zeroes to at least `len` bytes (`__skb_put_padto()`), as hardware
    /// that cannot send shorter frames needs. If there is no memory for it, the packet comes
    /// back with the error, for the caller to drop.
    #[inline]
    pub fn put_padto(self, len: u32) -> Result<Self, (Self, Error)> {
        if self.len() >= len {
            return Ok(self);
        }
        // SAFETY: we own the skb (type invariant); with `free_on_error` false it stays ours
        // whatever the result.
        let ret = unsafe { bindings::__skb_put_padto(self.as_raw(), len, false) };
        if ret != 0 {
            return Err((self, Error::from_errno(ret)));
        }
        Ok(self)
    }

    /// Tells the stack the hardware verified the packet's checksum: `CHECKSUM_UNNECESSARY` for a
    /// new skb (`__skb_incr_checksum_unnecessary()`).
    #[inline]
    pub fn set_checksum_unnecessary(&mut self) {
        // SAFETY: by the type invariant the skb is valid, and ours to change.
        unsafe { bindings::__skb_incr_checksum_unnecessary(self.as_raw()) }
    }

    /// Records the receive queue the packet came from (`skb_record_rx_queue()`).
    #[inline]
    pub fn record_rx_queue(&mut self, queue: u16) {
        // SAFETY: by the type invariant the skb is valid, and ours to change.
        unsafe { bindings::skb_record_rx_queue(self.as_raw(), queue) }
    }

    /// Sets up a received Ethernet frame for the stack (`skb->protocol = eth_type_trans()`):
    /// classifies it for `dev`, sets its protocol and pulls the Ethernet header. Returns `false`,
    /// changing nothing, if the linear part is shorter than an Ethernet header.
    #[inline]
    pub fn eth_type_trans(&mut self, dev: &super::dev::Device) -> bool {
        if self.headlen() < bindings::ETH_HLEN {
            return false;
        }
        let skb = self.as_raw();
        // SAFETY: by the type invariant the skb is valid, and ours to change; `dev` is a valid
        // device. `eth_type_trans()` pulls `ETH_HLEN` bytes, which are there (checked above).
        // `protocol` is a plain field of the skb's `headers` group.
        unsafe {
            let proto = bindings::eth_type_trans(skb, dev.as_raw());
            (*skb).__bindgen_anon_4.__bindgen_anon_1.as_mut().protocol = proto;
        }
        true
    }

    /// Returns whether the skb can go to the stack: no one else holds it (`skb_shared()`:
    /// it may be on their lists, and GRO and the list receive path link and free it as
    /// theirs) and it has a device (the stack reads `skb->dev`; `eth_type_trans()` sets it).
    #[inline]
    pub(crate) fn is_ours_with_device(&self) -> bool {
        let raw = self.as_raw();
        // SAFETY: the skb is valid (type invariant). Its reference count may change under us
        // only if it is shared, which is what this reads; `dev` is a plain field of an skb we
        // hold.
        let (shared, dev) = unsafe {
            (
                bindings::skb_shared(raw),
                (*raw)
                    .__bindgen_anon_1
                    .__bindgen_anon_1
                    .__bindgen_anon_1
                    .dev,
            )
        };
        !shared && !dev.is_null()
    }

    /// Returns whether the skb's data is shared with a clone (`skb_cloned()`).
    #[inline]
    pub(crate) fn is_cloned(&self) -> bool {
        // SAFETY: the skb is valid (type invariant); the data reference count is read
        // atomically.
        unsafe { bindings::skb_cloned(self.as_raw()) }
    }

    /// Releases the packet, which did its job (`consume_skb()`), in any context.
    #[inline]
    pub fn consume(self) {
        // SAFETY: we own the skb (type invariant) and give the reference up here. A budget of 0
        // makes `napi_consume_skb()` use `dev_consume_skb_any()`, safe in any context.
        unsafe { bindings::napi_consume_skb(self.into_raw(), 0) }
    }

    /// Releases the packet, which did its job, from a NAPI poll whose budget is `budget`
    /// (`napi_consume_skb()`). With a non-zero budget the head is recycled through the NAPI skb
    /// cache and freed to the slab in bulk. `_bh` proves bottom halves are off, as the NAPI skb
    /// cache requires.
    #[inline]
    pub fn napi_consume(self, budget: u32, _bh: &LocalBhDisabled) {
        // SAFETY: we own the skb (type invariant) and give the reference up here. A non-zero
        // budget uses the per-CPU NAPI skb cache, which is safe with bottom halves off (`_bh`);
        // 0 frees it in any context.
        unsafe {
            bindings::napi_consume_skb(self.into_raw(), budget.try_into().unwrap_or(i32::MAX))
        }
    }

    /// Drops the packet for `reason`, in any context (`dev_kfree_skb_any_reason()`).
    #[inline]
    pub fn drop_reason(self, reason: DropReason) {
        // SAFETY: we own the skb (type invariant) and give the reference up here.
        unsafe { bindings::dev_kfree_skb_any_reason(self.into_raw(), reason as u32) }
    }
}

impl Drop for SkBuff {
    #[inline(always)]
    fn drop(&mut self) {
        build_error!("an SkBuff must be consumed, dropped with a reason or handed on");
    }
}

/// Received packets gathered in a NAPI poll, to be handed to the stack in one call
/// (`netif_receive_skb_list()`) instead of one call per packet.
///
/// Like an [`SkBuff`], a list is never freed implicitly: [`Napi::receive_list`] takes it, and
/// letting one go out of scope does not build.
///
/// [`Napi::receive_list`]: super::dev::Napi::receive_list
///
/// # Invariants
///
/// If `len` is not 0, `first` and `last` are the ends of a chain of `len` valid skbs, each with
/// a device and referenced by the list alone, each linked to the next through `skb->list.next`
/// and to the one before through `skb->list.prev`; the ends' outer links are unspecified and
/// never read. If `len` is 0, `first` and `last` are meaningless.
#[must_use = "a list of packets must be handed on"]
pub struct SkbList {
    first: *mut bindings::sk_buff,
    last: *mut bindings::sk_buff,
    len: u32,
}

impl SkbList {
    /// Returns an empty list.
    #[inline]
    pub fn new() -> Self {
        // INVARIANT: the list is empty.
        Self {
            first: core::ptr::null_mut(),
            last: core::ptr::null_mut(),
            len: 0,
        }
    }

    /// Appends `skb`, which the list owns from now on, or gives it back if it cannot join a
    /// list for the stack: an skb that others share (`skb_shared()`: it may be on their lists,
    /// and the list links its skbs through `skb->list`), or that has no device (the stack
    /// reads `skb->dev`; `eth_type_trans()` sets it).
    #[inline]
    pub fn push(&mut self, skb: SkBuff) -> Result<(), SkBuff> {
        if !skb.is_ours_with_device() {
            return Err(skb);
        }
        let skb = skb.into_raw();
        if self.len != 0 {
            // SAFETY: `skb` is valid and now ours alone (not shared, checked above), so its
            // `list` links, which overlay `next` and `prev`, are ours to set; `last` is a valid
            // skb of the list (type invariant), whose forward link is the list's.
            unsafe {
                let node = &raw mut (*skb).__bindgen_anon_1.list;
                let prev = &raw mut (*self.last).__bindgen_anon_1.list;
                (*prev).next = node;
                (*node).prev = prev;
            }
        } else {
            self.first = skb;
        }
        // INVARIANT: `skb`, ours alone and with a device, is linked after the old last skb, or
        // is the only one.
        self.last = skb;
        self.len += 1;
        Ok(())
    }

    /// Hands every packet to the stack in one call (`netif_receive_skb_list()`), from a NAPI
    /// poll, which `_bh` stands for.
    #[inline]
    pub(crate) fn receive(self, _bh: &LocalBhDisabled) {
        let this = ManuallyDrop::new(self);
        if this.len == 0 {
            return;
        }
        let (first, last) = (this.first, this.last);
        let mut head = bindings::list_head {
            next: core::ptr::null_mut(),
            prev: core::ptr::null_mut(),
        };
        let head_ptr = &raw mut head;
        // In 7.3, `netif_receive_skb_list_internal()` splices the skbs back into `head` and then
        // unlinks each one (`skb_list_del_init()`, directly or after `list_cut_before()`), so
        // nothing refers to `head` after this frame.
        // SAFETY: `first` and `last` are valid skbs of the chain, each with a device and ours
        // alone (type invariant): closing it around `head` makes the `list_head` list that
        // `netif_receive_skb_list()` takes with every reference, from a NAPI poll (`_bh`).
        unsafe {
            let first = &raw mut (*first).__bindgen_anon_1.list;
            let last = &raw mut (*last).__bindgen_anon_1.list;
            (*head_ptr).next = first;
            (*head_ptr).prev = last;
            (*first).prev = head_ptr;
            (*last).next = head_ptr;
            bindings::netif_receive_skb_list(head_ptr);
        }
    }
}

impl Default for SkbList {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for SkbList {
    #[inline(always)]
    fn drop(&mut self) {
        build_error!("an SkbList must be handed on");
    }
}

/// The linear part of an skb's data, as a buffer to map; it owns the skb's reference.
///
/// # Invariants
///
/// `0` points to a valid skb whose reference this object owns.
struct Linear(NonNull<bindings::sk_buff>);

// SAFETY: as for `SkBuff`.
unsafe impl Send for Linear {}

// SAFETY: `skb->data` points to `skb_headlen()` bytes of the skb's head, allocated with kmalloc or
// from a page (linear map), which do not move or get freed while the skb's reference is held
// (type invariant). A transmitted skb's data is not written by anyone while the device reads it.
unsafe impl MapBuffer for Linear {
    #[inline]
    fn dma_range(&self) -> (*mut u8, usize) {
        let skb = self.0.as_ptr();
        // SAFETY: the skb is valid (type invariant).
        unsafe { ((*skb).data, bindings::skb_headlen(skb) as usize) }
    }
}

/// An skb whose linear data is lent to a device to transmit (`dma_map_single()`, to the
/// device).
///
/// [`MappedSkb::unmap`] gives the skb back once the device is done, to meet its fate. A mapped
/// skb dropped without being unmapped is a packet its device never sent (its ring was torn
/// down): it is unmapped and dropped as [`DropReason::DevReady`], the one fate that needs no
/// word from the driver.
pub struct MappedSkb<'a> {
    map: ManuallyDrop<Mapping<'a, Linear>>,
}

impl<'a> MappedSkb<'a> {
    /// Maps `skb`'s data for `dev` to read. The skb must be linear ([`SkBuff::is_linear`]):
    /// otherwise it comes back with [`EINVAL`]. On a mapping failure it comes back with
    /// [`ENOMEM`].
    #[inline]
    pub fn new(
        dev: &'a device::Device<device::Bound>,
        skb: SkBuff,
    ) -> Result<Self, (SkBuff, Error)> {
        if !skb.is_linear() {
            return Err((skb, EINVAL));
        }
        // INVARIANT: `Linear` takes over the reference `skb` owned.
        let linear = Linear(ManuallyDrop::new(skb).ptr);
        match Mapping::new(dev, linear, DataDirection::ToDevice) {
            Ok(map) => Ok(Self {
                map: ManuallyDrop::new(map),
            }),
            // SAFETY: `Linear` owned the reference (type invariant); it goes back to an
            // `SkBuff`.
            Err((linear, e)) => Err((unsafe { SkBuff::from_raw(linear.0.as_ptr()) }, e)),
        }
    }

    /// Returns the address of the data for the device.
    #[inline]
    pub fn dma_address(&self) -> DmaAddress {
        self.map.dma_address()
    }

    /// Returns the length of the mapped data.
    #[inline]
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Returns `true` if no data is mapped.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Ends the mapping and gives the skb back.
    #[inline]
    pub fn unmap(self) -> SkBuff {
        let mut this = ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again: the mapping is taken out once.
        let map = unsafe { ManuallyDrop::take(&mut this.map) };
        let linear = map.unmap();
        // SAFETY: `Linear` owned the skb's reference (type invariant); it has no destructor.
        unsafe { SkBuff::from_raw(linear.0.as_ptr()) }
    }
}

impl Drop for MappedSkb<'_> {
    fn drop(&mut self) {
        // SAFETY: `self` is being dropped: the mapping is taken out once.
        let map = unsafe { ManuallyDrop::take(&mut self.map) };
        let linear = map.unmap();
        // SAFETY: `Linear` owned the skb's reference (type invariant); it has no destructor.
        let skb = unsafe { SkBuff::from_raw(linear.0.as_ptr()) };
        skb.drop_reason(DropReason::DevReady);
    }
}
