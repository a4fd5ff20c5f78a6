// SPDX-License-Identifier: GPL-2.0

//! The 82576's advanced RX and TX descriptors (`union e1000_adv_rx_desc`,
//! `union e1000_adv_tx_desc` in C igb's `e1000_82575.h`).
//!
//! A descriptor is 16 bytes of little-endian fields in DMA memory. This module only encodes
//! and decodes them as plain integers; reading them from and writing them to the ring is the
//! driver's business. Pure logic without kernel dependencies: the driver includes this file
//! unchanged, and the host crate in this directory tests and fuzzes it.

/// Bits of the RX write-back `status_error` dword (`E1000_RXD_STAT_*`, `E1000_RXDEXT_*`).
pub mod rx_status {
    /// Descriptor done: the hardware wrote this descriptor back.
    pub const DD: u32 = 0x01;
    /// End of packet: the last descriptor of a frame.
    pub const EOP: u32 = 0x02;
    /// The hardware did not check any checksum.
    pub const IXSM: u32 = 0x04;
    /// An 802.1Q frame, its tag stripped into the VLAN field.
    pub const VP: u32 = 0x08;
    /// The UDP checksum was checked.
    pub const UDPCS: u32 = 0x10;
    /// The TCP checksum was checked.
    pub const TCPCS: u32 = 0x20;
    /// The IPv4 header checksum was checked.
    pub const IPCS: u32 = 0x40;
    /// CRC error.
    pub const CE: u32 = 0x0100_0000;
    /// Symbol error.
    pub const SE: u32 = 0x0200_0000;
    /// Sequence error.
    pub const SEQ: u32 = 0x0400_0000;
    /// Carrier extension error.
    pub const CXE: u32 = 0x1000_0000;
    /// TCP/UDP checksum error.
    pub const L4E: u32 = 0x2000_0000;
    /// IPv4 checksum error.
    pub const IPE: u32 = 0x4000_0000;
    /// RX data error.
    pub const RXE: u32 = 0x8000_0000;
    /// The errors that make a frame bad (`E1000_RXDEXT_ERR_FRAME_ERR_MASK`).
    pub const FRAME_ERR: u32 = CE | SE | SEQ | CXE | RXE;
}

/// The packet type field of an RX write-back (`pkt_info` bits 15:4), as far as the driver
/// uses it.
pub mod rx_ptype {
    /// The bits of `pkt_info` that hold the packet type.
    pub const MASK: u16 = 0xfff0;
    /// IPv4 header present.
    pub const IPV4: u16 = 0x0010;
    /// IPv6 header present.
    pub const IPV6: u16 = 0x0040;
    /// IPv6 with extension headers.
    pub const IPV6_EX: u16 = 0x0080;
    /// TCP.
    pub const TCP: u16 = 0x0100;
    /// UDP.
    pub const UDP: u16 = 0x0200;
    /// SCTP.
    pub const SCTP: u16 = 0x0400;
    /// An EtherType filter matched; bits 6:4 are then the filter's index, not a type.
    pub const ETQF: u16 = 0x8000;
    /// The index of the matching EtherType filter, if [`ETQF`].
    pub const ETQF_INDEX_MASK: u16 = 0x0070;
}

/// An advanced RX descriptor in read format: what the driver writes to hand a buffer to the
/// hardware. Returns the four little-endian dwords in memory order.
///
/// The header address is 0 (one buffer per descriptor). It overlaps the write-back's
/// `status_error` dword, so writing it clears the DD bit that the driver then waits on. C igb's
/// `igb_alloc_rx_buffers()` writes only the packet address and clears the next descriptor's
/// length instead, and `igb_clean_rx_irq()` waits for a non-zero length.
pub const fn rx_read(pkt_addr: u64) -> [u32; 4] {
    [pkt_addr as u32, (pkt_addr >> 32) as u32, 0, 0]
}

/// What the hardware says about one received buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RxWriteBack {
    /// `pkt_info`: RSS type (bits 3:0) and packet type (bits 15:4).
    pub pkt_info: u16,
    /// The RSS hash, or the IPv4 ID and checksum, depending on RXCSUM.PCSD.
    pub rss_or_ipid: u32,
    /// `status_error`: the [`rx_status`] bits.
    pub status_error: u32,
    /// Bytes written to this buffer.
    pub length: u16,
    /// The stripped 802.1Q tag, if [`rx_status::VP`].
    pub vlan: u16,
}

