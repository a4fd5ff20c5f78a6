// SPDX-License-Identifier: GPL-2.0

//! rigb: a Rust driver for the Intel 82576 Gigabit Ethernet controller, a reference driver to
//! read and benchmark beside C igb (`drivers/net/ethernet/intel/igb`).
//!
//! Probe follows C igb's `igb_probe()`: it enables the device, maps its registers, resets it
//! (`igb_reset_hw_82575()`), reads the permanent MAC address from receive address 0
//! (`igb_read_mac_addr()`), identifies the PHY, allocates one MSI-X vector for the "other"
//! causes and one for the queue pair, takes the device over from the firmware
//! (`igb_get_hw_control()`) and registers a net device. Unbinding unregisters it and hands the
//! device back, reset.
//!
//! Transmit mirrors `igb_xmit_frame_ring()` and `igb_tx_map()`: one advanced data descriptor per
//! linear skb, BQL, and the tail doorbell written only when the stack has no more packets for
//! the burst (`!netdev_xmit_more()`) or the queue stopped. `igb_clean_tx_irq()` is the NAPI
//! poll's completion work.
//!
//! Receive mirrors `igb_clean_rx_irq()`, with upstream's page_pool in place of igb's half-page
//! reuse: one 3 KiB buffer per page, the skb built around it with `napi_build_skb()` and
//! marked for recycling, frames with error bits dropped with a reason, and the ring refilled
//! with one tail write per poll.
//!
//! C igb claims the same device: put a port on rigb with its `driver_override`, see
//! `Documentation/networking/bulknet.rst`.

use kernel::{
    device::{self, Bound, Core},
    dma::Coherent,
    io::{io_project, io_read, io_write, poll::read_poll_timeout, register::Array, Io},
    irq::IrqReturn,
    net::{
        dev::{
            self, Budget, Counter, Device, IrqContext, LinkStats, Napi, NapiRef, Polled, Rtnl,
            RxAddrs, Xmit, XmitQueue,
        },
        ethtool::RingParam,
        page_pool::{self, PagePool, PoolPage},
        skbuff::{DropReason, MappedSkb, SkBuff, SkbList},
    },
    new_spinlock_bh,
    num::Bounded,
    pci,
    prelude::*,
    sync::{
        atomic::{ordering::Relaxed, Atomic},
        barrier::{dma_mb, Read},
        LocalBhDisabled, SpinLockBh,
    },
    time::{delay::fsleep, Delta},
    warn_on,
};

#[allow(dead_code, unreachable_pub)] // Shared unchanged with the host crate (`hw.rs`).
mod desc;
#[allow(dead_code, unreachable_pub)] // Shared unchanged with the host crate (`hw.rs`).
mod filter;
mod regs;
#[allow(dead_code, unreachable_pub)] // Shared unchanged with the host crate (`hw.rs`).
mod ring;

use desc::{RxCsum, RxError, RxWriteBack};
use filter::MulticastTable;
use regs::{
    BAR0_SIZE, CTRL, CTRL_EXT, EECD, EIAC, EIAM, EIMC, EIMS, EITR, GPIE, ICR, IMC, IMS, IVAR,
    IVAR_MISC, MDIC, MTA, RAH, RAL, RCTL, RDBAH, RDBAL, RDH, RDLEN, RDT, RLPML, RXCSUM, RXDCTL,
    SRRCTL, STATUS, TCTL, TDBAH, TDBAL, TDH, TDLEN, TDT, TXDCTL,
};
use ring::{Ring, RingSize};

type Bar0<'bound> = pci::Bar<'bound, BAR0_SIZE>;

/// The 82576's PCI device ID (`E1000_DEV_ID_82576`), the one QEMU's `igb` device has.
const DEV_ID_82576: u32 = 0x10c9;

kernel::pci_device_table!(
    PCI_TABLE,
    <Rigb as pci::Driver>::IdInfo,
    [(pci::DeviceId::from_id(pci::Vendor::INTEL, DEV_ID_82576), ())]
);

/// How long an MDIC access may take: C igb's `E1000_GEN_POLL_TIMEOUT * 3` polls 50 us apart,
/// "testing showed failures with the lower time out".
const MDIC_TIMEOUT: Delta = Delta::from_micros(640 * 3 * 50);

/// The hardware of one port: C igb's `struct e1000_hw`.
///
/// Dropping it resets the device and hands it back to the firmware, as `igb_remove()` does.
struct Hw<'bound> {
    pdev: &'bound pci::Device,
    bar: Bar0<'bound>,
}

impl Drop for Hw<'_> {
    fn drop(&mut self) {
        self.reset();
        self.set_driver_loaded(false);
    }
}

