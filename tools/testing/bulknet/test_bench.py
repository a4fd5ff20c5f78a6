#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host tests of the bench harness's arithmetic: parsing BENCH rows, the ratio
against C, the determinism check and the table. Run: python3 -m unittest."""

import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def row(rnd, scenario, impl, ops, ns, extra=""):
    return f"BENCH round={rnd} scenario={scenario} impl={impl} ops={ops} elapsed_ns={ns} {extra}".strip()


class ParseTest(unittest.TestCase):
    def test_rounds_and_extra_fields(self):
        rows = bench.parse([
            "some kernel noise",
            row(1, "igb-tx", "c", 1000, 906000, "burst=32 peer=down"),
            "  " + row(2, "igb-tx", "c", 1000, 906100, "burst=32 peer=down") + "  ",
            "BENCH-FAIL scenario-file=x round=1",
        ])
        self.assertEqual(list(rows), [("igb-tx", "c")])
        r = rows[("igb-tx", "c")]
        self.assertEqual(sorted(r), [1, 2])
        self.assertEqual(r[1], {"ops": 1000, "elapsed_ns": 906000, "burst": "32", "peer": "down"})
        self.assertEqual(r[2]["elapsed_ns"], 906100)

    def test_ignores_unnumbered_rows(self):
        self.assertEqual(bench.parse(["BENCH scenario=a impl=c ops=1 elapsed_ns=1"]), {})


class SummariseTest(unittest.TestCase):
    def summarise(self, lines):
        return {(x["scenario"], x["impl"]): x for x in bench.summarise(bench.parse(lines), "icount")}

    def test_ratio_against_c_of_the_same_scenario(self):
        out = self.summarise([
            row(1, "slab-bulk16", "c", 1000, 68500), row(2, "slab-bulk16", "c", 1000, 68500),
            row(1, "slab-bulk16", "rust", 1000, 69400), row(2, "slab-bulk16", "rust", 1000, 69400),
            row(1, "only-rust", "rust", 10, 100),
        ])
        rust = out[("slab-bulk16", "rust")]
        self.assertEqual(rust["insn_per_pkt"], 69.4)
        self.assertEqual(rust["pps"], round(1000 * 1e9 / 69400))
        self.assertAlmostEqual(rust["ratio_vs_ref"], 69.4 / 68.5, places=4)
        self.assertEqual(rust["ref"], "c")
        self.assertEqual(out[("slab-bulk16", "c")]["ratio_vs_ref"], 1.0)
        self.assertIsNone(out[("only-rust", "rust")]["ratio_vs_ref"])
        self.assertIn("1.013 (c)", bench.table(list(out.values())))
        self.assertIsNone(out[("only-rust", "rust")]["repeat_delta"])
        self.assertFalse(out[("only-rust", "rust")]["deterministic"])

    def test_named_reference_and_overhead_over_a_baseline(self):
        q = "ref=pfifo_fast base=noqueue"
        out = self.summarise([
            row(1, "qdisc-dummy", "noqueue", 1000, 1000000, q),
            row(1, "qdisc-dummy", "pfifo_fast", 1000, 1200000, q),
            row(1, "qdisc-dummy", "rust", 1000, 1150000, q),
            row(1, "qdisc-igb", "pfifo_fast", 1000, 2000000, "ref=pfifo_fast"),
            row(1, "qdisc-igb", "rust", 1000, 1900000, "ref=pfifo_fast"),
            row(1, "qdisc-igb", "c", 1000, 100000),
        ])
        rust = out[("qdisc-dummy", "rust")]
        self.assertEqual((rust["ref"], rust["base"]), ("pfifo_fast", "noqueue"))
        self.assertAlmostEqual(rust["ratio_vs_ref"], 1150 / 1200, places=4)
        self.assertEqual(rust["overhead_vs_ref"], 0.75)
        self.assertEqual(out[("qdisc-dummy", "noqueue")]["overhead_vs_ref"], 0.0)
        self.assertNotIn("base", {k for k, v in out[("qdisc-igb", "rust")].items() if v})
        self.assertEqual(out[("qdisc-igb", "rust")]["ratio_vs_ref"], 0.95)
        self.assertIsNone(out[("qdisc-igb", "rust")]["overhead_vs_ref"])
        # A row without ref= still compares against C.
        self.assertEqual(out[("qdisc-igb", "c")]["ratio_vs_ref"], 1.0)
        text = bench.table(list(out.values()))
        self.assertIn("0.958 (pfifo_fast)", text)
        self.assertIn("0.750 (over noqueue)", text)

    def test_delta_over_the_baseline(self):
        b = "ref=baseline base=baseline"
        out = self.summarise([
            row(1, "nf-forward", "baseline", 1000, 4693000, b),
            row(1, "nf-forward", "xt-empty", 1000, 5139000, b),
            row(1, "nf-forward", "rust-empty", 1000, 4693000, b),
            row(1, "igb-rx", "c", 1000, 1139000),
        ])
        self.assertEqual(out[("nf-forward", "xt-empty")]["delta_vs_base"], 446.0)
        self.assertEqual(out[("nf-forward", "rust-empty")]["delta_vs_base"], 0.0)
        self.assertIsNone(out[("igb-rx", "c")]["delta_vs_base"])
        # The baseline is its own reference: no overhead ratio (0 / 0).
        self.assertIsNone(out[("nf-forward", "xt-empty")]["overhead_vs_ref"])
        lines = bench.table(list(out.values())).splitlines()
        at = lines[0].index("vs base")
        cells = {ln.split()[1]: ln[at:].split()[0] for ln in lines[2:]}
        self.assertEqual((cells["xt-empty"], cells["rust-empty"]), ("+446.0", "+0.0"))
        self.assertEqual(cells["c"], "1")

    def test_doorbells_column_only_where_counted(self):
        out = self.summarise([
            row(1, "qdisc-rigb", "pfifo_fast", 1000, 2000000, "ref=pfifo_fast doorbells_per_pkt=0.500"),
            row(1, "qdisc-rigb", "rust", 1000, 1900000, "ref=pfifo_fast doorbells_per_pkt=0.250"),
            row(1, "qdisc-igb", "rust", 1000, 1900000, "ref=pfifo_fast"),
        ])
        lines = bench.table(list(out.values())).splitlines()
        self.assertIn("doorbells/pkt", lines[0])
        at = lines[0].index("doorbells/pkt")
        cells = {(ln.split()[0], ln.split()[1]): ln[at:].split()[0] for ln in lines[2:]}
        self.assertEqual(cells[("qdisc-rigb", "rust")], "0.250")
        self.assertEqual(cells[("qdisc-rigb", "pfifo_fast")], "0.500")
        # No count from C igb: the cell is empty and the runs column follows.
        self.assertEqual(cells[("qdisc-igb", "rust")], "1")
        plain = self.summarise([row(1, "s", "c", 1000, 2000000)])
        self.assertNotIn("doorbells/pkt", bench.table(list(plain.values())))

    def test_determinism_threshold(self):
        out = self.summarise([
            row(1, "steady", "c", 100000, 90000000), row(2, "steady", "c", 100000, 90089000),
            row(1, "wobbly", "c", 100000, 90000000), row(2, "wobbly", "c", 100000, 90091000),
        ])
        self.assertTrue(out[("steady", "c")]["deterministic"])
        self.assertFalse(out[("wobbly", "c")]["deterministic"])
        self.assertIn("NOT DETERMINISTIC", bench.table(list(out.values())))

    def test_zero_ops_rows_are_dropped(self):
        self.assertEqual(self.summarise([row(1, "none", "c", 0, 5)]), {})

    def test_wall_mode_compares_ratios_only(self):
        out = {(x["scenario"], x["impl"]): x for x in bench.summarise(bench.parse([
            row(1, "s", "c", 1000, 2000000), row(2, "s", "c", 1000, 2500000),
            row(1, "s", "rust", 1000, 1000000), row(2, "s", "rust", 1000, 1100000),
        ]), "wall")}
        c, rust = out[("s", "c")], out[("s", "rust")]
        self.assertIsNone(c["insn_per_pkt"])
        self.assertEqual(c["ns_per_pkt"], 2000.0)
        self.assertEqual(rust["ratio_vs_ref"], 0.5)
        self.assertEqual(c["method"], "wall")
        text = bench.table(list(out.values()), "wall")
        self.assertIn("ns/op", text)
        self.assertNotIn("NOT DETERMINISTIC", text)

    def test_median_runs_show_their_spread(self):
        out = self.summarise([row(1, "m", "c", 100, 2000, "runs=5 spread_pct=0.250"),
                              row(2, "m", "c", 100, 2000, "runs=5 spread_pct=0.100"),
                              row(1, "one", "c", 100, 2000), row(2, "one", "c", 100, 2000)])
        text = bench.table(list(out.values()))
        self.assertIn("5, spread 0.250%", text)
        self.assertEqual(out[("m", "c")]["runs"], "5")

    def test_json_fields(self):
        out = self.summarise([row(1, "s", "c", 4, 400), row(2, "s", "c", 4, 400)])
        for key in ("scenario", "impl", "method", "pps", "insn_per_pkt"):
            self.assertIn(key, out[("s", "c")])


class PgMeasureTest(unittest.TestCase):
    """guest/lib.sh's pg_measure, in bash: the median run and the spread."""

    LIB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "guest", "lib.sh")

    def measure(self, results):
        # pg_run runs in a pipeline's subshell, so it counts its calls in a file.
        script = f"""
            . {self.LIB}
            results=({" ".join(f"'{r}'" for r in results)})
            bench_settle() {{ :; }}
            pg_run() {{
                local k
                k=$(cat "$COUNTER" 2>/dev/null || echo 0)
                echo $((k + 1)) > "$COUNTER"
                echo "${{results[$k]}}"
            }}
            pg_measure dev {len(results)}
        """
        with tempfile.TemporaryDirectory() as d:
            env = dict(os.environ, COUNTER=os.path.join(d, "calls"))
            out = subprocess.run(["bash", "-c", script], env=env, capture_output=True,
                                 text=True, check=True).stdout
        return out.split()

    def test_median_and_spread(self):
        sent, ns, runs, spread = self.measure(
            ["1000 2030000", "1000 2010000", "1000 2000000", "1000 2100000", "1000 2020000"])
        self.assertEqual((sent, ns, runs), ("1000", "2020000", "5"))
        self.assertEqual(spread, f"{(2100 - 2000) * 100 / 2020:.3f}")

    def test_one_run(self):
        self.assertEqual(self.measure(["1018 89882000"]), ["1018", "89882000", "1", "0.000"])


if __name__ == "__main__":
    unittest.main()
