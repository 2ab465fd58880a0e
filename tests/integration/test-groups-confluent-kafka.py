# SPDX-License-Identifier: GPL-3.0-or-later
"""confluent-kafka (librdkafka 2.0.2) consumer groups against caudald's
group coordinator: a member killed with SIGKILL loses its partitions to the
survivor after the session timeout; the group admin calls; the
cooperative-sticky assignor rebalancing incrementally.

Debian's python3-confluent-kafka is 1.7.0, whose AdminClient has only
list_groups() (ListGroups + DescribeGroups). The group admin calls of
librdkafka 2.0.2 itself (rd_kafka_ListConsumerGroups,
DescribeConsumerGroups, ListConsumerGroupOffsets, DeleteGroups: what
confluent-kafka 2.x's AdminClient wraps) are called through ctypes on the
same librdkafka.so.1 the Python binding uses.

Run: CAUDALD=_build/broker/caudald /usr/bin/python3 tests/integration/test-groups-confluent-kafka.py
"""

import ctypes
import os
import signal
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from caudald_fixture import (Broker, check, check_eq, fail, main,  # noqa: E402
                             unique_topic, wait_until)

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

SESSION_TIMEOUT_MS = 4000


def create_topic(broker, topic, partitions):
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    fut = admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
    fut[topic].result(timeout=15)


def produce(broker, topic, counts, tag):
    """counts: {partition: n}; returns {partition: [values]}."""
    producer = Producer({"bootstrap.servers": broker.bootstrap, "linger.ms": 0})
    sent = {}
    errors = []

    def on_delivery(err, msg):
        if err is not None:
            errors.append(err)
    for p, n in counts.items():
        for i in range(n):
            value = "%s-p%d-%d" % (tag, p, i)
            producer.produce(topic, value=value.encode(), partition=p, on_delivery=on_delivery)
            sent.setdefault(p, []).append(value)
    left = producer.flush(15)
    check_eq((left, errors), (0, []), "messages left unflushed / delivery errors")
    return sent


def consumer_conf(broker, group, client_id, **extra):
    conf = {"bootstrap.servers": broker.bootstrap, "group.id": group, "client.id": client_id,
            "auto.offset.reset": "earliest", "session.timeout.ms": SESSION_TIMEOUT_MS,
            "heartbeat.interval.ms": 300, "fetch.wait.max.ms": 100,
            "topic.metadata.refresh.interval.ms": 1000}
    conf.update(extra)
    return conf


class Member:
    """A Consumer polled by the test thread, recording assignments and records."""

    def __init__(self, broker, group, topic, client_id, **extra):
        self.name = client_id
        self.consumer = Consumer(consumer_conf(broker, group, client_id, **extra))
        self.events = []            # ("assign"|"revoke", [partitions], monotonic time)
        self.records = []           # (partition, offset, value)
        self.errors = []
        self.consumer.subscribe([topic], on_assign=self._on_assign, on_revoke=self._on_revoke)

    # cooperative-sticky calls both callbacks on every rebalance, often with
    # no partitions; only real changes are recorded.
    def _on_assign(self, consumer, partitions):
        if partitions:
            self.events.append(("assign", sorted(tp.partition for tp in partitions), time.monotonic()))

    def _on_revoke(self, consumer, partitions):
        if partitions:
            self.events.append(("revoke", sorted(tp.partition for tp in partitions), time.monotonic()))

    def poll(self, timeout=0.05):
        msg = self.consumer.poll(timeout)
        if msg is None:
            return
        if msg.error():
            if msg.error().code() != KafkaError._PARTITION_EOF:
                self.errors.append(msg.error())
            return
        self.records.append((msg.partition(), msg.offset(), msg.value().decode()))

    def assigned(self):
        return sorted(tp.partition for tp in self.consumer.assignment())

    def close(self):
        self.consumer.close()


