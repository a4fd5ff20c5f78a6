// SPDX-License-Identifier: GPL-2.0

//! Network namespaces (`struct net`) and per-namespace data (`struct pernet_operations`).
//!
//! C headers: [`include/net/net_namespace.h`](srctree/include/net/net_namespace.h),
//! [`include/net/netns/generic.h`](srctree/include/net/netns/generic.h).
//!
//! A module that keeps state per namespace implements [`PernetData`], with a static
//! [`PernetId`], and holds a [`PernetRegistration`]: the namespace core then makes a `T` in
//! place for every namespace, those that exist at registration and every new one
//! ([`PernetData::init`]), and drops it when the namespace is dismantled or the registration
//! dropped. [`PernetRegistration::get`] finds a namespace's data from a [`Net`], which only a
//! live namespace yields.
//!
//! The namespace's netfilter hooks live beside its data, in slots that the registration owns
//! ([`PernetRegistration::set_hook`]): a hook registered in a namespace must be unregistered
//! before the namespace's other per-namespace data is freed (unregistering reads it), so no
//! hook registration is handed out, and the namespace's exit unregisters what is left.

use crate::{
    bindings,
    error::{from_result, to_result},
    net::netfilter::{self, Family, Hook, HookPoint},
    new_mutex,
    prelude::*,
    sync::{
        atomic::{Atomic, Full, Release},
        Mutex,
    },
    types::Opaque,
};
use core::{marker::PhantomData, ptr};

/// A network namespace (`struct net`).
///
/// # Invariants
///
/// A `&Net` is to a namespace that is alive for the reference's life: someone holds a counted
/// reference to it (the requesting user socket, for a netlink request), so the core has
/// finished setting it up (every pernet `init` ran) and will not begin to dismantle it
/// meanwhile.
#[repr(transparent)]
pub struct Net(Opaque<bindings::net>);

// SAFETY: a namespace is reference-counted and may be used from any thread.
unsafe impl Send for Net {}
// SAFETY: `&Net` gives only read access to fields fixed at creation, and calls that take the
// core's own locks.
unsafe impl Sync for Net {}

impl Net {
    /// Returns the namespace of `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` is a namespace that stays alive (see the type's invariants) for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::net) -> &'a Self {
        // SAFETY: `Net` is a transparent wrapper of `struct net`; the caller guarantees the rest.
        // INVARIANT: the caller guarantees that the namespace is alive for `'a`.
        unsafe { &*ptr.cast() }
    }

    /// Returns the raw namespace.
    pub fn as_raw(&self) -> *mut bindings::net {
        self.0.get()
    }

    /// Returns `true` if a network device with index `ifindex` exists in the namespace now
    /// (`dev_get_by_index_rcu()`).
    pub fn has_device(&self, ifindex: u32) -> bool {
        let Ok(ifindex) = c_int::try_from(ifindex) else {
            return false;
        };
        let _rcu = crate::sync::rcu::read_lock();
        // SAFETY: the namespace is alive (type invariant) and the RCU read lock is held, as the
        // lookup requires; the device pointer is only compared with null.
        !unsafe { bindings::dev_get_by_index_rcu(self.as_raw(), ifindex) }.is_null()
    }
}

/// The slot number of a module's per-namespace data (`pernet_operations::id`), which the core
/// assigns at registration. A module declares one as a `static` per [`PernetData`] type, as C
/// declares its `unsigned int foo_net_id`.
pub struct PernetId {
    id: Opaque<c_uint>,
    claimed: Atomic<bool>,
}

// SAFETY: the core writes `id` once, at registration, before any reader (the callbacks and
// `get` run only after `register_pernet_subsys()` assigned it); `claimed` is atomic.
unsafe impl Sync for PernetId {}

impl PernetId {
    /// Makes an unassigned slot number.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        Self {
            id: Opaque::new(0),
            claimed: Atomic::new(false),
        }
    }

    fn get(&self) -> c_uint {
        // SAFETY: read only once a registration assigned it (see the `Sync` impl), and never
        // written again while the registration lives.
        unsafe { *self.id.get() }
    }
}

/// The most netfilter hooks one [`PernetRegistration`] keeps per namespace.
pub const MAX_HOOKS: usize = 8;

/// Data a module keeps per network namespace.
pub trait PernetData: Send + Sync + Sized + 'static {
    /// The netfilter hook the namespace's hooks run ([`PernetRegistration::set_hook`]).
    type Hook: Hook;

    /// The slot number of this type's data; one registration at a time may use it.
    const ID: &'static PernetId;

    /// Makes the data of a namespace being set up. An error fails the namespace's creation (or,
    /// for the namespaces that exist at registration, the registration).
    fn init() -> impl PinInit<Self, Error>;

    /// Called when the namespace begins to be dismantled, before an RCU grace period that
    /// precedes the data's drop (`pernet_operations::pre_exit`): the place to stop what may
    /// still reach the data from RCU readers, without waiting for them.
    fn pre_exit(&self) {}
}

