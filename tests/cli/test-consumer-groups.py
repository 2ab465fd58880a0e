# SPDX-License-Identifier: GPL-3.0-or-later
"""`caudal consumer-groups` (kafka-consumer-groups) against a real caudald:
Kafka 3.x's --describe tables (exact text, widths and alignment), lag, the
"no active members" note, --members [--verbose], --state, --list [--state],
--reset-offsets in every mode (dry run and --execute), and --delete.

Groups come from kafka-python consumers; offsets are committed by hand so
every number is known.

Run: CAUDALD=_build/broker/caudald CAUDAL=_build/client-cli/caudal \
     /usr/bin/python3 tests/cli/test-consumer-groups.py
"""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from caudald_fixture import Broker, check, check_eq, main, wait_until  # noqa: E402

from kafka import KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka.structs import OffsetAndMetadata  # noqa: E402

CAUDAL = os.environ.get("CAUDAL")
TOPIC = "cg-golden-topic"      # 15 characters: Kafka's minimum column width
GROUP = "cg-golden"
CLIENT = "cg-client"
DRY_WARN = ("WARN: No action will be performed as the --execute option is missing.In a future major release, "
            "the default behavior of this command will be to prompt the user before executing the reset rather "
            "than doing a dry run. You should add the --dry-run option explicitly if you are scripting this "
            "command and want to keep the current default behavior without prompting.\n")


def cg(broker, *args):
    proc = subprocess.run([CAUDAL, "consumer-groups", "--bootstrap-server", broker.bootstrap] + list(args),
                          capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


def commit(broker, group, offsets):
    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=group, enable_auto_commit=False,
                             client_id=CLIENT, request_timeout_ms=30000)
    try:
        consumer.commit({TopicPartition(TOPIC, p): OffsetAndMetadata(o, None) for p, o in offsets.items()})
    finally:
        consumer.close()


class Member:
    """A kafka-python consumer in GROUP, polled until it owns partitions."""

    def __init__(self, broker):
        self.consumer = KafkaConsumer(TOPIC, bootstrap_servers=broker.bootstrap, group_id=GROUP,
                                      client_id=CLIENT, enable_auto_commit=False,
                                      auto_offset_reset="earliest", request_timeout_ms=30000,
                                      session_timeout_ms=10000, heartbeat_interval_ms=1000)

        def assigned():
            self.consumer.poll(200)
            return len(self.consumer.assignment()) == 2
        wait_until(assigned, 30, "the consumer's assignment")
        # The member id the coordinator gave it (kafka-python keeps it here).
        self.member_id = self.consumer._coordinator._generation.member_id

    def close(self):
        self.consumer.close()


def state_of(broker, group):
    rc, out, err = cg(broker, "--list", "--state")
    for line in out.splitlines()[1:]:
        fields = line.split()
        if fields and fields[0] == group:
            return fields[1]
    return None


def test_setup(broker):
    proc = subprocess.run([CAUDAL, "topics", "--create", "--topic", TOPIC, "--partitions", "2",
                           "--bootstrap-server", broker.bootstrap], capture_output=True, text=True, timeout=60)
    check_eq(proc.returncode, 0, "create topic: " + proc.stderr)
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all", linger_ms=0)
    for i in range(5):
        producer.send(TOPIC, b"p0-%d" % i, partition=0)
    for i in range(3):
        producer.send(TOPIC, b"p1-%d" % i, partition=1)
    producer.flush()
    producer.close()
    commit(broker, GROUP, {0: 2, 1: 3})


def test_describe_empty_group(broker):
    rc, out, err = cg(broker, "--describe", "--group", GROUP)
    check_eq(rc, 0, "exit status")
    check_eq(err, "\nConsumer group 'cg-golden' has no active members.\n", "stderr")
    check_eq(out,
             "\n"
             "GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID\n"
             "cg-golden       cg-golden-topic 0          2               5               3               -               -               -\n"
             "cg-golden       cg-golden-topic 1          3               3               0               -               -               -\n",
             "describe table")


def test_describe_unknown_group(broker):
    rc, out, err = cg(broker, "--describe", "--group", "cg-nobody")
    check_eq((rc, out, err), (1, "\nError: Consumer group 'cg-nobody' does not exist.\n", ""), "unknown group")


def test_list(broker):
    rc, out, err = cg(broker, "--list")
    check_eq((rc, out, err), (0, GROUP + "\n", ""), "--list")
    rc, out, err = cg(broker, "--list", "--state")
    check_eq((rc, err), (0, ""), "--list --state status")
    check_eq(out, "GROUP" + " " * 20 + " STATE" + " " * 15 + "\n" + GROUP + " " * 16 + " Empty" + " " * 15 + "\n",
             "--list --state table")
    rc, out, err = cg(broker, "--list", "--state", "stable")
    check_eq(out.splitlines()[1:], [], "--list --state stable (the group is empty)")


