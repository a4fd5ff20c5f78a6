// SPDX-License-Identifier: GPL-2.0

//! rfilter's rules: what a rule matches, how it is checked, and the compact form the hot path
//! evaluates.
//!
//! A rule as configured ([`RuleSpec`]) names its hook and family, optional input and output
//! interfaces, source and destination prefixes, L4 protocol and port ranges, and an
//! [`Action`]. [`RuleSpec::check`] refuses what cannot match or makes no sense, with a
//! [`RuleError`] whose message the configuration interface hands to the user.
//! [`RuleSpec::compile`] turns a checked rule into a [`Compiled`] one: fixed-size, with the
//! addresses as masked 128-bit integers, so that [`evaluate`] tests a packet against a rule with
//! a handful of integer comparisons and no branch on the family.
//!
//! Pure logic without kernel dependencies: the module includes this file unchanged, and the
//! host crate in this directory tests it against a naive model.

/// An address family rfilter filters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// IPv4 (`NFPROTO_IPV4`).
    Ipv4,
    /// IPv6 (`NFPROTO_IPV6`).
    Ipv6,
}

impl Family {
    /// The longest prefix of an address of this family, in bits.
    pub const fn max_prefix(self) -> u8 {
        match self {
            Family::Ipv4 => 32,
            Family::Ipv6 => 128,
        }
    }
}

/// A hook point rfilter filters at (`enum nf_inet_hooks`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hook {
    /// `NF_INET_PRE_ROUTING`: every packet received, before routing.
    PreRouting,
    /// `NF_INET_LOCAL_IN`: packets for this host.
    LocalIn,
    /// `NF_INET_FORWARD`: packets routed through this host.
    Forward,
    /// `NF_INET_LOCAL_OUT`: packets this host sends.
    LocalOut,
}

impl Hook {
    /// Every hook point, in `enum nf_inet_hooks` order.
    pub const ALL: [Hook; 4] = [
        Hook::PreRouting,
        Hook::LocalIn,
        Hook::Forward,
        Hook::LocalOut,
    ];

    /// Returns the hook's index in [`Hook::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Returns `true` if packets at this hook have an input interface.
    pub const fn has_input(self) -> bool {
        !matches!(self, Hook::LocalOut)
    }

    /// Returns `true` if packets at this hook have an output interface (routing chose it).
    pub const fn has_output(self) -> bool {
        matches!(self, Hook::Forward | Hook::LocalOut)
    }
}

/// What happens to a packet a rule matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Let it through: later rules at this hook are not evaluated (`NF_ACCEPT`).
    Accept,
    /// Drop it (`NF_DROP`).
    Drop,
    /// Count it and go on with the next rule.
    Count,
}

/// An address prefix: the first `len` bits of `addr`, whose other bits are ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prefix {
    /// The address in network byte order; an IPv4 address in the first four bytes.
    pub addr: [u8; 16],
    /// The prefix length in bits.
    pub len: u8,
}

/// An inclusive range of L4 ports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ports {
    /// The lowest port of the range.
    pub lo: u16,
    /// The highest port of the range.
    pub hi: u16,
}

/// L4 protocols whose headers start with source and destination ports.
pub mod proto {
    /// TCP.
    pub const TCP: u8 = 6;
    /// UDP.
    pub const UDP: u8 = 17;
    /// DCCP.
    pub const DCCP: u8 = 33;
    /// SCTP.
    pub const SCTP: u8 = 132;
    /// UDP-Lite.
    pub const UDPLITE: u8 = 136;

    /// Returns `true` if `p`'s header starts with two 16-bit ports.
    pub const fn has_ports(p: u8) -> bool {
        matches!(p, TCP | UDP | DCCP | SCTP | UDPLITE)
    }
}

/// A rule as configured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleSpec {
    /// The family of the packets it filters.
    pub family: Family,
    /// The hook point it filters at.
    pub hook: Hook,
    /// The input interface's index, if the rule names one.
    pub iif: Option<u32>,
    /// The output interface's index, if the rule names one.
    pub oif: Option<u32>,
    /// The source prefix, if any.
    pub src: Option<Prefix>,
    /// The destination prefix, if any.
    pub dst: Option<Prefix>,
    /// The L4 protocol, if any.
    pub proto: Option<u8>,
    /// The source ports, if any; needs a [`proto`] with ports.
    pub sport: Option<Ports>,
    /// The destination ports, if any; needs a [`proto`] with ports.
    pub dport: Option<Ports>,
    /// What to do with a packet it matches.
    pub action: Action,
}

