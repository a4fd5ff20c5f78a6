// SPDX-License-Identifier: GPL-2.0

//! Generic netlink families with commands (`struct genl_family`, `struct genl_ops`).
//!
//! C header: [`include/net/genetlink.h`](srctree/include/net/genetlink.h).
//!
//! A module implements [`Operations`] for a family: its name, its commands, one attribute
//! policy for all of them, and the `doit` and `dumpit` handlers, which get the module's
//! [`Operations::Data`]. It keeps a [`Registration`] of the family, which owns that data;
//! dropping the registration unregisters the family. A dump may go on after that, across
//! later reads of its socket, holding a reference to the module: the family's tables and data
//! are freed when the module is unloading (no dump can be left then), and kept otherwise.
//!
//! The core does the checks the family declares before a handler runs: the caller's
//! capability ([`Command::admin`]: `CAP_NET_ADMIN` in the user namespace of the network
//! namespace it asks about) and the attributes, strictly, against the policy. A handler
//! reports what it refuses with an [`ExtAck`] message.

use crate::{
    alloc::{flags::GFP_KERNEL, KBox},
    bindings,
    error::{from_result, to_result},
    net::{
        namespace::Net,
        nla::{Attr, ErasedPolicy, ExtAck},
    },
    prelude::*,
    str::CStr,
    types::Opaque,
};
use core::{marker::PhantomData, mem::ManuallyDrop, ptr};

/// The most commands a family has here.
const MAX_COMMANDS: usize = 16;

/// A command of a family.
#[derive(Clone, Copy, Debug)]
pub struct Command {
    /// The command number.
    pub cmd: u8,
    /// It has a `doit` handler ([`Operations::doit`]).
    pub doit: bool,
    /// It has a `dumpit` handler ([`Operations::dumpit`]).
    pub dumpit: bool,
    /// Only a caller with `CAP_NET_ADMIN` over the request's network namespace may run it
    /// (`GENL_UNS_ADMIN_PERM`); others get `EPERM`.
    pub admin: bool,
}

/// A generic netlink family.
pub trait Operations: Sized + 'static {
    /// The data the handlers share, owned by the [`Registration`].
    type Data: Send + Sync;

    /// The family's name, at most 15 bytes.
    const NAME: &'static CStr;

    /// The family's version.
    const VERSION: u32;

    /// The family's commands.
    const COMMANDS: &'static [Command];

    /// The policy of every command's attributes ([`crate::net::nla::Policy::erased`]).
    const POLICY: ErasedPolicy;

    /// Carries out command `cmd`. On success the core acknowledges the request, if asked to.
    fn doit(data: &Self::Data, cmd: u8, req: &mut Request<'_>) -> Result;

    /// Puts the next part of a dump of command `cmd` into `dump`; called until a call puts
    /// nothing.
    fn dumpit(data: &Self::Data, cmd: u8, dump: &mut Dump<'_>) -> Result;
}

/// A request to a family's `doit` handler (`struct genl_info`).
///
/// # Invariants
///
/// `info` is the request's information, valid for `'a`, with its attributes validated against
/// the family's policy of `maxattr` types.
pub struct Request<'a> {
    info: *mut bindings::genl_info,
    maxattr: usize,
    _p: PhantomData<&'a mut bindings::genl_info>,
}

