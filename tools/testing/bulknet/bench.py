#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bulknet benchmark harness: run the scenarios in the test router and compare.

Boots the guest once in icount mode (guest time = guest instructions), runs
every scenario under tools/testing/bulknet/scenarios/ whose file name contains
--pattern (make bench BENCH=...), each twice, and prints one table:

  scenario, impl, method, ops/s (virtual), instructions per op, ratio against
  the reference implementation of the same scenario measured in the same run
  (C unless a row names another: ref=pfifo_fast), the number of runs a figure
  is the median of (with their spread), and the difference between the two
  rounds (must stay within 0.1%). A row that names a baseline (base=noqueue)
  also gets its cost over the baseline's, and that overhead as a ratio of the
  reference's.

--wall (make bench BENCH_MODE=wall) gives QEMU two vCPUs with multi-threaded TCG
instead: a noisy second opinion in host nanoseconds, of which only the ratio
against the reference means anything; its rounds are not held to the 0.1%.

The same rows are written as JSON to out/bench.json.
"""

import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vm  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
ROW = re.compile(r"^BENCH round=(\d) (.*)$")
DETERMINISM = 0.001


def parse(lines):
    """BENCH rows -> {(scenario, impl): {round: row}}, in first-seen order."""
    rows = {}
    for line in lines:
        m = ROW.match(line.strip())
        if not m:
            continue
        fields = dict(kv.split("=", 1) for kv in m.group(2).split() if "=" in kv)
        key = (fields.pop("scenario"), fields.pop("impl"))
        fields["ops"], fields["elapsed_ns"] = int(fields["ops"]), int(fields["elapsed_ns"])
        rows.setdefault(key, {})[int(m.group(1))] = fields
    return rows


def summarise(rows, method):
    """One result per (scenario, impl). In icount mode the cost per op is in
    instructions (insn_per_pkt) and rounds must agree within DETERMINISM; in
    wall mode it is in host-paced nanoseconds (ns_per_pkt, insn_per_pkt None)
    and only the ratio against C is meaningful."""
    out = []
    icount = method == "icount"
    for (scenario, impl), rounds in rows.items():
        r = rounds.get(1) or rounds.get(2)
        cost = [x["elapsed_ns"] / x["ops"] for x in rounds.values() if x["ops"]]
        if not cost:
            continue
        spread = (max(cost) - min(cost)) / max(cost) if len(cost) == 2 else None
        extra = {k: v for k, v in r.items() if k not in ("ops", "elapsed_ns", "ref", "base")}
        out.append({
            "scenario": scenario, "impl": impl, "method": method,
            "ops": r["ops"], "elapsed_ns": r["elapsed_ns"],
            "pps": round(r["ops"] * 1e9 / r["elapsed_ns"]) if r["elapsed_ns"] else 0,
            "insn_per_pkt": round(cost[0], 3) if icount else None,
            "ns_per_pkt": round(cost[0], 3),
            "repeat_delta": round(spread, 6) if spread is not None else None,
            "deterministic": icount and spread is not None and spread <= DETERMINISM,
            "ref": r.get("ref", "c"),
            "base": r.get("base"),
            **extra,
        })
    cost = {(x["scenario"], x["impl"]): x["ns_per_pkt"] for x in out}
    for x in out:
        ref = cost.get((x["scenario"], x["ref"]))
        x["ratio_vs_ref"] = round(x["ns_per_pkt"] / ref, 4) if ref else None
        base = cost.get((x["scenario"], x["base"])) if x["base"] else None
        over = ref - base if ref is not None and base is not None else None
        x["overhead_vs_ref"] = round((x["ns_per_pkt"] - base) / over, 4) if over else None
        x["delta_vs_base"] = round(x["ns_per_pkt"] - base, 3) if base is not None else None
    return out


def table(results, method="icount"):
    icount = method == "icount"
    overhead = any(x["overhead_vs_ref"] is not None for x in results)
    head = ["scenario", "impl", "method", "ops/s (virtual)" if icount else "ops/s (wall)",
            "insn/op" if icount else "ns/op", "vs ref"]
    head += ["overhead vs ref"] if overhead else []
    # A row's cost over its scenario's baseline, in the row's own unit (nf-forward).
    delta = any(x["delta_vs_base"] is not None for x in results)
    head += ["vs base" if icount else "ns vs base"] if delta else []
    # Doorbells (TX tail writes) per packet, where the driver counts them (rigb).
    doorbells = any("doorbells_per_pkt" in x for x in results)
    head += ["doorbells/pkt"] if doorbells else []
    head += ["runs", "repeat"]
    body = []
    for x in results:
        rep = "n/a" if x["repeat_delta"] is None else f"{x['repeat_delta'] * 100:.3f}%"
        if icount and x["repeat_delta"] is not None and not x["deterministic"]:
            rep += " NOT DETERMINISTIC"
        # A median of several runs (pg_measure) gives its spread: (max - min) / median.
        runs = f"{x['runs']}, spread {float(x['spread_pct']):.3f}%" if "spread_pct" in x else "1"
        ratio = "" if x["ratio_vs_ref"] is None else f"{x['ratio_vs_ref']:.3f} ({x['ref']})"
        cells = [x["scenario"], x["impl"], x["method"], f"{x['pps']:,}",
                 f"{x['ns_per_pkt']:,.1f}", ratio]
        if overhead:
            o = x["overhead_vs_ref"]
            cells.append("" if o is None else f"{o:.3f} (over {x['base']})")
        if delta:
            d = x["delta_vs_base"]
            cells.append("" if d is None else f"{d:+,.1f}")
        if doorbells:
            cells.append(str(x.get("doorbells_per_pkt", "")))
        body.append(cells + [runs, rep])
    widths = [max(len(r[i]) for r in [head] + body) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(head, widths)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in body]
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--pattern", default=os.environ.get("BENCH", ""))
    p.add_argument("--json", default=os.path.join(REPO, "out", "bench.json"))
    p.add_argument("--timeout", type=int, default=3000)
    p.add_argument("--wall", action="store_true", default=os.environ.get("BENCH_MODE") == "wall",
                   help="multi-threaded TCG, two vCPUs, host time (BENCH_MODE=wall)")
    a = p.parse_args()
    method = "wall" if a.wall else "icount"

    # KUnit's boot-time tests are make check's business: skipping them here
    # saves time and leaves the kernel quieter before the first measurement.
    status, lines = vm.run_vm(os.path.join(HERE, "guest", "bench.sh"), [a.pattern],
                              mode=method, timeout=a.timeout, cmdline="kunit.enable=0",
                              echo=False)
    if status != 0:
        # A failed scenario's output comes before its BENCH-FAIL line.
        print(f"bulknet bench: the guest run failed (status {status}); its output:")
        for line in lines:
            if not line.startswith("BENCH ") and line.strip():
                print("  | " + line)
    results = summarise(parse(lines), method)
    print()
    if method == "icount":
        print("bulknet bench: QEMU TCG -icount shift=0 (1 guest ns = 1 guest instruction), "
              "pktgen and in-kernel timers; insn/op = elapsed guest ns / ops")
    else:
        print("bulknet bench: QEMU multi-threaded TCG, 2 vCPUs, wall clock: a noisy second "
              "opinion; compare the 'vs ref' ratios, not the absolute figures")
    print(table(results, method))
    os.makedirs(os.path.dirname(a.json), exist_ok=True)
    with open(a.json, "w") as f:
        json.dump(results, f, indent=1)
    # The guest's output, every round's rows among it, for a closer look.
    with open(os.path.splitext(a.json)[0] + ".log", "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"\nwrote {len(results)} rows to {os.path.relpath(a.json)}")
    if not results:
        print("bulknet bench: no results (pattern matched no scenario?)", file=sys.stderr)
        return 1
    bad = [x["scenario"] for x in results
           if method == "icount" and x["repeat_delta"] is not None and not x["deterministic"]]
    if bad:
        print(f"bulknet bench: rounds disagree by more than {DETERMINISM:.1%}: {', '.join(bad)}")
    return 0 if status == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