impl Hw<'_> {
    /// Stops the device's DMA (`igb_disable_pcie_master()`): sets GIO master disable and waits
    /// until no request is in flight. A timeout is not fatal, as in C igb.
    fn disable_pcie_master(&self) {
        self.bar.update(CTRL, |c| c.with_gio_master_disable(true));
        if read_poll_timeout(
            || Ok(self.bar.read(STATUS)),
            |s| !s.gio_master_en(),
            Delta::from_micros(100),
            Delta::from_millis(80),
        )
        .is_err()
        {
            dev_dbg!(self.pdev, "Master requests are pending.\n");
        }
    }

    /// Masks every interrupt, stops DMA, RX and TX, and resets the MAC, as
    /// `igb_reset_hw_82575()` does. The PHY is not reset.
    fn reset(&self) {
        let bar = &self.bar;
        self.disable_pcie_master();
        bar.write_reg(IMC::zeroed().with_mask(u32::MAX));
        bar.write_reg(RCTL::zeroed());
        bar.write_reg(TCTL::zeroed().with_psp(true));
        // Flush the writes, then let pending DMA finish.
        let _ = bar.read(STATUS);
        fsleep(Delta::from_millis(10));

        bar.update(CTRL, |c| c.with_rst(true));
        // Wait for the hardware to reload its settings, the receive addresses among them, from
        // the EEPROM (`igb_get_auto_rd_done()`). QEMU's model never reports it: the wait then
        // times out after 10 ms, which is not fatal, as in C igb.
        if read_poll_timeout(
            || Ok(bar.read(EECD)),
            |e| e.auto_rd(),
            Delta::from_millis(1),
            Delta::from_millis(10),
        )
        .is_err()
        {
            dev_dbg!(self.pdev, "Auto read by HW from NVM has not completed.\n");
        }

        bar.write_reg(IMC::zeroed().with_mask(u32::MAX));
        bar.write_reg(EIMC::zeroed().with_mask(u32::MAX));
        bar.write_reg(GPIE::zeroed());
        // Reading clears the causes.
        let _ = bar.read(ICR);
    }

    /// Tells the firmware whether a driver owns the device (`igb_get_hw_control()`,
    /// `igb_release_hw_control()`).
    fn set_driver_loaded(&self, loaded: bool) {
        self.bar.update(CTRL_EXT, |c| c.with_drv_load(loaded));
    }

    /// Returns the permanent MAC address, which the hardware loads into receive address 0 at
    /// reset (`igb_read_mac_addr()`). Like C igb, this does not look at the entry's valid bit:
    /// the caller checks the address itself.
    fn perm_addr(&self) -> [u8; 6] {
        let lo = self.bar.read(RAL::at(0)).addr().get().to_le_bytes();
        let hi = u16::from(self.bar.read(RAH::at(0)).addr()).to_le_bytes();
        [lo[0], lo[1], lo[2], lo[3], hi[0], hi[1]]
    }

    /// Runs one MDIC operation `cmd` on the PHY and waits for it; returns MDIC as it ends.
    fn mdic(&self, cmd: MDIC) -> Result<MDIC> {
        self.bar
            .write_reg(cmd.with_const_phyadd::<{ regs::phy::ADDR }>());
        let mdic = read_poll_timeout(
            || Ok(self.bar.read(MDIC)),
            |m| m.ready(),
            Delta::from_micros(50),
            MDIC_TIMEOUT,
        )?;
        if mdic.error() {
            return Err(EIO);
        }
        Ok(mdic)
    }

    /// Reads PHY register `reg` through MDIC (`igb_read_phy_reg_mdic()`).
    ///
    /// Unlike C igb's `igb_read_phy_reg_igp()`, this does not take the software/firmware PHY
    /// semaphore (SW_FW_SYNC): QEMU's model has no firmware that shares the MDI bus.
    fn read_phy(&self, reg: regs::phy::Reg) -> Result<u16> {
        let cmd = MDIC::zeroed()
            .with_regadd(reg)
            .with_const_op::<{ regs::mdic_op::READ }>();
        Ok(u16::from(self.mdic(cmd)?.data()))
    }

    /// Writes PHY register `reg` through MDIC (`igb_write_phy_reg_mdic()`), without the
    /// SW_FW_SYNC semaphore, as [`Hw::read_phy`].
    fn write_phy(&self, reg: regs::phy::Reg, val: u16) -> Result {
        let cmd = MDIC::zeroed()
            .with_data(val)
            .with_regadd(reg)
            .with_const_op::<{ regs::mdic_op::WRITE }>();
        self.mdic(cmd).map(|_| ())
    }

    /// Sets up the copper link as `igb_setup_copper_link_82575()` does: the MAC follows the
    /// PHY's speed and duplex (SLU, no forcing), and the PHY autonegotiates 1000 Mb/s full
    /// duplex. The link-change interrupt tells when it is up.
    fn setup_link(&self) -> Result {
        self.bar.update(CTRL, |c| {
            c.with_slu(true).with_frcspd(false).with_frcdpx(false)
        });
        self.write_phy(regs::phy::BMCR, regs::phy::BMCR_AUTONEG_RESTART)
    }

    /// Programs receive address 0 with `mac` (`igb_rar_set()`).
    fn set_rar0(&self, mac: &[u8; 6]) {
        let lo = u32::from_le_bytes([mac[0], mac[1], mac[2], mac[3]]);
        let hi = u16::from_le_bytes([mac[4], mac[5]]);
        self.bar.write(RAL::at(0), RAL::zeroed().with_addr(lo));
        self.bar
            .write(RAH::at(0), RAH::zeroed().with_addr(hi).with_av(true));
    }

    /// Routes interrupts as `igb_configure_msix()` does for the 82576: MSI-X mode, "other"
    /// causes on vector [`VECTOR_OTHER`], queue pair 0 on [`VECTOR_QUEUE`]; then unmasks them
    /// (`igb_irq_enable()`). Signalled vectors clear and mask themselves (EIAC, EIAM) until the
    /// driver unmasks them again.
    fn enable_irqs(&self) {
        let bar = &self.bar;
        // MSI-X mode first, "or our settings won't stick".
        bar.write_reg(
            GPIE::zeroed()
                .with_multiple_msix(true)
                .with_pba(true)
                .with_eiame(true)
                .with_nsicr(true),
        );
        bar.write_reg(
            IVAR_MISC::zeroed()
                .with_const_vector::<{ VECTOR_OTHER as u32 }>()
                .with_valid(true),
        );
        bar.write(
            IVAR::at(0),
            IVAR::zeroed()
                .with_const_rx_vector::<{ VECTOR_QUEUE as u32 }>()
                .with_rx_valid(true)
                .with_const_tx_vector::<{ VECTOR_QUEUE as u32 }>()
                .with_tx_valid(true),
        );
        // The queue vector's interval (`igb_write_itr()`): `rx_usecs`, whose default is where
        // C igb's adaptive moderation settles for small packets (`IGB_20K_ITR`).
        // As there, 0 is written as the shortest interval the field holds, 1 us.
        let usecs = module_parameters::rx_usecs.value();
        let itr = (usecs.saturating_mul(4) & 0x7ffc).max(4);
        let interval =
            Bounded::<u32, 15>::try_new(itr).unwrap_or(Bounded::<u32, 15>::new::<0x7ffc>());
        bar.write(
            EITR::at(VECTOR_QUEUE),
            EITR::zeroed().with_interval(interval).with_cnt_ignr(true),
        );
        let all = EIMS_OTHER | EIMS_QUEUE;
        bar.write_reg(EIAC::zeroed().with_vectors(EIMS_QUEUE));
        bar.write_reg(EIAM::zeroed().with_vectors(all));
        bar.write_reg(EIMS::zeroed().with_vectors(all));
        bar.write_reg(IMS::zeroed().with_lsc(true));
    }

    /// Masks every interrupt (`igb_irq_disable()`).
    fn disable_irqs(&self) {
        self.bar.write_reg(EIMC::zeroed().with_mask(u32::MAX));
        self.bar.write_reg(IMC::zeroed().with_mask(u32::MAX));
        let _ = self.bar.read(STATUS);
    }

    /// Unmasks MSI-X vectors `vectors` (a bit each).
    fn unmask(&self, vectors: u32) {
        self.bar.write_reg(EIMS::zeroed().with_vectors(vectors));
    }

    /// Returns the link state, and tells the stack if it changed.
    fn update_link(&self, dev: &Device) {
        let status = self.bar.read(STATUS);
        if status.lu() == dev.carrier_ok() {
            return;
        }
        if status.lu() {
            let mbps = match u32::from(status.speed()) {
                0 => 10,
                1 => 100,
                _ => 1000,
            };
            let duplex = if status.fd() { "Full" } else { "Half" };
            dev_info!(
                self.pdev,
                "NIC Link is Up {} Mbps {} Duplex\n",
                mbps,
                duplex
            );
            dev.carrier_on();
        } else {
            dev_info!(self.pdev, "NIC Link is Down\n");
            dev.carrier_off();
        }
    }

    /// Returns the PHY's identifier: OUI, model and revision.
    fn phy_id(&self) -> Result<u32> {
        let id1 = self.read_phy(regs::phy::PHYSID1)?;
        let id2 = self.read_phy(regs::phy::PHYSID2)?;
        Ok((u32::from(id1) << 16) | u32::from(id2))
    }
}

