// SPDX-License-Identifier: GPL-2.0

//! rfilter: a stateless filter table per network namespace, whose hooks are registered only
//! while a rule needs them.
//!
//! A rule filters IPv4 or IPv6 packets at prerouting, input, forward or output: it matches on
//! the input and output interfaces, source and destination prefixes, L4 protocol and port
//! ranges, and accepts, drops or counts what it matches. Rules are added, deleted, flushed and
//! listed (with their packet and byte counters) over the `rfilter` generic netlink family.
//!
//! The slides' two ideas for netfilter's cost:
//! - a hook point's hook is registered when its first rule is added and unregistered when its
//!   last rule goes, so a namespace with no rule costs its packets nothing: no hook runs;
//! - the configured rules ([`rules::RuleSpec`]) stay off the hot path: each change compiles the
//!   hook point's rules into a compact run-time form ([`rules::Compiled`]), published with RCU
//!   and replaced whole, which the hook evaluates without a lock.
//!
//! Per namespace, the core keeps a mutex and a pointer for rfilter; the table itself is
//! allocated with the first rule and freed with the last.

#[allow(dead_code, unreachable_pub)] // Shared unchanged with the host crate (`host.rs`).
mod rules;

use kernel::{
    alloc::KVec,
    net::{
        genetlink::{self, Command, Dump, Request},
        namespace::{Net, NetHooks, PernetData, PernetId, PernetRegistration},
        netfilter::{self, HookPoint, Packet, State, Verdict},
        nla::{Attr, AttrType, ErasedPolicy, ExtAck, Policy},
    },
    new_mutex,
    prelude::*,
    sync::{percpu, rcu, rcu_cell::RcuCell, Arc, Mutex},
};
use rules::{Action, Compiled, Family, Hook, L4At, L4Ports, Ports, Prefix, RuleSpec};

module! {
    type: RfilterModule,
    name: "rfilter",
    authors: ["bulknet"],
    description: "rfilter: stateless filter table whose hooks exist only while rules need them",
    license: "GPL",
}

/// The most rules a namespace holds.
const MAX_RULES: usize = 1024;

/// The priority of rfilter's hook at `hook` (lower runs first), the same for IPv4 and IPv6.
/// At prerouting and output, where conntrack starts tracking a packet and DNAT rewrites it,
/// rfilter runs just after the raw table (`NF_IP_PRI_RAW + 1`): before both, so a drop costs no
/// conntrack entry and a rule sees the addresses the packet came with. At input and forward it
/// runs just after the filter table (`NF_IP_PRI_FILTER + 1`). Neither ties with iptables' or
/// nft's standard priorities, so the order does not depend on who registered first.
fn priority(hook: Hook) -> i32 {
    /// `NF_IP_PRI_RAW`, `NF_IP6_PRI_RAW`.
    const RAW: i32 = -300;
    /// `NF_IP_PRI_FILTER`, `NF_IP6_PRI_FILTER`.
    const FILTER: i32 = 0;
    match hook {
        Hook::PreRouting | Hook::LocalOut => RAW + 1,
        Hook::LocalIn | Hook::Forward => FILTER + 1,
    }
}

