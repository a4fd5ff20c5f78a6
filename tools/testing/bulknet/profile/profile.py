#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Where the instructions go: a guest workload's instructions per packet, by function.

Boots the test router under QEMU TCG with the insn_profile plugin, runs one of
pktgen-igb.sh's scenarios (workload.sh: rx, tx-burst32, tx-clone, queue-xmit or
queue-xmit-pushback), or nf-forward.sh's, once per implementation, and
attributes the instructions executed between the workload's two sync(2) calls
to the guest functions they ran in, per packet (received for rx, forwarded for nf-forward, sent otherwise).
Several implementations print side by side:

  profile.py [--case rx] [--count N] [--top N] c rust rust:rx_list=0
  profile.py --case nf-forward nft-1-nomatch rust-1-nomatch

An implementation is c or rust, optionally with rigb module parameters after a
colon (comma-separated); for nf-forward, a row of that scenario. The counts are
exact instruction counts, the same metric as make bench's icount figures; like
them they say nothing about cache misses.
"""
import argparse
import bisect
import collections
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import vm  # noqa: E402

MARK = "__x64_sys_sync"


def build_plugin(cache):
    src = os.path.join(HERE, "insn_profile.c")
    so = os.path.join(cache, "insn_profile.so")
    newest = max(os.path.getmtime(os.path.join(HERE, f)) for f in ("insn_profile.c", "qemu_plugin.h"))
    if not os.path.exists(so) or os.path.getmtime(so) < newest:
        subprocess.run(["cc", "-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC",
                        "-fvisibility=hidden", "-o", so, src], check=True)
    return so


def demangle(names):
    """Rust's v0 names made readable (LLVM's demangler knows them), and short."""
    out = subprocess.run(["llvm-cxxfilt-22"], input="\n".join(names), check=True,
                         capture_output=True, text=True).stdout.splitlines()
    return [short(n) if n != m else n for n, m in zip(out, names)]


def kernel_symbols(system_map):
    syms = []
    with open(system_map) as f:
        for line in f:
            addr, kind, name = line.split()[:3]
            if kind in "tTwW":
                syms.append((int(addr, 16), name))
    rust = [i for i, (_, n) in enumerate(syms) if n.startswith("_R")]
    for i, n in zip(rust, demangle([syms[i][1] for i in rust])):
        syms[i] = (syms[i][0], n)
    return syms


def module_symbols(ko, base, name):
    """The functions of module file KO loaded with its text at BASE, as the module
    loader lays out its text (layout_sections(): the allocated, executable
    sections but .init ones, in section header order, each aligned)."""
    offsets, off = {}, 0
    out = subprocess.run(["readelf", "-SW", ko], check=True, capture_output=True,
                         text=True).stdout
    for line in out.splitlines():
        m = re.match(r"\s*\[\s*(\d+)\]\s+(\S+)\s+\S+\s+\S+\s+\S+\s+(\S+)\s+\S+\s+"
                     r"(\S*)\s+\d+\s+\d+\s+(\d+)$", line)
        if not m:
            continue
        idx, sec, size, flags, align = m.groups()
        if "A" in flags and "X" in flags and not sec.startswith(".init"):
            align = max(int(align), 1)
            off = (off + align - 1) // align * align
            offsets[int(idx)] = off
            off += int(size, 16)
    syms = []
    out = subprocess.run(["readelf", "-sW", ko], check=True, capture_output=True,
                         text=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 8 and f[3] == "FUNC" and f[6].isdigit() and int(f[6]) in offsets:
            syms.append((base + offsets[int(f[6])] + int(f[1], 16), f[7]))
    return [(a, f"{n} [{name}]") for (a, _), n in zip(syms, demangle([n for _, n in syms]))]


def short(name):
    """A Rust function's name without its paths: <rigb::Rigb as
    kernel::net::dev::Operations>::poll is Rigb::poll."""
    name = re.sub(r"<(?:\w+::)*(\w+) as [^>]*>", r"\1", name)
    name = re.sub(r"<(?:\w+::)*(\w+)>", r"\1", name)
    return re.sub(r"\b(?:\w+::)+(\w+::\w+)", r"\1", name)


def find_module(cache, name):
    for root in (os.path.join(cache, "modules"), os.path.join(cache, "modroot")):
        for d, _, files in os.walk(root):
            if name + ".ko" in files:
                return os.path.join(d, name + ".ko")
    return None


def read_counts(path):
    """A snapshot: {block address: (instructions, runs)}, summed over the
    block's translations."""
    counts = {}
    with open(path) as f:
        for line in f:
            addr, n, runs = line.split()
            a = int(addr, 16)
            i, r = counts.get(a, (0, 0))
            counts[a] = (i + int(n), r + int(runs))
    return counts


