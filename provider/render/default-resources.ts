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
 * - Redis `redis`: 100m CPU, 576Mi — the default `maxmemory 512mb` plus 64 MiB of overhead, so the
 *   scheduler reserves what Redis is configured to hold. Raise it with `maxmemory`; an AOF rewrite
 *   forks, and copy-on-write pages come on top.
 * - Sidecars (`reloader`, `sentinel`, both `metrics` exporters): 10m CPU and 16–32Mi — each is a
 *   single small process (a file watcher, Sentinel, an exporter answering a scrape every interval).
 */

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
