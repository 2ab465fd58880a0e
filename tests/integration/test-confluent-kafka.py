# SPDX-License-Identifier: GPL-3.0-or-later
"""confluent-kafka (librdkafka 2.0.2) against caudald: AdminClient
(create/delete topics, create_partitions, describe/alter configs,
list_topics), idempotent Producer with delivery reports, Consumer with
assign() (a group.id is set because the API requires one, but no group
protocol is used: no subscribe, no commits).

Run: CAUDALD=_build/broker/caudald /usr/bin/python3 tests/integration/test-confluent-kafka.py
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from caudald_fixture import (Broker, check, check_eq, fail, main,  # noqa: E402
                             unique_topic, wait_until)

from confluent_kafka import (Consumer, KafkaError, KafkaException, Producer,  # noqa: E402
                             TopicPartition, OFFSET_BEGINNING)
from confluent_kafka.admin import (AdminClient, ConfigResource, ConfigSource,  # noqa: E402
                                   NewPartitions, NewTopic)

SEGMENT_BYTES = "67108864"    # broker override: log.segment.bytes
OP_TIMEOUT = 10


def admin_for(broker):
    return AdminClient({"bootstrap.servers": broker.bootstrap, "socket.timeout.ms": 10000})


def result(future, what):
    try:
        return future.result(timeout=20)
    except KafkaException as exc:
        fail("%s failed: %s" % (what, exc.args[0]))
    except Exception as exc:
        fail("%s failed: %r" % (what, exc))


def expect_error(future, code, what):
    """Require the admin future to fail with KafkaError `code`."""
    try:
        future.result(timeout=20)
    except KafkaException as exc:
        err = exc.args[0]
        check_eq(err.code(), code, "%s: error code (%s)" % (what, err))
    else:
        fail("%s succeeded; expected error %s" % (what, KafkaError(code).name()))


def create(admin, topic, partitions=1, config=None):
    fs = admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1,
                                       config=config or {})], operation_timeout=OP_TIMEOUT)
    result(fs[topic], "create_topics(%s)" % topic)


def source_of(entry):
    src = entry.source
    return src if isinstance(src, ConfigSource) else ConfigSource(src)


def describe(admin, rtype, name):
    res = ConfigResource(rtype, name)
    return result(admin.describe_configs([res])[res], "describe_configs(%s %s)" % (rtype, name))


def check_entry(entries, key, value, source, what):
    check(key in entries, "%s: no config %s among %d entries" % (what, key, len(entries)))
    e = entries[key]
    check_eq((e.value, source_of(e)), (value, source), "%s: %s value/source" % (what, key))
    check_eq(e.is_default, source == ConfigSource.DEFAULT_CONFIG, "%s: %s is_default" % (what, key))


def consume_all(broker, topic, partition, count, timeout=20.0):
    """assign() from the beginning; read until end of partition; return messages."""
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": unique_topic("ck-unused-group"),
                  "enable.auto.commit": False, "enable.auto.offset.store": False,
                  "auto.offset.reset": "earliest", "enable.partition.eof": True,
                  "fetch.wait.max.ms": 100})
    try:
        c.assign([TopicPartition(topic, partition, OFFSET_BEGINNING)])
        msgs = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    if len(msgs) >= count:
                        break
                    continue
                fail("consumer error on %s[%d]: %s" % (topic, partition, m.error()))
            msgs.append(m)
        check_eq(len(msgs), count, "messages read from %s[%d]" % (topic, partition))
        return msgs
    finally:
        c.close()


# -- admin ------------------------------------------------------------------

def test_list_topics(broker):
    admin = admin_for(broker)
    topic = unique_topic("ck-list")
    create(admin, topic, partitions=3)
    md = admin.list_topics(timeout=10)
    check_eq(sorted((b.id, b.host, b.port) for b in md.brokers.values()),
             [(1, broker.host, broker.port)], "brokers")
    check_eq(md.controller_id, 1, "controller id")
    check_eq(md.orig_broker_id, 1, "originating broker id")
    check(topic in md.topics, "list_topics lacks %s" % topic)
    t = md.topics[topic]
    check(t.error is None, "topic error %r" % t.error)
    check_eq(sorted(t.partitions), [0, 1, 2], "partition ids")
    for p in t.partitions.values():
        check_eq((p.leader, list(p.replicas), list(p.isrs), p.error), (1, [1], [1], None),
                 "%s[%d] leader/replicas/isrs/error" % (topic, p.id))
    one = admin.list_topics(topic=topic, timeout=10)
    check_eq(list(one.topics), [topic], "list_topics(topic=...) topics")


def test_create_errors(broker):
    admin = admin_for(broker)
    topic = unique_topic("ck-exists")
    create(admin, topic)
    fs = admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)],
                             operation_timeout=OP_TIMEOUT)
    expect_error(fs[topic], KafkaError.TOPIC_ALREADY_EXISTS, "re-creating %s" % topic)
    bad = "ck bad name"
    fs = admin.create_topics([NewTopic(bad, num_partitions=1, replication_factor=1)],
                             operation_timeout=OP_TIMEOUT)
    expect_error(fs[bad], KafkaError.TOPIC_EXCEPTION, "creating %r" % bad)
    t2 = unique_topic("ck-badrf")
    fs = admin.create_topics([NewTopic(t2, num_partitions=1, replication_factor=3)],
                             operation_timeout=OP_TIMEOUT)
    expect_error(fs[t2], KafkaError.INVALID_REPLICATION_FACTOR,
                 "creating %s with replication factor 3 on one broker" % t2)
    t3 = unique_topic("ck-badcfg")
    fs = admin.create_topics([NewTopic(t3, num_partitions=1, replication_factor=1,
                                       config={"retention.ms": "not-a-number"})],
                             operation_timeout=OP_TIMEOUT)
    expect_error(fs[t3], KafkaError.INVALID_CONFIG, "creating %s with retention.ms=not-a-number" % t3)
    names = admin.list_topics(timeout=10).topics
    for name in (bad, t2, t3):
        check(name not in names, "refused topic %r exists anyway" % name)


def test_create_partitions(broker):
    admin = admin_for(broker)
    topic = unique_topic("ck-grow")
    create(admin, topic, partitions=2)
    fs = admin.create_partitions([NewPartitions(topic, 5)], operation_timeout=OP_TIMEOUT)
    result(fs[topic], "create_partitions(%s, 5)" % topic)
    md = admin.list_topics(topic=topic, timeout=10)
    check_eq(sorted(md.topics[topic].partitions), [0, 1, 2, 3, 4], "partitions after growth")
    fs = admin.create_partitions([NewPartitions(topic, 5)], operation_timeout=OP_TIMEOUT)
    expect_error(fs[topic], KafkaError.INVALID_PARTITIONS, "create_partitions to the same count")
    p = Producer({"bootstrap.servers": broker.bootstrap, "linger.ms": 0})
    reports = []
    p.produce(topic, value=b"new-partition", key=b"k", partition=4,
              on_delivery=lambda err, msg: reports.append((err, msg.partition(), msg.offset())))
    check_eq(p.flush(15), 0, "undelivered messages")
    check_eq(reports, [(None, 4, 0)], "delivery report for partition 4")
    msgs = consume_all(broker, topic, 4, 1)
    check_eq((msgs[0].key(), msgs[0].value(), msgs[0].offset()), (b"k", b"new-partition", 0),
             "message read from partition 4")


def test_describe_configs(broker):
    admin = admin_for(broker)
    topic = unique_topic("ck-cfg")
    create(admin, topic, config={"retention.ms": "3600000", "max.message.bytes": "2000000"})
    entries = describe(admin, ConfigResource.Type.TOPIC, topic)
    what = "topic " + topic
    check_entry(entries, "retention.ms", "3600000", ConfigSource.DYNAMIC_TOPIC_CONFIG, what)
    check_entry(entries, "max.message.bytes", "2000000", ConfigSource.DYNAMIC_TOPIC_CONFIG, what)
    check_entry(entries, "cleanup.policy", "delete", ConfigSource.DEFAULT_CONFIG, what)
    check_entry(entries, "segment.bytes", SEGMENT_BYTES, ConfigSource.STATIC_BROKER_CONFIG, what)
    plain = unique_topic("ck-cfg-plain")
    create(admin, plain)
    entries = describe(admin, ConfigResource.Type.TOPIC, plain)
    check_entry(entries, "retention.ms", "604800000", ConfigSource.DEFAULT_CONFIG, "topic " + plain)
    check_entry(entries, "max.message.bytes", "1048588", ConfigSource.DEFAULT_CONFIG, "topic " + plain)
    # The broker itself, by its node id.
    entries = describe(admin, ConfigResource.Type.BROKER, "1")
    check_entry(entries, "num.partitions", "2", ConfigSource.STATIC_BROKER_CONFIG, "broker 1")
    check_entry(entries, "log.segment.bytes", SEGMENT_BYTES, ConfigSource.STATIC_BROKER_CONFIG, "broker 1")
    check_entry(entries, "log.retention.hours", "168", ConfigSource.DEFAULT_CONFIG, "broker 1")
    # Unknown topic.
    res = ConfigResource(ConfigResource.Type.TOPIC, unique_topic("ck-missing"))
    expect_error(admin.describe_configs([res])[res], KafkaError.UNKNOWN_TOPIC_OR_PART,
                 "describe_configs of a missing topic")


def test_alter_configs(broker):
    admin = admin_for(broker)
    topic = unique_topic("ck-alter")
    create(admin, topic, config={"retention.ms": "3600000", "max.message.bytes": "2000000"})
    # AlterConfigs (not incremental) replaces the whole set of overrides.
    res = ConfigResource(ConfigResource.Type.TOPIC, topic,
                         set_config={"retention.ms": "7200000", "cleanup.policy": "compact"})
    result(admin.alter_configs([res])[res], "alter_configs(%s)" % topic)
    entries = describe(admin, ConfigResource.Type.TOPIC, topic)
    what = "topic %s after alter_configs" % topic
    check_entry(entries, "retention.ms", "7200000", ConfigSource.DYNAMIC_TOPIC_CONFIG, what)
    check_entry(entries, "cleanup.policy", "compact", ConfigSource.DYNAMIC_TOPIC_CONFIG, what)
    check_entry(entries, "max.message.bytes", "1048588", ConfigSource.DEFAULT_CONFIG, what)
    bad = ConfigResource(ConfigResource.Type.TOPIC, topic, set_config={"retention.ms": "soon"})
    expect_error(admin.alter_configs([bad])[bad], KafkaError.INVALID_CONFIG,
                 "alter_configs retention.ms=soon")
    unknown = ConfigResource(ConfigResource.Type.TOPIC, topic, set_config={"no.such.config": "1"})
    expect_error(admin.alter_configs([unknown])[unknown], KafkaError.INVALID_CONFIG,
                 "alter_configs no.such.config=1")
    entries = describe(admin, ConfigResource.Type.TOPIC, topic)
    check_eq(entries["retention.ms"].value, "7200000", "retention.ms after refused alters")


def test_delete_topics(broker):
    admin = admin_for(broker)
    topic = unique_topic("ck-del")
    create(admin, topic, partitions=2)
    fs = admin.delete_topics([topic], operation_timeout=OP_TIMEOUT)
    result(fs[topic], "delete_topics(%s)" % topic)
    wait_until(lambda: topic not in admin.list_topics(timeout=10).topics, 5,
               "%s to leave list_topics" % topic)
    fs = admin.delete_topics([topic], operation_timeout=OP_TIMEOUT)
    expect_error(fs[topic], KafkaError.UNKNOWN_TOPIC_OR_PART, "deleting %s again" % topic)


# -- produce / consume --------------------------------------------------------

def test_idempotent_producer(broker):
    admin = admin_for(broker)
    topic = unique_topic("ck-idem")
    create(admin, topic, partitions=2)
    p = Producer({"bootstrap.servers": broker.bootstrap, "enable.idempotence": True,
                  "linger.ms": 5, "batch.num.messages": 100, "message.timeout.ms": 20000})
    reports = []

    def on_delivery(err, msg):
        reports.append((err, msg.partition(), msg.offset(), msg.value()))

    n = 1000
    for i in range(n):
        p.produce(topic, value=b"idem-%04d" % i, key=b"k%d" % (i % 10),
                  partition=i % 2, headers=[("seq", b"%d" % i)], on_delivery=on_delivery)
        p.poll(0)
    check_eq(p.flush(20), 0, "undelivered messages")
    check_eq([r for r in reports if r[0] is not None], [], "delivery errors")
    check_eq(len(reports), n, "delivery reports")
    for part in (0, 1):
        mine = [r for r in reports if r[1] == part]
        check_eq([r[2] for r in mine], list(range(n // 2)), "delivered offsets of partition %d" % part)
        check_eq([r[3] for r in mine], [b"idem-%04d" % i for i in range(part, n, 2)],
                 "delivery order of partition %d" % part)
        msgs = consume_all(broker, topic, part, n // 2)
        got = [(m.offset(), m.key(), m.value(), m.headers()) for m in msgs]
        expected = [(j, b"k%d" % (i % 10), b"idem-%04d" % i,
                     [("seq", b"%d" % i)]) for j, i in enumerate(range(part, n, 2))]
        check_eq(got, expected, "messages read back from partition %d" % part)


def test_codecs_and_timestamps(broker):
    admin = admin_for(broker)
    topic = unique_topic("ck-codec")
    codecs = ["none", "gzip", "snappy", "lz4", "zstd"]
    create(admin, topic, partitions=len(codecs))
    ts0 = 1650000000000
    for part, codec in enumerate(codecs):
        p = Producer({"bootstrap.servers": broker.bootstrap, "compression.codec": codec,
                      "linger.ms": 20, "acks": "all"})
        errors = []
        for i in range(100):
            p.produce(topic, value=(b"%s %d " % (codec.encode(), i)) * 20, partition=part,
                      timestamp=ts0 + i, on_delivery=lambda err, msg: err and errors.append(err))
        check_eq(p.flush(15), 0, "undelivered messages (%s)" % codec)
        check_eq(errors, [], "delivery errors (%s)" % codec)
        msgs = consume_all(broker, topic, part, 100)
        check_eq([(m.offset(), m.value(), m.timestamp()) for m in msgs],
                 [(i, (b"%s %d " % (codec.encode(), i)) * 20, (1, ts0 + i)) for i in range(100)],
                 "offset/value/(CreateTime, timestamp) with %s" % codec)


def test_watermarks_and_times(broker):
    admin = admin_for(broker)
    topic = unique_topic("ck-wm")
    create(admin, topic, partitions=1)
    p = Producer({"bootstrap.servers": broker.bootstrap, "linger.ms": 0})
    for i in range(5):
        p.produce(topic, value=b"w%d" % i, partition=0, timestamp=1700000000000 + 100 * i)
    check_eq(p.flush(15), 0, "undelivered messages")
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": unique_topic("ck-unused-group"),
                  "enable.auto.commit": False})
    try:
        check_eq(c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10), (0, 5),
                 "watermark offsets (low, high)")
        got = c.offsets_for_times([TopicPartition(topic, 0, 1700000000250)], timeout=10)
        check_eq([(t.partition, t.offset, t.error) for t in got], [(0, 3, None)],
                 "offsets_for_times(1700000000250)")
    finally:
        c.close()


def test_broker_alive_and_clean_stop(broker):
    check(broker.alive(), "caudald is no longer running")
    broker.stop()


def body(runner):
    with Broker(overrides={"num.partitions": "2", "log.segment.bytes": SEGMENT_BYTES,
                           "auto.create.topics.enable": "false"}, name="confluent") as broker:
        if runner.start(broker):
            for test in (test_list_topics, test_create_errors, test_create_partitions,
                         test_describe_configs, test_alter_configs, test_delete_topics,
                         test_idempotent_producer, test_codecs_and_timestamps,
                         test_watermarks_and_times, test_broker_alive_and_clean_stop):
                runner.run(test, broker)
        return runner.finish(broker)


if __name__ == "__main__":
    main(body)