/// Why a rule is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleError {
    /// A prefix is longer than the family's addresses.
    PrefixTooLong,
    /// A prefix has bits set beyond its length.
    PrefixHostBits,
    /// A port range's low end is above its high end.
    InvertedPorts,
    /// Ports without a protocol that has them.
    PortsNeedProtocol,
    /// An input interface at a hook whose packets have none (output).
    NoInputAtHook,
    /// An output interface at a hook whose packets have none yet (prerouting, input).
    NoOutputAtHook,
    /// Interface index 0, which no interface has.
    BadInterface,
}

impl RuleError {
    /// The message for the user (the extack message the module sends).
    pub const fn message(self) -> &'static core::ffi::CStr {
        match self {
            RuleError::PrefixTooLong => c"rfilter: prefix longer than the family's addresses",
            RuleError::PrefixHostBits => c"rfilter: prefix has address bits set beyond its length",
            RuleError::InvertedPorts => c"rfilter: port range's low end above its high end",
            RuleError::PortsNeedProtocol => {
                c"rfilter: ports need a protocol with ports (tcp, udp, ...)"
            }
            RuleError::NoInputAtHook => c"rfilter: no input interface at the output hook",
            RuleError::NoOutputAtHook => c"rfilter: no output interface before routing",
            RuleError::BadInterface => c"rfilter: no interface has index 0",
        }
    }
}

/// Returns the address of `p` as a big-endian integer, IPv4 in its 32 high bits, and the mask of
/// its first `len` bits.
const fn masked(p: &Prefix) -> (u128, u128) {
    let addr = u128::from_be_bytes(p.addr);
    let mask = if p.len == 0 {
        0
    } else {
        u128::MAX << (128 - p.len as u32)
    };
    (addr & mask, mask)
}

impl RuleSpec {
    /// Checks that the rule can be compiled and means something; returns why not.
    pub const fn check(&self) -> Result<(), RuleError> {
        let max = self.family.max_prefix();
        let mut i = 0;
        let prefixes = [self.src, self.dst];
        while i < prefixes.len() {
            if let Some(p) = prefixes[i] {
                if p.len > max {
                    return Err(RuleError::PrefixTooLong);
                }
                let (net, _) = masked(&p);
                if net != u128::from_be_bytes(p.addr) {
                    return Err(RuleError::PrefixHostBits);
                }
            }
            i += 1;
        }
        let ports = [self.sport, self.dport];
        let mut i = 0;
        while i < ports.len() {
            if let Some(r) = ports[i] {
                if r.lo > r.hi {
                    return Err(RuleError::InvertedPorts);
                }
                match self.proto {
                    Some(p) if proto::has_ports(p) => {}
                    _ => return Err(RuleError::PortsNeedProtocol),
                }
            }
            i += 1;
        }
        if matches!(self.iif, Some(0)) || matches!(self.oif, Some(0)) {
            return Err(RuleError::BadInterface);
        }
        if self.iif.is_some() && !self.hook.has_input() {
            return Err(RuleError::NoInputAtHook);
        }
        if self.oif.is_some() && !self.hook.has_output() {
            return Err(RuleError::NoOutputAtHook);
        }
        Ok(())
    }

    /// Returns the rule's run-time form, or why it is refused ([`RuleSpec::check`]).
    pub const fn compile(&self) -> Result<Compiled, RuleError> {
        if let Err(e) = self.check() {
            return Err(e);
        }
        let mut c = Compiled {
            src: 0,
            src_mask: 0,
            dst: 0,
            dst_mask: 0,
            iif: 0,
            oif: 0,
            sport_lo: 0,
            sport_hi: u16::MAX,
            dport_lo: 0,
            dport_hi: u16::MAX,
            proto: 0,
            needs: 0,
            action: self.action,
        };
        if let Some(p) = self.src {
            (c.src, c.src_mask) = masked(&p);
        }
        if let Some(p) = self.dst {
            (c.dst, c.dst_mask) = masked(&p);
        }
        if let Some(i) = self.iif {
            c.iif = i;
            c.needs |= Compiled::IIF;
        }
        if let Some(o) = self.oif {
            c.oif = o;
            c.needs |= Compiled::OIF;
        }
        if let Some(p) = self.proto {
            c.proto = p;
            c.needs |= Compiled::PROTO;
        }
        if let Some(r) = self.sport {
            (c.sport_lo, c.sport_hi) = (r.lo, r.hi);
            c.needs |= Compiled::PORTS;
        }
        if let Some(r) = self.dport {
            (c.dport_lo, c.dport_hi) = (r.lo, r.hi);
            c.needs |= Compiled::PORTS;
        }
        Ok(c)
    }
}

