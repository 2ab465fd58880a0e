#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Adds up meson's testlog.json files into one closing line:
   caudal: N passed, N failed, N skipped
Exits 1 when a log is missing or empty, so a run that ran nothing is red."""
import json
import sys

passed = failed = skipped = 0
problems = []
for path in sys.argv[1:]:
    try:
        with open(path, encoding="utf-8") as f:
            results = [json.loads(line)["result"] for line in f if line.strip()]
    except OSError:
        problems.append(f"{path}: missing")
        continue
    if not results:
        problems.append(f"{path}: no test ran")
    for r in results:
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1

for p in problems:
    print(f"test log {p}", file=sys.stderr)
print(f"caudal: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or problems or passed == 0 else 0)
