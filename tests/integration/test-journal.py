# SPDX-License-Identifier: GPL-3.0-or-later
"""caudald's log records reach the journal natively, with their fields,
when systemd connects its stderr to the journal; anywhere else stderr
shows the same lines as before (stdlib only, no journald needed):

- the test plays journald: it binds a Unix datagram socket and points
  caudald at it with CAUDALD_JOURNAL_SOCKET (the documented test hook),
  and sets JOURNAL_STREAM to the DEVICE:INODE of caudald's stderr, as
  systemd does (systemd.exec(5));
- each datagram is parsed by the native protocol (KEY=VALUE lines, and
  the binary-safe KEY, 64-bit little-endian length, VALUE form);
- checked: MESSAGE, PRIORITY, GLIB_DOMAIN, SYSLOG_IDENTIFIER=caudald on
  every record; CODE_FILE/LINE/FUNC and CAUDAL_LISTENER on "listening on";
  CAUDAL_PEER on a malformed request; CAUDAL_TOPIC and CAUDAL_PARTITION on
  the truncation of a torn segment at restart; a message with a newline
  intact; nothing printed to stderr meanwhile;
- without JOURNAL_STREAM, or with one naming another file, nothing is sent
  and stderr has GLib's usual "caudald-Message: HH:MM:SS.mmm: ..." lines.

Run: CAUDALD=_build/broker/caudald /usr/bin/python3 tests/integration/test-journal.py
"""

import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from caudald_fixture import Broker, check, check_eq, fail, main, wait_until  # noqa: E402

WAIT = 10.0
ODD_KEY = "no.such\nkey"   # an unknown key: warned about, with a newline in it


def parse_record(data):
    """One native-protocol datagram -> {key: [values]} (values as str)."""
    fields = {}
    pos = 0
    while pos < len(data):
        eq, nl = data.find(b"=", pos), data.find(b"\n", pos)
        check(nl >= 0, "field without a newline at byte %d of %r" % (pos, data))
        if 0 <= eq < nl:
            key, value, pos = data[pos:eq], data[eq + 1:nl], nl + 1
        else:
            key = data[pos:nl]
            check(nl + 9 <= len(data), "binary field %r without its length: %r" % (key, data))
            (size,) = struct.unpack("<Q", data[nl + 1:nl + 9])
            end = nl + 9 + size
            check(end < len(data) and data[end:end + 1] == b"\n",
                  "binary field %r of %d bytes does not end in a newline: %r" % (key, size, data))
            value, pos = data[nl + 9:end], end + 1
        check(re.fullmatch(rb"[A-Z0-9][A-Z0-9_]*", key) is not None,
              "invalid journal field name %r in %r" % (key, data))
        fields.setdefault(key.decode(), []).append(value.decode("utf-8", "replace"))
    return fields


class FakeJournal:
    """A datagram socket standing in for /run/systemd/journal/socket; a
    thread receives, so caudald never blocks on a full queue."""

    def __init__(self, tmp):
        self.path = os.path.join(tmp, "journal.socket")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.2)
        self.records = []
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._receive, daemon=True)
        self.thread.start()

    def _receive(self):
        while self.running:
            try:
                data = self.sock.recv(1 << 20)
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.records.append(data)

    def all(self):
        with self.lock:
            return [parse_record(d) for d in self.records]

    def find(self, predicate, what):
        """Wait for a record predicate(fields) accepts and return it."""
        def found():
            return next((r for r in self.all() if predicate(r)), None)
        try:
            return wait_until(found, WAIT, what)
        except AssertionError:
            fail("%s; the journal got:\n%s" % (what, "\n".join(repr(r) for r in self.all())))

    def close(self):
        self.running = False
        self.thread.join()
        self.sock.close()


def one(fields, key):
    values = fields.get(key, [])
    check_eq(len(values), 1, "number of %s fields in %r" % (key, fields))
    return values[0]


def message_starts(prefix):
    return lambda r: any(m.startswith(prefix) for m in r.get("MESSAGE", []))


