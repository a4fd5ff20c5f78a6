// SPDX-License-Identifier: GPL-2.0

//! The 82576's multicast table array (MTA): a 4,096-bit hash filter for multicast frames.
//!
//! With RCTL.MO at 0, a frame's hash is bits 47:36 of its destination address (the high nibble
//! of byte 4 and all of byte 5); the port takes the frame if that bit of the table is set
//! (`igb_hash_mc_addr()` with `mc_filter_type` 0, `igb_update_mc_addr_list()`). Register `n` holds
//! bits `32 * n` to `32 * n + 31`.
//!
//! Pure logic without kernel dependencies: the driver includes this file unchanged, and the
//! host crate in this directory tests it.

/// The number of 32-bit MTA registers.
pub const MTA_REGS: usize = 128;

/// A multicast table, built in memory and then written to the MTA registers whole, as C igb
/// writes its shadow copy.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MulticastTable([u32; MTA_REGS]);

impl Default for MulticastTable {
    fn default() -> Self {
        Self::new()
    }
}

impl MulticastTable {
    /// Returns a table that takes no multicast frame.
    pub const fn new() -> Self {
        Self([0; MTA_REGS])
    }

    /// Returns the hash of destination address `addr`: the table bit it selects.
    pub const fn hash(addr: &[u8; 6]) -> u16 {
        (addr[4] >> 4) as u16 | ((addr[5] as u16) << 4)
    }

    /// Lets frames to `addr` through (and to any address with the same hash).
    pub fn add(&mut self, addr: &[u8; 6]) {
        let h = usize::from(Self::hash(addr));
        self.0[h >> 5] |= 1 << (h & 0x1f);
    }

    /// Returns whether the table lets frames to `addr` through.
    pub fn takes(&self, addr: &[u8; 6]) -> bool {
        let h = usize::from(Self::hash(addr));
        self.0[h >> 5] & (1 << (h & 0x1f)) != 0
    }

    /// Returns the values of the MTA registers, in register order.
    pub fn regs(&self) -> &[u32; MTA_REGS] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_address_bits_47_to_36() {
        // igb_hash_mc_addr()'s example: 01:AA:00:12:34:56 hashes to 0x563 with filter type 0.
        assert_eq!(
            MulticastTable::hash(&[0x01, 0xaa, 0x00, 0x12, 0x34, 0x56]),
            0x563
        );
        assert_eq!(
            MulticastTable::hash(&[0x01, 0x00, 0x5e, 0x00, 0x00, 0x01]),
            0x010
        );
        assert_eq!(
            MulticastTable::hash(&[0x33, 0x33, 0xff, 0xff, 0xff, 0xff]),
            0xfff
        );
    }

    #[test]
    fn add_sets_one_bit_in_its_register() {
        let mut t = MulticastTable::new();
        let a = [0x01, 0xaa, 0x00, 0x12, 0x34, 0x56];
        assert!(!t.takes(&a));
        t.add(&a);
        assert!(t.takes(&a));
        // 0x563: register 0x2b, bit 3.
        for (i, r) in t.regs().iter().enumerate() {
            assert_eq!(*r, if i == 0x2b { 1 << 3 } else { 0 }, "register {i}");
        }
        // Another address with the same bits 47:36 passes too; one without does not.
        assert!(t.takes(&[0x01, 0x00, 0x5e, 0x7f, 0x34, 0x56]));
        assert!(!t.takes(&[0x01, 0x00, 0x5e, 0x7f, 0x44, 0x56]));
    }

    #[test]
    fn every_hash_has_its_own_bit() {
        let mut t = MulticastTable::new();
        for h in 0..4096u16 {
            let a = [0x01, 0, 0x5e, 0, ((h & 0xf) << 4) as u8, (h >> 4) as u8];
            assert_eq!(MulticastTable::hash(&a), h);
            assert!(!t.takes(&a));
            t.add(&a);
            assert!(t.takes(&a));
        }
        assert!(t.regs().iter().all(|r| *r == u32::MAX));
    }
}
