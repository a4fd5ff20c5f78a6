// SPDX-License-Identifier: GPL-2.0

/*
 * The static inlines of network device drivers' hot paths: transmit queue
 * state and BQL, NAPI, skb fields. With CONFIG_RUST_INLINE_HELPERS they are
 * inlined into Rust code as into C.
 */

#include <linux/bottom_half.h>
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/netdev_queues.h>

#ifdef CONFIG_NET

__rust_helper bool rust_helper_skb_shared(const struct sk_buff *skb)
{
	return skb_shared(skb);
}

__rust_helper bool rust_helper_skb_cloned(const struct sk_buff *skb)
{
	return skb_cloned(skb);
}

__rust_helper void *rust_helper_netdev_priv(const struct net_device *dev)
{
	return netdev_priv(dev);
}

__rust_helper void rust_helper_eth_hw_addr_set(struct net_device *dev,
					       const u8 *addr)
{
	eth_hw_addr_set(dev, addr);
}

__rust_helper bool rust_helper_is_valid_ether_addr(const u8 *addr)
{
	return is_valid_ether_addr(addr);
}

__rust_helper bool rust_helper_netif_running(const struct net_device *dev)
{
	return netif_running(dev);
}

__rust_helper bool rust_helper_netif_carrier_ok(const struct net_device *dev)
{
	return netif_carrier_ok(dev);
}

__rust_helper void rust_helper_netif_tx_start_all_queues(struct net_device *dev)
{
	netif_tx_start_all_queues(dev);
}

__rust_helper void rust_helper_netif_tx_disable(struct net_device *dev)
{
	netif_tx_disable(dev);
}

__rust_helper struct netdev_queue *
rust_helper_netdev_get_tx_queue(const struct net_device *dev, unsigned int index)
{
	return netdev_get_tx_queue(dev, index);
}

__rust_helper void rust_helper_netif_tx_stop_queue(struct netdev_queue *txq)
{
	netif_tx_stop_queue(txq);
}

__rust_helper void rust_helper_netif_tx_start_queue(struct netdev_queue *txq)
{
	netif_tx_start_queue(txq);
}

__rust_helper bool
rust_helper_netif_tx_queue_stopped(const struct netdev_queue *txq)
{
	return netif_tx_queue_stopped(txq);
}

__rust_helper bool rust_helper_netif_xmit_stopped(const struct netdev_queue *txq)
{
	return netif_xmit_stopped(txq);
}

__rust_helper bool rust_helper_netdev_xmit_more(void)
{
	return netdev_xmit_more();
}

__rust_helper void rust_helper_netdev_tx_sent_queue(struct netdev_queue *txq,
						    unsigned int bytes)
{
	netdev_tx_sent_queue(txq, bytes);
}

__rust_helper void rust_helper_netdev_txq_completed_mb(struct netdev_queue *txq,
						       unsigned int pkts,
						       unsigned int bytes)
{
	netdev_txq_completed_mb(txq, pkts, bytes);
}

__rust_helper void rust_helper_netdev_tx_reset_queue(struct netdev_queue *txq)
{
	netdev_tx_reset_queue(txq);
}

__rust_helper void rust_helper_smp_mb__after_atomic(void)
{
	/* Orders a queue stop before the recheck of the ring, as in netif_txq_try_stop(). */
	smp_mb__after_atomic();
}

__rust_helper void rust_helper_netif_napi_add(struct net_device *dev,
					      struct napi_struct *napi,
					      int (*poll)(struct napi_struct *, int))
{
	netif_napi_add(dev, napi, poll);
}

__rust_helper void rust_helper_netif_napi_del(struct napi_struct *napi)
{
	netif_napi_del(napi);
}

__rust_helper bool rust_helper_napi_schedule(struct napi_struct *n)
{
	return napi_schedule(n);
}

__rust_helper gro_result_t rust_helper_napi_gro_receive(struct napi_struct *napi,
							struct sk_buff *skb)
{
	return napi_gro_receive(napi, skb);
}

__rust_helper int rust_helper___skb_put_padto(struct sk_buff *skb, unsigned int len,
					      bool free_on_error)
{
	return __skb_put_padto(skb, len, free_on_error);
}

__rust_helper void rust_helper___skb_incr_checksum_unnecessary(struct sk_buff *skb)
{
	__skb_incr_checksum_unnecessary(skb);
}

__rust_helper void rust_helper_skb_record_rx_queue(struct sk_buff *skb, u16 rx_queue)
{
	skb_record_rx_queue(skb, rx_queue);
}

__rust_helper unsigned int rust_helper_skb_headlen(const struct sk_buff *skb)
{
	return skb_headlen(skb);
}

__rust_helper void rust_helper_local_bh_disable(void)
{
	local_bh_disable();
}

__rust_helper void rust_helper_local_bh_enable(void)
{
	local_bh_enable();
}

#endif /* CONFIG_NET */
