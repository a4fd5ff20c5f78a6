#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetches Linux 7.3, applies bulknet's kernel-tree changes as git commits, and
# builds two kernels from that one tree, incrementally, out of tree:
#  - perf:  tinyconfig + kernel/configs/bulknet.config, in $BULKNET_CACHE/build;
#           make bench and make run boot it;
#  - debug: the same + kernel/configs/bulknet-debug.config (lockdep, KASAN,
#           kmemleak, DEBUG_NET), in $BULKNET_CACHE/build-debug; make check
#           boots it.
# And Kconfig variants, each tinyconfig + bulknet.config +
# kernel/configs/bulknet-variant-NAME.config in $BULKNET_CACHE/build-variant-NAME,
# of which only the Rust kernel crate and its C helpers are built (rust/): the
# abstractions must build in every configuration Kconfig accepts.
#
#   kernel.sh [perf|debug|both]   fetch (unless KDIR is set), apply, configure, build
#   kernel.sh variant-NAME        the same for a variant, rust/ only
#   kernel.sh apply               fetch and apply only
#   kernel.sh series              write the kernel-tree changes as a patch series
#
# Environment: BULKNET_CACHE (default /var/cache/bulknet), KDIR (a kernel tree
# of your own; skips the download), LLVM (-22: clang, lld and llvm 22, the
# LLVM of rustc 1.95, so that Rust can inline the C helpers).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../../.." && pwd)
CACHE=${BULKNET_CACHE:-/var/cache/bulknet}
PKG=linux-source-7.3
PKG_VERSION=7.3.4-1~bpo13+1
LLVM=${LLVM:--22}
export PATH="$HOME/.cargo/bin:$PATH"
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
GIT="git -c user.name=bulknet -c user.email=bulknet@localhost -c advice.detachedHead=false"

die() { echo "bulknet kernel: $*" >&2; exit 1; }
log() { echo "bulknet kernel: $*"; }

if [ -n "${KDIR:-}" ]; then
	SRC=$(cd "$KDIR" && pwd) || die "KDIR=$KDIR does not exist"
	[ -f "$SRC/Makefile" ] && [ -d "$SRC/rust/kernel" ] || die "KDIR=$KDIR is not a kernel tree with Rust support"
else
	SRC=$CACHE/linux-7.3
fi

fetch() {
	[ -f "$SRC/Makefile" ] && return 0
	local apt=$CACHE/apt
	local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/sources.list.d"
		-o "Dir::Etc::Preferences=$apt/preferences" -o "Dir::Etc::PreferencesParts=$apt/preferences.d"
		-o "Dir::State=$apt/state" -o "Dir::Cache=$apt/cache" -o "APT::Sandbox::User=root")
	mkdir -p "$apt/state/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d" "$apt/preferences.d"
	# A private sources list and state dir: the system's apt sources stay as they are.
	echo "deb http://deb.debian.org/debian trixie-backports main" > "$apt/sources.list"
	log "fetching $PKG $PKG_VERSION from trixie-backports"
	apt-get "${opts[@]}" update -qq || die "apt-get update of the private trixie-backports list failed"
	local deb
	deb=$(cd "$apt" && apt-get "${opts[@]}" download -q "$PKG=$PKG_VERSION" >/dev/null 2>&1 && ls ${PKG}_*.deb) ||
		die "$PKG $PKG_VERSION is no longer in the archive; point KDIR=/path/to/linux-7.3 at a kernel tree of your own"
	log "unpacking $deb"
	rm -rf "$CACHE/unpack" "$SRC"
	mkdir -p "$CACHE/unpack"
	dpkg-deb -x "$apt/$deb" "$CACHE/unpack"
	tar -C "$CACHE" -xJf "$CACHE/unpack/usr/src/$PKG.tar.xz"
	mv "$CACHE/$PKG" "$SRC"
	rm -rf "$CACHE/unpack" "$apt/$deb"
	# Debian's .gitignore ignores the whole top level; the baseline is pristine anyway.
	(cd "$SRC" && git init -q -b base . && git add -f -A . && \
		$GIT commit -q -m "Linux 7.3.4 (Debian $PKG $PKG_VERSION)" && git tag v7.3.4)
}

# The kernel-tree files bulknet adds, relative to the repo and the kernel tree alike.
overlay_files() {
	(cd "$REPO" && git ls-files --cached --others --exclude-standard \
		rust/kernel rust/helpers kernel/configs 2>/dev/null || \
		find rust/kernel rust/helpers kernel/configs -type f) | sort -u
}

