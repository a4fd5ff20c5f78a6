// SPDX-License-Identifier: GPL-2.0
/*
 * insn_profile: a QEMU TCG plugin that counts the guest instructions executed
 * in each translation block, for profile.py to attribute to guest functions.
 *
 *   -plugin insn_profile.so,mark=0xADDR,out=PREFIX
 *
 * Every time the block at guest address ADDR runs (the guest calls a marker
 * function, say sync(2)'s), the counts so far go to PREFIX.N, N = 0, 1, ...:
 * a line per block, "VADDR INSTRUCTIONS RUNS".
 * The difference of two snapshots is what the guest ran in between. Counts
 * are exact: a block's instructions are added each time it is entered (a
 * block left early by an exception counts whole, a rare event).
 *
 * The few entry points it uses are declared in qemu_plugin.h, so that
 * building it needs no QEMU headers. One vCPU (-smp 1): the counters are not
 * atomic.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_plugin.h"

#define EXPORT __attribute__((visibility("default")))

/* The API level qemu_plugin.h follows. */
EXPORT int qemu_plugin_version = 4;

/* One translation of a block: a block translated again gets another. */
struct block {
	uint64_t vaddr;
	uint64_t insns;
	uint64_t runs;
};

static struct block **blocks;
static size_t nblocks, cap;
static uint64_t mark;
static const char *out = "insn_profile";
static unsigned int snapshots;

static void snapshot(void)
{
	char path[4096];
	FILE *f;
	size_t i;

	snprintf(path, sizeof(path), "%s.%u", out, snapshots++);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return;
	}
	for (i = 0; i < nblocks; i++)
		if (blocks[i]->runs)
			fprintf(f, "%" PRIx64 " %" PRIu64 " %" PRIu64 "\n",
				blocks[i]->vaddr,
				blocks[i]->insns * blocks[i]->runs,
				blocks[i]->runs);
	fclose(f);
}

static void on_exec(unsigned int vcpu, void *udata)
{
	struct block *b = udata;

	(void)vcpu;
	b->runs++;
}

static void on_mark(unsigned int vcpu, void *udata)
{
	(void)vcpu;
	(void)udata;
	snapshot();
}

static void on_translate(uint64_t id, struct qemu_plugin_tb *tb)
{
	struct block *b = calloc(1, sizeof(*b));

	(void)id;
	if (!b)
		abort();
	if (nblocks == cap) {
		cap = cap ? 2 * cap : 65536;
		blocks = realloc(blocks, cap * sizeof(*blocks));
		if (!blocks)
			abort();
	}
	b->vaddr = qemu_plugin_tb_vaddr(tb);
	b->insns = qemu_plugin_tb_n_insns(tb);
	blocks[nblocks++] = b;
	qemu_plugin_register_vcpu_tb_exec_cb(tb, on_exec, QEMU_PLUGIN_CB_NO_REGS, b);
	if (mark && b->vaddr == mark)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, on_mark,
						     QEMU_PLUGIN_CB_NO_REGS, NULL);
}

EXPORT int qemu_plugin_install(uint64_t id, const struct qemu_info_t *info,
			       int argc, char **argv)
{
	int i;

	(void)info;
	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "mark=", 5)) {
			mark = strtoull(argv[i] + 5, NULL, 0);
		} else if (!strncmp(argv[i], "out=", 4)) {
			out = argv[i] + 4;
		} else {
			fprintf(stderr, "insn_profile: unknown argument '%s'\n", argv[i]);
			return -1;
		}
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	return 0;
}
