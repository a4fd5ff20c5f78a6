// SPDX-License-Identifier: GPL-2.0

/*
 * The static inlines a netfilter hook reads a packet with. With
 * CONFIG_RUST_INLINE_HELPERS they are inlined into Rust code as into C.
 */

#include <linux/skbuff.h>

#ifdef CONFIG_NETFILTER

__rust_helper int rust_helper_skb_network_offset(const struct sk_buff *skb)
{
	return skb_network_offset(skb);
}

__rust_helper void *rust_helper_skb_header_pointer(const struct sk_buff *skb,
						   int offset, int len,
						   void *buffer)
{
	return skb_header_pointer(skb, offset, len, buffer);
}

#endif /* CONFIG_NETFILTER */
