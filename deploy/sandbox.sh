#!/usr/bin/env bash
# shellcheck disable=SC2034  # many variables are read indirectly (${!name}) by render() and write_env()
# The local sandbox of REAL servers for the bridge appliance: Prosody (XMPP), Synapse (Matrix), Kamailio (SIP),
# and the appliance itself, all as plain background processes on 127.0.0.1.
#
#   deploy/sandbox.sh up [--no-appliance]   install what is missing, generate configs, start, wait, write .sandbox/env
#   deploy/sandbox.sh down                  stop exactly what `up` started (PID files, command verified)
#   deploy/sandbox.sh status                what runs where (exit 0 only if every expected service runs)
#   deploy/sandbox.sh logs [SERVICE] [-f]   tail the logs (prosody, kamailio, synapse, appliance)
#   deploy/sandbox.sh env                   print .sandbox/env
#   deploy/sandbox.sh stop|start|restart prosody|kamailio|appliance   stop / start again (same config, data, ports) one server
#
# Documented in deploy/sandbox/README.md (ports, env overrides, the .sandbox/env interface, what "clean" means).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SANDBOX_DIR="$REPO_ROOT/deploy/sandbox"
TEMPLATES="$SANDBOX_DIR/templates"
HELPER="/usr/bin/python3 $SANDBOX_DIR/sandbox-helper.py"
STATE_DIR="${SANDBOX_STATE_DIR:-$REPO_ROOT/.sandbox}"
RUN_DIR="$STATE_DIR/run"
ENV_FILE="$STATE_DIR/env"
PID_DIR="$RUN_DIR/pids"
LOG_DIR="$RUN_DIR/logs"

# ---- fixed names and overridable ports (defaults: deploy/CONVENTIONS.md) -------------------------------
# SANDBOX_PORT_OFFSET shifts every default port (e.g. 10000 for a second checkout's sandbox beside the first).
OFF="${SANDBOX_PORT_OFFSET:-0}"
[[ "$OFF" =~ ^[0-9]+$ ]] && [ "$OFF" -le 40000 ] || { echo "SANDBOX_PORT_OFFSET must be 0..40000" >&2; exit 2; }
XMPP_HOST=127.0.0.1
XMPP_PORT="${SANDBOX_XMPP_PORT:-$((15222 + OFF))}"
XMPP_COMPONENT_PORT="${SANDBOX_XMPP_COMPONENT_PORT:-$((15347 + OFF))}"
XMPP_DOMAIN="xmpp.test"
XMPP_MUC_DOMAIN="conference.xmpp.test"
BRIDGE_XMPP_MATRIX_DOMAIN="matrix.xmpp.test"
BRIDGE_XMPP_SIP_DOMAIN="sip.xmpp.test"
XMPP_PROBE_COMPONENT_DOMAIN="probe.xmpp.test"
MATRIX_PORT="${SANDBOX_MATRIX_PORT:-$((18008 + OFF))}"
MATRIX_URL="http://127.0.0.1:$MATRIX_PORT"
MATRIX_SERVER_NAME="matrix.test"
MATRIX_SERVER_NAME_RE="matrix\\.test"
MATRIX_BOT_LOCALPART="bridgebot"
MATRIX_PROBE_AS_PORT="${SANDBOX_MATRIX_PROBE_AS_PORT:-$((18490 + OFF))}"
SIP_PORT="${SANDBOX_SIP_PORT:-$((15060 + OFF))}"
SIP_DOMAIN="sip.test"
BRIDGE_SIP_DOMAIN="bridge.sip.test"
BRIDGE_SIP_DOMAIN_RE="${BRIDGE_SIP_DOMAIN//./[.]}"   # for Kamailio's regex match of its subdomains
BRIDGE_SIP_PORT="${SANDBOX_BRIDGE_SIP_PORT:-$((15070 + OFF))}"
SIP_PROBE_DOMAIN="probe.sip.test"
SIP_PROBE_PORT="${SANDBOX_SIP_PROBE_PORT:-$((15071 + OFF))}"
ADMIN_PORT="${SANDBOX_ADMIN_PORT:-$((18480 + OFF))}"
ADMIN_URL="http://127.0.0.1:$ADMIN_PORT"
PORT_KEYS=(XMPP_PORT XMPP_COMPONENT_PORT MATRIX_PORT MATRIX_PROBE_AS_PORT SIP_PORT BRIDGE_SIP_PORT SIP_PROBE_PORT ADMIN_PORT)
ADMIN_USER="admin"

# readiness deadlines (seconds)
DEADLINE_PROSODY="${SANDBOX_DEADLINE_PROSODY:-30}"
DEADLINE_KAMAILIO="${SANDBOX_DEADLINE_KAMAILIO:-30}"
DEADLINE_SYNAPSE="${SANDBOX_DEADLINE_SYNAPSE:-120}"
DEADLINE_APPLIANCE="${SANDBOX_DEADLINE_APPLIANCE:-120}"
STOP_DEADLINE="${SANDBOX_STOP_DEADLINE:-20}"  # the appliance's graceful-shutdown grace period is 15 s

SERVICES=(prosody kamailio synapse appliance)

log()  { printf '[sandbox] %s\n' "$*" >&2; }
die()  { printf '[sandbox] ERROR: %s\n' "$*" >&2; exit 1; }

