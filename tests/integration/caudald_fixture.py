# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared helpers for Caudal's integration tests (stdlib only).

Run the test scripts with /usr/bin/python3: Debian's python3-kafka and
python3-confluent-kafka import only under the system interpreter.

- Broker: start caudald (path from $CAUDALD) on an ephemeral port with a
  temporary data dir, wait for its ready file, stop / kill -9 / restart it,
  keep its stderr in a log file.
- run(): run a client program (kcat, node) with a timeout; fail clearly.
- Runner: run test functions one by one, print TAP, print the broker log
  tail when anything failed, exit non-zero on failure.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import uuid

READY_TIMEOUT = 10.0
STOP_TIMEOUT = 15.0


class TestFailure(AssertionError):
    """A check failed: the message says what was expected and what came."""


def fail(msg):
    raise TestFailure(msg)


def check(cond, msg):
    if not cond:
        fail(msg)


def short(value, limit=1500):
    """repr() cut to `limit` characters, so a failure stays readable."""
    text = repr(value)
    if len(text) > limit:
        text = text[:limit] + "... (%d characters in all)" % len(text)
    return text


def check_eq(got, expected, what):
    if got == expected:
        return
    if isinstance(got, list) and isinstance(expected, list):
        first = next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b),
                     min(len(got), len(expected)))
        fail("%s: got %d items, expected %d; first difference at index %d: got %s, expected %s"
             "\n  expected: %s\n  got:      %s"
             % (what, len(got), len(expected), first,
                short(got[first:first + 3], 300), short(expected[first:first + 3], 300),
                short(expected, 600), short(got, 600)))
    fail("%s: expected %s, got %s" % (what, short(expected), short(got)))


def unique_topic(prefix):
    """A topic name no other test (or earlier run) uses."""
    return "%s-%d-%s" % (prefix, os.getpid(), uuid.uuid4().hex[:8])