def journal_broker(journal, tmp):
    """A Broker whose stderr (its log file) is 'connected to the journal'."""
    broker = Broker(overrides={ODD_KEY: "1"}, name="journal")
    open(broker.log_path, "ab").close()
    st = os.stat(broker.log_path)
    # The fixture spawns caudald with os.environ: what systemd would set.
    os.environ["JOURNAL_STREAM"] = "%d:%d" % (st.st_dev, st.st_ino)
    os.environ["CAUDALD_JOURNAL_SOCKET"] = journal.path
    return broker


def test_every_record_has_the_common_fields(journal, broker):
    journal.find(message_starts("listening on "), "a 'listening on' record")
    records = journal.all()
    check(len(records) >= 3, "only %d records: %r" % (len(records), records))
    for r in records:
        check(one(r, "MESSAGE") != "", "empty MESSAGE in %r" % r)
        check(one(r, "PRIORITY") in ("3", "4", "5", "6", "7"), "PRIORITY in %r" % r)
        check_eq(one(r, "GLIB_DOMAIN"), "caudald", "GLIB_DOMAIN")
        check_eq(one(r, "SYSLOG_IDENTIFIER"), "caudald", "SYSLOG_IDENTIFIER")
        # The partition scope of log recovery does not leak into others.
        if "CAUDAL_TOPIC" in r:
            check("truncating" in one(r, "MESSAGE") or "rebuilding" in one(r, "MESSAGE"),
                  "CAUDAL_TOPIC on a record that is not about a partition: %r" % r)


def test_listener_fields(journal, broker):
    r = journal.find(message_starts("listening on PLAINTEXT://"), "the PLAINTEXT listener record")
    check_eq(one(r, "CAUDAL_LISTENER"), "PLAINTEXT", "CAUDAL_LISTENER")
    check_eq(one(r, "PRIORITY"), "5", "PRIORITY of a g_message (LOG_NOTICE)")
    check(one(r, "CODE_FILE").endswith("broker.c"), "CODE_FILE %r" % r.get("CODE_FILE"))
    check(one(r, "CODE_LINE").isdigit(), "CODE_LINE %r" % r.get("CODE_LINE"))
    check(one(r, "CODE_FUNC") != "", "CODE_FUNC %r" % r.get("CODE_FUNC"))
    check("advertised as %s:%d" % (broker.host, broker.port) in one(r, "MESSAGE"),
          "the bound port in %r" % one(r, "MESSAGE"))


def test_newline_in_a_message(journal, broker):
    r = journal.find(message_starts("unknown configuration key"), "the unknown key warning")
    check_eq(one(r, "MESSAGE"), "unknown configuration key '%s': ignored" % ODD_KEY,
             "MESSAGE with a newline (binary-safe form)")
    check_eq(one(r, "PRIORITY"), "4", "PRIORITY of a g_warning (LOG_WARNING)")


def test_malformed_request_peer(journal, broker):
    sock = socket.create_connection((broker.host, broker.port), timeout=WAIT)
    try:
        peer = "%s:%d" % sock.getsockname()[:2]
        # A 3-byte frame cannot hold a request header.
        sock.sendall(struct.pack(">i", 3) + b"\x00\x12\x00")
        check_eq(sock.recv(1), b"", "the broker closes the connection")
    finally:
        sock.close()
    r = journal.find(lambda r: peer in r.get("CAUDAL_PEER", []), "a record with CAUDAL_PEER=" + peer)
    check(one(r, "MESSAGE").startswith("closing connection from %s: malformed request" % peer),
          "MESSAGE %r" % r.get("MESSAGE"))


