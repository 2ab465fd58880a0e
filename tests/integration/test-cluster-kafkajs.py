#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""kafkajs 2.2.4 against a 3-broker cluster through broker failures (issue 9).

ZooKeeper and three caudald (zookeeper.session.timeout.ms=4000,
auto.leader.rebalance.enable=false, group.initial.rebalance.delay.ms=0,
offsets.topic.num.partitions=10). test-cluster-kafkajs.js (node,
NODE_PATH=tests/clients/node_modules) creates an RF 3, 3-partition topic
with admin.createTopics (waitForLeaders), then runs an idempotent producer
(acks -1, maxInFlightRequests 1, generous retry) sending a unique value to
every partition every ~20 ms and a consumer group member (fromBeginning,
committing after each batch), and records every acknowledged send and
every consumed record in a manifest; it tells this script how far it got
through a status file. Meanwhile: kill -9 of partition 0's leader (a
member of its ISR leads next with a higher epoch and partition 0 takes
acknowledged writes again), its restart until every ISR is full, then
kill -9 of the group's coordinator (a survivor becomes coordinator and the
group commits again) and its restart. Then the producer stops and the
consumer drains. Checks: a fresh confluent_kafka consumer (assign, no
group) finds every acknowledged value exactly once, at its acknowledged
(partition, offset) (campaign_checker.py: nothing lost, no offset with two
values, no duplicate, idempotent order); the group consumed every
acknowledged value (duplicates allowed, counted) and nothing that was
never sent; after each rejoin it resumed no lower than its last
acknowledged commit (the coordinator's kill -9 lost no commit); the
committed offsets (admin.fetchOffsets) lie between what the member
processed before its last commit and the log end. kafkajs keeps a
member's heartbeats on the coordinator it joined through, so after that
broker dies the consumer crashes once (retries exhausted), restarts and
rejoins: expected, and counted. About 20 s.

Run: CAUDALD=_build/broker/caudald /usr/bin/python3 tests/integration/test-cluster-kafkajs.py
"""

import collections
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import campaign_checker  # noqa: E402
from caudald_fixture import check, check_eq, fail, main  # noqa: E402
from cluster_campaign import final_read  # noqa: E402
from cluster_fixture import Cluster, _Reader, _recv_exact, wait_for  # noqa: E402

NODE = shutil.which("node") or "node"
NODE_PATH = os.environ.get("KAFKAJS_NODE_PATH",
                           os.path.join(HERE, "..", "clients", "node_modules"))
SESSION_MS = 4000
PARTITIONS = 3
OFFSETS_PARTITIONS = 10
FAILOVER_TIMEOUT = SESSION_MS / 1000.0 + 20.0
AFTER_FAILOVER = 20            # acknowledged sends a failover must be followed by


# -- FindCoordinator by hand (the group's coordinator, as every broker sees it)

def _string(s):
    b = s.encode()
    return struct.pack(">h", len(b)) + b


def find_coordinator(broker, group, timeout=5.0):
    """FindCoordinator v1 (key_type group) to one broker: (error, node_id)."""
    body = struct.pack(">hhi", 10, 1, 9) + _string("caudal-it") + _string(group) + b"\x00"
    with socket.create_connection((broker.host, broker.port), timeout=timeout) as s:
        s.sendall(struct.pack(">i", len(body)) + body)
        size = struct.unpack(">i", _recv_exact(s, 4))[0]
        r = _Reader(_recv_exact(s, size))
    check(r.take(">i") == 9, "FindCoordinator: wrong correlation id")
    r.take(">i")                                        # throttle_time_ms
    error = r.take(">h")
    r.string()                                          # error_message
    return error, r.take(">i")


def agreed_coordinator(cluster, group, last):
    """The node every live broker names as the group's coordinator, when
    they agree on a live one; else None (last[0] says what they answered)."""
    alive = cluster.alive_ids()
    answers = {i: find_coordinator(cluster.broker(i), group) for i in alive}
    last[0] = "FindCoordinator answers (error, node) by broker: %s" % answers
    nodes = {a[1] for a in answers.values()}
    if all(a[0] == 0 for a in answers.values()) and len(nodes) == 1 and nodes <= set(alive):
        return nodes.pop()
    return None


# -- the kafkajs script ----------------------------------------------------------

class KafkajsScript:
    """test-cluster-kafkajs.js under node, with its status, stop and
    manifest files in a temporary directory."""

    def __init__(self, cluster, topic, group):
        self.cluster = cluster
        self.topic = topic
        self.group = group
        self.dir = tempfile.mkdtemp(prefix="caudal-it-kjs-cluster-")
        self.status_path = os.path.join(self.dir, "status.json")
        self.stop_path = os.path.join(self.dir, "stop")
        self.manifest_path = os.path.join(self.dir, "manifest.json")
        self.stdout_path = os.path.join(self.dir, "stdout")
        self.stderr_path = os.path.join(self.dir, "stderr")
        self.proc = None
        self.relayed = False

    def start(self):
        check(os.path.isdir(os.path.join(NODE_PATH, "kafkajs")),
              "kafkajs is not installed in %s (run `npm ci` in tests/clients)" % NODE_PATH)
        env = dict(os.environ, NODE_PATH=os.path.abspath(NODE_PATH),
                   BOOTSTRAP=self.cluster.bootstrap(), TOPIC=self.topic, GROUP=self.group,
                   PARTITIONS=str(PARTITIONS), STATUS=self.status_path, STOP=self.stop_path,
                   MANIFEST=self.manifest_path)
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen([NODE, os.path.join(HERE, "test-cluster-kafkajs.js")],
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                         env=env)

    def status(self):
        try:
            with open(self.status_path) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def wait(self, predicate, timeout, what):
        """Wait until predicate(status) holds; fails with the last status
        (and at once if node exited)."""
        last = ["no status yet"]

        def ready():
            st = self.status()
            last[0] = "status %s" % st
            if st and predicate(st):
                return st
            if self.proc.poll() is not None:
                fail("test-cluster-kafkajs.js exited %d while waiting for %s; %s\n%s"
                     % (self.proc.returncode, what, last[0], self.output_tail()))
            return None
        return wait_for(ready, timeout, what, last, interval=0.1)

    def stop(self, timeout):
        """Create the stop file and wait for node to exit; its exit status."""
        with open(self.stop_path, "w"):
            pass
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            fail("test-cluster-kafkajs.js did not finish within %.0fs of the stop file; "
                 "status %s\n%s" % (timeout, self.status(), self.output_tail()))

    def manifest(self):
        with open(self.manifest_path) as f:
            return json.load(f)

    def output_tail(self, lines=40):
        parts = []
        for name, path in (("stdout", self.stdout_path),
                           ("stderr (kafkajs log)", self.stderr_path)):
            try:
                with open(path, "rb") as f:
                    text = f.read().decode("utf-8", "replace").splitlines()
            except OSError:
                text = []
            parts.append("--- node %s, last %d of %d lines:" % (name, min(lines, len(text)),
                                                                len(text)))
            parts.extend(text[-lines:])
        return "\n".join(parts)

    def relay(self, failed):
        """Print node's stdout (and, after a failure, its stderr tail) as
        TAP comments, once."""
        if self.relayed:
            return
        self.relayed = True
        try:
            with open(self.stdout_path, "rb") as f:
                for line in f.read().decode("utf-8", "replace").splitlines():
                    print("# kafkajs: " + line.lstrip("# "))
            if failed:
                with open(self.stderr_path, "rb") as f:
                    for line in f.read().decode("utf-8", "replace").splitlines()[-60:]:
                        print("# kafkajs stderr: " + line)
        except OSError:
            pass

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


# -- the test -----------------------------------------------------------------

def history_from(manifest):
    """The manifest as a campaign_checker history: the producer's sends
    (invoke, then ok with the acknowledged offset or info when kafkajs
    gave up: unknown outcome), the group member's records as polls, each
    group join as a seek (a new generation restarts from the committed
    offsets)."""
    ops = []
    for seq, p, value in manifest["sends"]:
        ops.append({"process": "kjs", "type": "invoke", "f": "send", "value": value,
                    "producer": "kjs", "seq": seq, "idempotent": True, "partition": p})
    for p, offset, value, seq in manifest["acked"]:
        ops.append({"process": "kjs", "type": "ok", "f": "send", "value": value,
                    "producer": "kjs", "seq": seq, "idempotent": True, "partition": p,
                    "offset": offset})
    for p, value, seq, error in manifest["failed"]:
        ops.append({"process": "kjs", "type": "info", "f": "send", "value": value,
                    "producer": "kjs", "seq": seq, "idempotent": True, "partition": p,
                    "error": error})
    for ev in manifest["events"]:
        if ev[0] == "join":
            ops.append({"process": "kjs-group", "type": "ok", "f": "seek"})
        elif ev[0] == "m":
            _, p, offset, value = ev
            ops.append({"process": "kjs-group", "type": "ok", "f": "poll", "partition": p,
                        "offset": offset, "value": value})
    return ops


def body(runner):
    cluster = Cluster(3, session_ms=SESSION_MS, overrides={
        "auto.leader.rebalance.enable": "false",
        "group.initial.rebalance.delay.ms": "0",
        "offsets.topic.num.partitions": str(OFFSETS_PARTITIONS)})
    topic = "kjs-cluster-%s" % uuid.uuid4().hex[:8]
    group = "kjs-cluster-g-%s" % uuid.uuid4().hex[:8]
    script = KafkajsScript(cluster, topic, group)
    state = {"kills": 0, "leader_changes": 0, "coordinator_moves": 0}

    def wait_all_healthy():
        cluster.wait_topic_healthy(topic, PARTITIONS, 3, timeout=45)
        cluster.wait_topic_healthy("__consumer_offsets", OFFSETS_PARTITIONS, 3, timeout=45)

    def kill9(node_id, why):
        """kill -9 one broker; returns the topic's v7 view from before."""
        before = cluster.partitions_v7(topic)
        cluster.kill9(node_id)
        state["kills"] += 1
        print("# %.1fs: kill -9 of broker %d (%s); kafkajs status %s"
              % (time.monotonic() - state["t0"], node_id, why, script.status()))
        return before

    def count_leader_changes(before, killed):
        moved = [p for p, info in before.items() if info["leader"] == killed]
        for p in moved:
            cluster.wait_leader_not(topic, p, killed, timeout=FAILOVER_TIMEOUT)
        state["leader_changes"] += len(moved)
        return moved

    try:
        state["t0"] = time.monotonic()

        def start_cluster():
            cluster.start()

        def kafkajs_creates_topic_and_traffic_flows():
            script.start()
            st = script.wait(lambda s: s.get("phase") == "producing" and min(s["acked"]) >= 10
                             and s["consumedDistinct"] >= 30 and s["commits"] >= 1, 40,
                             "kafkajs producing (10 acks per partition), consuming (30) "
                             "and committing")
            print("# traffic: %s" % st)
            view = cluster.wait_topic_healthy(topic, PARTITIONS, 3, timeout=20)
            for p, info in view.items():
                check_eq(sorted(info["replicas"]), [1, 2, 3], "replicas of partition %d" % p)
            cluster.wait_topic_healthy("__consumer_offsets", OFFSETS_PARTITIONS, 3, timeout=30)

        def kill9_leader_of_partition_0():
            before = cluster.partitions_v7(topic)
            check_eq(before[0]["error"], 0, "partition 0 error before the kill")
            old = before[0]["leader"]
            state["first_killed"] = old
            kill9(old, "leader of partition 0")
            moved = count_leader_changes(before, old)
            after = cluster.partitions_v7(topic)[0]
            print("# partition 0: leader %d (epoch %d) killed; broker %d leads at epoch %d; "
                  "partitions %s moved" % (old, before[0]["leader_epoch"], after["leader"],
                                           after["leader_epoch"], moved))
            check(after["leader"] in before[0]["isr"], "new leader %d not in the old ISR %s"
                  % (after["leader"], before[0]["isr"]))
            check(after["leader_epoch"] > before[0]["leader_epoch"],
                  "leader epoch did not grow: %d -> %d" % (before[0]["leader_epoch"],
                                                           after["leader_epoch"]))
            mark = script.status()["acked"][0]
            script.wait(lambda s: s["acked"][0] >= mark + AFTER_FAILOVER, 30,
                        "%d acknowledged sends to partition 0 after the election (had %d)"
                        % (AFTER_FAILOVER, mark))

        def restart_first_and_wait_healthy():
            cluster.restart(state["first_killed"])
            wait_all_healthy()

        def kill9_group_coordinator():
            last = [None]
            coord = wait_for(lambda: agreed_coordinator(cluster, group, last), 20,
                             "every broker to name the same live coordinator of %s" % group, last)
            state["coordinator"] = coord
            before = kill9(coord, "coordinator of group %s" % group)
            new = wait_for(lambda: (lambda c: c if c not in (None, coord) else None)(
                agreed_coordinator(cluster, group, last)), FAILOVER_TIMEOUT,
                "a live coordinator of %s other than %d" % (group, coord), last)
            state["coordinator_moves"] += 1
            moved = count_leader_changes(before, coord)
            print("# coordinator %d killed: broker %d coordinates now; topic partitions %s "
                  "moved" % (coord, new, moved))
            st = script.status()
            acked = sum(st["acked"])
            script.wait(lambda s: s["commits"] >= st["commits"] + 3
                        and s["consumedDistinct"] >= acked and min(s["acked"]) > min(st["acked"]),
                        40, "the group to commit again and consume the %d values acknowledged "
                        "by the time the coordinator moved, and acks on every partition" % acked)

        def restart_coordinator_and_wait_healthy():
            cluster.restart(state["coordinator"])
            wait_all_healthy()
            # A little traffic with all three brokers back.
            mark = script.status()["acked"]
            script.wait(lambda s: all(a >= m + 5 for a, m in zip(s["acked"], mark)), 20,
                        "5 more acknowledged sends per partition after the restart")

        def stop_producer_and_drain():
            rc = script.stop(timeout=75)
            check_eq(rc, 0, "test-cluster-kafkajs.js exit status\n" + script.output_tail())
            m = script.manifest()
            state["manifest"] = m
            check(m["drainError"] is None, "drain: %s" % m["drainError"])
            check(m["commitWaitError"] is None, "final commit: %s" % m["commitWaitError"])
            check(m["fetchError"] is None, "admin.fetchOffsets: %s" % m["fetchError"])
            logs = sorted(m["logCounts"].items(), key=lambda kv: -kv[1])
            print("# kafkajs log lines by message (%d kinds): %s" % (len(logs), logs[:8]))
            print("# consumer: %d joins, %d crashes %s, %d commits"
                  % (m["joins"], len(m["crashes"]), m["crashes"][:3], m["commits"]))
            check(not m["failed"], "kafkajs gave up on %d sends, e.g. %s"
                  % (len(m["failed"]), m["failed"][:3]))

        def every_acked_value_once_at_its_offset():
            m = state["manifest"]
            final, hws = final_read(cluster.bootstrap(), topic, PARTITIONS, timeout=30)
            state["hws"] = hws
            at = {}
            where = collections.defaultdict(list)
            for p, records in final.items():
                for offset, value in records:
                    at[(p, offset)] = value
                    where[value].append((p, offset))
            bad = []
            for p, offset, value, _ in m["acked"]:
                if at.get((p, offset)) != value or len(where[value]) != 1:
                    bad.append({"value": value, "acked_at": (p, offset),
                                "there": at.get((p, offset)), "read_at": where.get(value)})
            report = campaign_checker.check(history_from(m), final)
            for line in campaign_checker.summary(report):
                print("# " + line)
            check(not bad, "%d acknowledged values not exactly once at their offset, e.g. %s"
                  % (len(bad), bad[:5]))
            check(report["valid"], "campaign_checker found anomalies (see above)")
            check(len(m["acked"]) >= 100, "only %d acknowledged sends" % len(m["acked"]))

        def group_consumed_every_acked_value():
            m = state["manifest"]
            sent = {v for _, _, v in m["sends"]}
            records = [ev[1:] for ev in m["events"] if ev[0] == "m"]
            consumed = collections.Counter(v for _, _, v in records)
            missing = [a for a in m["acked"] if a[2] not in consumed]
            unknown = sorted(v for v in consumed if v not in sent)
            duplicates = len(records) - len(consumed)
            state["summary"] = (len(m["acked"]), len(records), len(consumed), duplicates)
            print("# acked %d, consumed %d (%d distinct), duplicates %d, failovers: %d kills, "
                  "%d topic leader changes, %d coordinator moves"
                  % (len(m["acked"]), len(records), len(consumed), duplicates, state["kills"],
                     state["leader_changes"], state["coordinator_moves"]))
            check(not missing, "the group never consumed %d acknowledged values, e.g. %s"
                  % (len(missing), missing[:5]))
            check(not unknown, "the group consumed %d values never sent, e.g. %s"
                  % (len(unknown), unknown[:5]))

        def rejoined_member_resumes_from_acknowledged_commits():
            # After each join, the first record of a partition comes from
            # its committed offset: never below the last commit the
            # coordinator acknowledged before (kill -9 of the coordinator
            # must not lose it), never above what was processed (a skip).
            m = state["manifest"]
            acked_commit, processed, resumed, joins = {}, {}, [], 0
            pending = None
            for ev in m["events"]:
                if ev[0] == "commit":
                    acked_commit.update({int(p): o for p, o in ev[1].items()})
                elif ev[0] == "join":
                    joins += 1
                    pending = {"join": joins, "floor": dict(acked_commit),
                               "ceiling": {p: o + 1 for p, o in processed.items()}, "first": {}}
                    resumed.append(pending)
                elif ev[0] == "m":
                    _, p, offset, _ = ev
                    if pending is not None and p not in pending["first"]:
                        pending["first"][p] = offset
                    processed[p] = max(processed.get(p, -1), offset)
            bad = []
            for r in resumed:
                print("# join %d: resumed at %s; acknowledged commits before %s"
                      % (r["join"], r["first"], r["floor"]))
                for p, first in r["first"].items():
                    low, high = r["floor"].get(p, 0), r["ceiling"].get(p, 0)
                    if not low <= first <= high:
                        bad.append("join %d, partition %d: resumed at %d, not within [%d (last "
                                   "acknowledged commit), %d (after the last processed)]"
                                   % (r["join"], p, first, low, high))
            check(not bad, "; ".join(bad))
            check(joins >= 1, "the consumer never joined the group")

        def committed_offsets_within_bounds():
            m = state["manifest"]
            hws = state["hws"]
            fetched = {int(p): o for p, o in m["fetchedOffsets"].items()}
            processed = {int(p): o for p, o in m["maxProcessedBeforeFinalCommit"].items()}
            print("# committed (fetchOffsets) %s; processed up to %s; log ends %s"
                  % (fetched, processed, hws))
            for p in range(PARTITIONS):
                check(p in processed, "the group processed nothing of partition %d" % p)
                check(p in fetched, "no committed offset for partition %d: %s" % (p, fetched))
                check(processed[p] + 1 <= fetched[p] <= hws[p],
                      "partition %d: committed %d not within [%d (after the last processed), "
                      "%d (log end)]" % (p, fetched[p], processed[p] + 1, hws[p]))

        def every_broker_still_running():
            check_eq(cluster.alive_ids(), [1, 2, 3], "live brokers at the end")

        steps = (start_cluster, kafkajs_creates_topic_and_traffic_flows,
                 kill9_leader_of_partition_0, restart_first_and_wait_healthy,
                 kill9_group_coordinator, restart_coordinator_and_wait_healthy,
                 stop_producer_and_drain, every_acked_value_once_at_its_offset,
                 group_consumed_every_acked_value,
                 rejoined_member_resumes_from_acknowledged_commits,
                 committed_offsets_within_bounds,
                 every_broker_still_running)
        for step in steps:
            if runner.failed:
                # Each step needs the ones before: report the rest as not run.
                def skipped():
                    fail("not run: an earlier step failed")
                skipped.__name__ = step.__name__
                runner.run(skipped)
                continue
            runner.run(step)
        if script.proc is not None and script.proc.poll() is None:
            script.proc.kill()
            script.proc.wait()
        script.relay(bool(runner.failed))
        print("# %.1fs in all" % (time.monotonic() - state["t0"]))
        status = runner.finish(*cluster.brokers.values())
        if status:
            for line in cluster.zk.log_tail().splitlines():
                print("# " + line)
        return status
    finally:
        script.close()
        cluster.close()


if __name__ == "__main__":
    main(body)
