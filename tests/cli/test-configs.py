# SPDX-License-Identifier: GPL-3.0-or-later
"""`caudal configs` (kafka-configs) against a real caudald: Kafka 3.x's
describe output (dynamic and --all, with synonyms), --alter with
--add-config (square brackets for commas) and --delete-config, the
--topic / --broker shortcuts, and Kafka's error texts.

Run: CAUDALD=_build/broker/caudald CAUDAL=_build/client-cli/caudal \
     /usr/bin/python3 tests/cli/test-configs.py
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from caudald_fixture import Broker, check, check_eq, main  # noqa: E402

CAUDAL = os.environ.get("CAUDAL")
TOPIC = "cfg-topic"


def configs(broker, *args):
    proc = subprocess.run([CAUDAL, "configs", "--bootstrap-server", broker.bootstrap] + list(args),
                          capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


def test_setup(broker):
    proc = subprocess.run([CAUDAL, "topics", "--create", "--topic", TOPIC, "--bootstrap-server", broker.bootstrap],
                          capture_output=True, text=True, timeout=60)
    check_eq(proc.returncode, 0, "create topic: " + proc.stderr)


def test_describe_no_overrides(broker):
    rc, out, err = configs(broker, "--entity-type", "topics", "--entity-name", TOPIC, "--describe")
    check_eq((rc, out, err), (0, "Dynamic configs for topic cfg-topic are:\n", ""), "describe")


def test_alter_and_describe(broker):
    rc, out, err = configs(broker, "--entity-type", "topics", "--entity-name", TOPIC, "--alter",
                           "--add-config", "retention.ms=60000,cleanup.policy=[compact,delete]")
    check_eq((rc, out, err), (0, "Completed updating config for topic cfg-topic.\n", ""), "alter")
    rc, out, err = configs(broker, "--topic", TOPIC, "--describe")
    check_eq((rc, err), (0, ""), "describe status")
    check_eq(out,
             "Dynamic configs for topic cfg-topic are:\n"
             "  cleanup.policy=compact,delete sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact,delete, "
             "DEFAULT_CONFIG:log.cleanup.policy=delete}\n"
             "  retention.ms=60000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=60000, "
             "DEFAULT_CONFIG:log.retention.hours=168}\n",
             "describe after alter")

    rc, out, err = configs(broker, "--topic", TOPIC, "--describe", "--all")
    lines = out.splitlines()
    check_eq(lines[0], "All configs for topic cfg-topic are:", "--all header")
    names = [line.split("=", 1)[0].strip() for line in lines[1:]]
    check_eq(names, sorted(names), "--all is sorted by name")
    check("  retention.ms=60000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=60000, "
          "DEFAULT_CONFIG:log.retention.hours=168}" in lines, "--all has the override")
    check(any(line.startswith("  segment.bytes=") and "synonyms={DEFAULT_CONFIG:log.segment.bytes=" in line
              for line in lines), "--all has defaults: %r" % lines[:5])


def test_delete_config(broker):
    rc, out, err = configs(broker, "--topic", TOPIC, "--alter", "--delete-config", "retention.ms,no.such.config")
    check_eq((rc, out, err), (1, "", "Invalid config(s): no.such.config\n"), "delete an unset config")
    rc, out, err = configs(broker, "--topic", TOPIC, "--alter", "--delete-config", "retention.ms")
    check_eq((rc, out, err), (0, "Completed updating config for topic cfg-topic.\n", ""), "delete-config")
    rc, out, err = configs(broker, "--topic", TOPIC, "--describe")
    check_eq(out,
             "Dynamic configs for topic cfg-topic are:\n"
             "  cleanup.policy=compact,delete sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact,delete, "
             "DEFAULT_CONFIG:log.cleanup.policy=delete}\n",
             "describe after delete-config")


def test_errors(broker):
    args = ["--topic", "cfg-missing", "--describe"]
    rc, out, err = configs(broker, *args)
    check_eq((rc, out), (1, ""), "unknown topic")
    check_eq(err,
             "Error while executing config command with args '--bootstrap-server %s %s'\n"
             "java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: "
             "This server does not host this topic-partition.\n" % (broker.bootstrap, " ".join(args)),
             "unknown topic message")
    rc, out, err = configs(broker, "--topic", TOPIC, "--alter", "--add-config", "retention.ms=abc")
    check_eq(rc, 1, "bad value")
    check("org.apache.kafka.common.errors.InvalidConfigurationException: " in err, err)
    rc, out, err = configs(broker, "--topic", TOPIC, "--alter")
    check_eq(rc, 2, "alter without configs")
    check(err.startswith("At least one of --add-config or --delete-config must be specified with --alter\n"), err)
    rc, out, err = configs(broker, "--topic", TOPIC)
    check(rc == 2 and err.startswith("Command must include exactly one action: --describe, --alter\n"), err)


def test_brokers(broker):
    rc, out, err = configs(broker, "--entity-type", "brokers", "--entity-name", "1", "--describe")
    check_eq((rc, out, err), (0, "Dynamic configs for broker 1 are:\n", ""), "broker describe")
    rc, out, err = configs(broker, "--broker", "1", "--describe", "--all")
    check_eq(rc, 0, "broker --all: " + err)
    lines = out.splitlines()
    check_eq(lines[0], "All configs for broker 1 are:", "broker --all header")
    check(len(lines) > 10, "broker --all lists configs")
    rc, out, err = configs(broker, "--entity-type", "brokers", "--describe")
    check_eq((rc, out), (0, "Dynamic configs for broker 1 are:\nDefault configs for brokers in the cluster are:\n"),
             "every broker")


def body(runner):
    with Broker() as broker:
        if runner.start(broker):
            for test in (test_setup, test_describe_no_overrides, test_alter_and_describe, test_delete_config,
                         test_errors, test_brokers):
                runner.run(test, broker)
        return runner.finish(broker)


if __name__ == "__main__":
    if not CAUDAL:
        print("CAUDAL is not set (path to the caudal executable)")
        sys.exit(1)
    main(body)