/// How the stack should treat a frame's checksum (`CHECKSUM_NONE`, `CHECKSUM_UNNECESSARY`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RxCsum {
    /// The stack checks the checksum itself.
    None,
    /// The hardware verified the TCP or UDP checksum.
    Unnecessary,
}

/// Why a received frame is dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RxError {
    /// A frame error bit ([`rx_status::FRAME_ERR`]) is set.
    Frame,
    /// The frame spans several buffers (no EOP), which the driver does not assemble: its
    /// buffers are as large as the largest frame it accepts, so this is an oversized frame.
    Fragmented,
    /// Shorter than an Ethernet header, or longer than the buffer.
    BadLength,
}

impl RxWriteBack {
    /// Decodes a descriptor's four little-endian dwords, as read from memory.
    pub const fn from_dwords(d: [u32; 4]) -> Self {
        Self {
            pkt_info: d[0] as u16,
            rss_or_ipid: d[1],
            status_error: d[2],
            length: d[3] as u16,
            vlan: (d[3] >> 16) as u16,
        }
    }

    /// Returns `true` once the hardware wrote the descriptor back (DD).
    ///
    /// The driver reads the other fields only after this, behind a read barrier
    /// (`dma_rmb()`). See [`rx_read`] for why DD, where C igb tests the length.
    pub const fn done(&self) -> bool {
        self.status_error & rx_status::DD != 0
    }

    /// Returns the packet type bits of `pkt_info`.
    pub const fn ptype(&self) -> u16 {
        self.pkt_info & rx_ptype::MASK
    }

    /// Returns `true` if the hardware parsed the frame as TCP over IPv4 or IPv6: the traffic
    /// GRO merges. The driver sends only these through GRO when it delivers lists (sfc's
    /// `efx_rx_packet()` decides the same way); for anything else GRO would look up a socket
    /// or tunnel and flush at once.
    pub const fn is_tcp(&self) -> bool {
        let p = self.pkt_info;
        p & rx_ptype::ETQF == 0
            && p & (rx_ptype::IPV4 | rx_ptype::IPV6 | rx_ptype::IPV6_EX) != 0
            && p & rx_ptype::TCP != 0
    }

    /// Checks a written-back descriptor of a buffer of `buf_len` bytes and returns the frame's
    /// length, or why it must be dropped. `min_len` is the shortest acceptable frame (an
    /// Ethernet header).
    pub const fn frame_len(&self, buf_len: u16, min_len: u16) -> Result<u16, RxError> {
        if self.status_error & rx_status::FRAME_ERR != 0 {
            return Err(RxError::Frame);
        }
        if self.status_error & rx_status::EOP == 0 {
            return Err(RxError::Fragmented);
        }
        if self.length < min_len || self.length > buf_len {
            return Err(RxError::BadLength);
        }
        Ok(self.length)
    }

    /// Returns the checksum state for the stack, as C igb's `igb_rx_checksum()` decides it:
    /// a checksum error, or no check, leaves it to the stack.
    pub const fn csum(&self) -> RxCsum {
        let s = self.status_error;
        if s & rx_status::IXSM != 0 || s & (rx_status::L4E | rx_status::IPE) != 0 {
            return RxCsum::None;
        }
        if s & (rx_status::TCPCS | rx_status::UDPCS) != 0 {
            RxCsum::Unnecessary
        } else {
            RxCsum::None
        }
    }

    /// Returns `true` if a TCP/UDP or IPv4 checksum error was flagged for a frame of `len`
    /// bytes, which the driver counts (C igb's `rx_stats.csum_err`) before the stack checks the
    /// checksum again.
    ///
    /// As in `igb_rx_checksum()`, an error on a 60-byte frame is not counted: the 82576 sets
    /// L4E wrongly on short SCTP frames (an erratum), and the stack verifies those itself.
    pub const fn csum_error(&self, len: u16) -> bool {
        self.status_error & rx_status::IXSM == 0
            && self.status_error & (rx_status::L4E | rx_status::IPE) != 0
            && len != 60
    }
}

/// Bits of the TX data descriptor's `cmd_type_len` dword (`E1000_ADVTXD_*`).
pub mod tx_cmd {
    /// Data descriptor type.
    pub const DTYP_DATA: u32 = 0x0030_0000;
    /// End of packet.
    pub const EOP: u32 = 0x0100_0000;
    /// Insert the frame check sequence.
    pub const IFCS: u32 = 0x0200_0000;
    /// Report status: write DD back when done.
    pub const RS: u32 = 0x0800_0000;
    /// Advanced descriptor.
    pub const DEXT: u32 = 0x2000_0000;
    /// The bits of the buffer length.
    pub const LEN_MASK: u32 = 0xffff;
}

