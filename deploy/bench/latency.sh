#!/usr/bin/env bash
# Latency benchmark of the running sandbox appliance: XMPP send -> Matrix /sync through the bridge, next to Synapse's
# own Matrix send -> /sync, N messages each way at a steady rate. See deploy/bench/README.md.
#   deploy/bench/latency.sh [count=1000] [rate per second=20] [rooms=1]
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$BENCH_REPO_ROOT"
bench_require_sandbox
bench_java 256m LatencyBench.java "$@"
