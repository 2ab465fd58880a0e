# SPDX-License-Identifier: GPL-3.0-or-later
"""A Caudal cluster for integration tests: ZooKeeper + N caudald (stdlib only).

    with Cluster(3, overrides={"min.insync.replicas": "2"}) as cluster:
        cluster.start()
        cluster.create_topic(...)           # or any admin client
        cluster.wait_topic_healthy("t", partitions=3, rf=3)
        leader = cluster.partition("t", 0)["leader"]
        cluster.kill9(leader)
        cluster.restart(leader)             # retried until its old session expired

- ZooKeeper is standalone (zookeeper_fixture.ZooKeeper) or a 3-node
  ensemble (ZooKeeperEnsemble) with `zk="ensemble"`.
- Brokers have ids 1..N, a temporary data dir each, an ephemeral port, a
  chroot in zookeeper.connect and zookeeper.session.timeout.ms (4000 by
  default). With `hosts=True` broker i listens on 127.0.0.1<i> (127.0.0.11,
  .12, ...) so that a network fault can target one broker's address.
- Metadata comes from kcat -L -J (leader, replicas, isr per partition), and
  from a hand-built Metadata v7 request when the leader epoch is needed
  (kcat does not print it).
- Every wait is bounded and fails saying what it waited for and what it
  saw last. close() kills every process it started (paused ones too), also
  when the test is ended by SIGTERM (meson's timeout).
"""

import json
import os
import signal
import socket
import struct
import subprocess
import time

import caudald_fixture
from caudald_fixture import Broker, check, fail, run
from zookeeper_fixture import ZooKeeper, ZooKeeperEnsemble

# In cluster mode caudald writes its ready file only once registered in
# ZooKeeper; with a loaded machine or an ensemble electing that can take
# longer than a single broker's start.
caudald_fixture.READY_TIMEOUT = max(caudald_fixture.READY_TIMEOUT, 30.0)


def _sigterm_to_exit(signum, frame):
    # Turn meson's SIGTERM (test timeout) into SystemExit so that the
    # finally/with blocks holding the fixtures run and kill the brokers
    # and ZooKeeper instead of leaving them behind.
    raise SystemExit(128 + signum)


signal.signal(signal.SIGTERM, _sigterm_to_exit)


class ClusterBroker(Broker):
    """One caudald of a cluster: a Broker with a node id and a fixed host."""

    def __init__(self, node_id, host, overrides):
        settings = {"node.id": str(node_id), "listeners": "PLAINTEXT://%s:0" % host}
        settings.update(overrides)
        super().__init__(settings, name="broker%d" % node_id)
        self.node_id = node_id
        self.listen_host = host
        self.paused = False
        # Set by a network nemesis while packets to this broker are dropped.
        self.isolated = False

    def partition_dir(self, topic, partition):
        return os.path.join(self.data_dir, "%s-%d" % (topic, partition))


