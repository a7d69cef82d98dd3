#!/bin/sh
# start-node.sh: starts redis-server as master or as replica of the current master.
#
# Inputs: env.sh and lib.sh beside this file (see lib.sh), $POD_NAME, $REDIS_PASSWORD; the data
# volume's $RECORD (this node's last replication position).
# Writes $REDIS_RUN_DIR/redis.conf (with the password, mode 0600) and execs redis-server on it;
# while it runs, records its replication position in $RECORD every second.
#
# Role decision, the part upstream gets wrong:
# 1. Ask the Sentinels of the other pods which node is master; take the answer most give.
# 2. None answers: the set is starting cold (or for the first time). Elect the node with the most
#    data, see cold_start below. Pod 0 is master only when no node has more data than it.
# 3. They name another pod: start as its replica.
# 4. They name this pod, which has just restarted: its data may be older than its replicas', so
#    ask a Sentinel to fail over (unless the Sentinels are already failing over) and, once another
#    node is master, start as its replica. Only if no replica takes over within a minute does it
#    start as master again. A restarted pod never becomes a second master.
#
# Cold start. The StatefulSet starts every pod at once (podManagementPolicy Parallel). Each node
# runs a beacon: a data-less redis-server on the redis port, a read-only replica of nothing (it
# accepts no write and never answers ROLE master; its probes fail, so no Service routes to it),
# whose replica-announce-ip tells "$BEACON_MARK/<generation>/<offset>" from this node's $RECORD.
# Once the beacons of all pods answer, every node picks the same winner: the highest generation,
# then the highest offset, then the lowest ordinal. After $COLD_START_GRACE seconds without all
# pods, the beacons that answer decide if they are a quorum (with 3 pods and writes acknowledged
# by a replica, two of them hold every acknowledged write). A node that decided shows the decision
# in its beacon for a few seconds, so the others adopt it even when they missed a beacon; a node
# that finds a redis-server instead of a beacon follows the master that server is or replicates.
# The deciders take the next generation and record it with offset -1: offsets restart at 0 with
# the new master (Redis restores none from an AOF), so a node that missed this election must never
# win the next one with an older history. Every redis-server shows its generation, and a node that
# joins a master takes the master's (see below).
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

