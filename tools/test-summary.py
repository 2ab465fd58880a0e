#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Adds up meson's testlog.json files into one closing line:
   caudal: N passed, N failed, N skipped
Before it, each failed test is named with the tail of its output: CI keeps
only the end of a run's output, so the reason of a red run must be there.
Exits 1 when a log is missing or empty, so a run that ran nothing is red."""
import json
import sys

TAIL_LINES = 25

passed = failed = skipped = 0
problems = []
failures = []
for path in sys.argv[1:]:
    try:
        with open(path, encoding="utf-8") as f:
            entries = [json.loads(line) for line in f if line.strip()]
    except OSError:
        problems.append(f"{path}: missing")
        continue
    if not entries:
        problems.append(f"{path}: no test ran")
    for e in entries:
        r = e["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
            failures.append(e)

def tail(text, n):
    return (text or "").rstrip("\n").splitlines()[-n:]


for e in failures:
    print(f"--- FAILED {e['name']}: {e['result']} after {e.get('duration', 0):.1f}s, "
          f"rc {e.get('returncode')}")
    out = (e.get("stdout") or "").splitlines()
    # TAP "not ok" lines with their indented details, and verdict lines,
    # first: they say what failed even when the output after them (a
    # server's log tail) is long.
    picked = []
    for i, line in enumerate(out):
        if line.startswith(("not ok", "# lost ")) or "INVALID" in line or "verdict" in line:
            picked.append(line)
            picked.extend(l for l in out[i + 1:i + 5] if l.startswith("#   "))
    for line in picked[:20]:
        print(f"    {line[:400]}")
    for name, n in (("stdout", TAIL_LINES), ("stderr", 12)):
        lines = tail(e.get(name), n)
        if lines:
            print(f"  last {len(lines)} lines of {name}:")
            for line in lines:
                print(f"    {line[:400]}")
for p in problems:
    print(f"test log {p}", file=sys.stderr)
print(f"caudal: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or problems or passed == 0 else 0)
