# SPDX-License-Identifier: GPL-3.0-or-later
"""The fault campaign's checker: pure functions over a history (stdlib only).

Modelled on the anomaly list of Jepsen's queue workloads for Kafka-like
systems (docs/replication-notes.md section 6, docs/reliability.md). No
broker is needed: tests/integration/test-campaign-checker.py feeds it
synthetic histories.

A history is a list of operations, each a dict:

    {"process": "p0", "type": "invoke"|"ok"|"fail"|"info",
     "f": "send"|"poll"|"hw"|"seek",
     "value": "p0-17", "partition": 1, "offset": 42, "time": 3.25,
     "producer": "p0", "seq": 17, "idempotent": True, "definite": False,
     "error": "NOT_ENOUGH_REPLICAS"}

- send: invoke when produce() is called; ok with the acknowledged
  partition and offset; fail only when nothing can have been appended
  (`definite`: a definite error on the producer's only attempt); info for
  every other outcome (timeouts, disconnects, NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  a retried request): unknown, never counted as lost.
- poll: ok with partition, offset, value, read by a live consumer
  (`process`); a "seek" op from that process (re-assignment, restart)
  restarts its expected sequence.
- hw: ok with partition and offset = the high watermark polled with
  ListOffsets(latest), one process, in time order.

`final` is {partition: [(offset, value), ...]}: a fresh consumer's read of
each partition from the log start to the high watermark after heal and
quiesce. `replica_diffs` is a list of strings describing replica
divergence below the high watermark (computed by the campaign from the
brokers' log files).
"""

import collections

# Anomalies that fail a run. Duplicates fail only with idempotence on.
SAFETY = ("lost", "inconsistent", "duplicate_idempotent", "order",
          "definite_failed_visible", "hw_backwards", "poll_skip",
          "poll_backwards", "replica_divergence")


def _final_index(final):
    """({(partition, offset): value}, {value: [(partition, offset)...]})."""
    at = {}
    where = collections.defaultdict(list)
    for p, records in final.items():
        for offset, value in records:
            at[(int(p), offset)] = value
            where[value].append((int(p), offset))
    return at, where


def _offset(op):
    """The op's offset, or None when it has none (None or negative)."""
    off = op.get("offset")
    if off is None or off < 0:
        return None
    return off


