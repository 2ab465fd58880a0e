# SPDX-License-Identifier: GPL-3.0-or-later
"""A standalone Apache ZooKeeper server for integration tests (stdlib only).

ZooKeeper starts as a plain process: Debian's jars (package `zookeeper`)
run with `java ... org.apache.zookeeper.server.quorum.QuorumPeerMain
zoo.cfg`, on 127.0.0.1 with an ephemeral port and a temporary data dir,
no root and no system service. It is ready once the `srvr` four-letter
word (enabled in our zoo.cfg; off by default since 3.5) reports a Mode:
`ruok` answers `imok` before the server accepts sessions.

ZooKeeperEnsemble runs three (or five) such servers on loopback as one
quorum (docs/replication-notes.md section 5): per node a data dir with
`myid`, `server.N=127.0.0.1:<peer>:<election>` lines, tickTime=500,
initLimit/syncLimit; ready when one node's `srvr` says leader and the
others follower. One node can be killed (-9), stopped and restarted.

    with ZooKeeper() as zk:
        zk.start()
        broker_overrides = {"zookeeper.connect": zk.connect_string}

    with ZooKeeperEnsemble() as zk:
        zk.start()
        zk.kill(zk.leader())      # the two others elect a new leader
        zk.restart(1)
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from caudald_fixture import check, fail

JAVA = os.environ.get("JAVA", "/usr/bin/java")
ZK_JAR = "/usr/share/java/zookeeper.jar"
# The jar's manifest Class-Path pulls netty, jute and jackson from
# /usr/share/java; slf4j-simple sends the server's log to our log file.
SLF4J_JAR = "/usr/share/java/slf4j-simple.jar"
READY_TIMEOUT = 30.0


def missing():
    """What is missing to run ZooKeeper here (a list, empty when none)."""
    return [p for p in (JAVA, ZK_JAR, SLF4J_JAR) if not os.path.exists(p)]


def free_port():
    """A port free now on 127.0.0.1 (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def four_letter_word(port, word, timeout=2.0):
    """Send a 4lw to 127.0.0.1:port and return the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(word.encode())
        chunks = []
        while True:
            data = s.recv(4096)
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks).decode("utf-8", "replace")


def java_command(cfg_path):
    """The command line of one ZooKeeper server reading cfg_path."""
    return [JAVA, "-Xmx64m", "-XX:+UseSerialGC",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-Dzookeeper.admin.enableServer=false",
            "-cp", "%s:%s" % (ZK_JAR, SLF4J_JAR),
            "org.apache.zookeeper.server.quorum.QuorumPeerMain", cfg_path]


def server_mode(port):
    """The Mode a server reports through srvr ("leader", "follower",
    "standalone"), or None when it does not answer or does not serve
    (a node without quorum answers "This ZooKeeper instance is not
    currently serving requests")."""
    try:
        answer = four_letter_word(port, "srvr", timeout=1.0)
    except OSError:
        return None
    for line in answer.splitlines():
        if line.startswith("Mode:"):
            return line.split(":", 1)[1].strip()
    return None


class ZooKeeper:
    """One standalone ZooKeeper server on 127.0.0.1 with an ephemeral port."""

    def __init__(self, tick_ms=500):
        self.tmp = tempfile.mkdtemp(prefix="caudal-it-zk-")
        self.data_dir = os.path.join(self.tmp, "data")
        os.makedirs(self.data_dir)
        self.cfg_path = os.path.join(self.tmp, "zoo.cfg")
        self.log_path = os.path.join(self.tmp, "zookeeper.log")
        # Session timeouts are negotiated within [2, 20] x tickTime: 500 ms
        # lets tests ask for sessions of a few seconds.
        self.tick_ms = tick_ms
        self.port = None
        self.proc = None
        self._log = None

    @property
    def connect_string(self):
        return "127.0.0.1:%d" % self.port

    def _write_cfg(self):
        lines = [
            "tickTime=%d" % self.tick_ms,
            "dataDir=%s" % self.data_dir,
            "clientPort=%d" % self.port,
            "clientPortAddress=127.0.0.1",
            "maxClientCnxns=0",
            # The admin server (Jetty) would bind 8080.
            "admin.enableServer=false",
            "4lw.commands.whitelist=ruok,srvr",
        ]
        with open(self.cfg_path, "w") as f:
            f.write("\n".join(lines) + "\n")

    def start(self):
        """Start the server and wait until it answers. Returns self."""
        gone = missing()
        if gone:
            fail("cannot run ZooKeeper: missing %s (apt-get install zookeeper default-jre-headless)"
                 % ", ".join(gone))
        # A port taken between free_port() and the bind makes the server
        # exit: try a few.
        for _ in range(3):
            self.port = free_port()
            self._write_cfg()
            if self._spawn():
                return self
        fail("ZooKeeper did not start\n%s" % self.log_tail())

    def _spawn(self):
        cmd = java_command(self.cfg_path)
        self._log = open(self.log_path, "ab")
        self._log.write(("=== %s\n" % " ".join(cmd)).encode())
        self._log.flush()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=self._log)
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.proc = None
                self._close_log()
                return False
            try:
                # ruok answers imok before the server serves; srvr
                # reports a Mode only once it does.
                if "Mode:" in four_letter_word(self.port, "srvr", timeout=1.0):
                    return True
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        fail("ZooKeeper did not serve (srvr) within %.0fs\n%s" % (READY_TIMEOUT, self.log_tail()))

    def restart(self):
        """Stop and start again on the same port and data dir: clients see
        a lost connection, and sessions younger than their timeout
        survive (the server keeps them in its data dir)."""
        check(self.port is not None, "restart(): ZooKeeper was never started")
        self.stop()
        if not self._spawn():
            fail("ZooKeeper did not restart on port %d\n%s" % (self.port, self.log_tail()))
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        """SIGTERM and wait (ZooKeeper exits within a couple of seconds)."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._close_log()

    def close(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _close_log(self):
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return "(no ZooKeeper log)"
        tail = text.splitlines()[-lines:]
        return "--- ZooKeeper log (last %d lines of %s):\n%s\n--- end of ZooKeeper log" % (
            len(tail), self.log_path, "\n".join(tail))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class _EnsembleNode:
    """One server of an ensemble: its myid, ports, data dir and process."""

    def __init__(self, root, myid):
        self.myid = myid
        self.dir = os.path.join(root, "n%d" % myid)
        self.data_dir = os.path.join(self.dir, "data")
        os.makedirs(self.data_dir)
        with open(os.path.join(self.data_dir, "myid"), "w") as f:
            f.write("%d\n" % myid)
        self.cfg_path = os.path.join(self.dir, "zoo.cfg")
        self.log_path = os.path.join(self.dir, "zookeeper.log")
        self.client_port = self.peer_port = self.election_port = None
        self.proc = None
        self._log = None

    def spawn(self):
        cmd = java_command(self.cfg_path)
        self._log = open(self.log_path, "ab")
        self._log.write(("=== %s\n" % " ".join(cmd)).encode())
        self._log.flush()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=self._log)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def end(self, sig):
        """Send sig (SIGTERM or SIGKILL) and reap the process."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None


class ZooKeeperEnsemble:
    """A quorum of `size` ZooKeeper servers on 127.0.0.1, ephemeral ports.

    Nodes are numbered 1..size (their myid). start() waits until exactly
    one node reports leader and all others follower; kill()/stop() end one
    node, restart() brings it back on its ports and data dir and waits
    until it serves again (as follower or leader).
    """

    def __init__(self, size=3, tick_ms=500, host="127.0.0.1"):
        check(size in (3, 5), "an ensemble has 3 or 5 nodes, not %d" % size)
        self.tmp = tempfile.mkdtemp(prefix="caudal-it-zkq-")
        self.tick_ms = tick_ms
        self.host = host
        self.nodes = {i: _EnsembleNode(self.tmp, i) for i in range(1, size + 1)}

    @property
    def connect_string(self):
        """host:port,host:port,... of every node (down ones included, as a
        client would be configured)."""
        return ",".join("%s:%d" % (self.host, n.client_port) for n in self.nodes.values())

    def _write_cfgs(self):
        servers = ["server.%d=%s:%d:%d" % (n.myid, self.host, n.peer_port, n.election_port)
                   for n in self.nodes.values()]
        for n in self.nodes.values():
            lines = [
                "tickTime=%d" % self.tick_ms,
                # Followers have initLimit ticks to connect and sync to the
                # leader, syncLimit ticks to answer before being dropped.
                "initLimit=10",
                "syncLimit=5",
                "dataDir=%s" % n.data_dir,
                "clientPort=%d" % n.client_port,
                "clientPortAddress=%s" % self.host,
                "maxClientCnxns=0",
                "admin.enableServer=false",
                "4lw.commands.whitelist=ruok,srvr",
            ] + servers
            with open(n.cfg_path, "w") as f:
                f.write("\n".join(lines) + "\n")

    def _pick_ports(self):
        # Held open together so that the 3 x size ports are distinct.
        socks = []
        try:
            for _ in range(3 * len(self.nodes)):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.bind((self.host, 0))
                socks.append(s)
            ports = [s.getsockname()[1] for s in socks]
        finally:
            for s in socks:
                s.close()
        for i, n in enumerate(self.nodes.values()):
            n.client_port, n.peer_port, n.election_port = ports[3 * i:3 * i + 3]

    def modes(self):
        """{myid: mode or None} as each running node reports it."""
        return {i: (server_mode(n.client_port) if n.alive() else None)
                for i, n in self.nodes.items()}

    def leader(self):
        """myid of the node reporting leader, or None."""
        leaders = [i for i, m in self.modes().items() if m == "leader"]
        return leaders[0] if len(leaders) == 1 else None

    def _quorum_ready(self):
        modes = self.modes()
        live = [i for i, n in self.nodes.items() if n.alive()]
        got = sorted(modes[i] or "-" for i in live)
        return got == sorted(["leader"] + ["follower"] * (len(live) - 1))

    def wait_ready(self, timeout=READY_TIMEOUT):
        """Wait until every running node serves: one leader, the rest
        followers. Fails with each node's mode and log tail."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            dead = [i for i, n in self.nodes.items() if n.proc is not None and not n.alive()]
            if dead:
                fail("ZooKeeper node(s) %s exited\n%s" % (dead, self.log_tail()))
            if self._quorum_ready():
                return self
            time.sleep(0.1)
        fail("ZooKeeper ensemble not ready within %.0fs: modes %s\n%s"
             % (timeout, self.modes(), self.log_tail()))

    def start(self):
        """Start every node and wait for a quorum. Returns self."""
        gone = missing()
        if gone:
            fail("cannot run ZooKeeper: missing %s (apt-get install zookeeper default-jre-headless)"
                 % ", ".join(gone))
        self._pick_ports()
        self._write_cfgs()
        for n in self.nodes.values():
            n.spawn()
        # Three JVMs starting on two cores: a quorum takes ~3 s here, allow
        # much more on a loaded machine.
        return self.wait_ready(timeout=READY_TIMEOUT * 2)

    def alive(self, myid=None):
        if myid is None:
            return any(n.alive() for n in self.nodes.values())
        return self.nodes[myid].alive()

    def kill(self, myid):
        """kill -9 one node."""
        check(self.nodes[myid].alive(), "kill(%d): node is not running" % myid)
        self.nodes[myid].end(signal.SIGKILL)

    def stop(self, myid):
        """SIGTERM one node and wait for it to exit."""
        check(self.nodes[myid].alive(), "stop(%d): node is not running" % myid)
        self.nodes[myid].end(signal.SIGTERM)

    def restart(self, myid, timeout=READY_TIMEOUT * 2):
        """Start a stopped node again (same ports, same data) and wait until
        the whole ensemble serves with it."""
        node = self.nodes[myid]
        if node.alive():
            node.end(signal.SIGTERM)
        node.spawn()
        return self.wait_ready(timeout=timeout)

    def close(self):
        for n in self.nodes.values():
            n.end(signal.SIGTERM)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def log_tail(self, lines=15):
        parts = []
        for n in self.nodes.values():
            try:
                with open(n.log_path, "rb") as f:
                    text = f.read().decode("utf-8", "replace")
            except OSError:
                text = "(no log)"
            tail = text.splitlines()[-lines:]
            parts.append("--- ZooKeeper node %d (%s):\n%s" % (n.myid, n.log_path, "\n".join(tail)))
        return "\n".join(parts) + "\n--- end of ZooKeeper logs"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