/// The generic netlink family's attributes (`Documentation/netlink/specs/rfilter.yaml`).
mod attr {
    /// The rule's handle (u32).
    pub(crate) const HANDLE: u16 = 1;
    /// The family: `NFPROTO_IPV4` (2) or `NFPROTO_IPV6` (10) (u8).
    pub(crate) const FAMILY: u16 = 2;
    /// The hook point: 0 prerouting, 1 input, 2 forward, 3 output (u8).
    pub(crate) const HOOK: u16 = 3;
    /// The input interface's index (u32).
    pub(crate) const IIF: u16 = 4;
    /// The output interface's index (u32).
    pub(crate) const OIF: u16 = 5;
    /// The source prefix's address, 4 or 16 bytes (binary).
    pub(crate) const SRC: u16 = 6;
    /// The source prefix's length (u8).
    pub(crate) const SRC_LEN: u16 = 7;
    /// The destination prefix's address (binary).
    pub(crate) const DST: u16 = 8;
    /// The destination prefix's length (u8).
    pub(crate) const DST_LEN: u16 = 9;
    /// The L4 protocol (u8).
    pub(crate) const PROTO: u16 = 10;
    /// The lowest source port (u16).
    pub(crate) const SPORT_LO: u16 = 11;
    /// The highest source port (u16).
    pub(crate) const SPORT_HI: u16 = 12;
    /// The lowest destination port (u16).
    pub(crate) const DPORT_LO: u16 = 13;
    /// The highest destination port (u16).
    pub(crate) const DPORT_HI: u16 = 14;
    /// The action: 0 accept, 1 drop, 2 count (u8).
    pub(crate) const ACTION: u16 = 15;
    /// Packets the rule matched (u64, in dumps).
    pub(crate) const PACKETS: u16 = 16;
    /// Bytes of the packets the rule matched, from their network header (u64, in dumps).
    pub(crate) const BYTES: u16 = 17;
    /// Padding before a u64.
    pub(crate) const PAD: u16 = 18;
    /// The highest attribute.
    pub(crate) const MAX: usize = 18;
}

/// The family's commands.
mod cmd {
    /// Adds a rule at the end of its hook point's rules.
    pub(crate) const RULE_ADD: u8 = 1;
    /// Deletes the rule with a handle.
    pub(crate) const RULE_DEL: u8 = 2;
    /// Deletes every rule.
    pub(crate) const RULE_FLUSH: u8 = 3;
    /// Lists the rules with their counters (dump).
    pub(crate) const RULE_GET: u8 = 4;
}

static POLICY: Policy<{ attr::MAX + 1 }> = Policy::new([
    AttrType::Reject,
    AttrType::U32,
    AttrType::U8,
    AttrType::U8,
    AttrType::U32,
    AttrType::U32,
    AttrType::Binary { min: 4, max: 16 },
    AttrType::U8,
    AttrType::Binary { min: 4, max: 16 },
    AttrType::U8,
    AttrType::U8,
    AttrType::U16,
    AttrType::U16,
    AttrType::U16,
    AttrType::U16,
    AttrType::U8,
    AttrType::Reject,
    AttrType::Reject,
    AttrType::Reject,
]);

/// A rule's counters, packets then bytes, per CPU; shared by its configured form and the
/// run-time forms that include it.
type Counters = percpu::Counters<2>;

/// A rule as configured.
struct Rule {
    handle: u32,
    spec: RuleSpec,
    counters: Arc<Counters>,
}

/// The run-time form of one hook point's rules, in order.
struct RuleSet {
    compiled: KVec<Compiled>,
    counters: KVec<Arc<Counters>>,
    /// Whether a rule reads the L4 protocol ([`Compiled::reads_proto`]), or the ports.
    reads_proto: bool,
    reads_ports: bool,
}

/// What a registered hook runs with: its family, and its hook point's rules.
struct HookRules {
    family: Family,
    set: RcuCell<RuleSet>,
}

/// A namespace's table, from its first rule to its last. The namespace's hooks, one per
/// family and hook point with rules (by [`slot`]), are kept beside it by the pernet
/// registration.
struct Table {
    rules: KVec<Rule>,
}

/// A namespace's rules.
struct NetState {
    /// The table, if the namespace has rules.
    table: Option<KBox<Table>>,
    /// The handle of the next rule. It outlives the table, so that a handle names one rule
    /// for the namespace's life (2^32 - 1 of them), even across a flush.
    next_handle: u32,
    /// The generation of the rules, changed with them, never 0: a dump in parts tells its
    /// reader if the rules changed between two parts (`NLM_F_DUMP_INTR`).
    generation: u32,
}