apply() {
	[ -d "$SRC/.git" ] || die "$SRC is not a git tree: bulknet keeps its changes there as commits (git init it, or use a net-next checkout)"
	local stamp
	stamp=$( (cd "$REPO" && cat $(overlay_files) rust/patches/*.patch) | sha256sum | cut -c1-16)
	if [ "$(cd "$SRC" && git log -1 --format=%s 2>/dev/null)" = "bulknet: inputs $stamp" ]; then
		return 0
	fi
	log "applying bulknet kernel-tree changes ($stamp)"
	local base
	base=$(cd "$SRC" && { git rev-parse -q --verify bulknet-base || git rev-parse HEAD; })
	local force=
	# Our own cache tree is generated: reset it. A tree of yours must be clean.
	[ -z "${KDIR:-}" ] && force=-f
	(cd "$SRC" && git tag -f bulknet-base "$base" >/dev/null && git checkout -q $force -B bulknet bulknet-base) ||
		die "cannot check out branch bulknet at bulknet-base in $SRC (uncommitted changes?)"
	# One commit per patch. A patch changes existing files; the new files it
	# brings live in this repo and are named by its "Bulknet-Files:" trailer.
	local p f claimed="" info=$CACHE/mailinfo
	mkdir -p "$info"
	for p in "$REPO"/rust/patches/*.patch; do
		[ -e "$p" ] || continue
		git mailinfo "$info/msg" "$info/diff" < "$p" > "$info/head"
		local files
		files=$(sed -n 's/^Bulknet-Files: //p' "$info/msg")
		(cd "$SRC" && git apply --index "$info/diff") || die "$(basename "$p") does not apply to $SRC"
		for f in $files; do
			mkdir -p "$SRC/$(dirname "$f")"
			cp "$REPO/$f" "$SRC/$f"
			(cd "$SRC" && git add -f "$f")
			claimed="$claimed $f"
		done
		{ sed -n 's/^Subject: //p' "$info/head"; echo; grep -v '^Bulknet-Files: ' "$info/msg"; } > "$info/commit"
		(cd "$SRC" && GIT_AUTHOR_NAME="$(sed -n 's/^Author: //p' "$info/head")" \
			GIT_AUTHOR_EMAIL="$(sed -n 's/^Email: //p' "$info/head")" \
			$GIT commit -q --cleanup=strip -F "$info/commit")
	done
	# New files no patch claims: the config fragment and the like.
	local rest=""
	for f in $(overlay_files); do
		case " $claimed " in *" $f "*) continue ;; esac
		mkdir -p "$SRC/$(dirname "$f")"
		cp "$REPO/$f" "$SRC/$f"
		rest="$rest $f"
	done
	if [ -n "$rest" ]; then
		(cd "$SRC" && git add -f $rest && $GIT commit -q -m "bulknet: add test configuration" \
			-m "kernel/configs/bulknet.config: tinyconfig plus what the bulknet test router needs.")
	fi
	(cd "$SRC" && $GIT commit -q --allow-empty -m "bulknet: inputs $stamp")
}

# flavour_dir FLAVOUR: the build dir of a flavour.
flavour_dir() {
	case "$1" in
	perf) echo "$CACHE/build" ;;
	debug) echo "$CACHE/build-debug" ;;
	variant-*) echo "$CACHE/build-$1" ;;
	*) die "unknown kernel flavour '$1' (perf or debug)" ;;
	esac
}

# flavour_frags FLAVOUR: its config fragments, in the order they apply.
flavour_frags() {
	case "$1" in
	perf) echo bulknet.config ;;
	debug) echo bulknet.config bulknet-debug.config ;;
	variant-*)
		[ -f "$SRC/kernel/configs/bulknet-$1.config" ] ||
			die "no kernel/configs/bulknet-$1.config"
		echo bulknet.config "bulknet-$1.config"
		;;
	esac
}

# rustc_llvm_major / clang_major: the LLVM major versions of the two compilers.
rustc_llvm_major() { rustc --version --verbose | sed -n 's/^LLVM version: \([0-9]*\).*/\1/p'; }
clang_major() { clang$LLVM -dumpversion | cut -d. -f1; }

configure() {
	local flavour=$1 out frags f
	out=$(flavour_dir "$flavour")
	frags=$(flavour_frags "$flavour")
	mkdir -p "$out"
	local stamp
	stamp=$( (echo "LLVM=$LLVM"; for f in $frags; do cat "$SRC/kernel/configs/$f"; done) | sha256sum | cut -c1-16)
	if [ -f "$out/.config" ] && [ "$(cat "$out/.bulknet-config" 2>/dev/null)" = "$stamp" ]; then
		return 0
	fi
	log "configuring $flavour kernel: tinyconfig + $frags, LLVM=$LLVM, in $out"
	# shellcheck disable=SC2086
	make -s -C "$SRC" O="$out" LLVM="$LLVM" tinyconfig $frags >/dev/null
	# Every line of every fragment must take, but where a later fragment sets
	# the same symbol, and RUST_INLINE_HELPERS when the two compilers' LLVMs
	# differ (Kconfig's RUSTC_CLANG_LLVM_COMPATIBLE then hides it).
	local later="" line sym inline_ok=1
	grep -qx CONFIG_RUSTC_CLANG_LLVM_COMPATIBLE=y "$out/.config" || inline_ok=0
	for f in $(echo $frags | tr ' ' '\n' | tac); do
		while read -r line; do
			case "$line" in
			CONFIG_*=*) sym=${line%%=*} ;;
			"# CONFIG_"*" is not set")
				sym=${line#\# }
				sym=${sym%% *}
				case " $later " in *" $sym "*) continue ;; esac
				grep -q "^$sym=" "$out/.config" &&
					die "kernel/configs/$f: $line did not take in the $flavour kernel (selected by another symbol?)"
				continue
				;;
			*) continue ;;
			esac
			case " $later " in *" $sym "*) continue ;; esac
			if [ $sym = CONFIG_RUST_INLINE_HELPERS ] && [ $inline_ok = 0 ]; then
				log "WARNING: clang$LLVM is LLVM $(clang_major) but rustc is LLVM $(rustc_llvm_major):" \
					"no RUST_INLINE_HELPERS, Rust calls the rust/helpers/ wrappers out of line" \
					"(LLVM=-$(rustc_llvm_major) inlines them)"
				continue
			fi
			grep -qx "$line" "$out/.config" ||
				die "kernel/configs/$f: $line did not take in the $flavour kernel (missing dependency?)"
		done < "$SRC/kernel/configs/$f"
		later="$later $(sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=.*/\1/p; s/^# \(CONFIG_[A-Z0-9_]*\) is not set/\1/p' "$SRC/kernel/configs/$f" | tr "\n" " ")"
	done
	echo "$stamp" > "$out/.bulknet-config"
}

