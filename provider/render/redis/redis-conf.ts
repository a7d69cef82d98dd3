/**
 * Renders the native Redis config files: `redis.conf` (every node), `master.conf`, `replica.conf`
 * and the Sentinel base `sentinel.conf`. No secret is in them: the start scripts add the password
 * from the environment into files on an emptyDir.
 */
import { ResolvedNativeRedisService } from "../../args/resolve";
import { REDIS_DATA_DIR, REDIS_PORTS, REDIS_TLS_PATHS, SENTINEL_DIR } from "./layout";

const HEADER = (what: string, name: string) => `# ${what} of ISB service "${name}", rendered by isbsvc. Edits are overwritten.`;

/** TLS directives shared by Redis and Sentinel; `port` is the TLS port, the plaintext port is closed. */
function tlsLines(port: number): string[] {
    return [
        "port 0",
        `tls-port ${port}`,
        `tls-cert-file ${REDIS_TLS_PATHS.cert}`,
        `tls-key-file ${REDIS_TLS_PATHS.key}`,
        `tls-ca-cert-file ${REDIS_TLS_PATHS.ca}`,
        "tls-auth-clients no",
        "tls-replication yes",
    ];
}

/**
 * `redis.conf`, loaded first by every node: the commands the component disables, the default
 * `min-replicas-to-write` and `settings.redis`. Renames come first: a later `rename-command` of
 * the same command makes Redis refuse to start, which is what we want.
 */
export function renderRedisConf(svc: ResolvedNativeRedisService): string {
    const r = svc.redis;
    return [
        HEADER("redis.conf", svc.name),
        'rename-command FLUSHDB ""',
        'rename-command FLUSHALL ""',
        "# Writes need a connected replica, so a master cut off from the set stops accepting them;",
        "# settings.redis may set another value (the later line wins).",
        "min-replicas-to-write 1",
        "# settings.redis",
        ...r.settings.redis,
        "",
    ].join("\n");
}

/**
 * `managed.conf`: the directives the component manages, included after `redis.conf` and the
 * role's file, so where the last line wins (every single-valued directive,
 * redis src/config.c `loadServerConfigFromString`) these win over any user line; the start script
 * then adds `replicaof`, the announce settings and the passwords.
 */
export function renderManagedConf(svc: ResolvedNativeRedisService): string {
    return [
        HEADER("managed.conf", svc.name),
        ...(svc.redis.tls ? tlsLines(REDIS_PORTS.redis) : [`port ${REDIS_PORTS.redis}`]),
        `dir ${REDIS_DATA_DIR}`,
        "protected-mode no",
        "",
    ].join("\n");
}

/** Directives for the node that starts as master (`role` master) or replica. */
export function renderRoleConf(svc: ResolvedNativeRedisService, role: "master" | "replica"): string {
    return [HEADER(`${role}.conf`, svc.name), `# settings.${role}`, ...svc.redis.settings[role], ""].join("\n");
}

/**
 * The static head of sentinel.conf. The start script writes the Sentinel's config from it, then
 * the monitor line, announce settings and passwords, then {@link renderSentinelSettings} (options
 * of the master set must follow its monitor line).
 */
export function renderSentinelConf(svc: ResolvedNativeRedisService): string {
    return [
        HEADER("sentinel.conf", svc.name),
        ...(svc.redis.tls ? tlsLines(REDIS_PORTS.sentinel) : [`port ${REDIS_PORTS.sentinel}`]),
        `dir ${SENTINEL_DIR}`,
        "sentinel resolve-hostnames yes",
        "sentinel announce-hostnames yes",
        "",
    ].join("\n");
}

/**
 * `settings.sentinel`, written after the monitor line (options of the master set must follow it
 * in 6.2, which applies Sentinel lines in file order) and before the managed Sentinel lines, so
 * the managed ones come last (7.0 applies the pre-monitor options, the monitor lines, then the
 * rest, each group in file order: redis src/sentinel.c `queueSentinelConfig`).
 */
export function renderSentinelSettings(svc: ResolvedNativeRedisService): string {
    return ["# settings.sentinel", ...svc.redis.settings.sentinel, ""].join("\n");
}
