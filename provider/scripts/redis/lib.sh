# shellcheck shell=sh
# lib.sh: variables and functions every script of a native Redis pod starts with (sourced, not run).
#
# Inputs:
#   env.sh            the service's values, rendered by isbsvc beside this file (see render/redis/scripts.ts):
#                     HEADLESS, POD_PREFIX, REPLICAS, QUORUM, MASTER_SET, REDIS_PORT, SENTINEL_PORT,
#                     REDIS_CONFIG_DIR, REDIS_RUN_DIR, REDIS_DATA_DIR, SENTINEL_DIR, TLS_CA (empty without TLS),
#                     SILENT_GRACE, COLD_START_GRACE
#   $POD_NAME         the pod's name (downward API)
#   $REDIS_PASSWORD   the active password (from the auth Secret): clients, replication and Sentinel use it
#   $REDIS_PASSWORD_ALSO_ACCEPTED  a second password the servers accept too, set only while a
#                     rotation accepts both slots (redis.native.passwordRotation.accept "both")
# shellcheck source=/dev/null
. "${0%/*}/env.sh"

# This pod's DNS name behind the headless Service.
SELF="$POD_NAME.$HEADLESS"
export REDISCLI_AUTH="$REDIS_PASSWORD"
export REDISCLI_HISTFILE=/dev/null

# redis-cli with a 5 s bound, over TLS verified against the service's CA when TLS is on.
cli() {
  if [ -n "$TLS_CA" ]; then timeout 5 redis-cli --tls --cacert "$TLS_CA" "$@"; else timeout 5 redis-cli "$@"; fi
}

# The `user default` line of redis.conf and sentinel.conf, instead of `requirepass`: the default user
# with every password this pod accepts, the active one first. An ACL user can have several passwords
# (redis src/acl.c ACLSetUser: each ">" op adds one), while requirepass sets exactly one. A `user`
# line is loaded by src/config.c loadServerConfigFromString (ACLAppendUserForLoading), in 6.2 and
# 7.0, and Sentinel reads its file through the same function.
# "~* &* +@all" is what requirepass leaves the default user (every key, channel and command).
acl_user_line() {
  printf 'user default on ">%s"' "$REDIS_PASSWORD"
  if [ -n "${REDIS_PASSWORD_ALSO_ACCEPTED:-}" ]; then printf ' ">%s"' "$REDIS_PASSWORD_ALSO_ACCEPTED"; fi
  printf ' ~* &* +@all\n'
}

log() { echo "$(date -u +%FT%TZ) $*" >&2; }

# Prints "host port" of the master named by most Sentinels of the other pods, or nothing.
sentinel_master() {
  i=0; answers=""
  while [ "$i" -lt "$REPLICAS" ]; do
    host="$POD_PREFIX-$i.$HEADLESS"
    if [ "$host" != "$SELF" ]; then
      a=$(cli -h "$host" -p "$SENTINEL_PORT" --raw sentinel get-master-addr-by-name "$MASTER_SET" 2>/dev/null | tr '\n' ' ' | sed 's/ *$//') || a=""
      # Only "<host> <port>": redis-cli prints an error reply (e.g. "NOAUTH Authentication required.",
      # a Sentinel that does not accept our password) on stdout and exits 0.
      case "$a" in *" "*[!0-9]*|*" "|"") ;; *" "*) answers="$answers$a
";; esac
    fi
    i=$((i + 1))
  done
  printf '%s' "$answers" | grep -v '^$' | sort | uniq -c | sort -rn | head -n 1 | awk '{print $2" "$3}'
}

# Prints the host of a Sentinel of another pod that answers, or nothing.
any_sentinel() {
  i=0
  while [ "$i" -lt "$REPLICAS" ]; do
    host="$POD_PREFIX-$i.$HEADLESS"
    if [ "$host" != "$SELF" ] && [ "$(cli -h "$host" -p "$SENTINEL_PORT" ping 2>/dev/null)" = PONG ]; then
      echo "$host"; return 0
    fi
    i=$((i + 1))
  done
}

# The replication position this node last recorded, "<generation> <offset>" (see start-node.sh):
# $RECORD on the data volume. Missing or unreadable: "0 -1" (no data worth keeping).
RECORD="$REDIS_DATA_DIR/isbsvc-replication"
# The prefix of replica-announce-ip by which a cold start's beacon is known (see start-node.sh).
BEACON_MARK="isbsvc-cold-start"
# The prefix of cluster-announce-ip by which a redis-server shows its generation.
# shellcheck disable=SC2034 # used by start-node.sh
GEN_MARK="isbsvc-generation"
read_record() {
  r=$(cat "$RECORD" 2>/dev/null) || r=""
  case "$r" in
    [0-9]*" "-1|[0-9]*" "[0-9]*) echo "$r" ;;
    *) echo "0 -1" ;;
  esac
}

# Records the local redis-server's replication offset under the current generation, when it is a
# master or a replica whose link to its master is up (a replica cut off keeps its last record).
# Redis restores no offset from an AOF (redis src/server.c, loadDataFromDisk: only an RDB's
# repl-id/repl-offset aux fields), hence this record.
record_position() {
  info=$(cli -h localhost -p "$REDIS_PORT" info replication 2>/dev/null | tr -d '\r') || return 0
  case "$info" in
    *role:master*) ;;
    *master_link_status:up*) ;;
    *) return 0 ;;
  esac
  offset=$(printf '%s\n' "$info" | sed -n 's/^master_repl_offset://p')
  case "$offset" in ''|*[!0-9]*) return 0 ;; esac
  gen=$(read_record); gen=${gen%% *}
  { printf '%s %s\n' "$gen" "$offset" > "$RECORD.tmp" && mv "$RECORD.tmp" "$RECORD"; } 2>/dev/null || true
}

# What the redis port of pod host $1 is now, one line:
#   "beacon <generation> <offset> [<winner ordinal> <new generation>]"  a node of a cold start
#   "master"                                                           a redis-server acting as master
#   "replica <host> <port>"                                            a redis-server replicating host:port
#   nothing                                                            no answer (not running, loading, ...)
node_state() {
  # Only a server that answers this is asked its role (a beacon starting between two questions
  # must not pass for a replica of its placeholder master).
  ann=$(cli -h "$1" -p "$REDIS_PORT" --raw config get replica-announce-ip 2>/dev/null | tr '\n' ' ') || ann=""
  case "$ann" in
    "replica-announce-ip $BEACON_MARK"/*) ann=${ann#"replica-announce-ip $BEACON_MARK"/}; echo "beacon ${ann% }" | tr / ' '; return 0 ;;
    "replica-announce-ip "*) ;;
    *) return 0 ;;
  esac
  r=$(cli -h "$1" -p "$REDIS_PORT" --raw role 2>/dev/null | tr '\n' ' ') || r=""
  case "$r" in
    "master "*) echo master ;;
    "slave "*) echo "$r" | awk '{print "replica "$2" "$3}' ;;
  esac
}