/// The MSI-X vector of the "other" causes (link change), as in C igb.
const VECTOR_OTHER: usize = 0;
/// The MSI-X vector of queue pair 0.
const VECTOR_QUEUE: usize = 1;
/// The number of MSI-X vectors.
const NUM_VECTORS: u32 = 2;
/// The EIMS bit of [`VECTOR_OTHER`].
const EIMS_OTHER: u32 = 1 << VECTOR_OTHER;
/// The EIMS bit of [`VECTOR_QUEUE`].
const EIMS_QUEUE: u32 = 1 << VECTOR_QUEUE;

/// Free descriptors below which the transmit queue stops (C igb's `DESC_NEEDED`: the most a
/// packet can take, `MAX_SKB_FRAGS + 4`).
const DESC_NEEDED: u32 = 17 + 4;
/// Free descriptors from which a stopped transmit queue is woken (`TX_WAKE_THRESHOLD`).
const TX_WAKE_THRESHOLD: u32 = DESC_NEEDED * 2;
/// The shortest frame the 82576 sends (`igb_xmit_frame()` pads to it).
const TX_MIN_LEN: u32 = 17;
/// Packets one poll cleans from the transmit ring at most (`IGB_DEFAULT_TX_WORK`).
const TX_WORK_LIMIT: u32 = 128;
/// The largest frame the MAC sends and takes, without FCS (`MAX_STD_JUMBO_FRAME_SIZE`).
const MAX_FRAME: u32 = 9216;
/// Ethernet header and FCS, which the MTU does not count.
const ETH_OVERHEAD: u32 = 14 + 4;
/// An 802.1Q tag, which the MTU does not count either.
const VLAN_HLEN: u32 = 4;
/// The Ethernet header: the shortest frame the driver hands to the stack.
const ETH_HLEN: u16 = 14;
/// The size of a receive buffer (`IGB_RXBUFFER_3072`), in SRRCTL's 1 KiB units: one buffer per
/// page, after the stack's headroom and before `skb_shared_info` (`PagePool::new()` checks
/// that it fits).
const RX_BUF_KB: u32 = 3;
/// The size of a receive buffer in bytes.
const RX_BUF_LEN: u32 = RX_BUF_KB * 1024;
/// The largest frame rigb receives: one buffer. The MAC takes frames up to [`MAX_FRAME`] (RLPML)
/// and spreads a longer one over several buffers, which rigb does not chain as igb does: it
/// drops and counts them.
const MAX_RX_FRAME: u32 = RX_BUF_LEN;
/// The largest MTU: a tagged frame fills the buffer.
const MAX_MTU: u32 = MAX_RX_FRAME - ETH_OVERHEAD - VLAN_HLEN;

/// A packet on the transmit ring (`struct igb_tx_buffer`), kept in the slot of its first
/// descriptor.
///
/// # Invariants
///
/// The packet's descriptors run from its slot to `last`, all in flight, and `next` is the index
/// after `last` (`Ring::after(last)`): `Port::clean_tx()` moves on to it, and gives back the
/// descriptors up to it.
struct TxBuf<'bound> {
    skb: MappedSkb<'bound>,
    /// The bytes reported to BQL.
    bytes: u32,
    /// The packet's last descriptor, whose DD bit says the packet is sent (`next_to_watch`).
    last: u16,
    /// The descriptor after `last`, where the next packet starts (see the invariants).
    next: u16,
}

/// A ring's descriptors in memory shared with the device: two little-endian quadwords each.
///
/// Each access checks its descriptor's index once, then reaches the quadwords at constant
/// offsets.
struct Descs(Coherent<[[u64; 2]]>);

impl Descs {
    fn new(dev: &device::Device<Bound>, size: RingSize) -> Result<Self> {
        Ok(Self(Coherent::zeroed_slice(
            dev,
            usize::from(size.get()),
            GFP_KERNEL,
        )?))
    }

    fn dma_address(&self) -> u64 {
        self.0.dma_address()
    }

    /// Writes descriptor `i` from its four dwords.
    #[inline]
    fn write(&self, i: u16, d: [u32; 4]) -> Result {
        let desc = io_project!(self.0, [try: usize::from(i)]);
        io_write!(desc, [build: 0], u64::from(d[0]) | u64::from(d[1]) << 32);
        io_write!(desc, [build: 1], u64::from(d[2]) | u64::from(d[3]) << 32);
        Ok(())
    }

    /// Returns descriptor `i`'s second quadword (dwords 2 and 3), where the write-back status
    /// is.
    #[inline]
    fn upper(&self, i: u16) -> Result<u64> {
        Ok(io_read!(self.0, [try: usize::from(i)][build: 1]))
    }

    /// Returns descriptor `i`'s four dwords.
    #[inline]
    fn read(&self, i: u16) -> Result<[u32; 4]> {
        let desc = io_project!(self.0, [try: usize::from(i)]);
        let lo: u64 = io_read!(desc, [build: 0]);
        let hi: u64 = io_read!(desc, [build: 1]);
        Ok([lo as u32, (lo >> 32) as u32, hi as u32, (hi >> 32) as u32])
    }
}

/// Returns `n` empty slots, one per descriptor of a ring.
fn empty_slots<T>(n: RingSize) -> Result<KVec<Option<T>>> {
    let mut v = KVec::with_capacity(n.get().into(), GFP_KERNEL)?;
    for _ in 0..n.get() {
        v.push(None, GFP_KERNEL)?;
    }
    Ok(v)
}

/// A transmit ring (`struct igb_ring`): descriptors shared with the device, and the packet of
/// each in-flight packet's first descriptor.
struct TxRing<'bound> {
    desc: Descs,
    bufs: KVec<Option<TxBuf<'bound>>>,
    idx: Ring,
}

impl<'bound> TxRing<'bound> {
    fn new(dev: &device::Device<Bound>, size: RingSize) -> Result<Self> {
        Ok(Self {
            desc: Descs::new(dev, size)?,
            bufs: empty_slots(size)?,
            idx: Ring::new(size),
        })
    }

    fn unused(&self) -> u32 {
        self.idx.unused().into()
    }

    /// Takes every in-flight packet back after the device stopped, unmapped and dropped
    /// (`igb_clean_tx_ring()`). Returns how many.
    fn drain(&mut self) -> u32 {
        let mut n = 0;
        for buf in self.bufs.iter_mut() {
            if let Some(b) = buf.take() {
                b.skb.unmap().drop_reason(DropReason::DevReady);
                n += 1;
            }
        }
        self.idx.reset();
        n
    }
}

/// A receive ring (`struct igb_ring` for RX): descriptors shared with the device, the page
/// behind each descriptor the device owns, and the queue's page pool.
///
/// The fields drop in order: the pages go back to the pool before the pool is destroyed.
struct RxRing {
    desc: Descs,
    pages: KVec<Option<PoolPage>>,
    idx: Ring,
    /// Descriptors of an oversized frame are being skipped until its last one (EOP).
    discard: bool,
    pool: PagePool,
}

