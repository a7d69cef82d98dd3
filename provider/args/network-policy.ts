/**
 * `networkPolicy`: the NetworkPolicy the component puts in front of its pods (beyond the upstream
 * spec). On by default; the peers are Kubernetes `NetworkPolicyPeer`s without `ipBlock`.
 *
 * Validation follows the API server's, so that nothing the component renders is refused by the
 * cluster (kubernetes/kubernetes `pkg/apis/networking/validation/validation.go`
 * `ValidateNetworkPolicyPeer`: a peer needs a podSelector or a namespaceSelector;
 * `staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go` `ValidateLabelSelector`,
 * `ValidateLabelSelectorRequirement`: In/NotIn need values, Exists/DoesNotExist take none, keys are
 * qualified names (`IsQualifiedName`), values label values (`IsValidLabelValue`)).
 */
import { at, fail } from "./errors";
import { describe, optionalArray, optionalBoolean, optionalObject, optionalStringMap, rejectUnknownKeys, requiredString } from "./values";

/** A label selector requirement, as Kubernetes' `LabelSelectorRequirement`. */
export interface ResolvedSelectorRequirement {
    key: string;
    operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
    values?: string[];
}

/** A label selector; `{}` selects everything. */
export interface ResolvedLabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: ResolvedSelectorRequirement[];
}

/** A NetworkPolicyPeer: pods (of the service's namespace unless `namespaceSelector`) and/or namespaces. */
export interface ResolvedPeer {
    podSelector?: ResolvedLabelSelector;
    namespaceSelector?: ResolvedLabelSelector;
}

/** The network policy with defaults applied; `undefined` when disabled. */
export interface ResolvedNetworkPolicy {
    /** Who may use the client ports (4222; Redis 6379 and Sentinel 26379). */
    clientPeers: ResolvedPeer[];
    /** Who may read the metrics port (7777 / 9121). */
    metricsPeers: ResolvedPeer[];
    /** Who may read the JetStream monitoring port 8222 (empty: no pod, only the node). Empty for Redis. */
    monitorPeers: ResolvedPeer[];
}

/** Default clients: every pod of the service's namespace. */
export const DEFAULT_CLIENT_PEERS: ResolvedPeer[] = [{ podSelector: {} }];
/** Default metrics readers: every pod of every namespace (Prometheus lives elsewhere). */
export const DEFAULT_METRICS_PEERS: ResolvedPeer[] = [{ namespaceSelector: {} }];
/**
 * Default readers of the JetStream monitoring port 8222: the Numaflow UI server's pods, in any
 * namespace (it reads `http://<podIP>:8222/jsz` for its ISB view: numaproj/numaflow
 * `server/apis/v1/jetstream_monitor.go` `fetchJetStreamInfo`; its pods carry these labels in
 * `config/base/numaflow-server/numaflow-server-deployment.yaml`). Nothing else needs 8222 from
 * another pod: the kubelet's probes come from the node, the exporter reads localhost.
 */
export const DEFAULT_MONITOR_PEERS: ResolvedPeer[] = [
    {
        namespaceSelector: {},
        podSelector: { matchLabels: { "app.kubernetes.io/name": "numaflow-ux", "app.kubernetes.io/part-of": "numaflow" } },
    },
];

const OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"] as const;
const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A qualified name (label key): `[prefix/]name`, name ≤ 63 characters, prefix a DNS-1123 subdomain ≤ 253 (`IsQualifiedName`). */
export function isQualifiedName(key: string): boolean {
    const parts = key.split("/");
    if (parts.length > 2) return false;
    const name = parts[parts.length - 1];
    if (name.length === 0 || name.length > 63 || !NAME_PART.test(name)) return false;
    if (parts.length === 2) return parts[0].length > 0 && parts[0].length <= 253 && DNS1123_SUBDOMAIN.test(parts[0]);
    return true;
}

/** A label value: empty, or ≤ 63 characters of alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric (`IsValidLabelValue`). */
export function isLabelValue(value: string): boolean {
    return value === "" || (value.length <= 63 && NAME_PART.test(value));
}

function labelKey(key: string, path: string): string {
    if (!isQualifiedName(key)) {
        fail(
            path,
            "must be a label key: an optional DNS-1123 subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', " +
                `starting and ending with a letter or digit, got ${JSON.stringify(key)}`,
        );
    }
    return key;
}

function labelValue(value: string, path: string): string {
    if (!isLabelValue(value)) {
        fail(
            path,
            `must be a label value (at most 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric), got ${JSON.stringify(value)}`,
        );
    }
    return value;
}

