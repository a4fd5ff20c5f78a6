// SPDX-License-Identifier: GPL-2.0

//! Netfilter hooks (`struct nf_hook_ops`).
//!
//! C header: [`include/linux/netfilter.h`](srctree/include/linux/netfilter.h).
//!
//! A module implements [`Hook`] for the data its hook function needs, and registers it in a
//! namespace while the hook should run, through its per-namespace data's hook slots
//! ([`crate::net::namespace::NetHooks`]): registering puts the hook on the namespace's list for
//! its family and hook point (`nf_register_net_hook()`); unregistering takes it off and waits
//! until no packet runs it any more. A hook point with no hook costs a packet nothing but a
//! test of an empty list, so a module that registers only while it has something to do costs
//! nothing otherwise.
//!
//! The hook function borrows the packet ([`Packet`]) and returns a [`Verdict`]; it cannot free,
//! queue or keep the packet. Its fate is the verdict: the core passes it on, or frees it as a
//! netfilter drop.

use crate::{
    alloc::{flags::GFP_KERNEL, KBox},
    bindings,
    error::to_result,
    net::namespace::Net,
    prelude::*,
    types::Opaque,
};
use core::ptr;

/// An address family that netfilter hooks (`NFPROTO_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Family {
    /// IPv4 (`NFPROTO_IPV4`).
    Ipv4 = bindings::NFPROTO_IPV4 as u8,
    /// IPv6 (`NFPROTO_IPV6`).
    Ipv6 = bindings::NFPROTO_IPV6 as u8,
}

/// A hook point of the IPv4 and IPv6 stacks (`enum nf_inet_hooks`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum HookPoint {
    /// Every packet received, before routing (`NF_INET_PRE_ROUTING`).
    PreRouting = bindings::nf_inet_hooks_NF_INET_PRE_ROUTING,
    /// Packets for this host (`NF_INET_LOCAL_IN`).
    LocalIn = bindings::nf_inet_hooks_NF_INET_LOCAL_IN,
    /// Packets routed through this host (`NF_INET_FORWARD`).
    Forward = bindings::nf_inet_hooks_NF_INET_FORWARD,
    /// Packets this host sends (`NF_INET_LOCAL_OUT`).
    LocalOut = bindings::nf_inet_hooks_NF_INET_LOCAL_OUT,
    /// Every packet sent, after routing (`NF_INET_POST_ROUTING`).
    PostRouting = bindings::nf_inet_hooks_NF_INET_POST_ROUTING,
}

/// What becomes of a packet a hook saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The packet goes on to the next hook and the stack (`NF_ACCEPT`).
    Accept,
    /// The core frees the packet, as a netfilter drop (`NF_DROP`,
    /// `SKB_DROP_REASON_NETFILTER_DROP`), and the stack sees it no more.
    Drop,
}

/// The packet a hook sees, borrowed for the hook call: its network header and what follows.
///
/// # Invariants
///
/// `skb` is a valid packet whose network header is set, which the caller of the hook owns for
/// `'a` and nothing modifies meanwhile.
pub struct Packet<'a> {
    skb: *const bindings::sk_buff,
    _p: core::marker::PhantomData<&'a bindings::sk_buff>,
}

impl<'a> Packet<'a> {
    /// Returns the packet's length from its network header on.
    #[inline]
    pub fn network_len(&self) -> u32 {
        // SAFETY: the packet is valid and its network header set (type invariant).
        let off = unsafe { bindings::skb_network_offset(self.skb) };
        // SAFETY: as above.
        let len = unsafe { (*self.skb).len };
        len.saturating_sub(u32::try_from(off).unwrap_or(0))
    }