impl<'a> Request<'a> {
    /// Returns the network namespace the request is about: the requesting socket's.
    pub fn net(&self) -> &'a Net {
        // `info`'s namespace is that of the family's kernel socket that received the request
        // (`genl_rcv()`), which is the requesting user socket's (the core looks the kernel
        // socket up by it); a user socket holds a counted reference to its namespace for its
        // life, which spans the request.
        // SAFETY: `info` is valid (type invariant), and its namespace alive (above).
        unsafe { Net::from_raw(bindings::genl_info_net(self.info)) }
    }

    /// Returns attribute `ty` of the request, if it has it.
    pub fn attr(&self, ty: u16) -> Option<Attr<'a>> {
        let ty = usize::from(ty);
        // SAFETY: `info` is valid (type invariant).
        let attrs = unsafe { (*self.info).attrs };
        if attrs.is_null() || ty > self.maxattr {
            return None;
        }
        // SAFETY: a non-null `attrs` has `maxattr + 1` entries, null or validated attributes
        // of the request's message, which lives for `'a` (type invariant).
        let attr = unsafe { *attrs.add(ty) };
        // SAFETY: as above.
        (!attr.is_null()).then(|| unsafe { Attr::from_raw(attr) })
    }

    /// Returns the request's error report.
    pub fn extack(&mut self) -> ExtAck<'_> {
        // SAFETY: `info` is valid (type invariant); its `extack` is the request's ack
        // structure, valid for the request, and borrowed mutably with `self`.
        unsafe { ExtAck::from_raw((*self.info).extack) }
    }

    /// Starts the reply to the request: one message of command `cmd`, of up to a page
    /// (`genlmsg_new()`, and `genlmsg_put()` addressed as `genlmsg_put_reply()` does). A handler
    /// that changes something makes its reply first, so that it cannot fail for want of memory
    /// after the change.
    pub fn reply(&self, cmd: u8) -> Result<Reply<'a>> {
        let (size, flags) = (bindings::GENLMSG_DEFAULT_SIZE, GFP_KERNEL.as_raw());
        // SAFETY: allocates a message buffer, or returns null; `GFP_KERNEL` may sleep, as a
        // `doit` handler may: it runs in the requesting task's `sendmsg()`.
        let skb = unsafe { bindings::genlmsg_new(size, flags) };
        if skb.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: `info` is valid (type invariant): its sender, sequence number and family (the
        // registered one) address the reply; `skb` is an empty buffer of ours.
        let hdr = unsafe {
            bindings::genlmsg_put(
                skb,
                (*self.info).snd_portid,
                (*self.info).snd_seq,
                (*self.info).family,
                0,
                cmd,
            )
        };
        if hdr.is_null() {
            // SAFETY: `skb` is ours, and not used after this.
            unsafe { bindings::nlmsg_free(skb) };
            return Err(EMSGSIZE);
        }
        // INVARIANT: `skb` is ours, with one open message whose header is `hdr`, addressed to
        // the sender of `info`, which is valid for `'a`.
        Ok(Reply {
            skb,
            hdr,
            info: self.info,
            _p: PhantomData,
        })
    }
}

/// The reply to a request, being put: sent by [`Reply::send`], freed if dropped unsent.
///
/// # Invariants
///
/// `skb` is a message buffer we own, holding one open generic netlink message whose header is
/// `hdr`, addressed to the sender of request `info`, which is valid for `'a`.
pub struct Reply<'a> {
    skb: *mut bindings::sk_buff,
    hdr: *mut c_void,
    info: *mut bindings::genl_info,
    _p: PhantomData<&'a bindings::genl_info>,
}

impl Reply<'_> {
    /// Returns the message, to put its attributes.
    pub fn message(&mut self) -> Message<'_> {
        // INVARIANT: `skb` holds an open message (type invariant), borrowed with `self`.
        Message {
            skb: self.skb,
            _p: PhantomData,
        }
    }

    /// Sends the reply to the request's sender (`genlmsg_reply()`); the acknowledgement, if the
    /// request asked for one, follows it.
    pub fn send(self) -> Result {
        let this = ManuallyDrop::new(self);
        // SAFETY: `hdr` begins the open message of `skb` (type invariant).
        unsafe { bindings::genlmsg_end(this.skb, this.hdr) };
        // SAFETY: `skb` is ours and holds a whole message, which goes to the core whatever the
        // result; `info` is the request's, valid (type invariant).
        to_result(unsafe { bindings::genlmsg_reply(this.skb, this.info) })
    }
}

impl Drop for Reply<'_> {
    fn drop(&mut self) {
        // SAFETY: `skb` is ours (type invariant), unsent (`send` does not drop), and not used
        // after this.
        unsafe { bindings::nlmsg_free(self.skb) };
    }
}

/// A dump in progress: the messages of one `dumpit` call, and a cursor kept between calls.
///
/// # Invariants
///
/// `skb` is the message buffer of the dump and `cb` its callback state, valid for `'a`, and
/// `family` the registered family that dumps.
pub struct Dump<'a> {
    skb: *mut bindings::sk_buff,
    cb: *mut bindings::netlink_callback,
    family: *const bindings::genl_family,
    _p: PhantomData<&'a mut bindings::sk_buff>,
}

impl<'a> Dump<'a> {
    /// Returns the dump's cursor: zero at its start, and what [`Dump::set_cursor`] left it at
    /// otherwise, to say where the next call goes on.
    pub fn cursor(&self) -> u64 {
        const {
            assert!(core::mem::size_of::<u64>() <= bindings::NETLINK_CTX_SIZE as usize);
        }
        // SAFETY: `cb` is valid (type invariant); its `ctx` is scratch space of the dump,
        // zeroed when it starts, at least as large as a `u64` (checked above); it is only long
        // aligned, hence the unaligned read.
        unsafe {
            ptr::addr_of!((*self.cb).__bindgen_anon_1.ctx)
                .cast::<u64>()
                .read_unaligned()
        }
    }