# This pod's ordinal.
ordinal=${POD_NAME##*-}

# Runs the cold-start election in this shell (so a SIGTERM stops the beacon within a second); sets
# master to "host port generation" of the elected master, or "host port" of a master already
# decided (the generation is then taken from it).
cold_start() {
  own=$(read_record)
  bconf="$REDIS_RUN_DIR/beacon.conf"
  umask 077
  {
    echo "include $REDIS_CONFIG_DIR/managed.conf"
    echo "dir $REDIS_RUN_DIR"
    echo "appendonly no"
    echo "save \"\""
    echo "dbfilename beacon.rdb"
    echo "replicaof 127.0.0.1 1"
    echo "replica-announce-ip $BEACON_MARK/$(echo "$own" | tr ' ' /)"
    acl_user_line
  } > "$bconf"
  rm -f "$REDIS_RUN_DIR/beacon.rdb"
  redis-server "$bconf" >/dev/null 2>&1 &
  beacon=$!
  # Stops the beacon and removes its config (it holds the password).
  stop_beacon() { kill "$beacon" 2>/dev/null || true; wait "$beacon" 2>/dev/null || true; rm -f "$bconf" "$REDIS_RUN_DIR/beacon.rdb"; trap - TERM INT; }
  trap 'stop_beacon; exit 143' TERM INT
  started=$(date +%s)
  log "cold start: beacon up with generation/offset $own; waiting for the beacons of all $REPLICAS pods"
  winner=""; newgen=""; follow=""; adopted=""
  while :; do
    m=$(sentinel_master)
    if [ -n "$m" ]; then follow=$m; break; fi
    table=""; answered=0; i=0
    while [ "$i" -lt "$REPLICAS" ]; do
      host="$POD_PREFIX-$i.$HEADLESS"
      if [ "$i" = "$ordinal" ]; then s="beacon $own"; else s=$(node_state "$host"); fi
      # shellcheck disable=SC2086 # split the state into words
      set -- $s
      case "${1:-}" in
        beacon)
          table="$table$i $2 $3
"
          answered=$((answered + 1))
          if [ $# -ge 5 ] && [ -z "$winner" ]; then winner=$4; newgen=$5; adopted=$i; fi ;;
        master) follow="$host $REDIS_PORT" ;;
        replica) follow="$2 $3" ;;
      esac
      i=$((i + 1))
    done
    [ -n "$follow" ] && break
    if [ -n "$winner" ]; then
      log "cold start: a master is already decided: pod $winner, generation $newgen (published by the beacon of pod $adopted)"
      break
    fi
    now=$(date +%s)
    if [ "$answered" -ge "$REPLICAS" ] || { [ $((now - started)) -ge "$COLD_START_GRACE" ] && [ "$answered" -ge "$QUORUM" ]; }; then
      best=$(printf '%s' "$table" | grep -v '^$' | sort -k2,2nr -k3,3nr -k1,1n | head -n 1)
      winner=${best%% *}
      newgen=$(($(printf '%s' "$table" | grep -v '^$' | sort -k2,2nr | head -n 1 | awk '{print $2}') + 1))
      log "cold start: $answered of $REPLICAS beacons (ordinal generation offset): $(printf '%s' "$table" | tr '\n' ';')elected pod $winner"
      break
    fi
    sleep 1
  done
  if [ -n "$follow" ]; then
    log "cold start: a master is already decided: ${follow% *}"
    stop_beacon
    master=$follow
    return 0
  fi
  # Show the decision a few seconds, so nodes that missed a beacon adopt it, then record it.
  cli -h localhost -p "$REDIS_PORT" config set replica-announce-ip "$BEACON_MARK/$(echo "$own" | tr ' ' /)/$winner/$newgen" >/dev/null 2>&1 || true
  sleep 3
  stop_beacon
  master="$POD_PREFIX-$winner.$HEADLESS $REDIS_PORT $newgen"
}

master=$(sentinel_master)
if [ -z "$master" ]; then
  log "no Sentinel knows a master: the set is starting"
  cold_start
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
# shellcheck disable=SC2086 # "host port [generation]"
set -- $master
mhost=$1; mport=$2; gen=${3:-}

# The generation of the set's history: a cold start's deciders made it; anyone else takes the
# master's (shown in its cluster-announce-ip, unused without cluster mode), else keeps its own.
own=$(read_record)
# A master still running its beacon or loading shows it a little later.
n=0
while [ -z "$gen" ] && [ "$mhost" != "$SELF" ] && [ "$n" -lt 30 ]; do
  shown=$(cli -h "$mhost" -p "$mport" --raw config get cluster-announce-ip 2>/dev/null | sed -n 2p) || shown=""
  case "$shown" in
    "$GEN_MARK"/*) gen=${shown#"$GEN_MARK"/} ;;
    "") [ "$(node_state "$mhost")" = master ] && break; sleep 1; n=$((n + 1)) ;;
    *) break ;;
  esac
done
case "$gen" in ''|*[!0-9]*) gen=${own%% *} ;; esac
# Offsets of another generation are not comparable (they restart with each cold start's master).
if [ "$gen" != "${own%% *}" ]; then
  printf '%s -1\n' "$gen" > "$RECORD.tmp" && mv "$RECORD.tmp" "$RECORD"
fi

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
  echo "cluster-announce-ip $GEN_MARK/$gen"
  acl_user_line
  # Replication authenticates with the active password: during a rotation every pod accepts it.
  echo "masterauth \"$REDIS_PASSWORD\""
} > "$conf"
if [ "$mhost" = "$SELF" ]; then log "starting as master"; else log "starting as replica of $mhost:$mport"; fi
# Records the replication position every second while redis-server runs (this subshell ends
# with the container).
(set +e; while sleep 1; do record_position; done) </dev/null >/dev/null 2>&1 &
exec redis-server "$conf"
