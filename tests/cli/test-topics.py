# SPDX-License-Identifier: GPL-3.0-or-later
"""`caudal topics` and `kafka-topics` against a real caudald: Kafka's output,
exit codes and error messages, including the user's cheat-sheet sequence
(create topico-exemplo, describe it, delete it, recreate with 2 partitions).

Run: CAUDALD=_build/broker/caudald CAUDAL=_build/client-cli/caudal \
     /usr/bin/python3 tests/cli/test-topics.py
"""

import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from caudald_fixture import Broker, check, check_eq, main, unique_topic  # noqa: E402

CAUDAL = os.environ.get("CAUDAL")
TOPIC_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")


def kafka_topics(link_dir, *args):
    """Runs caudal under Kafka's script name, as a cheat-sheet would."""
    proc = subprocess.run([os.path.join(link_dir, "kafka-topics")] + list(args),
                          capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


def caudal(*args):
    proc = subprocess.run([CAUDAL, "topics"] + list(args), capture_output=True, text=True,
                          timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


def describe_lines(out):
    """Splits --describe output into (header fields, [partition fields])."""
    lines = out.rstrip("\n").split("\n")
    check(len(lines) >= 1, "describe printed nothing")
    header = lines[0].split("\t")
    parts = [line.split("\t") for line in lines[1:]]
    return header, parts


def test_cheat_sheet(broker, links):
    b = broker.bootstrap
    rc, out, err = kafka_topics(links, "--create", "--topic", "topico-exemplo", "--bootstrap-server", b)
    check_eq((rc, out, err), (0, "Created topic topico-exemplo.\n", ""), "create")

    rc, out, err = kafka_topics(links, "--describe", "--topic", "topico-exemplo", "--bootstrap-server", b)
    check_eq((rc, err), (0, ""), "describe status")
    header, parts = describe_lines(out)
    check_eq(header[0], "Topic: topico-exemplo", "describe topic field")
    check(header[1].startswith("TopicId: ") and TOPIC_ID.match(header[1][9:]), "TopicId: " + header[1])
    check_eq(header[2:], ["PartitionCount: 1", "ReplicationFactor: 1", "Configs: "], "describe header")
    check_eq(parts, [["", "Topic: topico-exemplo", "Partition: 0", "Leader: 1", "Replicas: 1", "Isr: 1"]],
             "describe partitions")

    rc, out, err = kafka_topics(links, "--delete", "--topic", "topico-exemplo", "--bootstrap-server", b)
    check_eq((rc, out, err), (0, "", ""), "delete")

    rc, out, err = kafka_topics(links, "--create", "--topic", "topico-exemplo", "--partitions", "2",
                                "--bootstrap-server", b)
    check_eq((rc, out), (0, "Created topic topico-exemplo.\n"), "create with 2 partitions")
    rc, out, err = kafka_topics(links, "--describe", "--topic", "topico-exemplo", "--bootstrap-server", b)
    header, parts = describe_lines(out)
    check_eq(header[2], "PartitionCount: 2", "partition count")
    check_eq([p[2] for p in parts], ["Partition: 0", "Partition: 1"], "partition lines")


def test_errors(broker, links):
    b = broker.bootstrap
    topic = unique_topic("cli-err")
    check_eq(caudal("--create", "--topic", topic, "--bootstrap-server", b)[0], 0, "create")
    rc, out, err = caudal("--create", "--topic", topic, "--bootstrap-server", b)
    check_eq((rc, err), (1, "Error while executing topic command : Topic '%s' already exists.\n" % topic),
             "create twice")
    check_eq(caudal("--create", "--topic", topic, "--if-not-exists", "--bootstrap-server", b)[0], 0,
             "--if-not-exists")
    rc, out, err = caudal("--create", "--topic", "rf3-" + topic, "--replication-factor", "3",
                          "--bootstrap-server", b)
    check_eq(rc, 1, "replication factor 3 on one broker")
    check("Unable to replicate the partition 3 time(s)" in err, "rf error: " + err)
    rc, out, err = caudal("--create", "--topic", "bad name!", "--bootstrap-server", b)
    check_eq(rc, 1, "invalid name")
    check("illegal" in err, "invalid name error: " + err)
    rc, out, err = caudal("--describe", "--topic", "missing-" + topic, "--bootstrap-server", b)
    check_eq((rc, err), (1, "Error while executing topic command : Topic 'missing-%s' does not exist as expected\n"
                         % topic), "describe a missing topic")
    check_eq(caudal("--delete", "--topic", "missing-" + topic, "--if-exists", "--bootstrap-server", b)[0], 0,
             "delete --if-exists")
    # Usage errors exit 2 and print the usage.
    rc, out, err = caudal("--create", "--bootstrap-server", b)
    check_eq(rc, 2, "missing --topic")
    check(err.startswith('Missing required argument "[topic]"'), "missing --topic message: " + err)
    check_eq(caudal("--list")[0], 2, "missing --bootstrap-server")
    check_eq(caudal("--list", "--describe", "--bootstrap-server", b)[0], 2, "two actions")
    check_eq(caudal("--no-such-flag", "--bootstrap-server", b)[0], 2, "unknown flag")


def test_unreachable():
    # A port nothing listens on: fails at once, naming the address.
    rc, out, err = caudal("--list", "--bootstrap-server", "127.0.0.1:1")
    check_eq(rc, 1, "exit status")
    check("cannot connect to 127.0.0.1:1" in err, "message: " + err)


def test_list_configs_alter(broker, links):
    b = broker.bootstrap
    topic = unique_topic("cli-cfg")
    rc, out, err = caudal("--create", "--topic", topic, "--partitions", "2", "--config", "retention.ms=1000",
                          "--config", "cleanup.policy=compact", "--bootstrap-server", b)
    check_eq(rc, 0, "create with configs: " + err)
    rc, out, err = caudal("--describe", "--topic", topic, "--bootstrap-server", b)
    header, parts = describe_lines(out)
    check_eq(header[4], "Configs: cleanup.policy=compact,retention.ms=1000", "configs column")
    rc, out, err = caudal("--list", "--bootstrap-server", b)
    names = out.split()
    check(topic in names and names == sorted(names), "list is sorted and has the topic: %r" % names)
    check("__consumer_offsets" in names, "internal topics listed by default")
    rc, out, err = caudal("--list", "--exclude-internal", "--bootstrap-server", b)
    check("__consumer_offsets" not in out.split(), "--exclude-internal")
    check_eq(caudal("--alter", "--topic", topic, "--partitions", "3", "--bootstrap-server", b)[:2], (0, ""),
             "alter --partitions 3")
    rc, out, err = caudal("--describe", "--topic", topic, "--bootstrap-server", b)
    check_eq(describe_lines(out)[0][2], "PartitionCount: 3", "partitions after alter")
    rc, out, err = caudal("--alter", "--topic", topic, "--partitions", "2", "--bootstrap-server", b)
    check_eq(rc, 1, "alter to fewer partitions fails")


def body(runner):
    check(CAUDAL, "CAUDAL is not set")
    links = tempfile.mkdtemp(prefix="caudal-cli-")
    os.symlink(CAUDAL, os.path.join(links, "kafka-topics"))
    broker = Broker(name="cli-topics")
    try:
        if runner.start(broker):
            runner.run(test_cheat_sheet, broker, links)
            runner.run(test_errors, broker, links)
            runner.run(test_list_configs_alter, broker, links)
        runner.run(test_unreachable)
        return runner.finish(broker)
    finally:
        broker.close()
        os.unlink(os.path.join(links, "kafka-topics"))
        os.rmdir(links)


if __name__ == "__main__":
    main(body)
