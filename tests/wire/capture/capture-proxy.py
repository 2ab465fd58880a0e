#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A recording TCP proxy for the Kafka protocol.

Listens on 127.0.0.1 (an ephemeral port unless --port is given), forwards
every connection to one upstream broker and splits both directions into
Kafka frames (a big-endian int32 size, then that many bytes).  Each request
frame and each response frame is written, without its 4-byte size, to

    OUTDIR/CLIENT-SEQ-API-vVER-req.bin
    OUTDIR/CLIENT-SEQ-API-vVER-resp.bin

where SEQ numbers the requests in the order the proxy received them (over
all connections of this proxy) and the response gets the number of the
request with the same correlation id on the same connection.  One JSON line
per frame goes to OUTDIR/CLIENT-index.jsonl.

Keeping clients on the proxy: a broker's Metadata and FindCoordinator
responses name the address clients should use next, and a client would then
connect straight to the broker and bypass the proxy.  So every broker (or
coordinator) entry whose host:port is the upstream address is rewritten to
the proxy's own 127.0.0.1:PORT before the response is forwarded (Metadata
v0-12, FindCoordinator v0-4).  The written .bin file holds exactly the bytes
the client received, i.e. the rewritten response.

The proxy prints "127.0.0.1:PORT" on stdout once it listens (and writes it
to --port-file if given), then runs until SIGTERM/SIGINT or --max-seconds.

