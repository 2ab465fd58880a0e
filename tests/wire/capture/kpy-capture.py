#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Drives kafka-python (Debian's python3-kafka) against BOOTSTRAP.

Usage: /usr/bin/python3 kpy-capture.py BOOTSTRAP STEP

STEP is one of:
  produce CODEC   3 records k1..k3 = "caudal fixture CODEC n", header h=v,
                  to topic fx-kpy-CODEC (CODEC: none gzip snappy lz4 zstd)
  consume CODEC.. a consumer in group caudal-fx-kpy reads fx-kpy-CODEC for
                  each CODEC, checks the payloads, commits and leaves
  admin           KafkaAdminClient.list_topics() and describe_topics()

Every call is bounded; the capture script also runs this under timeout(1).
"""

import sys
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

GROUP = "caudal-fx-kpy"
PREFIX = "fx-kpy-"


def expected(codec):
    return [(b"k%d" % n, ("caudal fixture %s %d" % (codec, n)).encode())
            for n in (1, 2, 3)]


def produce(bootstrap, codec):
    producer = KafkaProducer(
        bootstrap_servers=bootstrap,
        compression_type=None if codec == "none" else codec,
        linger_ms=200,
        request_timeout_ms=10000,
        max_block_ms=10000)
    futures = [producer.send(PREFIX + codec, key=key, value=value,
                             headers=[("h", b"v")])
               for key, value in expected(codec)]
    producer.flush(timeout=10)
    for f in futures:
        f.get(timeout=10)
    producer.close(timeout=5)


def consume(bootstrap, codecs):
    topics = [PREFIX + c for c in codecs]
    consumer = KafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        group_id=GROUP,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        heartbeat_interval_ms=500,
        session_timeout_ms=10000,
        fetch_max_wait_ms=200,
        request_timeout_ms=15000)
    want = {PREFIX + c: expected(c) for c in codecs}
    got = {t: [] for t in topics}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            for rec in records:
                got[rec.topic].append((rec.key, rec.value, rec.headers))
        if all(len(got[t]) >= 3 for t in topics):
            break
    for t in topics:
        triples = [(k, v) for k, v, _ in got[t]]
        if triples != want[t]:
            raise SystemExit("kpy-capture: %s: got %r, want %r"
                             % (t, got[t], want[t]))
        for _, _, headers in got[t]:
            if list(headers) != [("h", b"v")]:
                raise SystemExit("kpy-capture: %s: headers %r" % (t, headers))
    # Stay in the group a little so a few heartbeats go out.
    end = time.monotonic() + 1.5
    while time.monotonic() < end:
        consumer.poll(timeout_ms=250)
    consumer.commit()
    consumer.close(autocommit=False)


def admin(bootstrap):
    client = KafkaAdminClient(bootstrap_servers=bootstrap,
                              request_timeout_ms=10000)
    topics = sorted(t for t in client.list_topics() if t.startswith(PREFIX))
    if not topics:
        raise SystemExit("kpy-capture: list_topics found no fx-kpy topics")
    client.describe_topics([PREFIX + "none"])
    client.close()


def main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__)
    bootstrap, step = argv[1], argv[2]
    if step == "produce" and len(argv) == 4:
        produce(bootstrap, argv[3])
    elif step == "consume" and len(argv) >= 4:
        consume(bootstrap, argv[3:])
    elif step == "admin":
        admin(bootstrap)
    else:
        raise SystemExit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
