// SPDX-License-Identifier: GPL-2.0

//! Page pools: the receive buffers of a network device's queue, DMA-mapped once and recycled
//! through the NAPI context that uses them.
//!
//! C header: [`include/net/page_pool/helpers.h`](srctree/include/net/page_pool/helpers.h)
//!
//! A [`PagePool`] belongs to one receive queue and its NAPI context
//! (`Documentation/networking/page_pool.rst`). The pool maps its pages for the device when it
//! allocates them and keeps them mapped while they cycle through it. A page comes back to the
//! pool when the driver recycles it, or when the stack frees the skb built around it
//! ([`PoolPage::build_skb`] marks the skb for recycling). In the NAPI context, both ways go to
//! the pool's lockless cache.
//!
//! A pool's pages are [`Mapped`] for a device, the receive buffers of a driver, or [`Unmapped`]:
//! for the CPU alone, with no device and no NAPI context, as page_pool's own benchmark uses them.

use crate::{
    bindings, device,
    dma::DmaAddress,
    net::{
        dev::{Device, NapiRef},
        skbuff::SkBuff,
    },
    prelude::*,
    sync::LocalBhDisabled,
};
use core::{marker::PhantomData, mem::ManuallyDrop, ptr::NonNull};

/// Returns the headroom the stack expects in front of a received frame (`NET_SKB_PAD +
/// NET_IP_ALIGN`): where in its page a driver lets the device write.
///
/// A function, not a constant: `NET_SKB_PAD` is a `max()`, which bindgen cannot evaluate. The
/// helper inlines to a constant.
#[inline]
pub fn rx_headroom() -> u32 {
    // SAFETY: the helper only returns the macro's value.
    unsafe { bindings::net_skb_pad() + bindings::NET_IP_ALIGN }
}

/// The room `skb_shared_info` takes at the end of an skb's head
/// (`SKB_DATA_ALIGN(sizeof(struct skb_shared_info))`).
pub const SKB_SHINFO_SIZE: u32 = bindings::SKB_SHINFO_SIZE;

/// The size of a pool page (order 0).
pub const PAGE_SIZE: u32 = bindings::PAGE_SIZE as u32;

/// Returns the most a device may write into a page after [`rx_headroom()`], so that
/// [`PoolPage::build_skb`] can still put `skb_shared_info` at the page's end.
///
/// # Examples
///
/// A page holds the headroom, the frame and `skb_shared_info`, and a full Ethernet frame fits:
///
/// ```
/// use kernel::net::page_pool::{rx_headroom, rx_max_len, PAGE_SIZE, SKB_SHINFO_SIZE};
///
/// assert_eq!(rx_headroom() + rx_max_len() + SKB_SHINFO_SIZE, PAGE_SIZE);
/// assert!(rx_max_len() >= 1518);
/// ```
#[inline]
pub fn rx_max_len() -> u32 {
    PAGE_SIZE.saturating_sub(rx_headroom() + SKB_SHINFO_SIZE)
}

/// The parameters of a [`PagePool`] of order-0 pages.
pub struct Params {
    /// The number of pages the pool's ring of recycled pages holds: the receive ring's size.
    pub pool_size: u32,
    /// How many bytes the device may write at [`rx_headroom()`], which the pool syncs for the
    /// device when a page comes back. At most [`rx_max_len()`].
    pub max_len: u32,
}

mod private {
    pub trait Sealed {}
}

/// What a pool's pages are for: [`Mapped`] or [`Unmapped`].
pub trait Mapping: private::Sealed {}

/// Pages mapped for a device to write into at [`rx_headroom()`], for one receive queue and its
/// NAPI context.
pub struct Mapped;

/// Pages for the CPU alone: no device, no DMA mapping, no NAPI context.
pub struct Unmapped;

impl private::Sealed for Mapped {}
impl Mapping for Mapped {}
impl private::Sealed for Unmapped {}
impl Mapping for Unmapped {}

/// A page pool (`struct page_pool`) of order-0 pages, [`Mapped`] for a device (a receive queue's
/// buffers) or [`Unmapped`].
///
/// Allocating and direct recycling take `&mut self`: the pool's allocation cache is not locked,
/// so only one context may use it at a time, the queue's NAPI poll (or its open and stop, with
/// the context disabled). The driver's ownership of the pool (under its ring lock) says so.
///
/// # Invariants
///
/// `ptr` is a pool created by `page_pool_create()`, not yet destroyed. If `M` is [`Mapped`], it
/// was created with `PP_FLAG_DMA_MAP | PP_FLAG_DMA_SYNC_DEV` and offset [`rx_headroom()`], and
/// its `napi` is the context `_napi` keeps valid in memory. If `M` is [`Unmapped`], it was
/// created with no flags, no device and no NAPI context, and `_napi` is `None`.
pub struct PagePool<M: Mapping = Mapped> {
    ptr: NonNull<bindings::page_pool>,
    _napi: Option<NapiRef>,
    _mapping: PhantomData<M>,
}

