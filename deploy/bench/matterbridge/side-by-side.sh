#!/usr/bin/env bash
# Side-by-side benchmark of the running sandbox: XMPP MUC -> Matrix room through the appliance (a plumbed room mapped
# through the admin API) and through Matterbridge 1.26.0, alternating phases in one run, each with a Matrix-only
# baseline stream at the same rate: added latency p50/p99, bridge CPU per message, peak RSS. See deploy/bench/README.md.
#   deploy/bench/matterbridge/side-by-side.sh [count=500] [rate per second=4] [rounds=2]
# Needs `deploy/sandbox.sh up`; builds Matterbridge on first use (deploy/bench/matterbridge/build.sh, cached).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$HERE/build.sh" >/dev/null
"$HERE/matterbridge.sh" stop 2>/dev/null || true
"$HERE/matterbridge.sh" prepare
trap '"$HERE/matterbridge.sh" stop' EXIT
"$HERE/matterbridge.sh" start
"$HERE/matterbridge.sh" measure "${1:-500}" "${2:-4}" "${3:-2}"