/// The shift of PAYLEN in `olinfo_status` (`E1000_ADVTXD_PAYLEN_SHIFT`).
pub const TX_PAYLEN_SHIFT: u32 = 14;
/// The largest buffer one TX data descriptor takes (`IGB_MAX_DATA_PER_TXD`).
pub const TX_MAX_DATA_PER_DESC: u32 = 1 << 15;
/// The DD bit of a TX descriptor's write-back `status` dword (`E1000_TXD_STAT_DD`).
pub const TX_STAT_DD: u32 = 0x01;

/// An advanced TX data descriptor for one buffer of `len` bytes of a frame of `frame_len`
/// bytes: the frame's first buffer if `first`, its last if `last`. Returns the four
/// little-endian dwords in memory order, or `None` if `len` is 0 or above
/// [`TX_MAX_DATA_PER_DESC`], or the frame is longer than PAYLEN holds.
///
/// Like C igb's `igb_tx_map()`: DTYP_DATA, DEXT and IFCS on every descriptor, EOP and RS on
/// the last; PAYLEN in the first descriptor's `olinfo_status`, 0 in the others. The status
/// bits 3:0 start at 0, as the DD write-back needs.
pub const fn tx_data(
    buf_addr: u64,
    len: u32,
    frame_len: u32,
    first: bool,
    last: bool,
) -> Option<[u32; 4]> {
    if len == 0 || len > TX_MAX_DATA_PER_DESC || frame_len >= 1 << (32 - TX_PAYLEN_SHIFT) {
        return None;
    }
    let mut cmd = tx_cmd::DTYP_DATA | tx_cmd::DEXT | tx_cmd::IFCS | (len & tx_cmd::LEN_MASK);
    if last {
        cmd |= tx_cmd::EOP | tx_cmd::RS;
    }
    let olinfo = if first {
        frame_len << TX_PAYLEN_SHIFT
    } else {
        0
    };
    Some([buf_addr as u32, (buf_addr >> 32) as u32, cmd, olinfo])
}

/// Returns `true` if a TX descriptor's write-back (its fourth dword) says the hardware is done
/// with it.
pub const fn tx_done(status: u32) -> bool {
    status & TX_STAT_DD != 0
}

