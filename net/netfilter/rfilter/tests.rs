// SPDX-License-Identifier: GPL-2.0

//! rfilter's rules against a naive model: random rules and packets, each rule's verdict
//! computed field by field from the configured form.

use crate::rules::*;
use std::vec::Vec;

fn v4(a: [u8; 4], len: u8) -> Prefix {
    let mut addr = [0; 16];
    addr[..4].copy_from_slice(&a);
    Prefix { addr, len }
}

fn spec(family: Family, hook: Hook) -> RuleSpec {
    RuleSpec {
        family,
        hook,
        iif: None,
        oif: None,
        src: None,
        dst: None,
        proto: None,
        sport: None,
        dport: None,
        action: Action::Drop,
    }
}

fn pkt4(src: [u8; 4], dst: [u8; 4], proto: u8, ports: Option<(u16, u16)>) -> Packet {
    Packet {
        iif: 2,
        oif: 3,
        src: Packet::v4(src),
        dst: Packet::v4(dst),
        proto: Some(proto),
        ports: match ports {
            Some((s, d)) => L4Ports::Known(s, d),
            None => L4Ports::None,
        },
    }
}

#[test]
fn refused_rules() {
    let base = spec(Family::Ipv4, Hook::Forward);
    let cases = [
        (
            RuleSpec {
                src: Some(v4([10, 0, 0, 0], 33)),
                ..base
            },
            RuleError::PrefixTooLong,
        ),
        (
            RuleSpec {
                dst: Some(v4([10, 0, 0, 1], 24)),
                ..base
            },
            RuleError::PrefixHostBits,
        ),
        (
            RuleSpec {
                proto: Some(proto::UDP),
                dport: Some(Ports { lo: 9, hi: 8 }),
                ..base
            },
            RuleError::InvertedPorts,
        ),
        (
            RuleSpec {
                sport: Some(Ports { lo: 1, hi: 2 }),
                ..base
            },
            RuleError::PortsNeedProtocol,
        ),
        (
            RuleSpec {
                proto: Some(1),
                dport: Some(Ports { lo: 1, hi: 2 }),
                ..base
            },
            RuleError::PortsNeedProtocol,
        ),
        (
            RuleSpec {
                iif: Some(0),
                ..base
            },
            RuleError::BadInterface,
        ),
        (
            RuleSpec {
                iif: Some(2),
                ..spec(Family::Ipv4, Hook::LocalOut)
            },
            RuleError::NoInputAtHook,
        ),
        (
            RuleSpec {
                oif: Some(2),
                ..spec(Family::Ipv6, Hook::PreRouting)
            },
            RuleError::NoOutputAtHook,
        ),
        (
            RuleSpec {
                oif: Some(2),
                ..spec(Family::Ipv6, Hook::LocalIn)
            },
            RuleError::NoOutputAtHook,
        ),
    ];
    for (rule, err) in cases {
        assert_eq!(rule.check(), Err(err), "{rule:?}");
        assert_eq!(rule.compile(), Err(err));
        assert!(err.message().to_bytes().starts_with(b"rfilter: "));
    }
    // IPv6 takes 128 bits; a /0 matches everything.
    let mut addr = [0u8; 16];
    addr[0] = 0xfd;
    let ok = RuleSpec {
        src: Some(Prefix { addr, len: 8 }),
        dst: Some(Prefix {
            addr: [0; 16],
            len: 0,
        }),
        ..spec(Family::Ipv6, Hook::LocalIn)
    };
    assert_eq!(ok.check(), Ok(()));
}

