#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A Jepsen-style fault campaign against a 3-broker Caudal cluster.

Producers write unique values (acks=all, idempotence on and off) to an
RF=3 topic with min.insync.replicas=2 while a seeded nemesis kills,
pauses and (when the kernel lets us) cuts brokers off the network; a
live consumer and a high-watermark poller record what they see. After
the faults stop every fault is healed, the cluster must quiesce (each
partition with a live leader and a full ISR), a fresh consumer reads
every partition to the high watermark, the replicas' log files are
compared below it, and campaign_checker.py judges the history.

    /usr/bin/python3 tests/integration/cluster_campaign.py --duration 600 --seed 7
    /usr/bin/python3 tests/integration/cluster_campaign.py --negative-control   # must find loss

Exit status: 0 when the checker finds no safety anomaly (with
--negative-control: 0 when it DOES find loss), 1 otherwise, 2 when the
campaign could not run (setup failure). The history is written as JSON
(--history, default campaign-<seed>.json in $MESON_BUILD_ROOT or the
current directory). See docs/reliability.md.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
import traceback
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

import campaign_checker  # noqa: E402
from caudald_fixture import TestFailure, check  # noqa: E402
from cluster_fixture import (Cluster, batches_below, list_offsets_latest,  # noqa: E402
                             metadata_v7, read_batches, wait_for)

# Errors after which nothing can have been appended, when the producer
# made exactly one attempt (retries=0): the broker refused the request
# before writing (docs/replication-notes.md section 6).
DEFINITE_ERRORS = {
    "NOT_ENOUGH_REPLICAS", "INVALID_REQUIRED_ACKS", "MSG_SIZE_TOO_LARGE",
    "INVALID_MSG", "INVALID_RECORD", "TOPIC_AUTHORIZATION_FAILED",
    "UNKNOWN_TOPIC_OR_PART", "INVALID_TIMESTAMP", "CORRUPT_MESSAGE",
}


def classify(error_name, retries):
    """'fail' when the send definitely did not happen, else 'info'."""
    if retries == 0 and error_name in DEFINITE_ERRORS:
        return "fail"
    return "info"


class History:
    """A thread-safe, append-only list of operations with times since t0."""

    def __init__(self):
        self.ops = []
        self.lock = threading.Lock()
        self.t0 = time.monotonic()

    def add(self, **op):
        op["time"] = round(time.monotonic() - self.t0, 4)
        with self.lock:
            self.ops.append(op)
        return op

    def snapshot(self):
        with self.lock:
            return list(self.ops)


class RecordingProducer:
    """A confluent_kafka Producer whose every send is an invoke op and every
    delivery report an ok/fail/info op."""

    def __init__(self, name, bootstrap, history, idempotent, acks="all", partitions=3,
                 message_timeout_ms=20000):
        self.name = name
        self.history = history
        self.idempotent = idempotent
        self.partitions = partitions
        # Without idempotence: one attempt per message, so a refusal is a
        # definite failure. With it librdkafka retries on its own (its
        # sequence numbers make retries safe); failures are then unknown.
        self.retries = 1000000 if idempotent else 0
        conf = {"bootstrap.servers": bootstrap, "acks": acks,
                "enable.idempotence": idempotent, "retries": self.retries,
                "linger.ms": 2, "message.timeout.ms": message_timeout_ms,
                "request.timeout.ms": 5000, "topic.metadata.refresh.interval.ms": 1000,
                "retry.backoff.ms": 100, "reconnect.backoff.max.ms": 1000,
                "client.id": name, "log_level": 3}
        if not idempotent:
            conf["max.in.flight.requests.per.connection"] = 5
        self.producer = Producer(conf)
        self.seq = 0
        self.outstanding = 0
        self.lock = threading.Lock()

    def send(self, topic, partition=None):
        """Produce the next value; returns it."""
        seq = self.seq
        self.seq += 1
        value = "%s-%d" % (self.name, seq)
        if partition is None:
            partition = seq % self.partitions
        self.history.add(process=self.name, type="invoke", f="send", value=value,
                         producer=self.name, seq=seq, idempotent=self.idempotent,
                         partition=partition)

        def delivered(err, msg, value=value, seq=seq):
            with self.lock:
                self.outstanding -= 1
            if err is None:
                # librdkafka's idempotent producer may report a message
                # persisted without an offset (None or negative): recorded
                # as None (acknowledged, offset unknown; campaign_checker).
                off = msg.offset()
                if off is None or off < 0:
                    off = None
                self.history.add(process=self.name, type="ok", f="send", value=value,
                                 producer=self.name, seq=seq, idempotent=self.idempotent,
                                 partition=msg.partition(), offset=off)
            else:
                name = err.name()
                self.history.add(process=self.name, type=classify(name, self.retries), f="send",
                                 value=value, producer=self.name, seq=seq,
                                 idempotent=self.idempotent, partition=partition,
                                 error=name, definite=classify(name, self.retries) == "fail")
        with self.lock:
            self.outstanding += 1
        while True:
            try:
                self.producer.produce(topic, value=value.encode(), partition=partition,
                                      on_delivery=delivered)
                break
            except BufferError:
                self.producer.poll(0.1)
        self.producer.poll(0)
        return value

    def flush(self, timeout):
        """Wait for the delivery reports; returns how many are still due."""
        return self.producer.flush(timeout)


