# shellcheck shell=sh
# lib.sh: variables and functions every script of a native Redis pod starts with (sourced, not run).
#
# Inputs:
#   env.sh            the service's values, rendered by isbsvc beside this file (see render/redis/scripts.ts):
#                     HEADLESS, POD_PREFIX, REPLICAS, QUORUM, MASTER_SET, REDIS_PORT, SENTINEL_PORT,
#                     REDIS_CONFIG_DIR, REDIS_RUN_DIR, SENTINEL_DIR, TLS_CA (empty without TLS), SILENT_GRACE
#   $POD_NAME         the pod's name (downward API)
#   $REDIS_PASSWORD   the password (from the auth Secret)
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
