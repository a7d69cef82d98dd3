#!/usr/bin/env bash
# npm run test:engine: build what is missing (scripts/engine/build.sh reuses .cache/engine), install
# etcd from Debian if absent, compile the component, and run the engine tests (tests/engine).
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v etcd >/dev/null 2>&1 && [ ! -x /usr/bin/etcd ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q && apt-get install -y -q etcd-server
fi
start=$(date +%s)
bash scripts/engine/build.sh
echo "test:engine: binaries ready in $(( $(date +%s) - start ))s"
[ -d node_modules ] || nice -n 19 npm ci --no-audit --no-fund
nice -n 19 npx tsc -p tsconfig.json
exec nice -n 19 npx mocha --config tests/engine/.mocharc.json "$@"
