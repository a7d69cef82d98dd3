/**
 * pulumi-kubernetes' Check and Diff, as far as they decide same / update / replace / DBR.
 * Read at pulumi/pulumi-kubernetes 94977969d (2026-07-01, after v4.32.0; no 4.33/4.34 tag was
 * available — see /work/notes/day2-rules.md). Pure: no Pulumi imports.
 *
 * Simplification: the old live object, pruned to the old inputs, is taken to be the old inputs
 * (upstream `pruneLiveState(oldLive, oldInputs)`), i.e. the server echoed what we sent.
 */
import { PropertyMap, Value, clone, createMergePatch, deepEqual, encodeForPatch, isObject, isUnknown, jsonPathMatches } from "./values";

export type DiffKind = "add" | "add-replace" | "delete" | "delete-replace" | "update" | "update-replace";

export interface KubernetesConfig {
    /** `kubernetes:config:enableSecretMutable` (default false). */
    enableSecretMutable?: boolean;
    /** `kubernetes:config:enableConfigMapMutable` (default false). */
    enableConfigMapMutable?: boolean;
    /**
     * The provider's default namespace: `kubernetes:config:namespace`, else the kubeconfig context's
     * namespace, which client-go reports as "default" when unset (upstream `Configure`).
     * Default "default"; "" means none.
     */
    defaultNamespace?: string;
    /** `kubernetes:config:upsertExistingObjects` (default false). */
    upsertExistingObjects?: boolean;
    /** `kubernetes:config:enablePatchForce` (4.34; env `PULUMI_K8S_ENABLE_PATCH_FORCE` in 4.25; default false). */
    enablePatchForce?: boolean;
}

export interface KubernetesDiff {
    changes: "none" | "some";
    replaces: string[];
    detailedDiff: Record<string, DiffKind>;
    deleteBeforeReplace: boolean;
}

const CLUSTER_SCOPED = new Set([
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "StorageClass",
    "PersistentVolume",
    "CustomResourceDefinition",
    "PriorityClass",
]);

export function kindOf(inputs: PropertyMap): string {
    return typeof inputs.kind === "string" ? inputs.kind : "";
}

function metadataOf(obj: PropertyMap): Value | undefined {
    return obj.metadata;
}

/** `Unstructured.GetName/GetNamespace`: "" unless a string (an unknown reads as ""). apimachinery v0.36.2 `getNestedString`. */
export function nestedString(obj: PropertyMap, key: "name" | "namespace"): string {
    const md = metadataOf(obj);
    return isObject(md) && typeof md[key] === "string" ? (md[key] as string) : "";
}

/** `Unstructured.SetNamespace`: silently fails when `metadata` is not an object (`SetNestedField` error ignored). */
function setNamespace(obj: PropertyMap, ns: string): void {
    if (obj.metadata === undefined) obj.metadata = {};
    const md = obj.metadata;
    if (isObject(md)) md.namespace = ns;
}

/**
 * Check: fills the provider's default namespace into a namespaced object whose namespace reads as ""
 * — absent, empty **or unknown**. Upstream `provider.go` `Check` ("If a default namespace is set on
 * the provider…"), `GetNamespace` via apimachinery `getNestedString`.
 */
export function checkKubernetes(inputs: PropertyMap, config: KubernetesConfig = {}): PropertyMap {
    const out = clone(inputs);
    const ns = config.defaultNamespace ?? "default";
    if (ns !== "" && !CLUSTER_SCOPED.has(kindOf(out)) && nestedString(out, "namespace") === "") setNamespace(out, ns);
    return out;
}

/** `canonicalNamespace` applied in Diff to both sides of a namespaced object ("" → "default"). */
function canonicalize(obj: PropertyMap): PropertyMap {
    const out = clone(obj);
    if (CLUSTER_SCOPED.has(kindOf(out))) return out;
    setNamespace(out, nestedString(out, "namespace") || "default");
    return out;
}

const SELECTOR = (p: string) => [
    p,
    `${p}.matchExpressions`,
    `${p}.matchExpressions.key`,
    `${p}.matchExpressions.operator`,
    `${p}.matchExpressions.values`,
    `${p}.matchLabels`,
];

