# SPDX-License-Identifier: GPL-3.0-or-later
"""kafkajs 2.2.4 consumer groups against caudald.

Starts caudald and runs test-groups-kafkajs.js under node (NODE_PATH =
tests/clients/node_modules, installed by `npm ci` in tests/clients), which
prints its own TAP lines (relayed here as comments) and exits non-zero when
a check failed.

Run: CAUDALD=_build/broker/caudald /usr/bin/python3 tests/integration/test-groups-kafkajs.py
"""

import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from caudald_fixture import Broker, check, check_eq, main, run  # noqa: E402

NODE = shutil.which("node") or "node"
NODE_PATH = os.environ.get("KAFKAJS_NODE_PATH",
                           os.path.join(HERE, "..", "clients", "node_modules"))


def test_kafkajs_groups_script(broker):
    check(os.path.isdir(os.path.join(NODE_PATH, "kafkajs")),
          "kafkajs is not installed in %s (run `npm ci` in tests/clients)" % NODE_PATH)
    env = dict(os.environ, NODE_PATH=os.path.abspath(NODE_PATH), BOOTSTRAP=broker.bootstrap)
    proc = run([NODE, os.path.join(HERE, "test-groups-kafkajs.js")], timeout=100,
               check_rc=False, env=env)
    for line in proc.stdout.splitlines():
        print("# kafkajs: " + line)
    if proc.stderr.strip():
        for line in proc.stderr.strip().splitlines()[-40:]:
            print("# kafkajs stderr: " + line)
    check_eq(proc.returncode, 0, "test-groups-kafkajs.js exit status (see its TAP lines above)")


def test_broker_alive_and_clean_stop(broker):
    check(broker.alive(), "caudald is no longer running")
    broker.stop()


def body(runner):
    overrides = {"auto.create.topics.enable": "false", "group.initial.rebalance.delay.ms": "0",
                 "group.min.session.timeout.ms": "1000"}
    with Broker(overrides=overrides, name="groups-kafkajs") as broker:
        if runner.start(broker):
            for test in (test_kafkajs_groups_script, test_broker_alive_and_clean_stop):
                runner.run(test, broker)
        return runner.finish(broker)


if __name__ == "__main__":
    main(body)