    /// Returns the `N` bytes at `offset` from the network header: in place if they are in the
    /// packet's linear part, else copied into `buf` (`skb_header_pointer()`). `None` if the
    /// packet is shorter.
    pub fn network_bytes<'b, const N: usize>(
        &'b self,
        offset: u32,
        buf: &'b mut [u8; N],
    ) -> Option<&'b [u8; N]> {
        // SAFETY: the packet is valid and its network header set (type invariant).
        let base = unsafe { bindings::skb_network_offset(self.skb) };
        let at = c_int::try_from(offset).ok()?.checked_add(base)?;
        let len = c_int::try_from(N).ok()?;
        // SAFETY: the packet is valid for `'a` (type invariant) and `buf` for writes of `N`
        // bytes; the result is null, `buf`, or `N` bytes of the packet's linear data.
        let p = unsafe { bindings::skb_header_pointer(self.skb, at, len, buf.as_mut_ptr().cast()) };
        // SAFETY: non-null, `p` points to `N` readable bytes that live as long as the packet
        // (or `buf`), both borrowed for `'b`; `[u8; N]` has alignment 1.
        (!p.is_null()).then(|| unsafe { &*p.cast::<[u8; N]>() })
    }

    /// Returns an IPv6 packet's upper-layer protocol and the offset of its header from the
    /// network header, skipping extension headers (`ipv6_find_hdr()`); the offset is `None`
    /// for a fragment other than the first, which has no upper-layer header. `None` for a
    /// malformed packet.
    pub fn ipv6_upper_layer(&self) -> Option<(u8, Option<u32>)> {
        let mut offset: c_uint = 0;
        let mut fragoff: c_ushort = 0;
        // SAFETY: the packet is valid for `'a` (type invariant); the out-parameters are valid
        // for writes; no flags are asked for.
        let proto = unsafe {
            bindings::ipv6_find_hdr(self.skb, &mut offset, -1, &mut fragoff, ptr::null_mut())
        };
        let proto = u8::try_from(proto).ok()?;
        // SAFETY: as above.
        let base = unsafe { bindings::skb_network_offset(self.skb) };
        let rel = offset.checked_sub(c_uint::try_from(base).ok()?)?;
        Some((proto, (fragoff == 0).then_some(rel)))
    }
}

/// Where a hook runs for a packet (`struct nf_hook_state`).
///
/// # Invariants
///
/// `state` is valid for `'a`.
pub struct State<'a> {
    state: *const bindings::nf_hook_state,
    _p: core::marker::PhantomData<&'a bindings::nf_hook_state>,
}

impl State<'_> {
    /// Returns the input device's index, 0 if the packet has none (it is sent by this host).
    #[inline]
    pub fn in_ifindex(&self) -> u32 {
        // SAFETY: `state` is valid (type invariant); `in` is null or a device the packet's path
        // holds for the hook call.
        unsafe { ifindex((*self.state).in_) }
    }

    /// Returns the output device's index, 0 if routing has not chosen one.
    #[inline]
    pub fn out_ifindex(&self) -> u32 {
        // SAFETY: as in `in_ifindex`, for `out`.
        unsafe { ifindex((*self.state).out) }
    }
}

/// # Safety
///
/// `dev` is null or a valid device.
#[inline]
unsafe fn ifindex(dev: *const bindings::net_device) -> u32 {
    if dev.is_null() {
        return 0;
    }
    // SAFETY: `dev` is valid (the caller guarantees it); an index is positive.
    u32::try_from(unsafe { (*dev).ifindex }).unwrap_or(0)
}

/// A hook function and the data it runs with.
pub trait Hook: Send + Sync + 'static {
    /// Decides `pkt`'s fate. Runs in the packet's path: in softirq or process context, with
    /// the RCU read lock held, on any CPU at once.
    fn hook(&self, pkt: &Packet<'_>, state: &State<'_>) -> Verdict;
}

/// A hook registered in a namespace; unregistered when dropped, which sleeps.
///
/// # Invariants
///
/// `ops` is registered in `net`'s hooks for its family and hook point, with `data` as its
/// private data, while the object lives; the object is dropped before `net`'s per-namespace
/// data is freed.
#[pin_data(PinnedDrop)]
pub struct Registration<T: Hook> {
    #[pin]
    ops: Opaque<bindings::nf_hook_ops>,
    #[pin]
    data: T,
    net: *mut bindings::net,
}

