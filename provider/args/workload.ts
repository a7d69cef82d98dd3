/**
 * Resolution of the spec parts JetStream and native Redis share: persistence, container
 * templates and the pod template. Inputs are validated and copied into plain, sorted
 * structures so that rendering is deterministic.
 */
import { at, fail } from "./errors";
import { ContainerTemplateArgs, PersistenceArgs, PodTemplateArgs, ProbeArgs } from "./types";
import {
    describe,
    dns1123Subdomain,
    optionalArray,
    optionalBoolean,
    optionalData,
    optionalInteger,
    optionalObject,
    optionalString,
    optionalStringMap,
    positiveQuantity,
    rejectOutput,
    rejectUnknownKeys,
    requiredString,
    RESERVED_KEYS,
} from "./values";

/** Persistence with defaults applied. */
export interface ResolvedPersistence {
    storageClassName?: string;
    accessMode: string;
    volumeSize: string;
}

export const DEFAULT_VOLUME_SIZE = "20Gi";
export const DEFAULT_ACCESS_MODE = "ReadWriteOnce";
const ACCESS_MODES = ["ReadWriteOnce", "ReadWriteOncePod", "ReadWriteMany"];

export function resolvePersistence(raw: unknown, path: string): ResolvedPersistence | undefined {
    const obj = optionalObject(raw, path) as PersistenceArgs | undefined;
    if (obj === undefined) return undefined;
    rejectUnknownKeys(obj as Record<string, unknown>, ["storageClassName", "accessMode", "volumeSize"], path);
    const storageClassName = optionalString(obj.storageClassName, at(path, "storageClassName"));
    if (storageClassName !== undefined) dns1123Subdomain(storageClassName, at(path, "storageClassName"));
    const accessMode = optionalString(obj.accessMode, at(path, "accessMode")) ?? DEFAULT_ACCESS_MODE;
    if (!ACCESS_MODES.includes(accessMode)) {
        const why = accessMode === "ReadOnlyMany" ? " (a buffer store must be writable)" : "";
        fail(at(path, "accessMode"), `must be one of ${ACCESS_MODES.join(", ")}${why}, got ${JSON.stringify(accessMode)}`);
    }
    const volumeSize = obj.volumeSize === undefined ? DEFAULT_VOLUME_SIZE : positiveQuantity(obj.volumeSize, at(path, "volumeSize"));
    return { storageClassName, accessMode, volumeSize };
}

/** Probe timing overrides, validated. */
export type ResolvedProbe = ProbeArgs;

const PROBE_FIELDS = ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "failureThreshold", "successThreshold"] as const;

function resolveProbe(raw: unknown, path: string): ResolvedProbe | undefined {
    const obj = optionalObject(raw, path);
    if (obj === undefined) return undefined;
    rejectUnknownKeys(obj, PROBE_FIELDS, path);
    const out: ResolvedProbe = {};
    for (const f of PROBE_FIELDS) {
        // int32 fields; their rules (non-negative, a liveness successThreshold of 1) are checked
        // with the other pod-template rules in pod-validation/container.ts.
        const v = optionalInteger(obj[f], at(path, f), -(2 ** 31), 2 ** 31 - 1);
        if (v !== undefined) out[f] = v;
    }
    return out;
}

/** Container customisation, validated. */
export interface ResolvedContainerTemplate {
    resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
    imagePullPolicy?: string;
    securityContext?: Record<string, unknown>;
    env: { name: string; value?: string; valueFrom?: Record<string, unknown> }[];
    envFrom: Record<string, unknown>[];
    readinessProbe?: ResolvedProbe;
    livenessProbe?: ResolvedProbe;
}

const CONTAINER_FIELDS = ["resources", "imagePullPolicy", "securityContext", "env", "envFrom", "readinessProbe", "livenessProbe"];

