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

static unsigned int fail_nth;
module_param(fail_nth, uint, 0444);
MODULE_PARM_DESC(fail_nth, "Testing: fail the benchmark's nth fault point, as /proc/self/fail-nth does (0: off)");

struct bench_obj {
	u8 data[BENCH_OBJ_SIZE];
};

static const unsigned int bulk_sizes[] = { 1, 2, 4, 8, 16, 32, 64, 128 };

static void report(const char *kind, unsigned int bulk, u64 ops, u64 ns)
{
	u64 picos = div64_u64(ns * 1000 + ops / 2, ops);

	pr_info("impl=c case=%s bulk=%u objects=%llu elapsed_ns=%llu ns_per_obj=%llu.%03llu\n",
		kind, bulk, ops, ns, div_u64(picos, 1000), picos % 1000);
}

static int bench_single(struct kmem_cache *s)
{
	unsigned long i;
	u64 start;
	void *obj;

	start = ktime_get_ns();
	for (i = 0; i < objects; i++) {
		obj = kmem_cache_alloc(s, GFP_ATOMIC);
		if (!obj)
			return -ENOMEM;
		kmem_cache_free(s, obj);
	}
	report("single", 1, objects, ktime_get_ns() - start);
	return 0;
}

static int bench_bulk(struct kmem_cache *s, unsigned int bulk)
{
	void *objs[BENCH_BULK_MAX];
	unsigned long i, loops = max(DIV_ROUND_UP(objects, bulk), 1UL);
	u64 start;

	start = ktime_get_ns();
	for (i = 0; i < loops; i++) {
		if (!kmem_cache_alloc_bulk(s, GFP_ATOMIC, bulk, objs))
			return -ENOMEM;
		kmem_cache_free_bulk(s, bulk, objs);
	}
	report("bulk", bulk, (u64)loops * bulk, ktime_get_ns() - start);
	return 0;
}

static int __init slab_bulk_bench_init(void)
{
	struct kmem_cache *s;
	unsigned int i;
	int err;

	if (!objects) {
		pr_err("objects must be at least 1\n");
		return -EINVAL;
	}
	if (fail_nth && !IS_ENABLED(CONFIG_FAULT_INJECTION)) {
		pr_err("fail_nth needs CONFIG_FAULT_INJECTION\n");
		return -EOPNOTSUPP;
	}
	s = kmem_cache_create(KBUILD_MODNAME, sizeof(struct bench_obj), NULL, 0);
	if (!s)
		return -ENOMEM;

#ifdef CONFIG_FAULT_INJECTION
	current->fail_nth = fail_nth;
#endif
	err = bench_single(s);
	for (i = 0; !err && i < ARRAY_SIZE(bulk_sizes); i++)
		err = bench_bulk(s, bulk_sizes[i]);
#ifdef CONFIG_FAULT_INJECTION
	if (current->fail_nth)
		pr_info("fail_nth=%u: not reached, the benchmark has %u fault points\n",
			fail_nth, fail_nth - current->fail_nth);
	current->fail_nth = 0;
#endif

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
