// SPDX-License-Identifier: GPL-2.0

/*
 * The static inlines of a page pool's hot path (allocation, recycling, DMA
 * sync) and of building an skb around a pool page. With
 * CONFIG_RUST_INLINE_HELPERS they are inlined into Rust code as into C.
 */

#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/page_pool/helpers.h>

#ifdef CONFIG_PAGE_POOL

__rust_helper struct page *
rust_helper_page_pool_dev_alloc_pages(struct page_pool *pool)
{
	return page_pool_dev_alloc_pages(pool);
}

__rust_helper dma_addr_t
rust_helper_page_pool_get_dma_addr(const struct page *page)
{
	return page_pool_get_dma_addr(page);
}

__rust_helper void
rust_helper_page_pool_dma_sync_for_cpu(const struct page_pool *pool,
				       const struct page *page, u32 offset,
				       u32 dma_sync_size)
{
	page_pool_dma_sync_for_cpu(pool, page, offset, dma_sync_size);
}

__rust_helper void rust_helper_page_pool_put_full_page(struct page_pool *pool,
						       struct page *page,
						       bool allow_direct)
{
	page_pool_put_full_page(pool, page, allow_direct);
}

__rust_helper void rust_helper_page_pool_recycle_direct(struct page_pool *pool,
							struct page *page)
{
	page_pool_recycle_direct(pool, page);
}

__rust_helper void rust_helper_get_page(struct page *page)
{
	get_page(page);
}

__rust_helper void rust_helper_put_page(struct page *page)
{
	put_page(page);
}

__rust_helper void rust_helper_skb_mark_for_recycle(struct sk_buff *skb)
{
	skb_mark_for_recycle(skb);
}

#endif

__rust_helper void *rust_helper_lowmem_page_address(const struct page *page)
{
	return lowmem_page_address(page);
}

__rust_helper void rust_helper_net_prefetch(void *p)
{
	net_prefetch(p);
}

__rust_helper void rust_helper_skb_reserve(struct sk_buff *skb, int len)
{
	skb_reserve(skb, len);
}

__rust_helper void *rust_helper___skb_put(struct sk_buff *skb, unsigned int len)
{
	return __skb_put(skb, len);
}

__rust_helper unsigned int rust_helper_net_skb_pad(void)
{
	return NET_SKB_PAD;
}
