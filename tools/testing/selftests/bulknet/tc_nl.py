#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Sends one RTM_NEWQDISC request with hand-made TCA_OPTIONS, which tc cannot
send (an unknown attribute, a short one), and prints the kernel's answer:
"OK", or "ERR <errno> <extack message>".

  tc_nl.py [--flat] DEV KIND [TYPE=u32:VALUE | TYPE=hex:BYTES]...

The request replaces the root qdisc of DEV (NLM_F_CREATE | NLM_F_REPLACE);
the attributes go nested in TCA_OPTIONS, in the order given, which says it
is nested (NLA_F_NESTED) unless --flat.
"""
import socket
import struct
import sys

RTM_NEWQDISC = 36
NLM_F_REQUEST, NLM_F_ACK, NLM_F_REPLACE, NLM_F_CREATE = 0x1, 0x4, 0x100, 0x400
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200
NLMSG_ERROR = 2
NLMSGERR_ATTR_MSG = 1
TCA_KIND, TCA_OPTIONS = 1, 2
NLA_F_NESTED = 0x8000
SOL_NETLINK, NETLINK_EXT_ACK = 270, 11
TC_H_ROOT = 0xFFFFFFFF


def attr(kind, payload):
    length = 4 + len(payload)
    return struct.pack("HH", length, kind) + payload + b"\0" * (-length % 4)


def option(spec):
    kind, value = spec.split("=", 1)
    fmt, data = value.split(":", 1)
    if fmt == "u32":
        return attr(int(kind), struct.pack("I", int(data, 0)))
    if fmt == "hex":
        return attr(int(kind), bytes.fromhex(data))
    raise SystemExit(f"tc_nl.py: bad attribute {spec!r}")


def main():
    args = sys.argv[1:]
    flat = args[:1] == ["--flat"]
    args = args[1:] if flat else args
    if len(args) < 2:
        raise SystemExit(__doc__)
    dev, kind = args[0], args[1]
    opts = b"".join(option(s) for s in args[2:])
    tcm = struct.pack("BxxxiIII", socket.AF_UNSPEC, socket.if_nametoindex(dev), 0, TC_H_ROOT, 0)
    body = tcm + attr(TCA_KIND, kind.encode() + b"\0") + attr(TCA_OPTIONS | (0 if flat else NLA_F_NESTED), opts)
    flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE
    msg = struct.pack("IHHII", 16 + len(body), RTM_NEWQDISC, flags, 1, 0) + body
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    sock.send(msg)
    reply = sock.recv(65536)
    _, rtype, rflags, _, _ = struct.unpack_from("IHHII", reply)
    if rtype != NLMSG_ERROR:
        raise SystemExit(f"tc_nl.py: unexpected reply type {rtype}")
    (err,) = struct.unpack_from("i", reply, 16)
    if err == 0:
        print("OK")
        return
    # The request's header, and all of it unless capped, then the ack's attributes.
    off = 20 + (16 if rflags & NLM_F_CAPPED else len(msg))
    text = ""
    while rflags & NLM_F_ACK_TLVS and off + 4 <= len(reply):
        length, kind = struct.unpack_from("HH", reply, off)
        if length < 4:
            break
        if kind == NLMSGERR_ATTR_MSG:
            text = reply[off + 4:off + length].split(b"\0")[0].decode()
        off += (length + 3) & ~3
    print(f"ERR {-err} {text}")


main()
