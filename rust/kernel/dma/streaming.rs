// SPDX-License-Identifier: GPL-2.0

//! Streaming DMA mappings: one buffer handed to a device for one transfer.
//!
//! C header: [`include/linux/dma-mapping.h`](srctree/include/linux/dma-mapping.h)
//!
//! Where [`Coherent`](super::Coherent) memory is shared with the device for as long as it exists,
//! a streaming mapping lends the device a buffer the CPU owns otherwise (`dma_map_single()`), and
//! takes it back when it is unmapped (`dma_unmap_single()`). [`Mapping`] is that loan: it holds
//! the buffer, so the buffer is not freed or reused while it is mapped, and gives it back only
//! through [`Mapping::unmap`]. The mapping does not know what the device is doing: its owner
//! stops the device's access (the transfer is complete, or the device reset) before unmapping.

use super::{DataDirection, DmaAddress};
use crate::{
    bindings, device,
    error::code::{EINVAL, ENOMEM},
    prelude::*,
};
use core::mem::ManuallyDrop;

/// A buffer that can be lent to a device: a range of kernel memory that stays where it is while
/// the value is owned.
///
/// # Safety
///
/// [`MapBuffer::dma_range`] must return memory that the value owns (does not borrow), that is
/// valid for reads and writes of its length, lies in the kernel's linear map (it is what
/// `dma_map_single()` takes, so not `vmalloc` memory), and stays valid and unmoved until the
/// value is dropped. Nothing but the device may write to it while a [`Mapping`] of it exists.
pub unsafe trait MapBuffer {
    /// Returns the start and length of the memory to map.
    fn dma_range(&self) -> (*mut u8, usize);
}

/// A buffer lent to a device by a streaming DMA mapping (`dma_map_single()`).
///
/// The mapping holds the buffer, so the buffer stays valid while the device may use it.
/// [`Mapping::unmap`] gives it back. Dropping a mapping unmaps it and then drops the buffer.
///
/// # Invariants
///
/// `addr` is the DMA address of a live `dma_map_single()` mapping of `buf`'s range, of `len`
/// bytes in direction `dir`, for the bound device `dev`.
pub struct Mapping<'a, B: MapBuffer> {
    dev: &'a device::Device<device::Bound>,
    buf: ManuallyDrop<B>,
    addr: DmaAddress,
    len: usize,
    dir: DataDirection,
}

impl<'a, B: MapBuffer> Mapping<'a, B> {
    /// Maps `buf` for `dev` in direction `dir` (`dma_map_single()`).
    ///
    /// A mapping failure (`dma_mapping_error()`) returns the buffer with [`ENOMEM`], so the
    /// caller decides its fate.
    pub fn new(
        dev: &'a device::Device<device::Bound>,
        buf: B,
        dir: DataDirection,
    ) -> Result<Self, (B, Error)> {
        if matches!(dir, DataDirection::None) {
            return Err((buf, EINVAL));
        }
        let (ptr, len) = buf.dma_range();
        let raw = dev.as_raw();
        // SAFETY: `dev` is bound; by `MapBuffer`'s requirements `ptr` is linear-map memory of
        // `len` bytes that stays put while `buf` lives, and the mapping ends before `buf` goes.
        let addr = unsafe { bindings::dma_map_single_attrs(raw, ptr.cast(), len, dir.into(), 0) };
        // SAFETY: `dev` is valid; `addr` is what the mapping call returned for it.
        if unsafe { bindings::dma_mapping_error(dev.as_raw(), addr) } != 0 {
            return Err((buf, ENOMEM));
        }
        // INVARIANT: `addr` is a live mapping of `buf`'s range, just made.
        Ok(Self {
            dev,
            buf: ManuallyDrop::new(buf),
            addr,
            len,
            dir,
        })
    }

    /// Returns the address the device uses for the buffer.
    #[inline]
    pub fn dma_address(&self) -> DmaAddress {
        self.addr
    }

    /// Returns the mapped length.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Returns `true` if the mapping is empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Makes the first `len` bytes the device wrote visible to the CPU
    /// (`dma_sync_single_for_cpu()`), without ending the mapping.
    #[inline]
    pub fn sync_for_cpu(&self, len: usize) {
        // SAFETY: by the type invariant, `addr` is a live mapping of `self.len` bytes for `dev`;
        // syncing a part of it from its start is allowed.
        unsafe {
            bindings::dma_sync_single_for_cpu(
                self.dev.as_raw(),
                self.addr,
                len.min(self.len),
                self.dir.into(),
            )
        }
    }

    /// Ends the mapping (`dma_unmap_single()`) and gives the buffer back.
    #[inline]
    pub fn unmap(self) -> B {
        let mut this = ManuallyDrop::new(self);
        this.unmap_raw();
        // SAFETY: `this` is never used or dropped again, so `buf` is moved out exactly once.
        unsafe { ManuallyDrop::take(&mut this.buf) }
    }

    fn unmap_raw(&mut self) {
        // SAFETY: by the type invariant, `addr` is a live mapping of `len` bytes in `dir` for
        // `dev`; both callers end it here and never use it again.
        unsafe {
            bindings::dma_unmap_single_attrs(
                self.dev.as_raw(),
                self.addr,
                self.len,
                self.dir.into(),
                0,
            )
        }
    }
}

impl<B: MapBuffer> Drop for Mapping<'_, B> {
    fn drop(&mut self) {
        self.unmap_raw();
        // SAFETY: `self` is being dropped, so `buf` is dropped exactly once, after the unmap.
        unsafe { ManuallyDrop::drop(&mut self.buf) }
    }
}
