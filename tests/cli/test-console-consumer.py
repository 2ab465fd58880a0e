# SPDX-License-Identifier: GPL-3.0-or-later
"""`caudal console-consumer` against a real caudald: Kafka's
DefaultMessageFormatter output with each print.* property, --partition /
--offset, consumer groups (two members split a 2-partition topic, another
group sees everything, committed offsets resume), the final "Processed a
total of N messages" line, SIGINT, and the error exits.

Run: CAUDALD=_build/broker/caudald CAUDAL=_build/client-cli/caudal \
     /usr/bin/python3 tests/cli/test-console-consumer.py
"""

import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from caudald_fixture import (Broker, check, check_eq, fail, main, run,  # noqa: E402
                             unique_topic, wait_until)

from kafka import KafkaProducer  # noqa: E402

CAUDAL = os.environ.get("CAUDAL")
TS = 1700000000000


def caudal(*args, timeout=60, check_rc=True):
    return run([CAUDAL] + list(args), timeout=timeout, check_rc=check_rc)


def create_topic(broker, topic, partitions):
    caudal("topics", "--bootstrap-server", broker.bootstrap, "--create", "--topic", topic,
           "--partitions", str(partitions), "--replication-factor", "1")


def produce(broker, topic, records):
    """records: [(partition, key, value, timestamp_ms, headers)]"""
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, api_version=(2, 5))
    try:
        for partition, key, value, ts, headers in records:
            producer.send(topic, key=key, value=value, partition=partition,
                          timestamp_ms=ts, headers=headers or [])
        producer.flush(timeout=20)
    finally:
        producer.close(timeout=10)


def consume(broker, topic, *extra, timeout=60, check_rc=True):
    return caudal("console-consumer", "--bootstrap-server", broker.bootstrap, "--topic", topic,
                  *extra, timeout=timeout, check_rc=check_rc)


FORMAT_RECORDS = [
    (0, b"k1", b"v1", TS, [("h1", b"x")]),
    (0, None, b"v2", TS + 1, []),
    (0, b"k3", None, TS + 2, [("a", b"1"), ("b", b"")]),
]


def test_value_only(broker):
    topic = unique_topic("fmt")
    create_topic(broker, topic, 1)
    produce(broker, topic, FORMAT_RECORDS)
    broker.fmt_topic = topic
    proc = consume(broker, topic, "--from-beginning", "--max-messages", "3")
    check_eq(proc.stdout, "v1\nv2\nnull\n", "default output (value only)")
    check("Processed a total of 3 messages" in proc.stderr, "stderr: %r" % proc.stderr)


def test_all_properties(broker):
    props = []
    for name in ["print.timestamp", "print.partition", "print.offset", "print.headers", "print.key"]:
        props += ["--property", name + "=true"]
    proc = consume(broker, broker.fmt_topic, "--from-beginning", "--max-messages", "3", *props)
    check_eq(proc.stdout.splitlines(), [
        "CreateTime:%d\tPartition:0\tOffset:0\th1:x\tk1\tv1" % TS,
        "CreateTime:%d\tPartition:0\tOffset:1\tNO_HEADERS\tnull\tv2" % (TS + 1),
        "CreateTime:%d\tPartition:0\tOffset:2\ta:1,b:\tk3\tnull" % (TS + 2),
    ], "all print.* properties")


def test_separators(broker):
    proc = consume(broker, broker.fmt_topic, "--from-beginning", "--max-messages", "3",
                   "--property", "print.key=true", "--property", "key.separator= => ",
                   "--property", "print.value=false", "--property", "print.headers=true",
                   "--property", "headers.separator=;", "--property", "line.separator=|")
    check_eq(proc.stdout, "h1:x => k1|NO_HEADERS => null|a:1;b: => k3|",
             "key/headers/line separators without values")


def test_partition_offset(broker):
    proc = consume(broker, broker.fmt_topic, "--partition", "0", "--offset", "1",
                   "--max-messages", "2", "--property", "print.offset=true")
    check_eq(proc.stdout.splitlines(), ["Offset:1\tv2", "Offset:2\tnull"], "--partition 0 --offset 1")
    proc = consume(broker, broker.fmt_topic, "--partition", "0", "--offset", "earliest",
                   "--max-messages", "1")
    check_eq(proc.stdout, "v1\n", "--offset earliest")
    proc = consume(broker, broker.fmt_topic, "--partition", "0", "--timeout-ms", "1500")
    check_eq(proc.stdout, "", "--partition without --offset starts at the end")
    check("Processed a total of 0 messages" in proc.stderr, "stderr: %r" % proc.stderr)


