#!/usr/bin/env bash
# Matterbridge 1.26.0 against the running sandbox (deploy/sandbox.sh up first), for the side-by-side benchmark.
#   deploy/bench/matterbridge/matterbridge.sh up       build (cached), prepare, start
#   deploy/bench/matterbridge/matterbridge.sh prepare  fresh XMPP + Matrix accounts for it, a MUC, a Matrix room, the TOML
#   deploy/bench/matterbridge/matterbridge.sh start    start it on the prepared TOML, wait until it relays
#   deploy/bench/matterbridge/matterbridge.sh stop     stop it (PID file, command line verified)
#   deploy/bench/matterbridge/matterbridge.sh status
# State: .sandbox/run/matterbridge/ (matterbridge.toml, state.properties, matterbridge.pid, matterbridge.log).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../../.." && pwd)"
DIR="$REPO_ROOT/.sandbox/run/matterbridge"
PID_FILE="$DIR/matterbridge.pid"
log() { printf '[matterbridge] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# The benchmark's JVM: deploy's test classpath (as latency.sh) and this folder's class compiled with ../LatencyBench.java,
# whose helpers it uses (lib.sh's bench_java_compiled).
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
bench_java() {
  bench_java_compiled matterbridge MatterbridgeBench "$REPO_ROOT/deploy/bench/LatencyBench.java" "$HERE/MatterbridgeBench.java" \
    -- "$@"
}

running_pid() {
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null)" || return 1
  [ -n "$pid" ] && grep -qF "$DIR/matterbridge.toml" "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}

sandbox_running() {
  "$REPO_ROOT/deploy/sandbox.sh" status >/dev/null || die "the sandbox is not (fully) running: deploy/sandbox.sh up"
}

cmd_prepare() {
  sandbox_running
  running_pid >/dev/null && die "Matterbridge runs already (stop it first)"
  mkdir -p "$DIR"
  bench_java prepare "$DIR"
}

cmd_start() {
  local bin pid deadline
  running_pid >/dev/null && { log "already running (pid $(running_pid))"; return 0; }
  [ -f "$DIR/matterbridge.toml" ] || die "nothing prepared: $0 prepare"
  bin="$("$HERE/build.sh")"
  : >"$DIR/matterbridge.log"
  setsid "$bin" -conf "$DIR/matterbridge.toml" >>"$DIR/matterbridge.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PID_FILE"
  deadline=$((SECONDS + ${MATTERBRIDGE_DEADLINE:-120}))
  until grep -q "Now relaying messages" "$DIR/matterbridge.log"; do
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$DIR/matterbridge.log" >&2; die "Matterbridge exited"; }
    [ "$SECONDS" -lt "$deadline" ] || { tail -n 20 "$DIR/matterbridge.log" >&2; cmd_stop; die "Matterbridge did not start relaying in time"; }
    sleep 0.2 # polling its log against a deadline
  done
  log "running (pid $pid, log $DIR/matterbridge.log)"
}

cmd_stop() {
  local pid deadline
  pid="$(running_pid)" || { log "not running"; rm -f "$PID_FILE"; return 0; }
  kill "$pid"
  deadline=$((SECONDS + 10))
  while kill -0 "$pid" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || { kill -9 "$pid" 2>/dev/null || true; break; }
    sleep 0.1 # polling the process's exit against a deadline
  done
  rm -f "$PID_FILE"
  log "stopped (pid $pid)"
}

case "${1:-}" in
  up) sandbox_running; "$HERE/build.sh" >/dev/null; cmd_prepare; cmd_start ;;
  prepare) cmd_prepare ;;
  start) sandbox_running; cmd_start ;;
  stop|down) cmd_stop ;;
  status) if pid="$(running_pid)"; then echo "matterbridge running (pid $pid)"; else echo "matterbridge not running"; exit 1; fi ;;
  measure) shift; bench_java measure "$DIR" "$@" ;; # used by side-by-side.sh
  *) sed -n '2,8p' "$0" >&2; exit 2 ;;
esac
