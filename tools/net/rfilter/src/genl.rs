// SPDX-License-Identifier: GPL-2.0

//! A generic netlink socket for one family: requests acknowledged with the kernel's extack
//! message, and dumps.

use std::fmt;
use std::io;

use netlink_packet_core::{
    DecodeError, Emitable, ErrorMessage, NetlinkMessage, NetlinkPayload, Nla, NlaBuffer,
    NlasIterator, ParseableParametrized, NLM_F_ACK, NLM_F_ACK_TLVS, NLM_F_CAPPED, NLM_F_DUMP,
    NLM_F_DUMP_INTR, NLM_F_REQUEST,
};
use netlink_packet_generic::{
    ctrl::{nlas::GenlCtrlAttrs, GenlCtrl, GenlCtrlCmd},
    GenlFamily, GenlHeader, GenlMessage,
};
use netlink_sys::{protocols::NETLINK_GENERIC, Socket, SocketAddr};

use crate::rule::Attr;

/// `NLMSGERR_ATTR_MSG`: the extack message in an error's TLVs.
const NLMSGERR_ATTR_MSG: u16 = 1;
/// The size of `struct nlmsghdr`.
const NLMSG_HDRLEN: usize = 16;

/// A failed request: its errno and, if the kernel gave one, its extack message.
#[derive(Debug)]
pub struct Error {
    pub err: io::Error,
    pub msg: Option<String>,
}

impl fmt::Display for Error {
    /// `MESSAGE (STRERROR)`, as `ip` prints an extack message, or `STRERROR` alone.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.err.to_string();
        // std appends " (os error N)" to the C library's text.
        let e = e.split(" (os error").next().unwrap_or(&e);
        match &self.msg {
            Some(m) => write!(f, "{m} ({e})"),
            None => write!(f, "{e}"),
        }
    }
}

impl From<io::Error> for Error {
    fn from(err: io::Error) -> Self {
        Error { err, msg: None }
    }
}

fn decode(e: DecodeError) -> Error {
    Error {
        err: io::Error::new(io::ErrorKind::InvalidData, e.to_string()),
        msg: None,
    }
}

/// A message of our family: a command and its attributes. The family's name is `rfilter`
/// (`GenlFamily` names a family by a type).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Msg {
    pub cmd: u8,
    pub attrs: Vec<Attr>,
}

/// One attribute, to emit.
struct RawNla<'a>(&'a Attr);

impl Nla for RawNla<'_> {
    fn value_len(&self) -> usize {
        self.0 .1.len()
    }
    fn kind(&self) -> u16 {
        self.0 .0
    }
    fn emit_value(&self, buffer: &mut [u8]) {
        buffer.copy_from_slice(&self.0 .1);
    }
}

impl GenlFamily for Msg {
    fn family_name() -> &'static str {
        "rfilter"
    }
    fn command(&self) -> u8 {
        self.cmd
    }
    fn version(&self) -> u8 {
        1
    }
}

impl Emitable for Msg {
    fn buffer_len(&self) -> usize {
        self.attrs.iter().map(|a| RawNla(a).buffer_len()).sum()
    }
    fn emit(&self, buffer: &mut [u8]) {
        let mut at = 0;
        for a in &self.attrs {
            let n = RawNla(a);
            let len = n.buffer_len();
            n.emit(&mut buffer[at..at + len]);
            at += len;
        }
    }
}

impl ParseableParametrized<[u8], GenlHeader> for Msg {
    fn parse_with_param(buf: &[u8], header: GenlHeader) -> Result<Self, DecodeError> {
        let mut attrs = Vec::new();
        for nla in NlasIterator::new(buf) {
            let nla: NlaBuffer<&[u8]> = nla?;
            attrs.push((nla.kind(), nla.value().to_vec()));
        }
        Ok(Msg {
            cmd: header.cmd,
            attrs,
        })
    }
}

/// The extack message of an error, if it has one: after the request's header (all of the
/// request unless `NLM_F_CAPPED`), as TLVs (`NLM_F_ACK_TLVS`).
fn extack(flags: u16, e: &ErrorMessage) -> Option<String> {
    if flags & NLM_F_ACK_TLVS == 0 {
        return None;
    }
    let req = &e.header;
    let skip = if flags & NLM_F_CAPPED != 0 {
        NLMSG_HDRLEN
    } else {
        usize::try_from(u32::from_ne_bytes(req.get(..4)?.try_into().ok()?)).ok()?
    };
    tlv_msg(req.get(skip..)?)
}

