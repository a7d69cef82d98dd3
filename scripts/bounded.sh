#!/bin/sh
# Runs a command with a hard time limit and fails loudly when it is exceeded (a hung test run must
# never hold CI until its own limit). Usage: scripts/bounded.sh SECONDS COMMAND [ARGS...]
set -u
limit=$1
shift
timeout --kill-after=30 "$limit" "$@"
rc=$?
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
  echo "TIMED OUT: '$*' was still running after ${limit}s and was stopped (exit $rc)" >&2
fi
exit "$rc"
