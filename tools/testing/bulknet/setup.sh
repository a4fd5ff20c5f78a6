#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Installs what bulknet needs on a Debian 12 machine. Idempotent and quiet when
# everything is already there. Run as root (make setup does).
set -euo pipefail

die() { echo "bulknet setup: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (it installs Debian packages)"
. /etc/os-release 2>/dev/null || die "cannot read /etc/os-release"
[ "${ID:-}" = debian ] && [ "${VERSION_ID:-}" = 12 ] ||
	die "needs Debian 12 (bookworm), found ${PRETTY_NAME:-unknown}"

export DEBIAN_FRONTEND=noninteractive
BOOKWORM_PKGS="clang-22 lld-22 llvm-22 libclang-22-dev flex bison bc libelf-dev libssl-dev
	cpio busybox-static iproute2 iputils-ping ethtool nftables iptables ccache kmod xz-utils make git
	python3 python3-yaml curl ca-certificates"
BACKPORTS_LIST=/etc/apt/sources.list.d/bulknet-bookworm-backports.list

missing=""
for p in $BOOKWORM_PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
qemu_ok() {
	command -v qemu-system-x86_64 >/dev/null &&
		qemu-system-x86_64 -device help 2>/dev/null | grep -q '"igb"'
}

if [ -n "$missing" ] || ! qemu_ok; then
	if [ ! -f "$BACKPORTS_LIST" ]; then
		echo "deb http://deb.debian.org/debian bookworm-backports main" > "$BACKPORTS_LIST"
	fi
	echo "bulknet setup: installing Debian packages:${missing:- qemu-system-x86 (backports)}"
	apt-get update -qq
	if [ -n "$missing" ]; then
		# shellcheck disable=SC2086
		apt-get install -y -qq --no-install-recommends $missing >/dev/null
	fi
	if ! qemu_ok; then
		apt-get install -y -qq --no-install-recommends -t bookworm-backports \
			qemu-system-x86 >/dev/null
	fi
	qemu_ok || die "qemu-system-x86_64 has no igb device: it must come from bookworm-backports (QEMU >= 8)"
fi

# Rust: the machine's rustup toolchain, its sources, and bindgen.
export PATH="$HOME/.cargo/bin:$PATH"
command -v rustup >/dev/null || die "rustup not found: install a Rust toolchain with rustup first"
sysroot=$(rustc --print sysroot)
if [ ! -d "$sysroot/lib/rustlib/src/rust/library/core" ]; then
	echo "bulknet setup: rustup component add rust-src"
	rustup component add rust-src >/dev/null
fi
for c in clippy rustfmt; do
	rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c" >/dev/null
done

# Miri, for the lock-free ring's host tests: a nightly toolchain's component.
if ! rustup +nightly component list --installed 2>/dev/null | grep -q '^miri'; then
	echo "bulknet setup: the nightly toolchain's miri"
	if rustup toolchain list | grep -q '^nightly'; then
		rustup component add --toolchain nightly miri rust-src >/dev/null
	else
		rustup toolchain install nightly --profile minimal -c miri,rust-src >/dev/null
	fi
fi

bindgen_ok() {
	local v
	v=$(bindgen --version 2>/dev/null | awk '{print $2}') || return 1
	[ -n "$v" ] && [ "$(printf '%s\n0.71.1\n' "$v" | sort -V | head -1)" = 0.71.1 ]
}
if ! bindgen_ok; then
	echo "bulknet setup: cargo install --locked bindgen-cli (about 3 minutes)"
	LIBCLANG_PATH=/usr/lib/llvm-22/lib cargo install --locked -q bindgen-cli
	bindgen_ok || die "bindgen >= 0.71.1 still not found after cargo install"
fi
