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
        /// Link status change.
        2:2 lsc => bool;
    }

    /// Interrupt Mask Set/Read.
    pub(crate) IMS(u32) @ 0x00d0 {
        /// Link status change.
        2:2 lsc => bool;
    }

    /// Interrupt Mask Clear.
    pub(crate) IMC(u32) @ 0x00d8 {
        31:0 mask;
    }

    /// Receive Control.
    pub(crate) RCTL(u32) @ 0x0100 {
        /// Strip the Ethernet CRC from received frames.
        26:26 secrc => bool;
        /// Accept broadcast frames.
        15:15 bam => bool;
        /// Long packet enable: accept frames up to RLPML.
        5:5 lpe => bool;
        /// Multicast promiscuous.
        4:4 mpe => bool;
        /// Unicast promiscuous.
        3:3 upe => bool;
        /// Receiver enable.
        1:1 en => bool;
    }

    /// Multicast Table Array: a 4,096-bit hash filter for multicast frames (`filter.rs`).
    pub(crate) MTA(u32)[128, stride = 4] @ 0x5200 {
        31:0 bits;
    }

    /// Transmit Control.
    pub(crate) TCTL(u32) @ 0x0400 {
        /// Re-transmit on late collision.
        24:24 rtlc => bool;
        /// Collision threshold.
        11:4 ct;
        /// Pad short packets.
        3:3 psp => bool;
        /// Transmitter enable.
        1:1 en => bool;
    }

    /// General Purpose Interrupt Enable.
    pub(crate) GPIE(u32) @ 0x1514 {
        /// PBA support: the MSI-X pending bits mirror EICR.
        31:31 pba => bool;
        /// Extended interrupt auto mask enable.
        30:30 eiame => bool;
        /// Multiple MSI-X vectors.
        4:4 multiple_msix => bool;
        /// Non-selective interrupt clear on read: reading ICR clears it in MSI-X mode too.
        0:0 nsicr => bool;
    }

    /// Extended Interrupt Mask Set/Read: one bit per MSI-X vector.
    pub(crate) EIMS(u32) @ 0x1524 {
        31:0 vectors;
    }

    /// Extended Interrupt Mask Clear.
    pub(crate) EIMC(u32) @ 0x1528 {
        31:0 mask;
    }

    /// Extended Interrupt Auto Clear: vectors whose EICR bit clears when it is signalled.
    pub(crate) EIAC(u32) @ 0x152c {
        31:0 vectors;
    }

    /// Extended Interrupt Auto Mask: vectors masked (in EIMS) when they are signalled.
    pub(crate) EIAM(u32) @ 0x1530 {
        31:0 vectors;
    }

    /// Extended Interrupt Throttle: the shortest interval between two interrupts of an MSI-X
    /// vector.
    pub(crate) EITR(u32)[25, stride = 4] @ 0x1680 {
        /// Do not touch the interrupt counter (82576).
        31:31 cnt_ignr => bool;
        /// The interval, in 0.25 us units (bits 1:0 must be 0).
        14:0 interval;
    }

    /// Interrupt Vector Allocation: which MSI-X vector each queue's interrupt goes to. Entry
    /// `n` serves RX and TX queues `n` and `n + 8`.
    pub(crate) IVAR(u32)[8, stride = 4] @ 0x1700 {
        /// TX queue `n`'s vector is valid.
        15:15 tx_valid => bool;
        /// TX queue `n`'s vector.
        12:8 tx_vector;
        /// RX queue `n`'s vector is valid.
        7:7 rx_valid => bool;
        /// RX queue `n`'s vector.
        4:0 rx_vector;
    }

    /// Interrupt Vector Allocation for the other causes (link change, ...).
    pub(crate) IVAR_MISC(u32) @ 0x1740 {
        /// The vector is valid.
        15:15 valid => bool;
        /// The vector of the other causes.
        12:8 vector;
    }

    /// Receive Descriptor Base Address Low, queues 0 to 3.
    pub(crate) RDBAL(u32)[4, stride = 0x100] @ 0x2800 {
        31:0 addr;
    }

    /// Receive Descriptor Base Address High.
    pub(crate) RDBAH(u32)[4, stride = 0x100] @ 0x2804 {
        31:0 addr;
    }

    /// Receive Descriptor Ring Length, in bytes.
    pub(crate) RDLEN(u32)[4, stride = 0x100] @ 0x2808 {
        31:0 len;
    }

    /// Split and Replication Receive Control.
    pub(crate) SRRCTL(u32)[4, stride = 0x100] @ 0x280c {
        /// Descriptor type: 1 is advanced, one buffer.
        27:25 desctype;
        /// Header buffer size, in 64-byte units.
        11:8 bsizehdr;
        /// Packet buffer size, in KiB.
        6:0 bsizepkt;
    }

    /// Receive Descriptor Head.
    pub(crate) RDH(u32)[4, stride = 0x100] @ 0x2810 {
        15:0 head;
    }

    /// Receive Descriptor Tail: the doorbell.
    pub(crate) RDT(u32)[4, stride = 0x100] @ 0x2818 {
        15:0 tail;
    }

    /// Receive Descriptor Control.
    pub(crate) RXDCTL(u32)[4, stride = 0x100] @ 0x2828 {
        /// Queue enable.
        25:25 enable => bool;
        /// Write-back threshold.
        20:16 wthresh;
        /// Host threshold.
        13:8 hthresh;
        /// Prefetch threshold.
        4:0 pthresh;
    }

    /// Transmit Descriptor Base Address Low, queues 0 to 3.
    pub(crate) TDBAL(u32)[4, stride = 0x100] @ 0x3800 {
        31:0 addr;
    }

    /// Transmit Descriptor Base Address High.
    pub(crate) TDBAH(u32)[4, stride = 0x100] @ 0x3804 {
        31:0 addr;
    }

    /// Transmit Descriptor Ring Length, in bytes.
    pub(crate) TDLEN(u32)[4, stride = 0x100] @ 0x3808 {
        31:0 len;
    }

    /// Transmit Descriptor Head.
    pub(crate) TDH(u32)[4, stride = 0x100] @ 0x3810 {
        15:0 head;
    }

    /// Transmit Descriptor Tail: the doorbell.
    pub(crate) TDT(u32)[4, stride = 0x100] @ 0x3818 {
        15:0 tail;
    }

    /// Transmit Descriptor Control.
    pub(crate) TXDCTL(u32)[4, stride = 0x100] @ 0x3828 {
        /// Queue enable.
        25:25 enable => bool;
        /// Write-back threshold.
        20:16 wthresh;
        /// Host threshold.
        13:8 hthresh;
        /// Prefetch threshold.
        4:0 pthresh;
    }

    // Statistics: each counts since it was last read, and reading clears it.

    /// CRC Error Count.
    pub(crate) CRCERRS(u32) @ 0x4000 {
        31:0 count;
    }

    /// Alignment Error Count.
    pub(crate) ALGNERRC(u32) @ 0x4004 {
        31:0 count;
    }

    /// RX Error Count.
    pub(crate) RXERRC(u32) @ 0x400c {
        31:0 count;
    }

    /// Missed Packets Count: frames dropped for want of room in the receive FIFO.
    pub(crate) MPC(u32) @ 0x4010 {
        31:0 count;
    }

    /// Collision Count.
    pub(crate) COLC(u32) @ 0x4028 {
        31:0 count;
    }

    /// Good Packets Received Count.
    pub(crate) GPRC(u32) @ 0x4074 {
        31:0 count;
    }

    /// Broadcast Packets Received Count.
    pub(crate) BPRC(u32) @ 0x4078 {
        31:0 count;
    }

    /// Multicast Packets Received Count.
    pub(crate) MPRC(u32) @ 0x407c {
        31:0 count;
    }

    /// Good Packets Transmitted Count.
    pub(crate) GPTC(u32) @ 0x4080 {
        31:0 count;
    }

    /// Good Octets Received Count, low 32 bits (reading GORCH clears both).
    pub(crate) GORCL(u32) @ 0x4088 {
        31:0 count;
    }

    /// Good Octets Received Count, high bits.
    pub(crate) GORCH(u32) @ 0x408c {
        31:0 count;
    }

    /// Good Octets Transmitted Count, low 32 bits (reading GOTCH clears both).
    pub(crate) GOTCL(u32) @ 0x4090 {
        31:0 count;
    }

    /// Good Octets Transmitted Count, high bits.
    pub(crate) GOTCH(u32) @ 0x4094 {
        31:0 count;
    }

    /// Receive No Buffers Count: frames that found no free descriptor.
    pub(crate) RNBC(u32) @ 0x40a0 {
        31:0 count;
    }

    /// Receive Undersize Count.
    pub(crate) RUC(u32) @ 0x40a4 {
        31:0 count;
    }

    /// Receive Oversize Count: frames longer than RLPML.
    pub(crate) ROC(u32) @ 0x40ac {
        31:0 count;
    }

    /// Receive Checksum Control.
    pub(crate) RXCSUM(u32) @ 0x5000 {
        /// Packet checksum disable: the descriptor's RSS field holds the RSS hash.
        13:13 pcsd => bool;
        /// CRC offload enable.
        11:11 crcofl => bool;
        /// TCP/UDP checksum offload enable.
        9:9 tuofl => bool;
        /// IPv4 header checksum offload enable.
        8:8 ipofl => bool;
    }

    /// Receive Long Packet Maximum Length.
    pub(crate) RLPML(u32) @ 0x5004 {
        13:0 len;
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
    /// Basic Mode Control Register.
    pub(crate) const BMCR: Reg = Reg::new::<0>();
    /// BMCR: enable autonegotiation, restart it, advertise 1000 Mb/s full duplex
    /// (`BMCR_ANENABLE | BMCR_ANRESTART | BMCR_FULLDPLX | BMCR_SPEED1000`).
    pub(crate) const BMCR_AUTONEG_RESTART: u16 = 0x1340;
    /// PHY Identifier 1: OUI bits 3 to 18.
    pub(crate) const PHYSID1: Reg = Reg::new::<2>();
    /// PHY Identifier 2: OUI bits 19 to 24, model and revision.
    pub(crate) const PHYSID2: Reg = Reg::new::<3>();
}

/// [`MDIC`] opcodes.
pub(crate) mod mdic_op {
    /// Write a PHY register.
    pub(crate) const WRITE: u32 = 1;
    /// Read a PHY register.
    pub(crate) const READ: u32 = 2;
}
