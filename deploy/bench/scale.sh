#!/usr/bin/env bash
# Scale benchmark of the appliance's database: fills (once) an H2 data directory with rooms, puppets and message-map
# rows through the mapping module's stores, then measures lookups, the open, and the heap; then the appliance's
# start-up (CPU, RSS) on a copy of it. See deploy/bench/README.md, "Scale".
#   deploy/bench/scale.sh [data-dir=deploy/target/bench-scale] [rooms=1000] [puppets=10000] [rows=100000] [start-ups=3]
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$BENCH_REPO_ROOT"
dir="${1:-deploy/target/bench-scale}"
runs="${5:-3}"
mkdir -p "$(dirname "$dir")"
echo "scale benchmark, $(bench_load)"
bench_java 1g ScaleBench.java "$dir" "${2:-1000}" "${3:-10000}" "${4:-100000}"
echo "appliance start-up on a copy of $dir, plain java -jar, $(bench_load):"
BENCH_DATA="$dir" BENCH_TIMEOUT="${BENCH_TIMEOUT:-200}" deploy/bench-startup.sh "$runs" | tail -n 1
echo "appliance start-up on a copy of $dir, the launcher's JVM options without CDS, $(bench_load):"
MALLOC_ARENA_MAX=2 BENCH_DATA="$dir" BENCH_TIMEOUT="${BENCH_TIMEOUT:-200}" deploy/bench-startup.sh "$runs" \
  $(launcher_options) | tail -n 1
