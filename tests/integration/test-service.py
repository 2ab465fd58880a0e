# SPDX-License-Identifier: GPL-3.0-or-later
"""caudald as a systemd service, checked without systemd running it:

- `systemd-analyze verify` accepts the generated unit;
- `systemd-analyze security --offline=true` rates it OK (exposure <= 2.0);
- the sd_notify protocol: with NOTIFY_SOCKET set, caudald sends READY=1
  once its listeners are bound (the port answers by then) and STOPPING=1
  on SIGTERM, then exits 0;
- the data directory defaults to $STATE_DIRECTORY.

Run: CAUDALD=… CAUDALD_UNIT=_build/data/caudald.service /usr/bin/python3 tests/integration/test-service.py
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from caudald_fixture import check, check_eq, main  # noqa: E402

CAUDALD = os.environ.get("CAUDALD")
UNIT = os.environ.get("CAUDALD_UNIT")


def unit_for_verify(tmp):
    """The unit with ExecStart pointing at the built caudald (verify
    checks that the program exists)."""
    text = open(UNIT).read()
    text = re.sub(r"^ExecStart=\S+", "ExecStart=" + CAUDALD, text, flags=re.M)
    path = os.path.join(tmp, "caudald.service")
    with open(path, "w") as f:
        f.write(text)
    return path


def test_verify(tmp):
    path = unit_for_verify(tmp)
    proc = subprocess.run(["systemd-analyze", "verify", "--man=no", path],
                          capture_output=True, text=True, timeout=60)
    check_eq((proc.returncode, proc.stdout + proc.stderr), (0, ""), "systemd-analyze verify")


def test_security(tmp):
    proc = subprocess.run(["systemd-analyze", "security", "--offline=true", UNIT],
                          capture_output=True, text=True, timeout=60)
    m = re.search(r"Overall exposure level for caudald\.service: ([0-9.]+) (\w+)", proc.stdout)
    check(m is not None, "no exposure figure in: " + proc.stdout[-500:])
    exposure = float(m.group(1))
    check(exposure <= 2.0, "exposure %.1f %s is above 2.0" % (exposure, m.group(2)))
    check_eq(m.group(2), "OK", "rating")


def test_notify_and_state_directory(tmp):
    state = os.path.join(tmp, "state")
    os.mkdir(state)
    sock_path = os.path.join(tmp, "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    sock.settimeout(10)
    env = dict(os.environ, NOTIFY_SOCKET=sock_path, STATE_DIRECTORY=state)
    env.pop("G_DEBUG", None)
    proc = subprocess.Popen([CAUDALD, "--override", "listeners=PLAINTEXT://127.0.0.1:0"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        try:
            msg = sock.recv(4096).decode()
        except socket.timeout:
            proc.kill()
            check(False, "no READY=1 within 10 s; caudald said: " + proc.communicate()[1].decode()[-1500:])
        fields = dict(line.split("=", 1) for line in msg.split("\n") if "=" in line)
        check_eq(fields.get("READY"), "1", "READY=1 in " + repr(msg))
        check_eq(fields.get("MAINPID"), str(proc.pid), "MAINPID")
        port = int(fields["STATUS"].rsplit(":", 1)[1])
        # Ready means listening: the port answers now.
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        # The data went to $STATE_DIRECTORY.
        check(os.path.exists(os.path.join(state, "meta.properties")), "no meta.properties in STATE_DIRECTORY")
        proc.send_signal(signal.SIGTERM)
        msg = sock.recv(4096).decode()
        check("STOPPING=1" in msg, "STOPPING=1 in " + repr(msg))
        check_eq(proc.wait(timeout=20), 0, "exit status after SIGTERM")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        sock.close()


def body(runner):
    check(CAUDALD and UNIT, "CAUDALD and CAUDALD_UNIT must be set")
    tmp = tempfile.mkdtemp(prefix="caudal-service-")
    try:
        if shutil.which("systemd-analyze"):
            runner.run(test_verify, tmp)
            runner.run(test_security, tmp)
        else:
            print("# systemd-analyze not found: unit checks not run")
        runner.run(test_notify_and_state_directory, tmp)
        return runner.finish()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(body)
