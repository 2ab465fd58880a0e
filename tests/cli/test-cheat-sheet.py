# SPDX-License-Identifier: GPL-3.0-or-later
"""The user's Kafka notes (../shared/seed/kafka-cheat-sheet-pt.txt), run as
written against caudald, under Kafka's script names:

1. kafka-topics --create / --describe topico-exemplo, produce lines with
   kafka-console-producer, read them with kafka-console-consumer
   --from-beginning, kafka-topics --delete.
2. Recreate it with --partitions 2; two consumers in group1 split the
   messages, each consumer of group2 (a group of one here, as in the
   notes) sees all of them; kafka-consumer-groups --describe --group
   group1 shows both partitions with LAG 0 after consumption.

Run: CAUDALD=… CAUDAL=… /usr/bin/python3 tests/cli/test-cheat-sheet.py
"""

import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from caudald_fixture import Broker, check, check_eq, main, wait_until  # noqa: E402

CAUDAL = os.environ.get("CAUDAL")
TOOLS = ["kafka-topics", "kafka-console-producer", "kafka-console-consumer", "kafka-consumer-groups"]


def tool(links, name, *args, input=None, timeout=60):
    proc = subprocess.run([os.path.join(links, name)] + list(args), input=input,
                          capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def consumer(links, *args):
    return subprocess.Popen([os.path.join(links, "kafka-console-consumer")] + list(args),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stop(proc):
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    check_eq(proc.returncode, 0, "consumer exit status after Ctrl-C (stderr: %s)" % err[-300:])
    return out.split("\n")[:-1], err


def test_one_partition(broker, links):
    b = broker.bootstrap
    rc, out, err = tool(links, "kafka-topics", "--create", "--topic", "topico-exemplo", "--bootstrap-server", b)
    check_eq((rc, out), (0, "Created topic topico-exemplo.\n"), "create: " + err)
    rc, out, err = tool(links, "kafka-topics", "--describe", "--topic", "topico-exemplo", "--bootstrap-server", b)
    lines = out.split("\n")
    check(lines[0].startswith("Topic: topico-exemplo\tTopicId: "), "describe: " + out)
    check(lines[0].endswith("\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: "), "describe: " + out)
    check_eq(lines[1], "\tTopic: topico-exemplo\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1", "partition line")

    messages = ["pedido %d criado" % i for i in range(1, 6)]
    rc, out, err = tool(links, "kafka-console-producer", "--topic", "topico-exemplo", "--bootstrap-server", b,
                        input="\n".join(messages) + "\n")
    check_eq(rc, 0, "producer exit status: " + err)
    rc, out, err = tool(links, "kafka-console-consumer", "--topic", "topico-exemplo", "--bootstrap-server", b,
                        "--from-beginning", "--max-messages", "5")
    check_eq(out.split("\n")[:-1], messages, "consumed from the beginning")
    check("Processed a total of 5 messages" in err, "processed line: " + err)
    rc, out, err = tool(links, "kafka-topics", "--delete", "--topic", "topico-exemplo", "--bootstrap-server", b)
    check_eq((rc, out, err), (0, "", ""), "delete")


def test_two_partitions_and_groups(broker, links):
    b = broker.bootstrap
    rc, out, err = tool(links, "kafka-topics", "--create", "--topic", "topico-exemplo", "--partitions", "2",
                        "--bootstrap-server", b)
    check_eq(rc, 0, "create with 2 partitions: " + err)
    rc, out, err = tool(links, "kafka-topics", "--describe", "--topic", "topico-exemplo", "--bootstrap-server", b)
    check("PartitionCount: 2" in out and "Partition: 1" in out, "describe: " + out)

    g1a = consumer(links, "--topic", "topico-exemplo", "--group", "group1", "--bootstrap-server", b)
    g1b = consumer(links, "--topic", "topico-exemplo", "--group", "group1", "--bootstrap-server", b)
    g2 = consumer(links, "--topic", "topico-exemplo", "--group", "group2", "--bootstrap-server", b)
    everyone = consumer(links, "--topic", "topico-exemplo", "--bootstrap-server", b)

    def group_stable():
        rc, out, err = tool(links, "kafka-consumer-groups", "--describe", "--group", "group1",
                            "--members", "--bootstrap-server", b)
        rows = [l for l in out.split("\n")[1:] if l.startswith("group1")]
        return rc == 0 and len(rows) == 2 and all(r.split()[-1] == "1" for r in rows)
    try:
        wait_until(group_stable, 30, "group1 with two members holding one partition each")
        # Consumers with no commit start at the end: give group2 and the
        # group-less consumer time to join before producing.
        time.sleep(2)
        messages = ["mensagem-%02d" % i for i in range(20)]
        # Typed one by one in the notes: each line is its own batch, and the
        # sticky partitioner (KIP-480) picks a partition per batch. --sync
        # sends each line on its own, as typing does.
        rc, out, err = tool(links, "kafka-console-producer", "--topic", "topico-exemplo", "--bootstrap-server", b,
                            "--sync", input="\n".join(messages) + "\n")
        check_eq(rc, 0, "producer: " + err)
        time.sleep(3)
    finally:
        a, _ = stop(g1a)
        c, _ = stop(g1b)
        all2, _ = stop(g2)
        all3, _ = stop(everyone)

    check_eq(sorted(a + c), messages, "group1 together read every message once")
    check(len(a) > 0 and len(c) > 0, "both group1 consumers read something (%d, %d)" % (len(a), len(c)))
    check(not set(a) & set(c), "group1 consumers split the messages")
    check_eq(sorted(all2), messages, "group2 sees every message")
    check_eq(sorted(all3), messages, "a consumer without a group sees every message")

    rc, out, err = tool(links, "kafka-consumer-groups", "--describe", "--group", "group1", "--bootstrap-server", b)
    check_eq(rc, 0, "describe group1: " + err)
    lines = [l for l in out.split("\n") if l.strip()]
    check_eq(lines[0].split(), ["GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG",
                                "CONSUMER-ID", "HOST", "CLIENT-ID"], "describe header")
    rows = sorted(l.split() for l in lines[1:])
    check_eq([r[:3] for r in rows], [["group1", "topico-exemplo", "0"], ["group1", "topico-exemplo", "1"]],
             "one row per partition")
    for r in rows:
        check_eq(r[5], "0", "LAG of partition %s" % r[2])
        check_eq(r[3], r[4], "CURRENT-OFFSET = LOG-END-OFFSET on partition %s" % r[2])
    check_eq(sum(int(r[4]) for r in rows), 20, "LOG-END-OFFSETs add up to what was produced")


def body(runner):
    check(CAUDAL, "CAUDAL is not set")
    links = tempfile.mkdtemp(prefix="caudal-cheat-")
    for name in TOOLS:
        os.symlink(CAUDAL, os.path.join(links, name))
    broker = Broker(name="cheat-sheet", overrides={"group.initial.rebalance.delay.ms": "0"})
    try:
        if runner.start(broker):
            runner.run(test_one_partition, broker, links)
            runner.run(test_two_partitions_and_groups, broker, links)
        return runner.finish(broker)
    finally:
        broker.close()
        for name in TOOLS:
            os.unlink(os.path.join(links, name))
        os.rmdir(links)


if __name__ == "__main__":
    main(body)
