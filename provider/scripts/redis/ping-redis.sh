#!/bin/sh
# ping-redis.sh startup|liveness|readiness: the probes of the redis container.
#
# Inputs: env.sh and lib.sh beside this file (see lib.sh), $POD_NAME, $REDIS_PASSWORD; $1 the probe.
#
# Liveness and startup also accept LOADING and MASTERDOWN. A cold start's beacon passes only liveness.
# A replica's startup waits until its link to the master is up (initial sync done), and until the
# Sentinel of every pod that exists lists it: Sentinel learns replicas from the master's INFO every
# 10 s, and a replica it does not know would be left behind by a failover in that window (then
# `min-replicas-to-write` stops writes).
#
# Nothing that does not answer counts as passing: a server that does not yet tell its role, or a
# running Sentinel that does not answer in time, fails the probe (the kubelet tries again). The
# pod's own Sentinel (starting beside this container) must always list it. Another pod's Sentinel
# holds nothing back when it is not running: its pod does not exist (its DNS name does not resolve;
# the headless Service publishes every pod that has an address, ready or not) or nothing listens on
# its port (connection refused). A Sentinel that starts asks the master for INFO at once (redis
# src/sentinel.c, sentinelSendPeriodicCommands: INFO when info_refresh is 0) and so lists every
# replica before it can take part in a failover. Only a Sentinel that stays silent (times out) for
# $SILENT_GRACE seconds after redis-server started stops holding the replica back, and only when a
# quorum of Sentinels lists it (a pod on a dead node must not keep its peers from starting forever).
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

reply=$(cli -h localhost -p "$REDIS_PORT" ping 2>&1) || reply=""
case "$1:$reply" in
  *:PONG) ;;
  liveness:LOADING*|liveness:MASTERDOWN*|startup:LOADING*|startup:MASTERDOWN*) ;;
  *) echo "$reply" >&2; exit 1 ;;
esac
# A cold start's beacon (start-node.sh) is alive but neither started nor ready: no Service routes to it.
case "$(node_state localhost)" in
  beacon*) [ "$1" = liveness ] && exit 0; echo "cold start: electing a master" >&2; exit 1 ;;
esac
[ "$1" = startup ] || exit 0
role=$(cli -h localhost -p "$REDIS_PORT" role 2>/dev/null | head -n 1) || role=""
case "$role" in
  master) exit 0 ;;
  slave) ;;
  *) echo "redis-server does not tell its role yet" >&2; exit 1 ;;
esac
# A replica is started only once it holds the master's data: its link is up, the initial sync done.
# A pod re-created under the same name is still listed by the Sentinels from before its restart, so
# without this its startup passed while the full resync was still pending (repl-diskless-sync-delay),
# a rolling update moved on to the next pod, and the master's writes acknowledged (WAIT 1) by that
# next pod alone were lost when the master handed over to this one (tests/live/redis/rotation.test.ts).
# redis src/server.c genRedisInfoString: master_link_status is "up" only in REPL_STATE_CONNECTED,
# which src/replication.c readSyncBulkPayload enters once the master's RDB is loaded.
link=$(cli -h localhost -p "$REDIS_PORT" info replication 2>/dev/null | tr -d '\r') || link=""
case "$link" in
  *master_link_status:up*) ;;
  *) echo "replica not in sync with its master yet" >&2; exit 1 ;;
esac
i=0; listing=0; silent=""
while [ "$i" -lt "$REPLICAS" ]; do
  host="$POD_PREFIX-$i.$HEADLESS"
  i=$((i + 1))
  getent hosts "$host" >/dev/null 2>&1 || continue
  # redis-cli exits 0 on any reply (an error reply lists no replica), 1 when it cannot connect;
  # timeout exits 124 when nothing answers in time.
  out=$(cli -h "$host" -p "$SENTINEL_PORT" --raw sentinel replicas "$MASTER_SET" 2>&1) && rc=0 || rc=$?
  if [ "$rc" = 0 ]; then
    case "$out" in
      *"$SELF:$REDIS_PORT"*) listing=$((listing + 1)) ;;
      *) echo "the Sentinel of $host does not list this replica yet" >&2; exit 1 ;;
    esac
  elif [ "$host" = "$SELF" ]; then
    echo "this pod's Sentinel does not answer yet" >&2; exit 1
  else
    case "$rc:$out" in
      1:*"Connection refused"*) ;;
      *) silent="$silent $host" ;;
    esac
  fi
done
[ -z "$silent" ] && exit 0
uptime=$(cli -h localhost -p "$REDIS_PORT" info server 2>/dev/null | tr -d '\r' | sed -n 's/^uptime_in_seconds://p') || uptime=""
if [ "${uptime:-0}" -ge "$SILENT_GRACE" ] && [ "$listing" -ge "$QUORUM" ]; then
  echo "Sentinels that do not answer after ${uptime}s:$silent; $listing list this replica (quorum $QUORUM)" >&2
  exit 0
fi
echo "no answer from the Sentinel of:$silent" >&2
exit 1