// SAFETY: a pool may be used and destroyed from any thread; its allocation cache is only
// touched through `&mut self`, and the C side recycles into it only from its NAPI context.
unsafe impl<M: Mapping> Send for PagePool<M> {}
// SAFETY: `&self` gives access to nothing: every method takes `&mut self` or `self`.
unsafe impl<M: Mapping> Sync for PagePool<M> {}

impl PagePool<Mapped> {
    /// Creates a pool of pages mapped for `dev` to write into (`page_pool_create()`), for the
    /// receive queue `queue` of `netdev`, polled by `napi`. The device's DMA mask must cover
    /// the pages (the default 32-bit mask bounces through swiotlb otherwise).
    pub fn new(
        dev: &device::Device<device::Bound>,
        netdev: &Device,
        napi: &NapiRef,
        queue: u32,
        params: &Params,
    ) -> Result<Self> {
        if params.max_len == 0 || params.max_len > rx_max_len() {
            return Err(EINVAL);
        }
        let mut p = bindings::page_pool_params::default();
        p.__bindgen_anon_1.fast = bindings::page_pool_params__bindgen_ty_1_page_pool_params_fast {
            order: 0,
            pool_size: params.pool_size,
            nid: bindings::NUMA_NO_NODE,
            dev: dev.as_raw(),
            napi: napi.as_raw(),
            dma_dir: bindings::dma_data_direction::DMA_FROM_DEVICE,
            max_len: params.max_len,
            offset: rx_headroom(),
        };
        p.__bindgen_anon_2.slow = bindings::page_pool_params__bindgen_ty_2_page_pool_params_slow {
            netdev: netdev.as_raw(),
            queue_idx: queue,
            flags: bindings::PP_FLAG_DMA_MAP | bindings::PP_FLAG_DMA_SYNC_DEV,
            init_callback: None,
            init_arg: core::ptr::null_mut(),
        };
        // The net device outlives the pool's use of it: unregistering it moves its pools to the
        // loopback device (`page_pool_unreg_netdev()`).
        // SAFETY: `p` is fully initialised; the device is bound, so it may map; the net device is
        // valid (above); the NAPI context stays valid in memory while `napi`, kept below, lives.
        let ptr = crate::error::from_err_ptr(unsafe { bindings::page_pool_create(&p) })?;
        // INVARIANT: `ptr` is a pool just created with the mapping flags and offset above, its
        // NAPI context kept by `_napi`.
        Ok(Self {
            ptr: NonNull::new(ptr).ok_or(ENOMEM)?,
            _napi: Some(napi.clone()),
            _mapping: PhantomData,
        })
    }
}

impl PagePool<Unmapped> {
    /// Creates a pool of pages for the CPU alone (`page_pool_create()` with no device, no flags
    /// and no NAPI context), whose ring of recycled pages holds `pool_size` pages.
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::net::page_pool::{PagePool, Unmapped};
    ///
    /// let mut pool = PagePool::<Unmapped>::new_unmapped(64)?;
    /// let page = pool.alloc().ok_or(ENOMEM)?;
    /// // Back through the pool's ring: any context may do that.
    /// drop(page);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new_unmapped(pool_size: u32) -> Result<Self> {
        let mut p = bindings::page_pool_params::default();
        p.__bindgen_anon_1.fast = bindings::page_pool_params__bindgen_ty_1_page_pool_params_fast {
            order: 0,
            pool_size,
            nid: bindings::NUMA_NO_NODE,
            dev: core::ptr::null_mut(),
            napi: core::ptr::null_mut(),
            dma_dir: bindings::dma_data_direction::DMA_BIDIRECTIONAL,
            max_len: 0,
            offset: 0,
        };
        // SAFETY: `p` is fully initialised; without `PP_FLAG_DMA_MAP` the pool uses no device.
        let ptr = crate::error::from_err_ptr(unsafe { bindings::page_pool_create(&p) })?;
        // INVARIANT: `ptr` is a pool just created with no flags, device or NAPI context, and
        // `_napi` is `None`.
        Ok(Self {
            ptr: NonNull::new(ptr).ok_or(ENOMEM)?,
            _napi: None,
            _mapping: PhantomData,
        })
    }
}

