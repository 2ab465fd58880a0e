#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Picks captured frames as fixtures and writes tests/wire/data/MANIFEST.

Usage: select-fixtures.py --raw DIR --out DIR [--codecs CLIENT=CODEC...]...

Reads the frames and CLIENT-index.jsonl files that capture-proxy.py wrote to
--raw, decodes every frame with the small schema table below (so that a
frame this script cannot decode to the last byte is an error), keeps at most
KEEP request/response pairs per (client, api, version, signature) and copies
them to --out, replacing the *.bin files and MANIFEST there.  The signature
separates frames a test wants to see apart: the topics of a Produce request,
the topics whose records a Fetch response carries, and whether a Metadata
request asks for all topics or for named ones.

It then checks that, for every CLIENT=CODEC given, a kept Produce request
and a kept Fetch response carry one batch for topic fx-CLIENT-CODEC with
that codec and exactly the records (k1, "caudal fixture CODEC 1", h=v) ..
(k3, ...), and exits non-zero otherwise.

Decompression uses zlib (gzip) from the standard library and, when they can
be imported, python3-snappy, python3-lz4 and python3-zstandard.  A batch
that cannot be decompressed here is listed with its codec and count only.

The MANIFEST format is described in the header this script writes into it.
"""

import argparse
import collections
import json
import os
import re
import shutil
import struct
import sys
import zlib

try:
    import snappy
except ImportError:
    snappy = None
try:
    import lz4.frame as lz4frame
except ImportError:
    lz4frame = None
try:
    import zstandard
except ImportError:
    zstandard = None

KEEP = 2
CODEC_NAMES = {0: "none", 1: "gzip", 2: "snappy", 3: "lz4", 4: "zstd"}
FIXTURE_RE = re.compile(
    r"^[a-z]+-\d{4}-[a-z0-9-]+-v\d+-(req|resp)(-malformed)?\.bin$")


class ParseError(Exception):
    pass


# --- primitive reader ------------------------------------------------------

class Reader:
    def __init__(self, buf, pos=0, end=None):
        self.buf = buf
        self.pos = pos
        self.end = len(buf) if end is None else end

    def left(self):
        return self.end - self.pos

    def take(self, n):
        if n < 0 or self.pos + n > self.end:
            raise ParseError("need %d bytes at %d, have %d"
                             % (n, self.pos, self.left()))
        out = self.buf[self.pos:self.pos + n]
        self.pos += n
        return out

    def fixed(self, fmt):
        size = struct.calcsize(fmt)
        return struct.unpack(fmt, self.take(size))[0]

    def uvarint(self):
        shift = value = 0
        while True:
            b = self.take(1)[0]
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                return value
            shift += 7
            if shift > 63:
                raise ParseError("varint too long")

    def varint(self):
        v = self.uvarint()
        return (v >> 1) ^ -(v & 1)

    def length(self, flexible, wide):
        """A length prefix; -1 means null."""
        if flexible:
            return self.uvarint() - 1
        return self.fixed(">i" if wide else ">h")

    def skip_tags(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self.take(self.uvarint())


# --- a small schema table ----------------------------------------------------
#
# A field is (name, type, first_version, last_version).  Types: int8 int16
# int32 int64 bool uuid string nstring bytes records, ("array", type) for an
# array of a primitive type and ("struct", [fields]) for an array of structs.
# "string" and "nstring" read the same; "n" only documents nullability.

def F(name, typ, lo=0, hi=99):
    return (name, typ, lo, hi)


def A(fields):
    return ("struct", fields)


# api key: (name, first flexible version or None, request, response)
SCHEMAS = {
    0: ("Produce", 9, [
        F("transactional_id", "nstring", 3),
        F("acks", "int16"),
        F("timeout_ms", "int32"),
        F("topic_data", A([
            F("name", "string"),
            F("partition_data", A([
                F("index", "int32"),
                F("records", "records")]))]))
    ], [
        F("responses", A([
            F("name", "string"),
            F("partition_responses", A([
                F("index", "int32"),
                F("error_code", "int16"),
                F("base_offset", "int64"),
                F("log_append_time_ms", "int64", 2),
                F("log_start_offset", "int64", 5),
                F("record_errors", A([
                    F("batch_index", "int32"),
                    F("batch_index_error_message", "nstring")]), 8),
                F("error_message", "nstring", 8)]))])),
        F("throttle_time_ms", "int32", 1),
    ]),
    1: ("Fetch", 12, [
        F("replica_id", "int32"),
        F("max_wait_ms", "int32"),
        F("min_bytes", "int32"),
        F("max_bytes", "int32", 3),
        F("isolation_level", "int8", 4),
        F("session_id", "int32", 7),
        F("session_epoch", "int32", 7),
        F("topics", A([
            F("topic", "string", 0, 12),
            F("topic_id", "uuid", 13),
            F("partitions", A([
                F("partition", "int32"),
                F("current_leader_epoch", "int32", 9),
                F("fetch_offset", "int64"),
                F("last_fetched_epoch", "int32", 12),
                F("log_start_offset", "int64", 5),
                F("partition_max_bytes", "int32")]))])),
        F("forgotten_topics_data", A([
            F("topic", "string", 0, 12),
            F("topic_id", "uuid", 13),
            F("partitions", ("array", "int32"))]), 7),
        F("rack_id", "string", 11),
    ], [
        F("throttle_time_ms", "int32", 1),
        F("error_code", "int16", 7),
        F("session_id", "int32", 7),
        F("responses", A([
            F("topic", "string", 0, 12),
            F("topic_id", "uuid", 13),
            F("partitions", A([
                F("partition_index", "int32"),
                F("error_code", "int16"),
                F("high_watermark", "int64"),
                F("last_stable_offset", "int64", 4),
                F("log_start_offset", "int64", 5),
                F("aborted_transactions", A([
                    F("producer_id", "int64"),
                    F("first_offset", "int64")]), 4),
                F("preferred_read_replica", "int32", 11),
                F("records", "records")]))])),
    ]),
    2: ("ListOffsets", 6, [
        F("replica_id", "int32"),
        F("isolation_level", "int8", 2),
        F("topics", A([
            F("name", "string"),
            F("partitions", A([
                F("partition_index", "int32"),
                F("current_leader_epoch", "int32", 4),
                F("timestamp", "int64"),
                F("max_num_offsets", "int32", 0, 0)]))])),
    ], [
        F("throttle_time_ms", "int32", 2),
        F("topics", A([
            F("name", "string"),
            F("partitions", A([
                F("partition_index", "int32"),
                F("error_code", "int16"),
                F("old_style_offsets", ("array", "int64"), 0, 0),
                F("timestamp", "int64", 1),
                F("offset", "int64", 1),
                F("leader_epoch", "int32", 4)]))])),
    ]),
    3: ("Metadata", 9, [
        F("topics", A([
            F("topic_id", "uuid", 10),
            F("name", "nstring")])),
        F("allow_auto_topic_creation", "bool", 4),
        F("include_cluster_authorized_operations", "bool", 8, 10),
        F("include_topic_authorized_operations", "bool", 8),
    ], [
        F("throttle_time_ms", "int32", 3),
        F("brokers", A([
            F("node_id", "int32"),
            F("host", "string"),
            F("port", "int32"),
            F("rack", "nstring", 1)])),
        F("cluster_id", "nstring", 2),
        F("controller_id", "int32", 1),
        F("topics", A([
            F("error_code", "int16"),
            F("name", "nstring"),
            F("topic_id", "uuid", 10),
            F("is_internal", "bool", 1),
            F("partitions", A([
                F("error_code", "int16"),
                F("partition_index", "int32"),
                F("leader_id", "int32"),
                F("leader_epoch", "int32", 7),
                F("replica_nodes", ("array", "int32")),
                F("isr_nodes", ("array", "int32")),
                F("offline_replicas", ("array", "int32"), 5)])),
            F("topic_authorized_operations", "int32", 8)])),
        F("cluster_authorized_operations", "int32", 8, 10),
    ]),
    8: ("OffsetCommit", 8, [
        F("group_id", "string"),
        F("generation_id", "int32", 1),
        F("member_id", "string", 1),
        F("group_instance_id", "nstring", 7),
        F("retention_time_ms", "int64", 2, 4),
        F("topics", A([
            F("name", "string"),
            F("partitions", A([
                F("partition_index", "int32"),
                F("committed_offset", "int64"),
                F("committed_leader_epoch", "int32", 6),
                F("commit_timestamp", "int64", 1, 1),
                F("committed_metadata", "nstring")]))])),
    ], [
        F("throttle_time_ms", "int32", 3),
        F("topics", A([
            F("name", "string"),
            F("partitions", A([
                F("partition_index", "int32"),
                F("error_code", "int16")]))])),
    ]),
    9: ("OffsetFetch", 6, [
        F("group_id", "string", 0, 7),
        F("topics", A([
            F("name", "string"),
            F("partition_indexes", ("array", "int32"))]), 0, 7),
        F("require_stable", "bool", 7),
    ], [
        F("throttle_time_ms", "int32", 3),
        F("topics", A([
            F("name", "string"),
            F("partitions", A([
                F("partition_index", "int32"),
                F("committed_offset", "int64"),
                F("committed_leader_epoch", "int32", 5),
                F("metadata", "nstring"),
                F("error_code", "int16")]))]), 0, 7),
        F("error_code", "int16", 2, 7),
    ]),
    10: ("FindCoordinator", 3, [
        F("key", "string", 0, 3),
        F("key_type", "int8", 1),
        F("coordinator_keys", ("array", "string"), 4),
    ], [
        F("throttle_time_ms", "int32", 1),
        F("error_code", "int16", 0, 3),
        F("error_message", "nstring", 1, 3),
        F("node_id", "int32", 0, 3),
        F("host", "string", 0, 3),
        F("port", "int32", 0, 3),
        F("coordinators", A([
            F("key", "string"),
            F("node_id", "int32"),
            F("host", "string"),
            F("port", "int32"),
            F("error_code", "int16"),
            F("error_message", "nstring")]), 4),
    ]),
    11: ("JoinGroup", 6, [
        F("group_id", "string"),
        F("session_timeout_ms", "int32"),
        F("rebalance_timeout_ms", "int32", 1),
        F("member_id", "string"),
        F("group_instance_id", "nstring", 5),
        F("protocol_type", "string"),
        F("protocols", A([
            F("name", "string"),
            F("metadata", "bytes")])),
        F("reason", "nstring", 8),
    ], [
        F("throttle_time_ms", "int32", 2),
        F("error_code", "int16"),
        F("generation_id", "int32"),
        F("protocol_type", "nstring", 7),
        F("protocol_name", "nstring"),
        F("leader", "string"),
        F("skip_assignment", "bool", 9),
        F("member_id", "string"),
        F("members", A([
            F("member_id", "string"),
            F("group_instance_id", "nstring", 5),
            F("metadata", "bytes")])),
    ]),
    12: ("Heartbeat", 4, [
        F("group_id", "string"),
        F("generation_id", "int32"),
        F("member_id", "string"),
        F("group_instance_id", "nstring", 3),
    ], [
        F("throttle_time_ms", "int32", 1),
        F("error_code", "int16"),
    ]),
    13: ("LeaveGroup", 4, [
        F("group_id", "string"),
        F("member_id", "string", 0, 2),
        F("members", A([
            F("member_id", "string"),
            F("group_instance_id", "nstring"),
            F("reason", "nstring", 5)]), 3),
    ], [
        F("throttle_time_ms", "int32", 1),
        F("error_code", "int16"),
        F("members", A([
            F("member_id", "string"),
            F("group_instance_id", "nstring"),
            F("error_code", "int16")]), 3),
    ]),
    14: ("SyncGroup", 4, [
        F("group_id", "string"),
        F("generation_id", "int32"),
        F("member_id", "string"),
        F("group_instance_id", "nstring", 3),
        F("protocol_type", "nstring", 5),
        F("protocol_name", "nstring", 5),
        F("assignments", A([
            F("member_id", "string"),
            F("assignment", "bytes")])),
    ], [
        F("throttle_time_ms", "int32", 1),
        F("error_code", "int16"),
        F("protocol_type", "nstring", 5),
        F("protocol_name", "nstring", 5),
        F("assignment", "bytes"),
    ]),
    18: ("ApiVersions", 3, [
        F("client_software_name", "string", 3),
        F("client_software_version", "string", 3),
    ], [
        F("error_code", "int16"),
        F("api_keys", A([
            F("api_key", "int16"),
            F("min_version", "int16"),
            F("max_version", "int16")])),
        F("throttle_time_ms", "int32", 1),
    ]),
    22: ("InitProducerId", 2, [
        F("transactional_id", "nstring"),
        F("transaction_timeout_ms", "int32"),
        F("producer_id", "int64", 3),
        F("producer_epoch", "int16", 3),
    ], [
        F("throttle_time_ms", "int32"),
        F("error_code", "int16"),
        F("producer_id", "int64"),
        F("producer_epoch", "int16"),
    ]),
}


def read_value(r, typ, flexible):
    if isinstance(typ, tuple):
        kind, inner = typ
        n = r.length(flexible, True)
        if n < 0:
            return None
        if kind == "array":
            return [read_value(r, inner, flexible) for _ in range(n)]
        return [read_struct(r, inner, flexible, r.version) for _ in range(n)]
    if typ == "int8":
        return r.fixed(">b")
    if typ == "int16":
        return r.fixed(">h")
    if typ == "int32":
        return r.fixed(">i")
    if typ == "int64":
        return r.fixed(">q")
    if typ == "bool":
        return r.fixed(">b") != 0
    if typ == "uuid":
        return r.take(16).hex()
    if typ in ("string", "nstring"):
        n = r.length(flexible, False)
        return None if n < 0 else r.take(n).decode("utf-8")
    if typ in ("bytes", "records"):
        n = r.length(flexible, True)
        return None if n < 0 else r.take(n)
    raise ParseError("unknown type %r" % (typ,))


def read_struct(r, fields, flexible, version):
    out = {}
    for name, typ, lo, hi in fields:
        if lo <= version <= hi:
            out[name] = read_value(r, typ, flexible)
    if flexible:
        r.skip_tags()
    return out


def decode_body(api_key, version, body, pos, direction):
    """Decodes a request or response body; returns a dict or raises."""
    if api_key not in SCHEMAS:
        raise ParseError("no schema for api %d" % api_key)
    _, flex, req, resp = SCHEMAS[api_key]
    flexible = flex is not None and version >= flex
    r = Reader(body, pos)
    r.version = version
    msg = read_struct(r, req if direction == "req" else resp, flexible,
                      version)
    if r.left():
        raise ParseError("%d bytes left over" % r.left())
    return msg


def decode_api_versions_fallback(body, pos):
    """An ApiVersions response that does not decode at its own version.

    Kafka answers a version it does not know with a v0-layout body
    (KIP-511).  librdkafka 2.0.2's mock cluster instead writes error_code,
    an int8 entry count (not a compact-array count + 1), the entries without
    tag buffers, throttle_time_ms and no tag buffer: no decoder can read
    that at v3, which is why librdkafka retries with v0.  Returns
    (message, layout) with layout "v0" or "mock-quirk"; raises otherwise.
    """
    try:
        return decode_body(18, 0, body, pos, "resp"), "v0"
    except ParseError:
        pass
    r = Reader(body, pos)
    msg = {"error_code": r.fixed(">h"), "api_keys": []}
    for _ in range(r.fixed(">b")):
        msg["api_keys"].append({"api_key": r.fixed(">h"),
                                "min_version": r.fixed(">h"),
                                "max_version": r.fixed(">h")})
    msg["throttle_time_ms"] = r.fixed(">i")
    if r.left():
        raise ParseError("%d bytes left over" % r.left())
    return msg, "mock-quirk"


# --- headers ---------------------------------------------------------------

def request_header(body):
    r = Reader(body)
    api_key = r.fixed(">h")
    version = r.fixed(">h")
    corr = r.fixed(">i")
    client_id = None
    if not (api_key == 7 and version == 0):
        n = r.fixed(">h")
        client_id = None if n < 0 else r.take(n).decode("utf-8")
    flex = SCHEMAS.get(api_key, (None, None))[1]
    if flex is not None and version >= flex:
        r.skip_tags()
    return api_key, version, corr, client_id, r.pos


def response_header_len(body, api_key, version):
    r = Reader(body)
    r.fixed(">i")
    flex = SCHEMAS.get(api_key, (None, None))[1]
    # ApiVersions responses always use response header v0.
    if api_key != 18 and flex is not None and version >= flex:
        r.skip_tags()
    return r.pos


# --- record batches ----------------------------------------------------------

def decompress(codec, data):
    if codec == 0:
        return data
    if codec == 1:
        return zlib.decompress(data, 16 + zlib.MAX_WBITS)
    if codec == 2 and snappy is not None:
        if data.startswith(b"\x82SNAPPY\x00"):
            # xerial framing: 16-byte header, then (int32 size, block)*.
            r = Reader(data, 16)
            out = bytearray()
            while r.left():
                out += snappy.decompress(r.take(r.fixed(">i")))
            return bytes(out)
        return snappy.decompress(data)
    if codec == 3 and lz4frame is not None:
        return lz4frame.decompress(data)
    if codec == 4 and zstandard is not None:
        return zstandard.ZstdDecompressor().decompressobj().decompress(data)
    return None


def parse_records(data, count):
    r = Reader(data)
    out = []
    for _ in range(count):
        length = r.varint()
        rr = Reader(r.take(length))
        rr.fixed(">b")  # attributes
        rr.varint()  # timestamp delta
        rr.varint()  # offset delta

        def blob():
            n = rr.varint()
            return None if n < 0 else rr.take(n)

        key = blob()
        value = blob()
        headers = []
        for _ in range(rr.varint()):
            hk = rr.take(rr.varint()).decode("utf-8")
            headers.append((hk, blob()))
        if rr.left():
            raise ParseError("record has %d bytes left over" % rr.left())
        out.append((key, value, headers))
    if r.left():
        raise ParseError("records have %d bytes left over" % r.left())
    return out


def parse_batches(data):
    """Returns a list of batch dicts; a truncated last batch is skipped."""
    batches = []
    r = Reader(data)
    while r.left() >= 17:
        start = r.pos
        r.fixed(">q")  # base offset
        length = r.fixed(">i")
        if r.left() < length:
            break  # a partial batch at the end of a Fetch response
        magic = data[r.pos + 4]
        br = Reader(data, r.pos, r.pos + length)
        r.pos += length
        if magic != 2:
            batches.append({"magic": magic, "codec": None, "count": None,
                            "records": None})
            continue
        br.fixed(">i")  # partition leader epoch
        br.fixed(">b")  # magic
        crc = br.fixed(">I")
        attributes = br.fixed(">h")
        br.take(4 + 8 + 8 + 8 + 2 + 4)
        count = br.fixed(">i")
        payload = br.take(br.left())
        codec = attributes & 7
        raw = decompress(codec, payload)
        records = parse_records(raw, count) if raw is not None else None
        batches.append({"magic": 2, "codec": CODEC_NAMES.get(codec, codec),
                        "count": count, "records": records, "crc": crc,
                        "offset": start})
    return batches


# --- facts -------------------------------------------------------------------

SAFE = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")


def enc(value):
    if value is None:
        return "!"
    if isinstance(value, str):
        value = value.encode("utf-8")
    return "".join(chr(b) if b in SAFE else "%%%02X" % b for b in value)


def uniq(seq):
    out = []
    for x in seq:
        if x not in out:
            out.append(x)
    return out


def topics_of(api_key, msg, direction):
    if api_key == 0:
        key = "topic_data" if direction == "req" else "responses"
        return [t["name"] for t in msg.get(key) or []]
    if api_key == 1:
        key = "topics" if direction == "req" else "responses"
        return [t.get("topic") for t in msg.get(key) or []]
    if api_key in (2, 3, 8, 9):
        return [t["name"] for t in msg.get("topics") or []]
    return []


def batches_of(api_key, msg, direction):
    """Yields (topic, partition, records bytes) of Produce req / Fetch resp."""
    if api_key == 0 and direction == "req":
        for t in msg["topic_data"]:
            for p in t["partition_data"]:
                yield t["name"], p["index"], p["records"]
    if api_key == 1 and direction == "resp":
        for t in msg["responses"]:
            for p in t["partitions"]:
                yield t.get("topic"), p["partition_index"], p["records"]


def describe(api_key, version, direction, msg, client_id, corr, header_extra):
    facts = []
    if client_id is not None:
        facts.append(("client_id", enc(client_id)))
    facts.append(("correlation_id", str(corr)))
    facts += header_extra
    if msg is None:
        facts.append(("decoded", "no"))
        return facts, []
    topics = uniq(topics_of(api_key, msg, direction))
    if topics:
        facts.append(("topics", ",".join(enc(t) for t in topics)))
    if api_key == 3 and direction == "req" and msg.get("topics") is None:
        facts.append(("topics", "!"))  # all topics
    if direction == "req":
        if api_key in (8, 9, 11, 12, 13, 14) and "group_id" in msg:
            facts.append(("group", enc(msg["group_id"])))
        if api_key == 10 and msg.get("key_type", 0) == 0 and "key" in msg:
            facts.append(("group", enc(msg["key"])))
        if api_key == 0:
            facts.append(("acks", str(msg["acks"])))
        if api_key == 2:
            facts.append(("timestamps", ",".join(uniq(
                str(p["timestamp"]) for t in msg["topics"]
                for p in t["partitions"]))))
        if api_key == 11:
            facts.append(("protocol_type", enc(msg["protocol_type"])))
            facts.append(("protocols", ",".join(
                enc(p["name"]) for p in msg["protocols"])))
        if api_key == 18 and version >= 3:
            facts.append(("software", enc(msg["client_software_name"]) + "/" +
                          enc(msg["client_software_version"])))
    else:
        if "error_code" in msg:
            facts.append(("error_code", str(msg["error_code"])))
        if api_key == 18:
            facts.append(("api_keys", str(len(msg["api_keys"] or []))))
        if api_key == 3:
            facts.append(("brokers", str(len(msg["brokers"]))))
        if api_key == 11:
            facts.append(("protocol_name", enc(msg["protocol_name"])))
            facts.append(("members", str(len(msg["members"]))))
    batches = []
    for topic, partition, records in batches_of(api_key, msg, direction):
        if not records:
            continue
        for b in parse_batches(records):
            b["topic"] = topic
            b["partition"] = partition
            batches.append(b)
            facts.append(("batch", "%s/%d/%s/%s" % (
                enc(topic), partition, b["codec"] or "legacy-magic%d"
                % b["magic"], b["count"] if b["count"] is not None else "?")))
            for key, value, headers in b["records"] or []:
                facts.append(("record", ",".join(
                    [enc(key), enc(value)] +
                    ["%s:%s" % (enc(hk), enc(hv)) for hk, hv in headers])))
            if b["records"] is None and b["magic"] == 2:
                facts.append(("records", "undecoded"))
    return facts, batches


def check_batch(errors, what, topic, codec, b, want):
    if b["codec"] != codec or b["count"] != 3:
        errors.append("%s: %s batch is %s/%s, want %s/3"
                      % (what, topic, b["codec"], b["count"], codec))
    elif b["records"] is None:
        errors.append("%s: cannot decompress %s here (missing python3 "
                      "module for %s)" % (what, topic, codec))
    elif b["records"] != want:
        errors.append("%s: %s records %r, want %r"
                      % (what, topic, b["records"], want))


# --- main --------------------------------------------------------------------

HEADER = """\
# MANIFEST of tests/wire/data: Kafka frames captured from real clients.
#
# Regenerate with tests/wire/capture/capture-fixtures.sh (see the README
# there); this file is written by tests/wire/capture/select-fixtures.py.
#
# Each *.bin file is one Kafka frame without its 4-byte size prefix: a
# request (request header + body) or a response (response header + body).
# Names are CLIENT-SEQ-API-vVERSION-DIR.bin; SEQ orders the requests of one
# client, and a response shares the number of its request.  A name ending
# in -malformed.bin is a frame that does not decode at its version (the
# peer's bug, see layout=mock-quirk), kept as a negative fixture.  Clients: kcat
# (kcat 1.7.1 on librdkafka 2.0.2), kpy (kafka-python 2.0.2), kjs (kafkajs
# 2.2.4); the peer was librdkafka 2.0.2's mock cluster behind a proxy that
# rewrote broker addresses in Metadata/FindCoordinator responses.
#
# Format: '#' lines are comments.  Every other line describes one file:
#
#   FILE CLIENT DIR API_KEY API_VERSION FACT...
#
# separated by single spaces.  DIR is req or resp.  Each FACT is NAME=VALUE.
# In values every byte outside [A-Za-z0-9._-] is written %XX (upper-case
# hex; so a space is %20), a null string or bytes is written '!', and lists
# are comma-separated.  Facts (those that apply, in this order):
#
#   client_id=S        request header client_id
#   correlation_id=N   the header's correlation id
#   layout=L           ApiVersions response whose body is not laid out at
#                      the request's version: v0 (KIP-511 fallback) or
#                      mock-quirk (librdkafka 2.0.2 mock's answer to v3:
#                      error_code, an int8 entry count, entries without tag
#                      buffers, throttle_time_ms; not decodable as v3)
#   topics=T,...       topic names in the body, in order, without repeats
#                      (Metadata request: '!' = null = all topics; no
#                      topics= fact = an empty array, which in Metadata v0
#                      means all topics and in v1+ no topics)
#   group=G            group id (group APIs; FindCoordinator key_type 0 key)
#   acks=N             Produce request
#   timestamps=N,...   ListOffsets request: the partitions' timestamps
#                      (-2 earliest, -1 latest, else milliseconds)
#   protocol_type=S    JoinGroup request, and protocols=NAME,... offered
#   software=NAME/VER  ApiVersions v3+ request client_software_name/version
#   error_code=N       a response's top-level error code
#   api_keys=N         ApiVersions response: number of api_keys entries
#   brokers=N          Metadata response: number of brokers
#   protocol_name=S    JoinGroup response, and members=N
#   batch=TOPIC/PARTITION/CODEC/COUNT
#                      a record batch (v2) in a Produce request or Fetch
#                      response; CODEC is none|gzip|snappy|lz4|zstd, COUNT
#                      the batch header's record count.  It is followed by
#                      exactly COUNT facts
#   record=KEY,VALUE[,HKEY:HVALUE]...
#                      one record of that batch, after decompression, with
#                      its headers in order
#   records=undecoded  instead of record= facts, when the capture machine
#                      could not decompress the batch (never in a
#                      committed MANIFEST, select-fixtures.py checks it)
#   decoded=no         the body did not decode (no schema): check the
#                      header only
#
# Every fixture's body was decoded to the last byte with the field layout
# of Kafka's protocol guide at that version, so a decoder that leaves bytes
# over, or runs short, disagrees with the capture.
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--codecs", action="append", default=[],
                    help="CLIENT=CODEC CODEC...: the produce runs to check")
    args = ap.parse_args()

    entries = []
    for name in sorted(os.listdir(args.raw)):
        if name.endswith("-index.jsonl"):
            with open(os.path.join(args.raw, name), encoding="utf-8") as f:
                entries += [json.loads(line) for line in f if line.strip()]

    # The proxy must have pointed every broker address a client learnt at
    # itself, or later connections went straight to the mock, uncaptured.
    errors = []
    for e in entries:
        if e["dir"] == "resp" and e["api_key"] in (3, 10) \
                and not e.get("rewritten"):
            errors.append("%s: broker address was not rewritten" % e["file"])

    pairs = collections.OrderedDict()
    for e in sorted(entries, key=lambda e: (e["client"], e["seq"],
                                            e["dir"] != "req")):
        pairs.setdefault((e["client"], e["seq"]), {})[e["dir"]] = e

    described = []
    for (client, seq), pair in pairs.items():
        if "req" not in pair:
            errors.append("%s %d: response without request" % (client, seq))
            continue
        req = pair["req"]
        api_key, version = req["api_key"], req["api_version"]
        info = {"client": client, "seq": seq, "api_key": api_key,
                "version": version, "files": [], "batches": {}}
        for direction in ("req", "resp"):
            if direction not in pair:
                continue
            e = pair[direction]
            with open(os.path.join(args.raw, e["file"]), "rb") as f:
                body = f.read()
            extra = []
            msg = None
            try:
                if direction == "req":
                    _, _, corr, client_id, pos = request_header(body)
                    msg = decode_body(api_key, version, body, pos, "req")
                else:
                    client_id = None
                    corr = struct.unpack(">i", body[:4])[0]
                    pos = response_header_len(body, api_key, version)
                    try:
                        msg = decode_body(api_key, version, body, pos, "resp")
                    except ParseError:
                        if api_key != 18:
                            raise
                        msg, layout = decode_api_versions_fallback(body, pos)
                        extra.append(("layout", layout))
            except ParseError as exc:
                if api_key in SCHEMAS:
                    errors.append("%s: %s" % (e["file"], exc))
                    continue
                msg = None
            facts, batches = describe(api_key, version, direction, msg,
                                      client_id, corr, extra)
            out_name = e["file"]
            if ("layout", "mock-quirk") in extra:
                # Not decodable at its version: keep it out of the way of
                # tests that decode every CLIENT-SEQ-API-vN-DIR.bin.
                out_name = out_name[:-len(".bin")] + "-malformed.bin"
            info["files"].append((e["file"], out_name, direction, facts))
            info["batches"][direction] = batches
        # The dedup signature.
        if api_key == 0:
            sig = tuple(b["topic"] for b in info["batches"].get("req", []))
        elif api_key == 1:
            sig = tuple(b["topic"] for b in info["batches"].get("resp", []))
        elif api_key == 2:
            sig = tuple(f for f in info["files"][0][3]
                        if f[0] == "timestamps")
        elif api_key == 3:
            # All topics (null, or an empty v0 array) versus named topics.
            named = [f for f in info["files"][0][3]
                     if f[0] == "topics" and f[1] != "!"]
            sig = ("named",) if named else ("all",)
        else:
            sig = ()
        info["sig"] = sig
        described.append(info)

    kept = []
    seen = collections.Counter()
    for info in described:
        k = (info["client"], info["api_key"], info["version"], info["sig"])
        seen[k] += 1
        if seen[k] <= KEEP:
            kept.append(info)

    # Check the produced and fetched payloads.
    for spec in args.codecs:
        client, _, codecs = spec.partition("=")
        for codec in codecs.split():
            topic = "fx-%s-%s" % (client, codec)
            want = [(b"k%d" % n, b"caudal fixture %s %d" % (codec.encode(), n),
                     [("h", b"v")]) for n in (1, 2, 3)]
            for api_key, direction in ((0, "req"), (1, "resp")):
                found = [b for info in kept if info["client"] == client
                         and info["api_key"] == api_key
                         for b in info["batches"].get(direction, [])
                         if b["topic"] == topic]
                what = "%s %s %s" % (client, SCHEMAS[api_key][0], direction)
                if not found:
                    errors.append("%s: no batch for %s" % (what, topic))
                for b in found:
                    check_batch(errors, what, topic, codec, b, want)
    if errors:
        for e in errors:
            sys.stderr.write("select-fixtures: %s\n" % e)
        return 1

    os.makedirs(args.out, exist_ok=True)
    for name in os.listdir(args.out):
        if FIXTURE_RE.match(name) or name == "MANIFEST":
            os.unlink(os.path.join(args.out, name))
    lines = []
    for info in kept:
        for fname, out_name, direction, facts in info["files"]:
            shutil.copyfile(os.path.join(args.raw, fname),
                            os.path.join(args.out, out_name))
            lines.append(" ".join(
                [out_name, info["client"], direction, str(info["api_key"]),
                 str(info["version"])] + ["%s=%s" % f for f in facts]))
    with open(os.path.join(args.out, "MANIFEST"), "w", encoding="utf-8") as f:
        f.write(HEADER)
        f.write("\n".join(lines) + "\n")

    total = collections.Counter()
    for info in kept:
        total[(info["client"], SCHEMAS.get(info["api_key"],
                                           ("api%d" % info["api_key"],))[0],
               info["version"])] += 1
    for (client, api, version), n in sorted(total.items()):
        sys.stderr.write("select-fixtures: %-4s %-16s v%-2d %d pair(s)\n"
                         % (client, api, version, n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
