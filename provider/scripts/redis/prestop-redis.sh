#!/bin/sh
# prestop-redis.sh: preStop of the redis container: records the replication position; a master
# hands its role to a replica before it stops.
#
# Inputs: env.sh and lib.sh beside this file (see lib.sh), $POD_NAME, $REDIS_PASSWORD.
# It asks the Sentinel of another pod: Kubernetes stops the pod's own sentinel container at the same time.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

# The last replication position, for a cold start's election (see start-node.sh).
record_position
role=$(cli -h localhost -p "$REDIS_PORT" role 2>/dev/null | head -n 1) || role=""
[ "$role" = master ] || exit 0
sentinel=$(any_sentinel)
[ -n "$sentinel" ] || { log "no Sentinel of another pod answers: stopping without a failover"; exit 0; }
log "stopping master: pausing writes and asking the Sentinel of $sentinel for a failover"
cli -h localhost -p "$REDIS_PORT" client pause 22000 write >/dev/null 2>&1 || true
cli -h "$sentinel" -p "$SENTINEL_PORT" sentinel failover "$MASTER_SET" >/dev/null 2>&1 || true
n=0
while [ "$n" -lt 20 ]; do
  m=$(sentinel_master)
  if [ -n "$m" ] && [ "${m% *}" != "$SELF" ]; then
    log "${m% *} is master now: replicating it until stopped"
    cli -h localhost -p "$REDIS_PORT" replicaof "${m% *}" "${m#* }" >/dev/null 2>&1 || true
    exit 0
  fi
  sleep 1; n=$((n + 1))
done
log "no failover within 20s: resuming writes"
cli -h localhost -p "$REDIS_PORT" client unpause >/dev/null 2>&1 || true
