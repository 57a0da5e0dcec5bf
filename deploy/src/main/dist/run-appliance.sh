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

if [[ -f "$archive" ]]; then
    cds=(-XX:SharedArchiveFile="$archive")
else
    # Archives of older jars or JVMs are useless now.
    rm -f "$dir"/bridge-appliance-*.jsa
    cds=(-XX:ArchiveClassesAtExit="$archive")
fi
# exec: the JVM gets SIGTERM directly, so Micronaut's shutdown hook runs a graceful stop.
exec "$java" "${cds[@]}" -Xlog:cds=off -Xlog:cds+dynamic=off "$@" -jar "$jar"
