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

# -XX:TrimNativeHeapInterval (below) exists from JDK 17.0.9 / 21.0.1 on; an older JVM refuses to start with it, so
# the one JVM run that reads the version also tries the option.
trim=(-XX:TrimNativeHeapInterval=10000)
if ! props="$("$java" "${trim[@]}" -XshowSettings:properties -version 2>&1)"; then
    trim=()
    props="$("$java" -XshowSettings:properties -version 2>&1)"
fi
version="$(awk -F' = ' '/java.vm.version/ {print $2; exit}' <<<"$props")"
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
# Memory and JIT defaults (deploy/bench/README.md, "Memory"; options given to this script come later and win):
# - SerialGC: one GC thread and no concurrent marking; the live heap is ~20-30 MB, so its pauses stay in the
#   low milliseconds, and it commits only what it uses.
# - -Xms32m, and Min/MaxHeapFreeRatio 20/40 (defaults 40/70): the heap starts small, grows as needed and is given
#   back after a full collection when more than 40 % of it is free (it held ~2.5x the live heap before);
#   -Xmx512m is the ceiling the scale estimate needs (10,000 puppets / 1,000 rooms, plus media of up to
#   bridge.matrix.media-max-bytes held in memory).
# - -XX:MaxMetaspaceSize: a cap far above the ~60 MB of classes, so a class-loading leak fails instead of growing.
# - -XX:TieredStopAtLevel=1 (C1 only, no C2): measured in the sandbox, the appliance then used less CPU per bridged
#   message, not more (C2 kept compiling for minutes of traffic and its arenas and code grew RSS by ~40 MB), and
#   starts with less CPU.
# - TrimNativeHeapInterval=10000: every 10 s glibc gives freed native memory back (the JIT's arenas, zlib);
#   it had kept ~40 MB after a few minutes of traffic. MALLOC_ARENA_MAX=2: glibc would otherwise keep up to 8
#   arenas per core of mostly empty native memory.
mem=(-XX:+UseSerialGC -Xms32m -Xmx512m -XX:MinHeapFreeRatio=20 -XX:MaxHeapFreeRatio=40 -XX:MaxMetaspaceSize=256m
     -XX:TieredStopAtLevel=1)
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
# exec: the JVM gets SIGTERM directly, so Micronaut's shutdown hook runs a graceful stop.
exec "$java" "${cds[@]}" -Xlog:cds=off -Xlog:cds+dynamic=off "${mem[@]}" "${trim[@]}" "$@" -jar "$jar"