/// A namespace's hook slots.
type HookSlots<T> =
    [Option<Pin<KBox<netfilter::Registration<<T as PernetData>::Hook>>>>; MAX_HOOKS];

/// What the core keeps for [`PernetRegistration<T>`] in each namespace: the data and the
/// namespace's hooks.
#[pin_data]
struct Slot<T: PernetData> {
    #[pin]
    data: T,
    #[pin]
    hooks: Mutex<HookSlots<T>>,
}

/// The hooks of a namespace, locked ([`PernetRegistration::hooks`]).
///
/// # Invariants
///
/// `net` is the namespace whose slot `hooks` is in, alive for `'a`.
pub struct NetHooks<'a, T: PernetData> {
    net: &'a Net,
    hooks: crate::sync::MutexGuard<'a, HookSlots<T>>,
}

impl<T: PernetData> NetHooks<'_, T> {
    /// Registers `hook` in the namespace as hook `i` (of [`MAX_HOOKS`]), for `family` at
    /// `point` and `priority` (lower runs first); a hook already there is unregistered first.
    /// Packets run it as soon as this returns. Sleeps.
    pub fn set(
        &mut self,
        i: usize,
        family: Family,
        point: HookPoint,
        priority: i32,
        hook: T::Hook,
    ) -> Result {
        let slot = self.hooks.get_mut(i).ok_or(EINVAL)?;
        *slot = None;
        // The registration is kept in the namespace's slot, which the namespace's exit (or the
        // pernet registration's) drops, before the namespace's per-namespace data goes.
        // SAFETY: `net` is alive (type invariant), and the registration dropped in time (above).
        let reg = unsafe { netfilter::Registration::new(self.net, family, point, priority, hook) };
        *slot = Some(reg?);
        Ok(())
    }

    /// Unregisters hook `i`, if there is one, and waits until no packet runs it. Sleeps.
    pub fn clear(&mut self, i: usize) {
        if let Some(slot) = self.hooks.get_mut(i) {
            *slot = None;
        }
    }

    /// Unregisters every hook, and waits until no packet runs them. Sleeps.
    pub fn clear_all(&mut self) {
        for slot in self.hooks.iter_mut() {
            *slot = None;
        }
    }

    /// Returns hook `i`'s data, if it is registered.
    pub fn get(&self, i: usize) -> Option<&T::Hook> {
        self.hooks.get(i)?.as_ref().map(|r| r.data())
    }
}

/// A registration of per-namespace data `T` (`register_pernet_subsys()`); unregistered when
/// dropped, which drops every namespace's `T`.
///
/// # Invariants
///
/// `ops` is registered with the namespace core while the object lives, with `T::ID` as its
/// slot number, which no other registration uses meanwhile; every live namespace's slot
/// `T::ID` holds an initialised `Slot<T>`.
#[pin_data(PinnedDrop)]
pub struct PernetRegistration<T: PernetData> {
    #[pin]
    ops: Opaque<bindings::pernet_operations>,
    _t: PhantomData<T>,
}

// SAFETY: the registration holds the ops table, which the core reads from any thread; `T` is
// `Send + Sync`.
unsafe impl<T: PernetData> Send for PernetRegistration<T> {}
// SAFETY: as above; `&PernetRegistration` gives only `&T`, and `T` is `Sync`.
unsafe impl<T: PernetData> Sync for PernetRegistration<T> {}