function resolveQuantityMap(raw: unknown, path: string): Record<string, string> | undefined {
    const obj = optionalObject(raw, path);
    if (obj === undefined) return undefined;
    const out: Record<string, string> = {};
    for (const key of Object.keys(obj).sort()) {
        if (RESERVED_KEYS.has(key)) fail(at(path, key), "is a reserved name, not a resource");
        // Names and quantities follow the apiserver's rules (pod-validation/resources.ts).
        const v = obj[key];
        rejectOutput(v, at(path, key));
        if (typeof v !== "string" && typeof v !== "number")
            fail(at(path, key), `must be a Kubernetes quantity such as "500m" or "1Gi", got ${describe(v)}`);
        out[key] = String(v);
    }
    return out;
}

function resolveResources(raw: unknown, path: string): ResolvedContainerTemplate["resources"] {
    const obj = optionalObject(raw, path);
    if (obj === undefined) return undefined;
    rejectUnknownKeys(obj, ["limits", "requests"], path);
    const limits = resolveQuantityMap(obj.limits, at(path, "limits"));
    const requests = resolveQuantityMap(obj.requests, at(path, "requests"));
    return { ...(limits && { limits }), ...(requests && { requests }) };
}

/**
 * A container template's env: valid names, each at most once (env is a list keyed by name; server-side
 * apply refuses duplicates), none of the names the component manages (`reserved`).
 */
function resolveEnv(raw: unknown, path: string, reserved: readonly string[]): ResolvedContainerTemplate["env"] {
    const list = optionalArray(raw, path) ?? [];
    const seen = new Set<string>();
    return list.map((item, i) => {
        const p = at(path, i);
        const obj = optionalObject(item, p);
        if (obj === undefined) fail(p, "must be an object with a name");
        rejectUnknownKeys(obj, ["name", "value", "valueFrom"], p);
        const name = requiredString(obj.name, at(p, "name"));
        // apimachinery IsRelaxedEnvVarName (the apiserver's rule since RelaxedEnvironmentVariableValidation, GA in 1.34).
        if (!/^[\x20-\x3c\x3e-\x7e]+$/.test(name))
            fail(
                at(p, "name"),
                `must be a valid environment variable name (printable ASCII characters other than '='), got ${JSON.stringify(name)}`,
            );
        if (seen.has(name)) fail(at(p, "name"), `names ${name} a second time (env is keyed by name; Kubernetes refuses duplicates)`);
        seen.add(name);
        if (reserved.includes(name)) {
            fail(
                at(p, "name"),
                `names ${name}, which the component sets (a credential, key or the server's wiring) and which cannot be overridden`,
            );
        }
        const value = optionalString(obj.value, at(p, "value"), true);
        const valueFrom = optionalData(obj.valueFrom, at(p, "valueFrom"));
        if (value !== undefined && valueFrom !== undefined) fail(p, "may set value or valueFrom, not both");
        return { name, ...(value !== undefined && { value }), ...(valueFrom && { valueFrom }) };
    });
}

/** A container template; `reservedEnv` are the env names the component manages for this flavour. */
export function resolveContainerTemplate(raw: unknown, path: string, reservedEnv: readonly string[] = []): ResolvedContainerTemplate {
    const obj = (optionalObject(raw, path) ?? {}) as Record<string, unknown> & ContainerTemplateArgs;
    rejectUnknownKeys(obj, CONTAINER_FIELDS, path);
    const imagePullPolicy = optionalString(obj.imagePullPolicy, at(path, "imagePullPolicy"));
    const envFrom = (optionalArray(obj.envFrom, at(path, "envFrom")) ?? []).map((e, i) => {
        const o = optionalData(e, at(at(path, "envFrom"), i));
        if (o === undefined) fail(at(at(path, "envFrom"), i), "must be an object");
        return o;
    });
    return {
        resources: resolveResources(obj.resources, at(path, "resources")),
        imagePullPolicy,
        securityContext: optionalData(obj.securityContext, at(path, "securityContext")),
        env: resolveEnv(obj.env, at(path, "env"), reservedEnv),
        envFrom,
        readinessProbe: resolveProbe(obj.readinessProbe, at(path, "readinessProbe")),
        livenessProbe: resolveProbe(obj.livenessProbe, at(path, "livenessProbe")),
    };
}