/// The extack message among an error's TLVs.
fn tlv_msg(tlvs: &[u8]) -> Option<String> {
    NlasIterator::new(tlvs)
        .filter_map(Result::ok)
        .find(|n| n.kind() == NLMSGERR_ATTR_MSG)
        .map(|n| {
            String::from_utf8_lossy(n.value())
                .trim_end_matches('\0')
                .to_string()
        })
}

/// A socket for one generic netlink family.
pub struct Genl {
    sock: Socket,
    family: u16,
    seq: u32,
}

impl Genl {
    /// Opens a socket and looks up `Msg`'s family. `ENOENT` if it is not registered.
    pub fn open() -> Result<Genl, Error> {
        let mut sock = Socket::new(NETLINK_GENERIC)?;
        sock.bind_auto()?;
        sock.connect(&SocketAddr::new(0, 0))?;
        sock.set_ext_ack(true)?;
        sock.set_cap_ack(true)?;
        let mut g = Genl {
            sock,
            family: 0,
            seq: 0,
        };
        let ctrl = GenlCtrl {
            cmd: GenlCtrlCmd::GetFamily,
            nlas: vec![GenlCtrlAttrs::FamilyName(Msg::family_name().to_string())],
        };
        let mut id = None;
        g.exchange(
            GenlMessage::from_payload(ctrl),
            NLM_F_REQUEST | NLM_F_ACK,
            |m: GenlMessage<GenlCtrl>| {
                for a in m.payload.nlas {
                    if let GenlCtrlAttrs::FamilyId(i) = a {
                        id = Some(i);
                    }
                }
            },
        )?;
        g.family = id.ok_or_else(|| Error {
            err: io::Error::from(io::ErrorKind::InvalidData),
            msg: Some("the controller's reply has no family ID".to_string()),
        })?;
        Ok(g)
    }

    /// Sends `cmd` with `attrs` and waits for the kernel's acknowledgement; returns the
    /// attributes of the reply before it, if there was one.
    pub fn request(&mut self, cmd: u8, attrs: Vec<Attr>) -> Result<Option<Vec<Attr>>, Error> {
        let mut reply = None;
        let msg = self.message(cmd, attrs);
        self.exchange(msg, NLM_F_REQUEST | NLM_F_ACK, |m: GenlMessage<Msg>| {
            reply = Some(m.payload.attrs)
        })?;
        Ok(reply)
    }

    /// Dumps `cmd`: the attributes of every message. `true` with them if the kernel flagged
    /// the dump interrupted by a change (`NLM_F_DUMP_INTR`).
    pub fn dump(&mut self, cmd: u8) -> Result<(Vec<Vec<Attr>>, bool), Error> {
        let mut out = Vec::new();
        let msg = self.message(cmd, Vec::new());
        let intr = self.exchange(msg, NLM_F_REQUEST | NLM_F_DUMP, |m: GenlMessage<Msg>| {
            out.push(m.payload.attrs)
        })?;
        Ok((out, intr))
    }

    fn message(&self, cmd: u8, attrs: Vec<Attr>) -> GenlMessage<Msg> {
        let mut m = GenlMessage::from_payload(Msg { cmd, attrs });
        m.set_resolved_family_id(self.family);
        m
    }

