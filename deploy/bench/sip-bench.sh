#!/usr/bin/env bash
# SIP throughput/latency benchmark of the running sandbox appliance: sipp sends MESSAGEs from one phone to a room
# mapped to a Matrix room and an XMPP MUC; the Matrix user's /sync and the XMPP occupant time every arrival.
# See deploy/bench/README.md ("SIP").
#   deploy/bench/sip-bench.sh [count=500] [rate per second...=5]   (several rates: one run each, lowest first)
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO_ROOT"
deploy/sandbox.sh status >/dev/null || { echo "the sandbox is not (fully) running: deploy/sandbox.sh up" >&2; exit 1; }
command -v sipp >/dev/null || { echo "sipp is missing (deploy/sandbox/install-deps.sh installs it)" >&2; exit 1; }
CP_FILE="$REPO_ROOT/deploy/target/bench-classpath.txt"
if [ ! -s "$CP_FILE" ] || [ "$REPO_ROOT/deploy/pom.xml" -nt "$CP_FILE" ]; then
  mkdir -p "$REPO_ROOT/deploy/target"
  mvn -q -o -pl deploy dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE" >/dev/null
fi
# SipBench uses LatencyBench's Matrix/XMPP helpers: both compiled in one javac run.
CLASSES="$REPO_ROOT/deploy/target/bench-classes-sip"
SRC=("$REPO_ROOT/deploy/bench/LatencyBench.java" "$REPO_ROOT/deploy/bench/SipBench.java")
if [ ! -f "$CLASSES/SipBench.class" ] || [ -n "$(find "${SRC[@]}" -newer "$CLASSES/SipBench.class")" ]; then
  rm -rf "$CLASSES" && mkdir -p "$CLASSES"
  javac -nowarn -d "$CLASSES" -cp "$(cat "$CP_FILE")" "${SRC[@]}"
fi
exec java -Xmx256m -Dlogback.configurationFile="$REPO_ROOT/deploy/bench/logback-bench.xml" -cp "$CLASSES:$(cat "$CP_FILE")" -Dbench.repo.root="$REPO_ROOT" SipBench "$@"