now_ms() { date +%s%3N; }

# ---- processes: PID files + command-line verification -----------------------------------------------------
# The string that must appear in a service's command line (its config path lies inside RUN_DIR, so it is unique
# to this checkout's sandbox: a recycled PID of an unrelated process never matches).
match_of() {
  case "$1" in
    prosody)   echo "$RUN_DIR/prosody/prosody.cfg.lua" ;;
    kamailio)  echo "$RUN_DIR/kamailio/kamailio.cfg" ;;
    synapse)   echo "$RUN_DIR/synapse/homeserver.yaml" ;;
    appliance) echo "$RUN_DIR/appliance/appliance.yml" ;;
    *) # test processes recorded by the integration-test harness: test-<name>.pid + test-<name>.match
       cat "$PID_DIR/$1.match" 2>/dev/null || echo "$RUN_DIR/" ;;
  esac
}

cmdline_of() { { tr '\0' ' ' < "/proc/$1/cmdline"; } 2>/dev/null || true; }

# pid_alive SERVICE -> prints the PID and returns 0 if the recorded process runs and is ours
pid_alive() {
  local f="$PID_DIR/$1.pid" pid
  [ -f "$f" ] || return 1
  pid="$(tr -dc '0-9' < "$f")"
  [ -n "$pid" ] || return 1
  [ -d "/proc/$pid" ] || return 1
  # a zombie is not running
  [ "$(proc_state "$pid")" != "Z" ] || return 1
  cmdline_of "$pid" | grep -qF -- "$(match_of "$1")" || return 1
  echo "$pid"
}

is_running() { pid_alive "$1" >/dev/null; }

# start_bg SERVICE LOGFILE CMD... : starts CMD in its own session/process group (setsid, so `down` can stop its
# children too), detached from our stdin, and records its PID.
start_bg() {
  local svc="$1" logf="$2"; shift 2
  mkdir -p "$PID_DIR" "$LOG_DIR"
  # In a non-interactive shell the subshell is not a process-group leader, so setsid does not fork: $! is the
  # server's own PID after the exec.
  # fd 9 (the up/down lock) is closed: a server must not hold the lock after `up` returns.
  ( exec 9>&-; cd "$RUN_DIR" && exec setsid "$@" >>"$logf" 2>&1 </dev/null ) &
  local pid=$!
  echo "$pid" > "$PID_DIR/$svc.pid"
}

# stop_service SERVICE : TERM (the process group when the process leads one), then KILL after STOP_DEADLINE seconds
stop_service() {
  local svc="$1" pid pgid target
  if ! pid="$(pid_alive "$svc")"; then
    if [ -f "$PID_DIR/$svc.pid" ]; then
      log "$svc: not running (stale PID file removed)"
      rm -f "$PID_DIR/$svc.pid"
    fi
    return 0
  fi
  pgid="$(proc_pgrp "$pid")"
  if [ "$pgid" = "$pid" ]; then target="-$pid"; else target="$pid"; fi
  log "$svc: stopping PID $pid"
  kill -TERM -- "$target" 2>/dev/null || true
  local deadline=$(( $(date +%s) + STOP_DEADLINE ))
  while [ -d "/proc/$pid" ] && [ "$(proc_state "$pid")" != "Z" ]; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "$svc: still running after ${STOP_DEADLINE}s, sending KILL"
      kill -KILL -- "$target" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
  # children of the group that outlive the leader (kamailio's workers) are stopped too
  if [ "$target" != "$pid" ]; then
    deadline=$(( $(date +%s) + 5 ))
    while [ -n "$(group_members "$pid")" ]; do
      if [ "$(date +%s)" -ge "$deadline" ]; then kill -KILL -- "$target" 2>/dev/null || true; break; fi
      sleep 0.1
    done
  fi
  rm -f "$PID_DIR/$svc.pid"
}

# PIDs (not zombies) whose process group is $1
group_members() {
  ps -eo pid=,pgid=,stat= | awk -v g="$1" '$2 == g && $3 !~ /^Z/ {printf "%s ", $1}'
}

# proc_state PID / proc_pgrp PID (from /proc/PID/stat; the comm field may contain spaces, so split after ") ")
proc_field() { local rest; rest="$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null)" || return 0; set -- $rest; eval "echo \${$2:-}"; }
proc_state() { proc_field "$1" 1; }
proc_pgrp()  { proc_field "$1" 3; }

# every process whose command line mentions this sandbox's RUN_DIR (used to prove `down` left nothing)
our_processes() {
  # the path goes through the environment, not argv, so this awk does not match itself
  # (a `tail` of the logs, e.g. `sandbox.sh logs -f`, does not count).
  ps -ww -eo pid=,args= | RD="$RUN_DIR/" SELF="$$" awk 'index($0, ENVIRON["RD"]) && $1 != ENVIRON["SELF"] && $2 != "tail"'
}