impl RxRing {
    fn new(port: &Port<'_>, dev: &Device, size: RingSize) -> Result<Self> {
        let params = page_pool::Params {
            pool_size: size.get().into(),
            max_len: RX_BUF_LEN,
        };
        let pool = PagePool::new(port.dev, dev, &port.napi, 0, &params)?;
        Ok(Self {
            desc: Descs::new(port.dev, size)?,
            pages: empty_slots(size)?,
            idx: Ring::new(size),
            discard: false,
            pool,
        })
    }

    /// Harvests: returns how many descriptors from `next_to_clean` on, up to `max`, the device
    /// wrote back, reading only their status, and starts fetching each one's frame into the
    /// cache. One read barrier covers them all: the caller reads their other fields after it.
    fn harvest(&self, max: u32) -> u32 {
        let mut n = 0;
        for i in self.idx.in_flight_indices() {
            if n == max
                || !matches!(self.desc.upper(i), Ok(q) if q & u64::from(desc::rx_status::DD) != 0)
            {
                break;
            }
            if let Some(page) = &self.pages[usize::from(i)] {
                page.prefetch();
            }
            n += 1;
        }
        if n != 0 {
            dma_mb(Read);
        }
        n
    }

    /// Gives the device a buffer for every unused descriptor (`igb_alloc_rx_buffers()`), as far
    /// as the pool has pages, and hands them over at once. Returns how many it gave, and whether
    /// the ring is full.
    fn refill(&mut self) -> (u32, bool) {
        let want = self.idx.unused();
        let mut i = self.idx.next_to_use();
        let mut n = 0;
        while n < want {
            let Some(page) = self.pool.alloc() else {
                break;
            };
            let d = desc::rx_read(page.dma_address() + u64::from(page_pool::rx_headroom()));
            // Cannot fail: `i` is an index of the ring, which has a slot for each. If it did,
            // the page would go back to its pool here.
            let Some(slot) = self.pages.get_mut(usize::from(i)) else {
                break;
            };
            if self.desc.write(i, d).is_err() {
                break;
            }
            *slot = Some(page);
            n += 1;
            i = self.idx.after(i);
        }
        // The `n` descriptors at `next_to_use` were unused, and now hold buffers.
        let _ = self.idx.produce(n);
        (n.into(), n == want)
    }
}

/// Software counters of the queue pair (C igb's `tx_stats`, `rx_stats`).
#[derive(Default)]
struct QueueStats {
    tx_packets: Counter,
    tx_bytes: Counter,
    /// Packets dropped before the hardware got them (mapping failure, non-linear).
    tx_dropped: Counter,
    /// Mapping failures (`tx_dma_failed`).
    tx_dma_failed: Counter,
    /// Queue stops for a full ring (`restart_queue` counts the wakes in C igb).
    tx_busy: Counter,
    /// Tail writes.
    tx_doorbells: Counter,
    /// Transmit timeouts, each followed by a reset (`tx_timeout_count`).
    tx_timeout_count: Counter,
    rx_packets: Counter,
    rx_bytes: Counter,
    /// Frames with an error bit (CRC, symbol, sequence, carrier extension, RX data).
    rx_frame_errors: Counter,
    /// Frames too short for an Ethernet header, or longer than a buffer.
    rx_length_errors: Counter,
    /// Frames whose TCP/UDP or IPv4 checksum the hardware found wrong (`csum_err`).
    rx_csum_errors: Counter,
    /// Buffers the pool could not give (`alloc_failed`).
    rx_alloc_failed: Counter,
    /// Frames dropped for want of an skb head.
    rx_dropped: Counter,
}

/// The hardware's statistics registers, accumulated since probe (C igb's `struct
/// e1000_hw_stats`, as `igb_update_stats()` keeps it): the registers clear when read.
#[derive(Clone, Copy, Default)]
struct HwStats {
    crcerrs: u64,
    algnerrc: u64,
    rxerrc: u64,
    mpc: u64,
    colc: u64,
    gprc: u64,
    bprc: u64,
    mprc: u64,
    gptc: u64,
    gorc: u64,
    gotc: u64,
    rnbc: u64,
    ruc: u64,
    roc: u64,
}

impl Hw<'_> {
    /// Adds what the statistics registers counted since they were last read to `s`.
    fn read_stats(&self, s: &mut HwStats) {
        let bar = &self.bar;
        let r = |v: Bounded<u32, 32>| u64::from(v.get());
        s.crcerrs += r(bar.read(regs::CRCERRS).count());
        s.algnerrc += r(bar.read(regs::ALGNERRC).count());
        s.rxerrc += r(bar.read(regs::RXERRC).count());
        s.mpc += r(bar.read(regs::MPC).count());
        s.colc += r(bar.read(regs::COLC).count());
        s.gprc += r(bar.read(regs::GPRC).count());
        s.bprc += r(bar.read(regs::BPRC).count());
        s.mprc += r(bar.read(regs::MPRC).count());
        s.gptc += r(bar.read(regs::GPTC).count());
        // The low register first: reading the high one clears both.
        let lo = r(bar.read(regs::GORCL).count());
        s.gorc += lo | r(bar.read(regs::GORCH).count()) << 32;
        let lo = r(bar.read(regs::GOTCL).count());
        s.gotc += lo | r(bar.read(regs::GOTCH).count()) << 32;
        s.rnbc += r(bar.read(regs::RNBC).count());
        s.ruc += r(bar.read(regs::RUC).count());
        s.roc += r(bar.read(regs::ROC).count());
    }
}

/// One 82576 port as a net device: C igb's `struct igb_adapter`, less what the net device
/// holds.
#[pin_data]
struct Port<'bound> {
    hw: Hw<'bound>,
    dev: &'bound device::Device<Bound>,
    /// The transmit ring, while the device is up. The lock serialises `ndo_start_xmit` (which
    /// the stack serialises per queue already) with the poll's completion work; open and stop
    /// take it with bottom halves off.
    #[pin]
    tx: SpinLockBh<Option<TxRing<'bound>>>,
    /// The transmit ring's size from the next open on: `ethtool -G` changes it under RTNL,
    /// with the device closed.
    tx_size: Atomic<u32>,
    /// The receive ring, while the device is up; the poll and open and stop use it.
    #[pin]
    rx: SpinLockBh<Option<RxRing>>,
    /// The receive ring's size, as `tx_size`.
    rx_size: Atomic<u32>,
    /// The queue pair's NAPI context, which the page pool recycles through.
    napi: NapiRef,
    stats: QueueStats,
    /// The hardware's counters, brought up to date when read and before every reset (which
    /// clears the registers).
    #[pin]
    hw_stats: SpinLockBh<HwStats>,
}

