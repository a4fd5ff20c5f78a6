// SPDX-License-Identifier: GPL-2.0

//! Slab caches of typed objects, allocated and freed one at a time or in bulk.
//!
//! A [`KmemCache<T>`] is a slab cache whose objects have the size and alignment of `T`. Objects
//! are handed out as [`CacheBox`]es, which free themselves when dropped. A [`Bulk`] holds up to
//! `N` objects, whose addresses it keeps in caller-provided [`BulkSlots`]; it is filled by one
//! `kmem_cache_alloc_bulk()` call and emptied by one `kmem_cache_free_bulk()` call: the MM-bulk
//! API that network drivers use to amortise the allocator's per-call cost over a NAPI poll.
//!
//! Every object borrows its cache, so a cache cannot be destroyed while an object from it is
//! alive, and holding an object costs no reference count.
//!
//! C header: [`include/linux/slab.h`](srctree/include/linux/slab.h)

use crate::{
    alloc::{AllocError, Flags},
    bindings,
    prelude::*,
};
use core::{
    marker::PhantomData,
    mem::{self, MaybeUninit},
    ops::{Deref, DerefMut},
    ptr::{self, NonNull},
};

/// A slab cache for objects of type `T`.
///
/// Dropping the cache destroys it, which may sleep. Every object borrows the cache, so none can
/// outlive it. An object leaked on purpose with [`mem::forget`] can no longer be reached once the
/// borrow ends; the C side then warns that the cache still has objects: a leak, not a
/// use-after-free.
///
/// # Invariants
///
/// `cache` points to a live `struct kmem_cache` for objects of at least `size_of::<T>()` bytes
/// aligned to at least `align_of::<T>()`, and owns one reference to it: the slab allocator may
/// merge caches of the same geometry into one C cache, which it then reference-counts. The
/// reference is released only by [`Drop`].
///
/// # Examples
///
/// ```
/// use kernel::kmem_cache::KmemCache;
///
/// struct Flow {
///     saddr: u32,
///     daddr: u32,
///     packets: u64,
/// }
///
/// let cache = KmemCache::<Flow>::new(c"doctest_flow")?;
/// let mut flow = cache.alloc(Flow { saddr: 1, daddr: 2, packets: 0 }, GFP_KERNEL)?;
/// flow.packets += 1;
/// assert_eq!((flow.saddr, flow.daddr, flow.packets), (1, 2, 1));
/// // Dropping `flow` returns the object to `cache`; dropping `cache` destroys it.
/// # Ok::<(), Error>(())
/// ```
///
/// Handling allocation failure (forced here with fault injection):
///
/// ```
/// # #[cfg(CONFIG_FAILSLAB)]
/// # {
/// use kernel::{alloc::AllocError, fault_inject::FailNth, kmem_cache::KmemCache};
/// use core::num::NonZeroU32;
///
/// let cache = KmemCache::<u64>::new(c"doctest_fail")?;
/// let fail = FailNth::new(NonZeroU32::MIN);
/// assert_eq!(cache.alloc(7, GFP_ATOMIC | __GFP_NOWARN).err(), Some(AllocError));
/// drop(fail);
/// assert_eq!(*cache.alloc(7, GFP_ATOMIC)?, 7);
/// # }
/// # Ok::<(), Error>(())
/// ```
pub struct KmemCache<T> {
    cache: NonNull<bindings::kmem_cache>,
    _p: PhantomData<T>,
}

// SAFETY: A `KmemCache<T>` owns no `T` and gives access to none: it only holds a pointer to a C
// cache, and the slab allocator may be called for any cache from any thread. Objects are owned
// by `CacheBox`es and `Bulk`s, which are `Send` only if `T` is.
unsafe impl<T> Send for KmemCache<T> {}

// SAFETY: `KmemCache<T>` has no interior state: `&KmemCache<T>` only allows allocating from the
// C cache, which the slab allocator makes safe to do from any thread, and owns no `T`.
unsafe impl<T> Sync for KmemCache<T> {}