# ---- waiting with deadlines (no fixed sleeps) ------------------------------------------------------------
tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_until SERVICE DEADLINE_SECONDS CHECK... : polls CHECK every 100 ms; fails early if the process died
wait_until() {
  local svc="$1" secs="$2"; shift 2
  local start end
  start="$(now_ms)"; end=$(( start + secs * 1000 ))
  while true; do
    if "$@"; then
      log "$svc: ready after $(( $(now_ms) - start )) ms"
      return 0
    fi
    if ! is_running "$svc"; then
      log "$svc: process exited before it answered; last lines of $(log_of "$svc"):"
      tail -n 30 "$(log_of "$svc")" >&2 || true
      return 1
    fi
    if [ "$(now_ms)" -ge "$end" ]; then
      log "$svc: did not answer within ${secs}s; last lines of $(log_of "$svc"):"
      tail -n 30 "$(log_of "$svc")" >&2 || true
      return 1
    fi
    sleep 0.1
  done
}

log_of() {
  case "$1" in
    prosody) echo "$LOG_DIR/prosody.log" ;;
    *) echo "$LOG_DIR/$1.log" ;;
  esac
}

prosody_ready()  { tcp_open "$XMPP_PORT" && tcp_open "$XMPP_COMPONENT_PORT"; }
kamailio_ready() { tcp_open "$SIP_PORT" && $HELPER sip-options 127.0.0.1 "$SIP_PORT"; }
synapse_ready()  { curl -fsS -o /dev/null --max-time 2 "$MATRIX_URL/_matrix/client/versions" 2>/dev/null; }
appliance_ready() {
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$ADMIN_URL/health" 2>/dev/null || true)"
  # any HTTP answer means the server is up (health may be 503 while an adapter is still connecting)
  [ -n "$code" ] && [ "$code" != "000" ]
}

require_ports_free() {
  local svc="$1"; shift
  local busy
  if ! busy="$($HELPER ports-free "$@")"; then
    die "$svc: port(s) $busy on 127.0.0.1 already in use by another process (not started by this sandbox). Stop it, or choose other ports with the SANDBOX_*_PORT variables (deploy/sandbox/README.md)."
  fi
}

# ---- secrets and configuration --------------------------------------------------------------------------
rand() { openssl rand -hex "${1:-24}"; }

SECRET_KEYS=(XMPP_COMPONENT_SECRET_MATRIX XMPP_COMPONENT_SECRET_SIP XMPP_PROBE_COMPONENT_SECRET
             MATRIX_REGISTRATION_SECRET MATRIX_AS_TOKEN MATRIX_HS_TOKEN MATRIX_PROBE_AS_TOKEN MATRIX_PROBE_HS_TOKEN
             SYNAPSE_MACAROON_SECRET SYNAPSE_FORM_SECRET ADMIN_PASSWORD
             DEMO_XMPP_USERS DEMO_MATRIX_USERS DEMO_SIP_USERS)

new_secrets() {
  XMPP_COMPONENT_SECRET_MATRIX="$(rand 16)"
  XMPP_COMPONENT_SECRET_SIP="$(rand 16)"
  XMPP_PROBE_COMPONENT_SECRET="$(rand 16)"
  MATRIX_REGISTRATION_SECRET="$(rand 24)"
  MATRIX_AS_TOKEN="$(rand 24)"
  MATRIX_HS_TOKEN="$(rand 24)"
  MATRIX_PROBE_AS_TOKEN="$(rand 24)"
  MATRIX_PROBE_HS_TOKEN="$(rand 24)"
  SYNAPSE_MACAROON_SECRET="$(rand 24)"
  SYNAPSE_FORM_SECRET="$(rand 24)"
  ADMIN_PASSWORD="$(rand 12)"
  DEMO_XMPP_USERS="alice:$(rand 6) bob:$(rand 6)"
  DEMO_MATRIX_USERS="carol:$(rand 6) dave:$(rand 6)"
  DEMO_SIP_USERS="erin:$(rand 6) frank:$(rand 6)"
  local k
  ( umask 077; for k in "${SECRET_KEYS[@]}"; do printf "%s='%s'\n" "$k" "${!k}"; done > "$RUN_DIR/secrets.env" )
}

load_secrets() {
  [ -f "$RUN_DIR/secrets.env" ] || die "$RUN_DIR/secrets.env missing while services run; run '$0 down' then '$0 up'"
  # shellcheck disable=SC1091
  . "$RUN_DIR/secrets.env"
}

# render TEMPLATE OUT : replaces @NAME@ by the value of shell variable NAME for every NAME in RENDER_KEYS
RENDER_KEYS=(RUN_DIR XMPP_PORT XMPP_COMPONENT_PORT XMPP_DOMAIN XMPP_MUC_DOMAIN BRIDGE_XMPP_MATRIX_DOMAIN
             BRIDGE_XMPP_SIP_DOMAIN XMPP_PROBE_COMPONENT_DOMAIN XMPP_COMPONENT_SECRET_MATRIX XMPP_COMPONENT_SECRET_SIP
             XMPP_PROBE_COMPONENT_SECRET MATRIX_PORT MATRIX_URL MATRIX_SERVER_NAME MATRIX_SERVER_NAME_RE
             MATRIX_REGISTRATION_SECRET MATRIX_AS_TOKEN MATRIX_HS_TOKEN MATRIX_PROBE_AS_PORT MATRIX_PROBE_AS_TOKEN
             MATRIX_PROBE_HS_TOKEN MATRIX_BOT_LOCALPART SYNAPSE_MACAROON_SECRET SYNAPSE_FORM_SECRET SYNAPSE_VERSION
             SIP_PORT SIP_DOMAIN BRIDGE_SIP_DOMAIN BRIDGE_SIP_DOMAIN_RE BRIDGE_SIP_PORT SIP_PROBE_DOMAIN SIP_PROBE_PORT KAMAILIO_MODULES
             ADMIN_PORT ADMIN_URL ADMIN_USER ADMIN_PASSWORD)