impl Port<'_> {
    /// Returns the hardware's counters, brought up to date (`igb_update_stats()`).
    fn hw_stats(&self) -> HwStats {
        let mut s = self.hw_stats.lock();
        self.hw.read_stats(&mut s);
        *s
    }

    /// Resets the MAC, keeping its counters (`igb_down()` updates them first). The reset
    /// sleeps, so it runs after the lock is released.
    fn reset(&self) {
        self.hw.read_stats(&mut self.hw_stats.lock());
        self.hw.reset();
    }
}

impl<'bound> Port<'bound> {
    /// Cleans sent packets off the transmit ring (`igb_clean_tx_irq()`). Returns `true` if it
    /// cleaned fewer than [`TX_WORK_LIMIT`]: as with igb, a poll that cleaned exactly the
    /// limit runs once more, even if it emptied the ring.
    fn clean_tx(&self, napi: &Napi, budget: Budget, bh: &LocalBhDisabled) -> bool {
        let mut guard = self.tx.lock_with(bh);
        let Some(ring) = &mut *guard else {
            return true;
        };
        // As igb does, the loop keeps its place in a local and takes the cleaned descriptors
        // back from the ring once, at the end.
        let idx = ring.idx;
        let (mut pkts, mut bytes) = (0u32, 0u32);
        let mut ntc = idx.next_to_clean();
        while ntc != idx.next_to_use() && pkts < TX_WORK_LIMIT {
            let Some(slot) = ring.bufs.get_mut(usize::from(ntc)) else {
                break;
            };
            // The write-back status of the packet's last descriptor is its fourth dword.
            let descs = &ring.desc;
            let Some(buf) = slot.take_if(
                |b| matches!(descs.upper(b.last), Ok(q) if desc::tx_done((q >> 32) as u32)),
            ) else {
                break;
            };
            // Read nothing else of the descriptor before DD.
            dma_mb(Read);
            buf.skb.unmap().napi_consume(budget.get(), bh);
            pkts += 1;
            // At most `TX_WORK_LIMIT * MAX_FRAME` in all: this does not wrap, and the wrapping
            // add spares the loop an overflow check.
            bytes = bytes.wrapping_add(buf.bytes);
            ntc = buf.next;
        }
        // `ntc` is where the next packet would start: in flight, or `next_to_use` (`TxBuf`'s
        // invariants). A `next` that broke them would leave the ring stuck: say so.
        warn_on!(ring.idx.consume_to(ntc).is_none());
        self.stats.tx_packets.add(pkts.into());
        self.stats.tx_bytes.add(bytes.into());
        let dev = napi.device();
        if let Some(txq) = dev.tx_queue(0) {
            txq.completed_wake(
                pkts,
                bytes,
                || ring.unused(),
                TX_WAKE_THRESHOLD,
                !dev.is_running(),
                bh,
            );
        }
        pkts < TX_WORK_LIMIT
    }

    /// Receives up to `budget` frames (`igb_clean_rx_irq()`) and refills the ring. Returns how
    /// many descriptors it took, and whether the ring is full again: if not, the poll must run
    /// again, for the device may have no buffer left and so no interrupt to come.
    ///
    /// In stages, each over the whole bundle of frames (`rx_harvest`): harvest the written-back
    /// descriptors, build an skb around each buffer, classify it and gather it for delivery;
    /// then hand the bundle to the stack in one call (`rx_list`) and refill the ring with one
    /// tail write. With `rx_harvest` off, each descriptor is harvested on its own, as in C igb;
    /// with `rx_list` off, every frame goes through GRO.
    fn clean_rx(&self, napi: &Napi, budget: Budget, bh: &LocalBhDisabled) -> (u32, bool) {
        let mut guard = self.rx.lock_with(bh);
        let Some(ring) = &mut *guard else {
            return (0, true);
        };
        let dev = napi.device();
        let s = &self.stats;
        let bulk = module_parameters::rx_harvest.value();
        let to_list = module_parameters::rx_list.value();
        let mut list = SkbList::new();
        let (mut done, mut ready, mut pkts, mut bytes) = (0u32, 0u32, 0u32, 0u64);
        while done < budget.get() {
            if ready == 0 {
                ready = ring.harvest(if bulk { budget.get() - done } else { 1 });
                if ready == 0 {
                    break;
                }
            }
            let Some(ntc) = ring.idx.consume(1) else {
                break;
            };
            ready -= 1;
            done += 1;
            let (Ok(d), Some(page)) = (ring.desc.read(ntc), ring.pages[usize::from(ntc)].take())
            else {
                continue;
            };
            let wb = RxWriteBack::from_dwords(d);
            // The rest of a frame longer than a buffer, up to and including its last one.
            if ring.discard {
                ring.discard = wb.status_error & desc::rx_status::EOP == 0;
                page.recycle_direct(&mut ring.pool, bh);
                continue;
            }
            let len = match wb.frame_len(RX_BUF_LEN as u16, ETH_HLEN) {
                Ok(len) => u32::from(len),
                Err(e) => {
                    let reason = match e {
                        RxError::Frame => {
                            s.rx_frame_errors.add(1);
                            DropReason::DevHdr
                        }
                        RxError::Fragmented => {
                            ring.discard = true;
                            s.rx_length_errors.add(1);
                            DropReason::PktTooBig
                        }
                        RxError::BadLength => {
                            s.rx_length_errors.add(1);
                            DropReason::PktTooSmall
                        }
                    };
                    // Dropped as an skb, so drop monitors see the frame and its reason.
                    let len = u32::from(wb.length).min(RX_BUF_LEN);
                    page.sync_for_cpu(len);
                    match page.build_skb(len, bh) {
                        Ok(skb) => skb.drop_reason(reason),
                        Err(page) => page.recycle_direct(&mut ring.pool, bh),
                    }
                    continue;
                }
            };
            page.sync_for_cpu(len);
            let mut skb = match page.build_skb(len, bh) {
                Ok(skb) => skb,
                Err(page) => {
                    s.rx_dropped.add(1);
                    page.recycle_direct(&mut ring.pool, bh);
                    continue;
                }
            };
            if wb.csum_error(len as u16) {
                s.rx_csum_errors.add(1);
            }
            if wb.csum() == RxCsum::Unnecessary {
                skb.set_checksum_unnecessary();
            }
            skb.record_rx_queue(0);
            if !skb.eth_type_trans(dev) {
                // Cannot happen: `frame_len()` checked for an Ethernet header.
                skb.drop_reason(DropReason::PktTooSmall);
                continue;
            }
            pkts += 1;
            bytes += u64::from(len);
            let handed = if to_list && !wb.is_tcp() {
                list.push(skb)
            } else {
                napi.gro_receive(skb, bh)
            };
            if let Err(skb) = handed {
                // Cannot happen: the skb is new, and `eth_type_trans()` gave it a device.
                skb.drop_reason(DropReason::NotSpecified);
            }
        }
        s.rx_packets.add(pkts.into());
        s.rx_bytes.add(bytes);
        let (filled, full) = ring.refill();
        if !full {
            s.rx_alloc_failed.add(1);
        }
        if filled != 0 {
            // `writel()` orders the descriptor writes before the doorbell.
            self.hw
                .bar
                .write(RDT::at(0), RDT::zeroed().with_tail(ring.idx.next_to_use()));
        }
        // The list goes to the stack last, with the ring refilled and its lock released.
        drop(guard);
        napi.receive_list(list, bh);
        (done, full)
    }

