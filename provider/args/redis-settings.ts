/**
 * Native Redis settings (`redis.native.settings`): redis.conf snippets for all nodes, the master,
 * the replicas, and Sentinel. Each non-comment line must be a directive; directives the component
 * manages are rejected by name, and Sentinel lines must name the `mymaster` set.
 */
import { at, fail } from "./errors";
import { optionalObject, optionalString, rejectUnknownKeys } from "./values";

/** The Sentinel master set name (upstream's `mymaster`). */
export const MASTER_NAME = "mymaster";

/** Defaults of the controller config (§3.5 of the reference). */
export const DEFAULT_REDIS_SETTINGS = {
    redis: [
        "min-replicas-to-write 1",
        'save ""',
        "appendonly yes",
        "auto-aof-rewrite-percentage 100",
        "auto-aof-rewrite-min-size 64mb",
        "maxmemory 512mb",
        "maxmemory-policy allkeys-lru",
    ].join("\n"),
    master: "",
    replica: "",
    sentinel: [
        `sentinel down-after-milliseconds ${MASTER_NAME} 10000`,
        `sentinel failover-timeout ${MASTER_NAME} 2000`,
        `sentinel parallel-syncs ${MASTER_NAME} 1`,
    ].join("\n"),
};

/** Settings with defaults applied, each a list of directive lines. */
export interface ResolvedRedisSettings {
    redis: string[];
    master: string[];
    replica: string[];
    sentinel: string[];
}

const MANAGED_REDIS = new Set([
    "port",
    "tls-port",
    "tls-cert-file",
    "tls-key-file",
    "tls-ca-cert-file",
    "tls-ca-cert-dir",
    "tls-replication",
    "tls-auth-clients",
    "requirepass",
    "masterauth",
    "masteruser",
    "replicaof",
    "slaveof",
    "dir",
    "include",
    "daemonize",
    "pidfile",
    "replica-announce-ip",
    "replica-announce-port",
    "slave-announce-ip",
    "slave-announce-port",
    "aclfile",
    "user",
    "bind",
    "protected-mode",
    "unixsocket",
]);
const MANAGED_SENTINEL = new Set([
    "monitor",
    "auth-pass",
    "auth-user",
    "announce-ip",
    "announce-port",
    "resolve-hostnames",
    "announce-hostnames",
    "myid",
    "known-sentinel",
    "known-replica",
    "sentinel-user",
    "sentinel-pass",
]);
const DIRECTIVE = /^([a-z][a-z0-9-]*)(\s+(.*))?$/;

function directiveLines(text: string): { line: string; n: number }[] {
    return text
        .split(/\r?\n/)
        .map((raw, i) => ({ line: raw.trim(), n: i + 1 }))
        .filter(({ line }) => line !== "" && !line.startsWith("#"));
}

function checkRedisLines(text: string, path: string): string[] {
    return directiveLines(text).map(({ line, n }) => {
        const m = DIRECTIVE.exec(line);
        if (!m) fail(path, `line ${n} is not a redis.conf directive ("<name> <arguments>"): ${JSON.stringify(line)}`);
        if (m[3]?.startsWith("="))
            fail(path, `line ${n} is written "name = value"; redis.conf wants "name value": ${JSON.stringify(line)}`);
        if (m[1] === "sentinel") fail(path, `line ${n} is a Sentinel directive; put it in settings.sentinel`);
        if (MANAGED_REDIS.has(m[1])) fail(path, `line ${n} sets "${m[1]}", which the component manages`);
        return line;
    });
}

function checkSentinelLines(text: string, path: string): string[] {
    return directiveLines(text).map(({ line, n }) => {
        const parts = line.split(/\s+/);
        if (parts[0] !== "sentinel" || parts.length < 3) {
            fail(path, `line ${n} is not a Sentinel directive ("sentinel <option> ${MASTER_NAME} <value>"): ${JSON.stringify(line)}`);
        }
        if (MANAGED_SENTINEL.has(parts[1])) fail(path, `line ${n} sets "sentinel ${parts[1]}", which the component manages`);
        if (parts[2] !== MASTER_NAME) {
            fail(path, `line ${n} names the master set "${parts[2]}", but this service's set is "${MASTER_NAME}"`);
        }
        return line;
    });
}

/** Validates `settings`; a non-empty string replaces the default of its kind (upstream semantics). */
export function resolveRedisSettings(raw: unknown, path: string): ResolvedRedisSettings {
    const obj = optionalObject(raw, path) ?? {};
    rejectUnknownKeys(obj, ["redis", "master", "replica", "sentinel"], path);
    const pick = (k: keyof typeof DEFAULT_REDIS_SETTINGS) => {
        const v = optionalString(obj[k], at(path, k));
        return v === undefined || v.trim() === "" ? DEFAULT_REDIS_SETTINGS[k] : v;
    };
    return {
        redis: checkRedisLines(pick("redis"), at(path, "redis")),
        master: checkRedisLines(pick("master"), at(path, "master")),
        replica: checkRedisLines(pick("replica"), at(path, "replica")),
        sentinel: checkSentinelLines(pick("sentinel"), at(path, "sentinel")),
    };
}
