# SPDX-License-Identifier: GPL-3.0-or-later
"""kcat (librdkafka 2.0.2) against caudald: metadata, produce, consume,
compression codecs, offsets by time and logical offsets.

Run: CAUDALD=_build/broker/caudald /usr/bin/python3 tests/integration/test-kcat.py
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from caudald_fixture import (Broker, check, check_eq, fail, main, run,  # noqa: E402
                             unique_topic)

KCAT = shutil.which("kcat") or "kcat"
NUM_PARTITIONS = 3   # num.partitions for auto-created topics
FMT = "%k %s %h %p %o\\n"


def kcat(broker, *args, input=None, timeout=30):
    return run([KCAT, "-b", broker.bootstrap, "-X", "socket.timeout.ms=10000",
                "-X", "topic.metadata.refresh.interval.ms=1000"] + list(args),
               input=input, timeout=timeout)


def metadata(broker, topic=None):
    args = ["-L", "-J"]
    if topic:
        args += ["-t", topic]
    out = kcat(broker, *args).stdout
    try:
        return json.loads(out)
    except ValueError:
        fail("kcat -L -J printed no JSON: %r" % out)


def topic_meta(broker, topic):
    md = metadata(broker, topic)
    found = [t for t in md.get("topics", []) if t["topic"] == topic]
    check_eq(len(found), 1, "topics named %s in kcat -L -t %s" % (topic, topic))
    return found[0]


def consume(broker, topic, *extra, fmt=FMT):
    """kcat -C from the start to the end of the topic; returns the lines."""
    out = kcat(broker, "-C", "-t", topic, "-o", "beginning", "-e", "-f", fmt, *extra).stdout
    return out.splitlines()


def check_partitions_meta(t, count, what):
    check(not t.get("error"), "%s: topic error %r" % (what, t.get("error")))
    parts = sorted(t["partitions"], key=lambda p: p["partition"])
    check_eq([p["partition"] for p in parts], list(range(count)), what + ": partition ids")
    for p in parts:
        check(not p.get("error"), "%s: partition %d error %r" % (what, p["partition"], p.get("error")))
        check_eq(p["leader"], 1, "%s: leader of partition %d" % (what, p["partition"]))
        check_eq([r["id"] for r in p["replicas"]], [1], "%s: replicas of partition %d" % (what, p["partition"]))
        check_eq([r["id"] for r in p["isrs"]], [1], "%s: isr of partition %d" % (what, p["partition"]))


# -- tests ------------------------------------------------------------------

def test_metadata_brokers(broker):
    md = metadata(broker)
    check_eq(md["originating_broker"]["id"], 1, "originating broker id")
    check_eq(md["brokers"], [{"id": 1, "name": broker.bootstrap}], "brokers")
    check_eq(md["controllerid"], 1, "controller id (must name a listed broker)")


def test_metadata_after_auto_create(broker):
    topic = unique_topic("kcat-auto")
    # Producing to an unknown topic makes librdkafka ask for it with
    # allow_auto_topic_creation=true; the broker creates it with num.partitions.
    kcat(broker, "-P", "-t", topic, "-p", "0", input="hello\n")
    t = topic_meta(broker, topic)
    check_partitions_meta(t, NUM_PARTITIONS, "auto-created " + topic)
    check_eq(consume(broker, topic, "-p", "0"), [" hello  0 0"], "auto-created topic contents")
    all_topics = [x["topic"] for x in metadata(broker)["topics"]]
    check(topic in all_topics, "kcat -L (all topics) lacks %s: %r" % (topic, all_topics))


def test_metadata_after_admin_create(broker):
    from confluent_kafka.admin import AdminClient, NewTopic
    topic = unique_topic("kcat-admin")
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    fut = admin.create_topics([NewTopic(topic, num_partitions=5, replication_factor=1)],
                              operation_timeout=10)[topic]
    try:
        fut.result(timeout=20)
    except Exception as exc:
        fail("confluent-kafka create_topics(%s, 5 partitions) failed: %s" % (topic, exc))
    t = topic_meta(broker, topic)
    check_partitions_meta(t, 5, "created " + topic)


def test_keys_headers_partition(broker):
    topic = unique_topic("kcat-keys")
    lines0 = ["k%d:value-%d" % (i, i) for i in range(10)]
    lines1 = ["other:x", ":empty-key", "k:"]
    kcat(broker, "-P", "-t", topic, "-p", "0", "-K:", "-H", "h1=one", "-H", "h2=two",
         input="\n".join(lines0) + "\n")
    kcat(broker, "-P", "-t", topic, "-p", "1", "-K:", input="\n".join(lines1) + "\n")
    expected0 = ["k%d value-%d h1=one,h2=two 0 %d" % (i, i, i) for i in range(10)]
    check_eq(consume(broker, topic, "-p", "0"), expected0, "partition 0 contents")
    expected1 = ["other x  1 0", " empty-key  1 1", "k   1 2"]
    check_eq(consume(broker, topic, "-p", "1"), expected1, "partition 1 contents")
    check_eq(consume(broker, topic, "-p", "2"), [], "partition 2 contents (nothing produced)")
    # Consuming the whole topic gives each partition in order.
    everything = consume(broker, topic)
    by_part = {}
    for line in everything:
        by_part.setdefault(line.split(" ")[-2], []).append(line)
    check_eq(by_part.get("0"), expected0, "partition 0 in a whole-topic consume")
    check_eq(by_part.get("1"), expected1, "partition 1 in a whole-topic consume")
    check_eq(len(everything), 13, "messages in a whole-topic consume")


def test_keyed_partitioner_order(broker):
    topic = unique_topic("kcat-order")
    msgs = ["key%d:m%03d" % (i % 7, i) for i in range(300)]
    kcat(broker, "-P", "-t", topic, "-K:", input="\n".join(msgs) + "\n")
    got = consume(broker, topic, fmt="%k %s %p %o\\n")
    check_eq(len(got), 300, "messages read back")
    parts = {}
    key_part = {}
    for line in got:
        key, value, part, offset = line.split(" ")
        parts.setdefault(part, []).append((int(offset), key, value))
        check_eq(key_part.setdefault(key, part), part, "partition of key %s" % key)
    for part, rows in parts.items():
        check_eq([r[0] for r in rows], list(range(len(rows))), "offsets of partition %s" % part)
        values = [r[2] for r in rows]
        check_eq(values, sorted(values), "production order within partition %s" % part)
    check_eq(sorted(v for rows in parts.values() for _, _, v in rows),
             ["m%03d" % i for i in range(300)], "set of values")


def test_compression_codecs(broker):
    for codec in ("none", "gzip", "snappy", "lz4", "zstd"):
        topic = unique_topic("kcat-z-" + codec)
        # Compressible values, several per batch, plus one incompressible-ish.
        msgs = ["%s-%04d:%s" % (codec, i, ("payload-%d-" % i) * 40) for i in range(200)]
        msgs.append("rand:" + os.urandom(300).hex())
        kcat(broker, "-P", "-t", topic, "-p", "0", "-K:",
             "-X", "compression.codec=" + codec, "-X", "linger.ms=50",
             input="\n".join(msgs) + "\n")
        got = consume(broker, topic, "-p", "0", fmt="%k:%s %o\\n")
        expected = ["%s %d" % (m, i) for i, m in enumerate(msgs)]
        if got != expected:
            first = next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b),
                         min(len(got), len(expected)))
            fail("codec %s: %d messages back, %d expected; first difference at index %d: got %r, expected %r"
                 % (codec, len(got), len(expected), first,
                    got[first][:80] if first < len(got) else None,
                    expected[first][:80] if first < len(expected) else None))


def _query_offset(broker, topic, partition, ts):
    out = kcat(broker, "-Q", "-t", "%s:%d:%d" % (topic, partition, ts)).stdout
    m = re.search(r"^%s \[%d\]\s+offset (-?\d+)\s*$" % (re.escape(topic), partition), out, re.M)
    if not m:
        fail("kcat -Q -t %s:%d:%d: unexpected output %r" % (topic, partition, ts, out))
    return int(m.group(1))


def test_offsets_for_times(broker):
    from confluent_kafka import Producer
    topic = unique_topic("kcat-times")
    base = 1600000000000
    stamps = [base + 1000 * i for i in range(10)]   # strictly increasing CreateTime
    p = Producer({"bootstrap.servers": broker.bootstrap, "linger.ms": 0, "acks": "all",
                  "log.connection.close": False})
    errors = []
    for i, ts in enumerate(stamps):
        p.produce(topic, value=b"t%d" % i, partition=0, timestamp=ts,
                  on_delivery=lambda err, msg: err and errors.append(err))
        p.flush(10)  # one batch per message: each batch has its own timestamps
    check_eq(p.flush(10), 0, "messages still queued")
    check_eq(errors, [], "delivery errors")
    got = kcat(broker, "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e",
               "-f", "%s %T\\n").stdout.splitlines()
    check_eq(got, ["t%d %d" % (i, ts) for i, ts in enumerate(stamps)], "values and CreateTime timestamps")
    cases = [
        (stamps[0], 0), (stamps[3], 3), (stamps[3] + 1, 4), (stamps[9], 9),
        (base - 5000, 0), (0, 0),
        (stamps[9] + 1, -1),   # no message at or after: offset -1
        (-1, 10),              # LATEST: log end offset
        (-2, 0),               # EARLIEST: log start offset
    ]
    for ts, expected in cases:
        check_eq(_query_offset(broker, topic, 0, ts), expected, "kcat -Q offset for timestamp %d" % ts)
    # Consume starting at a timestamp.
    got = kcat(broker, "-C", "-t", topic, "-p", "0", "-o", "s@%d" % stamps[7], "-e",
               "-f", "%s\\n").stdout.splitlines()
    check_eq(got, ["t7", "t8", "t9"], "kcat -o s@<timestamp of message 7>")


def test_logical_offsets(broker):
    topic = unique_topic("kcat-offs")
    kcat(broker, "-P", "-t", topic, "-p", "0", input="".join("m%d\n" % i for i in range(6)))
    def c(*args):
        return kcat(broker, "-C", "-t", topic, "-p", "0", "-e", "-f", "%s@%o\\n", *args).stdout.splitlines()
    check_eq(c("-o", "beginning"), ["m%d@%d" % (i, i) for i in range(6)], "-o beginning")
    check_eq(c("-o", "end"), [], "-o end (nothing new)")
    check_eq(c("-o", "-1"), ["m5@5"], "-o -1 (last message)")
    check_eq(c("-o", "-2"), ["m4@4", "m5@5"], "-o -2 (last two messages)")
    check_eq(c("-o", "4"), ["m4@4", "m5@5"], "-o 4 (absolute)")
    check_eq(c("-o", "6"), [], "-o 6 (log end offset)")
    check_eq(c("-o", "beginning", "-c", "2"), ["m0@0", "m1@1"], "-o beginning -c 2")
    check_eq(_query_offset(broker, topic, 0, -1), 6, "kcat -Q latest (-1)")
    check_eq(_query_offset(broker, topic, 0, -2), 0, "kcat -Q earliest (-2)")


def test_empty_and_large_values(broker):
    topic = unique_topic("kcat-sizes")
    big = "B" * 200000
    kcat(broker, "-P", "-t", topic, "-p", "0", "-K:", input="e:\nbig:%s\n:\n" % big)
    got = consume(broker, topic, "-p", "0", fmt="%k|%S|%o\\n")   # %S = value size
    check_eq(got, ["e|0|0", "big|200000|1", "|0|2"], "key|value size|offset")


def test_fetch_long_poll_wakes(broker):
    """A consumer waiting at the log end gets a new message promptly."""
    topic = unique_topic("kcat-wait")
    kcat(broker, "-P", "-t", topic, "-p", "0", input="old\n")
    waiter = subprocess.Popen([KCAT, "-b", broker.bootstrap, "-C", "-t", topic, "-p", "0",
                               "-o", "end", "-c", "1", "-f", "%s@%o\\n",
                               "-X", "fetch.wait.max.ms=5000"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        time.sleep(2.0)   # let it reach the log end and park in a long poll
        if waiter.poll() is not None:
            fail("kcat -C -o end -c 1 exited (status %d) before anything was produced: %r"
                 % (waiter.returncode, waiter.communicate()[1][-500:]))
        sent = time.monotonic()
        kcat(broker, "-P", "-t", topic, "-p", "0", input="new\n")
        try:
            out, err = waiter.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            fail("waiting consumer did not get the new message within 10s")
        check_eq(out.decode().splitlines(), ["new@1"], "message seen by the waiting consumer")
        # fetch.wait.max.ms is 5 s: an answer only at the end of the wait is too late.
        check(time.monotonic() - sent < 4.0, "waiting consumer took %.1fs to see the new message"
              % (time.monotonic() - sent))
    finally:
        if waiter.poll() is None:
            waiter.kill()
            waiter.wait()


def test_broker_alive_and_clean_stop(broker):
    check(broker.alive(), "caudald is no longer running")
    broker.stop()


def body(runner):
    with Broker(overrides={"num.partitions": str(NUM_PARTITIONS),
                           "auto.create.topics.enable": "true"}, name="kcat") as broker:
        if runner.start(broker):
            for test in (test_metadata_brokers, test_metadata_after_auto_create,
                         test_metadata_after_admin_create, test_keys_headers_partition,
                         test_keyed_partitioner_order, test_compression_codecs,
                         test_offsets_for_times, test_logical_offsets,
                         test_empty_and_large_values, test_fetch_long_poll_wakes,
                         test_broker_alive_and_clean_stop):
                runner.run(test, broker)
        return runner.finish(broker)


if __name__ == "__main__":
    main(body)
