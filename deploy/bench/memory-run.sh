#!/usr/bin/env bash
# One memory comparison run (deploy/bench/README.md, "Can settings alone reach 150 MB under traffic?"): restarts the
# sandbox appliance with the given JVM options (after the launcher's, so they win; "" = the launcher's own), reads
# RSS and PSS (/proc/<pid>/smaps_rollup) 20 s after start, runs deploy/bench/latency.sh COUNT 5 1 while sampling
# RSS/PSS every second, then prints CPU per message, the peaks, the heap and code cache, and jstat's GC counts.
#   deploy/bench/memory-run.sh LABEL [count=600] [JVM options]
# (SANDBOX_PORT_OFFSET etc. as for deploy/sandbox.sh; MALLOC_ARENA_MAX from the environment reaches the launcher.)
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
label="${1:?usage: memory-run.sh LABEL [count] [JVM options]}"
count="${2:-600}"
opts="${3:-}"
cd "$BENCH_REPO_ROOT"
SANDBOX_APPLIANCE_JVM_OPTS="$opts" bash deploy/sandbox.sh restart appliance >/dev/null
pid="$(bench_appliance_pid)"
mem() {
  awk '/^Rss:/ {r = $2} /^Pss:/ {p = $2} /^Pss_Anon:/ {a = $2} /^Pss_File:/ {f = $2}
       END {printf "RSS %d PSS %d (anon %d file %d) MB", r / 1024, p / 1024, a / 1024, f / 1024}' "/proc/$pid/smaps_rollup"
}
samples="$(mktemp)"
trap 'rm -f "$samples"' EXIT
sleep 20   # the measurement point "20 s after start", not a synchronisation
echo "[$label] options: ${opts:-none beyond the launcher}"
echo "[$label] +20 s: $(mem), CPU $(bench_cpu_ms "$pid") ms, $(bench_load)"
c0="$(bench_cpu_ms "$pid")"
( while kill -0 "$pid" 2>/dev/null; do
    awk '/^Rss:/ {r = $2} /^Pss:/ {p = $2} END {print int(r / 1024), int(p / 1024)}' "/proc/$pid/smaps_rollup"
    sleep 1
  done ) >"$samples" &
sampler=$!
bash deploy/bench/latency.sh "$count" 5 1 | grep -E "received|added latency" | sed "s/^/[$label] /"
kill "$sampler"
c1="$(bench_cpu_ms "$pid")"
n=$((count + 50))   # latency.sh sends 50 warm-up messages first
read -r peak peak_pss < <(sort -n "$samples" | tail -n 1)
used=$((c1 - c0))
echo "[$label] run: CPU $used ms for $n messages = $((used / n)) ms each; peak RSS $peak MB (PSS then $peak_pss MB); $(bench_load)"
echo "[$label] after: $(mem)"
jcmd "$pid" GC.heap_info | grep -E "generation|Metaspace|class space" | sed "s/^/[$label] /"
jcmd "$pid" Compiler.codecache | grep -m 1 "size=" | sed "s/^/[$label] /"
echo "[$label] jstat -gcutil (S0 S1 E O M CCS YGC YGCT FGC FGCT CGC CGCT GCT): $(jstat -gcutil "$pid" | tail -n 1)"