/// A rule's run-time form: fixed size, the addresses masked, the unset matches neutral (a mask
/// of 0, a full port range), so that a test is a few comparisons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Compiled {
    src: u128,
    src_mask: u128,
    dst: u128,
    dst_mask: u128,
    iif: u32,
    oif: u32,
    sport_lo: u16,
    sport_hi: u16,
    dport_lo: u16,
    dport_hi: u16,
    proto: u8,
    /// The [`Compiled::IIF`], ... bits of the matches that are set.
    needs: u8,
    action: Action,
}

impl Compiled {
    const IIF: u8 = 1 << 0;
    const OIF: u8 = 1 << 1;
    const PROTO: u8 = 1 << 2;
    const PORTS: u8 = 1 << 3;

    /// Returns the rule's action.
    pub const fn action(&self) -> Action {
        self.action
    }

    /// Returns `true` if the rule reads a packet's [`Packet::proto`] (its protocol or its
    /// ports are matched). If no rule at a hook does, the hook need not find the protocol
    /// (for IPv6, walk the extension headers).
    pub const fn reads_proto(&self) -> bool {
        self.needs & (Self::PROTO | Self::PORTS) != 0
    }

    /// Returns `true` if the rule reads a packet's [`Packet::ports`]. If no rule at a hook
    /// does, the hook need not read the L4 header.
    pub const fn reads_ports(&self) -> bool {
        self.needs & Self::PORTS != 0
    }

    /// Tests the rule against `pkt`.
    #[inline]
    pub fn matches(&self, pkt: &Packet) -> Match {
        if pkt.src & self.src_mask != self.src || pkt.dst & self.dst_mask != self.dst {
            return Match::No;
        }
        if self.needs == 0 {
            return Match::Yes;
        }
        if self.needs & Self::IIF != 0 && pkt.iif != self.iif {
            return Match::No;
        }
        if self.needs & Self::OIF != 0 && pkt.oif != self.oif {
            return Match::No;
        }
        if self.needs & Self::PROTO != 0 {
            match pkt.proto {
                Some(p) if p == self.proto => {}
                Some(_) => return Match::No,
                None => return Match::Unreadable,
            }
        }
        if self.needs & Self::PORTS != 0 {
            let (sport, dport) = match pkt.ports {
                L4Ports::Known(s, d) => (s, d),
                // A fragment after the first has no ports, so no port rule matches it.
                L4Ports::None => return Match::No,
                L4Ports::Unreadable => return Match::Unreadable,
            };
            if sport < self.sport_lo
                || sport > self.sport_hi
                || dport < self.dport_lo
                || dport > self.dport_hi
            {
                return Match::No;
            }
        }
        Match::Yes
    }
}

/// Whether a rule matches a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Match {
    /// It matches.
    Yes,
    /// It does not.
    No,
    /// It needs a header of the packet that cannot be read: the packet is dropped, as
    /// `ip6_tables` drops what it cannot parse ("hotdrop"), so that a malformed packet cannot
    /// slip past a rule.
    Unreadable,
}

/// The ports of a packet's L4 header, as far as they can be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum L4Ports {
    /// The source and destination ports.
    Known(u16, u16),
    /// The packet has none: its protocol has no ports, or it is a fragment after the first.
    None,
    /// The packet should have them but they cannot be read: its L4 header is cut short, or
    /// its headers could not be parsed.
    Unreadable,
}

/// What the hot path knows of a packet at a hook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Packet {
    /// The input interface's index, 0 if none.
    pub iif: u32,
    /// The output interface's index, 0 if none.
    pub oif: u32,
    /// The source address, big-endian, IPv4 in the 32 high bits.
    pub src: u128,
    /// The destination address, the same way.
    pub dst: u128,
    /// The L4 protocol (the last IPv6 next header); `None` if the headers before it could not
    /// be parsed.
    pub proto: Option<u8>,
    /// The source and destination ports.
    pub ports: L4Ports,
}

impl Packet {
    /// Returns an IPv4 address as [`Packet::src`] and [`Packet::dst`] hold it.
    pub const fn v4(addr: [u8; 4]) -> u128 {
        (u32::from_be_bytes(addr) as u128) << 96
    }