build() {
	local flavour=$1 out cc=clang$LLVM
	out=$(flavour_dir "$flavour")
	command -v ccache >/dev/null && cc="ccache $cc"
	log "building the $flavour kernel's bzImage and modules in $out (first build: about 20 minutes on 2 cores)"
	make -s -C "$SRC" O="$out" LLVM="$LLVM" CC="$cc" CLIPPY=1 -j"$(($(nproc) + 1))" bzImage modules
	make -s -C "$SRC" O="$out" LLVM="$LLVM" INSTALL_MOD_PATH="$CACHE/modroot" modules_install >/dev/null
}

# build_rust FLAVOUR: the Rust kernel crate (doctests included) and the C
# helpers, nothing else.
build_rust() {
	local flavour=$1 out cc=clang$LLVM
	out=$(flavour_dir "$flavour")
	command -v ccache >/dev/null && cc="ccache $cc"
	log "building the $flavour kernel's rust/ in $out"
	make -s -C "$SRC" O="$out" LLVM="$LLVM" CC="$cc" CLIPPY=1 -j"$(($(nproc) + 1))" rust/
}

series() {
	local dir=$REPO/out/series
	rm -rf "$dir"
	(cd "$SRC" && git format-patch -q --no-signature -o "$dir" bulknet-base..bulknet -- ':!**/.gitkeep')
	rm -f "$dir"/*bulknet-inputs-*.patch
	log "patch series against $(cd "$SRC" && git describe --tags --exclude bulknet-base bulknet-base 2>/dev/null || echo base) in $dir:"
	ls "$dir"
}

case "${1:-perf}" in
perf | debug) fetch; apply; configure "$1"; build "$1" ;;
both) fetch; apply; configure perf; build perf; configure debug; build debug ;;
variant-*) fetch; apply; configure "$1"; build_rust "$1" ;;
apply) fetch; apply ;;
series) fetch; apply; series ;;
*) die "usage: kernel.sh [perf|debug|both|variant-NAME|apply|series]" ;;
esac
