#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A paused leader does not serve from its stale log when it resumes
(docs/cluster.md, "Fencing stale leaders"); deterministic.

Three caudald (zookeeper.session.timeout.ms=4000), an RF=3 topic with one
partition. Its leader L is stopped (SIGSTOP) past its session; another
replica takes over and more records are written there, so L's log is
now shorter than the partition's high watermark. While L is still
stopped, a consumer's Fetch (v4: no leader epoch, as older clients send)
at that high watermark and a ListOffsets for the latest offset are
written to a connection already open to L: the kernel keeps them until
L runs again. Then SIGCONT. L's loop wakes with the requests and its
ZooKeeper source ready at once; the stall is noticed first, so both are
refused with NOT_LEADER_OR_FOLLOWER. A leader that trusted its old view
would answer OFFSET_OUT_OF_RANGE and its shorter log end — a consumer
reset to the start (the bug the fault campaign found). Afterwards L
rejoins the ISR as a follower.
"""

import os
import socket
import struct
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from confluent_kafka import Producer  # noqa: E402

from caudald_fixture import check, check_eq, fail, main  # noqa: E402
from cluster_campaign import create_topic  # noqa: E402
from cluster_fixture import Cluster, _Reader, _recv_exact, list_offsets_latest, wait_for  # noqa: E402

SESSION_MS = 4000
NOT_LEADER_OR_FOLLOWER = 6
OFFSET_OUT_OF_RANGE = 1
CLIENT_ID = b"caudal-it"


def frame(api_key, version, correlation, payload):
    body = struct.pack(">hhih", api_key, version, correlation, len(CLIENT_ID)) + CLIENT_ID + payload
    return struct.pack(">i", len(body)) + body


def fetch_v4(topic, partition, offset):
    name = topic.encode()
    return frame(1, 4, 41, struct.pack(">iiiib", -1, 0, 0, 1 << 20, 0)
                 + struct.pack(">ih", 1, len(name)) + name
                 + struct.pack(">iiqi", 1, partition, offset, 1 << 20))


def list_offsets_v1(topic, partition):
    name = topic.encode()
    return frame(2, 1, 42, struct.pack(">iih", -1, 1, len(name)) + name
                 + struct.pack(">iiq", 1, partition, -1))


def offset_for_leader_epoch(broker, topic, partition, epoch, current=-1, version=4):
    """OffsetForLeaderEpoch v2 (replica id -2 implied) or v4 (consumer,
    replica id -1): (error, leader_epoch, end_offset)."""
    name = topic.encode()
    if version == 4:
        # Flexible: compact strings and arrays (length + 1), tag buffers.
        body = struct.pack(">hhi", 23, 4, 43) + struct.pack(">h", len(CLIENT_ID)) + CLIENT_ID + b"\x00"
        body += struct.pack(">i", -1) + b"\x02" + bytes([len(name) + 1]) + name + b"\x02"
        body += struct.pack(">iii", partition, current, epoch) + b"\x00\x00\x00"
    else:
        body = struct.pack(">hhih", 23, 2, 43, len(CLIENT_ID)) + CLIENT_ID
        body += struct.pack(">ih", 1, len(name)) + name + struct.pack(">iiii", 1, partition, current, epoch)
    with socket.create_connection((broker.host, broker.port), timeout=10) as sock:
        sock.sendall(struct.pack(">i", len(body)) + body)
        r = read_response(sock)
    check_eq(r.take(">i"), 43, "OffsetForLeaderEpoch correlation id")
    if version == 4:
        r.take(">b")                               # response header tag buffer
    r.take(">i")                                   # throttle
    if version == 4:
        check_eq(r.take(">b"), 2, "topics (compact count)")
        n = r.take(">b")                           # compact string: length + 1
        r.pos += n - 1
        check_eq(r.take(">b"), 2, "partitions (compact count)")
    else:
        check_eq(r.take(">i"), 1, "topics")
        r.string()
        check_eq(r.take(">i"), 1, "partitions")
    error = r.take(">h")
    r.take(">i")
    return error, r.take(">i"), r.take(">q")


def read_response(sock):
    size = struct.unpack(">i", _recv_exact(sock, 4))[0]
    return _Reader(_recv_exact(sock, size))


def fetch_v4_answer(r):
    """(error, high watermark) of the one partition in a Fetch v4 answer."""
    check_eq(r.take(">i"), 41, "Fetch correlation id")
    r.take(">i")                                   # throttle
    check_eq(r.take(">i"), 1, "Fetch topics")
    r.string()
    check_eq(r.take(">i"), 1, "Fetch partitions")
    r.take(">i")
    error = r.take(">h")
    hw = r.take(">q")
    return error, hw


def list_offsets_v1_answer(r):
    """(error, offset) of the one partition in a ListOffsets v1 answer."""
    check_eq(r.take(">i"), 42, "ListOffsets correlation id")
    check_eq(r.take(">i"), 1, "ListOffsets topics")
    r.string()
    check_eq(r.take(">i"), 1, "ListOffsets partitions")
    r.take(">i")
    error = r.take(">h")
    r.take(">q")                                   # timestamp
    return error, r.take(">q")


def produce(cluster, topic, n, tag):
    p = Producer({"bootstrap.servers": cluster.bootstrap(), "acks": "all",
                  "enable.idempotence": True, "message.timeout.ms": 30000})
    errors = []
    for i in range(n):
        p.produce(topic, b"%s-%d" % (tag.encode(), i), partition=0,
                  on_delivery=lambda e, m: errors.append(e) if e else None)
    left = p.flush(40)
    check(left == 0 and not errors, "produce %s: %d unsent, errors %s" % (tag, left, errors[:3]))


def body(runner):
    cluster = Cluster(3, session_ms=SESSION_MS, overrides={
        "min.insync.replicas": "2", "replica.lag.time.max.ms": "3000",
        "replica.fetch.wait.max.ms": "100", "auto.leader.rebalance.enable": "false",
        "unclean.leader.election.enable": "false"})
    topic = "fence-%s" % uuid.uuid4().hex[:8]
    state = {}
    try:
        def start_and_write():
            cluster.start()
            create_topic(cluster.bootstrap(), topic, 1, 3, {"min.insync.replicas": "2"})
            cluster.wait_topic_healthy(topic, 1, 3, timeout=30)
            produce(cluster, topic, 10, "before")

        def paused_leader_refuses_after_resume():
            old = cluster.partition(topic, 0)
            leader = old["leader"]
            lb = cluster.broker(leader)
            sock = socket.create_connection((lb.host, lb.port), timeout=30)
            state["sock"] = sock
            cluster.pause(leader)
            try:
                new = cluster.wait_leader_not(topic, 0, leader, timeout=SESSION_MS / 1000.0 + 20)
                produce(cluster, topic, 20, "after")
                nb = cluster.broker(new["leader"])
                hw = wait_for(lambda: (lambda r: r[1] if r[0] == 0 and r[1] >= 30 else None)(
                    list_offsets_latest(nb.host, nb.port, topic, [0])[0]), 20,
                    "the new leader's high watermark to reach 30")
                print("# leader %d paused; broker %d leads at epoch %d, high watermark %d"
                      % (leader, new["leader"], new["leader_epoch"], hw))
                sock.sendall(fetch_v4(topic, 0, hw) + list_offsets_v1(topic, 0))
            finally:
                cluster.resume(leader)
            fetch_error, fetch_hw = fetch_v4_answer(read_response(sock))
            lo_error, lo_offset = list_offsets_v1_answer(read_response(sock))
            sock.close()
            print("# after SIGCONT: Fetch error %d (hw %d), ListOffsets error %d (offset %d)"
                  % (fetch_error, fetch_hw, lo_error, lo_offset))
            check(fetch_error != OFFSET_OUT_OF_RANGE,
                  "the resumed stale leader answered OFFSET_OUT_OF_RANGE at offset %d "
                  "(it served from its own shorter log)" % hw)
            check_eq(fetch_error, NOT_LEADER_OR_FOLLOWER, "Fetch error from the resumed old leader")
            check_eq(lo_error, NOT_LEADER_OR_FOLLOWER, "ListOffsets error from the resumed old leader")
            state["old"] = leader

        def resumed_broker_rejoins_as_follower():
            leader = state["old"]
            info = wait_for(lambda: (lambda i: i if i and leader in i["isr"] and i["leader"] != leader
                                     else None)(cluster.partition(topic, 0)), 40,
                            "broker %d back in the ISR of %s-0 as a follower" % (leader, topic))
            lb = cluster.broker(leader)
            error, _ = list_offsets_latest(lb.host, lb.port, topic, [0])[0]
            check_eq(error, NOT_LEADER_OR_FOLLOWER, "ListOffsets from the follower (ISR %s)" % info["isr"])

        def offset_for_leader_epoch_answers():
            # Epoch 0 (the paused leader's) ended at offset 10, where the
            # new leader's epoch began; Kafka's rules for the rest.
            info = cluster.partition(topic, 0)
            nb = cluster.broker(info["leader"])
            epoch = cluster.partitions_v7(topic)[0]["leader_epoch"]
            check(epoch >= 1, "leader epoch after the failover: %d" % epoch)
            end = list_offsets_latest(nb.host, nb.port, topic, [0])[0][1]
            check_eq(offset_for_leader_epoch(nb, topic, 0, 0, current=epoch), (0, 0, 10),
                     "epoch 0 at the new leader")
            check_eq(offset_for_leader_epoch(nb, topic, 0, epoch, current=epoch), (0, epoch, end),
                     "the current epoch at the new leader")
            check_eq(offset_for_leader_epoch(nb, topic, 0, epoch + 1), (0, -1, -1),
                     "an epoch past the current one")
            check_eq(offset_for_leader_epoch(nb, topic, 0, 0, current=epoch - 1)[0], 74,
                     "a stale current_leader_epoch (FENCED_LEADER_EPOCH)")
            check_eq(offset_for_leader_epoch(nb, topic, 0, 0, current=epoch + 1)[0], 75,
                     "a newer current_leader_epoch (UNKNOWN_LEADER_EPOCH)")
            fb = cluster.broker(state["old"])
            check_eq(offset_for_leader_epoch(fb, topic, 0, 0)[0], NOT_LEADER_OR_FOLLOWER,
                     "a consumer's OffsetForLeaderEpoch at a follower")
            # v2 carries no replica id: -2 (debugging), which any replica answers.
            check_eq(offset_for_leader_epoch(fb, topic, 0, 0, version=2), (0, 0, 10),
                     "OffsetForLeaderEpoch v2 at the follower (replica id -2)")

        for test in (start_and_write, paused_leader_refuses_after_resume,
                     resumed_broker_rejoins_as_follower, offset_for_leader_epoch_answers):
            if runner.failed:
                # Each step needs the one before: later ones fail unrun.
                def not_run():
                    fail("not run: %s failed" % runner.failed[0])
                not_run.__name__ = test.__name__
                test = not_run
            runner.run(test)
        return runner.finish(*cluster.brokers.values())
    finally:
        if "sock" in state:
            state["sock"].close()
        cluster.close()


if __name__ == "__main__":
    main(body)
