#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Prints the page_pool statistics of a network device's pools, summed over
them, from the netdev generic netlink family (page-pool-stats-get, the
interface upstream asks drivers to leave these statistics to), one
"name value" line each, in the family's order:

  pp_stats.py DEV
  pp_stats.py --detached

  pools 1
  alloc_fast 123
  alloc_slow 4
  ...

With --detached, the same for the pools whose device is gone: a pool whose
driver destroyed it while the stack still held some of its pages waits for
them, listed without a device, and goes once they are back.

It needs CONFIG_PAGE_POOL_STATS; a kernel without it answers the dump with
EOPNOTSUPP, which the script reports and exits 2 on.
"""
import errno
import socket
import struct
import sys

NETLINK_GENERIC = 16
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x4, 0x300
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
NLA_F_NESTED, NLA_TYPE_MASK = 0x8000, 0x3FFF
# include/uapi/linux/netdev.h
NETDEV_CMD_PAGE_POOL_STATS_GET = 9
NETDEV_A_PAGE_POOL_ID, NETDEV_A_PAGE_POOL_IFINDEX = 1, 2
NETDEV_A_PAGE_POOL_STATS_INFO = 1
STATS = {8 + i: name for i, name in enumerate([
    "alloc_fast", "alloc_slow", "alloc_slow_high_order", "alloc_empty", "alloc_refill",
    "alloc_waive", "recycle_cached", "recycle_cache_full", "recycle_ring", "recycle_ring_full",
    "recycle_released_refcnt"])}


def attr(kind, payload):
    length = 4 + len(payload)
    return struct.pack("HH", length, kind) + payload + b"\0" * (-length % 4)


def attrs(data):
    """Yields (type, payload) of the attributes in data."""
    off = 0
    while off + 4 <= len(data):
        length, kind = struct.unpack_from("HH", data, off)
        if length < 4:
            break
        yield kind & NLA_TYPE_MASK, data[off + 4:off + length]
        off += (length + 3) & ~3


def uint(value):
    """An NLA_UINT: 4 bytes, or 8 where the value needs them (nla_put_uint())."""
    return struct.unpack("I" if len(value) == 4 else "Q", value[:8])[0]


def request(sock, family, flags, cmd, body, seq):
    msg = struct.pack("BBxx", cmd, 1) + body
    sock.send(struct.pack("IHHII", 16 + len(msg), family, NLM_F_REQUEST | flags, seq, 0) + msg)


def replies(sock):
    """Yields the genl payload (after the genl header) of each reply, up to DONE or an ACK."""
    while True:
        data = sock.recv(1 << 20)
        off = 0
        while off + 16 <= len(data):
            length, kind, _, _, _ = struct.unpack_from("IHHII", data, off)
            if kind == NLMSG_DONE:
                return
            if kind == NLMSG_ERROR:
                err = struct.unpack_from("i", data, off + 16)[0]
                if err:
                    raise OSError(-err, errno.errorcode.get(-err, str(err)))
                return
            yield data[off + 20:off + length]
            off += (length + 3) & ~3


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    # The netdev family gives no ifindex for a pool whose device is gone.
    ifindex = 0 if sys.argv[1] == "--detached" else socket.if_nametoindex(sys.argv[1])
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    request(sock, GENL_ID_CTRL, NLM_F_ACK, CTRL_CMD_GETFAMILY, attr(CTRL_ATTR_FAMILY_NAME, b"netdev\0"), 1)
    family = None
    for payload in replies(sock):
        for kind, value in attrs(payload):
            if kind == CTRL_ATTR_FAMILY_ID:
                family = struct.unpack("H", value[:2])[0]
    if family is None:
        raise SystemExit("pp_stats.py: no netdev generic netlink family")
    request(sock, family, NLM_F_DUMP, NETDEV_CMD_PAGE_POOL_STATS_GET, b"", 2)
    total = dict.fromkeys(STATS.values(), 0)
    pools = 0
    try:
        for payload in replies(sock):
            values = dict(attrs(payload))
            info = dict(attrs(values.get(NETDEV_A_PAGE_POOL_STATS_INFO, b"")))
            if uint(info.get(NETDEV_A_PAGE_POOL_IFINDEX, b"\0" * 4)) != ifindex:
                continue
            pools += 1
            for kind, name in STATS.items():
                if kind in values:
                    total[name] += uint(values[kind])
    except OSError as e:
        print(f"pp_stats.py: page-pool-stats-get: {e.strerror}", file=sys.stderr)
        sys.exit(2)
    print(f"pools {pools}")
    for name, value in total.items():
        print(f"{name} {value}")


if __name__ == "__main__":
    main()
