// SPDX-License-Identifier: GPL-2.0

/*
 * The static inlines of a queueing discipline's enqueue and dequeue paths.
 * With CONFIG_RUST_INLINE_HELPERS they are inlined into Rust code as into C.
 */

#include <linux/netlink.h>
#include <net/netlink.h>
#include <net/pkt_sched.h>
#include <net/sch_generic.h>

#ifdef CONFIG_NET_SCHED

__rust_helper void *rust_helper_qdisc_priv(struct Qdisc *q)
{
	return qdisc_priv(q);
}

__rust_helper struct net_device *rust_helper_qdisc_dev(const struct Qdisc *q)
{
	return qdisc_dev(q);
}

__rust_helper unsigned int rust_helper_qdisc_pkt_len(const struct sk_buff *skb)
{
	return qdisc_pkt_len(skb);
}

__rust_helper void rust_helper_qdisc_update_stats_at_enqueue(struct Qdisc *sch,
							     unsigned int pkt_len)
{
	qdisc_update_stats_at_enqueue(sch, pkt_len);
}

__rust_helper void rust_helper_qdisc_update_stats_at_dequeue(struct Qdisc *sch,
							     struct sk_buff *skb)
{
	qdisc_update_stats_at_dequeue(sch, skb);
}

/* qdisc_drop_reason(), counted per CPU for a qdisc with per-CPU statistics. */
__rust_helper int rust_helper_qdisc_drop_reason_any(struct sk_buff *skb,
						    struct Qdisc *sch,
						    struct sk_buff **to_free,
						    enum qdisc_drop_reason reason)
{
	tcf_set_qdisc_drop_reason(skb, reason);
	if (qdisc_is_percpu_stats(sch))
		return qdisc_drop_cpu(skb, sch, to_free);
	return qdisc_drop(skb, sch, to_free);
}

/*
 * An empty dequeue of a NOLOCK qdisc (pfifo_fast_dequeue()): if a CPU that
 * could not run the queue left MISSED or DRAINING set, clear them and order
 * that before the caller looks at the queue once more, so that a packet
 * enqueued meanwhile is not left behind. Returns whether to look again.
 */
__rust_helper bool rust_helper_qdisc_retry_after_missed(struct Qdisc *sch)
{
	if (!(sch->flags & TCQ_F_NOLOCK) ||
	    !(READ_ONCE(sch->state) & QDISC_STATE_NON_EMPTY))
		return false;
	clear_bit(__QDISC_STATE_MISSED, &sch->state);
	clear_bit(__QDISC_STATE_DRAINING, &sch->state);
	/* Look at the queue only after clearing MISSED (pairs with the
	 * test_and_set_bit() of MISSED in qdisc_run_begin()).
	 */
	smp_mb__after_atomic();
	return true;
}

/*
 * A NOLOCK qdisc's dequeue found its next packet still being enqueued on
 * another CPU: keep the qdisc non-empty for __dev_xmit_skb()'s bypass until a
 * dequeue finds it empty. The enqueuing CPU runs the queue after its enqueue.
 */
__rust_helper void rust_helper_qdisc_mark_not_empty(struct Qdisc *sch)
{
	if (sch->flags & TCQ_F_NOLOCK)
		set_bit(__QDISC_STATE_DRAINING, &sch->state);
}

/* After a reset: an empty queue (pfifo_fast_reset()). */
__rust_helper void rust_helper_qdisc_zero_queue_stats(struct Qdisc *sch)
{
	int i;

	if (!qdisc_is_percpu_stats(sch))
		return;
	for_each_possible_cpu(i) {
		struct gnet_stats_queue *q = per_cpu_ptr(sch->cpu_qstats, i);

		q->backlog = 0;
		q->qlen = 0;
	}
}

__rust_helper struct nlattr *rust_helper_nla_nest_start_noflag(struct sk_buff *skb,
							       int attrtype)
{
	return nla_nest_start_noflag(skb, attrtype);
}

__rust_helper int rust_helper_nla_nest_end(struct sk_buff *skb,
					   struct nlattr *start)
{
	return nla_nest_end(skb, start);
}

#endif /* CONFIG_NET_SCHED */
