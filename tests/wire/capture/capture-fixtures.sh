#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Regenerates tests/wire/data/: the Kafka frames that kcat (librdkafka),
# kafka-python and kafkajs send to librdkafka's mock cluster, captured by
# capture-proxy.py, thinned out and described in tests/wire/data/MANIFEST.
#
# Usage: tests/wire/capture/capture-fixtures.sh [OUTDIR]
#   OUTDIR          where fixtures go (default: tests/wire/data)
#   CAPTURE_KEEP=1  keep the scratch directory (raw frames, logs) and say where
#
# Needs: cc, pkg-config and librdkafka-dev, kcat, /usr/bin/python3 with
# python3-kafka (python3-snappy, python3-lz4, python3-zstandard for all
# codecs), node and tests/clients/node_modules (runs `npm ci` if missing).
# Every step is bounded by timeout(1); all children are stopped on exit.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../../.." && pwd)
outdir=${1:-$top/tests/wire/data}
pybin=/usr/bin/python3
codecs=(none gzip snappy lz4 zstd)

work=$(mktemp -d "${TMPDIR:-/tmp}/caudal-capture.XXXXXX")
raw=$work/raw
logs=$work/logs
mkdir -p "$raw" "$logs"

pids=()
mock_fd=

cleanup ()
{
  local status=$?
  trap - EXIT INT TERM
  if [[ -n $mock_fd ]]; then
    exec {mock_fd}>&- || true
  fi
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ ${CAPTURE_KEEP:-0} = 1 ]]; then
    echo "capture: scratch directory kept: $work" >&2
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say () { echo "capture: $*" >&2; }
die () { say "$*"; exit 1; }

# Waits (bounded) until FILE has a first line; prints it.
wait_line ()
{
  local file=$1 what=$2
  for _ in $(seq 1 100); do
    if [[ -s $file ]] && read -r line < "$file" && [[ -n $line ]]; then
      echo "$line"
      return 0
    fi
    sleep 0.1
  done
  die "$what did not start (no address in $file)"
}

# run NAME SECONDS COMMAND...: runs a client step; stdout goes to
# logs/NAME.out, stderr to logs/NAME.log.
run ()
{
  local name=$1 secs=$2
  shift 2
  say "step $name"
  if ! timeout -k 3 "$secs" "$@" > "$logs/$name.out" 2> "$logs/$name.log"; then
    cat "$logs/$name.out" "$logs/$name.log" | sed 's/^/  | /' >&2
    die "step $name failed"
  fi
}

# --- prerequisites --------------------------------------------------------

for tool in cc pkg-config kcat node timeout; do
  command -v "$tool" > /dev/null || die "missing $tool"
done
pkg-config --exists rdkafka || die "missing librdkafka-dev (pkg-config rdkafka)"
"$pybin" -c 'import kafka' 2> /dev/null || die "missing python3-kafka for $pybin"
if [[ ! -d $top/tests/clients/node_modules/kafkajs ]]; then
  say "installing kafkajs (npm ci in tests/clients)"
  (cd "$top/tests/clients" && timeout 300 npm ci --no-audit --no-fund) >&2 ||
    die "npm ci failed"
fi

kpy_codecs=(none gzip)
"$pybin" -c 'import snappy' 2> /dev/null && kpy_codecs+=(snappy)
"$pybin" -c 'import lz4.frame' 2> /dev/null && kpy_codecs+=(lz4)
"$pybin" -c 'import zstandard' 2> /dev/null && kpy_codecs+=(zstd)
kjs_codecs=(none gzip)

# --- the mock broker and one proxy per client -----------------------------

say "building mock-broker"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror -O2 -o "$work/mock-broker" \
  "$here/mock-broker.c" $(pkg-config --cflags --libs rdkafka)

topics=()
for c in "${codecs[@]}"; do topics+=("fx-kcat-$c"); done
for c in "${kpy_codecs[@]}"; do topics+=("fx-kpy-$c"); done
for c in "${kjs_codecs[@]}"; do topics+=("fx-kjs-$c"); done

# The mock runs until its stdin (a FIFO we hold open) closes.
mkfifo "$work/mock.in"
"$work/mock-broker" "${topics[@]}" < "$work/mock.in" \
  > "$work/mock.addr" 2> "$logs/mock-broker.log" &
pids+=($!)
exec {mock_fd}> "$work/mock.in"
mock=$(wait_line "$work/mock.addr" mock-broker)
say "mock broker at $mock"

