#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-fuzzer.sh FUZZER CORPUS_DIR [SEED_DIR…]: a bounded libFuzzer run,
# CAUDAL_FUZZ_SECONDS long (default 20). New inputs go to CORPUS_DIR (in the
# build tree); the seed dirs are only read.
set -eu
fuzzer=$1
corpus=$2
shift 2
mkdir -p "$corpus"
exec "$fuzzer" -max_total_time="${CAUDAL_FUZZ_SECONDS:-20}" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 "$corpus" "$@"
