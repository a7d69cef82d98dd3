#!/bin/sh
# start-node.sh: starts redis-server as master or as replica of the current master.
#
# Inputs: env.sh and lib.sh beside this file (see lib.sh), $POD_NAME, $REDIS_PASSWORD.
# Writes $REDIS_RUN_DIR/redis.conf (with the password, mode 0600) and execs redis-server on it.
#
# Role decision, the part upstream gets wrong:
# 1. Ask the Sentinels of the other pods which node is master; take the answer most give.
# 2. None answers: the whole set is starting, so pod 0 is master and the others replicate it.
# 3. They name another pod: start as its replica.
# 4. They name this pod, which has just restarted: its data may be older than its replicas', so
#    ask a Sentinel to fail over (unless the Sentinels are already failing over) and, once another
#    node is master, start as its replica. Only if no replica takes over within a minute does it
#    start as master again. A restarted pod never becomes a second master.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

master=$(sentinel_master)
if [ -z "$master" ]; then
  log "no Sentinel knows a master: the set is starting, pod 0 is master"
  master="$POD_PREFIX-0.$HEADLESS $REDIS_PORT"
elif [ "${master% *}" = "$SELF" ]; then
  log "Sentinels still name this restarted pod as master: handing the role to a replica first"
  sentinel=$(any_sentinel)
  if [ -n "$sentinel" ]; then
    # If the Sentinels already consider this node down, they fail over by themselves: a forced
    # failover now could race theirs. Otherwise force one (redis-cli exits 0 on error replies).
    flags=$(cli -h "$sentinel" -p "$SENTINEL_PORT" --raw sentinel master "$MASTER_SET" 2>/dev/null | awk 'prev == "flags" { print; exit } { prev = $0 }') || flags=""
    case "$flags" in
      *s_down*|*o_down*|*failover_in_progress*) log "Sentinels are already failing over ($flags): waiting for them" ;;
      *) reply=$(cli -h "$sentinel" -p "$SENTINEL_PORT" sentinel failover "$MASTER_SET" 2>&1) || reply=""
         [ "$reply" = OK ] || log "Sentinel refused the failover: $reply" ;;
    esac
    n=0
    while [ "$n" -lt 60 ]; do
      master=$(sentinel_master)
      [ -n "$master" ] && [ "${master% *}" != "$SELF" ] && break
      sleep 1; n=$((n + 1))
    done
  fi
  [ -n "$master" ] || master="$SELF $REDIS_PORT"
fi
mhost=${master% *}; mport=${master#* }

umask 077
conf="$REDIS_RUN_DIR/redis.conf"
{
  echo "include $REDIS_CONFIG_DIR/redis.conf"
  if [ "$mhost" = "$SELF" ]; then
    echo "include $REDIS_CONFIG_DIR/master.conf"
  else
    echo "include $REDIS_CONFIG_DIR/replica.conf"
  fi
  # The managed directives after every user line: where the last line wins, ours do.
  echo "include $REDIS_CONFIG_DIR/managed.conf"
  [ "$mhost" = "$SELF" ] || echo "replicaof $mhost $mport"
  echo "replica-announce-ip $SELF"
  echo "replica-announce-port $REDIS_PORT"
  echo "requirepass \"$REDIS_PASSWORD\""
  echo "masterauth \"$REDIS_PASSWORD\""
} > "$conf"
if [ "$mhost" = "$SELF" ]; then log "starting as master"; else log "starting as replica of $mhost:$mport"; fi
exec redis-server "$conf"
