#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Consumer-group coordinators fail over with __consumer_offsets (issue 9).

ZooKeeper and three caudald (zookeeper.session.timeout.ms=4000,
offsets.topic.num.partitions=10, offsets.topic.replication.factor=3).
The first FindCoordinator creates __consumer_offsets with RF 3 and is
answered COORDINATOR_NOT_AVAILABLE until the group's partition has a
leader; then every broker names that leader. The other brokers answer a
hand-built JoinGroup and Heartbeat with NOT_COORDINATOR, the coordinator
does not. A confluent_kafka consumer of group G reads part of an RF 3
topic, committing each message synchronously (acknowledged only once
replicated). kill -9 of the coordinator: a survivor becomes coordinator,
`caudal consumer-groups --describe` from a survivor shows exactly the
committed offsets, and a new consumer of G resumes from them: nothing
below a committed offset comes again and nothing is lost.
"""

import os
import re
import socket
import struct
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from confluent_kafka import Consumer, Producer, TopicPartition  # noqa: E402

from caudald_fixture import check, check_eq, fail, main, run  # noqa: E402
from cluster_campaign import create_topic  # noqa: E402
from cluster_fixture import Cluster, _Reader, _recv_exact, wait_for  # noqa: E402

SESSION_MS = 4000
PARTITIONS = 3
OFFSETS_PARTITIONS = 10
N_MESSAGES = 90
N_FIRST = 40
FAILOVER_TIMEOUT = SESSION_MS / 1000.0 + 25.0
CAUDAL = os.environ.get("CAUDAL_CLI")

NONE = 0
COORDINATOR_NOT_AVAILABLE = 15
NOT_COORDINATOR = 16


def java_hash(s):
    """Java's String.hashCode, as a signed int32 (UTF-16 code units)."""
    h = 0
    data = s.encode("utf-16-be")
    for i in range(0, len(data), 2):
        h = (31 * h + ((data[i] << 8) | data[i + 1])) & 0xFFFFFFFF
    return h


def partition_for(group, n):
    """Kafka's GroupMetadataManager.partitionFor: Utils.abs(hash) % n."""
    return (java_hash(group) & 0x7FFFFFFF) % n


# -- hand-built requests (non-flexible versions) ------------------------------

def _string(s):
    b = s.encode()
    return struct.pack(">h", len(b)) + b


def _request(broker, api_key, version, payload, timeout=10.0):
    """Send one request to `broker`; return a _Reader after the correlation id."""
    body = struct.pack(">hhi", api_key, version, 7) + _string("caudal-it") + payload
    with socket.create_connection((broker.host, broker.port), timeout=timeout) as s:
        s.sendall(struct.pack(">i", len(body)) + body)
        size = struct.unpack(">i", _recv_exact(s, 4))[0]
        r = _Reader(_recv_exact(s, size))
    check(r.take(">i") == 7, "api %d: wrong correlation id" % api_key)
    return r


def find_coordinator(broker, group):
    """FindCoordinator v1 (key_type group): (error, node_id)."""
    r = _request(broker, 10, 1, _string(group) + struct.pack(">b", 0))
    r.take(">i")                                        # throttle_time_ms
    error = r.take(">h")
    r.string()                                          # error_message
    node = r.take(">i")
    return error, node


def join_group_v0(broker, group):
    """JoinGroup v0 of a new member with one (empty) "range" protocol:
    the error code."""
    payload = (_string(group) + struct.pack(">i", 10000) + _string("") + _string("consumer")
               + struct.pack(">i", 1) + _string("range") + struct.pack(">i", 0))
    return _request(broker, 11, 0, payload, timeout=20.0).take(">h")


def heartbeat_v0(broker, group):
    """Heartbeat v0 of a member that does not exist: the error code."""
    payload = _string(group) + struct.pack(">i", 1) + _string("nobody")
    return _request(broker, 12, 0, payload).take(">h")


# -- the test -----------------------------------------------------------------

