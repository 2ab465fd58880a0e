#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""An idempotent producer's retry is recognised across a restart of
caudald (docs/storage.md, "Producer snapshots").

The wire by hand, as a producer that lost its connection would send it:
InitProducerId, then Produce v3 of record batches carrying the producer
id, epoch and sequences. caudald restarts — gracefully (its snapshot
written at the stop) and with kill -9 (the log replayed after an older
snapshot, or from the start) — and the same batch sent again is answered
with the offset it was first written at, not written twice: the log end
does not move. A batch past the next expected sequence is still refused
(OUT_OF_ORDER_SEQUENCE_NUMBER), and the next in order is appended. Last,
with producer.id.expiration.ms=2000 the producer is forgotten a moment
after its newest batch.

Run: CAUDALD=_build/broker/caudald /usr/bin/python3 tests/integration/test-idempotent-restart.py
"""

import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from caudald_fixture import Broker, Runner, check, check_eq, main  # noqa: E402

CLIENT_ID = b"caudal-it"
OUT_OF_ORDER_SEQUENCE_NUMBER = 45


# -- CRC-32C (Castagnoli), for the record batch header -----------------------

def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc32c_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = _TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def varint(n):
    n = (n << 1) ^ (n >> 63)                       # zigzag
    out = b""
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out += bytes([byte | 0x80])
        else:
            return out + bytes([byte])


def record_batch(producer_id, epoch, base_sequence, values):
    """A v2 batch of `values` (no keys, no headers) from an idempotent
    producer."""
    now = int(time.time() * 1000)
    records = b""
    for i, value in enumerate(values):
        body = b"\x00" + varint(0) + varint(i) + varint(-1) + varint(len(value)) + value + varint(0)
        records += varint(len(body)) + body
    after_crc = struct.pack(">hiqqqhii", 0, len(values) - 1, now, now, producer_id, epoch,
                            base_sequence, len(values)) + records
    after_length = struct.pack(">ibI", -1, 2, crc32c(after_crc)) + after_crc
    return struct.pack(">qi", 0, len(after_length)) + after_length


# -- requests ----------------------------------------------------------------

def request(broker, api_key, version, payload):
    body = struct.pack(">hhih", api_key, version, 9, len(CLIENT_ID)) + CLIENT_ID + payload
    with socket.create_connection((broker.host, broker.port), timeout=10) as s:
        s.sendall(struct.pack(">i", len(body)) + body)
        size = struct.unpack(">i", s.recv(4, socket.MSG_WAITALL))[0]
        return s.recv(size, socket.MSG_WAITALL)


def create_by_metadata(broker, topic):
    """Metadata v4 with allow_auto_topic_creation: the topic-level error."""
    name = topic.encode()
    buf = request(broker, 3, 4, struct.pack(">ih", 1, len(name)) + name + b"\x01")
    pos = 4 + 4                                    # correlation id, throttle
    (n,) = struct.unpack_from(">i", buf, pos)
    pos += 4
    for _ in range(n):                             # brokers: id, host, port, rack
        pos += 4
        (ln,) = struct.unpack_from(">h", buf, pos)
        pos += 2 + ln + 4
        (ln,) = struct.unpack_from(">h", buf, pos)
        pos += 2 + max(ln, 0)
    (ln,) = struct.unpack_from(">h", buf, pos)      # cluster id
    pos += 2 + max(ln, 0) + 4 + 4                  # controller, topic count
    return struct.unpack_from(">h", buf, pos)[0]


def init_producer_id(broker):
    buf = request(broker, 22, 0, struct.pack(">hi", -1, 60000))
    error, pid, epoch = struct.unpack_from(">hqh", buf, 8)
    check_eq(error, 0, "InitProducerId error")
    return pid, epoch


def produce(broker, topic, batch):
    """Produce v3, acks=1, one partition (0): (error, base_offset)."""
    name = topic.encode()
    payload = struct.pack(">hhi", -1, 1, 30000) + struct.pack(">ih", 1, len(name)) + name
    payload += struct.pack(">iii", 1, 0, len(batch)) + batch
    buf = request(broker, 0, 3, payload)
    pos = 4 + 4                                    # correlation id, topics count
    (n,) = struct.unpack_from(">h", buf, pos)
    pos += 2 + n + 4                               # name, partitions count
    _, error, base = struct.unpack_from(">ihq", buf, pos)
    return error, base


def log_end(broker, topic):
    """ListOffsets v1 latest for partition 0."""
    name = topic.encode()
    buf = request(broker, 2, 1, struct.pack(">iih", -1, 1, len(name)) + name
                  + struct.pack(">iiq", 1, 0, -1))
    pos = 4 + 4
    (n,) = struct.unpack_from(">h", buf, pos)
    pos += 2 + n + 4
    _, error, _, offset = struct.unpack_from(">ihqq", buf, pos)
    check_eq(error, 0, "ListOffsets error")
    return offset


def body(runner):
    broker = Broker({"auto.create.topics.enable": "true", "num.partitions": "1"})
    topic = "idem-restart"
    state = {}
    try:
        def first_batches():
            broker.start()
            check_eq(create_by_metadata(broker, topic), 0, "auto-creation by Metadata")
            pid, epoch = init_producer_id(broker)
            state["pid"], state["epoch"] = pid, epoch
            offsets = []
            for seq in (0, 3, 6):
                batch = record_batch(pid, epoch, seq, [b"v%d" % (seq + i) for i in range(3)])
                error, base = produce(broker, topic, batch)
                check_eq(error, 0, "first send of sequence %d" % seq)
                offsets.append((seq, batch, base))
            check_eq([o[2] for o in offsets], [0, 3, 6], "offsets of the three batches")
            state["batches"] = offsets
            state["next_seq"] = 9

        def retries_answered_after(how, label):
            def step():
                if how == "stop":
                    broker.restart()
                else:
                    broker.kill9()
                    broker.start()
                end = log_end(broker, topic)
                for seq, batch, base in state["batches"][-2:]:
                    error, got = produce(broker, topic, batch)
                    check_eq((error, got), (0, base),
                             "retry of sequence %d after %s (error, offset)" % (seq, how))
                check_eq(log_end(broker, topic), end, "log end after the retries (nothing written twice)")
                pid, epoch, seq = state["pid"], state["epoch"], state["next_seq"]
                error, _ = produce(broker, topic, record_batch(pid, epoch, seq + 5, [b"gap"]))
                check_eq(error, OUT_OF_ORDER_SEQUENCE_NUMBER, "a batch past the next sequence")
                batch = record_batch(pid, epoch, seq, [b"v%d" % seq])
                error, base = produce(broker, topic, batch)
                check_eq((error, base), (0, end), "the next batch in order")
                state["batches"].append((seq, batch, base))
                state["next_seq"] = seq + 1
            step.__name__ = "retries_answered_after_%s" % label
            return step

        def expired_producer_is_forgotten():
            # producer.id.expiration.ms counts from the newest batch's
            # timestamp; housekeeping then forgets the producer, whose
            # next batch is taken at any sequence (as Kafka since KIP-360).
            broker.restart({"producer.id.expiration.ms": "2000",
                            "log.retention.check.interval.ms": "200"})
            pid, epoch, seq = state["pid"], state["epoch"], state["next_seq"]
            # A batch now, so the two seconds count from here.
            error, _ = produce(broker, topic, record_batch(pid, epoch, seq, [b"fresh"]))
            check_eq(error, 0, "the next batch in order after the restart")
            error, _ = produce(broker, topic, record_batch(pid, epoch, seq + 5, [b"gap"]))
            check_eq(error, OUT_OF_ORDER_SEQUENCE_NUMBER, "a gap while the producer is known")
            time.sleep(2.6)
            error, _ = produce(broker, topic, record_batch(pid, epoch, seq + 5, [b"late"]))
            check_eq(error, 0, "the same gap once the producer expired")

        # The second kill -9 comes after batches written since the last
        # start, which no snapshot holds: they are replayed from the log.
        for test in (first_batches, retries_answered_after("stop", "stop"),
                     retries_answered_after("kill9", "kill9"),
                     retries_answered_after("kill9", "second_kill9"),
                     expired_producer_is_forgotten):
            if runner.failed:
                break
            runner.run(test)
        return runner.finish(broker)
    finally:
        broker.close()


if __name__ == "__main__":
    main(body)
