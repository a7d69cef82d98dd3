#!/bin/sh
# Runs shellcheck over every shell script of the repository (part of `npm run lint`).
set -eu
cd "$(dirname "$0")/.."
command -v shellcheck >/dev/null 2>&1 || { echo "shellcheck is not installed (apt-get install -y shellcheck)" >&2; exit 1; }
git ls-files -co --exclude-standard -- '*.sh' .ci/run | xargs shellcheck -x -P SCRIPTDIR