def test_active_member(broker):
    member = Member(broker)
    try:
        mid = member.member_id
        check(mid.startswith(CLIENT + "-"), "member id " + mid)
        rc, out, err = cg(broker, "--describe", "--group", GROUP)
        check_eq((rc, err), (0, ""), "describe status")
        id_col = mid.ljust(len(mid))
        check_eq(out,
                 "\n"
                 "GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             "
                 + "CONSUMER-ID".ljust(len(mid)) + " HOST            CLIENT-ID\n"
                 "cg-golden       cg-golden-topic 0          2               5               3               "
                 + id_col + " /127.0.0.1      cg-client\n"
                 "cg-golden       cg-golden-topic 1          3               3               0               "
                 + id_col + " /127.0.0.1      cg-client\n",
                 "describe with a member")
        # Columns line up: every row's fields start where the header's do.
        lines = out.strip("\n").split("\n")
        starts = [m.start() for m in re.finditer(r"\S+", lines[0])]
        for line in lines[1:]:
            check_eq([m.start() for m in re.finditer(r"\S+", line)], starts, "column starts of " + line)

        rc, out, err = cg(broker, "--describe", "--group", GROUP, "--members")
        check_eq((rc, err), (0, ""), "--members status")
        check_eq(out,
                 "\nGROUP           " + "CONSUMER-ID".ljust(len(mid)) + " HOST            CLIENT-ID       #PARTITIONS     \n"
                 "cg-golden       " + mid + " /127.0.0.1      cg-client       2               \n",
                 "--members")
        rc, out, err = cg(broker, "--describe", "--group", GROUP, "--members", "--verbose")
        check_eq(out,
                 "\nGROUP           " + "CONSUMER-ID".ljust(len(mid)) + " HOST            CLIENT-ID       #PARTITIONS     ASSIGNMENT\n"
                 "cg-golden       " + mid + " /127.0.0.1      cg-client       2               cg-golden-topic(0,1)\n",
                 "--members --verbose")

        rc, out, err = cg(broker, "--describe", "--group", GROUP, "--state")
        check_eq((rc, err), (0, ""), "--state status")
        coordinator = "%s (1)" % broker.bootstrap
        width = max(25, len(coordinator))
        check_eq(out,
                 "\n" + "GROUP".ljust(width) + " COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE           #MEMBERS\n"
                 + GROUP.ljust(width) + " " + coordinator.ljust(25) + " range                Stable          1\n",
                 "--state")

        rc, out, err = cg(broker, "--reset-offsets", "--group", GROUP, "--all-topics", "--to-earliest", "--dry-run")
        check_eq((rc, out, err),
                 (1, "\nError: Assignments can only be reset if the group 'cg-golden' is inactive, but the current "
                     "state is Stable.\n\n" + "%-30s %-30s %-10s %-15s\n" % ("GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"),
                  ""),
                 "reset refused while the group is active")

        rc, out, err = cg(broker, "--delete", "--group", GROUP)
        check_eq((rc, out, err),
                 (1, "\nError: Deletion of some consumer groups failed:\n"
                     "* Group 'cg-golden' could not be deleted due to: java.util.concurrent.ExecutionException: "
                     "org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.\n", ""),
                 "delete a non-empty group")
    finally:
        member.close()
    wait_until(lambda: state_of(broker, GROUP) == "Empty", 30, "the group to become Empty")


def reset_table(rows):
    return "\n" + "".join("%-30s %-30s %-10s %-15s\n" % r for r in [("GROUP", "TOPIC", "PARTITION", "NEW-OFFSET")] + rows)


def expect_reset(broker, args, offsets, what, err_expected=""):
    rc, out, err = cg(broker, "--reset-offsets", "--group", GROUP, *args)
    check_eq(rc, 0, what + " status (stderr %r)" % err)
    check_eq(out, reset_table([(GROUP, TOPIC, str(p), str(o)) for p, o in enumerate(offsets)]), what)
    if err_expected is not None:
        check_eq(err, err_expected, what + " stderr")
    return err


def committed_now(broker):
    rc, out, err = cg(broker, "--describe", "--group", GROUP)
    return [int(line.split()[3]) for line in out.strip("\n").split("\n")[1:]]


