#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The campaign checker on synthetic histories (no broker needed).

A clean history passes; each anomaly class the checker claims to find is
planted once in an otherwise clean history and must be reported (and
only that class); outcomes that are merely unknown are never counted as
lost. Without this, a campaign that "finds nothing" proves nothing.
"""

import copy
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from caudald_fixture import check, check_eq, main  # noqa: E402
import campaign_checker  # noqa: E402


def send(producer, seq, partition, offset, kind="ok", idempotent=True, definite=False,
         error=None, t=0.0):
    value = "%s-%d" % (producer, seq)
    inv = {"process": producer, "type": "invoke", "f": "send", "value": value,
           "producer": producer, "seq": seq, "idempotent": idempotent, "time": t}
    out = {"process": producer, "type": kind, "f": "send", "value": value,
           "producer": producer, "seq": seq, "idempotent": idempotent,
           "partition": partition, "offset": offset if kind == "ok" else None,
           "definite": definite, "error": error, "time": t + 0.01}
    return [inv, out]


def clean():
    """Two producers (idempotent p0, plain p1) over two partitions, a live
    consumer and an HW poller; everything acked is read back in place."""
    history = []
    final = {0: [], 1: []}
    t = 0.0
    for seq in range(6):
        for prod, idem in (("p0", True), ("p1", False)):
            p = seq % 2
            off = len(final[p])
            history += send(prod, seq, p, off, idempotent=idem, t=t)
            final[p].append((off, "%s-%d" % (prod, seq)))
            t += 0.1
    for p, records in final.items():
        for off, value in records:
            history.append({"process": "c0", "type": "ok", "f": "poll", "partition": p,
                            "offset": off, "value": value, "time": t})
            t += 0.01
        for hw in (0, 3, len(records)):
            history.append({"process": "hw", "type": "ok", "f": "hw", "partition": p,
                            "offset": hw, "time": t})
    return history, final


def anomalies(report):
    return sorted(k for k in campaign_checker.SAFETY if report[k])


def expect(history, final, classes, replica_diffs=()):
    report = campaign_checker.check(history, final, replica_diffs)
    check_eq(anomalies(report), sorted(classes), "anomaly classes reported")
    check_eq(report["valid"], not classes, "valid")
    # summary() must not crash and must say INVALID when invalid
    text = "\n".join(campaign_checker.summary(report))
    check(("INVALID" in text) == bool(classes), "summary verdict:\n" + text)
    return report


def clean_history_passes():
    history, final = clean()
    report = expect(history, final, [])
    check_eq(report["counts"]["ok"], 12, "ok count")
    check_eq(report["counts"]["final_records"], 12, "final records")


def acked_value_missing_is_lost():
    history, final = clean()
    final[1] = [r for r in final[1] if r[1] != "p1-3"]
    # A hole in the final read; no live consumer in this history.
    history = [op for op in history if op.get("f") != "poll"]
    report = expect(history, final, ["lost"])
    check_eq([x["value"] for x in report["lost"]], ["p1-3"], "lost values")


def truncated_tail_is_lost():
    # The acknowledged tail of partition 0 is gone (the KIP-101 scenario).
    history, final = clean()
    final[0] = final[0][:3]
    history = [op for op in history if not (op.get("f") in ("poll", "hw") and op["partition"] == 0)]
    report = expect(history, final, ["lost"])
    check_eq(len(report["lost"]), 3, "lost count")


def ack_without_offset():
    # librdkafka's idempotent producer may report a message delivered
    # without an offset (None or -1). Read back in its partition: fine,
    # whatever offset it holds, and never "inconsistent".
    for missing in (None, -1, -1001):
        history, final = clean()
        for op in history:
            if op.get("f") == "send" and op["type"] == "ok" and op["value"] in ("p0-2", "p0-4"):
                op["offset"] = missing
        report = expect(history, final, [])
        check_eq(report["counts"]["ok_no_offset"], 2, "acks without offset counted")
        # ... but it is still acknowledged: gone from its partition = lost,
        history2 = [op for op in history if op.get("f") != "poll"]
        final2 = copy.deepcopy(final)
        final2[0] = [r for r in final2[0] if r[1] != "p0-2"]
        report = expect(history2, final2, ["lost"])
        check_eq([(x["value"], x["offset"]) for x in report["lost"]], [("p0-2", None)],
                 "lost ack without offset")
        # ... and so is one read back only in another partition.
        final3 = copy.deepcopy(final2)
        final3[1].append((len(final3[1]), "p0-2"))
        # (p0 is idempotent: seq 2 after seq 5 in partition 1 is also a reordering)
        report = expect(history2, final3, ["lost", "order"])
        check_eq([x["value"] for x in report["lost"]], ["p0-2"], "read in the wrong partition")


def unknown_outcome_is_not_lost():
    history, final = clean()
    history += send("p1", 99, 0, None, kind="info", idempotent=False, error="_MSG_TIMED_OUT", t=9)
    history += send("p0", 99, None, None, kind="fail", idempotent=True, definite=False,
                    error="_MSG_TIMED_OUT", t=9)
    report = expect(history, final, [])
    check_eq(sorted(report["unseen"]), ["p1-99"], "unseen (unknown outcome)")


def acked_offset_holding_another_value_is_inconsistent():
    history, final = clean()
    # p0-2 was acked at (0, 2); the final read has p0-2 at offset 2 replaced
    # by a value written later at that offset (a divergent log).
    history += send("p1", 50, 0, None, kind="info", idempotent=False, t=9)
    final[0][2] = (2, "p1-50")
    history = [op for op in history if op.get("f") != "poll"]
    report = expect(history, final, ["inconsistent", "lost"])
    check(any(i["values"] == ["p0-2", "p1-50"] for i in report["inconsistent"]),
          "inconsistent entries: %r" % report["inconsistent"])


def two_values_at_one_offset_is_inconsistent():
    history, final = clean()
    # A live consumer read a different value at (1, 0) than the final read.
    history.append({"process": "c1", "type": "ok", "f": "poll", "partition": 1,
                    "offset": 0, "value": "p9-0", "time": 20})
    expect(history, final, ["inconsistent"])


def duplicate_with_idempotence_fails():
    history, final = clean()
    # p0 is idempotent; p0-4 is its last value in partition 0, so the copy
    # right after it is a duplicate and not also a reordering.
    final[0].append((len(final[0]), "p0-4"))
    report = expect(history, final, ["duplicate_idempotent"])
    check_eq(len(report["duplicate"]), 1, "duplicates")


def duplicate_without_idempotence_is_only_counted():
    history, final = clean()
    final[1].append((len(final[1]), "p1-1"))          # p1 is not idempotent
    report = expect(history, final, [])
    check_eq(len(report["duplicate"]), 1, "duplicates counted")


def reordered_idempotent_producer_fails():
    history, final = clean()
    recs = final[0]
    i = [n for n, r in enumerate(recs) if r[1] == "p0-0"][0]
    j = [n for n, r in enumerate(recs) if r[1] == "p0-2"][0]
    recs[i], recs[j] = (recs[i][0], recs[j][1]), (recs[j][0], recs[i][1])
    # Acks say otherwise, so the swap is also inconsistent with the acks;
    # make the acks agree with the final read to isolate the order check.
    for op in history:
        if op.get("f") == "send" and op["type"] == "ok" and op["value"] in ("p0-0", "p0-2"):
            op["offset"] = [o for o, v in recs if v == op["value"]][0]
    history = [op for op in history if op.get("f") != "poll"]
    report = expect(history, final, ["order"])
    check_eq(report["order"][0]["producer"], "p0", "order producer")


def definitely_failed_but_visible():
    history, final = clean()
    history += send("p1", 77, None, None, kind="fail", idempotent=False, definite=True,
                    error="NOT_ENOUGH_REPLICAS", t=9)
    final[1].append((len(final[1]), "p1-77"))
    expect(history, final, ["definite_failed_visible"])


def high_watermark_backwards():
    history, final = clean()
    history.append({"process": "hw", "type": "ok", "f": "hw", "partition": 0, "offset": 1,
                    "time": 30})
    report = expect(history, final, ["hw_backwards"])
    check_eq(report["hw_backwards"][0]["to"], 1, "hw went back to")


def live_consumer_gap_and_step_back():
    history, final = clean()
    polls = [op for op in history if op.get("f") == "poll" and op["partition"] == 1]
    history.remove(polls[2])                            # 1 -> 3: a gap
    expect(history, final, ["poll_skip"])
    history, final = clean()
    first = [op for op in history if op.get("f") == "poll" and op["partition"] == 0][0]
    history.append(copy.deepcopy(first))                # read offset 0 again
    expect(history, final, ["poll_backwards"])
    # ... unless the consumer sought (restarted) in between.
    history.insert(len(history) - 1, {"process": "c0", "type": "ok", "f": "seek", "time": 40})
    expect(history, final, [])


def replica_divergence_is_reported():
    history, final = clean()
    expect(history, final, ["replica_divergence"],
           replica_diffs=["t-0: broker 2 differs from broker 1 at batch 3 (offset 17)"])


def body(runner):
    for test in (clean_history_passes, acked_value_missing_is_lost, truncated_tail_is_lost,
                 ack_without_offset, unknown_outcome_is_not_lost, acked_offset_holding_another_value_is_inconsistent,
                 two_values_at_one_offset_is_inconsistent, duplicate_with_idempotence_fails,
                 duplicate_without_idempotence_is_only_counted, reordered_idempotent_producer_fails,
                 definitely_failed_but_visible, high_watermark_backwards,
                 live_consumer_gap_and_step_back, replica_divergence_is_reported):
        runner.run(test)
    return runner.finish()


if __name__ == "__main__":
    main(body)