impl<T: PernetData> PernetRegistration<T> {
    /// Registers `T` with the namespace core, which makes a `T` for every namespace. Fails with
    /// `EBUSY` if a registration of `T` exists.
    pub fn new() -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            _t: PhantomData,
            ops <- Opaque::try_ffi_init(|ops: *mut bindings::pernet_operations| {
                if T::ID.claimed.xchg(true, Full) {
                    return Err(EBUSY);
                }
                // The core allocates each namespace's slot with `kzalloc(size)`: aligned enough
                // only up to the allocator's minimum; and a slot of size 0 is refused.
                build_assert!(
                    core::mem::align_of::<Slot<T>>() <= bindings::ARCH_KMALLOC_MINALIGN,
                    "per-namespace data cannot be aligned beyond ARCH_KMALLOC_MINALIGN"
                );
                build_assert!(core::mem::size_of::<Slot<T>>() > 0);
                // SAFETY: `ops` is valid for writes (`try_ffi_init`); a zeroed
                // `pernet_operations` is valid, with every callback absent.
                unsafe {
                    ops.write(bindings::pernet_operations {
                        init: Some(init_callback::<T>),
                        pre_exit: Some(pre_exit_callback::<T>),
                        exit: Some(exit_callback::<T>),
                        id: T::ID.id.get(),
                        size: core::mem::size_of::<Slot<T>>(),
                        ..pin_init::zeroed()
                    })
                };
                // SAFETY: `ops` is initialised, and pinned in `self` for as long as it is
                // registered: `drop` unregisters it first. `T::ID` is static and now ours.
                let ret = to_result(unsafe { bindings::register_pernet_subsys(ops) });
                if ret.is_err() {
                    T::ID.claimed.store(false, Release);
                }
                ret
            }),
        })
    }

    fn slot<'a>(&'a self, net: &'a Net) -> &'a Slot<T> {
        // The ops are registered (type invariant), so `T::ID` is this data's slot, of a
        // size above 0, so allocated for every namespace. `net` is alive (`Net`'s invariant),
        // so every pernet `init` ran for it, and its dismantling, which would run `exit`, does
        // not begin while the reference lives; nor does unregistration, which would run `exit`
        // too, while `self` is borrowed. So the slot holds an initialised `Slot<T>` (type
        // invariant), which is only dropped in `exit` and never moved.
        // SAFETY: the slot holds an initialised `Slot<T>` for as long as `'a` (above).
        unsafe { &*bindings::net_generic(net.as_raw(), T::ID.get()).cast::<Slot<T>>() }
    }

    /// Returns `net`'s data.
    pub fn get<'a>(&'a self, net: &'a Net) -> &'a T {
        &self.slot(net).data
    }

    /// Locks `net`'s hooks, to register, unregister or read them.
    pub fn hooks<'a>(&'a self, net: &'a Net) -> NetHooks<'a, T> {
        // INVARIANT: the hooks are those of `net`'s slot, and `net` is alive for `'a`.
        NetHooks {
            net,
            hooks: self.slot(net).hooks.lock(),
        }
    }
}

#[pinned_drop]
impl<T: PernetData> PinnedDrop for PernetRegistration<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: the ops are registered (type invariant); unregistering calls `exit` for every
        // namespace, which drops its `T`.
        unsafe { bindings::unregister_pernet_subsys(self.ops.get()) };
        T::ID.claimed.store(false, Release);
    }
}

/// Returns `net`'s slot of `T`.
///
/// # Safety
///
/// Called from a callback of `T`'s registered ops, with the namespace it is called for.
unsafe fn slot<T: PernetData>(net: *mut bindings::net) -> *mut Slot<T> {
    // SAFETY: the caller passes a namespace the core is setting up or dismantling for the ops
    // registered with `T::ID`, which the core assigned and allocated a slot of
    // `size_of::<T>()` bytes for.
    unsafe { bindings::net_generic(net, T::ID.get()).cast() }
}

/// # Safety
///
/// Called by the core as `pernet_operations::init` of `T`'s registration, once per namespace.
unsafe extern "C" fn init_callback<T: PernetData>(net: *mut bindings::net) -> c_int {
    from_result(|| {
        // SAFETY: the core calls init with the namespace it sets up.
        let p = unsafe { slot::<T>(net) };
        let init = try_pin_init!(Slot::<T> {
            data <- T::init(),
            hooks <- new_mutex!([const { None }; MAX_HOOKS]),
        }? Error);
        // SAFETY: the slot is `size_of::<Slot<T>>()` zeroed bytes, suitably aligned (checked
        // at registration), that nothing else uses; if init fails, the core frees it without
        // calling `exit`.
        unsafe { pin_init::raw_try_init(p, init)? };
        Ok(0)
    })
}

/// # Safety
///
/// Called by the core as `pernet_operations::pre_exit` of `T`'s registration.
unsafe extern "C" fn pre_exit_callback<T: PernetData>(net: *mut bindings::net) {
    // SAFETY: init succeeded for this namespace (or the core would not call pre_exit), so the
    // slot holds a `T`, which is dropped only in `exit`, later.
    unsafe { (*slot::<T>(net)).data.pre_exit() };
}

/// # Safety
///
/// Called by the core as `pernet_operations::exit` of `T`'s registration.
unsafe extern "C" fn exit_callback<T: PernetData>(net: *mut bindings::net) {
    // Either the namespace is being dismantled, so no `Net` of it is alive, or the ops are
    // being unregistered, from the registration's drop, so nothing borrows the registration.
    // Dropping the slot unregisters the namespace's hooks, before any other per-namespace data
    // of the namespace is freed (the core runs every exit before it frees any slot).
    // SAFETY: init succeeded, so the slot holds a `Slot<T>`; nothing borrows it; last use.
    unsafe { ptr::drop_in_place(slot::<T>(net)) };
}