def poll_until(members, predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        for m in members:
            m.poll()
            check(not m.errors, "%s consumer errors: %r" % (m.name, m.errors))
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            fail("timed out after %.0fs waiting for %s; assignments %r, record counts %r"
                 % (timeout, what, {m.name: m.assigned() for m in members},
                    {m.name: len(m.records) for m in members}))


def poll_for(members, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for m in members:
            m.poll()


# -- librdkafka 2.0.2 group admin API through ctypes -------------------------

class TopicPartitionC(ctypes.Structure):
    _fields_ = [("topic", ctypes.c_char_p), ("partition", ctypes.c_int32),
                ("offset", ctypes.c_int64), ("metadata", ctypes.c_void_p),
                ("metadata_size", ctypes.c_size_t), ("opaque", ctypes.c_void_p),
                ("err", ctypes.c_int), ("_private", ctypes.c_void_p)]


class TopicPartitionListC(ctypes.Structure):
    _fields_ = [("cnt", ctypes.c_int), ("size", ctypes.c_int),
                ("elems", ctypes.POINTER(TopicPartitionC))]


STATES = {0: "Unknown", 1: "PreparingRebalance", 2: "CompletingRebalance", 3: "Stable",
          4: "Dead", 5: "Empty"}


class RdAdmin:
    """The few librdkafka admin calls confluent-kafka 1.7.0 does not expose."""

    def __init__(self, bootstrap):
        lib = self.lib = ctypes.CDLL("librdkafka.so.1")
        vp, cp, sz = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t
        psz = ctypes.POINTER(ctypes.c_size_t)
        for name, res, args in [
                ("rd_kafka_conf_new", vp, []),
                ("rd_kafka_conf_set", ctypes.c_int, [vp, cp, cp, cp, sz]),
                ("rd_kafka_new", vp, [ctypes.c_int, vp, cp, sz]),
                ("rd_kafka_destroy", None, [vp]),
                ("rd_kafka_queue_new", vp, [vp]),
                ("rd_kafka_queue_destroy", None, [vp]),
                ("rd_kafka_queue_poll", vp, [vp, ctypes.c_int]),
                ("rd_kafka_event_destroy", None, [vp]),
                ("rd_kafka_event_error", ctypes.c_int, [vp]),
                ("rd_kafka_event_error_string", cp, [vp]),
                ("rd_kafka_error_code", ctypes.c_int, [vp]),
                ("rd_kafka_error_name", cp, [vp]),
                ("rd_kafka_err2name", cp, [ctypes.c_int]),
                ("rd_kafka_ListConsumerGroups", None, [vp, vp, vp]),
                ("rd_kafka_event_ListConsumerGroups_result", vp, [vp]),
                ("rd_kafka_ListConsumerGroups_result_valid", ctypes.POINTER(vp), [vp, psz]),
                ("rd_kafka_ListConsumerGroups_result_errors", ctypes.POINTER(vp), [vp, psz]),
                ("rd_kafka_ConsumerGroupListing_group_id", cp, [vp]),
                ("rd_kafka_ConsumerGroupListing_is_simple_consumer_group", ctypes.c_int, [vp]),
                ("rd_kafka_ConsumerGroupListing_state", ctypes.c_int, [vp]),
                ("rd_kafka_DescribeConsumerGroups", None, [vp, ctypes.POINTER(cp), sz, vp, vp]),
                ("rd_kafka_event_DescribeConsumerGroups_result", vp, [vp]),
                ("rd_kafka_DescribeConsumerGroups_result_groups", ctypes.POINTER(vp), [vp, psz]),
                ("rd_kafka_ConsumerGroupDescription_group_id", cp, [vp]),
                ("rd_kafka_ConsumerGroupDescription_error", vp, [vp]),
                ("rd_kafka_ConsumerGroupDescription_is_simple_consumer_group", ctypes.c_int, [vp]),
                ("rd_kafka_ConsumerGroupDescription_partition_assignor", cp, [vp]),
                ("rd_kafka_ConsumerGroupDescription_state", ctypes.c_int, [vp]),
                ("rd_kafka_ConsumerGroupDescription_coordinator", vp, [vp]),
                ("rd_kafka_ConsumerGroupDescription_member_count", sz, [vp]),
                ("rd_kafka_ConsumerGroupDescription_member", vp, [vp, sz]),
                ("rd_kafka_Node_id", ctypes.c_int, [vp]),
                ("rd_kafka_MemberDescription_client_id", cp, [vp]),
                ("rd_kafka_MemberDescription_consumer_id", cp, [vp]),
                ("rd_kafka_MemberDescription_host", cp, [vp]),
                ("rd_kafka_MemberDescription_assignment", vp, [vp]),
                ("rd_kafka_MemberAssignment_partitions", ctypes.POINTER(TopicPartitionListC), [vp]),
                ("rd_kafka_topic_partition_list_new", vp, [ctypes.c_int]),
                ("rd_kafka_topic_partition_list_add", vp, [vp, cp, ctypes.c_int32]),
                ("rd_kafka_topic_partition_list_destroy", None, [vp]),
                ("rd_kafka_ListConsumerGroupOffsets_new", vp, [cp, vp]),
                ("rd_kafka_ListConsumerGroupOffsets_destroy", None, [vp]),
                ("rd_kafka_ListConsumerGroupOffsets", None, [vp, ctypes.POINTER(vp), sz, vp, vp]),
                ("rd_kafka_event_ListConsumerGroupOffsets_result", vp, [vp]),
                ("rd_kafka_ListConsumerGroupOffsets_result_groups", ctypes.POINTER(vp), [vp, psz]),
                ("rd_kafka_DeleteGroup_new", vp, [cp]),
                ("rd_kafka_DeleteGroup_destroy", None, [vp]),
                ("rd_kafka_DeleteGroups", None, [vp, ctypes.POINTER(vp), sz, vp, vp]),
                ("rd_kafka_event_DeleteGroups_result", vp, [vp]),
                ("rd_kafka_DeleteGroups_result_groups", ctypes.POINTER(vp), [vp, psz]),
                ("rd_kafka_group_result_error", vp, [vp]),
                ("rd_kafka_group_result_name", cp, [vp]),
                ("rd_kafka_group_result_partitions", ctypes.POINTER(TopicPartitionListC), [vp])]:
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = res, args
        conf = lib.rd_kafka_conf_new()
        errstr = ctypes.create_string_buffer(512)
        for key, value in [("bootstrap.servers", bootstrap), ("client.id", "caudal-it-rdadmin")]:
            check_eq(lib.rd_kafka_conf_set(conf, key.encode(), value.encode(), errstr, 512), 0,
                     "rd_kafka_conf_set %s (%s)" % (key, errstr.value))
        self.rk = lib.rd_kafka_new(0, conf, errstr, 512)   # RD_KAFKA_PRODUCER
        check(self.rk, "rd_kafka_new failed: %s" % errstr.value)
        self.queue = lib.rd_kafka_queue_new(self.rk)

    def close(self):
        self.lib.rd_kafka_queue_destroy(self.queue)
        self.lib.rd_kafka_destroy(self.rk)

    def _wait(self, what):
        ev = self.lib.rd_kafka_queue_poll(self.queue, 15000)
        check(ev, "%s: no result within 15s" % what)
        err = self.lib.rd_kafka_event_error(ev)
        if err:
            msg = self.lib.rd_kafka_event_error_string(ev)
            self.lib.rd_kafka_event_destroy(ev)
            fail("%s failed: %s (%s)" % (what, self.lib.rd_kafka_err2name(err).decode(),
                                         msg.decode() if msg else ""))
        return ev

    def _error_name(self, error):
        return self.lib.rd_kafka_error_name(error).decode() if error else "NO_ERROR"

    def _partitions(self, tpl):
        if not tpl:
            return None
        return {(e.topic.decode(), e.partition): (e.offset, e.err)
                for e in (tpl.contents.elems[i] for i in range(tpl.contents.cnt))}

    def list_consumer_groups(self):
        """{group_id: (is_simple, state)}; fails on per-broker errors."""
        lib = self.lib
        lib.rd_kafka_ListConsumerGroups(self.rk, None, self.queue)
        ev = self._wait("ListConsumerGroups")
        try:
            res = lib.rd_kafka_event_ListConsumerGroups_result(ev)
            n = ctypes.c_size_t()
            errs = lib.rd_kafka_ListConsumerGroups_result_errors(res, ctypes.byref(n))
            check_eq([self._error_name(errs[i]) for i in range(n.value)], [],
                     "ListConsumerGroups errors")
            valid = lib.rd_kafka_ListConsumerGroups_result_valid(res, ctypes.byref(n))
            return {lib.rd_kafka_ConsumerGroupListing_group_id(valid[i]).decode():
                    (bool(lib.rd_kafka_ConsumerGroupListing_is_simple_consumer_group(valid[i])),
                     STATES.get(lib.rd_kafka_ConsumerGroupListing_state(valid[i])))
                    for i in range(n.value)}
        finally:
            lib.rd_kafka_event_destroy(ev)

    def describe_consumer_group(self, group):
        lib = self.lib
        names = (ctypes.c_char_p * 1)(group.encode())
        lib.rd_kafka_DescribeConsumerGroups(self.rk, names, 1, None, self.queue)
        ev = self._wait("DescribeConsumerGroups")
        try:
            res = lib.rd_kafka_event_DescribeConsumerGroups_result(ev)
            n = ctypes.c_size_t()
            groups = lib.rd_kafka_DescribeConsumerGroups_result_groups(res, ctypes.byref(n))
            check_eq(n.value, 1, "DescribeConsumerGroups results")
            d = groups[0]
            members = []
            for i in range(lib.rd_kafka_ConsumerGroupDescription_member_count(d)):
                m = lib.rd_kafka_ConsumerGroupDescription_member(d, i)
                parts = self._partitions(lib.rd_kafka_MemberAssignment_partitions(
                    lib.rd_kafka_MemberDescription_assignment(m)))
                members.append({"client_id": lib.rd_kafka_MemberDescription_client_id(m).decode(),
                                "member_id": lib.rd_kafka_MemberDescription_consumer_id(m).decode(),
                                "host": lib.rd_kafka_MemberDescription_host(m).decode(),
                                "assignment": sorted(parts or {})})
            coord = lib.rd_kafka_ConsumerGroupDescription_coordinator(d)
            assignor = lib.rd_kafka_ConsumerGroupDescription_partition_assignor(d)
            return {"group": lib.rd_kafka_ConsumerGroupDescription_group_id(d).decode(),
                    "error": self._error_name(lib.rd_kafka_ConsumerGroupDescription_error(d)),
                    "simple": bool(lib.rd_kafka_ConsumerGroupDescription_is_simple_consumer_group(d)),
                    "assignor": assignor.decode() if assignor else None,
                    "state": STATES.get(lib.rd_kafka_ConsumerGroupDescription_state(d)),
                    "coordinator": lib.rd_kafka_Node_id(coord) if coord else None,
                    "members": sorted(members, key=lambda m: m["client_id"])}
        finally:
            lib.rd_kafka_event_destroy(ev)

    def list_consumer_group_offsets(self, group, partitions=None):
        """{(topic, partition): (offset, err)} for the given [(topic,
        partition)], or (None) for every partition the group committed."""
        lib = self.lib
        tpl = None
        if partitions is not None:
            tpl = lib.rd_kafka_topic_partition_list_new(len(partitions))
            for topic, partition in partitions:
                lib.rd_kafka_topic_partition_list_add(tpl, topic.encode(), partition)
        req = lib.rd_kafka_ListConsumerGroupOffsets_new(group.encode(), tpl)
        if tpl is not None:
            lib.rd_kafka_topic_partition_list_destroy(tpl)
        arr = (ctypes.c_void_p * 1)(req)
        lib.rd_kafka_ListConsumerGroupOffsets(self.rk, arr, 1, None, self.queue)
        lib.rd_kafka_ListConsumerGroupOffsets_destroy(req)
        ev = self._wait("ListConsumerGroupOffsets")
        try:
            res = lib.rd_kafka_event_ListConsumerGroupOffsets_result(ev)
            n = ctypes.c_size_t()
            groups = lib.rd_kafka_ListConsumerGroupOffsets_result_groups(res, ctypes.byref(n))
            check_eq(n.value, 1, "ListConsumerGroupOffsets results")
            check_eq(self._error_name(lib.rd_kafka_group_result_error(groups[0])), "NO_ERROR",
                     "ListConsumerGroupOffsets group error")
            return self._partitions(lib.rd_kafka_group_result_partitions(groups[0])) or {}
        finally:
            lib.rd_kafka_event_destroy(ev)

    def delete_group(self, group):
        """The group result's error name ("NO_ERROR" on success)."""
        lib = self.lib
        req = lib.rd_kafka_DeleteGroup_new(group.encode())
        arr = (ctypes.c_void_p * 1)(req)
        lib.rd_kafka_DeleteGroups(self.rk, arr, 1, None, self.queue)
        lib.rd_kafka_DeleteGroup_destroy(req)
        ev = self._wait("DeleteGroups")
        try:
            res = lib.rd_kafka_event_DeleteGroups_result(ev)
            n = ctypes.c_size_t()
            groups = lib.rd_kafka_DeleteGroups_result_groups(res, ctypes.byref(n))
            check_eq(n.value, 1, "DeleteGroups results")
            check_eq(lib.rd_kafka_group_result_name(groups[0]).decode(), group,
                     "DeleteGroups result group name")
            return self._error_name(lib.rd_kafka_group_result_error(groups[0]))
        finally:
            lib.rd_kafka_event_destroy(ev)


def decode_assignment(data):
    """Consumer protocol assignment bytes -> sorted [(topic, partition)]."""
    if not data:
        return []
    pos = 2   # version
    (n_topics,) = struct.unpack_from(">i", data, pos)
    pos += 4
    result = []
    for _ in range(n_topics):
        (tlen,) = struct.unpack_from(">h", data, pos)
        topic = data[pos + 2:pos + 2 + tlen].decode()
        pos += 2 + tlen
        (n_parts,) = struct.unpack_from(">i", data, pos)
        pos += 4
        for _ in range(n_parts):
            result.append((topic, struct.unpack_from(">i", data, pos)[0]))
            pos += 4
    return sorted(result)


# -- the victim: a consumer in a child process, killed with SIGKILL ---------

VICTIM = r"""
import sys
from confluent_kafka import Consumer
bootstrap, group, topic, session = sys.argv[1:5]
c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "client.id": "ck-victim",
              "auto.offset.reset": "earliest", "enable.auto.commit": False,
              "session.timeout.ms": int(session), "heartbeat.interval.ms": 300,
              "fetch.wait.max.ms": 100})
def on_assign(consumer, partitions):
    print("assigned " + " ".join(str(tp.partition) for tp in partitions), flush=True)
c.subscribe([topic], on_assign=on_assign)
while True:
    msg = c.poll(0.1)
    if msg is None or msg.error():
        continue
    c.commit(message=msg, asynchronous=False)
    print("record %d %d %s" % (msg.partition(), msg.offset(), msg.value().decode()), flush=True)
"""


class Victim:
    def __init__(self, broker, group, topic):
        self.out_path = os.path.join(broker.tmp, "victim.out")
        self.out = open(self.out_path, "wb")
        self.proc = subprocess.Popen([sys.executable, "-c", VICTIM, broker.bootstrap, group, topic,
                                      str(SESSION_TIMEOUT_MS)],
                                     stdin=subprocess.DEVNULL, stdout=self.out,
                                     stderr=subprocess.STDOUT)

    def lines(self):
        with open(self.out_path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        return [l for l in text.splitlines(keepends=True) if l.endswith("\n")]

    def assigned(self):
        last = None
        for line in self.lines():
            if line.startswith("assigned"):
                last = sorted(int(x) for x in line.split()[1:])
        return last

    def records(self):
        result = []
        for line in self.lines():
            if line.startswith("record "):
                _, p, o, v = line.split()
                result.append((int(p), int(o), v))
        return result

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.out.close()


# -- tests ------------------------------------------------------------------

def test_killed_member_partitions_move_to_survivor(broker, state):
    topic = unique_topic("ck-kill")
    create_topic(broker, topic, 2)
    group = "gk-" + topic
    survivor = Member(broker, group, topic, "ck-survivor")
    state["closers"].append(survivor.close)
    poll_until([survivor], lambda: survivor.assigned() == [0, 1], 20,
               "the survivor to own both partitions alone")
    victim = Victim(broker, group, topic)
    state["closers"].append(victim.kill)
    poll_until([survivor], lambda: victim.assigned() is not None and len(victim.assigned()) == 1
               and survivor.assigned() == [p for p in (0, 1) if p not in victim.assigned()],
               30, "one partition each for the victim and the survivor")
    vp = victim.assigned()[0]
    sp = 1 - vp

    sent = produce(broker, topic, {0: 15, 1: 15}, "phase1")
    poll_until([survivor], lambda: len(victim.records()) == 15 and len(survivor.records) == 15,
               30, "15 records each for the victim and the survivor")
    check_eq(victim.records(), [(vp, i, v) for i, v in enumerate(sent[vp])],
             "records the victim consumed (and committed) on partition %d" % vp)

    victim.kill()
    killed_at = time.monotonic()
    more = produce(broker, topic, {0: 10, 1: 10}, "phase2")
    poll_until([survivor], lambda: survivor.assigned() == [0, 1], SESSION_TIMEOUT_MS / 1000 + 15,
               "the survivor to take over partition %d after the session timeout" % vp)
    moved_after = time.monotonic() - killed_at
    # The coordinator must wait for the session timeout (less the time since
    # the victim's last heartbeat, at most heartbeat.interval.ms 300).
    check(moved_after >= SESSION_TIMEOUT_MS / 1000 - 1.0,
          "partition %d moved %.1fs after SIGKILL, before the %dms session timeout"
          % (vp, moved_after, SESSION_TIMEOUT_MS))
    expected = {vp: list(enumerate(more[vp], 15)),
                sp: list(enumerate(sent[sp] + more[sp]))}
    poll_until([survivor], lambda: len(survivor.records) >= 15 + 10 + 10, 20,
               "the survivor to consume the rest")
    poll_for([survivor], 0.5)
    for p in (0, 1):
        check_eq([(o, v) for q, o, v in survivor.records if q == p], expected[p],
                 "records of partition %d consumed by the survivor" % p)
    check_eq([e[0] for e in survivor.events], ["assign", "revoke", "assign", "revoke", "assign"],
             "survivor rebalance callbacks (eager: alone, with victim, alone)")
    survivor.close()
    state["closers"].remove(survivor.close)


def test_group_admin_calls(broker, state):
    topic = unique_topic("ck-admin")
    create_topic(broker, topic, 2)
    group = "ga-" + topic
    members = [Member(broker, group, topic, "ck-admin-%s" % x) for x in "ab"]
    for m in members:
        state["closers"].append(m.close)
    poll_until(members, lambda: sorted(m.assigned() for m in members) == [[0], [1]], 30,
               "one partition each")
    sent = produce(broker, topic, {0: 6, 1: 4}, "admin")
    poll_until(members, lambda: sum(len(m.records) for m in members) >= 10, 20, "10 records")
    for m in members:
        m.consumer.commit(asynchronous=False)

    rd = RdAdmin(broker.bootstrap)
    state["closers"].append(rd.close)
    # librdkafka 2.0.2 ends its ListGroups v4 request with two empty
    # tagged-field bytes instead of one; Kafka ignores bytes after the body.
    listed = rd.list_consumer_groups()
    check_eq(listed.get(group), (False, "Stable"), "ListConsumerGroups entry (simple, state)")

    d = rd.describe_consumer_group(group)
    check_eq({k: d[k] for k in ("group", "error", "simple", "assignor", "state", "coordinator")},
             {"group": group, "error": "NO_ERROR", "simple": False, "assignor": "range",
              "state": "Stable", "coordinator": 1}, "DescribeConsumerGroups")
    check_eq([(m["client_id"], m["host"]) for m in d["members"]],
             [("ck-admin-a", "/127.0.0.1"), ("ck-admin-b", "/127.0.0.1")],
             "described members (client id, host)")
    for m, described in zip(members, d["members"]):
        check_eq(described["assignment"], [(topic, p) for p in m.assigned()],
                 "described assignment of " + m.name)

    # The 1.7.0 binding's list_groups (ListGroups + DescribeGroups).
    legacy = AdminClient({"bootstrap.servers": broker.bootstrap}).list_groups(group, timeout=10)
    check_eq([(g.id, g.state, g.protocol_type, g.protocol) for g in legacy],
             [(group, "Stable", "consumer", "range")], "AdminClient.list_groups")
    check_eq(sorted((gm.client_id, gm.client_host, tuple(decode_assignment(gm.assignment)))
                    for gm in legacy[0].members),
             [("ck-admin-a", "/127.0.0.1", tuple((topic, p) for p in members[0].assigned())),
              ("ck-admin-b", "/127.0.0.1", tuple((topic, p) for p in members[1].assigned()))],
             "list_groups members (client id, host, assignment)")

    both = [(topic, 0), (topic, 1)]
    check_eq(rd.list_consumer_group_offsets(group, both), {(topic, 0): (6, 0), (topic, 1): (4, 0)},
             "ListConsumerGroupOffsets of both partitions (offset, error)")
    # Without partitions librdkafka 2.0.2 leaves its 4-byte placeholder for
    # the (null) topics array in the OffsetFetch v7 request: the body parses
    # as "all topics" and 3 bytes follow it, which Kafka ignores.
    check_eq(rd.list_consumer_group_offsets(group), {(topic, 0): (6, 0), (topic, 1): (4, 0)},
             "ListConsumerGroupOffsets of all partitions (offset, error)")
    check_eq(rd.delete_group(group), "NON_EMPTY_GROUP", "DeleteGroups of a group with members")

    for m in members:
        m.close()
        state["closers"].remove(m.close)
    check_eq(rd.delete_group(group), "NO_ERROR", "DeleteGroups of the group once empty")
    check(group not in rd.list_consumer_groups(),
          "ListConsumerGroups still lists the deleted group")
    # -1 on the wire ("no committed offset") is RD_KAFKA_OFFSET_INVALID (-1001).
    check_eq(rd.list_consumer_group_offsets(group, both),
             {(topic, 0): (-1001, 0), (topic, 1): (-1001, 0)},
             "ListConsumerGroupOffsets of the deleted group (offset, error)")
    check_eq(rd.list_consumer_group_offsets(group), {},
             "ListConsumerGroupOffsets of all partitions of the deleted group")
    check_eq(rd.delete_group(group), "GROUP_ID_NOT_FOUND", "DeleteGroups of the deleted group")
    d = rd.describe_consumer_group(group)
    check_eq((d["error"], d["state"], d["members"]), ("NO_ERROR", "Dead", []),
             "DescribeConsumerGroups of the deleted group")
    rd.close()
    state["closers"].remove(rd.close)


def test_cooperative_sticky_incremental(broker, state):
    topic = unique_topic("ck-coop")
    create_topic(broker, topic, 4)
    group = "gc-" + topic
    coop = {"partition.assignment.strategy": "cooperative-sticky",
            "auto.commit.interval.ms": 200}
    a = Member(broker, group, topic, "ck-coop-a", **coop)
    state["closers"].append(a.close)
    poll_until([a], lambda: a.assigned() == [0, 1, 2, 3], 20, "member a to own all 4 partitions")
    sent = produce(broker, topic, {0: 5, 1: 5, 2: 5, 3: 5}, "coop1")
    poll_until([a], lambda: len(a.records) >= 20, 20, "member a to read 20 records")
    tps = [TopicPartition(topic, p) for p in range(4)]
    poll_until([a], lambda: [tp.offset for tp in a.consumer.committed(tps, timeout=5)] == [5] * 4,
               10, "member a's auto commit of offset 5 on each partition")

    b = Member(broker, group, topic, "ck-coop-b", **coop)
    state["closers"].append(b.close)
    poll_until([a, b], lambda: len(a.assigned()) == 2 and len(b.assigned()) == 2 and
               sorted(a.assigned() + b.assigned()) == [0, 1, 2, 3], 30, "two partitions each")
    poll_for([a, b], 1.0)
    # Incremental: a gave up exactly the two partitions b received, and
    # never had its whole assignment revoked.
    a_revoked = [p for kind, ps, _ in a.events if kind == "revoke" for p in ps]
    b_assigned = [p for kind, ps, _ in b.events if kind == "assign" for p in ps]
    check_eq(sorted(a_revoked), sorted(b.assigned()), "partitions revoked from member a")
    check_eq(sorted(b_assigned), b.assigned(), "partitions assigned to member b")
    check_eq([(k, ps) for k, ps, _ in a.events],
             [("assign", [0, 1, 2, 3]), ("revoke", sorted(a_revoked))],
             "member a rebalance callbacks")

    more = produce(broker, topic, {0: 7, 1: 7, 2: 7, 3: 7}, "coop2")
    poll_until([a, b], lambda: len(a.records) + len(b.records) >= 48, 20, "48 records in all")
    poll_for([a, b], 0.5)
    got = {}
    for m in (a, b):
        for p, o, v in m.records:
            got.setdefault(p, []).append((o, v))
    for p in range(4):
        check_eq(sorted(got.get(p, [])), list(enumerate(sent[p] + more[p])),
                 "records of partition %d across both members" % p)
    check_eq(sorted({p for p, o, v in b.records}), b.assigned(), "partitions b read from")
    for m in (a, b):
        m.close()
        state["closers"].remove(m.close)


def test_broker_alive_and_clean_stop(broker, state):
    check(broker.alive(), "caudald is no longer running")
    broker.stop()


def body(runner):
    state = {"closers": []}
    overrides = {"group.initial.rebalance.delay.ms": "0", "group.min.session.timeout.ms": "1000",
                 "auto.create.topics.enable": "false"}
    with Broker(overrides=overrides, name="groups-confluent-kafka") as broker:
        try:
            if runner.start(broker):
                for test in (test_killed_member_partitions_move_to_survivor,
                             test_group_admin_calls,
                             test_cooperative_sticky_incremental,
                             test_broker_alive_and_clean_stop):
                    runner.run(test, broker, state)
        finally:
            for close in reversed(state["closers"]):
                try:
                    close()
                except Exception:
                    pass
        return runner.finish(broker)


if __name__ == "__main__":
    main(body)