impl NetState {
    /// Records a change of the rules.
    fn changed(&mut self) {
        self.generation = self.generation.checked_add(1).unwrap_or(1);
    }
}

/// A namespace's rfilter state.
#[pin_data]
struct NetTable {
    #[pin]
    state: Mutex<NetState>,
}

static NET_ID: PernetId = PernetId::new();

impl PernetData for NetTable {
    type Hook = HookRules;
    const ID: &'static PernetId = &NET_ID;

    fn init() -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            state <- new_mutex!(NetState {
                table: None,
                next_handle: 1,
                generation: 1,
            }),
        })
    }
}

/// The hook slot of a family and hook point.
fn slot(family: Family, hook: Hook) -> usize {
    let f = match family {
        Family::Ipv4 => 0,
        Family::Ipv6 => 1,
    };
    f * Hook::ALL.len() + hook.index()
}

fn nf_family(family: Family) -> netfilter::Family {
    match family {
        Family::Ipv4 => netfilter::Family::Ipv4,
        Family::Ipv6 => netfilter::Family::Ipv6,
    }
}

fn nf_hook(hook: Hook) -> HookPoint {
    match hook {
        Hook::PreRouting => HookPoint::PreRouting,
        Hook::LocalIn => HookPoint::LocalIn,
        Hook::Forward => HookPoint::Forward,
        Hook::LocalOut => HookPoint::LocalOut,
    }
}

impl Table {
    /// Brings the hook of `family` and `hook` in line with the rules: compiles them and
    /// publishes the result, registering the hook for the first rule and unregistering it
    /// after the last. On an error nothing has changed: the hook runs the rules it ran.
    fn sync(&self, hooks: &mut NetHooks<'_, NetTable>, family: Family, hook: Hook) -> Result {
        let s = slot(family, hook);
        let mut compiled = KVec::new();
        let mut counters = KVec::new();
        for r in self
            .rules
            .iter()
            .filter(|r| r.spec.family == family && r.spec.hook == hook)
        {
            // Checked when the rule was added.
            let c = r.spec.compile().map_err(|_| EINVAL)?;
            compiled.push(c, GFP_KERNEL_ACCOUNT)?;
            counters.push(r.counters.clone(), GFP_KERNEL_ACCOUNT)?;
        }
        if compiled.is_empty() {
            // Unregisters, and waits for the packets running the hook.
            hooks.clear(s);
            return Ok(());
        }
        let set = KBox::new(
            RuleSet {
                reads_proto: compiled.iter().any(Compiled::reads_proto),
                reads_ports: compiled.iter().any(Compiled::reads_ports),
                compiled,
                counters,
            },
            GFP_KERNEL_ACCOUNT,
        )?;
        match hooks.get(s) {
            Some(rules) => {
                // The old rules go once no packet sees them.
                drop(rules.set.replace(Some(set)));
                Ok(())
            }
            None => {
                let rules = HookRules {
                    family,
                    set: RcuCell::new(set),
                };
                hooks.set(s, nf_family(family), nf_hook(hook), priority(hook), rules)
            }
        }
    }
}

impl netfilter::Hook for HookRules {
    fn hook(&self, pkt: &Packet<'_>, state: &State<'_>) -> Verdict {
        let guard = rcu::read_lock();
        let Some(set) = self.set.get(&guard) else {
            return Verdict::Accept;
        };
        // Fail closed: the stack checked the fixed IP header before this hook, so this does
        // not happen; if it did, no rule could be tested.
        let Some(p) = packet_of(self.family, pkt, state, set) else {
            return Verdict::Drop;
        };
        let verdict = rules::evaluate(&set.compiled, &p, |i| {
            if let Some(c) = set.counters.get(i) {
                // The kernel's `usize` has at least 32 bits.
                c.add([1, pkt.network_len() as usize]);
            }
        });
        match verdict {
            rules::Verdict::Accept => Verdict::Accept,
            rules::Verdict::Drop(_) | rules::Verdict::Malformed(_) => Verdict::Drop,
        }
    }
}

