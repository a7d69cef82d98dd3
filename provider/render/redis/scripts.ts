/**
 * Renders the shell scripts of a native Redis pod (POSIX sh, redis-cli): start Redis as master or
 * replica of the current master, start Sentinel, hand over the master role before stopping, and
 * the health probes.
 *
 * Role decision (start-node.sh), the part upstream gets wrong:
 * 1. Ask the Sentinels of the other pods which node is master; take the answer most give.
 * 2. None answers: the whole set is starting, so pod 0 is master and the others replicate it.
 * 3. They name another pod: start as its replica.
 * 4. They name this pod, which has just restarted: its data may be older than its replicas', so
 *    ask a Sentinel to fail over (unless the Sentinels are already failing over) and, once another
 *    node is master, start as its replica. Only if no replica takes over within a minute does it
 *    start as master again. A restarted pod never becomes a second master.
 */
import { ResolvedNativeRedisService } from "../../args/resolve";
import { MASTER_NAME } from "../../args/redis-settings";
import { REDIS_CONFIG_DIR, REDIS_PORTS, REDIS_RUN_DIR, REDIS_TLS_PATHS, SENTINEL_DIR } from "./layout";

/**
 * How long a replica's startup waits for a Sentinel of an existing pod that does not answer before
 * a quorum of Sentinels that list it is enough (see {@link renderPingRedis}).
 */
export const SILENT_SENTINEL_GRACE_SECONDS = 120;

/** Variables and helpers every script starts with. */
function prelude(svc: ResolvedNativeRedisService, namespace: string, what: string): string[] {
    const names = svc.names;
    return [
        "#!/bin/sh",
        `# ${what} of ISB service "${svc.name}", rendered by isbsvc.`,
        "set -eu",
        `HEADLESS="${names.headlessService}.${namespace}.svc"`,
        `POD_PREFIX="${names.statefulSet}"`,
        'SELF="$POD_NAME.$HEADLESS"',
        `REPLICAS=${svc.redis.replicas}`,
        `MASTER_SET="${MASTER_NAME}"`,
        `REDIS_PORT=${REDIS_PORTS.redis}`,
        `SENTINEL_PORT=${REDIS_PORTS.sentinel}`,
        'export REDISCLI_AUTH="$REDIS_PASSWORD"',
        "export REDISCLI_HISTFILE=/dev/null",
        svc.redis.tls ? `cli() { timeout 5 redis-cli --tls --cacert ${REDIS_TLS_PATHS.ca} "$@"; }` : 'cli() { timeout 5 redis-cli "$@"; }',
        'log() { echo "$(date -u +%FT%TZ) $*" >&2; }',
        "",
    ];
}

/** Shell function printing "host port" of the master most other Sentinels name, or nothing. */
const SENTINEL_MASTER_FN = [
    '# Prints "host port" of the master named by most Sentinels of the other pods, or nothing.',
    "sentinel_master() {",
    '  i=0; answers=""',
    '  while [ "$i" -lt "$REPLICAS" ]; do',
    '    host="$POD_PREFIX-$i.$HEADLESS"',
    '    if [ "$host" != "$SELF" ]; then',
    '      a=$(cli -h "$host" -p "$SENTINEL_PORT" --raw sentinel get-master-addr-by-name "$MASTER_SET" 2>/dev/null | tr \'\\n\' \' \' | sed \'s/ *$//\') || a=""',
    '      case "$a" in *" "*) answers="$answers$a',
    '";; esac',
    "    fi",
    "    i=$((i + 1))",
    "  done",
    "  printf '%s' \"$answers\" | grep -v '^$' | sort | uniq -c | sort -rn | head -n 1 | awk '{print $2\" \"$3}'",
    "}",
    "",
    "# Prints the host of a Sentinel of another pod that answers, or nothing.",
    "any_sentinel() {",
    "  i=0",
    '  while [ "$i" -lt "$REPLICAS" ]; do',
    '    host="$POD_PREFIX-$i.$HEADLESS"',
    '    if [ "$host" != "$SELF" ] && [ "$(cli -h "$host" -p "$SENTINEL_PORT" ping 2>/dev/null)" = PONG ]; then',
    '      echo "$host"; return 0',
    "    fi",
    "    i=$((i + 1))",
    "  done",
    "}",
    "",
];