render() {
  local tpl="$1" out="$2" args=() k v
  for k in "${RENDER_KEYS[@]}"; do
    v="${!k}"
    v="${v//\\/\\\\}"; v="${v//|/\\|}"; v="${v//&/\\&}"
    args+=(-e "s|@$k@|$v|g")
  done
  ( umask 077; sed "${args[@]}" "$tpl" > "$out" )
  if grep -qE '@[A-Z_]+@' "$out"; then
    die "unreplaced placeholder in $out: $(grep -oE '@[A-Z_]+@' "$out" | sort -u | tr '\n' ' ')"
  fi
}

generate_configs() {
  mkdir -p "$RUN_DIR"/{prosody/data,prosody/certs,kamailio/run,synapse/media_store,appliance/data} "$LOG_DIR" "$PID_DIR"
  render "$TEMPLATES/prosody.cfg.lua.in" "$RUN_DIR/prosody/prosody.cfg.lua"
  render "$TEMPLATES/kamailio.cfg.in" "$RUN_DIR/kamailio/kamailio.cfg"
  # fresh db_text tables (presence keeps presentities there)
  cp -r /usr/share/kamailio/dbtext/kamailio "$RUN_DIR/kamailio/dbtext"
  render "$TEMPLATES/homeserver.yaml.in" "$RUN_DIR/synapse/homeserver.yaml"
  render "$TEMPLATES/synapse-log.config.in" "$RUN_DIR/synapse/log.config"
  render "$TEMPLATES/bridge-registration.yaml.in" "$RUN_DIR/synapse/bridge-registration.yaml"
  render "$TEMPLATES/probe-registration.yaml.in" "$RUN_DIR/synapse/probe-registration.yaml"
  render "$TEMPLATES/appliance.yml.in" "$RUN_DIR/appliance/appliance.yml"
}

