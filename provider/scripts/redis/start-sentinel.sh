#!/bin/sh
# start-sentinel.sh: starts Sentinel monitoring the current master.
#
# Inputs: env.sh and lib.sh beside this file (see lib.sh), $POD_NAME, $REDIS_PASSWORD.
# Writes $SENTINEL_DIR/sentinel.conf (Sentinel rewrites it; mode 0600) and execs redis-sentinel on it.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

master=$(sentinel_master)
[ -n "$master" ] || master="$POD_PREFIX-0.$HEADLESS $REDIS_PORT"
# Sentinel refuses a master it cannot resolve; pod DNS appears when the pod exists.
n=0
until getent hosts "${master% *}" >/dev/null 2>&1 || [ "$n" -ge 120 ]; do sleep 1; n=$((n + 1)); done
umask 077
conf="$SENTINEL_DIR/sentinel.conf"
{
  cat "$REDIS_CONFIG_DIR/sentinel.conf"
  echo "sentinel monitor $MASTER_SET ${master% *} ${master#* } $QUORUM"
  # settings.sentinel before the managed lines: where the last line wins, ours do.
  cat "$REDIS_CONFIG_DIR/sentinel-settings.conf"
  echo "sentinel announce-ip $SELF"
  echo "sentinel announce-port $SENTINEL_PORT"
  echo "sentinel auth-pass $MASTER_SET \"$REDIS_PASSWORD\""
  echo "sentinel sentinel-pass \"$REDIS_PASSWORD\""
  echo "requirepass \"$REDIS_PASSWORD\""
} > "$conf"
log "Sentinel monitoring ${master% *}:${master#* }"
exec redis-sentinel "$conf"
