#!/usr/bin/env bash
# Builds Matterbridge v1.26.0 from the Go module proxy (no `go install`: one dependency's zip, gomod.garykim.dev/nc-talk,
# is refused by the proxy, so it is built with -tags nonctalk, which leaves out only the Nextcloud Talk bridge) and
# prints the binary's path. Cached: a second run only prints the path. Optional, for the benchmark only (not CI).
#   deploy/bench/matterbridge/build.sh            MATTERBRIDGE_GO=/path/to/go to use another Go than Debian's golang-go
# Cache: ${SANDBOX_CACHE_DIR:-~/.cache/bridge-sandbox}/matterbridge-v1.26.0/ (binary, module and build caches).
set -euo pipefail
VERSION=v1.26.0
MODULE=github.com/42wim/matterbridge
CACHE="${SANDBOX_CACHE_DIR:-$HOME/.cache/bridge-sandbox}/matterbridge-$VERSION"
BIN="$CACHE/bin/matterbridge"
log() { printf '[matterbridge-build] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

if [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi

# Go: Debian's golang-go (bookworm: 1.19) unless MATTERBRIDGE_GO names another one.
GO="${MATTERBRIDGE_GO:-/usr/lib/go/bin/go}"
if [ ! -x "$GO" ]; then
  [ -z "${MATTERBRIDGE_GO:-}" ] || die "MATTERBRIDGE_GO=$GO is not executable"
  [ "$(id -u)" = 0 ] || die "Debian's golang-go is not installed: apt-get install golang-go (as root)"
  log "installing Debian's golang-go"
  apt-get install -y -q golang-go >&2 || { apt-get update -q >&2 && apt-get install -y -q golang-go >&2; }
fi

export GOMODCACHE="$CACHE/gomod" GOCACHE="$CACHE/gocache" GOPATH="$CACHE/gopath" GOFLAGS="-modcacherw" GO111MODULE=on
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
mkdir -p "$CACHE/bin"
cd "$CACHE"   # outside any module: `go mod download` of a module@version
log "go mod download $MODULE@$VERSION"
SRC_RO="$("$GO" mod download -json "$MODULE@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -f "$SRC_RO/go.mod" ] || die "go mod download gave no source directory"

# The toolchain must be at least what matterbridge's go.mod asks for (go 1.18 for v1.26.0).
have="$("$GO" env GOVERSION | sed 's/^go//')"
need="$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$SRC_RO/go.mod")"
older() { # $1 < $2 as major.minor
  local a1 a2 b1 b2; IFS=. read -r a1 a2 _ <<<"$1"; IFS=. read -r b1 b2 _ <<<"$2"
  [ "$a1" -lt "$b1" ] || { [ "$a1" -eq "$b1" ] && [ "${a2:-0}" -lt "${b2:-0}" ]; }
}
if older "$have" "$need"; then
  # Go >= 1.21 can fetch a newer toolchain from the module proxy (golang.org/toolchain); older ones cannot.
  older "$have" 1.21 && die "Go $have is older than the go $need that $MODULE@$VERSION needs (MATTERBRIDGE_GO=a newer go)"
  export GOTOOLCHAIN="go$need.0"
  log "Go $have < $need: using GOTOOLCHAIN=$GOTOOLCHAIN from the module proxy"
fi

# Build in a writable copy; the module zip carries vendor/modules.txt without the vendored sources, so -mod=mod.
SRC="$CACHE/src"
rm -rf "$SRC" && cp -r "$SRC_RO" "$SRC" && chmod -R u+w "$SRC"
log "building with Go $have (-tags nonctalk); the first build takes a few minutes"
(cd "$SRC" && "$GO" build -mod=mod -trimpath -tags nonctalk -o "$BIN.tmp" .)
mv "$BIN.tmp" "$BIN"
rm -rf "$SRC" "$GOCACHE"   # the module cache stays: a rebuild needs no download
"$BIN" -version >&2
echo "$BIN"
