#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Count the KUnit (KTAP) and selftest (TAP) results in a guest/check.sh log.

Reads the log on stdin. Prints one line per selftest case and per KUnit suite
(and every failed KUnit case) on stderr, and the totals as shell assignments
(tap_passed=N tap_failed=N tap_skipped=N) on stdout for check.sh.

Each KUnit run and each selftest must be followed by its kernel log check
(a KLOG block from guest/klog.py): one more case, "kernel log clean after
NAME", which prints the offending lines when it fails, and fails when missing.
With --no-kunit (a run on the performance kernel, or a boot for selftests that
need a command line of their own), KUnit results are not expected.
"""

import re
import sys

RESULT = re.compile(r"^(\s*)(not ok|ok) (\d+)\s*-?\s*(.*?)(?:\s+#\s*(SKIP|TODO)\b(.*))?$")


def kunit_cases(lines):
    """Cases are the results one level below the suite's own result line."""
    results = [(len(m.group(1)), m) for m in map(RESULT.match, lines) if m]
    if not results:
        return []
    top = min(indent for indent, _ in results)
    inner = [indent for indent, _ in results if indent > top]
    if not inner:
        return []
    level = min(inner)
    return [m for indent, m in results if indent == level]


def main():
    passed = failed = skipped = 0
    out = sys.stderr
    section, name, body = None, None, []
    saw_kunit = False
    # Runs whose kernel log check has not come yet.
    unchecked = []

    def klog_missing(upto):
        nonlocal failed
        for n in unchecked[:upto]:
            failed += 1
            print(f"not ok - kernel log clean after {n}: the check did not run", file=out)
        del unchecked[:upto]

    for raw in sys.stdin:
        line = raw.rstrip("\n")
        if line.startswith("KLOG-BEGIN "):
            section, name, body = "klog", line.split()[1], []
        elif line.startswith("KLOG-END ") and section == "klog":
            verdict = line.split()[2] if len(line.split()) > 2 else "missing"
            if name in unchecked:
                klog_missing(unchecked.index(name))
                unchecked.remove(name)
            if verdict == "clean":
                passed += 1
                print(f"ok - kernel log clean after {name}", file=out)
            else:
                failed += 1
                print(f"not ok - kernel log clean after {name}", file=out)
                for b in body:
                    print("  | " + b, file=out)
            section = None
        elif line.startswith("KUNIT-MISSING"):
            failed += 1
            print(f"not ok - kunit: {line.split(' ', 1)[1]}", file=out)
        elif line.startswith("KUNIT-SUITE "):
            section, name, body = "kunit", line.split()[1], []
        elif line.startswith("KUNIT-END") and section == "kunit":
            saw_kunit = True
            if "kunit" not in unchecked:
                unchecked.append("kunit")
            cases = kunit_cases(body)
            p = sum(1 for m in cases if m.group(2) == "ok" and m.group(5) != "SKIP")
            s = sum(1 for m in cases if m.group(5) == "SKIP")
            bad = [m for m in cases if m.group(2) == "not ok"]
            passed, skipped, failed = passed + p, skipped + s, failed + len(bad)
            if not cases:
                failed += 1
                print(f"not ok - kunit {name}: no results", file=out)
            else:
                verdict = "not ok" if bad else "ok"
                print(f"{verdict} - kunit {name}: {p} passed, {len(bad)} failed, {s} skipped", file=out)
            for m in bad:
                print(f"not ok - kunit {name}: {m.group(4)}", file=out)
            section = None
        elif line.startswith("SELFTEST-BEGIN "):
            section, name, body = "selftest", line.split()[1], []
        elif line.startswith("SELFTEST-END ") and section == "selftest":
            unchecked.append(name)
            end = re.match(r"SELFTEST-END \S+ rc=(\S+)(?: \((\d+) s\))?", line)
            rc = end.group(1) if end else "?"
            if end and end.group(2):
                print(f"# {name} took {end.group(2)} s", file=out)
            cases = [m for m in map(RESULT.match, body) if m and not m.group(1)]
            for m in cases:
                if m.group(5) == "SKIP":
                    skipped += 1
                elif m.group(2) == "ok":
                    passed += 1
                else:
                    failed += 1
                print(f"{m.group(2)} - {name}: {m.group(4)}" + (" # SKIP" if m.group(5) == "SKIP" else ""),
                      file=out)
            if rc != "0" and not any(m.group(2) == "not ok" for m in cases):
                failed += 1
                print(f"not ok - {name}: exited with status {rc}", file=out)
            if rc != "0" or any(m.group(2) == "not ok" for m in cases):
                for b in body[-25:]:
                    print("  | " + b, file=out)
            section = None
        elif section:
            body.append(line)
    klog_missing(len(unchecked))
    if not saw_kunit and "--no-kunit" not in sys.argv[1:]:
        failed += 1
        print("not ok - kunit: no KUnit results in the guest log", file=out)
    print(f"tap_passed={passed} tap_failed={failed} tap_skipped={skipped}")


if __name__ == "__main__":
    main()
