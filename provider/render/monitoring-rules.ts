/**
 * Alerting rules of the PrometheusRule (issue 13, item 2), in PromQL over the metrics of the
 * exporters the pods run. Metric names are read from the exporters' source at the versions of the
 * catalogues (args/jetstream-versions.ts, args/redis-versions.ts):
 *
 * - prometheus-nats-exporter v0.9.1 and v0.19.2, run with `-jsz=all -prefix=nats`: the JetStream
 *   collector (`collector/jsz.go` `newJszCollector`) names its metrics
 *   `BuildFQName(system, "server" | "stream", …)` with `system` = the prefix (`collector/collector.go`
 *   `getSystem`): `nats_server_total_streams`, `nats_server_total_message_bytes`,
 *   `nats_server_max_storage`, `nats_stream_total_messages`. Server metrics carry `meta_leader` and
 *   `is_meta_leader` ("true" when `jsz.meta.leader` is this server's name; "true" without a meta
 *   group, i.e. standalone), stream metrics `account` and `stream_name` (`Collect`). A server reports
 *   every stream it holds a replica of: the exporter asks `/jsz?consumers=true` (0.9.1; 0.19.2 adds
 *   `&config=true&raft=true`), never `leader_only`, and nats-server's `server/monitor.go`
 *   `accountDetail` (v2.10.29) lists every local stream of the account (`jsa.streams`), skipping
 *   followers only when `stream_leader_only` is asked. So the number of servers reporting a stream
 *   is the number of its replicas present.
 * - redis_exporter v1.33.0, v1.50.0, v1.56.0 (namespace `redis`, `main.go` `-namespace`):
 *   `redis_master_link_up` (`exporter/info.go`, replicas only), `redis_connected_slave_lag_seconds`
 *   (`info.go`, on the master, per replica), `redis_memory_used_bytes` / `redis_memory_max_bytes`
 *   (`exporter/exporter.go` metric map: `used_memory`, `maxmemory`), and, scraping a Sentinel,
 *   `redis_sentinel_master_sentinels` and `redis_sentinel_master_ok_sentinels`
 *   (`exporter/sentinels.go`: the Sentinel itself plus the others not flagged `s_down`/`o_down`).
 *
 * Every rule selects the service's own pods: `namespace` and `pod` are the target labels the
 * Prometheus Operator adds to every PodMonitor and ServiceMonitor target.
 */
import { parseQuantity } from "../args/values";
import { parseNatsSize } from "../args/jetstream-settings";
import { MASTER_NAME } from "../args/redis-settings";
import { ResolvedJetStreamService, ResolvedNativeRedisService } from "../args/resolve";

/** One alerting rule, as the PrometheusRule's `spec.groups[].rules[]` holds it. */
export interface AlertRule {
    alert: string;
    expr: string;
    for: string;
    labels: { severity: "critical" | "warning" };
    annotations: { summary: string; description: string };
}

/** Target label the Redis monitor endpoints set: `redis` (the server) or `sentinel` (scraped through `/scrape`). */
export const SCRAPE_TARGET_LABEL = "isbsvc_target";

/** Share of a storage limit above which the storage alert fires. */
export const STORAGE_ALERT_RATIO = 0.8;
/** Share of `maxmemory` above which the Redis memory alert fires. */
export const MEMORY_ALERT_RATIO = 0.9;
/** Replica lag (seconds since the replica's last acknowledgement) above which the lag alert fires. */
export const REPLICA_LAG_SECONDS = 10;

function podSelector(namespace: string, statefulSet: string): string {
    return `namespace="${namespace}",pod=~"${statefulSet}-[0-9]+"`;
}

/** Replicas the streams and KV buckets are configured with (`bufferConfig`). */
function configuredReplicas(svc: ResolvedJetStreamService): { stream: number; bucket: number } {
    const c = svc.jetstream.bufferConfig as Record<string, Record<string, unknown>>;
    const n = (section: string) => Number(c[section]?.replicas ?? 1);
    return { stream: n("stream"), bucket: Math.min(n("otbucket"), n("procbucket")) };
}

/** The smallest known storage limit in bytes: `max_file_store` and, with persistence, the volume size. */
export function jetStreamStorageLimit(svc: ResolvedJetStreamService): number | undefined {
    const limits: number[] = [];
    const store = parseNatsSize(svc.jetstream.settings.values.max_file_store);
    if (store !== undefined && store > 0) limits.push(store);
    const volume = svc.jetstream.persistence ? parseQuantity(svc.jetstream.persistence.volumeSize) : undefined;
    if (volume !== undefined && volume > 0) limits.push(volume);
    return limits.length ? Math.min(...limits) : undefined;
}

