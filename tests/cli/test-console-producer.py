# SPDX-License-Identifier: GPL-3.0-or-later
"""`caudal console-producer` against a real caudald, checked with kcat and
kafka-python's DefaultPartitioner: lines with and without keys, headers,
every codec, acks and --sync, Kafka's reader errors, usage errors, an
unreachable broker, and a delivery failure.

Run: CAUDALD=_build/broker/caudald CAUDAL=_build/client-cli/caudal \
     /usr/bin/python3 tests/cli/test-console-producer.py
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from caudald_fixture import (Broker, check, check_eq, fail, main, run,  # noqa: E402
                             unique_topic)

from kafka.partitioner.default import DefaultPartitioner  # noqa: E402

CAUDAL = os.environ.get("CAUDAL", "caudal")
KCAT = shutil.which("kcat") or "kcat"
NUM_PARTITIONS = 3
FMT = "%k|%s|%h|%p\\n"


def produce(broker, topic, lines, *args, check_rc=True, timeout=60):
    data = "".join(line + "\n" for line in lines)
    return run([CAUDAL, "console-producer", "--bootstrap-server", broker.bootstrap,
                "--topic", topic] + list(args), input=data, check_rc=check_rc, timeout=timeout)


def consume(broker, topic, expected_count):
    """kcat -C -e from the beginning: [(key, value, headers, partition)]."""
    out = run([KCAT, "-b", broker.bootstrap, "-C", "-t", topic, "-o", "beginning", "-e",
               "-q", "-f", FMT], timeout=30).stdout
    rows = []
    for line in out.splitlines():
        k, s, h, p = line.rsplit("|", 3) if line.count("|") > 3 else line.split("|")
        rows.append((k, s, h, int(p)))
    check_eq(len(rows), expected_count, "records in %s" % topic)
    return rows


def java_partition(key):
    partitioner = DefaultPartitioner()
    parts = list(range(NUM_PARTITIONS))
    return partitioner(key.encode(), parts, parts)


def test_values_without_key(broker):
    topic = unique_topic("cp-plain")
    lines = ["first", "second line", "", "with\ttab", "ünïcødé"]
    produce(broker, topic, lines)
    rows = consume(broker, topic, len(lines))
    # Keyless records may go to any partition: compare per partition order.
    check_eq(sorted(r[1] for r in rows), sorted(lines), "values")
    check(all(r[0] == "" and r[2] == "" for r in rows), "no keys or headers: %r" % rows)
    by_part = {}
    for r in rows:
        by_part.setdefault(r[3], []).append(r[1])
    for values in by_part.values():
        check_eq(values, [v for v in lines if v in values], "order within a partition")


def test_keys_match_java_partitioner(broker):
    topic = unique_topic("cp-keys")
    keys = ["key%d" % i for i in range(40)] + ["user-42", "été", "a"]
    lines = ["%s:value-of-%s" % (k, k) for k in keys]
    produce(broker, topic, lines, "--property", "parse.key=true", "--property", "key.separator=:")
    rows = consume(broker, topic, len(lines))
    got = {(r[0], r[1]): r[3] for r in rows}
    check_eq(len(got), len(keys), "distinct records")
    used = set()
    for k in keys:
        part = got.get((k, "value-of-" + k))
        check(part is not None, "record with key %r missing: %r" % (k, rows))
        check_eq(part, java_partition(k), "partition of key %r (kafka-python DefaultPartitioner)" % k)
        used.add(part)
    check_eq(sorted(used), list(range(NUM_PARTITIONS)), "partitions used by 43 keys")


def test_default_key_separator_is_tab(broker):
    topic = unique_topic("cp-tab")
    produce(broker, topic, ["k\tv:1", "k2\t"], "--property", "parse.key=true")
    rows = sorted(consume(broker, topic, 2))
    check_eq([(r[0], r[1]) for r in rows], [("k", "v:1"), ("k2", "")], "key/value split at the tab")


def test_headers(broker):
    topic = unique_topic("cp-headers")
    lines = ["h1:v1,h2:v2\tk1:one", "h3:\tk2:two", "\tk3:three"]
    produce(broker, topic, lines, "--property", "parse.key=true", "--property", "key.separator=:",
            "--property", "parse.headers=true")
    rows = sorted(consume(broker, topic, 3))
    check_eq([(r[0], r[1], r[2]) for r in rows],
             [("k1", "one", "h1=v1,h2=v2"), ("k2", "two", "h3="), ("k3", "three", "")],
             "keys, values and headers")
    for r in rows:
        check_eq(r[3], java_partition(r[0]), "partition of key %r" % r[0])


def test_headers_custom_separators(broker):
    topic = unique_topic("cp-headers2")
    produce(broker, topic, ["a=1;b=2|x"], "--property", "parse.headers=true",
            "--property", "headers.delimiter=|", "--property", "headers.separator=;",
            "--property", "headers.key.separator==")
    rows = consume(broker, topic, 1)
    check_eq((rows[0][0], rows[0][1], rows[0][2]), ("", "x", "a=1,b=2"), "record")


def test_codecs(broker):
    for codec in ["none", "gzip", "snappy", "lz4", "zstd"]:
        topic = unique_topic("cp-" + codec)
        lines = ["%s %d %s" % (codec, i, "x" * (i % 50)) for i in range(200)]
        produce(broker, topic, lines, "--compression-codec", codec, "--batch-size", "4096")
        rows = consume(broker, topic, len(lines))
        check_eq(sorted(r[1] for r in rows), sorted(lines), "values with %s" % codec)
    # --producer-property compression.type works too.
    topic = unique_topic("cp-prop-codec")
    produce(broker, topic, ["p1", "p2"], "--producer-property", "compression.type=lz4")
    check_eq(sorted(r[1] for r in consume(broker, topic, 2)), ["p1", "p2"], "values")


def test_acks_and_sync(broker):
    for acks in ["0", "1", "-1", "all"]:
        topic = unique_topic("cp-acks")
        lines = ["acks %s #%d" % (acks, i) for i in range(5)]
        produce(broker, topic, lines, "--request-required-acks", acks, "--sync")
        rows = consume(broker, topic, len(lines))
        check_eq(sorted(r[1] for r in rows), sorted(lines), "values with acks=%s" % acks)


def test_many_lines(broker):
    topic = unique_topic("cp-many")
    lines = ["k%d:%s" % (i % 97, "v" * (i % 300)) for i in range(20000)]
    # A bare --compression-codec means gzip, as in Kafka.
    produce(broker, topic, lines, "--property", "parse.key=true", "--property", "key.separator=:",
            "--compression-codec", timeout=90)
    rows = consume(broker, topic, len(lines))
    bad = [r for r in rows if r[3] != java_partition(r[0])]
    check(not bad, "records on the wrong partition: %r" % bad[:5])
    # Per key, the order of the lines is kept.
    per_key = {}
    for r in rows:
        per_key.setdefault(r[0], []).append(r[1])
    expected = {}
    for line in lines:
        k, v = line.split(":", 1)
        expected.setdefault(k, []).append(v)
    check_eq(per_key, expected, "values per key, in order")


def test_missing_key_separator(broker):
    topic = unique_topic("cp-nosep")
    proc = produce(broker, topic, ["k:v", "no separator here", "k:later"], "--property", "parse.key=true",
                   "--property", "key.separator=:", check_rc=False)
    check_eq(proc.returncode, 1, "exit status; stderr: %s" % proc.stderr)
    check("No key separator found on line number 2: 'no separator here'" in proc.stderr,
          "stderr: %r" % proc.stderr)
    # What came before was sent.
    rows = consume(broker, topic, 1)
    check_eq((rows[0][0], rows[0][1]), ("k", "v"), "the line before the error")


def test_ignore_error(broker):
    topic = unique_topic("cp-ignore")
    produce(broker, topic, ["no separator"], "--property", "parse.key=true",
            "--property", "key.separator=:", "--property", "ignore.error=true")
    rows = consume(broker, topic, 1)
    check_eq((rows[0][0], rows[0][1]), ("", "no separator"), "whole line as value")


def test_delivery_failure(broker):
    # A record over the topic's max.message.bytes: the broker refuses it
    # (MESSAGE_TOO_LARGE, not retriable); the others go through.
    topic = unique_topic("cp-toolarge")
    run([CAUDAL, "topics", "--bootstrap-server", broker.bootstrap, "--create", "--topic", topic,
         "--partitions", "1", "--config", "max.message.bytes=2000"])
    big = "x" * 5000
    proc = produce(broker, topic, ["small"], check_rc=True)
    proc = produce(broker, topic, [big], "--sync", check_rc=False)
    check_eq(proc.returncode, 1, "exit status; stderr: %s" % proc.stderr)
    check(re.search(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] ERROR Error when sending message to topic "
                    + re.escape(topic) + r" with key: null, value: 5000 bytes with error: \(.*MESSAGE_TOO_LARGE",
                    proc.stderr, re.M),
          "Kafka-like error line expected; stderr: %r" % proc.stderr)
    consume(broker, topic, 1)


def test_missing_flags(broker):
    proc = run([CAUDAL, "console-producer", "--topic", "x"], input="", check_rc=False)
    check_eq(proc.returncode, 2, "exit status without --bootstrap-server")
    check("Missing required argument" in proc.stderr and "bootstrap-server" in proc.stderr,
          "stderr: %r" % proc.stderr)
    proc = run([CAUDAL, "console-producer", "--bootstrap-server", broker.bootstrap], input="",
               check_rc=False)
    check_eq(proc.returncode, 2, "exit status without --topic")
    check("Missing required argument" in proc.stderr and "topic" in proc.stderr, "stderr: %r" % proc.stderr)
    # Kafka's script name works too.
    proc = run([CAUDAL, "kafka-console-producer", "--bootstrap-server", broker.bootstrap], input="",
               check_rc=False)
    check_eq(proc.returncode, 2, "exit status of kafka-console-producer without --topic")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_broker(broker):
    port = free_port()
    start = time.monotonic()
    proc = run([CAUDAL, "console-producer", "--bootstrap-server", "127.0.0.1:%d" % port,
                "--topic", "x"], input="a\n", check_rc=False, timeout=30)
    elapsed = time.monotonic() - start
    check_eq(proc.returncode, 1, "exit status; stderr: %s" % proc.stderr)
    check("cannot connect to 127.0.0.1:%d" % port in proc.stderr, "stderr: %r" % proc.stderr)
    check(elapsed < 10, "took %.1fs" % elapsed)


def test_broker_restart(broker):
    # Lines typed while the broker is down are retried and delivered once
    # it is back (same port), exactly once each here.
    port = free_port()
    with Broker(overrides={"num.partitions": "1",
                           "listeners": "PLAINTEXT://127.0.0.1:%d" % port}, name="restart") as b:
        b.start()
        proc = subprocess.Popen([CAUDAL, "console-producer", "--bootstrap-server", b.bootstrap,
                                 "--topic", "r", "--timeout", "0"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            proc.stdin.write(b"a\n")
            proc.stdin.flush()
            time.sleep(1)
            b.stop()
            proc.stdin.write(b"b\n")
            proc.stdin.flush()
            time.sleep(1.5)
            b.start()
            proc.stdin.write(b"c\n")
            proc.stdin.flush()
            out, err = proc.communicate(input=b"", timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        check_eq(proc.returncode, 0, "exit status; stderr: %s" % err.decode(errors="replace"))
        rows = consume(b, "r", 3)
        check_eq([r[1] for r in rows], ["a", "b", "c"], "values in order")


def body(runner):
    with Broker(overrides={"num.partitions": str(NUM_PARTITIONS),
                           "auto.create.topics.enable": "true"}) as broker:
        if runner.start(broker):
            for test in [test_values_without_key, test_keys_match_java_partitioner,
                         test_default_key_separator_is_tab, test_headers,
                         test_headers_custom_separators, test_codecs, test_acks_and_sync,
                         test_many_lines, test_missing_key_separator, test_ignore_error,
                         test_delivery_failure, test_missing_flags, test_unreachable_broker,
                         test_broker_restart]:
                runner.run(test, broker)
        return runner.finish(broker)


if __name__ == "__main__":
    main(body)
