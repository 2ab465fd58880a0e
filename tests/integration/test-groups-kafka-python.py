# SPDX-License-Identifier: GPL-3.0-or-later
"""kafka-python 2.0.2 consumer groups against caudald's group coordinator:
groups of 2 and 3 members (subscribe), two groups on one topic, commit and
resume across a broker restart, and the admin group calls
(list_consumer_groups, describe_consumer_groups, list_consumer_group_offsets)
with lag computed from committed and end offsets.

kafka-python's poll() blocks in JoinGroup until every member rejoins, so
each member polls on a thread of its own.

describe_consumer_groups is capped at DescribeGroups v2 on the client side:
kafka-python 2.0.2 cannot parse v3+ responses from any broker
(docs/protocol-matrix.md gotcha 16).

Run: CAUDALD=_build/broker/caudald /usr/bin/python3 tests/integration/test-groups-kafka-python.py
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from caudald_fixture import (Broker, check, check_eq, fail, main,  # noqa: E402
                             unique_topic, wait_until)

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka.admin import NewTopic  # noqa: E402
from kafka.protocol.admin import DescribeGroupsRequest  # noqa: E402
from kafka.structs import OffsetAndMetadata  # noqa: E402

TIMEOUT_MS = 10000


def admin_for(broker):
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap, client_id="caudal-it-grp-admin",
                             request_timeout_ms=TIMEOUT_MS)
    # protocol-matrix.md gotcha 16: cap DescribeGroups at v2 for this client.
    matching = admin._matching_api_version

    def capped(operation):
        version = matching(operation)
        return min(version, 2) if operation is DescribeGroupsRequest else version
    admin._matching_api_version = capped
    return admin


def create_topic(broker, topic, partitions=2):
    admin = admin_for(broker)
    try:
        admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)],
                            timeout_ms=TIMEOUT_MS)
    finally:
        admin.close()


def produce(broker, topic, counts, tag):
    """counts: {partition: n}. Returns {partition: [values]} in order."""
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all", linger_ms=0,
                             request_timeout_ms=TIMEOUT_MS, max_block_ms=TIMEOUT_MS)
    sent = {}
    try:
        for p, n in counts.items():
            for i in range(n):
                value = ("%s-p%d-%d" % (tag, p, i)).encode()
                producer.send(topic, value=value, partition=p).get(timeout=10)
                sent.setdefault(p, []).append(value)
    finally:
        producer.close()
    return sent


def group_consumer(broker, group, name, **extra):
    conf = dict(bootstrap_servers=broker.bootstrap, group_id=group, client_id=name,
                auto_offset_reset="earliest", session_timeout_ms=6000,
                heartbeat_interval_ms=500, fetch_max_wait_ms=200,
                request_timeout_ms=TIMEOUT_MS + 1000, enable_auto_commit=True,
                auto_commit_interval_ms=500)
    conf.update(extra)
    return KafkaConsumer(**conf)


class Member(threading.Thread):
    """A KafkaConsumer subscribed to one topic, polling on its own thread."""

    def __init__(self, broker, group, topic, name):
        super().__init__(name=name, daemon=True)
        self.member_name = name
        self.consumer = group_consumer(broker, group, name)
        self.consumer.subscribe([topic])
        self.lock = threading.Lock()
        self.records = []          # (partition, offset, value, assignment at poll time)
        self.assigned = None       # sorted partition list after the last poll
        self.error = None
        self.stopping = threading.Event()
        self.start()

    def run(self):
        try:
            while not self.stopping.is_set():
                batches = self.consumer.poll(timeout_ms=200)
                assigned = sorted(tp.partition for tp in self.consumer.assignment())
                with self.lock:
                    self.assigned = assigned
                    for tp, recs in batches.items():
                        for r in recs:
                            self.records.append((tp.partition, r.offset, r.value, tuple(assigned)))
        except Exception as exc:  # reported by the test through .error
            self.error = exc
        finally:
            self.consumer.close()

    def snapshot(self):
        with self.lock:
            return self.assigned, list(self.records)

    def stop(self):
        self.stopping.set()
        self.join(timeout=20)
        check(not self.is_alive(), "%s did not close within 20s" % self.member_name)
        check(self.error is None, "%s failed: %r" % (self.member_name, self.error))


def wait_assignments(members, expected_sizes, timeout=30):
    """Wait until the members' assignments partition {0, 1} with the given
    sorted sizes; returns {name: partitions}."""
    def settled():
        got = [m.snapshot()[0] for m in members]
        for m in members:
            check(m.error is None, "%s failed: %r" % (m.member_name, m.error))
        if any(a is None for a in got):
            return None
        if sorted(p for a in got for p in a) == [0, 1] and \
                sorted(len(a) for a in got) == expected_sizes:
            return {m.member_name: a for m, a in zip(members, got)}
        return None
    try:
        return wait_until(settled, timeout, "assignment sizes %r" % (expected_sizes,))
    except AssertionError as exc:
        fail("%s; last: %r" % (exc, {m.member_name: m.snapshot()[0] for m in members}))


def check_each_member_reads_its_partitions(members, assignment, sent):
    total = sum(len(v) for v in sent.values())
    wait_until(lambda: sum(len(m.snapshot()[1]) for m in members) >= total, 30,
               "%d records across the group" % total)
    time.sleep(1.0)   # give a duplicate the chance to show up
    got = {}
    for m in members:
        _, records = m.snapshot()
        parts = sorted({p for p, _, _, _ in records})
        check_eq(parts, [p for p in assignment[m.member_name] if sent.get(p)],
                 "partitions %s received records from" % m.member_name)
        for p, o, v, _ in records:
            got.setdefault(p, []).append(v)
    for p in sorted(sent):
        check_eq(got.get(p, []), sent[p], "records of partition %d received by the group" % p)


def stop_all(members):
    errors = []
    for m in members:
        try:
            m.stop()
        except AssertionError as exc:
            errors.append(str(exc))
    check(not errors, "; ".join(errors))


# -- tests ------------------------------------------------------------------

def test_group_of_two(broker, state):
    topic = unique_topic("kpy-g2")
    create_topic(broker, topic)
    group = "g2-" + topic
    members = [Member(broker, group, topic, "kpy-g2-%d" % i) for i in range(2)]
    state["members"] += members
    assignment = wait_assignments(members, [1, 1])
    sent = produce(broker, topic, {0: 20, 1: 15}, "g2")
    check_each_member_reads_its_partitions(members, assignment, sent)
    stop_all(members)


def test_group_of_three(broker, state):
    topic = unique_topic("kpy-g3")
    create_topic(broker, topic)
    group = "g3-" + topic
    members = [Member(broker, group, topic, "kpy-g3-%d" % i) for i in range(3)]
    state["members"] += members
    assignment = wait_assignments(members, [0, 1, 1])

    # The coordinator describes the same group: Stable, three consumer
    # members, the range assignor (kafka-python's first preference), and
    # assignments matching what the members report.
    admin = admin_for(broker)
    try:
        desc = admin.describe_consumer_groups([group])
    finally:
        admin.close()
    check_eq(len(desc), 1, "describe_consumer_groups results")
    g = desc[0]
    check_eq((g.error_code, g.group, g.state, g.protocol_type, g.protocol),
             (0, group, "Stable", "consumer", "range"), "described group")
    by_client = {m.client_id: m for m in g.members}
    check_eq(sorted(by_client), sorted(assignment), "described member client ids")
    for name, parts in assignment.items():
        mem = by_client[name]
        check_eq(mem.client_host, "/127.0.0.1", "client_host of " + name)
        check(mem.member_id.startswith(name + "-"),
              "member id %r should start with the client id %r" % (mem.member_id, name))
        check_eq(list(mem.member_metadata.subscription), [topic], "subscription of " + name)
        described = sorted(tp.partition for tp in mem.member_assignment.partitions()) \
            if mem.member_assignment else []
        check_eq(described, parts, "described assignment of " + name)

    sent = produce(broker, topic, {0: 12, 1: 9}, "g3")
    check_each_member_reads_its_partitions(members, assignment, sent)
    idle = [m for m in members if not assignment[m.member_name]]
    check_eq(len(idle), 1, "members without partitions")
    check_eq(idle[0].snapshot()[1], [], "records received by the member without partitions")
    stop_all(members)


def test_two_groups_each_get_everything(broker, state):
    topic = unique_topic("kpy-2grp")
    create_topic(broker, topic)
    members = [Member(broker, "%s-%s" % (g, topic), topic, "kpy-%s" % g) for g in ("ga", "gb")]
    state["members"] += members
    for m in members:
        wait_assignments([m], [2])
    sent = produce(broker, topic, {0: 10, 1: 7}, "2grp")
    for m in members:
        wait_until(lambda: len(m.snapshot()[1]) >= 17, 30, "17 records for " + m.member_name)
    time.sleep(0.5)
    for m in members:
        records = m.snapshot()[1]
        for p in (0, 1):
            check_eq([v for q, _, v, _ in records if q == p], sent[p],
                     "partition %d records received by %s" % (p, m.member_name))
    stop_all(members)


def consume_until(consumer, count, timeout=20):
    records = []
    deadline = time.monotonic() + timeout
    while len(records) < count and time.monotonic() < deadline:
        for batch in consumer.poll(timeout_ms=300).values():
            records.extend(batch)
    return records


def test_commit_and_resume_across_restart(broker, state):
    topic = unique_topic("kpy-restart")
    create_topic(broker, topic)
    group = "gr-" + topic
    tp0, tp1 = TopicPartition(topic, 0), TopicPartition(topic, 1)
    sent = produce(broker, topic, {0: 20, 1: 20}, "before")

    c = group_consumer(broker, group, "kpy-restart-1", enable_auto_commit=False)
    try:
        c.subscribe([topic])
        got = consume_until(c, 40)
        check_eq(len(got), 40, "records read before the commit")
        c.commit({tp0: OffsetAndMetadata(12, "meta-0"), tp1: OffsetAndMetadata(7, "meta-1")})
        check_eq((c.committed(tp0), c.committed(tp1)), (12, 7), "committed() after commit")
    finally:
        c.close()

    broker.restart()

    admin = admin_for(broker)
    try:
        offsets = admin.list_consumer_group_offsets(group)
    finally:
        admin.close()
    check_eq(offsets, {tp0: OffsetAndMetadata(12, "meta-0"), tp1: OffsetAndMetadata(7, "meta-1")},
             "list_consumer_group_offsets after the restart")

    after = produce(broker, topic, {0: 3, 1: 2}, "after")
    c = group_consumer(broker, group, "kpy-restart-2", enable_auto_commit=False)
    try:
        c.subscribe([topic])
        expected = {0: sent[0][12:] + after[0], 1: sent[1][7:] + after[1]}
        got = consume_until(c, sum(len(v) for v in expected.values()))
        got += consume_until(c, 1, timeout=1.0)   # nothing more may follow
        for p in (0, 1):
            check_eq([(r.offset, r.value) for r in got if r.partition == p],
                     list(zip(range({0: 12, 1: 7}[p], 23), expected[p])),
                     "partition %d records read after the restart" % p)
    finally:
        c.close()


def test_admin_groups_offsets_and_lag(broker, state):
    topic = unique_topic("kpy-lag")
    create_topic(broker, topic)
    group = "gl-" + topic
    tp0, tp1 = TopicPartition(topic, 0), TopicPartition(topic, 1)
    produce(broker, topic, {0: 30, 1: 18}, "lag")

    c = group_consumer(broker, group, "kpy-lag-member", enable_auto_commit=False)
    admin = admin_for(broker)
    try:
        c.subscribe([topic])
        check_eq(len(consume_until(c, 48)), 48, "records read by the lag group")
        c.commit({tp0: OffsetAndMetadata(10, ""), tp1: OffsetAndMetadata(18, "")})

        listed = admin.list_consumer_groups()
        check((group, "consumer") in listed,
              "list_consumer_groups lacks (%r, 'consumer'): %r" % (group, listed))

        g = admin.describe_consumer_groups([group])[0]
        check_eq((g.error_code, g.group, g.state, g.protocol_type, g.protocol),
                 (0, group, "Stable", "consumer", "range"), "described live group")
        check_eq([m.client_id for m in g.members], ["kpy-lag-member"], "described members")
        check_eq(sorted(tp.partition for tp in g.members[0].member_assignment.partitions()),
                 [0, 1], "described assignment of the only member")

        committed = admin.list_consumer_group_offsets(group)
        check_eq(committed, {tp0: OffsetAndMetadata(10, ""), tp1: OffsetAndMetadata(18, "")},
                 "list_consumer_group_offsets")
        ends = c.end_offsets([tp0, tp1])
        check_eq(ends, {tp0: 30, tp1: 18}, "end_offsets")
        lag = {tp.partition: ends[tp] - committed[tp].offset for tp in (tp0, tp1)}
        check_eq(lag, {0: 20, 1: 0}, "lag per partition (end offset - committed offset)")
    finally:
        c.close()
        admin.close()

    admin = admin_for(broker)
    try:
        g = wait_until(lambda: [d for d in admin.describe_consumer_groups([group])
                                if d.state == "Empty"], 10, "the group to become Empty")[0]
        check_eq((g.error_code, g.state, g.members), (0, "Empty", []),
                 "described group after its member left")
        check_eq(admin.list_consumer_group_offsets(group),
                 {tp0: OffsetAndMetadata(10, ""), tp1: OffsetAndMetadata(18, "")},
                 "list_consumer_group_offsets of the empty group")
        check(group in [name for name, _ in admin.list_consumer_groups()],
              "list_consumer_groups lacks the empty group")
        unknown = admin.describe_consumer_groups(["no-such-group-" + topic])[0]
        check_eq((unknown.error_code, unknown.state, unknown.members), (0, "Dead", []),
                 "describe_consumer_groups of an unknown group")
    finally:
        admin.close()
    state["empty_group"] = group


def test_empty_group_keeps_protocol_type(broker, state):
    # Kafka keeps an Empty group's protocol type (GroupMetadata.remove does
    # not reset it), so DescribeGroups and ListGroups still say "consumer".
    group = state.get("empty_group")
    check(group, "the lag test did not leave an empty group")
    admin = admin_for(broker)
    try:
        g = admin.describe_consumer_groups([group])[0]
        check_eq((g.state, g.protocol_type), ("Empty", "consumer"),
                 "state and protocol type of the empty group (DescribeGroups)")
        listed = dict(admin.list_consumer_groups())
        check_eq(listed.get(group), "consumer", "protocol type of the empty group (ListGroups)")
    finally:
        admin.close()


def test_broker_alive_and_clean_stop(broker, state):
    check(broker.alive(), "caudald is no longer running")
    broker.stop()


def body(runner):
    state = {"members": []}
    overrides = {"group.initial.rebalance.delay.ms": "0", "group.min.session.timeout.ms": "1000",
                 "auto.create.topics.enable": "false"}
    with Broker(overrides=overrides, name="groups-kafka-python") as broker:
        try:
            if runner.start(broker):
                for test in (test_group_of_two, test_group_of_three,
                             test_two_groups_each_get_everything,
                             test_commit_and_resume_across_restart,
                             test_admin_groups_offsets_and_lag,
                             test_empty_group_keeps_protocol_type,
                             test_broker_alive_and_clean_stop):
                    runner.run(test, broker, state)
        finally:
            for m in state["members"]:
                m.stopping.set()
        return runner.finish(broker)


if __name__ == "__main__":
    main(body)