impl<T> KmemCache<T> {
    /// Creates a slab cache named `name` for objects of type `T`.
    ///
    /// The name shows in `/proc/slabinfo` and `/sys/kernel/slab`. It must be `'static`: when the
    /// cache is merged with another before slab sysfs is up (built-in code, at boot), the slab
    /// allocator keeps the pointer until a late initcall. May sleep. A zero-sized `T` is a build
    /// error.
    ///
    /// Returns [`EINVAL`] if the size or alignment of `T` does not fit in a `u32`, and
    /// [`ENOMEM`] if the cache cannot be created, which includes a `T` larger than the slab
    /// allocator's largest object (it also warns).
    pub fn new(name: &'static CStr) -> Result<Self> {
        const { assert!(mem::size_of::<T>() != 0, "KmemCache of a zero-sized type") };
        let size = u32::try_from(mem::size_of::<T>()).map_err(|_| EINVAL)?;
        let align = u32::try_from(mem::align_of::<T>()).map_err(|_| EINVAL)?;
        let mut args = bindings::kmem_cache_args {
            align,
            ..pin_init::zeroed()
        };
        let name = name.as_char_ptr();
        // SAFETY: `name` is a valid NUL-terminated string forever, so the C side may keep it (it
        // does for a cache merged at boot); `args` is a valid `kmem_cache_args`, read only during
        // the call.
        let cache = unsafe { bindings::__kmem_cache_create_args(name, size, &mut args, 0) };
        // INVARIANT: a non-NULL return is a live cache for objects of `size` bytes aligned to
        // `align`, i.e. fit for `T`, with one reference owned by us (a merged cache had its
        // reference count raised).
        Ok(Self {
            cache: NonNull::new(cache).ok_or(ENOMEM)?,
            _p: PhantomData,
        })
    }

    /// Allocates one object from the cache and moves `value` into it.
    ///
    /// May sleep if `flags` allows it.
    #[inline]
    pub fn alloc(&self, value: T, flags: Flags) -> Result<CacheBox<'_, T>, AllocError> {
        // SAFETY: `self.cache` is a live cache by the type invariant.
        let obj = unsafe { bindings::kmem_cache_alloc(self.as_raw(), flags.as_raw()) };
        let obj = NonNull::new(obj.cast::<T>()).ok_or(AllocError)?;
        // SAFETY: `obj` is a fresh object of this cache, so it is valid for writes of a `T` and
        // suitably aligned (type invariant), and nothing else refers to it.
        unsafe { obj.write(value) };
        // INVARIANT: `obj` is an initialised `T` in an object of `self.cache`, owned by the new
        // box, and `self.cache` is the C cache of `self`, borrowed for the box's lifetime.
        Ok(CacheBox {
            obj,
            cache: self.cache,
            _owner: PhantomData,
        })
    }

    fn as_raw(&self) -> *mut bindings::kmem_cache {
        self.cache.as_ptr()
    }
}

impl<T> Drop for KmemCache<T> {
    fn drop(&mut self) {
        // SAFETY: `self.cache` is live and we own one reference (type invariant); it is not used
        // again. Objects borrow `self`, so any left were leaked and can no longer be reached.
        unsafe { bindings::kmem_cache_destroy(self.as_raw()) };
    }
}

/// An object of type `T` allocated from a [`KmemCache<T>`], freed back to it when dropped.
///
/// # Invariants
///
/// `cache` is the C cache of a [`KmemCache<T>`] borrowed for `'a`, and `obj` points to an
/// initialised `T` in an object of it, owned by this box.
pub struct CacheBox<'a, T> {
    obj: NonNull<T>,
    // The C cache itself rather than the `KmemCache`, so that freeing reads one pointer, not two.
    cache: NonNull<bindings::kmem_cache>,
    _owner: PhantomData<&'a KmemCache<T>>,
}

