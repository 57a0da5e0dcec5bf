#!/usr/bin/env bash
# The project's test command (README): on a fresh Debian 12 machine, as root or not, with or without a terminal.
#   1. installs what is missing (deploy/sandbox/install-deps.sh test: the servers, JDK 17, Maven, Chromium +
#      chromium-driver for browser tests, linphonec for LinphoneIT, Synapse in a cached virtualenv)
#   2. builds every module and runs all unit tests          (mvn -B install -DskipITs)
#   3. brings the sandbox up clean with the fresh jar         (deploy/sandbox.sh down; deploy/sandbox.sh up)
#   4. runs the integration tests against it                  (mvn -B -pl deploy failsafe:integration-test failsafe:verify)
#   5. always brings the sandbox down and checks that nothing of it still runs (trap)
# Exits non-zero if any step fails (including the appliance not starting). Maven's "Tests run:" summaries are
# printed for both test phases.
#
# Environment: TEST_SH_SKIP_INSTALL=1 skips step 1 (machine already prepared); TEST_SH_MVN_ARGS adds Maven
# arguments to both Maven runs (e.g. "-o" offline); the SANDBOX_* variables of deploy/sandbox/README.md apply.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
: "${HOME:=$(getent passwd "$(id -u)" | cut -d: -f6)}"
export HOME

log() { printf '\n[test.sh] %s\n' "$*"; }
T0=$(date +%s)
elapsed() { echo "$(( $(date +%s) - T0 ))s"; }

# shellcheck disable=SC2206
EXTRA_MVN=(${TEST_SH_MVN_ARGS:-})
MVN=(mvn -B -ntp -Dstyle.color=never "${EXTRA_MVN[@]}")

status=0
fail() { log "FAILED: $*"; status=1; }

# ---- 1. install ------------------------------------------------------------------------------------------
if [ "${TEST_SH_SKIP_INSTALL:-}" != 1 ]; then
  log "installing what is missing (Debian packages, Synapse venv) [$(elapsed)]"
  bash deploy/sandbox/install-deps.sh test
fi
java -version 2>&1 | head -n 1 || true
mvn -v 2>&1 | head -n 1 || true

# ---- 2. build + unit tests ----------------------------------------------------------------------------------
log "building all modules with unit tests: ${MVN[*]} install -DskipITs [$(elapsed)]"
if ! "${MVN[@]}" install -DskipITs; then
  log "FAILED: build or unit tests (see the Maven output above) [$(elapsed)]"
  exit 1
fi

# ---- 3. sandbox -------------------------------------------------------------------------------------------
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  log "bringing the sandbox down [$(elapsed)]"
  if ! bash deploy/sandbox.sh down; then
    log "FAILED: deploy/sandbox.sh down left processes running"
    rc=1
  fi
  if [ "$rc" = 0 ]; then log "ALL PASSED in $(elapsed)"; else log "FAILED (exit $rc) after $(elapsed)"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "starting the sandbox clean (down, then up with the freshly built appliance) [$(elapsed)]"
bash deploy/sandbox.sh down >/dev/null 2>&1 || true
if ! bash deploy/sandbox.sh up </dev/null; then
  fail "deploy/sandbox.sh up (see above; the appliance's log is in .sandbox/run/logs/appliance.log)"
  if [ -f .sandbox/run/logs/appliance.log ]; then
    log "last lines of the appliance's log:"
    tail -n 60 .sandbox/run/logs/appliance.log || true
  fi
fi

# ---- 4. integration tests ----------------------------------------------------------------------------------
if [ -f .sandbox/env ]; then
  log "integration tests: ${MVN[*]} -pl deploy failsafe:integration-test failsafe:verify [$(elapsed)]"
  # failsafe must not start or stop the sandbox itself: it is up, and this script stops it
  if ! timeout --kill-after=30s 25m "${MVN[@]}" -pl deploy failsafe:integration-test failsafe:verify \
      -Dbridge.sandbox.keep=true; then
    fail "integration tests"
  fi
else
  fail "no .sandbox/env: integration tests not run"
fi

exit "$status"