    /// Sends `msg` with `flags`; hands each reply to `each` until the acknowledgement or the
    /// end of the dump. Returns whether a reply was flagged `NLM_F_DUMP_INTR`.
    fn exchange<F>(
        &mut self,
        msg: GenlMessage<F>,
        flags: u16,
        mut each: impl FnMut(GenlMessage<F>),
    ) -> Result<bool, Error>
    where
        F: GenlFamily + Emitable + ParseableParametrized<[u8], GenlHeader> + fmt::Debug,
    {
        let mut msg = msg;
        msg.finalize();
        let mut nl = NetlinkMessage::from(msg);
        self.seq += 1;
        nl.header.flags = flags;
        nl.header.sequence_number = self.seq;
        nl.finalize();
        let mut tx = vec![0; nl.buffer_len()];
        nl.serialize(&mut tx);
        self.sock.send(&tx, 0)?;
        let mut intr = false;
        loop {
            let (rx, _) = self.sock.recv_from_full()?;
            let mut at = 0;
            while at < rx.len() {
                let m = NetlinkMessage::<GenlMessage<F>>::deserialize(&rx[at..]).map_err(decode)?;
                let len = m.header.length as usize;
                if len == 0 {
                    break;
                }
                at += len;
                if m.header.sequence_number != self.seq {
                    continue;
                }
                intr |= m.header.flags & NLM_F_DUMP_INTR != 0;
                match m.payload {
                    NetlinkPayload::InnerMessage(g) => each(g),
                    NetlinkPayload::Done(d) if d.code == 0 => return Ok(intr),
                    // A dump that failed after it started ends with its error.
                    NetlinkPayload::Done(d) => {
                        return Err(Error {
                            err: io::Error::from_raw_os_error(d.code.saturating_abs()),
                            msg: tlv_msg(&d.extended_ack),
                        });
                    }
                    NetlinkPayload::Error(e) => match e.code {
                        None => return Ok(intr),
                        Some(_) => {
                            return Err(Error {
                                err: e.to_io(),
                                msg: extack(m.header.flags, &e),
                            })
                        }
                    },
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An `NLMSG_ERROR` payload: the request's header, then `tlvs`.
    fn error(req_len: u32, tlvs: &[u8]) -> ErrorMessage {
        let mut header = req_len.to_ne_bytes().to_vec();
        header.resize(NLMSG_HDRLEN, 0);
        header.extend_from_slice(&vec![0xaa; req_len as usize - NLMSG_HDRLEN]);
        header.extend_from_slice(tlvs);
        let mut e = ErrorMessage::default();
        e.header = header;
        e
    }

    /// `NLMSGERR_ATTR_MSG` with `msg`, NUL-terminated and padded.
    fn msg_tlv(msg: &str) -> Vec<u8> {
        let mut v = msg.as_bytes().to_vec();
        v.push(0);
        let len = 4 + v.len();
        let mut t = (len as u16).to_ne_bytes().to_vec();
        t.extend_from_slice(&NLMSGERR_ATTR_MSG.to_ne_bytes());
        t.extend_from_slice(&v);
        t.resize(len.next_multiple_of(4), 0);
        t
    }

    #[test]
    fn reads_the_extack_message() {
        let tlv = msg_tlv("rfilter: no rule with this handle");
        let capped = error(16, &tlv);
        assert_eq!(
            extack(NLM_F_ACK_TLVS | NLM_F_CAPPED, &capped).as_deref(),
            Some("rfilter: no rule with this handle")
        );
        // Without NETLINK_CAP_ACK, the whole request comes back before the TLVs.
        let whole = error(28, &tlv);
        assert_eq!(
            extack(NLM_F_ACK_TLVS, &whole).as_deref(),
            Some("rfilter: no rule with this handle")
        );
        assert_eq!(extack(NLM_F_CAPPED, &capped), None);
        // A request length past the payload gives no message, not a panic.
        let mut bad = capped.clone();
        bad.header[..4].copy_from_slice(&4096u32.to_ne_bytes());
        assert_eq!(extack(NLM_F_ACK_TLVS, &bad), None);
    }

    #[test]
    fn prints_errors_as_ip_does() {
        let e = Error {
            err: io::Error::from_raw_os_error(22),
            msg: Some("rfilter: prefix longer than the family".to_string()),
        };
        assert_eq!(
            e.to_string(),
            "rfilter: prefix longer than the family (Invalid argument)"
        );
        let e = Error::from(io::Error::from_raw_os_error(1));
        assert_eq!(e.to_string(), "Operation not permitted");
    }

    #[test]
    fn emits_attributes_aligned() {
        let m = Msg {
            cmd: 1,
            attrs: vec![(2, vec![2]), (6, vec![10, 0, 0, 1])],
        };
        let mut b = vec![0xff; m.buffer_len()];
        m.emit(&mut b);
        assert_eq!(b, [5, 0, 2, 0, 2, 0, 0, 0, 8, 0, 6, 0, 10, 0, 0, 1]);
        let back = Msg::parse_with_param(&b, GenlHeader { cmd: 1, version: 1 }).unwrap();
        assert_eq!(back, m);
    }
}