// SAFETY: A `CacheBox` owns its `T` like a `KBox` does, and the slab allocator may free the object
// from any thread, so it can move between threads when `T` can.
unsafe impl<T: Send> Send for CacheBox<'_, T> {}

// SAFETY: `&CacheBox` only gives out `&T`, so it can be shared when `T` can.
unsafe impl<T: Sync> Sync for CacheBox<'_, T> {}

impl<T> CacheBox<'_, T> {
    /// Releases ownership of the object without dropping it, returning its address.
    fn into_raw(self) -> NonNull<T> {
        let obj = self.obj;
        mem::forget(self);
        obj
    }
}

impl<T> Deref for CacheBox<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: `obj` is an initialised `T` owned by `self` (type invariant).
        unsafe { self.obj.as_ref() }
    }
}

impl<T> DerefMut for CacheBox<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: `obj` is an initialised `T` owned by `self` (type invariant), and `&mut self`
        // makes this the only reference to it.
        unsafe { self.obj.as_mut() }
    }
}

impl<T> Drop for CacheBox<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: `obj` is an initialised `T` owned by `self` (type invariant); it is not used
        // again.
        unsafe { ptr::drop_in_place(self.obj.as_ptr()) };
        // SAFETY: `obj` is an object of `cache`, which is live while `'a` lasts (type invariant
        // and `KmemCache` invariant); its `T` was just dropped.
        unsafe { bindings::kmem_cache_free(self.cache.as_ptr(), self.obj.as_ptr().cast()) };
    }
}

/// Room for the addresses of up to `N` objects, which a [`Bulk`] fills and empties.
///
/// The array of pointers that `kmem_cache_alloc_bulk()` writes and `kmem_cache_free_bulk()`
/// reads, and nothing else. It lives apart from the [`Bulk`] that uses it, like the C caller's
/// `void *objs[N]` lives apart from its count, so that only the array's address goes to C: the
/// compiler can then keep the `Bulk`'s cache and count in registers across the calls. It takes
/// `N` pointers of room wherever it lives: `BulkSlots<_, 128>` on the stack takes 1 KiB of it.
/// `N` is at most `i32::MAX`, as the C side counts objects in an `int`.
///
/// The slots hold no object of their own: a [`Bulk`] owns the objects whose addresses it put in
/// them, and frees them before it lets go of the slots.
pub struct BulkSlots<T, const N: usize>([MaybeUninit<NonNull<T>>; N]);

impl<T, const N: usize> BulkSlots<T, N> {
    /// Creates room for `N` object addresses.
    #[inline]
    pub const fn new() -> Self {
        const {
            assert!(
                N <= i32::MAX as usize,
                "BulkSlots larger than the C bulk API counts"
            )
        };
        Self([const { MaybeUninit::uninit() }; N])
    }
}

impl<T, const N: usize> Default for BulkSlots<T, N> {
    #[inline]
    fn default() -> Self {
        Self::new()
    }
}

