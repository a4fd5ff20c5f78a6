# SPDX-License-Identifier: GPL-2.0
#
# bulknet: kernel networking fast paths in Rust-for-Linux.
#
#   make run      set up, build, boot the test router, load the modules, benchmark
#   make check    every test: host unit tests and lints, KUnit doctests, selftests
#                 (on the debug kernel)
#
# See README.md. Everything heavy lives in BULKNET_CACHE, outside this tree.

BULKNET_CACHE ?= /var/cache/bulknet
export BULKNET_CACHE
KDIR ?=
export KDIR
# Two kernels from one tree (tools/testing/bulknet/kernel.sh): the performance
# kernel, which make bench and make run boot, and the debug kernel (lockdep,
# KASAN, kmemleak, DEBUG_NET), which make check boots.
BUILD_PERF := $(BULKNET_CACHE)/build
BUILD_DEBUG := $(BULKNET_CACHE)/build-debug
# clang, lld and llvm 22: the LLVM of rustc 1.95, so Rust inlines rust/helpers/.
LLVM ?= -22
export LLVM
BENCH ?=
BENCH_MODE ?= icount
export BENCH_MODE
export BENCH

SRC := $(if $(KDIR),$(KDIR),$(BULKNET_CACHE)/linux-7.3)
# Out-of-tree modules, one dir per kernel release (a module built for one
# kernel does not load in the other): $(MODULES_OUT)/<uname -r>/.
MODULES_OUT := $(BULKNET_CACHE)/modules
T := tools/testing/bulknet
SETUP_STAMP := $(BULKNET_CACHE)/.setup-done
PATH := $(HOME)/.cargo/bin:$(PATH)
export PATH

.PHONY: all run check bench setup kernel kernel-debug modules modules-debug tc-plugins tools host-test series \
	clean help

all: modules

help:
	@sed -n 's/^#   //p' Makefile

# Setup runs once per machine; delete $(SETUP_STAMP) (or run 'make setup') to redo it.
$(SETUP_STAMP): $(T)/setup.sh
	@$(T)/setup.sh
	@mkdir -p $(BULKNET_CACHE) && touch $@

setup:
	@$(T)/setup.sh
	@mkdir -p $(BULKNET_CACHE) && touch $(SETUP_STAMP)

kernel: $(SETUP_STAMP)
	@$(T)/kernel.sh perf

kernel-debug: $(SETUP_STAMP)
	@$(T)/kernel.sh debug

# The kernel tree's page_pool benchmark (bench_page_pool.ko), the C twin of
# ours, built from the kernel tree as an out-of-tree module.
PAGE_POOL_BENCH := tools/testing/selftests/net/bench/page_pool

# build_modules BUILD_DIR: bulknet's modules against one kernel, into
# $(MODULES_OUT)/<its release>.
define build_modules
	@rel=$$(cat $(1)/include/config/kernel.release) && mkdir -p $(MODULES_OUT)/$$rel && \
	$(MAKE) -s -C $(SRC) O=$(1) M=$(CURDIR) MO=$(MODULES_OUT)/$$rel LLVM=$(LLVM) CLIPPY=1 modules && \
	$(MAKE) -s -C $(SRC) O=$(1) M=$(SRC)/$(PAGE_POOL_BENCH) MO=$(MODULES_OUT)/$$rel/$(PAGE_POOL_BENCH) \
		LLVM=$(LLVM) modules && \
	echo "bulknet: modules for $$rel:" $$(cd $(MODULES_OUT)/$$rel && find . -name '*.ko' | sort)
endef

modules: kernel tc-plugins tools
	$(call build_modules,$(BUILD_PERF))

modules-debug: kernel-debug tc-plugins tools
	$(call build_modules,$(BUILD_DEBUG))

# Userspace tools, run in the guest from here: rfilter's command-line tool
# (tools/net/rfilter), as $(BULKNET_CACHE)/bin/rfilter.
tools: $(SETUP_STAMP)
	@cargo build --quiet --release --locked -p rfilter-cli --target-dir $(BULKNET_CACHE)/target && \
	mkdir -p $(BULKNET_CACHE)/bin && cp $(BULKNET_CACHE)/target/release/rfilter $(BULKNET_CACHE)/bin/rfilter

# tc's plugin for lfifo (tools/net/tc/q_lfifo.c), against the installed
# iproute2 (6.x: the plugin declares the few parts of its ABI it uses), for the
# guest's tc: TC_LIB_DIR=$(TC_LIB_DIR).
TC_LIB_DIR := $(BULKNET_CACHE)/tc
TC_PLUGINS := $(TC_LIB_DIR)/q_lfifo.so $(TC_LIB_DIR)/q_lfifo_nobypass.so
tc-plugins: $(TC_PLUGINS)

# lfifo_nobypass takes lfifo's options: the same plugin, under its name.
$(TC_LIB_DIR)/q_lfifo_nobypass.so: $(TC_LIB_DIR)/q_lfifo.so
	@ln -sf q_lfifo.so $@

$(TC_LIB_DIR)/q_%.so: tools/net/tc/q_%.c tools/net/tc/iproute2.h $(SETUP_STAMP)
	@v=$$(/usr/sbin/tc -V | sed -n 's/.*iproute2-\([0-9]*\)\..*/\1/p'); [ "$$v" = 6 ] || \
		{ echo "bulknet: $< is written for iproute2 6.x, but tc says: $$(/usr/sbin/tc -V)" >&2; exit 1; }
	@mkdir -p $(TC_LIB_DIR)
	@clang$(LLVM) -Wall -Wextra -Wno-unused-parameter -Werror -O2 -fPIC -shared -o $@ $<

host-test: $(SETUP_STAMP)
	@$(T)/check.sh --host-only

check: $(SETUP_STAMP)
	@$(T)/check.sh

bench: modules
	@python3 $(T)/bench.py

run: modules
	@python3 $(T)/bench.py

series: $(SETUP_STAMP)
	@$(T)/kernel.sh series

clean:
	rm -rf out target $(MODULES_OUT)
