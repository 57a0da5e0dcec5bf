#!/usr/bin/env bash
# Where a running appliance's memory goes (deploy/bench/README.md, "Memory"): RSS (anonymous / file-backed), threads by
# name, the heap before and after a full collection (jcmd GC.run, GC.heap_info) and, if the JVM runs with
# -XX:NativeMemoryTracking=summary (the sandbox: SANDBOX_APPLIANCE_JVM_OPTS=-XX:NativeMemoryTracking=summary), the
# JVM's committed memory by category. Note: GC.run is a full collection, a pause of some 10–100 ms.
#   deploy/bench/memory.sh [pid=the sandbox appliance's]
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
pid="${1:-$(bench_appliance_pid)}"
[ -n "$pid" ] && [ -d "/proc/$pid" ] || { echo "no such process: '${pid}' (sandbox appliance not running?)" >&2; exit 2; }
kb() { awk -v f="$1:" '$1 == f {print int($2 / 1024)}' "/proc/$pid/status"; }
echo "PID $pid, $(bench_load), CPU so far $(bench_cpu_ms "$pid") ms"
echo "RSS $(kb VmRSS) MB (anonymous $(kb RssAnon) MB, file-backed $(kb RssFile) MB, shared memory $(kb RssShmem) MB), peak $(kb VmHWM) MB"
echo "threads: $(awk '/^Threads:/ {print $2}' "/proc/$pid/status"):" \
  "$(cat /proc/"$pid"/task/*/comm 2>/dev/null | sed 's/[-#]*[0-9]*$//' | sort | uniq -c | sort -rn \
     | awk '{n = $1; $1 = ""; printf "%s%s x%d", sep, substr($0, 2), n; sep = ", "}')"
heap() { jcmd "$pid" GC.heap_info | awk '
  / total [0-9]+K, used [0-9]+K/ { match($0, /total [0-9]+K/); tot += substr($0, RSTART + 6, RLENGTH - 7);
                                   match($0, /used [0-9]+K/); use += substr($0, RSTART + 5, RLENGTH - 6) }
  /^ *Metaspace/ { sub(/K,?$/, "", $3); meta = $3 }
  END { printf "heap used %d MB of %d MB committed; metaspace used %d MB", use / 1024, tot / 1024, meta / 1024 }'; }
echo "before a full GC: $(heap)"
jcmd "$pid" GC.run >/dev/null
echo "after jcmd GC.run: $(heap); RSS $(kb VmRSS) MB"
nmt="$(jcmd "$pid" VM.native_memory summary 2>/dev/null || true)"
if grep -q 'committed=' <<<"$nmt"; then
  echo "NMT committed (MB):$(awk '
    /^Total:/ { match($0, /committed=[0-9]+KB/); printf " total %d;", substr($0, RSTART + 10, RLENGTH - 12) / 1024 }
    /^-  / && /committed=/ { name = $0; sub(/^- +/, "", name); sub(/ \(.*/, "", name);
      match($0, /committed=[0-9]+KB/); v = substr($0, RSTART + 10, RLENGTH - 12) / 1024;
      if (v >= 1) printf " %s %d;", name, v }' <<<"$nmt")"
else
  echo "NMT: off (start the JVM with -XX:NativeMemoryTracking=summary)"
fi
