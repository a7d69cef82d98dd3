/**
 * Prometheus Operator objects (`monitoring.coreos.com/v1`) of an ISB service with `monitoring`
 * enabled: a PodMonitor or ServiceMonitor for the `metrics` containers and a PrometheusRule with
 * the alerts of monitoring-rules.ts. Nothing here is rendered unless monitoring is enabled: the
 * CRDs may not exist, and the API server refuses objects of an unknown kind.
 *
 * Endpoints (prometheus-operator `PodMetricsEndpoint` / `Endpoint`): the container port named
 * `metrics` (JetStream 7777, prometheus-nats-exporter; Redis 9121, redis_exporter). Redis has a
 * second endpoint on the same port: redis_exporter's `/scrape?target=` (`exporter/http.go`
 * `scrapeHandler`, which reuses the exporter's options: the password from `REDIS_PASSWORD`, the user,
 * the TLS CA) pointed at the pod's own Sentinel, which answers with the same password
 * (scripts/redis/start-sentinel.sh `requirepass`). Both endpoints scrape the same address, so each
 * sets a target label ({@link SCRAPE_TARGET_LABEL}) to keep their series apart.
 */
import { ResolvedJetStreamService, ResolvedNativeRedisService } from "../args/resolve";
import { ResolvedMonitoring } from "../args/monitoring";
import { K8sObject } from "./k8s-types";
import { objectLabels, selectorLabels } from "./labels";
import { AlertRule, jetStreamAlertRules, redisAlertRules, SCRAPE_TARGET_LABEL } from "./monitoring-rules";
import { REDIS_PORTS } from "./redis/layout";

export const MONITORING_API_VERSION = "monitoring.coreos.com/v1";

type MonitoredService = ResolvedJetStreamService | ResolvedNativeRedisService;

function meta(svc: MonitoredService, m: ResolvedMonitoring, name: string, namespace: string): K8sObject["metadata"] {
    const type = svc.type === "jetstream" ? "jetstream" : "redis";
    // The user's labels (e.g. the one the Prometheus selects monitors by); ours win on conflict.
    return { name, namespace, labels: { ...m.labels, ...objectLabels(svc.name, type) } };
}

/** Names of the monitor and the rule: `<StatefulSet>-monitor`, `<StatefulSet>-alerts`. */
export function monitoringNames(svc: MonitoredService): { monitor: string; rule: string } {
    return { monitor: `${svc.names.statefulSet}-monitor`, rule: `${svc.names.statefulSet}-alerts` };
}

/** The scrape endpoints, as PodMonitor `podMetricsEndpoints` or ServiceMonitor `endpoints` (same fields). */
export function scrapeEndpoints(svc: MonitoredService, m: ResolvedMonitoring): Record<string, unknown>[] {
    const base = { port: "metrics", path: "/metrics", ...(m.interval !== undefined && { interval: m.interval }) };
    if (svc.type === "jetstream") return [base];
    const label = (value: string) => [{ action: "replace", targetLabel: SCRAPE_TARGET_LABEL, replacement: value }];
    const scheme = svc.redis.tls ? "rediss" : "redis";
    return [
        { ...base, relabelings: label("redis") },
        {
            ...base,
            path: "/scrape",
            params: { target: [`${scheme}://localhost:${REDIS_PORTS.sentinel}`] },
            relabelings: label("sentinel"),
        },
    ];
}

/** The PodMonitor or ServiceMonitor; undefined when monitoring is off. */
export function renderMonitor(svc: MonitoredService, namespace: string): K8sObject | undefined {
    const m = svc.monitoring;
    if (!m) return undefined;
    const type = svc.type === "jetstream" ? "jetstream" : "redis";
    const selector = { matchLabels: selectorLabels(svc.name, type) };
    const endpoints = scrapeEndpoints(svc, m);
    const spec =
        m.kind === "PodMonitor"
            ? { selector, podMetricsEndpoints: endpoints }
            : // Selects the Services of the service; only the one with a `metrics` port yields targets.
              { selector, endpoints };
    return { apiVersion: MONITORING_API_VERSION, kind: m.kind, metadata: meta(svc, m, monitoringNames(svc).monitor, namespace), spec };
}

/** The alerting rules of the service. */
export function alertRules(svc: MonitoredService, namespace: string): AlertRule[] {
    return svc.type === "jetstream" ? jetStreamAlertRules(svc, namespace) : redisAlertRules(svc, namespace);
}

/** The PrometheusRule; undefined when monitoring is off. */
export function renderPrometheusRule(svc: MonitoredService, namespace: string): K8sObject | undefined {
    const m = svc.monitoring;
    if (!m) return undefined;
    const group = `isbsvc-${svc.name}-${svc.type === "jetstream" ? "jetstream" : "redis"}`;
    return {
        apiVersion: MONITORING_API_VERSION,
        kind: "PrometheusRule",
        metadata: meta(svc, m, monitoringNames(svc).rule, namespace),
        spec: { groups: [{ name: group, rules: alertRules(svc, namespace) }] },
    };
}