#[test]
fn first_decision_wins_and_counters_see_every_match() {
    let base = spec(Family::Ipv4, Hook::Forward);
    let rules = [
        RuleSpec {
            action: Action::Count,
            ..base
        },
        RuleSpec {
            proto: Some(proto::TCP),
            action: Action::Accept,
            ..base
        },
        RuleSpec {
            dst: Some(v4([198, 18, 0, 0], 15)),
            proto: Some(proto::UDP),
            dport: Some(Ports { lo: 9, hi: 9 }),
            ..base
        },
    ]
    .map(|r| r.compile().unwrap());
    let mut seen = Vec::new();
    let udp9 = pkt4([10, 0, 0, 1], [198, 19, 0, 42], proto::UDP, Some((1000, 9)));
    assert_eq!(evaluate(&rules, &udp9, |i| seen.push(i)), Verdict::Drop(2));
    assert_eq!(seen, [0, 2]);
    seen.clear();
    let tcp9 = Packet {
        proto: Some(proto::TCP),
        ..udp9
    };
    assert_eq!(evaluate(&rules, &tcp9, |i| seen.push(i)), Verdict::Accept);
    assert_eq!(seen, [0, 1]);
    // Outside the /15, another port, or a later fragment (no ports): accepted.
    for p in [
        pkt4([10, 0, 0, 1], [198, 20, 0, 42], proto::UDP, Some((1000, 9))),
        pkt4(
            [10, 0, 0, 1],
            [198, 18, 0, 42],
            proto::UDP,
            Some((1000, 10)),
        ),
        pkt4([10, 0, 0, 1], [198, 18, 0, 42], proto::UDP, None),
    ] {
        assert_eq!(evaluate(&rules, &p, |_| {}), Verdict::Accept);
    }
    assert_eq!(evaluate(&[], &udp9, |_| unreachable!()), Verdict::Accept);

    // Headers that cannot be read: a rule that needs them drops the packet, uncounted; an
    // earlier rule that needs only addresses still decides.
    seen.clear();
    let cut = Packet {
        ports: L4Ports::Unreadable,
        ..udp9
    };
    assert_eq!(
        evaluate(&rules, &cut, |i| seen.push(i)),
        Verdict::Malformed(2)
    );
    assert_eq!(seen, [0]);
    let unparsed = Packet {
        proto: None,
        ports: L4Ports::Unreadable,
        ..udp9
    };
    assert_eq!(evaluate(&rules, &unparsed, |_| {}), Verdict::Malformed(1));
    let accept_all = [RuleSpec {
        action: Action::Accept,
        ..base
    }
    .compile()
    .unwrap()];
    assert_eq!(evaluate(&accept_all, &unparsed, |_| {}), Verdict::Accept);
}

/// xorshift64: the tests' random numbers, the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, in_n: u64) -> bool {
        self.below(in_n) == 0
    }
}

/// Addresses from a small set, so that rules and packets meet often.
fn random_addr(rng: &mut Rng, family: Family) -> [u8; 16] {
    let mut a = [0u8; 16];
    let n = if family == Family::Ipv4 { 4 } else { 16 };
    for b in a.iter_mut().take(n) {
        *b = [0, 1, 10, 0x80, 0xfd, 0xff][rng.below(6) as usize];
    }
    a
}

fn random_prefix(rng: &mut Rng, family: Family) -> Prefix {
    let len = rng.below(u64::from(family.max_prefix()) + 1) as u8;
    let mut addr = random_addr(rng, family);
    // Clear the host bits, so that the rule is accepted.
    for (i, b) in addr.iter_mut().enumerate() {
        let keep = (len as usize).saturating_sub(i * 8).min(8);
        *b &= if keep == 0 { 0 } else { 0xffu8 << (8 - keep) };
    }
    Prefix { addr, len }
}

fn random_ports(rng: &mut Rng) -> Ports {
    let a = [0, 1, 9, 53, 1000, 65535][rng.below(6) as usize];
    let b = [0, 1, 9, 53, 1000, 65535][rng.below(6) as usize];
    Ports {
        lo: a.min(b),
        hi: a.max(b),
    }
}

const PROTOS: [u8; 4] = [proto::TCP, proto::UDP, proto::SCTP, 1];

