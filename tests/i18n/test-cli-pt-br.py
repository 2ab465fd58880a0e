# SPDX-License-Identifier: GPL-3.0-or-later
"""`caudal` in Brazilian Portuguese against a real caudald: each case's exit
status, stdout and stderr equal its golden file in tests/i18n/golden/.

The cases cover the usage texts (no command, an unknown command, a bad
flag: exit 2), an error (cannot connect: exit 1), confirmations (topic
created, config updated) and Kafka's machine-readable output (--describe
lines, configs --describe, the consumer-groups table), which stays exactly
as Kafka prints it: those are also run in the C locale and must match the
pt_BR output byte for byte.

Golden files hold the output with the broker's address written BOOTSTRAP
and topic ids TOPIC-ID. After a deliberate change, regenerate them with
CAUDAL_UPDATE_GOLDEN=1 (then read the diff).

Run: CAUDALD=_build/broker/caudald CAUDAL=_build/client-cli/caudal \
     CAUDAL_LOCALEDIR=_build/po CAUDAL_LOCPATH=_build/tests/i18n/locale \
     /usr/bin/python3 tests/i18n/test-cli-pt-br.py
"""

import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, HERE)
from caudald_fixture import Broker, check, check_eq, main  # noqa: E402
import pt_br_env  # noqa: E402

CAUDAL = os.environ.get("CAUDAL")
GOLDEN = os.path.join(HERE, "golden")
UPDATE = os.environ.get("CAUDAL_UPDATE_GOLDEN") == "1"
TOPIC_ID = re.compile(r"TopicId: [A-Za-z0-9_-]{22}")

# name: (argv after `caudal`, whether the output is Kafka's and must not
# change with the language)
CASES = [
    ("usage", [], False),
    ("unknown-command", ["produce"], False),
    ("bad-flag", ["topics", "--no-such-flag", "--bootstrap-server", "BOOTSTRAP"], False),
    ("missing-topic", ["topics", "--create", "--bootstrap-server", "BOOTSTRAP"], False),
    ("cannot-connect", ["topics", "--list", "--bootstrap-server", "127.0.0.1:1"], False),
    ("create", ["topics", "--create", "--topic", "pedidos", "--partitions", "2",
                "--bootstrap-server", "BOOTSTRAP"], False),
    ("create-again", ["topics", "--create", "--topic", "pedidos", "--bootstrap-server", "BOOTSTRAP"], False),
    ("describe", ["topics", "--describe", "--topic", "pedidos", "--bootstrap-server", "BOOTSTRAP"], True),
    ("describe-missing", ["topics", "--describe", "--topic", "faturas", "--bootstrap-server", "BOOTSTRAP"], False),
    ("configs-alter", ["configs", "--alter", "--entity-type", "topics", "--entity-name", "pedidos",
                       "--add-config", "retention.ms=86400000", "--bootstrap-server", "BOOTSTRAP"], False),
    ("configs-describe", ["configs", "--describe", "--entity-type", "topics", "--entity-name", "pedidos",
                          "--bootstrap-server", "BOOTSTRAP"], True),
    ("groups-list-state", ["consumer-groups", "--list", "--state", "--bootstrap-server", "BOOTSTRAP"], True),
    ("groups-describe-missing", ["consumer-groups", "--describe", "--group", "ninguem",
                                 "--bootstrap-server", "BOOTSTRAP"], False),
]


def run(args, env, bootstrap):
    argv = [CAUDAL] + [bootstrap if a == "BOOTSTRAP" else a for a in args]
    proc = subprocess.run(argv, env=env, capture_output=True, timeout=60)
    return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")


def render(args, status, out, err, bootstrap):
    """The golden file's text for one run. Trailing blanks go: editors
    trim them (.editorconfig); Kafka's exact lines are compared with the C
    locale's byte for byte instead."""
    def clean(text):
        text = TOPIC_ID.sub("TopicId: TOPIC-ID", text.replace(bootstrap, "BOOTSTRAP"))
        return "".join(line.rstrip(" \t") + "\n" for line in text.splitlines())
    return "$ %s\nexit %d\n--- stdout\n%s--- stderr\n%s" % (
        " ".join(["caudal"] + args), status, clean(out), clean(err))


def make_case(name, args, kafka_output, env, bootstrap):
    def case():
        status, out, err = run(args, env, bootstrap)
        got = render(args, status, out, err, bootstrap)
        path = os.path.join(GOLDEN, name + ".txt")
        if UPDATE:
            with open(path, "w", encoding="utf-8") as f:
                f.write(got)
            print("# wrote %s" % path)
        check(os.path.exists(path), "%s is missing (CAUDAL_UPDATE_GOLDEN=1 writes it)" % path)
        with open(path, encoding="utf-8") as f:
            expected = f.read()
        check_eq(got.splitlines(), expected.splitlines(), "caudal %s vs golden/%s.txt" % (" ".join(args), name))
        if kafka_output:
            c_status, c_out, c_err = run(args, pt_br_env.c_environment(), bootstrap)
            check_eq((c_status, TOPIC_ID.sub("", c_out)), (status, TOPIC_ID.sub("", out)),
                     "Kafka's output is the same in C and pt_BR")
    case.__name__ = name
    return case


def test_translated_at_all(env):
    """The catalogue is found: the usage differs from the C locale's."""
    pt = run([], env, "")
    c = run([], pt_br_env.c_environment(), "")
    check(pt[2] != c[2] and "Uso: caudal COMANDO [OPÇÕES]" in pt[2],
          "caudal is not translated; pt_BR usage: %r" % pt[2])


def body(runner):
    check(CAUDAL, "CAUDAL is not set")
    locpath = os.environ.get("CAUDAL_LOCPATH")
    check(locpath, "CAUDAL_LOCPATH is not set (where pt_BR.UTF-8 is compiled)")
    env = pt_br_env.environment(locpath)
    broker = Broker(name="cli-pt-br")
    try:
        runner.run(test_translated_at_all, env)
        if runner.start(broker):
            for name, args, kafka_output in CASES:
                runner.run(make_case(name, args, kafka_output, env, broker.bootstrap))
        return runner.finish(broker)
    finally:
        broker.close()


if __name__ == "__main__":
    main(body)