    /// Sets the dump's cursor.
    pub fn set_cursor(&mut self, at: u64) {
        // SAFETY: as in `cursor`; the dump's state is borrowed mutably with `self`.
        unsafe {
            ptr::addr_of_mut!((*self.cb).__bindgen_anon_1.ctx)
                .cast::<u64>()
                .write_unaligned(at)
        }
    }

    /// Tells the dump the generation of the data this call reads: a number the family changes
    /// whenever the data changes, and never 0. Set it with the data locked, before putting
    /// messages. The first message put under another generation than the one before it is
    /// flagged `NLM_F_DUMP_INTR` (or the end of the dump, if none is): the data changed between
    /// two parts of the dump, and the reader knows to dump again (`nl_dump_check_consistent()`).
    pub fn set_generation(&mut self, generation: u32) {
        // SAFETY: `cb` is valid (type invariant); the dump's state is borrowed mutably with
        // `self`.
        unsafe { (*self.cb).seq = generation };
    }

    /// Returns the network namespace the dump is about: the requesting socket's.
    pub fn net(&self) -> &'a Net {
        // The dump's `skb` is the request, received by the family's kernel socket of the
        // requesting user socket's namespace (the core looks it up by that); the user socket
        // holds a counted reference to its namespace, and the dump runs in its reads or its
        // release, so within its life.
        // SAFETY: `cb` is valid (type invariant), and the namespace alive (above).
        unsafe { Net::from_raw(bindings::sock_net((*(*self.cb).skb).sk)) }
    }

    /// Puts one message of command `cmd`, whose attributes `fill` puts. Returns `Ok(false)` if
    /// the message does not fit: it is taken back, and the next call of the dump should put it
    /// again. A message that does not fit in an empty buffer is an error.
    pub fn message(
        &mut self,
        cmd: u8,
        fill: impl FnOnce(&mut Message<'_>) -> Result,
    ) -> Result<bool> {
        // SAFETY: `cb` is valid (type invariant): its `skb` is the request, whose sender and
        // sequence number the reply carries.
        let (portid, seq) = unsafe {
            (
                bindings::netlink_cb_portid((*self.cb).skb),
                (*(*self.cb).nlh).nlmsg_seq,
            )
        };
        // SAFETY: `skb` is the dump's buffer and `family` the registered family (type
        // invariants).
        let hdr = unsafe {
            bindings::genlmsg_put(
                self.skb,
                portid,
                seq,
                self.family,
                bindings::NLM_F_MULTI as c_int,
                cmd,
            )
        };
        if hdr.is_null() {
            return self.full();
        }
        let mut msg = Message {
            skb: self.skb,
            _p: PhantomData,
        };
        match fill(&mut msg) {
            Ok(()) => {
                // Flagged only once it stays: a message taken back below is put again, under
                // the generation of its next call.
                // SAFETY: `cb` is the dump's state (type invariant) and `hdr` the header of the
                // message just put into its buffer.
                unsafe { bindings::genl_dump_check_consistent(self.cb, hdr) };
                // SAFETY: `hdr` begins the message just put into `skb`.
                unsafe { bindings::genlmsg_end(self.skb, hdr) };
                Ok(true)
            }
            Err(e) => {
                // SAFETY: as above: this takes the message back out.
                unsafe { bindings::genlmsg_cancel(self.skb, hdr) };
                if e == EMSGSIZE {
                    self.full()
                } else {
                    Err(e)
                }
            }
        }
    }

    fn full(&self) -> Result<bool> {
        // SAFETY: `skb` is valid (type invariant).
        if unsafe { (*self.skb).len } == 0 {
            Err(EMSGSIZE)
        } else {
            Ok(false)
        }
    }
}

/// A message being put into a [`Dump`] or a [`Reply`].
///
/// # Invariants
///
/// `skb` holds an open generic netlink message, borrowed for `'a`.
pub struct Message<'a> {
    skb: *mut bindings::sk_buff,
    _p: PhantomData<&'a mut bindings::sk_buff>,
}

