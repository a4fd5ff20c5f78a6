// SPDX-License-Identifier: GPL-2.0

//! Netlink attributes of requests: policies, validated attributes and error reports.
//!
//! C header: [`include/net/netlink.h`](srctree/include/net/netlink.h).
//!
//! A request's attributes are validated by the core against a [`Policy`] before a callback sees
//! them (`nla_parse()`, strictly): an attribute the policy does not know, or one of the wrong
//! size, never reaches Rust code. What the policy cannot say (a range that depends on another
//! attribute, a name that must exist) the callback checks, and reports with an [`ExtAck`]
//! message that the user's tool prints.

use crate::{bindings, error::to_result, prelude::*, str::CStr};
use core::{marker::PhantomData, ptr};

/// The error report of a netlink request (`struct netlink_ext_ack`).
///
/// # Invariants
///
/// `ptr` is null or points to the request's ack structure, valid for `'a`.
pub struct ExtAck<'a> {
    ptr: *mut bindings::netlink_ext_ack,
    _p: PhantomData<&'a mut bindings::netlink_ext_ack>,
}

impl ExtAck<'_> {
    /// Makes the report of a request from its ack structure.
    ///
    /// # Safety
    ///
    /// `ptr` is null or valid for the returned object's life.
    pub(crate) unsafe fn from_raw(ptr: *mut bindings::netlink_ext_ack) -> Self {
        // INVARIANT: the caller guarantees it.
        Self {
            ptr,
            _p: PhantomData,
        }
    }

    /// Returns the ack structure, null if the request has none.
    pub(crate) fn as_raw(&self) -> *mut bindings::netlink_ext_ack {
        self.ptr
    }

    /// Sets the message (`NL_SET_ERR_MSG()`); a request without an ack structure has none.
    pub fn set_msg(&mut self, msg: &'static CStr) {
        // SAFETY: `ptr` is null or a valid ack structure (type invariant); the message is
        // static, as the core requires: it keeps the pointer until it replies.
        unsafe { bindings::nl_set_err_msg_attr(self.ptr, msg.as_char_ptr(), ptr::null()) };
    }

    /// Sets the message and names the attribute it is about (`NL_SET_ERR_MSG_ATTR()`), so that
    /// the sender can point at it.
    pub fn set_msg_attr(&mut self, msg: &'static CStr, attr: Attr<'_>) {
        // SAFETY: as in `set_msg`. The core keeps `attr` only to compare it with the bounds of
        // the request's message, and reports its offset if it is inside
        // (`nlmsg_check_in_payload()`): it is never read, so any attribute will do.
        unsafe { bindings::nl_set_err_msg_attr(self.ptr, msg.as_char_ptr(), attr.0) };
    }

    /// Sets the message and names the attribute type that is missing
    /// (`NL_SET_ERR_ATTR_MISS()`).
    pub fn set_msg_missing(&mut self, msg: &'static CStr, ty: u16) {
        self.set_msg(msg);
        if !self.ptr.is_null() {
            // SAFETY: `ptr` is a valid ack structure (type invariant), which the request owns
            // for the length of the callback; nothing else writes it meanwhile.
            unsafe {
                (*self.ptr).miss_type = ty;
                (*self.ptr).miss_nest = ptr::null();
            }
        }
    }
}

/// The type of an attribute in a [`Policy`] (`struct nla_policy`'s `type` and validation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttrType {
    /// Not an attribute of this policy: rejected when present (`NLA_REJECT`).
    Reject,
    /// An 8-bit unsigned integer (`NLA_U8`).
    U8,
    /// A 16-bit unsigned integer in host order (`NLA_U16`).
    U16,
    /// A 32-bit unsigned integer in host order (`NLA_U32`).
    U32,
    /// A 64-bit unsigned integer in host order (`NLA_U64`).
    U64,
    /// Bytes, at least `min` and at most `max` of them
    /// (`NLA_POLICY_RANGE(NLA_BINARY, min, max)`).
    Binary {
        /// The fewest bytes.
        min: u16,
        /// The most bytes.
        max: u16,
    },
}

