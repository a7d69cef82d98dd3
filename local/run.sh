#!/usr/bin/env bash
# `npm run local`: installs what the runner needs on a fresh Debian machine, then runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "npm run local needs root (it creates network namespaces for the pods)" >&2
  exit 1
fi
missing=()
for bin in nats-server redis-server redis-sentinel; do
  command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/sbin/$bin" ] || missing+=("$bin")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]} from Debian..." >&2
  apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q nats-server redis-server redis-sentinel iproute2 >&2
fi
[ -d node_modules/@pulumi/pulumi ] || npm ci --no-audit --no-fund >&2
exec node -r ts-node/register/transpile-only local/run.ts "$@"
