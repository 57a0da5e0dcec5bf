#!/usr/bin/env bash
# Throughput benchmark of the running sandbox appliance: Synapse's ordered-delivery ceiling (a Matrix user's sequential
# sends) next to a back-to-back XMPP burst through the bridge (1 DM, and N DMs in parallel), with order/loss checks,
# CPU seconds of Synapse, the appliance and Prosody, and Synapse's access log per message. See deploy/bench/README.md.
#   deploy/bench/throughput.sh [count=500] [rooms=1] [rounds=1]     (THROUGHPUT_A_MENTIONS=0: (a) without m.mentions)
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO_ROOT"
deploy/sandbox.sh status >/dev/null || { echo "the sandbox is not (fully) running: deploy/sandbox.sh up" >&2; exit 1; }
CP_FILE="$REPO_ROOT/deploy/target/bench-classpath.txt"
if [ ! -s "$CP_FILE" ] || [ "$REPO_ROOT/deploy/pom.xml" -nt "$CP_FILE" ]; then
  mkdir -p "$REPO_ROOT/deploy/target"
  mvn -q -o -pl deploy dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE" >/dev/null
fi
exec java -Xmx256m -Dlogback.configurationFile="$REPO_ROOT/deploy/bench/logback-bench.xml" -cp "$(cat "$CP_FILE")" \
  -Dbench.repo.root="$REPO_ROOT" -Dbench.clk.tck="$(getconf CLK_TCK)" -Dbench.mentions="${THROUGHPUT_A_MENTIONS:-1}" "$REPO_ROOT/deploy/bench/ThroughputBench.java" "$@"