class Cluster:
    """ZooKeeper plus `size` caudald with ids 1..size."""

    def __init__(self, size=3, overrides=None, zk="standalone", session_ms=4000,
                 hosts=False, chroot="/caudal-test"):
        self.size = size
        self.session_ms = session_ms
        self.zk = ZooKeeperEnsemble() if zk == "ensemble" else ZooKeeper()
        self.chroot = chroot
        self.overrides = dict(overrides or {})
        self.hosts = hosts
        self.brokers = {}

    # -- lifecycle -----------------------------------------------------------

    @property
    def zk_connect(self):
        return self.zk.connect_string + self.chroot

    def host_of(self, node_id):
        return "127.0.0.%d" % (10 + node_id) if self.hosts else "127.0.0.1"

    def start(self):
        """Start ZooKeeper, then every broker. Returns self."""
        self.zk.start()
        base = {"zookeeper.connect": self.zk_connect,
                "zookeeper.session.timeout.ms": str(self.session_ms)}
        base.update(self.overrides)
        for i in range(1, self.size + 1):
            self.brokers[i] = ClusterBroker(i, self.host_of(i), base)
        for b in self.brokers.values():
            b.start()
        return self

    def broker(self, node_id):
        return self.brokers[node_id]

    def alive_ids(self):
        """Ids of brokers running, not paused and not cut off the network."""
        return sorted(i for i, b in self.brokers.items()
                      if b.alive() and not b.paused and not b.isolated)

    def bootstrap(self, ids=None):
        """Comma-separated host:port of the live (or the given) brokers."""
        ids = self.alive_ids() if ids is None else ids
        check(ids, "no live broker to bootstrap from")
        return ",".join(self.brokers[i].bootstrap for i in ids)

    def kill9(self, node_id):
        b = self.brokers[node_id]
        if b.paused:
            self.resume(node_id)
        b.kill9()

    def stop(self, node_id):
        """Graceful stop (SIGTERM, exit 0 required)."""
        b = self.brokers[node_id]
        if b.paused:
            self.resume(node_id)
        b.stop()

    def pause(self, node_id):
        b = self.brokers[node_id]
        check(b.alive() and not b.paused, "pause(%d): broker not running" % node_id)
        os.kill(b.proc.pid, signal.SIGSTOP)
        b.paused = True

    def resume(self, node_id):
        b = self.brokers[node_id]
        if b.paused and b.proc is not None:
            os.kill(b.proc.pid, signal.SIGCONT)
        b.paused = False

    def restart(self, node_id, timeout=None):
        """Start a stopped or killed broker on its data dir.

        After kill -9 its old ZooKeeper session lives until it expires, and
        caudald refuses to start with a registered id (as Kafka does); so a
        refusal for that reason is retried until the session timeout plus
        slack has passed. Any other start failure fails at once."""
        b = self.brokers[node_id]
        check(b.proc is None, "restart(%d): broker is still running" % node_id)
        timeout = timeout if timeout is not None else self.session_ms / 1000.0 + 20.0
        deadline = time.monotonic() + timeout
        while True:
            try:
                b.start()
                return b
            except caudald_fixture.TestFailure as exc:
                refused = "already registered" in str(exc)
                if not refused or time.monotonic() > deadline:
                    raise
            time.sleep(0.5)

    def close(self):
        """Kill every broker (resumed first) and ZooKeeper; remove temp dirs."""
        for b in self.brokers.values():
            if b.paused and b.proc is not None:
                try:
                    os.kill(b.proc.pid, signal.SIGCONT)
                except OSError:
                    pass
                b.paused = False
            b.close()
        self.zk.close()

    def log_tails(self, lines=40):
        parts = []
        for b in self.brokers.values():
            parts.append("=== broker %d" % b.node_id)
            parts.append(b.log_tail(lines))
        parts.append(self.zk.log_tail())
        return "\n".join(parts)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # -- metadata ------------------------------------------------------------

    def _via(self, via):
        if via is None:
            alive = self.alive_ids()
            check(alive, "no live broker to ask for metadata")
            via = alive[0]
        return self.brokers[via]

    def metadata(self, via=None):
        """kcat -L -J against one broker (default: the lowest live id).

        Returns {"brokers": [ids], "controller": id,
                 "topics": {topic: {partition: {"leader", "replicas", "isr", "error"}}}}.
        """
        b = self._via(via)
        proc = run(["kcat", "-L", "-J", "-b", b.bootstrap, "-m", "5"], timeout=20)
        meta = json.loads(proc.stdout)
        topics = {}
        for t in meta.get("topics", []):
            parts = {}
            for p in t.get("partitions", []):
                parts[p["partition"]] = {
                    "leader": p.get("leader", -1),
                    "replicas": [r["id"] for r in p.get("replicas", [])],
                    "isr": [r["id"] for r in p.get("isrs", [])],
                    "error": p.get("error"),
                }
            topics[t["topic"]] = parts
        return {"brokers": sorted(x["id"] for x in meta.get("brokers", [])),
                "controller": meta.get("controllerid"), "topics": topics}

    def topic(self, topic, via=None):
        """{partition: {...}} for one topic, from kcat; {} when not listed."""
        return self.metadata(via)["topics"].get(topic, {})

    def partition(self, topic, partition, via=None):
        return self.topic(topic, via).get(partition)

    def partitions_v7(self, topic, via=None):
        """Metadata v7 by hand: {partition: {"error", "leader", "leader_epoch",
        "replicas", "isr", "offline"}} for one topic (KIP-320's leader_epoch,
        which kcat does not print)."""
        b = self._via(via)
        return metadata_v7(b.host, b.port, [topic]).get(topic, {})

    # -- waits ---------------------------------------------------------------

    def topic_health(self, topic, partitions, rf, via=None):
        """(healthy, description): every partition 0..partitions-1 has rf
        replicas, a live leader among them, and an ISR equal to the
        replicas (all of which are alive)."""
        alive = set(self.alive_ids())
        parts = self.topic(topic, via)
        problems = []
        for p in range(partitions):
            info = parts.get(p)
            if info is None:
                problems.append("p%d missing" % p)
                continue
            if len(info["replicas"]) != rf:
                problems.append("p%d replicas %s" % (p, info["replicas"]))
            if info["leader"] not in alive or info["leader"] not in info["replicas"]:
                problems.append("p%d leader %s" % (p, info["leader"]))
            if sorted(info["isr"]) != sorted(info["replicas"]) or not set(info["isr"]) <= alive:
                problems.append("p%d isr %s replicas %s" % (p, info["isr"], info["replicas"]))
        return (not problems, "; ".join(problems) or "healthy")

    def wait_topic_healthy(self, topic, partitions, rf, timeout=60.0, all_brokers=True):
        """Wait until every live broker (or one) reports every partition with
        a live leader and a full ISR. Returns the kcat view of the topic."""
        last = ["nothing yet"]

        def healthy():
            vias = self.alive_ids() if all_brokers else [None]
            for via in vias:
                ok, desc = self.topic_health(topic, partitions, rf, via)
                if not ok:
                    last[0] = "broker %s says %s" % (via, desc)
                    return None
            return self.topic(topic)
        return wait_for(healthy, timeout, "topic %s: every partition with a live leader and "
                        "a full ISR of %d" % (topic, rf), last)

    def wait_leader_not(self, topic, partition, old, timeout=None):
        """Wait until the partition has a live leader other than `old`;
        returns the partition's v7 view (leader, leader_epoch, isr...)."""
        timeout = timeout if timeout is not None else self.session_ms / 1000.0 + 20.0
        last = ["nothing yet"]

        def moved():
            alive = self.alive_ids()
            for via in alive:
                info = self.partitions_v7(topic, via).get(partition)
                last[0] = "broker %d says %s" % (via, info)
                if info is None or info["leader"] == old or info["leader"] not in alive:
                    return None
            return info
        return wait_for(moved, timeout, "a new live leader (not %s) for %s-%d"
                        % (old, topic, partition), last)


