// SPDX-License-Identifier: GPL-2.0

/*
 * Netlink attributes of requests and replies, and error reports.
 */

#include <linux/netlink.h>
#include <net/netlink.h>

#ifdef CONFIG_NET

/*
 * NL_SET_ERR_MSG_ATTR() (NL_SET_ERR_MSG() for a null attr) with a message
 * that is already static: the C macros want a string literal.
 */
__rust_helper void rust_helper_nl_set_err_msg_attr(struct netlink_ext_ack *extack,
						   const char *msg,
						   const struct nlattr *attr)
{
	do_trace_netlink_extack(msg);
	if (!extack)
		return;
	extack->_msg = msg;
	if (attr)
		NL_SET_BAD_ATTR(extack, attr);
}

__rust_helper void *rust_helper_nla_data(const struct nlattr *nla)
{
	return nla_data(nla);
}

__rust_helper int rust_helper_nla_len(const struct nlattr *nla)
{
	return nla_len(nla);
}

__rust_helper int rust_helper_nla_put_u64_64bit(struct sk_buff *skb,
						int attrtype, u64 value,
						int padattr)
{
	return nla_put_u64_64bit(skb, attrtype, value, padattr);
}

#endif /* CONFIG_NET */
