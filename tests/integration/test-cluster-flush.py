#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Followers honour the topic's flush policy before they count (issue 9;
replication-notes.md rule 8; docs/cluster.md, "Durability rule").

Three caudald; a topic with RF=3 and flush.messages=1 (every append must
be durable before it counts). Fifty values are produced one at a time
with acks=all. A follower reports its log end to the leader in its next
fetch, and sends that fetch only after flushing what the policy asked
for; so once the last value is acknowledged every replica has flushed
it: each broker's recovery point (recovery-point-offset-checkpoint,
written every log.retention.check.interval.ms) reaches 50. Without the
flush, a follower's recovery point would stay at 0 until it stopped.
A topic with the default policy is replicated and acknowledged the same,
with no flush asked of anyone.
"""

import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from confluent_kafka import Producer  # noqa: E402

from caudald_fixture import check, check_eq, fail, main  # noqa: E402
from cluster_campaign import create_topic  # noqa: E402
from cluster_fixture import Cluster, wait_for  # noqa: E402

N = 50


def produce_one_by_one(cluster, topic):
    p = Producer({"bootstrap.servers": cluster.bootstrap(), "acks": "all",
                  "enable.idempotence": True, "linger.ms": 0})
    errors = []
    for i in range(N):
        p.produce(topic, b"v%d" % i, partition=0,
                  on_delivery=lambda e, m: errors.append(e) if e else None)
        check_eq(p.flush(20), 0, "value %d unsent after 20 s" % i)
    check(not errors, "delivery errors: %s" % errors[:3])


def recovery_point(broker, topic):
    path = os.path.join(broker.data_dir, "recovery-point-offset-checkpoint")
    if not os.path.exists(path):
        return None
    for line in open(path).read().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == topic and parts[1] == "0":
            return int(parts[2])
    return None


def body(runner):
    cluster = Cluster(3, overrides={
        "min.insync.replicas": "2", "replica.fetch.wait.max.ms": "100",
        "log.retention.check.interval.ms": "300"})
    flushed = "flush-%s" % uuid.uuid4().hex[:8]
    plain = "plain-%s" % uuid.uuid4().hex[:8]
    try:
        def start():
            cluster.start()
            create_topic(cluster.bootstrap(), flushed, 1, 3, {"flush.messages": "1"})
            create_topic(cluster.bootstrap(), plain, 1, 3, {})
            cluster.wait_topic_healthy(flushed, 1, 3, timeout=30)
            cluster.wait_topic_healthy(plain, 1, 3, timeout=30)

        def every_replica_flushed_what_it_acknowledged():
            produce_one_by_one(cluster, flushed)
            leader = cluster.partition(flushed, 0)["leader"]
            for i, b in sorted(cluster.brokers.items()):
                role = "leader" if i == leader else "follower"
                got = wait_for(lambda: (lambda r: r if r is not None and r >= N else None)(
                    recovery_point(b, flushed)), 10,
                    "broker %d's (%s) recovery point of %s-0 to reach %d (it is %s)"
                    % (i, role, flushed, N, recovery_point(b, flushed)))
                print("# broker %d (%s): recovery point %d" % (i, role, got))

        def default_policy_needs_no_flush():
            produce_one_by_one(cluster, plain)
            leader = cluster.partition(plain, 0)["leader"]
            for i, b in sorted(cluster.brokers.items()):
                # Written by the same checkpoint pass; nothing flushed it.
                wait_for(lambda: recovery_point(b, plain) is not None, 10,
                         "broker %d's checkpoint to list %s-0" % (i, plain))
                print("# broker %d (%s): recovery point of the plain topic %d"
                      % (i, "leader" if i == leader else "follower", recovery_point(b, plain)))
            check_eq([recovery_point(b, plain) for _, b in sorted(cluster.brokers.items())], [0, 0, 0],
                     "recovery points of the topic without a flush policy")

        for test in (start, every_replica_flushed_what_it_acknowledged, default_policy_needs_no_flush):
            if runner.failed:
                def not_run():
                    fail("not run: %s failed" % runner.failed[0])
                not_run.__name__ = test.__name__
                test = not_run
            runner.run(test)
        return runner.finish(*cluster.brokers.values())
    finally:
        cluster.close()


if __name__ == "__main__":
    main(body)