impl<M: Mapping> PagePool<M> {
    /// Takes a page from the pool, mapped for the device if the pool is [`Mapped`]
    /// (`page_pool_dev_alloc_pages()`), or `None` if there is none and the page allocator has
    /// none either. Atomic: never sleeps.
    #[inline]
    pub fn alloc(&mut self) -> Option<PoolPage<M>> {
        // SAFETY: the pool is valid (type invariant); `&mut self` makes this the only user of
        // its allocation cache. The function takes any context (GFP_ATOMIC).
        let page = unsafe { bindings::page_pool_dev_alloc_pages(self.ptr.as_ptr()) };
        // INVARIANT: a page just taken from this pool, with its reference.
        NonNull::new(page).map(|page| PoolPage {
            page,
            pool: self.ptr,
            _mapping: PhantomData,
        })
    }
}

impl<M: Mapping> Drop for PagePool<M> {
    fn drop(&mut self) {
        // Pages still out, in skbs or `PoolPage`s, keep the pool's memory alive until they come
        // back: the pool frees itself once the last one returns.
        // SAFETY: the pool is valid (type invariant) and not used again; its NAPI context, if
        // any, is still valid in memory (`_napi` is dropped after this).
        unsafe { bindings::page_pool_destroy(self.ptr.as_ptr()) }
    }
}

/// A page taken from a [`PagePool`], mapped for the pool's device if the pool is [`Mapped`].
/// Dropping it gives it back to its pool (not into the lockless cache: the context is unknown).
///
/// # Invariants
///
/// `page` is a page of the pool `pool`, a pool of kind `M`, whose reference this object holds.
/// The pool's memory stays valid while it has pages out, even after `page_pool_destroy()`.
pub struct PoolPage<M: Mapping = Mapped> {
    page: NonNull<bindings::page>,
    pool: NonNull<bindings::page_pool>,
    _mapping: PhantomData<M>,
}

// SAFETY: a pool page may be handed between threads; giving it back from any context is
// allowed (direct recycling needs `&mut PagePool`).
unsafe impl<M: Mapping> Send for PoolPage<M> {}
// SAFETY: `&self` only reads the page's DMA address, which does not change while it is out, syncs
// the device's writes for the CPU, or prefetches: none of them changes the page's state.
unsafe impl<M: Mapping> Sync for PoolPage<M> {}

impl PoolPage<Mapped> {
    /// Returns the page's DMA address; the device writes at [`rx_headroom()`] after it.
    #[inline]
    pub fn dma_address(&self) -> DmaAddress {
        // SAFETY: the page belongs to a pool created with `PP_FLAG_DMA_MAP` (type invariants),
        // which mapped it and keeps it mapped while it is out.
        unsafe { bindings::page_pool_get_dma_addr(self.page.as_ptr()) }
    }

    /// Starts fetching the frame the device wrote at [`rx_headroom()`] into the CPU's cache
    /// (`net_prefetch()`), so that it is there when the skb is built.
    #[inline]
    pub fn prefetch(&self) {
        // SAFETY: the page is a lowmem page whose reference this object holds (type invariant);
        // the headroom is within it. A prefetch reads nothing the program sees and never faults.
        unsafe {
            let va = bindings::lowmem_page_address(self.page.as_ptr());
            bindings::net_prefetch(va.cast::<u8>().add(rx_headroom() as usize).cast())
        }
    }

    /// Makes the `len` bytes the device wrote at [`rx_headroom()`] visible to the CPU
    /// (`page_pool_dma_sync_for_cpu()`).
    #[inline]
    pub fn sync_for_cpu(&self, len: u32) {
        // SAFETY: the page and its pool are valid (type invariants); the sync starts at the
        // pool's offset, within the page's mapping, and the DMA API clamps nothing for us, so
        // `len` is limited to what the device may write.
        unsafe {
            bindings::page_pool_dma_sync_for_cpu(
                self.pool.as_ptr(),
                self.page.as_ptr(),
                0,
                len.min(rx_max_len()),
            )
        }
    }

    /// Gives the page back into `pool`'s lockless cache (`page_pool_recycle_direct()`): from
    /// the pool's NAPI poll, which `_bh` and the pool borrowed mutably stand for. A page of
    /// another pool goes back the ordinary way.
    #[inline]
    pub fn recycle_direct(self, pool: &mut PagePool<Mapped>, _bh: &LocalBhDisabled) {
        if self.pool != pool.ptr {
            drop(self);
            return;
        }
        let this = ManuallyDrop::new(self);
        // SAFETY: the page is `pool`'s (checked), whose cache `&mut` makes ours to fill, with
        // bottom halves off; its reference is given back here and `this` is not dropped.
        unsafe { bindings::page_pool_recycle_direct(pool.ptr.as_ptr(), this.page.as_ptr()) }
    }