/// The attribute policy of attribute types `0..N` (`struct nla_policy[N]`). The core validates a
/// message against it, and rejects an unknown attribute, a bad length or a missing payload with
/// its own extack message.
///
/// It is `'static`: the core keeps a pointer to a rejected attribute's policy in the extack,
/// for the reply.
pub struct Policy<const N: usize>([bindings::nla_policy; N]);

// SAFETY: a `Policy` holds only integers and null pointers (`Policy::new`), and is never written
// after it is built.
unsafe impl<const N: usize> Sync for Policy<N> {}

impl<const N: usize> Policy<N> {
    /// Makes the policy of attribute types `0..N`: `types[i]` is the type of attribute `i`.
    /// Attribute 0 is unused by netlink convention: make it [`AttrType::Reject`].
    pub const fn new(types: [AttrType; N]) -> Self {
        const REJECT: bindings::nla_policy = bindings::nla_policy {
            type_: bindings::NLA_REJECT as u8,
            validation_type: 0,
            len: 0,
            // The union's widest member, so that all of it is initialised: `NLA_REJECT` reads it
            // as `reject_message` (none: the core's default message).
            __bindgen_anon_1: bindings::nla_policy__bindgen_ty_1 {
                reject_message: ptr::null(),
            },
        };
        let mut policy = [REJECT; N];
        let mut i = 0;
        while i < N {
            policy[i].type_ = match types[i] {
                AttrType::Reject => bindings::NLA_REJECT,
                AttrType::U8 => bindings::NLA_U8,
                AttrType::U16 => bindings::NLA_U16,
                AttrType::U32 => bindings::NLA_U32,
                AttrType::U64 => bindings::NLA_U64,
                AttrType::Binary { .. } => bindings::NLA_BINARY,
            } as u8;
            if let AttrType::Binary { min, max } = types[i] {
                if min > max || max > i16::MAX as u16 {
                    panic!("a binary attribute's length range is min..=max, at most 32767");
                }
                policy[i].validation_type =
                    bindings::nla_policy_validation_NLA_VALIDATE_RANGE as u8;
                policy[i].__bindgen_anon_1.__bindgen_anon_1 =
                    bindings::nla_policy__bindgen_ty_1__bindgen_ty_1 {
                        min: min as i16,
                        max: max as i16,
                    };
            }
            i += 1;
        }
        Self(policy)
    }

    /// Returns the highest attribute type of the policy.
    pub const fn max_type() -> u16 {
        if N == 0 || N - 1 > u16::MAX as usize {
            panic!("a policy has between 1 and 65536 attribute types");
        }
        (N - 1) as u16
    }

    pub(crate) const fn as_ptr(&'static self) -> *const bindings::nla_policy {
        self.0.as_ptr()
    }

    /// Returns the policy without its size in its type, for a table of callbacks.
    pub const fn erased(&'static self) -> ErasedPolicy {
        // INVARIANT: `self.0` has `N` entries and is static.
        ErasedPolicy {
            ptr: self.0.as_ptr(),
            max_type: Self::max_type(),
        }
    }
}

/// A [`Policy`] whose number of attribute types is a value, not part of its type.
///
/// # Invariants
///
/// `ptr` is a static policy of `max_type + 1` attribute types.
#[derive(Clone, Copy)]
pub struct ErasedPolicy {
    ptr: *const bindings::nla_policy,
    max_type: u16,
}

// SAFETY: it only points to a static `Policy`, which is `Sync`.
unsafe impl Sync for ErasedPolicy {}
// SAFETY: as above.
unsafe impl Send for ErasedPolicy {}

impl ErasedPolicy {
    /// Returns the highest attribute type of the policy.
    pub const fn max_type(&self) -> u16 {
        self.max_type
    }