    /// Returns an IPv6 address as [`Packet::src`] and [`Packet::dst`] hold it.
    pub const fn v6(addr: [u8; 16]) -> u128 {
        u128::from_be_bytes(addr)
    }
}

/// A hook's verdict on a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Let it through.
    Accept,
    /// Drop it; the rule at this index decided.
    Drop(usize),
    /// Drop it: the rule at this index needs a header the packet's cannot give
    /// ([`Match::Unreadable`]).
    Malformed(usize),
}

/// Evaluates `rules` in order for `pkt`: the first rule that accepts or drops decides, counting
/// rules count and go on; no decision accepts; a rule that cannot read what it needs drops the
/// packet ([`Verdict::Malformed`]). `counted` is called with the index of every rule that
/// matched, the deciding one included.
#[inline]
pub fn evaluate(rules: &[Compiled], pkt: &Packet, mut counted: impl FnMut(usize)) -> Verdict {
    for (i, r) in rules.iter().enumerate() {
        match r.matches(pkt) {
            Match::No => continue,
            Match::Unreadable => return Verdict::Malformed(i),
            Match::Yes => {}
        }
        counted(i);
        match r.action {
            Action::Accept => return Verdict::Accept,
            Action::Drop => return Verdict::Drop(i),
            Action::Count => {}
        }
    }
    Verdict::Accept
}

/// What a hook reads of an IP header: the addresses, as [`Packet`] holds them, the L4
/// protocol and where its header starts, if this packet has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpHeader {
    /// The source address.
    pub src: u128,
    /// The destination address.
    pub dst: u128,
    /// The L4 protocol.
    pub proto: u8,
    /// Where the L4 header is.
    pub l4: L4At,
}

/// Where a packet's L4 header is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum L4At {
    /// At this offset from the IP header.
    Offset(u32),
    /// Nowhere: the packet is a fragment after the first.
    None,
    /// The IP headers cannot say: they are malformed.
    Unknown,
}

/// Parses the first 20 bytes of an IPv4 header. Its addresses are read whatever it says; a
/// header length below the minimum (possible only from a raw socket) leaves the L4 header
/// [`L4At::Unknown`].
pub fn parse_ipv4(h: &[u8; 20]) -> IpHeader {
    let ihl = u32::from(h[0] & 0xf) * 4;
    // The fragment offset: the low 13 bits of bytes 6 and 7.
    let frag_off = u16::from_be_bytes([h[6], h[7]]) & 0x1fff;
    IpHeader {
        src: Packet::v4([h[12], h[13], h[14], h[15]]),
        dst: Packet::v4([h[16], h[17], h[18], h[19]]),
        proto: h[9],
        l4: if ihl < 20 {
            L4At::Unknown
        } else if frag_off != 0 {
            L4At::None
        } else {
            L4At::Offset(ihl)
        },
    }
}

/// Returns what the rules know of an L4 header: the ports of protocol `proto`, whose header
/// starts at `l4` (as [`IpHeader::l4`] says), read with `read` (`None` if the packet is too
/// short).
pub fn l4_ports(proto: u8, l4: L4At, read: impl FnOnce(u32) -> Option<[u8; 4]>) -> L4Ports {
    if !proto::has_ports(proto) {
        return L4Ports::None;
    }
    match l4 {
        L4At::Unknown => L4Ports::Unreadable,
        L4At::None => L4Ports::None,
        L4At::Offset(off) => match read(off) {
            Some(h) => {
                let (s, d) = parse_ports(&h);
                L4Ports::Known(s, d)
            }
            None => L4Ports::Unreadable,
        },
    }
}

/// Returns the source and destination addresses of a fixed IPv6 header (40 bytes), as
/// [`Packet`] holds them.
pub fn ipv6_addrs(h: &[u8; 40]) -> (u128, u128) {
    let mut src = [0; 16];
    let mut dst = [0; 16];
    src.copy_from_slice(&h[8..24]);
    dst.copy_from_slice(&h[24..40]);
    (Packet::v6(src), Packet::v6(dst))
}

/// Parses the source and destination ports at the start of an L4 header.
pub fn parse_ports(h: &[u8; 4]) -> (u16, u16) {
    (
        u16::from_be_bytes([h[0], h[1]]),
        u16::from_be_bytes([h[2], h[3]]),
    )
}
