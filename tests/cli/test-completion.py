# SPDX-License-Identifier: GPL-3.0-or-later
"""The bash completion script completes commands and flags, also under
Kafka's script names (runs bash, no broker needed)."""

import os
import subprocess
import sys

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "completion", "caudal")


def complete(*words):
    line = " ".join(words)
    cmd = ('source "%s"; COMP_WORDS=(%s); COMP_CWORD=%d; _caudal; printf "%%s\\n" "${COMPREPLY[@]}"'
           % (SCRIPT, line, len(words) - 1))
    out = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, check=True).stdout
    return sorted(w for w in out.split("\n") if w)


CASES = [
    (("caudal", "to"), ["topics"]),
    (("caudal", "console-"), ["console-consumer", "console-producer"]),
    (("caudal", "topics", "--cr"), ["--create"]),
    (("kafka-topics", "--rep"), ["--replication-factor"]),
    (("kafka-topics.sh", "--if"), ["--if-exists", "--if-not-exists"]),
    (("kafka-consumer-groups", "--reset"), ["--reset-offsets"]),
    (("kafka-configs", "--entity-type", "t"), ["topics"]),
    (("kafka-console-producer", "--compression-codec", "z"), ["zstd"]),
]

failed = 0
for n, (words, expected) in enumerate(CASES, 1):
    got = complete(*words)
    if got == expected:
        print("ok %d - %s" % (n, " ".join(words)))
    else:
        failed += 1
        print("not ok %d - %s: expected %r, got %r" % (n, " ".join(words), expected, got))
print("1..%d" % len(CASES))
sys.exit(1 if failed else 0)