/// What the rules of `set` need to know of `pkt`: its L4 protocol and ports only if a rule reads
/// them. `None` only if its fixed IP header cannot be read, which the stack has checked before
/// any of rfilter's hooks.
fn packet_of(
    family: Family,
    pkt: &Packet<'_>,
    state: &State<'_>,
    set: &RuleSet,
) -> Option<rules::Packet> {
    let (src, dst, proto, l4) = match family {
        Family::Ipv4 => {
            let mut buf = [0; 20];
            let ip = rules::parse_ipv4(pkt.network_bytes(0, &mut buf)?);
            (ip.src, ip.dst, Some(ip.proto), ip.l4)
        }
        Family::Ipv6 => {
            let mut buf = [0; 40];
            let (src, dst) = rules::ipv6_addrs(pkt.network_bytes(0, &mut buf)?);
            match set.reads_proto.then(|| pkt.ipv6_upper_layer()) {
                // No rule reads them: the extension headers are not walked.
                None => (src, dst, None, L4At::Unknown),
                Some(Some((p, Some(off)))) => (src, dst, Some(p), L4At::Offset(off)),
                Some(Some((p, None))) => (src, dst, Some(p), L4At::None),
                // Extension headers that cannot be parsed: rules that need the protocol or
                // the ports drop the packet (`Verdict::Malformed`).
                Some(None) => (src, dst, None, L4At::Unknown),
            }
        }
    };
    let ports = match proto {
        Some(p) if set.reads_ports => rules::l4_ports(p, l4, |off| {
            let mut buf = [0; 4];
            pkt.network_bytes(off, &mut buf).copied()
        }),
        None if set.reads_ports => L4Ports::Unreadable,
        // No rule reads them: the L4 header is not read.
        _ => L4Ports::None,
    };
    Some(rules::Packet {
        iif: state.in_ifindex(),
        oif: state.out_ifindex(),
        src,
        dst,
        proto,
        ports,
    })
}

/// The generic netlink family `rfilter`.
struct Rfilter;

impl genetlink::Operations for Rfilter {
    type Data = Pin<KBox<PernetRegistration<NetTable>>>;

    const NAME: &'static CStr = c"rfilter";
    const VERSION: u32 = 1;
    const POLICY: ErasedPolicy = POLICY.erased();
    const COMMANDS: &'static [Command] = &[
        Command {
            cmd: cmd::RULE_ADD,
            doit: true,
            dumpit: false,
            admin: true,
        },
        Command {
            cmd: cmd::RULE_DEL,
            doit: true,
            dumpit: false,
            admin: true,
        },
        Command {
            cmd: cmd::RULE_FLUSH,
            doit: true,
            dumpit: false,
            admin: true,
        },
        Command {
            cmd: cmd::RULE_GET,
            doit: false,
            dumpit: true,
            admin: true,
        },
    ];

    fn doit(pernet: &Self::Data, cmd: u8, req: &mut Request<'_>) -> Result {
        let net = req.net();
        let nt = pernet.get(net);
        match cmd {
            cmd::RULE_ADD => {
                let spec = rule_of(req)?;
                // The reply carries the new rule's handle. It is made first, so that once the
                // rule is in, only its delivery can fail (an empty page has room for it).
                let mut reply = req.reply(cmd::RULE_ADD)?;
                let mut state = nt.state.lock();
                let handle = add(&mut state, pernet, net, spec, &mut req.extack())?;
                state.changed();
                drop(state);
                // The rule is in: a reply that cannot be delivered (the socket's buffer is
                // full) must not report the add as failed, or a caller that tries again adds
                // it twice.
                if reply.message().put_u32(attr::HANDLE, handle).is_ok() {
                    let _ = reply.send();
                }
                Ok(())
            }
            cmd::RULE_DEL => {
                let Some(handle) = req.attr(attr::HANDLE).and_then(|a| a.get_u32()) else {
                    return missing(req, attr::HANDLE, c"rfilter: which rule? give its handle");
                };
                let mut state = nt.state.lock();
                del(&mut state.table, pernet, net, handle, &mut req.extack())?;
                state.changed();
                Ok(())
            }
            cmd::RULE_FLUSH => {
                let mut state = nt.state.lock();
                // Unregisters, and waits for the packets running the hooks.
                pernet.hooks(net).clear_all();
                drop(state.table.take());
                state.changed();
                Ok(())
            }
            _ => Err(EOPNOTSUPP),
        }
    }

    fn dumpit(pernet: &Self::Data, cmd: u8, dump: &mut Dump<'_>) -> Result {
        if cmd != cmd::RULE_GET {
            return Err(EOPNOTSUPP);
        }
        let nt = pernet.get(dump.net());
        let state = nt.state.lock();
        dump.set_generation(state.generation);
        let Some(t) = state.table.as_ref() else {
            return Ok(());
        };
        // The cursor is the handle of the last rule dumped: rules are in the order of their
        // handles, so a dump goes on right, even if rules were added or deleted between its
        // parts; then the first message after the change carries NLM_F_DUMP_INTR (the
        // generation above).
        let after = dump.cursor();
        for r in t.rules.iter().filter(|r| u64::from(r.handle) > after) {
            if !dump.message(cmd::RULE_GET, |m| put_rule(m, r))? {
                return Ok(());
            }
            dump.set_cursor(r.handle.into());
        }
        Ok(())
    }
}

