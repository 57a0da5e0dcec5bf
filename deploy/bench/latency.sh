#!/usr/bin/env bash
# Latency benchmark of the running sandbox appliance: XMPP send -> Matrix /sync through the bridge, next to Synapse's
# own Matrix send -> /sync, N messages each way at a steady rate. See deploy/bench/README.md.
#   deploy/bench/latency.sh [count=1000] [rate per second=20] [rooms=1]
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO_ROOT"
deploy/sandbox.sh status >/dev/null || { echo "the sandbox is not (fully) running: deploy/sandbox.sh up" >&2; exit 1; }
CP_FILE="$REPO_ROOT/deploy/target/bench-classpath.txt"
if [ ! -s "$CP_FILE" ] || [ "$REPO_ROOT/deploy/pom.xml" -nt "$CP_FILE" ]; then
  mkdir -p "$REPO_ROOT/deploy/target"
  mvn -q -o -pl deploy dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE" >/dev/null
fi
exec java -Xmx256m -Dlogback.configurationFile="$REPO_ROOT/deploy/bench/logback-bench.xml" -cp "$(cat "$CP_FILE")" -Dbench.repo.root="$REPO_ROOT" "$REPO_ROOT/deploy/bench/LatencyBench.java" "$@"
