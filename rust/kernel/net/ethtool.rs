// SPDX-License-Identifier: GPL-2.0

//! Ethtool operations of a network device: the driver's own statistics (`ethtool -S`) and its
//! ring sizes (`ethtool -g`/`-G`).
//!
//! C header: [`include/linux/ethtool.h`](srctree/include/linux/ethtool.h)
//!
//! A driver implements the ethtool methods of [`dev::Operations`]; its [`dev::Registration`]
//! gives the device an `ethtool_ops` with the callbacks of those it implements. The core answers
//! `ethtool -i` without the driver: it reports the bound bus driver's name and the bus device
//! (`ethtool_get_drvinfo()`).

use crate::{
    bindings,
    ffi::c_int,
    net::dev::{self, Device, Rtnl},
    prelude::*,
};
use core::marker::PhantomData;

/// Ring sizes, as `ethtool -g` shows them and `ethtool -G` sets them (`struct
/// ethtool_ringparam`, less the mini and jumbo rings, which the core keeps at 0 for a driver
/// that reports no maximum for them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RingParam {
    /// The most receive descriptors a ring may have.
    pub rx_max: u32,
    /// The most transmit descriptors a ring may have.
    pub tx_max: u32,
    /// Receive descriptors per ring.
    pub rx: u32,
    /// Transmit descriptors per ring.
    pub tx: u32,
}

pub(super) struct VTable<T: dev::Operations>(PhantomData<T>);

impl<T: dev::Operations> VTable<T> {
    /// Whether the driver has any ethtool operation.
    pub(super) const HAS_ANY: bool = T::HAS_ETHTOOL_STATS || T::HAS_GET_RINGPARAM;

    pub(super) const VTABLE: bindings::ethtool_ops = bindings::ethtool_ops {
        get_sset_count: if T::HAS_ETHTOOL_STATS {
            Some(get_sset_count_callback::<T>)
        } else {
            None
        },
        get_strings: if T::HAS_ETHTOOL_STATS {
            Some(get_strings_callback::<T>)
        } else {
            None
        },
        get_ethtool_stats: if T::HAS_ETHTOOL_STATS {
            Some(get_ethtool_stats_callback::<T>)
        } else {
            None
        },
        get_ringparam: if T::HAS_GET_RINGPARAM {
            Some(get_ringparam_callback::<T>)
        } else {
            None
        },
        set_ringparam: if T::HAS_SET_RINGPARAM {
            Some(set_ringparam_callback::<T>)
        } else {
            None
        },
        // SAFETY: every other operation is absent: an all-zero `ethtool_ops` has no operations
        // and no capabilities.
        ..unsafe { core::mem::zeroed() }
    };
}

/// # Safety
///
/// Called by the ethtool core for a device of a live `Registration<'_, T>`.
unsafe extern "C" fn get_sset_count_callback<T: dev::Operations>(
    _ndev: *mut bindings::net_device,
    sset: c_int,
) -> c_int {
    if sset == bindings::ethtool_stringset_ETH_SS_STATS as c_int {
        T::ETHTOOL_STATS.len() as c_int
    } else {
        EOPNOTSUPP.to_errno()
    }
}

/// # Safety
///
/// Called by the ethtool core for a device of a live `Registration<'_, T>`, with `data` room for
/// `ETH_GSTRING_LEN` bytes per string of `sset`, as many as `get_sset_count` returned.
unsafe extern "C" fn get_strings_callback<T: dev::Operations>(
    _ndev: *mut bindings::net_device,
    sset: u32,
    mut data: *mut u8,
) {
    if sset != bindings::ethtool_stringset_ETH_SS_STATS {
        return;
    }
    for name in T::ETHTOOL_STATS {
        // SAFETY: the core gave room for one string per name (function safety requirement);
        // `ethtool_puts()` writes one and moves `data` past it. `name` is NUL-terminated.
        unsafe { bindings::ethtool_puts(&mut data, name.as_char_ptr()) };
    }
}

/// # Safety
///
/// Called by the ethtool core for a device of a live `Registration<'_, T>`, with `data` room for
/// as many `u64` as `get_sset_count(ETH_SS_STATS)` returned.
unsafe extern "C" fn get_ethtool_stats_callback<T: dev::Operations>(
    ndev: *mut bindings::net_device,
    _stats: *mut bindings::ethtool_stats,
    data: *mut u64,
) {
    // SAFETY: the core allocated one `u64` per statistic, zeroed, for the call.
    let out = unsafe { core::slice::from_raw_parts_mut(data, T::ETHTOOL_STATS.len()) };
    // SAFETY: the device is valid for the call.
    let dev = unsafe { Device::from_raw(ndev) };
    // SAFETY: the device belongs to a live registration (function safety requirement).
    unsafe { dev::with_data::<T, _>(ndev, |d| T::ethtool_stats(dev, d, out)) };
}

/// # Safety
///
/// Called by the ethtool core under RTNL for a device of a live `Registration<'_, T>`.
unsafe extern "C" fn get_ringparam_callback<T: dev::Operations>(
    ndev: *mut bindings::net_device,
    ering: *mut bindings::ethtool_ringparam,
    _kring: *mut bindings::kernel_ethtool_ringparam,
    _extack: *mut bindings::netlink_ext_ack,
) {
    // SAFETY: the device is valid for the call.
    let dev = unsafe { Device::from_raw(ndev) };
    // SAFETY: the device belongs to a live registration (function safety requirement).
    let r = unsafe { dev::with_data::<T, _>(ndev, |d| T::get_ringparam(dev, d)) };
    // SAFETY: `ering` is valid for writes for the call; the core zeroed it.
    let e = unsafe { &mut *ering };
    e.rx_max_pending = r.rx_max;
    e.tx_max_pending = r.tx_max;
    e.rx_pending = r.rx;
    e.tx_pending = r.tx;
}

/// # Safety
///
/// Called by the ethtool core under RTNL for a device of a live `Registration<'_, T>`, with
/// `ering` checked against the maxima `get_ringparam` reported.
unsafe extern "C" fn set_ringparam_callback<T: dev::Operations>(
    ndev: *mut bindings::net_device,
    ering: *mut bindings::ethtool_ringparam,
    _kring: *mut bindings::kernel_ethtool_ringparam,
    _extack: *mut bindings::netlink_ext_ack,
) -> c_int {
    // SAFETY: `ering` is valid for the call.
    let e = unsafe { &*ering };
    let want = RingParam {
        rx_max: e.rx_max_pending,
        tx_max: e.tx_max_pending,
        rx: e.rx_pending,
        tx: e.tx_pending,
    };
    // SAFETY: the core holds RTNL for the call and the device is valid.
    let dev = unsafe { Device::<Rtnl>::from_raw(ndev) };
    // SAFETY: the device belongs to a live registration, and RTNL is held (function safety
    // requirement).
    let ret = unsafe {
        dev::restart_around::<T>(ndev, || {
            dev::with_data::<T, _>(ndev, |d| T::set_ringparam(dev, d, &want))
        })
    };
    match ret {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}
