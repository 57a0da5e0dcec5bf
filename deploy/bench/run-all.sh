#!/usr/bin/env bash
# The benchmark suite in one command: start-up (empty data directory, a restart, the launcher with CDS), the scale
# benchmark, and, if the sandbox is up, the bridged DM's latency with the appliance's CPU per message, the
# throughput benchmark, and latency per room kind and direction with Matterbridge beside it (room-kinds.sh). Everything it prints also goes to deploy/target/bench-results/<UTC time>.txt, with a summary
# table at the end. See deploy/bench/README.md, "The suite".
#   deploy/bench/run-all.sh
#   Env: BENCH_RUNS (start-ups per configuration, 3), BENCH_LATENCY_COUNT (1000), BENCH_LATENCY_RATE (5 per second),
#        BENCH_THROUGHPUT_COUNT (500; 0 skips it), BENCH_SCALE (rooms puppets rows, "1000 10000 100000"; "" skips it),
#        BENCH_TIMEOUT (seconds to UP per start-up, 200), BENCH_ROOMKINDS (room-kinds.sh's arguments: count per stream,
#        warm-up, backlog count, Matterbridge count; "1000 50 1000 300"; "" skips it), BENCH_SCALE_TRAFFIC (real rooms,
#        messages, rate, e.g. "100 600 3": scale-traffic.sh on the sandbox; empty skips it).
set -uo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$BENCH_REPO_ROOT"
runs="${BENCH_RUNS:-3}"
export BENCH_TIMEOUT="${BENCH_TIMEOUT:-200}"
mkdir -p deploy/target/bench-results
out="deploy/target/bench-results/$(date -u +%Y%m%dT%H%M%SZ).txt"
summary=()
exec > >(tee "$out") 2>&1

section() { echo; echo "== $* ($(date -u +%H:%M:%S) UTC, $(bench_load))"; }
# Adds "what | figure | load average now" to the summary ('|' in the figure becomes ';').
trim() { local v="${1#"${1%%[! ]*}"}"; echo "${v%"${v##*[! ]}"}"; }
record() { summary+=("| $1 | ${2//|/;} | $(cut -d' ' -f1-3 /proc/loadavg) |"); }

section "machine"
echo "$(nproc) cores; $(java -version 2>&1 | head -n 1); commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
ls deploy/target/bridge-appliance-*-all.jar >/dev/null 2>&1 \
  || { echo "no fat jar: mvn -B -ntp install -DskipTests first" >&2; exit 2; }

section "start-up, plain java -jar, empty data directory"
line=$(deploy/bench-startup.sh "$runs" | tee /dev/stderr | tail -n 1)
record "start-up to UP, plain \`java -jar\`, empty data directory" "${line#median: }"

section "start-up, plain java -jar, a restart (BENCH_DATA=existing)"
line=$(BENCH_DATA=existing deploy/bench-startup.sh "$runs" | tee /dev/stderr | tail -n 1)
record "start-up to UP, plain \`java -jar\`, a restart" "${line#median: }"

section "start-up, the launcher's options with its CDS archive (BENCH_CDS=1), a restart"
# shellcheck disable=SC2046
line=$(MALLOC_ARENA_MAX=2 BENCH_CDS=1 BENCH_DATA=existing deploy/bench-startup.sh "$runs" $(launcher_options) \
  | tee /dev/stderr | tail -n 1)
record "start-up to UP, launcher options + CDS, a restart" "${line#median: }"

if [ -n "${BENCH_SCALE-1000 10000 100000}" ]; then
  section "scale: ${BENCH_SCALE:-1000 10000 100000} (rooms puppets message-map rows)"
  # shellcheck disable=SC2086
  set -- ${BENCH_SCALE:-1000 10000 100000}
  deploy/bench/scale.sh "deploy/target/bench-scale-$1-$2-$3" "$1" "$2" "$3" "$runs" | tee deploy/target/bench-scale.log
  kind=""
  while IFS= read -r l; do
    case "$l" in
      "appliance start-up on a copy"*"plain java -jar"*) kind="plain \`java -jar\`" ;;
      "appliance start-up on a copy"*"launcher"*) kind="the launcher's options, no CDS" ;;
      *"µs CPU per lookup"*) record "scale $1/$2/$3: $(echo "$l" | sed 's/ *[0-9.]* µs.*//; s/^ *//')" \
                               "$(echo "$l" | grep -o '[0-9.]* µs CPU per lookup')" ;;
      "heap live"*|"open + schema"*) record "scale $1/$2/$3" "$l" ;;
      "median:"*) record "scale $1/$2/$3: start-up on that database, $kind" "${l#median: }" ;;
    esac
  done < deploy/target/bench-scale.log
fi

