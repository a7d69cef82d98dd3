/**
 * The native Redis version catalogue. Our start scripts are our own (POSIX sh, redis-cli), so the
 * official `redis` images serve both the server and Sentinel; upstream's Bitnami images are frozen.
 */

/** Images of one catalogue entry. */
export interface RedisVersion {
    version: string;
    redisImage: string;
    sentinelImage: string;
    redisExporterImage: string;
    /** Redis release as [major, minor]. */
    server: [number, number];
}

function entry(version: string, exporter: string): RedisVersion {
    const [major, minor] = version.split(".").map(Number);
    return {
        version,
        redisImage: `redis:${version}`,
        sentinelImage: `redis:${version}`,
        redisExporterImage: `oliver006/redis_exporter:${exporter}`,
        server: [major, minor],
    };
}

/** Supported versions. Hostname-based Sentinel needs 6.2 or newer. */
export const REDIS_VERSIONS: readonly RedisVersion[] = [entry("6.2.6", "v1.33.0"), entry("7.0.11", "v1.50.0"), entry("7.0.15", "v1.56.0")];

export function findRedisVersion(version: string): RedisVersion | undefined {
    return REDIS_VERSIONS.find((v) => v.version === version);
}