/// Adds `spec` to the table, making the table for the first rule; returns its handle.
fn add(
    state: &mut NetState,
    pernet: &PernetRegistration<NetTable>,
    net: &Net,
    spec: RuleSpec,
    extack: &mut ExtAck<'_>,
) -> Result<u32> {
    for ifindex in [spec.iif, spec.oif].into_iter().flatten() {
        if !net.has_device(ifindex) {
            extack.set_msg(c"rfilter: no such interface in this namespace");
            return Err(EINVAL);
        }
    }
    let table = &mut state.table;
    if table.as_ref().is_some_and(|t| t.rules.len() >= MAX_RULES) {
        extack.set_msg(c"rfilter: this namespace has the most rules it can hold (1024)");
        return Err(ENOSPC);
    }
    // Everything that can fail for want of memory comes first, so that a failure leaves the
    // table as it was.
    let counters = Arc::new(Counters::new(GFP_KERNEL_ACCOUNT)?, GFP_KERNEL_ACCOUNT)?;
    let created = table.is_none();
    let t = match table {
        Some(t) => t,
        None => table.insert(KBox::new(Table { rules: KVec::new() }, GFP_KERNEL_ACCOUNT)?),
    };
    // The next handle stays above every handle in use, so that the rules stay in the order
    // of their handles (see the dump). After 2^32 - 1 additions, handles start again at 1,
    // but only in a table just made, which has no rule to confuse with: this fails only
    // for a table that exists.
    let handle = match state.next_handle {
        u32::MAX if created => 1,
        h => h,
    };
    let Some(next) = handle.checked_add(1) else {
        extack.set_msg(c"rfilter: out of rule handles: flush the table");
        return Err(ENOSPC);
    };
    let rule = Rule {
        handle,
        spec,
        counters,
    };
    let mut result = t.rules.push(rule, GFP_KERNEL_ACCOUNT).map_err(Error::from);
    if result.is_ok() {
        result = t.sync(&mut pernet.hooks(net), spec.family, spec.hook);
        if result.is_err() {
            // `sync` changed nothing: take the rule back out.
            t.rules.pop();
        }
    }
    if let Err(e) = result {
        if created {
            *table = None;
        }
        return Err(e);
    }
    state.next_handle = next;
    Ok(handle)
}

