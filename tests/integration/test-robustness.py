# SPDX-License-Identifier: GPL-3.0-or-later
"""Raw-socket robustness of caudald's request layer (stdlib only).

- Malformed frames (garbage header, frame shorter than a header, size above
  socket.request.max.bytes, negative size) close only that connection;
  another connection keeps working.
- An unsupported version of Metadata closes the connection.
- ApiVersions v99 gets error 35 (UNSUPPORTED_VERSION) in a v0-layout body
  listing ApiVersions (KIP-511), response header v0.
- ApiVersions v3 has a flexible body but a v0 response header.
- Pipelined requests are answered in order; a request split across many
  small writes is still answered.
- The broker is still running at the end and stops cleanly.

Run: CAUDALD=_build/broker/caudald /usr/bin/python3 tests/integration/test-robustness.py
"""

import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from caudald_fixture import Broker, check, check_eq, fail, main  # noqa: E402

MAX_REQUEST_BYTES = 1048576   # socket.request.max.bytes for this broker
API_VERSIONS, METADATA = 18, 3
UNSUPPORTED_VERSION = 35


# -- encoding ----------------------------------------------------------------

def uvarint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def compact_string(s):
    data = s.encode()
    return uvarint(len(data) + 1) + data


def request(api_key, version, corr, body=b"", flexible=False, client_id="caudal-it-raw"):
    """A size-prefixed request: header v1 (v2 when flexible) plus body."""
    cid = client_id.encode()
    header = struct.pack(">hhih", api_key, version, corr, len(cid)) + cid
    if flexible:
        header += uvarint(0)   # no tagged fields
    payload = header + body
    return struct.pack(">i", len(payload)) + payload


def api_versions_v3_body():
    return compact_string("caudal-it") + compact_string("0.1") + uvarint(0)


# -- decoding ----------------------------------------------------------------