Standard library only; run it with /usr/bin/python3 or any python3 >= 3.7.
"""

import argparse
import json
import os
import signal
import socket
import struct
import sys
import threading
import time

API_NAMES = {
    0: "produce", 1: "fetch", 2: "list-offsets", 3: "metadata",
    4: "leader-and-isr", 5: "stop-replica", 6: "update-metadata",
    7: "controlled-shutdown", 8: "offset-commit", 9: "offset-fetch",
    10: "find-coordinator", 11: "join-group", 12: "heartbeat",
    13: "leave-group", 14: "sync-group", 15: "describe-groups",
    16: "list-groups", 17: "sasl-handshake", 18: "api-versions",
    19: "create-topics", 20: "delete-topics", 21: "delete-records",
    22: "init-producer-id", 23: "offset-for-leader-epoch",
    24: "add-partitions-to-txn", 25: "add-offsets-to-txn", 26: "end-txn",
    27: "write-txn-markers", 28: "txn-offset-commit", 29: "describe-acls",
    30: "create-acls", 31: "delete-acls", 32: "describe-configs",
    33: "alter-configs", 34: "alter-replica-log-dirs",
    35: "describe-log-dirs", 36: "sasl-authenticate",
    37: "create-partitions", 38: "create-delegation-token",
    39: "renew-delegation-token", 40: "expire-delegation-token",
    41: "describe-delegation-token", 42: "delete-groups",
    43: "elect-leaders", 44: "incremental-alter-configs",
    45: "alter-partition-reassignments",
    46: "list-partition-reassignments", 47: "offset-delete",
    48: "describe-client-quotas", 49: "alter-client-quotas",
    50: "describe-user-scram-credentials",
    51: "alter-user-scram-credentials", 57: "update-features",
    60: "describe-cluster", 61: "describe-producers",
    65: "describe-transactions", 66: "list-transactions",
    67: "allocate-producer-ids", 68: "consumer-group-heartbeat",
}

# First flexible version of the APIs whose responses we rewrite.
FLEX_METADATA = 9
FLEX_FIND_COORDINATOR = 3

MAX_FRAME = 64 * 1024 * 1024


def api_name(key):
    return API_NAMES.get(key, "api%d" % key)


class ParseError(Exception):
    pass


class Reader:
    """Reads Kafka primitives from a bytes object."""

    def __init__(self, buf, pos=0):
        self.buf = buf
        self.pos = pos

    def take(self, n):
        if n < 0 or self.pos + n > len(self.buf):
            raise ParseError("short buffer")
        out = self.buf[self.pos:self.pos + n]
        self.pos += n
        return out

    def int8(self):
        return struct.unpack(">b", self.take(1))[0]

    def int16(self):
        return struct.unpack(">h", self.take(2))[0]

    def int32(self):
        return struct.unpack(">i", self.take(4))[0]

    def uvarint(self):
        shift = 0
        value = 0
        while True:
            b = self.take(1)[0]
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                return value
            shift += 7
            if shift > 28:
                raise ParseError("uvarint too long")

    def string(self, flexible):
        if flexible:
            n = self.uvarint() - 1
        else:
            n = self.int16()
        if n < 0:
            return None
        return self.take(n).decode("utf-8", "replace")

    def skip_tags(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self.take(self.uvarint())


def enc_uvarint(value):
    out = bytearray()
    while True:
        b = value & 0x7F
        value >>= 7
        if value:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def enc_string(s, flexible):
    raw = s.encode("utf-8")
    if flexible:
        return enc_uvarint(len(raw) + 1) + raw
    return struct.pack(">h", len(raw)) + raw


class Rewriter:
    """Rewrites broker addresses in responses from upstream to the proxy."""

    def __init__(self, upstream_host, upstream_port, proxy_host, proxy_port):
        self.upstream = (upstream_host, upstream_port)
        self.proxy_host = proxy_host
        self.proxy_port = proxy_port

    def _endpoint(self, r, out, flexible):
        """Copies host and port, rewriting them if they name upstream."""
        start = r.pos
        host = r.string(flexible)
        port = r.int32()
        if (host, port) == self.upstream:
            out += enc_string(self.proxy_host, flexible)
            out += struct.pack(">i", self.proxy_port)
            return True
        out += r.buf[start:r.pos]
        return False

    def metadata(self, body, version):
        """Metadata response: rewrite the brokers array."""
        flexible = version >= FLEX_METADATA
        r = Reader(body, 0)
        out = bytearray()
        if flexible:
            # Response header v1: correlation id, then tagged fields.
            r.int32()
            r.skip_tags()
        else:
            r.int32()
        out += body[:r.pos]
        mark = r.pos
        if version >= 3:
            r.int32()  # throttle_time_ms
        if flexible:
            n = r.uvarint() - 1
        else:
            n = r.int32()
        out += body[mark:r.pos]
        changed = False
        for _ in range(max(n, 0)):
            mark = r.pos
            r.int32()  # node_id
            out += body[mark:r.pos]
            changed |= self._endpoint(r, out, flexible)
            mark = r.pos
            if version >= 1:
                r.string(flexible)  # rack
            if flexible:
                r.skip_tags()
            out += body[mark:r.pos]
        out += body[r.pos:]
        return bytes(out), changed

    def find_coordinator(self, body, version):
        flexible = version >= FLEX_FIND_COORDINATOR
        r = Reader(body, 0)
        out = bytearray()
        r.int32()
        if flexible:
            r.skip_tags()
        if version >= 1:
            r.int32()  # throttle_time_ms
        changed = False
        if version < 4:
            r.int16()  # error_code
            if version >= 1:
                r.string(flexible)  # error_message
            r.int32()  # node_id
            out += body[:r.pos]
            changed = self._endpoint(r, out, flexible)
            out += body[r.pos:]
            return bytes(out), changed
        n = r.uvarint() - 1
        out += body[:r.pos]
        for _ in range(max(n, 0)):
            mark = r.pos
            r.string(True)  # key
            r.int32()  # node_id
            out += body[mark:r.pos]
            changed |= self._endpoint(r, out, True)
            mark = r.pos
            r.int16()  # error_code
            r.string(True)  # error_message
            r.skip_tags()
            out += body[mark:r.pos]
        out += body[r.pos:]
        return bytes(out), changed

    def rewrite(self, body, api_key, version):
        try:
            if api_key == 3:
                return self.metadata(body, version)
            if api_key == 10:
                return self.find_coordinator(body, version)
        except ParseError as e:
            log("cannot rewrite %s v%d response: %s"
                % (api_name(api_key), version, e))
        return body, False


def log(msg):
    sys.stderr.write("capture-proxy: %s\n" % msg)
    sys.stderr.flush()


def recv_exact(sock, n):
    chunks = []
    while n > 0:
        chunk = sock.recv(min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def recv_frame(sock):
    head = recv_exact(sock, 4)
    if head is None:
        return None
    size = struct.unpack(">i", head)[0]
    if size < 0 or size > MAX_FRAME:
        raise ParseError("bad frame size %d" % size)
    body = recv_exact(sock, size)
    if body is None:
        return None
    return body


class Recorder:
    def __init__(self, outdir, client):
        self.outdir = outdir
        self.client = client
        self.lock = threading.Lock()
        self.seq = 0
        self.conn_id = 0
        self.index = open(os.path.join(outdir, "%s-index.jsonl" % client),
                          "a", encoding="utf-8")

    def next_conn(self):
        with self.lock:
            self.conn_id += 1
            return self.conn_id

    def next_seq(self):
        with self.lock:
            self.seq += 1
            return self.seq

    def write(self, seq, api_key, version, direction, body, meta):
        name = "%s-%04d-%s-v%d-%s.bin" % (self.client, seq, api_name(api_key),
                                          version, direction)
        path = os.path.join(self.outdir, name)
        with open(path + ".tmp", "wb") as f:
            f.write(body)
        os.replace(path + ".tmp", path)
        entry = {"file": name, "client": self.client, "seq": seq,
                 "dir": direction, "api_key": api_key,
                 "api_version": version, "time": time.time()}
        entry.update(meta)
        with self.lock:
            if not self.index.closed:
                self.index.write(json.dumps(entry, sort_keys=True) + "\n")
                self.index.flush()

    def close(self):
        with self.lock:
            self.index.close()


class Connection:
    def __init__(self, proxy, client_sock):
        self.proxy = proxy
        self.client_sock = client_sock
        self.upstream_sock = None
        self.conn = proxy.recorder.next_conn()
        self.pending = {}
        self.pending_lock = threading.Lock()
        self.closed = threading.Event()

    def start(self):
        try:
            self.upstream_sock = socket.create_connection(
                self.proxy.upstream, timeout=10)
            self.upstream_sock.settimeout(None)
        except OSError as e:
            log("cannot connect upstream: %s" % e)
            self.close()
            return
        self.proxy.track(self)
        for target in (self.pump_requests, self.pump_responses):
            threading.Thread(target=target, daemon=True).start()

    def close(self):
        if self.closed.is_set():
            return
        self.closed.set()
        for s in (self.client_sock, self.upstream_sock):
            if s is None:
                continue
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                s.close()
            except OSError:
                pass
        self.proxy.untrack(self)

    def pump_requests(self):
        rec = self.proxy.recorder
        try:
            while True:
                body = recv_frame(self.client_sock)
                if body is None:
                    break
                r = Reader(body)
                api_key = r.int16()
                version = r.int16()
                corr = r.int32()
                client_id = None
                if not (api_key == 7 and version == 0):
                    client_id = r.string(False)
                seq = rec.next_seq()
                with self.pending_lock:
                    self.pending[corr] = (seq, api_key, version)
                rec.write(seq, api_key, version, "req", body,
                          {"conn": self.conn, "correlation_id": corr,
                           "client_id": client_id})
                self.upstream_sock.sendall(struct.pack(">i", len(body)) + body)
        except (OSError, ParseError) as e:
            if not self.closed.is_set():
                log("request side of connection %d: %s" % (self.conn, e))
        self.close()

    def pump_responses(self):
        rec = self.proxy.recorder
        try:
            while True:
                body = recv_frame(self.upstream_sock)
                if body is None:
                    break
                corr = Reader(body).int32()
                with self.pending_lock:
                    info = self.pending.pop(corr, None)
                if info is None:
                    log("response with unknown correlation id %d" % corr)
                    self.client_sock.sendall(
                        struct.pack(">i", len(body)) + body)
                    continue
                seq, api_key, version = info
                body, changed = self.proxy.rewriter.rewrite(
                    body, api_key, version)
                rec.write(seq, api_key, version, "resp", body,
                          {"conn": self.conn, "correlation_id": corr,
                           "rewritten": changed})
                self.client_sock.sendall(struct.pack(">i", len(body)) + body)
        except (OSError, ParseError) as e:
            if not self.closed.is_set():
                log("response side of connection %d: %s" % (self.conn, e))
        self.close()


class Proxy:
    def __init__(self, upstream, recorder, listen_port):
        self.upstream = upstream
        self.recorder = recorder
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", listen_port))
        self.listener.listen(64)
        self.listener.settimeout(0.25)
        self.port = self.listener.getsockname()[1]
        self.rewriter = Rewriter(upstream[0], upstream[1],
                                 "127.0.0.1", self.port)
        self.conns = set()
        self.lock = threading.Lock()

    def track(self, conn):
        with self.lock:
            self.conns.add(conn)

    def untrack(self, conn):
        with self.lock:
            self.conns.discard(conn)

    def serve(self, stop, deadline):
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                sock, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            sock.settimeout(None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            Connection(self, sock).start()
        self.listener.close()
        with self.lock:
            conns = list(self.conns)
        for c in conns:
            c.close()


def parse_hostport(s):
    host, _, port = s.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError("expected HOST:PORT, got %r" % s)
    return host, int(port)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--upstream", required=True, type=parse_hostport,
                    help="the broker to forward to, HOST:PORT")
    ap.add_argument("--client", required=True,
                    help="label used as the file name prefix, e.g. kcat")
    ap.add_argument("--outdir", required=True,
                    help="directory for the captured frames")
    ap.add_argument("--port", type=int, default=0,
                    help="port to listen on (default: an ephemeral one)")
    ap.add_argument("--port-file",
                    help="also write HOST:PORT to this file once listening")
    ap.add_argument("--max-seconds", type=float, default=600,
                    help="exit after this long in any case (default 600)")
    args = ap.parse_args()

    os.makedirs(args.outdir, exist_ok=True)
    recorder = Recorder(args.outdir, args.client)
    proxy = Proxy(args.upstream, recorder, args.port)

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    address = "127.0.0.1:%d" % proxy.port
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(address + "\n")
        os.replace(tmp, args.port_file)
    print(address, flush=True)

    proxy.serve(stop, time.monotonic() + args.max_seconds)
    recorder.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