/// Returns the number of data descriptors a buffer of `len` bytes takes (C igb's
/// `TXD_USE_COUNT()`).
pub const fn tx_descs_for(len: u32) -> u32 {
    len.div_ceil(TX_MAX_DATA_PER_DESC)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ETH_HLEN: u16 = 14;

    fn wb(status_error: u32, length: u16) -> RxWriteBack {
        RxWriteBack::from_dwords([
            0x0110,
            0xdead_beef,
            status_error,
            u32::from(length) | 0x0064 << 16,
        ])
    }

    #[test]
    fn rx_read_format() {
        assert_eq!(rx_read(0x0000_0012_3456_7000), [0x3456_7000, 0x12, 0, 0]);
    }

    #[test]
    fn rx_write_back_fields() {
        let d = wb(rx_status::DD | rx_status::EOP | rx_status::VP, 60);
        assert!(d.done());
        assert_eq!(d.ptype(), rx_ptype::IPV4 | rx_ptype::TCP);
        assert_eq!(d.rss_or_ipid, 0xdead_beef);
        assert_eq!((d.length, d.vlan), (60, 100));
        assert!(!RxWriteBack::from_dwords([0; 4]).done());
    }

    #[test]
    fn rx_tcp_from_packet_type() {
        let with = |pkt_info: u16| RxWriteBack::from_dwords([pkt_info.into(), 0, 0, 0]);
        assert!(with(rx_ptype::IPV4 | rx_ptype::TCP).is_tcp());
        assert!(with(rx_ptype::IPV6 | rx_ptype::TCP | 0x1).is_tcp());
        assert!(with(rx_ptype::IPV6_EX | rx_ptype::TCP).is_tcp());
        assert!(!with(rx_ptype::IPV4 | rx_ptype::UDP).is_tcp());
        assert!(!with(rx_ptype::IPV4).is_tcp());
        // No L3 header the hardware knows: not trusted as TCP.
        assert!(!with(rx_ptype::TCP).is_tcp());
        // An EtherType filter's index overlays the type bits.
        assert!(!with(rx_ptype::ETQF | rx_ptype::IPV4 | rx_ptype::TCP).is_tcp());
    }

    #[test]
    fn rx_frame_checks() {
        let ok = rx_status::DD | rx_status::EOP;
        assert_eq!(wb(ok, 60).frame_len(2048, ETH_HLEN), Ok(60));
        assert_eq!(wb(ok, 14).frame_len(2048, ETH_HLEN), Ok(14));
        assert_eq!(
            wb(ok, 13).frame_len(2048, ETH_HLEN),
            Err(RxError::BadLength)
        );
        assert_eq!(
            wb(ok, 2049).frame_len(2048, ETH_HLEN),
            Err(RxError::BadLength)
        );
        assert_eq!(
            wb(rx_status::DD, 60).frame_len(2048, ETH_HLEN),
            Err(RxError::Fragmented)
        );
        for e in [
            rx_status::CE,
            rx_status::SE,
            rx_status::SEQ,
            rx_status::CXE,
            rx_status::RXE,
        ] {
            assert_eq!(
                wb(ok | e, 60).frame_len(2048, ETH_HLEN),
                Err(RxError::Frame)
            );
        }
        // Checksum errors are not frame errors: the stack checks again.
        assert_eq!(
            wb(ok | rx_status::L4E, 60).frame_len(2048, ETH_HLEN),
            Ok(60)
        );
    }

    #[test]
    fn rx_checksum_like_igb_rx_checksum() {
        let ok = rx_status::DD | rx_status::EOP;
        assert_eq!(wb(ok | rx_status::TCPCS, 60).csum(), RxCsum::Unnecessary);
        assert_eq!(wb(ok | rx_status::UDPCS, 60).csum(), RxCsum::Unnecessary);
        assert_eq!(wb(ok | rx_status::IPCS, 60).csum(), RxCsum::None);
        assert_eq!(wb(ok, 60).csum(), RxCsum::None);
        let bad = wb(ok | rx_status::TCPCS | rx_status::L4E, 64);
        assert_eq!((bad.csum(), bad.csum_error(64)), (RxCsum::None, true));
        // The SCTP erratum: not counted on a 60-byte frame, but still left to the stack.
        assert!(!bad.csum_error(60));
        let bad = wb(ok | rx_status::IPCS | rx_status::IPE, 64);
        assert_eq!((bad.csum(), bad.csum_error(64)), (RxCsum::None, true));
        let ign = wb(ok | rx_status::IXSM | rx_status::TCPCS | rx_status::L4E, 64);
        assert_eq!((ign.csum(), ign.csum_error(64)), (RxCsum::None, false));
    }

    #[test]
    fn tx_data_descriptor() {
        let d = tx_data(0x1_0000_2000, 60, 60, true, true).unwrap();
        assert_eq!(d[0], 0x0000_2000);
        assert_eq!(d[1], 1);
        assert_eq!(d[2], 0x2b30_003c);
        assert_eq!(d[3], 60 << 14);
        assert_eq!(d[3] & 0xf, 0);
        let mid = tx_data(0x1000, 4096, 9000, false, false).unwrap();
        assert_eq!(mid[2] & (tx_cmd::EOP | tx_cmd::RS), 0);
        assert_eq!(mid[3], 0);
        assert_eq!(mid[2] & tx_cmd::LEN_MASK, 4096);
        assert_eq!(tx_data(0x1000, 0, 60, true, true), None);
        assert_eq!(
            tx_data(0x1000, TX_MAX_DATA_PER_DESC + 1, 60, true, true),
            None
        );
        assert_eq!(tx_data(0x1000, 60, 1 << 18, true, true), None);
        // The largest buffer.
        let max = tx_data(
            0x1000,
            TX_MAX_DATA_PER_DESC,
            TX_MAX_DATA_PER_DESC,
            true,
            true,
        )
        .unwrap();
        assert_eq!(max[2] & tx_cmd::LEN_MASK, TX_MAX_DATA_PER_DESC);
        assert!(tx_done(max[3] | TX_STAT_DD));
        assert!(!tx_done(max[3]));
    }

    #[test]
    fn tx_desc_count() {
        assert_eq!(tx_descs_for(0), 0);
        assert_eq!(tx_descs_for(1), 1);
        assert_eq!(tx_descs_for(TX_MAX_DATA_PER_DESC), 1);
        assert_eq!(tx_descs_for(TX_MAX_DATA_PER_DESC + 1), 2);
        assert_eq!(tx_descs_for(65536), 2);
    }
}
