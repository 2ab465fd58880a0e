#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Leader failover with acks=all on a 3-broker cluster (issue 9).

ZooKeeper and three caudald (zookeeper.session.timeout.ms=4000,
replica.lag.time.max.ms=3000). confluent_kafka's AdminClient creates an
RF=3, 3-partition topic with min.insync.replicas=2; a producer without
idempotence (one attempt per message) and one with it write unique values
with acks=all, each delivery report recorded. kill -9 of partition 0's
leader: a member of its ISR leads next with a higher leader epoch while
the producers keep going (errors allowed, but classified); a fresh
consumer then finds every acknowledged value at its acknowledged offset
and no offset with two values (campaign_checker.py). The killed broker
restarts and rejoins every ISR; the replicas' segment files hold the same
batches, byte for byte, below the high watermark; `caudal topics
--describe` prints Kafka's Leader/Replicas/Isr lines. Finally, with one
broker of three left, acks=all is refused with NOT_ENOUGH_REPLICAS and
nothing is appended.
"""

import os
import re
import socket
import struct
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition  # noqa: E402

import campaign_checker  # noqa: E402
from caudald_fixture import check, check_eq, fail, main, run  # noqa: E402
from cluster_campaign import (History, RecordingProducer, compare_replicas,  # noqa: E402
                              create_topic, final_read)
from cluster_fixture import Cluster, _recv_exact, wait_for  # noqa: E402

SESSION_MS = 4000
PARTITIONS = 3
RF = 3
N_BEFORE = 300
FAILOVER_TIMEOUT = SESSION_MS / 1000.0 + 20.0
CAUDAL = os.environ.get("CAUDAL_CLI")


def body(runner):
    cluster = Cluster(3, session_ms=SESSION_MS, overrides={
        "default.replication.factor": "3", "min.insync.replicas": "2",
        "replica.lag.time.max.ms": "3000", "replica.fetch.wait.max.ms": "100",
        "unclean.leader.election.enable": "false", "auto.leader.rebalance.enable": "false",
        "replica.high.watermark.checkpoint.interval.ms": "300"})
    topic = "failover-%s" % uuid.uuid4().hex[:8]
    history = History()
    state = {}
    try:
        def start_cluster():
            cluster.start()
        runner.run(start_cluster)
        if len(cluster.alive_ids()) != 3:
            return runner.finish(*cluster.brokers.values())

        def create_rf3_topic():
            create_topic(cluster.bootstrap(), topic, PARTITIONS, RF, {"min.insync.replicas": "2"})
            view = cluster.wait_topic_healthy(topic, PARTITIONS, RF, timeout=30)
            for p, info in view.items():
                check_eq(sorted(info["replicas"]), [1, 2, 3], "replicas of partition %d" % p)

        def acks_all_before_failover():
            boot = cluster.bootstrap()
            state["plain"] = RecordingProducer("p1", boot, history, idempotent=False)
            state["idem"] = RecordingProducer("p0", boot, history, idempotent=True)
            for _ in range(N_BEFORE // 2):
                state["plain"].send(topic)
                state["idem"].send(topic)
            for prod in (state["plain"], state["idem"]):
                check_eq(prod.flush(30), 0, "delivery reports outstanding for %s" % prod.name)
            bad = [op for op in history.snapshot() if op.get("f") == "send"
                   and op["type"] in ("fail", "info")]
            check(not bad, "sends failed on a healthy cluster: %s" % bad[:5])

        def kill9_leader_of_partition_0_elects_from_isr():
            before = cluster.partitions_v7(topic)[0]
            check_eq(before["error"], 0, "partition 0 error before the kill")
            old = before["leader"]
            state["killed"] = old
            # Keep producing through the failover.
            stop = threading.Event()

            def produce():
                while not stop.is_set():
                    for prod in (state["plain"], state["idem"]):
                        if prod.outstanding < 200:
                            prod.send(topic)
                        prod.producer.poll(0.01)
            t = threading.Thread(target=produce, daemon=True)
            t.start()
            try:
                time.sleep(0.5)
                cluster.kill9(old)
                start = time.monotonic()
                after = cluster.wait_leader_not(topic, 0, old, timeout=FAILOVER_TIMEOUT)
                print("# partition 0: leader %d (epoch %d) killed; broker %d leads at epoch %d "
                      "after %.1fs" % (old, before["leader_epoch"], after["leader"],
                                       after["leader_epoch"], time.monotonic() - start))
                check(after["leader"] in before["isr"],
                      "new leader %d not in the old ISR %s" % (after["leader"], before["isr"]))
                check(after["leader_epoch"] > before["leader_epoch"],
                      "leader epoch did not grow: %d -> %d" % (before["leader_epoch"],
                                                               after["leader_epoch"]))
                check(old not in after["isr"], "dead broker %d still in the ISR %s"
                      % (old, after["isr"]))
                # Sends after the election succeed again (2 of 3 in the ISR
                # satisfy min.insync.replicas=2).
                mark = len(history.snapshot())
                wait_for(lambda: any(op.get("f") == "send" and op["type"] == "ok"
                                     and op["partition"] == 0
                                     for op in history.snapshot()[mark:]),
                         30, "an acknowledged send to partition 0 after the failover")
            finally:
                stop.set()
                t.join(30)
            for prod in (state["plain"], state["idem"]):
                check_eq(prod.flush(40), 0, "delivery reports outstanding for %s" % prod.name)
            ops = [op for op in history.snapshot() if op.get("f") == "send"]
            kinds = {k: sum(1 for op in ops if op["type"] == k) for k in ("ok", "fail", "info")}
            errors = sorted({op.get("error") for op in ops if op["type"] != "ok"} - {None})
            print("# sends: invoke %d, ok %d, fail %d, info %d; errors %s"
                  % (sum(1 for op in ops if op["type"] == "invoke"), kinds["ok"], kinds["fail"],
                     kinds["info"], errors))

        def every_acked_value_at_its_offset():
            final, hws = final_read(cluster.bootstrap(), topic, PARTITIONS)
            state["hws"] = hws
            report = campaign_checker.check(history.snapshot(), final)
            for line in campaign_checker.summary(report):
                print("# " + line)
            check(report["valid"], "checker found anomalies (see above)")
            check(report["counts"]["ok"] >= N_BEFORE, "only %d acknowledged sends"
                  % report["counts"]["ok"])

        def killed_broker_rejoins_every_isr():
            cluster.restart(state["killed"])
            cluster.wait_topic_healthy(topic, PARTITIONS, RF, timeout=60)

        def replicas_hold_identical_batches_below_hw():
            # HW again, now that the restarted broker caught up (the ISR
            # holds all three, so each has at least HW).
            _, hws = final_read(cluster.bootstrap(), topic, PARTITIONS)
            diffs = compare_replicas(cluster, topic, PARTITIONS, hws)
            check(not diffs, "replicas diverge:\n" + "\n".join(diffs))

        def delete_records_moves_every_replicas_log_start():
            # DeleteRecords at partition 1's leader; its followers take the
            # new log start from their fetch answers, so that none of them,
            # leading later, serves deleted records. Each broker's
            # log-start-offset-checkpoint shows it.
            info = cluster.partition(topic, 1)
            leader = cluster.broker(info["leader"])
            host, port = leader.bootstrap.rsplit(":", 1)
            low = delete_records_v0(host, int(port), topic, 1, 5)
            check_eq(low, 5, "low watermark answered by DeleteRecords")
            for i in info["replicas"]:
                path = os.path.join(cluster.broker(i).data_dir, "log-start-offset-checkpoint")
                wait_for(lambda: "%s 1 5" % topic in (open(path).read().splitlines()
                                                       if os.path.exists(path) else []),
                         20, "log start 5 of %s-1 in broker %d's %s" % (topic, i, path))

        def topics_describe_prints_leader_replicas_isr():
            check(CAUDAL and os.access(CAUDAL, os.X_OK), "CAUDAL_CLI is not set")
            out = run([CAUDAL, "topics", "--bootstrap-server", cluster.bootstrap(),
                       "--describe", "--topic", topic], timeout=30).stdout
            view = cluster.topic(topic)
            head = out.splitlines()[0]
            check(head.startswith("Topic: %s\t" % topic) and "PartitionCount: 3" in head
                  and "ReplicationFactor: 3" in head, "describe header: %r" % head)
            for p, info in view.items():
                want = "\tTopic: %s\tPartition: %d\tLeader: %d\tReplicas: %s\tIsr: %s" % (
                    topic, p, info["leader"], ",".join(map(str, info["replicas"])),
                    ",".join(map(str, info["isr"])))
                check(want in out.splitlines(), "no line %r in:\n%s" % (want, out))

        def acks_all_refused_with_one_broker_left():
            survivor = state["killed"]
            for i in cluster.alive_ids():
                if i != survivor:
                    cluster.stop(i)          # graceful: its session ends at once
            # Partition 0 led by the survivor with an ISR of itself alone.
            info = wait_for(lambda: (lambda i: i if i and i["leader"] == survivor
                                     and i["isr"] == [survivor] else None)(
                cluster.partition(topic, 0)), FAILOVER_TIMEOUT + 10,
                "partition 0 led by %d with ISR [%d]" % (survivor, survivor))
            print("# partition 0 with one broker left: %s" % info)
            c = Consumer({"bootstrap.servers": cluster.bootstrap(), "group.id": "x"})
            hw_before = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10,
                                                cached=False)[1]
            p = Producer({"bootstrap.servers": cluster.bootstrap(), "acks": "all",
                          "retries": 0, "message.timeout.ms": 15000,
                          "enable.idempotence": False})
            got = []
            p.produce(topic, b"refused", partition=0, on_delivery=lambda e, m: got.append(e))
            p.flush(20)
            check_eq(len(got), 1, "delivery reports")
            check(got[0] is not None and got[0].code() == KafkaError.NOT_ENOUGH_REPLICAS,
                  "expected NOT_ENOUGH_REPLICAS, got %r" % (got[0],))
            hw_after = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10,
                                               cached=False)
            c.close()
            check_eq(hw_after[1], hw_before, "high watermark after the refused send")

        def describe_filters_show_under_replicated():
            # Two of three brokers are stopped now: every partition misses
            # in-sync replicas; Kafka then prints only the matching
            # partition lines, without the topic header.
            out = run([CAUDAL, "topics", "--bootstrap-server", cluster.bootstrap(),
                       "--describe", "--topic", topic, "--under-replicated-partitions"],
                      timeout=30).stdout
            lines = [l for l in out.splitlines() if l.strip()]
            view = cluster.topic(topic)
            want = sorted(p for p, info in view.items() if len(info["isr"]) < len(info["replicas"]))
            check_eq(len(want), PARTITIONS, "under-replicated partitions in Metadata")
            check_eq(len(lines), len(want), "lines of --under-replicated-partitions:\n" + out)
            check(all(l.startswith("\tTopic: %s\tPartition: " % topic) for l in lines),
                  "partition lines only:\n" + out)
            out = run([CAUDAL, "topics", "--bootstrap-server", cluster.bootstrap(),
                       "--describe", "--topic", topic, "--unavailable-partitions"],
                      timeout=30).stdout
            leaderless = [p for p, info in view.items() if info["leader"] in (None, -1)]
            check_eq(len([l for l in out.splitlines() if l.strip()]), len(leaderless),
                     "lines of --unavailable-partitions:\n" + out)

        for test in (create_rf3_topic, acks_all_before_failover,
                     kill9_leader_of_partition_0_elects_from_isr, every_acked_value_at_its_offset,
                     killed_broker_rejoins_every_isr, replicas_hold_identical_batches_below_hw,
                     delete_records_moves_every_replicas_log_start,
                     topics_describe_prints_leader_replicas_isr,
                     acks_all_refused_with_one_broker_left,
                     describe_filters_show_under_replicated):
            if "create_rf3_topic" in runner.failed:
                # Without the topic there is nothing to fail over: each
                # later step is reported as not run (a failure).
                fail_skip(runner, test)
                continue
            runner.run(test)
        status = runner.finish(*cluster.brokers.values())
        if status:
            for line in cluster.zk.log_tail().splitlines():
                print("# " + line)
        return status
    finally:
        cluster.close()


def delete_records_v0(host, port, topic, partition, offset, timeout=10.0):
    """DeleteRecords v0 by hand for one partition; returns its low
    watermark, failing on an error code."""
    name = topic.encode()
    body = struct.pack(">hhih", 21, 0, 7, 2) + b"it"
    body += struct.pack(">ih", 1, len(name)) + name
    body += struct.pack(">iiq", 1, partition, offset) + struct.pack(">i", 10000)
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(struct.pack(">i", len(body)) + body)
        size = struct.unpack(">i", _recv_exact(s, 4))[0]
        data = _recv_exact(s, size)
    # correlation id, throttle, [topic [partition, low_watermark, error]]
    corr, _, n_topics = struct.unpack_from(">iii", data, 0)
    check_eq(corr, 7, "DeleteRecords correlation id")
    nlen = struct.unpack_from(">h", data, 12)[0]
    _, index, low, err = struct.unpack_from(">iiqh", data, 14 + nlen)
    check_eq((n_topics, index, err), (1, partition, 0), "DeleteRecords answer (topics, partition, error)")
    return low


def fail_skip(runner, test):
    """Record `test` as failed without running it (its precondition failed)."""
    def skipped():
        fail("not run: create_rf3_topic failed")
    skipped.__name__ = test.__name__
    runner.run(skipped)


if __name__ == "__main__":
    main(body)