function resolveRequirement(raw: unknown, path: string): ResolvedSelectorRequirement {
    const obj = optionalObject(raw, path);
    if (obj === undefined) fail(path, "must be an object { key, operator, values? }");
    rejectUnknownKeys(obj, ["key", "operator", "values"], path);
    const key = labelKey(requiredString(obj.key, at(path, "key")), at(path, "key"));
    const operator = requiredString(obj.operator, at(path, "operator"));
    if (!(OPERATORS as readonly string[]).includes(operator)) {
        fail(at(path, "operator"), `must be one of ${OPERATORS.join(", ")}, got ${JSON.stringify(operator)}`);
    }
    const values = (optionalArray(obj.values, at(path, "values")) ?? []).map((v, i) => {
        if (typeof v !== "string") fail(at(at(path, "values"), i), `must be a string, got ${describe(v)}`);
        return labelValue(v, at(at(path, "values"), i));
    });
    if ((operator === "In" || operator === "NotIn") && values.length === 0) {
        fail(at(path, "values"), `must be non-empty when operator is ${operator}`);
    }
    if ((operator === "Exists" || operator === "DoesNotExist") && values.length > 0) {
        fail(at(path, "values"), `must be empty when operator is ${operator}`);
    }
    return { key, operator: operator as ResolvedSelectorRequirement["operator"], ...(values.length > 0 && { values }) };
}

/** A label selector, validated; `{}` (or no fields) selects everything. */
export function resolveLabelSelector(raw: unknown, path: string): ResolvedLabelSelector {
    const obj = optionalObject(raw, path);
    if (obj === undefined) fail(path, "must be a label selector object { matchLabels?, matchExpressions? }");
    rejectUnknownKeys(obj, ["matchLabels", "matchExpressions"], path);
    const labels = optionalStringMap(obj.matchLabels, at(path, "matchLabels"));
    if (labels) {
        for (const [k, v] of Object.entries(labels)) {
            labelKey(k, at(at(path, "matchLabels"), k));
            labelValue(v, at(at(path, "matchLabels"), k));
        }
    }
    const exprs = (optionalArray(obj.matchExpressions, at(path, "matchExpressions")) ?? []).map((e, i) =>
        resolveRequirement(e, at(at(path, "matchExpressions"), i)),
    );
    return {
        ...(labels && Object.keys(labels).length > 0 && { matchLabels: labels }),
        ...(exprs.length > 0 && { matchExpressions: exprs }),
    };
}

/** Peers of `path`; with `emptyCloses` an empty list means "no pod" (the rule is left out), else it is an error. */
function resolvePeers(raw: unknown, path: string, fallback: ResolvedPeer[], emptyCloses = false): ResolvedPeer[] {
    const list = optionalArray(raw, path);
    if (list === undefined) return fallback;
    if (list.length === 0 && emptyCloses) return [];
    if (list.length === 0) {
        // An ingress rule with an empty `from` admits every source (NetworkPolicyIngressRule.from):
        // never render one by accident.
        fail(
            path,
            "must list at least one peer (in Kubernetes an empty list admits every source); " +
                "to admit every pod of every namespace write [{ namespaceSelector: {} }]",
        );
    }
    return list.map((item, i) => {
        const p = at(path, i);
        const obj = optionalObject(item, p);
        if (obj === undefined) fail(p, `must be an object { podSelector?, namespaceSelector? }, got ${describe(item)}`);
        rejectUnknownKeys(obj, ["podSelector", "namespaceSelector"], p);
        const hasPod = obj.podSelector !== undefined && obj.podSelector !== null;
        const hasNs = obj.namespaceSelector !== undefined && obj.namespaceSelector !== null;
        if (!hasPod && !hasNs) fail(p, "must set podSelector, namespaceSelector or both (ValidateNetworkPolicyPeer: must specify a peer)");
        return {
            ...(hasPod && { podSelector: resolveLabelSelector(obj.podSelector, at(p, "podSelector")) }),
            ...(hasNs && { namespaceSelector: resolveLabelSelector(obj.namespaceSelector, at(p, "namespaceSelector")) }),
        };
    });
}

/** Resolves `networkPolicy` of a JetStream (`jetstream`) or Redis service; `undefined` when `enabled` is false. */
export function resolveNetworkPolicy(raw: unknown, path: string, jetstream: boolean): ResolvedNetworkPolicy | undefined {
    const obj = optionalObject(raw, path) ?? {};
    rejectUnknownKeys(obj, ["enabled", "clientSelectors", "metricsSelectors", "monitorSelectors"], path);
    const enabled = optionalBoolean(obj.enabled, at(path, "enabled")) ?? true;
    const clientPeers = resolvePeers(obj.clientSelectors, at(path, "clientSelectors"), DEFAULT_CLIENT_PEERS);
    const metricsPeers = resolvePeers(obj.metricsSelectors, at(path, "metricsSelectors"), DEFAULT_METRICS_PEERS);
    if (!jetstream && obj.monitorSelectors !== undefined && obj.monitorSelectors !== null) {
        fail(at(path, "monitorSelectors"), "applies to JetStream only (its monitoring port 8222); Redis has no such port");
    }
    const monitorPeers = jetstream ? resolvePeers(obj.monitorSelectors, at(path, "monitorSelectors"), DEFAULT_MONITOR_PEERS, true) : [];
    return enabled ? { clientPeers, metricsPeers, monitorPeers } : undefined;
}
