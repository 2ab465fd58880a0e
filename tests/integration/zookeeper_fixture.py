# SPDX-License-Identifier: GPL-3.0-or-later
"""A standalone Apache ZooKeeper server for integration tests (stdlib only).

ZooKeeper starts as a plain process: Debian's jars (package `zookeeper`)
run with `java ... org.apache.zookeeper.server.quorum.QuorumPeerMain
zoo.cfg`, on 127.0.0.1 with an ephemeral port and a temporary data dir,
no root and no system service. It is ready once the `srvr` four-letter
word (enabled in our zoo.cfg; off by default since 3.5) reports a Mode:
`ruok` answers `imok` before the server accepts sessions.

The 3-node ensemble (issue 9) comes with a later slice.

    with ZooKeeper() as zk:
        zk.start()
        broker_overrides = {"zookeeper.connect": zk.connect_string}
"""

import os
import shutil
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
        cmd = [JAVA, "-Xmx64m", "-XX:+UseSerialGC",
               "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
               "-Dzookeeper.admin.enableServer=false",
               "-cp", "%s:%s" % (ZK_JAR, SLF4J_JAR),
               "org.apache.zookeeper.server.quorum.QuorumPeerMain", self.cfg_path]
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
