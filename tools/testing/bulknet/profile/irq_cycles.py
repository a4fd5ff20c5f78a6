#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The igb model's interrupt cycles, from a QEMU trace of a transmit workload.

QEMU's igb model holds a vector's interrupt back while its throttle timer runs
(EITR). Under -icount a transmit row's time is set by that timer: this prints
the sequences of events between two timer expiries, the most common first, so
two drivers' cycles can be compared. Trace a workload with the events in
igb-irq.events (QEMU's "log" trace backend), e.g.

  vm.py --trace events=profile/igb-irq.events,file=/tmp/c.trace \\
      profile/workload.sh tx-burst32 c 20000
  irq_cycles.py /tmp/c.trace

Events: Tn  a tail write (TDT) that hands the device n more descriptors;
        E   an unmask (EIMS write), which the driver does when a poll ends;
        I   an interrupt sent at once, R the throttle timer started with it;
        P   an interrupt held back by the running timer.
A cycle ends when the timer expires and sends the held-back interrupt.
"""
import argparse
import collections
import re
import sys

# The transmit tail registers of queue 0 (E1000_TDT(0) and its alias).
TDT = (0x3818, 0xE018)
EIMS = 0x1524
WRITE = re.compile(r"e1000e_core_write .*register 0x([0-9a-f]+), \d byte\(s\), value: 0x([0-9a-f]+)")
SIMPLE = {
    "e1000e_irq_msix_notify_vec": "I",
    "e1000e_irq_postponed_by_xitr": "P",
    "e1000e_irq_rearm_timer": "R",
}
TIMER = "e1000e_irq_msix_notify_postponed_vec"


def cycles(lines, ring=256):
    """Yields each cycle's events as a string, from the trace's lines."""
    events, tail = [], None
    for line in lines:
        m = WRITE.match(line)
        if m:
            reg, val = int(m.group(1), 16), int(m.group(2), 16)
            if reg in TDT:
                n = (val - tail) % ring if tail is not None else 0
                tail = val
                events.append(f"T{n}")
            elif reg == EIMS:
                events.append("E")
            continue
        name = line.split(" ", 1)[0]
        if name == TIMER:
            yield " ".join(events)
            events = []
        elif name in SIMPLE:
            events.append(SIMPLE[name])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("trace")
    p.add_argument("--top", type=int, default=5, help="cycles to print")
    p.add_argument("--ring", type=int, default=256, help="transmit descriptors")
    a = p.parse_args()
    with open(a.trace, errors="replace") as f:
        all_cycles = list(cycles(f, a.ring))
    # The middle third: the steady state of the measured run, past the
    # link's setup and the warm-up.
    n = len(all_cycles)
    steady = all_cycles[n // 3: 2 * n // 3]
    if not steady:
        sys.exit("irq_cycles: no throttle-timer interrupts in the trace")
    print(f"# {n} cycles; the steady state's most common, with the descriptors each hands over:")
    for cyc, k in collections.Counter(steady).most_common(a.top):
        handed = sum(int(e[1:]) for e in cyc.split() if e.startswith("T"))
        print(f"{k:6} x {handed:4}: {cyc}")


if __name__ == "__main__":
    main()
