# SPDX-License-Identifier: GPL-3.0-or-later
"""kcat -G (librdkafka 2.0.2 balanced consumer) against caudald's group
coordinator: two members split a 2-partition topic, consume every message
exactly once, and a later member of the same group resumes from the
offsets they committed.

Run: CAUDALD=_build/broker/caudald /usr/bin/python3 tests/integration/test-groups-kcat.py
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from caudald_fixture import (Broker, check, check_eq, fail, main, run,  # noqa: E402
                             unique_topic, wait_until)

KCAT = shutil.which("kcat") or "kcat"
FMT = "%p %o %s\\n"
# "% Group g rebalanced (memberid rdkafka-...): assigned: t [0], t [1]"
REBALANCE_RE = re.compile(r"^% Group (\S+) rebalanced \(memberid (\S+)\): (assigned|revoked): ?(.*)$")
GROUP_SETTINGS = ["-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500",
                  "-X", "auto.offset.reset=earliest", "-X", "socket.timeout.ms=10000",
                  "-X", "topic.metadata.refresh.interval.ms=1000"]


def produce(broker, topic, partition, values):
    run([KCAT, "-b", broker.bootstrap, "-P", "-t", topic, "-p", str(partition)],
        input="".join(v + "\n" for v in values))


class KcatMember:
    """One `kcat -G group topic` process; stdout and stderr go to files."""

    def __init__(self, broker, group, topic, name, *extra):
        self.name = name
        self.out_path = os.path.join(broker.tmp, "%s.out" % name)
        self.err_path = os.path.join(broker.tmp, "%s.err" % name)
        self.cmd = [KCAT, "-b", broker.bootstrap, "-G", group, "-u", "-f", FMT,
                    "-X", "client.id=" + name] + GROUP_SETTINGS + list(extra) + [topic]
        self.out = open(self.out_path, "wb")
        self.err = open(self.err_path, "wb")
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL,
                                     stdout=self.out, stderr=self.err)

    def stderr(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def records(self):
        """[(partition, offset, value)] printed so far (complete lines only)."""
        with open(self.out_path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        result = []
        for line in text.splitlines(keepends=True):
            if not line.endswith("\n"):
                break
            p, o, v = line.rstrip("\n").split(" ", 2)
            result.append((int(p), int(o), v))
        return result

    def assignment(self):
        """Partitions of the last 'assigned:' line, or None before the first;
        [] after a 'revoked:' line with no assignment since."""
        current = None
        for line in self.stderr().splitlines():
            m = REBALANCE_RE.match(line.strip())
            if not m:
                continue
            if m.group(3) == "revoked":
                current = []
            else:
                current = sorted(int(x) for x in re.findall(r"\[(\d+)\]", m.group(4)))
        return current

    def stop(self):
        """SIGTERM: kcat closes the consumer (final offset commit, LeaveGroup)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                fail("%s did not exit within 20s of SIGTERM\n%s" % (self.name, self.stderr()))
        self.out.close()
        self.err.close()
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.out.close()
        self.err.close()

    def describe(self):
        return "%s (exit %r) stderr:\n%s" % (self.name, self.proc.poll(), self.stderr())


def values_by_partition(records):
    byp = {}
    for p, o, v in records:
        byp.setdefault(p, []).append((o, v))
    return byp


# -- tests ------------------------------------------------------------------