class Reader:
    def __init__(self, data, what):
        self.data, self.pos, self.what = data, 0, what

    def take(self, n):
        if self.pos + n > len(self.data):
            fail("%s: truncated at byte %d (need %d more, have %d): %s"
                 % (self.what, self.pos, n, len(self.data) - self.pos, self.data.hex()))
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def int16(self):
        return struct.unpack(">h", self.take(2))[0]

    def int32(self):
        return struct.unpack(">i", self.take(4))[0]

    def uvarint(self):
        shift = value = 0
        while True:
            byte = self.take(1)[0]
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
            shift += 7

    def string(self):
        n = self.int16()
        return None if n < 0 else self.take(n).decode()

    def skip_tags(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self.take(self.uvarint())

    def end(self):
        if self.pos != len(self.data):
            fail("%s: %d unexpected bytes after the body: %s"
                 % (self.what, len(self.data) - self.pos, self.data[self.pos:].hex()))


def connect(broker):
    try:
        s = socket.create_connection((broker.host, broker.port), timeout=5)
    except OSError as exc:
        rc = broker.proc.poll() if broker.proc else None
        fail("cannot connect to caudald at %s: %s (%s)" % (
            broker.bootstrap if broker.proc else "?", exc,
            "still running" if rc is None else "it exited with status %d" % rc))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def recv_exact(sock, n, what):
    buf = b""
    while len(buf) < n:
        try:
            chunk = sock.recv(n - len(buf))
        except socket.timeout:
            fail("%s: timed out after %d of %d bytes" % (what, len(buf), n))
        except ConnectionError as exc:
            fail("%s: connection error after %d of %d bytes: %r" % (what, len(buf), n, exc))
        if not chunk:
            fail("%s: connection closed after %d of %d bytes" % (what, len(buf), n))
        buf += chunk
    return buf


def recv_frame(sock, what):
    size = struct.unpack(">i", recv_exact(sock, 4, what + " (size)"))[0]
    check(0 < size < 64 * 1024 * 1024, "%s: response size %d" % (what, size))
    return recv_exact(sock, size, what)


def expect_closed(sock, what, timeout=5.0):
    """The broker must close the connection without answering."""
    sock.settimeout(timeout)
    received = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        except ConnectionError:
            chunk = b""
        if not chunk:
            check_eq(received, b"", "%s: bytes received before the close" % what)
            return
        received += chunk
    fail("%s: connection still open after %.0fs (received %r)" % (what, timeout, received[:64]))


def parse_api_versions(frame, version, corr, what):
    """Parse an ApiVersions response (header v0); return {key: (min, max)}."""
    r = Reader(frame, what)
    check_eq(r.int32(), corr, what + ": correlation id (header v0)")
    error = r.int16()
    keys = {}
    if version >= 3:
        count = r.uvarint() - 1
        for _ in range(count):
            key, lo, hi = r.int16(), r.int16(), r.int16()
            r.skip_tags()
            keys[key] = (lo, hi)
        r.int32()          # throttle_time_ms
        r.skip_tags()
    else:
        count = r.int32()
        for _ in range(count):
            key, lo, hi = r.int16(), r.int16(), r.int16()
            keys[key] = (lo, hi)
        if version >= 1:
            r.int32()      # throttle_time_ms
    r.end()
    check_eq(error, 0, what + ": error code")
    return keys


def api_versions_ok(sock, corr=7, what="ApiVersions v0"):
    sock.sendall(request(API_VERSIONS, 0, corr))
    keys = parse_api_versions(recv_frame(sock, what), 0, corr, what)
    check(API_VERSIONS in keys and METADATA in keys, "%s: keys %r lack ApiVersions/Metadata" % (what, sorted(keys)))
    return keys


# -- tests -------------------------------------------------------------------

def test_api_versions_v0_to_v3(broker):
    sock = connect(broker)
    try:
        results = {}
        for version in range(4):
            flexible = version >= 3
            body = api_versions_v3_body() if flexible else b""
            sock.sendall(request(API_VERSIONS, version, 100 + version, body, flexible=flexible))
            what = "ApiVersions v%d" % version
            results[version] = parse_api_versions(recv_frame(sock, what), version, 100 + version, what)
        for version in range(1, 4):
            check_eq(results[version], results[0], "ApiVersions v%d key ranges vs v0" % version)
        keys = results[0]
        for key in (0, 1, 2, 3, 18, 19, 20):
            check(key in keys, "ApiVersions does not advertise API key %d" % key)
        lo, hi = keys[API_VERSIONS]
        check(lo == 0 and hi >= 3, "ApiVersions range %r should be 0..>=3" % ((lo, hi),))
        check(keys[METADATA][0] == 0, "Metadata minimum %d: kafka-python's probe needs v0" % keys[METADATA][0])
    finally:
        sock.close()


def test_api_versions_unsupported_version(broker):
    sock = connect(broker)
    try:
        sock.sendall(request(API_VERSIONS, 99, 4242, api_versions_v3_body(), flexible=True))
        frame = recv_frame(sock, "ApiVersions v99")
        r = Reader(frame, "ApiVersions v99 response")
        check_eq(r.int32(), 4242, "ApiVersions v99: correlation id (header v0)")
        check_eq(r.int16(), UNSUPPORTED_VERSION, "ApiVersions v99: error code")
        count = r.int32()
        check(0 < count < 200, "ApiVersions v99: api_keys count %d (v0 layout: int32)" % count)
        keys = {}
        for _ in range(count):
            key, lo, hi = r.int16(), r.int16(), r.int16()
            keys[key] = (lo, hi)
        r.end()   # KIP-511: v0 layout, no throttle time, no tags
        check(API_VERSIONS in keys, "ApiVersions v99: api_keys %r lack ApiVersions (18)" % keys)
        lo, hi = keys[API_VERSIONS]
        check(lo == 0 and 3 <= hi < 99, "ApiVersions v99: advertised ApiVersions range %r" % ((lo, hi),))
        # The connection stays usable: the client retries with a version it can use.
        api_versions_ok(sock, 4243, "ApiVersions v0 after the v99 reply")
    finally:
        sock.close()


def test_metadata_unsupported_version_closes(broker):
    other = connect(broker)
    sock = connect(broker)
    try:
        sock.sendall(request(METADATA, 99, 5, b"\x00\x00\x00\x00"))
        expect_closed(sock, "Metadata v99")
        api_versions_ok(other, 6, "ApiVersions on another connection after Metadata v99")
    finally:
        sock.close()
        other.close()


def _malformed_closes(broker, payload, what):
    other = connect(broker)
    api_versions_ok(other, 1, "ApiVersions before " + what)
    sock = connect(broker)
    try:
        sock.sendall(payload)
        expect_closed(sock, what)
        api_versions_ok(other, 2, "ApiVersions on another connection after " + what)
        fresh = connect(broker)
        try:
            api_versions_ok(fresh, 3, "ApiVersions on a new connection after " + what)
        finally:
            fresh.close()
    finally:
        sock.close()
        other.close()


def test_garbage_header_closes(broker):
    # api_key 0xABAB (negative), version 0xABAB, then junk.
    _malformed_closes(broker, struct.pack(">i", 40) + b"\xab" * 40, "a garbage frame")


def test_unknown_api_key_closes(broker):
    _malformed_closes(broker, request(9999, 0, 1, b"\x00" * 8), "API key 9999")


def test_truncated_header_closes(broker):
    _malformed_closes(broker, struct.pack(">i", 3) + b"\x00\x12\x00", "a 3-byte frame")


def test_bad_client_id_length_closes(broker):
    # ApiVersions v0 whose client_id length (1000) runs past the frame.
    payload = struct.pack(">hhih", API_VERSIONS, 0, 1, 1000) + b"abc"
    _malformed_closes(broker, struct.pack(">i", len(payload)) + payload, "a client_id past the frame end")


def test_oversized_frame_closes(broker):
    # Only the size is sent: the broker must refuse without waiting for the body.
    _malformed_closes(broker, struct.pack(">i", MAX_REQUEST_BYTES + 1),
                      "a size above socket.request.max.bytes")
    _malformed_closes(broker, struct.pack(">i", 0x7FFFFFFF), "a size of 2^31-1")


def test_negative_size_closes(broker):
    _malformed_closes(broker, struct.pack(">i", -1), "size -1")
    _malformed_closes(broker, struct.pack(">i", -2147483648), "size -2^31")


def test_zero_size_closes(broker):
    _malformed_closes(broker, struct.pack(">i", 0), "size 0")


def _parse_metadata_v1(frame, corr, what):
    r = Reader(frame, what)
    check_eq(r.int32(), corr, what + ": correlation id")
    brokers = []
    for _ in range(r.int32()):
        node, host, port = r.int32(), r.string(), r.int32()
        r.string()   # rack
        brokers.append((node, host, port))
    controller = r.int32()
    topics = r.int32()
    for _ in range(topics):
        r.int16()
        r.string()
        r.take(1)
        for _ in range(r.int32()):
            r.int16()
            r.int32()
            r.int32()
            r.take(4 * r.int32())
            r.take(4 * r.int32())
    r.end()
    return brokers, controller


def test_pipelined_requests_in_order(broker):
    sock = connect(broker)
    try:
        batch = (request(API_VERSIONS, 0, 101) + request(API_VERSIONS, 1, 102)
                 + request(API_VERSIONS, 2, 103)
                 + request(METADATA, 1, 104, struct.pack(">i", 0)))   # v1: empty array = no topics
        sock.sendall(batch)
        for version, corr in ((0, 101), (1, 102), (2, 103)):
            what = "pipelined ApiVersions v%d" % version
            parse_api_versions(recv_frame(sock, what), version, corr, what)
        brokers, controller = _parse_metadata_v1(recv_frame(sock, "pipelined Metadata v1"), 104,
                                                 "pipelined Metadata v1")
        check_eq(brokers, [(1, broker.host, broker.port)], "Metadata v1 brokers")
        check_eq(controller, 1, "Metadata v1 controller id")
        # kafka-python's probe: ApiVersions v0 and Metadata v0 (empty = all topics) together.
        sock.sendall(request(API_VERSIONS, 0, 201) + request(METADATA, 0, 202, struct.pack(">i", 0)))
        parse_api_versions(recv_frame(sock, "probe ApiVersions v0"), 0, 201, "probe ApiVersions v0")
        r = Reader(recv_frame(sock, "probe Metadata v0"), "probe Metadata v0")
        check_eq(r.int32(), 202, "probe Metadata v0: correlation id")
        check_eq(r.int32(), 1, "probe Metadata v0: broker count")
    finally:
        sock.close()


def test_split_and_coalesced_writes(broker):
    sock = connect(broker)
    try:
        data = request(API_VERSIONS, 0, 301) + request(API_VERSIONS, 3, 302, api_versions_v3_body(), True)
        for i in range(len(data)):            # one byte at a time
            sock.sendall(data[i:i + 1])
            if i % 7 == 0:
                time.sleep(0.002)
        parse_api_versions(recv_frame(sock, "byte-by-byte ApiVersions v0"), 0, 301, "byte-by-byte ApiVersions v0")
        parse_api_versions(recv_frame(sock, "byte-by-byte ApiVersions v3"), 3, 302, "byte-by-byte ApiVersions v3")
        # 50 requests in one write.
        sock.sendall(b"".join(request(API_VERSIONS, 2, 400 + i) for i in range(50)))
        for i in range(50):
            parse_api_versions(recv_frame(sock, "burst #%d" % i), 2, 400 + i, "burst #%d" % i)
    finally:
        sock.close()


def test_abrupt_disconnects(broker):
    # Clients that vanish mid-request or before reading the reply.
    for n in range(20):
        sock = connect(broker)
        data = request(API_VERSIONS, 0, n)
        sock.sendall(data[: (n % len(data)) + 1] if n % 2 else data)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST
        sock.close()
    sock = connect(broker)
    try:
        api_versions_ok(sock, 9, "ApiVersions after 20 abrupt disconnects")
    finally:
        sock.close()


def test_still_alive_and_clean_stop(broker):
    check(broker.alive(), "caudald died during the robustness tests")
    broker.stop()


def body(runner):
    with Broker(overrides={"socket.request.max.bytes": str(MAX_REQUEST_BYTES)}, name="robust") as broker:
        if runner.start(broker):
            for test in (test_api_versions_v0_to_v3, test_api_versions_unsupported_version,
                         test_metadata_unsupported_version_closes, test_garbage_header_closes,
                         test_unknown_api_key_closes, test_truncated_header_closes,
                         test_bad_client_id_length_closes, test_oversized_frame_closes,
                         test_negative_size_closes, test_zero_size_closes,
                         test_pipelined_requests_in_order, test_split_and_coalesced_writes,
                         test_abrupt_disconnects, test_still_alive_and_clean_stop):
                runner.run(test, broker)
        return runner.finish(broker)


if __name__ == "__main__":
    main(body)
