#!/usr/bin/env bash
# Scale under traffic (deploy/bench/README.md, "Scale"): the running sandbox appliance on a scale database with
# real rooms among the synthetic ones, and steady XMPP -> Matrix traffic over the real ones.
#   deploy/bench/scale-traffic.sh [real rooms=100] [count=600] [rate per second=3] [synthetic rooms=900] [puppets=10000] [rows=100000]
# 1. Once per sandbox (marker .sandbox/run/appliance/data/scale-filled): stops the sandbox appliance, fills its own
#    database through the mapping module's stores (ScaleBench.java --add: the synthetic rooms, whose MUCs are on the
#    sandbox's MUC service and whose Matrix rooms do not exist, the puppets and the message-map rows), and starts it
#    again (the launcher, as `deploy/sandbox.sh start appliance` does), timing the start to /health UP.
# 2. ScaleTrafficBench: the real rooms (Matrix room + MUC, mapped through the admin API), the steady traffic over
#    them, latency, lost / duplicated / reordered, the appliance's CPU and RSS, heap live after jcmd GC.run, NMT.
# With SANDBOX_APPLIANCE_JVM_OPTS=-XX:NativeMemoryTracking=summary in the environment of `deploy/sandbox.sh up`
# (and of this script, which restarts the appliance) the report includes the JVM's native memory by category.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$BENCH_REPO_ROOT"
real="${1:-100}" count="${2:-600}" rate="${3:-3}" synthetic="${4:-900}" puppets="${5:-10000}" rows="${6:-100000}"
bench_require_sandbox
data=".sandbox/run/appliance/data"
if [ ! -f "$data/scale-filled" ]; then
  echo "filling the sandbox appliance's database: $synthetic rooms, $puppets puppets, $rows message-map rows; $(bench_load)"
  deploy/sandbox.sh stop appliance
  bench_java 1g ScaleBench.java --add "$data" "$synthetic" "$puppets" "$rows"
  echo "$synthetic $puppets $rows" > "$data/scale-filled"
  echo "database file: $(du -m "$data/bridge.mv.db" | cut -f1) MB"
  t0=$(date +%s%N)
  deploy/sandbox.sh start appliance
  pid=$(bench_appliance_pid)
  url="$(sed -n 's/^ADMIN_URL=//p' .sandbox/env)"
  for _ in $(seq 1 1200); do
    curl -fsS -m 1 "$url/health" 2>/dev/null | grep -q '"status":"UP"' && break
    sleep 0.1
  done
  echo "appliance start on it (the sandbox's launcher options): $(( ($(date +%s%N) - t0) / 1000000 )) ms to /health UP," \
    "CPU $(bench_cpu_ms "$pid") ms, RSS $(bench_rss_mb "$pid") MB; $(bench_load)"
fi
pid=$(bench_appliance_pid)
echo "database file: $(du -m "$data/bridge.mv.db" | cut -f1) MB; appliance RSS $(bench_rss_mb "$pid") MB," \
  "$(awk '/^Threads:/ {print $2}' "/proc/$pid/status") threads; $(bench_load)"
bench_java_classes 256m ScaleTrafficBench LatencyBench.java \
  matterbridge/MatterbridgeBench.java ScaleTrafficBench.java -- "$real" "$count" "$rate"
echo "database file after the run: $(du -m "$data/bridge.mv.db" | cut -f1) MB; $(bench_load)"