def test_reset_modes(broker):
    scope = ["--topic", TOPIC]
    expect_reset(broker, ["--all-topics", "--to-earliest", "--dry-run"], [0, 0], "--to-earliest")
    expect_reset(broker, scope + ["--to-latest", "--dry-run"], [5, 3], "--to-latest")
    expect_reset(broker, scope + ["--to-offset", "1", "--dry-run"], [1, 1], "--to-offset 1")
    err = expect_reset(broker, scope + ["--to-offset", "4", "--dry-run"], [4, 3], "--to-offset 4 (clamped on p1)",
                       err_expected=None)
    check(re.fullmatch(r"\[[0-9-]+ [0-9:,]+\] WARN New offset \(4\) is higher than latest offset for topic partition "
                       r"cg-golden-topic-1\. Value will be set to 3 \(kafka\.admin\.ConsumerGroupCommand\$\)\n", err),
          "clamp warning: %r" % err)
    expect_reset(broker, scope + ["--shift-by", "-1", "--dry-run"], [1, 2], "--shift-by -1")
    expect_reset(broker, scope + ["--shift-by", "-10", "--dry-run"], [0, 0], "--shift-by -10 (clamped)",
                 err_expected=None)
    expect_reset(broker, scope + ["--shift-by", "+2", "--dry-run"], [4, 3], "--shift-by +2", err_expected=None)
    expect_reset(broker, scope + ["--to-datetime", "2000-01-01T00:00:00.000", "--dry-run"], [0, 0], "--to-datetime past")
    rc, out, err = cg(broker, "--reset-offsets", "--group", GROUP, "--topic", TOPIC, "--to-datetime",
                      "2999-01-01T00:00:00.000", "--dry-run")
    check_eq(out,
             "\nWarn: Partition 0 from topic cg-golden-topic is empty. Falling back to latest known offset.\n"
             "\nWarn: Partition 1 from topic cg-golden-topic is empty. Falling back to latest known offset.\n"
             + reset_table([(GROUP, TOPIC, "0", "5"), (GROUP, TOPIC, "1", "3")]), "--to-datetime future")
    expect_reset(broker, scope + ["--by-duration", "P1D", "--dry-run"], [0, 0], "--by-duration P1D")
    expect_reset(broker, scope + ["--to-current", "--dry-run"], [2, 3], "--to-current")
    # Only partition 1, and no --dry-run / --execute: Kafka's warning.
    rc, out, err = cg(broker, "--reset-offsets", "--group", GROUP, "--topic", TOPIC + ":1", "--to-earliest")
    check_eq((rc, out, err), (0, reset_table([(GROUP, TOPIC, "1", "0")]), DRY_WARN), "default dry run")
    check_eq(committed_now(broker), [2, 3], "dry runs changed nothing")

    expect_reset(broker, scope + ["--to-offset", "1", "--execute"], [1, 1], "--to-offset 1 --execute")
    check_eq(committed_now(broker), [1, 1], "committed after --execute")
    expect_reset(broker, scope + ["--shift-by", "2", "--execute"], [3, 3], "--shift-by 2 --execute")
    rc, out, err = cg(broker, "--describe", "--group", GROUP)
    check_eq([line.split()[3:6] for line in out.strip("\n").split("\n")[1:]],
             [["3", "5", "2"], ["3", "3", "0"]], "CURRENT-OFFSET LOG-END-OFFSET LAG after the resets")

    rc, out, err = cg(broker, "--reset-offsets", "--group", GROUP, "--to-earliest", "--execute")
    check_eq(rc, 2, "no scope is a usage error")
    check(err.startswith("One of the reset scopes should be defined: --all-topics, --topic.\n"), err)


def test_delete(broker):
    rc, out, err = cg(broker, "--delete", "--group", GROUP)
    check_eq((rc, out, err), (0, "Deletion of requested consumer groups ('cg-golden') was successful.\n", ""),
             "delete")
    rc, out, err = cg(broker, "--delete", "--group", GROUP)
    check_eq((rc, out),
             (1, "\nError: Deletion of some consumer groups failed:\n"
                 "* Group 'cg-golden' could not be deleted due to: java.util.concurrent.ExecutionException: "
                 "org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.\n"),
             "delete again")
    rc, out, err = cg(broker, "--list")
    check_eq(out, "", "no groups left")


def body(runner):
    with Broker({"group.initial.rebalance.delay.ms": "0"}) as broker:
        if runner.start(broker):
            for test in (test_setup, test_describe_empty_group, test_describe_unknown_group, test_list,
                         test_active_member, test_reset_modes, test_delete):
                runner.run(test, broker)
        return runner.finish(broker)


if __name__ == "__main__":
    if not CAUDAL:
        print("CAUDAL is not set (path to the caudal executable)")
        sys.exit(1)
    main(body)
