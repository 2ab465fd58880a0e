#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The cluster's topic view and the controller (issue 9, docs/cluster.md).

ZooKeeper plus three caudald (cluster_fixture.py), checked with real
clients (confluent_kafka's AdminClient, kcat) and hand-built Metadata v7
for leader epochs: a topic created with RF 3 on broker 1 shows the same
leaders, replicas and ISR from brokers 2 and 3, leaders spread, replicas
distinct; RF 4 and a duplicate are refused with Kafka's errors; configs
altered on broker 1 read back from broker 3; partitions added on broker 2
appear everywhere; kill -9 of a partition leader: after its session its
partitions get leaders from the ISR with a higher leader epoch, it leaves
the ISRs and is listed offline; restarted it is live again; a controller
paused past its session cannot write after resuming (the epoch check
fails, the new controller's states stay); DeleteTopics removes the topic
from every broker and its znodes from ZooKeeper.

Metadata and admin only: replication itself (ISR re-expansion, preferred
leaders returning once back in the ISR) is the data path's and tested in
test-cluster-failover.py.
"""

import json
import os
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from caudald_fixture import Runner, check, check_eq, main, unique_topic  # noqa: E402
from cluster_fixture import Cluster, metadata_v7, wait_for  # noqa: E402
from confluent_kafka.admin import (AdminClient, ConfigResource, NewPartitions,  # noqa: E402
                                   NewTopic)
from confluent_kafka import KafkaError, KafkaException  # noqa: E402

SESSION_MS = 4000
FAILOVER_TIMEOUT = SESSION_MS / 1000.0 + 11.0


def admin(broker):
    return AdminClient({"bootstrap.servers": broker.bootstrap, "socket.timeout.ms": 10000})


def create(broker, topic, partitions, rf, configs=None):
    """The topic's future result from CreateTopics sent to `broker`:
    None on success, else the KafkaError."""
    # The client must outlive its futures (it fails them when freed).
    client = admin(broker)
    fut = client.create_topics([NewTopic(topic, partitions, rf, config=configs or {})],
                               operation_timeout=20, request_timeout=30)[topic]
    try:
        fut.result(timeout=40)
        return None
    except KafkaException as e:
        return e.args[0]


def view(broker, topic):
    """{partition: state} of `topic` from `broker` (Metadata v7)."""
    return metadata_v7(broker.host, broker.port, [topic]).get(topic, {})


def wait(predicate, timeout, what, show=None):
    """wait_for, reporting show() as last seen on a timeout."""
    last = [None]

    def probe():
        ok = predicate()
        if show is not None and not ok:
            last[0] = show()
        return ok
    return wait_for(probe, timeout, what, last=last)


def states(partitions):
    """What the controller writes, per partition (not liveness)."""
    return {p: (s["leader"], s["leader_epoch"], s["isr"]) for p, s in partitions.items()}


def metadata_auto_create(broker, topic):
    """Metadata v7 for `topic` with allow_auto_topic_creation: its
    topic-level error code."""
    client_id = b"caudal-it"
    name = topic.encode()
    body = struct.pack(">hhih", 3, 7, 12, len(client_id)) + client_id
    body += struct.pack(">ih", 1, len(name)) + name + b"\x01"
    with socket.create_connection((broker.host, broker.port), timeout=10) as s:
        s.sendall(struct.pack(">i", len(body)) + body)
        size = struct.unpack(">i", s.recv(4, socket.MSG_WAITALL))[0]
        buf = s.recv(size, socket.MSG_WAITALL)
    pos = 8                                             # correlation id, throttle
    (n,) = struct.unpack_from(">i", buf, pos)
    pos += 4
    for _ in range(n):                                  # brokers: id, host, port, rack
        pos += 4
        (ln,) = struct.unpack_from(">h", buf, pos)
        pos += 2 + ln + 4
        (ln,) = struct.unpack_from(">h", buf, pos)
        pos += 2 + max(ln, 0)
    (ln,) = struct.unpack_from(">h", buf, pos)          # cluster id
    pos += 2 + max(ln, 0) + 4 + 4                       # controller, topic count
    return struct.unpack_from(">h", buf, pos)[0]


def init_producer_id(broker):
    """InitProducerId v0 without a transactional id: (error, id, epoch)."""
    client_id = b"caudal-it"
    body = struct.pack(">hhih", 22, 0, 7, len(client_id)) + client_id
    body += struct.pack(">hi", -1, 60000)
    with socket.create_connection((broker.host, broker.port), timeout=10) as s:
        s.sendall(struct.pack(">i", len(body)) + body)
        size = struct.unpack(">i", s.recv(4, socket.MSG_WAITALL))[0]
        buf = s.recv(size, socket.MSG_WAITALL)
    return struct.unpack_from(">hqh", buf, 8)          # after correlation id, throttle


def log_dir_partitions(broker):
    """DescribeLogDirs v1 for every topic: {(topic, partition)} listed."""
    client_id = b"caudal-it"
    body = struct.pack(">hhih", 35, 1, 8, len(client_id)) + client_id + struct.pack(">i", -1)
    with socket.create_connection((broker.host, broker.port), timeout=10) as s:
        s.sendall(struct.pack(">i", len(body)) + body)
        size = struct.unpack(">i", s.recv(4, socket.MSG_WAITALL))[0]
        buf = s.recv(size, socket.MSG_WAITALL)
    pos = 8                                             # correlation id, throttle
    out = set()

    def string(pos):
        (n,) = struct.unpack_from(">h", buf, pos)
        return buf[pos + 2:pos + 2 + n].decode(), pos + 2 + n

    (n_results,) = struct.unpack_from(">i", buf, pos)
    pos += 4
    for _ in range(n_results):
        pos += 2                                        # error code
        _, pos = string(pos)                            # log dir
        (n_topics,) = struct.unpack_from(">i", buf, pos)
        pos += 4
        for _ in range(n_topics):
            name, pos = string(pos)
            (n_parts,) = struct.unpack_from(">i", buf, pos)
            pos += 4
            for _ in range(n_parts):
                (index,) = struct.unpack_from(">i", buf, pos)
                pos += 4 + 8 + 8 + 1                    # size, offset lag, is_future_key
                out.add((name, index))
    return out


def controller_id(cluster):
    """The broker id in /controller, or None."""
    out = zk_cli(cluster, "get", cluster.chroot + "/controller")
    if '"brokerid":' not in out:
        return None
    return int(out.split('"brokerid":')[1].split(",")[0])


def zk_cli(cluster, *args):
    """zkCli.sh against the cluster's ZooKeeper: its stdout."""
    cmd = ["/usr/share/zookeeper/bin/zkCli.sh", "-server", cluster.zk.connect_string] + list(args)
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=60)
    return proc.stdout


def body(runner):
    cluster = Cluster(3, session_ms=SESSION_MS,
                      overrides={"leader.imbalance.check.interval.seconds": "2"})
    state = {}
    try:
        def start_cluster():
            cluster.start()
        runner.run(start_cluster)
        if runner.failed:
            return runner.finish(*cluster.brokers.values())
        b1, b2, b3 = (cluster.broker(i) for i in (1, 2, 3))
        topic = unique_topic("ct")

        def create_rf3_topic_on_broker1():
            check_eq(create(b1, topic, 6, 3), None, "CreateTopics %s (6 partitions, RF 3)" % topic)
            # Completed means: every partition has a leader on broker 1 now.
            first = view(b1, topic)
            check_eq(sorted(first), list(range(6)), "partitions of %s from broker 1" % topic)
            for p, s in first.items():
                check_eq(s["error"], 0, "partition %d error" % p)
                check_eq(len(set(s["replicas"])), 3, "distinct replicas of partition %d: %s"
                         % (p, s["replicas"]))
                check_eq(s["isr"], s["replicas"], "ISR of partition %d" % p)
                check_eq(s["leader"], s["replicas"][0], "leader of partition %d" % p)
                check_eq(s["leader_epoch"], 0, "leader epoch of partition %d" % p)
                check_eq(s["offline"], [], "offline replicas of partition %d" % p)
            leaders = {s["leader"] for s in first.values()}
            check_eq(leaders, {1, 2, 3}, "leaders of the 6 partitions (round robin)")
            for b in (b2, b3):
                wait(lambda: view(b, topic) == first, 10,
                         "broker %d to show the same partitions as broker 1" % b.node_id,
                         show=lambda: view(b, topic))
            state["first"] = first

        def rf4_and_duplicate_are_refused():
            err = create(b2, unique_topic("rf4"), 1, 4)
            check(err is not None and err.code() == KafkaError.INVALID_REPLICATION_FACTOR,
                  "RF 4 with 3 brokers: %r" % (err,))
            check("Replication factor: 4 larger than available brokers: 3." in err.str(),
                  "RF 4 message: %r" % err.str())
            err = create(b3, topic, 6, 3)
            check(err is not None and err.code() == KafkaError.TOPIC_ALREADY_EXISTS,
                  "duplicate CreateTopics: %r" % (err,))
            check("Topic '%s' already exists." % topic in err.str(), "duplicate message: %r" % err.str())

        def controller_write_fenced_by_epoch():
            # Another controller's election moves /controller_epoch (here
            # by hand): the controller's next write, its multi checking the
            # epoch's version, is refused (KAFKA-6082); it resigns and
            # gives up /controller, an election settles it, and the work
            # is done under the new epoch.
            controller = controller_id(cluster)
            zk_cli(cluster, "set", cluster.chroot + "/controller_epoch", "1000")
            fenced = unique_topic("fenced")
            check_eq(create(b1, fenced, 2, 3), None, "CreateTopics %s after the epoch moved" % fenced)
            log = open(cluster.broker(controller).log_path, errors="replace").read()
            check("write was refused" in log and "no longer controller" in log,
                  "broker %d did not log its refused write:\n%s" % (controller, log[-3000:]))
            for p in (0, 1):
                out = zk_cli(cluster, "get", "%s/brokers/topics/%s/partitions/%d/state"
                             % (cluster.chroot, fenced, p))
                check('"controller_epoch":1001' in out, "state of %s-%d:\n%s" % (fenced, p, out))

        def configs_altered_on_1_read_from_3():
            res = ConfigResource(ConfigResource.Type.TOPIC, topic,
                                 set_config={"retention.ms": "123456", "cleanup.policy": "compact"})
            client = admin(b1)
            client.alter_configs([res])[res].result(timeout=30)

            def described():
                r = ConfigResource(ConfigResource.Type.TOPIC, topic)
                client3 = admin(b3)
                entries = client3.describe_configs([r])[r].result(timeout=30)
                return {k: entries[k].value for k in ("retention.ms", "cleanup.policy")}
            wait(lambda: described() == {"retention.ms": "123456", "cleanup.policy": "compact"},
                     10, "broker 3 to describe the configs set on broker 1", show=described)
            out = zk_cli(cluster, "get", cluster.chroot + "/config/topics/" + topic)
            check('"retention.ms":"123456"' in out, "/config/topics/%s in ZooKeeper:\n%s" % (topic, out))

        def partitions_added_on_2_appear_everywhere():
            client = admin(b2)
            fut = client.create_partitions([NewPartitions(topic, 8)], operation_timeout=20)[topic]
            fut.result(timeout=40)
            for b in (b1, b2, b3):
                wait(lambda: len(view(b, topic)) == 8 and all(s["error"] == 0 for s in view(b, topic).values()),
                         10, "8 partitions with leaders on broker %d" % b.node_id,
                         show=lambda: view(b, topic))
            for p, s in view(b1, topic).items():
                check_eq(len(set(s["replicas"])), 3, "replicas of partition %d" % p)

        def kill9_leader_moves_leadership_in_isr():
            before = view(b1, topic)
            dead = before[0]["leader"]
            cluster.kill9(dead)
            survivor = next(b for b in (b1, b2, b3) if b.node_id != dead)
            start = time.monotonic()

            def failed_over():
                now = view(survivor, topic)
                return all(s["leader"] != dead and s["leader"] >= 0 and dead not in s["isr"]
                           for s in now.values())
            wait(failed_over, FAILOVER_TIMEOUT, "partitions led by %d to move" % dead,
                     show=lambda: view(survivor, topic))
            print("# broker %d killed; its partitions moved after %.1fs" % (dead, time.monotonic() - start))
            after = view(survivor, topic)
            for p, s in after.items():
                old = before[p]
                check_eq(s["offline"], [dead], "offline replicas of partition %d" % p)
                check(s["leader"] in old["isr"], "partition %d: new leader %d not from the ISR %s"
                      % (p, s["leader"], old["isr"]))
                if old["leader"] == dead:
                    check(s["leader_epoch"] > old["leader_epoch"],
                          "partition %d: leader epoch %d not above %d" % (p, s["leader_epoch"],
                                                                          old["leader_epoch"]))
                else:
                    check_eq(s["leader"], old["leader"], "partition %d leader (was live)" % p)
            # The state znode says the same as Metadata.
            out = zk_cli(cluster, "get", "%s/brokers/topics/%s/partitions/0/state" % (cluster.chroot, topic))
            check('"leader":%d' % after[0]["leader"] in out
                  and '"leader_epoch":%d' % after[0]["leader_epoch"] in out,
                  "state znode of partition 0:\n%s" % out)
            state["dead"] = dead
            state["survivor"] = survivor
            state["epochs"] = {p: s["leader_epoch"] for p, s in after.items()}

        def restarted_broker_is_live_again_and_preferred_leader_returns():
            dead = state["dead"]
            cluster.restart(dead)
            b = cluster.broker(dead)
            wait(lambda: all(s["offline"] == [] for s in view(b, topic).values()), 20,
                 "broker %d live again in every partition" % dead, show=lambda: view(b, topic))
            # It leads nothing until replication puts it back in an ISR;
            # then, within leader.imbalance.check.interval.seconds (2 s
            # here), the controller gives it back the partitions it is the
            # preferred (first) replica of, with a higher leader epoch.
            preferred = [p for p, s in view(b, topic).items() if s["replicas"][0] == dead]
            check(preferred, "broker %d is no partition's preferred replica" % dead)

            def led_back():
                now = view(b, topic)
                for p, s in now.items():
                    check(s["leader"] != dead or dead in s["isr"],
                          "partition %d led by %d, which is out of its ISR %s" % (p, dead, s["isr"]))
                return all(now[p]["leader"] == dead for p in preferred)
            wait(led_back, 30, "broker %d to lead %s again once back in their ISR" % (dead, preferred),
                 show=lambda: view(b, topic))
            for p in preferred:
                check(view(b, topic)[p]["leader_epoch"] > state["epochs"][p],
                      "partition %d: leader epoch did not grow on the preferred leader's return" % p)

        def metadata_auto_creates_with_cluster_defaults():
            auto = unique_topic("auto")
            code = metadata_auto_create(b2, auto)
            check(code in (0, 5), "Metadata auto-creation of %s: error %d" % (auto, code))
            wait(lambda: len(view(b3, auto)) == 1 and view(b3, auto)[0]["error"] == 0, 15,
                 "auto-created %s with a leader on broker 3" % auto, show=lambda: view(b3, auto))
            # default.replication.factor unset: min(3, live brokers) = 3.
            check_eq(len(view(b3, auto)[0]["replicas"]), 3, "replicas of the auto-created topic")

        def paused_controller_cannot_write():
            controller = controller_id(cluster)
            others = [i for i in (1, 2, 3) if i != controller]
            cluster.pause(controller)
            try:
                def new_controller():
                    c = controller_id(cluster)
                    return c if c != controller else None
                wait(new_controller, FAILOVER_TIMEOUT, "a controller other than paused %d" % controller)
                # The new controller has re-checked every partition: the
                # paused one is dropped from the ISRs it was in.
                via = cluster.broker(others[0])
                wait(lambda: all(controller not in s["isr"] for s in view(via, topic).values()),
                         FAILOVER_TIMEOUT, "paused broker %d out of every ISR" % controller,
                         show=lambda: view(via, topic))
                snapshot = states(view(via, topic))
            finally:
                cluster.resume(controller)
            b = cluster.broker(controller)
            wait(lambda: "no longer controller" in open(b.log_path, errors="replace").read(), 20,
                     "broker %d to log that it is no longer controller" % controller)
            wait(lambda: all(s["offline"] == [] for s in view(via, topic).values()), 20,
                     "broker %d registered again" % controller, show=lambda: view(via, topic))
            # Whatever it had queued, nothing it wrote survived: the new
            # controller's states stand (leaders, epochs, ISR).
            check_eq(states(view(via, topic)), snapshot,
                     "partition states after the paused controller resumed")

        def producer_ids_unique_across_brokers():
            # Each broker claims blocks of 1000 ids in ZooKeeper, as Kafka:
            # ids handed out by different brokers never meet.
            ids = {}
            for b in (b1, b2, b3):
                got = []
                for _ in range(5):
                    answer = wait_for(lambda: (lambda r: r if r[0] == 0 else None)(init_producer_id(b)),
                                      20, "InitProducerId answered by broker %d" % b.node_id)
                    check_eq(answer[2], 0, "producer epoch of a new id")
                    got.append(answer[1])
                check_eq(len(set(got)), 5, "distinct ids from broker %d: %s" % (b.node_id, got))
                ids[b.node_id] = got
            blocks = {i: {v // 1000 for v in got} for i, got in ids.items()}
            for i in blocks:
                for j in blocks:
                    check(i == j or not blocks[i] & blocks[j],
                          "brokers %d and %d share a block of ids: %s" % (i, j, ids))
            out = zk_cli(cluster, "get", cluster.chroot + "/latest_producer_id_block")
            line = [l for l in out.splitlines() if l.startswith("{")]
            check(line, "no /latest_producer_id_block:\n" + out)
            block = json.loads(line[0])
            check_eq(block.get("version"), 1, "version in " + line[0])
            end = int(block["block_end"])
            check_eq(end - int(block["block_start"]), 999, "block size in " + line[0])
            check(all(v <= end for got in ids.values() for v in got),
                  "ids above the last claimed block %s: %s" % (line[0], ids))

        def log_dirs_list_only_own_replicas():
            # Every broker keeps an (empty) log for each partition of the
            # view; DescribeLogDirs lists only those it replicates, as Kafka.
            rf1 = topic + "-rf1"
            check_eq(create(b1, rf1, 3, 1), None, "CreateTopics RF 1")
            wait(lambda: all(len(view(b, rf1)) == 3 for b in (b1, b2, b3)), 20,
                 "%s in every broker's view" % rf1)
            owners = {p: info["replicas"][0] for p, info in view(b1, rf1).items()}
            for b in (b1, b2, b3):
                listed = {p for t, p in log_dir_partitions(b) if t == rf1}
                want = {p for p, owner in owners.items() if owner == b.node_id}
                check_eq(sorted(listed), sorted(want),
                         "partitions of %s in broker %d's DescribeLogDirs (replicas %s)"
                         % (rf1, b.node_id, owners))
            client = admin(b1)
            client.delete_topics([rf1], operation_timeout=20)[rf1].result(timeout=40)

        def delete_topic_everywhere():
            client = admin(b3)
            fut = client.delete_topics([topic], operation_timeout=20)[topic]
            fut.result(timeout=40)
            for b in (b1, b2, b3):
                wait(lambda: topic not in view(b, topic) or "error" in view(b, topic), 10,
                         "topic gone on broker %d" % b.node_id)
                md = metadata_v7(b.host, b.port, [topic])
                check_eq(md.get(topic, {}).get("error"), 3, "Metadata for the deleted topic on %d" % b.node_id)
            out = zk_cli(cluster, "ls", cluster.chroot + "/brokers/topics")
            check(topic not in out, "/brokers/topics still lists %s:\n%s" % (topic, out))
            out = zk_cli(cluster, "ls", cluster.chroot + "/config/topics")
            check(topic not in out, "/config/topics still lists %s:\n%s" % (topic, out))
            out = zk_cli(cluster, "ls", cluster.chroot + "/admin/delete_topics")
            check(topic not in out, "/admin/delete_topics still lists %s:\n%s" % (topic, out))

        for test in (create_rf3_topic_on_broker1, rf4_and_duplicate_are_refused,
                     controller_write_fenced_by_epoch,
                     configs_altered_on_1_read_from_3, partitions_added_on_2_appear_everywhere,
                     kill9_leader_moves_leadership_in_isr,
                     restarted_broker_is_live_again_and_preferred_leader_returns,
                     metadata_auto_creates_with_cluster_defaults,
                     paused_controller_cannot_write, producer_ids_unique_across_brokers,
                     log_dirs_list_only_own_replicas, delete_topic_everywhere):
            runner.run(test)
        return runner.finish(*cluster.brokers.values())
    finally:
        cluster.close()


if __name__ == "__main__":
    main(body)