if bench_require_sandbox 2>/dev/null; then
  pid=$(bench_appliance_pid)
  count="${BENCH_LATENCY_COUNT:-1000}"
  rate="${BENCH_LATENCY_RATE:-5}"
  section "sandbox appliance (PID $pid): RSS $(bench_rss_mb "$pid") MB before the runs"
  record "sandbox appliance RSS before the runs" "$(bench_rss_mb "$pid") MB"
  section "latency, bridged DM XMPP -> Matrix, $count messages at $rate/s (+ 50 warm-up)"
  cpu0=$(bench_cpu_ms "$pid")
  deploy/bench/latency.sh "$count" "$rate" 1 | tee deploy/target/bench-latency.log
  cpu1=$(bench_cpu_ms "$pid")
  added=$(grep "added latency" deploy/target/bench-latency.log | sed 's/.*: //')
  record "DM XMPP→Matrix at $rate/s: added latency over Synapse's own" "$added"
  record "appliance CPU per bridged DM message (incl. the run's set-up, JIT)" \
    "$(awk -v a="$cpu0" -v b="$cpu1" -v n="$((count + 50))" 'BEGIN {printf "%.2f ms", (b - a) / n}')"
  record "sandbox appliance RSS after the latency run" "$(bench_rss_mb "$pid") MB"
  if [ "${BENCH_THROUGHPUT_COUNT:-500}" != 0 ]; then
    section "throughput, ${BENCH_THROUGHPUT_COUNT:-500} messages, 1 DM"
    deploy/bench/throughput.sh "${BENCH_THROUGHPUT_COUNT:-500}" 1 1 | tee deploy/target/bench-throughput.log
    line=$(grep -m1 "^summary" deploy/target/bench-throughput.log | sed 's/^summary[^:]*: //' || true)
    record "throughput: (a) Synapse's own ordered ceiling, (b) a bridged DM's burst" "${line:-see $out}"
  fi
  if [ -n "${BENCH_ROOMKINDS-1000 50 1000 300}" ]; then
    section "room kinds (room-kinds.sh ${BENCH_ROOMKINDS:-1000 50 1000 300})"
    # shellcheck disable=SC2086
    deploy/bench/room-kinds.sh ${BENCH_ROOMKINDS:-1000 50 1000 300} | tee deploy/target/bench-room-kinds-all.log
    rate=$(sed -n 's/.*; streams at \([0-9.]*\)\/s.*/\1/p' deploy/target/bench-room-kinds-all.log | head -n 1)
    # the room-kinds table's rows: | kind | direction | received | lost/dup/reordered | bridged | alone | added | CPU | ...
    while IFS='|' read -r _ kind dir recv ldr _ _ added cpu _; do
      record "$(trim "$kind") $(trim "$dir") at $rate/s: added p50/p90/p99/max ms; lost/dup/reordered; appliance CPU ms/msg (net)" \
        "$(trim "$added"); $(trim "$ldr"); $(trim "$cpu")"
    done < <(sed -n '/^== summary/,$p' deploy/target/bench-room-kinds-all.log | grep '^| 1:1\|^| plumbed\|^| gateway')
    line=$(grep -m1 '^gateway backlog' deploy/target/bench-room-kinds-all.log || true)
    [ -z "$line" ] || record "gateway room at 70 % of Synapse's ceiling" "${line#gateway backlog: }"
    while IFS='|' read -r _ bridge _ _ recv ldr added _ cpu _ rss _; do
      record "plumbed MUC side by side: $(trim "$bridge") at $rate/s: added p50/p99 ms; CPU ms/msg (net); peak RSS MB" \
        "$(trim "$added"); $(trim "$cpu"); $(trim "$rss")"
    done < <(sed -n '/^== summary/,$p' deploy/target/bench-room-kinds-all.log | grep '^| appliance\|^| matterbridge')
  fi
else
  section "sandbox not running: latency, throughput and room kinds skipped (deploy/sandbox.sh up first)"
fi

# Memory and scale under traffic (README "Memory", "Scale"): the sandbox appliance's memory by category after the runs
# above; with BENCH_SCALE_TRAFFIC="<real rooms> <count> <rate>" (e.g. "100 600 3"; empty, the default, skips it: it
# fills the sandbox appliance's own database with the scale data for good) the steady traffic over real rooms on it.
if bench_require_sandbox 2>/dev/null; then
  section "memory of the sandbox appliance (deploy/bench/memory.sh)"
  deploy/bench/memory.sh | tee deploy/target/bench-memory.log
  record "sandbox appliance memory after the runs" "$(grep -m1 '^RSS' deploy/target/bench-memory.log)"
  record "sandbox appliance heap after jcmd GC.run" "$(grep -m1 '^after' deploy/target/bench-memory.log | sed 's/^[^:]*: //')"
  if [ -n "${BENCH_SCALE_TRAFFIC:-}" ]; then
    section "scale under traffic: $BENCH_SCALE_TRAFFIC (real rooms, messages, rate) on the scale database"
    # shellcheck disable=SC2086
    deploy/bench/scale-traffic.sh $BENCH_SCALE_TRAFFIC | tee deploy/target/bench-scale-traffic.log
    while IFS= read -r l; do
      case "$l" in
        "appliance start on it"*) record "scale + traffic: appliance start on the filled sandbox database" "${l#*: }" ;;
        *"received "*", lost"*|*"added latency"*|*"appliance CPU:"*|*"after jcmd GC.run"*)
          record "scale + traffic over $BENCH_SCALE_TRAFFIC" "$(echo "$l" | sed 's/^ *//')" ;;
      esac
    done < deploy/target/bench-scale-traffic.log
  fi
fi

section "summary (also in $out)"
echo "| figure | value | load avg when recorded |"
echo "|---|---|---|"
printf '%s\n' "${summary[@]}"