export function renderStartNode(svc: ResolvedNativeRedisService, namespace: string): string {
    return [
        ...prelude(svc, namespace, "start-node.sh: starts redis-server as master or as replica of the current master"),
        ...SENTINEL_MASTER_FN,
        "master=$(sentinel_master)",
        'if [ -z "$master" ]; then',
        '  log "no Sentinel knows a master: the set is starting, pod 0 is master"',
        '  master="$POD_PREFIX-0.$HEADLESS $REDIS_PORT"',
        'elif [ "${master% *}" = "$SELF" ]; then',
        '  log "Sentinels still name this restarted pod as master: handing the role to a replica first"',
        "  sentinel=$(any_sentinel)",
        '  if [ -n "$sentinel" ]; then',
        "    # If the Sentinels already consider this node down, they fail over by themselves: a forced",
        "    # failover now could race theirs. Otherwise force one (redis-cli exits 0 on error replies).",
        '    flags=$(cli -h "$sentinel" -p "$SENTINEL_PORT" --raw sentinel master "$MASTER_SET" 2>/dev/null | awk \'prev == "flags" { print; exit } { prev = $0 }\') || flags=""',
        '    case "$flags" in',
        '      *s_down*|*o_down*|*failover_in_progress*) log "Sentinels are already failing over ($flags): waiting for them" ;;',
        '      *) reply=$(cli -h "$sentinel" -p "$SENTINEL_PORT" sentinel failover "$MASTER_SET" 2>&1) || reply=""',
        '         [ "$reply" = OK ] || log "Sentinel refused the failover: $reply" ;;',
        "    esac",
        "    n=0",
        '    while [ "$n" -lt 60 ]; do',
        "      master=$(sentinel_master)",
        '      [ -n "$master" ] && [ "${master% *}" != "$SELF" ] && break',
        "      sleep 1; n=$((n + 1))",
        "    done",
        "  fi",
        '  [ -n "$master" ] || master="$SELF $REDIS_PORT"',
        "fi",
        "mhost=${master% *}; mport=${master#* }",
        "",
        `umask 077`,
        `conf=${REDIS_RUN_DIR}/redis.conf`,
        "{",
        `  echo "include ${REDIS_CONFIG_DIR}/redis.conf"`,
        '  if [ "$mhost" = "$SELF" ]; then',
        `    echo "include ${REDIS_CONFIG_DIR}/master.conf"`,
        "  else",
        `    echo "include ${REDIS_CONFIG_DIR}/replica.conf"`,
        '    echo "replicaof $mhost $mport"',
        "  fi",
        '  echo "replica-announce-ip $SELF"',
        '  echo "replica-announce-port $REDIS_PORT"',
        '  echo "requirepass \\"$REDIS_PASSWORD\\""',
        '  echo "masterauth \\"$REDIS_PASSWORD\\""',
        '} > "$conf"',
        'if [ "$mhost" = "$SELF" ]; then log "starting as master"; else log "starting as replica of $mhost:$mport"; fi',
        'exec redis-server "$conf"',
        "",
    ].join("\n");
}

export function renderStartSentinel(svc: ResolvedNativeRedisService, namespace: string): string {
    return [
        ...prelude(svc, namespace, "start-sentinel.sh: starts Sentinel monitoring the current master"),
        ...SENTINEL_MASTER_FN,
        "master=$(sentinel_master)",
        '[ -n "$master" ] || master="$POD_PREFIX-0.$HEADLESS $REDIS_PORT"',
        "# Sentinel refuses a master it cannot resolve; pod DNS appears when the pod exists.",
        "n=0",
        'until getent hosts "${master% *}" >/dev/null 2>&1 || [ "$n" -ge 120 ]; do sleep 1; n=$((n + 1)); done',
        "umask 077",
        `conf=${SENTINEL_DIR}/sentinel.conf`,
        "{",
        `  cat ${REDIS_CONFIG_DIR}/sentinel.conf`,
        '  echo "sentinel announce-ip $SELF"',
        '  echo "sentinel announce-port $SENTINEL_PORT"',
        `  echo "sentinel monitor $MASTER_SET \${master% *} \${master#* } ${svc.redis.quorum}"`,
        '  echo "sentinel auth-pass $MASTER_SET \\"$REDIS_PASSWORD\\""',
        '  echo "sentinel sentinel-pass \\"$REDIS_PASSWORD\\""',
        '  echo "requirepass \\"$REDIS_PASSWORD\\""',
        `  cat ${REDIS_CONFIG_DIR}/sentinel-settings.conf`,
        '} > "$conf"',
        'log "Sentinel monitoring ${master% *}:${master#* }"',
        'exec redis-sentinel "$conf"',
        "",
    ].join("\n");
}

/**
 * preStop of the redis container: a master hands its role to a replica before it stops. It asks
 * the Sentinel of another pod: Kubernetes stops the pod's own sentinel container at the same time.
 */
export function renderPrestopRedis(svc: ResolvedNativeRedisService, namespace: string): string {
    return [
        ...prelude(svc, namespace, "prestop-redis.sh: fails over away from this node if it is master"),
        ...SENTINEL_MASTER_FN,
        'role=$(cli -h localhost -p "$REDIS_PORT" role 2>/dev/null | head -n 1) || role=""',
        '[ "$role" = master ] || exit 0',
        "sentinel=$(any_sentinel)",
        '[ -n "$sentinel" ] || { log "no Sentinel of another pod answers: stopping without a failover"; exit 0; }',
        'log "stopping master: pausing writes and asking the Sentinel of $sentinel for a failover"',
        'cli -h localhost -p "$REDIS_PORT" client pause 22000 write >/dev/null 2>&1 || true',
        'cli -h "$sentinel" -p "$SENTINEL_PORT" sentinel failover "$MASTER_SET" >/dev/null 2>&1 || true',
        "n=0",
        'while [ "$n" -lt 20 ]; do',
        "  m=$(sentinel_master)",
        '  if [ -n "$m" ] && [ "${m% *}" != "$SELF" ]; then',
        '    log "${m% *} is master now: replicating it until stopped"',
        '    cli -h localhost -p "$REDIS_PORT" replicaof "${m% *}" "${m#* }" >/dev/null 2>&1 || true',
        "    exit 0",
        "  fi",
        "  sleep 1; n=$((n + 1))",
        "done",
        'log "no failover within 20s: resuming writes"',
        'cli -h localhost -p "$REDIS_PORT" client unpause >/dev/null 2>&1 || true',
        "",
    ].join("\n");
}