def split_records(topic):
    recs = []
    for p in (0, 1):
        for i in range(3):
            recs.append((p, None, ("p%d-%d" % (p, i)).encode(), None, []))
    return recs


def test_group_split(broker):
    topic = unique_topic("split")
    group = unique_topic("grp")
    create_topic(broker, topic, 2)
    produce(broker, topic, split_records(topic))
    cmd = [CAUDAL, "console-consumer", "--bootstrap-server", broker.bootstrap, "--topic", topic,
           "--group", group, "--from-beginning", "--timeout-ms", "4000",
           "--consumer-property", "heartbeat.interval.ms=500"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outs = []
    for proc in procs:
        try:
            out, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            for p in procs:
                p.kill()
            fail("a group member did not exit")
        check_eq(proc.returncode, 0, "member exit status (stderr %r)" % err)
        outs.append(sorted(out.decode().split()))
    check_eq(sorted(outs), [["p0-0", "p0-1", "p0-2"], ["p1-0", "p1-1", "p1-2"]],
             "each member got one partition's messages")
    broker.split = (topic, group)


def test_other_group_sees_all(broker):
    topic, _ = broker.split
    proc = consume(broker, topic, "--group", unique_topic("other"), "--from-beginning",
                   "--max-messages", "6")
    check_eq(sorted(proc.stdout.split()), sorted(r[2].decode() for r in split_records(topic)),
             "a different group reads everything")


def test_resume_committed(broker):
    topic = unique_topic("resume")
    group = unique_topic("grp")
    create_topic(broker, topic, 1)
    produce(broker, topic, [(0, None, b"m%d" % i, None, []) for i in range(4)])
    proc = consume(broker, topic, "--group", group, "--from-beginning", "--max-messages", "2")
    check_eq(proc.stdout, "m0\nm1\n", "first run")
    produce(broker, topic, [(0, None, b"m4", None, [])])
    proc = consume(broker, topic, "--group", group, "--from-beginning", "--timeout-ms", "2000")
    check_eq(proc.stdout, "m2\nm3\nm4\n", "second run resumes after the committed offset")
    check("Processed a total of 3 messages" in proc.stderr, "stderr: %r" % proc.stderr)
    proc = consume(broker, topic, "--group", group, "--timeout-ms", "1500")
    check_eq(proc.stdout, "", "third run: nothing new")


def test_sigint(broker):
    topic = broker.fmt_topic
    proc = subprocess.Popen([CAUDAL, "console-consumer", "--bootstrap-server", broker.bootstrap,
                             "--topic", topic, "--from-beginning"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(5)
    check(proc.poll() is None, "consumer exited early")
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        fail("no exit within 20 s of SIGINT")
    check_eq(proc.returncode, 0, "exit status after SIGINT (stderr %r)" % err)
    check_eq(out.decode(), "v1\nv2\nnull\n", "output before SIGINT")
    check("Processed a total of 3 messages" in err.decode(), "stderr: %r" % err)


def test_errors(broker):
    proc = caudal("console-consumer", "--bootstrap-server", broker.bootstrap, check_rc=False)
    check_eq(proc.returncode, 2, "missing --topic exit status")
    check("topic" in proc.stderr, "stderr names the missing flag: %r" % proc.stderr)
    proc = caudal("console-consumer", "--topic", "t", check_rc=False)
    check_eq(proc.returncode, 2, "missing --bootstrap-server exit status")
    proc = caudal("console-consumer", "--bootstrap-server", "127.0.0.1:1", "--topic", "t",
                  check_rc=False, timeout=40)
    check_eq(proc.returncode, 1, "unreachable broker exit status")
    check("cannot connect to 127.0.0.1:1" in proc.stderr, "stderr: %r" % proc.stderr)


def body(runner):
    if not CAUDAL:
        fail("CAUDAL is not set (path to the caudal executable)")
    broker = Broker(name="console-consumer")
    try:
        if runner.start(broker):
            for test in (test_value_only, test_all_properties, test_separators,
                         test_partition_offset, test_group_split, test_other_group_sees_all,
                         test_resume_committed, test_sigint, test_errors):
                runner.run(test, broker)
        return runner.finish(broker)
    finally:
        broker.close()


if __name__ == "__main__":
    main(body)