def profile(case, impl, count, cache, so, system_map):
    """Runs the workload as IMPL; returns (packets, {function: instructions})."""
    name, _, params = impl.partition(":")
    syms = kernel_symbols(system_map)
    mark = dict((n, a) for a, n in syms).get(MARK)
    if mark is None:
        sys.exit(f"profile: no {MARK} in {system_map}")
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        out = os.path.join(tmp, "snap")
        args = [case, name, str(count), *filter(None, params.split(","))]
        status, lines = vm.run_vm(os.path.join(HERE, "workload.sh"), args, "icount", 1200,
                                  echo=False, plugin=f"{so},mark={mark:#x},out={out}")
        if status != 0:
            sys.exit(f"profile: workload.sh {case} {name} exited with {status}:\n"
                     + "\n".join(lines[-20:]))
        # The window: between the workload's two sync calls, the first two marks
        # (the guest's shutdown syncs too).
        if not os.path.exists(os.path.join(tmp, "snap.1")):
            sys.exit("profile: the guest did not call sync twice")
        before = read_counts(os.path.join(tmp, "snap.0"))
        after = read_counts(os.path.join(tmp, "snap.1"))
    received = None
    for line in lines:
        if line.startswith("PROFILE "):
            kv = dict(f.split("=") for f in line.split()[1:])
            received = int(kv["packets"])
        elif line.startswith("MODULE "):
            _, mod, base = line.split()
            ko = find_module(cache, mod)
            if ko:
                syms += module_symbols(ko, int(base, 16), mod)
            syms.append((int(base, 16), f"[{mod}]"))
    if not received:
        sys.exit(f"profile: {impl}: no packet counted")
    syms.sort()
    addrs = [a for a, _ in syms]
    by_fn, calls = collections.Counter(), collections.Counter()
    for addr, (n, runs) in after.items():
        b_n, b_runs = before.get(addr, (0, 0))
        if n == b_n:
            continue
        i = bisect.bisect_right(addrs, addr) - 1
        fn = syms[i][1] if i >= 0 else "?"
        by_fn[fn] += n - b_n
        # The runs of a function's first block: its calls (and any jump back to its start).
        if i >= 0 and syms[i][0] == addr:
            calls[fn] += runs - b_runs
    return received, by_fn, calls


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--case", default="rx",
                   choices=["rx", "tx-burst32", "tx-clone", "queue-xmit", "queue-xmit-pushback",
                            "nf-forward"])
    p.add_argument("--count", type=int, default=20000, help="packets in the window")
    p.add_argument("--top", type=int, default=40, help="functions to list")
    p.add_argument("--calls", action="store_true", help="also give the calls per packet")
    p.add_argument("impls", nargs="+",
                   help="c, rust, or rust:PARAM=V,...; for nf-forward, rows of its scenario")
    a = p.parse_args()
    cache = os.environ.get("BULKNET_CACHE", "/var/cache/bulknet")
    so = build_plugin(cache)
    system_map = os.path.join(cache, "build", "System.map")
    results = []
    for impl in a.impls:
        pkts, by_fn, calls = profile(a.case, impl, a.count, cache, so, system_map)
        results.append((impl, pkts, by_fn, calls))
    total = collections.Counter()
    for _, pkts, by_fn, _ in results:
        for fn, n in by_fn.items():
            total[fn] = max(total[fn], n / pkts)
    w = max(17 if a.calls else 12, *(len(i) + 1 for i, _, _, _ in results))
    what = {"rx": "received", "nf-forward": "forwarded"}.get(a.case, "sent")
    print(f"# {a.case}: instructions per packet {what}, by guest function "
          f"(QEMU TCG plugin, pktgen count {a.count}, as in pktgen-igb.sh)")
    if a.calls:
        print("# each cell: instructions per packet / calls per packet")
    print(f"{'function':<44}" + "".join(f"{i:>{w}}" for i, _, _, _ in results))

    def cell(fn, pkts, by_fn, calls):
        c = f"{by_fn.get(fn, 0) / pkts:.1f}"
        if a.calls:
            c += f"/{calls.get(fn, 0) / pkts:.3f}"
        return f"{c:>{w}}"
    for fn, _ in sorted(total.items(), key=lambda kv: -kv[1])[:a.top]:
        print(f"{fn[:43]:<44}" + "".join(cell(fn, *r[1:]) for r in results))
    print(f"{'(all)':<44}" + "".join(f"{sum(by_fn.values()) / pkts:>{w}.1f}"
                                     for _, pkts, by_fn, _ in results))
    print(f"{'packets ' + what:<44}" + "".join(f"{pkts:>{w}}" for _, pkts, _, _ in results))


if __name__ == "__main__":
    main()