def body(runner):
    cluster = Cluster(3, session_ms=SESSION_MS, overrides={
        "default.replication.factor": "3", "min.insync.replicas": "2",
        "offsets.topic.num.partitions": str(OFFSETS_PARTITIONS),
        "offsets.topic.replication.factor": "3",
        "group.initial.rebalance.delay.ms": "0",
        "replica.lag.time.max.ms": "3000", "replica.fetch.wait.max.ms": "100",
        "auto.leader.rebalance.enable": "false"})
    topic = "groups-%s" % uuid.uuid4().hex[:8]
    group = "g-%s" % uuid.uuid4().hex[:8]
    state = {}
    try:
        def start_cluster():
            cluster.start()
        runner.run(start_cluster)
        if len(cluster.alive_ids()) != 3:
            return runner.finish(*cluster.brokers.values())

        def create_rf3_topic_and_produce():
            create_topic(cluster.bootstrap(), topic, PARTITIONS, 3, {})
            cluster.wait_topic_healthy(topic, PARTITIONS, 3, timeout=30)
            p = Producer({"bootstrap.servers": cluster.bootstrap(), "acks": "all"})
            for i in range(N_MESSAGES):
                p.produce(topic, b"m-%d" % i, partition=i % PARTITIONS)
            check_eq(p.flush(30), 0, "delivery reports outstanding")

        def find_coordinator_creates_offsets_topic():
            first = find_coordinator(cluster.broker(1), group)
            print("# first FindCoordinator: %s" % (first,))
            check(first[0] in (NONE, COORDINATOR_NOT_AVAILABLE),
                  "first FindCoordinator: %s" % (first,))
            p = partition_for(group, OFFSETS_PARTITIONS)
            view = cluster.wait_topic_healthy("__consumer_offsets", OFFSETS_PARTITIONS, 3,
                                              timeout=60)
            leader = view[p]["leader"]
            # Every broker names the leader of the group's partition.
            for i in cluster.alive_ids():
                got = wait_for(lambda i=i: (lambda a: a if a[0] == NONE else None)(
                    find_coordinator(cluster.broker(i), group)), 30,
                    "FindCoordinator from broker %d" % i)
                check_eq(got, (NONE, leader), "FindCoordinator from broker %d" % i)
            state["coordinator"] = leader
            print("# group %s: __consumer_offsets-%d, coordinator %d" % (group, p, leader))

        def non_coordinators_answer_not_coordinator():
            coord = state["coordinator"]
            for i in cluster.alive_ids():
                hb = heartbeat_v0(cluster.broker(i), group)
                if i == coord:
                    check(hb != NOT_COORDINATOR, "the coordinator answered NOT_COORDINATOR")
                    continue
                check_eq(hb, NOT_COORDINATOR, "Heartbeat from broker %d" % i)
                check_eq(join_group_v0(cluster.broker(i), group), NOT_COORDINATOR,
                         "JoinGroup from broker %d" % i)

        def consume_and_commit_synchronously():
            c = Consumer({"bootstrap.servers": cluster.bootstrap(), "group.id": group,
                          "enable.auto.commit": False, "auto.offset.reset": "earliest",
                          "session.timeout.ms": 6000})
            c.subscribe([topic])
            got = []
            deadline = time.monotonic() + 60
            while len(got) < N_FIRST:
                check(time.monotonic() < deadline, "consumed %d of %d" % (len(got), N_FIRST))
                msg = c.poll(0.5)
                if msg is None or msg.error():
                    continue
                got.append((msg.partition(), msg.offset(), msg.value()))
                # Returns only once the commit is replicated (or raises).
                c.commit(message=msg, asynchronous=False)
            committed = c.committed([TopicPartition(topic, p) for p in range(PARTITIONS)],
                                    timeout=10)
            c.close()
            state["first"] = got
            state["committed"] = {tp.partition: tp.offset for tp in committed if tp.offset >= 0}
            for p in range(PARTITIONS):
                mine = [o for (q, o, _) in got if q == p]
                if mine:
                    check_eq(state["committed"].get(p), max(mine) + 1,
                             "committed offset of partition %d" % p)
            print("# committed: %s" % state["committed"])

        def kill9_coordinator_moves_group():
            old = state["coordinator"]
            cluster.kill9(old)

            def moved():
                answers = [find_coordinator(cluster.broker(i), group) for i in cluster.alive_ids()]
                nodes = {a[1] for a in answers}
                if all(a[0] == NONE for a in answers) and len(nodes) == 1 \
                        and nodes <= set(cluster.alive_ids()):
                    return nodes.pop()
                return None
            state["coordinator"] = wait_for(moved, FAILOVER_TIMEOUT,
                                            "a live coordinator other than %d" % old)
            print("# new coordinator: %d" % state["coordinator"])

        def describe_from_survivor_shows_committed():
            check(CAUDAL and os.access(CAUDAL, os.X_OK), "CAUDAL_CLI is not set")
            out = run([CAUDAL, "consumer-groups", "--bootstrap-server",
                       cluster.bootstrap(), "--describe", "--group", group],
                      timeout=60).stdout
            rows = {}
            for line in out.splitlines():
                f = line.split()
                if len(f) >= 4 and f[0] == group and f[1] == topic and re.match(r"^\d+$", f[3]):
                    rows[int(f[2])] = int(f[3])
            check_eq(rows, state["committed"], "CURRENT-OFFSET by partition:\n%s" % out)

        def new_consumer_resumes_from_committed():
            committed = state["committed"]
            c = Consumer({"bootstrap.servers": cluster.bootstrap(), "group.id": group,
                          "enable.auto.commit": False, "auto.offset.reset": "earliest"})
            c.subscribe([topic])
            got = []
            deadline = time.monotonic() + 60
            while len(state["first"]) + len(got) < N_MESSAGES:
                if time.monotonic() > deadline:
                    fail("after failover got %d, expected %d" % (
                        len(got), N_MESSAGES - len(state["first"])))
                msg = c.poll(0.5)
                if msg is None or msg.error():
                    continue
                got.append((msg.partition(), msg.offset(), msg.value()))
            # A little longer: anything more would be a redelivery.
            end = time.monotonic() + 2
            while time.monotonic() < end:
                msg = c.poll(0.2)
                if msg is not None and not msg.error():
                    got.append((msg.partition(), msg.offset(), msg.value()))
            c.close()
            per_partition = N_MESSAGES // PARTITIONS
            for p in range(PARTITIONS):
                offsets = sorted(o for (q, o, _) in got if q == p)
                start = committed.get(p, 0)
                # Exactly the offsets from the committed one to the end.
                check_eq(offsets, list(range(start, per_partition)),
                         "offsets of partition %d after failover" % p)
            values = sorted(v for (_, _, v) in state["first"] + got)
            check_eq(values, sorted(b"m-%d" % i for i in range(N_MESSAGES)),
                     "every message exactly once across the failover")

        steps = (create_rf3_topic_and_produce, find_coordinator_creates_offsets_topic,
                 non_coordinators_answer_not_coordinator, consume_and_commit_synchronously,
                 kill9_coordinator_moves_group, describe_from_survivor_shows_committed,
                 new_consumer_resumes_from_committed)
        for step in steps:
            if runner.failed:
                # Each step needs the ones before: report the rest as not run.
                def skipped():
                    fail("not run: an earlier step failed")
                skipped.__name__ = step.__name__
                runner.run(skipped)
                continue
            runner.run(step)
        return runner.finish(*cluster.brokers.values())
    finally:
        cluster.close()


if __name__ == "__main__":
    main(body)