def check(history, final, replica_diffs=()):
    """Run every check; returns a report dict (see summary())."""
    final = {int(p): list(r) for p, r in final.items()}
    at, where = _final_index(final)
    sends = {}
    outcome = {}
    for op in history:
        if op.get("f") != "send":
            continue
        if op["type"] == "invoke":
            sends[op["value"]] = op
        else:
            outcome[op["value"]] = op

    report = {k: [] for k in SAFETY}
    report.update({"duplicate": [], "unseen": [], "info_visible": 0,
                   "failed_visible_indefinite": []})
    counts = collections.Counter(op["type"] for op in outcome.values())
    counts["invoke"] = len(sends)
    counts["no_outcome"] = sum(1 for v in sends if v not in outcome)

    # lost: an acknowledged value absent from the final read of every
    # partition; inconsistent: an acknowledged (partition, offset) that now
    # holds another value, or a value acknowledged where it is not.
    #
    # An ok send without an offset (librdkafka's idempotent producer may
    # report a message persisted, with offset None or -1, when a later
    # batch of the same producer was acknowledged) counts as acknowledged
    # for loss: it must be read back somewhere in its partition; it never
    # takes part in offset equality.
    for value, op in outcome.items():
        if op["type"] != "ok":
            continue
        p, off = op["partition"], _offset(op)
        if off is None:
            if not any(q == p for q, _ in where.get(value, ())):
                report["lost"].append({"value": value, "partition": p, "offset": None,
                                       "read_at": sorted(where.get(value, ()))})
            continue
        if value not in where:
            report["lost"].append({"value": value, "partition": p, "offset": off})
        elif at.get((p, off)) is not None and at[(p, off)] != value:
            report["inconsistent"].append({"partition": p, "offset": off,
                                           "values": sorted({value, at[(p, off)]}),
                                           "why": "acked offset holds another value"})
        elif (p, off) not in where[value]:
            report["inconsistent"].append({"partition": p, "offset": off, "values": [value],
                                           "why": "acked at this offset, read at %s" % where[value]})

    # inconsistent: one (partition, offset) seen with two values across
    # acknowledgements, live polls and the final read.
    seen = collections.defaultdict(set)
    for op in history:
        if op["type"] == "ok" and op.get("f") in ("send", "poll") and _offset(op) is not None:
            seen[(op["partition"], op["offset"])].add(op["value"])
    for key, value in at.items():
        seen[key].add(value)
    flagged = {(i["partition"], i["offset"]) for i in report["inconsistent"]}
    for (p, off), values in sorted(seen.items()):
        if len(values) > 1 and (p, off) not in flagged:
            report["inconsistent"].append({"partition": p, "offset": off,
                                           "values": sorted(values),
                                           "why": "two values at one offset"})

    # duplicate: one value at two offsets of the final read.
    for value, places in where.items():
        if len(places) > 1:
            item = {"value": value, "at": sorted(places)}
            report["duplicate"].append(item)
            if sends.get(value, {}).get("idempotent"):
                report["duplicate_idempotent"].append(item)

    # order: with idempotence, one producer's values in one partition
    # appear in the order they were sent (by seq), in the final read (a
    # repeated seq is a duplicate, reported above).
    for p, records in final.items():
        last = {}
        for offset, value in records:
            op = sends.get(value)
            if op is None or not op.get("idempotent"):
                continue
            prod, seq = op.get("producer"), op.get("seq")
            if prod in last and seq < last[prod][0]:
                report["order"].append({"producer": prod, "partition": p,
                                        "earlier": {"seq": last[prod][0], "offset": last[prod][1]},
                                        "later": {"seq": seq, "offset": offset}})
            last[prod] = (seq, offset)

    # definitely failed but visible (G1a-like); an indefinite failure that
    # shows up is only counted.
    polled = {op["value"] for op in history if op.get("f") == "poll" and op["type"] == "ok"}
    for value, op in outcome.items():
        visible = value in where or value in polled
        if op["type"] == "fail" and visible:
            item = {"value": value, "error": op.get("error")}
            if op.get("definite"):
                report["definite_failed_visible"].append(item)
            else:
                report["failed_visible_indefinite"].append(item)
        elif op["type"] == "info":
            if visible:
                report["info_visible"] += 1
            else:
                report["unseen"].append(value)
    for value in sends:
        if value not in outcome and value not in where:
            report["unseen"].append(value)

    # the high watermark never moves back (one poller, in time order).
    hw = {}
    for op in history:
        if op.get("f") != "hw" or op["type"] != "ok":
            continue
        p = op["partition"]
        if p in hw and op["offset"] < hw[p][0]:
            report["hw_backwards"].append({"partition": p, "from": hw[p][0], "to": op["offset"],
                                           "time": op.get("time"), "was_at": hw[p][1]})
        if p not in hw or op["offset"] >= hw[p][0]:
            hw[p] = (op["offset"], op.get("time"))

    # live consumers: each poll is the next offset of its partition (no
    # gap, no step back) until the consumer seeks.
    nxt = {}
    for op in history:
        if op.get("f") == "seek":
            for key in [k for k in nxt if k[0] == op["process"]]:
                del nxt[key]
            continue
        if op.get("f") != "poll" or op["type"] != "ok":
            continue
        key = (op["process"], op["partition"])
        off = op["offset"]
        if key in nxt:
            if off > nxt[key]:
                report["poll_skip"].append({"process": key[0], "partition": key[1],
                                            "expected": nxt[key], "got": off})
            elif off < nxt[key]:
                report["poll_backwards"].append({"process": key[0], "partition": key[1],
                                                 "expected": nxt[key], "got": off})
        nxt[key] = off + 1

    report["replica_divergence"] = list(replica_diffs)
    report["counts"] = {
        "sent": counts["invoke"], "ok": counts["ok"], "fail": counts["fail"],
        "ok_no_offset": sum(1 for op in outcome.values()
                            if op["type"] == "ok" and _offset(op) is None),
        "info": counts["info"] + counts["no_outcome"],
        "final_records": sum(len(r) for r in final.values()),
        "polled": len(polled),
    }
    report["valid"] = not any(report[k] for k in SAFETY)
    return report


def summary(report, limit=5):
    """Printable lines: counts, then each non-empty anomaly class with up to
    `limit` examples."""
    c = report["counts"]
    lines = ["sent %d: ok %d (%d without offset), fail %d, info %d; final read %d records, "
             "%d distinct values polled"
             % (c["sent"], c["ok"], c.get("ok_no_offset", 0), c["fail"], c["info"],
                c["final_records"], c["polled"]),
             "lost %d, inconsistent %d, duplicates %d (idempotent %d), order %d, "
             "definite-failed visible %d, hw backwards %d, poll skips %d, poll steps back %d, "
             "replica divergence %d"
             % (len(report["lost"]), len(report["inconsistent"]), len(report["duplicate"]),
                len(report["duplicate_idempotent"]), len(report["order"]),
                len(report["definite_failed_visible"]), len(report["hw_backwards"]),
                len(report["poll_skip"]), len(report["poll_backwards"]),
                len(report["replica_divergence"])),
             "unseen (unknown outcome, not in the final read) %d; unknown outcome but visible %d; "
             "indefinite failure but visible %d"
             % (len(report["unseen"]), report["info_visible"],
                len(report["failed_visible_indefinite"]))]
    for key in SAFETY + ("duplicate",):
        items = report[key]
        if items:
            lines.append("%s (%d), e.g.:" % (key, len(items)))
            lines.extend("  %r" % (i,) for i in items[:limit])
    lines.append("VALID" if report["valid"] else "INVALID: safety anomalies above")
    return lines