// SAFETY: the registration holds `T`, which is `Send + Sync`, the ops table the core reads from
// any CPU, and a namespace pointer, which any thread may release.
unsafe impl<T: Hook> Send for Registration<T> {}
// SAFETY: `&Registration` gives only `&T`, which is `Sync`.
unsafe impl<T: Hook> Sync for Registration<T> {}

impl<T: Hook> Registration<T> {
    /// Registers `data`'s hook in `net` for `family` at `hook`, at `priority` among the hooks
    /// there (lower runs first; see `enum nf_ip_hook_priorities`). Packets run it as soon as
    /// this returns.
    ///
    /// # Safety
    ///
    /// The registration is dropped before `net`'s per-namespace data is freed: unregistering
    /// reads it (`nf_queue_nf_hook_drop()`). A pernet subsystem's exit for `net` is early
    /// enough.
    pub(crate) unsafe fn new(
        net: &Net,
        family: Family,
        hook: HookPoint,
        priority: i32,
        data: T,
    ) -> Result<Pin<KBox<Self>>> {
        let raw = net.as_raw();
        // INVARIANT: registered below; the caller guarantees the drop's timing.
        let reg = KBox::try_pin_init(
            try_pin_init!(&this in Self {
                data,
                net: raw,
                ops <- Opaque::try_ffi_init(|ops: *mut bindings::nf_hook_ops| {
                    // SAFETY: `this` is being initialised in place and `data` already is (field
                    // order of the initialiser); it is pinned, so the address stays.
                    let data = unsafe { ptr::addr_of!((*this.as_ptr()).data) };
                    // SAFETY: `ops` is valid for writes (`try_ffi_init`); a zeroed
                    // `nf_hook_ops` is valid, with no hook.
                    unsafe {
                        ops.write(bindings::nf_hook_ops {
                            hook: Some(hook_callback::<T>),
                            priv_: data.cast_mut().cast(),
                            pf: family as u8,
                            hooknum: hook as c_uint,
                            priority,
                            ..pin_init::zeroed()
                        })
                    };
                    // SAFETY: `net` is alive (`Net`'s invariant); `ops` and `data` are pinned in
                    // the registration, which unregisters them before they go (`drop`).
                    to_result(unsafe { bindings::nf_register_net_hook(raw, ops) })
                }),
            }),
            GFP_KERNEL,
        )?;
        Ok(reg)
    }

    /// Returns the hook's data.
    pub fn data(&self) -> &T {
        &self.data
    }
}

#[pinned_drop]
impl<T: Hook> PinnedDrop for Registration<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: `ops` is registered in `net`, whose per-namespace data, which unregistering
        // reads, is still there (type invariants). This takes the hook off the lists that new
        // packets read.
        unsafe { bindings::nf_unregister_net_hook(self.net, self.ops.get()) };
        // Packets that found the hook before may still run it, under the RCU read lock; and
        // the core's hook listing (nfnetlink_hook) may still read `ops`. Wait for them before
        // `ops` and `data` go (`synchronize_net()` is this, outside RTNL).
        crate::sync::rcu::synchronize_rcu();
    }
}

/// # Safety
///
/// Called by the core as the hook of a [`Registration<T>`]'s ops: `priv_` is its `data`, `skb`
/// a packet at the hook point with its network header set, `state` valid, for the call.
unsafe extern "C" fn hook_callback<T: Hook>(
    priv_: *mut c_void,
    skb: *mut bindings::sk_buff,
    state: *const bindings::nf_hook_state,
) -> c_uint {
    // SAFETY: `priv_` is the registration's `data`, which outlives every call (`drop` waits
    // for them).
    let data = unsafe { &*priv_.cast::<T>() };
    // INVARIANT: the core hands the hook a packet it owns for the call, network header set.
    let pkt = Packet {
        skb,
        _p: core::marker::PhantomData,
    };
    // INVARIANT: the state is valid for the call.
    let state = State {
        state,
        _p: core::marker::PhantomData,
    };
    match data.hook(&pkt, &state) {
        Verdict::Accept => bindings::NF_ACCEPT,
        Verdict::Drop => bindings::NF_DROP,
    }
}