/** Pod-level customisation, validated. */
export interface ResolvedPodTemplate {
    labels: Record<string, string>;
    annotations: Record<string, string>;
    nodeSelector?: Record<string, string>;
    tolerations?: Record<string, unknown>[];
    securityContext?: Record<string, unknown>;
    imagePullSecrets?: { name: string }[];
    priorityClassName?: string;
    priority?: number;
    affinity?: Record<string, unknown>;
    topologySpreadConstraints?: Record<string, unknown>[];
    serviceAccountName?: string;
    runtimeClassName?: string;
    automountServiceAccountToken: boolean;
    dnsPolicy?: string;
    dnsConfig?: Record<string, unknown>;
    resourceClaims?: Record<string, unknown>[];
}

/** Keys of {@link PodTemplateArgs}. */
export const POD_TEMPLATE_FIELDS = [
    "metadata",
    "nodeSelector",
    "tolerations",
    "securityContext",
    "imagePullSecrets",
    "priorityClassName",
    "priority",
    "affinity",
    "topologySpreadConstraints",
    "serviceAccountName",
    "runtimeClassName",
    "automountServiceAccountToken",
    "dnsPolicy",
    "dnsConfig",
    "resourceClaims",
];

function objectList(raw: unknown, path: string): Record<string, unknown>[] | undefined {
    const list = optionalArray(raw, path);
    return list?.map((item, i) => {
        const o = optionalData(item, at(path, i));
        if (o === undefined) fail(at(path, i), `must be an object, got ${describe(item)}`);
        return o;
    });
}

function resolveMetadata(raw: unknown, path: string): { labels: Record<string, string>; annotations: Record<string, string> } {
    const obj = optionalObject(raw, path) ?? {};
    rejectUnknownKeys(obj, ["labels", "annotations"], path);
    return {
        labels: optionalStringMap(obj.labels, at(path, "labels")) ?? {},
        annotations: optionalStringMap(obj.annotations, at(path, "annotations")) ?? {},
    };
}

export function resolvePodTemplate(obj: PodTemplateArgs & Record<string, unknown>, path: string): ResolvedPodTemplate {
    const { labels, annotations } = resolveMetadata(obj.metadata, at(path, "metadata"));
    // Types only here: the apiserver's rules for these fields are checked, all problems together,
    // in pod-validation/ (called by resolve.ts once the whole spec is resolved).
    const dnsPolicy = optionalString(obj.dnsPolicy, at(path, "dnsPolicy"));
    const imagePullSecrets = objectList(obj.imagePullSecrets, at(path, "imagePullSecrets"))?.map((s, i) => ({
        name: requiredString(s.name, at(at(at(path, "imagePullSecrets"), i), "name")),
    }));
    const serviceAccountName = optionalString(obj.serviceAccountName, at(path, "serviceAccountName"));
    return {
        labels,
        annotations,
        nodeSelector: optionalStringMap(obj.nodeSelector, at(path, "nodeSelector")),
        tolerations: objectList(obj.tolerations, at(path, "tolerations")),
        securityContext: optionalData(obj.securityContext, at(path, "securityContext")),
        imagePullSecrets,
        priorityClassName: optionalString(obj.priorityClassName, at(path, "priorityClassName")),
        priority: optionalInteger(obj.priority, at(path, "priority"), -(2 ** 31), 2 ** 31 - 1),
        affinity: optionalData(obj.affinity, at(path, "affinity")),
        topologySpreadConstraints: objectList(obj.topologySpreadConstraints, at(path, "topologySpreadConstraints")),
        serviceAccountName,
        runtimeClassName: optionalString(obj.runtimeClassName, at(path, "runtimeClassName")),
        automountServiceAccountToken: optionalBoolean(obj.automountServiceAccountToken, at(path, "automountServiceAccountToken")) ?? false,
        dnsPolicy,
        dnsConfig: optionalData(obj.dnsConfig, at(path, "dnsConfig")),
        resourceClaims: objectList(obj.resourceClaims, at(path, "resourceClaims")),
    };
}