/// Up to `N` objects of one [`KmemCache<T>`], allocated and freed in bulk, whose addresses are
/// kept in borrowed [`BulkSlots<T, N>`].
///
/// [`Bulk::alloc_bulk`] fills it with one call into the slab allocator and [`Bulk::free_bulk`]
/// (or dropping it) empties it with one call; [`Bulk::push`] and [`Bulk::pop`] move single
/// objects in and out, so objects allocated one at a time can be freed in bulk and the other
/// way round. `'a` is the borrow of the cache, which the objects keep; `'s` is the borrow of the
/// slots.
///
/// # Context
///
/// [`Bulk::alloc_bulk`], [`Bulk::free_bulk`] and dropping a non-empty [`Bulk`] must happen with
/// interrupts enabled, as `kmem_cache_alloc_bulk()` and `kmem_cache_free_bulk()` require: in
/// process context, or in softirq context such as a NAPI poll, but not in hard interrupt context
/// or under a lock that disables interrupts. Like the rule against sleeping in atomic context,
/// this is a rule of the calling context, not of memory safety, and the type system does not
/// check it: in Linux 7.3 neither C function enables interrupts, whatever older comments say.
/// With `CONFIG_PROVE_LOCKING`, a call with interrupts disabled warns.
///
/// # Invariants
///
/// `cache` is the C cache of a [`KmemCache<T>`] borrowed for `'a`. `objs` has at most
/// `i32::MAX` slots; its first `len` slots are initialised and point to initialised `T`s in
/// distinct objects of `cache`, owned by this `Bulk`.
///
/// # Examples
///
/// ```
/// use kernel::kmem_cache::{Bulk, BulkSlots, KmemCache};
///
/// let cache = KmemCache::<[u64; 4]>::new(c"doctest_bulk")?;
/// let mut slots = BulkSlots::<_, 16>::new();
/// let mut bulk = Bulk::new(&cache, &mut slots);
/// assert_eq!(bulk.alloc_bulk(12, GFP_KERNEL, || [1; 4])?, 12);
/// assert_eq!(bulk.len(), 12);
///
/// // Mixed use: a bulk-allocated object leaves as a single box, and single boxes join the bulk.
/// let mut one = bulk.pop().ok_or(EINVAL)?;
/// one[0] = 2;
/// for _ in 0..4 {
///     let single = cache.alloc([3; 4], GFP_KERNEL)?;
///     assert!(bulk.push(single).is_ok());
/// }
/// assert!(bulk.push(one).is_ok());
/// assert_eq!(bulk.len(), 16);
/// assert_eq!(bulk.iter().map(|o| o[0]).sum::<u64>(), 11 + 2 + 4 * 3);
///
/// // Full: the box comes back instead of being lost.
/// let extra = cache.alloc([4; 4], GFP_KERNEL)?;
/// assert!(bulk.push(extra).is_err());
/// // Asking for nothing, or for more than fits, is a caller error.
/// assert_eq!(bulk.alloc_bulk(1, GFP_KERNEL, || [0; 4]), Err(EINVAL));
///
/// bulk.free_bulk();
/// assert!(bulk.is_empty());
/// assert_eq!(bulk.alloc_bulk(0, GFP_KERNEL, || [0; 4]), Err(EINVAL));
/// # Ok::<(), Error>(())
/// ```
///
/// A popped box keeps the cache's borrow, not the slots': it may outlive the `Bulk` and its
/// slots.
///
/// ```
/// use kernel::kmem_cache::{Bulk, BulkSlots, CacheBox, KmemCache};
///
/// fn take_one<'a>(cache: &'a KmemCache<u32>) -> Result<CacheBox<'a, u32>> {
///     let mut slots = BulkSlots::<_, 4>::new();
///     let mut bulk = Bulk::new(cache, &mut slots);
///     bulk.alloc_bulk(4, GFP_KERNEL, || 7)?;
///     // The other three are freed in bulk when `bulk` is dropped.
///     bulk.pop().ok_or(ENOMEM)
/// }
///
/// let cache = KmemCache::<u32>::new(c"doctest_bulk_pop")?;
/// assert_eq!(*take_one(&cache)?, 7);
/// # Ok::<(), Error>(())
/// ```
///
/// A failed bulk allocation allocates nothing and leaves the storage as it was:
///
/// ```
/// # #[cfg(CONFIG_FAILSLAB)]
/// # {
/// use kernel::{fault_inject::FailNth, kmem_cache::{Bulk, BulkSlots, KmemCache}};
/// use core::num::NonZeroU32;
///
/// let cache = KmemCache::<u32>::new(c"doctest_bulk_fail")?;
/// let mut slots = BulkSlots::<_, 64>::new();
/// let mut bulk = Bulk::new(&cache, &mut slots);
/// bulk.alloc_bulk(8, GFP_ATOMIC, || 8)?;
/// let fail = FailNth::new(NonZeroU32::MIN);
/// assert_eq!(bulk.alloc_bulk(32, GFP_ATOMIC | __GFP_NOWARN, || 32), Err(ENOMEM));
/// drop(fail);
/// assert_eq!(bulk.len(), 8);
/// assert!(bulk.iter().all(|&v| v == 8));
/// # }
/// # Ok::<(), Error>(())
/// ```
pub struct Bulk<'a, 's, T> {
    // As in `CacheBox`: the C cache, read with one load per call.
    cache: NonNull<bindings::kmem_cache>,
    _owner: PhantomData<&'a KmemCache<T>>,
    len: usize,
    objs: &'s mut [MaybeUninit<NonNull<T>>],
}

