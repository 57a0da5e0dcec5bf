#!/usr/bin/env bash
# Latency per room kind and direction through the running sandbox appliance, in one run: Synapse's own ordered
# ceiling first (ThroughputBench phase (a)), then 1:1 chat, plumbed MUC and gateway room, XMPP -> Matrix and
# Matrix -> XMPP, at a third of that ceiling, each next to the servers' own send -> receive time at the same rate
# (RoomKindsBench); the gateway backlog check at 70 % of the ceiling; and Matterbridge beside the appliance in a
# plumbed MUC at the same rate (matterbridge/side-by-side.sh, skipped when Matterbridge is not built). Prints a table
# at the end. See deploy/bench/README.md, "Room kinds".
#   deploy/bench/room-kinds.sh [count per stream=1000] [warm-up per stream=50] [backlog count=1000] [Matterbridge count=300]
#   Env: ROOMKINDS_CEILING_COUNT (sequential PUTs measuring the ceiling, 300), ROOMKINDS_RATE / ROOMKINDS_BACKLOG_RATE
#        (fixed rates instead of a third / 70 % of the ceiling), ROOMKINDS_MATTERBRIDGE=0 (skip Matterbridge),
#        ROOMKINDS_BUDGET_MIN (25: fewer messages per stream when the streams would not fit in it at that rate; 0: none).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$BENCH_REPO_ROOT"
bench_require_sandbox
count="${1:-1000}" warm="${2:-50}" backlog="${3:-1000}" mb_count="${4:-300}"
mkdir -p deploy/target
log="deploy/target/bench-room-kinds"

echo "== Synapse's own ordered ceiling: ThroughputBench phase (a), ${ROOMKINDS_CEILING_COUNT:-300} sequential PUTs ($(bench_load))"
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS:-} -Dbench.ceiling.only=1" deploy/bench/throughput.sh "${ROOMKINDS_CEILING_COUNT:-300}" 1 1 \
  | tee "$log-ceiling.log"
ceiling=$(sed -n 's/^summary: (a) Synapse ordered \([0-9.]*\) msg\/s.*/\1/p' "$log-ceiling.log")
[ -n "$ceiling" ] || { echo "no ceiling measured (see $log-ceiling.log)" >&2; exit 1; }
rate="${ROOMKINDS_RATE:-$(awk -v c="$ceiling" 'BEGIN {printf "%.1f", c / 3}')}"
backlog_rate="${ROOMKINDS_BACKLOG_RATE:-$(awk -v c="$ceiling" 'BEGIN {printf "%.1f", c * 0.7}')}"
echo "Synapse alone: $ceiling msg/s ordered; streams at $rate/s, the backlog check at $backlog_rate/s"
# The time budget (ROOMKINDS_BUDGET_MIN, 25 minutes from here on; 0 = none): at a low ceiling, fewer messages per stream.
overhead=$(awk -v r="$rate" -v w="$warm" -v b="$backlog" -v br="$backlog_rate" -v m="$mb_count" 'BEGIN {
  f = (r > 10 ? r : 10); printf "%d", 6 * (w / f + 15) + 10 + b / br + 20 + 2 * (m / r + 200 / f + 20) + 30 }')
budget=$(( ${ROOMKINDS_BUDGET_MIN:-25} * 60 ))
if [ "$budget" -gt 0 ]; then
  fit=$(awk -v b="$budget" -v o="$overhead" -v r="$rate" 'BEGIN {n = int((b - o) * r / 6 / 10) * 10; print (n < 100 ? 100 : n)}')
  if [ "$fit" -lt "$count" ]; then
    echo "count per stream: $fit instead of $count, to stay within ${ROOMKINDS_BUDGET_MIN:-25} min at $rate/s (ROOMKINDS_BUDGET_MIN=0: no budget)"
    count="$fit"
  fi
fi
echo "expected duration of what follows: about $(awk -v o="$overhead" -v n="$count" -v r="$rate" 'BEGIN {printf "%.0f", (o + 6 * n / r) / 60}') min"

echo; echo "== room kinds: $count messages per stream at $rate/s, $warm warm-up messages per stream ($(bench_load))"
status=0
bench_java_classes 256m RoomKindsBench LatencyBench.java ThroughputBench.java matterbridge/MatterbridgeBench.java \
  RoomKindsBench.java -- "$count" "$rate" "$warm" "$backlog" "$backlog_rate" | tee "$log.log" || status=1

mb_bin="${SANDBOX_CACHE_DIR:-$HOME/.cache/bridge-sandbox}/matterbridge-v1.26.0/bin/matterbridge"
echo
if [ "${ROOMKINDS_MATTERBRIDGE:-1}" = 0 ]; then
  echo "== Matterbridge: skipped (ROOMKINDS_MATTERBRIDGE=0)" | tee "$log-matterbridge.log"
elif [ ! -x "$mb_bin" ]; then
  echo "== Matterbridge: skipped, not built (deploy/bench/matterbridge/build.sh builds it once, outside CI)" | tee "$log-matterbridge.log"
else
  echo "== Matterbridge beside the appliance, plumbed MUC XMPP -> Matrix: $mb_count messages each at $rate/s ($(bench_load))"
  deploy/bench/matterbridge/side-by-side.sh "$mb_count" "$rate" 1 | tee "$log-matterbridge.log" || status=1
fi

echo
echo "== summary ($(date -u +%H:%M:%S) UTC, $(bench_load); uptime: $(uptime))"
echo "Synapse alone, ordered sequential PUTs: $ceiling msg/s; streams at $rate/s (a third), backlog check at $backlog_rate/s (70 %)"
sed -n '/^room kinds:/,$p' "$log.log" | grep -v '^$'
grep '^|\|^side by side\|^idle CPU\|skipped' "$log-matterbridge.log" || true
exit "$status"