def final_read(bootstrap, topic, partitions, timeout=60.0):
    """{partition: [(offset, value)]} from the log start to the high
    watermark, read by a fresh consumer; and {partition: hw}."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "final-" + uuid.uuid4().hex,
                  "enable.auto.commit": False, "auto.offset.reset": "earliest",
                  "isolation.level": "read_uncommitted", "log_level": 3})
    try:
        hws = {}
        for p in range(partitions):
            hws[p] = wait_for(lambda p=p: c.get_watermark_offsets(
                TopicPartition(topic, p), timeout=5, cached=False), timeout,
                "the high watermark of %s-%d" % (topic, p))[1]
        c.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
        out = {p: [] for p in range(partitions)}
        deadline = time.monotonic() + timeout
        while any((out[p][-1][0] + 1 if out[p] else 0) < hws[p] for p in out):
            if time.monotonic() > deadline:
                raise TestFailure("final read incomplete after %.0fs: have %s of %s" % (
                    timeout, {p: len(r) for p, r in out.items()}, hws))
            msg = c.poll(0.5)
            if msg is None or msg.error():
                continue
            if msg.offset() < hws[msg.partition()]:
                out[msg.partition()].append((msg.offset(), msg.value().decode()))
        return out, hws
    finally:
        c.close()


def compare_replicas(cluster, topic, partitions, hws):
    """Replica divergence below the high watermark, from each broker's
    segment files (the batches must be identical bytes on every replica).
    Returns a list of descriptions (empty when all agree)."""
    diffs = []
    for p in range(partitions):
        logs = {i: batches_below(read_batches(b.partition_dir(topic, p)), hws[p])
                for i, b in cluster.brokers.items()}
        ref_id = min(logs)
        ref = logs[ref_id]
        for i, batches in logs.items():
            if i == ref_id:
                continue
            if [b[2] for b in batches] != [b[2] for b in ref]:
                n = next((k for k, (a, b) in enumerate(zip(batches, ref)) if a[2] != b[2]),
                         min(len(batches), len(ref)))
                diffs.append("%s-%d: broker %d and broker %d differ below hw %d: %d vs %d "
                             "batches, first difference at batch %d" % (
                                 topic, p, i, ref_id, hws[p], len(batches), len(ref), n))
        last = max((b[1] for b in ref), default=-1)
        if last + 1 != hws[p]:
            diffs.append("%s-%d: broker %d's batches end at %d, hw is %d"
                         % (topic, p, ref_id, last + 1, hws[p]))
    return diffs


def create_topic(bootstrap, topic, partitions, rf, config, timeout=30.0):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    fut = admin.create_topics([NewTopic(topic, partitions, rf, config=config)],
                              request_timeout=timeout)[topic]
    fut.result(timeout=timeout)


# -- the campaign's background workers --------------------------------------

class Workers:
    """Producers, a live consumer, an HW + leadership poller; each a thread."""

    def __init__(self, cluster, topic, partitions, history, acks, rate):
        self.cluster = cluster
        self.topic = topic
        self.partitions = partitions
        self.history = history
        self.stop_sending = threading.Event()
        self.stop_all = threading.Event()
        boot = cluster.bootstrap(sorted(cluster.brokers))
        # librdkafka requires acks=all with idempotence (the acks=1
        # negative control runs two plain producers).
        self.producers = [RecordingProducer("p0", boot, history, acks == "all", acks, partitions),
                          RecordingProducer("p1", boot, history, False, acks, partitions)]
        self.rate = rate
        self.threads = []
        self.leaders = {}
        self.failovers = 0
        self.lock = threading.Lock()
        self.errors = []

    def _guard(self, func):
        def run():
            try:
                func()
            except Exception:
                self.errors.append(traceback.format_exc())
        return run

    def start(self):
        for prod in self.producers:
            self.threads.append(threading.Thread(target=self._guard(lambda p=prod: self._produce(p))))
        self.threads.append(threading.Thread(target=self._guard(self._consume)))
        self.threads.append(threading.Thread(target=self._guard(self._poll_hw)))
        for t in self.threads:
            t.daemon = True
            t.start()

    def _produce(self, prod):
        period = 1.0 / self.rate
        due = time.monotonic()
        while not self.stop_sending.is_set():
            # Bounded in flight: a stuck cluster must not grow the queue.
            if prod.outstanding < 200:
                prod.send(self.topic)
            due += period
            while time.monotonic() < due:
                prod.producer.poll(max(0.0, due - time.monotonic()))
        prod.flush(30)

    def _consume(self):
        boot = self.cluster.bootstrap(sorted(self.cluster.brokers))
        c = Consumer({"bootstrap.servers": boot, "group.id": "live-" + uuid.uuid4().hex,
                      "enable.auto.commit": False, "auto.offset.reset": "earliest",
                      "topic.metadata.refresh.interval.ms": 1000, "log_level": 3})
        c.assign([TopicPartition(self.topic, p, 0) for p in range(self.partitions)])
        self.history.add(process="c0", type="ok", f="seek")
        try:
            while not self.stop_all.is_set():
                msg = c.poll(0.2)
                if msg is None:
                    continue
                if msg.error():
                    self.history.add(process="c0", type="info", f="poll",
                                     error=msg.error().name())
                    continue
                self.history.add(process="c0", type="ok", f="poll", partition=msg.partition(),
                                 offset=msg.offset(), value=msg.value().decode())
        finally:
            c.close()

    def _poll_hw(self):
        """Every 0.5 s: Metadata v7 from one live broker (leader and leader
        epoch per partition), then ListOffsets(latest) from each live
        leader: the high watermark. Both by hand with bounded socket
        timeouts: librdkafka's get_watermark_offsets blocked for good once
        a leader was killed, which silently stopped this poller (no hw ops,
        no failovers counted after the first fault)."""
        while not self.stop_all.is_set():
            parts = self._poll_leaders()
            alive = set(self.cluster.alive_ids())
            by_leader = {}
            for p, info in parts.items():
                # Skip a stale view (a lower leader epoch than already
                # observed, e.g. from a resumed zombie leader answering for
                # itself): its HW is not the partition's.
                with self.lock:
                    newest = self.leaders.get(p, (None, -1))[1]
                if (isinstance(info, dict) and info.get("leader", -1) in alive
                        and info.get("leader_epoch", -1) >= newest):
                    by_leader.setdefault(info["leader"], []).append(p)
            for leader, ps in sorted(by_leader.items()):
                b = self.cluster.broker(leader)
                try:
                    offs = list_offsets_latest(b.host, b.port, self.topic, sorted(ps))
                except Exception:
                    continue
                for p in sorted(offs):
                    err, hw = offs[p]
                    if err == 0 and hw >= 0:
                        self.history.add(process="hw", type="ok", f="hw", partition=p,
                                         offset=hw, leader=leader)
            self.stop_all.wait(0.5)

    def _poll_leaders(self):
        """Count failovers: each observed change of (leader, leader_epoch)
        of a partition to a higher epoch with a live leader (Metadata v7).
        Returns the partitions' view ({} when no broker answered)."""
        for via in self.cluster.alive_ids():
            b = self.cluster.broker(via)
            try:
                parts = metadata_v7(b.host, b.port, [self.topic], timeout=3.0).get(self.topic, {})
            except Exception:
                continue
            for p, info in parts.items():
                if not isinstance(info, dict) or info.get("leader", -1) < 0:
                    continue
                now = (info["leader"], info["leader_epoch"])
                with self.lock:
                    old = self.leaders.get(p)
                    if old is not None and now[1] > old[1]:
                        self.failovers += 1
                        self.history.add(process="meta", type="ok", f="leader", partition=p,
                                         leader=now[0], epoch=now[1], was=old[0],
                                         was_epoch=old[1])
                    if old is None or now[1] > old[1]:
                        self.leaders[p] = now
            return parts
        return {}

    def leader_changes(self):
        with self.lock:
            return self.failovers

    def finish(self, timeout=60):
        self.stop_sending.set()
        for t in self.threads[:len(self.producers)]:
            t.join(timeout)

    def close(self):
        self.stop_sending.set()
        self.stop_all.set()
        for t in self.threads:
            t.join(30)