/// Deletes the rule with `handle`, and the table with its last rule.
fn del(
    table: &mut Option<KBox<Table>>,
    pernet: &PernetRegistration<NetTable>,
    net: &Net,
    handle: u32,
    extack: &mut ExtAck<'_>,
) -> Result {
    let Some(t) = table.as_mut() else {
        extack.set_msg(c"rfilter: no rule with this handle");
        return Err(ENOENT);
    };
    let Some(at) = t.rules.iter().position(|r| r.handle == handle) else {
        extack.set_msg(c"rfilter: no rule with this handle");
        return Err(ENOENT);
    };
    let rule = t.rules.remove(at).map_err(|_| ENOENT)?;
    if let Err(e) = t.sync(&mut pernet.hooks(net), rule.spec.family, rule.spec.hook) {
        // `sync` changed nothing: put the rule back where it was (the room is still there).
        t.rules
            .insert_within_capacity(at, rule)
            .map_err(|_| ENOMEM)?;
        return Err(e);
    }
    if t.rules.is_empty() {
        *table = None;
    }
    Ok(())
}

/// Returns the rule a `RULE_ADD` request describes, or says what is wrong with it.
fn rule_of(req: &mut Request<'_>) -> Result<RuleSpec> {
    let family = match req.attr(attr::FAMILY).and_then(|a| a.get_u8()) {
        Some(2) => Family::Ipv4,
        Some(10) => Family::Ipv6,
        Some(_) => {
            return bad(
                req,
                attr::FAMILY,
                c"rfilter: family is ipv4 (2) or ipv6 (10)",
            )
        }
        None => return missing(req, attr::FAMILY, c"rfilter: a rule needs a family"),
    };
    let hook = match req.attr(attr::HOOK).and_then(|a| a.get_u8()) {
        Some(h) if usize::from(h) < Hook::ALL.len() => Hook::ALL[usize::from(h)],
        Some(_) => {
            return bad(
                req,
                attr::HOOK,
                c"rfilter: hook is prerouting (0), input (1), forward (2) or output (3)",
            )
        }
        None => return missing(req, attr::HOOK, c"rfilter: a rule needs a hook"),
    };
    let action = match req.attr(attr::ACTION).and_then(|a| a.get_u8()) {
        Some(0) => Action::Accept,
        Some(1) => Action::Drop,
        Some(2) => Action::Count,
        Some(_) => {
            return bad(
                req,
                attr::ACTION,
                c"rfilter: action is accept (0), drop (1) or count (2)",
            )
        }
        None => return missing(req, attr::ACTION, c"rfilter: a rule needs an action"),
    };
    let spec = RuleSpec {
        family,
        hook,
        iif: req.attr(attr::IIF).and_then(|a| a.get_u32()),
        oif: req.attr(attr::OIF).and_then(|a| a.get_u32()),
        src: prefix(req, family, attr::SRC, attr::SRC_LEN)?,
        dst: prefix(req, family, attr::DST, attr::DST_LEN)?,
        proto: req.attr(attr::PROTO).and_then(|a| a.get_u8()),
        sport: ports(req, attr::SPORT_LO, attr::SPORT_HI),
        dport: ports(req, attr::DPORT_LO, attr::DPORT_HI),
        action,
    };
    if let Err(e) = spec.check() {
        req.extack().set_msg(e.message());
        return Err(EINVAL);
    }
    Ok(spec)
}

/// Fails the request with `msg` about missing attribute `ty`.
fn missing<T>(req: &mut Request<'_>, ty: u16, msg: &'static CStr) -> Result<T> {
    req.extack().set_msg_missing(msg, ty);
    Err(EINVAL)
}

/// Fails the request with `msg` about attribute `ty`.
fn bad<T>(req: &mut Request<'_>, ty: u16, msg: &'static CStr) -> Result<T> {
    match req.attr(ty) {
        Some(a) => req.extack().set_msg_attr(msg, a),
        None => req.extack().set_msg(msg),
    }
    Err(EINVAL)
}

