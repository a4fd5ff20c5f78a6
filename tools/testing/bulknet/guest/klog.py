#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Watch the kernel log of the bulknet test router for the checkers' reports.

Runs in the guest (tools/testing/bulknet/guest/check.sh):

  klog.py follow LOG     copy every /dev/kmsg record, from the first one the
                         buffer still holds, into LOG, until killed
  klog.py check NAME LOG kmemleak scan, then check the records LOG got since
                         the last check: prints a KLOG block for tap.py, one
                         case "kernel log clean after NAME"
  klog.py scan           the same judgement on log lines read from stdin:
                         prints the complaints, exits 1 if there are any

/dev/kmsg is read by a reader of its own, so a test's `dmesg -C` hides
nothing from it, and a lost record (buffer overrun) is itself a failure.

A selftest that provokes a report on purpose names it, and only it, in the log:

  echo "bulknet-klog: expect <text of the report's first line>" > /dev/kmsg
  ... provoke it ...
  echo "bulknet-klog: expect-end" > /dev/kmsg

Between the two, a complaint line is accepted when it contains that text; any
other complaint still fails the check, and so does an expected report that
never came. kmemleak's reports are read from its debugfs file after two scans,
then cleared, so each leak is blamed on the first check that sees it.
"""

import errno
import os
import re
import sys
import time

# What a checker prints when it finds something. A line that matches fails the
# check unless an expect window names it.
COMPLAINTS = re.compile("|".join([
    r"\bBUG[: ]",                   # BUG:, and slub's "BUG <cache> (...): Objects remaining"
    r"WARNING:",
    r"KASAN",
    r"UBSAN",
    r"possible circular locking",
    r"possible recursive locking",
    r"inconsistent lock state",
    r"sleeping function called from invalid context",
    r"scheduling while atomic",
    r"Oops",
    r"[Kk]ernel panic",
    r"rcu_.*detected stall",
    r"blocked for more than \d+ seconds",
    r"unreferenced object",
    r"kmemleak: .*(disabled|Cannot allocate)",
    r"bulknet-klog: lost",
]))
# Reports of bugs outside bulknet that the debug kernel's own tests trigger,
# each recognised by the complaint, what the two lines before it say and what
# its stack trace must name, so that nothing else is waved through. Drop an entry once the bug
# is fixed in the kernel we build.
KNOWN = [
    {
        "what": "Linux 7.3 rust/kernel/time/hrtimer.rs doctests: an HrTimer pinned on the "
                "stack is set up with hrtimer_setup(), not hrtimer_setup_on_stack()",
        "line": re.compile(r"WARNING: lib/debugobjects\.c:\d+ at __debug_object_init"),
        "before": re.compile(r"ODEBUG: object \S+ is on stack \S+, but NOT annotated"),
        "trace": [re.compile(r"\bhrtimer_setup\+"),
                  re.compile(r"\brust_doctest_kernel_time_hrtimer_rs_\d+\+")],
    },
    {
        "what": "Linux 7.3 kernel/irq/proc.c: register_irq_proc() ignores a failure to create "
                "an entry, which unregister_irq_proc() then warns it cannot remove (fault "
                "injection during an interrupt's setup: rigb_faults' probe sweep)",
        "line": re.compile(r"WARNING: fs/proc/generic\.c:\d+ at remove_proc_entry"),
        "before": re.compile(r"name '(smp_affinity|smp_affinity_list|affinity_hint|node|"
                             r"effective_affinity|effective_affinity_list|spurious)'"),
        "trace": [re.compile(r"\bunregister_irq_proc\+")],
    },
]
TRACE_LINES = 40
MARK = "bulknet-klog: mark "
EXPECT = "bulknet-klog: expect "
EXPECT_END = "bulknet-klog: expect-end"
KMEMLEAK = "/sys/kernel/debug/kmemleak"
# kmemleak reports only objects older than 5 s (MSECS_MIN_AGE).
KMEMLEAK_MIN_AGE = 5.5
CONTEXT = 12
MAX_PRINTED = 60


def follow(path):
    """Append the text of every kmsg record to `path`, one line each."""
    fd = os.open("/dev/kmsg", os.O_RDONLY)
    last_seq = None
    with open(path, "a", buffering=1, errors="replace") as out:
        while True:
            try:
                rec = os.read(fd, 8192)
            except OSError as e:
                if e.errno == errno.EPIPE:
                    # The reader fell behind and records were overwritten.
                    out.write("bulknet-klog: lost records: the log buffer overran its reader\n")
                    continue
                raise
            head, _, rest = rec.decode("utf-8", "replace").partition(";")
            fields = head.split(",")
            if len(fields) >= 2 and fields[1].isdigit():
                seq = int(fields[1])
                if last_seq is not None and seq > last_seq + 1:
                    out.write(f"bulknet-klog: lost {seq - last_seq - 1} records before seq {seq}\n")
                last_seq = seq
            # The message is the first line (non-printable bytes escaped as
            # \xNN); continuation lines are key=value pairs.
            out.write(rest.split("\n", 1)[0] + "\n")


def kmemleak_report():
    """Scan twice and return the report of unreferenced objects, then clear it."""
    if not os.path.exists(KMEMLEAK):
        return []
    time.sleep(KMEMLEAK_MIN_AGE)
    for _ in range(2):
        with open(KMEMLEAK, "w") as f:
            f.write("scan")
    with open(KMEMLEAK, errors="replace") as f:
        report = f.read().splitlines()
    if report:
        with open(KMEMLEAK, "w") as f:
            f.write("clear")
    return ["kmemleak: " + line for line in report]


def sync(path, offset_path):
    """Write a mark into the log and return the records since the last check."""
    try:
        with open(offset_path) as f:
            start = int(f.read() or 0)
    except FileNotFoundError:
        start = 0
    mark = f"{MARK}{time.monotonic_ns()}"
    with open("/dev/kmsg", "w") as f:
        f.write(mark + "\n")
    deadline = time.monotonic() + 60
    while True:
        with open(path, "rb") as f:
            f.seek(start)
            data = f.read()
        text = data.decode("utf-8", "replace")
        at = text.find(mark + "\n")
        if at >= 0:
            end = start + len(text[:at + len(mark) + 1].encode("utf-8", "replace"))
            with open(offset_path, "w") as f:
                f.write(str(end))
            return text[:at].splitlines()
        if time.monotonic() > deadline:
            return text.splitlines() + ["bulknet-klog: lost: the follower never saw the mark"]
        time.sleep(0.1)


def known(lines, i):
    """The KNOWN entry that line `i`, a complaint, is an instance of, or None."""
    before = lines[max(i - 2, 0):i]
    trace = []
    for t in lines[i + 1:i + 1 + TRACE_LINES]:
        trace.append(t)
        if "</TASK>" in t or "end trace" in t:
            break
    for k in KNOWN:
        if (k["line"].search(lines[i]) and any(k["before"].search(b) for b in before)
                and all(any(p.search(t) for t in trace) for p in k["trace"])):
            return k
    return None


def complaints(lines):
    """Return (offending line numbers, problems) for a list of log lines."""
    bad, problems = [], []
    expect, seen = None, False
    for i, line in enumerate(lines):
        if EXPECT_END in line:
            if expect is not None and not seen:
                problems.append(f"the expected report '{expect}' never came")
            expect = None
            continue
        at = line.find(EXPECT)
        if at >= 0:
            expect, seen = line[at + len(EXPECT):].strip(), False
            continue
        if MARK in line or not COMPLAINTS.search(line):
            continue
        if expect is not None and expect in line:
            seen = True
            continue
        if known(lines, i):
            continue
        bad.append(i)
    if expect is not None:
        problems.append(f"the expect window for '{expect}' was never closed")
    return bad, problems


def check(name, path):
    leaks = kmemleak_report()
    lines = sync(path, path + ".offset") + leaks
    bad, problems = complaints(lines)
    print(f"KLOG-BEGIN {name}")
    printed = 0
    shown = set()
    for i in bad:
        for j in range(max(i - 2, 0), min(i + CONTEXT, len(lines))):
            if j in shown or printed >= MAX_PRINTED:
                continue
            shown.add(j)
            printed += 1
            print(("> " if j in bad else "  ") + lines[j])
    for p in problems:
        print("> " + p)
    accepted = sorted({known(lines, i)["what"] for i, line in enumerate(lines)
                       if COMPLAINTS.search(line) and known(lines, i)})
    for what in accepted:
        print(f"  known, outside bulknet: {what}")
    verdict = "dirty" if bad or problems else "clean"
    print(f"KLOG-END {name} {verdict} complaints={len(bad) + len(problems)}")
    return 0


def scan():
    lines = sys.stdin.read().splitlines()
    bad, problems = complaints(lines)
    for i in bad:
        print(lines[i])
    for p in problems:
        print(p)
    return 1 if bad or problems else 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "follow":
        follow(sys.argv[2])
    elif len(sys.argv) == 2 and sys.argv[1] == "scan":
        return scan()
    elif len(sys.argv) == 4 and sys.argv[1] == "check":
        return check(sys.argv[2], sys.argv[3])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
