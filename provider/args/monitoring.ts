/**
 * `monitoring` (beyond the upstream spec): Prometheus Operator objects for the exporters the pods
 * already run, off by default (the CRDs may not exist in the cluster).
 */
import { at, fail } from "./errors";
import { optionalBoolean, optionalObject, optionalString, optionalStringMap, rejectUnknownKeys } from "./values";

export type MonitorKind = "PodMonitor" | "ServiceMonitor";

/** Resolved monitoring options; `undefined` when monitoring is off. */
export interface ResolvedMonitoring {
    kind: MonitorKind;
    /** Extra labels of the monitor and the PrometheusRule (to match the Prometheus' selectors). */
    labels: Record<string, string>;
    /** Scrape interval; undefined leaves Prometheus' default. */
    interval?: string;
}

/**
 * A Prometheus duration as the Prometheus Operator CRDs accept it (`monitoringv1.Duration`, the
 * kubebuilder pattern of prometheus-operator `pkg/apis/monitoring/v1/types.go`), e.g. `30s`, `1m30s`.
 */
export const PROMETHEUS_DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;

const FIELDS = ["enabled", "kind", "labels", "interval"];

/** `monitoring`; `external` is true for an external Redis, which runs no exporter to monitor. */
export function resolveMonitoring(raw: unknown, path: string, external: boolean): ResolvedMonitoring | undefined {
    const obj = optionalObject(raw, path) ?? {};
    rejectUnknownKeys(obj, FIELDS, path);
    const enabled = optionalBoolean(obj.enabled, at(path, "enabled")) ?? false;
    const kind = optionalString(obj.kind, at(path, "kind")) ?? "PodMonitor";
    if (kind !== "PodMonitor" && kind !== "ServiceMonitor") {
        fail(at(path, "kind"), `must be "PodMonitor" or "ServiceMonitor", got ${JSON.stringify(kind)}`);
    }
    const labels = optionalStringMap(obj.labels, at(path, "labels")) ?? {};
    const interval = optionalString(obj.interval, at(path, "interval"));
    if (interval !== undefined && (interval === "" || !PROMETHEUS_DURATION.test(interval))) {
        fail(at(path, "interval"), `must be a Prometheus duration such as "30s" or "1m", got ${JSON.stringify(interval)}`);
    }
    if (!enabled) return undefined;
    if (external) fail(at(path, "enabled"), "cannot be true for an external Redis: the component runs no exporter for it");
    return { kind, labels, ...(interval !== undefined && { interval }) };
}