# -- the nemesis ------------------------------------------------------------

FAULTS = ("kill-leader", "pause-leader", "kill-follower", "isolate-leader")


def one_fault(rng, kinds, session_s):
    kind = rng.choice(kinds)
    length = round(rng.uniform(5.0, 12.0), 1)
    if kind == "pause-leader":
        length = max(length, round(session_s + 3.0, 1))   # past the session timeout
    rest = round(rng.uniform(3.0, 6.0), 1)
    return (kind, rng.randrange(3), length, rest)


def make_schedule(rng, duration, kinds, session_s):
    """A seeded list of faults: (kind, partition, fault seconds, rest seconds),
    `duration` seconds in all; each kind at least once when it fits."""
    schedule = []
    total = 0.0
    todo = list(kinds)
    rng.shuffle(todo)
    while total < duration:
        fault = one_fault(rng, kinds, session_s)
        if todo:
            fault = (todo.pop(),) + fault[1:]
            if fault[0] == "pause-leader":
                fault = fault[:2] + (max(fault[2], round(session_s + 3.0, 1)),) + fault[3:]
        schedule.append(fault)
        total += fault[2] + fault[3]
    return schedule


LEADER_FAULTS = ("kill-leader", "pause-leader", "isolate-leader")


def unclean_acks1(cluster, topic, partition, history, log, pause_s=4.0):
    """Negative control acks1, deterministic: pause (SIGSTOP) both followers
    of `partition` until its leader drops them from the ISR, keep the
    acks=1 producers writing for `pause_s` more seconds (acknowledged by
    the leader alone), kill -9 the leader and resume the followers: with no
    ISR member live the controller must elect a follower uncleanly, and
    the acknowledged tail is gone. Returns a description."""
    info = cluster.partitions_v7(topic).get(partition)
    check(info and info["leader"] >= 0, "acks1: no leader for %s-%d: %s" % (topic, partition, info))
    leader = info["leader"]
    followers = [r for r in info["replicas"] if r != leader]
    history.add(process="nemesis", type="invoke", f="unclean-acks1", broker=leader,
                partition=partition, followers=followers)
    for f in followers:
        cluster.pause(f)
    log("acks1: paused followers %s of %s-%d (leader %d)" % (followers, topic, partition, leader))
    lb = cluster.broker(leader)
    shrunk = wait_for(lambda: (lambda i: i if i and i["isr"] == [leader] else None)(
        metadata_v7(lb.host, lb.port, [topic], timeout=3.0).get(topic, {}).get(partition)),
        30.0, "the leader %d to drop its paused followers from the ISR" % leader)
    log("acks1: ISR of %s-%d is %s; producing acks=1 for %.1fs more"
        % (topic, partition, shrunk["isr"], pause_s))
    time.sleep(pause_s)
    cluster.kill9(leader)
    for f in followers:
        cluster.resume(f)
    log("acks1: killed leader %d, resumed %s" % (leader, followers))
    new = cluster.wait_leader_not(topic, partition, leader, timeout=60.0)
    log("acks1: unclean election: %s-%d leader %d epoch %d isr %s"
        % (topic, partition, new["leader"], new["leader_epoch"], new["isr"]))
    history.add(process="nemesis", type="ok", f="unclean-acks1", broker=leader,
                partition=partition, new_leader=new["leader"])
    time.sleep(3)
    cluster.restart(leader)
    return "leader %d -> %d" % (leader, new["leader"])