kamailio_modules_dir() {
  local d
  for d in /usr/lib/*/kamailio/modules /usr/lib/kamailio/modules /usr/lib64/kamailio/modules; do
    [ -f "$d/tm.so" ] && { echo "$d/"; return 0; }
  done
  die "Kamailio modules not found (is the 'kamailio' package installed?)"
}

# ---- services ---------------------------------------------------------------------------------------------
start_prosody() {
  is_running prosody && { log "prosody: already running (PID $(pid_alive prosody))"; return 0; }
  require_ports_free prosody "tcp:$XMPP_PORT" "tcp:$XMPP_COMPONENT_PORT"
  local cfg="$RUN_DIR/prosody/prosody.cfg.lua"
  if [ ! -f "$RUN_DIR/prosody/.demo-users" ]; then
    # accounts written straight into the data dir before the server starts (no race with a running server)
    local pair
    for pair in $DEMO_XMPP_USERS; do
      prosodyctl --config "$cfg" register "${pair%%:*}" "$XMPP_DOMAIN" "${pair#*:}" >>"$LOG_DIR/prosodyctl.log" 2>&1 \
        || die "prosodyctl register ${pair%%:*}@$XMPP_DOMAIN failed (see $LOG_DIR/prosodyctl.log)"
    done
    touch "$RUN_DIR/prosody/.demo-users"
  fi
  log "prosody: starting on 127.0.0.1:$XMPP_PORT (c2s) / :$XMPP_COMPONENT_PORT (components)"
  start_bg prosody "$LOG_DIR/prosody.console.log" prosody --config "$cfg" -F
  wait_until prosody "$DEADLINE_PROSODY" prosody_ready
}

start_kamailio() {
  is_running kamailio && { log "kamailio: already running (PID $(pid_alive kamailio))"; return 0; }
  require_ports_free kamailio "udp:$SIP_PORT" "tcp:$SIP_PORT"
  local cfg="$RUN_DIR/kamailio/kamailio.cfg"
  # db_text writes presentity rows it cannot read back (an empty "sender"): presence's mod_init then fails on a
  # restart. Start with an empty table, as a restarted Kamailio with in-memory presence state would be (phones
  # publish again at their next interval).
  cp /usr/share/kamailio/dbtext/kamailio/presentity "$RUN_DIR/kamailio/dbtext/presentity"
  kamailio -c -f "$cfg" >"$LOG_DIR/kamailio.check.log" 2>&1 \
    || { tail -n 20 "$LOG_DIR/kamailio.check.log" >&2; die "kamailio: configuration check failed"; }
  log "kamailio: starting on 127.0.0.1:$SIP_PORT (udp+tcp)"
  start_bg kamailio "$LOG_DIR/kamailio.log" kamailio -f "$cfg" -P "$RUN_DIR/kamailio/kamailio.pid" \
    -Y "$RUN_DIR/kamailio/run" -E -DD
  wait_until kamailio "$DEADLINE_KAMAILIO" kamailio_ready
}

start_synapse() {
  is_running synapse && { log "synapse: already running (PID $(pid_alive synapse))"; return 0; }
  require_ports_free synapse "tcp:$MATRIX_PORT"
  local cfg="$RUN_DIR/synapse/homeserver.yaml" py="$SYNAPSE_VENV/bin/python"
  if [ ! -f "$RUN_DIR/synapse/$MATRIX_SERVER_NAME.signing.key" ]; then
    "$py" -m synapse.app.homeserver -c "$cfg" --generate-keys >>"$LOG_DIR/synapse.console.log" 2>&1 \
      || { tail -n 20 "$LOG_DIR/synapse.console.log" >&2; die "synapse: key generation failed"; }
  fi
  log "synapse: starting on $MATRIX_URL"
  start_bg synapse "$LOG_DIR/synapse.console.log" "$py" -m synapse.app.homeserver -c "$cfg"
  wait_until synapse "$DEADLINE_SYNAPSE" synapse_ready || return 1
  if [ ! -f "$RUN_DIR/synapse/.demo-users" ]; then
    local pair
    for pair in $DEMO_MATRIX_USERS; do
      $HELPER synapse-register "$MATRIX_URL" "$MATRIX_REGISTRATION_SECRET" "${pair%%:*}" "${pair#*:}" >/dev/null \
        || die "synapse: registering demo user ${pair%%:*} failed"
    done
    touch "$RUN_DIR/synapse/.demo-users"
  fi
}

find_jar() {
  if [ -n "${SANDBOX_APPLIANCE_JAR:-}" ]; then echo "$SANDBOX_APPLIANCE_JAR"; return 0; fi
  ls -t "$REPO_ROOT"/deploy/target/bridge-appliance*-all.jar 2>/dev/null | head -n 1
}

start_appliance() {
  is_running appliance && { log "appliance: already running (PID $(pid_alive appliance))"; return 0; }
  require_ports_free appliance "tcp:$ADMIN_PORT"
  local jar
  jar="$(find_jar)"
  if [ -z "$jar" ]; then
    log "appliance: no fat jar in deploy/target; building it (mvn -B -q install -DskipTests)"
    ( cd "$REPO_ROOT" && mvn -B -q install -DskipTests ) >"$LOG_DIR/appliance-build.log" 2>&1 || {
      tail -n 40 "$LOG_DIR/appliance-build.log" >&2
      log "appliance: build FAILED (log: $LOG_DIR/appliance-build.log)"
      return 1
    }
    jar="$(find_jar)"
    [ -n "$jar" ] || { log "appliance: build produced no deploy/target/bridge-appliance*-all.jar"; return 1; }
  fi
  [ -f "$jar" ] || { log "appliance: jar $jar not found"; return 1; }
  # Run a copy: a rebuild of deploy/target while the appliance runs would otherwise pull classes from under it.
  # -p keeps the build's mtime: the launcher's CDS archive is named after the jar's size and mtime.
  cp -pf "$jar" "$RUN_DIR/appliance/bridge-appliance-all.jar"
  log "appliance: starting (a copy of) $jar on $ADMIN_URL"
  # The packaged launcher: its SerialGC/heap/JIT settings, and a CDS archive written when a new jar build first
  # stops and mapped from the next start on; kept outside RUN_DIR, which a clean `up` wipes
  # (deploy/bench/README.md, "Start-up"). SANDBOX_APPLIANCE_JVM_OPTS: more JVM options for measurements (e.g.
  # -XX:NativeMemoryTracking=summary, deploy/bench/README.md "Memory"), after the launcher's, so they win.
  # shellcheck disable=SC2086
  start_bg appliance "$LOG_DIR/appliance.log" env BRIDGE_CDS_DIR="$STATE_DIR/cds" \
    bash "$REPO_ROOT/deploy/src/main/dist/run-appliance.sh" "$RUN_DIR/appliance/bridge-appliance-all.jar" \
    "-Dmicronaut.config.files=$RUN_DIR/appliance/appliance.yml" ${SANDBOX_APPLIANCE_JVM_OPTS:-}
  wait_until appliance "$DEADLINE_APPLIANCE" appliance_ready
}

# ---- .sandbox/env -----------------------------------------------------------------------------------------
env_line() {
  local k="$1" v="$2"
  if [[ "$v" =~ ^[A-Za-z0-9_./:@%+,=-]*$ ]]; then printf '%s=%s\n' "$k" "$v"; else printf "%s='%s'\n" "$k" "$v"; fi
}

write_env() {
  local appliance_state="$1" tmp="$ENV_FILE.tmp"
  ( umask 077
    {
      echo "# Written by deploy/sandbox.sh up at $(date -u +%Y-%m-%dT%H:%M:%SZ). Interface: deploy/sandbox/README.md."
      echo "# KEY=value lines, shell-sourceable (values with spaces are single-quoted). Contains secrets: keep local."
      env_line RUN_DIR "$RUN_DIR"
      env_line SANDBOX_LOG_DIR "$LOG_DIR"
      env_line XMPP_HOST "$XMPP_HOST"
      env_line XMPP_PORT "$XMPP_PORT"
      env_line XMPP_DOMAIN "$XMPP_DOMAIN"
      env_line XMPP_MUC_DOMAIN "$XMPP_MUC_DOMAIN"
      env_line XMPP_COMPONENT_PORT "$XMPP_COMPONENT_PORT"
      env_line BRIDGE_XMPP_MATRIX_DOMAIN "$BRIDGE_XMPP_MATRIX_DOMAIN"
      env_line BRIDGE_XMPP_SIP_DOMAIN "$BRIDGE_XMPP_SIP_DOMAIN"
      env_line XMPP_COMPONENT_SECRET "$XMPP_COMPONENT_SECRET_MATRIX"
      env_line XMPP_COMPONENT_SECRET_MATRIX "$XMPP_COMPONENT_SECRET_MATRIX"
      env_line XMPP_COMPONENT_SECRET_SIP "$XMPP_COMPONENT_SECRET_SIP"
      env_line XMPP_PROBE_COMPONENT_DOMAIN "$XMPP_PROBE_COMPONENT_DOMAIN"
      env_line XMPP_PROBE_COMPONENT_SECRET "$XMPP_PROBE_COMPONENT_SECRET"
      env_line MATRIX_URL "$MATRIX_URL"
      env_line MATRIX_SERVER_NAME "$MATRIX_SERVER_NAME"
      env_line MATRIX_REGISTRATION_SECRET "$MATRIX_REGISTRATION_SECRET"
      env_line MATRIX_AS_TOKEN "$MATRIX_AS_TOKEN"
      env_line MATRIX_HS_TOKEN "$MATRIX_HS_TOKEN"
      env_line MATRIX_AS_REGISTRATION "$RUN_DIR/synapse/bridge-registration.yaml"
      env_line MATRIX_BOT_USER "@$MATRIX_BOT_LOCALPART:$MATRIX_SERVER_NAME"
      env_line MATRIX_PROBE_AS_PORT "$MATRIX_PROBE_AS_PORT"
      env_line MATRIX_PROBE_AS_URL "http://127.0.0.1:$MATRIX_PROBE_AS_PORT"
      env_line MATRIX_PROBE_AS_TOKEN "$MATRIX_PROBE_AS_TOKEN"
      env_line MATRIX_PROBE_HS_TOKEN "$MATRIX_PROBE_HS_TOKEN"
      env_line MATRIX_PROBE_USER_PREFIX "_probe_"
      env_line SIP_PROXY "127.0.0.1:$SIP_PORT"
      env_line SIP_HOST "127.0.0.1"
      env_line SIP_PORT "$SIP_PORT"
      env_line SIP_DOMAIN "$SIP_DOMAIN"
      env_line BRIDGE_SIP_DOMAIN "$BRIDGE_SIP_DOMAIN"
      env_line BRIDGE_SIP_PORT "$BRIDGE_SIP_PORT"
      env_line SIP_PROBE_DOMAIN "$SIP_PROBE_DOMAIN"
      env_line SIP_PROBE_PORT "$SIP_PROBE_PORT"
      env_line ADMIN_URL "$ADMIN_URL"
      env_line ADMIN_USER "$ADMIN_USER"
      env_line ADMIN_PASSWORD "$ADMIN_PASSWORD"
      env_line APPLIANCE_STATE "$appliance_state"
      env_line APPLIANCE_LOG "$LOG_DIR/appliance.log"
      env_line DEMO_XMPP_USERS "$DEMO_XMPP_USERS"
      env_line DEMO_MATRIX_USERS "$DEMO_MATRIX_USERS"
      env_line DEMO_SIP_USERS "$DEMO_SIP_USERS"
      env_line SYNAPSE_VENV "$SYNAPSE_VENV"
      # for browser tests (Debian's chromium + chromium-driver; installed by deploy/test.sh): explicit paths
      if [ -x /usr/bin/chromium ]; then env_line CHROMIUM_BIN /usr/bin/chromium; fi
      if [ -x /usr/bin/chromedriver ]; then env_line CHROMEDRIVER_BIN /usr/bin/chromedriver; fi
    } > "$tmp"
  )
  mv -f "$tmp" "$ENV_FILE"
}

print_summary() {
  local appliance_state="$1" pair
  cat <<EOF

The sandbox is up (all on 127.0.0.1; environment for scripts and tests: $ENV_FILE).

  XMPP   Prosody   $XMPP_HOST:$XMPP_PORT, domain $XMPP_DOMAIN, plain TCP (no TLS), in-band registration open
                   MUC $XMPP_MUC_DOMAIN; bridge components $BRIDGE_XMPP_MATRIX_DOMAIN, $BRIDGE_XMPP_SIP_DOMAIN (port $XMPP_COMPONENT_PORT)
                   demo accounts: $(for pair in $DEMO_XMPP_USERS; do printf '%s@%s / %s  ' "${pair%%:*}" "$XMPP_DOMAIN" "${pair#*:}"; done)
                   e.g. Gajim/Dino/Profanity: connect to host $XMPP_HOST port $XMPP_PORT, allow plain-text connections
  Matrix Synapse   $MATRIX_URL, server name $MATRIX_SERVER_NAME (homeserver URL for Element/nheko/curl)
                   demo accounts: $(for pair in $DEMO_MATRIX_USERS; do printf '@%s:%s / %s  ' "${pair%%:*}" "$MATRIX_SERVER_NAME" "${pair#*:}"; done)
  SIP    Kamailio  proxy/registrar 127.0.0.1:$SIP_PORT (udp+tcp), domain $SIP_DOMAIN, no authentication
                   demo users (any password works): $(for pair in $DEMO_SIP_USERS; do printf 'sip:%s@%s  ' "${pair%%:*}" "$SIP_DOMAIN"; done)
                   the bridge's domain $BRIDGE_SIP_DOMAIN and *.$BRIDGE_SIP_DOMAIN are routed to the appliance's SIP adapter
                   (127.0.0.1:$BRIDGE_SIP_PORT): write to sip:<user>*$MATRIX_SERVER_NAME@matrix.$BRIDGE_SIP_DOMAIN (a Matrix user),
                   sip:<user>*$XMPP_DOMAIN@xmpp.$BRIDGE_SIP_DOMAIN (an XMPP user), sip:<slug>@rooms.$BRIDGE_SIP_DOMAIN (a mapped room)
                   baresip ~/.baresip/accounts: $(pair="${DEMO_SIP_USERS%% *}"; printf '<sip:%s@%s>;outbound="sip:127.0.0.1:%s;transport=udp";regint=300;auth_pass=%s' "${pair%%:*}" "$SIP_DOMAIN" "$SIP_PORT" "${pair#*:}")
                     (and "net_interface 127.0.0.1" in ~/.baresip/config)
                   Linphone (linphonec): proxy sip:127.0.0.1:$SIP_PORT, identity sip:$(pair="${DEMO_SIP_USERS%% *}"; echo "${pair%%:*}")@$SIP_DOMAIN, register yes,
                     route sip:127.0.0.1:$SIP_PORT;lr (without it MESSAGEs to *.$BRIDGE_SIP_DOMAIN go to DNS and fail)
  Admin  appliance $ADMIN_URL  user $ADMIN_USER  password $ADMIN_PASSWORD
                   appliance: $(case "$appliance_state" in
                      running) echo "running (log: $LOG_DIR/appliance.log)";;
                      disabled) echo "not started (--no-appliance)";;
                      *) echo "FAILED to start: see $LOG_DIR/appliance.log";; esac)

Next: talk to an XMPP demo user from a Matrix demo user through the bridge once rooms are mapped in the admin UI;
'deploy/sandbox.sh status' shows what runs, 'deploy/sandbox.sh logs' the logs, 'deploy/sandbox.sh down' stops all.
EOF
}

# The ports of a running sandbox are the ones it was started with, whatever the environment says now.
save_ports() {
  local k
  for k in "${PORT_KEYS[@]}"; do printf '%s=%s\n' "$k" "${!k}"; done > "$RUN_DIR/ports.env"
}
load_ports() {
  if [ -f "$RUN_DIR/ports.env" ] && any_running; then
    # shellcheck disable=SC1091
    . "$RUN_DIR/ports.env"
    MATRIX_URL="http://127.0.0.1:$MATRIX_PORT"
    ADMIN_URL="http://127.0.0.1:$ADMIN_PORT"
  fi
}

# ---- commands ---------------------------------------------------------------------------------------------
any_running() {
  local s
  for s in "${SERVICES[@]}"; do is_running "$s" && return 0; done
  return 1
}

cmd_up() {
  local with_appliance=1 a
  for a in "$@"; do
    case "$a" in
      --no-appliance) with_appliance=0 ;;
      *) die "unknown option for up: $a" ;;
    esac
  done
  local t0; t0="$(now_ms)"
  "$SANDBOX_DIR/install-deps.sh" servers
  SYNAPSE_VENV="$("$SANDBOX_DIR/install-deps.sh" synapse-venv-path)"
  SYNAPSE_VERSION="$(basename "$SYNAPSE_VENV")"; SYNAPSE_VERSION="${SYNAPSE_VERSION#synapse-venv-}"
  KAMAILIO_MODULES="$(kamailio_modules_dir)"

  mkdir -p "$STATE_DIR"
  if any_running; then
    log "sandbox already (partly) running in $RUN_DIR: keeping its state, starting only what is missing"
    load_secrets
  else
    # Clean start: nothing of ours runs, so wipe every server's state (Prosody data incl. MUC rooms and
    # accounts, Kamailio db_text tables, Synapse database and media, the appliance's H2 database, logs).
    local left
    left="$(our_processes)"
    if [ -n "$left" ]; then
      log "WARNING: processes mention $RUN_DIR although no recorded service runs (a previous sandbox whose PID"
      log "files were lost?); they are not ours to stop. If they hold the sandbox's ports, the start below fails:"
      printf '%s\n' "$left" >&2
    fi
    rm -rf "$RUN_DIR"
    mkdir -p "$RUN_DIR" "$PID_DIR" "$LOG_DIR"
    save_ports
    new_secrets
    generate_configs
  fi

  local s
  for s in prosody kamailio synapse; do
    "start_$s" || die "$s did not start (log: $(log_of "$s")). Services started so far keep running;
'deploy/sandbox.sh down' stops them."
  done

  local appliance_state="disabled" rc=0
  if [ "$with_appliance" = 1 ]; then
    if start_appliance; then
      appliance_state="running"
    else
      appliance_state="failed"
      rc=1
    fi
  elif is_running appliance; then
    appliance_state="running"
  fi
  write_env "$appliance_state"
  print_summary "$appliance_state"
  log "up took $(( $(now_ms) - t0 )) ms"
  if [ "$rc" != 0 ]; then
    log "ERROR: the appliance did not start. The servers are up and $ENV_FILE is written; fix the appliance and"
    log "run 'deploy/sandbox.sh up' again (it starts only what is missing), or 'deploy/sandbox.sh down'."
  fi
  return "$rc"
}

cmd_down() {
  local s f
  # test processes the integration-test harness recorded (normally it stops them itself)
  for f in "$PID_DIR"/test-*.pid; do
    [ -e "$f" ] || continue
    s="$(basename "$f" .pid)"
    stop_service "$s"
    rm -f "$PID_DIR/$s.match"
  done
  for s in appliance synapse kamailio prosody; do stop_service "$s"; done
  rm -f "$ENV_FILE"
  local left
  left="$(our_processes)"
  if [ -n "$left" ]; then
    log "ERROR: processes still use $RUN_DIR after down:"
    printf '%s\n' "$left" >&2
    return 1
  fi
  log "down: nothing of this sandbox runs any more (state kept in $RUN_DIR until the next clean up)"
}

cmd_status() {
  local s pid all=0 where
  for s in "${SERVICES[@]}"; do
    case "$s" in
      prosody)   where="xmpp 127.0.0.1:$XMPP_PORT, components :$XMPP_COMPONENT_PORT" ;;
      kamailio)  where="sip 127.0.0.1:$SIP_PORT udp+tcp" ;;
      synapse)   where="$MATRIX_URL" ;;
      appliance) where="$ADMIN_URL" ;;
    esac
    if pid="$(pid_alive "$s")"; then
      printf '%-10s running  pid %-8s %s\n' "$s" "$pid" "$where"
    else
      printf '%-10s stopped                %s\n' "$s" "$where"
      all=1
    fi
  done
  if [ -f "$ENV_FILE" ]; then echo "env: $ENV_FILE"; else echo "env: (none; run deploy/sandbox.sh up)"; fi
  return "$all"
}

cmd_logs() {
  local follow="" svcs=() a
  for a in "$@"; do
    case "$a" in
      -f) follow=1 ;;
      prosody|kamailio|synapse|appliance) svcs+=("$a") ;;
      *) die "usage: $0 logs [prosody|kamailio|synapse|appliance] [-f]" ;;
    esac
  done
  [ "${#svcs[@]}" -gt 0 ] || svcs=("${SERVICES[@]}")
  local files=() s
  for s in "${svcs[@]}"; do
    for f in "$(log_of "$s")" "$LOG_DIR/$s.console.log"; do [ -f "$f" ] && files+=("$f"); done
  done
  [ "${#files[@]}" -gt 0 ] || die "no logs in $LOG_DIR"
  if [ -n "$follow" ]; then exec tail -n 20 -F "${files[@]}"; else tail -n 40 "${files[@]}"; fi
}

# stop|start|restart SERVICE: one server of a running sandbox, e.g. to test what clients and the appliance do when
# Prosody restarts. Same configuration, data and ports as `up` gave it (Prosody keeps persistent MUC rooms and
# accounts; Kamailio forgets registrations and presence subscriptions, which are in memory). The appliance keeps its
# database (a restart, e.g. with other SANDBOX_APPLIANCE_JVM_OPTS, or on a database the scale benchmark filled:
# deploy/bench/README.md); it starts from (a copy of) the newest jar as `up` does. Not Synapse: it needs more of up's
# setup (venv path).
one_service() {
  local svc="${1:-}"
  case "$svc" in
    prosody|kamailio|appliance) ;;
    *) die "usage: $0 stop|start|restart prosody|kamailio|appliance" ;;
  esac
  [ -f "$RUN_DIR/secrets.env" ] && [ -f "$RUN_DIR/prosody/prosody.cfg.lua" ] \
    || die "no sandbox state in $RUN_DIR; run '$0 up' first"
  # the ports it was started with, even when nothing else runs at the moment (load_ports needs a running service)
  # shellcheck disable=SC1091
  [ -f "$RUN_DIR/ports.env" ] && . "$RUN_DIR/ports.env"
  load_secrets
}
cmd_stop()    { one_service "$@"; stop_service "$1"; }
cmd_start()   { one_service "$@"; "start_$1"; }
cmd_restart() { one_service "$@"; stop_service "$1"; "start_$1"; }

main() {
  local cmd="${1:-}"; [ $# -gt 0 ] && shift
  load_ports
  case "$cmd" in
    up|down|stop|start|restart)
      mkdir -p "$STATE_DIR"
      # one up/down at a time per checkout
      exec 9>"$STATE_DIR/lock"
      flock -w 120 9 || die "another deploy/sandbox.sh up/down holds $STATE_DIR/lock"
      "cmd_$cmd" "$@" ;;
    status) cmd_status "$@" ;;
    logs)   cmd_logs "$@" ;;
    env)    cat "$ENV_FILE" ;;
    *) sed -n '3,11p' "$0" | sed 's/^# \{0,1\}//'; [ -z "$cmd" ] || [ "$cmd" = help ] || exit 2 ;;
  esac
}

main "$@"
