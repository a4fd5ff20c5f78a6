// SPDX-License-Identifier: GPL-2.0

//! The 82576's registers that rigb uses, with their datasheet names (C igb's `e1000_regs.h`
//! and `e1000_defines.h`).

use kernel::io::register;

/// The size of BAR 0, the register space.
pub(crate) const BAR0_SIZE: usize = 0x20000;

register! {
    /// Device Control.
    pub(crate) CTRL(u32) @ 0x0000 {
        /// PHY reset.
        31:31 phy_rst => bool;
        /// Device reset; self-clearing.
        26:26 rst => bool;
        /// Force duplex.
        12:12 frcdpx => bool;
        /// Force speed.
        11:11 frcspd => bool;
        /// Set link up.
        6:6 slu => bool;
        /// GIO master disable: stop issuing DMA requests.
        2:2 gio_master_disable => bool;
    }

    /// Device Status.
    pub(crate) STATUS(u32) @ 0x0008 {
        /// GIO master enable: DMA requests may still be in flight.
        19:19 gio_master_en => bool;
        /// Link speed: 0 is 10 Mb/s, 1 is 100 Mb/s, 2 and 3 are 1000 Mb/s.
        7:6 speed;
        /// Link up.
        1:1 lu => bool;
        /// Full duplex.
        0:0 fd => bool;
    }

    /// EEPROM/Flash Control.
    pub(crate) EECD(u32) @ 0x0010 {
        /// The hardware finished loading its settings from the EEPROM.
        9:9 auto_rd => bool;
    }

    /// Extended Device Control.
    pub(crate) CTRL_EXT(u32) @ 0x0018 {
        /// Driver loaded: tells the manageability firmware that a driver owns the device.
        28:28 drv_load => bool;
    }

    /// MDI Control: access to the PHY's registers.
    pub(crate) MDIC(u32) @ 0x0020 {
        /// Error: no PHY answered.
        30:30 error => bool;
        /// Ready: the last operation completed.
        28:28 ready => bool;
        /// Opcode: 1 writes, 2 reads.
        27:26 op;
        /// PHY address.
        25:21 phyadd;
        /// PHY register address.
        20:16 regadd;
        /// Data.
        15:0 data;
    }

    /// Interrupt Cause Read; reading it clears it.
    pub(crate) ICR(u32) @ 0x00c0 {
        31:0 causes;
    }

    /// Interrupt Mask Clear.
    pub(crate) IMC(u32) @ 0x00d8 {
        31:0 mask;
    }

    /// Receive Control.
    pub(crate) RCTL(u32) @ 0x0100 {
        /// Receiver enable.
        1:1 en => bool;
    }

    /// Transmit Control.
    pub(crate) TCTL(u32) @ 0x0400 {
        /// Pad short packets.
        3:3 psp => bool;
        /// Transmitter enable.
        1:1 en => bool;
    }

    /// General Purpose Interrupt Enable.
    pub(crate) GPIE(u32) @ 0x1514 {
        31:0 value;
    }

    /// Extended Interrupt Mask Clear.
    pub(crate) EIMC(u32) @ 0x1528 {
        31:0 mask;
    }

    /// Receive Address Low: bytes 0 to 3 of a unicast address filter, first byte lowest.
    pub(crate) RAL(u32)[16, stride = 8] @ 0x5400 {
        31:0 addr;
    }

    /// Receive Address High: bytes 4 and 5, and whether the entry is valid.
    pub(crate) RAH(u32)[16, stride = 8] @ 0x5404 {
        /// Address valid.
        31:31 av => bool;
        15:0 addr;
    }
}

/// PHY registers (IEEE 802.3 clause 22), through [`MDIC`].
pub(crate) mod phy {
    use kernel::num::Bounded;

    /// A PHY register number, as [`MDIC`](super::MDIC) takes it.
    pub(crate) type Reg = Bounded<u32, 5>;

    /// The PHY's address on the MDI bus of an 82576 with a copper PHY.
    pub(crate) const ADDR: u32 = 1;
    /// PHY Identifier 1: OUI bits 3 to 18.
    pub(crate) const PHYSID1: Reg = Reg::new::<2>();
    /// PHY Identifier 2: OUI bits 19 to 24, model and revision.
    pub(crate) const PHYSID2: Reg = Reg::new::<3>();
}

/// [`MDIC`] opcodes.
pub(crate) mod mdic_op {
    /// Read a PHY register.
    pub(crate) const READ: u32 = 2;
}