export function jetStreamAlertRules(svc: ResolvedJetStreamService, namespace: string): AlertRule[] {
    const sel = podSelector(namespace, svc.names.statefulSet);
    const who = `ISB service ${svc.name} (${namespace})`;
    const replicas = svc.jetstream.replicas;
    const r = configuredReplicas(svc);
    const limit = jetStreamStorageLimit(svc);
    const rules: AlertRule[] = [];
    if (replicas > 1) {
        rules.push({
            alert: "IsbJetStreamNoMetaLeader",
            expr: `count(nats_server_total_streams{${sel}}) unless count(nats_server_total_streams{${sel},is_meta_leader="true"})`,
            for: "2m",
            labels: { severity: "critical" },
            annotations: {
                summary: `JetStream of ${who} has no meta leader`,
                description:
                    "No server reports itself as the JetStream meta leader: streams and consumers cannot be created or changed. " +
                    "Usually fewer than a majority of the servers are up or they cannot reach each other on the route port.",
            },
        });
    }
    rules.push({
        alert: "IsbJetStreamStreamUnderReplicated",
        expr:
            `count by (account, stream_name) (nats_stream_total_messages{${sel},stream_name!~"KV_.*"}) < ${r.stream}` +
            ` or count by (account, stream_name) (nats_stream_total_messages{${sel},stream_name=~"KV_.*"}) < ${r.bucket}`,
        for: "5m",
        labels: { severity: "warning" },
        annotations: {
            summary: `Stream {{ $labels.stream_name }} of ${who} has fewer replicas than configured`,
            description:
                `Only {{ $value }} servers hold stream {{ $labels.stream_name }}; buffers are configured with ${r.stream} replicas ` +
                `and KV buckets with ${r.bucket}. A server is down or has not caught up; one more loss may lose acknowledged messages.`,
        },
    });
    const storageExprs = [
        `max by (pod) (nats_server_total_message_bytes{${sel}} / (nats_server_max_storage{${sel}} > 0)) > ${STORAGE_ALERT_RATIO}`,
    ];
    if (limit !== undefined) {
        storageExprs.push(`max by (pod) (nats_server_total_message_bytes{${sel}}) > ${Math.floor(STORAGE_ALERT_RATIO * limit)}`);
    }
    rules.push({
        alert: "IsbJetStreamStorageHigh",
        expr: storageExprs.join(" or "),
        for: "10m",
        labels: { severity: "warning" },
        annotations: {
            summary: `JetStream storage of {{ $labels.pod }} (${who}) is above ${STORAGE_ALERT_RATIO * 100}% of its limit`,
            description:
                `Stored bytes exceed ${STORAGE_ALERT_RATIO * 100}% of max_file_store` +
                (svc.jetstream.persistence ? ` or of the volume (${svc.jetstream.persistence.volumeSize})` : "") +
                ". At the limit, publishes fail. Lower maxAge/maxMsgs/maxBytes in bufferConfig or grow the store.",
        },
    });
    rules.push({
        alert: "IsbJetStreamServerNotReady",
        expr: `(count(nats_server_total_streams{${sel}}) or vector(0)) < ${replicas}`,
        for: "5m",
        labels: { severity: replicas > 1 ? "warning" : "critical" },
        annotations: {
            summary: `A JetStream server of ${who} is not serving`,
            description:
                `{{ $value }} of ${replicas} servers report JetStream through their exporter: a pod is down, not started, ` +
                "or its server does not answer on the monitor port.",
        },
    });
    return rules;
}

export function redisAlertRules(svc: ResolvedNativeRedisService, namespace: string): AlertRule[] {
    const sel = podSelector(namespace, svc.names.statefulSet);
    const who = `ISB service ${svc.name} (${namespace})`;
    const q = svc.redis.quorum;
    const redis = `${sel},${SCRAPE_TARGET_LABEL}="redis"`;
    const sentinel = `${sel},${SCRAPE_TARGET_LABEL}="sentinel",master_name="${MASTER_NAME}"`;
    return [
        {
            alert: "IsbRedisMasterLinkDown",
            expr: `max by (pod) (redis_master_link_up{${redis}}) == 0`,
            for: "2m",
            labels: { severity: "critical" },
            annotations: {
                summary: `Replica {{ $labels.pod }} of ${who} lost its link to the master`,
                description:
                    "The replica does not replicate: its data falls behind, and writes that need min-replicas-to-write may be refused.",
            },
        },
        {
            alert: "IsbRedisSentinelsBelowQuorum",
            expr:
                `(count(redis_sentinel_master_sentinels{${sentinel}}) or vector(0)) < ${q}` +
                ` or max(redis_sentinel_master_ok_sentinels{${sentinel}}) < ${q}`,
            for: "2m",
            labels: { severity: "critical" },
            annotations: {
                summary: `Fewer Sentinels than the quorum (${q}) of ${who}`,
                description: `Fewer than ${q} Sentinels answer or see each other as up: a failed master would not be replaced.`,
            },
        },
        {
            alert: "IsbRedisReplicaLag",
            expr: `max by (pod, slave_ip, slave_port) (redis_connected_slave_lag_seconds{${redis}}) > ${REPLICA_LAG_SECONDS}`,
            for: "5m",
            labels: { severity: "warning" },
            annotations: {
                summary: `A replica of ${who} lags the master {{ $labels.pod }}`,
                description: `The replica at {{ $labels.slave_ip }} has not acknowledged replication for {{ $value }} s (replicas acknowledge every second).`,
            },
        },
        {
            alert: "IsbRedisMemoryNearMax",
            expr: `max by (pod) (redis_memory_used_bytes{${redis}} / (redis_memory_max_bytes{${redis}} > 0)) > ${MEMORY_ALERT_RATIO}`,
            for: "5m",
            labels: { severity: "warning" },
            annotations: {
                summary: `Redis {{ $labels.pod }} of ${who} is above ${MEMORY_ALERT_RATIO * 100}% of maxmemory`,
                description:
                    "At maxmemory Redis applies maxmemory-policy (allkeys-lru by default): it evicts buffered messages. Raise maxmemory " +
                    "(and the container's memory request) or drain the pipelines.",
            },
        },
    ];
}
