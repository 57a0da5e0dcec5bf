#!/usr/bin/env bash
# Installs what the sandbox (and, with "test", the test run) needs on a Debian 12 machine, skipping what is
# already there. Idempotent; safe to run as root with no stdin (CI=true).
#   install-deps.sh servers   Prosody, Kamailio (+presence modules), sipp, baresip, ejabberd, Python venv + Synapse
#   install-deps.sh test      the above + JDK 17, Maven, Chromium + chromium-driver (browser tests), linphonec
set -euo pipefail

SANDBOX_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Synapse is pinned; the constraints file pins its dependencies as they were when the sandbox was tested.
SYNAPSE_VERSION="${SANDBOX_SYNAPSE_VERSION:-1.163.2}"
CACHE_DIR="${SANDBOX_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/bridge-sandbox}"
SYNAPSE_VENV="$CACHE_DIR/synapse-venv-$SYNAPSE_VERSION"

log() { printf '[install] %s\n' "$*" >&2; }

# ejabberd: a second XMPP server for the adapter's interop smoke test (EjabberdSmokeIT starts its own instance).
SERVER_PACKAGES=(prosody kamailio kamailio-presence-modules sip-tester baresip-core ejabberd
                 python3 python3-venv curl procps ca-certificates openssl)
# nodejs: `node --test` runs the admin web UI's JavaScript unit tests in the admin-ui build.
# linphone-cli: linphonec, a third independent SIP phone for the SIP messaging ITs (LinphoneIT).
TEST_PACKAGES=(openjdk-17-jdk-headless maven chromium chromium-driver fonts-liberation nodejs linphone-cli)

missing_packages() {
  local p
  for p in "$@"; do
    if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
      printf '%s\n' "$p"
    fi
  done
}

apt_install() {
  local missing
  missing=$(missing_packages "$@")
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" != 0 ]; then
    log "missing Debian packages: $(echo $missing); install them as root: apt-get install -y $(echo $missing)"
    exit 1
  fi
  log "apt-get install $(echo $missing)"
  # The packages' maintainer scripts would start system-wide prosody/kamailio services; the sandbox runs its
  # own processes, so service starts are refused during the install (policy-rc.d, exit 101), and the file is
  # removed again if we created it.
  local made_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && made_policy=1
  fi
  local rc=0
  export DEBIAN_FRONTEND=noninteractive
  # Package lists may be missing or stale on a fresh machine: update once if the first attempt fails.
  # shellcheck disable=SC2086
  if ! apt-get install -y -qq --no-install-recommends $missing </dev/null; then
    apt-get update -q </dev/null || true
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing </dev/null || rc=$?
  fi
  [ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d
  return $rc
}

install_synapse() {
  if [ -f "$SYNAPSE_VENV/.installed-ok" ]; then
    return 0
  fi
  log "installing matrix-synapse $SYNAPSE_VERSION into $SYNAPSE_VENV (first time only; takes a minute or two)"
  rm -rf "$SYNAPSE_VENV"
  mkdir -p "$CACHE_DIR"
  # Debian's own python3 (a pyenv/conda python on PATH may lack modules or differ in version).
  /usr/bin/python3 -m venv "$SYNAPSE_VENV"
  local constraints=()
  if [ -f "$SANDBOX_DIR/synapse-constraints.txt" ] && [ -z "${SANDBOX_SYNAPSE_VERSION:-}" ]; then
    constraints=(-c "$SANDBOX_DIR/synapse-constraints.txt")
  fi
  PIP_DISABLE_PIP_VERSION_CHECK=1 "$SYNAPSE_VENV/bin/pip" install -q --no-input "${constraints[@]}" \
    "matrix-synapse==$SYNAPSE_VERSION" </dev/null
  "$SYNAPSE_VENV/bin/python" -c 'import synapse.app.homeserver' 
  touch "$SYNAPSE_VENV/.installed-ok"
}

main() {
  local what="${1:-servers}"
  case "$what" in
    servers) apt_install "${SERVER_PACKAGES[@]}"; install_synapse ;;
    test)    apt_install "${SERVER_PACKAGES[@]}" "${TEST_PACKAGES[@]}"; install_synapse ;;
    synapse-venv-path) echo "$SYNAPSE_VENV" ;;
    *) echo "usage: $0 servers|test|synapse-venv-path" >&2; exit 2 ;;
  esac
}
main "$@"
