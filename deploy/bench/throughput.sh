#!/usr/bin/env bash
# Throughput benchmark of the running sandbox appliance: Synapse's ordered-delivery ceiling (a Matrix user's sequential
# sends) next to a back-to-back XMPP burst through the bridge (1 DM, and N DMs in parallel), with order/loss checks,
# CPU seconds of Synapse, the appliance and Prosody, and Synapse's access log per message. See deploy/bench/README.md.
#   deploy/bench/throughput.sh [count=500] [rooms=1] [rounds=1]     (THROUGHPUT_A_MENTIONS=0: (a) without m.mentions)
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$BENCH_REPO_ROOT"
bench_require_sandbox
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS:-} -Dbench.mentions=${THROUGHPUT_A_MENTIONS:-1}" \
  bench_java_classes 256m ThroughputBench LatencyBench.java ThroughputBench.java -- "$@"