class Netns:
    """nftables rules in the private network namespace the campaign runs in."""

    TABLE = "caudal_campaign"

    def __init__(self):
        self.ok = False
        self.why = ""

    def setup(self):
        if os.environ.get("CAUDAL_CAMPAIGN_NETNS") != "1":
            self.why = "not running in a private network namespace"
            return False
        if not shutil.which("nft"):
            self.why = "nft not installed (Debian package nftables)"
            return False
        r = subprocess.run(["nft", "add table inet %s; add chain inet %s input "
                            "{ type filter hook input priority 0 ; }" % (self.TABLE, self.TABLE)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            self.why = "nft refused: %s" % r.stderr.strip()
            return False
        self.ok = True
        return True

    def drop_to(self, address):
        subprocess.run(["nft", "add rule inet %s input ip daddr %s drop" % (self.TABLE, address)],
                       check=True)

    def heal(self):
        if self.ok:
            subprocess.run(["nft", "flush chain inet %s input" % self.TABLE], check=True)


def reexec_in_netns():
    """Run this script again inside `unshare -n` (a private network
    namespace with only a loopback) so that nftables rules touch nothing
    else. Returns the child's exit status, or None when unshare refused."""
    if os.environ.get("CAUDAL_CAMPAIGN_NETNS") == "1" or not shutil.which("unshare"):
        return None
    probe = subprocess.run(["unshare", "-n", "ip", "link", "set", "lo", "up"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        print("# partition nemesis off: unshare -n refused (%s)" % probe.stderr.strip())
        return None
    env = dict(os.environ, CAUDAL_CAMPAIGN_NETNS="1")
    cmd = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$0" "$@"',
           sys.executable] + sys.argv
    return subprocess.call(cmd, env=env)


def run_fault(cluster, topic, fault, netns, history, log):
    kind, partition, length, rest = fault
    info = cluster.partition(topic, partition)
    check(info is not None, "no metadata for %s-%d" % (topic, partition))
    leader = info["leader"]
    if kind == "kill-follower":
        followers = [r for r in info["replicas"] if r != leader and r in cluster.alive_ids()]
        target = followers[0] if followers else leader
    else:
        target = leader
    check(target in cluster.alive_ids(), "fault target %s not alive" % target)
    history.add(process="nemesis", type="invoke", f=kind, broker=target, partition=partition)
    log("%s: broker %d (partition %d) for %.1fs" % (kind, target, partition, length))
    if kind in ("kill-leader", "kill-follower"):
        cluster.kill9(target)
        time.sleep(length)
        cluster.restart(target)
    elif kind == "pause-leader":
        cluster.pause(target)
        time.sleep(length)
        cluster.resume(target)
    elif kind == "isolate-leader":
        cluster.broker(target).isolated = True
        netns.drop_to(cluster.host_of(target))
        time.sleep(length)
        netns.heal()
        cluster.broker(target).isolated = False
    history.add(process="nemesis", type="ok", f=kind, broker=target, partition=partition)
    time.sleep(rest)


def heal_all(cluster, netns):
    netns.heal()
    for i, b in cluster.brokers.items():
        b.isolated = False
        if b.paused:
            cluster.resume(i)
    for i, b in cluster.brokers.items():
        if b.proc is None:
            cluster.restart(i)


def cut_logs(cluster, topic, partition):
    """Negative control 'cut': stop every broker, cut partition's last
    segment on every replica to half its batches, start them again: the
    acknowledged tail is gone everywhere (the checker must say lost)."""
    for i in list(cluster.brokers):
        cluster.kill9(i)
    for b in cluster.brokers.values():
        d = b.partition_dir(topic, partition)
        segs = sorted(n for n in os.listdir(d) if n.endswith(".log"))
        batches = read_batches(d)
        if not segs or not batches:
            continue
        keep = batches[:len(batches) // 2]
        size = sum(len(x[2]) for x in keep)
        for name in segs[1:]:
            os.unlink(os.path.join(d, name))
        with open(os.path.join(d, segs[0]), "r+b") as f:
            f.truncate(size)
        for name in os.listdir(d):
            if name.endswith(".index") or name.endswith(".timeindex"):
                os.unlink(os.path.join(d, name))
    for i in list(cluster.brokers):
        cluster.restart(i)


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=75.0, help="seconds of faults (default 75)")
    ap.add_argument("--seed", type=int, default=None, help="nemesis seed (default: random)")
    ap.add_argument("--failovers", type=int, default=3,
                    help="keep injecting leader faults past --duration until at least this "
                         "many leader changes were observed (default 3; hard cap "
                         "--failover-cap extra faults)")
    ap.add_argument("--failover-cap", type=int, default=12,
                    help="at most this many extra leader faults for --failovers (default 12)")
    ap.add_argument("--rate", type=float, default=50.0, help="sends per second per producer")
    ap.add_argument("--partitions", type=int, default=3)
    ap.add_argument("--brokers", type=int, default=3,
                    help="cluster size (1 only to exercise the harness itself)")
    ap.add_argument("--faults", default=",".join(FAULTS),
                    help="comma-separated subset of %s" % ",".join(FAULTS))
    ap.add_argument("--zk", choices=("standalone", "ensemble"), default="standalone")
    ap.add_argument("--negative-control", nargs="?", const="acks1", choices=("acks1", "cut"),
                    help="acks1: acks=1, min.insync.replicas=1, unclean election on; both "
                         "followers of partition 0 paused out of the ISR, the leader killed "
                         "(no random faults); cut: the normal campaign, then the logs of "
                         "partition 0 cut on every replica. Passes only if the checker "
                         "reports lost writes.")
    ap.add_argument("--history", help="where to write the history JSON")
    ap.add_argument("--quiesce-timeout", type=float, default=90.0)
    ap.add_argument("--no-netns", action="store_true", help="do not re-run under unshare -n")
    return ap.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1 << 31)
        argv = argv + ["--seed", str(args.seed)]
    kinds = [k.strip() for k in args.faults.split(",") if k.strip()]
    for k in kinds:
        check(k in FAULTS, "unknown fault %r" % k)
    if args.negative_control == "acks1":
        kinds = ["unclean-acks1"]
    if "isolate-leader" in kinds and not args.no_netns:
        sys.argv = [sys.argv[0]] + argv
        status = reexec_in_netns()
        if status is not None:
            return status
    return campaign(args, kinds)


def campaign(args, kinds):
    def log(msg):
        print("# [%6.1fs] %s" % (time.monotonic() - t0, msg))
        sys.stdout.flush()

    t0 = time.monotonic()
    negative = args.negative_control
    # acks1 pauses followers until they leave the ISR (replica.lag.time.max.ms
    # 2000): their ZooKeeper sessions must outlive that.
    session_ms = 12000 if negative == "acks1" else 4000
    rf = min(3, args.brokers)
    netns = Netns()
    if "isolate-leader" in kinds and not netns.setup():
        print("# partition nemesis skipped: %s" % netns.why)
        kinds = [k for k in kinds if k != "isolate-leader"]
    if not kinds:
        kinds = ["kill-leader"]
    rng = random.Random(args.seed)
    if negative == "acks1":
        schedule = [("unclean-acks1", 0, 4.0, 3.0)]
    else:
        schedule = make_schedule(rng, args.duration, kinds, session_ms / 1000.0)
    print("# seed %d; faults %s; negative control: %s" % (args.seed, ",".join(kinds), negative))
    print("# schedule: %s" % json.dumps(schedule))
    overrides = {
        "default.replication.factor": "3",
        "min.insync.replicas": "1" if negative == "acks1" else str(min(2, rf)),
        "unclean.leader.election.enable": "true" if negative == "acks1" else "false",
        "replica.lag.time.max.ms": "2000" if negative == "acks1" else "3000",
        "replica.fetch.wait.max.ms": "100",
        "auto.leader.rebalance.enable": "false",
    }
    topic_config = {"min.insync.replicas": overrides["min.insync.replicas"],
                    "unclean.leader.election.enable": overrides["unclean.leader.election.enable"]}
    acks = "1" if negative == "acks1" else "all"
    history = History()
    out_dir = os.environ.get("MESON_BUILD_ROOT", os.getcwd())
    hist_path = args.history or os.path.join(out_dir, "campaign-%d%s.json"
                                             % (args.seed, "-" + negative if negative else ""))
    topic = "campaign-%s" % uuid.uuid4().hex[:8]
    overrides["default.replication.factor"] = str(rf)
    cluster = Cluster(args.brokers, overrides=overrides, zk=args.zk, session_ms=session_ms,
                      hosts=netns.ok)
    workers = None
    result = {"seed": args.seed, "schedule": schedule, "negative_control": negative,
              "topic": topic, "kinds": kinds}
    try:
        try:
            cluster.start()
            log("cluster up: %s" % cluster.bootstrap())
            create_topic(cluster.bootstrap(), topic, args.partitions, rf, topic_config)
            cluster.wait_topic_healthy(topic, args.partitions, rf, timeout=60)
            log("topic %s: %s" % (topic, cluster.topic(topic)))
        except Exception as exc:
            print("not ok - campaign setup: %s" % str(exc).splitlines()[0])
            print("\n".join("# " + l for l in str(exc).splitlines()[1:40]))
            print("\n".join("# " + l for l in cluster.log_tails(20).splitlines()))
            return 2
        workers = Workers(cluster, topic, args.partitions, history, acks, args.rate)
        workers.start()
        time.sleep(3)
        fault_errors = []
        leader_kinds = [k for k in kinds if k in LEADER_FAULTS] or ["kill-leader"]
        extra = 0
        t_faults = time.monotonic()
        fault_iter = iter(schedule)
        done = []
        while True:
            fault = next(fault_iter, None)
            if fault is None and negative != "acks1":
                have = workers.leader_changes()
                if have >= args.failovers:
                    break
                if extra >= args.failover_cap:
                    log("failover cap reached: %d extra leader faults, %d leader changes "
                        "observed, %d wanted" % (extra, have, args.failovers))
                    fault_errors.append("only %d leader changes observed after %d extra "
                                        "leader faults (cap %d); wanted %d"
                                        % (have, extra, args.failover_cap, args.failovers))
                    break
                extra += 1
                fault = one_fault(rng, leader_kinds, session_ms / 1000.0)
                log("%d leader changes observed, %d wanted: extra leader fault %d (cap %d)"
                    % (have, args.failovers, extra, args.failover_cap))
            if fault is None:
                break
            done.append(fault)
            try:
                if fault[0] == "unclean-acks1":
                    unclean_acks1(cluster, topic, fault[1], history, log, fault[2])
                    time.sleep(fault[3])
                else:
                    run_fault(cluster, topic, fault, netns, history, log)
            except Exception as exc:
                # A fault that cannot be applied (no leader to target, a
                # broker that does not restart) is a finding; heal, go on.
                fault_errors.append("%s: %s" % (fault, str(exc).splitlines()[0]))
                log("fault %s failed: %s" % (fault, str(exc).splitlines()[0]))
                try:
                    heal_all(cluster, netns)
                except Exception as exc2:
                    fault_errors.append("heal: %s" % str(exc2).splitlines()[0])
        fault_secs = time.monotonic() - t_faults
        log("faults over after %.0fs; healing" % fault_secs)
        heal_all(cluster, netns)
        workers.finish()
        quiesced = True
        try:
            cluster.wait_topic_healthy(topic, args.partitions, rf, timeout=args.quiesce_timeout)
            log("quiesced: %s" % cluster.topic(topic))
        except Exception as exc:
            quiesced = False
            fault_errors.append("quiesce: %s" % str(exc).splitlines()[0])
            log("did not quiesce: %s" % str(exc).splitlines()[0])
        if negative == "cut":
            cut_logs(cluster, topic, 0)
            cluster.wait_topic_healthy(topic, args.partitions, rf, timeout=args.quiesce_timeout)
        time.sleep(2)
        workers.close()
        final, hws = final_read(cluster.bootstrap(), topic, args.partitions)
        diffs = compare_replicas(cluster, topic, args.partitions, hws) if quiesced else []
        ops = history.snapshot()
        report = campaign_checker.check(ops, final, diffs)
        result.update({"history": ops, "final": {str(p): r for p, r in final.items()},
                       "hw": hws, "replica_diffs": diffs, "fault_errors": fault_errors,
                       "failovers": workers.leader_changes(), "worker_errors": workers.errors,
                       "report": {k: v for k, v in report.items()}})
        failovers = workers.leader_changes()
        result["schedule_run"] = done
        c = report["counts"]
        print("# seed %d, %d faults (%d extra for --failovers %d, cap %d), "
              "failovers observed (leader changes) %d"
              % (args.seed, len(done), extra, args.failovers, args.failover_cap, failovers))
        for line in campaign_checker.summary(report):
            print("# " + line)
        for e in fault_errors + workers.errors:
            print("# problem: " + e.strip().replace("\n", "\n#   "))
        print("# history: %s" % hist_path)
        lost = len(report["lost"])
        print("# summary: seed %d duration %.0fs faults %d (%s) failovers %d sends ok %d "
              "fail %d info %d lost %d verdict %s"
              % (args.seed, fault_secs, len(done), ",".join(sorted({f[0] for f in done})), failovers, c["ok"], c["fail"], c["info"],
                 lost, "VALID" if report["valid"] else "INVALID"))
        if negative:
            ok = lost > 0
            if ok:
                print("# negative control: loss detected, as expected")
            print("%s - negative control (%s): the checker %s" % (
                "ok" if ok else "not ok", negative,
                "found %d lost writes" % lost if ok else "found NO loss: it has no teeth"))
            return 0 if ok else 1
        ok = report["valid"] and quiesced and not workers.errors
        print("%s - campaign seed %d: %s" % ("ok" if ok else "not ok", args.seed,
                                              "no safety anomaly" if ok else "see above"))
        if not ok:
            print("\n".join("# " + l for l in cluster.log_tails(15).splitlines()))
        return 0 if ok else 1
    finally:
        if workers is not None:
            workers.close()
        try:
            with open(hist_path, "w") as f:
                json.dump(result, f, default=str)
        except OSError as exc:
            print("# could not write %s: %s" % (hist_path, exc))
        netns.heal()
        cluster.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
