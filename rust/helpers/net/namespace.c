// SPDX-License-Identifier: GPL-2.0

/*
 * Network namespaces: per-namespace data, and the namespace of a socket or
 * of a generic netlink request; a generic netlink reply, and a dump's state.
 */

#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/sock.h>

#ifdef CONFIG_NET

__rust_helper void *rust_helper_net_generic(const struct net *net,
					    unsigned int id)
{
	return net_generic(net, id);
}

__rust_helper struct net *rust_helper_sock_net(const struct sock *sk)
{
	return sock_net(sk);
}

__rust_helper struct net *rust_helper_genl_info_net(const struct genl_info *info)
{
	return genl_info_net(info);
}

__rust_helper const struct genl_info *
rust_helper_genl_info_dump(struct netlink_callback *cb)
{
	return genl_info_dump(cb);
}

__rust_helper int rust_helper_genlmsg_reply(struct sk_buff *skb, struct genl_info *info)
{
	return genlmsg_reply(skb, info);
}

__rust_helper void rust_helper_genl_dump_check_consistent(struct netlink_callback *cb,
							 void *user_hdr)
{
	genl_dump_check_consistent(cb, user_hdr);
}

__rust_helper u32 rust_helper_netlink_cb_portid(const struct sk_buff *skb)
{
	return NETLINK_CB(skb).portid;
}

#endif /* CONFIG_NET */
