# SPDX-License-Identifier: GPL-3.0-or-later
"""kafkajs 2.2.4 against caudald.

Starts caudald, runs test-kafkajs.js under node (NODE_PATH =
tests/clients/node_modules, installed by tools via `npm ci`), then reads
back with kafka-python (assign, no group) every message kafkajs says it
produced, and compares offsets, keys, values, headers and timestamps.

Run: CAUDALD=_build/broker/caudald /usr/bin/python3 tests/integration/test-kafkajs.py
"""

import base64
import json
import os
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from caudald_fixture import Broker, check, check_eq, main, run  # noqa: E402

from kafka import KafkaConsumer, TopicPartition  # noqa: E402

NODE = shutil.which("node") or "node"
NODE_PATH = os.environ.get("KAFKAJS_NODE_PATH",
                           os.path.join(HERE, "..", "clients", "node_modules"))


def b64(text):
    return None if text is None else base64.b64decode(text)


def test_kafkajs_script(broker, state):
    check(os.path.isdir(os.path.join(NODE_PATH, "kafkajs")),
          "kafkajs is not installed in %s (run `npm ci` in tests/clients)" % NODE_PATH)
    manifest = os.path.join(broker.tmp, "kafkajs-manifest.json")
    env = dict(os.environ, NODE_PATH=os.path.abspath(NODE_PATH), BOOTSTRAP=broker.bootstrap,
               MANIFEST=manifest)
    proc = run([NODE, os.path.join(HERE, "test-kafkajs.js")], timeout=100, check_rc=False, env=env)
    for line in proc.stdout.splitlines():
        print("# kafkajs: " + line)
    if proc.stderr.strip():
        for line in proc.stderr.strip().splitlines()[-40:]:
            print("# kafkajs stderr: " + line)
    if os.path.exists(manifest):
        with open(manifest) as f:
            state["manifest"] = json.load(f)
    check_eq(proc.returncode, 0, "test-kafkajs.js exit status (see its TAP lines above)")


def test_read_back_with_kafka_python(broker, state):
    manifest = state.get("manifest")
    check(manifest, "test-kafkajs.js produced no manifest of what it sent")
    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=None,
                             enable_auto_commit=False, fetch_max_wait_ms=200)
    try:
        for topic, partitions in sorted(manifest.items()):
            for partition, sent in sorted(partitions.items()):
                tp = TopicPartition(topic, int(partition))
                consumer.assign([tp])
                consumer.seek_to_beginning(tp)
                got = []
                deadline = time.monotonic() + 15
                while len(got) < len(sent) and time.monotonic() < deadline:
                    for batch in consumer.poll(timeout_ms=500).values():
                        got.extend(batch)
                check_eq(len(got), len(sent), "records in %s[%s]" % (topic, partition))
                for want, rec in zip(sent, got):
                    what = "%s[%s] offset %d" % (topic, partition, want["offset"])
                    check_eq(rec.offset, want["offset"], what + ": offset")
                    check_eq(rec.key, b64(want["key"]), what + ": key")
                    check_eq(rec.value, b64(want["value"]), what + ": value")
                    check_eq(sorted(rec.headers), sorted((k, b64(v)) for k, v in want["headers"]),
                             what + ": headers")
                    if want["timestamp"] is not None:
                        check_eq(rec.timestamp, want["timestamp"], what + ": timestamp")
    finally:
        consumer.close()


def test_broker_alive_and_clean_stop(broker, state):
    check(broker.alive(), "caudald is no longer running")
    broker.stop()


def body(runner):
    state = {}
    with Broker(overrides={"auto.create.topics.enable": "false"}, name="kafkajs") as broker:
        if runner.start(broker):
            for test in (test_kafkajs_script, test_read_back_with_kafka_python,
                         test_broker_alive_and_clean_stop):
                runner.run(test, broker, state)
        return runner.finish(broker)


if __name__ == "__main__":
    main(body)
