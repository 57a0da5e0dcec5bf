#!/usr/bin/env bash
# Checks and times the sandbox's lifecycle: up (clean), up again (no duplicates, same PIDs), down (no process of
# ours left, checked with ps), up after down (state wiped), down. Prints the times; exits 1 on any violation.
#   deploy/sandbox/lifecycle-check.sh [--no-appliance]
# Use SANDBOX_PORT_OFFSET=N to run it beside another sandbox of the same machine.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SB="$REPO_ROOT/deploy/sandbox.sh"
RUN_DIR="${SANDBOX_STATE_DIR:-$REPO_ROOT/.sandbox}/run"
ARGS=("$@")
fail() { echo "LIFECYCLE FAIL: $*" >&2; exit 1; }
ms() { date +%s%3N; }
timed() { local t0; t0=$(ms); "$@" >/dev/null 2>&1 || { echo "command failed: $*" >&2; return 1; }; echo $(( $(ms) - t0 )); }
ours() { ps -ww -eo pid=,args= | RD="$RUN_DIR/" awk 'index($0, ENVIRON["RD"]) && $2 != "tail"' || true; }
pids() { cat "$RUN_DIR"/pids/{prosody,kamailio,synapse,appliance}.pid 2>/dev/null | sort | tr '\n' ' '; }

bash "$SB" down >/dev/null 2>&1 || true
[ -z "$(ours)" ] || fail "processes of this sandbox run before the check:
$(ours)"

t_up=$(timed bash "$SB" up "${ARGS[@]}") || fail "up failed (see deploy/sandbox.sh logs)"
first_pids="$(pids)"; first_count=$(ours | wc -l)
touch "$RUN_DIR/prosody/data/.lifecycle-marker"
t_again=$(timed bash "$SB" up "${ARGS[@]}") || fail "second up failed"
[ "$(pids)" = "$first_pids" ] || fail "second up changed the PIDs: $first_pids -> $(pids)"
[ "$(ours | wc -l)" = "$first_count" ] || fail "second up changed the process count: $first_count -> $(ours | wc -l)"
[ -e "$RUN_DIR/prosody/data/.lifecycle-marker" ] || fail "second up wiped state of running servers"

t_down=$(timed bash "$SB" down) || fail "down failed"
left="$(ours)"; [ -z "$left" ] || fail "processes left after down:
$left"

t_up2=$(timed bash "$SB" up "${ARGS[@]}") || fail "up after down failed"
[ ! -e "$RUN_DIR/prosody/data/.lifecycle-marker" ] || fail "up after down did not wipe Prosody's data"
t_down2=$(timed bash "$SB" down) || fail "second down failed"
left="$(ours)"; [ -z "$left" ] || fail "processes left after the second down:
$left"

echo "lifecycle OK ($first_count processes of ours while up${ARGS[*]:+, ${ARGS[*]}}):"
echo "  up (clean, warm machine)   ${t_up} ms"
echo "  up again (already running) ${t_again} ms"
echo "  down                       ${t_down} ms"
echo "  up after down (clean)      ${t_up2} ms"
echo "  down                       ${t_down2} ms"
echo "  no process mentioning $RUN_DIR after each down (ps -eo args)"
