// SPDX-License-Identifier: GPL-2.0

//! rigb: a Rust driver for the Intel 82576 Gigabit Ethernet controller, a reference driver to
//! read and benchmark beside C igb (`drivers/net/ethernet/intel/igb`).
//!
//! This first part probes the device as C igb's `igb_probe()` begins: it enables the device,
//! maps its registers, resets it (`igb_reset_hw_82575()`), takes it over from the firmware
//! (`igb_get_hw_control()`), reads the permanent MAC address from receive address 0
//! (`igb_read_mac_addr()`) and identifies the PHY. Unbinding hands the device back, reset.
//!
//! C igb claims the same device: put a port on rigb with its `driver_override`, see
//! `Documentation/networking/bulknet.rst`.

use kernel::{
    device::Core,
    io::{poll::read_poll_timeout, register::Array, Io},
    pci,
    prelude::*,
    time::{delay::fsleep, Delta},
};

mod regs;

use regs::{
    BAR0_SIZE, CTRL, CTRL_EXT, EECD, EIMC, GPIE, ICR, IMC, MDIC, RAH, RAL, RCTL, STATUS, TCTL,
};

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
struct Hw<'bound> {
    pdev: &'bound pci::Device,
    bar: Bar0<'bound>,
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

    /// Reads PHY register `reg` through MDIC (`igb_read_phy_reg_mdic()`).
    ///
    /// Unlike C igb's `igb_read_phy_reg_igp()`, this does not take the software/firmware PHY
    /// semaphore (SW_FW_SYNC): QEMU's model has no firmware that shares the MDI bus.
    fn read_phy(&self, reg: regs::phy::Reg) -> Result<u16> {
        self.bar.write_reg(
            MDIC::zeroed()
                .with_regadd(reg)
                .with_const_phyadd::<{ regs::phy::ADDR }>()
                .with_const_op::<{ regs::mdic_op::READ }>(),
        );
        let mdic = read_poll_timeout(
            || Ok(self.bar.read(MDIC)),
            |m| m.ready(),
            Delta::from_micros(50),
            MDIC_TIMEOUT,
        )?;
        if mdic.error() {
            return Err(EIO);
        }
        Ok(u16::from(mdic.data()))
    }

    /// Returns the PHY's identifier: OUI, model and revision.
    fn phy_id(&self) -> Result<u32> {
        let id1 = self.read_phy(regs::phy::PHYSID1)?;
        let id2 = self.read_phy(regs::phy::PHYSID2)?;
        Ok((u32::from(id1) << 16) | u32::from(id2))
    }
}

/// Returns `true` for a unicast address other than all zeroes (`is_valid_ether_addr()`).
fn valid_ether_addr(a: &[u8; 6]) -> bool {
    a[0] & 1 == 0 && a.iter().any(|&b| b != 0)
}

/// One 82576 port bound to rigb: C igb's `struct igb_adapter`.
struct Adapter<'bound> {
    hw: Hw<'bound>,
}

struct Rigb;

impl pci::Driver for Rigb {
    type IdInfo = ();
    type Data<'bound> = Adapter<'bound>;

    const ID_TABLE: pci::IdTable<Self::IdInfo> = &PCI_TABLE;

    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        pdev.enable_device_mem()?;
        let hw = Hw {
            pdev,
            bar: pdev.iomap_region_sized::<BAR0_SIZE>(0, c"rigb")?,
        };

        hw.reset();

        let mac = hw.perm_addr();
        if !valid_ether_addr(&mac) {
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

        // The driver owns the device from here on (`igb_get_hw_control()`).
        hw.set_driver_loaded(true);
        Ok(Adapter { hw })
    }

    fn unbind<'bound>(_pdev: &'bound pci::Device<Core<'_>>, this: Pin<&Self::Data<'bound>>) {
        // As igb_remove(): quiesce the device and hand it back to the firmware.
        this.hw.reset();
        this.hw.set_driver_loaded(false);
    }
}

kernel::module_pci_driver! {
    type: Rigb,
    name: "rigb",
    authors: ["bulknet"],
    description: "Intel(R) 82576 Gigabit Ethernet driver in Rust (reference driver beside igb)",
    license: "GPL v2",
}
