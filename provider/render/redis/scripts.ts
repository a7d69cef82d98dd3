/**
 * The shell scripts of a native Redis pod (POSIX sh, redis-cli): start Redis as master or replica
 * of the current master, start Sentinel, hand over the master role before stopping, and the health
 * probes. The scripts are real files in `provider/scripts/redis/` (shipped with the package and
 * checked by shellcheck); what differs between services is rendered here into `env.sh`, which
 * every script sources through `lib.sh`. See each script's header for what it does and reads.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ResolvedNativeRedisService } from "../../args/resolve";
import { MASTER_NAME } from "../../args/redis-settings";
import { REDIS_CONFIG_DIR, REDIS_DATA_DIR, REDIS_PORTS, REDIS_RUN_DIR, REDIS_TLS_PATHS, SENTINEL_DIR } from "./layout";

/**
 * How long a replica's startup waits for a Sentinel of an existing pod that does not answer before
 * a quorum of Sentinels that list it is enough (see `ping-redis.sh`).
 */
export const SILENT_SENTINEL_GRACE_SECONDS = 120;

/**
 * How long a cold start waits for the beacons of all pods before the beacons that answer decide,
 * if they are a quorum (see `start-node.sh`).
 */
export const COLD_START_GRACE_SECONDS = 300;

/** The static scripts, in the order they appear in the ConfigMap (after `env.sh`). */
export const REDIS_STATIC_SCRIPTS = [
    "lib.sh",
    "start-node.sh",
    "start-sentinel.sh",
    "prestop-redis.sh",
    "ping-redis.sh",
    "ping-sentinel.sh",
] as const;

/**
 * The folder of the static scripts: `provider/scripts/redis` of the package, found from this
 * module whether it runs from source (`provider/render/redis`) or compiled (`bin/provider/render/redis`).
 */
function scriptsDir(): string {
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
        const candidate = path.join(dir, "provider", "scripts", "redis");
        if (fs.existsSync(path.join(candidate, "lib.sh"))) return candidate;
        if (path.dirname(dir) === dir) throw new Error(`provider/scripts/redis not found above ${__dirname}`);
    }
}

let staticScripts: Record<string, string> | undefined;

/** The static scripts by file name, read once. */
function readStaticScripts(): Record<string, string> {
    const dir = scriptsDir();
    staticScripts ??= Object.fromEntries(REDIS_STATIC_SCRIPTS.map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]));
    return staticScripts;
}

/** `env.sh`: the service's values every script reads (documented in `lib.sh`). */
export function renderRedisScriptEnv(svc: ResolvedNativeRedisService, namespace: string): string {
    const values: Array<[string, string | number]> = [
        ["HEADLESS", `${svc.names.headlessService}.${namespace}.svc`],
        ["POD_PREFIX", svc.names.statefulSet],
        ["REPLICAS", svc.redis.replicas],
        ["QUORUM", svc.redis.quorum],
        ["MASTER_SET", MASTER_NAME],
        ["REDIS_PORT", REDIS_PORTS.redis],
        ["SENTINEL_PORT", REDIS_PORTS.sentinel],
        ["REDIS_CONFIG_DIR", REDIS_CONFIG_DIR],
        ["REDIS_RUN_DIR", REDIS_RUN_DIR],
        ["REDIS_DATA_DIR", REDIS_DATA_DIR],
        ["SENTINEL_DIR", SENTINEL_DIR],
        ["TLS_CA", svc.redis.tls ? REDIS_TLS_PATHS.ca : ""],
        ["SILENT_GRACE", SILENT_SENTINEL_GRACE_SECONDS],
        ["COLD_START_GRACE", COLD_START_GRACE_SECONDS],
    ];
    return [
        `# env.sh: values of ISB service "${svc.name}" for the scripts beside it, rendered by isbsvc (sourced by lib.sh).`,
        "# shellcheck disable=SC2034 # read by the scripts that source this file",
        ...values.map(([k, v]) => `${k}="${v}"`),
        "",
    ].join("\n");
}

/** Every file of the scripts ConfigMap: the rendered `env.sh` and the static scripts. */
export function renderRedisScripts(svc: ResolvedNativeRedisService, namespace: string): Record<string, string> {
    return { "env.sh": renderRedisScriptEnv(svc, namespace), ...readStaticScripts() };
}
