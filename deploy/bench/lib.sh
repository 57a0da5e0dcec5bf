#!/usr/bin/env bash
# Shared helpers of the benchmark scripts (sourced, not run): the JDK source-launcher classpath, the sandbox check,
# the machine's load, and CPU/RSS of a process from /proc. See README.md.
# shellcheck disable=SC2034
BENCH_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# The deploy module's test classpath (Smack, Jackson, the appliance's modules), cached in deploy/target.
bench_classpath() {
  local cp_file="$BENCH_REPO_ROOT/deploy/target/bench-classpath.txt"
  if [ ! -s "$cp_file" ] || [ "$BENCH_REPO_ROOT/deploy/pom.xml" -nt "$cp_file" ]; then
    mkdir -p "$BENCH_REPO_ROOT/deploy/target"
    (cd "$BENCH_REPO_ROOT" && { mvn -q -o -pl deploy dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile="$cp_file" >/dev/null || mvn -q -pl deploy dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile="$cp_file"; }) || { echo "mvn dependency:build-classpath failed (mvn install -DskipTests first?)" >&2; return 1; }
  fi
  cat "$cp_file"
}

# Runs a benchmark program of this directory by the JDK's source launcher: bench_java <heap> <Program.java> [args...]
# (more JVM options, e.g. -D settings, in BENCH_JAVA_OPTS).
bench_java() {
  local heap="$1" program="$2"
  shift 2
  # shellcheck disable=SC2086
  java "-Xmx$heap" ${BENCH_JAVA_OPTS:-} -Dlogback.configurationFile="$BENCH_REPO_ROOT/deploy/bench/logback-bench.xml" \
    -cp "$(bench_classpath)" -Dbench.repo.root="$BENCH_REPO_ROOT" -Dbench.clk.tck="$(getconf CLK_TCK)" \
    "$BENCH_REPO_ROOT/deploy/bench/$program" "$@"
}

# Runs a benchmark program that uses other programs' helpers: compiles the given sources together (one javac run into
# deploy/target/bench-classes-<Main>, redone when a source is newer) and runs <Main> with the arguments after "--":
#   bench_java_classes <heap> <Main> <source.java relative to deploy/bench>... -- [args...]   (JVM options: BENCH_JAVA_OPTS)
bench_java_classes() {
  local heap="$1" main="$2" classes="$BENCH_REPO_ROOT/deploy/target/bench-classes-$2" cp
  shift 2
  local src=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do src+=("$BENCH_REPO_ROOT/deploy/bench/$1"); shift; done
  [ $# -gt 0 ] && shift
  cp="$(bench_classpath)" || return 1
  if [ ! -f "$classes/$main.class" ] || [ -n "$(find "${src[@]}" -newer "$classes/$main.class")" ]; then
    rm -rf "$classes" && mkdir -p "$classes"
    javac -nowarn -d "$classes" -cp "$cp" "${src[@]}" || return 1
  fi
  # shellcheck disable=SC2086
  java "-Xmx$heap" ${BENCH_JAVA_OPTS:-} -Dlogback.configurationFile="$BENCH_REPO_ROOT/deploy/bench/logback-bench.xml" \
    -cp "$classes:$cp" -Dbench.repo.root="$BENCH_REPO_ROOT" -Dbench.clk.tck="$(getconf CLK_TCK)" "$main" "$@"
}

bench_require_sandbox() {
  (cd "$BENCH_REPO_ROOT" && deploy/sandbox.sh status >/dev/null) \
    || { echo "the sandbox is not (fully) running: deploy/sandbox.sh up" >&2; return 1; }
}

# "load 1.23 1.10 0.98" (1, 5, 15 minutes): print it next to every figure.
bench_load() {
  echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
}

# The sandbox appliance's PID, or nothing.
bench_appliance_pid() {
  local f="$BENCH_REPO_ROOT/.sandbox/run/pids/appliance.pid"
  [ -f "$f" ] && cat "$f"
}

# CPU milliseconds (utime + stime) a process has used so far.
bench_cpu_ms() {
  awk -v tck="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / tck)}' "/proc/$1/stat"
}

# Resident set size of a process in MB.
bench_rss_mb() {
  awk '/^VmRSS:/ {print int($2 / 1024)}' "/proc/$1/status"
}

# The JVM options of deploy/src/main/dist/run-appliance.sh (its "mem" array), for measuring without the launcher.
launcher_options() {
  sed -n '/^mem=(/,/)$/p' "$BENCH_REPO_ROOT/deploy/src/main/dist/run-appliance.sh" | tr -d '()' | sed 's/^mem=//' | xargs
}
