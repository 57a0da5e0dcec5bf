#!/usr/bin/env bash
# Starts the bridge appliance from its fat jar with an application class-data-sharing (CDS) archive,
# which roughly halves the start-up CPU time (measured with deploy/bench-startup.sh: ~4.5 s -> ~2.3 s
# of CPU on a 2-core machine). Plain `java -jar bridge-appliance-*-all.jar` works too; this only
# adds the archive.
#
# Usage: run-appliance.sh <path/to/bridge-appliance-*-all.jar> [more JVM options...]
#   Configuration as usual: BRIDGE_* / MICRONAUT_* environment variables, or
#   -Dmicronaut.config.files=<file> among the JVM options. JAVA selects the java binary.
#   The archive lives in $BRIDGE_CDS_DIR (default: $BRIDGE_DATA_DIR, else ./data), named after the
#   jar's size and modification time and the JVM version, because an archive only fits the exact
#   jar and JVM it was made with.
#
# The first start of a given jar runs normally and writes the archive when the appliance stops
# (-XX:ArchiveClassesAtExit, JDK 13+); later starts map it (-XX:SharedArchiveFile). If the archive
# cannot be used the JVM says so once and runs without it.
set -euo pipefail

jar="${1:?usage: run-appliance.sh <bridge-appliance-all.jar> [JVM options...]}"
shift
[[ -f "$jar" ]] || { echo "no such jar: $jar" >&2; exit 2; }
java="${JAVA:-java}"
dir="${BRIDGE_CDS_DIR:-${BRIDGE_DATA_DIR:-./data}}"
mkdir -p "$dir"

version="$("$java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.vm.version/ {print $2; exit}')"
stamp="$(stat -c '%s-%Y' "$jar")"
archive="$dir/bridge-appliance-${stamp}-${version//[^A-Za-z0-9.+-]/_}.jsa"

# An archive whose dump was cut short (the JVM killed while writing it at exit, e.g. by a stop deadline on a
# loaded machine) would only be ignored at every start: check a new archive once (-Xshare:on fails on a bad
# one), mark it good, or remove it so that the next stop writes it again.
if [[ -f "$archive" && ! -f "$archive.ok" ]]; then
    # (A truncated archive crashes the JVM with SIGBUS when mapped: hence no core or hs_err file here.)
    if "$java" -XX:SharedArchiveFile="$archive" -Xshare:on -XX:ErrorFile=/dev/null -XX:-CreateCoredumpOnCrash \
            -cp "$jar" -version >/dev/null 2>&1; then
        touch "$archive.ok"
    else
        rm -f "$archive"
    fi
fi
if [[ -f "$archive" ]]; then
    cds=(-XX:SharedArchiveFile="$archive")
else
    # Archives of older jars or JVMs are useless now.
    rm -f "$dir"/bridge-appliance-*.jsa "$dir"/bridge-appliance-*.jsa.ok
    cds=(-XX:ArchiveClassesAtExit="$archive")
fi
# Memory and JIT defaults (deploy/bench/README.md, "Start-up"; options given to this script come later and win):
# - SerialGC: one GC thread and no concurrent marking; the live heap after start-up is ~25 MB, so its
#   pauses stay in the low milliseconds, and it commits only what it uses (RSS ~150 MB instead of ~200 MB).
# - -Xms32m: the heap starts small and grows as needed; -Xmx512m is the ceiling the scale estimate needs
#   (10,000 puppets / 1,000 rooms, plus media of up to bridge.matrix.media-max-bytes held in memory).
# - -XX:MaxMetaspaceSize: a cap far above the ~40 MB used, so a class-loading leak fails instead of growing.
# - Tier4 thresholds x3: C2 spent ~3.3 s of the 11 s start-up CPU compiling code that runs only at
#   start-up; hot paths still reach C2 (after 15,000 instead of 5,000 calls), so the warm steady state is unchanged.
# - MALLOC_ARENA_MAX=2: glibc would otherwise keep up to 8 arenas per core of mostly empty native memory.
mem=(-XX:+UseSerialGC -Xms32m -Xmx512m -XX:MaxMetaspaceSize=256m
     -XX:Tier4InvocationThreshold=15000 -XX:Tier4MinInvocationThreshold=1800
     -XX:Tier4CompileThreshold=45000 -XX:Tier4BackEdgeThreshold=120000)
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
# exec: the JVM gets SIGTERM directly, so Micronaut's shutdown hook runs a graceful stop.
exec "$java" "${cds[@]}" -Xlog:cds=off -Xlog:cds+dynamic=off "${mem[@]}" "$@" -jar "$jar"
