// SPDX-License-Identifier: GPL-2.0
/*
 * slab_bulk_bench: cost per object of kmem_cache alloc+free, single and bulk.
 *
 * The C reference for slab_bulk_bench_rust: the same cache, the same loops and
 * the same output, calling the slab API directly. In the spirit of Jesper
 * Dangaard Brouer's slab_bulk_test01 (prototype-kernel).
 *
 * Under QEMU -icount shift=0 a guest nanosecond is a guest instruction, so the
 * printed cost per object is also instructions per object.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/math64.h>

#define BENCH_OBJ_SIZE 256
#define BENCH_BULK_MAX 128

static unsigned long objects = 1 << 17;
module_param(objects, ulong, 0444);
MODULE_PARM_DESC(objects, "Objects allocated and freed per measurement (default 131072)");

static unsigned int fail_call;
module_param(fail_call, uint, 0444);
MODULE_PARM_DESC(fail_call, "Testing: make the benchmark's nth allocation call fail, at its first fault point (0: off)");

struct bench_obj {
	u8 data[BENCH_OBJ_SIZE];
};

static const unsigned int bulk_sizes[] = { 1, 2, 4, 8, 16, 32, 64, 128 };

/*
 * The fault-injection pass (fail_call=k) makes the benchmark's allocation
 * calls again, untimed, and arms the task's fail_nth for the first fault point
 * of the kth one: that of the call itself, before any of the page allocator or
 * of kmemleak, whose own fault points differ from kernel to kernel.
 */
static unsigned int calls;

static __always_inline void before_alloc(bool inject)
{
#ifdef CONFIG_FAULT_INJECTION
	if (inject && ++calls == fail_call)
		current->fail_nth = 1;
#endif
}

static __always_inline void after_alloc(bool inject)
{
#ifdef CONFIG_FAULT_INJECTION
	if (inject)
		current->fail_nth = 0;
#endif
}

static void report(const char *kind, unsigned int bulk, u64 ops, u64 ns)
{
	u64 picos = div64_u64(ns * 1000 + ops / 2, ops);

	pr_info("impl=c case=%s bulk=%u objects=%llu elapsed_ns=%llu ns_per_obj=%llu.%03llu\n",
		kind, bulk, ops, ns, div_u64(picos, 1000), picos % 1000);
}

static __always_inline int single_loop(struct kmem_cache *s, bool inject)
{
	unsigned long i;
	void *obj;

	for (i = 0; i < objects; i++) {
		before_alloc(inject);
		obj = kmem_cache_alloc(s, GFP_ATOMIC);
		after_alloc(inject);
		if (!obj)
			return -ENOMEM;
		kmem_cache_free(s, obj);
	}
	return 0;
}

static __always_inline int bulk_loop(struct kmem_cache *s, unsigned int bulk,
				     unsigned long loops, bool inject)
{
	void *objs[BENCH_BULK_MAX];
	unsigned long i;
	bool ok;

	for (i = 0; i < loops; i++) {
		before_alloc(inject);
		ok = kmem_cache_alloc_bulk(s, GFP_ATOMIC, bulk, objs);
		after_alloc(inject);
		if (!ok)
			return -ENOMEM;
		kmem_cache_free_bulk(s, bulk, objs);
	}
	return 0;
}

static unsigned long bulk_loops(unsigned int bulk)
{
	return max(DIV_ROUND_UP(objects, bulk), 1UL);
}

static int bench(struct kmem_cache *s)
{
	unsigned long loops;
	unsigned int i;
	u64 start;
	int err;

	start = ktime_get_ns();
	err = single_loop(s, false);
	if (err)
		return err;
	report("single", 1, objects, ktime_get_ns() - start);
	for (i = 0; i < ARRAY_SIZE(bulk_sizes); i++) {
		loops = bulk_loops(bulk_sizes[i]);
		start = ktime_get_ns();
		err = bulk_loop(s, bulk_sizes[i], loops, false);
		if (err)
			return err;
		report("bulk", bulk_sizes[i], (u64)loops * bulk_sizes[i], ktime_get_ns() - start);
	}
	return 0;
}

/* The same calls, untimed, the fail_call'th failing. */
static int bench_failing(struct kmem_cache *s)
{
	unsigned int i;
	int err;

	calls = 0;
	err = single_loop(s, true);
	for (i = 0; !err && i < ARRAY_SIZE(bulk_sizes); i++)
		err = bulk_loop(s, bulk_sizes[i], bulk_loops(bulk_sizes[i]), true);
	if (!err && calls < fail_call)
		pr_info("fail_call=%u: not reached, the benchmark makes %u allocation calls\n",
			fail_call, calls);
	return err;
}

static int __init slab_bulk_bench_init(void)
{
	struct kmem_cache *s;
	int err;

	if (!objects) {
		pr_err("objects must be at least 1\n");
		return -EINVAL;
	}
	if (fail_call && !IS_ENABLED(CONFIG_FAULT_INJECTION)) {
		pr_err("fail_call needs CONFIG_FAULT_INJECTION\n");
		return -EOPNOTSUPP;
	}
	s = kmem_cache_create(KBUILD_MODNAME, sizeof(struct bench_obj), NULL, 0);
	if (!s)
		return -ENOMEM;

	err = fail_call ? bench_failing(s) : bench(s);

	kmem_cache_destroy(s);
	if (err)
		pr_err("benchmark stopped: allocation failed (%d)\n", err);
	return err;
}

static void __exit slab_bulk_bench_exit(void)
{
}

module_init(slab_bulk_bench_init);
module_exit(slab_bulk_bench_exit);
MODULE_DESCRIPTION("Slab single vs bulk alloc+free cost, C reference for slab_bulk_bench_rust");
MODULE_LICENSE("GPL");