const CONTAINER_FIELDS = [
    "args",
    "command",
    "env",
    "env.value",
    "image",
    "imagePullPolicy",
    "lifecycle",
    "livenessProbe",
    "ports",
    "readinessProbe",
    "resources",
    "securityContext",
    "stdin",
    "stdinOnce",
    "terminationMessagePath",
    "terminationMessagePolicy",
    "tty",
    "volumeDevices",
    "volumeMounts",
    "workingDir",
];

/** Kind-specific force-new paths (subset: the kinds we create plus those of the upstream tests). Upstream `diff.go` `forceNew`. */
const FORCE_NEW: Record<string, string[]> = {
    "v1/Service": [".spec.clusterIP"],
    "v1/Secret": [".type"],
    "v1/PersistentVolumeClaim": [".spec.accessModes", ".spec.storageClassName", ".spec.volumeName", ...SELECTOR(".spec.selector")],
    "v1/Pod": [
        ".spec.affinity",
        ".spec.nodeSelector",
        ".spec.securityContext",
        ".spec.serviceAccountName",
        ".spec.terminationGracePeriodSeconds",
        ".spec.volumes",
        ...["containers", "initContainers"].flatMap((c) => CONTAINER_FIELDS.map((f) => `.spec.${c}[*].${f}`)),
    ],
    "apps/v1/StatefulSet": [
        ".spec.podManagementPolicy",
        ".spec.revisionHistoryLimit",
        ".spec.serviceName",
        ".spec.volumeClaimTemplates",
        ...SELECTOR(".spec.selector"),
    ],
    "apps/v1/Deployment": SELECTOR(".spec.selector"),
    "apps/v1/DaemonSet": SELECTOR(".spec.selector"),
    "policy/v1beta1/PodDisruptionBudget": [".spec"],
    "policy/v1/PodDisruptionBudget": [],
};

/**
 * Force-new paths of an object. Upstream `provider/pkg/provider/diff.go` `forceNewProperties`:
 * `.metadata.name`/`.namespace` always; a Secret's `.type/.stringData/.data` unless
 * `enableSecretMutable` and not `immutable` (then `.type` only); else the kind's list; else a
 * ConfigMap's `.binaryData/.data` unless `enableConfigMapMutable` and not `immutable`.
 */
export function forceNewPaths(obj: PropertyMap, config: KubernetesConfig = {}, patch = false): string[] {
    const base = [".metadata.name", ".metadata.namespace"];
    // `provider.go` `Diff`: "Patch resources can be updated in place for all other properties."
    if (patch) return base;
    const key = `${String(obj.apiVersion)}/${kindOf(obj)}`;
    const immutable = obj.immutable === true;
    if (key === "v1/Secret" && (!config.enableSecretMutable || immutable)) return [...base, ".type", ".stringData", ".data"];
    if (FORCE_NEW[key]) return [...base, ...FORCE_NEW[key]];
    if (key === "v1/ConfigMap" && (!config.enableConfigMapMutable || immutable)) return [...base, ".binaryData", ".data"];
    return base;
}

const MISSING = Symbol("missing");
type Slot = Value | typeof MISSING;

function get(m: Slot | undefined, k: string): Slot {
    return isObject(m) && Object.prototype.hasOwnProperty.call(m, k) ? m[k] : MISSING;
}

function at(a: Slot, i: number): Slot {
    return Array.isArray(a) && i < a.length ? a[i] : null;
}

/** Upstream `makePatchSlice`: the patch reduced to one path, array indices as one-element arrays. */
function patchSlice(path: (string | number)[], v: Value): Value {
    if (path.length === 0) return v;
    const inner = patchSlice(path.slice(1), v);
    return typeof path[0] === "number" ? [inner] : { [path[0]]: inner };
}