fn random_rule(rng: &mut Rng, family: Family) -> RuleSpec {
    let hook = Hook::ALL[rng.below(4) as usize];
    let proto = rng.chance(2).then(|| PROTOS[rng.below(4) as usize]);
    let with_ports = proto.is_some_and(proto::has_ports);
    RuleSpec {
        family,
        hook,
        iif: (hook.has_input() && rng.chance(3)).then(|| 1 + rng.below(3) as u32),
        oif: (hook.has_output() && rng.chance(3)).then(|| 1 + rng.below(3) as u32),
        src: rng.chance(2).then(|| random_prefix(rng, family)),
        dst: rng.chance(2).then(|| random_prefix(rng, family)),
        proto,
        sport: (with_ports && rng.chance(3)).then(|| random_ports(rng)),
        dport: (with_ports && rng.chance(2)).then(|| random_ports(rng)),
        action: [Action::Accept, Action::Drop, Action::Count][rng.below(3) as usize],
    }
}

/// The model: a rule tested field by field, from its configured form and the packet's bytes.
fn model_matches(r: &RuleSpec, pkt: &Packet, src: &[u8; 16], dst: &[u8; 16]) -> bool {
    let in_prefix = |p: &Option<Prefix>, a: &[u8; 16]| {
        p.is_none_or(|p| {
            (0..usize::from(p.len)).all(|bit| {
                let m = 0x80u8 >> (bit % 8);
                p.addr[bit / 8] & m == a[bit / 8] & m
            })
        })
    };
    let in_range = |r: &Option<Ports>, port: Option<u16>| {
        r.is_none_or(|r| port.is_some_and(|p| r.lo <= p && p <= r.hi))
    };
    in_prefix(&r.src, src)
        && in_prefix(&r.dst, dst)
        && r.iif.is_none_or(|i| i == pkt.iif)
        && r.oif.is_none_or(|o| o == pkt.oif)
        && r.proto.is_none_or(|p| Some(p) == pkt.proto)
        && in_range(&r.sport, known(pkt.ports).map(|p| p.0))
        && in_range(&r.dport, known(pkt.ports).map(|p| p.1))
}

fn known(p: L4Ports) -> Option<(u16, u16)> {
    match p {
        L4Ports::Known(s, d) => Some((s, d)),
        _ => None,
    }
}

#[test]
fn against_a_model() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let (mut cases, mut matched, mut dropped) = (0, 0, 0);
    for round in 0..2_000 {
        let family = if round % 2 == 0 {
            Family::Ipv4
        } else {
            Family::Ipv6
        };
        let specs: Vec<RuleSpec> = (0..rng.below(8))
            .map(|_| random_rule(&mut rng, family))
            .collect();
        let rules: Vec<Compiled> = specs.iter().map(|r| r.compile().unwrap()).collect();
        for _ in 0..50 {
            let (src, dst) = (random_addr(&mut rng, family), random_addr(&mut rng, family));
            let proto = PROTOS[rng.below(4) as usize];
            let addr = |a: &[u8; 16]| {
                if family == Family::Ipv4 {
                    Packet::v4([a[0], a[1], a[2], a[3]])
                } else {
                    Packet::v6(*a)
                }
            };
            let pkt = Packet {
                iif: rng.below(4) as u32,
                oif: rng.below(4) as u32,
                src: addr(&src),
                dst: addr(&dst),
                proto: Some(proto),
                ports: if !proto::has_ports(proto) || rng.chance(8) {
                    L4Ports::None
                } else {
                    L4Ports::Known(random_ports(&mut rng).lo, random_ports(&mut rng).hi)
                },
            };
            let mut want_counted = Vec::new();
            let mut want = Verdict::Accept;
            for (i, r) in specs.iter().enumerate() {
                if model_matches(r, &pkt, &src, &dst) {
                    want_counted.push(i);
                    match r.action {
                        Action::Accept => break,
                        Action::Drop => {
                            want = Verdict::Drop(i);
                            break;
                        }
                        Action::Count => {}
                    }
                }
            }
            let mut counted = Vec::new();
            assert_eq!(
                evaluate(&rules, &pkt, |i| counted.push(i)),
                want,
                "{specs:?} {pkt:?}"
            );
            assert_eq!(counted, want_counted);
            // What no rule reads may be left unread (rfilter's hook does so): the verdict and
            // the counting do not change.
            let mut lazy = pkt;
            if !rules.iter().any(Compiled::reads_ports) {
                lazy.ports = L4Ports::Unreadable;
            }
            if !rules.iter().any(Compiled::reads_proto) {
                lazy.proto = None;
            }
            let mut lazy_counted = Vec::new();
            assert_eq!(evaluate(&rules, &lazy, |i| lazy_counted.push(i)), want);
            assert_eq!(lazy_counted, want_counted);
            cases += 1;
            matched += usize::from(!counted.is_empty());
            dropped += usize::from(matches!(want, Verdict::Drop(_)));
        }
    }
    // The model check means something only if rules match and drop often.
    std::println!("{cases} packets: {matched} matched a rule, {dropped} dropped");
    assert!(matched * 4 > cases && dropped * 10 > cases);
}

