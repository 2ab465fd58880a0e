# SPDX-License-Identifier: LGPL-2.1-or-later
"""Processes for bench/run: caudald, the peer (bench-peer), bench-load runs,
RSS sampling, idle Kafka connections and the loopback TCP limit.

Standard library only, so it runs under /usr/bin/python3 anywhere.
"""

import json
import os
import select
import shlex
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

READY_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


class BenchError(Exception):
    """The suite cannot go on (a tool crashed, a broker died or never started)."""


class WorkloadError(Exception):
    """One bench-load run failed (errors, missing messages, timeout)."""


def rss_kib(pid):
    """Resident set size of pid in KiB (VmRSS), None if it is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def free_port():
    """A port nothing listens on now (the kernel's pick, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def connect_ok(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def _log_tail(path, lines=30):
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(text[-lines:])


class Caudald:
    """caudald on 127.0.0.1 with its own log dir; port 0 = ephemeral."""

    def __init__(self, exe, data_dir, port=0):
        self.exe, self.data_dir, self.port = exe, data_dir, port
        self.proc = None
        self.starts = 0
        self.log_path = data_dir.rstrip("/") + ".log"
        os.makedirs(data_dir, exist_ok=True)

    def command(self, ready):
        return [self.exe,
                "--override", "listeners=PLAINTEXT://127.0.0.1:%d" % self.port,
                "--override", "log.dirs=" + self.data_dir,
                "--override", "node.id=1",
                "--ready-file", ready]

    def spawn(self):
        """Start without waiting; returns the ready file's path."""
        self.starts += 1
        ready = "%s.ready-%d" % (self.data_dir.rstrip("/"), self.starts)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(self.command(ready), stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=log)
        return ready

    def start(self):
        ready = self.spawn()
        deadline = time.monotonic() + READY_TIMEOUT
        while not os.path.exists(ready):
            if self.proc.poll() is not None:
                raise BenchError("caudald exited with %d before it was ready:\n%s"
                                 % (self.proc.returncode, _log_tail(self.log_path)))
            if time.monotonic() > deadline:
                raise BenchError("caudald not ready after %.0f s" % READY_TIMEOUT)
            time.sleep(0.005)
        time.sleep(0.01)   # the file may be seen before its line is written
        with open(ready) as f:
            fields = f.read().split()
        self.port = int(fields[2])
        return self

    @property
    def bootstrap(self):
        return "127.0.0.1:%d" % self.port

    @property
    def pid(self):
        return self.proc.pid

    def check_alive(self):
        if self.proc is None or self.proc.poll() is not None:
            raise BenchError("caudald died (status %s):\n%s"
                             % (self.proc and self.proc.returncode, _log_tail(self.log_path)))

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        self.proc = None


class Peer:
    """bench-peer: librdkafka's mock cluster, topics created over stdin."""

    def __init__(self, exe, log_path):
        self.exe, self.log_path = exe, log_path
        self.proc = None
        self.bootstrap = None

    def start(self):
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([self.exe], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=log, text=True)
        self.bootstrap = self._readline("its bootstrap servers")
        return self

    def _readline(self, what):
        ready, _, _ = select.select([self.proc.stdout], [], [], READY_TIMEOUT)
        line = self.proc.stdout.readline().strip() if ready else ""
        if not line:
            raise BenchError("bench-peer gave no %s (status %s):\n%s"
                             % (what, self.proc.poll(), _log_tail(self.log_path)))
        return line

    @property
    def pid(self):
        return self.proc.pid

    def create(self, topic, partitions):
        self.proc.stdin.write("create %s %d\n" % (topic, partitions))
        self.proc.stdin.flush()
        answer = self._readline("answer to create")
        if answer != "ok":
            raise BenchError("bench-peer: create %s: %s" % (topic, answer))

    def check_alive(self):
        if self.proc is None or self.proc.poll() is not None:
            raise BenchError("bench-peer died (status %s):\n%s"
                             % (self.proc and self.proc.returncode, _log_tail(self.log_path)))

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def bench_load(exe, mode, bootstrap, topic, args, timeout, sample_pid=None):
    """Run bench-load once; returns its JSON result (plus "command" and,
    with sample_pid, "peak_rss_kib" of that process during the run)."""
    cmd = [exe, mode, "-b", bootstrap, "-t", topic] + [str(a) for a in args]
    peak = 0
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        deadline = time.monotonic() + timeout
        while proc.poll() is None:
            if sample_pid is not None:
                peak = max(peak, rss_kib(sample_pid) or 0)
            if time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                raise WorkloadError("bench-load timed out after %.0f s: %s"
                                    % (timeout, shlex.join(cmd)))
            time.sleep(0.02)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    for line in stderr.splitlines():
        print("    " + line, file=sys.stderr)
    if proc.returncode < 0 or proc.returncode == 2:
        raise BenchError("bench-load %s (status %d): %s\n%s"
                         % ("crashed" if proc.returncode < 0 else "rejected its flags",
                            proc.returncode, shlex.join(cmd), stderr))
    lines = stdout.strip().splitlines()
    try:
        result = json.loads(lines[-1])
    except (IndexError, ValueError):
        raise BenchError("bench-load printed no JSON: %s\n%s" % (shlex.join(cmd), stderr))
    if proc.returncode != 0 or not result.get("ok"):
        raise WorkloadError("%s: %s" % (shlex.join(cmd), result.get("error")))
    result["command"] = shlex.join(cmd)
    if sample_pid is not None:
        result["peak_rss_kib"] = peak
    return result


def _api_versions_v0(correlation_id):
    """A whole ApiVersions v0 request frame (api key 18, empty body)."""
    client = b"bench-idle"
    header = struct.pack(">hhih", 18, 0, correlation_id, len(client)) + client
    return struct.pack(">i", len(header)) + header


def _recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise BenchError("connection closed by the broker")
        data += chunk
    return data


def idle_connections(port, count):
    """count Kafka connections that each completed one ApiVersions round
    trip and then stay idle; the caller closes them."""
    socks = []
    try:
        for i in range(count):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(_api_versions_v0(i))
            size = struct.unpack(">i", _recv_exact(s, 4))[0]
            _recv_exact(s, size)
            socks.append(s)
    except BaseException:
        for s in socks:
            s.close()
        raise
    return socks


def loopback_gbit(seconds=2.0, chunk=1 << 20):
    """The loopback TCP limit: one connection, 1 MiB writes, for `seconds`."""
    received = [0]
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)

        def receive():
            conn, _ = listener.accept()
            with conn:
                while True:
                    data = conn.recv(chunk)
                    if not data:
                        return
                    received[0] += len(data)

        reader = threading.Thread(target=receive)
        reader.start()
        buf = b"\0" * chunk
        with socket.create_connection(listener.getsockname()) as s:
            start = time.monotonic()
            while time.monotonic() - start < seconds:
                s.sendall(buf)
        reader.join()
        elapsed = time.monotonic() - start
    return received[0] * 8 / elapsed / 1e9
