#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host tests of make check's judgements: the kernel log check (guest/klog.py)
and the counting of TAP, KUnit and kernel log results (tap.py).
Run: python3 -m unittest."""

import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "guest"))
import klog  # noqa: E402

# Real reports, as the debug kernel prints them (addresses shortened).
SLEEP_REPORT = """\
BUG: sleeping function called from invalid context at mm/slub.c:4703
in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 312, name: insmod
preempt_count: 1, expected: 0
1 lock held by insmod/312:
 #0: ffff888004a1e0d8 (bulknet_test_sleep_lock){+.+.}-{2:2}, at: init_module+0x5b/0x1a0
Call Trace:
 <TASK>
 dump_stack_lvl+0x7e/0xc0
 __might_resched+0x2b5/0x3c0""".splitlines()
LOCKDEP_REPORT = """\
======================================================
WARNING: possible circular locking dependency detected
7.3.4-bulknet-debug #1 Tainted: G           O
------------------------------------------------------""".splitlines()
KASAN_REPORT = ["BUG: KASAN: slab-use-after-free in rigb_clean_rx+0x1b4/0x6a0",
                "Read of size 8 at addr ffff888006b2c1c0 by task ksoftirqd/0/15"]
KMEMLEAK_REPORT = ["kmemleak: unreferenced object 0xffff888004c0a000 (size 64):",
                   "kmemleak:   comm \"insmod\", pid 301, jiffies 4294894680"]
BENIGN = ["igb 0000:01:00.0 eth0: igb: eth0 NIC Link is Up 1000 Mbps Full Duplex",
          "FAULT_INJECTION: forcing a failure.",
          "slab_bulk_bench: benchmark stopped: allocation failed (-12)",
          "kmemleak: Kernel memory leak detector initialized (mem pool available: 15850)",
          "Run /init as init process",
          "debug_objects: 1024 of 1024 active objects replaced"]


ODEBUG_HRTIMER = """\
    # rust_doctest_kernel_time_hrtimer_rs_1.location: rust/kernel/time/hrtimer.rs:245
