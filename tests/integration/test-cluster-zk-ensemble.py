#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A 3-broker cluster on a 3-node ZooKeeper ensemble (issue 9).

The brokers connect with the ensemble's three addresses. An RF=3 topic
takes acks=all writes; kill -9 of the ZooKeeper *leader*: the ensemble
elects another, every broker's client moves to a live server within its
session (no broker loses its registration, no partition changes leader),
and acks=all writes go on. Then kill -9 of a partition leader with only
two ZooKeeper servers left: the controller still elects a new leader
from the ISR. Every acknowledged value is read back at its offset
(campaign_checker.py); the killed ZooKeeper server rejoins.
"""

import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import campaign_checker  # noqa: E402
from caudald_fixture import check, check_eq, main  # noqa: E402
from cluster_campaign import History, RecordingProducer, create_topic, final_read  # noqa: E402
from cluster_fixture import Cluster, wait_for  # noqa: E402

SESSION_MS = 6000
PARTITIONS = 3
RF = 3


def body(runner):
    cluster = Cluster(3, zk="ensemble", session_ms=SESSION_MS, overrides={
        "min.insync.replicas": "2", "replica.lag.time.max.ms": "3000",
        "replica.fetch.wait.max.ms": "100", "auto.leader.rebalance.enable": "false"})
    topic = "ensemble-%s" % uuid.uuid4().hex[:8]
    history = History()
    state = {}
    try:
        def start_cluster_on_ensemble():
            cluster.start()
            check_eq(cluster.zk.connect_string.count(","), 2, "servers in zookeeper.connect")

        runner.run(start_cluster_on_ensemble)
        if len(cluster.alive_ids()) != 3:
            return runner.finish(*cluster.brokers.values())

        def acks_all_on_rf3_topic():
            create_topic(cluster.bootstrap(), topic, PARTITIONS, RF, {})
            state["before"] = cluster.wait_topic_healthy(topic, PARTITIONS, RF, timeout=30)
            state["producer"] = RecordingProducer("p0", cluster.bootstrap(), history,
                                                  idempotent=True)
            for _ in range(200):
                state["producer"].send(topic)
            check_eq(state["producer"].flush(30), 0, "delivery reports outstanding")

        def zookeeper_leader_killed_brokers_ride_it_out():
            zk_leader = cluster.zk.leader()
            check(zk_leader is not None, "no ZooKeeper leader: %s" % cluster.zk.modes())
            cluster.zk.kill(zk_leader)
            state["zk_killed"] = zk_leader
            # The two others elect a leader among themselves.
            wait_for(lambda: cluster.zk.leader() not in (None, zk_leader), 30,
                     "a new ZooKeeper leader")
            # Writes keep being acknowledged through the ZooKeeper failover.
            mark = len(history.snapshot())
            for _ in range(100):
                state["producer"].send(topic)
            check_eq(state["producer"].flush(30), 0, "delivery reports outstanding")
            ok = [op for op in history.snapshot()[mark:] if op["type"] == "ok"]
            check_eq(len(ok), 100, "acknowledged sends after the ZooKeeper leader died")
            # No broker lost its session: all three stay registered and no
            # partition moved.
            view = cluster.wait_topic_healthy(topic, PARTITIONS, RF, timeout=30)
            for p, info in view.items():
                check_eq(info["leader"], state["before"][p]["leader"], "leader of partition %d" % p)

        def partition_leader_killed_with_two_zookeepers():
            old = cluster.partition(topic, 0)["leader"]
            cluster.kill9(old)
            after = cluster.wait_leader_not(topic, 0, old, timeout=SESSION_MS / 1000.0 + 20)
            check(after["leader"] != old, "partition 0 still led by the dead broker")
            mark = len(history.snapshot())
            for _ in range(100):
                state["producer"].send(topic)
            check_eq(state["producer"].flush(30), 0, "delivery reports outstanding")
            ok = [op for op in history.snapshot()[mark:] if op["type"] == "ok"]
            check(len(ok) >= 90, "only %d of 100 sends acknowledged after the failover" % len(ok))
            cluster.restart(old)
            cluster.wait_topic_healthy(topic, PARTITIONS, RF, timeout=60)

        def every_acked_value_read_back():
            final, _ = final_read(cluster.bootstrap(), topic, PARTITIONS)
            report = campaign_checker.check(history.snapshot(), final)
            for line in campaign_checker.summary(report):
                print("# " + line)
            check(report["valid"], "checker found anomalies (see above)")

        def killed_zookeeper_rejoins():
            cluster.zk.restart(state["zk_killed"])
            modes = cluster.zk.modes()
            check(sorted(m or "-" for m in modes.values()) == ["follower", "follower", "leader"],
                  "ensemble modes after the restart: %s" % modes)

        for test in (acks_all_on_rf3_topic, zookeeper_leader_killed_brokers_ride_it_out,
                     partition_leader_killed_with_two_zookeepers, every_acked_value_read_back,
                     killed_zookeeper_rejoins):
            runner.run(test)
        return runner.finish(*cluster.brokers.values())
    finally:
        cluster.close()


if __name__ == "__main__":
    sys.exit(main(body))