/**
 * Probe script: `ping-redis.sh startup|liveness|readiness`. Liveness and startup also accept
 * LOADING and MASTERDOWN. A replica's startup also waits until the Sentinel of every pod that
 * exists lists it: Sentinel learns replicas from the master's INFO every 10 s, and a replica it
 * does not know would be left behind by a failover in that window (then `min-replicas-to-write`
 * stops writes).
 *
 * Nothing that does not answer counts as passing: a server that does not yet tell its role, or a
 * Sentinel of an existing pod that does not answer, fails the probe (the kubelet tries again). A
 * pod that does not exist (its DNS name does not resolve: the headless Service publishes every
 * pod that has an address, ready or not) has no Sentinel to wait for; its Sentinel reads the
 * replicas from the master's INFO when it starts. Only a Sentinel that stays silent for
 * {@link SILENT_SENTINEL_GRACE_SECONDS} seconds after redis-server started stops holding the replica back,
 * and only when a quorum of Sentinels lists it (a pod on a dead node must not keep its peers from
 * starting forever).
 */
export function renderPingRedis(svc: ResolvedNativeRedisService, namespace: string): string {
    return [
        ...prelude(svc, namespace, "ping-redis.sh: startup, liveness and readiness probe of redis-server"),
        `QUORUM=${svc.redis.quorum}`,
        `SILENT_GRACE=${SILENT_SENTINEL_GRACE_SECONDS}`,
        'reply=$(cli -h localhost -p "$REDIS_PORT" ping 2>&1) || reply=""',
        'case "$1:$reply" in',
        "  *:PONG) ;;",
        "  liveness:LOADING*|liveness:MASTERDOWN*|startup:LOADING*|startup:MASTERDOWN*) ;;",
        '  *) echo "$reply" >&2; exit 1 ;;',
        "esac",
        '[ "$1" = startup ] || exit 0',
        'role=$(cli -h localhost -p "$REDIS_PORT" role 2>/dev/null | head -n 1) || role=""',
        'case "$role" in',
        "  master) exit 0 ;;",
        "  slave) ;;",
        '  *) echo "redis-server does not tell its role yet" >&2; exit 1 ;;',
        "esac",
        'i=0; listing=0; silent=""',
        'while [ "$i" -lt "$REPLICAS" ]; do',
        '  host="$POD_PREFIX-$i.$HEADLESS"',
        "  i=$((i + 1))",
        '  getent hosts "$host" >/dev/null 2>&1 || continue',
        "  # redis-cli exits non-zero only when it gets no reply; an error reply lists no replica.",
        '  if known=$(cli -h "$host" -p "$SENTINEL_PORT" --raw sentinel replicas "$MASTER_SET" 2>/dev/null); then',
        '    case "$known" in',
        '      *"$SELF:$REDIS_PORT"*) listing=$((listing + 1)) ;;',
        '      *) echo "the Sentinel of $host does not list this replica yet" >&2; exit 1 ;;',
        "    esac",
        "  else",
        '    silent="$silent $host"',
        "  fi",
        "done",
        '[ -z "$silent" ] && exit 0',
        "uptime=$(cli -h localhost -p \"$REDIS_PORT\" info server 2>/dev/null | tr -d '\\r' | sed -n 's/^uptime_in_seconds://p') || uptime=\"\"",
        'if [ "${uptime:-0}" -ge "$SILENT_GRACE" ] && [ "$listing" -ge "$QUORUM" ]; then',
        '  echo "Sentinels that do not answer after ${uptime}s:$silent; $listing list this replica (quorum $QUORUM)" >&2',
        "  exit 0",
        "fi",
        'echo "no answer from the Sentinel of:$silent" >&2',
        "exit 1",
        "",
    ].join("\n");
}

/** Probe script of the sentinel container. */
export function renderPingSentinel(svc: ResolvedNativeRedisService, namespace: string): string {
    return [
        ...prelude(svc, namespace, "ping-sentinel.sh: liveness and readiness probe of Sentinel"),
        'reply=$(cli -h localhost -p "$SENTINEL_PORT" ping 2>&1) || reply=""',
        '[ "$reply" = PONG ] && exit 0',
        'echo "$reply" >&2',
        "exit 1",
        "",
    ].join("\n");
}
