#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Count the KUnit (KTAP) and selftest (TAP) results in a guest/check.sh log.

Reads the log on stdin. Prints one line per selftest case and per KUnit suite
(and every failed KUnit case) on stderr, and the totals as shell assignments
(tap_passed=N tap_failed=N tap_skipped=N) on stdout for check.sh.
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
    for raw in sys.stdin:
        line = raw.rstrip("\n")
        if line.startswith("KUNIT-MISSING"):
            failed += 1
            print(f"not ok - kunit: {line.split(' ', 1)[1]}", file=out)
        elif line.startswith("KUNIT-SUITE "):
            section, name, body = "kunit", line.split()[1], []
        elif line.startswith("KUNIT-END") and section == "kunit":
            saw_kunit = True
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
            rc = line.rsplit("rc=", 1)[-1]
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
    if not saw_kunit:
        failed += 1
        print("not ok - kunit: no KUnit results in the guest log", file=out)
    print(f"tap_passed={passed} tap_failed={failed} tap_skipped={skipped}")


if __name__ == "__main__":
    main()
