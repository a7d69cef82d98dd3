#!/bin/sh
# ping-sentinel.sh: liveness and readiness probe of the sentinel container.
#
# Inputs: env.sh and lib.sh beside this file (see lib.sh), $POD_NAME, $REDIS_PASSWORD.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

reply=$(cli -h localhost -p "$SENTINEL_PORT" ping 2>&1) || reply=""
[ "$reply" = PONG ] && exit 0
echo "$reply" >&2
exit 1
