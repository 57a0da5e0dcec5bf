#!/usr/bin/env bash
# Measures the appliance's start-up time: launch of `java -jar` with a fresh, empty data directory
# until GET /health answers UP, in milliseconds; then stops it with SIGTERM and checks that it exits.
#
# Usage: deploy/bench-startup.sh [runs] [extra JVM options...]
#   runs defaults to 5; the jar is deploy/target/bridge-appliance-*-all.jar (build it first with
#   `mvn -q -o -pl deploy package -DskipTests`) or BENCH_JAR, copied to a temp directory first.
#   Env: BENCH_PORT (default 18481), JAVA (default java), BENCH_TIMEOUT (seconds to UP, default 30;
#   raise it on a loaded machine).
#   BENCH_CDS=1 first makes an application class-data-sharing archive with one training run
#   (-XX:ArchiveClassesAtExit, JDK 13+) and then measures with -XX:SharedArchiveFile: what a
#   production launcher can do once per installed jar and JDK to roughly halve the start-up CPU.
#   BENCH_DATA=existing: every measured run starts on a copy of a data directory that one unmeasured run
#   before them created and migrated (a restart, the usual case) instead of an empty one (the first start).
#   BENCH_DATA=<directory>: a copy of that data directory (e.g. the scale benchmark's, deploy/bench/README.md).
# Prints one line per run and the median. Exits non-zero if a run does not come up within BENCH_TIMEOUT or
# does not stop within 20 s of SIGTERM.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
runs="${1:-5}"
shift || true
built="${BENCH_JAR:-$(ls "$here"/target/bridge-appliance-*-all.jar 2>/dev/null | head -n1)}"
[[ -n "$built" && -f "$built" ]] || { echo "no fat jar in $here/target; build it first" >&2; exit 2; }
# A private copy: a build running meanwhile (the sandbox, another checkout's test run) must not swap the
# jar under a running JVM, and a CDS archive is only valid for the exact jar it was made from.
work="$(mktemp -d)"
jar="$work/bridge-appliance-all.jar"
cp "$built" "$jar"
trap 'rm -rf "$work"' EXIT
port="${BENCH_PORT:-18481}"
java="${JAVA:-java}"
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 2; }

times=()
cpus=()
rsss=()

# Starts the jar with the given JVM options on a fresh data directory (a copy of $template if set); sets pid,
# data, log, start.
template=""
launch() {
    data="$(mktemp -d)"
    log="$data.log"
    if [[ -n "$template" ]]; then cp -r "$template" "$data/data"; fi
    start=$(date +%s%N)
    MICRONAUT_SERVER_PORT="$port" BRIDGE_DATA_DIR="$data/data" "$java" "$@" -jar "$jar" >"$log" 2>&1 &
    pid=$!
}

# SIGTERM and wait up to $1 (default 20) seconds for the exit; returns non-zero if it did not stop.
stop() {
    kill -TERM "$pid"
    for _ in $(seq 1 $(( ${1:-20} * 10 ))); do
        if ! kill -0 "$pid" 2>/dev/null; then wait "$pid" 2>/dev/null || true; return 0; fi
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    return 1
}

if [[ "${BENCH_CDS:-0}" == 1 ]]; then
    archive="$work/bridge-appliance.jsa"
    launch -XX:ArchiveClassesAtExit="$archive" "$@"
    for _ in $(seq 1 600); do
        curl -fsS -m 1 "http://127.0.0.1:$port/health" 2>/dev/null | grep -q '"status":"UP"' && break
        sleep 0.1
    done
    # The archive is written after the graceful stop: ~5 s on an idle machine, a minute under heavy load. A run
    # killed while writing leaves a truncated archive, which crashes the JVM that maps it (SIGBUS).
    stop "${BENCH_TIMEOUT:-30}" || { echo "training run did not stop" >&2; exit 1; }
    rm -rf "$data" "$log"
    [[ -f "$archive" ]] || { echo "no CDS archive was written" >&2; exit 1; }
    echo "CDS archive: $archive ($(du -h "$archive" | cut -f1))"
    set -- -XX:SharedArchiveFile="$archive" "$@"
fi
wait_up() {
    for _ in $(seq 1 $(( ${BENCH_TIMEOUT:-30} * 10 ))); do
        curl -fsS -m 1 "http://127.0.0.1:$port/health" 2>/dev/null | grep -q '"status":"UP"' && return 0
        sleep 0.1
    done
    return 1
}
case "${BENCH_DATA:-}" in
    "") ;;
    existing)
        launch "$@"
        wait_up || { echo "the run creating the data directory did not come up; log:" >&2; cat "$log" >&2; exit 1; }
        stop "${BENCH_TIMEOUT:-30}" || { echo "the run creating the data directory did not stop" >&2; exit 1; }
        template="$work/data-template"
        mv "$data/data" "$template"
        rm -rf "$data" "$log"
        echo "data directory: one made by a first start ($(du -sh "$template" | cut -f1))"
        ;;
    *)
        [[ -d "$BENCH_DATA" ]] || { echo "BENCH_DATA: no such directory: $BENCH_DATA" >&2; exit 2; }
        template="$work/data-template"
        cp -r "$BENCH_DATA" "$template"
        echo "data directory: a copy of $BENCH_DATA ($(du -sh "$template" | cut -f1))"
        ;;
esac
for ((i = 1; i <= runs; i++)); do
    launch "$@"
    up=""
    deadline=$((start + ${BENCH_TIMEOUT:-30} * 1000000000))
    while (( $(date +%s%N) < deadline )); do
        if curl -fsS -m 1 "http://127.0.0.1:$port/health" 2>/dev/null | grep -q '"status":"UP"'; then
            up=$(date +%s%N)
            # CPU time the JVM used until then (utime+stime, clock ticks): unlike wall time, it does not
            # grow when other processes compete for the two cores.
            cpu_ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
            rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
            break
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.02
    done
    if [[ -z "$up" ]]; then
        echo "run $i: did not come up; log:" >&2
        cat "$log" >&2
        kill "$pid" 2>/dev/null || true
        exit 1
    fi
    ms=$(( (up - start) / 1000000 ))
    cpu_ms=$(( cpu_ticks * 1000 / $(getconf CLK_TCK) ))
    times+=("$ms")
    cpus+=("$cpu_ms")
    rsss+=("$((rss_kb / 1024))")
    if ! stop; then
        echo "run $i: still running 20 s after SIGTERM" >&2
        exit 1
    fi
    echo "run $i: ${ms} ms to /health UP, ${cpu_ms} ms CPU, RSS $((rss_kb / 1024)) MB (Micronaut says: $(grep -o 'Startup completed in [0-9]*ms' "$log" || echo '?'))"
    rm -rf "$data" "$log"
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
csorted=($(printf '%s\n' "${cpus[@]}" | sort -n))
rsorted=($(printf '%s\n' "${rsss[@]}" | sort -n))
echo "median: ${sorted[$(( ${#sorted[@]} / 2 ))]} ms wall over ${#sorted[@]} runs (min ${sorted[0]}, max ${sorted[-1]});" \
     "median CPU ${csorted[$(( ${#csorted[@]} / 2 ))]} ms (min ${csorted[0]}, max ${csorted[-1]});" \
     "median RSS at UP ${rsorted[$(( ${#rsorted[@]} / 2 ))]} MB; load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