declare -A proxy
for client in kcat kpy kjs; do
  "$pybin" "$here/capture-proxy.py" --upstream "$mock" --client "$client" \
    --outdir "$raw" --port-file "$work/$client.addr" --max-seconds 900 \
    > /dev/null 2> "$logs/proxy-$client.log" &
  pids+=($!)
done
for client in kcat kpy kjs; do
  proxy[$client]=$(wait_line "$work/$client.addr" "proxy for $client")
  say "proxy for $client at ${proxy[$client]}"
done

# --- kcat (librdkafka 2.0.2) -----------------------------------------------

b=${proxy[kcat]}
run kcat-metadata 20 kcat -b "$b" -L
for c in "${codecs[@]}"; do
  printf 'k1\tcaudal fixture %s 1\nk2\tcaudal fixture %s 2\nk3\tcaudal fixture %s 3\n' \
    "$c" "$c" "$c" > "$work/kcat-$c.in"
  run "kcat-produce-$c" 20 kcat -b "$b" -P -t "fx-kcat-$c" -K $'\t' \
    -H h=v -z "$c" -X linger.ms=200 -l "$work/kcat-$c.in"
done
for c in "${codecs[@]}"; do
  run "kcat-consume-$c" 20 kcat -b "$b" -C -t "fx-kcat-$c" -o beginning -e \
    -f '%k=%s %h\n'
  printf 'k1=caudal fixture %s 1 h=v\nk2=caudal fixture %s 2 h=v\nk3=caudal fixture %s 3 h=v\n' \
    "$c" "$c" "$c" | cmp -s - "$logs/kcat-consume-$c.out" ||
    { cat "$logs/kcat-consume-$c.out" >&2; die "kcat read back wrong records from fx-kcat-$c"; }
done
run kcat-query 20 kcat -b "$b" -Q -t fx-kcat-none:0:1000
# A balanced consumer: join, sync, fetch, heartbeat and auto-commit for a
# few seconds; SIGINT makes kcat commit, leave the group and exit.
say "step kcat-group"
status=0
# No -o here: kcat would then assign that offset itself and skip the
# OffsetFetch of the committed offsets.
timeout -s INT -k 5 7 kcat -b "$b" -G caudal-fx-kcat \
  -X auto.offset.reset=earliest -X heartbeat.interval.ms=500 -X auto.commit.interval.ms=1000 \
  -X session.timeout.ms=10000 -f '%k=%s\n' fx-kcat-none \
  > "$logs/kcat-group.out" 2> "$logs/kcat-group.log" || status=$?
# 124: stopped by the timeout as intended; kcat's own exit is fine too.
if [[ $status != 0 && $status != 124 ]]; then
  cat "$logs/kcat-group.out" "$logs/kcat-group.log" | sed 's/^/  | /' >&2
  die "step kcat-group failed ($status)"
fi
grep -q 'k3=caudal fixture none 3' "$logs/kcat-group.out" ||
  { cat "$logs/kcat-group.out" "$logs/kcat-group.log" >&2; die "kcat group consumer read nothing"; }

# --- kafka-python 2.0.2 -----------------------------------------------------

b=${proxy[kpy]}
# kafka-python keeps topics in sets: a fixed hash seed keeps their order in
# requests the same from one capture to the next.
export PYTHONHASHSEED=0
for c in "${kpy_codecs[@]}"; do
  run "kpy-produce-$c" 30 "$pybin" "$here/kpy-capture.py" "$b" produce "$c"
done
run kpy-consume 60 "$pybin" "$here/kpy-capture.py" "$b" consume "${kpy_codecs[@]}"
run kpy-admin 30 "$pybin" "$here/kpy-capture.py" "$b" admin

# --- kafkajs 2.2.4 ----------------------------------------------------------

run kafkajs 120 env KAFKAJS_NO_PARTITIONER_WARNING=1 \
  node "$here/kafkajs-capture.js" "${proxy[kjs]}"

# --- stop, select, describe -------------------------------------------------

# Stop the proxies (their index files are then complete) and the mock.
for pid in "${pids[@]:1}"; do kill -TERM "$pid" 2>/dev/null || true; done
for pid in "${pids[@]:1}"; do timeout 10 tail --pid="$pid" -f /dev/null || true; done

say "selecting fixtures into $outdir"
mkdir -p "$outdir"
"$pybin" "$here/select-fixtures.py" --raw "$raw" --out "$outdir" \
  --codecs "kcat=${codecs[*]}" --codecs "kpy=${kpy_codecs[*]}" \
  --codecs "kjs=${kjs_codecs[*]}"
say "done: $(find "$outdir" -name '*.bin' | wc -l) frames," \
  "$(find "$outdir" -name '*.bin' -exec cat {} + | wc -c) bytes"
