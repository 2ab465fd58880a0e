# SPDX-License-Identifier: GPL-3.0-or-later
"""kafka-python 2.0.2 against caudald: admin (create/describe/delete topics,
errors), producer (keys, headers, partition, timestamp, acks), consumer with
assign() (no group), beginning/end offsets and offsets_for_times.

kafka-python probes the broker (ApiVersions v0 + pipelined Metadata v0) and
then uses fixed request versions, as its users do.

Run: CAUDALD=_build/broker/caudald /usr/bin/python3 tests/integration/test-kafka-python.py
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from caudald_fixture import (Broker, check, check_eq, fail, main,  # noqa: E402
                             unique_topic, wait_until)

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka.admin import ConfigResource, ConfigResourceType, NewPartitions, NewTopic  # noqa: E402
import kafka.errors as Errors  # noqa: E402

TIMEOUT_MS = 10000


def admin_for(broker):
    return KafkaAdminClient(bootstrap_servers=broker.bootstrap, client_id="caudal-it-kpy-admin",
                            request_timeout_ms=TIMEOUT_MS)


def producer_for(broker, **extra):
    conf = dict(bootstrap_servers=broker.bootstrap, client_id="caudal-it-kpy-producer",
                acks="all", linger_ms=0, request_timeout_ms=TIMEOUT_MS, retries=0,
                max_block_ms=TIMEOUT_MS)
    conf.update(extra)
    return KafkaProducer(**conf)


def consumer_for(broker):
    return KafkaConsumer(bootstrap_servers=broker.bootstrap, client_id="caudal-it-kpy-consumer",
                         group_id=None, enable_auto_commit=False,
                         auto_offset_reset="earliest", request_timeout_ms=TIMEOUT_MS + 1000,
                         fetch_max_wait_ms=200)


def read_partition(consumer, tp, count, timeout=15.0):
    """Assign tp, seek to the beginning and return exactly `count` records."""
    consumer.assign([tp])
    consumer.seek_to_beginning(tp)
    records = []
    deadline = time.monotonic() + timeout
    while len(records) < count and time.monotonic() < deadline:
        for batch in consumer.poll(timeout_ms=500).values():
            records.extend(batch)
    check_eq(len(records), count, "records read from %s[%d]" % (tp.topic, tp.partition))
    # Nothing more must follow.
    extra = []
    for batch in consumer.poll(timeout_ms=500).values():
        extra.extend(batch)
    check_eq([(r.offset, r.value) for r in extra], [], "records after the expected ones")
    return records


def create(admin, topic, partitions=1, configs=None):
    admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1,
                                  topic_configs=configs or {})], timeout_ms=TIMEOUT_MS)


def describe_topic_configs(admin, topic):
    responses = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    check_eq(len(responses), 1, "DescribeConfigs responses")
    resources = responses[0].resources
    check_eq(len(resources), 1, "DescribeConfigs resources")
    error_code, error_message, rtype, rname, entries = resources[0][:5]
    check_eq((error_code, rname), (0, topic), "DescribeConfigs error/resource name")
    return {e[0]: e[1] for e in entries}


# -- admin ------------------------------------------------------------------

def test_create_describe_topics(broker):
    admin = admin_for(broker)
    try:
        t1 = unique_topic("kpy-create")
        t2 = unique_topic("kpy-create-cfg")
        create(admin, t1, partitions=4)
        create(admin, t2, partitions=2, configs={"retention.ms": "3600000",
                                                 "cleanup.policy": "delete",
                                                 "max.message.bytes": "2000000"})
        topics = admin.list_topics()
        check(t1 in topics and t2 in topics, "list_topics lacks the new topics: %r" % topics)
        described = {t["topic"]: t for t in admin.describe_topics([t1, t2])}
        check_eq(sorted(described), sorted([t1, t2]), "describe_topics names")
        for name, count in ((t1, 4), (t2, 2)):
            t = described[name]
            check_eq(t["error_code"], 0, "describe_topics error for " + name)
            parts = sorted(t["partitions"], key=lambda p: p["partition"])
            check_eq([p["partition"] for p in parts], list(range(count)), name + " partitions")
            for p in parts:
                check_eq((p["error_code"], p["leader"], p["replicas"], p["isr"]), (0, 1, [1], [1]),
                         "%s[%d] error/leader/replicas/isr" % (name, p["partition"]))
        configs = describe_topic_configs(admin, t2)
        for key, value in (("retention.ms", "3600000"), ("cleanup.policy", "delete"),
                           ("max.message.bytes", "2000000")):
            check_eq(configs.get(key), value, "config %s of %s" % (key, t2))
        cluster = admin.describe_cluster()
        check_eq([(b["node_id"], b["host"], b["port"]) for b in cluster["brokers"]],
                 [(1, broker.host, broker.port)], "describe_cluster brokers")
        check_eq(cluster["controller_id"], 1, "describe_cluster controller id")
    finally:
        admin.close()


def test_topic_already_exists(broker):
    admin = admin_for(broker)
    try:
        topic = unique_topic("kpy-dup")
        create(admin, topic, partitions=1)
        try:
            create(admin, topic, partitions=3)
        except Errors.TopicAlreadyExistsError:
            pass
        else:
            fail("second CreateTopics of %s succeeded; expected TOPIC_ALREADY_EXISTS (36)" % topic)
        t = admin.describe_topics([topic])[0]
        check_eq(len(t["partitions"]), 1, "partitions after the refused re-create")
    finally:
        admin.close()


def test_invalid_topic_names(broker):
    admin = admin_for(broker)
    try:
        bad = ["bad/name", "bad name", "bad*name", ".", "..", "x" * 250, "caf\u00e9"]
        for name in bad:
            try:
                create(admin, name)
            except Errors.InvalidTopicError:
                pass
            except Exception as exc:
                fail("CreateTopics %r: expected INVALID_TOPIC_EXCEPTION (17), got %r" % (name, exc))
            else:
                fail("CreateTopics %r succeeded; expected INVALID_TOPIC_EXCEPTION (17)" % name)
        topics = admin.list_topics()
        for name in bad:
            check(name not in topics, "invalid name %r appears in list_topics" % name)
        # Legal edge cases: 249 characters, dots, underscores and dashes.
        longest = ("kpy-long-%d-" % os.getpid()).ljust(249, "y")
        create(admin, longest)
        dotted = unique_topic("kpy.dots_and-dashes")
        create(admin, dotted)
        topics = admin.list_topics()
        check(longest in topics, "249-character topic missing from list_topics")
        check(dotted in topics, "topic %r missing from list_topics" % dotted)
    finally:
        admin.close()


def test_invalid_partition_counts(broker):
    admin = admin_for(broker)
    try:
        for count in (0, -5):
            topic = unique_topic("kpy-badparts")
            try:
                create(admin, topic, partitions=count)
            except Errors.InvalidPartitionsError:
                pass
            except Exception as exc:
                fail("CreateTopics with %d partitions: expected INVALID_PARTITIONS (37), got %r"
                     % (count, exc))
            else:
                fail("CreateTopics with %d partitions succeeded; expected INVALID_PARTITIONS (37)" % count)
    finally:
        admin.close()


def test_create_partitions(broker):
    admin = admin_for(broker)
    producer = producer_for(broker)
    consumer = consumer_for(broker)
    try:
        topic = unique_topic("kpy-grow")
        create(admin, topic, partitions=2)
        admin.create_partitions({topic: NewPartitions(total_count=4)}, timeout_ms=TIMEOUT_MS)
        t = admin.describe_topics([topic])[0]
        check_eq(sorted(p["partition"] for p in t["partitions"]), [0, 1, 2, 3], "partitions after growth")
        try:
            admin.create_partitions({topic: NewPartitions(total_count=3)}, timeout_ms=TIMEOUT_MS)
        except Errors.InvalidPartitionsError:
            pass
        else:
            fail("shrinking %s to 3 partitions succeeded; expected INVALID_PARTITIONS (37)" % topic)
        md = producer.send(topic, value=b"in-new-partition", partition=3).get(timeout=10)
        check_eq((md.partition, md.offset), (3, 0), "partition/offset of a send to the new partition")
        recs = read_partition(consumer, TopicPartition(topic, 3), 1)
        check_eq(recs[0].value, b"in-new-partition", "value read from the new partition")
    finally:
        consumer.close()
        producer.close()
        admin.close()


def test_delete_topics(broker):
    admin = admin_for(broker)
    try:
        topic = unique_topic("kpy-del")
        keep = unique_topic("kpy-keep")
        create(admin, topic, partitions=2)
        create(admin, keep, partitions=1)
        admin.delete_topics([topic], timeout_ms=TIMEOUT_MS)
        wait_until(lambda: topic not in admin.list_topics(), 5, "%s to leave list_topics" % topic)
        check(keep in admin.list_topics(), "deleting %s also removed %s" % (topic, keep))
        try:
            admin.delete_topics([topic], timeout_ms=TIMEOUT_MS)
        except Errors.UnknownTopicOrPartitionError:
            pass
        else:
            fail("deleting %s twice succeeded; expected UNKNOWN_TOPIC_OR_PARTITION (3)" % topic)
        # The name can be used again, and starts empty.
        create(admin, topic, partitions=1)
        consumer = consumer_for(broker)
        try:
            tp = TopicPartition(topic, 0)
            check_eq(consumer.end_offsets([tp]), {tp: 0}, "end offset of a re-created topic")
        finally:
            consumer.close()
    finally:
        admin.close()


# -- produce / consume --------------------------------------------------------

def test_produce_consume(broker):
    admin = admin_for(broker)
    producer = producer_for(broker)
    consumer = consumer_for(broker)
    try:
        topic = unique_topic("kpy-pc")
        create(admin, topic, partitions=3)
        base = int(time.time() * 1000) - 3600 * 1000
        sent = {0: [], 1: [], 2: []}
        for i in range(30):
            part = i % 3
            key = b"key-%d" % i
            value = b"value-%d-" % i + bytes(range(256))
            headers = [("idx", b"%d" % i), ("kind", b"test"), ("empty", b"")]
            ts = base + i
            md = producer.send(topic, value=value, key=key, headers=headers,
                               partition=part, timestamp_ms=ts).get(timeout=10)
            check_eq((md.topic, md.partition, md.offset), (topic, part, len(sent[part])),
                     "RecordMetadata of message %d" % i)
            check_eq(md.timestamp, ts, "RecordMetadata timestamp of message %d" % i)
            sent[part].append((key, value, headers, ts))
        # A null key and a null value (tombstone) are distinct from empty.
        md = producer.send(topic, value=None, key=b"tomb", partition=0).get(timeout=10)
        check_eq(md.offset, 10, "offset of the tombstone")
        md = producer.send(topic, value=b"no-key", key=None, partition=0).get(timeout=10)
        check_eq(md.offset, 11, "offset of the keyless record")
        for part in range(3):
            recs = read_partition(consumer, TopicPartition(topic, part), len(sent[part]) + (2 if part == 0 else 0))
            for n, (key, value, headers, ts) in enumerate(sent[part]):
                r = recs[n]
                check_eq((r.offset, r.key, r.value), (n, key, value), "%s[%d] record %d" % (topic, part, n))
                check_eq(list(r.headers), headers, "%s[%d] headers of record %d" % (topic, part, n))
                check_eq((r.timestamp, r.timestamp_type), (ts, 0), "%s[%d] CreateTime of record %d" % (topic, part, n))
            if part == 0:
                check_eq((recs[10].key, recs[10].value), (b"tomb", None), "tombstone")
                check_eq((recs[11].key, recs[11].value), (None, b"no-key"), "keyless record")
    finally:
        consumer.close()
        producer.close()
        admin.close()


def test_acks_variants(broker):
    admin = admin_for(broker)
    consumer = consumer_for(broker)
    try:
        topic = unique_topic("kpy-acks")
        create(admin, topic, partitions=1)
        offsets = []
        for acks in (1, "all"):
            producer = producer_for(broker, acks=acks)
            try:
                for i in range(3):
                    offsets.append(producer.send(topic, value=b"%s-%d" % (str(acks).encode(), i),
                                                 partition=0).get(timeout=10).offset)
            finally:
                producer.close()
        check_eq(offsets, list(range(6)), "offsets with acks=1 then acks=all")
        # acks=0: no response; the records must still arrive.
        producer = producer_for(broker, acks=0)
        try:
            for i in range(3):
                producer.send(topic, value=b"0-%d" % i, partition=0)
            producer.flush(10)
        finally:
            producer.close()
        tp = TopicPartition(topic, 0)
        wait_until(lambda: consumer.end_offsets([tp])[tp] == 9, 10, "acks=0 records to land")
        recs = read_partition(consumer, tp, 9)
        check_eq([r.value for r in recs],
                 [b"1-0", b"1-1", b"1-2", b"all-0", b"all-1", b"all-2", b"0-0", b"0-1", b"0-2"],
                 "values")
    finally:
        consumer.close()
        admin.close()


def test_batched_produce(broker):
    """Many records per batch (linger), several batches: offsets stay dense."""
    admin = admin_for(broker)
    producer = producer_for(broker, linger_ms=50, batch_size=16384, compression_type="gzip")
    consumer = consumer_for(broker)
    try:
        topic = unique_topic("kpy-batch")
        create(admin, topic, partitions=1)
        futures = [producer.send(topic, value=b"batched-%05d" % i, partition=0) for i in range(2000)]
        producer.flush(20)
        offsets = [f.get(timeout=10).offset for f in futures]
        check_eq(offsets, list(range(2000)), "offsets of 2000 batched gzip records")
        recs = read_partition(consumer, TopicPartition(topic, 0), 2000, timeout=30)
        check_eq([r.value for r in recs], [b"batched-%05d" % i for i in range(2000)], "values")
    finally:
        consumer.close()
        producer.close()
        admin.close()


def test_list_offsets(broker):
    admin = admin_for(broker)
    producer = producer_for(broker)
    consumer = consumer_for(broker)
    try:
        topic = unique_topic("kpy-offsets")
        create(admin, topic, partitions=2)
        tp0, tp1 = TopicPartition(topic, 0), TopicPartition(topic, 1)
        check_eq(consumer.beginning_offsets([tp0, tp1]), {tp0: 0, tp1: 0}, "beginning offsets (empty)")
        check_eq(consumer.end_offsets([tp0, tp1]), {tp0: 0, tp1: 0}, "end offsets (empty)")
        base = 1500000000000
        stamps = [base + 10 * i for i in range(8)]
        for i, ts in enumerate(stamps):
            producer.send(topic, value=b"v%d" % i, partition=0, timestamp_ms=ts).get(timeout=10)
        check_eq(consumer.beginning_offsets([tp0, tp1]), {tp0: 0, tp1: 0}, "beginning offsets")
        check_eq(consumer.end_offsets([tp0, tp1]), {tp0: 8, tp1: 0}, "end offsets")
        cases = [(stamps[0], 0, stamps[0]), (stamps[5], 5, stamps[5]), (stamps[5] - 3, 5, stamps[5]),
                 (0, 0, stamps[0]), (stamps[7], 7, stamps[7])]
        for ts, offset, found_ts in cases:
            got = consumer.offsets_for_times({tp0: ts})[tp0]
            check(got is not None, "offsets_for_times(%d) returned None" % ts)
            check_eq((got.offset, got.timestamp), (offset, found_ts), "offsets_for_times(%d)" % ts)
        check_eq(consumer.offsets_for_times({tp0: stamps[7] + 1}), {tp0: None},
                 "offsets_for_times after the last record")
        check_eq(consumer.offsets_for_times({tp1: 0}), {tp1: None},
                 "offsets_for_times on an empty partition")
    finally:
        consumer.close()
        producer.close()
        admin.close()


def test_broker_alive_and_clean_stop(broker):
    check(broker.alive(), "caudald is no longer running")
    broker.stop()


def body(runner):
    with Broker(overrides={"auto.create.topics.enable": "false"}, name="kafka-python") as broker:
        if runner.start(broker):
            for test in (test_create_describe_topics, test_topic_already_exists,
                         test_invalid_topic_names, test_invalid_partition_counts,
                         test_create_partitions, test_delete_topics, test_produce_consume,
                         test_acks_variants, test_batched_produce, test_list_offsets,
                         test_broker_alive_and_clean_stop):
                runner.run(test, broker)
        return runner.finish(broker)


if __name__ == "__main__":
    main(body)