def test_two_members_split_and_consume_once(broker, state):
    topic = unique_topic("kcat-grp")
    group = "kcat-grp-" + topic
    state["topic"], state["group"] = topic, group
    # Auto-creates the topic with num.partitions=2.
    produce(broker, topic, 0, ["p0-init-%d" % i for i in range(5)])
    produce(broker, topic, 1, ["p1-init-%d" % i for i in range(3)])

    a = KcatMember(broker, group, topic, "member-a")
    state["members"] = [a]
    wait_until(lambda: a.assignment() == [0, 1], 20,
               "member-a to be assigned both partitions alone")
    b = KcatMember(broker, group, topic, "member-b")
    state["members"].append(b)

    def balanced():
        return a.assignment() is not None and b.assignment() is not None and \
            sorted(a.assignment() + b.assignment()) == [0, 1] and \
            len(a.assignment()) == 1 and len(b.assignment()) == 1
    try:
        wait_until(balanced, 30, "one partition each for member-a and member-b")
    except AssertionError as exc:
        fail("%s\n%s\n%s" % (exc, a.describe(), b.describe()))

    produce(broker, topic, 0, ["p0-more-%d" % i for i in range(20)])
    produce(broker, topic, 1, ["p1-more-%d" % i for i in range(30)])
    expected = {0: [(i, "p0-init-%d" % i) for i in range(5)] +
                   [(5 + i, "p0-more-%d" % i) for i in range(20)],
                1: [(i, "p1-init-%d" % i) for i in range(3)] +
                   [(3 + i, "p1-more-%d" % i) for i in range(30)]}
    total = sum(len(v) for v in expected.values())
    wait_until(lambda: len(a.records()) + len(b.records()) >= total, 30,
               "%d records across both members" % total)
    time.sleep(1.0)   # let any duplicate show up before comparing

    # Each member's records after the rebalance come only from its partition.
    # member-a may have read some records of both partitions while alone,
    # so compare the union: every record exactly once, in offset order.
    merged = values_by_partition(sorted(a.records() + b.records()))
    check_eq(sorted(merged), [0, 1], "partitions consumed")
    for p in (0, 1):
        check_eq(merged[p], expected[p], "records of partition %d across both members" % p)
    b_parts = {p for p, _, _ in b.records()}
    check_eq(sorted(b_parts), b.assignment(), "partitions member-b printed records of")

    for m in state["members"]:
        rc = m.stop()
        check_eq(rc, 0, "exit status of %s after SIGTERM (%s)" % (m.name, m.describe()))
    state["members"] = []
    state["end"] = {0: 25, 1: 33}


def test_new_member_resumes_from_committed(broker, state):
    topic, group = state.get("topic"), state.get("group")
    check(topic and "end" in state, "previous test did not finish")
    produce(broker, topic, 0, ["p0-late-%d" % i for i in range(4)])
    produce(broker, topic, 1, ["p1-late-%d" % i for i in range(2)])
    # -e: exit once every assigned partition reached its end.
    c = KcatMember(broker, group, topic, "member-c", "-e")
    try:
        rc = c.proc.wait(timeout=40)
    except subprocess.TimeoutExpired:
        c.kill()
        fail("kcat -G -e did not exit within 40s\n%s" % c.describe())
    c.out.close()
    c.err.close()
    check_eq(rc, 0, "kcat -G -e exit status (%s)" % c.describe())
    got = values_by_partition(c.records())
    check_eq(got.get(0, []), [(25 + i, "p0-late-%d" % i) for i in range(4)],
             "partition 0 records read by a new member of the group (committed offset 25)")
    check_eq(got.get(1, []), [(33 + i, "p1-late-%d" % i) for i in range(2)],
             "partition 1 records read by a new member of the group (committed offset 33)")


def test_other_group_reads_everything(broker, state):
    topic = state.get("topic")
    check(topic, "first test did not create the topic")
    c = KcatMember(broker, "kcat-other-" + topic, topic, "member-other", "-e")
    try:
        rc = c.proc.wait(timeout=40)
    except subprocess.TimeoutExpired:
        c.kill()
        fail("kcat -G -e did not exit within 40s\n%s" % c.describe())
    c.out.close()
    c.err.close()
    check_eq(rc, 0, "kcat -G -e exit status (%s)" % c.describe())
    got = values_by_partition(c.records())
    check_eq([o for o, _ in got.get(0, [])], list(range(29)), "partition 0 offsets read by another group")
    check_eq([o for o, _ in got.get(1, [])], list(range(35)), "partition 1 offsets read by another group")


def test_broker_alive_and_clean_stop(broker, state):
    check(broker.alive(), "caudald is no longer running")
    broker.stop()


def body(runner):
    state = {"members": []}
    overrides = {"num.partitions": "2", "group.initial.rebalance.delay.ms": "0",
                 "group.min.session.timeout.ms": "1000"}
    with Broker(overrides=overrides, name="groups-kcat") as broker:
        try:
            if runner.start(broker):
                for test in (test_two_members_split_and_consume_once,
                             test_new_member_resumes_from_committed,
                             test_other_group_reads_everything,
                             test_broker_alive_and_clean_stop):
                    runner.run(test, broker, state)
        finally:
            for m in state["members"]:
                m.kill()
        return runner.finish(broker)


if __name__ == "__main__":
    main(body)