impl Message<'_> {
    fn put(&mut self, ty: u16, bytes: &[u8]) -> Result {
        let len = c_int::try_from(bytes.len())?;
        // SAFETY: `skb` holds an open message (type invariant); `bytes` is valid for reads of
        // its length.
        to_result(unsafe {
            bindings::nla_put(self.skb, c_int::from(ty), len, bytes.as_ptr().cast())
        })
    }

    /// Puts attribute `ty` with a `u8` payload.
    pub fn put_u8(&mut self, ty: u16, value: u8) -> Result {
        self.put(ty, &[value])
    }

    /// Puts attribute `ty` with a host-order `u16` payload.
    pub fn put_u16(&mut self, ty: u16, value: u16) -> Result {
        self.put(ty, &value.to_ne_bytes())
    }

    /// Puts attribute `ty` with a host-order `u32` payload.
    pub fn put_u32(&mut self, ty: u16, value: u32) -> Result {
        self.put(ty, &value.to_ne_bytes())
    }

    /// Puts attribute `ty` with a host-order `u64` payload, aligned to eight bytes by a
    /// padding attribute `pad` where needed (`nla_put_u64_64bit()`).
    pub fn put_u64(&mut self, ty: u16, value: u64, pad: u16) -> Result {
        // SAFETY: `skb` holds an open message (type invariant).
        to_result(unsafe {
            bindings::nla_put_u64_64bit(self.skb, c_int::from(ty), value, c_int::from(pad))
        })
    }

    /// Puts attribute `ty` with `bytes` as its payload.
    pub fn put_bytes(&mut self, ty: u16, bytes: &[u8]) -> Result {
        self.put(ty, bytes)
    }
}

/// A family's tables and the data its handlers share, pinned where the core sees them.
#[pin_data]
struct Inner<T: Operations> {
    data: T::Data,
    #[pin]
    ops: Opaque<[bindings::genl_ops; MAX_COMMANDS]>,
    #[pin]
    family: Opaque<bindings::genl_family>,
}

// SAFETY: `Inner` holds `T::Data`, which is `Send + Sync`, and the family's tables, which the
// core reads from any thread and nothing writes after registration but the core itself, under
// its own locks.
unsafe impl<T: Operations> Send for Inner<T> {}
// SAFETY: as above; `&Inner` gives only `&T::Data`, which is `Sync`.
unsafe impl<T: Operations> Sync for Inner<T> {}

impl<T: Operations> Inner<T> {
    /// Returns the tables whose family is `family`.
    ///
    /// # Safety
    ///
    /// `family` is the family of an `Inner<T>` that lives for `'a`.
    unsafe fn from_family<'a>(family: *const bindings::genl_family) -> &'a Self {
        let family = family.cast::<Opaque<bindings::genl_family>>().cast_mut();
        // SAFETY: the caller guarantees that `family` is the `family` field of an `Inner<T>`,
        // which lives for `'a`.
        unsafe { &*crate::container_of!(family, Self, family) }
    }
}

/// A registered generic netlink family and the data its handlers share; unregistered when
/// dropped.
///
/// # Invariants
///
/// `inner.family` is registered with the generic netlink core while the object lives, with
/// `inner.ops` as its operations and `T`'s callbacks in them, on behalf of `module`.
pub struct Registration<T: Operations> {
    inner: ManuallyDrop<Pin<KBox<Inner<T>>>>,
    module: &'static ThisModule,
}

impl<T: Operations> Registration<T> {
    /// Registers family `T`, whose handlers share `data` (`genl_register_family()`), on
    /// behalf of `module`.
    pub fn new(module: &'static ThisModule, data: T::Data) -> Result<Self> {
        let name = T::NAME.to_bytes_with_nul();
        if name.len() > bindings::GENL_NAMSIZ as usize || T::COMMANDS.len() > MAX_COMMANDS {
            return Err(EINVAL);
        }
        let policy = T::POLICY;
        let maxattr = c_uint::from(policy.max_type());
        let inner = KBox::try_pin_init(
            try_pin_init!(&this in Inner::<T> {
                data,
                ops <- Opaque::ffi_init(|ops: *mut [bindings::genl_ops; MAX_COMMANDS]| {
                    let mut table =
                        [const { pin_init::zeroed::<bindings::genl_ops>() }; MAX_COMMANDS];
                    for (op, c) in table.iter_mut().zip(T::COMMANDS) {
                        op.cmd = c.cmd;
                        op.flags = if c.admin {
                            bindings::GENL_UNS_ADMIN_PERM as u8
                        } else {
                            0
                        };
                        op.policy = policy.as_ptr();
                        op.maxattr = maxattr;
                        if c.doit {
                            op.doit = Some(doit_callback::<T>);
                        }
                        if c.dumpit {
                            op.dumpit = Some(dumpit_callback::<T>);
                        }
                    }
                    // SAFETY: `ops` is valid for writes (`ffi_init`).
                    unsafe { ops.write(table) };
                }),
                family <- Opaque::try_ffi_init(|family: *mut bindings::genl_family| {
                    // SAFETY: `this` is being initialised in place and `ops` already is (field
                    // order of the initialiser); pinned, so its address stays.
                    let ops = unsafe { ptr::addr_of!((*this.as_ptr()).ops) };
                    let mut f: bindings::genl_family = pin_init::zeroed();
                    for (d, s) in f.name.iter_mut().zip(name) {
                        *d = *s as c_char;
                    }
                    f.version = T::VERSION;
                    f.maxattr = maxattr;
                    f.set_netnsok(1);
                    f.set_parallel_ops(1);
                    f.module = module.as_ptr();
                    f.ops = Opaque::cast_into(ops).cast();
                    f.n_ops = T::COMMANDS.len() as u8;
                    // SAFETY: `family` is valid for writes (`try_ffi_init`).
                    unsafe { family.write(f) };
                    // SAFETY: `family` and the `ops` it points to are initialised and pinned,
                    // and stay until the family is unregistered and unused (`drop`); the
                    // callbacks find `data` from `family`, initialised before it.
                    to_result(unsafe { bindings::genl_register_family(family) })
                }),
            }),
            GFP_KERNEL,
        )?;
        // INVARIANT: registered above, on behalf of `module`.
        Ok(Self {
            inner: ManuallyDrop::new(inner),
            module,
        })
    }