// SAFETY: A `Bulk` owns its `T`s like a `KVec<T>` does, and the slab allocator may free them from
// any thread; the slots it borrows hold only their addresses.
unsafe impl<T: Send> Send for Bulk<'_, '_, T> {}

// SAFETY: `&Bulk` only gives out `&T`s.
unsafe impl<T: Sync> Sync for Bulk<'_, '_, T> {}

/// Warns, with `CONFIG_PROVE_LOCKING`, if the C bulk functions are called with interrupts
/// disabled (see the `# Context` section of [`Bulk`]).
///
/// Without it the C assertion is empty; skip even the helper call, which costs a call on the hot
/// path wherever `CONFIG_RUST_INLINE_HELPERS` cannot inline it.
#[inline(always)]
fn assert_bulk_context() {
    #[cfg(CONFIG_PROVE_LOCKING)]
    // SAFETY: It's always safe to call `lockdep_assert_irqs_enabled()`.
    unsafe {
        bindings::lockdep_assert_irqs_enabled()
    };
}

impl<'a, 's, T> Bulk<'a, 's, T> {
    /// Creates an empty bulk of objects of `cache`, whose addresses go into `slots`.
    #[inline]
    pub fn new<const N: usize>(cache: &'a KmemCache<T>, slots: &'s mut BulkSlots<T, N>) -> Self {
        // INVARIANT: `cache.cache` is the C cache of `cache`, borrowed for `'a`; `len` is 0, and
        // `N <= i32::MAX` was checked at build time by `BulkSlots::new()`.
        Self {
            cache: cache.cache,
            _owner: PhantomData,
            len: 0,
            objs: &mut slots.0,
        }
    }

    /// Returns how many objects the bulk holds.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Returns `true` if the bulk holds no object.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Allocates `count` objects with one `kmem_cache_alloc_bulk()` call and initialises each
    /// with `init()`.
    ///
    /// Returns how many objects were added: the slab allocator gives all of them or none, so
    /// this is `count` on success. Returns [`EINVAL`] if `count` is zero or more than the free
    /// slots, and [`ENOMEM`] if the allocation fails, in which case nothing was added.
    ///
    /// May sleep if `flags` allows it.
    #[inline]
    pub fn alloc_bulk(
        &mut self,
        count: usize,
        flags: Flags,
        mut init: impl FnMut() -> T,
    ) -> Result<usize> {
        let len = self.len;
        let slots = match self
            .objs
            .get_mut(len..)
            .and_then(|free| free.get_mut(..count))
        {
            Some(slots) if count > 0 => slots,
            _ => return Err(EINVAL),
        };
        assert_bulk_context();
        // The C function writes all `count` slots or, on failure, frees what it got. `count` is
        // neither zero nor above the number of slots, which is at most `i32::MAX`.
        // SAFETY: `cache` is live for `'a` (type invariant); `slots` is valid for writes of
        // `count` pointers (`MaybeUninit<NonNull<T>>` has the layout of `void *`).
        let ok = unsafe {
            bindings::kmem_cache_alloc_bulk(
                self.cache.as_ptr(),
                flags.as_raw(),
                count,
                slots.as_mut_ptr().cast(),
            )
        };
        if !ok {
            return Err(ENOMEM);
        }
        for slot in slots {
            // SAFETY: on success the C function wrote into every slot a non-NULL pointer to a
            // fresh object of the cache, valid for writes of a suitably aligned `T` (`KmemCache`
            // invariant), to which nothing else refers.
            unsafe { slot.assume_init().write(init()) };
        }
        // INVARIANT: the `count` slots after the old `len` now hold initialised `T`s in fresh,
        // hence distinct, objects of the cache, and `len + count` is within `objs` since the
        // slots were found there.
        self.len = len + count;
        Ok(count)
    }