def wait_for(predicate, timeout, what, last=None, interval=0.25):
    """Poll predicate() until true; fail after `timeout` saying what was
    awaited, the last exception and last[0] (a description the predicate
    keeps up to date)."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except Exception as exc:
            last_exc = exc
        if time.monotonic() >= deadline:
            extra = ""
            if last and last[0]:
                extra += "; last seen: %s" % last[0]
            if last_exc is not None:
                extra += "; last error: %r" % (last_exc,)
            fail("timed out after %.1fs waiting for %s%s" % (timeout, what, extra))
        time.sleep(interval)


# -- Metadata v7 by hand --------------------------------------------------

class _Reader:
    def __init__(self, buf):
        self.buf = buf
        self.pos = 0

    def take(self, fmt):
        value = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += struct.calcsize(fmt)
        return value[0] if len(value) == 1 else value

    def string(self):
        n = self.take(">h")
        if n < 0:
            return None
        s = self.buf[self.pos:self.pos + n].decode()
        self.pos += n
        return s

    def int32_array(self):
        n = self.take(">i")
        return [self.take(">i") for _ in range(max(n, 0))]


def _recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise OSError("connection closed after %d of %d bytes" % (len(data), n))
        data += chunk
    return data


def metadata_v7(host, port, topics, timeout=10.0):
    """Send Metadata v7 (non-flexible) for `topics` without auto-creation.

    Returns {topic: {partition: {"error", "leader", "leader_epoch",
    "replicas", "isr", "offline"}}}; a topic-level error is kept under
    the key "error" of an empty mapping."""
    client_id = b"caudal-it"
    body = struct.pack(">hhih", 3, 7, 11, len(client_id)) + client_id
    body += struct.pack(">i", len(topics))
    for t in topics:
        name = t.encode()
        body += struct.pack(">h", len(name)) + name
    body += b"\x00"                                     # allow_auto_topic_creation
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(struct.pack(">i", len(body)) + body)
        size = struct.unpack(">i", _recv_exact(s, 4))[0]
        r = _Reader(_recv_exact(s, size))
    check(r.take(">i") == 11, "Metadata v7: wrong correlation id")
    r.take(">i")                                        # throttle_time_ms
    for _ in range(r.take(">i")):                       # brokers
        r.take(">i")
        r.string()
        r.take(">i")
        r.string()
    r.string()                                          # cluster_id
    r.take(">i")                                        # controller_id
    out = {}
    for _ in range(r.take(">i")):
        terr = r.take(">h")
        name = r.string()
        r.take(">b")                                    # is_internal
        parts = {}
        for _ in range(r.take(">i")):
            perr = r.take(">h")
            index = r.take(">i")
            leader = r.take(">i")
            epoch = r.take(">i")
            replicas = r.int32_array()
            isr = r.int32_array()
            offline = r.int32_array()
            parts[index] = {"error": perr, "leader": leader, "leader_epoch": epoch,
                            "replicas": replicas, "isr": isr, "offline": offline}
        if terr and not parts:
            parts = {"error": terr}
        out[name] = parts
    return out


def list_offsets_latest(host, port, topic, partitions, timeout=3.0):
    """ListOffsets v1 (timestamp -1: the high watermark) by hand, to one
    broker, with a bounded socket timeout (librdkafka's
    get_watermark_offsets can block for good while the partition's leader
    is dead). Returns {partition: (error, offset)}."""
    client_id = b"caudal-it"
    name = topic.encode()
    body = struct.pack(">hhih", 2, 1, 12, len(client_id)) + client_id
    body += struct.pack(">ii", -1, 1) + struct.pack(">h", len(name)) + name
    body += struct.pack(">i", len(partitions))
    for p in partitions:
        body += struct.pack(">iq", p, -1)
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(struct.pack(">i", len(body)) + body)
        size = struct.unpack(">i", _recv_exact(s, 4))[0]
        r = _Reader(_recv_exact(s, size))
    check(r.take(">i") == 12, "ListOffsets v1: wrong correlation id")
    out = {}
    for _ in range(r.take(">i")):
        r.string()
        for _ in range(r.take(">i")):
            index = r.take(">i")
            err = r.take(">h")
            r.take(">q")                                # timestamp
            out[index] = (err, r.take(">q"))
    return out


# -- on-disk batches (docs/storage.md) --------------------------------------

def read_batches(partition_dir):
    """[(base_offset, last_offset, bytes)] of every record batch in the
    partition's .log segments, in offset order. A torn tail (a batch cut
    short by kill -9) ends the list."""
    try:
        names = sorted(n for n in os.listdir(partition_dir) if n.endswith(".log"))
    except FileNotFoundError:
        return []
    batches = []
    for name in names:
        with open(os.path.join(partition_dir, name), "rb") as f:
            data = f.read()
        pos = 0
        while pos + 27 <= len(data):
            base, length = struct.unpack_from(">qi", data, pos)
            end = pos + 12 + length
            if length < 49 or end > len(data):
                break
            # baseOffset(8) batchLength(4) partitionLeaderEpoch(4) magic(1)
            # crc(4) attributes(2) lastOffsetDelta(4)
            last_delta = struct.unpack_from(">i", data, pos + 23)[0]
            batches.append((base, base + last_delta, data[pos:end]))
            pos = end
    return batches


def batches_below(batches, high_watermark):
    """The batches wholly below the high watermark."""
    return [b for b in batches if b[1] < high_watermark]
