/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What insn_profile uses of QEMU's TCG plugin API (docs/devel/tcg-plugins.rst,
 * include/qemu/qemu-plugin.h), declared here because Debian installs no QEMU
 * headers. A plugin ID is a uint64_t; the info block and blocks are opaque.
 * These entry points are unchanged from API level 1 to 4 (QEMU 10.0).
 */
#ifndef BULKNET_QEMU_PLUGIN_H
#define BULKNET_QEMU_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

struct qemu_info_t;
struct qemu_plugin_tb;

/* enum qemu_plugin_cb_flags: the callback reads no guest register. */
#define QEMU_PLUGIN_CB_NO_REGS 0

void qemu_plugin_register_vcpu_tb_trans_cb(uint64_t id,
					   void (*cb)(uint64_t id, struct qemu_plugin_tb *tb));
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb,
					  void (*cb)(unsigned int vcpu, void *udata),
					  int flags, void *udata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);

#endif