    /// Builds an skb around the page (`napi_build_skb()`) for a frame of `len` bytes the device
    /// wrote at [`rx_headroom()`], synced for the CPU: the head is the whole page, with
    /// `skb_shared_info` at its end. The skb is marked for recycling, so the page goes back to
    /// its pool when the stack frees it. From a NAPI poll (`_bh`), whose skb cache gives the
    /// head.
    ///
    /// On failure (no memory for an skb head, or `len` above [`rx_max_len()`]), the page comes
    /// back.
    #[inline]
    pub fn build_skb(self, len: u32, _bh: &LocalBhDisabled) -> Result<SkBuff, Self> {
        if len > rx_max_len() {
            return Err(self);
        }
        // SAFETY: the page is a lowmem page (page pools allocate without `__GFP_HIGHMEM`),
        // whose reference this object holds (type invariant); NAPI context (`_bh`).
        let skb = unsafe {
            let va = bindings::lowmem_page_address(self.page.as_ptr());
            bindings::napi_build_skb(va, PAGE_SIZE)
        };
        if skb.is_null() {
            return Err(self);
        }
        // The skb holds the page's reference from here on.
        let _ = ManuallyDrop::new(self);
        // SAFETY: `skb` is a new skb around the page, ours. `rx_headroom() + len` fits before
        // `skb_shared_info` (checked above), so reserve and put stay within the head. Marking it
        // for recycling sends the page back to its pool when the skb is freed.
        unsafe {
            bindings::skb_reserve(skb, rx_headroom() as i32);
            bindings::__skb_put(skb, len);
            bindings::skb_mark_for_recycle(skb);
            Ok(SkBuff::from_raw(skb))
        }
    }
}

impl PoolPage<Unmapped> {
    /// Gives the page back into `pool`'s lockless cache (`page_pool_recycle_direct()`). An
    /// unmapped pool has no NAPI context, so the C side never recycles into its cache: the pool
    /// borrowed mutably is the one user of it, in any context but a hard interrupt. A page of
    /// another pool goes back the ordinary way.
    #[inline]
    pub fn recycle_direct(self, pool: &mut PagePool<Unmapped>) {
        if self.pool != pool.ptr {
            drop(self);
            return;
        }
        let this = ManuallyDrop::new(self);
        // SAFETY: the page is `pool`'s (checked), whose cache `&mut` makes ours to fill: the
        // pool has no NAPI context (type invariant), so the C side recycles nothing into it
        // directly. The page's reference is given back here and `this` is not dropped.
        unsafe { bindings::page_pool_recycle_direct(pool.ptr.as_ptr(), this.page.as_ptr()) }
    }
}

impl<M: Mapping> PoolPage<M> {
    /// Gives the page back to the page allocator instead of its pool, as if someone else still
    /// held it (`get_page()`, `page_pool_put_full_page()`, `put_page()`): the pool lets go of
    /// a page it cannot recycle. This is page_pool's slow path, which its benchmark measures.
    #[inline]
    pub fn release(self) {
        let this = ManuallyDrop::new(self);
        let page = this.page.as_ptr();
        // With a second page reference taken, `page_pool_put_full_page()` drops our pool
        // reference, finds the page not recyclable (its reference count is 2) and lets it go
        // (`page_pool_return_netmem()`: unmapped if the pool maps, no longer the pool's, the
        // pool's page reference put). Ours, put last, frees it to the page allocator; nothing
        // touches the pool after it let go of the page.
        // SAFETY: the page and its pool are valid and the page's pool reference is ours (type
        // invariants), given up here as described above; `this` is not dropped.
        unsafe {
            bindings::get_page(page);
            bindings::page_pool_put_full_page(this.pool.as_ptr(), page, false);
            bindings::put_page(page);
        }
    }
}

impl<M: Mapping> Drop for PoolPage<M> {
    fn drop(&mut self) {
        // SAFETY: the page's reference is ours (type invariant) and given back here; the pool's
        // memory is valid while it has pages out. Not direct: the context is unknown.
        unsafe { bindings::page_pool_put_full_page(self.pool.as_ptr(), self.page.as_ptr(), false) }
    }
}