    pub(crate) const fn as_ptr(&self) -> *const bindings::nla_policy {
        self.ptr
    }
}

/// A netlink attribute of a request (`struct nlattr`), borrowed for as long as the request.
///
/// # Invariants
///
/// The pointer is to an attribute of a message that the core checked (its length fits the
/// message) and that stays valid for `'a`.
#[derive(Clone, Copy)]
pub struct Attr<'a>(*const bindings::nlattr, PhantomData<&'a bindings::nlattr>);

impl<'a> Attr<'a> {
    /// Makes an attribute from its header.
    ///
    /// # Safety
    ///
    /// `attr` points to an attribute whose length the core checked against its message, and
    /// which stays valid for `'a`.
    pub(crate) unsafe fn from_raw(attr: *const bindings::nlattr) -> Self {
        // INVARIANT: the caller guarantees it.
        Self(attr, PhantomData)
    }

    pub(crate) fn as_raw(&self) -> *const bindings::nlattr {
        self.0
    }

    /// Returns the attribute's payload.
    pub fn data(&self) -> &'a [u8] {
        // SAFETY: the attribute is valid for `'a` and `nla_len()` bytes from `nla_data()` are
        // in its message (type invariant).
        unsafe {
            core::slice::from_raw_parts(
                bindings::nla_data(self.0).cast::<u8>(),
                bindings::nla_len(self.0) as usize,
            )
        }
    }

    /// Returns the payload as a `u8`, if it is one byte long.
    pub fn get_u8(&self) -> Option<u8> {
        Some(u8::from_ne_bytes(self.data().try_into().ok()?))
    }

    /// Returns the payload as a host-order `u16`, if it is two bytes long.
    pub fn get_u16(&self) -> Option<u16> {
        Some(u16::from_ne_bytes(self.data().try_into().ok()?))
    }

    /// Returns the payload as a host-order `u32`, if it is four bytes long.
    pub fn get_u32(&self) -> Option<u32> {
        Some(u32::from_ne_bytes(self.data().try_into().ok()?))
    }
}

/// The attributes of a request after validation against a [`Policy`] of `N` types.
pub struct Attrs<'a, const N: usize> {
    tb: [*mut bindings::nlattr; N],
    _p: PhantomData<&'a bindings::nlattr>,
}

impl<'a, const N: usize> Attrs<'a, N> {
    /// Validates `payload`, a sequence of attributes, against `policy`, strictly, as
    /// `nla_parse()` does: an attribute the policy does not know, or one of the wrong size, is
    /// an error, with the core's extack message.
    pub fn parse(
        payload: &'a [u8],
        policy: &'static Policy<N>,
        extack: &mut ExtAck<'_>,
    ) -> Result<Self> {
        let mut tb = [ptr::null_mut(); N];
        // SAFETY: `tb` has room for attribute types `0..N`, and `policy` describes as many;
        // `payload` is valid for reads of its length; the extack is null or valid (type
        // invariant of `ExtAck`).
        to_result(unsafe {
            bindings::__nla_parse(
                tb.as_mut_ptr(),
                c_int::from(Policy::<N>::max_type()),
                payload.as_ptr().cast(),
                payload.len().try_into()?,
                policy.as_ptr(),
                bindings::NL_VALIDATE_STRICT as c_uint,
                extack.as_raw(),
            )
        })?;
        Ok(Attrs {
            tb,
            _p: PhantomData,
        })
    }

    /// Returns attribute `ty`, if the request has it.
    pub fn get(&self, ty: usize) -> Option<Attr<'a>> {
        let attr = *self.tb.get(ty)?;
        // SAFETY: `__nla_parse()` put into `tb` only attributes of `payload`, whose lengths it
        // checked; `payload` is borrowed for `'a`.
        (!attr.is_null()).then(|| unsafe { Attr::from_raw(attr) })
    }
}