    /// Sets up the receive unit and its ring (`igb_setup_rctl()`, `igb_configure_rx_ring()`,
    /// `igb_rlpml_set()`), and gives the device its first buffers. Fails if the pool has no
    /// page at all: the device could then never interrupt to get more.
    fn configure_rx(&self, ring: &mut RxRing) -> Result {
        let bar = &self.hw.bar;
        bar.write(RXDCTL::at(0), RXDCTL::zeroed());
        bar.write_reg(
            RXCSUM::zeroed()
                .with_ipofl(true)
                .with_tuofl(true)
                .with_crcofl(true)
                .with_pcsd(true),
        );
        bar.write_reg(RLPML::zeroed().with_const_len::<MAX_FRAME>());
        let dma = ring.desc.dma_address();
        bar.write(
            RDLEN::at(0),
            RDLEN::zeroed().with_len(ring.idx.size().bytes()),
        );
        bar.write(RDBAL::at(0), RDBAL::zeroed().with_addr(dma as u32));
        bar.write(RDBAH::at(0), RDBAH::zeroed().with_addr((dma >> 32) as u32));
        bar.write(RDH::at(0), RDH::zeroed());
        bar.write(RDT::at(0), RDT::zeroed());
        // One buffer per descriptor, advanced format; the header size is IGB_RX_HDR_LEN's.
        bar.write(
            SRRCTL::at(0),
            SRRCTL::zeroed()
                .with_const_desctype::<1>()
                .with_const_bsizehdr::<4>()
                .with_const_bsizepkt::<RX_BUF_KB>(),
        );
        // IGB_RX_PTHRESH, IGB_RX_HTHRESH and IGB_RX_WTHRESH.
        bar.write(
            RXDCTL::at(0),
            RXDCTL::zeroed()
                .with_const_pthresh::<8>()
                .with_const_hthresh::<8>()
                .with_const_wthresh::<4>()
                .with_enable(true),
        );
        let (filled, _) = ring.refill();
        if filled == 0 {
            return Err(ENOMEM);
        }
        bar.write(RDT::at(0), RDT::zeroed().with_tail(ring.idx.next_to_use()));
        bar.write_reg(
            RCTL::zeroed()
                .with_en(true)
                .with_bam(true)
                .with_secrc(true)
                .with_lpe(true),
        );
        Ok(())
    }

    /// Programs the receive filters (`igb_set_rx_mode()`): unicast and multicast promiscuity
    /// from the device's flags, and otherwise the multicast table from its multicast addresses
    /// (`addrs`; with none, from open, an empty table: the core calls `ndo_set_rx_mode` with the
    /// address lock right after open).
    fn set_rx_mode(&self, dev: &Device, addrs: Option<&RxAddrs<'_>>) {
        let promisc = dev.is_promisc();
        let allmulti = promisc || dev.is_allmulti();
        if !allmulti {
            let mut mta = MulticastTable::new();
            if let Some(addrs) = addrs {
                addrs.for_each_multicast(|a| mta.add(a));
            }
            for (i, v) in mta.regs().iter().enumerate() {
                if let Some(reg) = MTA::try_at(i) {
                    self.hw.bar.write(reg, MTA::zeroed().with_bits(*v));
                }
            }
        }
        self.hw
            .bar
            .update(RCTL, |r| r.with_upe(promisc).with_mpe(allmulti));
    }

    /// Queues `skb` on the transmit ring (`igb_xmit_frame_ring()`, `igb_tx_map()`).
    fn xmit(&self, skb: SkBuff, txq: &XmitQueue<'_>) -> Xmit {
        let mut guard = self.tx.lock_with(txq.bh());
        let Some(ring) = &mut *guard else {
            skb.drop_reason(DropReason::DevReady);
            return Xmit::TAKEN;
        };
        if let Err(reason) = self.queue(ring, skb, txq) {
            self.stats.tx_dropped.add(1);
            if reason == DropReason::NoMem {
                self.stats.tx_dma_failed.add(1);
            }
        }
        // Make room for the next packet or stop (`igb_maybe_stop_tx()`).
        if !txq.maybe_stop(|| ring.unused(), DESC_NEEDED, DESC_NEEDED) {
            self.stats.tx_busy.add(1);
        }
        // On every way out, a dropped packet's included: earlier packets of the burst may have
        // left the doorbell to this one.
        if txq.doorbell_needed() {
            // `writel()` orders the descriptor writes before the doorbell.
            self.hw
                .bar
                .write(TDT::at(0), TDT::zeroed().with_tail(ring.idx.next_to_use()));
            self.stats.tx_doorbells.add(1);
        }
        Xmit::TAKEN
    }

    /// Puts `skb` on `ring`, or drops it and says why.
    fn queue(
        &self,
        ring: &mut TxRing<'bound>,
        skb: SkBuff,
        txq: &XmitQueue<'_>,
    ) -> Result<(), DropReason> {
        // The 82576 sends nothing shorter than 17 bytes (`igb_xmit_frame()`).
        let skb = skb.put_padto(TX_MIN_LEN).map_err(|(skb, _)| {
            skb.drop_reason(DropReason::NoMem);
            DropReason::NoMem
        })?;
        // The device advertises no scatter-gather: the stack linearises every skb, so one
        // descriptor takes the whole frame.
        let len = skb.len();
        if len > MAX_FRAME {
            skb.drop_reason(DropReason::PktTooBig);
            return Err(DropReason::PktTooBig);
        }
        if ring.unused() < 1 {
            // The queue stops before this (`maybe_stop()`); a full ring drops.
            skb.drop_reason(DropReason::FullRing);
            return Err(DropReason::FullRing);
        }
        let skb = MappedSkb::new(self.dev, skb).map_err(|(skb, _)| {
            skb.drop_reason(DropReason::NoMem);
            DropReason::NoMem
        })?;
        let Some(d) = desc::tx_data(skb.dma_address(), len, len, true, true) else {
            skb.unmap().drop_reason(DropReason::PktTooBig);
            return Err(DropReason::PktTooBig);
        };
        // Write the descriptor, then hand it over: the index moves only for a written one.
        let first = ring.idx.next_to_use();
        if ring.desc.write(first, d).is_err() || ring.idx.produce(1).is_none() {
            skb.unmap().drop_reason(DropReason::FullRing);
            return Err(DropReason::FullRing);
        }
        txq.sent(len);
        ring.bufs[usize::from(first)] = Some(TxBuf {
            skb,
            bytes: len,
            last: first,
            next: ring.idx.next_to_use(),
        });
        Ok(())
    }

