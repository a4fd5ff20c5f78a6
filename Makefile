# SPDX-License-Identifier: GPL-2.0
#
# bulknet: kernel networking fast paths in Rust-for-Linux.
#
#   make run      set up, build, boot the test router, load the modules, benchmark
#   make check    every test: host unit tests and lints, KUnit doctests, selftests
#
# See README.md. Everything heavy lives in BULKNET_CACHE, outside this tree.

BULKNET_CACHE ?= /var/cache/bulknet
export BULKNET_CACHE
KDIR ?=
export KDIR
KBUILD_OUTPUT := $(BULKNET_CACHE)/build
export KBUILD_OUTPUT
LLVM ?= -19
export LLVM
BENCH ?=
BENCH_MODE ?= icount
export BENCH_MODE
export BENCH

SRC := $(if $(KDIR),$(KDIR),$(BULKNET_CACHE)/linux-7.3)
MODULES_OUT := $(BULKNET_CACHE)/modules
export BULKNET_MODULES := $(MODULES_OUT)
T := tools/testing/bulknet
SETUP_STAMP := $(BULKNET_CACHE)/.setup-done
PATH := $(HOME)/.cargo/bin:$(PATH)
export PATH

.PHONY: all run check bench setup kernel modules host-test series clean help

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
	@$(T)/kernel.sh

modules: kernel
	@mkdir -p $(MODULES_OUT)
	@$(MAKE) -s -C $(SRC) O=$(KBUILD_OUTPUT) M=$(CURDIR) MO=$(MODULES_OUT) LLVM=$(LLVM) CLIPPY=1 modules
	@echo "bulknet: modules in $(MODULES_OUT):" $$(cd $(MODULES_OUT) && find . -name '*.ko' | sort)

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