#[test]
fn ip_headers() {
    // 192.0.2.1 -> 198.51.100.7, UDP, no options, not fragmented (DF set).
    let mut h = [
        0x45, 0, 0, 28, 0x12, 0x34, 0x40, 0, 64, 17, 0, 0, 192, 0, 2, 1, 198, 51, 100, 7,
    ];
    let ip = parse_ipv4(&h);
    assert_eq!(ip.src, Packet::v4([192, 0, 2, 1]));
    assert_eq!(ip.dst, Packet::v4([198, 51, 100, 7]));
    assert_eq!((ip.proto, ip.l4), (17, L4At::Offset(20)));
    // Options: the L4 header is further on.
    h[0] = 0x46;
    assert_eq!(parse_ipv4(&h).l4, L4At::Offset(24));
    // The first fragment (MF set, offset 0) has the L4 header; later ones do not.
    h[6] = 0x20;
    assert_eq!(parse_ipv4(&h).l4, L4At::Offset(24));
    h[7] = 1;
    assert_eq!(parse_ipv4(&h).l4, L4At::None);
    // A header length below 20 bytes (a raw socket's): the addresses still count, the L4
    // header is unknown.
    h[0] = 0x44;
    h[7] = 0;
    let ip = parse_ipv4(&h);
    assert_eq!((ip.src, ip.l4), (Packet::v4([192, 0, 2, 1]), L4At::Unknown));

    let mut h6 = [0u8; 40];
    h6[0] = 0x60;
    h6[8] = 0x20;
    h6[23] = 1;
    h6[24] = 0xfe;
    h6[39] = 2;
    let (src, dst) = ipv6_addrs(&h6);
    assert_eq!(src, 0x2000_0000_0000_0000_0000_0000_0000_0001);
    assert_eq!(dst, 0xfe00_0000_0000_0000_0000_0000_0000_0002);

    assert_eq!(parse_ports(&[0x30, 0x39, 0, 53]), (12345, 53));
    let read = |off: u32| (off == 20).then_some([0x30, 0x39, 0, 53]);
    assert_eq!(
        l4_ports(17, L4At::Offset(20), read),
        L4Ports::Known(12345, 53)
    );
    // Cut short, unknown, a later fragment, a protocol without ports.
    assert_eq!(l4_ports(17, L4At::Offset(24), read), L4Ports::Unreadable);
    assert_eq!(l4_ports(6, L4At::Unknown, read), L4Ports::Unreadable);
    assert_eq!(l4_ports(6, L4At::None, read), L4Ports::None);
    assert_eq!(l4_ports(1, L4At::Offset(20), read), L4Ports::None);
}
