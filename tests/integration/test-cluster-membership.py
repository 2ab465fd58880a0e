#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cluster membership through ZooKeeper (issue 9, first slice).

One standalone ZooKeeper (zookeeper_fixture.py) and three caudald with
broker ids 1-3 and zookeeper.connect under a chroot. Checked with kcat's
Metadata and a raw DescribeCluster request: every broker lists all three
and the same controller; kill -9 of the controller makes the others
elect a live one and drop the dead one once its session expires; a
broker with a duplicate id exits non-zero saying so; the killed broker
comes back; a controller paused past its session timeout loses its
registration and registers again in a new session when resumed; a
ZooKeeper restart is a lost connection the brokers ride out; a graceful
stop hands the controller over at once.
"""

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from caudald_fixture import Broker, check, check_eq, fail, main, run, wait_until  # noqa: E402
from zookeeper_fixture import ZooKeeper  # noqa: E402

SESSION_MS = 4000
# Expiry takes the session timeout plus up to a tick or two on the
# server; the rest is slack for a loaded 2-core machine.
FAILOVER_TIMEOUT = SESSION_MS / 1000.0 + 11.0


def kcat_metadata(broker):
    """(broker ids, controller id) from kcat -L -J against `broker`."""
    proc = run(["kcat", "-L", "-J", "-b", broker.bootstrap, "-m", "5"], timeout=30)
    meta = json.loads(proc.stdout)
    return sorted(b["id"] for b in meta["brokers"]), meta["controllerid"]


def _compact_string(buf, pos):
    n, pos = _uvarint(buf, pos)
    if n == 0:
        return None, pos
    return buf[pos:pos + n - 1].decode(), pos + n - 1


def _uvarint(buf, pos):
    shift = value = 0
    while True:
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, pos
        shift += 7


def describe_cluster(broker):
    """DescribeCluster v0 (key 60) by hand: (controller id, [(id, host, port)])."""
    client_id = b"cluster-test"
    # Request header v2: key, version, correlation id, client id, no tags;
    # body: include_cluster_authorized_operations=false, no tags.
    body = struct.pack(">hhih", 60, 0, 7, len(client_id)) + client_id + b"\x00" + b"\x00\x00"
    with socket.create_connection((broker.host, broker.port), timeout=10) as s:
        s.sendall(struct.pack(">i", len(body)) + body)
        size = struct.unpack(">i", _recv_exact(s, 4))[0]
        buf = _recv_exact(s, size)
    corr = struct.unpack_from(">i", buf, 0)[0]
    check_eq(corr, 7, "DescribeCluster correlation id")
    pos = 4
    _, pos = _uvarint(buf, pos)                       # header tags (count 0)
    _, error_code = struct.unpack_from(">ih", buf, pos)
    pos += 6
    check_eq(error_code, 0, "DescribeCluster error code")
    _, pos = _compact_string(buf, pos)                # error message
    _, pos = _compact_string(buf, pos)                # cluster id
    controller = struct.unpack_from(">i", buf, pos)[0]
    pos += 4
    n, pos = _uvarint(buf, pos)
    brokers = []
    for _ in range(n - 1):
        node_id = struct.unpack_from(">i", buf, pos)[0]
        pos += 4
        host, pos = _compact_string(buf, pos)
        port = struct.unpack_from(">i", buf, pos)[0]
        pos += 4
        _, pos = _compact_string(buf, pos)            # rack
        _, pos = _uvarint(buf, pos)                   # tags
        brokers.append((node_id, host, port))
    return controller, sorted(brokers)


def _recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            fail("connection closed after %d of %d bytes" % (len(data), n))
        data += chunk
    return data


def cluster_view(brokers):
    """{broker id: (listed ids, controller)} from each running broker."""
    return {b.node_id: kcat_metadata(b) for b in brokers if b.alive()}


def converged(brokers, expected_ids):
    """The common controller once every running broker lists exactly
    expected_ids and names the same live controller; else None."""
    view = cluster_view(brokers)
    controllers = {c for _, c in view.values()}
    if any(ids != expected_ids for ids, _ in view.values()) or len(controllers) != 1:
        return None
    controller = controllers.pop()
    return controller if controller in expected_ids else None


class ClusterBroker(Broker):
    def __init__(self, node_id, zk_connect):
        super().__init__({"node.id": str(node_id), "zookeeper.connect": zk_connect,
                          "zookeeper.session.timeout.ms": str(SESSION_MS)},
                         name="broker%d" % node_id)
        self.node_id = node_id


def body(runner):
    zk = ZooKeeper()
    brokers = []
    state = {}
    try:
        def start_zookeeper():
            zk.start()
        runner.run(start_zookeeper)
        if not zk.alive():
            return runner.finish()
        connect = zk.connect_string + "/caudal-test"
        brokers.extend(ClusterBroker(i, connect) for i in (1, 2, 3))
        for b in brokers:
            if not runner.start(b):
                return runner.finish(*brokers)

        def all_list_three_brokers_and_one_controller():
            state["controller"] = wait_until(lambda: converged(brokers, [1, 2, 3]), 15,
                                             "all brokers to list brokers 1-3 and one controller")
            ports = {b.node_id: b.port for b in brokers}
            for b in brokers:
                ids, controller = kcat_metadata(b)
                check_eq(ids, [1, 2, 3], "broker ids in Metadata from broker %d" % b.node_id)
                check_eq(controller, state["controller"], "controller from broker %d" % b.node_id)
            # Each broker's advertised port, as registered in ZooKeeper.
            meta = json.loads(run(["kcat", "-L", "-J", "-b", brokers[0].bootstrap]).stdout)
            listed = {b["id"]: int(b["name"].rsplit(":", 1)[1]) for b in meta["brokers"]}
            check_eq(listed, ports, "broker ports in Metadata")

        def describe_cluster_matches():
            expected = sorted((b.node_id, b.host, b.port) for b in brokers)
            for b in brokers:
                controller, listed = describe_cluster(b)
                check_eq(listed, expected, "DescribeCluster brokers from broker %d" % b.node_id)
                check_eq(controller, state["controller"], "DescribeCluster controller from broker %d"
                         % b.node_id)

        def duplicate_broker_id_is_refused():
            dup = ClusterBroker(2, connect)
            try:
                cmd = [dup.exe, "--override", "listeners=PLAINTEXT://127.0.0.1:0",
                       "--override", "log.dirs=" + dup.data_dir]
                for key, value in dup.overrides.items():
                    cmd += ["--override", "%s=%s" % (key, value)]
                proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, timeout=30, text=True)
            finally:
                dup.close()
            check(proc.returncode != 0, "a second broker 2 exited %d, expected non-zero\n%s"
                  % (proc.returncode, proc.stderr))
            check("broker.id 2 is already registered" in proc.stderr
                  and "NODEEXISTS" in proc.stderr,
                  "no clear duplicate-id message in:\n%s" % proc.stderr)
            # The original broker 2 is unaffected.
            check_eq(kcat_metadata(brokers[1])[0], [1, 2, 3], "brokers after the refused duplicate")

        def kill9_controller_elects_a_live_one():
            dead = next(b for b in brokers if b.node_id == state["controller"])
            dead.kill9()
            live = sorted(b.node_id for b in brokers if b.alive())
            start = time.monotonic()
            controller = wait_until(lambda: converged(brokers, live), FAILOVER_TIMEOUT,
                                    "a new controller among %s and broker %d gone from Metadata"
                                    % (live, dead.node_id), interval=0.25)
            print("# controller %d killed; broker %d took over after %.1fs (session %d ms)"
                  % (dead.node_id, controller, time.monotonic() - start, SESSION_MS))
            check(controller != dead.node_id, "controller is still the dead broker")
            state["dead"] = dead
            state["controller"] = controller

        def killed_broker_restarts_and_reappears():
            dead = state["dead"]
            dead.start()
            controller = wait_until(lambda: converged(brokers, [1, 2, 3]), 15,
                                    "broker %d listed again by all" % dead.node_id)
            # Controllership does not move back: /controller is taken.
            check_eq(controller, state["controller"], "controller after the restart")

        def paused_controller_expires_and_registers_again():
            # SIGSTOP past the session timeout: ZooKeeper expires the
            # session, the others elect another controller; on SIGCONT the
            # paused broker learns of the expiry, opens a new session and
            # registers again, no longer controller.
            paused = next(b for b in brokers if b.node_id == state["controller"])
            others = sorted(b.node_id for b in brokers if b is not paused)
            os.kill(paused.proc.pid, signal.SIGSTOP)
            try:
                def others_moved_on():
                    view = {b.node_id: kcat_metadata(b) for b in brokers if b is not paused}
                    controllers = {c for _, c in view.values()}
                    if any(ids != others for ids, _ in view.values()) or len(controllers) != 1:
                        return None
                    return controllers.pop()
                controller = wait_until(others_moved_on, FAILOVER_TIMEOUT,
                                        "brokers %s to drop paused broker %d" % (others, paused.node_id))
            finally:
                os.kill(paused.proc.pid, signal.SIGCONT)
            check(controller in others, "controller %d is not one of %s" % (controller, others))
            state["controller"] = wait_until(lambda: converged(brokers, [1, 2, 3]), 20,
                                             "broker %d registered again after its session expired"
                                             % paused.node_id)
            check_eq(state["controller"], controller, "controller after the paused broker came back")
            with open(paused.log_path, "rb") as f:
                log = f.read().decode("utf-8", "replace")
            check("session expired; registering again" in log,
                  "broker %d did not log the expiry:\n%s" % (paused.node_id, paused.log_tail()))

        def zookeeper_restart_keeps_the_cluster():
            # A short outage: every broker loses its connection, the client
            # reconnects within the session, and the view is the same.
            zk.restart()
            state["controller"] = wait_until(lambda: converged(brokers, [1, 2, 3]), 20,
                                             "brokers 1-3 and one controller after the restart")
            for b in brokers:
                with open(b.log_path, "rb") as f:
                    log = f.read().decode("utf-8", "replace")
                check("lost the ZooKeeper connection" in log,
                      "broker %d did not log the lost connection:\n%s" % (b.node_id, b.log_tail()))

        def graceful_stop_hands_over_controller():
            leader = next(b for b in brokers if b.node_id == state["controller"])
            leader.stop()   # closes its ZooKeeper session: ephemerals go now
            live = sorted(b.node_id for b in brokers if b.alive())
            controller = wait_until(lambda: converged(brokers, live), FAILOVER_TIMEOUT,
                                    "a new controller among %s after a graceful stop" % live)
            check(controller != leader.node_id, "controller is still the stopped broker")

        for test in (all_list_three_brokers_and_one_controller, describe_cluster_matches,
                     duplicate_broker_id_is_refused, kill9_controller_elects_a_live_one,
                     killed_broker_restarts_and_reappears, paused_controller_expires_and_registers_again,
                     zookeeper_restart_keeps_the_cluster, graceful_stop_hands_over_controller):
            runner.run(test)
        status = runner.finish(*brokers)
        if status:
            for line in zk.log_tail().splitlines():
                print("# " + line)
        return status
    finally:
        for b in brokers:
            b.close()
        zk.close()


if __name__ == "__main__":
    main(body)