    /// Sets up the transmit unit and its ring (`igb_setup_tctl()`, `igb_configure_tx_ring()`).
    fn configure_tx(&self, ring: &TxRing<'_>) {
        let bar = &self.hw.bar;
        bar.write(TXDCTL::at(0), TXDCTL::zeroed());
        bar.update(TCTL, |t| {
            t.with_psp(true)
                .with_rtlc(true)
                .with_const_ct::<15>()
                .with_en(true)
        });
        let dma = ring.desc.dma_address();
        bar.write(
            TDLEN::at(0),
            TDLEN::zeroed().with_len(ring.idx.size().bytes()),
        );
        bar.write(TDBAL::at(0), TDBAL::zeroed().with_addr(dma as u32));
        bar.write(TDBAH::at(0), TDBAH::zeroed().with_addr((dma >> 32) as u32));
        bar.write(TDH::at(0), TDH::zeroed());
        bar.write(TDT::at(0), TDT::zeroed());
        // IGB_TX_PTHRESH, IGB_TX_HTHRESH and IGB_TX_WTHRESH of an 82576 with MSI-X.
        bar.write(
            TXDCTL::at(0),
            TXDCTL::zeroed()
                .with_const_pthresh::<8>()
                .with_const_hthresh::<1>()
                .with_const_wthresh::<1>()
                .with_enable(true),
        );
    }
}

/// Returns the ring size kept in `size`.
fn ring_size(size: &Atomic<u32>) -> RingSize {
    RingSize::new(size.load(Relaxed)).unwrap_or(RingSize::DEFAULT)
}

struct Rigb;

#[vtable]
impl dev::Operations for Rigb {
    type Data<'a> = Port<'a>;

    fn open(dev: &Device<Rtnl>, port: &Port<'_>) -> Result {
        let ring = TxRing::new(port.dev, ring_size(&port.tx_size))?;
        let mut rx = RxRing::new(port, dev, ring_size(&port.rx_size))?;
        let hw = &port.hw;
        port.reset();
        hw.set_rar0(&dev.dev_addr());
        port.configure_tx(&ring);
        if let Err(e) = port.configure_rx(&mut rx) {
            port.reset();
            return Err(e);
        }
        port.set_rx_mode(dev, None);
        *port.tx.lock() = Some(ring);
        *port.rx.lock() = Some(rx);
        if let Some(txq) = dev.tx_queue(0) {
            txq.reset(dev);
        }
        if let Err(e) = hw.setup_link() {
            dev_err!(hw.pdev, "PHY does not answer on MDIC: {e:?}\n");
        }
        hw.enable_irqs();
        dev.tx_start_all_queues();
        hw.update_link(dev);
        Ok(())
    }

    fn stop(dev: &Device<Rtnl>, port: &Port<'_>) {
        let hw = &port.hw;
        // NAPI is disabled already, so nothing unmasks the queue vector again.
        hw.disable_irqs();
        // Stops DMA: after this the device touches no buffer.
        port.reset();
        // The rings are taken out under their locks and dropped after: freeing their memory and
        // destroying the page pool may sleep.
        let tx = port.tx.lock().take();
        if let Some(mut ring) = tx {
            ring.drain();
        }
        // The pages go back to the pool, and the pool is destroyed, with NAPI disabled.
        let rx = port.rx.lock().take();
        drop(rx);
        if let Some(txq) = dev.tx_queue(0) {
            txq.reset(dev);
        }
    }

    fn start_xmit(skb: SkBuff, txq: &XmitQueue<'_>, port: &Port<'_>) -> Xmit {
        port.xmit(skb, txq)
    }

    fn poll(napi: &Napi, budget: Budget, bh: &LocalBhDisabled, port: &Port<'_>) -> Polled {
        let tx_done = port.clean_tx(napi, budget, bh);
        if !budget.rx_allowed() {
            return Polled::More;
        }
        let (work, full) = port.clean_rx(napi, budget, bh);
        if tx_done && full && work < budget.get() {
            Polled::Done(work)
        } else {
            Polled::More
        }
    }

    fn poll_done(_napi: &Napi, port: &Port<'_>) {
        port.hw.unmask(EIMS_QUEUE);
    }

    fn interrupt(vector: usize, ctx: &IrqContext<'_>, port: &Port<'_>) -> IrqReturn {
        match vector {
            VECTOR_QUEUE => {
                if let Some(napi) = ctx.napi(0) {
                    napi.schedule(ctx);
                }
            }
            _ => {
                // Reading ICR clears the causes (`igb_msix_other()`).
                if port.hw.bar.read(ICR).lsc() {
                    port.hw.update_link(ctx.device());
                }
                port.hw.unmask(EIMS_OTHER);
            }
        }
        IrqReturn::Handled
    }

    fn tx_timeout(dev: &Device, queue: u32, port: &Port<'_>) {
        port.stats.tx_timeout_count.add(1);
        dev_err!(
            port.hw.pdev,
            "{}: transmit queue {} timed out: reset adapter\n",
            dev.name(),
            queue
        );
    }

    fn get_stats64(_dev: &Device, port: &Port<'_>, stats: &mut LinkStats) {
        let s = &port.stats;
        stats.tx_packets = s.tx_packets.get();
        stats.tx_bytes = s.tx_bytes.get();
        stats.tx_dropped = s.tx_dropped.get();
        stats.rx_packets = s.rx_packets.get();
        stats.rx_bytes = s.rx_bytes.get();
        // As `igb_update_stats()`: the hardware's error counters, and the driver's for the
        // frames it drops itself.
        let h = port.hw_stats();
        stats.rx_length_errors = s.rx_length_errors.get() + h.ruc + h.roc;
        stats.rx_crc_errors = h.crcerrs;
        stats.rx_frame_errors = s.rx_frame_errors.get() + h.algnerrc;
        stats.rx_missed_errors = h.mpc;
        stats.rx_errors =
            stats.rx_length_errors + stats.rx_frame_errors + stats.rx_crc_errors + h.rxerrc;
        stats.rx_dropped = s.rx_dropped.get();
        stats.multicast = h.mprc;
        stats.collisions = h.colc;
    }

    fn set_rx_mode(dev: &Device, addrs: &RxAddrs<'_>, port: &Port<'_>) {
        if dev.is_running() {
            port.set_rx_mode(dev, Some(addrs));
        }
    }

