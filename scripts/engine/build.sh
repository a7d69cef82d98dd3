#!/usr/bin/env bash
# Build the engine binaries (Pulumi CLI, providers, Kubernetes control plane) from the wrapper Go
# modules under scripts/engine/modules/<tool>/ into the ignored cache .cache/engine/bin/.
# A binary is rebuilt only when its wrapper's go.mod/go.sum/build.env changed (stamp file).
# Usage: scripts/engine/build.sh [tool ...]    (default: every tool in TOOLS below)
# Runs with nice -n 19 and GOFLAGS=-p=2 (2-core machines shared with other developers).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="${ENGINE_CACHE:-$root/.cache/engine}"
bin="$cache/bin"
mkdir -p "$bin" "$cache/stamps" "$cache/logs"
export GOFLAGS="${ENGINE_GOFLAGS:--p=2 -mod=readonly -trimpath}"
export CGO_ENABLED=0

# tool name -> "<binary name> <main package>" comes from modules/<tool>/build.env:
#   BINARY=..., PACKAGE=..., LDFLAGS=... (optional), PREPARE=... (optional script run first, in the
#   module folder, with the cache folder as argument), BUILD_DIR=... (optional, relative to the cache)
TOOLS_DEFAULT=(pulumi pulumi-language-yaml kubernetes kube-apiserver kube-controller-manager)
tools=("$@")
[ "${#tools[@]}" -gt 0 ] || tools=("${TOOLS_DEFAULT[@]}")

for tool in "${tools[@]}"; do
  mod="$here/modules/$tool"
  [ -f "$mod/build.env" ] || { echo "build: no module $tool" >&2; exit 2; }
  BINARY="" PACKAGE="" LDFLAGS="" PREPARE="" BUILD_DIR=""
  # shellcheck disable=SC1091
  . "$mod/build.env"
  stamp="$(cat "$mod"/* | sha256sum | cut -c1-16)"
  if [ -x "$bin/$BINARY" ] && [ "$(cat "$cache/stamps/$tool" 2>/dev/null)" = "$stamp" ]; then
    echo "build: $tool: cached ($bin/$BINARY)"
    continue
  fi
  echo "build: $tool: building $PACKAGE -> $bin/$BINARY (log $cache/logs/$tool.log)"
  start=$(date +%s)
  (
    cd "$mod"
    if [ -n "$PREPARE" ]; then nice -n 19 bash "$mod/$PREPARE" "$cache"; fi
    # BUILD_DIR (relative to the cache): a generated copy of this module made by PREPARE
    if [ -n "$BUILD_DIR" ]; then cd "$cache/$BUILD_DIR"; fi
    nice -n 19 go build -ldflags "$LDFLAGS" -o "$bin/$BINARY.tmp" "$PACKAGE"
  ) > "$cache/logs/$tool.log" 2>&1 || { echo "build: $tool FAILED, last lines of the log:" >&2; tail -30 "$cache/logs/$tool.log" >&2; exit 1; }
  mv "$bin/$BINARY.tmp" "$bin/$BINARY"
  secs=$(( $(date +%s) - start ))
  echo "$stamp" > "$cache/stamps/$tool"
  printf '%s\t%s\t%ss\t%s\n' "$(date -u +%FT%TZ)" "$tool" "$secs" "$(go env GOVERSION)" >> "$cache/build-times.tsv"
  echo "build: $tool: built in ${secs}s"
done
