#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetches Linux 7.3, applies bulknet's kernel-tree changes as git commits,
# configures tinyconfig + kernel/configs/bulknet.config and builds bzImage and
# modules, incrementally, out of tree.
#
#   kernel.sh            fetch (unless KDIR is set), apply, configure, build
#   kernel.sh series     write the kernel-tree changes as a patch series
#
# Environment: BULKNET_CACHE (default /var/cache/bulknet), KDIR (a kernel tree
# of your own; skips the download), KBUILD_OUTPUT (build dir), LLVM (-19).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../../.." && pwd)
CACHE=${BULKNET_CACHE:-/var/cache/bulknet}
PKG=linux-source-7.3
PKG_VERSION=7.3.4-1~bpo13+1
LLVM=${LLVM:--19}
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
OUT=${KBUILD_OUTPUT:-$CACHE/build}

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

configure() {
	mkdir -p "$OUT"
	local frag=$SRC/kernel/configs/bulknet.config
	if [ ! -f "$OUT/.config" ] || ! cmp -s "$frag" "$OUT/.bulknet.config"; then
		log "configuring tinyconfig + bulknet.config in $OUT"
		make -s -C "$SRC" O="$OUT" LLVM="$LLVM" tinyconfig bulknet.config >/dev/null
		local line
		while read -r line; do
			case "$line" in CONFIG_*=*) ;; *) continue ;; esac
			grep -qx "$line" "$OUT/.config" || die "kernel/configs/bulknet.config: $line did not take (missing dependency?)"
		done < "$frag"
		cp "$frag" "$OUT/.bulknet.config"
	fi
}

build() {
	local cc=clang$LLVM
	command -v ccache >/dev/null && cc="ccache $cc"
	log "building bzImage and modules in $OUT (first build: about 15 minutes on 2 cores)"
	make -s -C "$SRC" O="$OUT" LLVM="$LLVM" CC="$cc" CLIPPY=1 -j"$(($(nproc) + 1))" bzImage modules
	make -s -C "$SRC" O="$OUT" LLVM="$LLVM" INSTALL_MOD_PATH="$CACHE/modroot" modules_install >/dev/null
}

series() {
	local dir=$REPO/out/series
	rm -rf "$dir"
	(cd "$SRC" && git format-patch -q --no-signature -o "$dir" bulknet-base..bulknet -- ':!**/.gitkeep')
	rm -f "$dir"/*bulknet-inputs-*.patch
	log "patch series against $(cd "$SRC" && git describe --tags --exclude bulknet-base bulknet-base 2>/dev/null || echo base) in $dir:"
	ls "$dir"
}

case "${1:-all}" in
all) fetch; apply; configure; build ;;
apply) fetch; apply ;;
series) fetch; apply; series ;;
*) die "usage: kernel.sh [all|apply|series]" ;;
esac