/// Returns the prefix of address attribute `addr` and length attribute `len`, if given.
fn prefix(req: &mut Request<'_>, family: Family, addr: u16, len: u16) -> Result<Option<Prefix>> {
    let a: Option<Attr<'_>> = req.attr(addr);
    let l = req.attr(len).and_then(|a| a.get_u8());
    let Some(a) = a else {
        if l.is_some() {
            return bad(req, len, c"rfilter: a prefix length needs its address");
        }
        return Ok(None);
    };
    let bytes = a.data();
    let want = usize::from(family.max_prefix() / 8);
    if bytes.len() != want {
        req.extack()
            .set_msg_attr(c"rfilter: address of the wrong family (4 or 16 bytes)", a);
        return Err(EINVAL);
    }
    let mut p = Prefix {
        addr: [0; 16],
        len: l.unwrap_or(family.max_prefix()),
    };
    p.addr[..want].copy_from_slice(bytes);
    Ok(Some(p))
}

/// Returns the port range of attributes `lo` and `hi`: one of them is a single port.
fn ports(req: &Request<'_>, lo: u16, hi: u16) -> Option<Ports> {
    let l = req.attr(lo).and_then(|a| a.get_u16());
    let h = req.attr(hi).and_then(|a| a.get_u16());
    match (l, h) {
        (None, None) => None,
        (Some(l), None) => Some(Ports { lo: l, hi: l }),
        (None, Some(h)) => Some(Ports { lo: h, hi: h }),
        (Some(l), Some(h)) => Some(Ports { lo: l, hi: h }),
    }
}

/// Puts a rule's attributes into a dump message.
fn put_rule(m: &mut genetlink::Message<'_>, r: &Rule) -> Result {
    let s = &r.spec;
    m.put_u32(attr::HANDLE, r.handle)?;
    m.put_u8(
        attr::FAMILY,
        match s.family {
            Family::Ipv4 => 2,
            Family::Ipv6 => 10,
        },
    )?;
    m.put_u8(attr::HOOK, s.hook.index() as u8)?;
    if let Some(i) = s.iif {
        m.put_u32(attr::IIF, i)?;
    }
    if let Some(o) = s.oif {
        m.put_u32(attr::OIF, o)?;
    }
    let n = usize::from(s.family.max_prefix() / 8);
    for (p, a, l) in [
        (s.src, attr::SRC, attr::SRC_LEN),
        (s.dst, attr::DST, attr::DST_LEN),
    ] {
        if let Some(p) = p {
            m.put_bytes(a, &p.addr[..n])?;
            m.put_u8(l, p.len)?;
        }
    }
    if let Some(p) = s.proto {
        m.put_u8(attr::PROTO, p)?;
    }
    for (r, lo, hi) in [
        (s.sport, attr::SPORT_LO, attr::SPORT_HI),
        (s.dport, attr::DPORT_LO, attr::DPORT_HI),
    ] {
        if let Some(r) = r {
            m.put_u16(lo, r.lo)?;
            m.put_u16(hi, r.hi)?;
        }
    }
    m.put_u8(
        attr::ACTION,
        match s.action {
            Action::Accept => 0,
            Action::Drop => 1,
            Action::Count => 2,
        },
    )?;
    let [packets, bytes] = r.counters.sum();
    m.put_u64(attr::PACKETS, packets, attr::PAD)?;
    m.put_u64(attr::BYTES, bytes, attr::PAD)?;
    Ok(())
}

struct RfilterModule {
    _family: genetlink::Registration<Rfilter>,
}

impl kernel::Module for RfilterModule {
    fn init(module: &'static ThisModule) -> Result<Self> {
        // The namespaces' data first: requests find it as soon as the family is registered.
        let pernet = KBox::pin_init(PernetRegistration::<NetTable>::new(), GFP_KERNEL)?;
        Ok(Self {
            _family: genetlink::Registration::new(module, pernet)?,
        })
    }
}
