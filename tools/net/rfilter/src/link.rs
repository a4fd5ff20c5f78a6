// SPDX-License-Identifier: GPL-2.0

//! The interfaces of the network namespace this tool runs in, by index and name, from an
//! `RTM_GETLINK` dump over `NETLINK_ROUTE`. A netlink socket belongs to the caller's own
//! namespace; `/sys/class/net` shows that of whoever mounted `/sys`, which `nsenter --net`
//! does not change.

use std::io;

use netlink_packet_core::{
    NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_DUMP, NLM_F_REQUEST,
};
use netlink_packet_route::{
    link::{LinkAttribute, LinkMessage},
    RouteNetlinkMessage,
};
use netlink_sys::{protocols::NETLINK_ROUTE, Socket, SocketAddr};

/// The namespace's interfaces: index and name.
pub fn links() -> io::Result<Vec<(u32, String)>> {
    let mut sock = Socket::new(NETLINK_ROUTE)?;
    sock.bind_auto()?;
    sock.connect(&SocketAddr::new(0, 0))?;
    let mut req = NetlinkMessage::new(
        NetlinkHeader::default(),
        NetlinkPayload::from(RouteNetlinkMessage::GetLink(LinkMessage::default())),
    );
    req.header.flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.header.sequence_number = 1;
    req.finalize();
    let mut tx = vec![0; req.buffer_len()];
    req.serialize(&mut tx);
    sock.send(&tx, 0)?;
    let invalid = |e: String| io::Error::new(io::ErrorKind::InvalidData, e);
    let mut out = Vec::new();
    loop {
        let (rx, _) = sock.recv_from_full()?;
        let mut at = 0;
        while at < rx.len() {
            let m = NetlinkMessage::<RouteNetlinkMessage>::deserialize(&rx[at..])
                .map_err(|e| invalid(format!("an RTM_GETLINK reply: {e}")))?;
            let len = m.header.length as usize;
            if len == 0 {
                return Err(invalid("an empty RTM_GETLINK reply".to_string()));
            }
            at += len;
            match m.payload {
                NetlinkPayload::InnerMessage(RouteNetlinkMessage::NewLink(l)) => {
                    let name = l.attributes.into_iter().find_map(|a| match a {
                        LinkAttribute::IfName(n) => Some(n),
                        _ => None,
                    });
                    out.extend(name.map(|n| (l.header.index, n)));
                }
                NetlinkPayload::Done(_) => return Ok(out),
                NetlinkPayload::Error(e) if e.code.is_some() => return Err(e.to_io()),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_listed() {
        let l = links().expect("RTM_GETLINK dump");
        assert!(l.iter().any(|(i, n)| n == "lo" && *i > 0), "{l:?}");
        let mut idx: Vec<u32> = l.iter().map(|(i, _)| *i).collect();
        idx.dedup();
        assert_eq!(idx.len(), l.len(), "one entry per interface: {l:?}");
    }
}