ODEBUG: object 000000008518d815 is on stack 000000007b99dd4f, but NOT annotated.
------------[ cut here ]------------
WARNING: lib/debugobjects.c:672 at __debug_object_init+0x1ad/0x4b0, CPU#0: kunit_try_catch/723
Call Trace:
 <TASK>
 hrtimer_setup+0x22/0xd0
 rust_doctest_kernel_time_hrtimer_rs_1+0x4e/0x170
 kunit_try_run_case+0x10e/0x310
 </TASK>""".splitlines()


def expect(text, lines):
    return [f"bulknet-klog: expect {text}", *lines, "bulknet-klog: expect-end"]


class ComplaintsTest(unittest.TestCase):
    def bad(self, lines):
        bad, problems = klog.complaints(lines)
        return [lines[i] for i in bad], problems

    def test_clean_log(self):
        self.assertEqual(self.bad(BENIGN), ([], []))

    def test_each_checker_is_caught(self):
        for report, first in ((SLEEP_REPORT, 0), (LOCKDEP_REPORT, 1), (KASAN_REPORT, 0),
                              (KMEMLEAK_REPORT, 0)):
            with self.subTest(report[first]):
                bad, problems = self.bad(BENIGN + report)
                self.assertEqual(bad, [report[first]])
                self.assertEqual(problems, [])

    def test_other_complaints(self):
        for line in ["WARNING: CPU: 0 PID: 1 at net/core/dev.c:1234 netdev_run_todo+0x2f/0x4f0",
                     "BUG kmalloc-64 (Tainted: G    B): Objects remaining on __kmem_cache_shutdown()",
                     "BUG: scheduling while atomic: ksoftirqd/0/15/0x00000101",
                     "Oops: general protection fault, probably for non-canonical address",
                     "Kernel panic - not syncing: Fatal exception",
                     "UBSAN: array-index-out-of-bounds in drivers/net/rigb/rx.rs:42:9",
                     "WARNING: inconsistent lock state",
                     "rcu: INFO: rcu_preempt self-detected stall on CPU",
                     "INFO: task kworker/0:1:30 blocked for more than 120 seconds.",
                     "kmemleak: Kernel memory leak detector disabled",
                     "bulknet-klog: lost 3 records before seq 812"]:
            with self.subTest(line):
                self.assertEqual(self.bad(BENIGN + [line])[0], [line])

    def test_expected_report_is_accepted(self):
        text = "sleeping function called from invalid context"
        self.assertEqual(self.bad(BENIGN + expect(text, SLEEP_REPORT)), ([], []))

    def test_expect_window_hides_nothing_else(self):
        text = "sleeping function called from invalid context"
        lines = expect(text, SLEEP_REPORT + KASAN_REPORT)
        self.assertEqual(self.bad(lines), ([KASAN_REPORT[0]], []))

    def test_expect_window_ends(self):
        text = "sleeping function called from invalid context"
        lines = expect(text, SLEEP_REPORT) + SLEEP_REPORT
        self.assertEqual(self.bad(lines), ([SLEEP_REPORT[0]], []))

    def test_expected_report_that_never_came(self):
        bad, problems = self.bad(expect("sleeping function called", BENIGN))
        self.assertEqual(bad, [])
        self.assertEqual(len(problems), 1)
        self.assertIn("never came", problems[0])

    def test_unclosed_window(self):
        bad, problems = self.bad(["bulknet-klog: expect WARNING:", *LOCKDEP_REPORT])
        self.assertEqual(bad, [])
        self.assertIn("never closed", problems[0])

    def test_known_upstream_report_is_accepted(self):
        self.assertEqual(self.bad(BENIGN + ODEBUG_HRTIMER), ([], []))

    def test_known_report_needs_its_whole_context(self):
        # The same warning from any other caller is ours to fix.
        for old, new in (("rust_doctest_kernel_time_hrtimer_rs_1+", "rigb_watchdog_init+"),
                         ("hrtimer_setup+", "timer_setup+"),
                         ("ODEBUG: object", "ODEBUG: free active object")):
            with self.subTest(new):
                lines = [line.replace(old, new) for line in ODEBUG_HRTIMER]
                self.assertEqual(len(self.bad(lines)[0]), 1)

    def test_scan_command(self):
        script = os.path.join(HERE, "guest", "klog.py")
        ok = subprocess.run([sys.executable, script, "scan"], input="\n".join(BENIGN),
                            capture_output=True, text=True)
        self.assertEqual((ok.returncode, ok.stdout), (0, ""))
        bad = subprocess.run([sys.executable, script, "scan"],
                             input="\n".join(BENIGN + SLEEP_REPORT), capture_output=True, text=True)
        self.assertEqual(bad.returncode, 1)
        self.assertEqual(bad.stdout.splitlines(), [SLEEP_REPORT[0]])


class TapTest(unittest.TestCase):
    """tap.py's counting of a guest/check.sh log."""

    def count(self, log):
        proc = subprocess.run([sys.executable, os.path.join(HERE, "tap.py")], input=log,
                              capture_output=True, text=True, check=True)
        totals = dict(kv.split("=") for kv in proc.stdout.split())
        return {k: int(v) for k, v in totals.items()}, proc.stderr

    KUNIT = "\n".join(["KUNIT-SUITE rust_doctests_kernel", "KTAP version 1", "1..2",
                       "    ok 1 rust_doctest_kernel_a", "    ok 2 rust_doctest_kernel_b",
                       "ok 1 rust_doctests_kernel", "KUNIT-END"])
    SELFTEST = "\n".join(["SELFTEST-BEGIN slab_bulk", "TAP version 13", "1..2", "ok 1 loads",
                          "ok 2 unloads", "SELFTEST-END slab_bulk rc=0"])

    @staticmethod
    def klog(name, verdict="clean", body=()):
        return "\n".join([f"KLOG-BEGIN {name}", *body, f"KLOG-END {name} {verdict} complaints=0"])

    def test_clean_run(self):
        log = "\n".join([self.KUNIT, self.klog("kunit"), self.SELFTEST, self.klog("slab_bulk")])
        totals, _ = self.count(log)
        self.assertEqual(totals, {"tap_passed": 6, "tap_failed": 0, "tap_skipped": 0})

    def test_dirty_log_fails_and_prints_the_lines(self):
        log = "\n".join([self.KUNIT, self.klog("kunit"), self.SELFTEST,
                         self.klog("slab_bulk", "dirty", ["> " + KASAN_REPORT[0]])])
        totals, err = self.count(log)
        self.assertEqual((totals["tap_passed"], totals["tap_failed"]), (5, 1))
        self.assertIn("not ok - kernel log clean after slab_bulk", err)
        self.assertIn(KASAN_REPORT[0], err)

    def test_missing_log_check_fails(self):
        log = "\n".join([self.KUNIT, self.klog("kunit"), self.SELFTEST])
        totals, err = self.count(log)
        self.assertEqual((totals["tap_passed"], totals["tap_failed"]), (5, 1))
        self.assertIn("kernel log clean after slab_bulk: the check did not run", err)

    def test_missing_kunit_log_check_fails(self):
        log = "\n".join([self.KUNIT, self.SELFTEST, self.klog("slab_bulk")])
        totals, err = self.count(log)
        self.assertEqual((totals["tap_passed"], totals["tap_failed"]), (5, 1))
        self.assertIn("kernel log clean after kunit: the check did not run", err)


if __name__ == "__main__":
    unittest.main()