/** Upstream path rendering in `addPatchValueToDiff`: `a.b[0]`, `a["x.y"]`. */
function pathString(path: (string | number)[]): string {
    let s = "";
    for (const p of path) {
        if (typeof p === "number") s += `[${p}]`;
        else if (/[."[\]]/.test(p)) s += `["${p.replace(/"/g, '\\"')}"]`;
        else s += s === "" ? p : `.${p}`;
    }
    return s;
}

class PatchConverter {
    readonly diff: Record<string, DiffKind> = {};
    constructor(private readonly forceNew: string[]) {}

    /** Upstream `patchConverter.addPatchValueToDiff`. */
    value(path: (string | number)[], v: Value, old: Slot, newIn: Slot, oldIn: Slot, inArray: boolean): void {
        if (newIn === MISSING && (v !== null || oldIn === MISSING)) return;
        let kind: DiffKind;
        if (v === null) kind = isUnknown(newIn) ? (old === MISSING ? "add" : "update") : "delete";
        else if (old === MISSING) kind = "add";
        else if (isObject(v) && isObject(old)) return this.map(path, v, old, newIn, oldIn, inArray);
        else if (Array.isArray(v) && Array.isArray(old)) return this.array(path, v, old, newIn, oldIn);
        else if (!isObject(v) && !Array.isArray(v) && deepEqual(v, old as Value)) return;
        else kind = "update";
        const slice = patchSlice(path, v);
        if (this.forceNew.some((p) => jsonPathMatches(slice, p))) kind = `${kind}-replace` as DiffKind;
        this.diff[pathString(path)] = kind;
    }

    /** Upstream `addPatchMapToDiff`: inside arrays, keys absent from the patch are deletions. */
    map(path: (string | number)[], m: { [k: string]: Value }, old: Slot, newIn: Slot, oldIn: Slot, inArray: boolean): void {
        for (const k of Object.keys(m)) this.value([...path, k], m[k], get(old, k), get(newIn, k), get(oldIn, k), inArray);
        if (!inArray || !isObject(old)) return;
        for (const k of Object.keys(old)) {
            if (!(k in m)) this.value([...path, k], null, old[k], get(newIn, k), get(oldIn, k), inArray);
        }
    }

    /** Upstream `addPatchArrayToDiff`: element-wise, then additions or deletions at the tail. */
    array(path: (string | number)[], a: Value[], old: Value[], newIn: Slot, oldIn: Slot): void {
        let i = 0;
        for (; i < a.length && i < old.length; i++) this.value([...path, i], a[i], old[i], at(newIn, i), at(oldIn, i), true);
        for (; i < a.length; i++) this.value([...path, i], a[i], MISSING, at(newIn, i), at(oldIn, i), true);
        for (; i < old.length; i++) this.value([...path, i], null, old[i], at(newIn, i), at(oldIn, i), true);
    }
}

/** Upstream `convertPatchToDiff(patch, oldLiveState, newInputs, oldInputs, forceNew...)`. */
export function patchToDiff(
    patch: { [k: string]: Value },
    old: PropertyMap,
    news: PropertyMap,
    forceNew: string[],
    oldInputs: PropertyMap = old,
): Record<string, DiffKind> {
    const pc = new PatchConverter(forceNew);
    pc.map([], patch, old, news, oldInputs, false);
    return pc.diff;
}

/** Upstream `metadata.IsNamed`: a known non-empty name, or an unknown name inside a known `metadata` object. */
function isNamed(news: PropertyMap): boolean {
    const md = news.metadata;
    return (isObject(md) && isUnknown(md.name)) || nestedString(news, "name") !== "";
}

function isAutonamed(news: PropertyMap): boolean {
    const md = news.metadata;
    const ann = isObject(md) ? md.annotations : undefined;
    return isObject(ann) && ann["pulumi.com/autonamed"] === "true";
}

/**
 * Diff of the old (checked) inputs against new (checked) inputs, possibly with unknowns.
 * Upstream `provider.go` `Diff`: canonical namespaces, the old name carried over when the new one
 * is set, JSON merge patch, `convertPatchToDiff`, replaces (incl. a deleted `metadata`), DBR when
 * named, not autonamed, same name and same namespace as the old object.
 */
export function diffKubernetes(
    oldInputs: PropertyMap,
    newInputs: PropertyMap,
    config: KubernetesConfig = {},
    patch = false,
): KubernetesDiff {
    const old = canonicalize(oldInputs),
        news = canonicalize(newInputs);
    const isPatch = patch;
    const mergePatch = createMergePatch(encodeForPatch(old) as PropertyMap, encodeForPatch(news) as PropertyMap);
    const detailedDiff = Object.keys(mergePatch).length ? patchToDiff(mergePatch, old, news, forceNewPaths(news, config, isPatch)) : {};
    const replaces = Object.entries(detailedDiff)
        .filter(([k, d]) => d.endsWith("-replace") || (d === "delete" && k === "metadata"))
        .map(([k]) => k);
    const deleteBeforeReplace =
        replaces.length > 0 &&
        isNamed(newInputs) &&
        !isAutonamed(news) &&
        nestedString(news, "name") === nestedString(old, "name") &&
        nestedString(news, "namespace") === nestedString(old, "namespace");
    return { changes: Object.keys(detailedDiff).length ? "some" : "none", replaces, detailedDiff, deleteBeforeReplace };
}

/** A Kubernetes object that has a fixed name: re-creating it while the old one exists fails with AlreadyExists. */
export function hasFixedName(inputs: PropertyMap): boolean {
    return nestedString(inputs, "name") !== "" && !isAutonamed(inputs);
}

/**
 * A Patch resource (`kubernetes:core/v1:PersistentVolumeClaimPatch`, ...): the type's name is the
 * object's kind + "Patch" (upstream `provider/pkg/kinds/util.go` `IsPatchResource`). Its create and
 * update are server-side applies (`await/await.go` `Creation`, `ssaUpdate`): an upsert, never
 * AlreadyExists; its delete relinquishes its fields (`Deletion` → `ssa/actions.go` `Relinquish`).
 */
export function isPatchResource(type: string, inputs: PropertyMap): boolean {
    const name = type.split(":")[2] ?? "";
    return kindOf(inputs) !== "" && name === `${kindOf(inputs)}Patch`;
}

/**
 * Fields the API server requires, by kind (subset: kubernetes `pkg/apis/core/validation/validation.go`
 * `ValidatePersistentVolumeClaimSpec`: at least one access mode, a storage request).
 */
const REQUIRED_FIELDS: Record<string, string[][]> = {
    PersistentVolumeClaim: [
        ["spec", "accessModes"],
        ["spec", "resources", "requests", "storage"],
    ],
};

/**
 * The required fields a Patch sends. Relinquishing them (its delete) removes them from the object when
 * this manager is their only owner — e.g. after it forced a new value — and the API server refuses
 * that ("Required value"; upstream `provider.go` `Delete`, `await/error.go` `IsDeleteRequiredFieldErr`:
 * "Either set the `retainOnDelete` resource option, or transfer ownership of the field").
 */
export function requiredFieldsSent(inputs: PropertyMap): string[] {
    const has = (path: string[]) => {
        let v: Value | undefined = inputs;
        for (const p of path) v = isObject(v) ? v[p] : undefined;
        return v !== undefined && v !== null;
    };
    return (REQUIRED_FIELDS[kindOf(inputs)] ?? []).filter(has).map((p) => p.join("."));
}

/** The annotation that makes pulumi-kubernetes force server-side apply conflicts (`metadata.AnnotationPatchForce`). */
export const PATCH_FORCE = "pulumi.com/patchForce";

/**
 * Whether an apply of `inputs` (not at preview) forces field conflicts: upstream `await/await.go`
 * `patchForce` — the `pulumi.com/patchForce: "true"` annotation (`metadata.IsAnnotationTrue`), else
 * the provider's `enablePatchForce`; without either, a create (no live object) is not forced (at
 * preview it always is, so a conflict shows only in `up`). Read at v4.25.0 (env
 * `PULUMI_K8S_ENABLE_PATCH_FORCE`) and at 94977969d (≈ 4.32–4.34, config `enablePatchForce`); the
 * annotation is read from the inputs of every kind, not only Patch resources.
 */
export function forcesConflicts(inputs: PropertyMap, config: KubernetesConfig = {}): boolean {
    const md = inputs.metadata;
    const ann = isObject(md) ? md.annotations : undefined;
    return (isObject(ann) && ann[PATCH_FORCE] === "true") || config.enablePatchForce === true;
}