    const ETHTOOL_STATS: &'static [&'static CStr] = &[
        c"tx_queue_0_packets",
        c"tx_queue_0_bytes",
        c"tx_queue_0_dropped",
        c"tx_queue_0_stops",
        c"tx_doorbells",
        c"tx_dma_failed",
        c"tx_timeout_count",
        c"rx_queue_0_packets",
        c"rx_queue_0_bytes",
        c"rx_queue_0_drops",
        c"rx_queue_0_csum_err",
        c"rx_queue_0_alloc_failed",
        c"rx_length_errors",
        c"rx_frame_errors",
        c"rx_packets",
        c"tx_packets",
        c"rx_bytes",
        c"tx_bytes",
        c"rx_broadcast",
        c"rx_multicast",
        c"rx_crc_errors",
        c"rx_align_errors",
        c"rx_no_buffer_count",
        c"rx_missed_errors",
        c"rx_long_length_errors",
        c"rx_short_length_errors",
        c"collisions",
    ];

    fn ethtool_stats(_dev: &Device, port: &Port<'_>, out: &mut [u64]) {
        let s = &port.stats;
        let values = [
            &s.tx_packets,
            &s.tx_bytes,
            &s.tx_dropped,
            &s.tx_busy,
            &s.tx_doorbells,
            &s.tx_dma_failed,
            &s.tx_timeout_count,
            &s.rx_packets,
            &s.rx_bytes,
            &s.rx_dropped,
            &s.rx_csum_errors,
            &s.rx_alloc_failed,
            &s.rx_length_errors,
            &s.rx_frame_errors,
        ];
        let h = port.hw_stats();
        let hw = [
            h.gprc, h.gptc, h.gorc, h.gotc, h.bprc, h.mprc, h.crcerrs, h.algnerrc, h.rnbc, h.mpc,
            h.roc, h.ruc, h.colc,
        ];
        let all = Iterator::chain(values.iter().map(|v| v.get()), hw);
        for (o, v) in out.iter_mut().zip(all) {
            *o = v;
        }
    }

    fn get_ringparam(_dev: &Device, port: &Port<'_>) -> RingParam {
        RingParam {
            rx_max: RingSize::MAX.into(),
            tx_max: RingSize::MAX.into(),
            rx: ring_size(&port.rx_size).get().into(),
            tx: ring_size(&port.tx_size).get().into(),
        }
    }

    fn set_ringparam(dev: &Device<Rtnl>, port: &Port<'_>, ring: &RingParam) -> Result {
        // Clamped and rounded up as `igb_set_ringparam()` does.
        let rx = RingSize::from_ethtool(ring.rx);
        let tx = RingSize::from_ethtool(ring.tx);
        if (rx, tx) != (ring_size(&port.rx_size), ring_size(&port.tx_size)) {
            dev_info!(
                port.hw.pdev,
                "{}: rings: rx {}, tx {} descriptors\n",
                dev.name(),
                rx.get(),
                tx.get()
            );
        }
        port.rx_size.store(rx.get().into(), Relaxed);
        port.tx_size.store(tx.get().into(), Relaxed);
        Ok(())
    }

    fn change_mtu(dev: &Device<Rtnl>, port: &Port<'_>, new_mtu: u32) -> Result {
        if new_mtu > MAX_MTU {
            return Err(EINVAL);
        }
        dev_info!(
            port.hw.pdev,
            "{} changing MTU from {} to {}\n",
            dev.name(),
            dev.mtu(),
            new_mtu
        );
        Ok(())
    }
}

/// One 82576 port bound to rigb.
struct Adapter<'bound> {
    _reg: dev::Registration<'bound, Rigb>,
}

impl pci::Driver for Rigb {
    type IdInfo = ();
    type Data<'bound> = Adapter<'bound>;

    const ID_TABLE: pci::IdTable<Self::IdInfo> = &PCI_TABLE;

    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        pdev.enable_device_mem()?;
        pdev.set_master();
        let hw = Hw {
            pdev,
            bar: pdev.iomap_region_sized::<BAR0_SIZE>(0, c"rigb")?,
        };

        hw.reset();

        let mac = hw.perm_addr();
        if !dev::is_valid_ether_addr(&mac) {
            dev_err!(pdev, "Invalid MAC Address\n");
            return Err(EIO);
        }
        let phy_id = hw.phy_id().inspect_err(|e| {
            dev_err!(pdev, "PHY does not answer on MDIC: {e:?}\n");
        })?;
        dev_info!(
            pdev,
            "82576 rev {}, MAC {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}, PHY id {:08x}\n",
            pdev.revision_id(),
            mac[0],
            mac[1],
            mac[2],
            mac[3],
            mac[4],
            mac[5],
            phy_id
        );

        let pbound: &'bound pci::Device<Bound> = pdev;
        let vectors = pbound
            .alloc_irq_vectors(
                NUM_VECTORS,
                NUM_VECTORS,
                pci::IrqTypes::default().with(pci::IrqType::MsiX),
            )
            .inspect_err(|e| dev_err!(pdev, "cannot get {NUM_VECTORS} MSI-X vectors: {e:?}\n"))?;

        // The driver owns the device from here on (`igb_get_hw_control()`); dropping `hw`
        // hands it back.
        hw.set_driver_loaded(true);
        let dev: &'bound device::Device<Bound> = pdev.as_ref();
        let config = dev::Config {
            tx_queues: 1,
            rx_queues: 1,
            napis: 1,
            mac,
            min_mtu: 68,
            max_mtu: MAX_MTU,
            irq_name: c"rigb",
        };
        let reg = dev::Registration::new(dev, &config, Some(vectors), |new| {
            let napi = new.napi_ref(0).ok_or(EINVAL);
            try_pin_init!(Port {
                hw,
                dev,
                tx <- new_spinlock_bh!(None, "rigb_tx"),
                tx_size: Atomic::new(RingSize::DEFAULT.get().into()),
                rx <- new_spinlock_bh!(None, "rigb_rx"),
                rx_size: Atomic::new(RingSize::DEFAULT.get().into()),
                napi: napi?,
                stats: QueueStats::default(),
                hw_stats <- new_spinlock_bh!(HwStats::default(), "rigb_hw_stats"),
            }? Error)
        })
        .inspect_err(|e| dev_err!(pdev, "cannot register the net device: {e:?}\n"))?;
        dev_info!(
            pdev,
            "{}: Intel(R) 82576 Gigabit Network Connection (rigb)\n",
            reg.device().name()
        );
        dev_info!(
            pdev,
            "Using MSI-X interrupts. 1 rx queue(s), 1 tx queue(s), rx_usecs {}\n",
            module_parameters::rx_usecs.value()
        );
        Ok(Adapter { _reg: reg })
    }
}

kernel::module_pci_driver! {
    type: Rigb,
    name: "rigb",
    authors: ["bulknet"],
    description: "Intel(R) 82576 Gigabit Ethernet driver in Rust (reference driver beside igb)",
    license: "GPL v2",
    params: {
        rx_usecs: u32 {
            default: 49,
            description: "Shortest interval between two queue interrupts in microseconds, \
                as ethtool -C rx-usecs sets it for igb (0: no throttling; default: 20,000 \
                interrupts a second, where igb's adaptive moderation settles for small packets)",
        },
        rx_harvest: bool {
            default: true,
            description: "Harvest every written-back RX descriptor of a poll before building \
                the first skb (default); off: one descriptor at a time, as igb does",
        },
        rx_list: bool {
            default: true,
            description: "Hand the frames of a poll to the stack as one list, TCP through GRO \
                (default); off: every frame through GRO, as igb does",
        },
    },
}