def wait_until(predicate, timeout, what, interval=0.1):
    """Poll predicate() until it returns a true value; fail after timeout."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except Exception as exc:  # keep polling, remember why it failed
            last_exc = exc
        if time.monotonic() >= deadline:
            extra = " (last error: %r)" % (last_exc,) if last_exc else ""
            fail("timed out after %.1fs waiting for %s%s" % (timeout, what, extra))
        time.sleep(interval)


def run(cmd, timeout=30, input=None, check_rc=True, env=None):
    """Run cmd (a list), return the CompletedProcess (text mode).

    Fails with the command line, exit status, stdout and stderr when it
    times out or (with check_rc) exits non-zero.
    """
    if isinstance(input, str):
        input = input.encode()
    try:
        proc = subprocess.run(cmd, input=input, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as exc:
        fail("command timed out after %ss: %s\n--- stdout:\n%s\n--- stderr:\n%s"
             % (timeout, " ".join(cmd), _text(exc.stdout), _text(exc.stderr)))
    proc.stdout = _text(proc.stdout)
    proc.stderr = _text(proc.stderr)
    if check_rc and proc.returncode != 0:
        fail("command exited %d: %s\n--- stdout:\n%s\n--- stderr:\n%s"
             % (proc.returncode, " ".join(cmd), proc.stdout, proc.stderr))
    return proc


def _text(data):
    if data is None:
        return ""
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return data


class Broker:
    """One caudald process on 127.0.0.1 with an ephemeral port.

    The data dir survives restart(); the temporary directory holding it,
    the ready file and the log is removed by close().
    """

    def __init__(self, overrides=None, data_dir=None, name="caudald"):
        self.exe = os.environ.get("CAUDALD")
        if not self.exe:
            fail("CAUDALD is not set (path to the caudald executable)")
        if not os.access(self.exe, os.X_OK):
            fail("CAUDALD=%s is not an executable file" % self.exe)
        self.name = name
        self.overrides = dict(overrides or {})
        self.tmp = tempfile.mkdtemp(prefix="caudal-it-%s-" % name)
        self.data_dir = data_dir or os.path.join(self.tmp, "data")
        os.makedirs(self.data_dir, exist_ok=True)
        self.log_path = os.path.join(self.tmp, "caudald.log")
        self.proc = None
        self.port = None
        self.host = None
        self.starts = 0
        self._log = None

    # -- lifecycle ---------------------------------------------------------

    def start(self, overrides=None):
        """Spawn caudald and wait for its ready file. Returns self."""
        if self.proc is not None:
            fail("broker already running")
        if overrides:
            self.overrides.update(overrides)
        self.starts += 1
        ready = os.path.join(self.tmp, "ready-%d" % self.starts)
        settings = {
            "listeners": "PLAINTEXT://127.0.0.1:0",
            "log.dirs": self.data_dir,
            "node.id": "1",
        }
        settings.update(self.overrides)
        cmd = [self.exe]
        for key, value in settings.items():
            cmd += ["--override", "%s=%s" % (key, value)]
        cmd += ["--ready-file", ready]
        self._log = open(self.log_path, "ab")
        self._log.write(("=== start #%d: %s\n" % (self.starts, " ".join(cmd))).encode())
        self._log.flush()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=self._log)
        deadline = time.monotonic() + READY_TIMEOUT
        while not os.path.exists(ready):
            rc = self.proc.poll()
            if rc is not None:
                self.proc = None
                fail("caudald exited with status %d before writing its ready file\n%s"
                     % (rc, self.log_tail()))
            if time.monotonic() > deadline:
                fail("caudald wrote no ready file within %.0fs\n%s"
                     % (READY_TIMEOUT, self.log_tail()))
            time.sleep(0.02)
        with open(ready) as f:
            lines = [line.split() for line in f.read().splitlines() if line.strip()]
        plaintext = [l for l in lines if l and l[0] == "PLAINTEXT"]
        if len(plaintext) != 1 or len(plaintext[0]) != 3:
            fail("ready file %s: expected one 'PLAINTEXT HOST PORT' line, got %r"
                 % (ready, lines))
        _, self.host, port = plaintext[0]
        self.port = int(port)
        check(0 < self.port < 65536, "ready file port %r out of range" % port)
        return self

    @property
    def bootstrap(self):
        check(self.proc is not None, "broker is not running")
        return "%s:%d" % (self.host, self.port)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        """SIGTERM, wait, and require a clean exit (status 0)."""
        check(self.proc is not None, "stop(): broker is not running")
        proc, self.proc = self.proc, None
        rc = proc.poll()
        if rc is not None:
            fail("caudald had already exited with status %d before stop()\n%s"
                 % (rc, self.log_tail()))
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            fail("caudald did not exit within %.0fs of SIGTERM\n%s"
                 % (STOP_TIMEOUT, self.log_tail()))
        self._close_log()
        check_eq(rc, 0, "caudald exit status after SIGTERM")

    def kill9(self):
        """SIGKILL: no chance to flush or clean up."""
        check(self.proc is not None, "kill9(): broker is not running")
        proc, self.proc = self.proc, None
        rc = proc.poll()
        if rc is not None:
            fail("caudald had already exited with status %d before kill -9\n%s"
                 % (rc, self.log_tail()))
        proc.kill()
        proc.wait()
        self._close_log()

    def restart(self, overrides=None):
        """Graceful stop (exit 0 required), then start on the same data dir."""
        self.stop()
        return self.start(overrides)

    def close(self):
        """Kill the broker if still running and remove the temporary dir."""
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            self.proc = None
        self._close_log()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _close_log(self):
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines=60):
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return "(no caudald log)"
        tail = text.splitlines()[-lines:]
        return "--- caudald log (last %d lines of %s):\n%s\n--- end of caudald log" % (
            len(tail), self.log_path, "\n".join(tail))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class Runner:
    """Run named test functions in order, print TAP, exit non-zero on failure.

        runner = Runner()
        with Broker(...) as broker:
            broker.start()
            runner.run(test_a, broker)
            runner.run(test_b, broker)
            runner.finish(broker)   # prints the log tail if anything failed
    """

    def __init__(self):
        self.results = []

    def run(self, func, *args):
        name = func.__name__
        start = time.monotonic()
        try:
            func(*args)
        except Exception as exc:
            self.results.append((name, False))
            print("not ok %d - %s (%.1fs)" % (len(self.results), name,
                                              time.monotonic() - start))
            if isinstance(exc, TestFailure):
                detail = str(exc)
            else:
                detail = traceback.format_exc()
            for line in detail.rstrip().splitlines():
                print("#   " + line)
        else:
            self.results.append((name, True))
            print("ok %d - %s (%.1fs)" % (len(self.results), name,
                                          time.monotonic() - start))
        sys.stdout.flush()

    def start(self, broker):
        """Start broker as a test of its own; returns whether it is up.

        A broker that does not come up fails this step, and the caller
        skips the tests that need it (they are not counted as passed).
        """
        def start_caudald():
            broker.start()
        start_caudald.__name__ = "start caudald (%s)" % broker.name
        self.run(start_caudald)
        return broker.alive()

    @property
    def failed(self):
        return [name for name, ok in self.results if not ok]

    def finish(self, *brokers):
        """Print the plan and a summary; print broker logs on failure."""
        passed = len(self.results) - len(self.failed)
        print("1..%d" % len(self.results))
        if self.failed:
            for broker in brokers:
                if broker is not None:
                    for line in broker.log_tail().splitlines():
                        print("# " + line)
        print("%d passed, %d failed" % (passed, len(self.failed)))
        sys.stdout.flush()
        return 1 if self.failed else 0


def main(body):
    """Run body(runner) and exit with the runner's status.

    body should start its brokers inside try/finally (or `with Broker`) and
    call runner.finish(brokers...) itself; an exception escaping body (for
    example a broker that never starts) counts as a failure.
    """
    runner = Runner()
    try:
        status = body(runner)
    except Exception as exc:
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        print("not ok - setup: %s" % first)
        for line in traceback.format_exc().rstrip().splitlines():
            print("#   " + line)
        status = 1
    sys.stdout.flush()
    sys.exit(status if status else 0)
