#!/bin/sh
# start-sentinel.sh: starts Sentinel monitoring the current master.
#
# Inputs: env.sh and lib.sh beside this file (see lib.sh), $POD_NAME, $REDIS_PASSWORD.
# Waits until a master is known (see below).
# Writes $SENTINEL_DIR/sentinel.conf (Sentinel rewrites it; mode 0600) and execs redis-sentinel on it.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

# The master the other Sentinels name; without one (the set is starting), the master a cold start
# elected: a pod whose redis-server acts as master, or the one a replica replicates (beacons do not
# count, see start-node.sh). Sentinel starts only then: monitoring a guess could fail a node over
# to one with less data.
n=0
while :; do
  master=$(sentinel_master)
  [ -n "$master" ] && break
  i=0
  while [ "$i" -lt "$REPLICAS" ] && [ -z "$master" ]; do
    host="$POD_PREFIX-$i.$HEADLESS"
    # shellcheck disable=SC2046 # split the state into words
    set -- $(node_state "$host")
    case "${1:-}" in
      master) master="$host $REDIS_PORT" ;;
      replica) master="$2 $3" ;;
    esac
    i=$((i + 1))
  done
  [ -n "$master" ] && break
  [ $((n % 30)) -eq 0 ] && log "waiting for the redis nodes to elect a master"
  sleep 1; n=$((n + 1))
done
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
  # Sentinel authenticates to the redis servers and to the other Sentinels with the active password
  # (auth-pass and sentinel-pass take one); during a rotation every pod accepts it.
  echo "sentinel auth-pass $MASTER_SET \"$REDIS_PASSWORD\""
  echo "sentinel sentinel-pass \"$REDIS_PASSWORD\""
  acl_user_line
} > "$conf"
log "Sentinel monitoring ${master% *}:${master#* }"
exec redis-sentinel "$conf"