    /// Returns the data the handlers share.
    pub fn data(&self) -> &T::Data {
        &self.inner.data
    }
}

impl<T: Operations> Drop for Registration<T> {
    fn drop(&mut self) {
        // SAFETY: the family is registered (type invariant). Unregistering waits for the
        // requests in progress and the dumps being started (they hold the core's `cb_lock`);
        // no new one can find the family after it.
        unsafe { bindings::genl_unregister_family(self.inner.family.get()) };
        // A dump that started earlier may go on in later reads of its socket, and uses the
        // family, its tables and `data`; it holds a reference to `module` until its last use
        // (`netlink_dump()`, `netlink_release()`). While the module is unloading, its count is
        // -1: no dump is left, and the tables go. Otherwise they are left allocated.
        let m = self.module.as_ptr();
        // SAFETY: `m` is null (built in) or this module, which is loaded while its code runs.
        if m.is_null() || unsafe { bindings::module_refcount(m) } >= 0 {
            return;
        }
        // SAFETY: the family is unregistered and no dump uses it (above); this is the last use
        // of `inner`.
        unsafe { ManuallyDrop::drop(&mut self.inner) };
    }
}

/// # Safety
///
/// Called by the core as the `doit` of a [`Registration<T>`]'s ops, with a valid request.
unsafe extern "C" fn doit_callback<T: Operations>(
    _skb: *mut bindings::sk_buff,
    info: *mut bindings::genl_info,
) -> c_int {
    from_result(|| {
        // SAFETY: the core passes the request's information, whose family is the registered
        // one of an `Inner<T>` (these callbacks are only in its ops), which stays until the
        // family is unregistered, which waits for this call.
        let (reg, cmd) = unsafe {
            (
                Inner::<T>::from_family((*info).family),
                (*(*info).genlhdr).cmd,
            )
        };
        // INVARIANT: `info` is valid for the call; the core validated the attributes against
        // the op's policy, `T::POLICY`.
        let mut req = Request {
            info,
            maxattr: usize::from(T::POLICY.max_type()),
            _p: PhantomData,
        };
        T::doit(&reg.data, cmd, &mut req)?;
        Ok(0)
    })
}

/// # Safety
///
/// Called by the core as the `dumpit` of a [`Registration<T>`]'s ops, with a valid dump.
unsafe extern "C" fn dumpit_callback<T: Operations>(
    skb: *mut bindings::sk_buff,
    cb: *mut bindings::netlink_callback,
) -> c_int {
    from_result(|| {
        // A generic netlink dump's callback state carries the request's information
        // (`genl_info_dump()`), whose family is that of an `Inner<T>` (these callbacks are
        // only in its ops), which stays while the dump holds its module (`Registration`'s
        // drop).
        // SAFETY: `cb` is a genetlink dump's state, and its family an `Inner<T>` (above).
        let (info, reg) = unsafe {
            let info = bindings::genl_info_dump(cb);
            (info, Inner::<T>::from_family((*info).family))
        };
        // SAFETY: as above.
        let cmd = unsafe { (*(*info).genlhdr).cmd };
        // INVARIANT: the core passes the dump's buffer and state, valid for the call.
        let mut dump = Dump {
            skb,
            cb,
            family: reg.family.get(),
            _p: PhantomData,
        };
        T::dumpit(&reg.data, cmd, &mut dump)?;
        // SAFETY: `skb` is valid for the call. What was put goes to the caller; a call that
        // put nothing ends the dump.
        Ok(unsafe { (*skb).len } as c_int)
    })
}