    /// Drops every object and frees them all with one `kmem_cache_free_bulk()` call.
    #[inline]
    pub fn free_bulk(&mut self) {
        let len = self.len;
        if len == 0 {
            return;
        }
        // Forget the objects before dropping them, so that the type invariant holds trivially
        // while `T::drop` runs.
        self.len = 0;
        // SAFETY: `len <= self.objs.len()` by the type invariant.
        let objs = unsafe { self.objs.get_unchecked_mut(..len) };
        if mem::needs_drop::<T>() {
            for slot in objs.iter() {
                // SAFETY: the first `len` slots held initialised `T`s owned by `self` (type
                // invariant); each is dropped once and not used again.
                unsafe { ptr::drop_in_place(slot.assume_init().as_ptr()) };
            }
        }
        assert_bulk_context();
        // The C function reorders the array, so it must be valid for reads and writes: it is.
        // SAFETY: `cache` is live while `'a` lasts (type and `KmemCache` invariants); `0 < len <=
        // i32::MAX`; the first `len` slots hold distinct objects of it (type invariant), whose
        // `T`s were dropped above and which `self` no longer owns.
        unsafe {
            bindings::kmem_cache_free_bulk(self.cache.as_ptr(), len, objs.as_mut_ptr().cast())
        };
    }

    /// Moves a single object into the bulk, to be freed in bulk.
    ///
    /// Gives the object back if the slots are full or the object belongs to another cache.
    #[inline]
    pub fn push(&mut self, obj: CacheBox<'a, T>) -> Result<(), CacheBox<'a, T>> {
        // Compare the C caches: two `KmemCache`s share one when the slab allocator merges them,
        // and freeing into either is then correct.
        if obj.cache != self.cache {
            return Err(obj);
        }
        let Some(slot) = self.objs.get_mut(self.len) else {
            return Err(obj);
        };
        *slot = MaybeUninit::new(obj.into_raw());
        // INVARIANT: the slot at the old `len` holds an initialised `T` in an object of our C
        // cache (`obj.cache == self.cache`, checked above), distinct from the others since the
        // box owned it exclusively; the old `len` was a valid index. A merged C cache is
        // reference-counted, so it lives while either `KmemCache` does, for all of `'a`.
        self.len += 1;
        Ok(())
    }

    /// Moves the most recently added object out of the bulk as a single box.
    #[inline]
    pub fn pop(&mut self) -> Option<CacheBox<'a, T>> {
        self.len = self.len.checked_sub(1)?;
        // SAFETY: the slot at the new `len` was below the old `len`, so it is initialised
        // (type invariant).
        let obj = unsafe { self.objs.get_unchecked(self.len).assume_init() };
        // INVARIANT: `obj` is an initialised `T` in an object of `cache` that the bulk no
        // longer owns; ownership moves to the box, with the same cache and borrow.
        Some(CacheBox {
            obj,
            cache: self.cache,
            _owner: PhantomData,
        })
    }

    /// Returns an iterator over the objects.
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.objs[..self.len].iter().map(|slot| {
            // SAFETY: the first `len` slots hold initialised `T`s owned by `self` (type
            // invariant), which stay alive while `self` is borrowed.
            unsafe { slot.assume_init().as_ref() }
        })
    }
}

impl<T> Drop for Bulk<'_, '_, T> {
    #[inline]
    fn drop(&mut self) {
        self.free_bulk();
    }
}
