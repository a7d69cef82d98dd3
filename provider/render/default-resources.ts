/**
 * Default resource **requests** of every container (issue 13, item 4). A container template's
 * `resources` merge over them name by name (render/container-template.ts `applyContainerTemplate`):
 * `requests: { memory: "1Gi" }` replaces only the memory request and keeps the CPU one. No limits are
 * set by default: a CPU limit throttles the servers under bursts, and a memory limit is the user's
 * decision (nats-server's GOMEMLIMIT follows the `main` container's memory limit when one is set).
 *
 * Why these numbers (requests reserve capacity for scheduling; they do not cap anything):
 * - Idle resident memory measured on the development machine (Debian nats-server 2.9.10 with
 *   JetStream, redis-server and redis-sentinel 7.0.15, `ps -o rss`): about 12 MiB each.
 * - nats-server `main`: 100m CPU, 256Mi — an idle server plus JetStream's caches of recently used
 *   message blocks and per-connection buffers under pipeline traffic. Raise it with the load.
 * - Redis `redis`: 100m CPU and `maxmemory` plus 64 MiB of overhead (576Mi with the default
 *   `maxmemory 512mb`), so the scheduler reserves what Redis is configured to hold: the request
 *   follows the largest `maxmemory` a node can run with (redis.conf, or the master/replica snippet
 *   loaded after it; a node changes role on failover). Without a `maxmemory` (or `0`, no limit) the
 *   576Mi default stays. An AOF rewrite forks, and copy-on-write pages come on top.
 * - Sidecars (`reloader`, `sentinel`, both `metrics` exporters): 10m CPU and 16–32Mi — each is a
 *   single small process (a file watcher, Sentinel, an exporter answering a scrape every interval).
 */

import { ResolvedRedisSettings, splitRedisArgs } from "../args/redis-settings";

type Requests = { cpu: string; memory: string };

export const DEFAULT_REQUESTS = {
    jetstream: {
        main: { cpu: "100m", memory: "256Mi" },
        reloader: { cpu: "10m", memory: "16Mi" },
        metrics: { cpu: "10m", memory: "32Mi" },
    },
    redis: {
        redis: { cpu: "100m", memory: "576Mi" },
        sentinel: { cpu: "10m", memory: "32Mi" },
        metrics: { cpu: "10m", memory: "32Mi" },
    },
} as const satisfies Record<string, Record<string, Requests>>;

/** The `resources` of a container with the given default requests (a fresh object). */
export function defaultResources(requests: Requests): { requests: Record<string, string> } {
    return { requests: { ...requests } };
}

const MIB = 1024 * 1024;
/** Memory the redis container needs beyond `maxmemory` (buffers, allocator overhead, the process). */
export const REDIS_MEMORY_OVERHEAD = 64 * MIB;

/**
 * Bytes of a Redis memory value as Redis reads it (`src/util.c` `memtoll`): digits, then nothing or
 * `b`, `k` (1000), `kb` (1024), `m`, `mb`, `g`, `gb`, case-insensitive; undefined otherwise.
 */
export function redisMemoryBytes(value: string): number | undefined {
    const m = /^(\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(value);
    if (!m) return undefined;
    const unit = (m[2] ?? "b").toLowerCase();
    const mul: Record<string, number> = { b: 1, k: 1e3, kb: 1024, m: 1e6, mb: MIB, g: 1e9, gb: 1024 * MIB };
    return Number(m[1]) * mul[unit];
}

/** The value of the last `maxmemory` directive of `lines` (the last one wins when Redis loads a file). */
function lastMaxmemory(lines: readonly string[]): string | undefined {
    let value: string | undefined;
    for (const line of lines) {
        const t = splitRedisArgs(line);
        if (t.ok && t.argv.length === 2 && t.argv[0].toLowerCase() === "maxmemory") value = t.argv[1];
    }
    return value;
}

/**
 * The largest `maxmemory` (bytes) a node runs with: redis.conf's, overridden by master.conf or
 * replica.conf (loaded after it); undefined when a role has no limit or the value is not a size.
 */
export function largestMaxmemory(settings: ResolvedRedisSettings): number | undefined {
    const base = lastMaxmemory(settings.redis);
    const perRole = [lastMaxmemory(settings.master) ?? base, lastMaxmemory(settings.replica) ?? base];
    const bytes = perRole.map((v) => (v === undefined ? undefined : redisMemoryBytes(v)));
    if (bytes.some((b) => b === undefined || b === 0)) return undefined;
    return Math.max(...(bytes as number[]));
}

/** Requests of the redis container: the default CPU, memory = the largest maxmemory + overhead (in Mi, rounded up). */
export function redisRequests(settings: ResolvedRedisSettings): Requests {
    const max = largestMaxmemory(settings);
    if (max === undefined) return { ...DEFAULT_REQUESTS.redis.redis };
    return { cpu: DEFAULT_REQUESTS.redis.redis.cpu, memory: `${Math.ceil((max + REDIS_MEMORY_OVERHEAD) / MIB)}Mi` };
}