def test_stderr_stays_quiet(journal, broker):
    journal.find(message_starts("listening on "), "a 'listening on' record")
    with open(broker.log_path, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    # Only the fixture's own "=== start #N: COMMAND" header (the command
    # holds ODD_KEY's newline, so it spans lines up to the ready file).
    text = re.sub(r"=== start #\d+: .*? --ready-file \S+\n", "", text, flags=re.S)
    check_eq(text, "", "caudald's stderr while the journal takes its records")


def test_recovery_names_the_partition(journal, broker):
    broker.stop()
    journal.find(message_starts("stopped"), "the 'stopped' record")
    segment = os.path.join(broker.data_dir, "__consumer_offsets-0", "0" * 20 + ".log")
    check(os.path.exists(segment), "no %s after the first run" % segment)
    with open(segment, "ab") as f:
        f.write(b"\xff" * 100)   # a torn write: base offset -1, no valid batch
    broker.start()
    r = journal.find(lambda r: any("truncating at position" in m for m in r.get("MESSAGE", [])),
                     "the truncation warning")
    check_eq(one(r, "CAUDAL_TOPIC"), "__consumer_offsets", "CAUDAL_TOPIC")
    check_eq(one(r, "CAUDAL_PARTITION"), "0", "CAUDAL_PARTITION")
    check_eq(one(r, "PRIORITY"), "4", "PRIORITY")
    check(one(r, "MESSAGE").startswith(segment + ": truncating at position 0 (100 bytes dropped)"),
          "MESSAGE %r" % one(r, "MESSAGE"))


def run_plain(tmp, journal, journal_stream):
    """caudald with its stderr in a file and JOURNAL_STREAM as given:
    returns that stderr once it is listening (then SIGTERM)."""
    env = dict(os.environ, CAUDALD_JOURNAL_SOCKET=journal.path)
    env.pop("JOURNAL_STREAM", None)
    if journal_stream is not None:
        env["JOURNAL_STREAM"] = journal_stream
    before = len(journal.all())
    data = tempfile.mkdtemp(dir=tmp)
    ready = os.path.join(data, "ready")
    with open(os.path.join(data, "stderr"), "w+b") as err:
        proc = subprocess.Popen([os.environ["CAUDALD"], "--override", "listeners=PLAINTEXT://127.0.0.1:0",
                                 "--override", "log.dirs=" + data, "--ready-file", ready],
                                env=env, stdin=subprocess.DEVNULL, stdout=err, stderr=err)
        try:
            wait_until(lambda: os.path.exists(ready) or proc.poll() is not None, WAIT, "the ready file")
            check(proc.poll() is None, "caudald exited with %s" % proc.returncode)
            proc.terminate()
            check_eq(proc.wait(timeout=20), 0, "exit status after SIGTERM")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    check_eq(journal.all()[before:], [], "datagrams sent with JOURNAL_STREAM=%r" % journal_stream)
    return text


# GLib's format for stderr: "caudald-Message: 10:11:12.345: text".
PLAIN_LISTENING = re.compile(r"^caudald-Message: \d\d:\d\d:\d\d\.\d\d\d: listening on PLAINTEXT://127\.0\.0\.1:\d+ ",
                             re.M)


def test_no_journal_stream_prints_as_before(journal, tmp):
    text = run_plain(tmp, journal, None)
    check(PLAIN_LISTENING.search(text), "no plain 'listening on' line in stderr:\n" + text)
    check(re.search(r"^caudald-Message: \S+: stopped$", text, re.M), "no plain 'stopped' line:\n" + text)


def test_journal_stream_of_another_file_prints_as_before(journal, tmp):
    other = os.stat(journal.path)
    text = run_plain(tmp, journal, "%d:%d" % (other.st_dev, other.st_ino))
    check(PLAIN_LISTENING.search(text), "no plain 'listening on' line in stderr:\n" + text)


def body(runner):
    check(os.environ.get("CAUDALD"), "CAUDALD is not set (path to the caudald executable)")
    os.environ.pop("G_DEBUG", None)   # the unknown key warns on purpose
    tmp = tempfile.mkdtemp(prefix="caudal-journal-")
    journal = FakeJournal(tmp)
    broker = journal_broker(journal, tmp)
    try:
        if runner.start(broker):
            runner.run(test_every_record_has_the_common_fields, journal, broker)
            runner.run(test_listener_fields, journal, broker)
            runner.run(test_newline_in_a_message, journal, broker)
            runner.run(test_malformed_request_peer, journal, broker)
            runner.run(test_stderr_stays_quiet, journal, broker)
            runner.run(test_recovery_names_the_partition, journal, broker)
            if broker.alive():
                runner.run(test_every_record_has_the_common_fields, journal, broker)
                broker.stop()
        del os.environ["JOURNAL_STREAM"]
        runner.run(test_no_journal_stream_prints_as_before, journal, tmp)
        runner.run(test_journal_stream_of_another_file_prints_as_before, journal, tmp)
        return runner.finish(broker)
    finally:
        broker.close()
        journal.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(body)
