# SPDX-License-Identifier: GPL-3.0-or-later
"""Durability across restarts, with confluent-kafka (librdkafka 2.0.2).

Every message a producer saw acknowledged (acks=all) must be read back, at
the offset the acknowledgement named, after:
  - a graceful restart (SIGTERM, exit 0, start on the same data dir);
  - kill -9 and start again;
  - kill -9 while a producer is sending (acknowledged ones survive, the
    log is a gap-free prefix of what was sent, new writes continue at the
    log end);
once with the default flush settings and once with log.flush.interval.messages=1 (flush.messages=1) and
small segments. Topic metadata (partitions, configs set at creation,
deletions) must survive too.

Run: CAUDALD=_build/broker/caudald /usr/bin/python3 tests/integration/test-restart.py
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from caudald_fixture import Broker, check, check_eq, fail, main, unique_topic  # noqa: E402

from confluent_kafka import (Consumer, KafkaError, KafkaException, Producer,  # noqa: E402
                             TopicPartition, OFFSET_BEGINNING)
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic  # noqa: E402

TOPIC_CONFIGS = {"retention.ms": "3600000", "max.message.bytes": "2000000",
                 "cleanup.policy": "delete"}


class Ledger:
    """What was acknowledged: {partition: {offset: (key, value, headers)}}."""

    def __init__(self):
        self.acked = {}
        self.errors = []

    def callback(self, headers=None):
        """A delivery callback that remembers the headers sent (delivery
        reports do not carry them)."""
        def on_delivery(err, msg):
            if err is not None:
                self.errors.append(err)
                return
            rows = self.acked.setdefault(msg.partition(), {})
            check(msg.offset() not in rows, "offset %d of partition %d acknowledged twice"
                  % (msg.offset(), msg.partition()))
            rows[msg.offset()] = (msg.key(), msg.value(), list(headers or []))
        return on_delivery

    def count(self):
        return sum(len(r) for r in self.acked.values())


def admin_for(broker):
    return AdminClient({"bootstrap.servers": broker.bootstrap, "socket.timeout.ms": 10000})


def producer_for(broker, **extra):
    conf = {"bootstrap.servers": broker.bootstrap, "acks": "all", "linger.ms": 5,
            "message.timeout.ms": 15000}
    conf.update(extra)
    return Producer(conf)


def produce(broker, topic, ledger, count, partitions, tag):
    p = producer_for(broker)
    for i in range(count):
        headers = [("n", b"%d" % i)]
        p.produce(topic, key=b"%s-key-%d" % (tag.encode(), i % 13),
                  value=b"%s-%06d-" % (tag.encode(), i) + os.urandom(8).hex().encode(),
                  headers=headers, partition=i % partitions,
                  on_delivery=ledger.callback(headers))
        if i % 100 == 0:
            p.poll(0)
    check_eq(p.flush(20), 0, "messages still queued after flush")
    check_eq(ledger.errors, [], "delivery errors")


def read_partition(broker, topic, partition, timeout=20.0):
    """Everything in topic[partition], from the beginning to the end."""
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": unique_topic("rs-unused-group"),
                  "enable.auto.commit": False, "enable.auto.offset.store": False,
                  "enable.partition.eof": True, "fetch.wait.max.ms": 100})
    try:
        low, high = c.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
        check_eq(low, 0, "log start offset of %s[%d]" % (topic, partition))
        c.assign([TopicPartition(topic, partition, OFFSET_BEGINNING)])
        rows = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    if len(rows) >= high:
                        break
                    continue
                fail("consumer error on %s[%d]: %s" % (topic, partition, m.error()))
            rows.append((m.offset(), m.key(), m.value(), m.headers() or []))
        check_eq(len(rows), high, "records read from %s[%d] (high watermark)" % (topic, partition))
        check_eq([r[0] for r in rows], list(range(high)), "offsets of %s[%d]" % (topic, partition))
        return rows
    finally:
        c.close()


def check_exact(broker, topic, ledger, partitions):
    """The log holds exactly what was acknowledged, at the acknowledged offsets."""
    for part in range(partitions):
        rows = read_partition(broker, topic, part)
        expected = sorted((off, k, v, h) for off, (k, v, h) in ledger.acked.get(part, {}).items())
        if rows != expected:
            first = next((i for i, (a, b) in enumerate(zip(rows, expected)) if a != b),
                         min(len(rows), len(expected)))
            fail("%s[%d]: %d records read, %d acknowledged; first difference at index %d: got %r, expected %r"
                 % (topic, part, len(rows), len(expected), first,
                    rows[first] if first < len(rows) else None,
                    expected[first] if first < len(expected) else None))


def check_topic_metadata(broker, topic, partitions):
    admin = admin_for(broker)
    md = admin.list_topics(topic=topic, timeout=10)
    t = md.topics.get(topic)
    check(t is not None and t.error is None, "topic %s after restart: %r" % (topic, t and t.error))
    check_eq(sorted(t.partitions), list(range(partitions)), "partitions of %s after restart" % topic)
    res = ConfigResource(ConfigResource.Type.TOPIC, topic)
    try:
        entries = admin.describe_configs([res])[res].result(timeout=20)
    except KafkaException as exc:
        fail("describe_configs(%s) after restart: %s" % (topic, exc.args[0]))
    for key, value in TOPIC_CONFIGS.items():
        check(key in entries, "config %s of %s missing after restart" % (key, topic))
        check_eq(entries[key].value, value, "config %s of %s after restart" % (key, topic))
        check_eq(entries[key].is_default, False, "is_default of %s on %s after restart" % (key, topic))


def create_topic(broker, topic, partitions, configs=None):
    admin = admin_for(broker)
    fs = admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1,
                                       config=configs or {})], operation_timeout=10)
    try:
        fs[topic].result(timeout=20)
    except KafkaException as exc:
        fail("create_topics(%s): %s" % (topic, exc.args[0]))


# -- scenarios -----------------------------------------------------------------

def scenario_graceful_then_kill9(broker):
    topic = unique_topic("rs-main")
    create_topic(broker, topic, 3, TOPIC_CONFIGS)
    ledger = Ledger()
    produce(broker, topic, ledger, 600, 3, "first")
    check_eq(ledger.count(), 600, "acknowledged messages")
    broker.restart()
    check_topic_metadata(broker, topic, 3)
    check_exact(broker, topic, ledger, 3)

    produce(broker, topic, ledger, 300, 3, "second")
    check_eq(ledger.count(), 900, "acknowledged messages")
    broker.kill9()
    broker.start()
    check_topic_metadata(broker, topic, 3)
    check_exact(broker, topic, ledger, 3)

    # Writes after recovery continue at the log end: no gap, no overlap.
    produce(broker, topic, ledger, 30, 3, "third")
    check_exact(broker, topic, ledger, 3)


def scenario_topics_survive(broker):
    empty = unique_topic("rs-empty")
    gone = unique_topic("rs-gone")
    grown = unique_topic("rs-grown")
    create_topic(broker, empty, 4)
    create_topic(broker, gone, 2)
    create_topic(broker, grown, 1)
    admin = admin_for(broker)
    try:
        admin.delete_topics([gone], operation_timeout=10)[gone].result(timeout=20)
        admin.create_partitions([NewPartitions(grown, 3)], operation_timeout=10)[grown].result(timeout=20)
    except KafkaException as exc:
        fail("admin call before restart: %s" % exc.args[0])
    ledger = Ledger()
    produce(broker, grown, ledger, 30, 3, "grown")
    broker.kill9()
    broker.start()
    md = admin_for(broker).list_topics(timeout=10)
    check(empty in md.topics, "empty topic %s lost by kill -9 + restart" % empty)
    check_eq(sorted(md.topics[empty].partitions), [0, 1, 2, 3], "partitions of empty topic %s" % empty)
    check(gone not in md.topics, "deleted topic %s came back after restart" % gone)
    check(grown in md.topics, "topic %s lost" % grown)
    check_eq(sorted(md.topics[grown].partitions), [0, 1, 2], "partitions of %s (grown to 3)" % grown)
    check_exact(broker, grown, ledger, 3)
    broker.restart()
    md = admin_for(broker).list_topics(timeout=10)
    check(gone not in md.topics, "deleted topic %s came back after a second restart" % gone)
    check_exact(broker, grown, ledger, 3)


def scenario_kill9_while_producing(broker):
    topic = unique_topic("rs-crash")
    create_topic(broker, topic, 2)
    ledger = Ledger()
    p = producer_for(broker, **{"message.timeout.ms": 4000, "linger.ms": 1, "retries": 0})
    sent = {0: [], 1: []}
    i = 0
    deadline = time.monotonic() + 20
    # Keep up to ~200 messages in flight until 300 are acknowledged, then kill -9.
    while ledger.count() < 300 and time.monotonic() < deadline and not ledger.errors:
        part = i % 2
        value = b"crash-%06d" % i
        p.produce(topic, value=value, partition=part, on_delivery=ledger.callback())
        sent[part].append(value)
        i += 1
        p.poll(0)
        while len(p) > 200 and time.monotonic() < deadline:
            p.poll(0.005)
    check_eq(ledger.errors, [], "delivery errors before kill -9 (%d acknowledged)" % ledger.count())
    check(ledger.count() >= 300, "only %d messages acknowledged in 20s" % ledger.count())
    broker.kill9()
    p.flush(10)   # the rest fail: the broker is gone (its new port differs)
    broker.start()
    for part in (0, 1):
        rows = read_partition(broker, topic, part)
        values = [r[2] for r in rows]
        check_eq(values, sent[part][:len(values)],
                 "%s[%d] after kill -9: the log must be a prefix of what was sent" % (topic, part))
        for off, (_, v, _) in ledger.acked.get(part, {}).items():
            check(off < len(values), "%s[%d]: acknowledged offset %d lost (log has %d records)"
                  % (topic, part, off, len(values)))
            check_eq(values[off], v, "%s[%d] value at acknowledged offset %d" % (topic, part, off))
    # New writes land right after whatever survived.
    ends = {part: len(read_partition(broker, topic, part)) for part in (0, 1)}
    ledger2 = Ledger()
    p = producer_for(broker)
    for part in (0, 1):
        p.produce(topic, value=b"after-crash-%d" % part, partition=part, on_delivery=ledger2.callback())
    check_eq(p.flush(15), 0, "messages still queued after flush")
    check_eq(ledger2.errors, [], "delivery errors after restart")
    for part in (0, 1):
        check_eq(list(ledger2.acked[part]), [ends[part]], "offset of the first write after recovery on [%d]" % part)


def make_body(overrides, label):
    def body(runner):
        failed_before = len(runner.failed)
        with Broker(overrides=overrides, name="restart-" + label) as broker:
            if not runner.start(broker):
                for line in broker.log_tail().splitlines():
                    print("# " + line)
                return
            for scenario in (scenario_graceful_then_kill9, scenario_topics_survive,
                             scenario_kill9_while_producing):
                runner.run(named(scenario, label), broker)
                if broker.proc is None and not runner.start(broker):
                    break   # a scenario failed between kill and start, and caudald stays down
            runner.run(named(test_clean_stop, label), broker)
            if len(runner.failed) > failed_before:
                for line in broker.log_tail().splitlines():
                    print("# " + line)
    return body


def test_clean_stop(broker):
    check(broker.alive(), "caudald is no longer running")
    broker.stop()


def named(func, label):
    def wrapper(*args):
        return func(*args)
    wrapper.__name__ = "%s[%s]" % (func.__name__, label)
    return wrapper


def body(runner):
    make_body({"auto.create.topics.enable": "false"}, "default-flush")(runner)
    # log.flush.interval.messages is the broker key behind the topic key
    # flush.messages (an fsync before every acknowledgement).
    make_body({"auto.create.topics.enable": "false", "log.flush.interval.messages": "1",
               "log.segment.bytes": "16384"}, "flush.messages=1,small-segments")(runner)
    return runner.finish()


if __name__ == "__main__":
    main(body)
